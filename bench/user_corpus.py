"""Recall and precision of initlint on user model code (course, research, GAN, RL, speech, recommender repos).

The corpus is a list of files from public repositories pinned by commit, with every init problem labeled by
reading the code before initlint ever ran on it (``tests/realworld/user_corpus.json``). No code of those
repositories is stored in this project: ``--materialize`` rebuilds the files from snapshots fetched with the
search tool's ``fetch`` (git directories under ``/work/.mirror/<owner>+<name>/``).

    python bench/user_corpus.py --materialize      # git show <commit>:<path> for every file, into --root
    python bench/user_corpus.py                    # check each project directory, score dev, held-out and fresh
    python bench/user_corpus.py --set dev -v       # one set, with every miss, false and unlabeled finding

Each project directory is checked as a whole (``check_paths`` on the directory), so init helpers, models and
``apply`` calls in different files can meet. A finding matches a label on (file, rule, line), where a label may
name other lines the same finding may be reported at. A finding at a labeled or silent site that matches no
label is false; anywhere else it is unlabeled and printed for a human to read. Recall is over labels with
IL402 aside (counted separately, as the issue does) and IL001 too (a file that does not parse is labeled IL001).
Three sets: "dev" is tuned against, "heldout" has been looked at, "fresh" was labeled blind and committed before
its first run, so it is the estimate of how files nobody has seen score.
"Weak" labels (true by the rule's letter but numerically minor: a norm after the next layer resets the scale,
or Xavier is within 15% of He for that shape) are reported on their own too. Always exits 0: this is a
measurement, not a gate.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_MANIFEST = REPO / "tests" / "realworld" / "user_corpus.json"
DEFAULT_ROOT = Path("/work/usercorpus")
DEFAULT_MIRROR = Path("/work/.mirror")
SETS = ("dev", "heldout", "fresh")
# Counted apart from recall, as issue 16 does: a spelling, not a wrong number.
ALIAS_RULE = "IL402"
# Not an init problem: an unreadable file (labeled where a file really does not parse), reported on its own.
UNREADABLE_RULE = "IL001"
APART = {ALIAS_RULE, UNREADABLE_RULE}


def load_manifest(path: Path) -> list[dict[str, Any]]:
    files: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["files"]
    return files


def project_name(repo: str) -> str:
    return repo.replace("/", "__")


def git_dir(mirror: Path, repo: str) -> Path | None:
    """The git directory of a fetched snapshot (bare, or a work tree's .git), if there is one."""
    base = mirror / repo.replace("/", "+") / "repo"
    for candidate in (base / ".git", base):
        if (candidate / "HEAD").is_file() or (candidate / "objects").is_dir():
            return candidate
    return None


def git_show(gitdir: Path, commit: str, path: str) -> bytes | None:
    proc = subprocess.run(["git", "--git-dir", str(gitdir), "show", f"{commit}:{path}"], capture_output=True,
                          check=False)
    return proc.stdout if proc.returncode == 0 else None


def materialize(files: list[dict[str, Any]], root: Path, mirror: Path) -> None:
    """Write every manifest file (and the package ``__init__.py`` files above it) under ``root/<project>/``."""
    by_repo: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in files:
        by_repo[entry["repo"]].append(entry)
    written = skipped = 0
    for repo, entries in sorted(by_repo.items()):
        gitdir = git_dir(mirror, repo)
        if gitdir is None:
            print(f"skip {repo}: no snapshot under {mirror} (fetch github:{repo} with the search tool first)")
            skipped += len(entries)
            continue
        target = root / project_name(repo)
        wanted = {e["path"] for e in entries}
        for entry in entries:
            parts = Path(entry["path"]).parts
            wanted.update(Path(*parts[:i], "__init__.py").as_posix() for i in range(1, len(parts)))
        for path in sorted(wanted):
            commit = entries[0]["commit"]
            data = git_show(gitdir, commit, path)
            if data is None:
                if path in {e["path"] for e in entries}:
                    print(f"skip {repo}:{path}: not at commit {commit[:12]} in the snapshot")
                    skipped += 1
                continue
            out = target / path
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
            written += 1
    print(f"materialized {written} files under {root} ({skipped} skipped)")


@dataclass
class Outcome:
    """What one set scored: matched labels, misses, and findings by verdict."""

    labels: list[dict[str, Any]] = field(default_factory=list)
    found: list[dict[str, Any]] = field(default_factory=list)      # labels with a matching finding
    missed: list[dict[str, Any]] = field(default_factory=list)
    true: list[dict[str, Any]] = field(default_factory=list)       # findings
    false: list[dict[str, Any]] = field(default_factory=list)
    unlabeled: list[dict[str, Any]] = field(default_factory=list)
    unreadable: list[dict[str, Any]] = field(default_factory=list)  # IL001, parse or internal
    missing_projects: list[str] = field(default_factory=list)


def run_initlint(project: Path) -> list[dict[str, Any]]:
    """All findings for one project directory, checked as one tree, with paths relative to it."""
    from initlint.config import Settings
    from initlint.engine import check_paths

    findings, _ = check_paths([str(project)], settings=Settings(root=str(project)), jobs=1)
    out = []
    for f in findings:
        try:
            rel = Path(f.filename).resolve().relative_to(project.resolve()).as_posix()
        except ValueError:
            rel = f.filename
        out.append({"path": rel, "line": f.row, "rule": f.code, "message": f.message, "severity": f.severity})
    return out


def score(files: list[dict[str, Any]], root: Path, wanted_set: str) -> Outcome:
    outcome = Outcome()
    entries = [e for e in files if e["set"] == wanted_set]
    by_repo: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in entries:
        by_repo[entry["repo"]].append(entry)
    for repo, repo_entries in sorted(by_repo.items()):
        labels = [dict(label, repo=repo, path=e["path"]) for e in repo_entries for label in e["labels"]]
        outcome.labels.extend(labels)
        project = root / project_name(repo)
        if not project.is_dir():
            outcome.missing_projects.append(repo)
            outcome.missed.extend(labels)
            continue
        sites = {(e["path"], s["line"]) for e in repo_entries for s in e["silent"]}
        debatable = {(e["path"], s["line"]) for e in repo_entries for s in e["silent"] if s.get("debatable")}
        sites |= {(label["path"], line) for label in labels for line in [label["line"], *label.get("lines", [])]}
        matched: set[int] = set()
        for finding in run_initlint(project):
            finding["repo"] = repo
            if finding["rule"] == "IL001":
                expected = [i for i, lab in enumerate(labels) if lab["rule"] == "IL001"
                            and lab["path"] == finding["path"]]
                finding["expected"] = bool(expected) and finding["severity"] != "internal"
                outcome.unreadable.append(finding)
                if finding["expected"]:
                    matched.update(expected)
                    outcome.true.append(finding)
                continue
            hit = next((i for i, lab in enumerate(labels) if i not in matched and lab["rule"] == finding["rule"]
                        and lab["path"] == finding["path"]
                        and finding["line"] in [lab["line"], *lab.get("lines", [])]), None)
            if hit is not None:
                matched.add(hit)
                outcome.true.append(finding)
            elif any(lab["rule"] == finding["rule"] and lab["path"] == finding["path"]
                     and finding["line"] in [lab["line"], *lab.get("lines", [])] for lab in labels):
                continue  # the same finding reported twice at one labeled site: counted once
            elif (finding["path"], finding["line"]) in sites:
                finding["debatable"] = (finding["path"], finding["line"]) in debatable
                outcome.false.append(finding)
            else:
                outcome.unlabeled.append(finding)
        for i, lab in enumerate(labels):
            (outcome.found if i in matched else outcome.missed).append(lab)
    return outcome


def ratio(num: int, den: int) -> str:
    return f"{num / den:.3f}" if den else "n/a"


def report(name: str, outcome: Outcome, verbose: bool) -> dict[str, Any]:
    """Print one set's scores; return them as a dict (for --json)."""
    rules = sorted({lab["rule"] for lab in outcome.labels} | {f["rule"] for f in outcome.true + outcome.false
                                                               + outcome.unlabeled})
    print(f"\n=== {name}: {len({lab['repo'] for lab in outcome.labels})} repositories with labels, "
          f"{len(outcome.labels)} labels ===")
    if outcome.missing_projects:
        print(f"  not materialized (their labels count as missed): {', '.join(outcome.missing_projects)}")
    print(f"  {'rule':<7}{'labels':>7}{'weak':>6}{'found':>7}{'recall':>8}{'true':>6}{'false':>7}{'unlab':>7}"
          f"{'precision':>11}")
    per_rule = {}
    for rule in rules:
        labs = [lab for lab in outcome.labels if lab["rule"] == rule]
        found = [lab for lab in outcome.found if lab["rule"] == rule]
        true = sum(f["rule"] == rule for f in outcome.true)
        false = sum(f["rule"] == rule for f in outcome.false)
        unlab = sum(f["rule"] == rule for f in outcome.unlabeled)
        per_rule[rule] = {"labels": len(labs), "weak": sum(bool(lab.get("weak")) for lab in labs),
                          "found": len(found), "true": true, "false": false, "unlabeled": unlab}
        print(f"  {rule:<7}{len(labs):>7}{per_rule[rule]['weak']:>6}{len(found):>7}{ratio(len(found), len(labs)):>8}"
              f"{true:>6}{false:>7}{unlab:>7}{ratio(true, true + false):>11}")

    def recall(keep: Any) -> tuple[int, int]:
        labs = [lab for lab in outcome.labels if keep(lab)]
        return sum(lab in outcome.found for lab in labs), len(labs)

    core = recall(lambda lab: lab["rule"] not in APART)
    strong = recall(lambda lab: lab["rule"] not in APART and not lab.get("weak"))
    alias = recall(lambda lab: lab["rule"] == ALIAS_RULE)
    true = [f for f in outcome.true if f["rule"] not in APART]
    false = [f for f in outcome.false if f["rule"] not in APART]
    unlab = [f for f in outcome.unlabeled if f["rule"] not in APART]
    print(f"  recall (IL402, IL001 aside): {core[0]}/{core[1]} = {ratio(*core)}; without weak labels: "
          f"{strong[0]}/{strong[1]} = {ratio(*strong)}; IL402: {alias[0]}/{alias[1]}")
    print(f"  precision (IL402, IL001 aside): {len(true)} true, {len(false)} false, {len(unlab)} unlabeled: "
          f"{ratio(len(true), len(true) + len(false))} over judged sites, "
          f"{ratio(len(true), len(true) + len(false) + len(unlab))} if every unlabeled finding were false")
    disputed = sum(bool(f.get("debatable")) for f in false)
    if disputed:
        print(f"  {disputed} of the false findings sit at sites judged silent as debatable (a convention a reader may "
              f"dispute); counted true instead, precision would be {ratio(len(true) + disputed, len(true) + len(false))}")
    internal = [f for f in outcome.unreadable if f["severity"] == "internal"]
    unexpected = [f for f in outcome.unreadable if not f["expected"] and f["severity"] != "internal"]
    expected = recall(lambda lab: lab["rule"] == UNREADABLE_RULE)
    print(f"  IL001: {len(outcome.unreadable)} ({expected[0]}/{expected[1]} labeled files that do not parse found, "
          f"{len(internal)} internal errors, {len(unexpected)} on files that parse)")
    for f in internal + unexpected:
        print(f"    {f['repo']}:{f['path']}:{f['line']} {f['message'][:160]}")
    if verbose:
        print("  -- missed labels:")
        for lab in outcome.missed:
            option = f" [{lab['option']}]" if lab.get("option") else ""
            weak = " (weak)" if lab.get("weak") else ""
            print(f"    {lab['repo']}:{lab['path']}:{lab['line']} {lab['rule']}{option}{weak}: {lab['note'][:150]}")
    for title, items in (("false findings", outcome.false), ("unlabeled findings (read them)", outcome.unlabeled)):
        if items and (verbose or title.startswith("unlabeled")):
            print(f"  -- {title}:")
            for f in items:
                mark = " (debatable site)" if f.get("debatable") else ""
                print(f"    {f['repo']}:{f['path']}:{f['line']} {f['rule']}{mark} {f['message'][:220]}")
    return {"per_rule": per_rule, "recall": core, "recall_strong": strong, "alias": alias,
            "true": len(true), "false": len(false), "unlabeled": len(unlab),
            "missed": outcome.missed, "false_findings": outcome.false, "unlabeled_findings": outcome.unlabeled,
            "unreadable": outcome.unreadable}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST)
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="where the corpus files are (or go)")
    parser.add_argument("--mirror", type=Path, default=DEFAULT_MIRROR, help="fetched snapshots (git directories)")
    parser.add_argument("--materialize", action="store_true", help="rebuild --root from the snapshots, then stop")
    parser.add_argument("--set", choices=[*SETS, "all"], default="all")
    parser.add_argument("-v", "--verbose", action="store_true", help="also list every miss and false finding")
    parser.add_argument("--json", type=Path, default=None, help="write the scores and lists as JSON")
    args = parser.parse_args(argv)
    files = load_manifest(args.manifest)
    if args.materialize:
        materialize(files, args.root, args.mirror)
        return 0
    if not args.root.is_dir():
        print(f"{args.root} does not exist: run with --materialize first")
        return 0
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                          check=False, text=True).stdout.strip()
    counts = Counter(e["set"] for e in files)
    print(f"initlint checkout {head or '?'}; manifest: {len(files)} files "
          f"({', '.join(f'{s} {counts[s]}' for s in SETS)}), "
          f"{sum(len(e['labels']) for e in files)} labels, {sum(len(e['silent']) for e in files)} silent sites")
    results = {}
    for name in (SETS if args.set == "all" else (args.set,)):
        results[name] = report(name, score(files, args.root, name), args.verbose)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
