"""IL502, IL503, IL505-IL508: inits that never run or are undone by what the construction does around them,
with the guards the issue names: an init before the wrapping is fine; ``self.modules()`` is recursive; a
registered framework hook calls ``_init_weights``; a helper applied in another checked file is called."""

from __future__ import annotations

from pathlib import Path

import pytest

from initlint.analysis import check_source
from initlint.config import Settings
from initlint.engine import check_paths

ALL = Settings(select=("ALL",))


def _rows(source: str, code: str) -> list[int]:
    found = check_source(source, "m.py", ALL)
    assert not any(f.code == "IL001" for f in found), found
    return [f.row for f in found if f.code == code]


# --------------------------------------------------------------------------- IL507

WRAPPED = """\
import torch.nn as nn
from torch.nn.utils import weight_norm
from torch.nn.utils.parametrizations import weight_norm as wn


def init_weights(m):
    if isinstance(m, nn.Conv1d):
        m.weight.data.normal_(0.0, 0.01)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        {body}
"""


@pytest.mark.parametrize(("body", "row"), [
    ("self.conv = weight_norm(nn.Conv1d(4, 8, 3))\n        nn.init.normal_(self.conv.weight, 0, 0.01)", 15),
    ("self.conv = wn(nn.Conv1d(4, 8, 3))\n        self.conv.weight.data.normal_(0, 0.01)", 15),
    (("self.convs = nn.ModuleList([weight_norm(nn.Conv1d(4, 4, 3)) for _ in range(3)])\n"
     "        self.convs.apply(init_weights)"), 8),  # at the init, as every finding
    (("self.ups = nn.ModuleList()\n        self.ups.append(weight_norm(nn.Conv1d(4, 4, 3)))\n"
     "        self.apply(init_weights)"), 8),
    ("c = nn.Conv1d(4, 4, 3)\n        c = weight_norm(c)\n        nn.init.normal_(c.weight, 0, 0.01)", 16),
    ("self.conv = nn.Conv1d(4, 8, 3)\n        weight_norm(self.conv)\n        self.conv.weight.data.zero_()", 16),
])
def test_il507_fires_after_the_wrap(body: str, row: int) -> None:
    assert _rows(WRAPPED.format(body=body), "IL507") == [row]


def test_il507_a_helper_returning_a_wrapped_layer_wraps_it() -> None:
    source = WRAPPED.format(body="self.conv = WNConv1d(4, 8, 3)\n        self.apply(init_weights)") + \
        "\n\ndef WNConv1d(*args, **kwargs):\n    return weight_norm(nn.Conv1d(*args, **kwargs))\n"
    assert _rows(source, "IL507") == [8]


@pytest.mark.parametrize("body", [
    "conv = nn.Conv1d(4, 8, 3)\n        nn.init.normal_(conv.weight, 0, 0.01)\n        self.conv = weight_norm(conv)",
    "self.conv = weight_norm(nn.Conv1d(4, 8, 3))\n        nn.init.normal_(self.conv.weight_v, 0, 0.01)",
    "self.fc = weight_norm(nn.Linear(4, 8))\n        self.apply(init_weights)",  # the routine tests Conv1d only
    "self.conv = weight_norm(nn.Conv1d(4, 8, 3), name='weight_v_only')\n        self.conv.weight.data.zero_()",
])
def test_il507_silent_before_the_wrap_or_elsewhere(body: str) -> None:
    assert _rows(WRAPPED.format(body=body), "IL507") == []


# --------------------------------------------------------------------------- IL508

LAZY = """\
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.head = nn.LazyLinear(10)
        {body}

    def _init(self, m):
        if isinstance(m, nn.Linear):
            nn.init.zeros_(m.bias)
"""


@pytest.mark.parametrize(("body", "row"), [
    ("self.head.weight.data.normal_(0, 0.01)", 9),
    ("nn.init.xavier_uniform_(self.head.weight)", 9),
    ("self.apply(self._init)", 13),  # LazyLinear is an instance of Linear
])
def test_il508_fires_before_the_first_forward(body: str, row: int) -> None:
    assert _rows(LAZY.format(body=body), "IL508") == [row]


def test_il508_silent_after_a_dummy_forward() -> None:
    body = "self(torch.zeros(2, 5))\n        nn.init.xavier_uniform_(self.head.weight)"
    assert _rows(LAZY.format(body=body), "IL508") == []


# --------------------------------------------------------------------------- IL506

CLONE = """\
import torch.nn as nn


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        layer = nn.TransformerEncoderLayer(64, 4)
        {before}
        self.encoder = nn.TransformerEncoder(layer, 3)
        {after}
"""


@pytest.mark.parametrize(("after", "row"), [
    ("nn.init.xavier_uniform_(layer.linear1.weight)", 10),
    ("layer.apply(lambda m: None)", 10),
    ("for p in layer.parameters():\n            nn.init.normal_(p, std=0.02)", 11),
])
def test_il506_fires_after_the_copy(after: str, row: int) -> None:
    assert _rows(CLONE.format(before="pass", after=after), "IL506") == [row]


