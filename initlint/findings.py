"""A finding, the one diagnostic data model: plain data, so it can cross a process pool, a cache file or a JSON
report unchanged. Checks fill it (title, spans, notes, help, numbers); renderers only format it."""

from __future__ import annotations

import hashlib
import re
import traceback
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from initlint.registry import rule_url_or_none

# How a message cites the line that builds a layer: "`fc` (Linear(8, 8), line 12)".
LINE_REFERENCE = re.compile(r"\bline (\d+)\)")

# A number a finding carries as data (fan_in, std, ratio, ...); a name (activation, mode) is a string.
Number = int | float | str | bool | None

TITLE_LIMIT = 99  # characters of a title (the "under 100")


def renumber_lines(message: str, name: Callable[[int], str]) -> str:
    """A message whose cited lines are named anew (``name(12)`` -> "line 15", or "cell 3, line 4")."""
    return LINE_REFERENCE.sub(lambda match: f"{name(int(match.group(1)))})", message)


@dataclass(frozen=True)
class Span:
    """A secondary place a finding points at (where the layer is built, where the activation is applied),
    with a label saying what it is there. ``text`` is that source line, for the renderers."""

    row: int
    column: int
    end_row: int
    end_column: int
    label: str
    cell: int | None = None
    text: str | None = None


@dataclass(frozen=True)
class Note:
    """One ``= note:`` line of a finding; ``label`` names what it tells (``note``, ``numbers``, ``scenario``)."""

    text: str
    label: str = "note"


