"""File names in a finding found through another file's picture, told from the file it is reported in.

A picture that follows imports names each file relative to the file it was built for (``models.py:41``);
a finding that lands in another file (``src/transformer/attention.py``, found from ``src/bin/train.py``)
would read ``../transformer/transformer.py:19`` there, and the same finding found from two importers would
read two ways. Rewritten relative to the reported file, it reads one way, as that file's own picture would
say it, and the merge of one file's findings (engine._merged) sees one finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from initlint.findings import Finding, Note
from initlint.picture.linking import shown


def relocated(finding: Finding, seen_from: str, files: Iterable[str]) -> Finding:
    """``finding`` with every ``<file>:<line>`` mention of ``files`` (named as ``seen_from``'s picture names
    them) named relative to the file the finding is reported in."""
    if finding.filename == seen_from:
        return finding
    renames = {shown(path, seen_from): shown(path, finding.filename) for path in {seen_from, *files}}
    renames = {old: new for old, new in renames.items() if old != new}
    if not renames:
        return finding
    pattern = re.compile(r"(?<![\w./-])(" + "|".join(re.escape(old) for old in sorted(renames, key=len, reverse=True))
                         + r")(?=:\d)")

    def fixed(text: str | None) -> str | None:
        return None if text is None else pattern.sub(lambda match: renames[match.group(1)], text)

    return replace(finding, message=fixed(finding.message) or finding.message, title=fixed(finding.title),
                   help=fixed(finding.help),
                   notes=tuple(Note(fixed(note.text) or note.text, note.label) for note in finding.notes))
