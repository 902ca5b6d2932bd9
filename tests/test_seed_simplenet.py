"""The seed document's own ``SimpleNet`` (shared/seeds/001, section 2.4.4), exactly as written there.

``init_method`` picks xavier / he / small_random / large_random for three Linear layers before ReLU; the
sizes come only from the module-level ``SimpleNet(input_size, hidden_size, output_size, ...)`` calls with
``input_size, hidden_size, output_size = 100, 100, 10``, and forward() keeps detached copies of the
activations (which change nothing about where ``x`` goes). Issue 16's "done means": IL101 on fc1/fc2 under
'xavier', IL202 under 'small_random' and 'large_random' with those numbers, 'he' and 'default' silent.
"""

from __future__ import annotations

import math
from pathlib import Path

from initlint.analysis import check_source, picture_of
from initlint.explain import silence_reason
from initlint.picture.catalog import fmt

SEED = (Path(__file__).parent / "data" / "seed_simplenet.py").read_text(encoding="utf-8")
SIZES = "(sizes from `SimpleNet(100, 100, 10, ...)` at line 51 and 4 more calls that agree)"
HE = math.sqrt(2 / 100)  # ReLU after Linear(100, 100)


def test_the_seed_simplenet_gets_il101_and_il202_per_option_with_its_numbers() -> None:
    found = sorted((f.row, f.code, f.message) for f in check_source(SEED, "seed_simplenet.py"))
    assert [(row, code) for row, code, _ in found] == [
        (17, "IL101"), (18, "IL101"), (25, "IL202"), (26, "IL202"), (29, "IL202"), (30, "IL202")]
    messages = {row: message for row, _, message in found}
    for row, layer in ((17, "fc1"), (18, "fc2")):
        assert messages[row].startswith(f"With `init_method='xavier'`: Xavier init on `{layer}`, which feeds ReLU.")
        assert f"fan_in=100, fan_out=100 for `{layer}` {SIZES} it gives std {fmt(math.sqrt(2 / 200))} where " \
               f"He init wants {fmt(HE)}" in messages[row]
    for row, std, option in ((25, 0.01, "small_random"), (26, 0.01, "small_random"), (29, 1.0, "large_random"),
                             (30, 1.0, "large_random")):
        message = messages[row]
        assert message.startswith(f"With `init_method='{option}'`: `normal_` with std={fmt(std)} gives `fc")
        assert f"fan_in=100, fan_out=100 {SIZES} and ReLU after it the layer wants sqrt(2/fan_in) = {fmt(HE)}" \
               in message
        ratio, direction = (HE / std, "too small") if std < HE else (std / HE, "too large")
        assert f"{fmt(ratio)}x {direction}" in message


def test_he_and_the_output_layer_are_silent_and_say_why() -> None:
    picture = picture_of(SEED)
    explained = {e.line: e for e in picture.explain()}
    for row in (21, 22):  # kaiming_normal_ (fan_in, leaky_relu a=0: gain sqrt 2) before ReLU: He itself
        assert explained[row].conditions[-1] == "init_method == 'he'"
        assert explained[row].reached[0].layer.endswith("(Linear(100, 100))")
        assert explained[row].reached[0].follows == "ReLU, then linear"
        assert silence_reason(explained[row], picture).startswith("no rule objects")
    for row in (19, 23, 27, 31):  # fc3 is the output layer: its scale is the designer's choice
        assert explained[row].reached[0].layer == "fc3 (Linear(100, 10))"
        assert explained[row].reached[0].follows == "output"


def test_the_default_option_runs_no_init_at_all() -> None:
    """'default' keeps PyTorch's own init: every init call of the file runs under another option."""
    picture = picture_of(SEED)
    options = {c.option for site in picture.inits for c in site.path if c.option and c.option[2]}
    assert {value for subject, value, _ in options if subject == "init_method"} == {
        "xavier", "he", "small_random", "large_random"}
    assert all(any(c.option and c.option[2] for c in site.path) for site in picture.inits)
