"""The numbers initlint's messages print, checked against what torch actually does.

IL202, IL203, IL301, IL302, IL501 and IL201 explain themselves with numbers: a per-layer gain, a compound
shrink over the depth, a spectral radius, a fan, a gate's rows. Each test here (a) writes a small model,
(b) lints it and picks out the finding, (c) parses the numbers out of the message and (d) builds the very
same model by executing the linted source, pushes seeded random data through it (float64, CPU) and
measures the quantity the message talks about. Measured and predicted must agree within 20%.

Three measurements of "the signal" are used, because the messages talk about different things:

* ``rms``: the raw activation scale, sqrt(mean(h**2)) over batch and units.
* ``unit_std``: per unit, the std across a batch of random inputs, averaged over units. A bias (or any
  other constant) does not move it: it is the part of the activation that depends on the input.
* ``tangent``: the network's exact derivative along random input directions (the chain rule through
  the layer's weight and the activation's slope), i.e. how much of an input change reaches the layer. This is the quantity ``layer_gain`` computes
  (std*sqrt(fan_in), and ReLU passing half of it: std*sqrt(fan_in/2)), so it is checked layer by layer.

``unit_std`` after a ReLU also loses the mean of the rectified Gaussian (its ratio is ~0.83x
``layer_gain`` on the first layer and approaches it later), so it is compared as a geometric mean over
the depth. Three claims torch contradicted in an earlier wording (IL202's raw activations with default biases,
IL301's whole-matrix orthogonal_, IL201's "same update") were reworded; the tests below pin the corrected ones.
"""

from __future__ import annotations

import itertools
import math
import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

from initlint.analysis import check_source
from initlint.config import Settings
from initlint.findings import Finding

REL = 0.2  # measured vs predicted
NUM = r"(\d+(?:\.\d+)?(?:e-?\d+)?)"  # what catalog.fmt and common.exponent print: 0.16, 5.66, 1e-16, 3e4


# --------------------------------------------------------------------------- helpers


def finding_for(source: str, code: str, settings: Settings | None = None) -> Finding:
    findings = check_source(textwrap.dedent(source), "model.py", settings)
    hits = [f for f in findings if f.code == code]
    assert hits, f"no {code} in {[(f.code, f.message) for f in findings]}"
    return hits[0]


def grab(pattern: str, message: str) -> tuple[str, ...]:
    match = re.search(pattern, message)
    assert match, f"{pattern!r} not in message: {message}"
    return match.groups()


def build(source: str, seed: int = 0) -> nn.Module:
    """Instantiate the linted source's ``Net`` (seeded, float64)."""
    namespace: dict[str, object] = {}
    exec(compile(textwrap.dedent(source), "model.py", "exec"), namespace)  # noqa: S102 - our own test source
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = namespace["Net"]()
    return model.double()


def seeded_rnn(kind: str, seed: int = 0) -> nn.Module:
    """A fresh LSTM/GRU(64, 256) in float64, without touching the global RNG."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return getattr(nn, kind)(64, 256).double()


def randn(*shape: int, seed: int = 1) -> torch.Tensor:
    return torch.randn(*shape, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))


@dataclass
class Trace:
    """Index 0 is the input, index k the output of step k."""

    rms: list[float] = field(default_factory=list)
    unit_std: list[float] = field(default_factory=list)
    tangent: list[float] = field(default_factory=list)
    pre_rms: list[float] = field(default_factory=list)  # pre-activation of step k (index k-1)
    pre: list[torch.Tensor] = field(default_factory=list)

    def add(self, h: torch.Tensor, v: torch.Tensor) -> None:
        self.rms.append(h.pow(2).mean().sqrt().item())
        self.unit_std.append(h.std(dim=0).mean().item())
        self.tangent.append(v.pow(2).mean().sqrt().item())


def linear_part(layer: nn.Module, v: torch.Tensor) -> torch.Tensor:
    """The layer's map without its bias: what an input change goes through."""
    if isinstance(layer, nn.Linear):
        return nn.functional.linear(v, layer.weight)
    if isinstance(layer, nn.Conv2d) and layer.padding_mode == "zeros":
        return nn.functional.conv2d(v, layer.weight, None, layer.stride, layer.padding, layer.dilation, layer.groups)
    raise TypeError(layer)


def slope(act: nn.Module, z: torch.Tensor) -> torch.Tensor:
    """The activation's derivative at z (torch's own convention: ReLU'(0) = 0)."""
    if isinstance(act, nn.ReLU):
        return (z > 0).to(z.dtype)
    if isinstance(act, nn.LeakyReLU):
        return torch.where(z > 0, 1.0, act.negative_slope).to(z.dtype)
    if isinstance(act, nn.Tanh):
        return 1 - torch.tanh(z).pow(2)
    raise TypeError(act)


