"""Hand-written Glorot and He draws (issue 16, item 6): a ``normal_``/``uniform_`` scale or a drawn tensor whose
scale is exactly Glorot's or He's formula in the layer's own fans is that init written out, and IL101/IL102
judge it as one. Only when the formula's fans provably are the layer's (by value, read from the layer, or the
same names in the same run); otherwise nothing changes. Every number is measured with torch."""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from initlint.analysis import picture_of
from initlint.checks.hand_forms import GLOROT, HE, hand_form
from tests.test_idioms import _src, expect, line_of


def _forms(code: str, snippet: str) -> dict[str, str | None]:
    """Layer path -> the hand form the init on the snippet's line is, for each layer it reaches."""
    src = _src(code)
    picture = picture_of(src)
    line = line_of(src, snippet)
    out: dict[str, str | None] = {}
    for site in picture.inits:
        if site.location.line != line:
            continue
        for ref in site.targets:
            layer = picture.layer(ref.layer)
            found = hand_form(picture, site, layer)
            out[layer.path] = found.form if found is not None else None
    assert out, f"no init site seen at {snippet!r}"
    return out


# --------------------------------------------------------------------------- the formulas, measured


def test_hand_written_glorot_draws_are_torch_xavier() -> None:
    """N(0, sqrt(2/(m+n))) for Linear(n, m) is xavier_normal_'s std; rand*2r - r with r = sqrt(6/(n+m)) is
    xavier_uniform_'s U(-r, r); both measured against torch's own init on the same shape."""
    n, m = 300, 500
    layer = nn.Linear(n, m)
    torch.manual_seed(0)
    nn.init.xavier_normal_(layer.weight)
    drawn = np.random.default_rng(0).normal(0, np.sqrt(2 / (m + n)), size=(m, n))
    assert math.isclose(float(layer.weight.detach().std()), float(drawn.std()), rel_tol=0.01)
    r = np.sqrt(6.0 / (n + m))
    uniform = torch.rand(m, n) * 2 * r - r
    nn.init.xavier_uniform_(layer.weight)
    assert math.isclose(float(layer.weight.detach().abs().max()), float(uniform.abs().max()), rel_tol=0.01)
    assert math.isclose(float(layer.weight.detach().std()), float(uniform.std()), rel_tol=0.01)


def test_hand_written_he_draw_is_torch_kaiming() -> None:
    layer = nn.Linear(400, 100)
    torch.manual_seed(0)
    nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
    drawn = torch.randn(100, 400) * math.sqrt(2.0 / 400)
    assert math.isclose(float(layer.weight.detach().std()), float(drawn.std()), rel_tol=0.02)


# --------------------------------------------------------------------------- Glorot by hand before ReLU

TOWER = """
    import numpy as np
    import torch
    import torch.nn as nn

    class Tower(nn.Module):
        def make(self, widths):
            layers = nn.ModuleList()
            for i in range(len(widths) - 1):
                n = widths[i]
                m = widths[i + 1]
                lin = nn.Linear(int(n), int(m), bias=True)
                W = np.random.normal(0.0, np.sqrt(2 / (m + n)), size=(m, n)).astype(np.float32)
                lin.weight.data = torch.tensor(W, requires_grad=True)
                layers.append(lin)
                layers.append(nn.ReLU())
            return torch.nn.Sequential(*layers)

        def __init__(self, widths):
            super().__init__()
            self.body = self.make(widths)

        def forward(self, x):
            return self.body(x)
"""


def test_numpy_glorot_in_an_mlp_loop_is_xavier_before_relu() -> None:
    """The loop's ``n``/``m`` are the Linear's in/out (bound once, in the same loop body): Glorot normal
    written out, before ReLU: IL101, saying so, with no rewrite of a hand draw."""
    assert _forms(TOWER, "lin.weight.data = torch.tensor(W") == {"body.*": GLOROT}
    (found,) = expect(TOWER, ("IL101", "lin.weight.data = torch.tensor(W"), families=("IL1",))
    assert found.title.startswith("Xavier init (a hand-written Glorot draw) on `body.*`")
    assert "`np.sqrt(2 / (m + n))` is sqrt(2/(fan_in+fan_out))" in found.message
    assert "Xavier's std is below He's" in found.message  # sizes unknown: what holds for every size
    assert found.fix is None and "drawn by hand" in (found.no_fix or "")


def test_names_rebound_between_the_layer_and_the_draw_prove_nothing() -> None:
    code = TOWER.replace("                lin.weight.data = torch.tensor(W",
                         "                m = m * 2\n                lin.weight.data = torch.tensor(W")
    assert _forms(code, "lin.weight.data = torch.tensor(W") == {"body.*": None}
    expect(code, families=("IL1",), sites={"lin.weight.data = torch.tensor(W": {"body.*.weight"}})


def test_names_that_are_not_the_layers_prove_nothing() -> None:
    code = TOWER.replace("np.sqrt(2 / (m + n))", "np.sqrt(2 / (m + k))").replace(
        "                m = widths[i + 1]", "                m = widths[i + 1]\n                k = widths[0]")
    assert _forms(code, "lin.weight.data = torch.tensor(W") == {"body.*": None}
    expect(code, families=("IL1",), sites={"lin.weight.data = torch.tensor(W": {"body.*.weight"}})


def test_glorot_by_hand_before_tanh_is_right() -> None:
    code = TOWER.replace("nn.ReLU()", "nn.Tanh()")
    assert _forms(code, "lin.weight.data = torch.tensor(W") == {"body.*": GLOROT}
    expect(code, families=("IL1",), sites={"lin.weight.data = torch.tensor(W": {"body.*.weight"}})


