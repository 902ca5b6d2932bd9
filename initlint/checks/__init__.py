"""What we say about a picture: one module per rule family, all run over one picture in one pass."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from initlint.checks import (
    always_true,
    bias_none,
    clones,
    deprecated,
    depth,
    family,
    fan_mode,
    inplace_view,
    lazy_init,
    never_called,
    never_matches,
    nonlinearity,
    normal_bounds,
    overwritten,
    recurrent,
    scale,
    shapes,
    symmetry,
    trunc_bounds,
    truth_value,
    uniform_bounds,
    weight_norm,
)
from initlint.config import Settings
from initlint.findings import Finding, internal_error
from initlint.picture.model import Picture

CheckFn = Callable[[Picture, str, Settings], Iterable[Finding]]

CHECKS: tuple[CheckFn, ...] = (family.check, symmetry.check, scale.check, recurrent.check, depth.check,
                               shapes.check, deprecated.check,
                               # init code that cannot work (crashes, dead code, undone inits)
                               nonlinearity.check, fan_mode.check, trunc_bounds.check, uniform_bounds.check,
                               normal_bounds.check, always_true.check, truth_value.check, inplace_view.check,
                               bias_none.check, never_matches.check, never_called.check, overwritten.check,
                               clones.check, weight_norm.check, lazy_init.check)


def run_checks(picture: Picture, filename: str, settings: Settings | None = None) -> list[Finding]:
    """Every rule over the picture; a rule that fails costs only its own findings (an IL000 says which)."""
    settings = settings or Settings()
    findings: list[Finding] = []
    for check in CHECKS:
        try:
            findings.extend(check(picture, filename, settings))
        except Exception as error:  # noqa: BLE001 - one rule's bug must not hide the others' findings
            findings.append(internal_error(filename, f"running the rules of {check.__module__}", error))
    return findings
