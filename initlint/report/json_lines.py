"""JSON Lines: one JSON object per finding per line (the keys of the ``json`` format), nothing else."""

from __future__ import annotations

import json

from initlint.findings import Finding


def render_json_lines(findings: list[Finding], files_checked: int) -> str:
    # json.dumps never emits a raw newline (one inside a string is written as \n), so each object
    # stays on its own line.
    return "\n".join(json.dumps(f.to_dict()) for f in findings)