def trace(steps: list[tuple[nn.Module, nn.Module | None]], x: torch.Tensor, seed: int = 2) -> Trace:
    """Push x (and random input directions v, by the chain rule) through (layer, activation) steps."""
    out = Trace()
    v = randn(*x.shape, seed=seed)
    out.add(x, v)
    h = x
    with torch.no_grad():
        for layer, act in steps:
            z, v = layer(h), linear_part(layer, v)
            out.pre.append(z)
            out.pre_rms.append(z.pow(2).mean().sqrt().item())
            if act is not None:
                h, v = act(z), slope(act, z) * v
            else:
                h = z
            out.add(h, v)
    return out


def pairs(body: nn.Sequential) -> list[tuple[nn.Module, nn.Module | None]]:
    mods = list(body)
    assert len(mods) % 2 == 0
    return [(mods[i], mods[i + 1]) for i in range(0, len(mods), 2)]


def ratios(values: list[float]) -> list[float]:
    return [b / a for a, b in itertools.pairwise(values)]


def geo_mean(values: list[float]) -> float:
    """The geometric-mean per-step ratio from first to last."""
    return (values[-1] / values[0]) ** (1 / (len(values) - 1))


def close(measured: float, predicted: float, rel: float = REL) -> bool:
    return abs(measured / predicted - 1) <= rel


def assert_each(measured: list[float], predicted: float, what: str) -> None:
    bad = [(k + 1, round(m, 4)) for k, m in enumerate(measured) if not close(m, predicted)]
    assert not bad, f"{what}: layers off by more than {REL:.0%} from {predicted}: {bad} (all: {measured})"


@pytest.fixture
def one_thread():
    """LAPACK eig/svd on this 2-core box takes seconds with 2 threads and milliseconds with one."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


# =========================================================================== IL202: a fixed std


STACK = """
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        layers = []
        for _ in range({n}):
            layers += [nn.Linear({d}, {d}), nn.{act}()]
        self.body = nn.Sequential(*layers)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, std={std}){bias}

    def forward(self, x):
        return self.body(x)
"""
ZERO_BIAS = "\n                nn.init.zeros_(m.bias)"

DEEP = (r"Per layer the signal scales by [^=]+ = " + NUM + r"; (\d+) Linear\((\d+), \d+\)(?:\+(\w+(?:\([\d.]+\))?)| \(no activation between\)) "
        r"layers at std=" + NUM + r": the part of the activations that depends on the input (shrink|grow)s ~" + NUM
        + r"x per layer, ~" + NUM
        + r"x at the output")


@pytest.mark.parametrize(
    ("act", "n", "d", "std", "bias"),
    [
        ("ReLU", 20, 512, 0.01, ZERO_BIAS),  # too small: 0.16x per layer, 1e-16x over 20
        ("ReLU", 6, 256, 0.5, ""),  # too large: 5.66x per layer (default biases are negligible here)
        ("Tanh", 10, 512, 0.005, ZERO_BIAS),  # too small for Glorot, tanh in its linear range
        ("LeakyReLU", 8, 256, 0.01, ZERO_BIAS),  # gain sqrt(2/(1+0.01^2))
    ],
    ids=["relu-small", "relu-large", "tanh-small", "leaky-small"],
)
def test_il202_deep_stack_gain_per_layer_and_at_the_output(act, n, d, std, bias):
    source = STACK.format(n=n, d=d, act=act, std=std, bias=bias)
    message = finding_for(source, "IL202").message
    per_layer, depth, fan_in, _act, std_text, direction, per_layer2, total = grab(DEEP, message)
    per_layer, total = float(per_layer), float(total)
    assert (int(depth), int(fan_in), float(std_text)) == (n, d, std)
    assert float(per_layer2) == per_layer
    assert direction == ("shrink" if per_layer < 1 else "grow")

    model = build(source)
    assert all(m.weight.std().item() == pytest.approx(std, rel=0.03) for m in model.body if isinstance(m, nn.Linear))
    t = trace(pairs(model.body), randn(512, d))

    # layer by layer: the raw activations (biases are zero or negligible) and the input derivative
    assert_each(ratios(t.rms), per_layer, "raw activation rms ratio")
    assert_each(ratios(t.tangent), per_layer, "input-derivative ratio")
    # over the depth: the per-unit std across the batch, and the compound number the message prints
    assert close(geo_mean(t.unit_std), per_layer), (geo_mean(t.unit_std), per_layer)
    per_layer_from_total = total ** (1 / n)
    for measured in (t.rms, t.unit_std, t.tangent):
        assert close(geo_mean(measured), per_layer_from_total), (geo_mean(measured), per_layer_from_total)
    # the printed total is the printed gain compounded (rounded to one digit)
    assert total == pytest.approx(per_layer**n, rel=0.5)


DEFAULT_BIAS_SMALL = STACK.format(n=12, d=512, act="ReLU", std=0.01, bias="")


def test_il202_default_biases_input_dependent_part_shrinks_as_printed():
    """With torch's default biases kept, the part of the activation that depends on the input still
    shrinks by the printed gain per layer; the bias-driven floor does not move it."""
    message = finding_for(DEFAULT_BIAS_SMALL, "IL202").message
    per_layer, depth, *_, total = grab(DEEP, message)
    per_layer, total, depth = float(per_layer), float(total), int(depth)
    assert (per_layer, depth) == (0.16, 12)
    t = trace(pairs(build(DEFAULT_BIAS_SMALL).body), randn(512, 512))
    assert_each(ratios(t.tangent), per_layer, "input-derivative ratio")
    assert close(geo_mean(t.unit_std), per_layer), geo_mean(t.unit_std)
    assert close(geo_mean(t.unit_std), total ** (1 / depth)), geo_mean(t.unit_std)


def test_il202_speaks_of_the_input_dependent_part_because_default_biases_hold_a_floor():
    """The message claims the shrink for the part that depends on the input, not for the raw activations:
    with default biases the raw rms stops at a bias-driven floor far above the printed total."""
    message = finding_for(DEFAULT_BIAS_SMALL, "IL202").message
    assert "the part of the activations that depends on the input shrinks" in message
    *_, total = grab(DEEP, message)
    t = trace(pairs(build(DEFAULT_BIAS_SMALL).body), randn(512, 512))
    assert t.rms[-1] / t.rms[0] > 1e3 * float(total), t.rms[-1] / t.rms[0]


LINEAR_INTO_LINEAR = """
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(512, 512)
        self.out = nn.Linear(512, 10)
        nn.init.normal_(self.proj.weight, std=0.01)

    def forward(self, x):
        return self.out(self.proj(x))
