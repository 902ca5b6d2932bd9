"""IL504, IL408, IL410, IL407: init code whose tests, guards or in-place writes cannot work, with the
false-positive guards the issue names (a one-element tensor in ``if`` is legal; ``nn.init.*`` on a slice,
``.data`` and ``torch.no_grad()`` are fine; a ``None`` guard anywhere on the path counts)."""

from __future__ import annotations

import pytest

from initlint.analysis import check_source, fix_source
from initlint.config import Settings

ALL = Settings(select=("ALL",))


def _codes(source: str, code: str) -> list[int]:
    found = check_source(source, "m.py", ALL)
    assert not any(f.code == "IL001" for f in found), found
    return [f.row for f in found if f.code == code]


def _fixed(source: str, code: str) -> str:
    text, count, left = fix_source(source, "m.py", Settings(select=(code,)), unsafe=False)
    assert count >= 1 and not [f for f in left if f.code == code]
    compile(text, "fixed.py", "exec")
    return text


# --------------------------------------------------------------------------- IL504

LOOP = """\
import torch.nn as nn


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(100, 128)
        for name, p in self.lstm.named_parameters():
            if {test}:
                nn.init.orthogonal_(p)
            else:
                nn.init.zeros_(p)
"""


@pytest.mark.parametrize(("test", "meant"), [
    ('"weight_hh" or "weight_ih" in name', '"weight_hh" in name or "weight_ih" in name'),
    ("'a' or 'b' or 'weight' in name", "'a' in name or 'b' in name or 'weight' in name"),
    ('name == "weight_hh_l0" or "weight_ih_l0"', 'name in ("weight_hh_l0", "weight_ih_l0")'),
])
def test_il504_fires_and_fixes(test: str, meant: str) -> None:
    source = LOOP.format(test=test)
    assert _codes(source, "IL504") == [9]
    assert f"if {meant}:" in _fixed(source, "IL504")


@pytest.mark.parametrize("test", [
    '"weight" in name or "bias" in name',
    'name.startswith("weight") or "hh" in name',
    '("weight" or "bias") in name and False',  # not an ``or`` at the top: a different mistake, not judged
])
def test_il504_silent(test: str) -> None:
    assert _codes(LOOP.format(test=test), "IL504") == []


def test_il504_only_in_init_code() -> None:
    source = "def pick(name):\n    if 'a' or 'b' in name:\n        return 1\n    return 0\nimport torch\n"
    assert _codes(source, "IL504") == []
    loading = "import torch\n\n\ndef load_weights(path):\n    if path.endswith('.pkl') or '.pth':\n        return 1\n"
    assert _codes(loading, "IL504") == []  # loading a checkpoint is not init code


def test_il504_without_a_rewrite_says_why() -> None:
    [finding] = [f for f in check_source(LOOP.format(test='"weight" or flag'), "m.py", ALL) if f.code == "IL504"]
    assert finding.fix is None and finding.no_fix


# --------------------------------------------------------------------------- IL408

TRUTH = """\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, out=10):
        super().__init__()
        self.conv = nn.Conv2d(3, 32, 3)
        self.fc = nn.Linear(32, {out})
        for m in self.modules():
            if isinstance(m, nn.Linear):
                if {test}:
                    nn.init.zeros_(m.bias)
        if {direct}:
            nn.init.zeros_(self.fc.bias)
"""


def test_il408_fires_on_multi_element_biases_and_fixes() -> None:
    source = TRUTH.format(out=10, test="m.bias", direct="not self.fc.bias")
    assert _codes(source, "IL408") == [11, 13]
    fixed = _fixed(source, "IL408")
    assert "if m.bias is not None:" in fixed and "if self.fc.bias is None:" in fixed


def test_il408_one_element_tensor_is_legal() -> None:
    source = TRUTH.format(out=1, test="m.bias", direct="self.fc.bias")
    assert _codes(source, "IL408") == []


def test_il408_silent_on_presence_tests_and_unknown_sizes() -> None:
    assert _codes(TRUTH.format(out=10, test="m.bias is not None", direct="self.fc.bias is not None"), "IL408") == []
    assert _codes(TRUTH.format(out="n_out", test="m.bias", direct="self.fc.bias"), "IL408") == []


ROUTINE = """\
import torch.nn as nn
from torch.nn import init


def init_params(net):
    for m in net.{loop}():
        if isinstance(m, {kind}):
            init.kaiming_normal_(m.weight, mode="fan_out")
            if m.bias:
                init.constant_(m.bias, 0)
"""


def test_il408_judges_a_routine_for_any_network_on_the_layer_kind() -> None:
    """No model runs ``init_params``: it is judged for every network it can be given, and a Conv2d with more
    than one output channel, which almost every network has, makes it raise."""
    source = ROUTINE.format(loop="modules", kind="nn.Conv2d")
    found = [f for f in check_source(source, "m.py", ALL) if f.code == "IL408"]
    assert [f.row for f in found] == [9]
    assert "any nn.Conv2d with more than one output channel" in found[0].message
    assert "whether its value is non-zero" in found[0].message
    assert "if m.bias is not None:" in _fixed(source, "IL408")


def test_il408_routine_silent_when_the_kind_is_not_torchs_or_the_variable_is_not_the_networks() -> None:
    # a class of the user's own: its bias may be anything
    assert _codes(ROUTINE.format(loop="modules", kind="MyConv"), "IL408") == []
    # a loop over something other than the network's modules: nothing says m is a module of it
    assert _codes(ROUTINE.format(loop="parameters", kind="nn.Conv2d"), "IL408") == []
    # a one-parameter module kind without a bias: nothing to test
    assert _codes(ROUTINE.format(loop="modules", kind="nn.PReLU"), "IL408") == []


