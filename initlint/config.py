"""Settings: ``[tool.initlint]`` in pyproject.toml, merged with command-line flags.

Settings are plain data (tuples of strings and booleans) so a process pool or a cache key can carry them.
Every key and value is validated once per run; a bad one is a :class:`ConfigError` naming it.
"""

from __future__ import annotations

import fnmatch
import os
import sys
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from initlint.registry import INTERNAL_ERROR, RULES, known_prefix, matches

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

DEFAULT_SELECT = ("IL",)
DEFAULT_EXCLUDE = (
    ".git", ".hg", ".svn", ".venv", "venv", ".env", "env", "build", "dist", "__pycache__", "node_modules",
    ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", "site-packages", ".eggs", "*.egg-info",
    ".initlint_cache",
)
DEFAULT_INCLUDE = ("*.py", "*.pyi", "*.ipynb")
KNOWN_KEYS = ("include", "extend-include", "select", "ignore", "extend-select", "per-file-ignores", "exclude", "extend-exclude",
              "respect-gitignore", "off-scale-factor", "deep-default-depth", "zeroed-lstm-biases", "src")
DEFAULT_OFF_SCALE_FACTOR = 4.0  # IL202: how far a literal std may be from the one the activation wants
DEFAULT_DEEP_DEFAULT_DEPTH = 8  # IL501: how many default-initialized rectifier layers make a deep stack


