"""Shared helpers for the test suite."""

from __future__ import annotations

import textwrap

import pytest

from initlint.engine import check_source


def codes(source: str, filename: str = "model.py") -> list[str]:
    return [f.code for f in check_source(textwrap.dedent(source), filename)]


@pytest.fixture
def lint():
    return codes
