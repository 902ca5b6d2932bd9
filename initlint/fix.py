"""How we repair: text edits attached to findings, applied together, re-checked until nothing changes.

A fix is plain data on the finding (``applicability``, ``message``, ``edits``), so it crosses the process
pool and the JSON report unchanged. Edits are applied in one rewrite per round; a round whose result does not
parse is thrown away, and nothing is written unless the final text parses.
"""

from __future__ import annotations

from typing import Any

from initlint.findings import Finding

MAX_ROUNDS = 10


def make_fix(applicability: str, message: str, edits: list[tuple[int, int, int, int, str]]) -> dict[str, Any]:
    return {
        "applicability": applicability,
        "message": message,
        "edits": [
            {"content": content, "location": {"row": r1, "column": c1}, "end_location": {"row": r2, "column": c2}}
            for r1, c1, r2, c2, content in edits
        ],
    }


def fixable(finding: Finding, unsafe: bool) -> bool:
    if finding.fix is None:
        return False
    return finding.fix["applicability"] == "safe" or unsafe


def _offsets(text: str) -> list[int]:
    starts = [0]
    for index, char in enumerate(text):
        if char == "\n":
            starts.append(index + 1)
    return starts


def apply_edits(text: str, findings: list[Finding], unsafe: bool) -> tuple[str, int]:
    """Apply every applicable, non-overlapping fix; returns the new text and how many fixes went in."""
    starts = _offsets(text)

    def offset(position: dict[str, int]) -> int:
        return starts[position["row"] - 1] + position["column"] - 1

    chosen: list[tuple[int, int, str]] = []
    applied = 0
    taken: list[tuple[int, int]] = []
    for finding in findings:
        if not fixable(finding, unsafe):
            continue
        assert finding.fix is not None
        spans = [(offset(e["location"]), offset(e["end_location"]), e["content"]) for e in finding.fix["edits"]]
        if any(not (end <= a or start >= b) for start, end, _ in spans for a, b in taken):
            continue  # overlaps a fix already chosen this round; the next round sees it again
        chosen.extend(spans)
        taken.extend((start, end) for start, end, _ in spans)
        applied += 1
    for start, end, content in sorted(chosen, reverse=True):
        text = text[:start] + content + text[end:]
    return text, applied
