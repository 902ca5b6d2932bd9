"""``path:line:col: CODE message`` and a summary, like ruff and flake8."""

from __future__ import annotations

from initlint.findings import Finding


def render_text(findings: list[Finding], files_checked: int) -> str:
    lines = [f"{f.filename}:{f.row}:{f.column}: {f.code} {f.message}" for f in findings]
    if findings:
        noun = "finding" if len(findings) == 1 else "findings"
        lines.append(f"Found {len(findings)} {noun} in {files_checked} file{'s' if files_checked != 1 else ''}.")
    else:
        lines.append(f"All checks passed! ({files_checked} file{'s' if files_checked != 1 else ''} checked)")
    return "\n".join(lines)
