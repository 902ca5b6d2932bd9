"""IL402: torch.nn.init's non-underscore aliases are deprecated wrappers that warn on every call."""

from __future__ import annotations

from collections.abc import Iterator

from initlint.checks.common import finding
from initlint.findings import Finding
from initlint.picture.model import Picture


def check(picture: Picture, filename: str) -> Iterator[Finding]:
    for site in picture.deprecated:
        yield finding(
            "IL402",
            site,
            f"`nn.init.{site.alias}` is a deprecated alias of `nn.init.{site.func}`: it emits a "
            f"FutureWarning on every call and may be removed. Use `nn.init.{site.func}({site.target_text}, ...)`"
            f" with the same arguments.",
            filename,
        )
