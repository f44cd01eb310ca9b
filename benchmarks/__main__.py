"""`python -m benchmarks`: every figure of the performance issue, one table.

Each figure is measured side by side with a baseline in the same run (interleaved, medians,
ratios; see common.py). `--smoke` runs every item at tiny sizes in well under a minute, for
CI: it checks that every benchmark still runs and that every request it makes still succeeds,
never a timing. Setup: benchmarks/README.md.

    python -m benchmarks [--smoke] [--json PATH] [--only 1,3] [--allow-missing]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime

from . import (
    dashboard,
    load_memory,
    pagination_scaling,
    peer,
    plugin_overhead,
    reset,
    startup,
    throughput,
)
from .common import MissingTool, Result

# (item numbers covered, title, runner) in the order; throughput covers 1 and 3.
ITEMS: list[tuple[tuple[int, ...], str, Callable[[bool], list[Result]]]] = [
    ((1, 3), "throughput and writes under wrk", throughput.run),
    ((2,), "pagination scaling", pagination_scaling.run),
    ((4,), "start-up and import time", startup.run),
    ((5,), "reset and sandbox creation", reset.run),
    ((6,), "load and memory", load_memory.run),
    ((7,), "pytest plugin per-test overhead", plugin_overhead.run),
    ((8,), "a peer: moto", peer.run),
    ((9,), "the dashboard with a large fixture", dashboard.run),
]
TITLES = {
    1: "throughput",
    2: "pagination",
    3: "writes",
    4: "start-up",
    5: "reset/sandbox",
    6: "load/memory",
    7: "plugin",
    8: "peer",
    9: "dashboard",
}


def machine() -> str:
    model = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next(
                line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    return (
        f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )


def number(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit in ("req/s", "MB") or value >= 100:
        text = f"{value:,.0f}"
    elif value >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.3g}" if value >= 0.01 else f"{value:.2g}"
    return f"{text} {unit}"


def table(results: list[Result]) -> str:
    header = ["#", "figure", "measured", "baseline", "ratio", "target", "result"]
    rows = [
        [
            str(r.item),
            r.figure,
            number(r.measured, r.unit),
            number(r.baseline, r.unit),
            "-" if r.ratio is None else f"{r.ratio:.2f}",
            r.target.text if r.target else "-",
            r.verdict,
        ]
        for r in results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    right = {2, 3, 4}

    def line(cells: list[str]) -> str:
        padded = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = (
        "|"
        + "|".join(
            "-" * (w + 1) + ":" if i in right else "-" * (w + 2) for i, w in enumerate(widths)
        )
        + "|"
    )
    notes = [
        f"- {r.item}. {r.figure}: baseline = {r.baseline_label or '-'}; {r.note}".rstrip("; ")
        for r in results
    ]
    return "\n".join([line(header), rule, *(line(row) for row in rows), "", *notes])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--smoke", action="store_true", help="tiny sizes, for CI: no timing asserted"
    )
    parser.add_argument("--json", metavar="PATH", help="also save the results as JSON")
    parser.add_argument("--only", metavar="ITEMS", help="comma-separated item numbers (1-8)")
    parser.add_argument(
        "--allow-missing",
        action="store_true",
        help="a missing tool (wrk, moto, responses) is reported but does not fail the run",
    )
    args = parser.parse_args(argv)
    wanted = {int(n) for n in args.only.split(",")} if args.only else set(range(1, 9))
    started = time.perf_counter()
    print(f"mock_canvas benchmarks{' (smoke)' if args.smoke else ''}: {machine()}", flush=True)
    results: list[Result] = []
    broken: list[str] = []
    for items, title, runner in ITEMS:
        if not wanted & set(items):
            continue
        began = time.perf_counter()
        print(f"  {title}...", end="", flush=True, file=sys.stderr)
        try:
            rows = [r for r in runner(args.smoke) if r.item in wanted]
        except MissingTool as exc:
            rows = [Result(i, TITLES[i], "", status="missing", note=str(exc)) for i in items]
            if not args.allow_missing:
                broken.append(f"{title}: {exc}")
        except Exception as exc:  # a broken benchmark: loud, and the run fails
            traceback.print_exc()
            rows = [Result(i, TITLES[i], "", status="error", note=repr(exc)[:300]) for i in items]
            broken.append(f"{title}: {exc!r}"[:500])
        print(f" {time.perf_counter() - began:.1f} s", file=sys.stderr, flush=True)
        results.extend(r for r in rows if r.item in wanted)
    results.sort(key=lambda r: r.item)
    print()
    print(table(results))
    met = [r for r in results if r.passed]
    targeted = [r for r in results if r.passed is not None]
    elapsed = time.perf_counter() - started
    print(f"\n{len(met)} of {len(targeted)} targets met; {elapsed:.0f} s in all")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(
                {
                    "machine": machine(),
                    "smoke": args.smoke,
                    "seconds": elapsed,
                    "results": [r.to_json() for r in results],
                },
                out,
                indent=2,
            )
    if broken:
        print("\nBROKEN:\n  " + "\n  ".join(broken), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
