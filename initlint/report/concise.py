"""One line per finding: ``path:line:col: CODE title`` (at most 160 characters for the shipped rules)."""

from __future__ import annotations

from initlint.findings import Finding, first_sentence, structured
from initlint.report.text import marker, summary

__all__ = ["first_sentence", "render_concise"]


def render_concise(findings: list[Finding], files_checked: int) -> str:
    lines = [f"{f.where()}: {f.code} {marker(f)}{structured(f).title}" for f in findings]
    lines.append(summary(findings, files_checked))
    return "\n".join(lines)
