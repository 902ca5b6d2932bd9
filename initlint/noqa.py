"""``--add-noqa``: baseline an existing codebase by suppressing every current finding on its line."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from initlint.files import decode, encode, write_atomic
from initlint.findings import Finding
from initlint.suppressions import find_suppressions

# Codes that make no sense to suppress: a file we could not read, a suppression that suppresses nothing.
NOT_SUPPRESSIBLE = frozenset({"IL001", "IL002"})


def add_noqa_to_source(text: str, codes_by_line: dict[int, set[str]]) -> tuple[str, int]:
    """The text with ``# noqa: CODES`` added (or merged into an existing ``# noqa: ...``); how many lines."""
    existing = find_suppressions(text)
    lines = text.splitlines(keepends=True)
    changed = 0
    for number, codes in sorted(codes_by_line.items()):
        if not 1 <= number <= len(lines):
            continue
        line = lines[number - 1]
        body = line.rstrip("\r\n")
        ending = line[len(body):]
        noqa = [s for s in existing.get(number, ()) if s.kind == "noqa"]
        if noqa and not noqa[0].codes:
            continue  # a bare noqa already covers everything
        if noqa:
            old = noqa[0]
            merged = sorted(set(old.codes) | codes)
            start, end = old.column - 1, old.end_column - 1
            body = body[:start] + "# noqa: " + ", ".join(merged) + body[end:]
        else:
            if body.rstrip().endswith("\\"):
                continue  # a comment after a line continuation would end the statement
            body = body.rstrip() + "  # noqa: " + ", ".join(sorted(codes))
        lines[number - 1] = body + ending
        changed += 1
    return "".join(lines), changed


def add_noqa(findings: list[Finding]) -> tuple[int, int, list[str]]:
    """Rewrite files so every finding is suppressed: (directives added, files changed, problems)."""
    by_file: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    by_cell: dict[str, dict[tuple[int, int], set[str]]] = defaultdict(lambda: defaultdict(set))
    for finding in findings:
        if finding.code in NOT_SUPPRESSIBLE:
            continue
        if finding.cell is not None:
            by_cell[finding.filename][(finding.cell, finding.row)].add(finding.code)
        else:
            by_file[finding.filename][finding.row].add(finding.code)
    added = files = 0
    problems: list[str] = []
    if by_cell:
        from initlint.notebook import add_noqa_to_notebook  # the directives go into the notebook's cells
        for filename, codes_by_cell in sorted(by_cell.items()):
            count, problem = add_noqa_to_notebook(filename, codes_by_cell)
            problems += [problem] if problem else []
            added, files = added + count, files + bool(count)
    for filename, codes_by_line in sorted(by_file.items()):
        path = Path(filename)
        try:
            original = decode(path.read_bytes())
        except (OSError, UnicodeDecodeError, SyntaxError) as error:
            problems.append(f"{filename}: not changed: cannot read it again ({error})")
            continue
        text, count = add_noqa_to_source(original.text, codes_by_line)
        if not count:
            continue
        try:
            compile(text, filename, "exec", dont_inherit=True)
        except SyntaxError as error:
            problems.append(f"{filename}: not changed: the result would not parse ({error.msg})")
            continue
        write_atomic(path, encode(text, original))
        added += count
        files += 1
    return added, files, problems


