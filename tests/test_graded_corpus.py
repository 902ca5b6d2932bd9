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

from initlint.analysis import check_source
from initlint.config import Settings

GRADED = Path(__file__).resolve().parent / "data" / "graded"
EXPECTED: dict[str, list[list[object]]] = json.loads((GRADED / "expected.json").read_text())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_graded_file(name: str) -> None:
    source = (GRADED / name).read_text(encoding="utf-8")
    found = sorted((f.row, f.code) for f in check_source(source, name))
    assert found == sorted((int(line), str(code)) for line, code in EXPECTED[name])  # type: ignore[call-overload]


def test_every_graded_file_is_listed() -> None:
    assert {p.name for p in GRADED.glob("*.py")} == set(EXPECTED)


# --------------------------------------------------------------------------- IL2xx/IL3xx/IL501, blind

SCALE = Path(__file__).resolve().parent / "data" / "graded_scale"
SCALE_EXPECTED: dict[str, list[list[object]]] = json.loads((SCALE / "expected.json").read_text())

# Planted findings the engine does not reach yet, with why. First blind run: 30 of 36 found, 0 false
# (precision 1.000, recall 0.833); four misses were general engine gaps, fixed with regression tests
# (``init_hidden`` taken for an init call, ``[a] + [b for ...]`` module lists, enumerate-indexed loops in
# forward, loops over a tuple of parameters); a fifth later (loops over a known config now run item by item).
KNOWN_MISSES: dict[tuple[str, int, str], str] = {}


# Planted findings reported only under an opt-in setting: zeroing every LSTM bias is a common deliberate
# choice (issue 16), so IL302 says it only with ``zeroed-lstm-biases = true``.
OPT_IN: dict[tuple[str, int, str], Settings] = {
    ("11_a3c_lstm.py", 37, "IL302"): Settings(zeroed_lstm_biases=True),
    ("12_lstm_forget_bias.py", 63, "IL302"): Settings(zeroed_lstm_biases=True),
}


def _scale_found(name: str, settings: Settings | None = None) -> set[tuple[int, str]]:
    source = (SCALE / name).read_text(encoding="utf-8")
    return {(f.row, f.code) for f in check_source(source, name, settings)}


@pytest.mark.parametrize("name", sorted(SCALE_EXPECTED))
def test_graded_scale_file(name: str) -> None:
    expected = {(int(line), str(code)) for line, code in SCALE_EXPECTED[name]}  # type: ignore[call-overload]
    missing = {(line, code) for (file, line, code) in KNOWN_MISSES if file == name}
    opt_in = {(line, code) for (file, line, code) in OPT_IN if file == name}
    assert _scale_found(name) == expected - missing - opt_in


@pytest.mark.parametrize("planted", sorted(OPT_IN), ids=lambda m: f"{m[0]}:{m[1]}:{m[2]}")
def test_graded_scale_opt_in_findings(planted: tuple[str, int, str]) -> None:
    """Each opt-in finding appears with its setting on, and nothing else changes."""
    name = planted[0]
    expected = {(int(ln), str(c)) for ln, c in SCALE_EXPECTED[name]}  # type: ignore[call-overload]
    missing = {(ln, c) for (file, ln, c) in KNOWN_MISSES if file == name}
    assert _scale_found(name, OPT_IN[planted]) == expected - missing


@pytest.mark.parametrize("miss", sorted(KNOWN_MISSES), ids=lambda m: f"{m[0]}:{m[1]}:{m[2]}")
@pytest.mark.xfail(strict=True, reason="known engine limit; see KNOWN_MISSES")
def test_graded_scale_known_misses(miss: tuple[str, int, str]) -> None:
    name, line, code = miss
    assert (line, code) in _scale_found(name)


def test_graded_scale_precision_and_recall() -> None:
    found = planted = true = 0
    for name, items in SCALE_EXPECTED.items():
        expected = {(int(line), str(code)) for line, code in items}  # type: ignore[call-overload]
        expected -= {(line, code) for (file, line, code) in OPT_IN if file == name}  # judged at the defaults
        got = _scale_found(name)
        found += len(got)
        planted += len(expected)
        true += len(got & expected)
    assert true / found >= 0.9 and true / planted >= 0.9, (true, found, planted)


def test_every_graded_scale_file_is_listed() -> None:
    assert {p.name for p in SCALE.glob("*.py")} == set(SCALE_EXPECTED)