@pytest.mark.parametrize(("before", "after"), [
    ("nn.init.xavier_uniform_(layer.linear1.weight)", "pass"),
    ("pass", "for p in self.encoder.parameters():\n            nn.init.normal_(p, std=0.02)"),
])
def test_il506_silent_before_the_copy_or_on_the_copies(before: str, after: str) -> None:
    assert _rows(CLONE.format(before=before, after=after), "IL506") == []


# --------------------------------------------------------------------------- IL505

OVER = """\
import torch.nn as nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(32, 32)
        self.proj = nn.Linear(32, 32)
        nn.init.zeros_(self.proj.weight)


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        {first}
        {second}

    def _init(self, m):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=0.02)
"""


def test_il505_a_blanket_apply_after_the_block_overwrites_its_zero_init() -> None:
    source = OVER.format(first="self.block = Block()", second="self.apply(self._init)")
    assert _rows(source, "IL505") == [9]


def test_il505_silent_when_the_blanket_init_runs_first_or_elsewhere() -> None:
    assert _rows(OVER.format(first="self.apply(self._init)", second="self.block = Block()"), "IL505") == []
    assert _rows(OVER.format(first="self.block = Block()", second="pass"), "IL505") == []


def test_il505_exclusive_arms_never_overwrite_each_other() -> None:
    source = OVER.format(first="self.block = Block()",
                         second="if cfg:\n            nn.init.zeros_(self.block.fc.weight)\n        else:\n"
                                "            self.apply(self._init)")
    assert 17 not in _rows(source, "IL505")


# --------------------------------------------------------------------------- IL503

UNCALLED = """\
import torch.nn as nn
{imports}


class Net({base}):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def _init_weights(self, m):
        if isinstance(m, nn.Linear):
            nn.init.zeros_(m.bias)


def weights_init(m):
    nn.init.normal_(m.weight, 0, 0.02)
"""


def test_il503_fires_on_routines_nothing_names() -> None:
    assert _rows(UNCALLED.format(imports="", base="nn.Module"), "IL503") == [10, 15]


def test_il503_a_routine_applying_a_nested_function_and_listed_in_all_is_still_uncalled() -> None:
    source = ("import torch.nn as nn\n__all__ = ['init_weights', 'helper']\n\n\n"
              "def init_weights(net, gain=0.02):\n    def init_func(m):\n        nn.init.normal_(m.weight, 0.0, gain)\n"
              "    net.apply(init_func)\n\n\ndef helper():\n    return getattr(nn, 'init_weights', None)\n")
    assert _rows(source, "IL503") == []  # the string in helper names it
    assert _rows(source.replace("'init_weights', None", "'x', None"), "IL503") == [5]


def test_il503_a_framework_base_class_calls_its_hook() -> None:
    source = UNCALLED.format(imports="from transformers import PreTrainedModel", base="PreTrainedModel")
    assert _rows(source, "IL503") == [15]


def test_il503_a_subclass_of_a_torch_layer_has_its_reset_parameters_called() -> None:
    source = "import torch.nn as nn\n\n\nclass L(nn.Linear):\n    def reset_parameters(self):\n" \
             "        nn.init.zeros_(self.weight)\n"
    assert _rows(source, "IL503") == []


def test_il503_judged_over_the_whole_checked_tree(tmp_path: Path) -> None:
    (tmp_path / "utils.py").write_text(UNCALLED.format(imports="", base="nn.Module"), encoding="utf-8")
    (tmp_path / "train.py").write_text("import torch\nfrom utils import Net, weights_init\n\n"
                                       "model = Net()\nmodel.apply(weights_init)\n", encoding="utf-8")
    found, _ = check_paths([str(tmp_path)], ALL, jobs=1)
    assert [(Path(f.filename).name, f.row) for f in found if f.code == "IL503"] == [("utils.py", 10)]


# --------------------------------------------------------------------------- IL502

MATCH = """\
import torch.nn as nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(8, 8, 3)
        self.bn = nn.BatchNorm1d(8)


class Net(nn.Module):
    def __init__(self{extra}):
        super().__init__()
        self.blocks = nn.Sequential(Block(), Block())
        self.fc = nn.Linear(8, 2)
        {body}
        for m in self.{loop}():
            if isinstance(m, nn.Conv1d):
                nn.init.kaiming_normal_(m.weight)

    def _init(self, m):
        if isinstance(m, {tested}):
            nn.init.kaiming_normal_(m.weight)
"""


def test_il502_fires_on_type_tests_that_match_nothing() -> None:
    source = MATCH.format(extra="", body="self.apply(self._init)", loop="children", tested="nn.Conv2d")
    assert _rows(source, "IL502") == [16, 17]


def test_il502_modules_is_recursive_and_matching_types_are_silent() -> None:
    source = MATCH.format(extra="", body="self.apply(self._init)", loop="modules", tested="(nn.Conv2d, nn.Conv1d)")
    assert _rows(source, "IL502") == []


def test_il502_silent_when_the_model_holds_a_module_we_cannot_see() -> None:
    source = MATCH.format(extra=", backbone=None", body="self.backbone = backbone\n        self.apply(self._init)",
                          loop="children", tested="nn.Conv2d")
    assert _rows(source, "IL502") == []
