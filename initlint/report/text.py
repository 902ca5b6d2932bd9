"""The default format, as rustc and ruff print a diagnostic: ``path:line:col: CODE [*] title``, the source
line with carets under the span (and the secondary spans' lines, each labelled), ``= note:`` lines and one
``= help:`` line; then a summary. ``[*]`` marks what ``--fix`` repairs."""

from __future__ import annotations

from initlint.findings import Finding, Span, structured


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


def title_line(finding: Finding) -> str:
    return f"{finding.where()}: {finding.code} {marker(finding)}{structured(finding).title}"


def _underline(text: str, column: int, end_column: int, end_row: int, row: int, mark: str) -> str:
    """Marks under ``text[column-1:end_column-1]`` (to the line's end for a span over several lines); a tab
    before the span stays a tab so the marks line up."""
    start = max(column - 1, 0)
    stop = len(text) if end_row > row or end_column <= column else min(end_column - 1, len(text))
    pad = "".join(c if c == "\t" else " " for c in text[:start])
    return pad + mark * max(stop - start, 1)


def snippet(finding: Finding) -> list[str]:
    """The lines of the source the finding points at, numbered, with marks and labels under them."""
    marked: list[tuple[int, str, str, str]] = []  # row, line text, marks, label
    if finding.source_line is not None:
        marked.append((finding.row, finding.source_line,
                       _underline(finding.source_line, finding.column, finding.end_column, finding.end_row,
                                  finding.row, "^"), ""))
    others: list[Span] = [s for s in finding.spans if s.text is not None and s.cell == finding.cell]
    for span in others:
        assert span.text is not None
        marked.append((span.row, span.text, _underline(span.text, span.column, span.end_column, span.end_row,
                                                        span.row, "-"), span.label))
    if not marked:
        return []
    marked.sort(key=lambda item: item[0])
    width = len(str(max(row for row, *_ in marked)))
    gutter = " " * width + " |"
    out = [gutter]
    previous: int | None = None
    for row, text, marks, label in marked:
        if previous is not None and row > previous + 1:
            out.append(" " * width + " :")
        if row != previous:
            out.append(f"{row:>{width}} | {text}")
        out.append(f"{gutter} {marks}{' ' + label if label else ''}".rstrip())
        previous = row
    out.append(gutter)
    return out


def render_finding(finding: Finding) -> list[str]:
    full = structured(finding)
    lines = [title_line(full), *snippet(full)]
    elsewhere = [s for s in full.spans if s.text is None or s.cell != full.cell]
    lines += [f"  = note: {s.label}: {_where(full, s)}" for s in elsewhere]
    lines += [f"  = note: {'' if note.label == 'note' else note.label + ': '}{note.text}" for note in full.notes]
    if full.help:
        lines.append(f"  = help: {full.help}")
    return lines


def _where(finding: Finding, span: Span) -> str:
    cell = f"cell {span.cell}:" if span.cell is not None else ""
    return f"{finding.filename}:{cell}{span.row}:{span.column}"


def render_text(findings: list[Finding], files_checked: int) -> str:
    lines: list[str] = []
    for finding in findings:
        lines += [*render_finding(finding), ""]
    lines.append(summary(findings, files_checked))
    return "\n".join(lines)
