"""Wrong results, exit codes and tracebacks of the command line, each pinned by the mechanism that fixes it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import BAD_MODEL, GOOD_MODEL
from test_robust_io import run

from initlint import checks
from initlint.analysis import check_source, fix_source
from initlint.config import ConfigError, Settings, find_config, load_settings


def test_empty_select_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(BAD_MODEL)
    code, _, err = run("check", "--select", "", str(tmp_path))
    assert code == 2 and "at least one rule code" in err


def test_fix_and_add_noqa_together_are_refused(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(BAD_MODEL)
    code, _, err = run("check", "--fix", "--add-noqa", str(tmp_path))
    assert code == 2 and "cannot be combined" in err
    assert (tmp_path / "m.py").read_text() == BAD_MODEL


def test_statistics_in_json(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(BAD_MODEL)
    code, out, _ = run("check", "--statistics", "--output-format", "json", str(tmp_path))
    assert code == 1 and json.loads(out) == [
        {"code": "IL101", "name": "rectifier-needs-he", "count": 1, "fixable": 1}]


def test_diff_of_an_unparsable_file_is_not_a_clean_pass(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("import torch\ndef (:\n")
    code, out, err = run("check", "--diff", str(tmp_path))
    assert code == 1 and out == "" and "IL001" in err


def test_ignore_il0_ignores_il001(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("import torch\ndef (:\n")
    assert run("check", str(tmp_path))[0] == 1
    assert run("check", "--ignore", "IL0", str(tmp_path))[0] == 0
    assert Settings(ignore=("IL0",)).enabled("IL001") is False


def test_module_entry_point_knows_every_helper(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(BAD_MODEL)
    result = subprocess.run([sys.executable, "-m", "initlint.cli", "check", "--diff", "--show-fixes",
                             "--unsafe-fixes", str(tmp_path)], capture_output=True, text=True, check=False)
    assert result.returncode == 1 and "NameError" not in result.stderr
    assert "1 x IL101" in result.stderr and "+        nn.init.kaiming_uniform_" in result.stdout


def test_an_unreadable_file_named_explicitly_is_il001(tmp_path: Path) -> None:
    (tmp_path / "gone.py").symlink_to(tmp_path / "missing.py")
    os.mkfifo(tmp_path / "fifo.py")
    code, out, _ = run("check", str(tmp_path / "gone.py"), str(tmp_path / "fifo.py"))
    assert code == 1 and out.count("IL001") == 2


def test_unicode_escape_files_are_not_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    data = ("# coding: unicode_escape\n" + BAD_MODEL).encode("ascii")
    path.write_bytes(data)
    code, _, err = run("check", "--fix", "--unsafe-fixes", str(path))
    assert code == 2 and "unicode_escape" in err and path.read_bytes() == data


def test_syntax_error_positions_are_cpythons() -> None:
    (finding,) = check_source("import torch\nx = (1,\n    2 +)\n", "m.py")
    assert (finding.code, finding.row, finding.column) == ("IL001", 3, 8)
    (nul,) = check_source("import torch\nx = 1  # a\0b\n", "m.py")
    assert (nul.code, nul.row, nul.column) == ("IL001", 2, 11)
    (tab,) = check_source("import torch\nif x:\n        a = 1\n\tb = 2\n", "m.py")
    assert (tab.code, tab.row) == ("IL001", 4) and "indent" in tab.message


@pytest.mark.parametrize("depth", [300, 1300, 8000])
def test_deep_nesting_follows_cpython(depth: int) -> None:
    parens = "import torch\nx = " + "(" * depth + "1" + ")" * depth + "\n"
    (finding,) = check_source(parens, "m.py")
    assert finding.code == "IL001" and "parenthes" in finding.message  # CPython's limit is 200
    chain = "import torch\nx = a" + ".b" * depth + "\n"
    found = check_source(chain, "m.py")
    compiles = depth < 2000
    assert [f.code for f in found] == ([] if compiles else ["IL001"])


def test_a_long_sum_cpython_accepts_is_analysed() -> None:
    source = BAD_MODEL + "N = " + " + ".join(["1"] * 1000) + "\n"
    assert [f.code for f in check_source(source, "m.py")] == ["IL101"]


def test_fix_names_torch_through_a_name_bound_there() -> None:
    source = BAD_MODEL.replace("import torch.nn as nn\n", "import torch.nn as nn\nfrom torch.nn import init\n")
    source = source.replace("def __init__(self):", "def __init__(self, init=None):").replace(
        "nn.init.xavier_uniform_", "init.xavier_uniform_")
    text, fixed, _ = fix_source(source, "m.py", Settings(), unsafe=True)
    assert fixed == 1 and 'nn.init.kaiming_uniform_(self.fc.weight, nonlinearity="relu")' in text


def test_fix_code_uses_the_files_indentation() -> None:
    tabbed = BAD_MODEL.replace("    ", "\t").replace(
        "\t\tnn.init.xavier_uniform_(self.fc.weight)\n",
        "\t\tfor p in self.parameters():\n\t\t\tnn.init.kaiming_uniform_(p)\n")
    text, fixed, _ = fix_source(tabbed, "m.py", Settings(), unsafe=True)
    assert fixed == 1 and "\t\t\tif p.dim() < 2:\n\t\t\t\tnn.init.zeros_(p)\n\t\t\telse:\n" in text
    assert "    " not in text
    two = BAD_MODEL.replace("    ", "  ").replace("nn.init.xavier_uniform_(self.fc.weight)",
                                                  "for p in self.parameters():\n      nn.init.kaiming_uniform_(p)")
    text, fixed, _ = fix_source(two, "m.py", Settings(), unsafe=True)
    assert fixed == 1 and "      if p.dim() < 2:\n        nn.init.zeros_(p)\n      else:\n" in text


@pytest.mark.internal_error_expected
def test_one_crashing_rule_keeps_the_others_findings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def broken(*args: object) -> list[object]:
        raise KeyError("boom")

    monkeypatch.setattr(checks, "CHECKS", (broken, *checks.CHECKS))
    source = BAD_MODEL.replace("nn.init.xavier_uniform_(self.fc.weight)",
                               "nn.init.xavier_uniform_(self.fc.weight)\n        nn.init.xavier_uniform(self.fc.weight)")
    found = check_source(source, "m.py")
    assert sorted(f.code for f in found) == ["IL000", "IL101", "IL402"]
    internal = next(f for f in found if f.code == "IL000")
    assert internal.severity == "internal" and "KeyError" in internal.message and "Traceback" in internal.detail
    (tmp_path / "m.py").write_text(source)
    code, _, err = run("check", "--verbose", "--select", "IL4", str(tmp_path))
    assert code == 2 and "Traceback" in err and "boom" in err


def test_a_crashing_fix_builder_keeps_its_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    from initlint import fix

    def broken(*args: object, **kwargs: object) -> object:
        raise ValueError("no")

    monkeypatch.setattr(fix, "init_module", broken)
    (finding,) = check_source(BAD_MODEL, "m.py")
    assert finding.code == "IL101" and finding.fix is None and "internal error while building the fix" in finding.no_fix


def test_pyproject_files_that_are_not_ours_never_stop_the_run(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b'[project]\nname = "caf\xe9"\n')
    inner = tmp_path / "a"
    inner.mkdir()
    (inner / "pyproject.toml").write_text("tool = 1\n")
    assert find_config(inner / "b" if (inner / "b").mkdir() is None else inner) is None
    (inner / "pyproject.toml").write_text("tool = 1\n[x]\n")
    assert load_settings(cwd=inner) == Settings()


def test_a_broken_config_of_ours_is_a_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_bytes(b'[tool.initlint]\nselect = ["IL1"]  # caf\xe9\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_settings(str(config))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_settings(cwd=tmp_path)
    config.write_text("tool = 1\n")
    with pytest.raises(ConfigError, match="`tool` must be a table"):
        load_settings(str(config))
    code, _, err = run("check", "--config", str(config), str(tmp_path))
    assert code == 2 and "must be a table" in err


def test_good_model_stays_clean() -> None:
    assert check_source(GOOD_MODEL, "m.py") == []
