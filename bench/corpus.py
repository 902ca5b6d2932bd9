"""Precision of initlint on real model code (torchvision, timm, transformers, diffusers, fairseq).

Standard library only; initlint itself is run through its installed CLI as a subprocess. fairseq publishes
no pure-Python wheel, so its pinned source archive is downloaded (never built) and unpacked instead.

    python bench/corpus.py --download          # fetch the pinned wheels (no deps) and unzip them
    python bench/corpus.py                     # check, match findings to labels, print precision

Each finding is matched to a label in ``--labels`` by (project, file, line, code); ``file`` is
relative to the project root (``/work/corpus/src/<project>/``). Unlabeled findings are listed so
that they can be judged and added. Always exits 0: this is a measurement, not a gate.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import time
import zipfile
from collections import Counter
from pathlib import Path

# The wheels the labels were written against. Change a version and the labels go stale.
PINNED = {
    "torchvision": "0.29.2",
    "timm": "1.0.31",
    "transformers": "5.23.0",
    "diffusers": "0.42.1",
    "fairseq": "0.12.2",  # an sdist only (its wheels are platform builds): the source tarball is unpacked
}
SDIST_ONLY = {"fairseq"}

# Per project: the model-code subtrees to check, relative to the project root.
MODEL_TREES = {
    "torchvision": ["torchvision/models"],
    "timm": ["timm/models", "timm/layers"],
    "transformers": ["transformers/models"],
    "diffusers": ["diffusers/models"],
    "fairseq": ["fairseq/models", "fairseq/modules"],
}

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SRC = Path("/work/corpus/src")
DEFAULT_WHEELS = Path("/work/corpus/wheels")
DEFAULT_LABELS = REPO / "tests" / "realworld" / "labels.json"


def download(wheels: Path, src: Path, projects: list[str]) -> None:
    """pip download each pinned wheel without dependencies, then unzip it into ``src/<project>``."""
    wheels.mkdir(parents=True, exist_ok=True)
    specs = [f"{name}=={PINNED[name]}" for name in projects if name not in SDIST_ONLY]
    if specs:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-d", str(wheels), *specs]
        print("+", " ".join(cmd), flush=True)
        subprocess.run(cmd, check=True)
    for name in projects:
        if name in SDIST_ONLY:
            _sdist(wheels, src, name)
            continue
        found = sorted(wheels.glob(f"{name}-{PINNED[name]}-*.whl"))
        if not found:
            sys.exit(f"no wheel for {name}=={PINNED[name]} in {wheels}")
        target = src / name
        print(f"unzip {found[0].name} -> {target}", flush=True)
        target.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(found[0]) as archive:
            archive.extractall(target)


def _sdist(downloads: Path, src: Path, name: str) -> None:
    """``pip download --no-deps --no-binary`` the source tarball (never built or installed) and unpack it."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(downloads),
           f"{name}=={PINNED[name]}"]
    found = sorted(downloads.glob(f"{name}-{PINNED[name]}.tar.gz"))
    if not found:
        print("+", " ".join(cmd), flush=True)
        subprocess.run(cmd, check=True)
        found = sorted(downloads.glob(f"{name}-{PINNED[name]}.tar.gz"))
    if not found:
        sys.exit(f"no source archive for {name}=={PINNED[name]} in {downloads}")
    target = src / name
    print(f"untar {found[0].name} -> {target}", flush=True)
    with tarfile.open(found[0]) as archive:
        prefix = f"{name}-{PINNED[name]}/"
        members = [m for m in archive.getmembers() if m.name.startswith(prefix) and m.isfile()]
        for member in members:
            member.name = member.name[len(prefix):]
        archive.extractall(target, members=members, filter="data")


