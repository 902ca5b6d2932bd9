"""[tool.initlint] in pyproject.toml, validation, and how flags override it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import BAD_MODEL, initlint

from initlint.config import ConfigError, Settings, load_settings

BAD = BAD_MODEL.replace("xavier_uniform_(", "xavier_uniform(")  # IL101 and IL402 at 9:9


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return initlint(*args, cwd=cwd)


def project(tmp_path: Path, config: str) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "pyproject.toml").write_text(f"[project]\nname = 'demo'\n\n[tool.initlint]\n{config}\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "model.py").write_text(BAD)
    return tmp_path


def codes(result: subprocess.CompletedProcess[str]) -> list[str]:
    return sorted(line.split()[1] for line in result.stdout.splitlines() if ": IL" in line)


def test_no_config_is_defaults(tmp_path: Path) -> None:
    assert load_settings(cwd=tmp_path) == Settings()


def test_ignore_from_config(tmp_path: Path) -> None:
    root = project(tmp_path, 'ignore = ["IL402"]')
    assert codes(run("check", cwd=root)) == ["IL101"]


def test_select_and_extend_select(tmp_path: Path) -> None:
    root = project(tmp_path, 'select = ["IL4"]\nextend-select = ["IL101"]')
    assert codes(run("check", cwd=root)) == ["IL101", "IL402"]


def test_config_found_from_a_subdirectory(tmp_path: Path) -> None:
    root = project(tmp_path, 'ignore = ["IL1"]')
    assert codes(run("check", ".", cwd=root / "src")) == ["IL402"]


def test_flags_override_config(tmp_path: Path) -> None:
    root = project(tmp_path, 'ignore = ["IL402"]')
    assert codes(run("check", "--ignore", "IL101", cwd=root)) == ["IL402"]


def test_per_file_ignores(tmp_path: Path) -> None:
    root = project(tmp_path, '[tool.initlint.per-file-ignores]\n"src/*.py" = ["IL402"]\n"tests/*" = ["IL"]')
    assert codes(run("check", cwd=root)) == ["IL101"]


def test_exclude_and_extend_exclude(tmp_path: Path) -> None:
    root = project(tmp_path, 'extend-exclude = ["src"]')
    (root / "other.py").write_text(BAD)
    result = run("check", cwd=root)
    assert "other.py" in result.stdout and "src/model.py" not in result.stdout


def test_force_exclude_applies_to_named_files(tmp_path: Path) -> None:
    root = project(tmp_path, 'extend-exclude = ["src"]')
    assert run("check", "src/model.py", cwd=root).returncode == 1  # named explicitly: checked
    result = run("check", "--force-exclude", "src/model.py", cwd=root)
    assert result.returncode == 0 and codes(result) == []


def test_default_excludes_still_apply_with_extend_exclude(tmp_path: Path) -> None:
    root = project(tmp_path, 'extend-exclude = ["nothing"]')
    (root / "build").mkdir()
    (root / "build" / "gen.py").write_text(BAD)
    assert "build" not in run("check", cwd=root).stdout


def test_respect_gitignore(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    root = project(tmp_path, "")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    (root / ".gitignore").write_text("generated/\n")
    (root / "generated").mkdir()
    (root / "generated" / "gen.py").write_text(BAD)
    assert "generated" not in run("check", cwd=root).stdout
    (tmp_path / "off").mkdir()
    off = project(tmp_path / "off", "respect-gitignore = false")
    subprocess.run(["git", "init", "-q"], cwd=off, check=True)
    (off / ".gitignore").write_text("src/\n")
    assert "src/model.py" in run("check", cwd=off).stdout


def test_explicit_config_path(tmp_path: Path) -> None:
    root = project(tmp_path, 'ignore = ["IL4"]')
    other = tmp_path / "elsewhere"
    other.mkdir()
    result = run("check", "--config", str(root / "pyproject.toml"), str(root / "src"), cwd=other)
    assert codes(result) == ["IL101"]


@pytest.mark.parametrize(
    ("config", "needle"),
    [
        ('selct = ["IL1"]', "unknown key `selct`"),
        ('select = ["IL999"]', "'IL999'"),
        ('select = "IL1"', "`select` must be a list of strings"),
        ('respect-gitignore = "yes"', "`respect-gitignore` must be true or false"),
        ("zeroed-lstm-biases = 1", "`zeroed-lstm-biases` must be true or false"),
        ('per-file-ignores = ["x"]', "`per-file-ignores` must be a table"),
        ('[tool.initlint.per-file-ignores]\n"a.py" = ["XX1"]', "'XX1'"),
        ("select = [", "not valid TOML"),
        ("off-scale-factor = 0.5", "`off-scale-factor` must be a number greater than 1"),
        ('off-scale-factor = "4"', "`off-scale-factor` must be a number greater than 1"),
        ("deep-default-depth = 1", "`deep-default-depth` must be an integer of at least 2"),
        ("deep-default-depth = 8.5", "`deep-default-depth` must be an integer of at least 2"),
    ],
)
def test_invalid_config_is_a_clear_error(tmp_path: Path, config: str, needle: str) -> None:
    root = project(tmp_path, config)
    result = run("check", cwd=root)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert needle in result.stderr
    assert "pyproject.toml" in result.stderr


def test_missing_config_file(tmp_path: Path) -> None:
    result = run("check", "--config", str(tmp_path / "nope.toml"), cwd=tmp_path)
    assert result.returncode == 2 and "no such configuration file" in result.stderr


def test_show_settings(tmp_path: Path) -> None:
    root = project(tmp_path, 'ignore = ["IL402"]')
    result = run("check", "--show-settings", cwd=root)
    assert result.returncode == 0
    assert f"config file: {root / 'pyproject.toml'}" in result.stdout
    assert "ignore: ('IL402',)" in result.stdout
    assert "enabled rules:" in result.stdout and "IL402" not in result.stdout.split("enabled rules:")[1]


def test_config_errors_raise_in_api(tmp_path: Path) -> None:
    project(tmp_path, "bogus = 1")
    with pytest.raises(ConfigError, match="bogus"):
        load_settings(cwd=tmp_path)


def test_api_reads_the_config_like_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from initlint import check_paths

    root = project(tmp_path, 'ignore = ["IL402"]')
    monkeypatch.chdir(root)
    findings, count = check_paths(["src"])
    assert count == 1 and [f.code for f in findings] == ["IL101"]
    findings, _ = check_paths([str(root / "src")], config=str(root / "pyproject.toml"))
    assert [f.code for f in findings] == ["IL101"]


DEEP_SIX = """
import torch.nn as nn

