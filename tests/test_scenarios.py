"""Per-option scenarios and sizes from where a module is built (issue 16, items 1 and 2).

Each option of an ``if init == ...`` switch is judged as its own scenario and the finding names it (and
whether it is the default); constructor sizes come from the file's own instantiations when they all agree.
Each "stays silent" test shows through ``Picture.explain()`` that the site was seen and why nothing is said.
"""

from __future__ import annotations

import math
import textwrap

import pytest

from initlint.analysis import check_source, picture_of
from initlint.explain import silence_reason
from initlint.picture.catalog import fmt


def findings(source: str) -> list[tuple[str, int, str]]:
    out = check_source(textwrap.dedent(source), "m.py")
    assert not [f for f in out if f.code in ("IL000", "IL001")], out
    return sorted((f.code, f.row, f.message) for f in out)


def explained(source: str) -> dict[int, tuple[list[str], list[str], str]]:
    """Per init line: the layers it reaches (display), the conditions it runs under and why it is silent
    (or the verdict)."""
    picture = picture_of(textwrap.dedent(source))
    return {e.line: ([r.layer for r in e.reached], e.conditions, silence_reason(e, picture))
            for e in picture.explain()}


# A seed-style network without forward() side uses: the sizes come only from the module-level calls.
SWITCH = """\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, input_size, hidden_size, output_size, init_method='default'):
        super().__init__()
        self.fc1 = nn.Linear(input_size, hidden_size)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(hidden_size, hidden_size)
        self.fc3 = nn.Linear(hidden_size, output_size)
        if init_method == 'xavier':
            nn.init.xavier_normal_(self.fc1.weight)
        elif init_method == 'he':
            nn.init.kaiming_normal_(self.fc1.weight)
        elif init_method == 'small_random':
            nn.init.normal_(self.fc1.weight, std=0.01)

    def forward(self, x):
        x = self.relu(self.fc1(x))
        x = self.relu(self.fc2(x))
        return self.fc3(x)


input_size, hidden_size, output_size = 100, 100, 10
nets = [Net(input_size, hidden_size, output_size, 'xavier'), Net(input_size, hidden_size, output_size, 'he')]
"""


def test_module_level_instantiation_gives_sizes_and_each_option_is_named() -> None:
    got = findings(SWITCH)
    assert [(code, line) for code, line, _ in got] == [("IL101", 12), ("IL202", 16)]
    xavier, small = got[0][2], got[1][2]
    assert xavier.startswith("With `init_method='xavier'`: Xavier init on `fc1`, which feeds ReLU.")
    he = math.sqrt(2 / 100)
    assert f"fan_in=100, fan_out=100 for `fc1` (sizes from `Net(100, 100, 10, ...)` at line 25 and 1 more call " \
           f"that agrees) it gives std {fmt(math.sqrt(2 / 200))} where He init wants {fmt(he)}" in xavier
    assert small.startswith("With `init_method='small_random'`: `normal_` with std=0.01 gives `fc1`")
    assert f"{fmt(he / 0.01)}x too small" in small


def test_the_fitting_option_stays_silent_with_its_sizes_known() -> None:
    seen = explained(SWITCH)
    layers, conditions, reason = seen[14]
    assert layers == ["fc1 (Linear(100, 100))"]
    assert conditions == ["not (init_method == 'xavier')", "init_method == 'he'"]
    assert reason.startswith("no rule objects")


def test_parent_fills_the_sizes_of_the_block_it_builds() -> None:
    got = findings(
        """
        import torch.nn as nn

        class FeedForward(nn.Module):
            def __init__(self, dim, hidden):
                super().__init__()
                self.fc1 = nn.Linear(dim, hidden)
                self.fc2 = nn.Linear(hidden, dim)
                nn.init.normal_(self.fc1.weight, std=0.001)

            def forward(self, x):
                return self.fc2(self.fc1(x).relu())

        class Tower(nn.Module):
            def __init__(self, dim=512):
                super().__init__()
                self.ff = FeedForward(dim, 4 * dim)

            def forward(self, x):
                return self.ff(x)
        """)
    assert [(code, line) for code, line, _ in got] == [("IL202", 9)]
    assert "`fc1` (Linear(512, 2048)" in got[0][2]
    assert "(sizes from `FeedForward(512, 2048)` at line 17, the file's only call)" in got[0][2]


