"""Real-world smoke run: ``check`` and ``--fix --unsafe-fixes`` over the pinned library corpora, in a scratch copy.

    python bench/smoke.py [--project timm ...] [--src /work/corpus/src] [--scratch /tmp/initlint-smoke]
        [--user-corpus /work/usercorpus [--only-user-corpus]]

For every project: no internal error (IL000) from ``check``; after ``--fix --unsafe-fixes`` every changed
file still compiles, and a second fix run changes nothing. Needs ``python bench/corpus.py --download``
first. Prints the counts; exits 1 if a promise breaks.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import DEFAULT_SRC, MODEL_TREES


def initlint(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "initlint", *args], capture_output=True, text=True, check=False)


def digests(root: Path) -> dict[Path, str]:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*.py")) if p.is_file()}


def smoke(project: str, src: Path, scratch: Path) -> list[str]:
    copy = scratch / project
    shutil.rmtree(copy, ignore_errors=True)
    for tree in MODEL_TREES[project]:
        if (src / project / tree).is_dir():
            shutil.copytree(src / project / tree, copy / tree)
    if not copy.exists():
        return [f"{project}: not downloaded (python bench/corpus.py --download)"]
    return smoke_tree(project, copy)


def smoke_tree(project: str, copy: Path) -> list[str]:
    """check, fix, fix again on a scratch copy: no IL000, every fixed file compiles, the second fix is a no-op."""
    start = time.perf_counter()
    checked = initlint("check", "--output-format", "json", "--exit-zero", str(copy))
    findings = json.loads(checked.stdout or "[]")
    codes = Counter(f["code"] for f in findings)
    broken = [f"{project}: internal error in {f['filename']}: {f['message']}" for f in findings
              if f["code"] == "IL000"]
    before = digests(copy)
    fixed = initlint("check", "--fix", "--unsafe-fixes", "--exit-zero", str(copy))
    after = digests(copy)
    changed = [p for p in after if after[p] != before.get(p)]
    for path in changed:
        try:
            compile(path.read_bytes(), str(path), "exec")
        except (SyntaxError, ValueError) as error:
            broken.append(f"{project}: {path} does not compile after the fix: {error}")
    again = initlint("check", "--fix", "--unsafe-fixes", "--exit-zero", str(copy))
    if digests(copy) != after:
        broken.append(f"{project}: a second fix run changed files")
    if fixed.returncode > 1 or again.returncode > 1:
        broken.append(f"{project}: fix run exited {fixed.returncode}/{again.returncode}: {fixed.stderr[-500:]}")
    print(f"{project}: {len(before)} files, findings {dict(sorted(codes.items()))}, {len(changed)} files fixed, "
          f"all compile: {not any('compile' in b for b in broken)}, second fix no-op: "
          f"{digests(copy) == after}, {time.perf_counter() - start:.0f} s")
    return broken


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", action="append", choices=sorted(MODEL_TREES))
    parser.add_argument("--src", type=Path, default=DEFAULT_SRC)
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/initlint-smoke"))
    parser.add_argument("--user-corpus", type=Path, default=None,
                        help="also the user-code corpus (python bench/user_corpus.py --materialize writes it)")
    parser.add_argument("--only-user-corpus", action="store_true", help="skip the library corpora")
    args = parser.parse_args()
    broken: list[str] = []
    for project in [] if args.only_user_corpus else args.project or sorted(MODEL_TREES):
        broken += smoke(project, args.src, args.scratch)
    if args.user_corpus is not None:
        copy = args.scratch / "user-corpus"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(args.user_corpus, copy, ignore=shutil.ignore_patterns(".git"))
        broken += smoke_tree("user-corpus", copy)
    for problem in broken:
        print("BROKEN", problem)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
