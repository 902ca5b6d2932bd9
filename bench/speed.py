"""Benchmark (not a timed test): where the time goes on a tree of model files.

    python bench/speed.py PATH [PATH ...]

Measures, in one run and on the same files: reading + decoding only, a libcst parse, the parse plus the
position metadata, the whole check serially, and the whole check on all cores. Prints seconds and the
ratios between them, which are what to compare across machines.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import libcst as cst

from initlint.analysis import parse
from initlint.config import Settings
from initlint.engine import check_file, check_paths
from initlint.files import decode, discover


def timed(label: str, fn, results: dict[str, float]) -> None:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    results[label] = time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args(argv)
    files = [str(p) for p in discover(args.paths)]
    texts = []
    for path in files:
        try:
            texts.append(decode(Path(path).read_bytes()).text)
        except (OSError, UnicodeDecodeError, SyntaxError):
            continue
    torch_texts = [t for t in texts if "torch" in t]
    lines = sum(t.count("\n") for t in texts)
    print(f"{len(files)} files, {lines} lines, {len(torch_texts)} mention torch; {os.cpu_count()} cores")

    results: dict[str, float] = {}

    def read_only() -> None:
        for path in files:
            decode(Path(path).read_bytes())

    def parse_only() -> None:
        for text in torch_texts:
            try:
                cst.parse_module(text)
            except cst.ParserSyntaxError:
                pass

    def parse_positions() -> None:
        # What eager position metadata would cost; the engine resolves it only for files with findings.
        for text in torch_texts:
            try:
                module, locator = parse(text)
                locator.span(module)
            except cst.ParserSyntaxError:
                pass

    def serial() -> None:
        for path in files:
            check_file(path, Settings())

    def parallel() -> None:
        check_paths(args.paths, Settings(), jobs=os.cpu_count() or 1)

    timed("read+decode", read_only, results)
    timed("parse", parse_only, results)
    timed("parse+positions", parse_positions, results)  # eager positions, for comparison
    timed("check -j1", serial, results)
    timed(f"check -j{os.cpu_count()}", parallel, results)
    base = results["parse"] or 1e-9
    for label, seconds in results.items():
        print(f"{label:>18}: {seconds:8.3f} s   {seconds / base:6.2f}x parse")
    serial_s = results["check -j1"]
    parallel_s = results[f"check -j{os.cpu_count()}"]
    print(f"parallel speed-up: {serial_s / parallel_s:.2f}x; whole check serially vs parse alone: "
          f"{serial_s / base:.2f}x (eager positions alone would cost {results['parse+positions'] / base:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
