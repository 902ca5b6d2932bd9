"""Patterns from the model code users write themselves (issue 16): course, research, GAN and RL code.

Each test gives the exact (code, line) findings expected; a silent case names the init site it saw.
"""

from __future__ import annotations

import math

import pytest

from initlint.picture.catalog import fmt
from tests.test_idioms import expect

ALL = ("IL",)


# --------------------------------------------------------------------------- one-line blocks


def test_one_line_chain_loop_in_forward_is_followed() -> None:
    """``for h in self.highways: x = h(x)`` on one line used to raise AttributeError in the flow."""
    got = expect(
        """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.highways = nn.ModuleList([nn.Sequential(nn.Linear(64, 64), nn.ReLU()) for _ in range(3)])
                self.out = nn.Linear(64, 2)
                for m in self.modules():
                    if isinstance(m, nn.Linear): nn.init.xavier_uniform_(m.weight)

            def forward(self, x):
                for h in self.highways: x = h(x)
                return self.out(x)
        """,
        ("IL101", "xavier_uniform_(m.weight)"),
        families=ALL,
    )
    assert "fan_in=64, fan_out=64" in got[0].message


def test_one_line_chain_loop_of_plain_layers_is_silent() -> None:
    """The same loop over bare Linears: each feeds the next layer directly, where Xavier is right."""
    expect(
        """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.highways = nn.ModuleList([nn.Linear(64, 64) for _ in range(3)])
                self.out = nn.Linear(64, 2)
                for h in self.highways: nn.init.xavier_uniform_(h.weight)

            def forward(self, x):
                for h in self.highways: x = h(x)
                return self.out(x)
        """,
        families=ALL,
        sites={"xavier_uniform_(h.weight)": {"highways.*.weight"}},
    )


# --------------------------------------------------------------------------- gains: orthogonal_, gain=0.02

torch = pytest.importorskip("torch")


def _std_after(init, shape: tuple[int, ...]) -> float:
    torch.manual_seed(0)
    w = torch.empty(*shape)
    init(w)
    return float(w.std())


def _rms_gain_through_relu(init, width: int = 256) -> float:
    """How much one Linear(width, width) + ReLU scales the rms of its input, measured."""
    torch.manual_seed(0)
    w = torch.empty(width, width)
    init(w)
    x = torch.relu(torch.randn(4096, width))  # a post-ReLU input, as a hidden layer sees
    y = torch.relu(x @ w.T)
    return float(y.pow(2).mean().sqrt() / x.pow(2).mean().sqrt())


ORTHO = """
import math
import torch.nn as nn
import torch.nn.functional as F

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(256, 256)
        self.fc2 = nn.Linear(256, 256)
        self.out = nn.Linear(256, 4)
        nn.init.{init1}
        nn.init.{init2}
        nn.init.orthogonal_(self.out.weight, gain=0.01)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        return self.out(F.relu(self.fc2(x)))
"""


def test_orthogonal_gain_1_before_relu_is_il103_and_its_numbers_hold() -> None:
    got = expect(ORTHO.format(init1="orthogonal_(self.fc1.weight)",
                              init2='orthogonal_(self.fc2.weight, gain=nn.init.calculate_gain("relu"))'),
                 ("IL103", "orthogonal_(self.fc1.weight)"), families=ALL,
                 sites={"orthogonal_(self.out.weight, gain=0.01)": {"out.weight"},
                        "orthogonal_(self.fc2.weight, gain": {"fc2.weight"}})
    numbers = got[0].numbers
    assert got[0].title.startswith("Gain 1 (the default) on `fc1`")
    assert numbers["gain"] == 1.0 and numbers["per_layer_gain"] == pytest.approx(0.707, abs=1e-3)
    assert got[0].help == 'use `nn.init.orthogonal_(self.fc1.weight, gain=nn.init.calculate_gain("relu"))`'
    # torch: std 1/sqrt(256) = 0.0625 where He wants sqrt(2/256) = 0.0884; the rms through ReLU keeps 0.707 of
    # what the relu gain keeps
    assert (numbers["std"], numbers["wanted_std"]) == pytest.approx((0.0625, 0.0884), abs=1e-4)
    assert _std_after(torch.nn.init.orthogonal_, (256, 256)) == pytest.approx(0.0625, rel=0.01)
    one = _rms_gain_through_relu(torch.nn.init.orthogonal_)
    relu = _rms_gain_through_relu(lambda w: torch.nn.init.orthogonal_(w, gain=math.sqrt(2)))
    assert one / relu == pytest.approx(0.707, rel=0.01)
    assert relu == pytest.approx(1.0, rel=0.1)  # the relu gain keeps the scale through the layer


