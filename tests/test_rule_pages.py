"""Every rule page's examples run through the real engine: the bad one fires its rule, the good one nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from initlint.analysis import check_source
from initlint.config import Settings
from initlint.findings import structured
from initlint.registry import INTERNAL_ERROR, RULES, rule_name, rule_url
from initlint.report.concise import render_concise
from initlint.report.text import render_text

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
ALL_PAGES = sorted(RULES_DIR.glob("IL*.md"))
# IL000 is initlint's own failure, not a rule: it has a page (what to do about it) but no example that fires.
PAGES = [page for page in ALL_PAGES if not page.name.startswith(f"{INTERNAL_ERROR}-")]
SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety", "References")


def _block(page: str, heading: str) -> str:
    match = re.search(rf"^## {re.escape(heading)}\s*\n```python\n(.*?)^```", page, re.DOTALL | re.MULTILINE)
    assert match, f"no python block under '## {heading}'"
    return match.group(1)


def test_every_rule_has_a_page() -> None:
    documented = {page.name.split("-", 1)[0] for page in ALL_PAGES}
    assert set(RULES) | {INTERNAL_ERROR} == documented


def test_internal_error_page_says_what_to_do() -> None:
    """IL000 is always shown and links to a page that exists (SARIF helpUri, the editor's link)."""
    page = RULES_DIR / f"{INTERNAL_ERROR}-{rule_name(INTERNAL_ERROR)}.md"
    text = page.read_text(encoding="utf-8")
    assert text.startswith(f"# {INTERNAL_ERROR}: internal-error\n")
    assert "--verbose" in text and "## What it does" in text
    assert rule_url(INTERNAL_ERROR).endswith(f"rules/{page.name}")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_page_shape(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    code, name = page.stem.split("-", 1)
    assert text.startswith(f"# {code}: {name}\n")
    assert RULES[code].name == name
    positions = [text.index(f"## {section}") for section in SECTIONS]
    assert positions == sorted(positions)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_example_fires_its_rule(page: Path) -> None:
    code = page.stem.split("-", 1)[0]
    settings = Settings(extend_select=(code,))  # off-by-default rules too
    found = [f.code for f in check_source(_block(page.read_text(encoding="utf-8"), "Example"), "example.py",
                                          settings)]
    assert found == [code]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_use_instead_is_clean(page: Path) -> None:
    found = check_source(_block(page.read_text(encoding="utf-8"), "Use instead"), "fixed.py",
                         Settings(select=("ALL",)))
    assert found == []


# Rules whose checks still tell their findings as one paragraph (the adapter in ``findings.structured`` gives them a
# title and, when the paragraph has a "Use ..." sentence, a help line). Each rule moved to structured data leaves
# this set; the test below fails when the set and the checks disagree.
TOLD_AS_PROSE = frozenset({"IL202", "IL203", "IL302"})


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_example_renders_as_a_diagnostic(page: Path) -> None:
    """The default output of the page's example: a title line under 100 characters, the source line with a
    caret, and (for a structured rule) one ``help:`` line; the concise line stays within 160 characters."""
    code = page.stem.split("-", 1)[0]
    found = check_source(_block(page.read_text(encoding="utf-8"), "Example"), "example.py",
                         Settings(extend_select=(code,)))
    [finding] = found
    assert (finding.title is None) == (code in TOLD_AS_PROSE)
    lines = render_text(found, 1).splitlines()
    title = lines[0].split(f": {code} ", 1)[1]
    assert len(title.removeprefix("[*] ")) < 100, title
    assert any(line.lstrip(" 0123456789").startswith("|") and "^" in line for line in lines), lines
    helps = [line for line in lines if line.startswith("  = help: ")]
    assert len(helps) <= 1
    if finding.title is not None:
        assert len(helps) == 1 and structured(finding).help
    for line in render_concise(found, 1).splitlines():
        assert len(line) <= 160, line
