"""The torch behaviour behind each rule about init code that cannot work, shown with torch itself: the crash
and its message, or the init that does not take effect."""

from __future__ import annotations

import math
import re

import pytest

from initlint.checks.nonlinearity import VARIANCE_PRESERVING_GAIN
from initlint.picture import catalog

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional


@pytest.mark.parametrize("name", ["gelu", "silu", "elu", "mish", "softplus", "relu6", "prelu", "ReLU"])
def test_il403_calculate_gain_and_kaiming_refuse_the_name(name: str) -> None:
    with pytest.raises(ValueError, match=f"^Unsupported nonlinearity {name}$"):
        nn.init.calculate_gain(name)
    with pytest.raises(ValueError, match=f"^Unsupported nonlinearity {name}$"):
        nn.init.kaiming_normal_(torch.empty(4, 4), nonlinearity=name)


def test_il403_the_accepted_names_are_torchs() -> None:
    for name in catalog.NONLINEARITY_GAIN_NAMES:
        assert nn.init.calculate_gain(name) > 0


def _second_moment(f: object) -> float:
    z = torch.linspace(-12, 12, 240_001, dtype=torch.float64)
    pdf = torch.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    return float(torch.trapezoid(f(z) ** 2 * pdf, z))  # type: ignore[operator]


ACTIVATIONS = {"gelu": F.gelu, "silu": F.silu, "swish": F.silu, "elu": F.elu, "celu": F.celu, "mish": F.mish,
               "hardswish": F.hardswish, "softplus": F.softplus, "softsign": F.softsign, "hardtanh": F.hardtanh,
               "hardsigmoid": F.hardsigmoid}


@pytest.mark.parametrize("name", sorted(VARIANCE_PRESERVING_GAIN))
def test_il403_fix_gains_are_the_measured_variance_preserving_values(name: str) -> None:
    gain = 1 / math.sqrt(_second_moment(ACTIVATIONS[name]))
    assert abs(gain - VARIANCE_PRESERVING_GAIN[name]) < 1e-3, gain
    # the definition gives torch's own sqrt(2) for ReLU
    assert abs(1 / math.sqrt(_second_moment(F.relu)) - math.sqrt(2)) < 1e-6


def test_il403_one_layer_keeps_a_unit_variance_input_at_unit_second_moment() -> None:
    torch.manual_seed(0)
    fan = 1024
    x = torch.randn(4096, fan)
    w = torch.empty(fan, fan)
    nn.init.normal_(w, std=VARIANCE_PRESERVING_GAIN["gelu"] / math.sqrt(fan))
    out = F.gelu(x) @ w.T
    assert abs(float(out.pow(2).mean()) - 1.0) < 0.03


def test_il403_relu6_and_prelu_fixes_are_torchs_gains() -> None:
    assert nn.init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert nn.init.calculate_gain("leaky_relu", 0.25) == pytest.approx(math.sqrt(2 / (1 + 0.25 ** 2)))
    assert nn.PReLU().weight.item() == pytest.approx(0.25)


@pytest.mark.parametrize("mode", ["fan_avg", "fanout", "Fan-In"])
def test_il404_kaiming_refuses_the_mode(mode: str) -> None:
    message = f"Mode {mode.lower()} not supported, please use one of ['fan_in', 'fan_out']"
    with pytest.raises(ValueError, match=re.escape(message)):
        nn.init.kaiming_uniform_(torch.empty(4, 4), mode=mode)
    nn.init.kaiming_uniform_(torch.empty(4, 4), mode="FAN_IN")  # torch lowercases the mode first


def test_il405_default_bounds_are_absolute_and_truncate_nothing() -> None:
    torch.manual_seed(0)
    w = torch.empty(768, 768)
    nn.init.trunc_normal_(w, std=0.02)
    assert float(w.abs().max()) > 0.08  # beyond 4 std: nothing was cut at 2 std
    assert float(w.std()) == pytest.approx(0.02, rel=0.01)  # a plain normal
    nn.init.trunc_normal_(w, std=0.02, a=-0.04, b=0.04)  # the fix
    assert float(w.abs().max()) <= 0.04
    assert float(w.std()) == pytest.approx(0.02 * 0.8796, rel=0.01)  # truncated at 2 std