@pytest.mark.parametrize("init", ["orthogonal_(self.fc1.weight, gain=math.sqrt(2))",
                                  'orthogonal_(self.fc1.weight, gain=nn.init.calculate_gain("relu"))'])
def test_orthogonal_with_the_relu_gain_is_silent(init: str) -> None:
    expect(ORTHO.format(init1=init, init2="zeros_(self.fc2.bias)"), families=ALL,
           sites={"orthogonal_(self.fc1.weight": {"fc1.weight"}})


@pytest.mark.parametrize(("init", "given", "ratio"), [
    ("orthogonal_(self.fc1.weight, gain=0.01)", 0.01 / 16, 141.0),
    ("xavier_uniform_(self.fc1.weight, gain=0.02)", 0.02 / 16, 70.7),
    ("xavier_normal_(self.fc1.weight, 0.02)", 0.02 / 16, 70.7),
])
def test_a_tiny_literal_gain_on_a_hidden_layer_is_il202(init: str, given: float, ratio: float) -> None:
    """A std meant for normal_ passed as a gain: IL202, with the std torch gives. Xavier is also the wrong
    family before ReLU (IL101, the same rewrite); an orthogonal weight's only fault is the gain, so no IL103."""
    also = [("IL101", init)] if init.startswith("xavier") else []
    got = expect(ORTHO.format(init1=init, init2="zeros_(self.fc2.bias)"), ("IL202", init), *also, families=ALL)
    scale, = [f for f in got if f.code == "IL202"]
    assert all(f.fix == scale.fix for f in got)
    message = scale.message
    assert f"std {fmt(given)} where ReLU after it wants 0.0884" in message
    assert f"{ratio:g}x too small" in message
    func = getattr(torch.nn.init, init.split("(")[0])
    gain = float(init.split("gain=")[-1].rstrip(")")) if "gain=" in init else 0.02
    assert _std_after(lambda w: func(w, gain=gain), (256, 256)) == pytest.approx(given, rel=0.02)
    assert math.sqrt(2 / 256) / given == pytest.approx(ratio, rel=0.01)


def test_a_tiny_gain_on_the_output_head_is_silent() -> None:
    """orthogonal_(gain=0.01) on the head (PPO's policy logits): the first outputs start near 0 on purpose."""
    expect(ORTHO.format(init1="orthogonal_(self.fc1.weight, gain=math.sqrt(2))", init2="zeros_(self.fc2.bias)"),
           families=ALL, sites={"orthogonal_(self.out.weight, gain=0.01)": {"out.weight"}})


UNSIZED = """
import torch.nn as nn
import torch.nn.functional as F

class Net(nn.Module):
    def __init__(self, n_in, n_hidden, n_out):
        super().__init__()
        self.fc1 = nn.Linear(n_in, n_hidden)
        self.fc2 = nn.Linear(n_hidden, n_out)
        nn.init.{init}

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))
"""


@pytest.mark.parametrize(("init", "bound"), [("orthogonal_(self.fc1.weight, gain=0.01)", "0.0071"),
                                             ("xavier_uniform_(self.fc1.weight, gain=0.02)", "0.02")])
