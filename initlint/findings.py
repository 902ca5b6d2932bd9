"""A finding: plain data, so it can cross a process pool, a cache file or a JSON report unchanged."""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

# How a message cites the line that builds a layer: "`fc` (Linear(8, 8), line 12)".
LINE_REFERENCE = re.compile(r"\bline (\d+)\)")


def renumber_lines(message: str, name: Callable[[int], str]) -> str:
    """A message whose cited lines are named anew (``name(12)`` -> "line 15", or "cell 3, line 4")."""
    return LINE_REFERENCE.sub(lambda match: f"{name(int(match.group(1)))})", message)


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    filename: str
    row: int
    column: int
    end_row: int
    end_column: int
    severity: str = "error"
    fix: dict[str, Any] | None = None
    no_fix: str | None = None  # why there is no fix, when there is none
    cell: int | None = None  # in a notebook: the cell (1-based, every cell counted); row and column are in it
    # in a notebook: the same span in the .ipynb file's own lines (for SARIF and GitHub, which show the file)
    file_span: tuple[int, int, int, int] | None = None
    # what tells the finding apart from the others of its file whatever the line numbers (rule, site, target)
    # (not part of equality: it names the site for the fixer, not what is reported)
    fingerprint: str | None = field(default=None, compare=False)
    detail: str | None = field(default=None, compare=False)  # an internal error's traceback (``--verbose``)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of a finding (ruff-like keys)."""
        return {
            "code": self.code,
            "message": self.message,
            "severity": self.severity,
            "filename": self.filename,
            "cell": self.cell,
            "location": {"row": self.row, "column": self.column},
            "end_location": {"row": self.end_row, "column": self.end_column},
            "fix": self.fix,
            "no_fix_reason": self.no_fix if self.fix is None else None,
        }

    def as_plain(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_plain(cls, data: dict[str, Any]) -> Finding:
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


def internal_error(filename: str, doing: str, error: BaseException) -> Finding:
    """IL000: our own failure, told apart from a file that cannot be parsed (IL001); the traceback is kept in
    ``detail`` for ``--verbose``."""
    detail = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return Finding("IL000", f"internal error while {doing} ({type(error).__name__}: {error}); please report it",
                   filename, 1, 1, 1, 1, severity="internal", no_fix="the analysis stopped on an internal error",
                   detail=detail)
