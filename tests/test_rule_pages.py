"""Every rule page's examples run through the real engine: the bad one fires its rule, the good one nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from initlint.config import Settings
from initlint.engine import check_source
from initlint.registry import RULES

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
PAGES = sorted(RULES_DIR.glob("IL*.md"))
SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety", "References")


def _block(page: str, heading: str) -> str:
    match = re.search(rf"^## {re.escape(heading)}\s*\n```python\n(.*?)^```", page, re.DOTALL | re.MULTILINE)
    assert match, f"no python block under '## {heading}'"
    return match.group(1)


def test_every_rule_has_a_page() -> None:
    documented = {page.name.split("-", 1)[0] for page in PAGES}
    assert set(RULES) <= documented
    assert documented <= set(RULES)


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