def test_a_tiny_gain_is_reported_for_every_size_when_sizes_are_unknown(init: str, bound: str) -> None:
    also = [("IL101", init)] if init.startswith("xavier") else []
    got = expect(UNSIZED.format(init=init), ("IL202", init), *also, families=ALL)
    scale, = [f for f in got if f.code == "IL202"]
    assert "size is not known here, but for every size" in scale.message
    assert f"at most {bound} times He's 1.41/sqrt(fan_in)" in scale.message
    # torch, over shapes from tiny to wide: the std over He's stays below the bound
    func = getattr(torch.nn.init, init.split("(")[0])
    gain = float(init.split("gain=")[1].rstrip(")"))
    for fan_out, fan_in in [(4, 1024), (64, 8), (256, 256), (1024, 4), (3, 3)]:
        he = math.sqrt(2 / fan_in)
        assert _std_after(lambda w: func(w, gain=gain), (fan_out, fan_in)) / he <= float(bound) * 1.05


def test_a_gain_within_the_factor_is_left_to_the_family_rules() -> None:
    """gain=0.5 before ReLU is 2.8x off: not a scale mistake, still Xavier before ReLU (IL101)."""
    expect(UNSIZED.format(init="xavier_uniform_(self.fc1.weight, gain=0.5)"),
           ("IL101", "xavier_uniform_(self.fc1.weight, gain=0.5)"), families=ALL)


# --------------------------------------------------------------------------- IL103: a squashed output head


POLICY = """
import torch
import torch.nn as nn
import torch.nn.functional as F

class Actor(nn.Module):
    def __init__(self, obs_dim=17, act_dim=6):
        super().__init__()
        self.fc1 = nn.Linear(obs_dim, 256)
        self.fc2 = nn.Linear(256, 256)
        self.mu = nn.Linear(256, act_dim)
        nn.init.xavier_uniform_(self.mu.weight, gain=0.5)
        nn.init.xavier_uniform_(self.fc2.weight, gain=0.5)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = torch.tanh(self.fc2(x))
        return torch.tanh(self.mu(x))
"""


def test_a_policy_mean_head_under_tanh_is_an_output_layer_for_il103() -> None:
    """The head's small gain keeps the first actions near 0: silent; the hidden tanh layer's is IL103."""
    expect(POLICY, ("IL103", "xavier_uniform_(self.fc2.weight, gain=0.5)"), families=ALL,
           sites={"xavier_uniform_(self.mu.weight, gain=0.5)": {"mu.weight"}})


# --------------------------------------------------------------------------- IL102: a squashed output layer


IMAGE_GENERATOR = """
import torch.nn as nn
from torch.nn import init

class Generator(nn.Module):
    def __init__(self, in_ch=3, out_ch=3, width=64):
        super().__init__()
        layers = [nn.Conv2d(in_ch, width, 7, padding=3), nn.BatchNorm2d(width), nn.ReLU(True)]
        layers += [nn.Conv2d(width, width, 3, padding=1), nn.Tanh()]
        layers += [{last}, nn.Tanh()]
        self.model = nn.Sequential(*layers)

    def forward(self, x):
        return self.model(x)

def init_net(net, scheme="normal"):
    def visit(m):
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            if scheme == "kaiming":
                init.kaiming_normal_(m.weight.data, a=0, mode="fan_in")
            else:
                init.normal_(m.weight.data, 0.0, 0.02)
    net.apply(visit)

def build(scheme="normal"):
    net = Generator()
    init_net(net, scheme)
    return net
"""


def _pre_tanh(layer, init) -> tuple[float, float]:
    """The std of ``layer``'s output on a post-BN/ReLU input, and the share of its tanh beyond 0.95."""
    torch.manual_seed(0)
    init(layer.weight)
    with torch.no_grad():
        y = layer(torch.relu(torch.randn(4, 64, 16, 16)))
    return float(y.std()), float((y.tanh().abs() > 0.95).float().mean())


