"""Settings: which rules run. Plain data so a process pool or a cache key can carry it."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from initlint.registry import RULES, matches

DEFAULT_SELECT = ("IL",)


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] = DEFAULT_SELECT
    ignore: tuple[str, ...] = ()

    def enabled(self, code: str) -> bool:
        select = tuple("IL" if s == "ALL" else s for s in self.select)
        ignore = tuple("IL" if s == "ALL" else s for s in self.ignore)
        if code == "IL001":  # an unreadable file is always said, unless ignored by name
            return "IL001" not in ignore
        if not matches(code, select):
            return False
        # The more specific of a selecting and an ignoring prefix wins, as in ruff.
        best_select = max((len(s) for s in select if code.startswith(s)), default=-1)
        best_ignore = max((len(s) for s in ignore if code.startswith(s)), default=-1)
        return best_select > best_ignore

    def to_plain(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_plain(cls, data: dict[str, object]) -> Settings:
        return cls(select=tuple(data["select"]), ignore=tuple(data["ignore"]))  # type: ignore[arg-type]

    def enabled_codes(self) -> list[str]:
        return [code for code in RULES if self.enabled(code)]
