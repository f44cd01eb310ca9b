"""Item 8: where mock_canvas stands among mocks. The same list-style call against moto.

moto (a stateful mock of AWS) runs its own server, `moto_server`, in its own process on this
machine; a bucket holds 25 objects and the call is S3 ListObjectsV2 with max-keys=10: a page
of 10 out of 25, as big-observer-1's first page of observees is. wrk loads mock_canvas's
list call and moto's, interleaved, with the same settings. The ratio is mock_canvas / moto.

    python -m benchmarks.peer [--seconds 2] [--rounds 3]
"""

from __future__ import annotations

import argparse
import shutil
import socket
from pathlib import Path

from .common import (
    PYTHON,
    MissingTool,
    Result,
    free_port,
    median,
    mock_canvas_command,
    print_rates,
    ratio_of,
    require_wrk,
    server_process,
    wrk,
)

BUCKET = "bench-bucket"
OBJECTS = 25
MOTO_LIST = f"/{BUCKET}?list-type=2&max-keys=10"
LIST = "/api/v1/users/self/observees?per_page=10"
LIST_TOKEN = "big-observer-1"


def moto_command(port: int) -> list[str]:
    script = shutil.which("moto_server", path=str(Path(PYTHON).parent)) or shutil.which(
        "moto_server"
    )
    if script is None:
        raise MissingTool(
            "moto's server is not installed: pip install -r benchmarks/requirements.txt"
        )
    return [script, "-H", "127.0.0.1", "-p", str(port)]


def raw_request(port: int, method: str, path: str, body: bytes = b"") -> int:
    """One request over a raw socket (moto reads unsigned S3 calls as anonymous ones)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        sock.sendall(head.encode() + body)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return int(answer.split(b" ", 2)[1])


def fill_bucket(port: int) -> None:
    statuses = {raw_request(port, "PUT", f"/{BUCKET}")}
    for n in range(OBJECTS):
        statuses.add(raw_request(port, "PUT", f"/{BUCKET}/object-{n:02d}", b"x" * 100))
    statuses.add(raw_request(port, "GET", MOTO_LIST))
    if statuses != {200}:
        raise RuntimeError(f"moto did not set up the bucket: statuses {sorted(statuses)}")


def measure(seconds: int, rounds: int) -> dict[str, list[float]]:
    require_wrk()
    moto_port, mock_port = free_port(), free_port()
    rates: dict[str, list[float]] = {"mock_canvas": [], "moto": []}
    with (
        server_process(moto_command(moto_port), moto_port, "/moto-api/", timeout=60),
        server_process(mock_canvas_command(mock_port), mock_port, "/__mock__/health"),
    ):
        fill_bucket(moto_port)
        mock_url = f"http://127.0.0.1:{mock_port}{LIST}"
        moto_url = f"http://127.0.0.1:{moto_port}{MOTO_LIST}"
        headers = [f"Authorization: Bearer {LIST_TOKEN}"]
        wrk(moto_url, 1)  # warm up both
        wrk(mock_url, 1, headers=headers)
        for _ in range(rounds):
            rates["moto"].append(wrk(moto_url, seconds).requests_per_second)
            rates["mock_canvas"].append(wrk(mock_url, seconds, headers=headers).requests_per_second)
    return rates


def run(smoke: bool) -> list[Result]:
    seconds, rounds = (1, 1) if smoke else (2, 3)
    rates = measure(seconds, rounds)
    mock, moto = median(rates["mock_canvas"]), median(rates["moto"])
    return [
        Result(
            8,
            "peer: list of 10 vs moto_server S3 ListObjectsV2 (10 of 25)",
            "req/s",
            mock,
            moto,
            "moto_server (werkzeug)",
            ratio_of(mock, moto),
            None,
            note=f"ratio = mock_canvas/moto; wrk -t2 -c16, {rounds} x {seconds} s interleaved",
            samples=rates,
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print_rates(measure(args.seconds, args.rounds))


if __name__ == "__main__":
    main()
