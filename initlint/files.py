"""Finding the files to check, reading them without blocking or following links out of the tree, and
writing them back without losing a byte."""

from __future__ import annotations

import contextlib
import io
import os
import re
import secrets
import signal
import stat
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from initlint.config import Settings
from initlint.gitignore import git_ignored

# A Python file larger than this is not read (a generated file or a device posing as one).
MAX_BYTES = 8 * 1024 * 1024
# Our temporary files: ``.NAME.<pid>.<random>.initlint-tmp`` beside the file being written.
TEMP_SUFFIX = ".initlint-tmp"
_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.[A-Za-z0-9_]+\.initlint-(?P<kind>tmp|journal)$")


class UnreadableFile(OSError):
    """A path that is not read, and why (a FIFO, a device, a link out of the tree, too large)."""


class WriteError(OSError):
    """A file that was not written, and why; its old content is intact."""


@dataclass
class FileSet:
    """What ``find_files`` found: the files to check, and paths that cannot be checked with the reason."""

    files: list[Path] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)


def discover(paths: Iterable[str], settings: Settings | None = None) -> Iterator[Path]:
    """The Python files under the given paths (see ``find_files``)."""
    yield from find_files(paths, settings).files


def find_files(paths: Iterable[str], settings: Settings | None = None) -> FileSet:
    """Python files and notebooks (``include``) under the given paths, minus ``exclude``/``extend-exclude`` and git-ignored ones.

    A file named explicitly is always checked unless ``force_exclude`` is set (pre-commit names files).
    Excludes match below a named directory, never its parents. Symbolic links are followed only to files
    inside a named directory (or, for a file named explicitly, the current directory); a link out of them,
    a link loop or a directory that cannot be listed is a problem of that path, not of the run. Stale
    temporary files of an interrupted write are cleaned up on the way."""
    settings = settings or Settings()
    out = FileSet()
    seen: set[Path] = set()
    groups: list[tuple[Path, list[Path]]] = []  # (where git runs, files) per named directory
    named: list[Path] = []
    cleaned: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        group: list[Path] = []
        if _is_dir(path):
            allowed = _real(path)
            for root, dirs, names in os.walk(path, onerror=lambda error: _unlisted(out, error)):
                base = Path(root)
                dirs[:] = sorted(d for d in dirs if not settings.excluded(str(base / d), below=str(path))
                                 and not _is_virtualenv(base / d))
                clean_stale_temporaries(base, names)
                for name in sorted(names):
                    candidate = base / name
                    if not settings.included(str(candidate)) or candidate in seen \
                            or settings.excluded(str(candidate), below=str(path)):
                        continue
                    seen.add(candidate)
                    why = _link_problem(candidate, [allowed])
                    if why:
                        out.problems[str(candidate)] = why
                    else:
                        group.append(candidate)
            groups.append((path, group))
        elif path not in seen:
            if settings.force_exclude and settings.excluded(str(path)):
                continue
            seen.add(path)
            if path.parent not in cleaned:
                cleaned.add(path.parent)
                clean_stale_temporaries(path.parent)
            why = _link_problem(path, [_real(Path.cwd())])
            if why:
                out.problems[str(path)] = why
            else:
                named.append(path)
    by_directory: dict[Path, list[Path]] = {}
    for path in named:  # files named one by one: one git call per directory (its repository answers)
        by_directory.setdefault(path.parent, []).append(path)
    groups += by_directory.items()
    for where, files in groups:
        ignored = git_ignored(files, where) if settings.respect_gitignore and files else set()
        out.files.extend(p for p in files if p not in ignored)
    return out


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _unlisted(out: FileSet, error: OSError) -> None:
    where = error.filename if isinstance(error.filename, str) else str(error.filename)
    out.problems[where] = f"cannot list the directory: {error.strerror or error}"


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _link_problem(path: Path, allowed: list[Path]) -> str | None:
    """Why a symbolic link is not followed (it leads out of the checked paths, or loops); None for a plain
    file or a link inside them."""
    try:
        if not path.is_symlink():
            return None
        target = Path(os.path.realpath(path, strict=True))
    except (OSError, RuntimeError) as error:
        return f"a symbolic link that cannot be followed ({getattr(error, 'strerror', None) or error}): not read"
    if any(target == root or root in target.parents for root in allowed):
        return None
    return "a symbolic link to a file outside the checked paths: not read (name the target to check it)"


def _is_virtualenv(directory: Path) -> bool:
    try:
        return (directory / "pyvenv.cfg").is_file()
    except OSError:
        return False


