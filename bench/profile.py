"""`python -m bench.profile FILE`: the top lines of a py-spy raw profile, by own and total time.

py-spy's raw format (`py-spy record --format raw`, what `bench/protocol.py --profile` writes) is
one line per distinct stack: frames from the outside in, `;`-separated, each `function
(file:line)`, then the number of samples. Here a frame is its function and file, its line
dropped, so one function is one row. Own time: the samples where the function is the innermost
frame. Total time: the samples where it is anywhere on the stack, counted once per stack.
Left out: idle samples (py-spy records none without --idle) and per-thread or per-process splits.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")
SITE = re.compile(r".*/(site-packages|lib/python3\.\d+)/")  # shortened to the package path


def frame_name(frame: str) -> str:
    """A frame as `function (file)`, with the file relative to site-packages or the stdlib."""
    found = FRAME.match(frame.strip())
    if not found:
        return frame.strip()
    path = SITE.sub("", found["file"])
    return f"{found['function']} ({path})"


def read(text: str) -> tuple[Counter, Counter, int]:
    """(own samples, total samples, all samples) per frame name, from raw profile text."""
    own, total, every = Counter(), Counter(), 0
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [frame_name(f) for f in stack.split(";") if FRAME.match(f.strip())]
        if not frames:
            continue
        samples = int(count)
        every += samples
        own[frames[-1]] += samples
        for name in dict.fromkeys(frames):  # once per stack, outermost first
            total[name] += samples
    return own, total, every


def top(text: str, n: int = 15) -> str:
    """The n heaviest frames by own time and by total time, as two small tables."""
    own, total, every = read(text)
    lines = [f"{every} samples"]
    for title, counts in (("own time", own), ("total time", total)):
        lines.append(f"top {n} by {title} (share of samples, samples, frame):")
        for name, samples in counts.most_common(n):
            lines.append(f"  {samples / max(every, 1):6.1%}  {samples:7}  {name}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("raw", type=Path, help="a py-spy raw profile")
    parser.add_argument("-n", type=int, default=15, help="rows per table")
    args = parser.parse_args(argv)
    print(top(args.raw.read_text(), args.n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
