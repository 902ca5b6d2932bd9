"""Seeded mutations of the repository's model files: whatever the input, ``check`` never raises and never
reports an internal error, and ``--fix --unsafe-fixes`` only ever produces code that parses."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from initlint.analysis import check_source, fix_source
from initlint.config import Settings

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted([*ROOT.glob("examples/*.py"), *ROOT.glob("tests/data/**/*.py"), *ROOT.glob("tests/golden/*.py")])


def _mutate(text: str, rng: random.Random) -> str:
    lines = text.splitlines(keepends=True)
    for _ in range(rng.randint(1, 4)):
        if not lines:
            break
        index = rng.randrange(len(lines))
        choice = rng.random()
        if choice < 0.3:
            del lines[index]
        elif choice < 0.6:
            lines.insert(index, lines[rng.randrange(len(lines))])
        elif choice < 0.8:
            lines[index] = lines[index].replace("256", "0").replace("64", "-1")  # sizes torch would refuse
        else:
            lines[index] = lines[index].replace("(", "[", 1)
    return "".join(lines)


@pytest.mark.parametrize("seed", range(4))
def test_mutated_models_never_crash_the_engine_or_the_fixer(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(60):
        path = rng.choice(FILES)
        source = _mutate(path.read_text(encoding="utf-8"), rng)
        findings = check_source(source, path.name)
        assert not [f.message for f in findings if f.severity == "internal"], path.name
        fixed, count, _ = fix_source(source, path.name, Settings(), unsafe=True)
        if count and _compiles(source, path.name):
            compile(fixed, path.name, "exec")  # a fix never breaks code that compiled


def _compiles(source: str, name: str) -> bool:
    """Whether CPython compiles the mutated input at all: a mutation can parse yet not compile (a deleted
    ``def`` line leaves ``return`` outside a function), and a fix elsewhere in it cannot repair that."""
    try:
        compile(source, name, "exec")
    except SyntaxError:
        return False
    return True


def test_zero_sized_layer_is_not_divided_by() -> None:
    source = (
        "import torch.nn as nn\n"
        "class M(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.fc = nn.Linear(0, 0)\n"
        "        self.out = nn.Linear(4, 2)\n"
        "        nn.init.normal_(self.fc.weight, std=0.02)\n"
        "    def forward(self, x):\n"
        "        return self.out(self.fc(x).relu())\n"
    )
    assert [f for f in check_source(source, "m.py") if f.severity == "internal"] == []
