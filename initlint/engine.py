"""file -> picture -> checks -> findings, for one source or many paths (on both cores)."""

from __future__ import annotations

import ast
import difflib
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from initlint.checks import run_checks
from initlint.checks.never_called import cross_file
from initlint.config import Settings, load_settings
from initlint.files import decode, discover, encode, write_atomic
from initlint.findings import Finding
from initlint.fix import MAX_ROUNDS, apply_edits
from initlint.picture.build import PictureBuilder
from initlint.picture.model import Locator, Picture
from initlint.python2 import message as python2_message
from initlint.python2 import python2_syntax
from initlint.registry import RULES
from initlint.suppressions import apply_suppressions, skips_file

# Below this many files a process pool costs more than it saves.
POOL_THRESHOLD = 24


def parse(source: str) -> tuple[cst.Module, Locator]:
    """One parse; positions are computed later, only if a finding needs them."""
    module = cst.parse_module(source)

    def positions() -> Mapping[cst.CSTNode, CodeRange]:
        return MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)

    return module, Locator(positions)


Parser = Callable[[str], tuple[cst.Module, Locator]]


def picture_of(source: str, parser: Parser = parse) -> Picture:
    """The static picture of one source text (raises libcst's ParserSyntaxError on bad syntax)."""
    module, locator = parser(source)
    picture = PictureBuilder(module, locator).build()
    picture.source = source
    picture.locator = locator
    picture.module = module
    return picture