def test_sizes_follow_a_chain_of_instantiations_and_a_factory() -> None:
    got = findings(
        """
        import torch.nn as nn

        class Block(nn.Module):
            def __init__(self, width):
                super().__init__()
                self.fc = nn.Linear(width, width)
                self.out = nn.Linear(width, 1)
                nn.init.normal_(self.fc.weight, std=0.001)

            def forward(self, x):
                return self.out(self.fc(x).relu())

        class Model(nn.Module):
            def __init__(self, width):
                super().__init__()
                self.block = Block(width * 2)

            def forward(self, x):
                return self.block(x)

        def build():
            return Model(32)
        """)
    assert [(code, line) for code, line, _ in got] == [("IL202", 9)]
    assert "`fc` (Linear(64, 64)" in got[0][2] and "`Block(64)`" in got[0][2]


DISAGREE = """\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.fc = nn.Linear(width, width)
        self.out = nn.Linear(width, 1)
        nn.init.normal_(self.fc.weight, std=0.01)

    def forward(self, x):
        return self.out(self.fc(x).relu())


small = Net(16)
{second}
"""


def test_instantiations_that_disagree_leave_the_size_unknown() -> None:
    """``Net(16)`` and ``Net(4096)``: std 0.01 is 8.8x small for one and 1.1x for... neither is picked."""
    source = DISAGREE.format(second="large = Net(4096)")
    assert findings(source) == []
    layers, _, reason = explained(source)[9]
    assert layers == ["fc (Linear(?, ?))"]
    assert reason.startswith("no rule objects")
    # one agreeing call gives the sizes, and the finding
    assert [(c, line) for c, line, _ in findings(DISAGREE.format(second="again = Net(16)"))] == [("IL202", 9)]


def test_a_class_passed_as_a_value_or_built_where_nothing_runs_gets_no_sizes() -> None:
    for second in ("factory = make(Net, 16)", "def later(self):\n    return Net(16) if self else Net(4096)",
                   "nets = [Net(w) for w in widths]", "large = Net(*sizes)"):
        source = DISAGREE.format(second=second)
        assert findings(source) == [], second
        assert explained(source)[9][0] == ["fc (Linear(?, ?))"], second


CYCLEGAN = """\
import torch.nn as nn
from torch.nn import init


def init_weights(net, init_type='normal', init_gain=0.02):
    def init_func(m):
        classname = m.__class__.__name__
        if hasattr(m, 'weight') and classname.find('Conv') != -1:
            if init_type == 'normal':
                init.normal_(m.weight.data, 0.0, init_gain)
            elif init_type == 'xavier':
                init.xavier_normal_(m.weight.data, gain=init_gain)
            elif init_type == 'kaiming':
                init.kaiming_normal_(m.weight.data, a=0, mode='fan_in')
    net.apply(init_func)


def init_net(net, init_type='normal', init_gain=0.02):
    init_weights(net, init_type, init_gain=init_gain)
    return net


class D(nn.Module):
    def __init__(self, nc=3, ndf=64):
        super().__init__()
        self.net = nn.Sequential(nn.Conv2d(nc, ndf, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(ndf, 1, 4))

    def forward(self, x):
        return self.net(x)


netD = init_net(D())
"""


def test_a_closure_sees_the_options_of_the_call_that_applies_it_and_names_the_default() -> None:
    got = findings(CYCLEGAN)
    assert [(code, line) for code, line, _ in got] == [("IL101", 12), ("IL202", 10), ("IL202", 12)]
    family, normal, xavier = got[0][2], got[1][2], got[2][2]
    assert family.startswith("With `init_type='xavier'`: Xavier init on `net.0`")
    wanted = math.sqrt(2 / (1 + 0.2**2)) / math.sqrt(48)
    assert normal.startswith("With `init_type='normal'` (the default): `normal_` with std=0.02 gives `net.0` "
                             "(Conv2d(3, 64, 4)")
    assert f"{fmt(wanted / 0.02)}x too small" in normal
    assert xavier.startswith("With `init_type='xavier'`: `xavier_normal_` with gain=0.02")