def test_he_on_the_image_output_conv_under_tanh_is_not_il102() -> None:
    """CycleGAN-style: the last Conv2d(64, 3, 7) -> Tanh is the image. fan_out 147 << fan_in 3136, so He's
    std 0.0253 is below Glorot-with-tanh-gain's 0.0411: the xavier advice would saturate the image more
    (measured), and no later layer inherits its scale. The hidden Conv2d(64, 64, 3) -> Tanh stays IL102."""
    source = IMAGE_GENERATOR.format(last="nn.Conv2d(width, out_ch, 7, padding=3)")
    got = expect(source, ("IL102", 'init.kaiming_normal_(m.weight.data, a=0, mode="fan_in")'), families=ALL,
                 sites={"kaiming_normal_": {"model.0.weight", "model.3.weight", "model.5.weight"}})
    assert "`model.3`" in got[0].message and "model.5" not in got[0].message, got[0].message
    conv = torch.nn.Conv2d(64, 3, 7, padding=3, bias=False)
    assert torch.nn.init._calculate_fan_in_and_fan_out(conv.weight) == (3136, 147)
    he_std, he_saturated = _pre_tanh(conv, torch.nn.init.kaiming_normal_)
    glorot_std, glorot_saturated = _pre_tanh(
        conv, lambda w: torch.nn.init.xavier_normal_(w, gain=torch.nn.init.calculate_gain("tanh")))
    assert he_std < glorot_std and he_saturated < glorot_saturated, (he_std, glorot_std)


def test_he_on_a_transposed_image_conv_under_tanh_is_il102() -> None:
    """DCGAN-style ConvTranspose2d(64, 3, 4, 2, 1) -> Tanh at the output: torch's fan_in is out_channels * 16
    = 48, so He's std 0.204 is 2.8x Glorot's 0.072 and the first images start saturated (measured): an output
    layer, but reported, saying why."""
    source = IMAGE_GENERATOR.format(last="nn.ConvTranspose2d(width, out_ch, 4, 2, 1)")
    got = expect(source, ("IL102", 'init.kaiming_normal_(m.weight.data, a=0, mode="fan_in")'), families=ALL)
    message = got[0].message
    assert "`model.5`" in message and "is the model's output" in message, message
    assert "(fan_in=48, fan_out=1024) is the model's output" in message, message
    assert f"std {fmt(math.sqrt(2 / 48))} vs {fmt(5 / 3 * math.sqrt(2 / 1072))}" in message, message
    deconv = torch.nn.ConvTranspose2d(64, 3, 4, 2, 1, bias=False)
    assert torch.nn.init._calculate_fan_in_and_fan_out(deconv.weight) == (48, 1024)
    he_std, he_saturated = _pre_tanh(deconv, torch.nn.init.kaiming_normal_)
    glorot_std, glorot_saturated = _pre_tanh(
        deconv, lambda w: torch.nn.init.xavier_normal_(w, gain=torch.nn.init.calculate_gain("tanh")))
    assert he_std > 2 * glorot_std and he_saturated > 0.3 and glorot_saturated < 0.05, (he_saturated, glorot_saturated)


def test_a_cell_whose_state_a_parent_keeps_in_a_list_is_not_an_output_layer() -> None:
    """``hs[i] = cell(x, hs[i])``: the cell's tanh output is its next state, read back where the flow is not
    followed, so not the model's output: He on the first cell's Linear(96, 64) (std 0.144 vs Glorot-tanh's 0.186)
    stays IL102."""
    got = expect(
        """
        import torch
        import torch.nn as nn

        class Cell(nn.Module):
            def __init__(self, n_in=32, hidden=64):
                super().__init__()
                self.step = nn.Linear(n_in + hidden, hidden)
                nn.init.kaiming_uniform_(self.step.weight, nonlinearity="relu")

            def forward(self, x, h):
                return torch.tanh(self.step(torch.cat([x, h], dim=1)))

        class Stack(nn.Module):
            def __init__(self):
                super().__init__()
                self.cells = nn.ModuleList([Cell(32 if i == 0 else 64) for i in range(2)])

            def forward(self, seq, hs):
                for x in seq:
                    for i, cell in enumerate(self.cells):
                        hs[i] = cell(x, hs[i])
                        x = hs[i]
                return torch.stack(hs)
        """,
        ("IL102", 'nn.init.kaiming_uniform_(self.step.weight, nonlinearity="relu")'),
        families=ALL,
    )
    assert "`step`" in got[0].message, got[0].message


