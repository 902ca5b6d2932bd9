"""A stable dump of what the engine sees and says per file, to prove a refactoring changes nothing unintended.

For every ``.py`` under ``examples/``, ``tests/`` and the pinned real corpora (``bench/corpus.py --download``)
it records the picture (layers, what follows each, init sites with their targets, arguments, scopes and
branch paths, stacks, opaque inits) and the findings with their fixes, as JSON with sorted keys:

    python bench/fingerprint.py record /tmp/fp-before.json.gz
    python bench/fingerprint.py compare /tmp/fp-before.json.gz        # prints each file that differs
    python bench/fingerprint.py compare /tmp/fp-before.json.gz --skip transformers --show 5

``compare`` exits 1 when a file differs, so a step that changes behaviour on purpose is seen and named.
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from corpus import DEFAULT_SRC, MODEL_TREES


def files(corpus: Path, skip: set[str]) -> list[tuple[str, str]]:
    """(group, path) for every file to fingerprint, in a stable order."""
    out: list[tuple[str, str]] = []
    for group in ("examples", "tests"):
        out += [(group, str(p)) for p in sorted((REPO / group).rglob("*.py"))]
    for project, trees in MODEL_TREES.items():
        if project in skip:
            continue
        for tree in trees:
            root = corpus / project / tree
            out += [(project, str(p)) for p in sorted(root.rglob("*.py"))] if root.is_dir() else []
    return out


def _plain(value: Any) -> Any:
    """JSON-able, stable: floats by repr, tuples as lists, sets sorted."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_plain(v) for v in value), key=repr)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items(), key=lambda kv: repr(kv[0]))}
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return repr(value)


def _line(picture: Any, node: object) -> int | None:
    if node is None or picture.locator is None:
        return None
    try:
        return int(picture.locator.span(node).line)
    except KeyError:
        return None


def _text(node: object) -> str | None:
    import libcst as cst

    return cst.Module([]).code_for_node(node) if isinstance(node, cst.CSTNode) else None


def _site(picture: Any, site: Any) -> dict[str, Any]:
    scope = site.scope
    deferred = site.deferred
    out = {
        "func": site.func, "line": site.location.line, "col": site.location.column, "args": _plain(site.args),
        "targets": [[r.layer, r.param] for r in site.targets], "target_text": site.target_text,
        "order": list(site.order), "root_orders": _plain(site.root_orders), "via": site.via, "alias": site.alias,
        "gain_named": site.gain_named, "shared": site.shared, "in_slice": site.in_slice,
        "func_prefix": site.func_prefix, "name_var": site.name_var, "statement": _line(picture, site.statement),
        "param_names": sorted([r.layer, r.param, n] for r, n in site.param_names.items()),
        "path": [[c.test, c.taken, c.subject, _plain(c.value)] for c in getattr(site, "path", ())],
    }
    if scope is not None:
        out["scope"] = {"var": scope.var, "roots": _plain(scope.roots), "paths": _plain(scope.paths),
                        "anchors": {str(u): [_line(picture, a[0]), a[1]] for u, a in sorted(scope.anchors.items())},
                        "params": scope.params, "several_runs": scope.several_runs,
                        "containers": _plain(scope.containers)}
    if deferred is not None:
        out["deferred"] = {"nodes": {k: _text(v) for k, v in sorted(deferred.nodes.items())},
                           "layer_text": deferred.layer_text, "param_text": deferred.param_text,
                           "slice": None if deferred.slice_bounds is None else [_text(b) for b in deferred.slice_bounds]}
    return out


def fingerprint(path: str) -> dict[str, Any]:
    """The picture and findings of one file (or the error that stopped them)."""
    from initlint.analysis import check_source, picture_of
    from initlint.files import decode

    start = time.perf_counter()
    data = Path(path).read_bytes()
    out: dict[str, Any] = {}
    try:
        source = decode(data).text
    except (UnicodeDecodeError, SyntaxError, LookupError) as error:
        return {"decode_error": type(error).__name__}
    if "torch" in source:
        try:
            picture = picture_of(source)
            out["layers"] = [
                {"uid": uid, "kind": l.kind, "owner": l.owner, "path": l.path, "line": l.where(),
                 "args": _plain(l.args), "params": _plain(l.params),
                 "follows": [[f.kind, f.activation.display if f.activation else None] for f in l.follows],
                 "after_act": list(l.after_act), "feeds": sorted(l.feeds), "residual_out": l.residual_out,
                 "repeat": l.repeat, "functional": l.functional, "assigned_text": l.assigned_text,
                 "statement": _line(picture, l.statement)}
                for uid, l in sorted(picture.layers.items())]
            out["inits"] = [_site(picture, s) for s in picture.inits]
            out["deprecated"] = [[s.func, s.location.line] for s in picture.deprecated]
            out["stacks"] = [{"steps": [[k, _plain(v.display if hasattr(v, "display") else v)] for k, v in st.steps],
                              "assigned_text": st.assigned_text, "last_item": st.last_item,
                              "statement": _line(picture, st.statement)} for st in picture.stacks]
            out["opaque_init"] = sorted(str(x) for x in picture.opaque_init)
            out["maybe_touched"] = sorted([r.layer, r.param] for r in picture.maybe_touched)
            out["prefixes"] = [picture.init_prefix, picture.nn_prefix, picture.nn_name_free,
                               _line(picture, picture.import_anchor)]
            index = {id(s): i for i, s in enumerate(picture.inits)}
            out["effective"] = {f"{r.layer}:{r.param}": [index.get(id(s)) for s in sites]
                                for r, sites in sorted(picture.effective().items(),
                                                       key=lambda kv: (kv[0].layer, kv[0].param))}
        except Exception as error:  # noqa: BLE001 - recorded, so a change in what fails is seen too
            out["picture_error"] = f"{type(error).__name__}: {str(error)[:200]}"
    findings = check_source(data, path)
    out["findings"] = [_plain(f.as_plain()) for f in findings]
    for finding in out["findings"]:
        finding.pop("filename", None)
    out["seconds"] = round(time.perf_counter() - start, 3)
    return out


