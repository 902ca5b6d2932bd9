"""file -> picture -> checks -> findings, for one source or many paths (on both cores)."""

from __future__ import annotations

import ast
import bisect
import difflib
import os
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from initlint.checks import run_checks
from initlint.checks.never_called import cross_file
from initlint.config import Settings, load_settings
from initlint.files import WriteError, decode, encode, find_files, read_source, round_trips, write_atomic
from initlint.findings import Finding, internal_error, with_source_lines
from initlint.fix import MAX_ROUNDS, apply_edits
from initlint.lines import line_starts, split_lines
from initlint.picture.build import PictureBuilder
from initlint.picture.linking import Linked, ProjectLocator, Source, link
from initlint.picture.model import Locator, Picture
from initlint.project import Tree, groups
from initlint.python2 import message as python2_message
from initlint.python2 import python2_syntax
from initlint.registry import RULES, rule_severity
from initlint.suppressions import apply_suppressions, skips_file

# Below this many files a process pool costs more than it saves.
POOL_THRESHOLD = 24
T = TypeVar("T")
A = TypeVar("A")
R = TypeVar("R")


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


def check_file(path: str, settings: Settings) -> list[Finding]:
    if path.endswith(".ipynb"):
        from initlint.notebook import check_notebook_file  # a notebook is JSON around the cells' Python
        return check_notebook_file(path, settings)
    try:
        data = read_source(path)
    except OSError as error:
        return _filter([_unreadable(path, f"cannot read the file: {error.strerror or error}")], settings)
    return check_source(data, path, settings)


def _check_file_plain(args: tuple[str, dict[str, object]]) -> list[dict[str, object]]:
    path, settings = args
    return [f.as_plain() for f in check_file(path, Settings.from_plain(settings))]


def check_group(paths: Sequence[str], settings: Settings, tree: Tree,
                keep: dict[str, Picture] | None = None) -> list[Finding]:
    """The findings of files checked together (project.py): each file is read and parsed once, here; each
    file's picture takes in the definitions it imports from the others (linking.py), and a finding lands in
    the file that holds its init call. A file's suppressions apply to every finding in it, whichever
    picture found it. A failure costs only the file whose picture failed (IL000 for it; its own picture
    without the imported definitions is still checked). ``keep`` collects each file's picture (for
    --explain)."""
    findings: list[Finding] = []
    sources: dict[str, Source] = {}
    datas: dict[str, bytes] = {}
    for path in paths:
        if path.endswith(".ipynb"):
            findings.extend(check_file(path, settings))
            continue
        try:
            datas[path] = read_source(path)
        except OSError as error:
            findings.extend(_filter([_unreadable(path, f"cannot read the file: {error.strerror or error}")], settings))
    # a file that imports another of the group, or is imported by one, is parsed even if it never names torch
    # (``train.py`` applying utils.py's init to model.py's model; a helper doing ``m.weight.data.normal_``)
    connected = tree.connected({p: d.decode("utf-8", "replace") for p, d in datas.items()}) if len(datas) > 1 \
        else set()
    for path, data in datas.items():
        text, early = prepared(data, path, settings, in_project=path in connected)
        if text is None:
            findings.extend(early)
            continue
        parsed, problems = guarded(text, path, settings, lambda: parse(text))  # noqa: B023 - run right away
        if parsed is None:
            findings.extend(problems)
            continue
        module, locator = parsed
        sources[path] = Source(path, module, locator, text)
    raw: dict[str, list[tuple[Finding, str]]] = {path: [] for path in sources}
    memo: dict[tuple[str, int], Any] = {}  # syntax facts, shared: the parsed trees live until we return
    for path, source in sources.items():
        for finding in _linked_findings(source, sources, tree, settings, memo, keep):
            raw.setdefault(finding.filename, []).append((finding, path))
    for path, source in sources.items():
        findings.extend(finished(_merged(raw[path], path), source.text, path, settings))
    return findings


def _linked_findings(source: Source, sources: dict[str, Source], tree: Tree, settings: Settings,
                     memo: dict[tuple[str, int], Any], keep: dict[str, Picture] | None = None) -> list[Finding]:
    """One file's picture with what it imports from the other files, checked; without them if that fails."""
    path, text = source.path, source.text

    def analyse(linked: Linked | None) -> list[Finding]:
        locator: Locator = source.locator
        if linked is not None and linked.statements:
            locator = ProjectLocator(source.locator, path, linked.sources)
        picture = picture_from(text, source.module, locator, linked, memo)
        if keep is not None:
            keep[path] = picture
        return run_checks(picture, path, settings)

    linked, problems = guarded(text, path, settings,
                               lambda: link(source, sources, tree.resolve) if len(sources) > 1 else None)
    if linked is not None:
        checked, problems = guarded(text, path, settings, lambda: analyse(linked))
        if checked is not None:
            return checked
    checked, own_problems = guarded(text, path, settings, lambda: analyse(None))
    if checked is None:
        return own_problems  # the file's own picture fails too: that is the error to report
    return [replace(p, message=f"{p.message} (while following its imports into the other checked files; the "
                    "file is checked without them)") for p in problems] + checked


