"""Does a page cost the same with 10 observees or 100,000? Measured side by side.

Builds one mock with an observer of 10 students and an observer of 100,000 students, then
times GET /api/v1/users/:id/observees through the whole Flask stack (test client, no socket):
page 1 and the last page of the big observer against page 1 of the small one, interleaved,
median of many requests. Target: both ratios <= 1.5.

    python -m benchmarks.pagination_scaling [--students 100000] [--rounds 7] [--requests 200]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime

from mock_canvas.app import create_app
from mock_canvas.model import Account, Dataset, Link, Login, Token, User
from mock_canvas.settings import Settings
from mock_canvas.store import Store

from .common import Result, at_most

CREATED = datetime(2024, 1, 1, tzinfo=UTC)


def build(students: int) -> Dataset:
    def user(uid: int, name: str) -> User:
        return User(
            uid,
            name,
            f"{name.split()[-1]}, {name.split()[0]}",
            name,
            CREATED,
            logins=[Login(1, f"u{uid}")],
            tokens=[Token(f"t{uid}")],
        )

    users = [user(1, "Big Observer"), user(2, "Small Observer")]
    links = []
    for n in range(students):
        uid = 10 + n
        users.append(user(uid, f"Student{n:06d} Family{(n * 7919) % students:06d}"))
        links.append(Link(1, uid, 1))
        if n < 10:
            links.append(Link(2, uid, 1))
    return Dataset(
        accounts=[Account(1, "Root", domain="root.test", default=True, root_id=1)],
        users=users,
        links=links,
    )


def timed(client, path: str, token: str, count: int) -> float:  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token}"}
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        samples.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: {response.status_code}")
    return statistics.median(samples)


def measure(students: int, rounds: int, requests: int) -> tuple[float, dict[str, list[float]]]:
    """Seconds to build and index the store, and the per-round medians of each case."""
    started = time.perf_counter()
    store = Store(build(students))
    built = time.perf_counter() - started
    client = create_app(Settings(), store=store).test_client()
    last = (students + 9) // 10
    cases = {
        "small page 1": ("/api/v1/users/2/observees", "t2"),
        "big page 1": ("/api/v1/users/1/observees", "t1"),
        "big last page": (f"/api/v1/users/1/observees?page={last}", "t1"),
    }
    results: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, (path, token) in cases.items():
            results[name].append(timed(client, path, token, requests))
    return built, results


def run(smoke: bool) -> list[Result]:
    students, rounds, requests = (1_000, 2, 20) if smoke else (100_000, 7, 200)
    _, results = measure(students, rounds, requests)
    base = statistics.median(results["small page 1"])
    rows = []
    for name, label in (("big page 1", "page 1"), ("big last page", "last page")):
        value = statistics.median(results[name])
        rows.append(
            Result(
                2,
                f"pagination: {label} of {students:,} observees vs page 1 of 10",
                "ms",
                value * 1000,
                base * 1000,
                "page 1 of 10 observees",
                value / base,
                at_most(1.5, "ratio <= 1.5", "ratio"),
                note=f"Flask test client, median of {rounds} x {requests} interleaved",
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    built, results = measure(args.students, args.rounds, args.requests)
    print(f"built and indexed {args.students} links in {built:.2f} s")
    base = statistics.median(results["small page 1"])
    print(f"{'case':<26}{'median ms':>10}{'ratio':>8}")
    for name, samples in results.items():
        value = statistics.median(samples)
        print(f"{name:<26}{value * 1000:>10.3f}{value / base:>8.2f}")


if __name__ == "__main__":
    main()
