"""Finding the files to check and reading them without losing anything."""

from __future__ import annotations

import io
import os
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

DEFAULT_EXCLUDES = frozenset(
    {
        ".git", ".hg", ".svn", ".venv", "venv", ".env", "env", "build", "dist", "__pycache__", "node_modules",
        ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", "site-packages", ".eggs",
        ".initlint_cache",
    }
)


def discover(paths: Iterable[str]) -> Iterator[Path]:
    """Python files under the given paths; a file named explicitly is always checked."""
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in DEFAULT_EXCLUDES and not d.endswith(".egg-info")
                                 and not _is_virtualenv(Path(root) / d))
                for name in sorted(files):
                    if name.endswith((".py", ".pyi")):
                        found = Path(root) / name
                        if found not in seen:
                            seen.add(found)
                            yield found
        elif path not in seen:
            seen.add(path)
            yield path


def _is_virtualenv(directory: Path) -> bool:
    return (directory / "pyvenv.cfg").is_file()


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    bom: bool


def decode(data: bytes) -> Decoded:
    """Decode source bytes the way Python does (BOM, then a coding cookie, then UTF-8)."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    bom = data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig" if encoding == "utf-8-sig" else encoding)
    return Decoded(text, "utf-8" if encoding == "utf-8-sig" else encoding, bom)