def _merged(findings: list[tuple[Finding, str]], path: str) -> list[Finding]:
    """One file's findings from several pictures (each with the file whose picture found it): each once; at
    a call that both its own picture and another file's (which saw more: the model it is applied to) report
    under one rule, the other's."""
    by_place: dict[tuple[str, int, int], list[tuple[Finding, str]]] = {}
    for finding, seen_from in findings:
        by_place.setdefault((finding.code, finding.row, finding.column), []).append((finding, seen_from))
    out: list[Finding] = []
    for group in by_place.values():
        seen: set[str] = set()
        foreign = [f for f, seen_from in group if seen_from != path and f.code != "IL000"]
        for finding in foreign or [f for f, _ in group]:
            if finding.message not in seen:
                seen.add(finding.message)
                out.append(finding)
    return out


def _check_group_plain(args: tuple[list[str], dict[str, object], tuple[list[str], list[str]]]) -> list[dict[str, object]]:
    paths, settings, (files, src) = args
    return [f.as_plain() for f in check_group(paths, Settings.from_plain(settings), Tree(files, src))]


def check_paths(paths: Sequence[str], settings: Settings | None = None, jobs: int | None = None,
                config: str | None = None) -> tuple[list[Finding], int]:
    """Findings for every Python file under ``paths`` and the number of files checked.

    Without ``settings``, they are read like the CLI reads them: ``config`` (a pyproject.toml) or the
    nearest pyproject.toml with a ``[tool.initlint]`` table (raises ConfigError when it is invalid)."""
    settings = settings or load_settings(config)
    found = find_files(paths, settings)
    files = [str(p) for p in found.files]
    findings = _filter([_unreadable(path, f"cannot read the file: {why}") for path, why in found.problems.items()],
                       settings)
    plain = settings.to_plain()
    src = [os.path.join(settings.root, s) for s in settings.src]
    tree = Tree(files, src)
    crashed: list[str] = []

    def group_crashed(item: tuple[list[str], dict[str, object], tuple[list[str], list[str]]]) -> list[dict[str, object]]:
        crashed.extend(item[0])
        return []

    items = [(group, plain, (files, src)) for group in groups(files, file_texts(files), tree)]
    for result in map_files(_check_group_plain, items, jobs, group_crashed, count=len(files)):
        findings.extend(Finding.from_plain(d) for d in result)
    # a group whose worker died (a native crash in the parser): its files once more, each alone, so that only
    # the file that kills a worker by itself is lost (IL001), and its neighbours are checked without it
    for result in map_files(_check_file_plain, [(f, plain) for f in crashed], jobs,
                            lambda item: [_crashed(item[0]).as_plain()], isolated=True):
        findings.extend(Finding.from_plain(d) for d in result)
    findings = cross_file(findings, files)  # IL503 is judged over every file checked together
    return sorted(findings, key=Finding.sort_key), len(files) + len(found.problems)


def file_texts(files: list[str]) -> dict[str, str]:
    """The files' text for finding their imports (project.groups); a file that cannot be read is left out
    (its worker reports it)."""
    out: dict[str, str] = {}
    for path in files:
        if path.endswith((".py", ".pyi")):
            try:
                out[path] = read_source(path).decode("utf-8", "replace")
            except OSError:
                continue
    return out


