"""What ``initlint probe`` does once torch is known to be there: load, probe, print, plot, exit code."""

from __future__ import annotations

import click

from initlint.probe.plot import PlotUnavailable, render
from initlint.probe.progress import progress
from initlint.probe.render import json_text, text
from initlint.probe.run import Options, ProbeError, parse_shape, probe
from initlint.probe.schemes import SchemeError, parse_schemes
from initlint.probe.target import TargetError, load_target, parse_kwargs
from initlint.probe.textplot import text_plot


def run_command(targets: tuple[str, ...], *, input_shape: str | None, dtype: str, seed: int,
                batch_file: str | None, kwargs_json: str | None, compare: str, train_steps: int, optimizer: str,
                lr: float | None, task: str, plot_path: str | None, output_format: str) -> int:
    """0 clean, 1 verdicts found, 2 a usage error or a model that cannot be built or run."""
    try:
        options = Options(parse_schemes(compare), parse_shape(input_shape) if input_shape else None, dtype, seed,
                          batch_file, train_steps, optimizer, lr, task)
        kwargs = parse_kwargs(kwargs_json)
        loaded = [load_target(spec, kwargs) for spec in targets]
        total = len(loaded) * len(options.schemes) * (1 + train_steps)
        with progress(total, "probing") as advance:
            result = probe(loaded, options, advance)
    except (ProbeError, TargetError, SchemeError) as error:
        click.echo(f"initlint: error: {error}", err=True)
        return 2
    click.echo(json_text(result) if output_format == "json" else text(result))
    if plot_path:
        try:
            info = render(result, plot_path)
        except PlotUnavailable as error:
            click.echo(f"initlint: {error}; here is the plot as text instead:", err=True)
            click.echo(text_plot(result), err=output_format == "json")
        else:
            click.echo(f"Wrote {info.path} ({info.width}x{info.height}, {len(info.histograms)} histograms).",
                       err=output_format == "json")
    return 1 if result.found else 0
