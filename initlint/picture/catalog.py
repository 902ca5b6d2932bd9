"""What torch's names mean: layer kinds, activations, norms and init functions.

Every number here is taken from torch's own source: ``torch/nn/init.py``
(``calculate_gain``, ``_calculate_fan_in_and_fan_out``) and each layer's
``__init__``/``reset_parameters``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# --------------------------------------------------------------------------- activations

RECTIFIERS = frozenset(
    {"relu", "relu6", "leaky_relu", "prelu", "rrelu", "elu", "celu", "gelu", "silu", "mish", "hardswish"}
)
SATURATING = frozenset({"tanh", "sigmoid", "softmax", "softsign", "hardtanh"})

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
            return math.sqrt(2.0 / (1 + slope**2))
        if self.name in RECTIFIERS:
            return math.sqrt(2.0)
        if self.name == "tanh":
            return 5.0 / 3
        return 1.0

    @property
    def display(self) -> str:
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
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    return 1.0


# --------------------------------------------------------------------------- init functions

XAVIER = frozenset({"xavier_uniform_", "xavier_normal_"})
KAIMING = frozenset({"kaiming_uniform_", "kaiming_normal_"})
FAN_BASED = frozenset(XAVIER | KAIMING | {"orthogonal_", "dirac_", "eye_", "sparse_"})
# The smallest number of dimensions each fan-based init accepts (torch raises ValueError below it).
MIN_DIMS = {
    "xavier_uniform_": 2,
    "xavier_normal_": 2,
    "kaiming_uniform_": 2,
    "kaiming_normal_": 2,
    "orthogonal_": 2,
    "eye_": 2,
    "sparse_": 2,
    "dirac_": 3,
}

# Positional parameters after the tensor, per torch.nn.init function.
INIT_SIGNATURES: dict[str, tuple[str, ...]] = {
    "uniform_": ("a", "b"),
    "normal_": ("mean", "std"),
    "trunc_normal_": ("mean", "std", "a", "b"),
    "constant_": ("val",),
    "ones_": (),
    "zeros_": (),
    "eye_": (),
    "dirac_": ("groups",),
    "xavier_uniform_": ("gain",),
    "xavier_normal_": ("gain",),
    "kaiming_uniform_": ("a", "mode", "nonlinearity"),
    "kaiming_normal_": ("a", "mode", "nonlinearity"),
    "orthogonal_": ("gain",),
    "sparse_": ("sparsity", "std"),
}

# Deprecated non-underscore aliases defined at the bottom of torch/nn/init.py.
DEPRECATED_ALIASES: dict[str, str] = {
    "uniform": "uniform_",
    "normal": "normal_",
    "constant": "constant_",
    "eye": "eye_",
    "dirac": "dirac_",
    "xavier_uniform": "xavier_uniform_",
    "xavier_normal": "xavier_normal_",
    "kaiming_uniform": "kaiming_uniform_",
    "kaiming_normal": "kaiming_normal_",
    "orthogonal": "orthogonal_",
    "sparse": "sparse_",
}

# In-place tensor methods that initialize: ``w.data.normal_(0, 0.01)``.
TENSOR_INIT_METHODS: dict[str, tuple[str, tuple[str, ...]]] = {
    "normal_": ("normal_", ("mean", "std")),
    "uniform_": ("uniform_", ("a", "b")),
    "zero_": ("zeros_", ()),
    "fill_": ("constant_", ("val",)),
    "copy_": ("copy_", ("src",)),
}


# --------------------------------------------------------------------------- layers

CONV = {"Conv1d": 1, "Conv2d": 2, "Conv3d": 3}
CONV_TRANSPOSE = {"ConvTranspose1d": 1, "ConvTranspose2d": 2, "ConvTranspose3d": 3}
RECURRENT = {"RNN": 1, "LSTM": 4, "GRU": 3}
RECURRENT_CELLS = {"RNNCell": 1, "LSTMCell": 4, "GRUCell": 3}
NORMS = frozenset(
    {
        "BatchNorm1d",
        "BatchNorm2d",
        "BatchNorm3d",
        "SyncBatchNorm",
        "LayerNorm",
        "GroupNorm",
        "InstanceNorm1d",
        "InstanceNorm2d",
        "InstanceNorm3d",
        "RMSNorm",
        "LocalResponseNorm",
        "LazyBatchNorm1d",
        "LazyBatchNorm2d",
        "LazyBatchNorm3d",
    }
)
NORM_FUNCTIONS = frozenset({"layer_norm", "batch_norm", "group_norm", "instance_norm", "rms_norm", "normalize"})
TRANSPARENT_MODULES = frozenset(
    {
        "Dropout",
        "Dropout1d",
        "Dropout2d",
        "Dropout3d",
        "AlphaDropout",
        "FeatureAlphaDropout",
        "Identity",
        "Flatten",
        "Unflatten",
        "MaxPool1d",
        "MaxPool2d",
        "MaxPool3d",
        "AvgPool1d",
        "AvgPool2d",
        "AvgPool3d",
        "AdaptiveAvgPool1d",
        "AdaptiveAvgPool2d",
        "AdaptiveAvgPool3d",
        "AdaptiveMaxPool1d",
        "AdaptiveMaxPool2d",
        "AdaptiveMaxPool3d",
        "Upsample",
        "UpsamplingNearest2d",
        "PixelShuffle",
        "PixelUnshuffle",
    }
)
TRANSPARENT_FUNCTIONS = frozenset(
    {
        "dropout",
        "dropout1d",
        "dropout2d",
        "dropout3d",
        "alpha_dropout",
        "max_pool1d",
        "max_pool2d",
        "max_pool3d",
        "avg_pool1d",
        "avg_pool2d",
        "avg_pool3d",
        "adaptive_avg_pool1d",
        "adaptive_avg_pool2d",
        "adaptive_avg_pool3d",
        "adaptive_max_pool1d",
        "adaptive_max_pool2d",
        "adaptive_max_pool3d",
        "flatten",
        "reshape",
        "squeeze",
        "unsqueeze",
        "transpose",
        "permute",
        "interpolate",
        "pixel_shuffle",
        "cat",
        "concat",
        "stack",
    }
)
TRANSPARENT_METHODS = frozenset(
    {
        "view",
        "reshape",
        "flatten",
        "permute",
        "transpose",
        "contiguous",
        "squeeze",
        "unsqueeze",
        "mean",
        "float",
        "half",
        "to",
        "type_as",
        "clone",
        "detach",
        "view_as",
        "reshape_as",
        "expand",
        "expand_as",
        "t",
    }
)
FUNCTIONAL_LAYERS = frozenset(
    {"linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"}
)

# Positional constructor arguments per layer kind (after self).
LAYER_SIGNATURES: dict[str, tuple[str, ...]] = {
    "Linear": ("in_features", "out_features", "bias"),
    "LazyLinear": ("out_features", "bias"),
    "Bilinear": ("in1_features", "in2_features", "out_features", "bias"),
    "Embedding": ("num_embeddings", "embedding_dim", "padding_idx"),
    "EmbeddingBag": ("num_embeddings", "embedding_dim"),
    "MultiheadAttention": ("embed_dim", "num_heads", "dropout", "bias", "add_bias_kv", "add_zero_attn", "kdim",
                           "vdim"),
    "RNN": ("input_size", "hidden_size", "num_layers", "nonlinearity", "bias", "batch_first", "dropout",
            "bidirectional"),
    "LSTM": ("input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional",
             "proj_size"),
    "GRU": ("input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional"),
    "RNNCell": ("input_size", "hidden_size", "bias", "nonlinearity"),
    "LSTMCell": ("input_size", "hidden_size", "bias"),
    "GRUCell": ("input_size", "hidden_size", "bias"),
    "BatchNorm1d": ("num_features", "eps", "momentum", "affine"),
    "BatchNorm2d": ("num_features", "eps", "momentum", "affine"),
    "BatchNorm3d": ("num_features", "eps", "momentum", "affine"),
    "SyncBatchNorm": ("num_features", "eps", "momentum", "affine"),
    "InstanceNorm1d": ("num_features", "eps", "momentum", "affine"),
    "InstanceNorm2d": ("num_features", "eps", "momentum", "affine"),
    "InstanceNorm3d": ("num_features", "eps", "momentum", "affine"),
    "LayerNorm": ("normalized_shape", "eps", "elementwise_affine", "bias"),
    "RMSNorm": ("normalized_shape", "eps", "elementwise_affine"),
    "GroupNorm": ("num_groups", "num_channels", "eps", "affine"),
}
for _name in CONV:
    LAYER_SIGNATURES[_name] = ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation",
                               "groups", "bias")
for _name in CONV_TRANSPOSE:
    LAYER_SIGNATURES[_name] = ("in_channels", "out_channels", "kernel_size", "stride", "padding",
                               "output_padding", "groups", "bias", "dilation")


def fmt(value: float) -> str:
    """A short, readable number: 0.0442, 1.41, 512."""
    if value == int(value) and abs(value) < 1e6:
        return str(int(value))
    if abs(value) >= 0.01:
        return f"{value:.3g}"
    return f"{value:.2g}"
