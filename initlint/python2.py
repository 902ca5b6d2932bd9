"""Tell a Python 2 file from a broken one: initlint reads Python 3, and a file that fails to parse because
it is Python 2 should say so rather than give a bare syntax error.

Run only after a parse has failed: CPython's own parser finds the first offending line, and a few patterns
on that line name the Python 2 construct (print and exec statements, ``except X, e``, ``raise E, msg``,
backticks, ``<>``, ``0777`` octals, ``10L`` longs, ``ur""`` strings).
"""

from __future__ import annotations

import ast
import re

from initlint.lines import split_lines, strip_break

_STRING = re.compile(r"""(?:[rRbBuU]{0,2})("[^"\\]*(?:\\.[^"\\]*)*"|'[^'\\]*(?:\\.[^'\\]*)*')""")
_CONSTRUCTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^\s*print\s*(>>|[\"'\w\[{`-])"), "a print statement"),
    (re.compile(r"^\s*exec\s+[\"'\w]"), "an exec statement"),
    (re.compile(r"^\s*except\s+[^:]*,\s*\w+\s*:"), "`except X, e`"),
    (re.compile(r"^\s*raise\s+[\w.]+\s*,"), "`raise E, message`"),
    (re.compile(r"`"), "backticks for repr"),
    (re.compile(r"<>"), "the `<>` operator"),
    (re.compile(r"(?<![\w.])0[0-7]+(?![\w.])"), "an octal literal without 0o"),
    (re.compile(r"(?<![\w.])\d+[lL](?!\w)"), "a long literal (`L` suffix)"),
)
_UR_STRING = re.compile(r"(?<![\w])[uU][rR][\"']")


def python2_syntax(source: str, filename: str = "<string>") -> tuple[str, int] | None:
    """The Python 2 construct on the first line CPython cannot parse, with that line; None when the file
    parses or its first error is not Python 2 syntax."""
    try:
        compile(source, filename, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as error:
        row = error.lineno or 0
    except (ValueError, RecursionError, MemoryError):
        return None
    else:
        return None
    lines = [strip_break(line) for line in split_lines(source)]  # CPython's line numbers
    if not 1 <= row <= len(lines):
        return None
    line = lines[row - 1]
    if _UR_STRING.search(line):
        return "a `ur\"...\"` string", row
    code = _STRING.sub('""', line).split("#", 1)[0]
    for pattern, name in _CONSTRUCTS:
        if pattern.search(code):
            return name, row
    return None


def message(construct: str, row: int) -> str:
    return f"cannot parse the file: Python 2 syntax ({construct} at line {row}); initlint reads Python 3 code"
