"""Unit tests of the engine's pieces: the evaluator, imports, narrowing, containers, per-layer evaluation."""

from __future__ import annotations

import libcst as cst
import pytest

from initlint.picture import narrowing, symbolic
from initlint.picture.budget import MAX_ITEMS, MAX_SEQUENCE
from initlint.picture.domain import (
    UNKNOWN,
    ActVal,
    DispatchVal,
    InRepeat,
    LayerVal,
    MixedModules,
    NameOf,
    OpaqueVal,
    ParamRef,
    ParamSetVal,
    Repeat,
    SeqVal,
    flatten,
    seq_labels,
    union,
)
from initlint.picture.eval import Evaluator
from initlint.picture.imports import ImportTable
from initlint.picture.model import Layer
from initlint.picture.torchspec import Activation

IMPORTS = """\
import math
import numpy as np
import torch
import torch.nn as nn
from torch.nn import init
from torch.nn.init import kaiming_uniform_ as ku
from timm.layers import trunc_normal_
"""


def _table() -> ImportTable:
    return ImportTable.from_module(cst.parse_module(IMPORTS))


def _eval(expression: str, **names: object) -> object:
    return Evaluator(_table(), [dict(names)])(cst.parse_expression(expression))


# --------------------------------------------------------------------------- numbers past float range

@pytest.mark.parametrize(("expression", "value"), [
    ("10 ** 400", UNKNOWN), ("1e300 * 10 ** 10", UNKNOWN), ("1e308 * 10", UNKNOWN), ("1e-310", UNKNOWN),
    ("float('nan')", UNKNOWN), ("-(10 ** 301)", UNKNOWN), ("(3, 10 ** 400)", (3, UNKNOWN)),
    ("2 ** 64", 2 ** 64), ("1e-30", 1e-30), ("0.0", 0.0), ("-(10 ** 250)", -(10 ** 250)),
])
def test_numbers_past_float_range_are_unknown(expression: str, value: object) -> None:
    """Each site is then judged alone: no rule computes a fan's square root of 10**400 (OverflowError)."""
    assert _eval(expression) == value


# --------------------------------------------------------------------------- imports

@pytest.mark.parametrize(("spelled", "resolved"), [
    ("np.sqrt", "numpy.sqrt"), ("nn.Linear", "torch.nn.Linear"), ("init.normal_", "torch.nn.init.normal_"),
    ("ku", "torch.nn.init.kaiming_uniform_"), ("trunc_normal_", "timm.layers.trunc_normal_"),
    ("torch.nn.modules.conv.Conv2d", "torch.nn.Conv2d"), ("normal_", None), ("self.fc", None),
])
def test_imports_resolve_by_import_never_by_spelling(spelled, resolved):
    assert _table().resolve(cst.parse_expression(spelled)) == resolved


def test_a_local_definition_shadows_an_import():
    table = ImportTable.from_module(cst.parse_module("from torch.nn.init import normal_\ndef normal_(w): ...\n"))
    assert table.resolve(cst.Name("normal_")) == "<local>.normal_"


def test_init_prefix_is_how_the_file_spells_torch_nn_init():
    assert _table().init_prefix() == "init"
    assert ImportTable.from_module(cst.parse_module("import torch\n")).init_prefix() == "torch.nn.init"


# --------------------------------------------------------------------------- evaluator

@pytest.mark.parametrize("func", ["math.sqrt", "np.sqrt", "torch.sqrt"])
def test_sqrt_alike_in_math_numpy_torch(func):
    assert _eval(f"{func}(2.0 / n)", n=8) == 0.5


@pytest.mark.parametrize("expression", ["f(*args)", "max(*dims)", "unknown_name", "obj.attr", "g(3)"])
def test_unknown_is_unknown(expression):
    assert _eval(expression) is UNKNOWN