def test_the_kaiming_option_of_the_closure_stays_silent() -> None:
    layers, conditions, reason = explained(CYCLEGAN)[14]
    assert layers == ["net.0 (Conv2d(3, 64, 4))", "net.2 (Conv2d(64, 1, 4))"]
    assert conditions[-1] == "init_type == 'kaiming'"
    assert reason.startswith("no rule objects")


def test_flags_and_else_arms_are_named() -> None:
    got = findings(
        """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self, use_he=True, scheme='he'):
                super().__init__()
                self.fc = nn.Linear(256, 256)
                self.fc2 = nn.Linear(256, 256)
                self.out = nn.Linear(256, 1)
                if use_he:
                    nn.init.kaiming_normal_(self.fc.weight, nonlinearity='relu')
                else:
                    nn.init.xavier_normal_(self.fc.weight)
                if scheme == 'he':
                    nn.init.kaiming_normal_(self.fc2.weight, nonlinearity='relu')
                elif scheme == 'lecun':
                    nn.init.kaiming_normal_(self.fc2.weight, nonlinearity='linear')
                else:
                    nn.init.xavier_uniform_(self.fc2.weight)

            def forward(self, x):
                return self.out(self.fc2(self.fc(x).relu()).relu())
        """)
    assert [(code, line) for code, line, _ in got] == [("IL101", 13), ("IL101", 19), ("IL103", 17)]
    assert got[0][2].startswith("With `use_he=False`: Xavier init on `fc`")
    assert got[1][2].startswith("With `scheme` other than 'he' and 'lecun': Xavier init on `fc2`")
    assert got[2][2].startswith("With `scheme='lecun'`: Gain of nonlinearity=\"linear\" (1) on `fc2`")


OPTION_ACTIVATION = """\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, act='relu'):
        super().__init__()
        self.fc = nn.Linear(256, 256)
        self.out = nn.Linear(256, 1)
        {choose}
        if act == 'relu':
            nn.init.kaiming_normal_(self.fc.weight, nonlinearity='relu')
        else:
            nn.init.xavier_normal_(self.fc.weight, gain=5 / 3)

    def forward(self, x):
        return self.out(self.act(self.fc(x)))
"""
ARMS = "if act == 'relu':\n            self.act = nn.ReLU()\n        else:\n            self.act = nn.Tanh()"
CHOICES = {
    "override": "self.act = nn.Tanh()\n        if act == 'relu':\n            self.act = nn.ReLU()",
    "local": "a = nn.ReLU()\n        if act != 'relu':\n            a = nn.Tanh()\n        self.act = a",
}


def test_an_activation_chosen_by_the_same_option_is_never_paired_with_another_options_init() -> None:
    """Before, the last assignment won: the 'relu' arm's kaiming was judged against Tanh (a false IL102). Each
    arm that assigns its own activation pairs it with its own inits (both fit here); an assignment that only
    some runs override is no activation in particular."""
    source = OPTION_ACTIVATION.format(choose=ARMS)
    assert findings(source) == []
    seen = explained(source)
    kaiming, xavier = _lines(source, "kaiming_normal_")[0], _lines(source, "xavier_normal_")[0]
    picture = picture_of(source)
    follows = {e.line: e.reached[0].follows for e in picture.explain()}
    assert follows == {kaiming: "ReLU, then linear", xavier: "Tanh, then linear"}
    assert seen[kaiming][2].startswith("no rule objects") and seen[xavier][2].startswith("no rule objects")
    for name, choose in CHOICES.items():
        source = OPTION_ACTIVATION.format(choose=choose)
        assert findings(source) == [], name
        for line in _lines(source, "kaiming_normal_", "xavier_normal_"):
            layers, _, reason = explained(source)[line]
            assert layers == ["fc (Linear(256, 256))"], name
            assert reason.startswith("what follows its layers is unknown"), name


def test_an_activation_every_run_assigns_last_is_still_known() -> None:
    source = OPTION_ACTIVATION.format(choose="if act == 'relu':\n            self.act = nn.Tanh()\n"
                                             "        self.act = nn.Tanh()")
    assert [(code, line) for code, line, _ in findings(source)] == [("IL102", *_lines(source, "kaiming_normal_"))]


