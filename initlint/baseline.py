"""``--add-noqa``: baseline an existing codebase by suppressing every current finding on its line, in files
and in notebooks' cells."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from initlint.files import WriteError, decode, encode, read_source, write_atomic
from initlint.findings import Finding
from initlint.noqa import NOT_SUPPRESSIBLE, add_noqa_to_source, lines_ending_in_strings, string_literals
from initlint.notebook import add_noqa_to_notebook  # the directives go into the notebook's cells


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
        for filename, codes_by_cell in sorted(by_cell.items()):
            try:
                count, problem = add_noqa_to_notebook(filename, codes_by_cell)
            except WriteError as error:
                count, problem = 0, f"{filename}: not changed: {error.strerror}"
            problems += [problem] if problem else []
            added, files = added + count, files + bool(count)
    for filename, codes_by_line in sorted(by_file.items()):
        path = Path(filename)
        try:
            original = decode(read_source(path))
        except (OSError, UnicodeDecodeError, SyntaxError, LookupError) as error:
            problems.append(f"{filename}: not changed: cannot read it again ({error})")
            continue
        inside = sorted(lines_ending_in_strings(original.text) & codes_by_line.keys())
        if inside:
            problems.append(f"{filename}: line {', '.join(map(str, inside))}: no directive added: the line ends "
                            "inside a string literal (suppress it by hand, e.g. on a line of its own above)")
        text, count = add_noqa_to_source(original.text, codes_by_line)
        if not count:
            continue
        try:
            compile(text, filename, "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as error:
            problems.append(f"{filename}: not changed: the result would not parse ({error})")
            continue
        if string_literals(text) != string_literals(original.text):
            problems.append(f"{filename}: not changed: a directive would have gone inside a string literal")
            continue
        try:
            write_atomic(path, encode(text, original), expected=original.data)
        except WriteError as error:
            problems.append(f"{filename}: not changed: {error.strerror}")
            continue
        added += count
        files += 1
    return added, files, problems
