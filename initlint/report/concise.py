"""One short line per finding: ``path:line:col: CODE`` and the message's first sentence only."""

from __future__ import annotations

import re

from initlint.findings import Finding
from initlint.report.text import render_text

# A sentence ends at a full stop followed by white space, unless the stop closes an
# abbreviation our messages use ("He et al. 2015", "e.g. ReLU").
_SENTENCE_END = re.compile(r"(?<!\bal)(?<!\be\.g)(?<!\bi\.e)(?<!\betc)(?<!\bvs)\.(?=\s)")
_WHITESPACE = re.compile(r"\s+")


def first_sentence(message: str) -> str:
    """The message up to and including its first full stop, on one line."""
    end = _SENTENCE_END.search(message)
    head = message[: end.end()] if end else message
    return _WHITESPACE.sub(" ", head).strip()


def render_concise(findings: list[Finding], files_checked: int) -> str:
    lines = [f"{f.where()}: {f.code} {first_sentence(f.message)}" for f in findings]
    # The text format's closing line, taken from it so the two never drift apart.
    lines.append(render_text(findings, files_checked).rsplit("\n", 1)[-1])
    return "\n".join(lines)