"""


def test_il202_layer_straight_into_a_layer_scales_by_std_sqrt_fan_in():
    message = finding_for(LINEAR_INTO_LINEAR, "IL202").message
    (gain,) = grab(r"the part of the signal that depends on the input shrinks ~" + NUM + r"x through this layer",
                   message)
    gain = float(gain)
    assert gain == pytest.approx(0.01 * math.sqrt(512), rel=0.01)
    assert "no activation after it" in message
    model = build(LINEAR_INTO_LINEAR)
    t = trace([(model.proj, None)], randn(1024, 512))
    assert close(t.unit_std[1] / t.unit_std[0], gain), t.unit_std  # default bias is a constant: not counted
    assert close(t.tangent[1] / t.tangent[0], gain), t.tangent


LINEAR_CHAIN = """
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(512, 512), nn.Linear(512, 512), nn.Linear(512, 512))
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, std=0.01)

    def forward(self, x):
        return self.net(x)
"""


def test_il202_chain_of_linears_compounds():
    message = finding_for(LINEAR_CHAIN, "IL202").message
    per_layer, depth, *_, total = grab(DEEP, message)
    per_layer, depth, total = float(per_layer), int(depth), float(total)
    assert depth == 2  # net.0 and net.1 feed a layer; net.2 is the output
    model = build(LINEAR_CHAIN)
    t = trace([(model.net[0], None), (model.net[1], None)], randn(1024, 512))
    assert_each(ratios(t.unit_std), per_layer, "per-unit std ratio")
    assert_each(ratios(t.tangent), per_layer, "input-derivative ratio")
    assert close(t.unit_std[-1] / t.unit_std[0], total), (t.unit_std, total)


def test_il202_tanh_too_large_puts_preactivations_in_the_flat_ends():
    source = STACK.format(n=3, d=256, act="Tanh", std=0.5, bias=ZERO_BIAS)
    message = finding_for(source, "IL202").message
    (gain,) = grab(r"pre-activations come out ~" + NUM + r"x the input's scale, deep in Tanh's flat ends", message)
    gain = float(gain)
    assert gain == 8
    t = trace(pairs(build(source).body), randn(512, 256))
    # every layer: pre-activation rms / rms of that layer's input
    assert_each([pre / inp for pre, inp in zip(t.pre_rms, t.rms)], gain, "pre-activation / input rms")
    # "where its gradient vanishes": the mean tanh'(z) over all pre-activations is small (1.0 at 0)
    for z in t.pre:
        assert (1 - torch.tanh(z).pow(2)).mean().item() < 0.15


# =========================================================================== IL501: a deep default stack


DEFAULT_LINEAR_STACK = """
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        layers = []
        for _ in range(16):
            layers += [nn.Linear(1024, 1024), nn.ReLU()]
        self.body = nn.Sequential(*layers)

    def forward(self, x):
        return self.body(x)
