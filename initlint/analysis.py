"""One source text: parse it, build its picture, run the checks, apply the fixes.

No files and no processes here (engine.py reads files and runs them on both cores, notebook.py
maps cells); the analysis runs on one deep-stack thread (deep_call)."""

from __future__ import annotations

import ast
import bisect
import difflib
import os
import sys
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from initlint.checks import run_checks
from initlint.config import Settings
from initlint.files import decode
from initlint.findings import Finding, internal_error, short_title, with_source_lines
from initlint.fix import MAX_ROUNDS, apply_edits
from initlint.lines import line_starts, split_lines
from initlint.picture.build import PictureBuilder
from initlint.picture.linking import Linked
from initlint.picture.model import Locator, Picture
from initlint.python2 import message as python2_message
from initlint.python2 import python2_syntax
from initlint.registry import RULES, rule_severity
from initlint.suppressions import apply_suppressions, skips_file

T = TypeVar("T")


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
    return picture_from(source, module, locator)


def picture_from(source: str, module: cst.Module, locator: Locator, linked: Linked | None = None,
                 syntax_memo: dict[tuple[str, int], Any] | None = None) -> Picture:
    """The picture of a parsed file (with the definitions it takes in from other files, if any;
    ``syntax_memo``: facts about syntax shared by the pictures of files parsed together)."""
    picture = PictureBuilder(module, locator, linked, syntax_memo).build()
    picture.source = source
    picture.locator = locator
    picture.module = module
    return picture


def check_source(source: str | bytes, filename: str = "<string>", settings: Settings | None = None,
                 parser: Parser = parse) -> list[Finding]:
    """All findings for one file's contents (``parser``: the editor's server re-parses only what changed):
    findings, IL001 when Python itself cannot parse it, IL000 when our analysis failed (never raises)."""
    settings = settings or Settings()
    text, early = prepared(source, filename, settings)
    if text is None:
        return early
    checked, problems = guarded(text, filename, settings, lambda: _analyse(text, filename, settings, parser))
    if checked is None:
        return problems
    return finished(checked, text, filename, settings)


def prepared(source: str | bytes, filename: str, settings: Settings,
             in_project: bool = False) -> tuple[str | None, list[Finding]]:
    """The text to analyse, or None and what to report instead (it does not decode, is skipped, does not
    parse, or never mentions torch and is not ``in_project``: importing or imported by a checked file)."""
    if isinstance(source, bytes):
        try:
            source = decode(source).text
        except (UnicodeDecodeError, SyntaxError, LookupError) as error:
            return None, _filter([_unreadable(filename, f"cannot decode the file: {error}")], settings)
    if skips_file(source):
        return None, []
    # CPython decides what parses (its limits too): libcst accepts some files CPython refuses and crashes
    # on some of those, so it only ever sees what compiles. CPython's parser is ~10x cheaper than libcst's.
    problem = python_syntax_error(source, filename)
    if problem is not None:
        return None, as_reported(_filter([problem], settings), source)
    if "torch" not in source and not in_project:
        return None, []  # nothing here can name a torch layer or init
    return source, []


def guarded(source: str, filename: str, settings: Settings, work: Callable[[], T]) -> tuple[T | None, list[Finding]]:
    """``work()`` on the deep-stack thread, or None and the IL001/IL000 finding that says why it failed."""
    try:
        return deep_call(work), []
    except cst.ParserSyntaxError as error:
        message = str(error).splitlines()[0] if str(error) else "syntax error"
        return None, _filter([_unparsable(source, filename, f"cannot parse the file: {message}", error.raw_line,
                                          error.raw_column + 1)], settings)
    except RecursionError:
        # Python compiles it, but following it needs more than _DEEP_LIMIT frames (a recursion the analysis
        # has no budget for yet): a limit of ours, said as such, never silence.
        return None, _filter([_unreadable(filename, "cannot analyse the file: its nesting or recursion goes deeper "
                                          f"than initlint follows ({_DEEP_LIMIT} frames)")], settings)
    except Exception as error:  # noqa: BLE001 - a bug of ours must not hide the other files' findings
        return None, [internal_error(filename, "analysing this file", error)]