def test_il408_routine_run_on_a_checked_model_is_judged_on_that_model() -> None:
    """Once a checked model runs the routine, its sizes decide: an unknown ``n_out`` stays unjudged."""
    source = ROUTINE.format(loop="modules", kind="nn.Linear").replace(
        'mode="fan_out"', "a=0") + """

class Net(nn.Module):
    def __init__(self, n_out):
        super().__init__()
        self.fc = nn.Linear(32, n_out)
        init_params(self)
"""
    from initlint.analysis import picture_of
    picture = picture_of(source)
    assert any(site.targets for site in picture.inits), "the routine's inits were run on Net"
    assert _codes(source, "IL408") == []


# --------------------------------------------------------------------------- IL410

VIEW = """\
import torch
import torch.nn as nn


class Encoder(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.lstm = nn.LSTM(32, hidden)
        self.fc = nn.Linear(hidden, hidden)
        {line}
"""


@pytest.mark.parametrize(("line", "fixed"), [
    ("self.lstm.bias_hh_l0[hidden:2 * hidden].fill_(1.0)", "self.lstm.bias_hh_l0.data[hidden:2 * hidden].fill_(1.0)"),
    ("self.lstm.bias_hh_l0.chunk(4)[1].fill_(1.0)", "self.lstm.bias_hh_l0.data.chunk(4)[1].fill_(1.0)"),
    ("self.fc.weight.normal_(0, 0.02)", "self.fc.weight.data.normal_(0, 0.02)"),
])
def test_il410_fires_and_fixes(line: str, fixed: str) -> None:
    source = VIEW.format(line=line)
    assert _codes(source, "IL410") == [10]
    assert fixed in _fixed(source, "IL410")


@pytest.mark.parametrize("line", [
    "self.lstm.bias_hh_l0.data[hidden:2 * hidden].fill_(1.0)",
    "nn.init.constant_(self.lstm.bias_hh_l0[hidden:2 * hidden], 1.0)",  # nn.init runs under no_grad
    "self.fc.weight.detach().normal_(0, 0.02)",
    "torch.empty(3).normal_()",
])
def test_il410_silent_on_data_detach_and_nn_init(line: str) -> None:
    assert _codes(VIEW.format(line=line), "IL410") == []


def test_il410_silent_under_no_grad_and_in_code_nobody_visible_calls() -> None:
    source = VIEW.format(line="with torch.no_grad():\n            self.fc.weight.normal_(0, 0.02)") + """
    @torch.no_grad()
    def reset(self):
        self.fc.weight.normal_(0, 0.02)

    def _init_weights(self, module):  # called by a framework hook we cannot see
        self.fc.weight.normal_(0, 0.02)
"""
    assert _codes(source + "\n\ndef later(model):\n    model.reset()\n", "IL410") == []


def test_il410_follows_calls_and_apply_from_init() -> None:
    source = VIEW.format(line="self.reset()") + """
    def reset(self):
        self.apply(self._init)

    def _init(self, m):
        if isinstance(m, nn.Linear):
            m.weight.normal_(0, 0.02)
"""
    assert _codes(source, "IL410") == [17]


# --------------------------------------------------------------------------- IL407

APPLY = """\
import torch.nn as nn


class ConvBN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 32, 3, padding=1, bias={bias})
        self.bn = nn.BatchNorm2d(32)
        self.fc = nn.Linear(32, 10)
        self.apply(self._init_weights)

    def _init_weights(self, m):
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight, mode="fan_out")
            {bias_line}
"""


def test_il407_fires_and_fixes() -> None:
    source = APPLY.format(bias=False, bias_line="nn.init.zeros_(m.bias)")
    assert _codes(source, "IL407") == [15]
    fixed = _fixed(source, "IL407")
    assert "            if m.bias is not None:\n                nn.init.zeros_(m.bias)\n" in fixed


def test_il407_silent_when_every_reached_module_has_a_bias() -> None:
    assert _codes(APPLY.format(bias=True, bias_line="nn.init.zeros_(m.bias)"), "IL407") == []


@pytest.mark.parametrize("guard", [
    "if m.bias is not None:\n                nn.init.zeros_(m.bias)",
    "if getattr(m, 'bias', None) is not None:\n                m.bias.data.zero_()",
    "try:\n                nn.init.zeros_(m.bias)\n            except AttributeError:\n                pass",
])
def test_il407_a_guard_anywhere_counts(guard: str) -> None:
    assert _codes(APPLY.format(bias=False, bias_line=guard), "IL407") == []


def test_il407_an_early_exit_elsewhere_in_the_routine_counts() -> None:
    source = APPLY.format(bias=False, bias_line="nn.init.zeros_(m.bias)").replace(
        "    def _init_weights(self, m):\n", "    def _init_weights(self, m):\n        if m.bias is None:\n"
        "            return\n")
    assert _codes(source, "IL407") == []


def test_il407_hasattr_is_no_guard() -> None:
    source = APPLY.format(bias=False, bias_line="if hasattr(m, 'bias'):\n                m.bias.data.zero_()")
    assert _codes(source, "IL407") == [16]


def test_il407_direct_attribute_of_a_bias_free_layer() -> None:
    source = APPLY.format(bias=False, bias_line="pass").replace(
        "        self.apply(self._init_weights)\n", "        nn.init.zeros_(self.conv.bias)\n")
    assert _codes(source, "IL407") == [10]
