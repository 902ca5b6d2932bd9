"""Reading and writing files under faults and on hostile trees: nothing lost, nothing blocked, nothing run."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import BAD_MODEL, GOOD_MODEL

from initlint import files
from initlint.cli import main
from initlint.config import Settings
from initlint.engine import check_paths, fix_file
from initlint.files import WriteError, clean_stale_temporaries, find_files, read_source, write_atomic
from initlint.gitignore import git_command, git_environment

FIXED = BAD_MODEL.replace("nn.init.xavier_uniform_(self.fc.weight)",
                          'nn.init.kaiming_uniform_(self.fc.weight, nonlinearity="relu")')


def run(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def test_fix_writes_through_a_symlink_to_the_real_file(tmp_path: Path) -> None:
    (tmp_path / "real.py").write_text(BAD_MODEL)
    (tmp_path / "link.py").symlink_to("real.py")
    result = fix_file(str(tmp_path / "link.py"), Settings(), unsafe=True, write=True)
    assert result.fixed == 1 and result.problem is None
    assert (tmp_path / "link.py").is_symlink() and (tmp_path / "real.py").read_text() == FIXED


def test_fix_keeps_hard_links_and_mode(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text(BAD_MODEL)
    os.chmod(path, 0o640)
    os.link(path, tmp_path / "other.py")
    inode = path.stat().st_ino
    assert fix_file(str(path), Settings(), unsafe=True, write=True).fixed == 1
    assert path.stat().st_ino == inode and path.stat().st_nlink == 2
    assert (tmp_path / "other.py").read_text() == FIXED
    assert oct(path.stat().st_mode & 0o777) == oct(0o640)
    assert not list(tmp_path.glob(".*initlint*"))


def test_fix_keeps_the_owner(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root can give a file another owner")
    path = tmp_path / "m.py"
    path.write_text(BAD_MODEL)
    os.chown(path, 12345, 23456)
    assert fix_file(str(path), Settings(), unsafe=True, write=True).fixed == 1
    assert (path.stat().st_uid, path.stat().st_gid) == (12345, 23456) and path.read_text() == FIXED


def test_a_file_edited_during_the_fix_is_not_overwritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "m.py"
    path.write_text(BAD_MODEL)
    real_fix = files.write_atomic

    def edit_then_write(target: Path, data: bytes, expected: bytes | None = None) -> None:
        path.write_text(BAD_MODEL + "# the user's edit\n")  # lands while initlint works on the file
        real_fix(target, data, expected)

    monkeypatch.setattr("initlint.engine.write_atomic", edit_then_write)
    result = fix_file(str(path), Settings(), unsafe=True, write=True)
    assert result.fixed == 0 and "changed while initlint was working" in (result.problem or "")
    assert path.read_text() == BAD_MODEL + "# the user's edit\n"
    assert not list(tmp_path.glob(".*initlint*"))


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_a_failed_write_leaves_the_file_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        code: int) -> None:
    path = tmp_path / "m.py"
    path.write_text(BAD_MODEL)

    def failing(*args: object) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "replace", failing)
    exit_code, _, err = run("check", "--fix", "--unsafe-fixes", str(path))
    assert exit_code == 2 and os.strerror(code) in err and "not fixed" in err
    assert path.read_text() == BAD_MODEL and not list(tmp_path.glob(".*initlint*"))


def test_write_atomic_refuses_when_the_bytes_moved_on(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_bytes(b"new content\n")
    with pytest.raises(WriteError, match="changed while"):
        write_atomic(path, b"fixed\n", expected=b"old content\n")
    assert path.read_bytes() == b"new content\n"
    write_atomic(path, b"fixed\n", expected=b"new content\n")
    assert path.read_bytes() == b"fixed\n" and not list(tmp_path.glob(".*initlint*"))


def test_stale_temporaries_of_dead_processes_are_removed(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    pid = int(dead.stdout)
    stale = tmp_path / f".m.py.{pid}.abc123.initlint-tmp"
    live = tmp_path / f".m.py.{os.getpid()}.abc123.initlint-tmp"
    other = tmp_path / ".m.py.notours.tmp"
    for leftover in (stale, live, other):
        leftover.write_text("partial")
    (tmp_path / "m.py").write_text(GOOD_MODEL)
    find_files([str(tmp_path)])
    assert not stale.exists() and live.exists() and other.exists()


def test_an_in_place_write_cut_short_is_completed_by_the_next_run(tmp_path: Path) -> None:
    dead = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True).stdout)
    target = tmp_path / "m.py"
    target.write_text("new\n" + "old tail that the cut truncate left\n")
    (tmp_path / f".m.py.{dead}.abc.initlint-journal").write_text("new\n")
    clean_stale_temporaries(tmp_path)
    assert target.read_text() == "new\n" and not list(tmp_path.glob(".*initlint*"))


def test_a_fifo_named_like_python_is_il001_and_never_blocks(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "x.py")
    (tmp_path / "m.py").write_text(BAD_MODEL)
    findings, count = check_paths([str(tmp_path)], Settings(), jobs=1)
    assert count == 2
    assert [(f.code, Path(f.filename).name) for f in findings] == [("IL101", "m.py"), ("IL001", "x.py")] or \
        sorted((f.code, Path(f.filename).name) for f in findings) == [("IL001", "x.py"), ("IL101", "m.py")]
    assert "not a regular file" in next(f.message for f in findings if f.code == "IL001")


def test_a_device_is_never_read() -> None:
    with pytest.raises(OSError, match="not a regular file"):
        read_source("/dev/zero")


def test_a_file_over_the_size_cap_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "MAX_BYTES", 1000)
    path = tmp_path / "big.py"
    path.write_text("import torch\n" + "x = 1\n" * 400)
    with pytest.raises(OSError, match="larger than"):
        read_source(path)


def test_symlinks_out_of_the_tree_and_loops_are_not_followed(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tmp_path / "outside.py").write_text(BAD_MODEL)
    (tree / "passwd.py").symlink_to("/etc/passwd")
    (tree / "escape.py").symlink_to(tmp_path / "outside.py")
    (tree / "a.py").symlink_to("b.py")
    (tree / "b.py").symlink_to("a.py")
    (tree / "inside.py").symlink_to("ok.py")
    (tree / "ok.py").write_text(BAD_MODEL)
    found = find_files([str(tree)])
    assert [p.name for p in found.files] == ["inside.py", "ok.py"]
    assert sorted(Path(p).name for p in found.problems) == ["a.py", "b.py", "escape.py", "passwd.py"]
    exit_code, out, _ = run("check", "--fix", "--unsafe-fixes", str(tree))
    assert exit_code == 1 and "outside the checked paths" in out
    assert (tmp_path / "outside.py").read_text() == BAD_MODEL and (tree / "passwd.py").is_symlink()


def test_an_untraversable_directory_and_virtualenv_probe_do_not_raise(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "m.py").write_text(GOOD_MODEL)
    (tmp_path / "locked").mkdir()
    real_is_file = Path.is_file

    def is_file(self: Path) -> bool:
        if self.name == "pyvenv.cfg":
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_is_file(self)

    monkeypatch.setattr(Path, "is_file", is_file)
    real_walk = os.walk

    def walk(top: str, onerror: object = None, **kwargs: object) -> object:
        yield from real_walk(top, **kwargs)  # type: ignore[call-overload]
        onerror(PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "locked")))  # type: ignore[operator]

    monkeypatch.setattr(os, "walk", walk)
    found = find_files([str(tmp_path)])
    assert [p.name for p in found.files] == ["m.py"]
    assert found.problems == {str(tmp_path / "locked"): "cannot list the directory: Permission denied"}


def _repo(path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(path)], check=True)


def test_git_never_runs_the_checkouts_fsmonitor(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    _repo(repo)
    marker = tmp_path / "ran"
    with open(repo / ".git" / "config", "a") as config:
        config.write(f'[core]\n\tfsmonitor = "touch {marker}; false"\n')
    (repo / "m.py").write_text(BAD_MODEL)
    subprocess.run(["git", "add", "m.py"], cwd=repo, check=True, env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1"})
    marker.unlink(missing_ok=True)
    # The control: plain git does run the hook here, so the check below can fail.
    subprocess.run(["git", "check-ignore", "m.py"], cwd=repo, capture_output=True, check=False)
    assert marker.exists(), "this git does not run core.fsmonitor: the test would prove nothing"
    marker.unlink()
    findings, _ = check_paths([str(repo)], Settings(), jobs=1)
    assert [f.code for f in findings] == ["IL101"]
    assert not marker.exists()
    assert "core.fsmonitor=false" in git_command("status") and git_environment()["GIT_TERMINAL_PROMPT"] == "0"


def test_one_path_outside_the_repository_does_not_unignore_the_others(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    _repo(repo)
    (repo / ".gitignore").write_text("gen.py\n")
    (repo / "gen.py").write_text(BAD_MODEL)
    (repo / "ok.py").write_text(BAD_MODEL)
    elsewhere = tmp_path / "elsewhere.py"
    elsewhere.write_text(BAD_MODEL)
    found = find_files([str(repo / "gen.py"), str(elsewhere), str(repo / "ok.py")])
    assert sorted(p.name for p in found.files) == ["elsewhere.py", "ok.py"]


def test_a_project_under_a_directory_named_build_is_checked(tmp_path: Path) -> None:
    project = tmp_path / "build" / "env" / "project"
    (project / "dist").mkdir(parents=True)
    (project / "m.py").write_text(BAD_MODEL)
    (project / "dist" / "generated.py").write_text(BAD_MODEL)
    found = find_files([str(project)], Settings(respect_gitignore=False))
    assert [p.name for p in found.files] == ["m.py"]  # dist below the named path is still excluded


def test_a_non_utf8_file_name_in_every_report(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    _repo(repo)
    name = os.fsdecode(b"caf\xe9.py")
    (repo / name).write_text(BAD_MODEL)
    findings, count = check_paths([str(repo)], Settings(), jobs=1)
    assert count == 1 and [f.code for f in findings] == ["IL101"]
    for fmt in ("sarif", "json", "junit", "text", "github"):
        code, out, _ = run("check", "--output-format", fmt, str(repo))
        assert code == 1, fmt
        if fmt == "sarif":
            uri = json.loads(out)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
            assert "%E9" in uri["uri"].upper()
        elif fmt == "json":
            assert json.loads(out)[0]["code"] == "IL101"
        elif fmt == "junit":
            ET.fromstring(out)  # well-formed XML


def test_a_worker_killed_by_one_file_costs_that_file_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A native crash (libcst segfaults on some inputs) kills a pool worker: the run still answers for every
    other file, and the file that killed it is IL001."""
    from initlint import analysis, engine

    real = engine.picture_from

    def crashing(source: str, *args: object) -> object:
        if "CRASH_HERE" in source:
            os.kill(os.getpid(), signal.SIGKILL)  # a native crash kills the worker as abruptly
        return real(source, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "picture_from", crashing)
    monkeypatch.setattr(analysis, "picture_from", crashing)  # one file alone goes through check_source
    for index in range(engine.POOL_THRESHOLD):
        (tmp_path / f"m{index:02}.py").write_text(BAD_MODEL)
    (tmp_path / "crash.py").write_text(BAD_MODEL + "\nCRASH_HERE = 1\n")
    findings, count = check_paths([str(tmp_path)], Settings(respect_gitignore=False), jobs=2)
    assert count == engine.POOL_THRESHOLD + 1
    by_file = {Path(f.filename).name: f.code for f in findings}
    assert by_file.pop("crash.py") == "IL001" and set(by_file.values()) == {"IL101"}
    assert len(by_file) == engine.POOL_THRESHOLD