def finished(checked: list[Finding], source: str, filename: str, settings: Settings) -> list[Finding]:
    """The file's findings as reported: enabled rules only, suppressions applied (IL002 for unused ones)."""
    findings = _filter(checked, settings)
    enabled = {code for code in RULES if settings.enabled(code, filename)}
    findings = apply_suppressions(findings, source, filename, enabled=enabled)
    return sorted(as_reported(_filter(findings, settings), source), key=Finding.sort_key)


def as_reported(findings: list[Finding], source: str) -> list[Finding]:
    """Each finding with its rule's severity and the source lines its spans point at (for the carets)."""
    lines = split_lines(source)
    return [with_source_lines(f if f.severity == "internal" else replace(f, severity=rule_severity(f.code)), lines)
            for f in findings]


def _analyse(source: str, filename: str, settings: Settings, parser: Parser = parse) -> list[Finding]:
    return run_checks(picture_of(source, parser), filename, settings)


def python_syntax_error(source: str, filename: str) -> Finding | None:
    """IL001 at the place CPython reports, when CPython cannot compile the text (None when it can)."""
    try:
        compile(source, filename, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as error:
        row, column = error.lineno or 1, error.offset or 1
        if error.lineno is None and "\0" in source:  # CPython names no place for a NUL byte: find it
            row, column = _position_of(source, "\0")
        end_row, end_column = getattr(error, "end_lineno", None) or row, getattr(error, "end_offset", None) or column
        end_row, end_column = max((end_row, end_column), (row, column))
        return _unparsable(source, filename, f"cannot parse the file: {error.msg}", row, column, end_row, end_column)
    except ValueError as error:  # a NUL byte
        row, column = _position_of(source, "\0")
        return _unreadable(filename, f"cannot parse the file: {error}", row, column)
    except (RecursionError, MemoryError):
        return _unreadable(filename, "cannot parse the file: nested too deeply for Python's own parser")
    return None


def _position_of(source: str, char: str) -> tuple[int, int]:
    index = source.find(char)
    if index < 0:
        return 1, 1
    starts = line_starts(source)
    row = bisect.bisect_right(starts, index)
    return row, index - starts[row - 1] + 1


# Deeply nested expressions that CPython accepts (a 2,000-term sum) need more Python frames than the
# default limit: the analysis runs on one long-lived thread with a large stack and a higher limit.
_DEEP_STACK = 256 * 1024 * 1024
_DEEP_LIMIT = 8_000
_deep_worker: ThreadPoolExecutor | None = None
_deep_pid = 0  # the process that started the thread: a forked pool worker has no thread, only the object
_deep_lock = threading.Lock()


def _forget_deep_worker() -> None:
    global _deep_worker, _deep_lock
    _deep_worker, _deep_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_deep_worker)


def deep_call(work: Callable[[], T]) -> T:
    """``work()`` on the deep-stack thread; its exception is raised here."""
    global _deep_worker, _deep_pid
    with _deep_lock:
        if _deep_worker is None or _deep_pid != os.getpid():
            _deep_pid = os.getpid()
            old_size = threading.stack_size(_DEEP_STACK)
            try:
                _deep_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="initlint-analysis")
                _deep_worker.submit(lambda: None).result()  # the thread starts now, with the large stack
            finally:
                threading.stack_size(old_size)
        old_limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(old_limit, _DEEP_LIMIT))
        try:
            return _deep_worker.submit(work).result()
        finally:
            sys.setrecursionlimit(old_limit)


UNREADABLE_HELP = "fix what is reported here (or exclude the file with `extend-exclude`), then check it again"
PYTHON2_HELP = "port the file to Python 3 (initlint reads Python 3 code), then check it again"


