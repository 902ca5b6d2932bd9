"""Inline suppressions: ``# noqa: IL101``, ``# initlint: ignore[IL101]`` and ``# initlint: skip-file``.

Comments are read with the tokenizer (so a ``# noqa`` inside a string is not one), and only for files that
have findings. A suppression that suppresses nothing is itself reported (IL002), as ruff's RUF100 does.
"""

from __future__ import annotations

import re
import tokenize
from dataclasses import dataclass, field
from typing import Any

from initlint.findings import Finding, diagnostic
from initlint.fix import make_fix
from initlint.lines import has_break, readline, split_lines, strip_break

SKIP_FILE = re.compile(r"#\s*initlint\s*:\s*skip-file\b", re.IGNORECASE)
_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
_IGNORE = re.compile(r"#\s*initlint\s*:\s*ignore\[(?P<codes>[^\]]*)\]", re.IGNORECASE)


@dataclass
class Suppression:
    line: int
    column: int
    end_column: int
    kind: str  # "noqa" or "ignore"
    codes: tuple[str, ...]  # empty: every code (a bare noqa comment)
    used: set[str] = field(default_factory=set)
    comment_column: int = 0  # where the whole comment starts (1-based), to tell a reason before the directive

    def covers(self, code: str) -> bool:
        return not self.codes or code in self.codes


def skips_file(source: str) -> bool:
    """``# initlint: skip-file`` anywhere in a comment line."""
    if "skip-file" not in source:
        return False
    return any(SKIP_FILE.search(line) and line.lstrip().startswith("#") for line in split_lines(source))


def find_suppressions(source: str) -> dict[int, list[Suppression]]:
    out: dict[int, list[Suppression]] = {}
    try:
        tokens = list(tokenize.generate_tokens(readline(source)))
    except (tokenize.TokenError, SyntaxError):
        return out
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        line, column = token.start
        for pattern, kind in ((_NOQA, "noqa"), (_IGNORE, "ignore")):
            match = pattern.search(token.string)
            if match is None:
                continue
            raw = match.group("codes") or ""
            codes = tuple(c.upper() for c in re.split(r"[\s,]+", raw.strip()) if c)
            start = column + match.start() + 1
            out.setdefault(line, []).append(
                Suppression(line, start, start + len(match.group(0)), kind, codes, comment_column=column + 1))
    return out


def apply_suppressions(findings: list[Finding], source: str, filename: str,
                       enabled: set[str] | None = None) -> list[Finding]:
    """Drop suppressed findings; add an IL002 for each suppression of ours that suppressed nothing.

    ``enabled`` is the set of rule codes that ran: a ``# noqa: IL101`` is not unused when IL101 was not
    selected. A bare ``# noqa`` or one naming only other tools' codes is never reported.
    """
    if not findings and "noqa" not in source and "initlint" not in source:
        return findings
    table = find_suppressions(source)
    if not table:
        return findings
    kept: list[Finding] = []
    for finding in findings:
        hits = [s for s in table.get(finding.row, ()) if s.covers(finding.code)]
        for suppression in hits:
            suppression.used.add(finding.code)
        if not hits:
            kept.append(finding)
    for suppressions in table.values():
        for suppression in suppressions:
            ours = [c for c in suppression.codes if c.startswith("IL")]
            if suppression.kind == "noqa" and not ours:
                continue
            named = ours if suppression.kind == "noqa" else list(suppression.codes)
            unused = [c for c in named if c not in suppression.used and (enabled is None or c in enabled)]
            if suppression.kind == "ignore" and not suppression.codes and not suppression.used:
                unused = ["(all)"]
            if unused:
                fix, why = _removal(source, suppression, unused)
                codes = ", ".join(unused)
                kept.append(diagnostic(
                    "IL002", filename, (suppression.line, suppression.column, suppression.line, suppression.end_column),
                    f"Unused suppression: nothing here is reported as {codes}",
                    help=f"remove {codes} from the comment (or the whole comment)", numbers={"unused": codes},
                    fix=fix, no_fix=why, fingerprint=f"{suppression.kind} {' '.join(suppression.codes)} {' '.join(unused)}",
                ))
    return sorted(kept, key=Finding.sort_key)


def _removal(source: str, suppression: Suppression, unused: list[str]) -> tuple[dict[str, Any] | None, str | None]:
    """A safe fix (removing a suppression that suppresses nothing cannot change behaviour): the directive
    rewritten without the unused codes, or the whole comment removed when nothing is left of it; else why
    not (a comment that says more than the directive is left to its author)."""
    lines = split_lines(source)
    if suppression.line > len(lines):
        return None, "the comment could not be found again"
    text = strip_break(lines[suppression.line - 1])
    start, end = suppression.column - 1, suppression.end_column - 1
    left = [c for c in suppression.codes if c not in unused]
    if left:
        directive = f"# noqa: {', '.join(left)}" if suppression.kind == "noqa" else \
            f"# initlint: ignore[{', '.join(left)}]"
        edit = (suppression.line, suppression.column, suppression.line, suppression.end_column, directive)
        return make_fix("safe", f"Remove {', '.join(unused)} from the suppression", [edit]), None
    if text[end:].strip() or suppression.comment_column != suppression.column:
        return None, "the comment says more than the directive: edit it by hand"
    code = text[:start].rstrip()
    if not code.strip() and has_break(lines[suppression.line - 1]):
        edit = (suppression.line, 1, suppression.line + 1, 1, "")  # a line holding only the comment
    else:
        edit = (suppression.line, len(code) + 1, suppression.line, len(text) + 1, "")
    return make_fix("safe", "Remove the unused suppression", [edit]), None
