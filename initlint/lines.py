"""The one line model: lines break at ``\\n``, ``\\r\\n`` and ``\\r`` only, as Python's parser and tokenizer see
them.

``str.splitlines`` also breaks at form feeds, vertical tabs, ``\\x1c``-``\\x1e``, NEL and the Unicode line and
paragraph separators, which are ordinary characters to Python; every piece of initlint that counts lines
(positions, fixes, suppressions, ``--add-noqa``, diffs) goes through here so that line N is the parser's line N.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
BREAKS = ("\r\n", "\r", "\n")


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` with their line breaks kept (``"".join`` gives the text back)."""
    return _LINE.findall(text)


def line_starts(text: str) -> list[int]:
    """The offset where each line starts (and, past the last break, where a last line would start)."""
    starts, position = [0], 0
    for line in split_lines(text):
        position += len(line)
        if has_break(line):  # only the last line can lack one: then no line starts after it
            starts.append(position)
    return starts


def has_break(line: str) -> bool:
    return line.endswith(("\n", "\r"))


def strip_break(line: str) -> str:
    """The line without its line break (only the parser's breaks are removed)."""
    if line.endswith("\r\n"):
        return line[:-2]
    return line[:-1] if has_break(line) else line


def first_break(text: str) -> str:
    """The file's line break, for the lines a fix adds (``\\n`` when it has none)."""
    match = re.search(r"\r\n|\r|\n", text)
    return match.group(0) if match else "\n"


def is_multiline(text: str) -> bool:
    return "\n" in text or "\r" in text


def readline(text: str) -> Callable[[], str]:
    """A ``readline`` for :mod:`tokenize` that yields the parser's lines (``io.StringIO`` would not break at a
    lone ``\\r``)."""
    lines = iter(split_lines(text))
    return lambda: next(lines, "")