def _unreadable(filename: str, message: str, row: int = 1, column: int = 1, end_row: int | None = None,
                end_column: int | None = None, help: str = UNREADABLE_HELP) -> Finding:
    return Finding("IL001", message, filename, row, column, end_row or row, end_column or column,
                   no_fix="the file could not be read or parsed, so there is nothing to rewrite",
                   title=short_title(message), help=help)


def _unparsable(source: str, filename: str, message: str, row: int, column: int, end_row: int | None = None,
                end_column: int | None = None) -> Finding:
    """A parse error, told as Python 2 syntax when that is what stopped the parser (at its line)."""
    found = python2_syntax(source, filename)
    if found is not None:
        construct, line = found
        return _unreadable(filename, python2_message(construct, line), line, 1, help=PYTHON2_HELP)
    return _unreadable(filename, message, row, column, end_row, end_column)


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
    failed: set[tuple[str, str, str]] = set()  # finding-and-fix kinds (``_key``) that did not work: never again
    for _ in range(MAX_ROUNDS):
        offered = [f for f in findings if f.fix is None or _key(f) not in failed]
        candidate, applied = apply_edits(source, offered, unsafe)
        if not applied or candidate == source:
            break
        keys = {_key(f) for f in applied if f.fix is not None}
        if not _parses(candidate, filename):
            # Retry without the fixes that break the code on their own (or, if only their mix does, all but one).
            broken = {_key(f) for f in applied
                      if f.fix is not None and not _parses(apply_edits(source, [f], unsafe)[0], filename)}
            failed |= broken or set(sorted(keys)[1:]) or keys
            continue
        after = check_source(candidate, filename, settings)
        back = _came_back(findings, applied, after)
        # A kind that seems back may only have met a new finding of its kind made by another fix of the round
        # (a rewrite that keeps the old call in an ``else``): applied alone, its fixes do go away.
        back = {key for key in back if not _works_alone(key, source, findings, applied, filename, settings, unsafe)}
        if back:
            failed |= back
            continue  # those fixes changed nothing their findings see: drop the round, retry without them
        source, findings = candidate, after
        codes += [f.code for f in applied]
    return source, codes, findings


def _works_alone(key: tuple[str, str, str], source: str, findings: list[Finding], applied: list[Finding],
                 filename: str, settings: Settings, unsafe: bool) -> bool:
    mine = [f for f in applied if f.fix is not None and _key(f) == key]
    candidate, done = apply_edits(source, mine, unsafe)
    if not done or candidate == source or not _parses(candidate, filename):
        return False
    return not _came_back(findings, done, check_source(candidate, filename, settings))


def _came_back(before: list[Finding], applied: list[Finding], after: list[Finding]) -> set[tuple[str, str, str]]:
    """The kinds of fix (``_key``) whose findings did not go away: as many fixable findings of that kind
    after the round as before it, less those fixed. Counted, since one call written three times in a file
    (``init.xavier_normal(m.weight.data)``) gives three findings of one kind, each fixed in its own place."""
    def count(found: list[Finding]) -> Counter[tuple[str, str, str]]:
        return Counter(_key(f) for f in found if f.fix is not None)

    was, fixed, now = count(before), count(applied), count(after)
    return {key for key in fixed if now[key] > was[key] - fixed[key]}


def _key(finding: Finding) -> tuple[str, str, str]:
    """A finding and its fix, told apart from the others of the file by its fingerprint (rule, site,
    target): never by its position or message, which other fixes shift (a message names line numbers)."""
    assert finding.fix is not None
    if finding.fingerprint is not None:
        return finding.code, finding.fingerprint, ""
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
    problem: str | None = None  # why the fixed text was not written (the file is as it was)


def unified_diff(path: str, old: str, new: str) -> str:
    """The change as a unified diff ``patch`` applies: the parser's lines, and ``\\ No newline at end of
    file`` after a last line without one."""
    out: list[str] = []
    for line in difflib.unified_diff(split_lines(old), split_lines(new), fromfile=path, tofile=path):
        out.append(line)
        if not line.endswith(("\n", "\r")):
            out.append("\n\\ No newline at end of file\n")
    return "".join(out)


