"""Which production WSGI server should mock-canvas use? Measured, side by side.

Each candidate serves the packaged default fixture in its own process; wrk (a separate
process) loads GET /api/v1/users/self/observees and GET /__mock__/health, interleaved,
for a few rounds. Prints the median requests/s per server and the list/health ratio.

    python -m benchmarks.wsgi_servers [--seconds 3] [--rounds 3]
"""

from __future__ import annotations

import argparse
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time

import requests

CANDIDATES = [("waitress", 8), ("waitress", 4), ("cheroot", 8), ("gunicorn", 8), ("werkzeug", 0)]
LIST = "/api/v1/users/self/observees"
HEALTH = "/__mock__/health"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wrk(url: str, seconds: int, connections: int = 16) -> float:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "-H",
            "Authorization: Bearer parent-token",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match or "Non-2xx" in out:
        raise RuntimeError(out)
    return float(match.group(1))


def measure(server: str, threads: int, seconds: int, rounds: int) -> tuple[float, float]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.serve_with", server, str(port), str(threads)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                requests.get(base + HEALTH, timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        lists, healths = [], []
        for _ in range(rounds):
            lists.append(wrk(base + LIST, seconds))
            healths.append(wrk(base + HEALTH, seconds))
        return statistics.median(lists), statistics.median(healths)
    finally:
        process.terminate()
        process.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    print(f"{'server':<12}{'threads':>8}{'list req/s':>12}{'health req/s':>14}{'list/health':>13}")
    for server, threads in CANDIDATES:
        listed, health = measure(server, threads, args.seconds, args.rounds)
        print(
            f"{server:<12}{threads or '-':>8}{listed:>12.0f}{health:>14.0f}{listed / health:>13.2f}"
        )


if __name__ == "__main__":
    main()
