"""file -> picture -> checks -> findings, for one source or many paths (on both cores)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from initlint.analysis import (
    FileFix,
    _filter,
    _unreadable,
    check_source,
    finished,
    fix_source_codes,
    guarded,
    parse,
    picture_from,
    prepared,
    unified_diff,
)
from initlint.checks import run_checks
from initlint.checks.never_called import cross_file
from initlint.config import Settings, load_settings
from initlint.files import WriteError, decode, encode, find_files, read_source, round_trips, write_atomic
from initlint.findings import Finding
from initlint.notebook import check_notebook_file, fix_notebook  # JSON around the cells' Python
from initlint.picture.linking import Linked, ProjectLocator, Source, link
from initlint.picture.model import Locator, Picture
from initlint.project import Tree, groups
from initlint.relocate import relocated
from initlint.sys_path import added_roots

TreeArgs = tuple[list[str], list[str], dict[str, list[str]]]  # a worker's Tree: files, src roots, sys.path roots

# Below this many files a process pool costs more than it saves.
POOL_THRESHOLD = 24
A = TypeVar("A")
R = TypeVar("R")


def check_file(path: str, settings: Settings) -> list[Finding]:
    if path.endswith(".ipynb"):
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
        found = run_checks(picture, path, settings)
        if linked is None or not linked.statements:
            return found
        others = [other.path for other in linked.sources]
        return [relocated(finding, path, others) for finding in found]

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


def _check_group_plain(args: tuple[list[str], dict[str, object], TreeArgs]) -> list[dict[str, object]]:
    paths, settings, (files, src, added) = args
    return [f.as_plain() for f in check_group(paths, Settings.from_plain(settings), Tree(files, src, added))]


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
    texts = file_texts(files)
    tree, tree_args = project_tree(files, settings, texts)
    crashed: list[str] = []

    def group_crashed(item: tuple[list[str], dict[str, object], TreeArgs]) -> list[dict[str, object]]:
        crashed.extend(item[0])
        return []

    items = [(group, plain, tree_args) for group in groups(files, texts, tree)]
    for result in map_files(_check_group_plain, items, jobs, group_crashed, count=len(files)):
        findings.extend(Finding.from_plain(d) for d in result)
    # a group whose worker died (a native crash in the parser): its files once more, each alone, so that only
    # the file that kills a worker by itself is lost (IL001), and its neighbours are checked without it
    for result in map_files(_check_file_plain, [(f, plain) for f in crashed], jobs,
                            lambda item: [_crashed(item[0]).as_plain()], isolated=True):
        findings.extend(Finding.from_plain(d) for d in result)
    findings = cross_file(findings, files)  # IL503 is judged over every file checked together
    return sorted(findings, key=Finding.sort_key), len(files) + len(found.problems)


def project_tree(files: list[str], settings: Settings, texts: dict[str, str]) -> tuple[Tree, TreeArgs]:
    """How imports name the checked files: the ``src`` roots of the settings and the directories each file
    adds to ``sys.path`` itself; with the plain arguments a worker builds the same tree from."""
    src = [os.path.join(settings.root, s) for s in settings.src]
    added = {path: roots for path, text in texts.items() if (roots := added_roots(path, text))}
    return Tree(files, src, added), (files, src, added)


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


def _fix_file_plain(args: tuple[str, dict[str, object], bool, bool]) -> dict[str, Any]:
    path, settings, unsafe, write = args
    result = fix_file(path, Settings.from_plain(settings), unsafe, write)
    return {"path": result.path, "fixed": result.fixed, "findings": [f.as_plain() for f in result.findings],
            "diff": result.diff, "codes": result.codes, "problem": result.problem}
