"""A JSON array, one object per finding, with ruff's keys."""

from __future__ import annotations

import json

from initlint.findings import Finding


def render_json(findings: list[Finding], files_checked: int) -> str:
    return json.dumps([f.to_dict() for f in findings], indent=2)