def test_he_on_a_sigmoid_decoder_output_is_not_il102_but_a_sigmoid_gate_is() -> None:
    """A VAE decoder's ``torch.sigmoid(self.out(h))`` returned as the reconstruction is an output layer (He
    is 1.41x Glorot's std there, Linear(256, 256)); the same Linear whose sigmoid gates a hidden signal is not."""
    got = expect(
        """
        import torch
        import torch.nn as nn

        class Decoder(nn.Module):
            def __init__(self):
                super().__init__()
                self.hidden = nn.Linear(32, 256)
                self.gate = nn.Linear(256, 256)
                self.out = nn.Linear(256, 256)
                for m in self.modules():
                    if isinstance(m, nn.Linear):
                        nn.init.kaiming_normal_(m.weight)

            def forward(self, z):
                h = self.hidden(z) * torch.sigmoid(self.gate(z))
                return torch.sigmoid(self.out(h))
        """,
        ("IL102", "nn.init.kaiming_normal_(m.weight)"),
        families=ALL,
        sites={"kaiming_normal_": {"hidden.weight", "gate.weight", "out.weight"}},
    )
    assert "`gate`" in got[0].message and "`out`" not in got[0].message, got[0].message


def test_an_affine_rescaled_tanh_head_is_still_an_output_layer() -> None:
    """SAC's ``torch.tanh(self.mean(x)) * self.action_scale + self.action_bias``: the scale is a tensor set in
    __init__ (a constant, not a gate), so ``mean`` stays a squashed output; the hidden layer's IL101 stays."""
    expect(
        """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        def weights_init_(m):
            if isinstance(m, nn.Linear):
                torch.nn.init.xavier_uniform_(m.weight, gain=1)

        class Policy(nn.Module):
            def __init__(self, space=None):
                super().__init__()
                self.linear1 = nn.Linear(17, 256)
                self.mean = nn.Linear(256, 6)
                self.apply(weights_init_)
                if space is None:
                    self.action_scale, self.action_bias = 1.0, 0.0
                else:
                    self.action_scale = torch.tensor(space.scale)
                    self.action_bias = torch.tensor(space.bias)

            def forward(self, state):
                x = F.relu(self.linear1(state))
                return torch.tanh(self.mean(x)) * self.action_scale + self.action_bias
        """,
        ("IL101", "xavier_uniform_(m.weight, gain=1)"),
        families=ALL,
        sites={"xavier_uniform_(m.weight, gain=1)": {"linear1.weight", "mean.weight"}},
    )


# --------------------------------------------------------------------------- IL203: which fan was meant

DDPG = """
import numpy as np
import torch.nn as nn
import torch.nn.functional as F

class Actor(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(33, 400)
        self.fc2 = nn.Linear(400, 300)
        self.fc3 = nn.Linear(300, 4)
        {init}
        self.fc3.weight.data.uniform_(-3e-3, 3e-3)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return F.tanh(self.fc3(x))
"""


def _torch_fans(shape: tuple[int, ...]) -> tuple[int, int]:
    return torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))


@pytest.mark.parametrize("init", [
    # the inline LeCun/default bound from size()[0]
    "lim = 1. / np.sqrt(self.fc1.weight.data.size()[0]); self.fc1.weight.data.uniform_(-lim, lim)",
    # the size()[0] named fan_in, with He's numerator
    "fan_in = self.fc1.weight.size(0); nn.init.normal_(self.fc1.weight, 0, np.sqrt(2. / fan_in))",
    # out_features where the LeCun form wants fan_in
    "nn.init.uniform_(self.fc1.weight, -1 / np.sqrt(self.fc1.out_features), 1 / np.sqrt(self.fc1.out_features))",
])
def test_fan_out_where_fan_in_was_meant_is_il203(init: str) -> None:
    got = expect(DDPG.format(init=init), ("IL203", "self.fc1.weight"), families=ALL,
                 sites={"uniform_(-3e-3, 3e-3)": {"fc3.weight"}})
    message = got[0].message
    assert "whose fan_in = 33 and fan_out = 400" in message and "it is fan_out" in message
    assert "~0.287x the one that formula meant" in message
    assert _torch_fans((400, 33)) == (33, 400)  # nn.Linear(33, 400).weight is 400 x 33
    assert math.sqrt(33 / 400) == pytest.approx(0.287, rel=0.002)


