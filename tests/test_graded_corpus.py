"""A graded corpus: 25 realistic model files written and labeled independently of the engine (40 planted
findings, 64 inits that must stay silent). Every expected finding, and nothing else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from initlint.engine import check_source

GRADED = Path(__file__).resolve().parent / "data" / "graded"
EXPECTED: dict[str, list[list[object]]] = json.loads((GRADED / "expected.json").read_text())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_graded_file(name: str) -> None:
    source = (GRADED / name).read_text(encoding="utf-8")
    found = sorted((f.row, f.code) for f in check_source(source, name))
    assert found == sorted((int(line), str(code)) for line, code in EXPECTED[name])  # type: ignore[call-overload]


def test_every_graded_file_is_listed() -> None:
    assert {p.name for p in GRADED.glob("*.py")} == set(EXPECTED)
