"""Lines as Python's tokenizer sees them, and just enough lexing to know where a statement starts.

Shared by the notebook reader (IPython syntax is only recognised where a statement starts) and the editor's
re-parse (a source cut at its top-level statements).
"""

from __future__ import annotations

import re

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+$")  # \n, \r\n or \r end a line; \f or U+2028 do not


def split_lines(text: str) -> list[str]:
    """Lines with their endings, broken where Python's tokenizer breaks them (not at \\f or U+2028)."""
    return _LINE.findall(text)


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
            char = line[index]
            if self.quote is not None:
                if char == "\\":
                    index += 2
                    continue
                if line.startswith(self.quote, index):
                    index += len(self.quote)
                    self.quote = None
                    continue
            elif char == "#":
                break
            elif char in "'\"":
                self.quote = line[index: index + 3] if line[index: index + 3] in ('"""', "'''") else char
                index += len(self.quote)
                continue
            elif char in "([{":
                self.depth += 1
            elif char in ")]}":
                self.depth = max(0, self.depth - 1)
            elif char == "\\" and index == len(line) - 1:
                self.continued = True
            index += 1
        if self.quote in ("'", '"') and not line.endswith("\\"):
            self.quote = None  # a one-line string ends with its line (or the line does not parse anyway)
