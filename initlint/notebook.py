"""Jupyter notebooks: the code cells checked as one Python source, findings told by cell, fixes written back.

A notebook is plain JSON (nbformat 4). Its code cells are joined into one source in which IPython syntax
(``%magic``, ``%%cell`` magics, ``!shell`` lines, ``obj?`` help) is replaced by placeholder statements, so
libcst parses everything else at the same lines and columns, and every line maps back to (cell, line). A fix
is applied to that source, cut back into cells, and each changed cell's ``source`` value is spliced into the
file's own text: outputs, metadata, key order, indentation and the trailing newline stay byte for byte.
"""

from __future__ import annotations

import bisect
import difflib
import json
import re
from collections.abc import Callable, Generator
from dataclasses import dataclass, field, replace
from json.decoder import scanstring  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any

from initlint.analysis import FileFix, check_source, fix_source_codes
from initlint.config import Settings
from initlint.files import write_atomic
from initlint.findings import Finding, renumbered
from initlint.lexer import StatementLexer, line_ending, split_lines
from initlint.noqa import add_noqa_to_source

BOM = b"\xef\xbb\xbf"
# Cell magics whose body is Python run in the kernel (the first line is masked, the body checked);
# any other cell magic (%%bash, %%writefile, %%html, ...) masks the whole cell.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug"})

# What stands in for a line of IPython syntax, and what separates two cells (neither parses as anything
# the checks look at, and neither is a suppression comment).
_PLACEHOLDER = "pass  # <initlint magic {}>"
_PLACEHOLDER_RE = re.compile(r"\s*pass  # <initlint magic (\d+)>")
_BOUNDARY = "pass  # <initlint cell boundary>"
_HELP = re.compile(r"\?\??%{0,2}[A-Za-z_*][\w.*]*|%{0,2}[A-Za-z_*][\w.*]*(?:\(\))?\?\??")
_ASSIGNED_MAGIC = re.compile(r"[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*[%!]")
_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class NotebookError(ValueError):
    """A file that is not a notebook we can read; ``line``/``column`` point into the file when known."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.line, self.column = line, column


@dataclass
class Cell:
    """One code cell: its place in the notebook and where its ``source`` is in the file's text."""

    position: int  # 0-based, among all the notebook's cells
    text: str
    span: tuple[int, int]  # the ``source`` value, as offsets into the file's text
    pieces: list[tuple[int, int, str]]  # each JSON string of the source: start and end offsets, value
    as_list: bool  # stored as a list of lines (the usual form) rather than one string


@dataclass
class Notebook:
    text: str  # the file's text, without a BOM
    bom: bool
    cells: list[Cell]  # the code cells that are checked
    language: str | None  # the kernel's language, when the notebook names one
    ensure_ascii: bool  # the file writes non-ASCII characters as \\u escapes
    _starts: list[int] = field(default_factory=list, repr=False)

    @property
    def is_python(self) -> bool:
        return self.language is None or self.language.lower() in ("python", "python3")

    def file_position(self, cell_index: int, line: int, column: int) -> tuple[int, int]:
        """The (row, column) in the .ipynb file's own lines of a 1-based line and column of a cell."""
        cell = self.cells[cell_index]
        offset = sum(len(text) for text in split_lines(cell.text)[: line - 1]) + column - 1
        where = cell.pieces[-1][1] - 1 if cell.pieces else cell.span[0]  # past the end: the last line's end
        for start, _end, value in cell.pieces:
            if offset <= len(value):
                escaped = json.dumps(value[:offset], ensure_ascii=self.ensure_ascii)[1:-1]
                where = start + 1 + len(escaped)
                break
            offset -= len(value)
        if not self._starts:
            self._starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        row = bisect.bisect_right(self._starts, where)
        return row, where - self._starts[row - 1] + 1

    def render(self, texts: list[str]) -> str:
        """The file's text with each code cell's source replaced by ``texts`` (unchanged cells untouched)."""
        out = self.text
        for cell, text in sorted(zip(self.cells, texts, strict=True), key=lambda pair: -pair[0].span[0]):
            if text != cell.text:
                start, end = cell.span
                out = out[:start] + self._source_json(cell, text) + out[end:]
        return out

    def _source_json(self, cell: Cell, text: str) -> str:
        """A cell's new ``source`` value, laid out like the old one (one string, or a list of lines with the
        same separators and indentation)."""
        if not cell.as_list:
            return json.dumps(text, ensure_ascii=self.ensure_ascii)
        items = [json.dumps(line, ensure_ascii=self.ensure_ascii) for line in split_lines(text)]
        start, end = cell.span
        if not items:
            return "[]"
        if cell.pieces:
            opening = self.text[start + 1: cell.pieces[0][0]]
            closing = self.text[cell.pieces[-1][1]: end - 1]
        else:  # an empty list: indent as the file does one level below the key
            line_start = self.text.rfind("\n", 0, start) + 1
            key_indent = self.text[line_start: line_start + len(self.text[line_start:]) -
                                   len(self.text[line_start:].lstrip(" \t"))]
            unit = re.match(r"\{\r?\n([ \t]*)", self.text)
            opening = "\n" + key_indent + (unit.group(1) if unit else " ")
            closing = "\n" + key_indent
        separator = self.text[cell.pieces[0][1]: cell.pieces[1][0]] if len(cell.pieces) > 1 else \
            ("," + opening if "\n" in opening else ", ")
        return "[" + opening + separator.join(items) + closing + "]"


