"""A graded corpus: 25 realistic model files written and labeled independently of the engine (40 planted
findings, 64 inits that must stay silent). Every expected finding, and nothing else.

The files were labeled for IL1xx/IL4xx before IL2xx/IL3xx/IL501 existed; the two findings those rules
added (02: std=0.01 on Linear(256, 256)+ReLU, 8.8x below He; 08: an LSTM left at the default while the
tagger initializes its other layers) were read and labeled true. ``graded_scale`` is the blind set for them.
"""

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