def map_files(work: Callable[[A], R], items: list[A], jobs: int | None, crashed: Callable[[A], R],
              count: int | None = None, isolated: bool = False) -> list[R]:
    """``work`` over the files, on a process pool from ``POOL_THRESHOLD`` files on (``count``: the files the
    items hold, when an item is a group of files; ``isolated``: on a pool whatever their number, for items
    that killed a worker once). A worker that dies (a native crash in the parser) costs
    only its item: the items left unanswered are run again in fresh pools, halved each time one dies, and
    the item that kills a pool on its own gets ``crashed(item)``."""
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    if not items:
        return []
    if not isolated and (jobs <= 1 or (count if count is not None else len(items)) < POOL_THRESHOLD):
        return [work(item) for item in items]
    jobs = max(jobs, 1)
    results: dict[int, R] = {}
    pending = [list(range(len(items)))]
    while pending:
        batch = pending.pop()
        if not _run_pool(work, items, batch, min(jobs, 8), results):
            left = [index for index in batch if index not in results]
            if len(left) == 1:
                results[left[0]] = crashed(items[left[0]])
            elif left:
                pending += [left[: len(left) // 2], left[len(left) // 2:]]
    return [results[index] for index in range(len(items))]


def _run_pool(work: Callable[[A], R], items: list[A], batch: list[int], workers: int, results: dict[int, R]) -> bool:
    """The batch on one pool, answers into ``results``; False when a worker died."""
    with ProcessPoolExecutor(max_workers=min(workers, len(batch))) as pool:
        futures = [(index, pool.submit(work, items[index])) for index in batch]
        broken = False
        for index, future in futures:
            try:
                results[index] = future.result()
            except BrokenProcessPool:
                broken = True
    return not broken


def _crashed(path: str) -> Finding:
    return _unreadable(path, "cannot parse the file: the parser crashed on it (the other files are checked)")


def _unreadable(filename: str, message: str, row: int = 1, column: int = 1, end_row: int | None = None,
                end_column: int | None = None) -> Finding:
    return Finding("IL001", message, filename, row, column, end_row or row, end_column or column,
                   no_fix="the file could not be read or parsed, so there is nothing to rewrite")


def _unparsable(source: str, filename: str, message: str, row: int, column: int, end_row: int | None = None,
                end_column: int | None = None) -> Finding:
    """A parse error, told as Python 2 syntax when that is what stopped the parser (at its line)."""
    found = python2_syntax(source, filename)
    if found is not None:
        construct, line = found
        return _unreadable(filename, python2_message(construct, line), line, 1)
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


def fix_paths(paths: Sequence[str], settings: Settings, unsafe: bool, write: bool,
              jobs: int | None = None) -> tuple[list[FileFix], int]:
    """Fix every file under ``paths``; write atomically (keeping encoding, BOM, line endings and mode) when
    ``write``, else only compute the unified diff. Files are independent, so a process pool fixes them."""
    found = find_files(paths, settings)
    files = [str(p) for p in found.files]
    results = [FileFix(path, 0, _filter([_unreadable(path, f"cannot read the file: {why}")], settings), "")
               for path, why in found.problems.items()]
    plain = settings.to_plain()
    for item in map_files(_fix_file_plain, [(f, plain, unsafe, write) for f in files], jobs,
                          lambda item: {"path": item[0], "fixed": 0, "findings": [_crashed(item[0]).as_plain()],
                                        "diff": ""}):
        results.append(FileFix(**{**item, "findings": [Finding.from_plain(d) for d in item["findings"]]}))
    return sorted(results, key=lambda r: r.path), len(files) + len(found.problems)


def fix_file(path: str, settings: Settings, unsafe: bool, write: bool) -> FileFix:
    if path.endswith(".ipynb"):
        from initlint.notebook import fix_notebook  # fixes go back into the cells, outputs kept
        try:
            return fix_notebook(path, settings, unsafe, write)
        except WriteError as error:
            return FileFix(path, 0, check_file(path, settings), "", problem=f"not fixed: {error.strerror}")
    try:
        original = decode(read_source(path))
    except (OSError, UnicodeDecodeError, SyntaxError, LookupError):
        return FileFix(path, 0, check_file(path, settings), "")  # reported as IL001
    if not round_trips(original):
        findings = check_source(original.text, path, settings)
        problem = (f"not fixed: its encoding ({original.encoding}) does not give the same bytes back from the "
                   "text, so no rewrite could keep the rest of the file as it is") if findings else None
        return FileFix(path, 0, findings, "", problem=problem)
    new_text, codes, findings = fix_source_codes(original.text, path, settings, unsafe)
    diff, problem = "", None
    if codes:
        diff = unified_diff(path, original.text, new_text)
        if write:
            try:
                write_atomic(Path(path), encode(new_text, original), expected=original.data)
            except WriteError as error:
                problem = f"not fixed: {error.strerror}"
                findings = check_source(original.text, path, settings)
                codes = []
    return FileFix(path, len(codes), findings, diff, codes, problem)


def unified_diff(path: str, old: str, new: str) -> str:
    """The change as a unified diff ``patch`` applies: the parser's lines, and ``\\ No newline at end of
    file`` after a last line without one."""
    out: list[str] = []
    for line in difflib.unified_diff(split_lines(old), split_lines(new), fromfile=path, tofile=path):
        out.append(line)
        if not line.endswith(("\n", "\r")):
            out.append("\n\\ No newline at end of file\n")
    return "".join(out)


def _fix_file_plain(args: tuple[str, dict[str, object], bool, bool]) -> dict[str, Any]:
    path, settings, unsafe, write = args
    result = fix_file(path, Settings.from_plain(settings), unsafe, write)
    return {"path": result.path, "fixed": result.fixed, "findings": [f.as_plain() for f in result.findings],
            "diff": result.diff, "codes": result.codes, "problem": result.problem}
