"""``weight_norm(m)`` returns ``m`` with the weight it had (issue 16: wavenet's and fairseq-style helpers
``m = nn.Conv1d(...); init(m.weight); return weight_norm(m)``): the init before the wrap is the layer's init,
one after it sets nothing (IL507 says so, and no other rule judges it). ``spectral_norm`` is no such wrapper:
it divides by the weight's largest singular value, so no init's scale survives it.
"""

from __future__ import annotations

import textwrap

import pytest

from initlint.analysis import check_source, picture_of
from initlint.picture import torchspec

HELPER = """\
import torch.nn as nn
from torch.nn.utils import {wrap}


def Linear(i, o):
    m = nn.Linear(i, o)
    nn.init.xavier_normal_(m.weight)
    return {wrap}(m)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = Linear(256, 256)
        self.fc2 = nn.Linear(256, 10)

    def forward(self, x):
        return self.fc2(nn.functional.relu(self.fc1(x)))
"""
AFTER = """\
import torch.nn as nn
from torch.nn.utils import weight_norm


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = weight_norm(nn.Linear(256, 256))
        self.fc2 = nn.Linear(256, 10)
        nn.init.xavier_normal_(self.fc1.weight)

    def forward(self, x):
        return self.fc2(nn.functional.relu(self.fc1(x)))
"""


def _codes(source: str) -> list[tuple[str, int]]:
    found = check_source(textwrap.dedent(source), "m.py")
    assert not [f for f in found if f.code in ("IL000", "IL001")], found
    return sorted((f.code, f.row) for f in found if f.code != "IL402")


def test_an_init_before_the_wrap_is_the_wrapped_layers_init() -> None:
    assert _codes(HELPER.format(wrap="weight_norm")) == [("IL101", 7)]
    layers = {layer.path: layer for layer in picture_of(HELPER.format(wrap="weight_norm")).layers.values()}
    assert layers["fc1"].reparametrized == {"weight"} and layers["fc1"].follow().activation is not None


def test_an_init_after_the_wrap_is_told_as_undone_and_judged_by_no_other_rule() -> None:
    assert _codes(AFTER) == [("IL507", 10)]
    picture = picture_of(AFTER)
    (fc1,) = [layer for layer in picture.layers.values() if layer.path == "fc1"]
    assert fc1.reparametrized == {"weight"}
    assert not [s for s in picture.inits if s.func == "xavier_normal_"], "the computed weight is no parameter"


def test_spectral_norm_is_not_a_wrapper_that_keeps_the_scale() -> None:
    source = HELPER.format(wrap="spectral_norm")
    assert _codes(source) == []
    layers = [layer for layer in picture_of(source).layers.values() if layer.kind == "Linear"]
    assert [layer.path for layer in layers if layer.path == "fc1"] == [], "spectral_norm's result is unknown"


torch = pytest.importorskip("torch")


@pytest.mark.filterwarnings("ignore:.*weight_norm.*deprecated:FutureWarning")
@pytest.mark.parametrize("qualified", sorted(torchspec.SCALE_KEEPING_WRAPPERS))
def test_torch_keeps_the_weight_at_the_wrap_and_ignores_an_init_after_it(qualified: str) -> None:
    module_name, _, func = qualified.rpartition(".")
    wrap = getattr(__import__(module_name, fromlist=[func]), func)
    torch.manual_seed(0)
    layer = torch.nn.Linear(64, 32)
    torch.nn.init.xavier_normal_(layer.weight)
    before = layer.weight.detach().clone()
    x = torch.randn(16, 64)
    expected = x @ before.T + layer.bias.detach()
    wrapped = wrap(layer)
    assert wrapped is layer
    assert torch.allclose(wrapped(x), expected, atol=1e-5), "the wrap computes the weight it was given"
    with torch.no_grad():
        torch.nn.init.normal_(wrapped.weight, std=10.0)  # the computed weight: a temporary, or recomputed
    assert torch.allclose(wrapped(x), expected, atol=1e-5), "an init after the wrap does not reach the output"


def test_torch_spectral_norm_divides_the_scale_away() -> None:
    torch.manual_seed(0)
    layer = torch.nn.utils.spectral_norm(torch.nn.Linear(64, 64), n_power_iterations=50)
    layer(torch.randn(4, 64))
    assert abs(torch.linalg.matrix_norm(layer.weight.detach(), ord=2).item() - 1.0) < 0.05
