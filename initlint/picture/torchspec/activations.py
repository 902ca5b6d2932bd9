"""torch's activations as data: module and function names, ``calculate_gain``, and measured gains.

Every number is torch's: ``torch/nn/init.py`` (``calculate_gain``) and each activation's defaults; the
variance-preserving gains are measured (tests/test_torchspec.py integrates each activation against N(0, 1)).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

RECTIFIERS = frozenset(
    {"relu", "relu6", "leaky_relu", "prelu", "rrelu", "elu", "celu", "gelu", "silu", "mish", "hardswish"}
)
# A layer whose output is split into parts that go to tanh and to sigmoid (WaveNet's gated unit, a hand-written
# LSTM cell's gates): one weight, saturating in every part; Glorot's gain 1 is the usual init for it.
GATED_UNIT = "gated"
GATE_PARTS = frozenset({"tanh", "sigmoid"})
SATURATING = frozenset({"tanh", "sigmoid", "softmax", "softsign", "hardtanh", GATED_UNIT})

# Module class (torch.nn.X) -> (functional name, positional index of the slope argument or None)
ACTIVATION_MODULES: dict[str, str] = {
    "ReLU": "relu",
    "ReLU6": "relu6",
    "LeakyReLU": "leaky_relu",
    "PReLU": "prelu",
    "RReLU": "rrelu",
    "ELU": "elu",
    "CELU": "celu",
    "GELU": "gelu",
    "SiLU": "silu",
    "Mish": "mish",
    "Hardswish": "hardswish",
    "Tanh": "tanh",
    "Sigmoid": "sigmoid",
    "Softmax": "softmax",
    "LogSoftmax": "softmax",
    "Softsign": "softsign",
    "Hardtanh": "hardtanh",
    "SELU": "selu",
}

# torch.nn.functional.X / torch.X -> activation name
ACTIVATION_FUNCTIONS: dict[str, str] = {
    "relu": "relu",
    "relu_": "relu",
    "relu6": "relu6",
    "leaky_relu": "leaky_relu",
    "leaky_relu_": "leaky_relu",
    "prelu": "prelu",
    "rrelu": "rrelu",
    "rrelu_": "rrelu",
    "elu": "elu",
    "elu_": "elu",
    "celu": "celu",
    "gelu": "gelu",
    "silu": "silu",
    "mish": "mish",
    "hardswish": "hardswish",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
    "softmax": "softmax",
    "log_softmax": "softmax",
    "softsign": "softsign",
    "hardtanh": "hardtanh",
    "selu": "selu",
}

# Tensor methods that apply an activation: ``x.relu()``.
ACTIVATION_METHODS: dict[str, str] = {
    "relu": "relu",
    "relu_": "relu",
    "tanh": "tanh",
    "tanh_": "tanh",
    "sigmoid": "sigmoid",
    "sigmoid_": "sigmoid",
    "softmax": "softmax",
    "log_softmax": "softmax",
}

DISPLAY_NAMES = {
    "relu": "ReLU",
    "relu6": "ReLU6",
    "leaky_relu": "LeakyReLU",
    "prelu": "PReLU",
    "rrelu": "RReLU",
    "elu": "ELU",
    "celu": "CELU",
    "gelu": "GELU",
    "silu": "SiLU",
    "mish": "Mish",
    "hardswish": "Hardswish",
    "tanh": "Tanh",
    "sigmoid": "Sigmoid",
    "softmax": "Softmax",
    "softsign": "Softsign",
    "hardtanh": "Hardtanh",
    "selu": "SELU",
}

# 1 / sqrt(E[f(x)^2]) for x ~ N(0, 1), measured with torch (float64 quadrature on [-12, 12]); relu and selu
# come out at sqrt(2) and 1, as their theory says.
VARIANCE_GAINS: dict[str, float] = {
    "relu": math.sqrt(2.0),
    "relu6": math.sqrt(2.0),  # equal to relu's to 1e-9 for N(0, 1): inputs above 6 are that rare
    "gelu": 1.5335,
    "silu": 1.6765,
    "mish": 1.4868,
    "elu": 1.2452,
    "celu": 1.2452,
    "hardswish": 1.7367,
    "selu": 1.0,
    "tanh": 1.5925,
    "sigmoid": 1.8462,
}

DEFAULT_LEAKY_SLOPE = 0.01
PRELU_INIT_SLOPE = 0.25  # nn.PReLU(init=0.25)
RRELU_MEAN_SLOPE = (1 / 8 + 1 / 3) / 2  # nn.RReLU(lower=1/8, upper=1/3), mean slope at train time


@dataclass(frozen=True)
class Activation:
    """An activation that follows a layer; ``slope`` only for the leaky family."""

    name: str
    slope: float | None = None

    @property
    def family(self) -> str:
        if self.name in RECTIFIERS:
            return "rectifier"
        if self.name in SATURATING:
            return "saturating"
        if self.name == "selu":
            return "selu"
        return "other"

    @property
    def gain(self) -> float:
        """The gain torch's ``calculate_gain`` gives this activation (He's sqrt(2) for smooth rectifiers)."""
        if self.name in ("leaky_relu", "prelu", "rrelu"):
            slope = self.slope if self.slope is not None else DEFAULT_LEAKY_SLOPE
            return math.sqrt(2.0) / math.hypot(1.0, slope)  # sqrt(2 / (1 + slope^2)), no overflow
        if self.name in RECTIFIERS:
            return math.sqrt(2.0)
        if self.name == "tanh":
            return 5.0 / 3
        return 1.0

    @property
    def variance_gain(self) -> float | None:
        """The gain that keeps the second moment through this activation for N(0, 1) inputs,
        1 / sqrt(E[f(x)^2]) (He's argument without the ReLU shortcut); None where it is not measured."""
        if self.name in ("leaky_relu", "prelu", "rrelu"):
            return self.gain  # exact for a piecewise-linear rectifier
        return VARIANCE_GAINS.get(self.name)

    @property
    def display(self) -> str:
        if self.name == GATED_UNIT:
            return "tanh/sigmoid gates"
        base = DISPLAY_NAMES.get(self.name, self.name)
        if self.name == "leaky_relu" and self.slope is not None:
            return f"{base}({fmt(self.slope)})"
        return base

    def kaiming_args(self) -> str:
        """The kaiming keyword arguments this activation calls for."""
        if self.name in ("leaky_relu", "prelu", "rrelu"):
            slope = self.slope if self.slope is not None else DEFAULT_LEAKY_SLOPE
            return f'a={fmt(slope)}, nonlinearity="leaky_relu"'
        return 'nonlinearity="relu"'


def activation_for_module(class_name: str, slope: float | None = None) -> Activation | None:
    name = ACTIVATION_MODULES.get(class_name)
    if name is None:
        return None
    return _with_default_slope(name, slope)


def activation_for_function(func_name: str, slope: float | None = None) -> Activation | None:
    name = ACTIVATION_FUNCTIONS.get(func_name)
    if name is None:
        return None
    return _with_default_slope(name, slope)


def _with_default_slope(name: str, slope: float | None) -> Activation:
    if name == "leaky_relu":
        return Activation(name, DEFAULT_LEAKY_SLOPE if slope is None else slope)
    if name == "prelu":
        return Activation(name, PRELU_INIT_SLOPE if slope is None else slope)
    if name == "rrelu":
        return Activation(name, RRELU_MEAN_SLOPE)
    return Activation(name)


# --------------------------------------------------------------------------- gains


NONLINEARITY_GAIN_NAMES = frozenset(
    {
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
    }
)


def calculate_gain(nonlinearity: str, param: float | None = None) -> float | None:
    """Mirror of ``torch.nn.init.calculate_gain``; None for names torch rejects."""
    if nonlinearity not in NONLINEARITY_GAIN_NAMES:
        return None
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = DEFAULT_LEAKY_SLOPE if param is None else param
        return math.sqrt(2.0) / math.hypot(1.0, slope)  # sqrt(2 / (1 + slope^2)), no overflow
    if nonlinearity == "selu":
        return 3.0 / 4
    return 1.0


def fmt(value: float) -> str:
    """A short, readable number: 0.0442, 1.41, 512 (and "inf" past float's range)."""
    if not math.isfinite(value):
        return str(value)
    if value == int(value) and abs(value) < 1e6:
        return str(int(value))
    if abs(value) >= 0.01:
        return f"{value:.3g}"
    return f"{value:.2g}"


# --------------------------------------------------------------------------- what each activation computes

_SELU_ALPHA = 1.6732632423543772848170429916717  # torch/nn/functional.py and aten's selu
_SELU_SCALE = 1.0507009873554804934193349852946


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _gelu(x: float) -> float:
    return 0.5 * x * (1.0 + math.erf(x / math.sqrt(2.0)))


def _gelu_tanh(x: float) -> float:
    return 0.5 * x * (1.0 + math.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def _mish(x: float) -> float:
    return x * math.tanh(math.log1p(math.exp(x)))


# Activation name -> the function of one real it computes (torch's definitions; gelu's tanh approximation is
# GELU too: ``nn.GELU(approximate="tanh")``). A custom activation whose forward computes one of these at every
# sample point is that activation (picture/act_forms.py); tests/test_custom_activations.py checks each against
# torch.
REFERENCE_FORMS: dict[str, tuple[Callable[[float], float], ...]] = {
    "relu": (lambda x: max(x, 0.0),),
    "relu6": (lambda x: min(max(x, 0.0), 6.0),),
    "elu": (lambda x: x if x > 0 else math.expm1(x),),
    "selu": (lambda x: _SELU_SCALE * (x if x > 0 else _SELU_ALPHA * math.expm1(x)),),
    "gelu": (_gelu, _gelu_tanh),
    "silu": (lambda x: x * _sigmoid(x),),
    "mish": (_mish,),
    "hardswish": (lambda x: x * min(max(x + 3.0, 0.0), 6.0) / 6.0,),
    "tanh": (math.tanh,),
    "sigmoid": (_sigmoid,),
    "softsign": (lambda x: x / (1.0 + abs(x)),),
    "hardtanh": (lambda x: min(max(x, -1.0), 1.0),),
}
