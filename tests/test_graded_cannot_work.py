"""A held-out set for the rules about init code that cannot work (IL403-IL410, IL502-IL508): realistic model
files shaped like the real reports, written and labeled before the rules were run on them (first blind runs:
group IL403-IL409 11/11, IL504/IL407/IL408/IL410 8/8, IL502-IL508 15/17 with no false finding; the two misses,
weight-normalized layers built in a list comprehension, became a fix). IL507 through ``apply`` was first reported
at the ``apply`` calls; it is now reported once at the init call, as every finding of the project, so file 10's
four labels at the ``apply`` lines became one at the init line. Scored on those
codes only (the other rules have their own sets); IL405, off by default and a judgement call, is scored
apart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from initlint.analysis import check_source
from initlint.config import Settings

DATA = Path(__file__).resolve().parent / "data" / "graded_cannot_work"
LABELS: dict[str, list[list[object]]] = json.loads((DATA / "labels.json").read_text())
CODES = frozenset({f"IL4{n:02d}" for n in range(3, 11)} | {f"IL5{n:02d}" for n in range(2, 9)})

# Labeled findings the rules do not reach, with why (none may hide a false finding).
KNOWN_MISSES: dict[tuple[str, int, str], str] = {}


def _found(name: str) -> set[tuple[int, str]]:
    source = (DATA / name).read_text(encoding="utf-8")
    findings = check_source(source, name, Settings(select=("ALL",)))
    assert not any(f.code == "IL001" for f in findings), findings
    return {(f.row, f.code) for f in findings if f.code in CODES}


def _expected(name: str) -> set[tuple[int, str]]:
    return {(int(line), str(code)) for line, code in LABELS[name]}  # type: ignore[call-overload]


@pytest.mark.parametrize("name", sorted(LABELS))
def test_graded_file(name: str) -> None:
    missing = {(line, code) for (file, line, code) in KNOWN_MISSES if file == name}
    assert _found(name) == _expected(name) - missing


def test_precision_and_recall() -> None:
    found = planted = true = 0
    for name in LABELS:
        got = {item for item in _found(name) if item[1] != "IL405"}
        expected = {item for item in _expected(name) if item[1] != "IL405"}
        found += len(got)
        planted += len(expected)
        true += len(got & expected)
    assert planted and true / max(found, 1) >= 0.9 and true / planted >= 0.9, (true, found, planted)


def test_every_file_is_labeled() -> None:
    assert {p.name for p in DATA.glob("*.py")} == set(LABELS)
