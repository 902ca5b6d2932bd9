"""How we say it: one function per output format, each from findings to text."""

from __future__ import annotations

from collections.abc import Callable

from initlint.findings import Finding
from initlint.report.concise import render_concise
from initlint.report.github import render_github
from initlint.report.json_format import render_json
from initlint.report.json_lines import render_json_lines
from initlint.report.junit import render_junit
from initlint.report.sarif import render_sarif
from initlint.report.text import render_text

Renderer = Callable[[list[Finding], int], str]

FORMATS: dict[str, Renderer] = {
    "text": render_text,
    "concise": render_concise,
    "json": render_json,
    "json-lines": render_json_lines,
    "sarif": render_sarif,
    "github": render_github,
    "junit": render_junit,
}
