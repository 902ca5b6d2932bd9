"""One forward and one backward pass with hooks: per-layer activation statistics and per-parameter gradients.

The number that matters most is the *input-dependent spread*: the per-unit std across the batch, averaged
over units. A constant (the biases' contribution) has none, so a deep stack whose raw std is held up by its
biases still shows its signal vanishing here."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from initlint.probe.layers import FUNCTIONS, role_of

if TYPE_CHECKING:
    from typing_extensions import Self

SATURATION_LEVEL = 2.0  # |pre-activation| above this counts as saturated for tanh/sigmoid
SAMPLE_SIZE = 2000  # values kept per layer for histograms


@dataclass
class LayerStats:
    name: str  # ``fc1``, ``relu#2`` (second call of a shared module), ``fc1.relu()`` (a functional call)
    module: str  # the module's qualified name (its parameters are ``module.weight`` ...)
    kind: str  # ``Linear``, ``ReLU``, ``F.relu``
    role: str  # weighted, rectifier, saturating, norm, activation, other
    shape: list[int]
    mean: float
    std: float
    spread: float | None  # per-unit std across the batch, averaged (None: no batch dimension)
    in_spread: float | None  # the same for the layer's input
    dead: float | None = None  # rectifiers: fraction of units that are 0 for the whole batch
    saturated: float | None = None  # tanh/sigmoid: fraction of inputs with |x| > 2
    finite: bool = True
    grad_std: float | None = None  # the std of this layer's weight gradient
    sample: list[float] = field(default_factory=list, repr=False)

    def plain(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("sample")
        return data


@dataclass
class ParamStats:
    name: str
    shape: list[int]
    std: float
    grad_std: float | None


@dataclass
class Measurement:
    batch: int
    input_std: float
    input_spread: float | None
    output_shape: list[int]
    layers: list[LayerStats]
    params: list[ParamStats]

    def plain(self) -> dict[str, Any]:
        return {"batch": self.batch, "input_std": self.input_std, "input_spread": self.input_spread,
                "output_shape": self.output_shape, "layers": [s.plain() for s in self.layers],
                "params": [asdict(p) for p in self.params]}

    def weighted(self) -> list[LayerStats]:
        return [s for s in self.layers if s.role == "weighted"]


def first_tensor(value: Any) -> torch.Tensor | None:
    """The first tensor in a module's output (a tensor, a tuple/list, a dict, or a dataclass-like output)."""
    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, (tuple, list)):
        items: Any = value
    elif isinstance(value, dict):
        items = value.values()
    else:
        return None
    for item in items:
        found = first_tensor(item)
        if found is not None:
            return found
    return None


def spread_of(t: torch.Tensor, batch: int) -> float | None:
    """Per-unit std across the batch (dim 0), averaged over units."""
    if t.dim() == 0 or t.shape[0] != batch or batch < 2:
        return None
    flat = t.detach().float().reshape(batch, -1)
    return float(flat.std(dim=0).mean())


def _summary(t: torch.Tensor) -> tuple[float, float, bool]:
    flat = t.detach().float()
    finite = bool(torch.isfinite(flat).all())
    return float(flat.mean()), float(flat.std()) if flat.numel() > 1 else 0.0, finite


class Recorder:
    """Hooks on every leaf module (and a function mode for ``F.relu``-style calls in ``forward``) that turn
    each call into a ``LayerStats``. Keeps small samples only, never the activations themselves."""

    def __init__(self, model: nn.Module, batch: int, sample_seed: int = 0) -> None:
        self.model = model
        self.batch = batch
        self.records: list[LayerStats] = []
        self._handles: list[Any] = []
        self._depth = 0  # > 0 while a leaf module runs: its own F.relu is the module's, not a new site
        self._producers: dict[int, tuple[torch.Tensor, str]] = {}
        self._generator = torch.Generator().manual_seed(sample_seed)
        self._names = {m: n for n, m in model.named_modules()}

    def __enter__(self) -> Self:
        for name, module in self.model.named_modules():
            if any(True for _ in module.children()):
                continue
            role = role_of(module)
            self._handles.append(module.register_forward_pre_hook(self._enter_leaf))
            self._handles.append(module.register_forward_hook(self._make_hook(name, module, role)))
        self._mode = _ActivationMode(self)
        self._mode.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._mode.__exit__(None, None, None)
        for handle in self._handles:
            handle.remove()
        self._producers.clear()
        self._finish_names()

    def _enter_leaf(self, module: nn.Module, args: Any) -> None:
        self._depth += 1

    def _make_hook(self, name: str, module: nn.Module, role: str | None) -> Any:
        def hook(mod: nn.Module, args: Any, output: Any) -> None:
            self._depth -= 1
            out = first_tensor(output)
            if role is None or out is None or not out.is_floating_point():
                return
            x = first_tensor(args)
            self.record(name or type(mod).__name__, name, type(mod).__name__, role, x, out)

        return hook

    def record(self, name: str, module: str, kind: str, role: str, x: torch.Tensor | None,
               out: torch.Tensor) -> None:
        mean, std, finite = _summary(out)
        stats = LayerStats(name, module, kind, role, list(out.shape[1:]), mean, std, spread_of(out, self.batch),
                           spread_of(x, self.batch) if x is not None and x.is_floating_point() else None,
                           finite=finite, sample=self._sample(out))
        if role == "rectifier" and out.dim() > 0 and out.shape[0] == self.batch:
            stats.dead = float((out.detach().reshape(self.batch, -1) <= 0).all(dim=0).float().mean())
        if role == "saturating" and x is not None:
            stats.saturated = float((x.detach().float().abs() > SATURATION_LEVEL).float().mean())
        self.records.append(stats)
        self._producers[id(out)] = (out, name)

    def producer(self, t: Any) -> str | None:
        if isinstance(t, torch.Tensor):
            entry = self._producers.get(id(t))
            if entry is not None and entry[0] is t:
                return entry[1]
        return None

    def _sample(self, out: torch.Tensor) -> list[float]:
        flat = out.detach().float().reshape(-1)
        if flat.numel() > SAMPLE_SIZE:
            flat = flat[torch.randint(flat.numel(), (SAMPLE_SIZE,), generator=self._generator)]
        return [v for v in flat.tolist() if math.isfinite(v)]

    def _finish_names(self) -> None:
        """A module called more than once gets one row per call: ``relu#1``, ``relu#2``."""
        counts: dict[str, int] = {}
        for r in self.records:
            counts[r.name] = counts.get(r.name, 0) + 1
        seen: dict[str, int] = {}
        for r in self.records:
            if counts[r.name] > 1:
                seen[r.name] = seen.get(r.name, 0) + 1
                r.name = f"{r.name}#{seen[r.name]}"


