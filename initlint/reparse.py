"""Re-parsing only what an edit touched: a source parsed as its top-level statements, each remembered.

An editor sends the whole file on every keystroke. libcst's parse and its position metadata cost most of a
check (a 2,000-line file: about a second on this machine), and an edit changes one or two top-level
statements. So the source is cut where a top-level statement starts, each piece is parsed on its own and
kept by its text, and the module the picture is built from is made of those pieces' statements. Positions are
resolved per piece (then shifted by the piece's first line), also once per piece. A piece that does not
parse alone sends the whole source to the ordinary parse, which reports the error as the CLI would.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import libcst as cst
from libcst.metadata import CodePosition, CodeRange, MetadataWrapper, PositionProvider

from initlint.analysis import parse
from initlint.lexer import StatementLexer, split_lines
from initlint.picture.model import Locator

# A line at the margin that goes on with the statement before it, rather than starting one.
_CONTINUES = re.compile(r"(?:else|elif|except|finally)\b")


def top_level_pieces(source: str) -> list[tuple[int, str]]:
    """(first line, 0-based; text) of each top-level statement, with the comments and blank lines after it
    (the first piece also holds what comes before the first statement). Decorators stay with their def."""
    lines = split_lines(source)
    lexer = StatementLexer()
    starts = [0]
    decorated = False
    for index, line in enumerate(lines):
        body = line.rstrip("\r\n")
        at_margin = lexer.at_statement and body[:1] not in ("", " ", "\t", "\f", "#")
        if at_margin:
            if index and not decorated and not _CONTINUES.match(body) and starts[-1] != index:
                starts.append(index)
            decorated = body.startswith("@")
        lexer.feed(body)
    bounds = [*starts, len(lines)]
    return [(start, "".join(lines[start:end])) for start, end in pairwise(bounds)
            if end > start]


@dataclass
class _Piece:
    module: cst.Module
    _positions: Mapping[cst.CSTNode, CodeRange] | None = field(default=None, repr=False)

    def positions(self) -> Mapping[cst.CSTNode, CodeRange]:
        if self._positions is None:
            self._positions = MetadataWrapper(self.module, unsafe_skip_copy=True).resolve(PositionProvider)
        return self._positions


class _ShiftedPositions(Mapping[cst.CSTNode, CodeRange]):
    """The positions of every piece's nodes, lines shifted to where the piece starts in the source."""

    def __init__(self, pieces: list[tuple[int, _Piece]]) -> None:
        self._pieces = pieces

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        for offset, piece in self._pieces:
            found = piece.positions().get(node)
            if found is not None:
                return CodeRange(CodePosition(found.start.line + offset, found.start.column),
                                 CodePosition(found.end.line + offset, found.end.column))
        raise KeyError(node)

    def __iter__(self) -> Iterator[cst.CSTNode]:
        for _, piece in self._pieces:
            yield from piece.positions()

    def __len__(self) -> int:
        return sum(len(piece.positions()) for _, piece in self._pieces)


class PieceParser:
    """A drop-in for ``analysis.parse`` that keeps the pieces of the sources it parsed (the most recent
    ``limit`` of them), so the next version of a document re-parses only the statements that changed."""

    def __init__(self, limit: int = 4000) -> None:
        self._cache: OrderedDict[tuple[str, int], _Piece] = OrderedDict()
        self._limit = limit

    def __call__(self, source: str) -> tuple[cst.Module, Locator]:
        pieces = top_level_pieces(source)
        if len(pieces) < 2:
            return parse(source)
        seen: dict[str, int] = {}
        parsed: list[tuple[int, _Piece]] = []
        for start, text in pieces:
            # Two pieces with the same text must still be two sets of nodes (the picture keys on nodes).
            occurrence = seen[text] = seen.get(text, -1) + 1
            piece = self._cache.get((text, occurrence))
            if piece is None:
                try:
                    piece = _Piece(cst.parse_module(text))
                except (cst.ParserSyntaxError, RecursionError, ValueError):
                    return parse(source)  # let the whole-file parse say what is wrong, and where
                self._cache[(text, occurrence)] = piece
            self._cache.move_to_end((text, occurrence))
            parsed.append((start, piece))
        while len(self._cache) > self._limit:
            self._cache.popitem(last=False)
        first, last = parsed[0][1].module, parsed[-1][1].module
        body = [statement for _, piece in parsed for statement in piece.module.body]
        module = first.with_changes(body=body, footer=last.footer,
                                    has_trailing_newline=last.has_trailing_newline)
        positions: Any = _ShiftedPositions(parsed)
        return module, Locator(lambda: positions)
