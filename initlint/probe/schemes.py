"""The schemes ``--compare`` puts side by side, each applied to every Linear/Conv layer of a fresh model.

``default`` is the model as its own code initializes it, ``fixed`` the model built from its source after
initlint's ``--fix --unsafe-fixes`` (see ``run.py``); the others re-initialize the weights and zero the
biases (norms and embeddings keep what the model gave them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from initlint.probe.layers import weight_of, weighted_layers
from initlint.probe.lsuv import LSUVReport, lsuv_init

DESCRIPTIONS = {
    "default": "the model as its code initializes it",
    "pytorch": "PyTorch's own default (reset_parameters on every module)",
    "xavier": "xavier_normal_ (Glorot, gain 1), biases 0",
    "he": "kaiming_normal_ (He, fan_in, ReLU gain), biases 0",
    "orthogonal": "orthogonal_ (gain 1), biases 0",
    "lsuv": "LSUV (Mishkin & Matas 2016) on the probe batch",
    "fixed": "the model built from its source after `initlint check --fix --unsafe-fixes`",
    "normal:STD": "normal_(std=STD) (the seed's small_random 0.01 / large_random 1.0), biases 0",
}


class SchemeError(ValueError):
    pass


@dataclass(frozen=True)
class Scheme:
    name: str
    std: float | None = None  # for normal:STD

    @property
    def description(self) -> str:
        if self.name.startswith("normal:"):
            return f"normal_(std={self.std:g}), biases 0"
        return DESCRIPTIONS[self.name]


def parse_schemes(text: str) -> list[Scheme]:
    schemes = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        if item.startswith("normal:"):
            try:
                std = float(item.partition(":")[2])
            except ValueError:
                raise SchemeError(f"scheme {item!r}: the std after `normal:` must be a number") from None
            if not std > 0:
                raise SchemeError(f"scheme {item!r}: the std must be positive")
            schemes.append(Scheme(item, std))
        elif item in DESCRIPTIONS:
            schemes.append(Scheme(item))
        else:
            raise SchemeError(f"unknown scheme {item!r}; known: {', '.join(DESCRIPTIONS)}")
    if not schemes:
        raise SchemeError("--compare needs at least one scheme")
    if len(set(schemes)) != len(schemes):
        raise SchemeError("--compare names a scheme twice")
    return schemes


def apply_scheme(scheme: Scheme, model: nn.Module, batch: Any, seed: int) -> LSUVReport | None:
    """Re-initialize ``model`` in place (``default`` and ``fixed`` leave it as built)."""
    torch.manual_seed(seed)
    if scheme.name in ("default", "fixed"):
        return None
    if scheme.name == "lsuv":
        return lsuv_init(model, batch)
    with torch.no_grad():
        if scheme.name == "pytorch":
            for module in model.modules():
                reset = getattr(module, "reset_parameters", None)
                if callable(reset):
                    reset()
            return None
        for _, module in weighted_layers(model):
            weight = weight_of(module)
            if scheme.name == "xavier":
                nn.init.xavier_normal_(weight)
            elif scheme.name == "he":
                nn.init.kaiming_normal_(weight, mode="fan_in", nonlinearity="relu")
            elif scheme.name == "orthogonal":
                nn.init.orthogonal_(weight)
            else:
                nn.init.normal_(weight, std=scheme.std or 0.0)
            bias = getattr(module, "bias", None)
            if isinstance(bias, torch.Tensor):
                nn.init.zeros_(bias)
    return None