SIZED = """
    import math
    import torch.nn as nn
    import torch.nn.functional as F

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(64, 256)
            self.out = nn.Linear(256, 10)
            std = math.sqrt(2.0 / (64 + 256))
            self.fc.weight.data.normal_(0, std)

        def forward(self, x):
            return self.out(F.relu(self.fc(x)))
"""


def test_glorot_by_value_gives_the_numbers() -> None:
    """std sqrt(2/320) = 0.0791 where He wants sqrt(2/64) = 0.177: 0.447x, measured through ReLU."""
    torch.manual_seed(0)
    x = torch.randn(4096, 64)
    w = torch.randn(256, 64) * math.sqrt(2 / 320)
    assert math.isclose(float(torch.relu(x @ w.t()).pow(2).mean()), 64 / 320, rel_tol=0.05)
    assert _forms(SIZED, "normal_(0, std)") == {"fc": GLOROT}
    (found,) = expect(SIZED, ("IL101", "normal_(0, std)"), families=("IL1", "IL2"))
    assert "= 0.0791 with fan_in=64, fan_out=256" in found.message
    assert "std 0.0791 where He init wants 0.177" in found.message and "0.447x" in found.message


def test_the_same_numbers_for_another_layer_are_not_its_fans() -> None:
    code = SIZED.replace("nn.Linear(64, 256)", "nn.Linear(128, 256)")
    assert _forms(code, "normal_(0, std)") == {"fc": None}
    expect(code, families=("IL1",), sites={"normal_(0, std)": {"fc.weight"}})


APPLIED = """
    import math
    import torch.nn as nn

    def init_weights(m):
        if isinstance(m, nn.Linear):
            bound = math.sqrt(6.0 / (m.in_features + m.out_features))
            m.weight.data.uniform_(-bound, bound)

    class Net(nn.Module):
        def __init__(self, d_in, d_hidden):
            super().__init__()
            self.fc = nn.Linear(d_in, d_hidden)
            self.act = nn.ELU()
            self.out = nn.Linear(d_hidden, 1)
            self.apply(init_weights)

        def forward(self, x):
            return self.out(self.act(self.fc(x)))
"""


def test_glorot_bound_read_from_the_layer_is_xavier_for_every_size() -> None:
    assert _forms(APPLIED, "m.weight.data.uniform_") == {"fc": GLOROT, "out": GLOROT}
    (found,) = expect(APPLIED, ("IL101", "m.weight.data.uniform_"), families=("IL1",))
    assert "sqrt(6/(fan_in+fan_out))" in found.message and "reads them from the layer" in found.message
    assert "ELU" in found.title


# --------------------------------------------------------------------------- a graph conv's kernel

GRAPH = """
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    def glorot(fan_a, fan_b):
        r = np.sqrt(6.0 / (fan_a + fan_b))
        w = torch.rand(fan_a, fan_b) * 2 * r - r
        return nn.Parameter(w)

    class GraphLayer(nn.Module):
        def __init__(self, d_in, d_out):
            super().__init__()
            self.W = glorot(d_in, d_out)

        def forward(self, x, adj):
            h = x @ self.W
            return F.relu(torch.mm(adj, h))

    class Net(nn.Module):
        def __init__(self, d_in, d_hidden):
            super().__init__()
            self.layer = GraphLayer(d_in, d_hidden)
            self.out = nn.Linear(d_hidden, 2)

        def forward(self, x, adj):
            return self.out(self.layer(x, adj))
"""


def test_glorot_helper_for_a_kernel_used_as_x_at_w() -> None:
    """A helper's U(-r, r), r = sqrt(6/(a+b)), on the (a, b) kernel it creates, applied as ``x @ W`` before
    ReLU: Xavier uniform by hand (IL101); the call to write is kaiming over size(0) (mode="fan_out")."""
    assert _forms(GRAPH, "self.W = glorot(d_in, d_out)") == {"W": GLOROT}
    (found,) = expect(GRAPH, ("IL101", "self.W = glorot(d_in, d_out)"), families=("IL1",))
    assert "`r` = `np.sqrt(6.0 / (fan_a + fan_b))`" in found.message
    assert 'mode="fan_out", nonlinearity="relu"' in (found.help or "")


# --------------------------------------------------------------------------- He by hand before tanh


def test_he_by_hand_before_tanh_is_il102() -> None:
    """N(0, sqrt(2/64)) = 0.177 on Linear(64, 256) before tanh, where Glorot with tanh's gain wants
    5/3*sqrt(2/320) = 0.132: 1.34x."""
    assert math.isclose(nn.init.calculate_gain("tanh"), 5 / 3)
    code = SIZED.replace("math.sqrt(2.0 / (64 + 256))", "math.sqrt(2.0 / self.fc.in_features)").replace(
        "F.relu", "torch.tanh").replace("import math", "import math\n    import torch")
    assert _forms(code, "normal_(0, std)") == {"fc": HE}
    (found,) = expect(code, ("IL102", "normal_(0, std)"), families=("IL1",))
    assert found.title.startswith("He init (a hand-written He draw) on `fc`")
    assert "std 0.177 where Glorot wants 0.132" in found.message


def test_he_by_hand_before_relu_is_right() -> None:
    code = SIZED.replace("math.sqrt(2.0 / (64 + 256))", "math.sqrt(2.0 / self.fc.in_features)")
    assert _forms(code, "normal_(0, std)") == {"fc": HE}
    expect(code, families=("IL1", "IL2"), sites={"normal_(0, std)": {"fc.weight"}})
