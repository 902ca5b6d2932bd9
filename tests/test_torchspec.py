"""Every entry of ``initlint.picture.torchspec`` checked against torch itself.

The class hierarchy against ``issubclass``, default inits against the statistics of freshly built layers,
the variance-preserving gains against a quadrature of each activation, names against torch's modules.
(Signatures, parameter shapes, fans and ``calculate_gain`` are checked in test_torch_formulas.py.)
"""

from __future__ import annotations

import inspect
import math

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional

from initlint.picture import torchspec
from initlint.picture.torchspec import Activation

# Every layer kind torchspec describes, and every torch.nn class an ``isinstance`` test may name for them.
KINDS = sorted(set(torchspec.LAYER_SIGNATURES) | set(torchspec.NORMS) | set(torchspec.BASES))


def _torch_class(name: str) -> type:
    """``nn.X``, or a private base class from the submodule that defines it (``_NormBase``, ``_ConvNd``)."""
    found = getattr(nn, name, None)
    if inspect.isclass(found):
        return found
    for module in vars(nn.modules).values():
        found = getattr(module, name, None) if inspect.ismodule(module) else None
        if inspect.isclass(found):
            return found
    raise LookupError(name)


def _ancestors() -> list[str]:
    names: set[str] = set(KINDS)
    for kind in KINDS:
        names |= {c.__name__ for c in _torch_class(kind).__mro__ if c.__module__.startswith("torch.nn")}
    return sorted(names)


@pytest.mark.parametrize("kind", KINDS)
def test_isinstance_hierarchy_is_torchs(kind):
    cls = _torch_class(kind)
    wrong = [name for name in _ancestors()
             if torchspec.is_instance(kind, frozenset({name})) != issubclass(cls, _torch_class(name))]
    assert wrong == [], f"{kind}: isinstance differs from torch for {wrong}"


def test_the_classes_the_issue_named():
    """BatchNorm is no _InstanceNorm; GroupNorm, RMSNorm, LocalResponseNorm are no _NormBase; LazyLinear is a
    Linear (each once wrong in the engine)."""
    assert not torchspec.is_instance("BatchNorm2d", frozenset({"_InstanceNorm"}))
    for kind in ("GroupNorm", "RMSNorm", "LocalResponseNorm", "LayerNorm"):
        assert not torchspec.is_instance(kind, frozenset({"_NormBase"}))
        assert not issubclass(_torch_class(kind), _torch_class("_NormBase"))
    assert torchspec.is_instance("LazyLinear", frozenset({"Linear"}))
    assert issubclass(nn.LazyLinear, nn.Linear)


def test_a_bare_parameter_is_no_module():
    assert not torchspec.is_instance("Parameter", frozenset({"Module"}))
    assert not isinstance(nn.Parameter(torch.zeros(2)), nn.Module)


@pytest.mark.parametrize("name", sorted(torchspec.ACTIVATION_MODULES))
def test_activation_modules_exist(name):
    assert issubclass(getattr(nn, name), nn.Module)


@pytest.mark.parametrize("name", sorted(torchspec.ACTIVATION_FUNCTIONS))
def test_activation_functions_exist(name):
    assert callable(getattr(F, name, None) or getattr(torch, name))


@pytest.mark.parametrize("name", sorted(torchspec.TRANSPARENT_FUNCTIONS | torchspec.NORM_FUNCTIONS
                                        | torchspec.FUNCTIONAL_LAYERS))
def test_functional_names_exist(name):
    assert callable(getattr(F, name, None) or getattr(torch, name))


def test_display_names_cover_the_activations():
    assert set(torchspec.DISPLAY_NAMES) == set(torchspec.ACTIVATION_MODULES.values())


@pytest.mark.parametrize("name", sorted(torchspec.TRANSPARENT_MODULES | torchspec.NORMS))
def test_module_names_exist(name):
    assert issubclass(getattr(nn, name), nn.Module)


@pytest.mark.parametrize("name", sorted(torchspec.TRANSPARENT_METHODS | set(torchspec.ACTIVATION_METHODS)
                                        | set(torchspec.TENSOR_INIT_METHODS)))
