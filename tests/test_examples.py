"""The example models in ``examples/``: every ``bad_*`` file yields exactly its expected codes, every
``good_*`` file yields nothing.

Each example is also run as a script when torch is installed, so the examples stay real models
(``bad_bias_fan_init.py`` catches the ValueError its own init raises and reports it).
"""

from __future__ import annotations

import contextlib
import runpy
from pathlib import Path

import pytest

from initlint.analysis import check_source

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# file -> the set of codes it must yield (and nothing else)
EXPECTED_BAD: dict[str, set[str]] = {
    "bad_mlp_xavier_relu.py": {"IL101"},
    "bad_tanh_rnn_cell_kaiming.py": {"IL102"},
    "bad_gain_mismatch.py": {"IL103"},
    "bad_selu_net.py": {"IL104"},
    "bad_bias_fan_init.py": {"IL401"},
    "bad_deprecated_aliases.py": {"IL402"},
    "bad_dcgan_dispatch.py": {"IL102"},
    "bad_zero_hidden_layer.py": {"IL201"},
    "bad_fixed_std_deep_mlp.py": {"IL202"},
    "bad_conv_fan_formula.py": {"IL203"},
    "bad_lstm_default_recurrent.py": {"IL301"},
    "bad_forget_bias_slice.py": {"IL302"},
    "bad_deep_default_mlp.py": {"IL501"},
}

# file -> number of findings, where one finding per wrong call site is known
EXPECTED_COUNT: dict[str, int] = {
    "bad_mlp_xavier_relu.py": 1,  # one call in a modules() loop reaching every hidden Linear
    "bad_tanh_rnn_cell_kaiming.py": 2,  # ih and hh
    "bad_gain_mismatch.py": 1,  # one call in a loop over three convs
    "bad_selu_net.py": 1,
    "bad_bias_fan_init.py": 3,  # weight branch (LayerNorm weight), bias branch, orthogonal_ on gamma
    "bad_deprecated_aliases.py": 5,
    "bad_dcgan_dispatch.py": 1,  # one dispatched call, reported once
    "bad_zero_hidden_layer.py": 1,  # one constant_ in a modules() loop; the output layer is not reported
    "bad_fixed_std_deep_mlp.py": 1,  # one normal_ in a modules() loop; the value head is not reported
    "bad_conv_fan_formula.py": 1,  # one formula in a modules() loop reaching all eight convs
    "bad_lstm_default_recurrent.py": 1,  # reported once, where the GRU is built
    "bad_forget_bias_slice.py": 1,  # the fill_ on rows [2h:3h]
    "bad_deep_default_mlp.py": 1,  # one stack of ten Linear+ReLU, reported at its first layer
}

BAD = sorted(p.name for p in EXAMPLES.glob("bad_*.py"))
GOOD = sorted(p.name for p in EXAMPLES.glob("good_*.py"))


def findings_for(name: str):
    path = EXAMPLES / name
    return check_source(path.read_bytes(), str(path))


def _show(found) -> str:
    return "\n".join(f"{f.code} {f.row}: {f.message}" for f in found) or "no findings"


def test_every_bad_example_has_an_expectation():
    assert set(BAD) == set(EXPECTED_BAD)
    assert {"good_resnet_block.py", "good_transformer_mlp.py", "good_lstm_tagger.py", "good_selu_mlp.py",
            "good_config_activation.py", "good_zero_init_residual.py", "good_lstm_forget_bias.py"} <= set(GOOD)


@pytest.mark.parametrize("name", BAD)
def test_bad_example_yields_its_codes(name):
    found = findings_for(name)
    assert found, f"{name}: no findings"
    assert {f.code for f in found} == EXPECTED_BAD[name], _show(found)
    assert len(found) == EXPECTED_COUNT[name], _show(found)


@pytest.mark.parametrize("name", GOOD)
def test_good_example_is_clean(name):
    found = findings_for(name)
    assert not found, _show(found)


def test_dcgan_dispatch_names_the_tanh_output_layer():
    (finding,) = findings_for("bad_dcgan_dispatch.py")
    # The generator's last ConvTranspose2d (main.9) feeds Tanh. The discriminator's last Conv2d(256, 1, 4)
    # feeds Sigmoid, but with fan_in=4096 and fan_out=16 He's sqrt(2/4096) and Glorot's sqrt(2/4112) agree, so
    # it is not worth a finding; the convs that feed BatchNorm or LeakyReLU are not named either.
    assert "`main.9`" in finding.message
    assert "`main.8`" not in finding.message
    assert "`main.0`" not in finding.message


def test_dcgan_layer_sizes_are_known():
    (finding,) = findings_for("bad_dcgan_dispatch.py")
    assert "ConvTranspose2d(64, 3, 4)" in finding.message


@pytest.mark.parametrize("name", BAD + GOOD)
def test_example_runs(name, capsys):
    pytest.importorskip("torch")
    with pytest.warns(FutureWarning) if name == "bad_deprecated_aliases.py" else contextlib.nullcontext():
        runpy.run_path(str(EXAMPLES / name), run_name="__main__")
    out = capsys.readouterr().out
    if name == "bad_bias_fan_init.py":
        assert "Fan in and fan out can not be computed" in out
    else:
        assert out.strip()