class ConfigError(ValueError):
    """A configuration value initlint cannot accept; the message names the key and the file."""


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] = DEFAULT_SELECT
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    include: tuple[str, ...] = DEFAULT_INCLUDE
    extend_include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    off_scale_factor: float = DEFAULT_OFF_SCALE_FACTOR
    deep_default_depth: int = DEFAULT_DEEP_DEFAULT_DEPTH
    # IL302: also report LSTM biases zeroed with the forget gate left at 0. Off by default: zeroing every
    # bias is a common, deliberate choice, unlike a 1 on the wrong gate's rows.
    zeroed_lstm_biases: bool = False
    force_exclude: bool = False
    # Import roots, relative to ``root`` (like ruff's ``src``): ``from models.networks import x`` is looked
    # for below these first, then below the importing file's directory and each one above it (project.py).
    src: tuple[str, ...] = ()
    root: str = "."  # the directory globs are relative to (where the config file is)
    source: str | None = field(default=None)  # the config file read, if any

    def enabled(self, code: str, filename: str | None = None) -> bool:
        select = tuple("IL" if s == "ALL" else s for s in self.select + self.extend_select)
        ignore = tuple("IL" if s == "ALL" else s for s in self.ignore + self._file_ignores(filename))
        if code == INTERNAL_ERROR:  # our own failure is always said
            return True
        if code == "IL001":  # an unreadable file is always said, unless an ignored code or prefix covers it
            return not matches(code, ignore)
        if not matches(code, select):
            return False
        rule = RULES.get(code)
        if rule is not None and not rule.default:
            # an off-by-default rule runs only when named: by its code or ALL (a prefix such as IL4 is not enough)
            named = self.select + self.extend_select
            if code not in named and "ALL" not in named:
                return False
        # The more specific of a selecting and an ignoring prefix wins, as in ruff.
        best_select = max((len(s) for s in select if code.startswith(s)), default=-1)
        best_ignore = max((len(s) for s in ignore if code.startswith(s)), default=-1)
        return best_select > best_ignore

    def _file_ignores(self, filename: str | None) -> tuple[str, ...]:
        if filename is None or not self.per_file_ignores:
            return ()
        rel = _relative(filename, self.root)
        out: tuple[str, ...] = ()
        for pattern, codes in self.per_file_ignores:
            if _glob_match(rel, pattern):
                out += codes
        return out

    def included(self, path: str) -> bool:
        """Whether a file found in a directory is one to check (``include``/``extend-include`` globs)."""
        rel = _relative(path, self.root)
        return any(_glob_match(rel, pattern) for pattern in self.include + self.extend_include)

    def excluded(self, path: str, below: str | None = None) -> bool:
        """Whether ``exclude``/``extend-exclude`` covers a path: a pattern with a ``/`` matches the path from
        the config's root; a bare name (``build``, ``*.egg-info``) matches one of its parts below ``below``
        (the directory named on the command line: a project that lives under ``~/build/`` is still
        checked), else below the root or the current directory."""
        rel = _relative(path, self.root)
        parts = _parts_below(path, below, self.root)
        for pattern in self.exclude + self.extend_exclude:
            if "/" in pattern.rstrip("/"):
                if _glob_match(rel, pattern):
                    return True
            elif any(fnmatch.fnmatchcase(part, pattern.rstrip("/")) for part in parts):
                return True
        return False

    def to_plain(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_plain(cls, data: dict[str, Any]) -> Settings:
        values = dict(data)
        for key in ("select", "ignore", "extend_select", "include", "extend_include", "exclude", "extend_exclude",
                    "src"):
            values[key] = tuple(values[key])
        values["per_file_ignores"] = tuple((p, tuple(c)) for p, c in values["per_file_ignores"])
        return cls(**values)

    def enabled_codes(self) -> list[str]:
        return [code for code in RULES if self.enabled(code)]

    def describe(self) -> str:
        """``--show-settings``: the resolved settings, one per line."""
        lines = [f"config file: {self.source or '(none)'}", f"root: {self.root}"]
        for key, value in asdict(self).items():
            if key in ("source", "root"):
                continue
            lines.append(f"{key.replace('_', '-')}: {value!r}")
        lines.append(f"enabled rules: {', '.join(self.enabled_codes())}")
        return "\n".join(lines)


def _relative(path: str, root: str) -> str:
    try:
        return Path(_absolute(path)).relative_to(_absolute(root)).as_posix()
    except ValueError:
        return Path(path).as_posix()


def _absolute(path: str) -> str:
    """The path made absolute without following its links (a link loop must not raise)."""
    return os.path.normpath(os.path.abspath(path))


def _parts_below(path: str, below: str | None, root: str) -> tuple[str, ...]:
    """The parts of ``path`` under the first of ``below``, the root and the current directory that holds
    it (only its own name when none does)."""
    absolute = PurePosixPath(Path(_absolute(path)).as_posix())
    for base in (below, root, "."):
        if base is None:
            continue
        try:
            return absolute.relative_to(Path(_absolute(base)).as_posix()).parts
        except ValueError:
            continue
    return (absolute.name,)


def _glob_match(rel: str, pattern: str) -> bool:
    pattern = pattern.rstrip("/")
    return fnmatch.fnmatchcase(rel, pattern) or fnmatch.fnmatchcase(rel, pattern + "/*") or (
        "/" not in pattern and fnmatch.fnmatchcase(PurePosixPath(rel).name, pattern))


def find_config(start: Path) -> Path | None:
    """The nearest pyproject.toml with a ``[tool.initlint]`` table, walking up from ``start``."""
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        try:
            if not candidate.is_file():
                continue
            raw = candidate.read_bytes()
        except OSError:
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            if b"tool.initlint" in raw:  # ours, but unreadable: say so rather than run with defaults
                raise ConfigError(f"{candidate}: not UTF-8 ({error.reason} at byte {error.start})") from error
            continue  # someone else's file: not ours to judge
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            if "tool.initlint" in text:  # ours, but broken: say so rather than run with defaults
                raise ConfigError(f"{candidate}: not valid TOML: {error}") from error
            continue
        tool = data.get("tool")
        if isinstance(tool, dict) and "initlint" in tool:
            return candidate
    return None


def load_settings(config: str | None = None, cwd: Path | None = None) -> Settings:
    """Settings from ``--config PATH`` or the nearest pyproject.toml (defaults when there is none)."""
    if config is not None:
        path = Path(config)
        if not path.is_file():
            raise ConfigError(f"{config}: no such configuration file")
    else:
        found = find_config((cwd or Path.cwd()).resolve())
        if found is None:
            return Settings()
        path = found
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from error
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 ({error.reason} at byte {error.start})") from error
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from error
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: `tool` must be a table")
    table = tool.get("initlint", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.initlint] must be a table")
    return settings_from_table(table, str(path), str(path.parent))


def settings_from_table(table: dict[str, Any], source: str, root: str) -> Settings:
    for key in table:
        if key not in KNOWN_KEYS:
            raise ConfigError(f"{source}: unknown key `{key}` in [tool.initlint] (known: {', '.join(KNOWN_KEYS)})")
    values: dict[str, Any] = {"source": source, "root": root}
    for key in ("select", "ignore", "extend-select"):
        if key in table:
            values[key.replace("-", "_")] = codes_list(table[key], f"{source}: `{key}`")
    for key in ("include", "extend-include", "exclude", "extend-exclude", "src"):
        if key in table:
            values[key.replace("-", "_")] = _strings(table[key], f"{source}: `{key}`")
    if "per-file-ignores" in table:
        raw = table["per-file-ignores"]
        if not isinstance(raw, dict):
            raise ConfigError(f"{source}: `per-file-ignores` must be a table of glob = [codes]")
        values["per_file_ignores"] = tuple(
            (str(pattern), codes_list(codes, f"{source}: `per-file-ignores` entry {pattern!r}"))
            for pattern, codes in raw.items()
        )
    for key in ("respect-gitignore", "zeroed-lstm-biases"):
        if key in table:
            if not isinstance(table[key], bool):
                raise ConfigError(f"{source}: `{key}` must be true or false")
            values[key.replace("-", "_")] = table[key]
    if "off-scale-factor" in table:
        factor = table["off-scale-factor"]
        if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not factor > 1:
            raise ConfigError(f"{source}: `off-scale-factor` must be a number greater than 1 (got {factor!r})")
        values["off_scale_factor"] = float(factor)
    if "deep-default-depth" in table:
        depth = table["deep-default-depth"]
        if isinstance(depth, bool) or not isinstance(depth, int) or depth < 2:
            raise ConfigError(f"{source}: `deep-default-depth` must be an integer of at least 2 (got {depth!r})")
        values["deep_default_depth"] = depth
    return Settings(**values)


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of strings")
    return tuple(value)


def codes_list(value: Any, where: str) -> tuple[str, ...]:
    codes = tuple(c.strip().upper() for c in _strings(value, where))
    for code in codes:
        if not known_prefix(code):
            raise ConfigError(f"{where}: unknown rule code or prefix {code!r} (see `initlint rules`)")
    return codes


def with_overrides(settings: Settings, **overrides: Any) -> Settings:
    """Command-line flags win over the file."""
    return replace(settings, **{k: v for k, v in overrides.items() if v is not None})
