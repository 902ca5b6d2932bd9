"""Safe fixes (IL401 -> zeros_, IL402 -> the underscore name): --fix, --diff, stdin, idempotence."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from helpers import initlint

from initlint.analysis import check_source, fix_source
from initlint.config import Settings

CRASHING = """\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(16, 16)  # keep this comment
        self.act = nn.Tanh()
        nn.init.xavier_uniform_(self.fc.weight, gain=nn.init.calculate_gain("tanh"))
        nn.init.xavier_uniform(self.fc.bias)

    def forward(self, x):
        return self.act(self.fc(x))
"""


def test_json_describes_the_fixes() -> None:
    by_code = {f.code: f.fix for f in check_source(CRASHING, "m.py")}
    assert by_code["IL401"] == {
        "applicability": "safe",
        "message": "Replace with `zeros_`",
        "edits": [{"content": "nn.init.zeros_(self.fc.bias)", "location": {"row": 10, "column": 9},
                   "end_location": {"row": 10, "column": 45}}],
    }
    assert by_code["IL402"]["edits"][0]["content"] == "xavier_uniform_"


def test_fix_source_applies_both_and_is_idempotent() -> None:
    fixed_text, fixed, left = fix_source(CRASHING, "m.py", Settings())
    assert fixed == 1 and left == []
    assert "        nn.init.zeros_(self.fc.bias)\n" in fixed_text
    assert "# keep this comment" in fixed_text
    assert fixed_text.replace("nn.init.zeros_(self.fc.bias)", "nn.init.xavier_uniform(self.fc.bias)") == CRASHING
    again, fixed_again, _ = fix_source(fixed_text, "m.py", Settings())
    assert (again, fixed_again) == (fixed_text, 0)


def test_alias_alone_is_renamed() -> None:
    source = CRASHING.replace("nn.init.xavier_uniform(self.fc.bias)", "nn.init.constant(self.fc.bias, 0.0)")
    fixed_text, fixed, left = fix_source(source, "m.py", Settings())
    assert fixed == 1 and left == []
    assert "nn.init.constant_(self.fc.bias, 0.0)" in fixed_text


def test_shared_call_reaching_weights_too_is_split_by_rank() -> None:
    """A loop over a layer's weight and bias: the weight keeps the call, the 1-D bias gets zeros_."""
    source = CRASHING.replace(
        "        nn.init.xavier_uniform(self.fc.bias)\n",
        "        for p in self.parameters():\n            nn.init.xavier_uniform_(p)\n")
    text, fixed, left = fix_source(source, "m.py", Settings())
    assert fixed == 1 and left == []
    assert ("        for p in self.parameters():\n            if p.dim() < 2:\n                nn.init.zeros_(p)\n"
            "            else:\n                nn.init.xavier_uniform_(p)\n") in text


def test_a_loop_reaching_norm_weights_keeps_them_at_one() -> None:
    """zeros_ on a LayerNorm's weight would zero its output: the call is kept for 2-D tensors only."""
    source = CRASHING.replace("        self.act = nn.Tanh()\n", "        self.act = nn.Tanh()\n        self.norm = nn.LayerNorm(16)\n")
    source = source.replace(
        "        nn.init.xavier_uniform(self.fc.bias)\n",
        "        for name, p in self.named_parameters():\n            if \"weight\" in name:\n"
        "                nn.init.xavier_uniform_(p)\n")
    findings = check_source(source, "m.py", Settings())
    assert [f.code for f in findings] == ["IL401"] and "starts at 1" in findings[0].message
    text, fixed, left = fix_source(source, "m.py", Settings())
    assert fixed == 1 and left == []
    assert "                if p.dim() >= 2:\n                    nn.init.xavier_uniform_(p)\n" in text
    direct = CRASHING.replace("        self.act = nn.Tanh()\n", "        self.act = nn.Tanh()\n        self.norm = nn.LayerNorm(16)\n")
    direct = direct.replace("nn.init.xavier_uniform(self.fc.bias)", "nn.init.xavier_uniform_(self.norm.weight)")
    assert "nn.init.ones_(self.norm.weight)" in fix_source(direct, "m.py", Settings())[0]


