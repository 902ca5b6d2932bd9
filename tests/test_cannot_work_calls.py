"""IL403-IL406, IL409: init calls whose own arguments make them crash or do something else than meant."""

from __future__ import annotations

import pytest

from initlint.analysis import check_source, fix_source
from initlint.config import Settings

ALL = Settings(select=("ALL",))

HEADER = """\
import math
import torch
import torch.nn as nn
from torch.nn import init


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(64, 64)
        self.head = nn.Linear(64, 1)
        self.act = make_activation()  # unknown: the scale and family rules stay out of these tests
"""


def _model(*lines: str) -> str:
    return HEADER + "".join(f"        {line}\n" for line in lines) + \
        "\n    def forward(self, x):\n        return self.head(self.act(self.fc(x)))\n"


def _codes(source: str, settings: Settings = ALL) -> list[tuple[int, str]]:
    found = check_source(source, "m.py", settings)
    assert not any(f.code == "IL001" for f in found), found
    return [(f.row, f.code) for f in found]


def _fixed(source: str) -> str:
    text, count, _ = fix_source(source, "m.py", ALL, unsafe=True)
    assert count >= 1
    return text


@pytest.mark.parametrize("call", [
    'nn.init.calculate_gain("gelu")',
    "init.calculate_gain('silu')",
    'nn.init.kaiming_normal_(self.fc.weight, nonlinearity="elu")',
    'nn.init.kaiming_uniform_(self.fc.weight, 0, "fan_in", "mish")',
    'torch.nn.init.kaiming_normal_(self.fc.weight, nonlinearity="ReLU")',
    'nn.init.kaiming_normal(self.fc.weight, nonlinearity="relu6")',
])
def test_il403_fires(call: str) -> None:
    assert (13, "IL403") in _codes(_model(f"g = {call}" if "gain" in call else call))


@pytest.mark.parametrize("call", [
    'nn.init.calculate_gain("tanh")',
    'nn.init.calculate_gain("leaky_relu", 0.2)',
    'nn.init.calculate_gain("conv_transpose2d")',
    "nn.init.calculate_gain(self.act_name)",  # a name held in a variable is not judged
    'nn.init.kaiming_normal_(self.fc.weight, nonlinearity="selu")',
    'nn.init.kaiming_normal_(self.fc.weight, a=0.2)',  # the default nonlinearity, leaky_relu
])
def test_il403_silent_on_accepted_or_unknown_names(call: str) -> None:
    assert "IL403" not in {code for _, code in _codes(_model(f"g = {call}"))}


def test_il403_a_local_calculate_gain_is_not_torchs() -> None:
    source = _model('g = calculate_gain("gelu")') + "\n\ndef calculate_gain(name):\n    return 1.0\n"
    assert "IL403" not in {code for _, code in _codes(source)}


@pytest.mark.parametrize(("before", "after"), [
    ('nn.init.calculate_gain("relu6")', 'nn.init.calculate_gain("relu")'),
    ('nn.init.calculate_gain("prelu")', 'nn.init.calculate_gain("leaky_relu", 0.25)'),
    ('nn.init.calculate_gain("gelu")', "1.534"),
    ("nn.init.calculate_gain('Tanh')", "nn.init.calculate_gain('tanh')"),
    ('nn.init.kaiming_normal_(self.fc.weight, nonlinearity="prelu")',
     'nn.init.kaiming_normal_(self.fc.weight, nonlinearity="leaky_relu", a=0.25)'),
    ('nn.init.kaiming_normal_(self.fc.weight, a=0.1, nonlinearity="prelu")',
     'nn.init.kaiming_normal_(self.fc.weight, a=0.1, nonlinearity="leaky_relu")'),
    ('nn.init.kaiming_normal_(self.fc.weight, nonlinearity="silu")',
     'nn.init.kaiming_normal_(self.fc.weight, nonlinearity="relu")'),
])
def test_il403_fixes(before: str, after: str) -> None:
    fixed = _fixed(_model(f"x = {before}"))
    assert f"x = {after}" in fixed
    assert "IL403" not in {code for _, code in _codes(fixed)}


def test_il403_kaiming_with_a_saturating_name_has_no_fix_but_says_what_to_use() -> None:
    [finding] = [f for f in check_source(_model('nn.init.kaiming_normal_(self.fc.weight, nonlinearity="hardtanh")'),
                                         "m.py", ALL) if f.code == "IL403"]
    assert finding.fix is None and finding.no_fix is not None and "1.392" in finding.no_fix


