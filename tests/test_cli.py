"""The installed ``initlint`` command, run as a user runs it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import BAD_MODEL, GOOD_MODEL, initlint

BAD = BAD_MODEL
GOOD = GOOD_MODEL


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return initlint(*args, cwd=cwd)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "bad.py").write_text(BAD)
    (tmp_path / "good.py").write_text(GOOD)
    return tmp_path


def test_text_output_and_exit_one(tree: Path) -> None:
    result = run("check", str(tree))
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{tree / 'bad.py'}:9:9: IL101 ")
    assert len(lines[0].split(": IL101 ", 1)[1]) < 100  # a title, not a paragraph
    at = lines.index("9 |         nn.init.xavier_uniform_(self.fc.weight)")  # the source line, a caret under the call
    assert lines[at + 1] == "  |         " + "^" * len("nn.init.xavier_uniform_(self.fc.weight)")
    assert lines[at - 3:at - 1] == ["7 |         self.fc = nn.Linear(256, 256)",  # where the layer is built
                                    "  |                   ------------------- `fc` (Linear(256, 256)) is built here"]
    [help_line] = [line for line in lines if line.startswith("  = help: ")]
    assert "kaiming_uniform_(self.fc.weight, nonlinearity=\"relu\")" in help_line
    assert lines[-1] == "Found 1 finding in 2 files (1 fixable with --fix --unsafe-fixes)."


def test_clean_exit_zero(tree: Path) -> None:
    result = run("check", str(tree / "good.py"))
    assert result.returncode == 0
    assert "All checks passed!" in result.stdout


def test_json_output(tree: Path) -> None:
    result = run("check", "--output-format", "json", str(tree))
    data = json.loads(result.stdout)
    assert len(data) == 1
    item = data[0]
    assert set(item) == {"code", "message", "title", "severity", "url", "filename", "cell", "location",
                         "end_location", "related", "notes", "help", "numbers", "fingerprint", "fix", "no_fix_reason"}
    assert item["code"] == "IL101" and item["no_fix_reason"] is None
    assert item["cell"] is None  # a notebook's cell number; none for a .py file
    assert item["location"] == {"row": 9, "column": 9}
    assert item["end_location"]["row"] == 9
    assert item["fix"] == {
        "applicability": "unsafe",
        "message": 'Replace with `nn.init.kaiming_uniform_(self.fc.weight, nonlinearity="relu")`',
        "edits": [{"content": 'nn.init.kaiming_uniform_(self.fc.weight, nonlinearity="relu")',
                   "location": {"row": 9, "column": 9}, "end_location": {"row": 9, "column": 48}}],
    }


def test_select_and_ignore_by_prefix(tree: Path) -> None:
    assert run("check", "--ignore", "IL1", str(tree)).returncode == 0
    assert run("check", "--select", "IL4", str(tree)).returncode == 0
    assert run("check", "--select", "IL10", str(tree)).returncode == 1


def test_unknown_code_is_a_usage_error(tree: Path) -> None:
    result = run("check", "--select", "IL999", str(tree))
    assert result.returncode == 2
    assert "IL999" in result.stderr


def test_unparsable_file_is_reported_and_others_checked(tree: Path) -> None:
    (tree / "broken.py").write_text("import torch\ndef f(:\n")
    result = run("check", str(tree))
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert any(": IL001 cannot parse" in line and "broken.py" in line for line in result.stdout.splitlines())
    assert any(": IL101 " in line for line in result.stdout.splitlines())


def test_undecodable_file_is_reported(tree: Path) -> None:
    (tree / "latin.py").write_bytes(b"import torch\nname = '\xff\xfe'\n")
    result = run("check", str(tree))
    assert "latin.py:1:1: IL001 cannot decode" in result.stdout


def test_missing_path_is_reported(tree: Path) -> None:
    result = run("check", str(tree / "nope.py"))
    assert result.returncode == 1
    assert "IL001 cannot read" in result.stdout


def test_skips_virtualenvs_and_build_dirs(tree: Path) -> None:
    for skipped in (".git", "build", "__pycache__", ".venv"):
        (tree / skipped).mkdir()
        (tree / skipped / "bad.py").write_text(BAD)
    result = run("check", str(tree))
    assert result.stdout.count("IL101") == 1


def test_default_path_is_current_directory(tree: Path) -> None:
    result = run("check", cwd=tree)
    assert result.returncode == 1
    assert "bad.py:9:9: IL101" in result.stdout


def test_rule_command_prints_the_page() -> None:
    result = run("rule", "IL101")
    assert result.returncode == 0
    assert result.stdout.startswith("# IL101: rectifier-needs-he")
    assert "## Use instead" in result.stdout


def test_rule_command_unknown_code() -> None:
    assert run("rule", "IL999").returncode == 2


def test_rules_lists_every_code() -> None:
    result = run("rules")
    for code in ("IL101", "IL102", "IL103", "IL104", "IL401", "IL402"):
        assert code in result.stdout


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert "initlint" in result.stdout


def test_parallel_run_matches_serial(tree: Path) -> None:
    for index in range(30):
        (tree / f"copy{index}.py").write_text(BAD)
    serial = run("check", "-j", "1", "--output-format", "json", str(tree))
    parallel = run("check", "-j", "2", "--output-format", "json", str(tree))
    assert json.loads(serial.stdout) == json.loads(parallel.stdout)
    assert len(json.loads(serial.stdout)) == 31


def test_unparsable_file_without_torch_is_reported(tree: Path) -> None:
    (tree / "plain.py").write_text("def f(:\n    pass\n")
    result = run("check", str(tree / "plain.py"))
    assert result.returncode == 1
    assert result.stdout.startswith(f"{tree / 'plain.py'}:1:")
    assert "IL001 cannot parse" in result.stdout


def run_stdin(source: str, *args: str) -> subprocess.CompletedProcess[str]:
    return initlint(*args, stdin=source)


def test_stdin_with_filename() -> None:
    result = run_stdin(BAD, "check", "--stdin-filename", "model.py", "-")
    assert result.returncode == 1
    assert result.stdout.startswith("model.py:9:9: IL101 ")


def test_stdin_clean() -> None:
    result = run_stdin(GOOD, "check", "-")
    assert result.returncode == 0


def test_statistics(tree: Path) -> None:
    (tree / "alias.py").write_text(BAD.replace("xavier_uniform_", "xavier_uniform"))
    result = run("check", "--statistics", str(tree))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["2", "IL101", "rectifier-needs-he"]
    assert lines[1].split() == ["1", "IL402", "deprecated-init-alias"]
    assert lines[-1] == "Found 3 findings."


def test_quiet_prints_only_findings(tree: Path) -> None:
    result = run("check", "-q", str(tree))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert [line for line in lines if ": IL" in line] == lines[:1] and lines[-1].startswith("  = ")  # no summary
    assert run("check", "-q", str(tree / "good.py")).stdout == ""


def test_exit_zero(tree: Path) -> None:
    assert run("check", "--exit-zero", str(tree)).returncode == 0


def test_rules_table_columns() -> None:
    header, *rows = run("rules").stdout.splitlines()
    assert header.split()[:4] == ["code", "name", "fix", "default"]
    assert any(row.split()[:2] == ["IL002", "unused-suppression"] for row in rows)


def test_no_colour_when_not_a_terminal(tree: Path) -> None:
    assert "\x1b[" not in run("check", str(tree)).stdout


def test_colour_on_a_terminal_unless_no_color(tree: Path) -> None:
    pty = pytest.importorskip("pty")
    import os

    exe = shutil.which("initlint") or "initlint"

    def through_pty(env: dict[str, str]) -> str:
        pid, fd = pty.fork()
        if pid == 0:  # child
            os.execvpe(exe, [exe, "check", str(tree / "bad.py")], env)
        chunks = []
        while True:
            try:
                data = os.read(fd, 4096)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        os.waitpid(pid, 0)
        return b"".join(chunks).decode()

    base = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    assert "\x1b[" in through_pty(base)
    assert "\x1b[" not in through_pty({**base, "NO_COLOR": "1"})
