"""Packaging promises: a plain install never pulls torch; torch is pinned wherever it appears."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")

PYPROJECT = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())


def test_runtime_dependencies_do_not_include_torch() -> None:
    deps = PYPROJECT["project"]["dependencies"]
    assert not any(re.match(r"torch\b", d) for d in deps)
    assert any(d.startswith("libcst>=1.9") for d in deps)
    assert any(d.startswith("click") for d in deps)


@pytest.mark.parametrize("extra", ["test", "probe"])
def test_torch_is_pinned_exactly(extra: str) -> None:
    torch_reqs = [d for d in PYPROJECT["project"]["optional-dependencies"][extra] if re.match(r"torch\b", d)]
    assert torch_reqs == ["torch==2.13.0"]


def test_console_script() -> None:
    assert PYPROJECT["project"]["scripts"] == {"initlint": "initlint.cli:main"}
    assert PYPROJECT["project"]["requires-python"] == ">=3.10"


def test_check_never_imports_the_checked_code(tmp_path: Path) -> None:
    from initlint.engine import check_paths

    marker = tmp_path / "imported.txt"
    (tmp_path / "model.py").write_text(
        "import torch.nn as nn\n"
        f"open({str(marker)!r}, 'w').write('ran')\n"
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.fc = nn.Linear(4, 4)\n"
        "        nn.init.xavier_uniform(self.fc.weight)\n"
    )
    findings, count = check_paths([str(tmp_path)])
    assert count == 1 and [f.code for f in findings] == ["IL402"]
    assert not marker.exists()