def test_fixed_model_builds_with_torch() -> None:
    torch = pytest.importorskip("torch")
    namespace: dict[str, object] = {}
    exec(compile(CRASHING, "m.py", "exec"), namespace)  # noqa: S102 - our own test model
    with pytest.warns(FutureWarning), pytest.raises(ValueError, match="Fan in and fan out"):
        namespace["Net"]()  # type: ignore[operator]
    fixed_text, _, _ = fix_source(CRASHING, "m.py", Settings())
    namespace = {}
    exec(compile(fixed_text, "m.py", "exec"), namespace)  # noqa: S102
    net = namespace["Net"]()  # type: ignore[operator]
    assert torch.count_nonzero(net.fc.bias) == 0


def test_cli_diff_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text(CRASHING)
    result = initlint("check", "--diff", str(path))
    assert result.returncode == 1
    assert "-        nn.init.xavier_uniform(self.fc.bias)" in result.stdout
    assert "+        nn.init.zeros_(self.fc.bias)" in result.stdout
    assert path.read_text() == CRASHING


def test_cli_fix_writes_atomically_keeping_bytes(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_bytes(b"\xef\xbb\xbf" + CRASHING.replace("\n", "\r\n").encode())
    os.chmod(path, 0o600)
    result = initlint("check", "--fix", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Fixed 1 finding." in result.stdout
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"nn.init.zeros_(self.fc.bias)\r\n" in data
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["m.py"]
    assert initlint("check", "--diff", str(path)).returncode == 0  # nothing left to do


def test_cli_fix_stdin_prints_the_fixed_code() -> None:
    result = initlint("check", "--fix", "--stdin-filename", "m.py", "-", stdin=CRASHING)
    assert result.returncode == 0
    assert "nn.init.zeros_(self.fc.bias)" in result.stdout
    assert result.stdout.count("class Net") == 1


def test_text_marks_fixable_findings_and_counts_them(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text(CRASHING)
    lines = initlint("check", str(path)).stdout.splitlines()
    assert any(": IL401 [*] " in line for line in lines)
    assert any(": IL402 [*] " in line for line in lines)
    assert lines[-1] == "Found 2 findings in 1 file (2 fixable with --fix)."


def test_exit_non_zero_on_fix(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text(CRASHING)
    assert initlint("check", "--fix", "--exit-non-zero-on-fix", str(path)).returncode == 1
    assert initlint("check", "--fix", "--exit-non-zero-on-fix", str(path)).returncode == 0


UNSAFE = """\
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(512, 512)
        self.gate = nn.Linear(512, 256)
        self.out = nn.Linear(256, 1)
        nn.init.xavier_normal_(self.fc.weight)
        nn.init.kaiming_normal_(self.gate.weight)

    def forward(self, x):
        return self.out(torch.tanh(self.gate(torch.relu(self.fc(x)))))
"""


def test_unsafe_fixes_need_the_flag() -> None:
    assert fix_source(UNSAFE, "m.py", Settings())[1] == 0
    fixed_text, fixed, left = fix_source(UNSAFE, "m.py", Settings(), unsafe=True)
    assert fixed == 2 and left == []
    assert 'nn.init.kaiming_normal_(self.fc.weight, nonlinearity="relu")' in fixed_text
    assert 'nn.init.xavier_normal_(self.gate.weight, gain=nn.init.calculate_gain("tanh"))' in fixed_text


def test_unsafe_fixes_give_the_recommended_statistics() -> None:
    torch = pytest.importorskip("torch")
    fixed_text, _, _ = fix_source(UNSAFE, "m.py", Settings(), unsafe=True)
    namespace: dict[str, object] = {}
    exec(compile(fixed_text, "m.py", "exec"), namespace)  # noqa: S102 - our own test model
    torch.manual_seed(0)
    net = namespace["Net"]()  # type: ignore[operator]
    he = (2 / 512) ** 0.5
    glorot_tanh = 5 / 3 * (2 / (512 + 256)) ** 0.5
    assert abs(net.fc.weight.std().item() / he - 1) < 0.03
    assert abs(net.gate.weight.std().item() / glorot_tanh - 1) < 0.03


def test_fix_many_files_in_parallel(tmp_path: Path) -> None:
    """From 24 files on, --fix runs in a process pool; every file is fixed exactly as one at a time."""
    for index in range(30):
        (tmp_path / f"m{index}.py").write_text(CRASHING)
    result = initlint("check", "--fix", "-j", "2", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Fixed 30 findings." in result.stdout
    single, _, _ = fix_source(CRASHING, "m.py", Settings())
    assert all((tmp_path / f"m{index}.py").read_text() == single for index in range(30))


def test_show_fixes_lists_fixes_per_file_and_rule(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text(CRASHING)
    result = initlint("check", "--fix", "--show-fixes", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Fixed 1 finding:" in result.stdout
    assert f"- {path}:" in result.stdout and "1 x IL401 (fan-init-on-1d-tensor)" in result.stdout


XAVIER_HELPER = """\
import torch.nn as nn


def _xavier_init(block):
    for layer in block.modules():
        if isinstance(layer, nn.Conv2d):
            nn.init.xavier_uniform_(layer.weight)
"""

HELPER_TWICE = XAVIER_HELPER + """


class Head(nn.Module):
    def __init__(self):
        super().__init__()
        self.extra = nn.Sequential(nn.Conv2d(64, 64, 3), nn.ReLU(), nn.Conv2d(64, 64, 3), nn.ReLU())
        self.logits = nn.Sequential(nn.Conv2d(64, 8, 3), nn.Conv2d(8, 8, 1))
        _xavier_init(self.extra)
        _xavier_init(self.logits)

    def forward(self, x):
        return self.logits(self.extra(x))
"""


def test_a_helper_run_for_several_modules_is_fixed_after_the_right_call() -> None:
    """``block[0]`` names a different module in each call of the helper: no `layer is block[0]` test inside
    it; the ReLU convs get He right after ``_xavier_init(self.extra)``, where ``self.extra[0]`` names them."""
    findings = check_source(HELPER_TWICE, "m.py")
    assert [f.code for f in findings] == ["IL101"]
    fixed, count, left = fix_source(HELPER_TWICE, "m.py", Settings(), unsafe=True)
    assert " is block" not in fixed and " in (block" not in fixed
    assert (count, left) == (1, [])
    assert ("        _xavier_init(self.extra)\n"
            '        nn.init.kaiming_uniform_(self.extra[0].weight, nonlinearity="relu")\n'
            '        nn.init.kaiming_uniform_(self.extra[2].weight, nonlinearity="relu")\n'
            "        _xavier_init(self.logits)\n") in fixed
    assert fix_source(fixed, "m.py", Settings(), unsafe=True)[:2] == (fixed, 0)


def test_a_fix_that_does_not_remove_its_finding_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fix whose finding comes back unchanged after it went in (our analysis could not see the fixed code)
    is not applied again and again: the round is dropped and the file is left as it was."""
    from initlint import analysis
    from initlint.findings import Finding
    from initlint.fix import make_fix

    def stubborn(source: str, filename: str, settings: Settings | None = None) -> list[Finding]:
        fix = make_fix("safe", "Add a line", [(2, 1, 2, 1, "x = 1\n")])
        return [Finding("IL402", "always here", filename, 1, 1, 1, 2, fix=fix)]

    monkeypatch.setattr(analysis, "check_source", stubborn)
    text, count, left = fix_source("import torch\ny = 2\n", "m.py", Settings())
    assert (text, count) == ("import torch\ny = 2\n", 0)
    assert [f.code for f in left] == ["IL402"]


CONDITIONAL_APPEND = XAVIER_HELPER + """


class Extractor(nn.Module):
    def __init__(self, highres=False):
        super().__init__()
        extra = nn.ModuleList([nn.Sequential(nn.Conv2d(8, 8, 1), nn.ReLU())])
        if highres:
            extra.append(nn.Sequential(nn.Conv2d(8, 8, 1), nn.ReLU()))
        _xavier_init(extra)
        self.extra = extra

    def forward(self, x):
        for block in self.extra:
            x = block(x)
        return x
"""


def test_no_fix_names_a_module_that_is_only_added_under_an_if() -> None:
    """``extra[1]`` exists only when ``highres``: a fix naming it would crash the default model."""
    fixed, _, _ = fix_source(CONDITIONAL_APPEND, "m.py", Settings(), unsafe=True)
    assert "extra[1]" not in fixed


def test_a_fix_that_breaks_the_code_is_dropped_and_the_others_still_go_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """One fix whose result would not parse costs only itself: the round is retried without it."""
    from initlint import analysis
    from initlint.findings import Finding
    from initlint.fix import make_fix

    def two_fixes(source: str, filename: str, settings: Settings | None = None) -> list[Finding]:
        found = []
        if "y = 2" in source:
            found.append(Finding("IL402", "fixable", filename, 2, 1, 2, 6,
                                 fix=make_fix("safe", "Rename", [(2, 1, 2, 6, "y = 3")])))
        if "z = 4" in source:
            found.append(Finding("IL401", "breaks", filename, 3, 1, 3, 6,
                                 fix=make_fix("safe", "Break", [(3, 1, 3, 6, "z = (")])))
        return found

    monkeypatch.setattr(analysis, "check_source", two_fixes)
    text, count, left = fix_source("import torch\ny = 2\nz = 4\n", "m.py", Settings())
    assert (text, count) == ("import torch\ny = 3\nz = 4\n", 1)
    assert [f.code for f in left] == ["IL401"]


GRU_FORGET = """
import torch.nn as nn


class Encoder(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.gru = nn.GRU(16, hidden, batch_first=True)
        self.cell = nn.GRUCell(16, hidden)
        for name, p in self.gru.named_parameters():
            if "bias" in name:
                nn.init.zeros_(p)
                # the LSTM trick: remember by default
                p.data[hidden:2 * hidden].fill_(1.0)
        nn.init.zeros_(self.cell.bias_ih)
        if True:
            self.cell.bias_ih.data[hidden:2 * hidden].fill_(1.0)

    def forward(self, x):
        return self.gru(x)[0]
"""


def test_gru_update_gate_bias_fix_deletes_the_line_and_its_comment_but_never_empties_a_block() -> None:
    from initlint.analysis import fix_source_codes

    text, codes, left = fix_source_codes(GRU_FORGET, "m.py", Settings(), unsafe=True)
    assert codes.count("IL302") == 1
    assert "remember by default" not in text and "p.data[hidden" not in text
    assert "nn.init.zeros_(p)\n" in text
    assert "        if True:\n            self.cell.bias_ih.data[hidden:2 * hidden].fill_(1.0)\n" in text
    assert [f.code for f in left if f.code == "IL302"] == ["IL302"]
    assert all(f.fix is None for f in left)
    compile(text, "m.py", "exec")


MIXED_CONTAINER = """
import torch.nn as nn


class MLP(nn.Module):
    def __init__(self, width=128, depth=4):
        super().__init__()
        layers = []
        for _ in range(depth):
            layers += [nn.Linear(width, width), nn.ReLU()]
        layers.append(nn.Linear(width, 10))
        self.net = nn.Sequential(*layers)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)

    def forward(self, x):
        return self.net(x)
"""


def test_a_container_that_also_holds_layers_the_call_suits_is_not_used_as_a_test() -> None:
    """``m in self.net`` would also reach the output layer, which Xavier suits: not written."""
    findings = check_source(MIXED_CONTAINER, "m.py", Settings())
    assert [f.code for f in findings] == ["IL101"]
    fix = findings[0].fix
    assert fix is None or all("in self.net" not in e["content"] for e in fix["edits"])
    if fix is None:
        assert findings[0].no_fix


def _every_finding(paths: list[Path]) -> list:
    return [f for path in paths for f in check_source(path.read_text(encoding="utf-8"), str(path), Settings())]


def test_every_finding_without_a_fix_says_why() -> None:
    root = Path(__file__).resolve().parent
    paths = sorted([*(root.parent / "examples").glob("*.py"), *(root / "data").glob("graded*/*.py")])
    found = _every_finding(paths)
    assert found
    missing = [(f.filename, f.row, f.code) for f in found if f.fix is None and not f.no_fix]
    assert not missing
    assert all(f.no_fix is None for f in found if f.fix is not None)


def test_show_fixes_lists_the_findings_without_a_fix_and_why(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text(MIXED_CONTAINER.replace("xavier_uniform_(m.weight)", "xavier_uniform_(m.weight, generator=g)"),
                    encoding="utf-8")
    result = initlint("check", "--show-fixes", str(path))
    assert result.returncode == 1
    assert "No fix for 1 finding:" in result.stdout
    assert f"{path}:15:17: IL101: the call draws from its own `generator=`" in result.stdout
    data = json.loads(initlint("check", "--output-format", "json", str(path)).stdout)
    assert data[0]["fix"] is None and "generator" in data[0]["no_fix_reason"]
