"""Suppression directives written into source text (``# noqa: CODES`` on a finding's line), for ``--add-noqa``
(baseline.py, over files and notebooks) and the editor's quick fix."""

from __future__ import annotations

import tokenize

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
    open_ends = lines_ending_in_strings(text)
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


def lines_ending_in_strings(text: str) -> set[int]:
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