def _lines(source: str, *needles: str) -> list[int]:
    return [number for number, text in enumerate(source.splitlines(), 1) if any(n in text for n in needles)]


ARGPARSE = """\
import argparse
import torch.nn as nn

parser = argparse.ArgumentParser()
parser.add_argument("--channels", type=int, default=1, help="number of image channels")
parser.add_argument("--ndf", type=int, default="64")
parser.add_argument("--init", default="normal")
opt = parser.parse_args()
ndf = int(opt.ndf)


def weights_init_normal(m):
    classname = m.__class__.__name__
    if classname.find("Conv") != -1:
        if opt.init == "normal":
            nn.init.normal_(m.weight.data, 0.0, 0.02)


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.down = nn.Sequential(nn.Conv2d(opt.channels, ndf, 3, 2, 1), nn.ReLU(), nn.Conv2d(ndf, 1, 3))

    def forward(self, img):
        return self.down(img)


discriminator = Discriminator()
discriminator.apply(weights_init_normal)
"""


def test_argparse_defaults_are_a_named_scenario_for_sizes_and_options() -> None:
    got = findings(ARGPARSE)
    assert [(code, line) for code, line, _ in got] == [("IL202", 16)]
    message = got[0][2]
    assert message.startswith("With `opt.init='normal'` (the default of `--init`): `normal_` with std=0.02 gives "
                              "`down.0` (Conv2d(1, 64, 3)")
    assert "fan_in=9, fan_out=576 (with `--ndf` at its default 64 and `--channels` at its default 1)" in message
    assert f"{fmt(math.sqrt(2 / 9) / 0.02)}x too small" in message


def test_options_without_a_default_or_parsed_in_a_function_give_no_sizes() -> None:
    variants = {
        "required": ARGPARSE.replace('type=int, default=1,', 'type=int, required=True,'),
        "no default": ARGPARSE.replace('type=int, default=1,', 'type=int,'),
        "parsed in a function": ARGPARSE.replace("opt = parser.parse_args()",
                                                 "def options():\n    return parser.parse_args()\nopt = options()"),
    }
    for name, source in variants.items():
        assert findings(source) == [], name
        layers, _, reason = explained(source)[_lines(source, "normal_(")[0]]
        assert layers[0].startswith("down.0 (Conv2d(?, "), name
        assert reason.startswith("no rule objects"), name


def test_a_command_line_default_passed_to_the_constructor_is_named_with_the_sizes() -> None:
    got = findings(
        """
        import argparse
        import torch.nn as nn

        parser = argparse.ArgumentParser()
        parser.add_argument("--hidden", type=int, default=256)
        opt = parser.parse_args()

        class Net(nn.Module):
            def __init__(self, hidden):
                super().__init__()
                self.fc = nn.Linear(hidden, hidden)
                self.out = nn.Linear(hidden, 1)
                nn.init.normal_(self.fc.weight, std=0.001)

            def forward(self, x):
                return self.out(self.fc(x).relu())

        net = Net(opt.hidden)
        """)
    assert [(code, line) for code, line, _ in got] == [("IL202", 14)]
    assert ("(sizes from `Net(256)` at line 19, the file's only call, with `--hidden` at its default 256)"
            in got[0][2])


MAIN_GUARD = """\
import argparse
import torch.nn as nn


class D(nn.Module):
    def __init__(self, nc, ndf):
        super().__init__()
        self.main = nn.Sequential(nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),
                                  nn.Conv2d(ndf, 1, 4, 1, 0, bias=False))

    def forward(self, x):
        return self.main(x)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--nc", type=int, default=3)
    parser.add_argument("--ndf", type=int, default=64)
    opt = parser.parse_args()
    nc = int(opt.nc)
    ndf = int(opt.ndf)

    def weights_init(m):
        classname = m.__class__.__name__
        if classname.find("Conv") != -1:
            m.weight.data.normal_(0.0, 0.02)

    netD = D(nc, ndf)
    netD.apply(weights_init)
"""


