"""A helper's init call judged per caller (picture/callers.py): ``orthogonal_init(self.fc1)`` with the
helper's default gain and ``orthogonal_init(self.head, gain=0.01)`` reach one ``nn.init.orthogonal_`` call.
Each set of arguments is judged on the layers its callers pass, never lent to the others; the finding names
the callers' arguments and keeps no rewrite (the helper's call serves them all)."""

from __future__ import annotations

import math

import pytest

from initlint.analysis import check_source, picture_of
from initlint.explain import silence_reason
from tests.test_idioms import _src, line_of

AGENT = """
import torch
import torch.nn as nn


def orthogonal_init(layer, gain=1.0):
    nn.init.orthogonal_(layer.weight, gain=gain)
    nn.init.constant_(layer.bias, 0)


class Actor(nn.Module):
    def __init__(self, state_dim=8, hidden=64, action_dim=2):
        super().__init__()
        self.fc1 = nn.Linear(state_dim, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.mean = nn.Linear(hidden, action_dim)
        orthogonal_init(self.fc1{first})
        orthogonal_init(self.fc2{first})
        orthogonal_init(self.mean, gain=0.01)

    def forward(self, s):
        s = torch.relu(self.fc1(s))
        s = torch.relu(self.fc2(s))
        return torch.tanh(self.mean(s))
"""
CALL = "nn.init.orthogonal_(layer.weight, gain=gain)"


def _findings(source: str) -> list:
    found = check_source(_src(source), "m.py")
    assert not [f for f in found if f.code in ("IL000", "IL001")], found
    return [f for f in found if f.code.startswith(("IL1", "IL2"))]


def test_the_hidden_layers_are_judged_with_their_callers_gain_and_the_head_with_its_own() -> None:
    source = AGENT.format(first="")
    got = _findings(source)
    assert [(f.code, f.row) for f in got] == [("IL103", line_of(_src(source), CALL))]
    found = got[0]
    assert found.message.startswith("With the callers that give `gain=1.0`: Gain 1 on `fc1` and `fc2`, which "
                                    "feed ReLU")
    assert "mean" not in found.message  # the head's 0.01 before tanh is its own, an output: not judged here
    assert found.fix is None and found.no_fix is not None and "callers" in found.no_fix
    assert found.fingerprint is not None and found.fingerprint.endswith("[gain=1.0]")
    picture = picture_of(_src(source))
    parts = {tuple(sorted(picture.layer(t.layer).path for t in s.targets)): s.args["gain"]
             for s in picture.inits if s.func == "orthogonal_"}
    assert parts == {("fc1", "fc2"): 1.0, ("mean",): 0.01}


def test_the_claim_holds_with_torch() -> None:
    """Orthogonal with gain 1 on a square hidden layer keeps the norm; ReLU then halves the second moment, so
    the signal shrinks by 1/sqrt(2) per layer where gain sqrt(2) keeps it."""
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    x = torch.randn(4096, 64)
    for gain, wanted in ((1.0, 1 / math.sqrt(2)), (math.sqrt(2), 1.0)):
        w = torch.empty(64, 64)
        torch.nn.init.orthogonal_(w, gain=gain)
        out = torch.relu(x @ w.T)
        assert (out.pow(2).mean() / x.pow(2).mean()).sqrt().item() == pytest.approx(wanted, rel=0.05)


def test_callers_that_all_give_the_right_gain_stay_silent() -> None:
    """``gain=math.sqrt(2)`` at both hidden calls (a number, evaluated in the caller) and 0.01 at the head:
    two parts, both fine; the site was seen and split, and each part is silent for its own reason."""
    source = AGENT.format(first=", gain=math.sqrt(2)").replace("import torch\n", "import math\nimport torch\n", 1)
    assert _findings(source) == []
    picture = picture_of(_src(source))
    parts = [s for s in picture.inits if s.func == "orthogonal_"]
    assert sorted(s.callers or "" for s in parts) == ["gain=0.01", f"gain={math.sqrt(2)!r}"]
    explained = {e.line: e for e in picture.explain()}
    assert silence_reason(explained[line_of(_src(source), CALL)], picture)


def test_a_layer_reached_with_two_gains_keeps_the_merged_site() -> None:
    """``fc1`` passed twice with different gains: which of them wins is not the split's to decide, so the
    gain stays unknown and nothing is said about it."""
    source = AGENT.format(first="").replace("orthogonal_init(self.mean, gain=0.01)",
                                            "orthogonal_init(self.mean, gain=0.01)\n"
                                            "        orthogonal_init(self.fc1, gain=0.5)")
    assert _findings(source) == []
    sites = [s for s in picture_of(_src(source)).inits if s.func == "orthogonal_"]
    assert len(sites) == 1 and sites[0].callers is None


RESIDUAL_OFF_HIDDEN = """
import torch.nn as nn


def layer_init(layer, std=2 ** 0.5):
    nn.init.orthogonal_(layer.weight, std)
    return layer


class Agent(nn.Module):
    def __init__(self):
        super().__init__()
        self.network = nn.Sequential(layer_init(nn.Linear(64, 448)), nn.ReLU())
        self.extra_layer = nn.Sequential(layer_init(nn.Linear(448, 448), std=0.1), nn.ReLU())
        self.critic = layer_init(nn.Linear(448, 1), std=0.01)

    def forward(self, x):
        hidden = self.network(x)
        features = self.extra_layer(hidden)
        return self.critic(features + hidden)
"""


def test_a_branch_added_back_to_the_value_it_ran_on_is_a_residual_branch() -> None:
    """``features + hidden`` with ``features = self.extra_layer(hidden)``: a residual branch off ``hidden``
    (not the forward's input), so its small start (gain 0.1) is the point and IL202 stays silent on it."""
    source = _src(RESIDUAL_OFF_HIDDEN)
    assert _findings(RESIDUAL_OFF_HIDDEN) == []
    picture = picture_of(source)
    extra = next(layer for layer in picture.layers.values() if layer.path == "extra_layer.0")
    network = next(layer for layer in picture.layers.values() if layer.path == "network.0")
    assert "residual" in extra.after_act and extra.uid in network.feeds
    assert picture.in_residual_branch(extra.uid)
    part = next(s for s in picture.inits if s.func == "orthogonal_" and s.args.get("gain") == 0.1)
    assert [picture.layer(t.layer).path for t in part.targets] == ["extra_layer.0"]


def test_the_same_small_gain_on_a_plain_hidden_layer_is_reported() -> None:
    """The control: the branch's output goes on to the critic alone (no add back): IL202 on it."""
    source = RESIDUAL_OFF_HIDDEN.replace("self.critic(features + hidden)", "self.critic(features)")
    got = _findings(source)
    assert [f.code for f in got] == ["IL202"]
    assert got[0].message.startswith("With the callers that give `gain=0.1`: `orthogonal_` with gain=0.1 "
                                     "initializes `extra_layer.0` (Linear(448, 448)")
