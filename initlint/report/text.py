"""``path:line:col: CODE [*] message`` and a summary, like ruff: ``[*]`` marks what ``--fix`` repairs."""

from __future__ import annotations

from initlint.findings import Finding


def marker(finding: Finding) -> str:
    if finding.fix is not None and finding.fix.get("applicability") == "safe":
        return "[*] "
    return ""


def summary(findings: list[Finding], files_checked: int) -> str:
    files = f"{files_checked} file{'s' if files_checked != 1 else ''}"
    if not findings:
        return f"All checks passed! ({files} checked)"
    noun = "finding" if len(findings) == 1 else "findings"
    safe = sum(1 for f in findings if f.fix is not None and f.fix.get("applicability") == "safe")
    unsafe = sum(1 for f in findings if f.fix is not None and f.fix.get("applicability") == "unsafe")
    extra = []
    if safe:
        extra.append(f"{safe} fixable with --fix")
    if unsafe:
        extra.append(f"{unsafe} more with --unsafe-fixes" if safe else f"{unsafe} fixable with --fix --unsafe-fixes")
    tail = f" ({', '.join(extra)})" if extra else ""
    return f"Found {len(findings)} {noun} in {files}{tail}."


def render_text(findings: list[Finding], files_checked: int) -> str:
    lines = [f"{f.where()}: {f.code} {marker(f)}{f.message}" for f in findings]
    lines.append(summary(findings, files_checked))
    return "\n".join(lines)
