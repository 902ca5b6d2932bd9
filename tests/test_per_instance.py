"""A wrapper class's init judged per instance (checks/per_instance.py, issue 16 item 4): tacotron2's
``LinearNorm`` runs ``xavier_uniform_(..., gain=calculate_gain(w_init_gain))`` on its own layer, and each
parent decides what its output meets. The Prenet's instances (the default ``w_init_gain='linear'``) meet ReLU;
an instance built with ``w_init_gain='sigmoid'`` meets a sigmoid. The uses disagree, so the layer alone has no
activation; each instance kind is judged on its own uses, when the init is the same for all of them."""

from __future__ import annotations

import math

import pytest

from initlint.analysis import check_source, picture_of
from tests.test_idioms import _src, line_of

WRAPPER = """
import torch
import torch.nn as nn
import torch.nn.functional as F


class LinearNorm(nn.Module):
    def __init__(self, in_dim, out_dim, bias=True, w_init_gain='linear'):
        super().__init__()
        self.linear_layer = nn.Linear(in_dim, out_dim, bias=bias)
        INIT

    def forward(self, x):
        return self.linear_layer(x)


class Prenet(nn.Module):
    def __init__(self, in_dim, sizes):
        super().__init__()
        in_sizes = [in_dim] + sizes[:-1]
        self.layers = nn.ModuleList([LinearNorm(i, o, bias=False) for (i, o) in zip(in_sizes, sizes)])

    def forward(self, x):
        for linear in self.layers:
            x = F.dropout(F.relu(linear(x)), p=0.5, training=True)
        return x


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.prenet = Prenet(80, [256, 256])
        self.gate = LinearNorm(256, 1, w_init_gain='sigmoid')

    def forward(self, x):
        return torch.sigmoid(self.gate(self.prenet(x)))
"""
INIT = "nn.init.xavier_uniform_(self.linear_layer.weight, gain=nn.init.calculate_gain(w_init_gain))"


def _findings(source: str) -> list:
    found = check_source(source, "m.py")
    assert not [f for f in found if f.code in ("IL000", "IL001")], found
    return [f for f in found if f.code.startswith("IL1")]


def test_the_instances_that_keep_the_default_gain_are_judged_on_their_own_uses() -> None:
    source = _src(WRAPPER.replace("INIT", INIT))
    got = _findings(source)
    assert [(f.code, f.row) for f in got] == [("IL101", line_of(source, "xavier_uniform_("))]
    found = got[0]
    prenet_line = line_of(source, "LinearNorm(i, o, bias=False)")
    assert found.message.startswith(f"With the instances built by `LinearNorm(i, o, bias=False)` (line "
                                    f"{prenet_line}): Xavier init on `linear_layer`, which feeds ReLU")
    assert "sigmoid" not in found.message.lower()  # the gate instance passes its own gain: not judged here
    assert found.fix is None and found.no_fix is not None and "every instance" in found.no_fix
    layer = next(layer for layer in picture_of(source).layers.values() if layer.path == "linear_layer")
    assert layer.follow().kind == "unknown"  # the layer alone: the instances disagree


def test_the_claim_holds_with_torch_for_the_prenets_sizes() -> None:
    """Xavier with gain 1 (calculate_gain('linear')) on Linear(80, 256) and Linear(256, 256) before ReLU:
    its std is sqrt(fan_in / (fan_in + fan_out)) of He's, 0.49x and 0.71x."""
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    for fan_in, fan_out in ((80, 256), (256, 256)):
        layer = torch.nn.Linear(fan_in, fan_out)
        torch.nn.init.xavier_uniform_(layer.weight, gain=torch.nn.init.calculate_gain("linear"))
        he = math.sqrt(2 / fan_in)
        assert layer.weight.std().item() / he == pytest.approx(math.sqrt(fan_in / (fan_in + fan_out)), rel=0.05)


def test_an_instance_that_passes_what_the_init_reads_is_not_judged_with_the_default() -> None:
    """Every instance passes ``w_init_gain``: the init's gain is the instance's, which the class's own run does
    not know, so no instance is judged (the Prenet's ``'relu'`` would be right)."""
    source = _src(WRAPPER.replace("INIT", INIT).replace("LinearNorm(i, o, bias=False)",
                                                        "LinearNorm(i, o, bias=False, w_init_gain='relu')"))
    assert _findings(source) == []
    sites = [s for s in picture_of(source).inits if s.func == "xavier_uniform_"]
    assert len(sites) == 1 and sites[0].targets  # the call was seen and reaches the layer


def test_an_init_reading_a_local_is_not_judged_per_instance() -> None:
    """``gain = calculate_gain(w_init_gain)`` first: the argument reads a name ``__init__`` computes, which may
    depend on what an instance passes, so nothing is said per instance."""
    init = "gain = nn.init.calculate_gain(w_init_gain)\n        nn.init.xavier_uniform_(self.linear_layer.weight, gain=gain)"
    source = _src(WRAPPER.replace("INIT", init))
    assert _findings(source) == []
    assert [s.func for s in picture_of(source).inits] == ["xavier_uniform_"]


IN_SEQUENTIAL = """
import torch.nn as nn
from torch.nn import init


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.linear = nn.Linear(in_features, out_features, bias=bias)
        init.xavier_uniform_(self.linear.weight)

    def forward(self, x):
        return self.linear(x)


class FeedForward(nn.Module):
    def __init__(self, dim=144, expansion=4):
        super().__init__()
        self.sequential = nn.Sequential(nn.LayerNorm(dim), Linear(dim, dim * expansion), nn.SiLU(),
                                        Linear(dim * expansion, dim))
        self.out = Linear(dim, dim)

    def forward(self, x):
        return self.out(self.sequential(x)).sigmoid()
"""


def test_an_instance_inside_a_sequential_is_told_apart() -> None:
    """The conformer's ``Linear`` wrapper: the instance inside the Sequential before SiLU is judged (Xavier on
    an expanding layer, 0.447x He's std), the others (into a Linear, and before a sigmoid) are not."""
    source = _src(IN_SEQUENTIAL)
    got = _findings(source)
    assert [(f.code, f.row) for f in got] == [("IL101", line_of(source, "init.xavier_uniform_("))]
    assert got[0].message.startswith("With the instances built by `Linear(dim, dim * expansion)` (line "
                                     f"{line_of(source, 'Linear(dim, dim * expansion)')}): Xavier init on "
                                     "`linear`, which feeds SiLU")
    torch = pytest.importorskip("torch")
    layer = torch.nn.Linear(144, 576)
    torch.nn.init.xavier_uniform_(layer.weight)
    assert layer.weight.std().item() / math.sqrt(2 / 144) == pytest.approx(math.sqrt(144 / 720), rel=0.05)