"""

DEFAULT_CONV_STACK = """
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        layers = [nn.Conv2d(3, 64, 3, padding=1), nn.ReLU()]
        for _ in range(11):
            layers += [nn.Conv2d(64, 64, 3, padding=1), nn.ReLU()]
        self.body = nn.Sequential(*layers)

    def forward(self, x):
        return self.body(x)
"""

@pytest.mark.parametrize(("source", "shape"), [(DEFAULT_LINEAR_STACK, (256, 1024)),
                                               (DEFAULT_CONV_STACK, (64, 3, 16, 16))], ids=["linear", "conv"])
def test_il501_input_dependent_part_shrinks_while_raw_std_holds_a_floor(source, shape):
    numbers = finding_for(source, "IL501").numbers
    depth, per_layer, total = numbers["depth"], numbers["per_layer_gain"], numbers["total_gain"]
    assert isinstance(depth, int) and isinstance(per_layer, float) and isinstance(total, float)
    assert total == pytest.approx(per_layer ** depth)
    assert per_layer == pytest.approx(1 / math.sqrt(6), abs=5e-4)
    model = build(source)
    steps = pairs(model.body)
    assert len(steps) == depth
    for layer, _ in steps:  # the default the message describes: U(-1/sqrt(fan_in), 1/sqrt(fan_in))
        fan_in = layer.weight[0].numel()
        assert layer.weight.abs().max().item() <= 1 / math.sqrt(fan_in)
        assert layer.weight.var().item() == pytest.approx(1 / (3 * fan_in), rel=0.1)
        assert layer.bias.abs().max().item() > 0  # default biases kept

    t = trace(steps, randn(*shape))
    assert_each(ratios(t.tangent), per_layer, "input-derivative ratio")
    assert close(geo_mean(t.unit_std), per_layer), geo_mean(t.unit_std)
    assert close(geo_mean(t.unit_std), total ** (1 / depth)), (geo_mean(t.unit_std), total ** (1 / depth))
    assert close(geo_mean(t.tangent), total ** (1 / depth)), (geo_mean(t.tangent), total ** (1 / depth))
    # the floor: in the second half the raw std no longer shrinks, and at the end it is almost all bias
    late = ratios(t.rms)[depth // 2:]
    assert all(0.8 < r < 1.25 for r in late), late
    assert t.rms[-1] > 1000 * t.unit_std[-1], (t.rms[-1], t.unit_std[-1])
    assert t.rms[-1] / t.rms[0] > 100 * total  # raw std alone would not show the printed shrink


# =========================================================================== IL301: recurrent weights


DEFAULT_LSTM = """
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Linear(32, 64)
        self.rnn = nn.LSTM(64, 256, batch_first=True)
        self.head = nn.Linear(256, 10)
        nn.init.xavier_uniform_(self.embed.weight)
        nn.init.xavier_uniform_(self.head.weight)

    def forward(self, x):
        out, _ = self.rnn(self.embed(x))
        return self.head(out[:, -1])
"""

XAVIER_GRU = """
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(64, 256, batch_first=True)
        self.head = nn.Linear(256, 10)
        for name, p in self.rnn.named_parameters():
            if "weight_hh" in name:
                nn.init.xavier_uniform_(p)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])
