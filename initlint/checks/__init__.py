"""What we say about a picture: one module per rule family, all run over one picture in one pass."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from initlint.checks import deprecated, depth, family, recurrent, scale, shapes, symmetry
from initlint.config import Settings
from initlint.findings import Finding
from initlint.picture.model import Picture

CheckFn = Callable[[Picture, str, Settings], Iterable[Finding]]

CHECKS: tuple[CheckFn, ...] = (family.check, symmetry.check, scale.check, recurrent.check, depth.check,
                               shapes.check, deprecated.check)


def run_checks(picture: Picture, filename: str, settings: Settings | None = None) -> list[Finding]:
    settings = settings or Settings()
    findings: list[Finding] = []
    for check in CHECKS:
        findings.extend(check(picture, filename, settings))
    return findings