def test_a_script_parsing_its_options_in_the_main_guard_sizes_its_model_from_the_defaults() -> None:
    """The WGAN-style script: parser, ``int(opt.nc)`` and the init routine all under ``if __name__ ==
    "__main__":``, which is what running the script runs. Its defaults size the model as at module level, and
    the guard is not named as an option."""
    got = findings(MAIN_GUARD)
    assert [(code, line) for code, line, _ in got] == [("IL202", _lines(MAIN_GUARD, "normal_(")[0])]
    message = got[0][2]
    assert message.startswith("`normal_` with std=0.02 gives `main.0` (Conv2d(3, 64, 4), line 8) std 0.02")
    assert f"(sizes from `D(3, 64)` at line {_lines(MAIN_GUARD, 'netD = D(')[0]}, the file's only call, with `--ndf` at its default 64 and `--nc` " \
           "at its default 3)" in message
    assert "__name__" not in message
    torch = pytest.importorskip("torch")
    conv = torch.nn.Conv2d(3, 64, 4, 2, 1, bias=False)
    torch.nn.init.kaiming_normal_(conv.weight, a=0.2, nonlinearity="leaky_relu")
    wanted = math.sqrt(2 / (1 + 0.2**2)) / math.sqrt(48)
    assert conv.weight.std().item() == pytest.approx(wanted, rel=0.05)
    assert f"wants 1.39/sqrt(fan_in) = {fmt(wanted)}: {fmt(wanted / 0.02)}x too small" in message


def test_a_parser_under_any_other_test_gives_no_sizes() -> None:
    """Only the main guard runs straight through when the script runs: a parser under another ``if`` may
    never run, so its defaults size nothing (the init call is still seen, on unsized layers)."""
    source = MAIN_GUARD.replace('if __name__ == "__main__":', "if len(sys.argv) > 1:").replace(
        "import argparse", "import argparse\nimport sys")
    assert findings(source) == []
    layers, _, reason = explained(source)[_lines(source, "normal_(")[0]]
    assert layers[0].startswith("main.0 (Conv2d(?, ?, 4))")
    assert reason.startswith("no rule objects")


PINNED = """\
import torch.nn as nn
from torch.nn import init


def weights_init_xavier(m):
    if isinstance(m, nn.Linear):
        init.xavier_normal_(m.weight, gain=1)


def weights_init_kaiming(m):
    if isinstance(m, nn.Linear):
        init.kaiming_normal_(m.weight, a=0, mode="fan_in")


def init_weights(net, init_type="normal"):
    if init_type == "xavier":
        net.apply(weights_init_xavier)
    elif init_type == "kaiming":
        net.apply(weights_init_kaiming)
    else:
        def init_func(m):
            if isinstance(m, nn.Linear):
                if init_type == "orthogonal":
                    init.orthogonal_(m.weight)
                else:
                    init.normal_(m.weight, 0.0, 0.02)
        net.apply(init_func)


class Gate(nn.Module):
    def __init__(self, n=256, kind="kaiming"):
        super().__init__()
        self.squeeze = nn.Linear(n, n // 4, bias=False)
        self.excite = nn.Linear(n // 4, n, bias=False)
        init_weights(self, init_type={passed})

    def forward(self, x):
        return x * self.excite(self.squeeze(x).relu()).sigmoid()
"""


def test_an_option_the_call_fixes_with_a_literal_runs_only_its_arm() -> None:
    """``init_weights(self, init_type='kaiming')``: the ``if`` on what the call fixed has one answer, so the
    xavier arm's routine never reaches these layers (and is not run alone on them as a routine nothing calls),
    and the finding names no option."""
    source = PINNED.format(passed='"kaiming"')
    got = findings(source)
    assert [(code, line) for code, line, _ in got] == [("IL102", _lines(source, "kaiming_normal_(")[0])]
    assert got[0][2].startswith("He init on `excite`, which feeds Sigmoid")
    seen = explained(source)
    assert _lines(source, "xavier_normal_(")[0] not in seen and _lines(source, "normal_(m.weight, 0.0")[0] not in seen
    torch = pytest.importorskip("torch")
    excite = torch.nn.Linear(64, 256, bias=False)
    torch.nn.init.kaiming_normal_(excite.weight, a=0, mode="fan_in")
    glorot = math.sqrt(2 / (64 + 256))
    assert excite.weight.std().item() / glorot == pytest.approx(math.sqrt(5), rel=0.05)  # He is 2.24x Glorot


