"""torch's layers as data: constructor signatures, parameter shapes, the class hierarchy ``isinstance`` sees,
children, attribute defaults and the init each layer's ``reset_parameters`` gives.

Taken from each layer's ``__init__``/``reset_parameters`` in torch/nn/modules; tests/test_torchspec.py builds
every layer kind with torch and checks shapes, fans, ``issubclass`` and the default-init statistics.
"""

from __future__ import annotations

import math
from typing import Any

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



# torch.nn base classes of each layer kind (``__mro__`` within torch.nn, without Module), as torch 2.13 has
# them: what ``isinstance(m, nn.modules.batchnorm._NormBase)`` and friends are true for.
BASES: dict[str, tuple[str, ...]] = {
    "BatchNorm1d": ("_BatchNorm", "_NormBase"),
    "BatchNorm2d": ("_BatchNorm", "_NormBase"),
    "BatchNorm3d": ("_BatchNorm", "_NormBase"),
    "SyncBatchNorm": ("_BatchNorm", "_NormBase"),
    "LazyBatchNorm1d": ("_LazyNormBase", "LazyModuleMixin", "_BatchNorm", "_NormBase"),
    "LazyBatchNorm2d": ("_LazyNormBase", "LazyModuleMixin", "_BatchNorm", "_NormBase"),
    "LazyBatchNorm3d": ("_LazyNormBase", "LazyModuleMixin", "_BatchNorm", "_NormBase"),
    "InstanceNorm1d": ("_InstanceNorm", "_NormBase"),
    "InstanceNorm2d": ("_InstanceNorm", "_NormBase"),
    "InstanceNorm3d": ("_InstanceNorm", "_NormBase"),
    "Conv1d": ("_ConvNd",),
    "Conv2d": ("_ConvNd",),
    "Conv3d": ("_ConvNd",),
    "ConvTranspose1d": ("_ConvTransposeNd", "_ConvNd"),
    "ConvTranspose2d": ("_ConvTransposeNd", "_ConvNd"),
    "ConvTranspose3d": ("_ConvTransposeNd", "_ConvNd"),
    "LazyLinear": ("LazyModuleMixin", "Linear"),
    "RNN": ("RNNBase",),
    "LSTM": ("RNNBase",),
    "GRU": ("RNNBase",),
    "RNNCell": ("RNNCellBase",),
    "LSTMCell": ("RNNCellBase",),
    "GRUCell": ("RNNCellBase",),
    # GroupNorm, LayerNorm, RMSNorm, LocalResponseNorm, Linear, Bilinear, Embedding, EmbeddingBag and
    # MultiheadAttention derive from Module only.
}


def is_instance(kind: str, names: frozenset[str]) -> bool:
    """``isinstance(m, (nn.A, nn.B, ...))`` for a module of this kind: its own class or a torch base class.
    A bare ``nn.Parameter`` is a tensor, not a Module, and is never an instance of a module class."""
    if kind == "Parameter":
        return "Parameter" in names
    if "Module" in names or kind in names:
        return True
    return any(base in names for base in BASES.get(kind, ()))


# Constructor attributes torch stores with a default when the call leaves them out.
ATTRIBUTE_DEFAULTS: dict[str, Any] = {"groups": 1, "stride": 1, "padding": 0, "dilation": 1, "num_layers": 1}


def attribute(kind: str, args: dict[str, object], name: str) -> Any:
    """A constructor attribute as torch stores it on the module (``kernel_size`` always a tuple)."""
    dims = CONV.get(kind) or CONV_TRANSPOSE.get(kind)
    value = args.get(name, ATTRIBUTE_DEFAULTS.get(name))
    if dims and name in ("kernel_size", "stride", "padding", "dilation") and isinstance(value, int):
        return (value,) * dims
    return value


# Sub-modules a layer builds itself (path under the layer, kind): ``MultiheadAttention.out_proj``.
CHILDREN: dict[str, tuple[tuple[str, str], ...]] = {"MultiheadAttention": (("out_proj", "Linear"),)}