@pytest.mark.parametrize("call", [lambda w: nn.init.uniform_(w, 0.1, -0.1), lambda w: w.uniform_(0.1, -0.1)])
def test_il406_reversed_bounds_raise(call: object) -> None:
    message = "uniform_ expects to return a [from, to) range, but found from=0.1 > to=-0.1"
    with pytest.raises(RuntimeError, match=re.escape(message)):
        call(torch.empty(8, 8))  # type: ignore[operator]
    nn.init.uniform_(torch.empty(8, 8), 0.1, 0.1)  # an empty range is allowed


def test_il409_normal_reads_the_bounds_as_mean_and_std() -> None:
    torch.manual_seed(0)
    w = torch.empty(512, 512)
    nn.init.normal_(w, -0.05, 0.05)
    assert float(w.mean()) == pytest.approx(-0.05, abs=1e-3)  # every weight shifted by -b
    x = torch.rand(64, 512)  # positive inputs (after a ReLU)
    assert float((x @ w.T).mean()) < -10  # every unit starts with a large negative offset
    nn.init.uniform_(w, -0.05, 0.05)  # the fix
    assert abs(float(w.mean())) < 1e-3


def test_il504_an_or_with_a_string_sends_every_parameter_down_the_branch() -> None:
    model = nn.Sequential(nn.Linear(4, 4), nn.LayerNorm(4))
    taken = [name for name, _ in model.named_parameters() if "weight_hh" or "weight_ih" in name]  # noqa: SIM222
    assert taken == [name for name, _ in model.named_parameters()]


def test_il408_truth_value_of_a_multi_element_parameter_raises_and_one_element_is_legal() -> None:
    message = "Boolean value of Tensor with more than one value is ambiguous"
    with pytest.raises(RuntimeError, match=re.escape(message)):
        bool(nn.Linear(4, 10).bias)
    assert bool(nn.Linear(4, 1).bias) in (True, False)  # one element: legal, it tests the value
    assert nn.Linear(4, 10, bias=False).bias is None  # what the test means: `is not None`


def test_il410_in_place_on_a_parameter_or_a_view_raises_outside_no_grad() -> None:
    lstm = nn.LSTM(4, 8)
    with pytest.raises(RuntimeError, match=re.escape("a leaf Variable that requires grad is being used in an "
                                                     "in-place operation.")):
        lstm.bias_hh_l0.fill_(1.0)
    with pytest.raises(RuntimeError, match=re.escape("a view of a leaf Variable that requires grad is being used "
                                                     "in an in-place operation.")):
        lstm.bias_hh_l0[8:16].fill_(1.0)
    with pytest.raises(RuntimeError, match="is a view and is being modified inplace. This view is the output of "
                                           "a function that returns multiple views"):
        lstm.bias_hh_l0.chunk(4)[1].fill_(1.0)
    lstm.bias_hh_l0.data[8:16].fill_(1.0)  # the fix
    lstm.bias_hh_l0.data.chunk(4)[1].fill_(1.0)
    nn.init.constant_(lstm.bias_hh_l0[8:16], 1.0)  # nn.init runs under no_grad itself
    with torch.no_grad():
        lstm.bias_hh_l0[8:16].fill_(1.0)
    assert torch.all(lstm.bias_hh_l0[8:16] == 1.0)


@pytest.mark.parametrize(("call", "attribute"), [
    (lambda m: nn.init.zeros_(m.bias), "zero_"), (lambda m: nn.init.constant_(m.bias, 0), "fill_"),
    (lambda m: m.bias.data.zero_(), "data")])
def test_il407_init_of_a_missing_bias_raises(call: object, attribute: str) -> None:
    conv = nn.Conv2d(3, 8, 3, bias=False)
    assert hasattr(conv, "bias") and conv.bias is None  # hasattr is no guard
    with pytest.raises(AttributeError, match=f"'NoneType' object has no attribute '{attribute}'"):
        call(conv)  # type: ignore[operator]