"""

def gate_blocks(weight: torch.Tensor, hidden: int) -> list[torch.Tensor]:
    w = weight.detach().double()
    return [w[k * hidden:(k + 1) * hidden] for k in range(w.shape[0] // hidden)]


def repeated_gain(block: torch.Tensor, steps: int, seed: int = 3) -> tuple[float, float]:
    """Mean norm ratio of one multiplication, and the geometric-mean per-step ratio over ``steps``
    multiplications by the same matrix, for 64 random vectors."""
    v0 = randn(block.shape[1], 64, seed=seed)
    first = ((block @ v0).norm(dim=0) / v0.norm(dim=0)).mean().item()
    v = v0
    for _ in range(steps):
        v = block @ v
    per_step = ((v.norm(dim=0) / v0.norm(dim=0)).log().mean() / steps).exp().item()
    return first, per_step


def check_blocks(weight: torch.Tensor, numbers: Mapping[str, object]) -> None:
    hidden, rho, total, steps = numbers["hidden"], numbers["spectral_radius"], numbers["total_gain"], numbers["steps"]
    assert isinstance(hidden, int) and isinstance(rho, float) and isinstance(total, float) and isinstance(steps, int)
    assert total == pytest.approx(rho ** steps)
    blocks = gate_blocks(weight, hidden)
    assert len(blocks) == weight.shape[0] // hidden >= 3
    for k, block in enumerate(blocks):
        radius = torch.linalg.eigvals(block).abs().max().item()
        first, geo = repeated_gain(block, steps)
        assert close(radius, rho), (k, radius, rho)
        assert close(first, rho), (k, first, rho)
        assert close(geo, rho), (k, geo, rho)
        assert close(geo, total ** (1 / steps)), (k, geo, total ** (1 / steps))


def test_il301_default_lstm_gate_blocks_have_the_printed_spectral_radius(one_thread):
    numbers = finding_for(DEFAULT_LSTM, "IL301").numbers
    bound = numbers["bound"]
    assert isinstance(bound, float) and bound == pytest.approx(1 / math.sqrt(256))
    weight = build(DEFAULT_LSTM).rnn.weight_hh_l0
    assert 0.99 * bound < weight.abs().max().item() <= bound
    check_blocks(weight, numbers)


def test_il301_xavier_on_gru_weight_hh_gives_the_printed_std_and_radius(one_thread):
    numbers = finding_for(XAVIER_GRU, "IL301").numbers
    std = numbers["std"]
    assert isinstance(std, float)
    weight = build(XAVIER_GRU).rnn.weight_hh_l0
    assert weight.std().item() == pytest.approx(std, rel=0.03)
    check_blocks(weight, numbers)


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_il301_orthogonal_weight_hh_has_all_singular_values_one(kind, one_thread):
    help_text = finding_for(DEFAULT_LSTM, "IL301").help
    assert help_text is not None and "nn.init.orthogonal_(w.data[k * h:(k + 1) * h])" in help_text
    rnn = seeded_rnn(kind)
    for name, p in rnn.named_parameters():
        if "weight_hh" in name:
            nn.init.orthogonal_(p)
    w = rnn.weight_hh_l0.detach()
    assert w.shape == ((4 if kind == "LSTM" else 3) * 256, 256)
    assert torch.allclose(torch.linalg.svdvals(w), torch.ones(256, dtype=w.dtype), atol=1e-6)
    assert torch.allclose(w.T @ w, torch.eye(256, dtype=w.dtype), atol=1e-6)  # orthonormal columns
    v = randn(256, 16)
    assert torch.allclose((w @ v).norm(dim=0), v.norm(dim=0), rtol=1e-6)  # the stacked map keeps the norm


@pytest.mark.parametrize(("kind", "gates"), [("LSTM", 4), ("GRU", 3)])
def test_il301_whole_matrix_orthogonal_leaves_each_gate_block_at_one_over_sqrt_gates(kind, gates, one_thread):
    """Why IL301 recommends orthogonal gate blocks: orthogonal_ on the whole G*h x h weight makes its columns
    orthonormal, so the G blocks share the norm and each has rms singular value 1/sqrt(G), as the message says."""
    notes = [note.text for note in finding_for(DEFAULT_LSTM, "IL301").notes]
    assert any("leaves each block with singular values ~1/sqrt(G)" in note for note in notes)
    rnn = seeded_rnn(kind)
    nn.init.orthogonal_(rnn.weight_hh_l0)
    for block in gate_blocks(rnn.weight_hh_l0, 256):
        rms = torch.linalg.svdvals(block).pow(2).mean().sqrt().item()
        assert close(rms, 1 / math.sqrt(gates)), rms


def test_il301_per_gate_orthogonal_blocks_have_singular_values_one(one_thread):
    rnn = seeded_rnn("LSTM")
    for k in range(4):
        nn.init.orthogonal_(rnn.weight_hh_l0.data[k * 256:(k + 1) * 256])
    for block in gate_blocks(rnn.weight_hh_l0, 256):
        assert torch.allclose(torch.linalg.svdvals(block), torch.ones(256, dtype=block.dtype), atol=1e-6)
        radius = torch.linalg.eigvals(block).abs().max().item()
        assert radius == pytest.approx(1.0, abs=1e-6)


# =========================================================================== IL302: LSTM/GRU gate rows


LSTM_SLICE = """
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(64, 128, batch_first=True)
        self.head = nn.Linear(128, 10)
        for name, p in self.rnn.named_parameters():
            if "bias" in name:
                nn.init.zeros_(p)
                p.data[0:128].fill_(1.0)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])