def read_notebook(data: bytes) -> Notebook:
    """Parse a notebook's bytes; raises NotebookError when they are not an nbformat 4 notebook."""
    bom = data.startswith(BOM)
    try:
        text = data[len(BOM) if bom else 0:].decode("utf-8")
    except UnicodeDecodeError as error:
        raise NotebookError(f"cannot read the notebook: it is not UTF-8 ({error.reason} at byte {error.start})") \
            from error
    try:
        data_ = json.loads(text)
    except json.JSONDecodeError as error:
        raise NotebookError(f"cannot read the notebook: not valid JSON ({error.msg})", error.lineno, error.colno) \
            from error
    except RecursionError as error:
        raise NotebookError("cannot read the notebook: its JSON is nested too deep") from error
    cells = _validated_cells(data_)
    spans = _source_spans(text)
    metadata = data_.get("metadata") if isinstance(data_.get("metadata"), dict) else {}
    language = _language(metadata)
    code: list[Cell] = []
    for position, cell in enumerate(cells):
        if cell["cell_type"] != "code" or position not in spans or not _python_cell(cell):
            continue
        source = cell["source"]
        span, pieces = spans[position]
        code.append(Cell(position, source if isinstance(source, str) else "".join(source), span, pieces,
                         isinstance(source, list)))
    ensure_ascii = text.isascii() and bool(re.search(r"\\u(?!00[0-7])[0-9a-fA-F]{4}", text))
    return Notebook(text, bom, code, language, ensure_ascii)


def _validated_cells(data: Any) -> list[dict[str, Any]]:
    if not isinstance(data, dict) or "nbformat" not in data:
        raise NotebookError("not a Jupyter notebook: the JSON has no `nbformat` key")
    version = data["nbformat"]
    if version != 4 or isinstance(version, bool):
        hint = " (convert it with `jupyter nbconvert --to notebook --nbformat 4`)" if version in (1, 2, 3) else ""
        raise NotebookError(f"not an nbformat 4 notebook: `nbformat` is {json.dumps(version)}{hint}")
    cells = data.get("cells")
    if not isinstance(cells, list):
        raise NotebookError("not an nbformat 4 notebook: `cells` is missing or not a list")
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str):
            raise NotebookError(f"not an nbformat 4 notebook: cell {number} has no `cell_type`")
        source = cell.get("source")
        if not (isinstance(source, str) or isinstance(source, list) and all(isinstance(s, str) for s in source)):
            raise NotebookError(f"not an nbformat 4 notebook: the `source` of cell {number} is not text")
    return cells


def _language(metadata: dict[str, Any]) -> str | None:
    for key, name in (("kernelspec", "language"), ("language_info", "name")):
        table = metadata.get(key)
        if isinstance(table, dict) and isinstance(table.get(name), str):
            return str(table[name])
    return None


def _python_cell(cell: dict[str, Any]) -> bool:
    """A code cell of another language in a polyglot notebook (VS Code's ``languageId``) is not Python."""
    metadata = cell.get("metadata")
    vscode = metadata.get("vscode") if isinstance(metadata, dict) else None
    language = vscode.get("languageId") if isinstance(vscode, dict) else None
    return not isinstance(language, str) or language == "python"


# -- where each cell's source is in the file ---------------------------------------------------------------

def _skip(text: str, index: int) -> int:
    match = _SPACE.match(text, index)
    return match.end() if match else index


