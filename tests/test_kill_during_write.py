"""Kills during ``--fix`` (SIGKILL, SIGTERM, SIGINT at random moments): every file old or new, no temporary
left after the next run. A few rounds here; ``bench/killwrite.py`` runs 240."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from killwrite import run


def test_kills_during_fix_lose_nothing() -> None:
    tally, broken = run(rounds=6, files=4, seed=1)
    assert broken == []
    assert tally["files old or new"] == 24 and sum(tally[s] for s in ("SIGKILL", "SIGTERM", "SIGINT")) == 6