def read_source(path: str | Path) -> bytes:
    """A file's bytes, read only if it is a regular file no larger than ``MAX_BYTES``: a FIFO or a device
    named ``x.py`` is never opened for a blocking read nor read without end. Raises OSError (with the
    reason as ``strerror``)."""
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise UnreadableFile(0, "not a regular file (a FIFO, a device or a socket): not read")
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):  # replaced since the stat above
            raise UnreadableFile(0, "not a regular file (a FIFO, a device or a socket): not read")
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_BYTES:
            chunk = os.read(descriptor, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(descriptor)
    if size > MAX_BYTES:
        raise UnreadableFile(0, f"larger than {MAX_BYTES // (1024 * 1024)} MiB: not read")
    return b"".join(chunks)


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    bom: bool
    data: bytes = b""  # the bytes it came from (a write checks the file still holds them)


def decode(data: bytes) -> Decoded:
    """Decode source bytes the way Python does (BOM, then a coding cookie, then UTF-8)."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    bom = data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig" if encoding == "utf-8-sig" else encoding)
    return Decoded(text, "utf-8" if encoding == "utf-8-sig" else encoding, bom, data)


def encode(text: str, original: Decoded) -> bytes:
    """Encode text back the way the file was: its encoding and its BOM (line endings live in the text)."""
    data = text.encode(original.encoding)
    return (b"\xef\xbb\xbf" + data) if original.bom else data


def round_trips(original: Decoded) -> bool:
    """Whether the file's own encoding gives its bytes back from its text: a codec that does not (such as
    ``unicode_escape``, which turns an escaped newline into a real one) cannot be rewritten safely."""
    try:
        return encode(original.text, original) == original.data
    except (UnicodeError, LookupError):
        return False


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP wait until the write is complete (or undone), then act as usual."""
    deferred = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, deferred)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def write_atomic(path: Path, data: bytes, expected: bytes | None = None) -> None:
    """Replace a file's content all at once, keeping what makes it the same file.

    The real file behind a symbolic link is written. When ``expected`` is given and the file no longer
    holds those bytes (edited while we worked), nothing is written. Normally a temporary file in the same
    directory (same mode and owner) is renamed over it, so a crash leaves the old file or the new one; a
    file with hard links, or whose owner we cannot give a new file, is rewritten in place behind a journal
    that the next run completes. Signals wait until the write is done. Raises WriteError; the old content
    is then intact."""
    real = _real(path)
    with _signals_deferred():
        try:
            info = os.stat(real)
            if expected is not None and _read_all(real) != expected:
                raise WriteError(0, "the file changed while initlint was working on it: not overwritten")
            temporary = _temporary(real, "tmp")
            try:
                with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as stream:
                    stream.write(data)
                    stream.flush()
                    os.fsync(stream.fileno())
                    os.fchmod(stream.fileno(), stat.S_IMODE(info.st_mode))
                    in_place = info.st_nlink > 1 or not _give_owner(stream.fileno(), info)
                if in_place:
                    _write_in_place(real, temporary, data)
                else:
                    os.replace(temporary, real)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
        except WriteError:
            raise
        except OSError as error:
            raise WriteError(error.errno or 0, f"cannot write it ({error.strerror or error}): not changed") from error


def _read_all(path: Path) -> bytes:
    with open(path, "rb") as stream:
        return stream.read()


def _temporary(real: Path, kind: str) -> Path:
    token = secrets.token_hex(6)
    return real.parent / f".{real.name}.{os.getpid()}.{token}.initlint-{kind}"


def _give_owner(descriptor: int, info: os.stat_result) -> bool:
    """Give the new file the old one's owner and group; False when we may not (then we write in place)."""
    if (info.st_uid, info.st_gid) == (os.geteuid(), os.getegid()):
        return True
    try:
        os.fchown(descriptor, info.st_uid, info.st_gid)
    except OSError:
        return False
    return True


def _write_in_place(real: Path, journal_source: Path, data: bytes) -> None:
    """Rewrite a file's bytes in place (its inode, links and owner stay). The new content waits beside it as
    a journal until the file holds it, so an interrupted write is completed by the next run."""
    journal = journal_source.with_name(journal_source.name.removesuffix(".initlint-tmp") + ".initlint-journal")
    os.replace(journal_source, journal)
    descriptor = os.open(real, os.O_WRONLY)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view):]
        os.ftruncate(descriptor, len(data))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    os.unlink(journal)


def clean_stale_temporaries(directory: Path, names: Iterable[str] | None = None) -> None:
    """Remove our temporary files left by a process that no longer runs (SIGKILL, a power cut), and
    complete an in-place write its journal shows was cut short."""
    if names is None:
        try:
            names = os.listdir(directory)
        except OSError:
            return
    for name in names:
        match = _TEMP.match(name)
        if match is None or _alive(int(match["pid"])):
            continue
        leftover = directory / name
        with contextlib.suppress(OSError):
            if match["kind"] == "journal":
                _complete(directory / match["name"], leftover)
            os.unlink(leftover)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, as another user's process
    return True


def _complete(target: Path, journal: Path) -> None:
    """An in-place write cut between writing the new bytes and cutting the old tail: cut the tail."""
    new = _read_all(journal)
    with open(target, "r+b") as stream:
        current = stream.read()
        if current != new and current.startswith(new):
            stream.truncate(len(new))
            stream.flush()
            os.fsync(stream.fileno())
