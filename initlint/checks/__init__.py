"""What we say about a picture: one module per rule family, all run over one picture in one pass."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from initlint.checks import deprecated, family, shapes
from initlint.findings import Finding
from initlint.picture.model import Picture

CheckFn = Callable[[Picture, str], Iterable[Finding]]

CHECKS: tuple[CheckFn, ...] = (family.check, shapes.check, deprecated.check)


def run_checks(picture: Picture, filename: str) -> list[Finding]:
    findings: list[Finding] = []
    for check in CHECKS:
        findings.extend(check(picture, filename))
    return findings