@pytest.mark.parametrize("init", [
    "lim = 1. / np.sqrt(self.fc1.weight.data.size()[1]); self.fc1.weight.data.uniform_(-lim, lim)",
    "nn.init.normal_(self.fc1.weight, 0, np.sqrt(2. / self.fc1.out_features))",  # He's fan_out mode
])
def test_fan_in_or_a_he_fan_out_is_silent(init: str) -> None:
    expect(DDPG.format(init=init), families=ALL, sites={"self.fc1.weight": {"fc1.weight"}})


def test_unpacked_bounds_are_not_torchs_defaults() -> None:
    """``uniform_(*hidden_init(layer))``: the bounds are not visible, so no IL202 from uniform_'s (0, 1)."""
    expect(
        """
        import numpy as np
        import torch.nn as nn
        import torch.nn.functional as F

        def hidden_init(layer):
            return (-0.05, 0.05)

        class Actor(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(33, 400)
                self.fc2 = nn.Linear(400, 4)
                self.fc1.weight.data.uniform_(*hidden_init(self.fc1))

            def forward(self, x):
                return self.fc2(F.relu(self.fc1(x)))
        """,
        families=ALL,
        sites={"uniform_(*hidden_init(self.fc1))": {"fc1.weight"}},
    )


def test_a_grouped_conv_fan_that_forgets_groups_is_il203() -> None:
    got = expect(
        """
        import math
        import torch.nn as nn
        import torch.nn.functional as F

        class Block(nn.Module):
            def __init__(self):
                super().__init__()
                self.dw = nn.Conv2d(64, 64, 3, padding=1, groups=64)
                self.pw = nn.Conv2d(64, 128, 1)
                for m in self.modules():
                    if isinstance(m, nn.Conv2d):
                        n = m.kernel_size[0] * m.kernel_size[1] * m.in_channels
                        m.weight.data.normal_(0, math.sqrt(2. / n))

            def forward(self, x):
                return self.pw(F.relu(self.dw(x)))
        """,
        ("IL203", "m.weight.data.normal_(0, math.sqrt(2. / n))"),
        families=ALL,
    )
    message = got[0].message
    assert "`dw`" in message and "`pw`" not in message  # the 1x1 conv without groups gets its fan_in right
    assert "forgets `groups=64`" in message and "= 9 inputs, not 576" in message
    assert _torch_fans((64, 1, 3, 3)) == (9, 576)


# --------------------------------------------------------------------------- IL001: Python 2 files

PY2_HEAD = "import torch.nn as nn\n\n\nclass Net(nn.Module):\n    pass\n\n\n"


@pytest.mark.parametrize(("line", "construct", "offset"), [
    ('print "built", Net()', "a print statement", 0),
    ("s = `Net()`", "backticks for repr", 0),
    ("if Net() <> None:\n    pass", "the `<>` operator", 0),
    ('import os\nos.chmod("model.pt", 0644)', "an octal literal without 0o", 1),
    ('raise ValueError, "no model"', "`raise E, message`", 0),
    ("steps = 10L", "a long literal (`L` suffix)", 0),
])
def test_a_python_2_file_is_il001_saying_so(line: str, construct: str, offset: int) -> None:
    """(``except X, e`` parses: libcst reads it as Python 3.14's unparenthesized ``except A, B``.)"""
    from initlint.analysis import check_source

    (found,) = check_source(PY2_HEAD + line + "\n", "old.py")
    row = PY2_HEAD.count("\n") + 1 + offset
    assert found.code == "IL001" and found.row == row
    assert f"Python 2 syntax ({construct} at line {row})" in found.message


@pytest.mark.parametrize("line", ["x = = 1", 'print("ok"', 'label = "print x" +'])
def test_a_python_3_syntax_error_is_not_called_python_2(line: str) -> None:
    from initlint.analysis import check_source

    (found,) = check_source(PY2_HEAD + line + "\n", "broken.py")
    assert found.code == "IL001" and "cannot parse the file" in found.message and "Python 2" not in found.message


