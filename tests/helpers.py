"""What several test modules share: a small bad/good model and a way to run the installed CLI."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

# Xavier on a layer that feeds ReLU: one IL101 at 9:9.
BAD_MODEL = """\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(256, 256)
        self.act = nn.ReLU()
        nn.init.xavier_uniform_(self.fc.weight)

    def forward(self, x):
        return self.act(self.fc(x))
"""
GOOD_MODEL = BAD_MODEL.replace("nn.init.xavier_uniform_(self.fc.weight)",
                               'nn.init.kaiming_uniform_(self.fc.weight, nonlinearity="relu")')


def initlint(*args: str, cwd: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed ``initlint`` command (``python -m initlint`` if it is not on PATH)."""
    exe = shutil.which("initlint")
    command = [exe] if exe else [sys.executable, "-m", "initlint"]
    return subprocess.run([*command, *args], capture_output=True, text=True, cwd=cwd, input=stdin, timeout=300,
                          check=False)
