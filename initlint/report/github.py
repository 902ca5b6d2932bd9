"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request."""

from __future__ import annotations

from initlint.findings import Finding, structured

_LEVELS = {"warning": "warning", "info": "notice"}


def _escape_data(value: str) -> str:
    """The message part of a workflow command (after ``::``)."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    """A ``key=value`` property, where ``:`` and ``,`` would end the value early."""
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _command(f: Finding) -> str:
    row, column, end_row, end_column = f.file_region()  # a notebook's annotation goes on its JSON line
    full = structured(f)
    properties = {
        "title": f"{f.code} {full.title}",
        "file": f.filename,
        "line": str(row),
        "col": str(column),
        "endLine": str(end_row),
        "endColumn": str(end_column),
    }
    joined = ",".join(f"{key}={_escape_property(value)}" for key, value in properties.items())
    text = f"{f.where()}: {f.code} {full.title}" + (f"\nhelp: {full.help}" if full.help else "")
    return f"::{_LEVELS.get(f.severity, 'error')} {joined}::{_escape_data(text)}"


def render_github(findings: list[Finding], files_checked: int) -> str:
    return "\n".join(_command(f) for f in findings)
