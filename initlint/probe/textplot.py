"""The plot as text, for a terminal without matplotlib: spread by depth and loss curves per run."""

from __future__ import annotations

import math

from initlint.probe.run import Result

WIDTH = 40
_LEVELS = " .:-=+*#%@"


def bar(ratio: float, decades: int = 8) -> str:
    """Log-scale bar: the full width is 1x the input's spread, every 1/decades of it is one decade less."""
    if ratio <= 0 or not math.isfinite(ratio):
        return "!" if not math.isfinite(ratio) else ""
    filled = round(WIDTH * (1 + math.log10(min(ratio, 1e3)) / decades))
    return "#" * max(0, min(filled, WIDTH + round(3 * WIDTH / decades)))


def sparkline(values: list[float]) -> str:
    finite = [v for v in values if math.isfinite(v) and v > 0]
    if not finite:
        return ""
    step = max(1, len(values) // WIDTH)
    points = [values[i] for i in range(0, len(values), step)]
    low, high = math.log10(min(finite)), math.log10(max(finite))
    span = (high - low) or 1.0
    chars = []
    for v in points:
        if not (math.isfinite(v) and v > 0):
            chars.append("!")
        else:
            chars.append(_LEVELS[round((math.log10(v) - low) / span * (len(_LEVELS) - 1))])
    return "".join(chars)


def text_plot(result: Result) -> str:
    lines = ["input-dependent spread by depth (log scale: a full bar is the input's, each 5 '#' a decade less)"]
    for run in result.runs:
        lines.append(f"{run.label}")
        base = run.at_init.input_spread or 1.0
        layers = run.at_init.weighted() or run.at_init.layers
        for s in layers:
            ratio = (s.spread or 0.0) / base
            lines.append(f"  {s.name[:18]:<18} {ratio:9.2e} |{bar(ratio)}")
    if any(run.losses for run in result.runs):
        lines.append("training loss (log scale, low '.' to high '@')")
        for run in result.runs:
            if run.losses:
                lines.append(f"  {run.label}: {run.losses[0]:.3g} |{sparkline(run.losses)}| {run.losses[-1]:.3g}")
    return "\n".join(lines)
