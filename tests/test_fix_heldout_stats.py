"""Weight statistics of the held-out models after ``--fix --unsafe-fixes``, measured with torch.

``tests/data/fixed_stats.json`` lists, for every planted finding in ``tests/data/graded*/expected.json``,
the parameters the repaired model must initialize and the statistic they must have, worked out from the
torch formulas (He ``gain/sqrt(fan_in)``, Xavier ``gain*sqrt(2/(fan_in+fan_out))``, LeCun ``1/sqrt(fan_in)``,
orthogonal gate blocks, LSTM forget-gate rows) and not from initlint's output. Each entry fixes the file,
runs the fixed text as a module, builds the model with a fixed seed and measures the parameter.
"""

from __future__ import annotations

import json
import math
import runpy
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from initlint.analysis import fix_source
from initlint.config import Settings

torch = pytest.importorskip("torch")

DATA = Path(__file__).resolve().parent / "data"
ENTRIES: list[dict[str, Any]] = json.loads((DATA / "fixed_stats.json").read_text(encoding="utf-8"))
CHECKED = [e for e in ENTRIES if "skip" not in e]
ORTHOGONAL_TOL = 1e-4
EXACT_TOL = 1e-6


def _id(entry: dict[str, Any]) -> str:
    """Readable test id ``dir/file.py:line:CODE:param``; bias-row checks add ``.a+b[lo:hi]``, and a param
    that two models of one file share (``lstm.weight_hh_l0``) adds ``@Build``."""
    line, code = entry["finding"]
    what = entry.get("param", "")
    check = entry.get("check", {})
    if "rows" in check:
        lo, hi = check["rows"]
        what += "." + "+".join(check["sum_of"]) + f"[{lo}:{hi}]"
    same = [e for e in CHECKED if e["file"] == entry["file"] and e["param"] == entry.get("param")
            and e["build"] != entry.get("build")]
    if same:
        what += "@" + entry["build"].split("(")[0]
    return f"{entry['file']}:{line}:{code}:{what}"


def _param(entry: dict[str, Any]) -> Any:
    """The entry as a pytest param, marked xfail(strict) when the entry says the fix is known wrong."""
    marks = [pytest.mark.xfail(strict=True, reason=entry["xfail"])] if "xfail" in entry else []
    return pytest.param(entry, id=_id(entry), marks=marks)


@cache
def _fixed_text(rel: str) -> str:
    """The held-out file after ``fix_source(..., unsafe=True)`` (computed once per file)."""
    path = DATA / rel
    # the opt-in check on too: the planted zeroed LSTM biases are measured after their fix
    text, _, _ = fix_source(path.read_text(encoding="utf-8"), path.name, Settings(zeroed_lstm_biases=True),
                            unsafe=True)
    return text


def _namespace(rel: str, tmp_path: Path) -> dict[str, Any]:
    """Run the fixed file as a module named ``heldout_fixed`` (so no ``__main__`` block runs)."""
    script = tmp_path / Path(rel).name
    script.write_text(_fixed_text(rel), encoding="utf-8")
    return runpy.run_path(str(script), run_name="heldout_fixed")


def _build(entry: dict[str, Any], tmp_path: Path) -> Any:
    """Seed torch and evaluate the entry's ``build`` expression in the repaired module's namespace.

    The seed is set before the module runs as well, for files that build their models at import time
    (``netD`` in graded/06_dcgan.py, whose fix re-initializes that very instance)."""
    torch.manual_seed(0)
    namespace = _namespace(entry["file"], tmp_path)
    torch.manual_seed(0)
    model = eval(entry["build"], namespace)  # expressions come from our own JSON
    assert isinstance(model, torch.nn.Module), entry["build"]
    return model


def _std_tolerance(numel: int) -> float:
    """Relative tolerance for a sampled std: sampling noise is about 1/sqrt(2n)."""
    return max(0.05, 4.0 / math.sqrt(2 * numel))


def _check_std(w: Any, check: dict[str, Any]) -> None:
    """Std (about the sample mean) within the sampling tolerance; optional mean within 4 standard errors."""
    w = w.detach().double().flatten()
    expected = check["std"]
    got = w.std().item()
    tol = _std_tolerance(w.numel())
    assert got == pytest.approx(expected, rel=tol), f"std {got:.5g}, expected {expected:.5g} (rel tol {tol:.3f})"
    if "mean" in check:
        mean_tol = 4.0 * expected / math.sqrt(w.numel()) + EXACT_TOL
        assert abs(w.mean().item() - check["mean"]) <= mean_tol, f"mean {w.mean().item():.5g}"


