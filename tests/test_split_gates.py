"""A layer whose output is split into parts (``a, b = h.chunk(2, 1)``): what it feeds is what every part
meets. tanh in one part and sigmoid in the other is a gated unit, saturating in both (IL102 for He init);
one part meeting anything else, or never read, leaves the layer unjudged."""

from __future__ import annotations

import math

import pytest

from initlint.analysis import check_source, picture_of
from initlint.picture.model import ACT, UNKNOWN
from tests.test_idioms import _src, expect

GATED_UNIT = """
import torch
import torch.nn as nn

class GatedBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(64, 128, 3)
        self.out = nn.Conv1d(64, 64, 1)
        nn.init.kaiming_normal_(self.conv.weight, nonlinearity="relu")

    def forward(self, x):
        h = self.conv(x)
        a, b = {split}
        return self.out(torch.tanh(a) * torch.sigmoid(b))
"""

SPLITS = ["h.split(h.size(1) // 2, dim=1)", "h.chunk(2, dim=1)", "torch.chunk(h, 2, dim=1)",
          "torch.split(h, 64, 1)"]


@pytest.mark.parametrize("split", SPLITS)
def test_gated_unit_after_he_init_is_il102(split: str) -> None:
    got = expect(GATED_UNIT.replace("{split}", split), ("IL102", "kaiming_normal_(self.conv.weight"))
    numbers = got[0].numbers
    # Conv1d(64, 128, 3): fan_in 64*3, fan_out 128*3; He's std from fan_in, Glorot's (gain 1) from both
    assert (numbers["fan_in"], numbers["fan_out"]) == (192, 384)
    assert numbers["std"] == pytest.approx(math.sqrt(2 / 192))
    assert numbers["wanted_std"] == pytest.approx(math.sqrt(2 / (192 + 384)))
    assert "tanh/sigmoid gates" in got[0].message
    assert "xavier_normal_(self.conv.weight)" in got[0].message


def test_hand_written_lstm_cell_gates_are_il102() -> None:
    expect(
        """
        import torch
        import torch.nn as nn

        class Cell(nn.Module):
            def __init__(self, n=128):
                super().__init__()
                self.gates = nn.Linear(2 * n, 4 * n)
                nn.init.kaiming_uniform_(self.gates.weight, nonlinearity="relu")

            def forward(self, x, h, c):
                i, f, g, o = self.gates(torch.cat([x, h], 1)).chunk(4, 1)
                c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
                return torch.sigmoid(o) * torch.tanh(c), c
        """,
        ("IL102", "kaiming_uniform_(self.gates.weight"),
    )


def test_every_part_before_relu_is_relu() -> None:
    expect(
        """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        class Twin(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(256, 256)
                self.out = nn.Linear(256, 10)
                nn.init.xavier_uniform_(self.fc.weight)

            def forward(self, x):
                left, right = self.fc(x).chunk(2, -1)
                return self.out(torch.cat([F.relu(left), F.relu(right)], -1))
        """,
        ("IL101", "xavier_uniform_(self.fc.weight"),
    )


def _conv_follow(src: str):
    picture = picture_of(_src(src))
    (conv,) = [layer for layer in picture.layers.values() if layer.path == "conv"]
    return conv


SILENT = {
    "unknown function": "return self.out(torch.tanh(a) * mystery(b))",
    "hand-written GLU": "return self.out(a * torch.sigmoid(b))",
}


@pytest.mark.parametrize("use", SILENT.values(), ids=list(SILENT))
def test_a_part_that_meets_no_known_activation_stays_silent(use: str) -> None:
    src = GATED_UNIT.replace("{split}", "h.chunk(2, 1)").replace(
        "return self.out(torch.tanh(a) * torch.sigmoid(b))", use).replace(
        "import torch\n", "import torch\nfrom elsewhere import mystery\n")
    # the init reaches the conv and the split is seen (a part meets tanh or sigmoid); the other part is not
    # an activation (or not read), so the layer's output as a whole meets nothing known: no finding
    expect(src, sites={"kaiming_normal_(self.conv.weight": {"conv.weight"}})
    conv = _conv_follow(src)
    assert any(f.kind == ACT and f.activation is not None and f.activation.name in ("tanh", "sigmoid")
               for f in conv.follows)
    assert conv.follow().kind == UNKNOWN


def test_a_part_never_read_leaves_the_split_unknown() -> None:
    src = GATED_UNIT.replace("{split}", "h.chunk(2, 1)").replace(
        "return self.out(torch.tanh(a) * torch.sigmoid(b))", "return self.out(torch.tanh(a))")
    expect(src, sites={"kaiming_normal_(self.conv.weight": {"conv.weight"}})
    conv = _conv_follow(src)
    assert [f.kind for f in conv.follows] == [UNKNOWN]  # the split itself, as before parts were read


def test_functional_glu_stays_silent() -> None:
    src = """
    import torch.nn as nn
    import torch.nn.functional as F

    class Glu(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv1d(64, 128, 3)
            nn.init.kaiming_normal_(self.conv.weight, nonlinearity="relu")

        def forward(self, x):
            return F.glu(self.conv(x), dim=1)
    """
    # GLU's first half is linear (only gated by the second's sigmoid): the claim does not hold for every part
    expect(src, sites={"kaiming_normal_(self.conv.weight": {"conv.weight"}})
    assert _conv_follow(src).follow().kind == UNKNOWN


def test_split_of_a_split_part_is_not_taken_apart_again() -> None:
    src = GATED_UNIT.replace("{split}", "h.chunk(2, 1)").replace(
        "return self.out(torch.tanh(a) * torch.sigmoid(b))",
        "c, d = a.chunk(2, 1)\n        return self.out(torch.tanh(c) * torch.sigmoid(d) * torch.sigmoid(b))")
    found = [f for f in check_source(_src(src), "model.py") if f.code.startswith("IL1")]
    assert found == []
    assert _conv_follow(src).follow().kind == UNKNOWN