def run_initlint(root: Path, trees: list[str], jobs: int | None) -> tuple[list[dict], float, str, int]:
    """Findings (JSON objects), wall-clock seconds, stderr and exit code of one initlint run."""
    paths = [str(root / t) for t in trees if (root / t).exists()]
    cmd = ["initlint", "check", "--output-format", "json", "--exit-zero", *paths]
    if jobs:
        cmd[2:2] = ["--jobs", str(jobs)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    try:
        findings = json.loads(proc.stdout) if proc.stdout.strip() else []
    except json.JSONDecodeError:
        findings = []
    return findings, elapsed, proc.stderr, proc.returncode


def relative(filename: str, root: Path) -> str:
    try:
        return Path(filename).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return filename


def load_labels(path: Path) -> dict[tuple[str, str, int, str], dict]:
    if not path.is_file():
        print(f"(no labels file at {path}: every finding is unlabeled)")
        return {}
    labels = {}
    for entry in json.loads(path.read_text()):
        labels[(entry["project"], entry["file"], int(entry["line"]), entry["code"])] = entry
    return labels


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=DEFAULT_SRC, help="unzipped wheels, one folder per project")
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS)
    parser.add_argument("--download", action="store_true", help="pip download the pinned wheels and unzip them")
    parser.add_argument("--wheels", type=Path, default=DEFAULT_WHEELS, help="where --download puts the wheels")
    parser.add_argument("--project", action="append", choices=sorted(PINNED),
                        help="only this project (repeatable; default: all)")
    parser.add_argument("--jobs", "-j", type=int, default=None, help="passed to initlint check --jobs")
    parser.add_argument("--dump", type=Path, default=None, help="write all findings (with project, file) as JSON")
    args = parser.parse_args(argv)
    projects = args.project or list(PINNED)

    if args.download:
        download(args.wheels, args.src, projects)

    version = subprocess.run(["initlint", "--version"], capture_output=True, text=True, check=False).stdout.strip()
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, check=False,
                          text=True).stdout.strip()
    print(f"{version or 'initlint: not found'} (checkout {head or '?'})")
    labels = load_labels(args.labels)
    used: set[tuple[str, str, int, str]] = set()
    totals = Counter()
    dump = []
    for name in projects:
        root = args.src / name
        if not root.is_dir():
            print(f"\n== {name}: {root} is missing (run with --download)")
            continue
        findings, elapsed, stderr, code = run_initlint(root, MODEL_TREES[name], args.jobs)
        # IL001 (unreadable file, or an internal error of the engine) is reported, never judged.
        unreadable = [f for f in findings if f["code"] == "IL001"]
        findings = [f for f in findings if f["code"] != "IL001"]
        by_code = Counter(f["code"] for f in findings)
        counts = Counter()
        unlabeled = []
        for f in findings:
            key = (name, relative(f["filename"], root), f["location"]["row"], f["code"])
            dump.append({"project": name, "file": key[1], "line": key[2], "code": key[3], "message": f["message"]})
            label = labels.get(key)
            if label is None:
                counts["unlabeled"] += 1
                unlabeled.append(f"{key[1]}:{key[2]} {key[3]} {f['message']}")
            else:
                used.add(key)
                counts["true" if label["true"] else "false"] += 1
        totals.update(counts)
        totals["findings"] += len(findings)
        print(f"\n== {name} {PINNED[name]}: {len(findings)} findings in {elapsed:.1f}s "
              f"(exit {code}; {', '.join(f'{c} {n}' for c, n in sorted(by_code.items())) or 'none'})")
        print(f"   labeled true {counts['true']}, labeled false {counts['false']}, unlabeled {counts['unlabeled']}")
        totals["IL001"] += len(unreadable)
        for f in unreadable:
            print(f"   IL001 ({f['severity']}): {relative(f['filename'], root)}:{f['location']['row']} {f['message']}")
        if code not in (0, 1, 2) or "Traceback" in stderr:
            totals["crashed"] += 1
            print(f"   initlint crashed (exit {code}):")
            print("   " + "\n   ".join(stderr.strip().splitlines()[-15:]))
        for line in unlabeled:
            print(f"   unlabeled: {line}")

    stale = sorted(k for k in labels if k[0] in projects and k not in used)
    if stale:
        print(f"\n{len(stale)} labels match no finding (fixed, or the engine moved):")
        for project, file, line, rule in stale:
            print(f"   {project} {file}:{line} {rule}")

    judged = totals["true"] + totals["false"]
    precision = f"{totals['true'] / judged:.3f}" if judged else "n/a"
    print(f"\noverall: {totals['findings']} findings, true {totals['true']}, false {totals['false']}, "
          f"unlabeled {totals['unlabeled']}; precision over labeled = {precision}")
    print(f"IL001 (unreadable or internal error): {totals['IL001']}; projects where initlint crashed: "
          f"{totals['crashed']}")
    if args.dump:
        args.dump.write_text(json.dumps(dump, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