def test_il507_an_init_after_weight_norm_never_takes_effect() -> None:
    torch.manual_seed(0)
    with pytest.warns(FutureWarning):
        conv = nn.utils.weight_norm(nn.Conv1d(64, 64, 3))
    nn.init.normal_(conv.weight, 0, 0.01)
    assert float(conv.weight.detach().std()) == pytest.approx(0.01, rel=0.1)  # written...
    conv(torch.randn(2, 64, 16))
    assert float(conv.weight.detach().std()) > 0.03  # ...and recomputed from weight_g, weight_v at the forward
    param = nn.utils.parametrizations.weight_norm(nn.Conv1d(64, 64, 3))
    before = param.weight.detach().clone()
    nn.init.normal_(param.weight, 0, 0.01)
    param.weight.data.normal_(0, 0.01)
    assert torch.allclose(param.weight, before)  # each read computes it afresh: the inits wrote temporaries
    plain = nn.Conv1d(64, 64, 3)
    nn.init.normal_(plain.weight, 0, 0.01)  # before the wrap: kept
    with pytest.warns(FutureWarning):
        wrapped = nn.utils.weight_norm(plain)
    wrapped(torch.randn(2, 64, 16))
    assert float(wrapped.weight.detach().std()) == pytest.approx(0.01, rel=0.1)


def test_il508_lazy_layers_discard_data_inits_and_refuse_nn_init() -> None:
    torch.manual_seed(0)
    lazy = nn.LazyLinear(256)
    assert isinstance(lazy, nn.Linear)  # so isinstance dispatch reaches it
    lazy.weight.data.normal_(0, 0.001)
    lazy(torch.randn(4, 512))
    bound = 1 / math.sqrt(512)  # the default init, run when the layer materialized
    assert float(lazy.weight.detach().std()) == pytest.approx(bound / math.sqrt(3), rel=0.05)
    with pytest.raises(ValueError, match="Attempted to use an uninitialized parameter"):
        nn.init.xavier_uniform_(nn.LazyLinear(8).weight)


def test_il506_the_encoder_runs_copies_made_before_the_init() -> None:
    torch.manual_seed(0)
    layer = nn.TransformerEncoderLayer(32, 4)
    encoder = nn.TransformerEncoder(layer, 3, enable_nested_tensor=False)
    nn.init.zeros_(layer.linear1.weight)
    for copy in encoder.layers:
        assert copy is not layer and float(copy.linear1.weight.abs().sum()) > 0
    first, second = encoder.layers[0].linear1.weight, encoder.layers[1].linear1.weight
    assert torch.equal(first, second)  # deep copies: every layer starts identical


def test_il505_a_later_apply_overwrites_an_earlier_init() -> None:
    block = nn.Sequential(nn.Linear(16, 16), nn.Linear(16, 16))
    nn.init.zeros_(block[1].weight)
    block.apply(lambda m: nn.init.normal_(m.weight, std=0.02) if isinstance(m, nn.Linear) else None)
    assert float(block[1].weight.abs().sum()) > 0  # the zero init is gone


def test_il502_children_is_not_recursive_and_isinstance_follows_the_class() -> None:
    model = nn.Sequential(nn.Sequential(nn.Conv1d(4, 4, 3), nn.BatchNorm1d(4)), nn.Linear(4, 2))
    assert not any(isinstance(m, nn.Conv1d) for m in model.children())
    assert any(isinstance(m, nn.Conv1d) for m in model.modules())
    assert not isinstance(nn.Conv1d(4, 4, 3), nn.Conv2d)


def test_il503_a_routine_nobody_calls_leaves_the_default_init() -> None:
    torch.manual_seed(0)
    conv = nn.Conv2d(64, 64, 3)  # its _initialize_weights was never called
    fan_in = 64 * 9
    default = 1 / math.sqrt(fan_in) / math.sqrt(3)  # kaiming_uniform_(a=sqrt(5)): bound 1/sqrt(fan_in)
    assert float(conv.weight.detach().std()) == pytest.approx(default, rel=0.05)
    assert float(conv.weight.detach().std()) < math.sqrt(2 / fan_in) / 2  # well below the He std it was meant to get