def test_a_literal_in_the_closure_arm_reaches_the_nested_test_too() -> None:
    """``'orthogonal'`` passed: the nested ``init_func`` captures the fixed value, so only its orthogonal arm runs
    (gain 1 before ReLU: IL103); the normal_ arm is no option of this call."""
    source = PINNED.format(passed='"orthogonal"')
    got = findings(source)
    assert [(code, line) for code, line, _ in got] == [("IL103", _lines(source, "orthogonal_(")[0])]
    assert not got[0][2].startswith("With")
    assert _lines(source, "normal_(m.weight, 0.0")[0] not in explained(source)


def test_an_option_passed_by_name_stays_open() -> None:
    """``init_type=kind``: a name holding the constructor's option, not a value the call fixes; every arm is
    its own scenario, the default named."""
    got = findings(PINNED.format(passed="kind"))
    assert [code for code, _, _ in got] == ["IL101", "IL102", "IL103", "IL202"]
    assert got[3][2].startswith("With `init_type` other than 'xavier', 'kaiming' and 'orthogonal': `normal_`")
    assert got[1][2].startswith("With `init_type='kaiming'` (the default): He init on `excite`")


def test_each_option_is_judged_with_the_activation_its_own_arm_assigns() -> None:
    arms = "if act == 'relu':\n            self.act = nn.ReLU()\n        else:\n            self.act = nn.Tanh()"
    source = OPTION_ACTIVATION.format(choose=arms).replace(
        "nn.init.kaiming_normal_(self.fc.weight, nonlinearity='relu')", "nn.init.xavier_normal_(self.fc.weight)"
    ).replace("nn.init.xavier_normal_(self.fc.weight, gain=5 / 3)",
              "nn.init.kaiming_normal_(self.fc.weight, nonlinearity='relu')")
    got = findings(source)
    relu, other = _lines(source, "xavier_normal_")[0], _lines(source, "kaiming_normal_")[0]
    assert [(code, line) for code, line, _ in got] == [("IL101", relu), ("IL102", other)]
    assert got[0][2].startswith("With `act='relu'` (the default): Xavier init on `fc`, which feeds ReLU.")
    assert got[1][2].startswith("With `act` other than 'relu': He init on `fc`, which feeds Tanh.")
    layers, _, reason = explained(source.replace("nn.init.xavier_normal_(self.fc.weight)",
                                                 "nn.init.kaiming_normal_(self.fc.weight, nonlinearity='relu')",
                                                 1))[relu]
    assert layers == ["fc (Linear(256, 256))"] and reason.startswith("no rule objects")


SWITCHED_ROUTINES = """\
import torch.nn as nn
from torch.nn import init


def weights_init_normal(m):
    classname = m.__class__.__name__
    if classname.find('Conv') != -1:
        init.normal_(m.weight.data, 0.0, 0.02)


def weights_init_xavier(m):
    classname = m.__class__.__name__
    if classname.find('Conv') != -1:
        init.xavier_normal_(m.weight.data, gain=1)


def init_weights(net, init_type='normal'):
    if init_type == 'normal':
        net.apply(weights_init_normal)
    elif init_type == 'xavier':
        net.apply(weights_init_xavier)


class D(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Conv2d(3, 64, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(64, 1, 4))

    def forward(self, x):
        return self.net(x)
"""


def test_routines_a_switch_applies_are_judged_under_its_options_even_when_nothing_calls_the_switch() -> None:
    """``init_weights`` (called from another file) applies one routine per ``init_type``: run before the
    routines it applies, each routine's init runs under its option, so neither hides the other."""
    got = findings(SWITCHED_ROUTINES)
    assert [(code, line) for code, line, _ in got] == [("IL101", 14), ("IL202", 8)]
    assert got[0][2].startswith("With `init_type='xavier'`: Xavier init on `net.0`, which feeds LeakyReLU(0.2).")
    assert got[1][2].startswith("With `init_type='normal'` (the default): `normal_` with std=0.02 gives `net.0`")
    conditions = {line: cond for line, (_, cond, _) in explained(SWITCHED_ROUTINES).items()}
    assert conditions == {8: ["init_type == 'normal'"], 14: ["not (init_type == 'normal')", "init_type == 'xavier'"]}


