"""Whole-file fixes pinned by golden files (``tests/golden/*.in.py`` -> ``*.out.py``), as TorchFix does.

Every fixable rule has a case, including a ``modules()`` dispatch, a module-level ``apply`` function and
``named_parameters()`` loops. For each: ``--fix --unsafe-fixes`` turns the input into exactly the output,
fixing again changes nothing, nothing fixable is left, and the output still compiles. With torch, the fixed
models are built and their weights measured: the std of each fixed layer is the formula's within a few
percent, recurrent gate blocks are orthogonal, the forget-gate bias is 1 and the input gate's 0, and a
model that crashed at construction builds.

Regenerate an output after a deliberate change with ``python tests/test_golden.py NAME`` and review the diff.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

from initlint.analysis import check_source, fix_source
from initlint.config import Settings

GOLDEN = Path(__file__).resolve().parent / "golden"
# Every check on, the opt-in ones too (IL302's zeroed LSTM biases), so each fix is pinned.
SETTINGS = Settings(zeroed_lstm_biases=True)
CASES = sorted(p.name[: -len(".in.py")] for p in GOLDEN.glob("*.in.py"))


def _fixed(name: str) -> tuple[str, int, list]:
    source = (GOLDEN / f"{name}.in.py").read_text(encoding="utf-8")
    return fix_source(source, f"{name}.py", SETTINGS, unsafe=True)


def test_every_fixable_rule_has_a_golden_case() -> None:
    from initlint.registry import RULES

    covered: set[str] = set()
    for name in CASES:
        source = (GOLDEN / f"{name}.in.py").read_text(encoding="utf-8")
        covered |= {f.code for f in check_source(source, name, SETTINGS) if f.fix is not None}
    fixable = {code for code, rule in RULES.items() if rule.fix != "none" and rule.default}
    assert fixable <= covered, sorted(fixable - covered)


@pytest.mark.parametrize("name", CASES)
def test_golden_fix(name: str) -> None:
    fixed, count, left = _fixed(name)
    expected = (GOLDEN / f"{name}.out.py").read_text(encoding="utf-8")
    assert count > 0
    assert fixed == expected
    compile(fixed, name, "exec")
    assert [f for f in left if f.fix is not None] == []


@pytest.mark.parametrize("name", CASES)
def test_golden_fix_is_idempotent(name: str) -> None:
    expected = (GOLDEN / f"{name}.out.py").read_text(encoding="utf-8")
    again, count, _ = fix_source(expected, f"{name}.py", SETTINGS, unsafe=True)
    assert (again, count) == (expected, 0)


# --------------------------------------------------------------------------- the fixed models, built


def _build(name: str, cls: str, *args: object):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    namespace: dict[str, object] = {"__name__": f"golden_{name}"}
    source = (GOLDEN / f"{name}.out.py").read_text(encoding="utf-8")
    exec(compile(source, f"{name}.out.py", "exec"), namespace)  # noqa: S102 - our own golden model
    return namespace[cls](*args)  # type: ignore[operator]


def _close(measured: float, wanted: float, rel: float = 0.05) -> bool:
    return abs(measured / wanted - 1) <= rel


def test_split_fix_gives_relu_convs_he_and_keeps_glorot_for_the_tanh_layer() -> None:
    model = _build("il101_modules_loop_split", "Encoder")
    fan_in = 32 * 9
    assert _close(model.conv2.weight.std().item(), math.sqrt(2 / fan_in))
    assert _close(model.proj.weight.std().item(), math.sqrt(2 / (64 + 64)))


def test_parameters_loop_override_gives_the_relu_layers_he_and_keeps_xavier_for_the_head() -> None:
    model = _build("il101_parameters_loop_override", "Policy")
    assert _close(model.fc1.weight.std().item(), math.sqrt(2 / 64))
    assert _close(model.fc2.weight.std().item(), math.sqrt(2 / 256))
    assert _close(model.out.weight.std().item(), math.sqrt(2 / (256 + 4)), rel=0.1)


def test_named_parameters_fix_gives_hidden_layers_he() -> None:
    model = _build("il201_il202_named_parameters", "MLP")
    assert _close(model.fc1.weight.std().item(), math.sqrt(2 / 784))
    assert _close(model.fc2.weight.std().item(), math.sqrt(2 / 512))
    assert _close(model.fc3.weight.std().item(), 0.005, rel=0.1)  # the head keeps its small init


def test_fan_formula_fix_gives_he_over_the_real_fan_in() -> None:
    model = _build("il203_fan_formula", "ConvNet")
    assert _close(model.features[2].weight.std().item(), math.sqrt(2 / (64 * 9)))


def test_recurrent_fix_makes_every_gate_block_orthogonal() -> None:
    torch = pytest.importorskip("torch")
    model = _build("il301_lstm_weights_loop", "Tagger")
    for module, gates in ((model.lstm, 4), (model.gru, 3)):
        for name, weight in module.named_parameters():
            if "weight_hh" not in name:
                continue
            for block in weight.detach().chunk(gates, 0):
                eye = torch.eye(block.shape[1])
                assert torch.allclose(block.T @ block, eye, atol=1e-5), name
    assert _close(model.lstm.weight_ih_l0.std().item(), math.sqrt(2 / (64 + 4 * 128)))  # xavier kept


def test_forget_bias_fix_sets_the_forget_gate_to_one_and_the_input_gate_to_zero() -> None:
    torch = pytest.importorskip("torch")
    model = _build("il302_forget_bias", "Decoder")
    h = 64
    for name, bias in model.rnn.named_parameters():
        if "bias" in name:
            assert torch.all(bias[h:2 * h] == 1) and torch.all(bias[:h] == 0) and torch.all(bias[2 * h:] == 0)
    total = model.cell.bias_ih + model.cell.bias_hh  # what the gates see
    assert torch.all(total[h:2 * h] == 1) and torch.all(total[:h] == 0) and torch.all(total[2 * h:] == 0)


def test_model_that_crashed_at_construction_now_builds() -> None:
    torch = pytest.importorskip("torch")
    namespace: dict[str, object] = {}
    source = (GOLDEN / "il401_il402_safe.in.py").read_text(encoding="utf-8")
    exec(compile(source, "in.py", "exec"), namespace)  # noqa: S102
    with pytest.warns(FutureWarning), pytest.raises(ValueError, match="Fan in and fan out"):
        namespace["Head"]()  # type: ignore[operator]
    model = _build("il401_il402_safe", "Head")
    assert torch.count_nonzero(model.fc.bias) == 0


def test_call_fixes_turn_the_crash_into_torchs_gains() -> None:
    torch = pytest.importorskip("torch")
    namespace: dict[str, object] = {}
    source = (GOLDEN / "il403_il404_il409_calls.in.py").read_text(encoding="utf-8")
    exec(compile(source, "in.py", "exec"), namespace)  # noqa: S102
    with pytest.raises(ValueError, match="not supported|Unsupported nonlinearity"):
        namespace["Encoder"]()  # type: ignore[operator]
    model = _build("il403_il404_il409_calls", "Encoder", 256, torch.nn.ReLU())
    fan_out = 64 * 9  # mode="fan_out", PReLU's slope 0.25
    assert _close(model.stem.weight.std().item(), math.sqrt(2 / (1 + 0.25 ** 2)) / math.sqrt(fan_out))
    assert abs(model.cls.weight.mean().item()) < 1e-3  # uniform(-b, b): no shift


def test_code_fixes_make_a_model_that_crashed_build() -> None:
    torch = pytest.importorskip("torch")
    namespace: dict[str, object] = {}
    source = (GOLDEN / "il407_il408_il410_il504_code.in.py").read_text(encoding="utf-8")
    exec(compile(source, "in.py", "exec"), namespace)  # noqa: S102
    with pytest.raises(ValueError, match="2 or more dimensions"):  # the always-true test sends biases on
        namespace["Backbone"]()  # type: ignore[operator]
    model = _build("il407_il408_il410_il504_code", "Backbone")
    h = 64
    assert torch.all(model.lstm.bias_hh_l0[h:2 * h] == 1.0)  # the forget-gate slice written through .data
    assert model.conv.bias is None and torch.count_nonzero(model.fc.bias) == 0


def test_deep_stack_fix_gives_every_layer_he() -> None:
    model = _build("il501_deep_stack", "DeepMLP")
    for index in range(0, 24, 2):
        assert _close(model.body[index].weight.std().item(), math.sqrt(2 / 256), rel=0.06)


def test_added_import_makes_the_fix_run() -> None:
    model = _build("import_added", "Net")
    assert _close(model.fc1.weight.std().item(), math.sqrt(2 / 100), rel=0.1)


if __name__ == "__main__":  # regenerate outputs: python tests/test_golden.py NAME [NAME ...]
    for case in sys.argv[1:] or CASES:
        text, _, _ = _fixed(case)
        (GOLDEN / f"{case}.out.py").write_text(text, encoding="utf-8")
        print(f"wrote {case}.out.py")


def test_container_split_gives_the_loop_built_layers_he_and_keeps_xavier_for_the_head() -> None:
    model = _build("il101_container_membership", "TabularMLP")
    for index in (0, 2, 5, 8):
        fan_in = model.body[index].weight.shape[1]
        assert _close(model.body[index].weight.std().item(), math.sqrt(2 / fan_in)), index
    for layer in model.extra:
        assert _close(layer.weight.std().item(), math.sqrt(2 / 256))
    assert _close(model.head.weight.std().item(), math.sqrt(2 / (256 + 5)), rel=0.1)


def test_gru_fix_leaves_every_gru_bias_at_zero() -> None:
    torch = pytest.importorskip("torch")
    model = _build("il302_gru_update_bias", "Encoder")
    for name, bias in model.gru.named_parameters():
        if "bias" in name:
            assert torch.count_nonzero(bias) == 0, name
    assert torch.count_nonzero(model.cell.bias_ih) == 0  # bias_hh keeps torch's default, as the code had it
