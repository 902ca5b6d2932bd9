"""The property tests of tests/test_properties.py, run long: ``check`` never raises nor reports an internal
error on any grammatical source, fixes parse and are idempotent, ``--add-noqa`` keeps every string literal,
numeric extremes give a finding or silence.

    python bench/fuzz.py [--examples 2000]

Hypothesis draws fresh (not derandomized) examples; the per-property counts are printed. Exits as pytest does.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=2000, help="examples per property")
    args = parser.parse_args()
    env = {**os.environ, "INITLINT_FUZZ_EXAMPLES": str(args.examples)}
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "--hypothesis-show-statistics", "tests/test_properties.py"],
                            cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    for line in result.stdout.splitlines():
        if "passing examples" in line or "failing examples" in line or line.startswith(("tests/", "FAILED")) \
                or "passed" in line or "failed" in line or "Falsifying" in line:
            print(line.strip())
    print(f"{args.examples} examples per property in {time.perf_counter() - start:.0f} s")
    if result.returncode:
        print(result.stdout[-4000:])
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
