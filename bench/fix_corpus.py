"""Autofix on real model code: ``--fix --unsafe-fixes`` over a scratch copy of the pinned wheels' model trees.

    python bench/fix_corpus.py [--project timm --project torchvision] [--scratch /tmp/initlint-fix]

Checks what the autofix promises on code it was not written for: every file still compiles, a second run
changes nothing, and the files it did not fix are byte-for-byte untouched. Standard library only; initlint
runs through its CLI. Needs ``python bench/corpus.py --download`` first. Always exits 0 unless a promise
breaks (then 1): it is a measurement, reported with its numbers.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import DEFAULT_SRC, MODEL_TREES


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["initlint", *args], check=False, cwd=cwd, capture_output=True, text=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", action="append", choices=sorted(MODEL_TREES))
    parser.add_argument("--src", type=Path, default=DEFAULT_SRC)
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/initlint-fix"))
    args = parser.parse_args()
    projects = args.project or ["timm", "torchvision"]
    broken = False
    for project in projects:
        scratch = args.scratch / project
        shutil.rmtree(scratch, ignore_errors=True)
        trees = []
        for tree in MODEL_TREES[project]:
            source = args.src / project / tree
            if not source.is_dir():
                sys.exit(f"{source} missing: run python bench/corpus.py --download first")
            shutil.copytree(source, scratch / tree)
            trees.append(tree)
        files = sorted(scratch.rglob("*.py"))
        before = {f: digest(f) for f in files}
        start = time.perf_counter()
        first = run(["check", "--fix", "--unsafe-fixes", "--exit-zero", "-q", *trees], scratch)
        elapsed = time.perf_counter() - start
        changed = [f for f in files if digest(f) != before[f]]
        failed = []
        for path in changed:
            try:
                compile(path.read_text(encoding="utf-8"), str(path), "exec")
            except SyntaxError as error:
                failed.append(f"{path.relative_to(scratch)}: {error}")
        after_first = {f: digest(f) for f in files}
        second = run(["check", "--fix", "--unsafe-fixes", "--exit-zero", "-q", *trees], scratch)
        moved = [f for f in files if digest(f) != after_first[f]]
        fixed_line = next((line for line in first.stdout.splitlines() + first.stderr.splitlines()
                           if line.startswith("Fixed")), "Fixed 0 findings.")
        print(f"== {project}: {len(files)} files, {len(changed)} rewritten in {elapsed:.1f}s ({fixed_line})")
        for path in changed:
            print(f"   rewritten: {path.relative_to(scratch)}")
        print(f"   compile failures: {len(failed)}; files changed by a second run: {len(moved)}; "
              f"exit codes {first.returncode}, {second.returncode}")
        for line in failed:
            print(f"   FAIL {line}")
        for path in moved:
            print(f"   NOT IDEMPOTENT {path.relative_to(scratch)}")
        broken |= bool(failed or moved or first.returncode not in (0, 1) or second.returncode not in (0, 1))
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