# --------------------------------------------------------------------------- sizes unknown: what holds for all

def test_xavier_before_relu_without_sizes_says_what_holds_for_every_size() -> None:
    got = expect(UNSIZED.format(init="xavier_uniform_(self.fc1.weight)"),
                 ("IL101", "xavier_uniform_(self.fc1.weight)"), families=ALL)
    message = got[0].message
    assert "sizes are not known here, but for every size Xavier's std is below He's" in message
    assert "0.707x on a square layer" in message
    # torch: Xavier's std over He's is sqrt(fan_in/(fan_in+fan_out)) for every shape
    for fan_out, fan_in in [(1, 1000), (64, 64), (1000, 1), (300, 400)]:
        xavier = _std_after(torch.nn.init.xavier_normal_, (fan_out, fan_in))
        he = _std_after(lambda w: torch.nn.init.kaiming_normal_(w, nonlinearity="relu"), (fan_out, fan_in))
        if fan_out * fan_in >= 4096:  # enough samples for a sample std
            assert xavier / he == pytest.approx(math.sqrt(fan_in / (fan_in + fan_out)), rel=0.05)
        assert math.sqrt(fan_in / (fan_in + fan_out)) < 1


@pytest.mark.parametrize(("init", "bound", "draw", "exact"), [
    ("uniform_(self.fc1.weight, -3e-3, 3e-3)", 41666, lambda w: torch.nn.init.uniform_(w, -3e-3, 3e-3),
     3e-3 / math.sqrt(3)),
    ("normal_(self.fc1.weight, std=1e-4)", 12500000, lambda w: torch.nn.init.normal_(w, std=1e-4), 1e-4),
])
def test_a_tiny_literal_std_on_an_unsized_hidden_layer_is_il202_for_any_fan_in_below_n(init: str, bound: int,
                                                                                       draw, exact: float) -> None:
    got = expect(UNSIZED.format(init=init), ("IL202", init), families=ALL)
    assert f"for any fan_in up to {bound:,}" in got[0].message
    assert _std_after(draw, (512, 512)) == pytest.approx(exact, rel=0.02)
    # the bound is where He's sqrt(2/fan_in) stops being more than 4x the std
    assert math.sqrt(2 / bound) >= 4 * exact * (1 - 1e-9) and math.sqrt(2 / (bound + 2)) < 4 * exact


@pytest.mark.parametrize("init", ["normal_(self.fc1.weight, std=0.01)",  # 4x off only below fan_in 1250
                                  "normal_(self.fc2.weight, std=1e-4)"])  # the output layer
def test_a_literal_std_that_may_fit_or_is_on_the_head_stays_silent_without_sizes(init: str) -> None:
    expect(UNSIZED.format(init=init), families=ALL, sites={init: {init.split("(self.")[1].split(",")[0]}})


# --------------------------------------------------------------------------- a norm between layers

BN_STACK = """
import torch.nn as nn

layers = []
for _ in range(6):
    layers += [nn.Linear(256, 256), nn.ReLU(), nn.BatchNorm1d(256{eps})]
net = nn.Sequential(*layers, nn.Linear(256, 10))
for m in net.modules():
    if isinstance(m, nn.Linear):
        nn.init.normal_(m.weight, std=0.01)
"""


def test_a_norm_after_the_activation_resets_the_compounding() -> None:
    (got,) = expect(BN_STACK.format(eps=""), ("IL202", "normal_(m.weight, std=0.01)"), families=ALL)
    assert "through this layer" in got.message and "6 Linear" not in got.message
    torch.manual_seed(0)
    small = torch.randn(512, 256) * 0.01
    with torch.no_grad():
        renormalized = float(torch.nn.BatchNorm1d(256)(small).std())
    assert renormalized == pytest.approx(math.sqrt(1e-4 / (1e-4 + 1e-5)), rel=0.02)  # ~0.95: back to unit scale


