"""Item 6: load time and resident memory of a generated fixture of 100,000 users and
200,000 links (an admin, 49,999 students, 50,000 observers of 4 students each).

Each run is a fresh interpreter that imports the package (and Faker, which the loader imports
for any `generate:`), notes its resident memory (the baseline), loads the packaged default
fixture (the baseline load: parse, validate, index, create the app), then the generated
fixture the same way, and notes the resident memory again. Median of the runs. Targets:
load < 5 s, resident memory < 300 MB.

    python -m benchmarks.load_memory [--runs 3] [--students 49999] [--observers 50000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

from .common import PYTHON, ROOT, Result, below, generated_fixture, median, ratio_of

CHILD = """
import gc, json, os, resource, sys, time

def rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6

from mock_canvas.app import create_app
from mock_canvas.fixtures import default_fixture_path, load_path
from mock_canvas.settings import Settings
from mock_canvas.store import Store
import faker  # the loader imports it for any `generate:`; both loads below would, once

def load(path):
    started, cpu = time.perf_counter(), time.process_time()
    dataset = load_path(path)
    app = create_app(Settings(), store=Store(dataset))
    return time.perf_counter() - started, time.process_time() - cpu, app, dataset

gc.collect()
base_rss = rss_mb()
base_seconds, _, _, _ = load(default_fixture_path())
seconds, cpu_seconds, app, dataset = load(sys.argv[1])
gc.collect()
print(json.dumps({
    "base_rss": base_rss,
    "rss": rss_mb(),
    "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6,
    "base_seconds": base_seconds,
    "seconds": seconds,
    "cpu_seconds": cpu_seconds,
    "users": len(dataset.users),
    "links": len(dataset.links),
}))
"""


def measure(students: int, observers: int, per: int, runs: int) -> list[dict[str, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        path = generated_fixture(Path(tmp), students, observers, per)
        samples = []
        for _ in range(runs):
            done = subprocess.run(
                [PYTHON, "-c", CHILD, path], capture_output=True, text=True, check=False, cwd=ROOT
            )
            if done.returncode != 0:
                raise RuntimeError(f"loading the generated fixture failed:\n{done.stderr}")
            samples.append(json.loads(done.stdout))
    return samples


def run(smoke: bool) -> list[Result]:
    students, observers, per, runs = (499, 500, 4, 1) if smoke else (49_999, 50_000, 4, 3)
    samples = measure(students, observers, per, runs)
    users, links = int(samples[0]["users"]), int(samples[0]["links"])
    expected_links = observers * per
    if links != expected_links:
        raise RuntimeError(f"the generated fixture has {links} links, not {expected_links}")

    def mid(key: str) -> float:
        return median([s[key] for s in samples])

    seconds, base_seconds = mid("seconds"), mid("base_seconds")
    rss, base_rss, peak = mid("rss"), mid("base_rss"), mid("peak_rss")
    size = f"{users:,} users, {links:,} links"
    return [
        Result(
            6,
            f"load: {size}",
            "s",
            seconds,
            base_seconds,
            "the default fixture",
            ratio_of(seconds, base_seconds),
            below(5.0, "< 5 s"),
            note=f"parse + validate + index + create_app, fresh interpreter, median of {runs}"
            f" (CPU time {mid('cpu_seconds'):.2f} s)",
        ),
        Result(
            6,
            f"resident memory: {size}",
            "MB",
            rss,
            base_rss,
            "the package and Faker imported",
            ratio_of(rss, base_rss),
            below(300.0, "< 300 MB"),
            note=f"after load and gc; peak {peak:.0f} MB",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--students", type=int, default=49_999)
    parser.add_argument("--observers", type=int, default=50_000)
    parser.add_argument("--per", type=int, default=4)
    args = parser.parse_args()
    for sample in measure(args.students, args.observers, args.per, args.runs):
        print(sample)


if __name__ == "__main__":
    main()
