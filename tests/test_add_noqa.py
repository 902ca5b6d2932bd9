"""``--add-noqa`` baselines a codebase: afterwards the same check is clean, and nothing else changed."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from helpers import initlint

from initlint.noqa import add_noqa_to_source

BAD = (
    "import torch.nn as nn\n"
    "\n"
    "class Net(nn.Module):\n"
    "    def __init__(self):\n"
    "        super().__init__()\n"
    "        self.fc = nn.Linear(256, 256)\n"
    "        self.act = nn.ReLU()\n"
    "        nn.init.xavier_uniform_(self.fc.weight){comment}\n"
    "        nn.init.kaiming_normal_(self.fc.bias)\n"
    "\n"
    "    def forward(self, x):\n"
    "        return self.act(self.fc(x))\n"
)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return initlint(*args)


def test_adds_and_merges() -> None:
    text, count = add_noqa_to_source(BAD.format(comment="  # noqa: E501"), {8: {"IL101"}, 9: {"IL401"}})
    assert count == 2
    lines = text.splitlines()
    assert lines[7].endswith("(self.fc.weight)  # noqa: E501, IL101")
    assert lines[8].endswith("(self.fc.bias)  # noqa: IL401")


def test_bare_noqa_is_left_alone() -> None:
    text, count = add_noqa_to_source(BAD.format(comment="  # noqa"), {8: {"IL101"}})
    assert count == 0 and text == BAD.format(comment="  # noqa")


def test_line_continuation_is_left_alone() -> None:
    source = "x = 1 + \\\n    2\n"
    assert add_noqa_to_source(source, {1: {"IL101"}}) == (source, 0)


def test_cli_baseline_keeps_bytes_mode_and_endings(tmp_path: Path) -> None:
    path = tmp_path / "model.py"
    original = ("\ufeff" + BAD.format(comment="")).replace("\n", "\r\n").encode("utf-8")
    path.write_bytes(original)
    os.chmod(path, 0o640)
    result = run("check", "--add-noqa", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Added 2 noqa directives to 1 file."
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert data.count(b"# noqa:") == 2
    assert os.stat(path).st_mode & 0o777 == 0o640
    assert run("check", str(tmp_path)).returncode == 0
    assert not [p for p in tmp_path.iterdir() if p.name != "model.py"]  # no temporary file left behind


def test_cli_baseline_with_nothing_to_do(tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text("import torch\n")
    result = run("check", "--add-noqa", str(tmp_path))
    assert result.returncode == 0 and "Added 0 noqa directives to 0 files." in result.stdout
