"""Which production WSGI server, with how many threads? Measured, side by side.

Each candidate serves the packaged default fixture in its own process; wrk (a separate
process) loads the list call (big-observer-1, a full page of 10) and GET /__mock__/health,
interleaved, for a few rounds. Prints the median requests/s per server and the list/health
ratio. Not part of `python -m benchmarks` (it takes a few minutes): run it when the choice of
server or thread count is in question.

    python -m benchmarks.wsgi_servers [--seconds 2] [--rounds 3] [--only waitress]
"""

from __future__ import annotations

import argparse
import statistics
import sys

from .common import PYTHON, free_port, require_wrk, server_process, wrk

CANDIDATES = [
    ("waitress", 8),
    ("waitress", 4),
    ("waitress", 2),
    ("waitress", 1),
    ("cheroot", 8),
    ("cheroot", 4),
    ("gunicorn", 8),
    ("gunicorn", 4),
    ("werkzeug", 0),
]
LIST = "/api/v1/users/self/observees?per_page=10"
HEALTH = "/__mock__/health"
HEADERS = ["Authorization: Bearer big-observer-1"]


def measure(server: str, threads: int, seconds: int, rounds: int) -> tuple[float, float]:
    port = free_port()
    command = [PYTHON, "-m", "benchmarks.serve_with", server, str(port), str(threads)]
    base = f"http://127.0.0.1:{port}"
    with server_process(command, port, HEALTH):
        wrk(base + LIST, 1, headers=HEADERS)  # warm up
        lists, healths = [], []
        for _ in range(rounds):
            lists.append(wrk(base + LIST, seconds, headers=HEADERS).requests_per_second)
            healths.append(wrk(base + HEALTH, seconds).requests_per_second)
    return statistics.median(lists), statistics.median(healths)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", help="one server name")
    args = parser.parse_args()
    require_wrk()
    print(f"{'server':<12}{'threads':>8}{'list req/s':>12}{'health req/s':>14}{'list/health':>13}")
    for server, threads in CANDIDATES:
        if args.only and server != args.only:
            continue
        try:
            listed, health = measure(server, threads, args.seconds, args.rounds)
        except RuntimeError as exc:
            print(f"{server:<12}{threads or '-':>8}  failed: {str(exc)[:200]}", file=sys.stderr)
            continue
        ratio = listed / health
        print(
            f"{server:<12}{threads or '-':>8}{listed:>12.0f}{health:>14.0f}{ratio:>13.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
