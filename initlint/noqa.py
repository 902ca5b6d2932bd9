"""``--add-noqa``: baseline an existing codebase by suppressing every current finding on its line."""

from __future__ import annotations

import tokenize
from collections import defaultdict
from pathlib import Path

from initlint.files import WriteError, decode, encode, read_source, write_atomic
from initlint.findings import Finding
from initlint.lines import readline, split_lines, strip_break
from initlint.suppressions import find_suppressions

# Codes that make no sense to suppress: a file we could not read, a suppression that suppresses nothing.
NOT_SUPPRESSIBLE = frozenset({"IL001", "IL002"})


def add_noqa_to_source(text: str, codes_by_line: dict[int, set[str]]) -> tuple[str, int]:
    """The text with ``# noqa: CODES`` added (or merged into an existing ``# noqa: ...``); how many lines.

    Lines are the parser's; a line that ends inside a string literal (a triple-quoted string opened after the code) or after a line
    continuation cannot take a comment there and is left alone."""
    existing = find_suppressions(text)
    lines = split_lines(text)
    open_ends = _lines_ending_in_strings(text)
    changed = 0
    for number, codes in sorted(codes_by_line.items()):
        if not 1 <= number <= len(lines) or number in open_ends:
            continue
        line = lines[number - 1]
        body = strip_break(line)
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
            body = body.rstrip(" \t") + "  # noqa: " + ", ".join(sorted(codes))
        lines[number - 1] = body + ending
        changed += 1
    return "".join(lines), changed


def _lines_ending_in_strings(text: str) -> set[int]:
    """Lines whose end lies inside a string literal (a triple-quoted string, or one continued with ``\\``)."""
    inside: set[int] = set()
    try:
        for token in tokenize.generate_tokens(readline(text)):
            if token.type == tokenize.STRING and token.end[0] > token.start[0]:
                inside.update(range(token.start[0], token.end[0]))
    except (tokenize.TokenError, SyntaxError):
        pass
    return inside


def string_literals(text: str) -> list[str] | None:
    """Every string literal of the text, in order (None if it does not tokenize): ``--add-noqa`` must leave
    them all as they were."""
    try:
        return [t.string for t in tokenize.generate_tokens(readline(text)) if t.type == tokenize.STRING]
    except (tokenize.TokenError, SyntaxError):
        return None


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
        inside = sorted(_lines_ending_in_strings(original.text) & codes_by_line.keys())
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