def test_arithmetic_constants_and_tuples():
    assert _eval("2 * (h + 1) // 3", h=8) == 6
    assert _eval("ks[0] * ks[1] * c", ks=(3, 5), c=4) == 60
    assert _eval("(1, 2) * 2") == (1, 2, 1, 2)
    assert _eval("n % 4", n=10) == 2
    assert _eval("nn.init.calculate_gain('leaky_relu', 0.2)") == pytest.approx(1.3867504905630728)
    assert _eval('v == "M"', v="M") is True


@pytest.mark.parametrize("expression", ["10 ** 10 ** 8", "(1,) * 10 ** 9", "1e308 * 10", "2 ** 4096 * 3",
                                        f"[0] * {MAX_SEQUENCE + 1}", "float('inf')", "1e400"])
def test_results_past_the_budget_are_unknown(expression):
    assert _eval(expression) is UNKNOWN


def test_builtins_only_when_not_shadowed():
    assert _eval("int(x)", x=3.7) == 3
    assert Evaluator(_table(), [{"int": "mine"}])(cst.parse_expression("int(3.7)")) is UNKNOWN


# --------------------------------------------------------------------------- per-layer evaluation

def test_per_layer_evaluation_reads_the_layer_and_the_assignments():
    layer = Layer(uid=0, kind="Conv2d", owner="Net", path="conv", args={"in_channels": 16, "out_channels": 32,
                                                                        "kernel_size": 3},
                  params={"weight": (32, 16, 3, 3), "bias": (32,)})
    n = cst.parse_expression("m.kernel_size[0] * m.kernel_size[1] * m.out_channels")
    deferred = symbolic.Deferred(nodes={}, sources={"n": n}, static=Evaluator(_table(), [{}]), layer_text="m",
                                 param_text="m.weight")
    assert symbolic.evaluate(deferred, cst.parse_expression("math.sqrt(2.0 / n)"), layer, "weight") == \
        pytest.approx((2 / 288) ** 0.5)
    assert symbolic.evaluate(deferred, cst.parse_expression("m.weight.size(1)"), layer, "weight") == 16
    assert symbolic.evaluate(deferred, cst.parse_expression("m.weight.numel()"), layer, "weight") == 4608
    assert symbolic.evaluate(deferred, cst.parse_expression("m.unknown * 2"), layer, "weight") is None
    looping = symbolic.Deferred(nodes={}, sources={"n": cst.parse_expression("n * 2")},
                                static=Evaluator(_table(), [{}]), layer_text="m", param_text="m.weight")
    assert symbolic.evaluate(looping, cst.Name("n"), layer, "weight") is None  # n = n * 2: no fixed point


# --------------------------------------------------------------------------- narrowing

def _context(env: dict[str, object], layers: dict[str, LayerVal] | None = None) -> narrowing.Context:
    table = _table()

    def value(node: cst.BaseExpression) -> object:
        text = symbolic.text(node)
        return (layers or {}).get(text, UNKNOWN)

    return narrowing.Context(env, {}, value, Evaluator(table, [dict(env)]), table.resolve, lambda uid: f"l{uid}")


KINDS = {0: "Linear", 1: "Conv2d", 2: "BatchNorm2d", 3: "GroupNorm"}
SCOPE = DispatchVal(tuple((uid, f"l{uid}") for uid in KINDS))


def _kinds_of(value: DispatchVal) -> list[str]:
    def ok(uid: int) -> bool:
        kind = KINDS[uid]
        return all(p.test(kind, f"l{uid}", None, uid) is True for p in value.include) and \
            not any(p.test(kind, f"l{uid}", None, uid) is True for p in value.exclude)

    return [KINDS[uid] for uid, _ in value.scope if ok(uid)]


