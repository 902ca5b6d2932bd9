"""The pre-commit hook, installed from this repository by pre-commit itself (``try-repo``)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import BAD_MODEL, GOOD_MODEL

REPO = Path(__file__).resolve().parent.parent
BAD = BAD_MODEL
GOOD = GOOD_MODEL


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("pre-commit") is None or shutil.which("git") is None:
        pytest.skip("pre-commit or git not installed")
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    return tmp_path_factory.mktemp("pre-commit-home")


def try_repo(tmp_path: Path, home: Path, source: str, hook: str = "initlint") -> subprocess.CompletedProcess[str]:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    git("init", "-q", cwd=scratch)
    (scratch / "model.py").write_text(source)
    (scratch / "notes.txt").write_text("not python\n")
    git("add", ".", cwd=scratch)
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    return subprocess.run(["pre-commit", "try-repo", str(REPO), hook, "--all-files"], cwd=scratch,
                          env=env, capture_output=True, text=True, timeout=900, check=False)


def test_hook_fails_on_a_bad_model(tmp_path: Path, pre_commit_home: Path) -> None:
    result = try_repo(tmp_path, pre_commit_home, BAD)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "model.py:9:9: IL101" in result.stdout


def test_hook_passes_on_a_good_model(tmp_path: Path, pre_commit_home: Path) -> None:
    result = try_repo(tmp_path, pre_commit_home, GOOD)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout


def test_fix_hook_repairs_and_fails_once(tmp_path: Path, pre_commit_home: Path) -> None:
    source = GOOD.replace("nn.init.kaiming_uniform_(", "nn.init.kaiming_uniform(")
    result = try_repo(tmp_path, pre_commit_home, source, hook="initlint-fix")
    assert result.returncode == 1, result.stdout + result.stderr  # files were modified
    assert "nn.init.kaiming_uniform_(" in (tmp_path / "scratch" / "model.py").read_text()