def _one(item: tuple[str, str]) -> tuple[str, dict[str, Any]]:
    return item[1], fingerprint(item[1])


def record(items: list[tuple[str, str]], jobs: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for path, data in pool.map(_one, items, chunksize=8):
            results[_key(path)] = data
    return results


def _key(path: str) -> str:
    p = Path(path)
    try:
        return p.relative_to(REPO).as_posix()
    except ValueError:
        return "corpus:" + p.relative_to(DEFAULT_SRC).as_posix() if p.is_relative_to(DEFAULT_SRC) else str(p)


def _stable(data: dict[str, Any], ignore: frozenset[str] = frozenset()) -> Any:
    """The record without timings and without the keys asked to be ignored (at any depth)."""
    if isinstance(data, dict):
        return {k: _stable(v, ignore) for k, v in data.items() if k != "seconds" and k not in ignore}
    if isinstance(data, list):
        return [_stable(v, ignore) for v in data]
    return data


def _changed_parts(old: dict[str, Any], new: dict[str, Any], ignore: frozenset[str]) -> list[str]:
    """Which parts of a file's record differ: ``findings`` (+n/-n), ``inits.path``, ``layers``, ..."""
    parts = []
    for key in sorted(set(old) | set(new)):
        if key == "seconds" or key in ignore:
            continue
        a, b = _stable(old.get(key), ignore), _stable(new.get(key), ignore)
        if a == b:
            continue
        if key == "findings":
            gone = [f"{f['code']}@{f['row']}" for f in a or [] if f not in (b or [])]
            came = [f"{f['code']}@{f['row']}" for f in b or [] if f not in (a or [])]
            parts.append(f"findings -{gone} +{came}")
        elif key in ("inits", "layers") and isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            fields = sorted({f for x, y in zip(a, b) for f in x if x.get(f) != y.get(f)})
            parts.append(f"{key}.{'/'.join(fields)}")
        else:
            parts.append(key)
    return parts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["record", "compare"])
    parser.add_argument("file", type=Path, help="the recorded fingerprint (.json.gz)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_SRC)
    parser.add_argument("--skip", action="append", default=[], help="a corpus project to leave out")
    parser.add_argument("--only", default=None, help="only paths containing this text")
    parser.add_argument("--jobs", "-j", type=int, default=2)
    parser.add_argument("--show", type=int, default=3, help="diffs to print in full")
    parser.add_argument("--ignore-key", action="append", default=[], help="a record key left out of the comparison")
    parser.add_argument("--save", type=Path, default=None, help="compare: also write the new record here")
    args = parser.parse_args(argv)
    items = files(args.corpus, set(args.skip))
    if args.only:
        items = [i for i in items if args.only in i[1]]
    start = time.perf_counter()
    current = record(items, args.jobs)
    elapsed = time.perf_counter() - start
    slow = sorted(current.items(), key=lambda kv: -kv[1].get("seconds", 0))[:3]
    print(f"{len(current)} files in {elapsed:.1f}s; slowest: "
          + ", ".join(f"{k} {v.get('seconds', 0):.2f}s" for k, v in slow))
    if args.mode == "record":
        with gzip.open(args.file, "wt") as out:
            json.dump(current, out, sort_keys=True)
        errors = [k for k, v in current.items() if "picture_error" in v]
        print(f"recorded to {args.file}; files whose picture failed: {len(errors)}")
        return 0
    if args.save:
        with gzip.open(args.save, "wt") as out:
            json.dump(current, out, sort_keys=True)
    with gzip.open(args.file, "rt") as stored:
        before = json.load(stored)
    ignore = frozenset(args.ignore_key)
    changed = [k for k in current if k in before and _stable(before[k], ignore) != _stable(current[k], ignore)]
    missing = [k for k in current if k not in before]
    for index, key in enumerate(changed):
        print(f"CHANGED {key}")
        if index < args.show:
            old = json.dumps(_stable(before[key], ignore), indent=1, sort_keys=True).splitlines()
            new = json.dumps(_stable(current[key], ignore), indent=1, sort_keys=True).splitlines()
            for line in list(difflib.unified_diff(old, new, "before", "after", n=2, lineterm=""))[:80]:
                print("   ", line)
    print(f"{len(changed)} changed, {len(missing)} not in the record, {len(current) - len(changed) - len(missing)} "
          "unchanged")
    for key in changed:
        print(f"  {key}: {', '.join(_changed_parts(before[key], current[key], ignore))}")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
