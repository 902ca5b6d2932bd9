"""Shared helpers for the test suite."""

from __future__ import annotations

import textwrap

import pytest

from initlint.engine import check_source


def codes(source: str, filename: str = "model.py") -> list[str]:
    found = check_source(textwrap.dedent(source), filename)
    assert not [f for f in found if f.severity == "internal"], [f.message for f in found]  # never passes as silence
    return [f.code for f in found]


@pytest.fixture
def lint():
    return codes