def test_tensor_methods_exist(name):
    assert callable(getattr(torch.Tensor, name))


def _second_moment(f) -> float:
    x = torch.linspace(-12, 12, 400_001, dtype=torch.float64)
    pdf = torch.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    return float((f(x) ** 2 * pdf).sum() * (x[1] - x[0]))


@pytest.mark.parametrize("name", sorted(torchspec.VARIANCE_GAINS))
def test_variance_gain_keeps_the_second_moment(name):
    module_name = {v: k for k, v in torchspec.ACTIVATION_MODULES.items()}[name]
    measured = 1 / math.sqrt(_second_moment(getattr(nn, module_name)()))
    assert torchspec.VARIANCE_GAINS[name] == pytest.approx(measured, abs=1e-4)
    assert Activation(name).variance_gain == torchspec.VARIANCE_GAINS[name]


def test_variance_gain_of_leaky_relu_is_its_gain():
    slope = 0.2
    measured = 1 / math.sqrt(_second_moment(nn.LeakyReLU(slope)))
    assert Activation("leaky_relu", slope).variance_gain == pytest.approx(measured, rel=1e-4)


# (kind, constructor arguments) of every family with a default init
DEFAULT_CASES = [
    ("Linear", {"in_features": 300, "out_features": 400}),
    ("Bilinear", {"in1_features": 30, "in2_features": 40, "out_features": 500}),
    ("Conv1d", {"in_channels": 20, "out_channels": 300, "kernel_size": 5}),
    ("Conv2d", {"in_channels": 16, "out_channels": 64, "kernel_size": 3, "groups": 2}),
    ("ConvTranspose2d", {"in_channels": 48, "out_channels": 64, "kernel_size": 3}),
    ("Embedding", {"num_embeddings": 500, "embedding_dim": 64}),
    ("LSTM", {"input_size": 64, "hidden_size": 128, "num_layers": 2}),
    ("GRUCell", {"input_size": 64, "hidden_size": 128}),
    ("MultiheadAttention", {"embed_dim": 128, "num_heads": 4, "add_bias_kv": True}),
    ("MultiheadAttention", {"embed_dim": 128, "num_heads": 4, "kdim": 64, "vdim": 32}),
    ("BatchNorm2d", {"num_features": 16}),
    ("LayerNorm", {"normalized_shape": 16}),
    ("GroupNorm", {"num_groups": 4, "num_channels": 16}),
    ("RMSNorm", {"normalized_shape": 16}),
    ("EmbeddingBag", {"num_embeddings": 500, "embedding_dim": 64}),
    ("RNN", {"input_size": 32, "hidden_size": 64, "bidirectional": True}),
    ("Conv3d", {"in_channels": 8, "out_channels": 32, "kernel_size": 3}),
    ("InstanceNorm2d", {"num_features": 16, "affine": True}),
]


@pytest.mark.parametrize(("kind", "args"), DEFAULT_CASES)
def test_default_init_matches_torch(kind, args):
    torch.manual_seed(0)
    module = getattr(nn, kind)(**args)
    shapes = torchspec.layer_params(kind, args, star=False)
    checked = 0
    for name, tensor in module.named_parameters(recurse=False):
        described = torchspec.default_init(kind, name, shapes[name], args)
        assert described is not None, f"{kind}.{name} has no default init in torchspec"
        how, number = described
        data = tensor.detach().double()
        rel = 0.01 + 3 / math.sqrt(data.numel())  # over 4 standard errors of a sample std
        if how == "constant":
            assert torch.all(data == number), f"{kind}.{name}"
        elif how == "uniform":
            assert float(data.abs().max()) <= number
            assert float(data.std()) == pytest.approx(number / math.sqrt(3), rel=rel), f"{kind}.{name}"
        else:
            assert float(data.std()) == pytest.approx(number, rel=rel), f"{kind}.{name}"
        checked += 1
    assert checked == len(shapes)


