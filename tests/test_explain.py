"""The explain API (``Picture.explain``) and ``initlint check --explain``."""

from __future__ import annotations

from click.testing import CliRunner

from initlint.analysis import picture_of
from initlint.cli import main
from initlint.explain import explain_source, silence_reason

MODEL = """\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, use_xavier=False):
        super().__init__()
        self.fc1 = nn.Linear(256, 256)
        self.fc2 = nn.Linear(256, 10)
        self.head = nn.Linear(10, 10)
        nn.init.normal_(self.head.weight, std=0.02)
        if use_xavier:
            nn.init.xavier_uniform_(self.fc1.weight)
        else:
            nn.init.kaiming_uniform_(self.fc1.weight, nonlinearity="relu")
        nn.init.zeros_(self.head.weight)
        nn.init.normal_(self.fc2.weight, std=0.01)

    def forward(self, x):
        return self.head(self.cfg_act(self.fc2(self.fc1(x).relu())))
"""


def test_explain_names_reach_follow_and_overwrite():
    explanations = {e.line: e for e in picture_of(MODEL).explain()}
    assert sorted(explanations) == [10, 12, 14, 15, 16]
    first_head = explanations[10].reached[0]
    assert first_head.layer == "head (Linear(10, 10))" and not first_head.last and first_head.overwritten_by == (15,)
    assert "overwritten later at line 15" in explain_source(MODEL, "m.py")
    xavier = explanations[12]
    assert xavier.conditions == ["use_xavier"] and explanations[14].conditions == ["not (use_xavier)"]
    assert xavier.reached[0].follows == "ReLU, then linear" and xavier.reached[0].last


def test_explain_gives_the_verdict_or_the_reason_for_silence():
    text = explain_source(MODEL, "m.py")
    assert "m.py:12:13: nn.init.xavier_uniform_(self.fc1.weight)  [runs if use_xavier]" in text
    assert "-> IL101:" in text
    picture = picture_of(MODEL)
    reasons = {e.line: silence_reason(e, picture) for e in picture.explain()}
    assert reasons[10].startswith("every parameter it reaches is initialized again later")
    assert reasons[15].startswith("no rule objects")  # a zero-initialized output layer
    assert reasons[16].startswith("what follows its layers is unknown")  # self.cfg_act


def test_check_explain_on_the_command_line(tmp_path):
    model = tmp_path / "m.py"
    model.write_text(MODEL)
    result = CliRunner().invoke(main, ["check", "--explain", str(model)])
    assert result.exit_code == 0, result.output
    assert f"{model}:14:13: nn.init.kaiming_uniform_" in result.output
    assert "-> silent: no rule objects" in result.output
    broken = tmp_path / "broken.py"
    broken.write_text("import torch\ndef (:\n")
    result = CliRunner().invoke(main, ["check", "--explain", str(broken)])
    assert result.exit_code == 2 and "cannot explain" in result.output