def test_a_norm_with_a_large_eps_does_not_renormalize() -> None:
    """BatchNorm1d(256, 0.8) sets eps=0.8 (PyTorch-GAN's momentum typo): a small signal stays small."""
    (got,) = expect(BN_STACK.format(eps=", 0.8"), ("IL202", "normal_(m.weight, std=0.01)"), families=ALL)
    assert "6 Linear(256, 256)+ReLU layers at std=0.01" in got.message
    torch.manual_seed(0)
    small = torch.randn(512, 256) * 0.01
    with torch.no_grad():
        out = torch.nn.BatchNorm1d(256, 0.8)(small)
    assert float(out.std()) == pytest.approx(0.01 / math.sqrt(0.8 + 1e-4), rel=0.03)  # ~0.011, not 1


# --------------------------------------------------------------------------- IL102: kaiming on RNN gates

LSTM_INIT = """
import torch.nn as nn

class Enc(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.{rnn}
        self.head = nn.Linear(256, 2)
        for name, p in self.lstm.named_parameters():
            if "weight_ih" in name:
                nn.init.{init}
            elif "weight_hh" in name:
                nn.init.orthogonal_(p)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])
"""


def test_kaiming_on_an_lstms_input_weights_is_il102() -> None:
    (got,) = expect(LSTM_INIT.format(rnn="LSTM(128, 256, batch_first=True)", init="kaiming_normal_(p)"),
                    ("IL102", "nn.init.kaiming_normal_(p)"), families=ALL)
    assert "1024x128, 4 gate blocks of 256 rows" in got.message
    assert "std 0.125 where Glorot over one gate block (fan_in=128, fan_out=256) wants 0.0722: 1.73x" in got.message
    lstm = torch.nn.LSTM(128, 256)
    assert tuple(lstm.weight_ih_l0.shape) == (1024, 128)
    torch.manual_seed(0)
    torch.nn.init.kaiming_normal_(lstm.weight_ih_l0)
    assert float(lstm.weight_ih_l0.detach().std()) == pytest.approx(math.sqrt(2 / 128), rel=0.02)


@pytest.mark.parametrize(("rnn", "init"), [
    ("LSTM(128, 256, batch_first=True)", "xavier_uniform_(p)"),
    ("RNN(128, 256, nonlinearity='relu')", "kaiming_normal_(p)"),  # a ReLU RNN: He is right
    ("LSTM(128, 256, batch_first=True)", 'kaiming_normal_(p, nonlinearity="linear")'),  # gain 1
])
def test_glorot_or_a_relu_rnn_stays_silent(rnn: str, init: str) -> None:
    expect(LSTM_INIT.format(rnn=rnn, init=init), families=ALL,
           sites={f"nn.init.{init}": {"lstm.weight_ih_l0"}})


# --------------------------------------------------------------------------- IL201: FCN's score layer

FCN = """
import torch
import torch.nn as nn

def bilinear(channels, size):
    kernel = torch.zeros(channels, channels, size, size)
    return kernel

class Head(nn.Module):
    def __init__(self, n_class=21):
        super().__init__()
        self.fc7 = nn.Conv2d(512, 512, 1)
        self.score = nn.Conv2d(512, n_class, 1)
        self.up = nn.ConvTranspose2d(n_class, n_class, 64, stride=32, bias=False)
        nn.init.kaiming_normal_(self.fc7.weight, nonlinearity="relu")
        self.score.weight.data.zero_()
        {up_init}

    def forward(self, x):
        return self.up(self.score(torch.relu(self.fc7(x))))
"""


def test_a_zeroed_score_layer_before_a_bilinear_upsampler_is_not_hidden() -> None:
    expect(FCN.format(up_init="self.up.weight.data.copy_(bilinear(n_class, 64))"), families=ALL,
           sites={"self.score.weight.data.zero_()": {"score.weight"}})


def test_a_zeroed_layer_before_a_learned_upsampler_is_still_hidden() -> None:
    expect(FCN.format(up_init="nn.init.kaiming_normal_(self.up.weight)"),
           ("IL201", "self.score.weight.data.zero_()"), families=("IL2",))