"""

LSTM_ZEROED = """
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(64, 128, batch_first=True)
        self.head = nn.Linear(128, 10)
        for name, p in self.rnn.named_parameters():
            if "bias" in name:
                nn.init.zeros_(p)
            elif "weight" in name:
                nn.init.orthogonal_(p)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])
"""

GRU_SLICE = LSTM_SLICE.replace("nn.LSTM(", "nn.GRU(")

BIG = 40.0  # sigmoid(+-40) is 1 or 0 to float64 precision


def zero_cell(kind: str, hidden: int) -> nn.Module:
    cell = getattr(nn, kind)(8, hidden).double()
    with torch.no_grad():
        for p in cell.parameters():
            p.zero_()
    return cell


def lstm_step(cell: nn.Module, c: torch.Tensor, h: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.zeros(c.shape[0], cell.input_size, dtype=c.dtype)
    h = torch.zeros_like(c) if h is None else h
    with torch.no_grad():
        return cell(x, (h, c))


def test_il302_lstm_gate_order_is_i_f_g_o():
    message = finding_for(LSTM_SLICE, "IL302").message
    assert "that is the input gate i, not the forget gate" in message
    lo, hi = (int(v) for v in grab(r"the forget gate's bias is `\[(\d+):(\d+)\]`", message))
    hidden = 128
    assert (lo, hi) == (hidden, 2 * hidden)
    c = randn(4, hidden)

    # forget rows open, input rows shut: one step keeps the cell state (c' = f*c + i*g)
    cell = zero_cell("LSTMCell", hidden)
    with torch.no_grad():
        cell.bias_ih[lo:hi] = BIG
        cell.bias_ih[0:hidden] = -BIG
        cell.bias_ih[2 * hidden:3 * hidden] = 0.5
    _, c1 = lstm_step(cell, c)
    assert torch.allclose(c1, c, rtol=1e-12, atol=1e-12)

    # the same bias on rows 0:h (what the linted code sets) does not keep it: f stays sigmoid(0) = 0.5
    cell = zero_cell("LSTMCell", hidden)
    with torch.no_grad():
        cell.bias_ih[0:hidden] = BIG
    _, c1 = lstm_step(cell, c)
    assert torch.allclose(c1, 0.5 * c, rtol=1e-12, atol=1e-12)

    # rows 0:h gate the candidate g (rows 2h:3h) into the cell: they are the input gate
    for i_bias, expected in ((BIG, 1.0), (-BIG, 0.0)):
        cell = zero_cell("LSTMCell", hidden)
        with torch.no_grad():
            cell.bias_ih[0:hidden] = i_bias
            cell.bias_ih[2 * hidden:3 * hidden] = BIG  # g = tanh(40) = 1
        _, c1 = lstm_step(cell, torch.zeros(4, hidden, dtype=torch.float64))
        assert torch.allclose(c1, torch.full_like(c1, expected), atol=1e-12)

    # rows 3h:4h are the output gate: shut, h' = o * tanh(c') is 0 however large c' is
    cell = zero_cell("LSTMCell", hidden)
    with torch.no_grad():
        cell.bias_ih[3 * hidden:] = -BIG
    h1, c1 = lstm_step(cell, c)
    assert torch.allclose(h1, torch.zeros_like(h1), atol=1e-12) and c1.abs().max() > 0.1


def test_il302_gru_update_gate_is_rows_h_to_2h():
    message = finding_for(GRU_SLICE, "IL302").message
    assert "these rows are the reset gate r" in message
    lo, hi = (int(v) for v in grab(r"is the update gate z \(`\[(\d+):(\d+)\]`\)", message))
    hidden = 128
    h = randn(4, hidden)
    x = torch.zeros(4, 8, dtype=torch.float64)
    cell = zero_cell("GRUCell", hidden)
    with torch.no_grad():
        cell.bias_ih[lo:hi] = BIG  # z = 1: h' = (1 - z) * n + z * h = h
        assert torch.allclose(cell(x, h), h, rtol=1e-12, atol=1e-12)
    cell = zero_cell("GRUCell", hidden)
    with torch.no_grad():
        cell.bias_ih[0:hidden] = BIG  # r = 1 does not keep the state: z = 0.5, n = tanh(0) = 0
        assert torch.allclose(cell(x, h), 0.5 * h, rtol=1e-12, atol=1e-12)


GRU_UPDATE_BIAS = GRU_SLICE.replace("p.data[0:128]", "p.data[128:256]")


def test_il302_gru_update_gate_bias_keeps_and_shuts_out_as_printed():
    """Both biases get the 1, so z = sigmoid(2): the state is kept 0.881 per step, and the candidate n (and the
    gradient into it) is weighted by 0.119."""
    message = finding_for(GRU_UPDATE_BIAS, "IL302").message
    total, keep = grab(r"z starts around sigmoid\(" + NUM + r"\) = " + NUM, message)
    write = grab(r"enters at only " + NUM, message)[0]
    assert grab(r"scaled by " + NUM + " as well", message)[0] == write
    rnn = build(GRU_UPDATE_BIAS).rnn.double()
    with torch.no_grad():
        for name, p in rnn.named_parameters():
            if "weight" in name:
                p.zero_()  # at the start, in the linear range: only the biases speak
    h0 = randn(1, 4, 128)
    x = torch.zeros(4, 1, 64, dtype=torch.float64)
    _, h1 = rnn(x, h0)
    assert close((h1 / h0).mean().item(), float(keep)), (h1 / h0).mean().item()
    (rnn(x, torch.zeros_like(h0))[1]).sum().backward()
    into_n = rnn.bias_ih_l0.grad[256:384] / 4  # per sample: dh'/db_in = (1 - z) * (1 - n^2), n = 0
    assert close(into_n.mean().item(), float(write)), into_n.mean().item()
    assert float(total) == 2.0 and float(keep) == pytest.approx(1 / (1 + math.exp(-2)), abs=5e-4)


def test_il302_zeroed_lstm_bias_halves_the_cell_per_step():
    message = finding_for(LSTM_ZEROED, "IL302", Settings(zeroed_lstm_biases=True)).message
    half, steps, total = grab(r"sigmoid\(0\) = " + NUM + r".*?\(0\.5\^(\d+) ~ " + NUM + r" after \d+ steps\)",
                              message)
    kept = float(grab(r"set the forget-gate bias to 1 \(" + NUM + r" kept per step\)", message)[0])
    lo, hi = (int(v) for v in grab(r"add `p\.data\[(\d+):(\d+)\]\.fill_\(1\.0\)`", message))
    half, steps, total = float(half), int(steps), float(total)
    assert half == 1 / (1 + math.exp(0))

    rnn = build(LSTM_ZEROED).rnn
    assert all(p.abs().max() == 0 for name, p in rnn.named_parameters() if "bias" in name)
    with torch.no_grad():  # in the linear range at the start: no input, and no recurrent drive
        rnn.weight_hh_l0.zero_()
    x = torch.zeros(3, steps, 64, dtype=torch.float64)
    h0 = torch.zeros(1, 3, 128, dtype=torch.float64)
    c0 = randn(1, 3, 128)
    with torch.no_grad():
        _, (_, c_n) = rnn(x, (h0, c0))
        ratio = (c_n / c0).mean().item()
        assert ratio == pytest.approx(half**steps, rel=1e-9)
        assert close(ratio, total), (ratio, total)
        rnn.bias_ih_l0[lo:hi].fill_(1.0)  # the suggested fix, on one bias
        _, (_, c_1) = rnn(x[:, :1], (h0, c0))
        assert close((c_1 / c0).mean().item(), kept, rel=0.01)
        _, (_, c_n) = rnn(x, (h0, c0))
        assert (c_n / c0).mean().item() == pytest.approx((1 / (1 + math.exp(-1))) ** steps, rel=1e-9)


# =========================================================================== IL203: n is not the fan


FAN_SOURCE = """
import math
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(64, 128, 3, padding=1)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(128, 10, 1)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                n = m.in_channels
                m.weight.data.normal_(0, math.sqrt(2. / n))

    def forward(self, x):
        return self.conv2(self.relu(self.conv1(x)))