def check_source(source: str | bytes, filename: str = "<string>", settings: Settings | None = None,
                 parser: Parser = parse) -> list[Finding]:
    """All findings for one file's contents (``parser``: the editor's server re-parses only what changed)."""
    settings = settings or Settings()
    if isinstance(source, bytes):
        try:
            source = decode(source).text
        except (UnicodeDecodeError, SyntaxError, LookupError) as error:
            return _filter([_unreadable(filename, f"cannot decode the file: {error}")], settings)
    if skips_file(source):
        return []
    if "torch" not in source:
        # Nothing here can name a torch layer or init: skip the libcst parse, but still say if the file is
        # broken (CPython's own parser is an order of magnitude cheaper).
        try:
            compile(source, filename, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
        except SyntaxError as error:
            row, column = error.lineno or 1, error.offset or 1
            return _filter([_unparsable(source, filename, f"cannot parse the file: {error.msg}", row, column)],
                           settings)
        except (ValueError, RecursionError, MemoryError) as error:
            return _filter([_unreadable(filename, f"cannot parse the file: {error}")], settings)
        return []
    try:
        picture = picture_of(source, parser)
        checked = run_checks(picture, filename, settings)
    except cst.ParserSyntaxError as error:
        message = str(error).splitlines()[0] if str(error) else "syntax error"
        return _filter([_unparsable(source, filename, f"cannot parse the file: {message}", error.raw_line,
                                    error.raw_column + 1)], settings)
    except RecursionError:
        return _filter([_unreadable(filename, "cannot parse the file: nesting too deep")], settings)
    except Exception as error:  # noqa: BLE001 - a bug of ours must not hide the other files' findings
        return [Finding("IL001", f"internal error while analysing this file ({type(error).__name__}: {error}); "
                        "please report it", filename, 1, 1, 1, 1, severity="internal",
                        no_fix="the analysis stopped on an internal error")]
    findings = _filter(checked, settings)
    enabled = {code for code in RULES if settings.enabled(code, filename)}
    findings = apply_suppressions(findings, source, filename, enabled=enabled)
    return sorted(_filter(findings, settings), key=Finding.sort_key)


def check_file(path: str, settings: Settings) -> list[Finding]:
    if path.endswith(".ipynb"):
        from initlint.notebook import check_notebook_file  # a notebook is JSON around the cells' Python
        return check_notebook_file(path, settings)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        return _filter([_unreadable(path, f"cannot read the file: {error.strerror or error}")], settings)
    return check_source(data, path, settings)


def _check_file_plain(args: tuple[str, dict[str, object]]) -> list[dict[str, object]]:
    path, settings = args
    return [f.as_plain() for f in check_file(path, Settings.from_plain(settings))]


def check_paths(paths: Sequence[str], settings: Settings | None = None, jobs: int | None = None,
                config: str | None = None) -> tuple[list[Finding], int]:
    """Findings for every Python file under ``paths`` and the number of files checked.

    Without ``settings``, they are read like the CLI reads them: ``config`` (a pyproject.toml) or the
    nearest pyproject.toml with a ``[tool.initlint]`` table (raises ConfigError when it is invalid)."""
    settings = settings or load_settings(config)
    files = [str(p) for p in discover(paths, settings)]
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    findings: list[Finding] = []
    if jobs > 1 and len(files) >= POOL_THRESHOLD:
        plain = settings.to_plain()
        with ProcessPoolExecutor(max_workers=min(jobs, 8)) as pool:
            chunks = max(1, len(files) // (jobs * 8))
            for result in pool.map(_check_file_plain, [(f, plain) for f in files], chunksize=chunks):
                findings.extend(Finding.from_plain(d) for d in result)
    else:
        for path in files:
            findings.extend(check_file(path, settings))
    findings = cross_file(findings, files)  # IL503 is judged over every file checked together
    return sorted(findings, key=Finding.sort_key), len(files)


def _unreadable(filename: str, message: str, row: int = 1, column: int = 1) -> Finding:
    return Finding("IL001", message, filename, row, column, row, column,
                   no_fix="the file could not be read or parsed, so there is nothing to rewrite")


def _unparsable(source: str, filename: str, message: str, row: int, column: int) -> Finding:
    """A parse error, told as Python 2 syntax when that is what stopped the parser (at its line)."""
    found = python2_syntax(source, filename)
    if found is not None:
        construct, line = found
        return _unreadable(filename, python2_message(construct, line), line, 1)
    return _unreadable(filename, message, row, column)


def _filter(findings: list[Finding], settings: Settings) -> list[Finding]:
    return [f for f in findings if settings.enabled(f.code, f.filename)]


def fix_source(source: str, filename: str, settings: Settings, unsafe: bool = False) -> tuple[str, int, list[Finding]]:
    """Apply fixes round after round (re-checking each result) until none applies: the fixed text, how many
    fixes went in, and the findings left. A round whose result does not parse is dropped."""
    text, codes, findings = fix_source_codes(source, filename, settings, unsafe)
    return text, len(codes), findings


def fix_source_codes(source: str, filename: str, settings: Settings,
                     unsafe: bool = False) -> tuple[str, list[str], list[Finding]]:
    """``fix_source``, with the rule code of every fix that went in (for ``--show-fixes``)."""
    codes: list[str] = []
    findings = check_source(source, filename, settings)
    tried: set[tuple[str, str, str]] = set()  # every finding-and-fix applied so far (``_key``)
    for _ in range(MAX_ROUNDS):
        # A fix whose finding comes back the same after it went in did not work: never apply it twice.
        offered = [f for f in findings if f.fix is None or _key(f) not in tried]
        candidate, applied = apply_edits(source, offered, unsafe)
        if not applied or candidate == source:
            break
        keys = {_key(f) for f in applied if f.fix is not None}
        if not _parses(candidate, filename):
            # Retry without the fixes that break the code on their own (or, if only their mix does, all but one).
            broken = {_key(f) for f in applied
                      if f.fix is not None and not _parses(apply_edits(source, [f], unsafe)[0], filename)}
            tried |= broken or set(sorted(keys)[1:]) or keys
            continue
        after = check_source(candidate, filename, settings)
        back = keys & {_key(f) for f in after if f.fix is not None}
        if back:
            tried |= back
            continue  # those fixes changed nothing their findings see: drop the round, retry without them
        tried |= keys
        source, findings = candidate, after
        codes += [f.code for f in applied]
    return source, codes, findings


def _key(finding: Finding) -> tuple[str, str, str]:
    """A finding and its fix, told apart from the others of the file (two stacks may get the same fix
    message) without its position, which the other fixes shift."""
    assert finding.fix is not None
    return finding.code, finding.message, finding.fix["message"]


def _parses(text: str, filename: str) -> bool:
    try:
        compile(text, filename, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


@dataclass
class FileFix:
    path: str
    fixed: int
    findings: list[Finding]
    diff: str
    codes: list[str] = field(default_factory=list)  # the rule of every fix that went in


def fix_paths(paths: Sequence[str], settings: Settings, unsafe: bool, write: bool,
              jobs: int | None = None) -> tuple[list[FileFix], int]:
    """Fix every file under ``paths``; write atomically (keeping encoding, BOM, line endings and mode) when
    ``write``, else only compute the unified diff. Files are independent, so a process pool fixes them."""
    files = [str(p) for p in discover(paths, settings)]
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    if jobs > 1 and len(files) >= POOL_THRESHOLD:
        plain = settings.to_plain()
        with ProcessPoolExecutor(max_workers=min(jobs, 8)) as pool:
            chunks = max(1, len(files) // (jobs * 8))
            results = [FileFix(path, len(codes), [Finding.from_plain(d) for d in found], diff, codes)
                       for path, codes, found, diff in pool.map(
                           _fix_file_plain, [(f, plain, unsafe, write) for f in files], chunksize=chunks)]
    else:
        results = [fix_file(path, settings, unsafe, write) for path in files]
    return results, len(files)


def fix_file(path: str, settings: Settings, unsafe: bool, write: bool) -> FileFix:
    if path.endswith(".ipynb"):
        from initlint.notebook import fix_notebook  # fixes go back into the cells, outputs kept
        return fix_notebook(path, settings, unsafe, write)
    try:
        original = decode(Path(path).read_bytes())
    except (OSError, UnicodeDecodeError, SyntaxError, LookupError):
        return FileFix(path, 0, check_file(path, settings), "")  # reported as IL001
    new_text, codes, findings = fix_source_codes(original.text, path, settings, unsafe)
    diff = ""
    if codes:
        diff = "".join(difflib.unified_diff(
            original.text.splitlines(keepends=True), new_text.splitlines(keepends=True),
            fromfile=path, tofile=path))
        if write:
            write_atomic(Path(path), encode(new_text, original))
    return FileFix(path, len(codes), findings, diff, codes)


def _fix_file_plain(args: tuple[str, dict[str, object], bool, bool]) -> tuple[str, list[str], list[dict[str, object]], str]:
    path, settings, unsafe, write = args
    result = fix_file(path, Settings.from_plain(settings), unsafe, write)
    return result.path, result.codes, [f.as_plain() for f in result.findings], result.diff