def test_il404_fires_and_fixes_misspellings_only() -> None:
    source = _model('nn.init.kaiming_normal_(self.fc.weight, mode="fan_avg")',
                    "nn.init.kaiming_uniform_(self.fc.weight, mode='Fan-Out')")
    assert [c for c in _codes(source) if c[1] == "IL404"] == [(13, "IL404"), (14, "IL404")]
    fixed, _, left = fix_source(source, "m.py", ALL)
    assert "mode='fan_out'" in fixed and 'mode="fan_avg"' in fixed
    assert [f.row for f in left if f.code == "IL404"] == [13]


def test_il404_silent_on_both_modes_and_variables() -> None:
    source = _model('nn.init.kaiming_normal_(self.fc.weight, mode="fan_out")',
                    'nn.init.kaiming_normal_(self.fc.weight, mode="FAN_IN")',  # torch lowercases it
                    "nn.init.kaiming_normal_(self.fc.weight, mode=self.mode)")
    assert "IL404" not in {code for _, code in _codes(source)}


def test_il405_is_off_by_default_and_on_when_named() -> None:
    source = _model("nn.init.trunc_normal_(self.fc.weight, std=0.02)")
    assert "IL405" not in {code for _, code in _codes(source, Settings())}
    assert "IL405" not in {code for _, code in _codes(source, Settings(select=("IL4",)))}
    assert (13, "IL405") in _codes(source, Settings(extend_select=("IL405",)))
    assert (13, "IL405") in _codes(source, ALL)


@pytest.mark.parametrize("call", [
    "nn.init.trunc_normal_(self.fc.weight, std=0.02, a=-0.04, b=0.04)",
    "nn.init.trunc_normal_(self.fc.weight, std=1.0)",  # bounds at 2 std: a real truncation
    "nn.init.trunc_normal_(self.fc.weight, std=self.std)",
    "timm_trunc_normal_(self.fc.weight, std=0.02)",
])
def test_il405_silent(call: str) -> None:
    assert "IL405" not in {code for _, code in _codes(_model(call))}


def test_il405_fix_adds_bounds_in_units_of_std() -> None:
    fixed = _fixed(_model("nn.init.trunc_normal_(self.fc.weight, std=0.02)"))
    assert "nn.init.trunc_normal_(self.fc.weight, std=0.02, a=-0.04, b=0.04)" in fixed


@pytest.mark.parametrize("call", [
    "nn.init.uniform_(self.fc.weight, 0.1, -0.1)",
    "self.fc.weight.data.uniform_(1.0, 0.02)",
    "nn.init.uniform_(self.fc.weight, a=0.5, b=0.0)",
    "self.fc.bias.data.uniform_(stdv, -stdv)",
])
def test_il406_fires_without_a_fix(call: str) -> None:
    source = _model("stdv = 1.0 / math.sqrt(64)", call)
    found = [f for f in check_source(source, "m.py", ALL) if f.code == "IL406"]
    assert [f.row for f in found] == [14] and found[0].fix is None and found[0].no_fix


@pytest.mark.parametrize("call", [
    "nn.init.uniform_(self.fc.weight, -0.1, 0.1)",
    "self.fc.bias.data.uniform_(-stdv, stdv)",
    "nn.init.uniform_(self.fc.weight, 0.1, 0.1)",  # an empty range is allowed (every value 0.1)
    "self.fc.bias.data.uniform_(lo - 1, -(lo - 1))",  # the sign of a difference is unknown
    "random.uniform(0.5, 0.1)",
])
def test_il406_silent(call: str) -> None:
    source = _model("stdv = 1.0 / math.sqrt(64)", "lo = 0.5", call)
    assert "IL406" not in {code for _, code in _codes(source)}


@pytest.mark.parametrize(("before", "after"), [
    ("nn.init.normal_(self.fc.weight, -0.05, 0.05)", "nn.init.uniform_(self.fc.weight, -0.05, 0.05)"),
    ("self.fc.weight.data.normal_(-stdv, stdv)", "self.fc.weight.data.uniform_(-stdv, stdv)"),
])
def test_il409_fires_and_fixes(before: str, after: str) -> None:
    source = _model("stdv = 1.0 / math.sqrt(64)", before)
    assert (14, "IL409") in _codes(source)
    fixed = _fixed(source)
    assert after in fixed and "IL409" not in {code for _, code in _codes(fixed)}


@pytest.mark.parametrize("call", [
    "nn.init.normal_(self.fc.weight, 0.0, 0.05)",
    "nn.init.normal_(self.fc.weight, -0.05, 0.02)",  # a deliberate negative mean with its own std
    "self.fc.weight.data.normal_(mean=0.0, std=stdv)",
])
def test_il409_silent(call: str) -> None:
    source = _model("stdv = 1.0 / math.sqrt(64)", call)
    assert "IL409" not in {code for _, code in _codes(source)}
