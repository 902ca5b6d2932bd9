"""What each kind of layer is to the probe: a weighted layer, a rectifier, a saturating activation, a norm."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.modules.batchnorm import _NormBase
from torch.nn.modules.conv import _ConvNd

WEIGHTED = (nn.Linear, _ConvNd)  # the layers schemes and LSUV initialize (Conv*d and ConvTranspose*d)
RECTIFIERS = (nn.ReLU, nn.ReLU6)  # exact zeros: a unit can die
SATURATING = (nn.Tanh, nn.Sigmoid)  # |pre-activation| > 2: the slope is below 0.07 (tanh) / 0.105 (sigmoid)
NORMS = (_NormBase, nn.LayerNorm, nn.GroupNorm, nn.RMSNorm, nn.LocalResponseNorm)
TRANSPARENT = (nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d, nn.AlphaDropout, nn.Identity)

# Functional activations called from a model's own forward(): torch function -> (short name, role).
_FUNCTIONS: list[tuple[Callable[..., Any], str, str]] = [
    (F.relu, "relu", "rectifier"), (torch.relu, "relu", "rectifier"), (torch.Tensor.relu, "relu", "rectifier"),
    (F.relu6, "relu6", "rectifier"),
    (torch.tanh, "tanh", "saturating"), (torch.Tensor.tanh, "tanh", "saturating"), (F.tanh, "tanh", "saturating"),
    (torch.sigmoid, "sigmoid", "saturating"), (torch.Tensor.sigmoid, "sigmoid", "saturating"),
    (F.sigmoid, "sigmoid", "saturating"),
    (F.gelu, "gelu", "activation"), (F.silu, "silu", "activation"), (F.leaky_relu, "leaky_relu", "activation"),
    (F.elu, "elu", "activation"), (F.selu, "selu", "activation"),
]
FUNCTIONS: dict[Any, tuple[str, str]] = {}
for _function, _name, _role in _FUNCTIONS:
    FUNCTIONS.setdefault(_function, (_name, _role))


def role_of(module: nn.Module) -> str | None:
    """The module's role, or None for a layer the probe does not report (dropout, identity)."""
    if isinstance(module, TRANSPARENT):
        return None
    if isinstance(module, WEIGHTED):
        return "weighted"
    if isinstance(module, RECTIFIERS):
        return "rectifier"
    if isinstance(module, SATURATING):
        return "saturating"
    if isinstance(module, NORMS):
        return "norm"
    if isinstance(module, (nn.LeakyReLU, nn.PReLU, nn.GELU, nn.SiLU, nn.ELU, nn.SELU, nn.CELU, nn.Mish,
                           nn.Hardswish, nn.Softplus)):
        return "activation"
    return "other"


def weight_of(module: nn.Module) -> torch.Tensor:
    weight = module.weight
    assert isinstance(weight, torch.Tensor)
    return weight


def weighted_layers(model: nn.Module) -> list[tuple[str, nn.Module]]:
    return [(name, m) for name, m in model.named_modules() if isinstance(m, WEIGHTED)]
