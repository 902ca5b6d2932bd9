"""Checking a document again after an edit: only the classes the edit can reach.

The editor sends the whole file on every change; a whole check of a 2,000-line model costs about a second
here, most of it building the picture. A file is cut into its top-level statements (``reparse``). A class
belongs to a *group*: the classes joined to it by names (one mentions a name the other defines). The
*context* is every other statement (imports, assignments, module-level code, and every function: an init
function nothing calls is taken to reach every model of the file) and every class the context mentions,
directly or not: it is part of every analysis, with the classes that call its functions. After an edit
that touches only groups that call no function of the context, the module analysed is that plus those
groups; every other statement keeps its findings, moved by the lines the edit added or removed. Anything else (an edit to
the context, a group that calls a helper function, a syntax error, an internal error, a skip-file comment) is
checked whole, as ``initlint check`` would.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

from initlint.analysis import check_source
from initlint.config import Settings
from initlint.findings import Finding, moved, renumbered
from initlint.lines import split_lines, strip_break
from initlint.reparse import PieceParser, top_level_pieces
from initlint.suppressions import skips_file

log = logging.getLogger(__name__)
_DEF = re.compile(r"(class|def|async\s+def)\s+([A-Za-z_]\w*)")
_NAME = re.compile(r"[A-Za-z_]\w*")
_CODE = re.compile(r"[^\s#]")


@dataclass(frozen=True)
class _Piece:
    start: int  # its first line in the document, 0-based
    text: str
    lines: int
    defines: str | None  # the name of the class or function it is; None for any other statement
    is_class: bool  # only classes can be left out of an analysis (functions are always in the context)
    mentions: frozenset[str]  # every identifier in its text (comments and strings too: more edges, never fewer)


def _pieces(text: str) -> list[_Piece]:
    out = []
    for start, piece in top_level_pieces(text):
        match = None
        for line in (strip_break(line) for line in split_lines(piece)):
            if not _CODE.match(line) or line.startswith("@"):
                continue  # a comment or blank line before the statement (the first piece's header), a decorator
            match = _DEF.match(line)
            break
        out.append(_Piece(start, piece, len(split_lines(piece)),
                          match.group(2) if match else None, match is not None and match.group(1) == "class",
                          frozenset(_NAME.findall(piece))))
    return out


@dataclass
class _Layout:
    """Which defs are context and which group each other def is in."""

    core: set[int]  # the context: statements that are not defs, and the defs they reach
    group: dict[int, int]  # a def outside the context -> its group's representative
    anchored: set[int]  # groups that mention a class or function of the context

    @classmethod
    def of(cls, pieces: list[_Piece]) -> _Layout:
        by_name: dict[str, list[int]] = {}
        for index, piece in enumerate(pieces):
            if piece.defines is not None:
                by_name.setdefault(piece.defines, []).append(index)

        def reached(index: int) -> set[int]:
            return {j for name in pieces[index].mentions for j in by_name.get(name, ()) if j != index}

        core = {i for i, piece in enumerate(pieces) if not piece.is_class}
        todo = list(core)
        while todo:
            for j in reached(todo.pop()) - core:
                core.add(j)
                todo.append(j)
        parent = {i: i for i in range(len(pieces)) if i not in core}

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        anchored_members = set()
        for i in parent:
            for j in reached(i):
                if j in core:
                    anchored_members.add(i)
                else:
                    parent[find(i)] = find(j)
        group = {i: find(i) for i in parent}
        return cls(core, group, {group[i] for i in anchored_members})

    def members(self, representative: int) -> set[int]:
        return {i for i, g in self.group.items() if g == representative}


@dataclass
class _Analysis:
    filename: str
    settings: Settings
    pieces: list[_Piece]
    findings: list[Finding]


def _piece_at(pieces: list[_Piece], row: int) -> int:
    """The index of the piece holding a 1-based row (the last piece for a row past the end)."""
    for index, piece in enumerate(pieces):
        if row <= piece.start + piece.lines:
            return index
    return len(pieces) - 1


def _moved(finding: Finding, row_of: Callable[[int], int]) -> Finding:
    """A finding with every row it names (its span, its fix's edits, the lines its message cites) renumbered."""
    fix = finding.fix
    if fix is not None:
        fix = {**fix, "edits": [{**e, "location": {**e["location"], "row": row_of(e["location"]["row"])},
                                 "end_location": {**e["end_location"], "row": row_of(e["end_location"]["row"])}}
                                for e in fix["edits"]]}
    shifted = renumbered(moved(finding, row_of), lambda line: f"line {row_of(line)}")
    return replace(shifted, row=row_of(finding.row), end_row=row_of(finding.end_row), fix=fix)


def _at_a_boundary(findings: list[Finding], pieces: list[_Piece]) -> bool:
    """Some fix edit ends at the start of a line where a piece begins (or past the end): it means "right
    after the piece before", which a piece-by-piece renumbering cannot tell from "before the next one"."""
    firsts = {piece.start + 1 for piece in pieces[1:]}
    end = pieces[-1].start + pieces[-1].lines if pieces else 0
    return any(e["end_location"]["column"] == 1 and (e["end_location"]["row"] in firsts or e["end_location"]["row"] > end)
               for f in findings if f.fix is not None for e in f.fix["edits"])


class IncrementalChecker:
    """``check_source`` for one document after another, re-analysing only what each edit can reach."""

    def __init__(self, parser: PieceParser | None = None) -> None:
        self.parser = parser or PieceParser()
        self._last: dict[str, _Analysis] = {}
        self.partial = 0  # how many checks were partial (for the tests)

    def check(self, key: str, text: str, filename: str, settings: Settings) -> list[Finding]:
        pieces = _pieces(text)
        previous = self._last.get(key)
        findings = None
        if previous is not None and previous.filename == filename and previous.settings == settings \
                and not skips_file(text):
            try:
                findings = self._partial(previous, pieces, text, filename, settings)
            except Exception:
                log.exception("partial check failed; checking the whole document")
                findings = None
        if findings is None:
            findings = check_source(text, filename, settings, parser=self.parser)
        else:
            self.partial += 1
        self._last[key] = _Analysis(filename, settings, pieces, findings)
        return findings

    def forget(self, key: str) -> None:
        self._last.pop(key, None)

    def _partial(self, previous: _Analysis, pieces: list[_Piece], text: str, filename: str,
                 settings: Settings) -> list[Finding] | None:
        old = previous.pieces
        matcher = SequenceMatcher(None, [p.text for p in old], [p.text for p in pieces], autojunk=False)
        kept: dict[int, int] = {}  # old piece -> new piece, for the pieces the edit left alone
        for tag, i1, i2, j1, _ in matcher.get_opcodes():
            if tag == "equal":
                kept.update({i1 + k: j1 + k for k in range(i2 - i1)})
        changed = set(range(len(pieces))) - set(kept.values())
        removed = set(range(len(old))) - set(kept)
        if not changed and not removed:
            return [_moved(f, lambda row: row) for f in previous.findings]
        layout, old_layout = _Layout.of(pieces), _Layout.of(old)
        if changed & layout.core or removed & old_layout.core or \
                any(old_layout.group[i] in old_layout.anchored for i in removed):
            return None  # the context changed, or a caller of its functions did: everything may depend on it
        seeds = set(changed)
        for i in removed:  # what the removed pieces' old groups still hold may now stand on its own
            seeds |= {kept[k] for k in old_layout.members(old_layout.group[i]) if k in kept}
        if any(j not in layout.group for j in seeds):
            return None
        groups = {layout.group[j] for j in seeds}
        affected = {i for i, g in layout.group.items() if g in groups}
        if groups & layout.anchored or 2 * len(affected) > len(pieces):
            return None  # a group that calls into the context, or most of the file: check it whole
        # The classes that call the context's functions stay in: an init function nothing calls is taken to
        # reach every model, so leaving its callers out would change what it does.
        callers = {i for i, g in layout.group.items() if g in layout.anchored}
        chosen = sorted(layout.core | callers | affected)
        subset = "".join(pieces[i].text for i in chosen)
        if "torch" in text and "torch" not in subset:
            return None
        sub_pieces, row = [], 0
        for i in chosen:
            sub_pieces.append(replace(pieces[i], start=row))
            row += pieces[i].lines

        def document_row(sub_row: int) -> int:
            index = _piece_at(sub_pieces, sub_row)
            return sub_row - sub_pieces[index].start + pieces[chosen[index]].start

        fresh = check_source(subset, filename, settings, parser=self.parser)
        if any(f.code == "IL001" for f in fresh) or _at_a_boundary(fresh, sub_pieces):
            return None  # a syntax or internal error is said by the whole check, as the CLI says it
        findings = [_moved(f, document_row) for f in fresh if chosen[_piece_at(sub_pieces, f.row)] in affected]
        shift = {i: pieces[j].start - old[i].start for i, j in kept.items()}
        still = [f for f in previous.findings if kept.get(_piece_at(old, f.row), -1) not in (-1, *affected)]
        if _at_a_boundary(still, old):
            return None
        findings += [_moved(f, lambda row: row + shift.get(_piece_at(old, row), 0)) for f in still]
        return sorted(findings, key=Finding.sort_key)
