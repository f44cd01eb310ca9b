"""Item 5: reset and sandbox creation, with the default fixture and a 10,000-user fixture.

Through the Flask test client (no socket), so the figure is the app's own cost:

- reset: a "test" changes the state through the API (an admin links two users, an observer's
  first link is removed, a student makes a pairing code), then POST /__mock__/reset is timed.
  Target: < 1 ms.
- sandbox creation: PUT /__mock__/sandboxes/<name> with an empty body (a sandbox from the
  server's loaded fixture) is timed, then the sandbox is deleted. Target: < 20 ms. Reported as
  "not available" while the route answers 404 or 405.

The baseline is GET /__mock__/health, interleaved with the measured call.

    python -m benchmarks.reset [--runs 300]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mock_canvas.app import create_app
from mock_canvas.settings import Settings

from .common import Result, below, generated_fixture, median, ratio_of

HEALTH = "/__mock__/health"


@dataclass(frozen=True, slots=True)
class Case:
    """A fixture and the users a test changes it with (logins, looked up as sis_login_id)."""

    label: str
    fixtures: str | None
    admin_token: str
    observer: str  # login and token of an observer with links
    observer_token: str
    new_student: str  # login of a student the observer does not observe yet
    student_token: str  # a student who may create pairing codes


def check(response: Any, expected: tuple[int, ...], what: str) -> Any:
    if response.status_code not in expected:
        raise RuntimeError(f"{what}: {response.status_code} {response.get_data(as_text=True)}")
    return response


def measure(case: Case, runs: int) -> dict[str, list[float] | str]:
    app = create_app(Settings(fixtures=case.fixtures))
    client = app.test_client()
    admin = {"Authorization": f"Bearer {case.admin_token}"}
    observer = {"Authorization": f"Bearer {case.observer_token}"}
    student = {"Authorization": f"Bearer {case.student_token}"}
    listed = check(client.get("/api/v1/users/self/observees", headers=observer), (200,), "list")
    before = listed.get_data()
    linked = listed.json[0]["id"]
    link_path = (
        f"/api/v1/users/sis_login_id:{case.observer}/observees/sis_login_id:{case.new_student}"
    )

    def change() -> None:
        check(client.put(link_path, headers=admin), (200,), "PUT link")
        check(
            client.delete(f"/api/v1/users/self/observees/{linked}", headers=observer),
            (200,),
            "DELETE link",
        )
        check(
            client.post("/api/v1/users/self/observer_pairing_codes", headers=student),
            (200,),
            "POST pairing code",
        )

    def timed(method: str, path: str, expected: tuple[int, ...]) -> tuple[float, int]:
        started = time.perf_counter()
        response = client.open(path, method=method)
        elapsed = time.perf_counter() - started
        check(response, expected, f"{method} {path}")
        return elapsed, response.status_code

    samples: dict[str, list[float] | str] = {}
    resets: list[float] = []
    healths: list[float] = []
    for _ in range(runs):
        change()
        resets.append(timed("POST", "/__mock__/reset", (200,))[0])
        healths.append(timed("GET", HEALTH, (200,))[0])
    after = check(client.get("/api/v1/users/self/observees", headers=observer), (200,), "list")
    if after.get_data() != before:
        raise RuntimeError("POST /__mock__/reset did not bring the observer's list back")
    samples["reset"], samples["reset health"] = resets, healths

    creates: list[float] = []
    healths = []
    probe = client.put("/__mock__/sandboxes/bench-probe")
    if probe.status_code in (404, 405):
        samples["sandbox"] = f"not available (PUT /__mock__/sandboxes/<name>: {probe.status_code})"
        return samples
    check(probe, (200, 201), "PUT /__mock__/sandboxes/bench-probe")
    check(client.delete("/__mock__/sandboxes/bench-probe"), (200, 204), "DELETE sandbox")
    for n in range(runs):
        creates.append(timed("PUT", f"/__mock__/sandboxes/bench-{n}", (201,))[0])
        healths.append(timed("GET", HEALTH, (200,))[0])
        check(client.delete(f"/__mock__/sandboxes/bench-{n}"), (200, 204), "DELETE sandbox")
    samples["sandbox"], samples["sandbox health"] = creates, healths
    return samples


def cases(directory: Path, smoke: bool) -> list[Case]:
    students, observers = (70, 30) if smoke else (6_999, 3_000)
    large = generated_fixture(directory, students, observers, [1, 3])
    return [
        Case(
            "default fixture",
            None,
            "admin-token",
            "parent@canvas.test",
            "parent-token",
            "frankie@canvas.test",
            "eli-token",
        ),
        Case(
            f"{students + observers + 1:,}-user fixture",
            large,
            "bench-admin-token",
            "bench-observer-1",
            "bench-observer-1",
            # observer 1 has at most 3 of the students: one of the last ones is free
            f"bench-student-{students}" if students > 3 else "bench-student-1",
            "bench-student-1",
        ),
    ]


def run(smoke: bool) -> list[Result]:
    runs = 10 if smoke else 300
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases(Path(tmp), smoke):
            samples = measure(case, runs)
            resets, healths = samples["reset"], samples["reset health"]
            assert isinstance(resets, list) and isinstance(healths, list)
            reset, health = median(resets) * 1000, median(healths) * 1000
            results.append(
                Result(
                    5,
                    f"reset after a test's changes, {case.label}",
                    "ms",
                    reset,
                    health,
                    "GET /__mock__/health",
                    ratio_of(reset, health),
                    below(1.0, "< 1 ms"),
                    note=f"POST /__mock__/reset, test client, median of {runs}",
                )
            )
            sandbox = samples["sandbox"]
            if isinstance(sandbox, str):
                results.append(
                    Result(
                        5,
                        f"sandbox creation, {case.label}",
                        "ms",
                        target=below(20.0, "< 20 ms"),
                        status="not available",
                        note=sandbox,
                    )
                )
                continue
            created = median(sandbox) * 1000
            health_list = samples["sandbox health"]
            assert isinstance(health_list, list)
            health = median(health_list) * 1000
            results.append(
                Result(
                    5,
                    f"sandbox creation, {case.label}",
                    "ms",
                    created,
                    health,
                    "GET /__mock__/health",
                    ratio_of(created, health),
                    below(20.0, "< 20 ms"),
                    note=f"PUT /__mock__/sandboxes/<name>, empty body, median of {runs}",
                )
            )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    for result in run(args.smoke):
        print(f"{result.figure:<55} {result.verdict:<14} {result.measured} {result.note}")


if __name__ == "__main__":
    main()
