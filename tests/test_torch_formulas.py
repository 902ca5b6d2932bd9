"""The engine's pure-Python mirrors of torch's formulas, checked against real torch.

initlint never imports torch at lint time, so ``catalog``, ``build._layer_params``, ``Layer.fans`` and
``checks.common.init_std`` restate torch's numbers by hand. Each test here builds the real torch object
(module, tensor, init call) and compares. Statistical checks use large seeded tensors, so a 3% bound
is many standard errors wide and the results are deterministic.
"""

from __future__ import annotations

import inspect
import math
import warnings

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
init = torch.nn.init
fan_in_and_fan_out = torch.nn.init._calculate_fan_in_and_fan_out

from initlint.checks.common import init_std
from initlint.checks.family import _classify
from initlint.picture import torchspec
from initlint.picture.model import ACT, Follow, InitSite, Layer, Span
from initlint.picture.torchspec import Activation
from initlint.picture.torchspec import layer_params as _layer_params

REL = 0.03  # tolerance for a measured std against its formula


def site(func: str, **args: object) -> InitSite:
    return InitSite(func=func, span=Span(1, 1, 1, 1), args=dict(args), targets=[], target_text="w",
                    order=(0,))


def layer(kind: str, params: dict, args: dict | None = None) -> Layer:
    return Layer(uid=0, kind=kind, owner="X", path="p", line=1, args=dict(args or {}), params=params)


def measured_std(func: str, shape: tuple[int, ...], seed: int = 0, **args: object):
    tensor = torch.empty(shape)
    generator = torch.Generator().manual_seed(seed)
    getattr(init, func)(tensor, **args, generator=generator)
    return tensor.std().item(), tensor


# =========================================================================== 1. gains


TORCH_GAIN_NAMES = [
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "selu",
]


def test_gain_names_are_exactly_the_ones_torch_accepts():
    assert set(TORCH_GAIN_NAMES) == torchspec.NONLINEARITY_GAIN_NAMES
    for name in TORCH_GAIN_NAMES:
        init.calculate_gain(name)  # accepted


@pytest.mark.parametrize("name", TORCH_GAIN_NAMES)
def test_calculate_gain_matches_torch(name):
    assert torchspec.calculate_gain(name) == pytest.approx(init.calculate_gain(name), rel=1e-12)


@pytest.mark.parametrize("slope", [None, 0, 0.01, 0.1, 0.2, 0.3, 1 / 3, 0.5, 1.0, 2, 5.5])
def test_calculate_gain_leaky_relu_param_matches_torch(slope):
    assert torchspec.calculate_gain("leaky_relu", slope) == pytest.approx(
        init.calculate_gain("leaky_relu", slope), rel=1e-12
    )


@pytest.mark.parametrize("name", ["gelu", "silu", "elu", "softmax", "prelu", "relu6", "Tanh", "identity", ""])
def test_calculate_gain_rejects_what_torch_rejects(name):
    with pytest.raises(ValueError):
        init.calculate_gain(name)
    assert torchspec.calculate_gain(name) is None


@pytest.mark.parametrize(
    ("activation", "torch_args"),
    [
        (Activation("relu"), ("relu",)),
        (Activation("leaky_relu", 0.2), ("leaky_relu", 0.2)),
        (Activation("leaky_relu"), ("leaky_relu",)),  # no slope: torch's default 0.01
        (Activation("tanh"), ("tanh",)),
        (Activation("sigmoid"), ("sigmoid",)),
    ],
    ids=["relu", "leaky_relu(0.2)", "leaky_relu(default)", "tanh", "sigmoid"],
)
def test_activation_gain_matches_torch(activation, torch_args):
    assert activation.gain == pytest.approx(init.calculate_gain(*torch_args), rel=1e-12)


def test_default_slopes_match_torch_modules():
    assert torchspec.DEFAULT_LEAKY_SLOPE == nn.LeakyReLU().negative_slope
    assert torchspec.PRELU_INIT_SLOPE == pytest.approx(nn.PReLU().weight.item())
    rrelu = nn.RReLU()
    assert torchspec.RRELU_MEAN_SLOPE == pytest.approx((rrelu.lower + rrelu.upper) / 2)
    default_leaky = Activation("leaky_relu", nn.LeakyReLU().negative_slope)
    assert torchspec.activation_for_module("LeakyReLU") == default_leaky


# =========================================================================== signatures