layers = []
for _ in range(6):
    layers += [nn.Linear(64, 64), nn.ReLU()]
net = nn.Sequential(*layers)
"""

OFF_SCALE_3X = """
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(512, 512)
        self.out = nn.Linear(512, 10)
        nn.init.normal_(self.fc.weight, std=0.02)

    def forward(self, x):
        return self.out(F.relu(self.fc(x)))
"""


def test_rule_thresholds_from_config(tmp_path: Path) -> None:
    """IL202's factor and IL501's depth: defaults say nothing here, tighter thresholds do."""
    root = project(tmp_path / "default", "")
    (root / "src" / "model.py").write_text(OFF_SCALE_3X)
    (root / "src" / "deep.py").write_text(DEEP_SIX)
    assert codes(run("check", cwd=root)) == []
    root = project(tmp_path / "tight", "off-scale-factor = 2.5\ndeep-default-depth = 6")
    (root / "src" / "model.py").write_text(OFF_SCALE_3X)
    (root / "src" / "deep.py").write_text(DEEP_SIX)
    assert codes(run("check", cwd=root)) == ["IL202", "IL501"]
    shown = run("check", "--show-settings", cwd=root).stdout
    assert "off-scale-factor: 2.5" in shown and "deep-default-depth: 6" in shown


ZEROED_LSTM = """\
import torch.nn as nn


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(32, 64)
        for name, p in self.lstm.named_parameters():
            if "bias" in name:
                nn.init.zeros_(p)
            else:
                nn.init.orthogonal_(p)
"""


def test_zeroed_lstm_biases_are_opt_in(tmp_path: Path) -> None:
    """IL302's zeroed-biases check is off by default (a common deliberate choice); the setting turns it on."""
    root = project(tmp_path / "default", "")
    (root / "src" / "model.py").write_text(ZEROED_LSTM)
    assert codes(run("check", cwd=root)) == []
    root = project(tmp_path / "on", "zeroed-lstm-biases = true")
    (root / "src" / "model.py").write_text(ZEROED_LSTM)
    assert codes(run("check", cwd=root)) == ["IL302"]
    assert "zeroed-lstm-biases: True" in run("check", "--show-settings", cwd=root).stdout