def child_args(kind: str, child: str, args: dict[str, object]) -> dict[str, object]:
    """The constructor arguments of a child layer, from its parent's."""
    if kind == "MultiheadAttention" and child == "out_proj":
        embed = args.get("embed_dim")
        return {"in_features": embed, "out_features": embed, **({"bias": args["bias"]} if "bias" in args else {})}
    return {}


def gates(kind: str) -> int | None:
    """Gate blocks stacked in a recurrent layer's weights (i, f, g, o for an LSTM)."""
    return RECURRENT.get(kind) or RECURRENT_CELLS.get(kind)


def default_init(kind: str, param: str, shape: tuple[int | None, ...] | None,
                 args: dict[str, object]) -> tuple[str, float] | None:
    """What ``reset_parameters`` draws for a parameter: ("uniform", bound), ("normal", std) or ("constant",
    value); None when the shape it depends on is unknown or the kind is not described here."""
    if shape is None or any(d is None for d in shape):
        return None
    dims = [int(d) for d in shape if d is not None]
    if kind in ("Linear", "Bilinear") or kind in CONV or kind in CONV_TRANSPOSE:
        # kaiming_uniform_(a=sqrt(5)) on the weight: bound 1/sqrt(fan_in); the bias the same bound
        if kind == "Bilinear":
            in1 = args.get("in1_features")
            fan_in = in1 if isinstance(in1, int) else 0  # bound 1/sqrt(weight.size(1)) for weight and bias
        elif param == "weight":
            fan_in = dims[1] * math.prod(dims[2:])
        else:
            weight = layer_params(kind, args, star=False).get("weight")
            if not weight or any(d is None for d in weight):
                return None
            fan_in = int(weight[1] or 0) * math.prod(int(d or 0) for d in weight[2:])
        return ("uniform", 1 / math.sqrt(fan_in)) if fan_in > 0 else None
    if kind in ("Embedding", "EmbeddingBag"):
        return ("normal", 1.0)
    if kind in RECURRENT or kind in RECURRENT_CELLS:
        hidden = args.get("hidden_size")
        return ("uniform", 1 / math.sqrt(hidden)) if isinstance(hidden, int) and hidden > 0 else None
    if kind == "MultiheadAttention":
        if param in ("in_proj_weight", "q_proj_weight", "k_proj_weight", "v_proj_weight") and len(dims) == 2:
            return ("uniform", math.sqrt(6.0 / (dims[0] + dims[1])))  # xavier_uniform_ on the whole tensor
        if param == "in_proj_bias":
            return ("constant", 0.0)
        if param in ("bias_k", "bias_v") and len(dims) == 3:
            return ("normal", math.sqrt(2.0 / (dims[1] * dims[2] + dims[0] * dims[2])))  # xavier_normal_
        return None
    if kind in NORMS:
        return ("constant", 1.0) if param == "weight" else ("constant", 0.0)
    return None


def _conv_kernel(args: dict[str, object], dims: int) -> tuple[int | None, ...]:
    k = args.get("kernel_size")
    if isinstance(k, int):
        return (k,) * dims
    if isinstance(k, tuple) and len(k) == dims:
        return tuple(x if isinstance(x, int) else None for x in k)
    return (None,) * dims


def _div(a: object, b: object) -> int | None:
    if isinstance(a, int) and isinstance(b, int) and b and a % b == 0:
        return a // b
    return None


