"""`make bench`: every speed and memory figure the project tracks, in one table with its target.

Suites (`--only` runs some of them): `pages` (bench/tour.py: every page's cold render, first
render on a warm server, warm rerun, live run, and the memory after the tour), `checker` and
`load` (bench/suites.py: the answer checker; the server's CPU per student action, with Chromium),
and `capacity` (bench/capacity.py: self-study and a live class at 10 to 200 protocol-level
students; about 20 minutes more, and it rewrites bench/results/capacity.json and the chart).
A full run writes bench/results/bench.json, after comparing with the committed one and flagging
any figure more than 25% worse (bench/report.py). The exit status is 0 whether or not targets are
met (this is a report); 1 only when a measurement itself failed. About 5-6 minutes here.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import time
from importlib import metadata
from pathlib import Path

from bench import report

SUITES = ("pages", "checker", "load", "capacity")


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _log(line: str) -> None:
    print(f"== {line}", flush=True)


def measure(suites: tuple[str, ...]) -> tuple[list[report.Figure], list[str]]:
    """Run the suites in order: the in-process tour first, so its peak memory is its own."""
    figures, failures = [], []
    if "pages" in suites:
        from bench import tour

        found, failed = tour.run(_log)
        figures += found
        failures += failed
    if "checker" in suites:
        from bench import suites as more

        _log("answer checker")
        try:
            figures += more.checker()
        except Exception as error:
            failures.append(f"answer checker: {type(error).__name__}: {error}")
    if "load" in suites:
        from bench import suites as more

        found, failed = more.server_cpu(_log)
        figures += found
        failures += failed
    if "capacity" in suites:
        from bench import capacity

        try:
            curve = capacity.measure(log=_log)
            capacity.save(curve)
            figures += capacity.figures(curve)
        except Exception as error:
            failures.append(f"capacity: {type(error).__name__}: {error}")
    return figures, failures


def metadata_record(suites: tuple[str, ...], started: float, load_before: tuple) -> dict:
    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "suites": list(suites),
        "seconds": round(time.monotonic() - started),
        "load_average_start": [round(x, 2) for x in load_before],
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
        "torch": _version("torch"),
        "streamlit": _version("streamlit"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--only", nargs="+", choices=SUITES, help="run only these suites (the JSON is not written "
        "unless --out names a file)"
    )  # fmt: skip
    parser.add_argument("--out", type=Path, help=f"results file (default for a full run: "
                        f"{report.RESULTS.relative_to(report.ROOT)})")  # fmt: skip
    args = parser.parse_args(argv)
    suites = tuple(s for s in SUITES if s in (args.only or SUITES))
    out = args.out or (report.RESULTS if not args.only else None)

    started, load_before = time.monotonic(), os.getloadavg()
    figures, failures = measure(suites)
    meta = metadata_record(suites, started, load_before)

    previous, source = report.previous()
    than = {"committed": "last committed", "on disk": "last run on disk"}.get(source, "")
    print()
    print(report.table(figures, previous, than))
    print()
    print(report.summary(figures, previous, than))
    if source == "none":
        print("no earlier results to compare with")
    print(
        f"machine: {meta['cpu_count']} CPUs ({meta['cpus_usable']} usable), load average "
        f"{meta['load_average_start'][0]} at the start, {meta['load_average_end'][0]} at the end "
        "(1 min); timings on a shared machine vary up to 2x from run to run; "
        f"torch {meta['torch']}, {meta['seconds']} s in all"
    )
    for failure in failures:
        print(f"measurement failed: {failure}")
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        record = report.to_json(figures, meta)
        out.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
        print(f"figures written to {out}")
    else:
        print("partial run: figures not written (pass --out FILE to write them)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