@pytest.mark.parametrize(("test", "true_kinds", "false_kinds"), [
    ("isinstance(m, nn.Linear)", ["Linear"], ["Conv2d", "BatchNorm2d", "GroupNorm"]),
    ("isinstance(m, (nn.Conv2d, nn.Linear))", ["Linear", "Conv2d"], ["BatchNorm2d", "GroupNorm"]),
    ("not isinstance(m, nn.modules.batchnorm._NormBase)", ["Linear", "Conv2d", "GroupNorm"], ["BatchNorm2d"]),
    ("type(m) in (nn.Conv2d,)", ["Conv2d"], ["Linear", "BatchNorm2d", "GroupNorm"]),
    ("classname.find('Norm') != -1", ["BatchNorm2d", "GroupNorm"], ["Linear", "Conv2d"]),
    ("isinstance(m, nn.Linear) or isinstance(m, nn.Conv2d)", ["Linear", "Conv2d"], ["BatchNorm2d", "GroupNorm"]),
])
def test_narrowing_by_type(test, true_kinds, false_kinds):
    from initlint.picture.domain import ClassNameOf

    env = {"m": SCOPE, "classname": ClassNameOf("m")}
    narrowed = narrowing.narrow(cst.parse_expression(test), _context(env))
    assert _kinds_of(narrowed.true_env["m"]) == true_kinds
    assert _kinds_of(narrowed.false_env["m"]) == false_kinds
    assert env["m"] is SCOPE  # pure: the environment it read is unchanged


def test_narrowing_by_name_and_rank():
    entries = ((ParamRef(0, "weight"), "fc.weight", 2), (ParamRef(0, "bias"), "fc.bias", 1))
    env = {"p": ParamSetVal(entries), "name": NameOf("p")}
    for test, kept in [("'weight' in name", ["fc.weight"]), ("p.dim() > 1", ["fc.weight"]),
                       ("name.endswith('bias')", ["fc.bias"]), ("len(p.shape) == 1", ["fc.bias"])]:
        value = narrowing.narrow(cst.parse_expression(test), _context(env)).true_env["p"]
        assert [q for _, q, rank in value.entries
                if all(pr.test("", q, rank) is True for pr in value.include)] == kept, test


def test_a_test_it_cannot_read_makes_the_variable_uncertain():
    narrowed = narrowing.narrow(cst.parse_expression("m.weight.requires_grad"), _context({"m": SCOPE}))
    assert narrowed.true_env["m"].uncertain and narrowed.false_env["m"].uncertain
    assert narrowing.narrow(cst.parse_expression("m.bias is not None"), _context({"m": SCOPE})).true_env == {}


def test_conditions_name_the_option():
    plain = narrowing.Narrowed({}, {})
    (condition,) = narrowing.conditions(cst.parse_expression('cfg.init != "xavier"'), True, plain)
    assert condition.option == ("cfg.init", "xavier", False)
    assert narrowing.conditions(cst.parse_expression("m.bias is not None"), True, plain) == ()
    by_type = narrowing.narrow(cst.parse_expression("isinstance(m, nn.Linear)"), _context({"m": SCOPE}))
    assert narrowing.conditions(cst.parse_expression("isinstance(m, nn.Linear)"), True, by_type) == ()


# --------------------------------------------------------------------------- containers and joins

def test_flatten_spells_out_known_repeats_and_names_them():
    relu = ActVal(Activation("relu"))
    seq = SeqVal("Sequential", [LayerVal((0,)), Repeat([LayerVal((1,)), relu], 3)])
    assert len(flatten(seq.items, twice=False)) == 7
    assert [label for label, _ in seq_labels(seq)] == ["0", "*", "*"]
    assert len(flatten(seq.items, twice=True)) == 5  # a loop-built block twice: its last item meets its first


def test_flatten_stays_within_the_budget():
    items: list[object] = [LayerVal((0,))]
    for _ in range(6):
        items = [Repeat(items, 64)]
    flat = flatten(items, twice=False)
    assert len(flat) <= MAX_ITEMS + 1
    assert any(isinstance(i, InRepeat) and i.count is None for i in flat)  # the rest: an unknown count


def test_union_joins_layers_and_keeps_what_agrees():
    assert union([LayerVal((0,)), LayerVal((1, 0))]) == LayerVal((0, 1))
    assert union([3, 3]) == 3
    assert union([3, 4]) is UNKNOWN
    mixed = union([LayerVal((0,)), OpaqueVal()])
    assert isinstance(mixed, MixedModules)
