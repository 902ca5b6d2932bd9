"""The probe's results as text: a table per run, the static predictions held against them, a summary."""

from __future__ import annotations

import json
import math
from collections import Counter

from initlint.probe.run import Result, Run
from initlint.probe.stats import Measurement
from initlint.probe.verdicts import Verdict, median_gain


def number(value: float | None) -> str:
    if value is None:
        return "-"
    if not math.isfinite(value):
        return str(value)
    if value == 0:
        return "0"
    return f"{value:.3g}" if 1e-3 <= abs(value) < 1e4 else f"{value:.1e}"


def fraction(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def table(rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
    return lines


def layer_table(m: Measurement) -> list[str]:
    rows = [["layer", "type", "shape", "mean", "std", "spread", "/input", "dead", "sat", "grad std"]]
    base = m.input_spread
    for s in m.layers:
        rel = s.spread / base if s.spread is not None and base else None
        rows.append([s.name, s.kind, "x".join(map(str, s.shape)) or "-", number(s.mean), number(s.std),
                     number(s.spread), number(rel), fraction(s.dead), fraction(s.saturated), number(s.grad_std)])
    return table(rows, right=set(range(3, 10)))


def verdict_lines(verdicts: list[Verdict], when: str) -> list[str]:
    if not verdicts:
        return [f"  ok {when}: no vanishing, exploding, dead or saturated layer"]
    return [f"  {when}: {v.message}" for v in verdicts]


def run_text(run: Run) -> list[str]:
    m = run.at_init
    lines = [f"== {run.label}: {run.description}" + (f" ({run.note})" if run.note else "")]
    lines.append(f"input batch {m.batch}, std {number(m.input_std)}, spread {number(m.input_spread)}; "
                 f"output {tuple(m.output_shape)}; median per-layer gain {number(median_gain(m))}")
    lines += layer_table(m)
    if run.lsuv is not None:
        lsuv = run.lsuv
        lines.append(f"  lsuv: {len(lsuv.layers)} layers, {'all' if lsuv.converged else 'not all'} within tol; "
                     + ", ".join(f"{layer.name} var {number(layer.variance)}" for layer in lsuv.layers[:6])
                     + (" ..." if len(lsuv.layers) > 6 else "")
                     + (f"; never called: {', '.join(lsuv.not_reached)}" if lsuv.not_reached else ""))
    lines += verdict_lines(run.verdicts, "at init")
    if run.after is not None:
        lines.append(f"  trained {len(run.losses)} steps: loss {number(run.losses[0])} at the start, "
                     f"{number(run.final_loss)} over the last tenth of the steps")
        lines += verdict_lines(run.verdicts_after, "after training")
    return lines


def kinds(verdicts: list[Verdict]) -> str:
    """``vanishing, dead x8``: each kind once, with the number of layers when more than one."""
    counts = Counter(v.kind for v in verdicts)
    return ", ".join(kind if n == 1 else f"{kind} x{n}" for kind, n in counts.items()) or "ok"


def summary(result: Result) -> list[str]:
    trained = bool(result.options.train_steps)
    header = ["target [scheme]", "median gain", "last /input", "verdicts at init"]
    if trained:
        header += ["loss first", "loss end", "after training"]
    rows = [header]
    for run in result.runs:
        m = run.at_init
        weighted = m.weighted()
        last = weighted[-1] if weighted else (m.layers[-1] if m.layers else None)
        rel = last.spread / m.input_spread if last and last.spread is not None and m.input_spread else None
        row = [run.label, number(median_gain(m)), number(rel), kinds(run.verdicts)]
        if trained:
            row += [number(run.losses[0] if run.losses else None), number(run.final_loss),
                    kinds(run.verdicts_after)]
        rows.append(row)
    return table(rows, right={1, 2, 4, 5})


def text(result: Result) -> str:
    lines: list[str] = []
    for run in result.runs:
        lines += run_text(run)
        lines.append("")
    for prediction in result.predictions:
        if prediction.verdict:
            lines.append(f"static: {prediction.verdict}")
    if result.predictions:
        lines.append("")
    if len(result.runs) > 1:
        lines += summary(result)
        lines.append("")
    count = sum(len(r.verdicts) + len(r.verdicts_after) for r in result.runs)
    lines.append(f"Found {count} verdict{'s' if count != 1 else ''} in {len(result.runs)} "
                 f"run{'s' if len(result.runs) != 1 else ''}." if count else
                 f"No verdict in {len(result.runs)} run{'s' if len(result.runs) != 1 else ''}.")
    return "\n".join(lines)


def json_text(result: Result) -> str:
    def clean(value: object) -> object:
        if isinstance(value, float) and not math.isfinite(value):
            return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [clean(v) for v in value]
        return value

    return json.dumps(clean(result.plain()), indent=2)