def layer_params(kind: str, args: dict[str, object], star: bool) -> dict[str, tuple[int | None, ...] | None]:
    """Declared parameter shapes, as each layer's ``__init__`` creates them."""

    def n(name: str, default: object = None) -> int | None:
        value = args.get(name, default)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    has_bias = args.get("bias", True) is not False
    params: dict[str, tuple[int | None, ...] | None] = {}
    if kind == "Linear":
        params["weight"] = (n("out_features"), n("in_features"))
        if has_bias:
            params["bias"] = (n("out_features"),)
    elif kind == "Bilinear":
        params["weight"] = (n("out_features"), n("in1_features"), n("in2_features"))
        if has_bias:
            params["bias"] = (n("out_features"),)
    elif kind in CONV:
        dims = CONV[kind]
        groups = n("groups", 1)
        params["weight"] = (n("out_channels"), _div(n("in_channels"), groups), *_conv_kernel(args, dims))
        if has_bias:
            params["bias"] = (n("out_channels"),)
    elif kind in CONV_TRANSPOSE:
        dims = CONV_TRANSPOSE[kind]
        groups = n("groups", 1)
        params["weight"] = (n("in_channels"), _div(n("out_channels"), groups), *_conv_kernel(args, dims))
        if has_bias:
            params["bias"] = (n("out_channels"),)
    elif kind in ("Embedding", "EmbeddingBag"):
        params["weight"] = (n("num_embeddings"), n("embedding_dim"))
    elif kind in RECURRENT or kind in RECURRENT_CELLS:
        gates = RECURRENT.get(kind) or RECURRENT_CELLS[kind]
        hidden = n("hidden_size")
        rows = hidden * gates if hidden is not None else None
        if kind in RECURRENT_CELLS:
            params["weight_ih"] = (rows, n("input_size"))
            params["weight_hh"] = (rows, hidden)
            if has_bias:
                params["bias_ih"] = (rows,)
                params["bias_hh"] = (rows,)
        else:
            layers = n("num_layers", 1) or 1
            bidirectional = args.get("bidirectional", False) is True
            directions = ["", "_reverse"] if bidirectional else [""]
            proj = n("proj_size", 0) if kind == "LSTM" else 0
            out_width = proj if proj else hidden  # an LSTM with proj_size projects h_t to proj_size
            for index in range(layers):
                width_in = n("input_size") if index == 0 else (
                    out_width * len(directions) if out_width is not None else None)
                for suffix in directions:
                    params[f"weight_ih_l{index}{suffix}"] = (rows, width_in)
                    params[f"weight_hh_l{index}{suffix}"] = (rows, out_width)
                    if has_bias:
                        params[f"bias_ih_l{index}{suffix}"] = (rows,)
                        params[f"bias_hh_l{index}{suffix}"] = (rows,)
                    if proj:
                        params[f"weight_hr_l{index}{suffix}"] = (proj, hidden)
    elif kind == "MultiheadAttention":
        embed = n("embed_dim")
        kdim, vdim = args.get("kdim"), args.get("vdim")
        if (kdim is not None and kdim != embed) or (vdim is not None and vdim != embed):
            # separate projections when key/value widths differ from embed_dim
            params["q_proj_weight"] = (embed, embed)
            params["k_proj_weight"] = (embed, kdim if isinstance(kdim, int) else None)
            params["v_proj_weight"] = (embed, vdim if isinstance(vdim, int) else None)
        else:
            params["in_proj_weight"] = (embed * 3 if embed else None, embed)
        if has_bias:
            params["in_proj_bias"] = (embed * 3 if embed else None,)
        if args.get("add_bias_kv") is True:
            params["bias_k"] = (1, 1, embed)
            params["bias_v"] = (1, 1, embed)
    elif kind in NORMS:
        if kind == "LocalResponseNorm":
            return {}
        affine_default = not kind.startswith("InstanceNorm")
        affine_key = "elementwise_affine" if kind in ("LayerNorm", "RMSNorm") else "affine"
        affine = args.get(affine_key, affine_default)
        if affine is False or (affine is None and not affine_default):
            return {}
        if kind in ("LayerNorm", "RMSNorm"):
            shape = args.get("normalized_shape")
            rank: tuple[int | None, ...] | None
            if isinstance(shape, int):
                rank = (shape,)
            elif isinstance(shape, tuple):
                rank = tuple(s if isinstance(s, int) else None for s in shape)
            else:
                rank = (None,) if not star else None
            params["weight"] = rank
            if kind == "LayerNorm" and args.get("bias", True) is not False:
                params["bias"] = rank
        elif kind == "GroupNorm":
            params["weight"] = (n("num_channels"),)
            params["bias"] = (n("num_channels"),)
        else:
            params["weight"] = (n("num_features"),)
            params["bias"] = (n("num_features"),)
    return params

