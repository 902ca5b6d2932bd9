"""What we say about a picture: one module per rule family, all run over one picture in one pass."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from initlint.checks import (
    always_true,
    bias_none,
    deprecated,
    depth,
    family,
    fan_mode,
    inplace_view,
    nonlinearity,
    normal_bounds,
    recurrent,
    scale,
    shapes,
    symmetry,
    trunc_bounds,
    truth_value,
    uniform_bounds,
)
from initlint.config import Settings
from initlint.findings import Finding
from initlint.picture.model import Picture

CheckFn = Callable[[Picture, str, Settings], Iterable[Finding]]

CHECKS: tuple[CheckFn, ...] = (family.check, symmetry.check, scale.check, recurrent.check, depth.check,
                               shapes.check, deprecated.check,
                               # init code that cannot work (crashes, dead code, undone inits)
                               nonlinearity.check, fan_mode.check, trunc_bounds.check, uniform_bounds.check,
                               normal_bounds.check, always_true.check, truth_value.check, inplace_view.check,
                               bias_none.check)


def run_checks(picture: Picture, filename: str, settings: Settings | None = None) -> list[Finding]:
    settings = settings or Settings()
    findings: list[Finding] = []
    for check in CHECKS:
        findings.extend(check(picture, filename, settings))
    return findings