"""


def test_il203_fans_and_the_std_ratio_match_torch():
    message = finding_for(FAN_SOURCE, "IL203").message
    n, fan_in, fan_out, kernel, ratio = grab(
        r"= " + NUM + r" for `conv1`.*?fan_in = (\d+) and fan_out = (\d+).*?receptive field \((\d+x\d+) = \d+\)"
        r".*?this std is ~" + NUM + r"x the one", message)
    n, fan_in, fan_out, ratio = int(n), int(fan_in), int(fan_out), float(ratio)
    model = build(FAN_SOURCE)
    conv = model.conv1
    assert nn.init._calculate_fan_in_and_fan_out(conv.weight) == (fan_in, fan_out)
    assert n == conv.in_channels and kernel == "x".join(map(str, conv.kernel_size))
    he = math.sqrt(2 / fan_in)
    assert math.sqrt(2 / n) / he == pytest.approx(ratio, rel=1e-9)
    assert close(conv.weight.std().item() / he, ratio, rel=0.03)
    # what the layer does with it: the input-dependent gain (interior pixels, no padding) is ratio x He's
    x = randn(32, 64, 16, 16)
    with torch.no_grad():
        y = conv(x)[:, :, 1:-1, 1:-1]
    gain = y.std(dim=0).mean().item() / x.std(dim=0).mean().item()
    assert close(gain / (he * math.sqrt(fan_in)), ratio), gain


# =========================================================================== IL201: a constant hidden layer


CONSTANT_HIDDEN = """
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(256, 256)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(256, 10)
        nn.init.{func}(self.fc1.weight)
        nn.init.xavier_uniform_(self.fc2.weight)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))
