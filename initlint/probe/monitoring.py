"""``monitor(model, every=100)``: the seed's best practice 4, "monitor activation statistics during
training", for the user's own loop.

Every forward call of ``model`` is a step. On every ``every``-th step (the first included) the hooks of
``Recorder`` go on for that one forward pass and come off after it, so the other steps cost one root-level
hook call. Each logged step logs per-layer statistics and warns (``ProbeWarning``, once per layer and
kind) when ReLUs die, the input-dependent signal vanishes or explodes, or saturation grows; leaving the
``with`` block removes the hooks and logs a summary."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from torch import nn

from initlint.probe.stats import LayerStats, Recorder, first_tensor, spread_of
from initlint.probe.verdicts import DEAD, EXPLODING, SATURATED, VANISHING

if TYPE_CHECKING:
    from typing_extensions import Self

SATURATION_GROWTH = 0.2  # saturation this much above its first logged value is "growing"


class ProbeWarning(UserWarning):
    """A problem the probe's monitor saw in a training run."""


@dataclass
class Alert:
    step: int
    kind: str  # dead, vanishing, exploding, saturated
    layer: str
    value: float
    message: str


@dataclass
class Snapshot:
    step: int
    input_spread: float | None
    layers: list[LayerStats]


@dataclass
class Monitor:
    model: nn.Module
    every: int = 100
    log: Callable[[str], None] | None = None
    snapshots: list[Snapshot] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    step: int = 0
    _handles: list[Any] = field(default_factory=list, repr=False)
    _recorder: Recorder | None = field(default=None, repr=False)
    _input_spread: float | None = field(default=None, repr=False)
    _warned: set[tuple[str, str]] = field(default_factory=set, repr=False)

    def __enter__(self) -> Self:
        if self.every < 1:
            raise ValueError("every must be at least 1")
        self._handles = [self.model.register_forward_pre_hook(self._before),
                         self.model.register_forward_hook(self._after)]
        return self

    def __exit__(self, *exc: object) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []
        if self._recorder is not None:  # an exception inside a logged forward pass
            self._recorder.__exit__(None, None, None)
            self._recorder = None
        self._emit(self.summary())

    def _emit(self, text: str) -> None:
        (self.log or (lambda line: print(line, file=sys.stderr)))(text)

    def _before(self, module: nn.Module, args: Any) -> None:
        if self.step % self.every == 0:
            x = first_tensor(args)
            self._input_spread = (spread_of(x, int(x.shape[0])) if x is not None and x.dim() > 0
                                  and x.is_floating_point() else None)
            self._recorder = Recorder(self.model, int(x.shape[0]) if x is not None and x.dim() > 0 else 1,
                                      sample_seed=self.step)
            self._recorder.__enter__()

    def _after(self, module: nn.Module, args: Any, output: Any) -> None:
        recorder, self._recorder = self._recorder, None
        step = self.step
        self.step += 1
        if recorder is None:
            return
        recorder.__exit__(None, None, None)
        for stats in recorder.records:
            stats.sample = []
        snapshot = Snapshot(step, self._input_spread, recorder.records)
        self.snapshots.append(snapshot)
        self._emit(self._line(snapshot))
        self._check(snapshot)

    def _line(self, snapshot: Snapshot) -> str:
        parts = []
        for s in snapshot.layers:
            extra = f" dead {s.dead:.0%}" if s.dead is not None else ""
            extra += f" sat {s.saturated:.0%}" if s.saturated is not None else ""
            spread = f"{s.spread:.3g}" if s.spread is not None else "-"
            parts.append(f"{s.name}: std {s.std:.3g} spread {spread}{extra}")
        return f"[initlint monitor] step {snapshot.step}: " + "; ".join(parts)

    def _check(self, snapshot: Snapshot) -> None:
        first = {s.name: s for s in self.snapshots[0].layers}
        base = snapshot.input_spread
        for s in snapshot.layers:
            if s.dead is not None and s.dead > DEAD:
                was = first.get(s.name)
                since = f" ({was.dead:.0%} at step {self.snapshots[0].step})" if was and was.dead is not None else ""
                self._alert(snapshot.step, "dead", s.name, s.dead,
                            f"dying ReLUs: {s.dead:.0%} of the units of `{s.name}` output 0 for the whole batch at "
                            f"step {snapshot.step}{since}")
            if s.saturated is not None:
                was = first.get(s.name)
                grown = was is not None and was.saturated is not None and s.saturated - was.saturated > SATURATION_GROWTH
                if s.saturated > SATURATED or grown:
                    self._alert(snapshot.step, "saturated", s.name, s.saturated,
                                f"saturation: {s.saturated:.0%} of the inputs of `{s.name}` have |x| > 2 at step "
                                f"{snapshot.step}" + (f" ({was.saturated:.0%} at step {self.snapshots[0].step})"
                                                     if was and was.saturated is not None else ""))
            if s.role == "weighted" and base and s.spread is not None:
                if not s.finite:
                    self._alert(snapshot.step, "exploding", s.name, float("inf"),
                                f"exploding: the activations of `{s.name}` are no longer finite at step {snapshot.step}")
                elif s.spread > EXPLODING * base:
                    self._alert(snapshot.step, "exploding", s.name, s.spread / base,
                                f"exploding: the input-dependent spread at `{s.name}` is {s.spread / base:.2g}x the "
                                f"input's at step {snapshot.step}")
                elif s.spread < VANISHING * base:
                    self._alert(snapshot.step, "vanishing", s.name, s.spread / base,
                                f"vanishing: the input-dependent spread at `{s.name}` is {s.spread / base:.1e}x the "
                                f"input's at step {snapshot.step}")

    def _alert(self, step: int, kind: str, layer: str, value: float, message: str) -> None:
        self.alerts.append(Alert(step, kind, layer, value, message))
        if (kind, layer) not in self._warned:
            self._warned.add((kind, layer))
            warnings.warn(message, ProbeWarning, stacklevel=2)

    def summary(self) -> str:
        logged = len(self.snapshots)
        lines = [f"[initlint monitor] {self.step} steps, {logged} logged (every {self.every})"]
        if logged >= 1:
            first, last = self.snapshots[0], self.snapshots[-1]
            before = {s.name: s for s in first.layers}
            for s in last.layers:
                was = before.get(s.name)
                if was is None or s.spread is None or was.spread is None:
                    continue
                change = f"spread {was.spread:.3g} -> {s.spread:.3g}"
                if s.dead is not None and was.dead is not None:
                    change += f", dead {was.dead:.0%} -> {s.dead:.0%}"
                if s.saturated is not None and was.saturated is not None:
                    change += f", saturated {was.saturated:.0%} -> {s.saturated:.0%}"
                lines.append(f"  {s.name}: {change} (steps {first.step} -> {last.step})")
        kinds = sorted({(a.kind, a.layer) for a in self.alerts})
        lines.append("  no problem seen" if not kinds else
                     "  problems: " + ", ".join(f"{kind} at `{layer}`" for kind, layer in kinds))
        return "\n".join(lines)


def monitor(model: nn.Module, every: int = 100, log: Callable[[str], None] | None = None) -> Monitor:
    """Watch ``model`` during training: ``with monitor(model, every=100) as mon: <your loop>``. ``log``
    receives the per-step lines and the summary (default: standard error); ``mon.alerts`` and
    ``mon.snapshots`` keep everything seen."""
    return Monitor(model, every, log)


__all__ = ["Alert", "Monitor", "ProbeWarning", "Snapshot", "monitor"]