def test_a_flag_default_is_named_and_passed_on_by_keyword() -> None:
    got = findings(
        """
        import torch.nn as nn

        def init_net(net, use_xavier=True):
            setup(net, use_xavier=use_xavier)

        def setup(net, use_xavier):
            for m in net.modules():
                if isinstance(m, nn.Linear):
                    if use_xavier:
                        nn.init.xavier_normal_(m.weight)

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(256, 256)
                self.out = nn.Linear(256, 1)
                init_net(self)

            def forward(self, x):
                return self.out(self.fc(x).relu())
        """)
    assert [(code, line) for code, line, _ in got] == [("IL101", 11)]
    assert got[0][2].startswith("With `use_xavier=True` (the default): Xavier init on `fc`")


def test_a_guard_that_raises_is_no_scenario_but_an_early_return_is() -> None:
    source = """\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, setting, custom=False):
        super().__init__()
        if not setting:
            raise ValueError("setting is required")
        self.fc = nn.Linear(256, 256)
        self.out = nn.Linear(256, 1)
        self.reset(custom)

    def reset(self, custom):
        if not custom:
            return
        nn.init.xavier_normal_(self.fc.weight)

    def forward(self, x):
        return self.out(self.fc(x).relu())
"""
    got = findings(source)
    assert [(code, line) for code, line, _ in got] == [("IL101", 16)]
    assert got[0][2].startswith("With `custom=True`: Xavier init on `fc`")
    assert explained(source)[16][1] == ["not (not setting)", "not (not custom)"]


def test_the_scenario_is_a_note_and_a_number_of_the_structured_finding() -> None:
    from initlint.findings import TITLE_LIMIT, structured

    found = check_source(textwrap.dedent(SWITCH), "m.py")
    assert {f.code for f in found} == {"IL101", "IL202"}  # one built from parts, one told as prose
    for one in found:
        shown = structured(one)
        assert shown.message.startswith("With `init_method=")
        assert shown.title is not None and len(shown.title) <= TITLE_LIMIT and not shown.title.startswith("With")
        option = shown.numbers["scenario"]
        assert option in ("`init_method='xavier'`", "`init_method='small_random'`")
        assert any(n.label == "scenario" and n.text == option for n in shown.notes)
        assert shown.help is not None and shown.help.startswith("use `nn.init.kaiming_normal_(")


def test_a_binding_after_an_unbound_parameter_is_named_by_keyword_and_a_call_reached_twice_counts_once() -> None:
    got = findings(
        """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self, act, dim):
                super().__init__()
                self.fc = nn.Linear(dim, dim)
                self.out = nn.Linear(dim, 1)
                nn.init.normal_(self.fc.weight, std=0.001)

            def forward(self, x):
                return self.out(self.fc(x).relu())

        def build(act):
            return Net(act, 64)

        first, second = build(nn.ReLU()), build(nn.GELU())
        """)
    assert [(code, line) for code, line, _ in got] == [("IL202", 9)]
    assert "(sizes from `Net(..., dim=64)` at line 15, the file's only call)" in got[0][2]


# One init for every run, the activation chosen by a flag: each arm of the flag is a run to judge.
FLAG_CHOSEN = """\
import torch.nn as nn


class Actor(nn.Module):
    def __init__(self, args):
        super().__init__()
        self.fc1 = nn.Linear(8, 64)
        self.fc2 = nn.Linear(64, 64)
        self.out = nn.Linear(64, 2)
        {choose}
        nn.init.orthogonal_(self.fc1.weight, gain=1.0)
        nn.init.orthogonal_(self.fc2.weight, gain=1.0)
        nn.init.orthogonal_(self.out.weight, gain=0.01)

    def forward(self, s):
        s = self.act(self.fc1(s))
        s = self.act(self.fc2(s))
        return self.out(s)
"""
FLAG_FORMS = {
    "if": "if args.use_tanh:\n            self.act = nn.Tanh()\n        else:\n            self.act = nn.ReLU()",
    "ifexp": "self.act = nn.Tanh() if args.use_tanh else nn.ReLU()",
    "indexed": "self.act = [nn.ReLU(), nn.Tanh()][args.use_tanh]",
}


