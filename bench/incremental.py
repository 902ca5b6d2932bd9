"""The editor's partial re-checks against whole checks, over many files and edits.

    python bench/incremental.py [FILES...]      (default: examples/ and tests/data/)

For each file, a few of its top-level defs are edited (a line added, an init's family swapped, the def
removed); each edited text is checked by ``IncrementalChecker`` after the original, and by ``check_source``
alone. Prints how many edits were checked in part and how many results differ (there must be none).
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

from initlint.analysis import check_source
from initlint.config import Settings
from initlint.incremental import IncrementalChecker
from initlint.reparse import top_level_pieces


def main(paths: list[str]) -> int:
    root = Path(__file__).resolve().parent.parent
    files = [Path(p) for p in paths] or sorted([*root.glob("examples/*.py"), *root.glob("tests/data/**/*.py")])
    rng = random.Random(0)
    edits = partial = differ = 0
    partial_time = whole_time = 0.0
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        checker = IncrementalChecker()
        checker.check("doc", text, str(path), Settings())
        pieces = top_level_pieces(text)
        defs = [i for i, (_, piece) in enumerate(pieces) if piece.startswith(("class ", "def "))]
        for index in rng.sample(defs, min(3, len(defs))):
            piece = pieces[index][1]
            before, after = "".join(p for _, p in pieces[:index]), "".join(p for _, p in pieces[index + 1:])
            for new in (piece.replace("\n", "\n    # edited\n", 1),
                        piece.replace("xavier_uniform_", "kaiming_uniform_").replace("kaiming_normal_", "xavier_normal_"),
                        ""):
                edited = before + new + after
                count, started = checker.partial, time.perf_counter()
                got = checker.check("doc", edited, str(path), Settings())
                middle = time.perf_counter()
                want = check_source(edited, str(path), Settings())
                whole_time += time.perf_counter() - middle
                edits += 1
                if checker.partial > count:
                    partial += 1
                    partial_time += middle - started
                if got != want:
                    differ += 1
                    print(f"DIFFER {path} (def {index}): {len(got)} findings, whole check {len(want)}")
                checker.check("doc", text, str(path), Settings())
    print(f"{len(files)} files, {edits} edits, {partial} checked in part, {differ} differ; "
          f"mean partial {1000 * partial_time / max(partial, 1):.0f} ms, mean whole {1000 * whole_time / max(edits, 1):.0f} ms")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