"""


def backward_once(model: nn.Module, x: torch.Tensor) -> None:
    model.zero_grad()
    target = randn(x.shape[0], 10, seed=7)
    nn.functional.mse_loss(model(x), target).backward()


def test_il201_zeroed_hidden_layer_ignores_the_input_and_dead_units_get_no_gradient():
    source = CONSTANT_HIDDEN.format(func="zeros_")
    found = finding_for(source, "IL201")
    message, units = found.message, found.numbers["units"]
    assert found.numbers["value"] == 0 and "(with 0, one that ignores the input)" in message
    assert "units whose bias is not positive output 0 and get no gradient at all" in message
    model = build(source)
    assert model.fc1.out_features == units
    x1, x2 = randn(64, 256, seed=1), randn(64, 256, seed=2)
    with torch.no_grad():
        h1, h2 = model.act(model.fc1(x1)), model.act(model.fc1(x2))
    assert torch.equal(h1, h2)  # none of the input
    assert torch.equal(h1, model.act(model.fc1.bias).expand_as(h1).detach())
    # default biases: units with bias <= 0 get exactly zero gradient (ReLU'(z <= 0) = 0 in torch)
    backward_once(model, x1)
    grad = model.fc1.weight.grad
    dead = model.fc1.bias.detach() <= 0
    assert 0 < dead.sum() < units
    assert torch.count_nonzero(grad[dead]) == 0
    assert torch.count_nonzero(grad[~dead].abs().sum(dim=1)) == (~dead).sum()
    # zero bias as well: every weight gradient of the layer is exactly 0, so SGD never moves it
    with torch.no_grad():
        model.fc1.bias.zero_()
    backward_once(model, x1)
    assert torch.count_nonzero(model.fc1.weight.grad) == 0
    assert torch.count_nonzero(model.fc1.bias.grad) == 0
    at_zero = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    torch.relu(at_zero).sum().backward()
    assert torch.equal(at_zero.grad, torch.zeros(3, dtype=torch.float64))  # why: ReLU'(0) is 0 in torch


def test_il201_ones_makes_every_unit_a_copy():
    source = CONSTANT_HIDDEN.format(func="ones_")
    message = finding_for(source, "IL201").message
    found = finding_for(source, "IL201")
    assert found.title == "`ones_` sets every weight of hidden `fc1` to 1"
    assert found.numbers["units"] == 256 and "all 256 units start as the same function of the input" in message
    model = build(source)
    with torch.no_grad():
        model.fc1.bias.zero_()  # equal biases: otherwise the units differ by their bias
        h = model.act(model.fc1(randn(64, 256)))
    assert torch.allclose(h, h[:, :1].expand_as(h), rtol=1e-12, atol=0)
    assert h.std(dim=1).max().item() < 1e-9 * h.abs().max().item()


def test_il201_only_the_layer_above_tells_the_units_gradients_apart():
    """The message's claim: constant hidden units differ only through the random weights above them. With fc2
    random the rows of fc1's gradient differ; with fc2 constant too they are identical copies."""
    notes = [note.text for note in finding_for(CONSTANT_HIDDEN.format(func="ones_"), "IL201").notes]
    assert any("only the random weights of the layer above tell their gradients apart" in note for note in notes)
    model = build(CONSTANT_HIDDEN.format(func="ones_"))
    with torch.no_grad():
        model.fc1.bias.zero_()
    backward_once(model, randn(64, 256))
    grad = model.fc1.weight.grad
    assert not torch.allclose(grad, grad[:1].expand_as(grad), rtol=1e-3, atol=0)
    model.zero_grad()
    with torch.no_grad():
        model.fc2.weight.fill_(0.01)  # the layer above constant as well: nothing tells the units apart
    backward_once(model, randn(64, 256))
    grad = model.fc1.weight.grad
    assert torch.allclose(grad, grad[:1].expand_as(grad), rtol=1e-9, atol=1e-12)