def _check_orthogonal(w: Any, blocks: int) -> None:
    """Each of ``blocks`` row blocks has orthonormal columns: ``W_k^T W_k = I``."""
    w = w.detach().double()
    assert w.dim() == 2 and w.size(0) % blocks == 0, tuple(w.shape)
    rows = w.size(0) // blocks
    eye = torch.eye(w.size(1), dtype=torch.float64)
    for k in range(blocks):
        block = w[k * rows:(k + 1) * rows]
        err = (block.T @ block - eye).abs().max().item()
        assert err <= ORTHOGONAL_TOL, f"block {k} of {blocks}: max |W^T W - I| = {err:.3g}"


def _check_rows(model: Any, entry: dict[str, Any]) -> None:
    """Rows ``[lo, hi)`` of the elementwise sum of the module's named tensors: all equal ``value``
    or all within ``max_abs`` of zero."""
    check = entry["check"]
    module = model.get_submodule(entry["param"])
    total = sum(getattr(module, name).detach().double() for name in check["sum_of"])
    lo, hi = check["rows"]
    part = total[lo:hi]
    assert part.numel() == hi - lo, f"only {part.numel()} rows"
    if "value" in check:
        err = (part - check["value"]).abs().max().item()
        assert err <= EXACT_TOL, f"rows {lo}:{hi} differ from {check['value']} by up to {err:.3g}"
    if "max_abs" in check:
        top = part.abs().max().item()
        assert top <= check["max_abs"], f"rows {lo}:{hi} reach {top:.3g} > {check['max_abs']}"


@pytest.mark.filterwarnings("ignore::UserWarning")  # torch's own advice while building some models
@pytest.mark.parametrize("entry", [_param(e) for e in CHECKED])
def test_repaired_parameter_has_expected_statistic(entry: dict[str, Any], tmp_path: Path) -> None:
    """Fix, run, build with seed 0, and measure one parameter (or bias rows) of the repaired model."""
    model = _build(entry, tmp_path)
    check = entry["check"]
    if "rows" in check:
        _check_rows(model, entry)
        return
    params = dict(model.named_parameters())
    assert entry["param"] in params, f"{entry['param']} not in {sorted(params)[:20]}"
    w = params[entry["param"]]
    if "std" in check:
        _check_std(w, check)
    elif "orthogonal_blocks" in check:
        _check_orthogonal(w, check["orthogonal_blocks"])
    elif "equals" in check:
        err = (w.detach().double() - check["equals"]).abs().max().item()
        assert err <= EXACT_TOL, f"differs from {check['equals']} by up to {err:.3g}"
    else:
        pytest.fail(f"unknown check {check}")


def _planted() -> set[tuple[str, int, str]]:
    """Every (dir/file, line, code) in both expected.json files."""
    found: set[tuple[str, int, str]] = set()
    for directory in ("graded", "graded_scale"):
        expected = json.loads((DATA / directory / "expected.json").read_text(encoding="utf-8"))
        for name, findings in expected.items():
            found.update((f"{directory}/{name}", line, code) for line, code in findings)
    return found


def test_every_planted_finding_is_checked_or_skipped_with_a_reason() -> None:
    """The JSON covers each planted finding, names only planted findings, and each skip says why."""
    planted = _planted()
    covered = {(e["file"], e["finding"][0], e["finding"][1]) for e in ENTRIES}
    assert sum(1 for p in planted if p[0].startswith("graded_scale/")) == 36  # the count NOTES.md gives
    assert planted - covered == set(), sorted(planted - covered)
    assert covered - planted == set(), sorted(covered - planted)
    ids = [_id(e) for e in CHECKED]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    for entry in ENTRIES:
        if "skip" in entry:
            assert len(entry["skip"].strip()) >= 10, entry
        else:
            assert entry["build"] and entry["param"] and entry["check"] and entry["why"], entry
            assert not entry.get("xfail") or len(entry["xfail"]) >= 20, entry