class _ActivationMode(TorchFunctionMode):
    """Sees ``F.relu(x)``, ``x.tanh()``, ``torch.sigmoid(x)`` called from a container's ``forward``."""

    def __init__(self, recorder: Recorder) -> None:
        super().__init__()
        self.recorder = recorder

    def __torch_function__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        result = func(*args, **(kwargs or {}))
        known = FUNCTIONS.get(func) if self.recorder._depth == 0 else None
        if known is not None and isinstance(result, torch.Tensor) and result.is_floating_point() and args:
            short, role = known
            producer = self.recorder.producer(args[0])
            name = f"{producer}.{short}()" if producer else f"{short}()"
            x = args[0] if isinstance(args[0], torch.Tensor) else None
            self.recorder.record(name, producer or "", f"F.{short}", role, x, result)
        return result


@contextlib.contextmanager
def probing(model: nn.Module) -> Iterator[None]:
    """Training mode as training would run it (norms use batch statistics), dropout off, and every buffer
    (BatchNorm's running statistics) and the train/eval mode restored afterwards: probing changes nothing."""
    modes = {m: m.training for m in model.modules()}
    buffers = {name: b.detach().clone() for name, b in model.named_buffers()}
    model.train()
    for m in model.modules():
        if role_of(m) is None and not isinstance(m, nn.Identity):
            m.eval()
    try:
        yield
    finally:
        with torch.no_grad():
            for name, b in model.named_buffers():
                if name in buffers:
                    b.copy_(buffers[name])
        for m, mode in modes.items():
            m.training = mode


def measure(model: nn.Module, batch: torch.Tensor, seed: int = 0, backward: bool = True) -> Measurement:
    """One forward pass (and one backward pass of a random unit-variance readout of the output) with every
    layer's statistics. The model's parameters, buffers and mode are left as they were."""
    n = int(batch.shape[0]) if batch.dim() > 0 else 1
    model.zero_grad(set_to_none=True)
    with probing(model), torch.enable_grad():
        with Recorder(model, n, sample_seed=seed) as recorder:
            output = model(batch)
        out = first_tensor(output)
        if out is None:
            raise ValueError(f"the model returned {type(output).__name__}, which holds no tensor")
        if backward and out.requires_grad and out.is_floating_point():
            readout = torch.randn(out.shape, generator=torch.Generator().manual_seed(seed + 1)).to(out.dtype)
            ((out * readout).sum() / n).backward()
    params: list[ParamStats] = []
    grads: dict[str, float | None] = {}
    for name, p in model.named_parameters():
        g = p.grad
        grad_std = float(g.float().std()) if g is not None and g.numel() > 1 else None
        grads[name] = grad_std
        params.append(ParamStats(name, list(p.shape), float(p.detach().float().std()) if p.numel() > 1 else 0.0,
                                 grad_std))
    model.zero_grad(set_to_none=True)
    for stats in recorder.records:
        if stats.role == "weighted":
            stats.grad_std = grads.get(f"{stats.module}.weight" if stats.module else "weight")
    _, x_std, _ = _summary(batch) if batch.is_floating_point() else (0.0, 0.0, True)
    return Measurement(n, x_std, spread_of(batch, n) if batch.is_floating_point() else None,
                       list(out.shape), recorder.records, params)