RECURRENT_POSITIONAL_VALUES = {
    "input_size": 3,
    "hidden_size": 6,
    "num_layers": 2,
    "nonlinearity": "relu",
    "bias": False,
    "batch_first": True,
    "dropout": 0.25,
    "bidirectional": True,
    "proj_size": 2,
}


@pytest.mark.parametrize("kind", sorted(torchspec.LAYER_SIGNATURES))
def test_layer_signature_is_torch_positional_order(kind):
    expected = torchspec.LAYER_SIGNATURES[kind]
    cls = getattr(nn, kind)
    if kind in torchspec.RECURRENT:
        # RNN/LSTM/GRU take *args; build one positionally and read the arguments back.
        values = [RECURRENT_POSITIONAL_VALUES[name] for name in expected]
        module = cls(*values)
        for name, value in zip(expected, values):
            assert getattr(module, name) == value, name
        return
    params = [
        p.name
        for p in list(inspect.signature(cls.__init__).parameters.values())[1:]
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    assert tuple(params[: len(expected)]) == expected


@pytest.mark.parametrize("func", sorted(torchspec.INIT_SIGNATURES))
def test_init_signature_is_torch_positional_order(func):
    expected = torchspec.INIT_SIGNATURES[func]
    params = [p.name for p in list(inspect.signature(getattr(init, func)).parameters.values())[1:]]
    assert tuple(params[: len(expected)]) == expected


# =========================================================================== 2. layer shapes and fans


def _case(kind, marks=(), **args):
    label = kind + "(" + ",".join(f"{k}={v}" for k, v in args.items()) + ")"
    return pytest.param(kind, args, id=label, marks=marks)


LAYER_CASES = [
    _case("Linear", in_features=16, out_features=32),
    _case("Linear", in_features=16, out_features=32, bias=False),
    _case("Bilinear", in1_features=8, in2_features=12, out_features=20),
    _case("Bilinear", in1_features=8, in2_features=12, out_features=20, bias=False),
    _case("Conv1d", in_channels=16, out_channels=32, kernel_size=5),
    _case("Conv1d", in_channels=16, out_channels=32, kernel_size=5, groups=4, bias=False),
    _case("Conv2d", in_channels=16, out_channels=32, kernel_size=3),
    _case("Conv2d", in_channels=16, out_channels=32, kernel_size=3, groups=2),
    _case("Conv2d", in_channels=16, out_channels=32, kernel_size=(3, 5), stride=2, padding=1, bias=False),
    _case("Conv2d", in_channels=16, out_channels=16, kernel_size=3, groups=16),  # depthwise
    _case("Conv3d", in_channels=4, out_channels=8, kernel_size=3),
    _case("Conv3d", in_channels=4, out_channels=8, kernel_size=(1, 3, 3), groups=2, bias=False),
    _case("ConvTranspose1d", in_channels=16, out_channels=32, kernel_size=4),
    _case("ConvTranspose1d", in_channels=16, out_channels=32, kernel_size=4, groups=4, bias=False),
    _case("ConvTranspose2d", in_channels=16, out_channels=32, kernel_size=3),
    _case("ConvTranspose2d", in_channels=16, out_channels=32, kernel_size=3, groups=2),
    _case("ConvTranspose2d", in_channels=8, out_channels=12, kernel_size=(2, 3), stride=2, groups=4),
    _case("ConvTranspose3d", in_channels=4, out_channels=8, kernel_size=3),
    _case("ConvTranspose3d", in_channels=4, out_channels=6, kernel_size=(1, 2, 3), groups=2, bias=False),
    _case("Embedding", num_embeddings=100, embedding_dim=16),
    _case("Embedding", num_embeddings=100, embedding_dim=16, padding_idx=0),
    _case("EmbeddingBag", num_embeddings=100, embedding_dim=16),
    _case("EmbeddingBag", num_embeddings=100, embedding_dim=16, mode="sum"),
    _case("RNN", input_size=10, hidden_size=20),
    _case("RNN", input_size=10, hidden_size=20, num_layers=2, nonlinearity="relu"),
    _case("RNN", input_size=10, hidden_size=20, bidirectional=True, bias=False),
    _case("RNN", input_size=10, hidden_size=20, num_layers=2, bidirectional=True),
    _case("LSTM", input_size=10, hidden_size=20),
    _case("LSTM", input_size=10, hidden_size=20, num_layers=2),
    _case("LSTM", input_size=10, hidden_size=20, bidirectional=True),
    _case("LSTM", input_size=10, hidden_size=20, num_layers=2, bidirectional=True, bias=False),
    _case("LSTM", input_size=10, hidden_size=20, proj_size=5),
    _case("LSTM", input_size=7, hidden_size=20, num_layers=2, bidirectional=True, proj_size=5),
    _case("GRU", input_size=10, hidden_size=20),
    _case("GRU", input_size=10, hidden_size=20, num_layers=2, bias=False),
    _case("GRU", input_size=10, hidden_size=20, num_layers=2, bidirectional=True),
    _case("RNNCell", input_size=10, hidden_size=20),
    _case("RNNCell", input_size=10, hidden_size=20, bias=False, nonlinearity="relu"),
    _case("LSTMCell", input_size=10, hidden_size=20),
    _case("LSTMCell", input_size=10, hidden_size=20, bias=False),
    _case("GRUCell", input_size=10, hidden_size=20),
    _case("GRUCell", input_size=10, hidden_size=20, bias=False),
    _case("MultiheadAttention", embed_dim=16, num_heads=4),
    _case("MultiheadAttention", embed_dim=16, num_heads=4, bias=False),
    _case("MultiheadAttention", embed_dim=16, num_heads=4, add_bias_kv=True),
    _case("MultiheadAttention", embed_dim=16, num_heads=4, bias=False, add_bias_kv=True),
    _case("MultiheadAttention", embed_dim=16, num_heads=4, kdim=8, vdim=12),
    _case("LayerNorm", normalized_shape=16),
    _case("LayerNorm", normalized_shape=(4, 8)),
    _case("LayerNorm", normalized_shape=16, bias=False),
    _case("LayerNorm", normalized_shape=16, elementwise_affine=False),
    _case("RMSNorm", normalized_shape=16),
    _case("RMSNorm", normalized_shape=(4, 8)),
    _case("RMSNorm", normalized_shape=16, elementwise_affine=False),
    _case("BatchNorm1d", num_features=16),
    _case("BatchNorm2d", num_features=16),
    _case("BatchNorm3d", num_features=16),
    _case("BatchNorm2d", num_features=16, affine=False),
    _case("GroupNorm", num_groups=4, num_channels=16),
    _case("GroupNorm", num_groups=4, num_channels=16, affine=False),
    _case("InstanceNorm2d", num_features=16),
    _case("InstanceNorm2d", num_features=16, affine=True),
]


def _torch_params(kind: str, args: dict) -> tuple[nn.Module, dict[str, tuple[int, ...]]]:
    module = getattr(nn, kind)(**args)
    # recurse=False: MultiheadAttention's out_proj is a separate child (its own Linear layer).
    return module, {name: tuple(p.shape) for name, p in module.named_parameters(recurse=False)}


@pytest.mark.parametrize(("kind", "args"), LAYER_CASES)
def test_layer_params_match_torch(kind, args):
    _, actual = _torch_params(kind, args)
    assert _layer_params(kind, args, False) == actual


@pytest.mark.parametrize(("kind", "args"), [c for c in LAYER_CASES if not c.marks])
def test_layer_fans_match_torch(kind, args):
    module, _ = _torch_params(kind, args)
    lay = layer(kind, _layer_params(kind, args, False), args)
    if isinstance(getattr(module, "weight", None), torch.Tensor) and module.weight.dim() >= 2:
        assert lay.fans("weight") == fan_in_and_fan_out(module.weight)
    for name, param in module.named_parameters(recurse=False):
        if param.dim() >= 2:
            assert lay.fans(name) == fan_in_and_fan_out(param), name
        else:
            with pytest.raises(ValueError):
                fan_in_and_fan_out(param)
            assert lay.fans(name) is None, name


# =========================================================================== 3. init_std


LINEAR_SHAPE = (768, 1024)  # fan_in 1024, fan_out 768: modes and xavier are distinguishable
CONV_SHAPE = (256, 128, 3, 3)  # fan_in 1152, fan_out 2304
SHAPES = [pytest.param(LINEAR_SHAPE, id="768x1024"), pytest.param(CONV_SHAPE, id="256x128x3x3")]

GAIN_ARGS = [{}, {"gain": 1.0}, {"gain": 5.0 / 3}, {"gain": math.sqrt(2.0)}]
KAIMING_ARGS = [
    {},  # torch default: leaky_relu with a=0 (He, sqrt 2)
    {"a": math.sqrt(5)},  # what nn.Linear/nn.Conv use in reset_parameters
    {"nonlinearity": "relu"},
    {"nonlinearity": "relu", "mode": "fan_out"},
    {"a": 0.2, "nonlinearity": "leaky_relu"},
    {"a": 0.2, "nonlinearity": "leaky_relu", "mode": "fan_out"},
    {"nonlinearity": "linear"},
    {"nonlinearity": "tanh"},
    {"nonlinearity": "tanh", "mode": "fan_out"},
    {"nonlinearity": "selu"},
    {"nonlinearity": "sigmoid", "mode": "fan_in"},
]

INIT_CASES = (
    [("xavier_uniform_", a) for a in GAIN_ARGS]
    + [("xavier_normal_", a) for a in GAIN_ARGS]
    + [("kaiming_uniform_", a) for a in KAIMING_ARGS]
    + [("kaiming_normal_", a) for a in KAIMING_ARGS]
    + [
        ("normal_", {}),
        ("normal_", {"std": 0.02}),
        ("normal_", {"mean": 0.5, "std": 0.1}),
        ("uniform_", {}),
        ("uniform_", {"a": -0.1, "b": 0.1}),
        ("uniform_", {"a": 0.0, "b": 0.3}),
        ("trunc_normal_", {"std": 0.02}),  # truncation at +-2 is 100 stds away
        ("trunc_normal_", {"mean": 0.0, "std": 0.01, "a": -0.2, "b": 0.2}),
    ]
)


def _init_id(case):
    func, args = case
    shown = (f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in args.items())
    return func + "(" + ",".join(shown) + ")"


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(("func", "args"), INIT_CASES, ids=[_init_id(c) for c in INIT_CASES])
def test_init_std_matches_torch(func, args, shape):
    measured, tensor = measured_std(func, shape, **args)
    expected = init_std(site(func, **args), fan_in_and_fan_out(tensor))
    assert expected is not None
    assert measured == pytest.approx(expected, rel=REL)


def test_init_std_uses_engine_fans_for_a_conv_layer():
    """End to end: engine shapes -> engine fans -> engine std, against torch on the real module."""
    args = {"in_channels": 128, "out_channels": 256, "kernel_size": 3}
    conv = nn.Conv2d(**args)
    torch.manual_seed(0)
    init.kaiming_normal_(conv.weight, mode="fan_out", nonlinearity="relu")
    fans = layer("Conv2d", _layer_params("Conv2d", args, False), args).fans("weight")
    expected = init_std(site("kaiming_normal_", mode="fan_out", nonlinearity="relu"), fans)
    assert conv.weight.std().item() == pytest.approx(expected, rel=REL)


# =========================================================================== 4. recommended replacements

FAN = 512
XAVIER_STD_512 = math.sqrt(2.0 / (FAN + FAN))


def _recommended_std(call: str, seed: int = 0) -> float:
    linear = nn.Linear(FAN, FAN)
    torch.manual_seed(seed)
    eval(call, {"nn": nn, "w": linear.weight})  # the call text the engine recommends
    return linear.weight.std().item()


def _engine_wanted(init_site: InitSite, activation: Activation) -> float:
    """The std the engine's family checks say the activation wants, for a Linear(512, 512)."""
    args = {"in_features": FAN, "out_features": FAN}
    lay = layer("Linear", _layer_params("Linear", args, False), args)
    lay.follows.append(Follow(ACT, activation))
    hits = [h for hs in _classify(init_site, [(lay, activation)]).values() for h in hs]
    assert len(hits) == 1
    return hits[0].wanted


RECOMMENDATIONS = [
    pytest.param(
        Activation("relu"),
        f"nn.init.kaiming_uniform_(w, {Activation('relu').kaiming_args()})",
        site("kaiming_uniform_", nonlinearity="relu"),
        site("xavier_uniform_"),
        math.sqrt(2.0 / FAN),
        id="relu->he",
    ),
    pytest.param(
        Activation("leaky_relu", 0.2),
        f"nn.init.kaiming_normal_(w, {Activation('leaky_relu', 0.2).kaiming_args()})",
        site("kaiming_normal_", a=0.2, nonlinearity="leaky_relu"),
        site("xavier_normal_"),
        math.sqrt(2.0 / (1 + 0.2**2) / FAN),
        id="leaky_relu(0.2)->he",
    ),
    pytest.param(
        Activation("tanh"),
        'nn.init.xavier_uniform_(w, gain=nn.init.calculate_gain("tanh"))',
        site("xavier_uniform_", gain=5.0 / 3),
        site("kaiming_uniform_", nonlinearity="relu"),
        5.0 / 3 * XAVIER_STD_512,
        id="tanh->glorot",
    ),
    pytest.param(
        Activation("selu"),
        'nn.init.kaiming_normal_(w, nonlinearity="linear")',
        site("kaiming_normal_", nonlinearity="linear"),
        site("kaiming_normal_", nonlinearity="selu"),
        1 / math.sqrt(FAN),
        id="selu->lecun",
    ),
]


@pytest.mark.parametrize(("activation", "call", "good_site", "bad_site", "formula"), RECOMMENDATIONS)
def test_recommended_replacement_gives_the_wanted_std(activation, call, good_site, bad_site, formula):
    measured = _recommended_std(call)
    assert measured == pytest.approx(formula, rel=REL)
    # The engine's own numbers agree: the std it says the activation wants, and the std it computes
    # for the recommended call.
    assert _engine_wanted(bad_site, activation) == pytest.approx(formula, rel=1e-9)
    assert init_std(good_site, (FAN, FAN)) == pytest.approx(formula, rel=1e-9)


def test_kaiming_args_text_matches_recommendations():
    assert Activation("relu").kaiming_args() == 'nonlinearity="relu"'
    assert Activation("leaky_relu", 0.2).kaiming_args() == 'a=0.2, nonlinearity="leaky_relu"'


def _propagate(x, init_weight, seed: int, depth: int = 10):
    generator = torch.Generator().manual_seed(seed)
    h = x
    with torch.no_grad():
        for _ in range(depth):
            linear = nn.Linear(FAN, FAN)
            init_weight(linear.weight, generator)
            init.zeros_(linear.bias)
            h = torch.relu(linear(h))
    return h


def _rms(t) -> float:
    return t.pow(2).mean().sqrt().item()


def test_signal_propagation_he_keeps_scale_xavier_shrinks():
    """10 x (Linear(512, 512) + ReLU), zero bias, 4096 unit-variance inputs.

    He init preserves the second moment of the post-ReLU signal, so the output RMS stays at the input's
    (and the output std at sqrt(1 - 1/pi) of it, the std of a rectified Gaussian with that RMS). Xavier's
    smaller std shrinks the signal by xavier_std/he_std per layer.

    Both networks draw their weights from the same generator seed, so they differ only in the scale of
    the init (torch draws uniform_(-bound, bound) for both); with independent draws the finite-width
    noise alone (about 15% over 10 layers at width 512) would eat most of the 25% bound.
    """
    x = torch.randn(4096, FAN, generator=torch.Generator().manual_seed(123))
    depth = 10

    he = _propagate(x, lambda w, g: init.kaiming_uniform_(w, nonlinearity="relu", generator=g), seed=1)
    xavier = _propagate(x, lambda w, g: init.xavier_uniform_(w, generator=g), seed=1)

    rms_in = _rms(x)
    assert 0.7 <= _rms(he) / rms_in <= 1.4
    rectified_std = math.sqrt(1 - 1 / math.pi)
    assert 0.7 <= he.std().item() / (rectified_std * rms_in) <= 1.4

    he_std = init_std(site("kaiming_uniform_", nonlinearity="relu"), (FAN, FAN))
    xavier_std = init_std(site("xavier_uniform_"), (FAN, FAN))
    predicted = (xavier_std / he_std) ** depth
    assert predicted == pytest.approx((1 / math.sqrt(2)) ** depth)
    measured = xavier.std().item() / he.std().item()
    assert measured == pytest.approx(predicted, rel=0.25)
    assert _rms(xavier) / rms_in == pytest.approx(predicted, rel=0.4)  # against the input itself


GATED_BLOCK = """
import torch
import torch.nn as nn

class GatedBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(64, 128, 3, bias=False)
        nn.init.kaiming_normal_(self.conv.weight, nonlinearity="relu")

    def forward(self, x):
        a, b = self.conv(x).chunk(2, dim=1)
        return torch.tanh(a) * torch.sigmoid(b)
"""


def test_gated_unit_il102_numbers_are_torchs():
    """A Conv1d(64, 128, 3) whose output halves go to tanh and sigmoid (WaveNet's gated unit). IL102's two
    stds are what torch's kaiming_normal_ and the suggested call give that conv; with unit-variance input,
    He's pre-activation variance is fan_in * 2 / fan_in = 2 where the suggested Glorot's is 2 * 192 / 576,
    and He puts more of both halves where tanh and sigmoid are flat (|z| > 2)."""
    import re
    import types

    from initlint.analysis import check_source

    (finding,) = [f for f in check_source(GATED_BLOCK, "model.py") if f.code == "IL102"]
    numbers = finding.numbers
    suggested = re.search(r"use `([^`]+)`", finding.help)
    assert suggested is not None
    conv = nn.Conv1d(64, 128, 3, bias=False)
    x = torch.randn(64, 64, 400, generator=torch.Generator().manual_seed(5))

    def halves(weight_init):
        torch.manual_seed(0)
        weight_init()
        with torch.no_grad():
            z = conv(x)
        return conv.weight.std().item(), z.var().item(), [(p.abs() > 2).float().mean().item() for p in z.chunk(2, 1)]

    he_std, he_var, he_flat = halves(lambda: init.kaiming_normal_(conv.weight, nonlinearity="relu"))
    glorot_std, glorot_var, glorot_flat = halves(
        lambda: eval(suggested.group(1), {"nn": nn, "self": types.SimpleNamespace(conv=conv)}))
    assert he_std == pytest.approx(numbers["std"], rel=REL)
    assert glorot_std == pytest.approx(numbers["wanted_std"], rel=REL)
    assert he_var == pytest.approx(2.0, rel=0.1)
    assert glorot_var == pytest.approx(2 * 192 / 576, rel=0.1)
    assert all(h > 2 * g for h, g in zip(he_flat, glorot_flat))


# =========================================================================== 5. IL401 / IL402 claims


def test_min_dims_covers_the_fan_based_inits():
    assert set(torchspec.MIN_DIMS) == set(torchspec.FAN_BASED)


@pytest.mark.parametrize("func", ["xavier_uniform_", "kaiming_normal_", "orthogonal_", "eye_", "sparse_"])
def test_fan_inits_raise_on_1d(func):
    extra = {"sparsity": 0.1} if func == "sparse_" else {}
    with pytest.raises(ValueError):
        getattr(init, func)(torch.empty(16), **extra)


def test_dirac_raises_on_2d():
    with pytest.raises(ValueError):
        init.dirac_(torch.empty(8, 8))


def _tensor_of_dims(dims: int):
    return torch.empty((4, 4, 3, 3, 3)[:dims])


@pytest.mark.parametrize("func", sorted(torchspec.MIN_DIMS))
def test_min_dims_is_the_boundary(func):
    dims = torchspec.MIN_DIMS[func]
    extra = {"sparsity": 0.1} if func == "sparse_" else {}
    getattr(init, func)(_tensor_of_dims(dims), **extra)  # accepted at exactly MIN_DIMS
    with pytest.raises(ValueError):
        getattr(init, func)(_tensor_of_dims(dims - 1), **extra)


def _alias_args(target: str):
    if target == "dirac_":
        return (torch.empty(4, 4, 3),), {}
    if target == "constant_":
        return (torch.empty(8, 8), 0.5), {}
    if target == "sparse_":
        return (torch.empty(8, 8), 0.1), {}
    return (torch.empty(8, 8),), {}


@pytest.mark.parametrize("alias", sorted(torchspec.DEPRECATED_ALIASES))
def test_deprecated_alias_exists_and_warns(alias):
    target = torchspec.DEPRECATED_ALIASES[alias]
    assert callable(getattr(init, target))
    func = getattr(init, alias)
    args, kwargs = _alias_args(target)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        func(*args, **kwargs)
    kinds = [w.category for w in caught]
    assert any(issubclass(k, (FutureWarning, UserWarning)) for k in kinds), kinds
    assert any(target in str(w.message) for w in caught)


def test_deprecated_aliases_are_all_of_torchs():
    torch_aliases = {
        name for name in dir(init)
        if not name.startswith("_") and not name.endswith("_") and callable(getattr(init, name + "_", None))
    }
    assert torch_aliases == set(torchspec.DEPRECATED_ALIASES)
    assert all(torchspec.DEPRECATED_ALIASES[a] == a + "_" for a in torchspec.DEPRECATED_ALIASES)
