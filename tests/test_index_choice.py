"""A loop that picks each pass's activation by its index (issue 16, DLRM's create_mlp): ``if i == k: Sigmoid
else: ReLU``. At most one pass takes the ``==`` arm, so with 2 passes or more some layer feeds ReLU; with one pass
or an unknown count nothing holds for every ``k``, and initlint stays silent."""

from __future__ import annotations

from initlint.analysis import check_source, picture_of
from initlint.picture.model import ACT, UNKNOWN
from tests.test_idioms import _src, expect

MLP = """
import numpy as np
import torch
import torch.nn as nn

class Net(nn.Module):
    def make(self, sizes, sigmoid_layer):
        layers = nn.ModuleList()
        for i in {loop}:
            n = sizes[i]
            m = sizes[i + 1]
            layer = nn.Linear(int(n), int(m))
            {init}
            layers.append(layer)
            if {test}:
                layers.append(nn.Sigmoid())
            else:
                layers.append(nn.ReLU())
        return nn.Sequential(*layers)

    def __init__(self, sigmoid_layer=-1):
        super().__init__()
        self.mlp = self.make(np.array([13, 64, 32, 1]), sigmoid_layer)

    def forward(self, x):
        return self.mlp(x)
"""

HAND = ("W = np.random.normal(0.0, np.sqrt(2 / (m + n)), size=(m, n)).astype(np.float32); "
        "layer.weight.data = torch.tensor(W)")


def _mlp(loop: str = "range(3)", init: str = HAND, test: str = "i == sigmoid_layer") -> str:
    return MLP.format(loop=loop, init=init, test=test)


def _layer(src: str):
    picture = picture_of(_src(src))
    (layer,) = [l for l in picture.layers.values() if l.kind == "Linear"]
    return layer


def test_hand_glorot_in_a_loop_of_three_passes_is_il101_for_the_relu_passes():
    src = _mlp()
    expect(src, ("IL101", "layer.weight.data = torch.tensor(W)"), sites={"torch.tensor(W)": {"mlp.*.weight"}})
    (finding,) = [f for f in check_source(_src(src), "model.py") if f.code == "IL101"]
    text = finding.message + " " + " ".join(n.text for n in finding.notes)
    # the claim holds for every value of sigmoid_layer: no particular layer is named as the ReLU one
    assert "in every loop pass but possibly one" in finding.message
    assert "the pass where `i == sigmoid_layer` (if any, not known here) feeds Sigmoid" in text
    assert "at least 2 of the 3 copies feed ReLU" in text


def test_xavier_call_flagged_and_not_rewritten_since_one_pass_may_want_it():
    src = _mlp(init="nn.init.xavier_uniform_(layer.weight)", test="sigmoid_layer != i")
    swapped = src.replace("nn.Sigmoid()", "SWAP").replace("nn.ReLU()", "nn.Sigmoid()").replace("SWAP", "nn.ReLU()")
    # ``!=`` with Sigmoid in its arm: Sigmoid in every pass but one, Xavier fits
    expect(src, sites={"nn.init.xavier_uniform_(layer.weight)": {"mlp.*.weight"}})
    src = swapped  # ReLU in the ``!=`` arm: still at most one pass feeds Sigmoid
    expect(src, ("IL101", "nn.init.xavier_uniform_(layer.weight)"))
    (finding,) = [f for f in check_source(_src(src), "model.py") if f.code == "IL101"]
    assert finding.fix is None and "which is not known" in (finding.no_fix or "")


def test_unknown_pass_count_stays_silent_with_the_site_seen():
    src = _mlp(loop="range(0, sizes.size - 1)")
    # the init reaches the loop's Linear, and its follow records ReLU but for one pass ...
    expect(src, sites={"torch.tensor(W)": {"mlp.*.weight"}})
    layer = _layer(src)
    assert {(f.kind, f.activation.name, f.but_one.name, f.passes) for f in layer.follows} == {
        (ACT, "relu", "sigmoid", None)}
    # ... but the loop could run once, with that pass the Sigmoid one: nothing holds for every sigmoid_layer
    assert layer.follow().kind == UNKNOWN


def test_one_pass_stays_silent_and_he_is_not_called_wrong_for_sigmoid():
    # one pass: it may be the Sigmoid one (Glorot right there); kaiming there is not IL102 either, since it may
    # be the ReLU one. Before, both arms read as one after the other, every Linear "feeding Sigmoid".
    expect(_mlp(loop="range(1)"), sites={"torch.tensor(W)": {"mlp.*.weight"}})
    kaiming = _mlp(loop="range(0, sizes.size - 1)", init="nn.init.kaiming_normal_(layer.weight)")
    expect(kaiming, sites={"nn.init.kaiming_normal_(layer.weight)": {"mlp.*.weight"}})
    assert _layer(kaiming).follows[0].but_one is not None


def test_a_test_the_loop_changes_is_no_index_choice():
    # ``k`` is reassigned in the body: several passes may take the Sigmoid arm, so it is no IndexChoice
    src = _mlp(test="i == k").replace("layers.append(layer)", "layers.append(layer); k = i + 1")
    layer = _layer(src)
    assert all(f.but_one is None for f in layer.follows)
    expect(src, sites={"torch.tensor(W)": {"mlp.*.weight"}})


def test_a_fixed_std_in_such_a_loop_is_not_judged_since_one_pass_may_want_another_std():
    """normal_(std=0.01) is far under He for the ReLU passes, but one pass may feed Sigmoid and want Glorot:
    IL202 names no number that holds for every pass, so it says nothing (the site reaches the loop's layer)."""
    src = _mlp(init="nn.init.normal_(layer.weight, std=0.01)")
    assert [f.code for f in check_source(_src(src), "m.py") if f.code == "IL202"] == []
    layer = _layer(src)
    assert layer.follow().but_one is not None
    (site,) = [s for s in picture_of(_src(src)).inits if s.func == "normal_"]
    assert [ref.layer for ref in site.targets] == [layer.uid]
