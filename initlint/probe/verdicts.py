"""Measured statistics -> verdicts: vanishing, exploding, dead ReLUs, saturation. The thresholds are the
probe's whole judgement; everything else is measurement."""

from __future__ import annotations

import itertools
import math
import statistics
from dataclasses import asdict, dataclass
from typing import Any

from initlint.probe.stats import Measurement

VANISHING = 1e-3  # input-dependent spread below this fraction of the input's
EXPLODING = 1e3  # ... or above this multiple of it
DEAD = 0.5  # fraction of a rectifier's units that output 0 for the whole batch
SATURATED = 0.5  # fraction of a tanh/sigmoid's inputs with |x| > 2
SHRINK_RUN = 4  # this many weighted layers in a row, each passing on less than
SHRINK_GAIN = 0.75  # this fraction of the spread it received,
SHRINK_TOTAL = 0.1  # and less than this fraction over the run, is a steady shrink


@dataclass
class Verdict:
    kind: str  # vanishing, exploding, dead, saturated
    layer: str
    value: float
    threshold: float
    message: str

    def plain(self) -> dict[str, Any]:
        return asdict(self)


def layer_gains(m: Measurement) -> list[tuple[str, float]]:
    """Per weighted layer, the input-dependent spread the next weighted layer receives divided by the one this
    layer received: the per-layer gain of a Linear/Conv + activation (+ whatever sits between)."""
    rows = [s for s in m.weighted() if s.in_spread is not None]
    gains = []
    for this, following in itertools.pairwise(rows):
        assert this.in_spread is not None and following.in_spread is not None
        if this.in_spread > 0:
            gains.append((this.name, following.in_spread / this.in_spread))
    return gains


def median_gain(m: Measurement) -> float | None:
    gains = [g for _, g in layer_gains(m) if math.isfinite(g)]
    return statistics.median(gains) if gains else None


def judge(m: Measurement) -> list[Verdict]:
    verdicts: list[Verdict] = []
    base = m.input_spread
    weighted = m.weighted()
    if base and base > 0:
        blown = next((s for s in weighted if not s.finite or (s.spread is not None and s.spread > EXPLODING * base)),
                     None)
        if blown is not None:
            ratio = (blown.spread or math.inf) / base if blown.finite else math.inf
            verdicts.append(Verdict("exploding", blown.name, ratio, EXPLODING,
                                    f"exploding: the input-dependent spread reaches {_x(ratio)} the input's at "
                                    f"`{blown.name}` (threshold {EXPLODING:g}x)"
                                    + ("" if blown.finite else "; the activations are no longer finite")))
        faded = next((s for s in weighted if s.spread is not None and s.finite and s.spread < VANISHING * base), None)
        if faded is not None and blown is None:
            assert faded.spread is not None
            last = weighted[-1]
            tail = (f", {_x((last.spread or 0.0) / base)} at the last layer `{last.name}`"
                    if last is not faded and last.spread is not None else "")
            verdicts.append(Verdict("vanishing", faded.name, faded.spread / base, VANISHING,
                                    f"vanishing: the input-dependent spread falls to {_x(faded.spread / base)} the "
                                    f"input's at `{faded.name}`{tail} (threshold {VANISHING:g}x); the raw std "
                                    f"there is {faded.std:.3g}, so looking at the std alone would miss it"))
        elif blown is None:
            run = _shrinking_run(m)
            if run is not None:
                first, count, total, gain = run
                verdicts.append(Verdict("vanishing", first, total, SHRINK_TOTAL,
                                        f"vanishing: a steady shrink from `{first}` on, {count} weighted layers in a "
                                        f"row each passing on less than {SHRINK_GAIN:g} of the spread they receive "
                                        f"(~{gain:.3g}x per layer, {_x(total)} over the run)"))
    for s in m.layers:
        if s.dead is not None and s.dead > DEAD:
            verdicts.append(Verdict("dead", s.name, s.dead, DEAD,
                                    f"dead ReLUs: {s.dead:.0%} of the units of `{s.name}` output 0 for every sample "
                                    f"of the batch (threshold {DEAD:.0%}); they pass no gradient"))
        if s.saturated is not None and s.saturated > SATURATED:
            verdicts.append(Verdict("saturated", s.name, s.saturated, SATURATED,
                                    f"saturation: {s.saturated:.0%} of the inputs of `{s.name}` have |x| > 2 "
                                    f"(threshold {SATURATED:.0%}); its slope there is below 0.11"))
    return verdicts


def _shrinking_run(m: Measurement) -> tuple[str, int, float, float] | None:
    gains = layer_gains(m)
    best: tuple[str, int, float, float] | None = None
    start = 0
    while start < len(gains):
        end = start
        while end < len(gains) and gains[end][1] < SHRINK_GAIN:
            end += 1
        if end - start >= SHRINK_RUN:
            total = math.prod(g for _, g in gains[start:end])
            if total < SHRINK_TOTAL and (best is None or total < best[2]):
                best = (gains[start][0], end - start, total, total ** (1 / (end - start)))
        start = end + 1
    return best


def _x(ratio: float) -> str:
    if not math.isfinite(ratio):
        return "inf x"
    return f"{ratio:.2g}x" if ratio >= 0.01 else f"{ratio:.1e}x"

