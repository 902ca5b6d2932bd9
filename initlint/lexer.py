"""Just enough lexing to know where a statement starts (lines come from initlint.lines, the one line model).

Shared by the notebook reader (IPython syntax is only recognised where a statement starts) and the editor's
re-parse (a source cut at its top-level statements).
"""

from __future__ import annotations

import re

from initlint.lines import split_lines

__all__ = ["StatementLexer", "line_ending", "split_lines"]

_SPECIAL = re.compile(r"[\"'#()\[\]{}\\]")  # the only characters that change what a line leaves open
_IN_STRING = {quote: re.compile(r"\\|" + quote) for quote in ('"""', "'''", '"', "'")}


def line_ending(line: str) -> str:
    return line[len(line.rstrip("\r\n")):]


class StatementLexer:
    """Just enough of Python's tokenizer to know whether a line starts a statement: open brackets, an open
    string, a backslash at the end of the line."""

    def __init__(self) -> None:
        self.depth = 0
        self.quote: str | None = None
        self.continued = False

    @property
    def at_statement(self) -> bool:
        return self.depth == 0 and self.quote is None and not self.continued

    def feed(self, line: str) -> None:
        index, self.continued = 0, False
        while index < len(line):
            if self.quote is not None:  # inside a string: only its closing quote or a backslash matters
                found = _IN_STRING[self.quote].search(line, index)
                if found is None:
                    break
                if found.group() == "\\":
                    index = found.start() + 2
                    continue
                index, self.quote = found.end(), None
                continue
            found = _SPECIAL.search(line, index)
            if found is None:
                break
            char, index = found.group(), found.start()
            if char == "#":
                break
            if char in "'\"":
                self.quote = line[index: index + 3] if line[index: index + 3] in ('"""', "'''") else char
                index += len(self.quote)
                continue
            if char in "([{":
                self.depth += 1
            elif char in ")]}":
                self.depth = max(0, self.depth - 1)
            elif index == len(line) - 1:  # a backslash ending the line
                self.continued = True
            index += 1
        if self.quote in ("'", '"') and not line.endswith("\\"):
            self.quote = None  # a one-line string ends with its line (or the line does not parse anyway)
