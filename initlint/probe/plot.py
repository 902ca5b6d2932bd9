"""``--plot out.png``: the seed's figure (per-layer activation histograms per scheme, with mean and std on
each panel), the input-dependent spread by depth per scheme, and the loss curves when trained.

Uses matplotlib's object API and the Agg canvas (no pyplot, no global backend switch)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from initlint.probe.run import Result, Run
from initlint.probe.stats import LayerStats

MAX_LAYERS = 6  # histogram columns: the first and last weighted layers and evenly spaced ones between
DPI = 80


class PlotUnavailable(Exception):
    """matplotlib is not installed."""


@dataclass
class PlotInfo:
    path: str
    width: int  # pixels
    height: int
    histograms: list[tuple[str, str]] = field(default_factory=list)  # (run label, layer name) per panel
    extra: list[str] = field(default_factory=list)  # the other panels' titles
    axes: int = 0  # panels in the figure (histograms + extra)


def shown_layers(run: Run) -> list[LayerStats]:
    layers = run.at_init.weighted() or run.at_init.layers
    if len(layers) <= MAX_LAYERS:
        return layers
    step = (len(layers) - 1) / (MAX_LAYERS - 1)
    return [layers[round(i * step)] for i in range(MAX_LAYERS)]


def short_label(result: Result, run: Run) -> str:
    if len({r.target for r in result.runs}) == 1:
        return run.scheme
    return f"{run.target.rsplit(':', 1)[-1]} [{run.scheme}]"


def loss_limits(runs: list[Run]) -> tuple[float, float] | None:
    """Keep a diverged run from flattening the others: the top is twice the median starting loss."""
    starts = sorted(r.losses[0] for r in runs if r.losses and math.isfinite(r.losses[0]) and r.losses[0] > 0)
    finite = [v for r in runs for v in r.losses if math.isfinite(v) and v > 0]
    if not starts or not finite:
        return None
    return min(finite) / 1.5, 2 * starts[len(starts) // 2]


def render(result: Result, path: str) -> PlotInfo:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise PlotUnavailable("--plot needs matplotlib: pip install 'initlint[probe]'") from None
    runs = result.runs
    columns = max(max(len(shown_layers(run)) for run in runs), 2)
    trained = any(run.losses for run in runs)
    figure = Figure(figsize=(2.7 * columns, 2.1 * (len(runs) + 1.4)), dpi=DPI)
    FigureCanvasAgg(figure)
    grid = figure.add_gridspec(len(runs) + 1, columns, height_ratios=[1.0] * len(runs) + [1.4])
    info = PlotInfo(path, 0, 0)
    for row, run in enumerate(runs):
        for column, layer in enumerate(shown_layers(run)):
            ax = figure.add_subplot(grid[row, column])
            if layer.sample:
                ax.hist(layer.sample, bins=50, alpha=0.75, color=f"C{row % 10}")
            ax.set_title(f"{run.scheme} - {layer.name}", fontsize=8)
            ax.tick_params(labelsize=6)
            ax.text(0.03, 0.95, f"mean {layer.mean:.3g}\nstd {layer.std:.3g}", transform=ax.transAxes,
                    va="top", fontsize=7)
            if column == 0 and len({r.target for r in runs}) > 1:
                ax.set_ylabel(run.target.rsplit(":", 1)[-1], fontsize=7)
            info.histograms.append((run.label, layer.name))
    bottom = grid[len(runs), :] if not trained else grid[len(runs), : columns // 2]
    ax = figure.add_subplot(bottom)
    for i, run in enumerate(runs):
        layers = run.at_init.weighted() or run.at_init.layers
        base = run.at_init.input_spread or 1.0
        values = [(s.spread or 0.0) / base for s in layers]
        ax.semilogy(range(1, len(values) + 1), [max(v, 1e-30) for v in values], marker="o", markersize=3,
                    label=short_label(result, run), color=f"C{i % 10}")
    ax.set_title("spread by depth (/ the input's)", fontsize=8)
    ax.set_xlabel("weighted layer", fontsize=7)
    ax.tick_params(labelsize=6)
    ax.legend(fontsize=6, loc="best", framealpha=0.6)
    info.extra.append("spread by depth")
    if trained:
        ax = figure.add_subplot(grid[len(runs), columns // 2:])
        for i, run in enumerate(runs):
            ax.plot(range(len(run.losses)), run.losses, label=short_label(result, run), color=f"C{i % 10}")
        ax.set_yscale("log")
        limits = loss_limits(runs)
        if limits is not None:
            ax.set_ylim(*limits)
        ax.set_title(f"training loss ({result.options.optimizer}, lr {result.options.learning_rate:g})", fontsize=8)
        ax.set_xlabel("step", fontsize=7)
        ax.tick_params(labelsize=6)
        ax.legend(fontsize=6, loc="best", framealpha=0.6)
        info.extra.append("loss curves")
    figure.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")
    info.axes = len(figure.axes)
    info.width, info.height = (round(v) for v in figure.get_size_inches() * figure.dpi)
    return info
