"""What initlint's static rules predicted for the target's file, to hold against the measurement.

IL202 (a fixed std far too small) and IL501 (a deep stack left at PyTorch's default) predict a vanishing
stack and give the per-layer gain they expect; the probe measures it and says whether it agrees. Runs
``initlint.analysis.check_source`` in-process on the file's text (no import: that is the static engine)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from initlint.analysis import check_source, fix_source
from initlint.config import Settings
from initlint.findings import Finding

VANISHING_CODES = ("IL202", "IL501")
_PER_LAYER = re.compile(r"shrinks ~(?P<gain>[0-9.]+(?:e-?\d+)?)x per layer")


@dataclass
class Prediction:
    code: str
    filename: str
    row: int
    gain: float | None  # the per-layer gain the rule expects, when its message gives one
    message: str
    confirmed: bool | None = None  # set once measured
    measured_gain: float | None = None
    verdict: str = ""

    def plain(self) -> dict[str, Any]:
        return asdict(self)


def predictions(path: Path | None, lines: tuple[int, int] | None) -> list[Prediction]:
    """IL202/IL501 findings that predict a vanishing stack, inside ``lines`` of the file when given."""
    if path is None or path.suffix != ".py":
        return []
    try:
        data = path.read_bytes()
    except OSError:
        return []
    found = []
    for finding in check_source(data, str(path), Settings()):
        if finding.code not in VANISHING_CODES or (lines and not lines[0] <= finding.row <= lines[1]):
            continue
        gain = _per_layer_gain(finding)
        if finding.code == "IL202" and gain is None:
            continue  # an IL202 that predicts growth, or a single layer: nothing vanishes
        found.append(Prediction(finding.code, str(path), finding.row, gain, finding.message))
    return found


def _per_layer_gain(finding: Finding) -> float | None:
    """How much the finding says the signal shrinks per layer: its data, or (a rule still told as prose) the
    message's "shrinks ~0.408x per layer"."""
    gain = finding.numbers.get("per_layer_gain")
    if isinstance(gain, (int, float)) and not isinstance(gain, bool):
        return float(gain) if gain < 1 else None
    match = _PER_LAYER.search(finding.message)
    return float(match["gain"]) if match else None


def fixed_source(path: Path) -> tuple[str, int]:
    """The file's text after initlint's safe and unsafe fixes (in memory), and how many fixes went in."""
    text = path.read_text(encoding="utf-8")
    new_text, fixed, _ = fix_source(text, str(path), Settings(), unsafe=True)
    return new_text, fixed


def confirm(prediction: Prediction, vanishing: bool, measured_gain: float | None) -> None:
    """Hold one prediction against the model as its code builds it."""
    prediction.confirmed = vanishing
    prediction.measured_gain = measured_gain
    predicted = f"~{prediction.gain:.3g}x per layer" if prediction.gain is not None else "a vanishing stack"
    measured = f"{measured_gain:.3g}x per layer" if measured_gain is not None else "no per-layer gain"
    where = f"{Path(prediction.filename).name}:{prediction.row}"
    if vanishing:
        prediction.verdict = (f"{prediction.code} at {where} predicted {predicted}; measured {measured} "
                              "(median over the weighted layers): confirmed")
    else:
        prediction.verdict = (f"{prediction.code} at {where} predicted {predicted}; measured {measured} and no "
                              "vanishing signal at this input: not confirmed")
