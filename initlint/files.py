"""Finding the files to check and reading them without losing anything."""

from __future__ import annotations

import contextlib
import io
import os
import stat
import subprocess
import tempfile
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from initlint.config import Settings


def discover(paths: Iterable[str], settings: Settings | None = None) -> Iterator[Path]:
    """Python files and notebooks (``include``) under the given paths, minus ``exclude``/``extend-exclude`` and git-ignored ones.

    A file named explicitly is always checked unless ``force_exclude`` is set (pre-commit names files)."""
    settings = settings or Settings()
    seen: set[Path] = set()
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not settings.excluded(str(Path(root) / d))
                                 and not _is_virtualenv(Path(root) / d))
                for name in sorted(files):
                    candidate = Path(root) / name
                    if settings.included(str(candidate)) and candidate not in seen \
                            and not settings.excluded(str(candidate)):
                        seen.add(candidate)
                        found.append(candidate)
        elif path not in seen:
            if settings.force_exclude and settings.excluded(str(path)):
                continue
            seen.add(path)
            found.append(path)
    if settings.respect_gitignore and found:
        ignored = _git_ignored(found)
        found = [p for p in found if p not in ignored]
    yield from found


def _git_ignored(paths: list[Path]) -> set[Path]:
    """Paths git would ignore (``git check-ignore``); nothing when git or a repository is not there."""
    try:
        result = subprocess.run(
            ["git", "check-ignore", "--stdin", "-z"],
            input="\0".join(str(p) for p in paths) + "\0",
            capture_output=True, text=True, timeout=60, cwd=Path.cwd(), check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return set()
    if result.returncode not in (0, 1):
        return set()
    return {Path(p) for p in result.stdout.split("\0") if p}


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


def encode(text: str, original: Decoded) -> bytes:
    """Encode text back the way the file was: its encoding and its BOM (line endings live in the text)."""
    data = text.encode(original.encoding)
    return (b"\xef\xbb\xbf" + data) if original.bom else data


def write_atomic(path: Path, data: bytes) -> None:
    """Replace a file's bytes all at once: a temporary file in the same directory, then a rename, keeping
    the file's mode. A crash leaves either the old file or the new one, never half of either."""
    mode = stat.S_IMODE(path.stat().st_mode)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".initlint-tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
