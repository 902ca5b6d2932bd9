"""Shared helpers for the test suite."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

import pytest

import initlint.analysis
import initlint.checks
from initlint import findings as findings_module
from initlint.analysis import check_source


def codes(source: str, filename: str = "model.py") -> list[str]:
    found = check_source(textwrap.dedent(source), filename)
    assert not [f for f in found if f.severity == "internal"], [f.message for f in found]  # never passes as silence
    return [f.code for f in found]


@pytest.fixture
def lint():
    return codes


@pytest.fixture(autouse=True)
def _no_internal_error_passes_as_silence(request: pytest.FixtureRequest,
                                         monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any IL000 initlint produces in this process fails the test (a crashed rule must never look like a
    rule that stayed silent), unless the test is marked ``internal_error_expected``."""
    if request.node.get_closest_marker("internal_error_expected"):
        yield
        return
    seen: list[str] = []
    real = findings_module.internal_error

    def recording(filename: str, doing: str, error: BaseException) -> findings_module.Finding:
        seen.append(f"{filename}: {doing}: {type(error).__name__}: {error}")
        return real(filename, doing, error)

    monkeypatch.setattr(initlint.checks, "internal_error", recording)
    monkeypatch.setattr(initlint.analysis, "internal_error", recording)
    yield
    assert not seen, f"initlint reported internal errors: {seen}"
