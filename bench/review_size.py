"""Review time against document size: seconds per MB at 1, 10 and 50 MB.

Usage: python bench/review_size.py [--sizes 1,10,50] [--shapes all|name,name]

Each shape is one document grown to the size: generated post-mortems run
together, and shapes that once made a step quadratic (many lines with a blame
word, text under timestamped headings, one list item of many lines, one long
line of failure verbs) or could (a long timeline table). It prints CPU seconds of parse + review per MB for each size
and the ratio of each to the smallest size in the same run: about 1.0 means
linear time, a ratio growing with size means a quadratic path. Figures, not
thresholds; `hindsight review` refuses files over 10 MB unless `--max-size`
says otherwise.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable

from review import generate

from hindsight.core.parser import parse
from hindsight.core.review import review

MB = 1024 * 1024
HEAD = "---\nseverity: SEV2\n---\n# Outage\n\n## Summary\n\nCheckout failed for 50 minutes.\n\n"


def repeat(unit: str, megabytes: float) -> str:
    return unit * (int(megabytes * MB / len(unit)) + 1)


def postmortems(megabytes: float) -> str:
    """Generated post-mortems run together under one front matter: a realistic mix."""
    rng = random.Random(7)
    parts = [generate(rng, 0)]
    size, index = len(parts[0]), 1
    while size < megabytes * MB:
        body = generate(rng, index).split("---\n", 2)[2].replace("# ", "## ", 1)
        parts.append(body)
        size, index = size + len(body), index + 1
    return "".join(parts)


SHAPES: dict[str, Callable[[float], str]] = {
    "generated post-mortems": postmortems,
    "many lines naming blame": lambda mb: (
        HEAD + "## What went wrong\n\n" + repeat("- Maria forgot to check the dashboard.\n", mb)
    ),
    "text under time headings": lambda mb: (
        HEAD + "## Timeline\n\n### 14:09\n\n" + repeat("Alert fired and Maria looked.\n\n", mb)
    ),
    "one long list item": lambda mb: (
        HEAD + "## Action items\n\n- Add alerts\n" + repeat("  and improve monitoring\n", mb)
    ),
    "one long line of verbs": lambda mb: (
        HEAD + "## Root cause\n\n" + repeat("the cache forgot the key and the disk failed, ", mb)
    ),
    "timeline table": lambda mb: (
        HEAD
        + "## Timeline\n\n| Time | Event |\n| --- | --- |\n"
        + repeat("| 2026-03-02 14:09 UTC | Alert fired and @maria looked |\n", mb)
    ),
}


def seconds(text: str) -> float:
    begin = time.process_time()
    review(parse(text))
    return time.process_time() - begin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1,10,50", help="sizes in MB, smallest first")
    parser.add_argument("--shapes", default="all", help="comma-separated shape names")
    args = parser.parse_args()
    sizes = [float(size) for size in args.sizes.split(",")]
    names = list(SHAPES) if args.shapes == "all" else args.shapes.split(",")
    review(parse(postmortems(0.01)))  # warm up: compile regexes, import the rules
    header = "".join(f"{f'{size:g} MB':>14}" for size in sizes)
    print(f"{'CPU seconds per MB':<26}{header}   ratio to {sizes[0]:g} MB")
    for name in names:
        per_mb = []
        for size in sizes:
            text = SHAPES[name](size)
            per_mb.append(seconds(text) / (len(text) / MB))
            del text
        figures = "".join(f"{value:14.3f}" for value in per_mb)
        ratios = ", ".join(f"{value / per_mb[0]:.2f}" for value in per_mb[1:])
        print(f"{name:<26}{figures}   {ratios}", flush=True)
    print(f"python:                   {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