def _members(text: str, index: int) -> Generator[tuple[str, int], int, int]:
    """The keys of the JSON object at ``index`` and where each value starts; the caller sends back where the
    value ends (``_walk``). Returns where the object ends."""
    index = _skip(text, index + 1)
    if text[index] == "}":
        return index + 1
    while True:
        key, index = scanstring(text, index + 1)
        index = _skip(text, _skip(text, index) + 1)  # past the ":"
        index = _skip(text, (yield key, index))
        if text[index] == "}":
            return index + 1
        index = _skip(text, index + 1)  # past the ","


def _elements(text: str, index: int) -> Generator[tuple[int, int], int, int]:
    index = _skip(text, index + 1)
    if text[index] == "]":
        return index + 1
    position = 0
    while True:
        index = _skip(text, (yield position, index))
        if text[index] == "]":
            return index + 1
        index = _skip(text, index + 1)
        position += 1


def _walk(items: Generator[tuple[Any, int], int, int], visit: Callable[[Any, int], int]) -> int:
    """Drive ``_members``/``_elements``: ``visit(key, start)`` returns where the value ends; returns where the
    container ends."""
    try:
        key, start = next(items)
        while True:
            key, start = items.send(visit(key, start))
    except StopIteration as stop:
        return int(stop.value)


def _value_end(text: str, index: int) -> int:
    return int(_DECODER.raw_decode(text, index)[1])


def _source_spans(text: str) -> dict[int, tuple[tuple[int, int], list[tuple[int, int, str]]]]:
    """For each cell (by position) the offsets of its ``source`` value and of each string in it. The text is
    valid JSON already (json.loads read it); everything but the cells' sources is skipped at C speed."""
    spans: dict[int, tuple[tuple[int, int], list[tuple[int, int, str]]]] = {}

    def cell_member(position: int) -> Any:
        def visit(key: str, start: int) -> int:
            end = _value_end(text, start)
            if key == "source":
                pieces: list[tuple[int, int, str]] = []
                if text[start] == '"':
                    pieces.append((start, end, scanstring(text, start + 1)[0]))
                elif text[start] == "[":
                    def element(_: int, at: int) -> int:
                        value, stop = scanstring(text, at + 1)
                        pieces.append((at, stop, value))
                        return int(stop)
                    _walk(_elements(text, start), element)
                spans[position] = ((start, end), pieces)
            return end
        return visit

    def cell(position: int, start: int) -> int:
        if text[start] == "{":
            return _walk(_members(text, start), cell_member(position))
        return _value_end(text, start)

    def top(key: str, start: int) -> int:
        if key == "cells" and text[start] == "[":
            spans.clear()  # a repeated key: the last one counts, as for json.loads
            return _walk(_elements(text, start), cell)
        return _value_end(text, start)

    start = _skip(text, 0)
    if text[start: start + 1] == "{":
        _walk(_members(text, start), top)
    return spans


# -- one Python source for the code cells --------------------------------------------------------------------

def _is_magic(body: str) -> bool:
    stripped = body.strip()
    if not stripped or stripped.startswith("#"):
        return False
    return stripped[0] in "%!" or bool(_HELP.fullmatch(stripped)) or bool(_ASSIGNED_MAGIC.match(stripped))


def _mask(text: str, magics: list[str]) -> list[str]:
    """A cell's lines with IPython syntax replaced by numbered placeholders (originals kept in ``magics``)."""
    lines = split_lines(text)
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    whole = False
    if first is not None and lines[first].lstrip().startswith("%%"):
        name = lines[first].lstrip()[2:].split(maxsplit=1)
        whole = not name or name[0] not in PYTHON_CELL_MAGICS
    lexer, out, continued = StatementLexer(), [], False
    for index, line in enumerate(lines):
        body = line.rstrip("\r\n")
        if whole and body.strip() or index == first and body.lstrip().startswith("%%") or continued \
                or lexer.at_statement and _is_magic(body):
            indent = "" if whole else body[: len(body) - len(body.lstrip())]
            out.append(indent + _PLACEHOLDER.format(len(magics)) + line_ending(line))
            magics.append(body)
            continued = body.endswith("\\")
            continue
        lexer.feed(body)
        out.append(line)
    return out