def test_an_init_every_run_makes_is_judged_in_each_arm_of_the_flag_that_chooses_the_activation() -> None:
    """Orthogonal gain 1 fits Tanh (use_tanh true) and is 1/sqrt(2) of what ReLU wants (use_tanh false):
    one IL103 per call, named by the arm it is wrong in, with no rewrite (the right call depends on the run)."""
    for name, choose in FLAG_FORMS.items():
        source = FLAG_CHOSEN.format(choose=choose)
        found = check_source(source, "m.py")
        assert not [f for f in found if f.code in ("IL000", "IL001")], name
        il103 = [f for f in found if f.code == "IL103"]
        lines = _lines(source, "gain=1.0")
        assert [f.row for f in il103] == lines, name
        for f in il103:
            assert f.message.startswith("With `args.use_tanh=False`: "), (name, f.message)
            assert "ReLU" in f.message and "Tanh" not in f.message, name
            assert f.fix is None and f.no_fix and "option" in f.no_fix, name
        assert [f for f in found if f.code in ("IL101", "IL102")] == [], name
        follows = {e.line: [r.follows for r in e.reached] for e in picture_of(source).explain()}
        assert follows[lines[0]] == ["unknown"], (name, follows)  # no single activation in every run


def test_a_flag_whose_other_use_no_option_decides_leaves_the_layer_unknown() -> None:
    """fc1's output also goes through a module we cannot see: no arm makes its activation known."""
    source = FLAG_CHOSEN.format(choose=FLAG_FORMS["ifexp"]).replace(
        "        s = self.act(self.fc1(s))\n", "        h = self.fc1(s)\n        s = self.act(h) + self.other(h)\n")
    assert [f.row for f in check_source(source, "m.py") if f.code == "IL103"] == _lines(source, "fc2.weight, gain=1.0")
    layers, _, reason = explained(source)[_lines(source, "fc1.weight, gain=1.0")[0]]
    assert layers == ["fc1 (Linear(8, 64))"] and reason.startswith("what follows its layers is unknown"), reason


def test_two_activations_the_flag_does_not_choose_between_are_no_arms() -> None:
    """``nn.Tanh() if args.use_tanh() else nn.ReLU()`` tests what a call returns, no option: nothing to name,
    nothing judged."""
    source = FLAG_CHOSEN.format(choose="self.act = nn.Tanh() if args.use_tanh() else nn.ReLU()")
    assert [f for f in check_source(source, "m.py") if f.code.startswith("IL1")] == []
    _, _, reason = explained(source)[_lines(source, "fc1.weight, gain=1.0")[0]]
    assert reason.startswith("what follows its layers is unknown"), reason


def test_a_fixed_std_every_run_makes_is_judged_against_each_arms_activation() -> None:
    """normal_(std=0.01) on Linear(64, 64): 17.7x under He's sqrt(2/64) with ReLU, 12.5x under Glorot's
    sqrt(2/128) with Tanh. Both arms are told, each with its own numbers and its own fingerprint."""
    source = FLAG_CHOSEN.format(choose=FLAG_FORMS["indexed"]).replace(
        "nn.init.orthogonal_(self.fc2.weight, gain=1.0)", "nn.init.normal_(self.fc2.weight, std=0.01)")
    line = _lines(source, "std=0.01")[0]
    il202 = sorted((f for f in check_source(source, "m.py") if f.code == "IL202"), key=lambda f: f.message)
    assert [f.row for f in il202] == [line, line]
    relu, tanh = il202
    assert relu.message.startswith("With `args.use_tanh=False`: ") and "ReLU" in relu.message
    assert f"{fmt(math.sqrt(2 / 64))}: {fmt(math.sqrt(2 / 64) / 0.01)}x too small" in relu.message
    assert tanh.message.startswith("With `args.use_tanh=True`: ") and "Tanh" in tanh.message
    assert f"{fmt(math.sqrt(2 / 128))}: {fmt(math.sqrt(2 / 128) / 0.01)}x too small" in tanh.message
    assert relu.fingerprint != tanh.fingerprint and relu.fix is None and tanh.fix is None
