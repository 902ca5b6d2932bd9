"""How we say it: one function per output format, each from findings to text."""

from __future__ import annotations

from collections.abc import Callable

from initlint.findings import Finding
from initlint.report.json_format import render_json
from initlint.report.text import render_text

Renderer = Callable[[list[Finding], int], str]

FORMATS: dict[str, Renderer] = {"text": render_text, "json": render_json}