@dataclass
class Joined:
    """The code cells as one source, and the way back."""

    text: str
    origins: list[tuple[int, int] | None]  # per line: (index into the code cells, 0-based line) or a boundary
    magics: list[str]  # the original line behind each placeholder
    added_newline: list[bool]  # a line ending added after the cell's last line

    def locate(self, row: int, column: int) -> tuple[int, int, int]:
        """(code cell index, 1-based line, column) of a 1-based position in the joined source; a position on a
        boundary or past the end belongs to the end of the cell before it."""
        index = row - 1
        origin = self.origins[index] if 0 <= index < len(self.origins) else None
        if origin is not None:
            return origin[0], origin[1] + 1, column
        index = min(index, len(self.origins)) - 1
        while index >= 0 and self.origins[index] is None:
            index -= 1
        before = self.origins[index] if index >= 0 else None
        if before is None:
            return 0, 1, 1
        return before[0], before[1] + 2, 1

    def row_of(self, cell: int, line: int) -> int | None:
        """The 1-based row in the joined source of a cell's 1-based line."""
        try:
            return self.origins.index((cell, line - 1)) + 1
        except ValueError:
            return None

    def split(self, text: str) -> list[str] | None:
        """A fixed joined source cut back into cell texts, IPython lines restored; None when a boundary or a
        placeholder went missing (the fix then is not written)."""
        cells: list[list[str]] = [[]]
        restored: set[int] = set()
        for line in split_lines(text):
            body = line.rstrip("\r\n")
            if body == _BOUNDARY:
                cells.append([])
                continue
            match = _PLACEHOLDER_RE.fullmatch(body)
            if match:
                number = int(match.group(1))
                if number >= len(self.magics) or number in restored:
                    return None
                restored.add(number)
                line = self.magics[number] + line_ending(line)
            cells[-1].append(line)
        if len(cells) != len(self.added_newline) or len(restored) != len(self.magics):
            return None
        texts = ["".join(lines) for lines in cells]
        for index, added in enumerate(self.added_newline):
            if added and texts[index].endswith("\n"):
                texts[index] = texts[index][:-2] if texts[index].endswith("\r\n") else texts[index][:-1]
        return texts


def join_cells(texts: list[str]) -> Joined:
    lines: list[str] = []
    origins: list[tuple[int, int] | None] = []
    magics: list[str] = []
    added: list[bool] = []
    for index, text in enumerate(texts):
        if index:
            lines.append(_BOUNDARY + "\n")
            origins.append(None)
        masked = _mask(text, magics)
        needs_newline = bool(masked) and not line_ending(masked[-1])
        if needs_newline:
            masked[-1] += "\n"
        added.append(needs_newline)
        lines += masked
        origins += [(index, number) for number in range(len(masked))]
    return Joined("".join(lines), origins, magics, added)


# -- findings, fixes and noqa --------------------------------------------------------------------------------

def _unreadable(filename: str, error: NotebookError, settings: Settings) -> list[Finding]:
    finding = Finding("IL001", str(error), filename, error.line, error.column, error.line, error.column,
                      no_fix="the notebook could not be read, so there is nothing to rewrite")
    return [finding] if settings.enabled("IL001", filename) else []


def _to_cells(notebook: Notebook, joined: Joined, finding: Finding) -> Finding:
    """A finding of the joined source, told by cell (and, for SARIF and GitHub, by the file's own lines)."""
    cell, row, column = joined.locate(finding.row, finding.column)
    end_cell, end_row, end_column = joined.locate(finding.end_row, finding.end_column)
    if end_cell != cell:
        end_row, end_column = row, column
    fix = finding.fix
    if fix is not None:
        edits = []
        for edit in fix["edits"]:
            at = joined.locate(edit["location"]["row"], edit["location"]["column"])
            to = joined.locate(edit["end_location"]["row"], edit["end_location"]["column"])
            edits.append({**edit, "cell": notebook.cells[at[0]].position + 1,
                          "location": {"row": at[1], "column": at[2]},
                          "end_location": {"row": to[1], "column": to[2]}})
        fix = {**fix, "edits": edits}
    file_span = (*notebook.file_position(cell, row, column), *notebook.file_position(cell, end_row, end_column))

    def by_cell(line: int) -> str:
        at = joined.locate(line, 1)
        return f"cell {notebook.cells[at[0]].position + 1}, line {at[1]}"

    spans = []
    for span in finding.spans:  # each secondary span in its own cell
        at_cell, at_row, at_column = joined.locate(span.row, span.column)
        to_cell, to_row, to_column = joined.locate(span.end_row, span.end_column)
        if to_cell != at_cell:
            to_row, to_column = at_row, at_column
        spans.append(replace(span, cell=notebook.cells[at_cell].position + 1, row=at_row, column=at_column,
                             end_row=to_row, end_column=to_column))
    finding = renumbered(finding, by_cell)  # "(Linear(8, 8), line 12)" names a joined line
    return replace(finding, cell=notebook.cells[cell].position + 1, row=row, column=column,
                   end_row=end_row, end_column=end_column, fix=fix, file_span=file_span, spans=tuple(spans))


