"""An LSUV call (initlint.probe.lsuv_init, the lsuv package) is a deliberate init of the whole model: the static
rules treat it as the init that runs last on every Linear/Conv weight and bias it reaches, resolved through the
file's imports (a local ``def lsuv_init`` is not one)."""

from __future__ import annotations

import pytest

from initlint.analysis import check_source, picture_of
from initlint.explain import silence_reason
from initlint.picture.torchspec import DATA_DRIVEN_FUNC

DEEP = """\
import torch
import torch.nn as nn
{imports}


class Deep(nn.Module):
    def __init__(self, width=256, depth=10):
        super().__init__()
        layers = []
        for _ in range(depth):
            layers += [nn.Linear(width, width), nn.ReLU()]
        self.trunk = nn.Sequential(*layers)
        self.head = nn.Linear(width, 10)
{init}
    def forward(self, x):
        return self.head(self.trunk(x))


model = Deep()
{call}
"""

SMALL_STD = """\
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, std=0.01)
"""


def _source(imports: str, call: str, init: str = "") -> str:
    return DEEP.format(imports=imports, call=call, init=init)


def _codes(source: str) -> list[str]:
    return [f.code for f in check_source(source, "model.py")]


def _lsuv_site(source: str):  # type: ignore[no-untyped-def]
    picture = picture_of(source)
    explained = [e for e in picture.explain() if e.site.func == DATA_DRIVEN_FUNC]
    assert len(explained) == 1, "the LSUV call was not recorded as an init site"
    return picture, explained[0]


def test_without_lsuv_the_deep_default_stack_is_reported() -> None:
    assert _codes(_source("", "")) == ["IL501"]


@pytest.mark.parametrize(("imports", "call"), [
    ("from initlint.probe import lsuv_init", "lsuv_init(model, torch.randn(64, 256))"),
    ("import initlint.probe as probe", "probe.lsuv_init(model, torch.randn(64, 256), tol=0.05)"),
    ("from initlint.probe.lsuv import lsuv_init as lsuv", "lsuv(model=model, batch=torch.randn(64, 256))"),
    ("import lsuv", "model = lsuv.lsuv_with_singlebatch(model, torch.randn(64, 256), verbose=False)"),
    ("from lsuv import lsuv_with_dataloader", "lsuv_with_dataloader(model, loader)"),
    ("from lsuv.lsuvinit import LSUVinit", "LSUVinit(model, torch.randn(64, 256))"),
])
def test_lsuv_call_is_the_init_of_every_linear_layer(imports: str, call: str) -> None:
    source = _source(imports, call)
    assert _codes(source) == []
    picture, site = _lsuv_site(source)
    reached = {(picture.layers[r.ref.layer].kind, r.ref.param) for r in site.reached}
    assert reached == {("Linear", "weight"), ("Linear", "bias")}
    assert all(r.last for r in site.reached)
    assert "LSUV" in silence_reason(site, picture)


def test_lsuv_of_a_model_built_in_the_call() -> None:
    source = _source("import lsuv", "other = lsuv.lsuv_with_singlebatch(Deep(), torch.randn(64, 256))")
    assert _codes(source) == []
    _lsuv_site(source)


def test_lsuv_after_a_small_std_init_overrides_it() -> None:
    source = _source("from initlint.probe import lsuv_init", "lsuv_init(model, torch.randn(64, 256))", SMALL_STD)
    assert _codes(source) == []
    picture = picture_of(source)
    normal = next(e for e in picture.explain() if e.site.func == "normal_")
    assert normal.reached and not any(r.last for r in normal.reached)
    assert "initialized again later" in silence_reason(normal, picture)


def test_a_local_function_named_lsuv_init_is_not_lsuv() -> None:
    source = _source("", "lsuv_init(model, torch.randn(64, 256))").replace(
        "\n\nclass Deep", "\n\ndef lsuv_init(model, batch):\n    pass\n\n\nclass Deep", 1)
    assert _codes(source) == ["IL501"]
    assert not any(s.func == DATA_DRIVEN_FUNC for s in picture_of(source).inits)


def test_lsuv_of_another_model_leaves_this_one_judged() -> None:
    source = _source("from initlint.probe import lsuv_init", "lsuv_init(other, torch.randn(64, 256))",
                     SMALL_STD).replace("model = Deep()", "model = Deep()\n\n\nclass Other(nn.Module):\n"
                                        "    def __init__(self):\n        super().__init__()\n"
                                        "        self.fc = nn.Linear(8, 8)\n\n\nother = Other()")
    assert _codes(source) == ["IL202"]
    _, site = _lsuv_site(source)
    assert {r.layer for r in site.reached} == {"fc (Linear(8, 8))"}


def test_lsuv_of_a_target_we_cannot_resolve_never_says_default() -> None:
    """An unknown target is init code we cannot see: no IL501, and the explicit init is still judged."""
    plain = _source("from initlint.probe import lsuv_init", "lsuv_init(load_model(), torch.randn(64, 256))")
    assert _codes(plain) == []
    assert not any(s.func == DATA_DRIVEN_FUNC for s in picture_of(plain).inits)
    assert None in picture_of(plain).opaque_init
    judged = _source("from initlint.probe import lsuv_init", "lsuv_init(load_model(), torch.randn(64, 256))",
                     SMALL_STD)
    assert _codes(judged) == ["IL202"]


def test_lsuv_leaves_recurrent_and_norm_weights_to_their_rules() -> None:
    source = """\
import torch.nn as nn
from initlint.probe import lsuv_init


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(64, 64)
        self.norm = nn.LayerNorm(64)
        self.out = nn.Linear(64, 8)
        nn.init.xavier_uniform_(self.out.weight)
        for name, p in self.rnn.named_parameters():
            if "weight" in name:
                nn.init.xavier_uniform_(p)

    def forward(self, x):
        return self.out(self.norm(self.rnn(x)[0]))


model = Tagger()
lsuv_init(model, None)
"""
    assert _codes(source) == ["IL301"]
    picture, site = _lsuv_site(source)
    assert {picture.layers[r.ref.layer].kind for r in site.reached} == {"Linear"}