def test_children_are_torchs():
    mha = nn.MultiheadAttention(32, 4)
    for child, child_kind in torchspec.CHILDREN["MultiheadAttention"]:
        built = getattr(mha, child)
        assert isinstance(built, getattr(nn, child_kind))
        args = torchspec.child_args("MultiheadAttention", child, {"embed_dim": 32})
        shapes = torchspec.layer_params(child_kind, args, star=False)
        assert {n: tuple(p.shape) for n, p in built.named_parameters()} == shapes


@pytest.mark.parametrize("kind", sorted(set(torchspec.RECURRENT) | set(torchspec.RECURRENT_CELLS)))
def test_gate_counts_are_torchs(kind):
    module = getattr(nn, kind)(8, 16)
    weight = module.weight_hh_l0 if hasattr(module, "weight_hh_l0") else module.weight_hh
    assert weight.shape[0] == 16 * torchspec.gates(kind)


@pytest.mark.parametrize("name", sorted(torchspec.ATTRIBUTE_DEFAULTS))
def test_attribute_defaults_are_torchs(name):
    module = nn.LSTM(4, 4) if name == "num_layers" else nn.Conv2d(4, 4, 3)
    assert torchspec.attribute("LSTM" if name == "num_layers" else "Conv2d", {}, name) == getattr(module, name)


# =========================================================================== composites (torchspec.composites)

COMPOSITE_CASES = [
    ("TransformerEncoderLayer", {"d_model": 32, "nhead": 4, "dim_feedforward": 48}),
    ("TransformerEncoderLayer", {"d_model": 32, "nhead": 4, "bias": False}),
    ("TransformerDecoderLayer", {"d_model": 32, "nhead": 4, "dim_feedforward": 48, "activation": "gelu"}),
    ("Transformer", {"d_model": 32, "nhead": 4, "num_encoder_layers": 2, "num_decoder_layers": 3,
                     "dim_feedforward": 40, "batch_first": True}),
]


@pytest.mark.parametrize("kind", sorted(torchspec.COMPOSITE_SIGNATURES))
def test_composite_signature_and_defaults_are_torchs(kind):
    params = list(inspect.signature(getattr(nn, kind).__init__).parameters.values())[1:]
    positional_names = [p.name for p in params if p.kind == p.POSITIONAL_OR_KEYWORD]
    assert tuple(positional_names[:len(torchspec.COMPOSITE_SIGNATURES[kind])]) == \
        torchspec.COMPOSITE_SIGNATURES[kind]
    defaults = {p.name: p.default for p in params}
    for name, value in torchspec.composite_args(kind, {}).items():
        expected = F.relu if value == "relu" else value  # "relu" stands for the default ``F.relu``
        assert defaults[name] is expected or defaults[name] == expected, f"{kind}({name}=...)"


def _expanded(path: str, module) -> list[str]:
    """A part path with ``layers.*`` spelled per copy torch made (``encoder.layers.0.linear1``, ...)."""
    head, star, tail = path.partition("*")
    if not star:
        return [path]
    count = len(module.get_submodule(head.rstrip(".")))
    return [f"{head}{i}{tail}" for i in range(count)]


def _described(kind: str, args: dict, prefix: str = "") -> dict[str, tuple[str, dict]]:
    """Every sub-module torchspec says ``kind`` builds: dotted path -> (kind, its arguments)."""
    out: dict[str, tuple[str, dict]] = {}
    full = torchspec.composite_args(kind, args)
    for part in torchspec.parts(kind, full):
        path = prefix + part.path
        part_args = torchspec.part_args(part, full)
        if part.kind in torchspec.COMPOSITE_SIGNATURES:
            out[path] = (part.kind, torchspec.composite_args(part.kind, part_args))
            out.update(_described(part.kind, part_args, path + "."))
        else:
            out[path] = (part.kind, part_args)
            for child, child_kind in torchspec.CHILDREN.get(part.kind, ()):
                out[f"{path}.{child}"] = (child_kind, torchspec.child_args(part.kind, child, part_args))
    return out


