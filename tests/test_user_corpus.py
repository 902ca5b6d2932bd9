"""The user-code corpus manifest is well formed, and bench/user_corpus.py scores findings against labels."""

from __future__ import annotations

import importlib.util
import itertools
import json
import re
import sys
from pathlib import Path

import pytest

from initlint.registry import RULES

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "tests" / "realworld" / "user_corpus.json"
# Issue 13's codes may be labeled before their rules land.
PLANNED = {f"IL{n}" for n in (*range(403, 411), *range(502, 509))}
FILE_KEYS = {"repo", "commit", "path", "set", "labels", "silent"}
LABEL_KEYS = {"line", "rule", "option", "note", "weak", "lines", "after_run"}
SILENT_KEYS = {"line", "note", "debatable", "after_run"}


def _scorer():
    spec = importlib.util.spec_from_file_location("user_corpus", ROOT / "bench" / "user_corpus.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["user_corpus"] = module
    spec.loader.exec_module(module)
    return module


def test_manifest_is_well_formed() -> None:
    files = json.loads(MANIFEST.read_text(encoding="utf-8"))["files"]
    sets: dict[str, set[str]] = {name: set() for name in _scorer().SETS}
    seen = set()
    for entry in files:
        assert set(entry) == FILE_KEYS, entry["path"]
        assert entry["set"] in sets, entry["set"]
        assert re.fullmatch(r"[\w.-]+/[\w.-]+", entry["repo"])
        assert re.fullmatch(r"[0-9a-f]{40}", entry["commit"])
        assert not entry["path"].startswith("/") and ".." not in Path(entry["path"]).parts
        assert (entry["repo"], entry["path"]) not in seen
        seen.add((entry["repo"], entry["path"]))
        sets[entry["set"]].add(entry["repo"])
        for label in entry["labels"]:
            assert set(label) <= LABEL_KEYS and {"line", "rule", "option", "note"} <= set(label)
            assert label["rule"] in RULES or label["rule"] in PLANNED, label
            assert label["line"] >= 1 and all(n >= 1 for n in label.get("lines", []))
            assert label["note"].strip()
        for site in entry["silent"]:
            assert set(site) <= SILENT_KEYS and site["line"] >= 1 and site["note"].strip()
    for one, other in itertools.combinations(sorted(sets), 2):
        assert not sets[one] & sets[other], f"a repository is in both {one} and {other}"
    assert len(sets["dev"]) >= 2 * len(sets["heldout"]) // 2 and sets["heldout"]
    assert set(sets) == {"dev", "heldout", "fresh"} and all(sets.values()), "the scorer scores all three sets"


TOY = '''import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(512, 512)
        self.fc2 = nn.Linear(512, 512)
        self.out = nn.Linear(512, 10)
        nn.init.xavier_uniform_(self.fc1.weight)
        nn.init.kaiming_normal_(self.fc2.weight, nonlinearity="relu")
        nn.init.xavier_uniform_(self.out.weight)

    def forward(self, x):
        x = nn.functional.relu(self.fc1(x))
        x = nn.functional.relu(self.fc2(x))
        return self.out(x)
'''


def test_scorer_matches_findings_to_labels(tmp_path: Path) -> None:
    scorer = _scorer()
    project = tmp_path / "me__toy"
    project.mkdir()
    (project / "net.py").write_text(TOY, encoding="utf-8")
    files = [{"repo": "me/toy", "commit": "0" * 40, "path": "net.py", "set": "dev",
              "labels": [{"line": 10, "rule": "IL101", "option": None, "note": "xavier before relu"},
                         {"line": 11, "rule": "IL202", "option": None, "note": "a label nothing reports"}],
              "silent": [{"line": 12, "note": "output layer"}]}]
    outcome = scorer.score(files, tmp_path, "dev")
    assert [(f["line"], f["rule"]) for f in outcome.true] == [(10, "IL101")]
    assert [(lab["line"], lab["rule"]) for lab in outcome.missed] == [(11, "IL202")]
    assert outcome.false == [] and outcome.unlabeled == []
    assert scorer.score(files, tmp_path, "heldout").labels == []


@pytest.mark.parametrize("debatable", [False, True])
def test_scorer_calls_a_finding_at_a_silent_site_false(tmp_path: Path, debatable: bool) -> None:
    scorer = _scorer()
    project = tmp_path / "me__toy"
    project.mkdir()
    (project / "net.py").write_text(TOY, encoding="utf-8")
    site = {"line": 10, "note": "judged fine (for this test)", **({"debatable": True} if debatable else {})}
    files = [{"repo": "me/toy", "commit": "0" * 40, "path": "net.py", "set": "heldout", "labels": [],
              "silent": [site]}]
    outcome = scorer.score(files, tmp_path, "heldout")
    assert [(f["line"], f["rule"], f["debatable"]) for f in outcome.false] == [(10, "IL101", debatable)]
    assert outcome.true == []


@pytest.mark.parametrize("missing", [True, False])
def test_materialize_skips_a_missing_snapshot_with_a_message(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                             missing: bool) -> None:
    scorer = _scorer()
    files = [{"repo": "nobody/nothing", "commit": "0" * 40, "path": "a/b.py", "set": "dev", "labels": [],
              "silent": []}]
    mirror = tmp_path / "mirror"
    if not missing:
        (mirror / "nobody+nothing" / "repo").mkdir(parents=True)
    scorer.materialize(files, tmp_path / "out", mirror)
    out = capsys.readouterr().out
    assert "skip nobody/nothing: no snapshot" in out
    assert not (tmp_path / "out" / "nobody__nothing" / "a" / "b.py").exists()


def test_default_run_scores_every_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scorer = _scorer()
    files = []
    for name in scorer.SETS:
        project = tmp_path / "root" / f"me__{name}"
        project.mkdir(parents=True)
        (project / "net.py").write_text(TOY, encoding="utf-8")
        files.append({"repo": f"me/{name}", "commit": "0" * 40, "path": "net.py", "set": name,
                      "labels": [{"line": 10, "rule": "IL101", "option": None, "note": "xavier before relu"}],
                      "silent": [{"line": 12, "note": "output layer"}]})
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"about": "toy", "files": files}), encoding="utf-8")
    scorer.main(["--manifest", str(manifest), "--root", str(tmp_path / "root")])
    out = capsys.readouterr().out
    assert "dev 1, heldout 1, fresh 1" in out
    for name in ("dev", "heldout", "fresh"):
        assert f"=== {name}: 1 repositories with labels, 1 labels ===" in out
    assert out.count("recall (IL402, IL001 aside): 1/1 = 1.000") == 3
