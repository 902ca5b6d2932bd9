"""``modules()`` reaches a submodule chosen by a conditional expression (issue 16, mobilenetv3's
``SELayer(c) if use_se else nn.Identity()`` inside a Sequential): the loop visits whichever one is built."""

from __future__ import annotations

from tests.test_idioms import _src, expect, line_of, targets_at

SE_BLOCK = """
import torch.nn as nn

class SE(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.fc = nn.Sequential(nn.Linear(c, c // 4), nn.ReLU(inplace=True), nn.Linear(c // 4, c), nn.Sigmoid())

    def forward(self, x):
        return x * self.fc(x)

class Block(nn.Module):
    def __init__(self, c, use_se):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(c, c, 3), SE(c) if use_se else nn.Identity(), nn.ReLU())

    def forward(self, x):
        return self.conv(x)

class Net(nn.Module):
    def __init__(self, use_se):
        super().__init__()
        self.b = Block(64, use_se)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                m.weight.data.normal_(0, {std})

    def forward(self, x):
        return self.b(x)
"""


def test_fixed_std_reaches_the_linear_of_a_conditionally_built_se_block():
    # ``use_se`` is not known: the Sequential's item is SE or Identity; fc.0 = Linear(64, 16) -> ReLU
    # wants sqrt(2/64) = 0.177: 0.01 is 17.7x small
    src = SE_BLOCK.format(std="0.01")
    expect(src, ("IL202", "m.weight.data.normal_(0, 0.01)"), families=("IL2",))
    assert targets_at(_src(src), line_of(_src(src), "normal_(0, 0.01)")) == {"fc.0.weight", "fc.2.weight"}


def test_a_fitting_std_on_the_same_reach_stays_silent():
    src = SE_BLOCK.format(std="0.177")
    expect(src, families=("IL2",), sites={"normal_(0, 0.177)": {"fc.0.weight", "fc.2.weight"}})