@pytest.mark.parametrize(("kind", "args"), COMPOSITE_CASES)
def test_composite_parts_are_torchs(kind, args):
    module = getattr(nn, kind)(**args)
    described = _described(kind, args)
    seen: set[str] = set()
    for path, (part_kind, part_args) in described.items():
        for name in _expanded(path, module):
            built = module.get_submodule(name)
            assert isinstance(built, getattr(nn, part_kind)), name  # out_proj: a Linear subclass
            seen.add(name)
            if part_kind in torchspec.COMPOSITE_SIGNATURES:
                continue
            shapes = torchspec.layer_params(part_kind, part_args, star=False)
            assert {n: tuple(p.shape) for n, p in built.named_parameters(recurse=False)} == shapes, name
    # nothing with parameters of its own is left out
    owners = {name for name, m in module.named_modules() if name and any(True for _ in m.parameters(recurse=False))}
    assert owners <= seen, owners - seen


@pytest.mark.parametrize(("given", "expected"), [(None, F.relu), ("relu", F.relu), ("gelu", F.gelu)])
def test_composite_activation_is_torchs(given, expected):
    args = {} if given is None else {"activation": given}
    layer = nn.TransformerEncoderLayer(16, 2, 24, **args)
    assert layer.activation is expected
    described = torchspec.activation_of(torchspec.composite_args("TransformerEncoderLayer", args)["activation"])
    assert described == torchspec.activation_for_function(expected.__name__)
    with pytest.raises(RuntimeError):
        nn.TransformerEncoderLayer(16, 2, 24, activation="tanh")  # so anything else is no activation
    assert torchspec.activation_of("tanh") is None


@pytest.mark.parametrize("kind", ["TransformerEncoderLayer", "TransformerDecoderLayer"])
@pytest.mark.parametrize("norm_first", [False, True])
def test_what_the_parts_outputs_meet_is_torchs(kind, norm_first):
    """linear1's output goes through the activation (then dropout) into linear2; linear2's output is added to
    the skip: measured with hooks (dropout 0, training mode, so torch's fused fast path is not taken)."""
    torch.manual_seed(0)
    layer = getattr(nn, kind)(16, 2, 24, dropout=0.0, activation="gelu", norm_first=norm_first)
    seen: dict[str, torch.Tensor] = {}
    layer.linear1.register_forward_hook(lambda m, i, o: seen.__setitem__("linear1", o))
    layer.linear2.register_forward_pre_hook(lambda m, i: seen.__setitem__("linear2_in", i[0]))
    layer.linear2.register_forward_hook(lambda m, i, o: seen.__setitem__("linear2", o))
    norms = [layer.norm1, layer.norm2] + ([layer.norm3] if kind == "TransformerDecoderLayer" else [])
    norms[-1].register_forward_pre_hook(lambda m, i: seen.__setitem__("norm_in", i[0]))
    norms[-2].register_forward_hook(lambda m, i, o: seen.__setitem__("norm_before", o))
    x = torch.randn(5, 3, 16)
    out = layer(x, torch.randn(4, 3, 16)) if kind == "TransformerDecoderLayer" else layer(x)
    parts = {p.path: p for p in torchspec.PARTS[kind]}
    assert parts["linear1"].meets == torchspec.MEETS_ACTIVATION and parts["linear1"].then == "linear2"
    torch.testing.assert_close(seen["linear2_in"], F.gelu(seen["linear1"]))
    assert parts["linear2"].meets == torchspec.MEETS_RESIDUAL
    if norm_first:  # x = x + ff(norm(x)): the output minus linear2's is the skip
        torch.testing.assert_close(out - seen["linear2"], seen["norm_in"])
    else:  # x = norm(x + ff(x)): the last norm's input is linear2's output plus the block's input
        torch.testing.assert_close(seen["norm_in"] - seen["linear2"], seen["norm_before"])


def test_transformer_runs_xavier_itself():
    """``nn.Transformer._reset_parameters``: xavier_uniform_ on every p.dim() > 1 (torch's default, not the
    user's: initlint reports inits the code calls)."""
    torch.manual_seed(0)
    model = nn.Transformer(32, 4, 1, 1, 48, batch_first=True)
    weight = model.encoder.layers[0].linear1.weight.detach()
    bound = math.sqrt(6 / (32 + 48))
    assert float(weight.abs().max()) <= bound
    assert float(weight.std()) == pytest.approx(bound / math.sqrt(3), rel=0.1)
