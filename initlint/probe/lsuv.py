"""LSUV, layer-sequential unit-variance initialization (Mishkin & Matas, "All you need is a good init",
ICLR 2016): an orthonormal init, then, layer by layer in the order the forward pass reaches them, the
weights rescaled until the layer's output variance on a real batch is 1.

Beyond the paper: a layer called more than once (a shared block) is judged on all of its calls together,
and its rescaling learns how its variance responds (a second call sees the first one's output, so the
variance can go with the fourth power of the scale, not the square); models with norms are measured as
they train (batch statistics), with BatchNorm's running statistics restored afterwards."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import torch
from torch import nn

from initlint.probe.layers import weight_of, weighted_layers
from initlint.probe.stats import first_tensor, probing


@dataclass
class LSUVLayer:
    name: str
    calls: int  # how many times one forward pass reaches it
    variance_before: float  # after the orthonormal init, before rescaling
    variance: float  # reached
    scale: float  # the factor its weight was multiplied by in total
    weight_std: float
    iterations: int
    converged: bool


@dataclass
class LSUVReport:
    layers: list[LSUVLayer] = field(default_factory=list)
    not_reached: list[str] = field(default_factory=list)  # weighted layers the forward pass never calls

    @property
    def converged(self) -> bool:
        return all(layer.converged for layer in self.layers)

    def plain(self) -> dict[str, Any]:
        return {"layers": [asdict(layer) for layer in self.layers], "not_reached": self.not_reached,
                "converged": self.converged}


class _Stop(Exception):
    """Raised by the hook once the layer's last call is seen: the rest of the forward pass is not needed."""


def lsuv_init(model: nn.Module, batch: Any, tol: float = 0.1, max_iter: int = 10, *, target_var: float = 1.0,
              orthonormal: bool = True) -> LSUVReport:
    """Initialize ``model`` in place with LSUV on ``batch`` (what ``model(batch)`` accepts) and report the
    variance each Linear/Conv layer reached. A layer stops when ``|variance - target_var| <= tol`` or after
    ``max_iter`` rescalings (``converged`` then says False)."""
    if tol <= 0 or max_iter < 0:
        raise ValueError("tol must be positive and max_iter non-negative")
    layers = weighted_layers(model)
    report = LSUVReport()
    with probing(model), torch.no_grad():
        if orthonormal:
            for _, module in layers:
                _orthonormal(module)
        calls = _calls(model, batch, [m for _, m in layers])
        order = sorted((i for i, (_, m) in enumerate(layers) if calls[m][0] >= 0), key=lambda i: calls[layers[i][1]][0])
        report.not_reached = [name for name, m in layers if calls[m][0] < 0]
        for index in order:
            name, module = layers[index]
            count = calls[module][1]
            variance = before = _variance(model, batch, module, count)
            scale, exponent, iterations = 1.0, 1.0, 0
            while abs(variance - target_var) > tol and iterations < max_iter:
                if not math.isfinite(variance) or variance <= 1e-30:
                    break
                step = (target_var / variance) ** (0.5 / exponent)
                weight_of(module).mul_(step)
                scale *= step
                measured = _variance(model, batch, module, count)
                iterations += 1
                if math.isfinite(measured) and measured > 0 and abs(math.log(step)) > 1e-6:
                    # variance ~ step ** (2 * exponent): 1 for a layer called once, up to 2 for a shared one.
                    exponent = min(4.0, max(0.5, math.log(measured / variance) / (2 * math.log(step))))
                variance = measured
            report.layers.append(LSUVLayer(name, count, before, variance, scale,
                                           float(weight_of(module).float().std()), iterations,
                                           abs(variance - target_var) <= tol))
    return report


def _orthonormal(module: nn.Module) -> None:
    weight = getattr(module, "weight", None)
    if isinstance(weight, torch.Tensor) and weight.dim() >= 2:
        nn.init.orthogonal_(weight)
    bias = getattr(module, "bias", None)
    if isinstance(bias, torch.Tensor):
        nn.init.zeros_(bias)


def _calls(model: nn.Module, batch: Any, modules: list[nn.Module]) -> dict[nn.Module, list[int]]:
    """For each module: [position of its first call in the forward pass (-1: never called), number of calls]."""
    seen: dict[nn.Module, list[int]] = {m: [-1, 0] for m in modules}
    order = [0]

    def hook(module: nn.Module, args: Any, output: Any) -> None:
        entry = seen[module]
        if entry[0] < 0:
            entry[0] = order[0]
            order[0] += 1
        entry[1] += 1

    handles = [m.register_forward_hook(hook) for m in modules]
    try:
        model(batch)
    finally:
        for handle in handles:
            handle.remove()
    return seen


def _variance(model: nn.Module, batch: Any, module: nn.Module, calls: int) -> float:
    """The variance of all of ``module``'s outputs over one forward pass (stopped after its last call)."""
    outputs: list[torch.Tensor] = []

    def hook(mod: nn.Module, args: Any, output: Any) -> None:
        out = first_tensor(output)
        if out is not None:
            outputs.append(out.detach().float().reshape(-1))
        if len(outputs) >= calls:
            raise _Stop

    handle = module.register_forward_hook(hook)
    try:
        model(batch)
    except _Stop:
        pass
    finally:
        handle.remove()
    if not outputs:
        return math.nan
    return float(torch.cat(outputs).var())