@dataclass(frozen=True)
class Finding:
    code: str
    message: str  # the whole finding as one line of prose (titles, notes and help joined when structured)
    filename: str
    row: int
    column: int
    end_row: int
    end_column: int
    severity: str = "error"  # error, warning, info (the rule's, see registry.Rule.severity), or internal
    fix: dict[str, Any] | None = None
    no_fix: str | None = None  # why there is no fix, when there is none
    cell: int | None = None  # in a notebook: the cell (1-based, every cell counted); row and column are in it
    # in a notebook: the same span in the .ipynb file's own lines (for SARIF and GitHub, which show the file)
    file_span: tuple[int, int, int, int] | None = None
    # what tells the finding apart from the others of its file whatever the line numbers (rule, site, target)
    # (not part of equality: it names the site for the fixer, not what is reported)
    fingerprint: str | None = field(default=None, compare=False)
    detail: str | None = field(default=None, compare=False)  # an internal error's traceback (``--verbose``)
    # The structured diagnostic (None/empty for a finding still told as prose: ``structured`` derives them).
    title: str | None = field(default=None, compare=False)
    spans: tuple[Span, ...] = field(default=(), compare=False)  # secondary spans, each labelled
    notes: tuple[Note, ...] = field(default=(), compare=False)
    help: str | None = field(default=None, compare=False)  # the one call to write, in the file's own alias
    numbers: Mapping[str, Number] = field(default_factory=dict, compare=False)
    source_line: str | None = field(default=None, compare=False)  # the primary span's line, for the carets

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of a finding (ruff-like keys, then every field of the diagnostic)."""
        full = structured(self)
        return {
            "code": self.code,
            "message": self.message,
            "title": full.title,
            "severity": self.severity,
            "url": rule_url_or_none(self.code),
            "filename": self.filename,
            "cell": self.cell,
            "location": {"row": self.row, "column": self.column},
            "end_location": {"row": self.end_row, "column": self.end_column},
            "related": [{"label": s.label, "cell": s.cell, "location": {"row": s.row, "column": s.column},
                         "end_location": {"row": s.end_row, "column": s.end_column}} for s in full.spans],
            "notes": [{"label": n.label, "text": n.text} for n in full.notes],
            "help": full.help,
            "numbers": dict(self.numbers),
            "fingerprint": stable_fingerprint(self),
            "fix": self.fix,
            "no_fix_reason": self.no_fix if self.fix is None else None,
        }

    def as_plain(self) -> dict[str, Any]:
        plain = asdict(self)
        plain["numbers"] = dict(self.numbers)
        return plain

    @classmethod
    def from_plain(cls, data: dict[str, Any]) -> Finding:
        data = dict(data)
        data["spans"] = tuple(Span(**s) if isinstance(s, dict) else s for s in data.get("spans", ()))
        data["notes"] = tuple(Note(**n) if isinstance(n, dict) else n for n in data.get("notes", ()))
        if data.get("file_span") is not None:
            data["file_span"] = tuple(data["file_span"])
        return cls(**data)

    def sort_key(self) -> tuple[str, int, int, int, str]:
        return (self.filename, self.cell or 0, self.row, self.column, self.code)

    def where(self) -> str:
        """``path:row:col``, or ``path:cell N:row:col`` in a notebook."""
        cell = f"cell {self.cell}:" if self.cell is not None else ""
        return f"{self.filename}:{cell}{self.row}:{self.column}"

    def file_region(self) -> tuple[int, int, int, int]:
        """Where the finding is in the file as stored (row, column, end row, end column)."""
        if self.file_span is not None:
            return self.file_span
        return self.row, self.column, self.end_row, self.end_column


def diagnostic(code: str, filename: str, span: tuple[int, int, int, int], title: str, *,
               spans: tuple[Span, ...] = (), notes: tuple[Note, ...] = (), help: str | None = None,
               numbers: Mapping[str, Number] | None = None, **fields: Any) -> Finding:
    """A finding built from its parts: the prose ``message`` is joined from them (for the places that show one
    line: the editor's tooltip, JUnit, ``--explain``), never written apart from them."""
    message = joined_message(title, notes, help)
    return Finding(code, message, filename, *span, title=title, spans=spans, notes=notes, help=help,
                   numbers=dict(numbers or {}), **fields)


def joined_message(title: str, notes: tuple[Note, ...], help: str | None) -> str:
    parts = [title, *(n.text for n in notes), *([help] if help else [])]
    return " ".join(_sentence(_capital(part)) for part in parts if part)


def _capital(text: str) -> str:
    """A sentence starts with a capital, unless it starts with a name (``fan_in=784``, ``nn.init``)."""
    return text[:1].upper() + text[1:] if text.split(" ", 1)[0].isalpha() else text


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


# --- the adapter: a finding told as one paragraph, as a structured diagnostic ---------------------------

# A sentence ends at a full stop followed by white space, unless the stop closes an
# abbreviation our messages use ("He et al. 2015", "e.g. ReLU").
_SENTENCE_END = re.compile(r"(?<!\bal)(?<!\be\.g)(?<!\bi\.e)(?<!\betc)(?<!\bvs)\.(?=\s)")
_WHITESPACE = re.compile(r"\s+")
_HELP_START = ("Use ", "Let ", "Split the call", "Remove ", "Replace ", "Guard ", "Wrap ", "Move ", "Call ", "Initialize ",
               "Write ", "Drop ", "Give ", "Set ", "Pass ", "Test ")


def first_sentence(message: str) -> str:
    """The message up to and including its first full stop, on one line."""
    end = _SENTENCE_END.search(message)
    head = message[: end.end()] if end else message
    return _WHITESPACE.sub(" ", head).strip()


def sentences(message: str) -> list[str]:
    """The message cut into sentences, each on one line."""
    out: list[str] = []
    rest = message
    while rest.strip():
        end = _SENTENCE_END.search(rest)
        head, rest = (rest[: end.end()], rest[end.end():]) if end else (rest, "")
        if head.strip():
            out.append(_WHITESPACE.sub(" ", head).strip())
    return out


def short_title(text: str, limit: int = TITLE_LIMIT) -> str:
    """A title of at most ``limit`` characters: the longest head ending at a clause break (``:``, ``;``, ``,``
    outside brackets and code), else cut at a word with "..."."""
    text = _WHITESPACE.sub(" ", text).strip().rstrip(".")
    if len(text) <= limit:
        return text
    clause, word, depth, code = 0, 0, 0, False
    for at, char in enumerate(text[: limit + 1]):
        if char == "`":
            code = not code
        elif not code and char in "([{":
            depth += 1
        elif not code and char in ")]}":
            depth = max(depth - 1, 0)
        elif char == " " and not code and depth == 0:
            if text[at - 1] in ":;," and at - 1 >= limit // 3:
                clause = at - 1
            if at <= limit - 3:
                word = at
    if clause:
        return text[:clause]
    return (text[:word] if word else text[: limit - 3]).rstrip(" ,;:") + "..."


def structured(finding: Finding) -> Finding:
    """The finding with its title, notes and help, derived from the prose when the check gave none (the
    message's first sentence is the title, the first "Use ..." sentence after it the help, else the fix's
    description, the rest one note)."""
    if finding.title is not None:
        return finding
    parts = sentences(finding.message) or [finding.message]
    title = short_title(parts[0])
    rest = parts[1:]
    first = _WHITESPACE.sub(" ", parts[0]).strip().rstrip(".")
    if title != first:  # the rest of a first sentence too long for a title opens the notes
        head = title[:-3] if title.endswith("...") and not first.startswith(title) else title
        rest = [r for r in [first[len(head):].lstrip(" :;,").strip() + ".", *rest] if r != "."]
    help_text = None
    for at, sentence in enumerate(rest):
        if sentence.startswith(_HELP_START):
            help_text = rest.pop(at)
            help_text = help_text[0].lower() + help_text[1:].rstrip(".")
            break
    if help_text is None and finding.fix is not None and finding.fix.get("message"):
        message = str(finding.fix["message"])  # no "Use ..." sentence: what the fix writes is the help
        help_text = message[:1].lower() + message[1:]
    notes = (Note(" ".join(rest)),) if rest else ()
    return replace(finding, title=title, notes=notes, help=help_text)


def stable_fingerprint(finding: Finding) -> str:
    """A hash that names the finding whatever lines move around it: rule, file, cell and the site (its
    fingerprint, else its message with the cited lines left out)."""
    site = finding.fingerprint or LINE_REFERENCE.sub("line)", finding.message)
    key = "\0".join([finding.code, finding.filename, str(finding.cell or ""), site])
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def with_source_lines(finding: Finding, lines: list[str]) -> Finding:
    """The finding with the source lines of its spans attached (the text renderer draws carets under them)."""
    def line(row: int) -> str | None:
        return lines[row - 1].rstrip("\r\n") if 1 <= row <= len(lines) else None

    spans = tuple(replace(s, text=line(s.row)) if s.text is None else s for s in finding.spans)
    return replace(finding, source_line=line(finding.row) if finding.source_line is None else finding.source_line,
                   spans=spans)


def moved(finding: Finding, row_of: Callable[[int], int]) -> Finding:
    """The finding's secondary spans renumbered (the editor's partial re-check shifts lines)."""
    return replace(finding, spans=tuple(replace(s, row=row_of(s.row), end_row=row_of(s.end_row))
                                        for s in finding.spans))


def renumbered(finding: Finding, name: Callable[[int], str]) -> Finding:
    """The finding with the lines its prose cites named anew (message, title, notes and help alike)."""
    def again(text: str | None) -> str | None:
        return None if text is None else renumber_lines(text, name)

    return replace(finding, message=renumber_lines(finding.message, name), title=again(finding.title),
                   help=again(finding.help), notes=tuple(replace(n, text=renumber_lines(n.text, name))
                                                         for n in finding.notes))


def internal_error(filename: str, doing: str, error: BaseException) -> Finding:
    """IL000: our own failure, told apart from a file that cannot be parsed (IL001); the traceback is kept in
    ``detail`` for ``--verbose``."""
    detail = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return Finding("IL000", f"internal error while {doing} ({type(error).__name__}: {error}); please report it",
                   filename, 1, 1, 1, 1, severity="internal", no_fix="the analysis stopped on an internal error",
                   detail=detail)