def check_notebook(data: bytes, filename: str, settings: Settings) -> list[Finding]:
    """All findings for a notebook's bytes (none for a notebook of another language)."""
    try:
        notebook = read_notebook(data)
    except NotebookError as error:
        return _unreadable(filename, error, settings)
    if not notebook.is_python or not notebook.cells:
        return []
    joined = join_cells([cell.text for cell in notebook.cells])
    findings = check_source(joined.text, filename, settings)
    return sorted((_to_cells(notebook, joined, f) for f in findings), key=Finding.sort_key)


def check_notebook_file(path: str, settings: Settings) -> list[Finding]:
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        return _unreadable(path, NotebookError(f"cannot read the file: {error.strerror or error}"), settings)
    return check_notebook(data, path, settings)


def _write(path: Path, notebook: Notebook, texts: list[str]) -> bytes:
    """The notebook's new bytes (checked to be the same notebook with only those sources changed)."""
    rendered = notebook.render(texts)
    before, after = json.loads(notebook.text), json.loads(rendered)
    for cell, text in zip(notebook.cells, texts, strict=True):
        source = before["cells"][cell.position]["source"]
        before["cells"][cell.position]["source"] = split_lines(text) if isinstance(source, list) else text
    if before != after:
        raise RuntimeError(f"{path}: rewriting the notebook would change more than its code cells")
    return (BOM if notebook.bom else b"") + rendered.encode("utf-8")


def fix_notebook(path: str, settings: Settings, unsafe: bool, write: bool) -> FileFix:
    """``--fix``/``--diff`` for a notebook: the fixes of its joined source, written back into its cells."""
    try:
        original = Path(path).read_bytes()
        notebook = read_notebook(original)
    except (OSError, NotebookError):
        return FileFix(path, 0, check_notebook_file(path, settings), "")
    if not notebook.is_python or not notebook.cells:
        return FileFix(path, 0, [], "")
    joined = join_cells([cell.text for cell in notebook.cells])
    new_text, codes, findings = fix_source_codes(joined.text, path, settings, unsafe)
    texts = joined.split(new_text) if codes else None
    if texts is None:
        if codes:  # a fix that removed a cell boundary or an IPython line: nothing is written
            findings = check_source(joined.text, path, settings)
        return FileFix(path, 0, sorted((_to_cells(notebook, joined, f) for f in findings), key=Finding.sort_key), "")
    data = _write(Path(path), notebook, texts)
    diff = "".join(_cell_diff(path, cell, text) for cell, text in zip(notebook.cells, texts, strict=True))
    if write:
        write_atomic(Path(path), data, expected=original)  # never over an edit made while we worked
    return FileFix(path, len(codes), check_notebook(data, path, settings), diff, codes)


def _cell_diff(path: str, cell: Cell, text: str) -> str:
    if text == cell.text:
        return ""
    name = f"{path}:cell {cell.position + 1}"
    lines = list(difflib.unified_diff(split_lines(cell.text), split_lines(text), name, name))
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def add_noqa_to_notebook(path: str, codes_by_line: dict[tuple[int, int], set[str]]) -> tuple[int, str | None]:
    """``--add-noqa`` for a notebook: ``codes_by_line`` maps (cell, line), both 1-based, to codes. Returns how
    many lines got a directive and a problem (the notebook is then left as it was)."""
    try:
        original = Path(path).read_bytes()
        notebook = read_notebook(original)
    except (OSError, NotebookError) as error:
        return 0, f"{path}: not changed: cannot read it again ({error})"
    joined = join_cells([cell.text for cell in notebook.cells])
    number = {cell.position + 1: index for index, cell in enumerate(notebook.cells)}
    rows: dict[int, set[str]] = {}
    for (cell, line), codes in codes_by_line.items():
        row = joined.row_of(number[cell], line) if cell in number else None
        if row is not None:
            rows.setdefault(row, set()).update(codes)
    text, count = add_noqa_to_source(joined.text, rows)
    texts = joined.split(text) if count else None
    if texts is None:
        return 0, (f"{path}: not changed: the directives could not be put back into the cells" if count else None)
    try:
        compile(text, path, "exec", dont_inherit=True)
    except SyntaxError as error:
        return 0, f"{path}: not changed: the result would not parse ({error.msg})"
    write_atomic(Path(path), _write(Path(path), notebook, texts), expected=original)
    return count, None
