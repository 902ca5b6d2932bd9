"""Where modules come from (issue 16, item 4): custom activations understood by what they compute, activations
stored as functions or in module-level dicts, wrapper classes whose result the parent activates, layers
registered under computed names, ``type(m) in {...}`` dispatch and bare weights used as ``W @ h``.

Each silent case shows through ``Picture.explain()`` that the init site was seen and what its layer meets.
"""

from __future__ import annotations

import math

import pytest

from initlint.analysis import picture_of
from initlint.explain import silence_reason
from initlint.picture import act_forms, torchspec
from tests.test_idioms import _src, expect, line_of


def reached(code: str, snippet: str) -> dict[str, str]:
    """Layer path -> what its output meets, for the init site on the line of ``snippet``."""
    src = _src(code)
    line = line_of(src, snippet)
    (site,) = [e for e in picture_of(src).explain() if e.line == line]
    return {r.layer.split(" ")[0]: r.follows for r in site.reached}


def reason(code: str, snippet: str) -> str:
    src = _src(code)
    picture = picture_of(src)
    (site,) = [e for e in picture.explain() if e.line == line_of(src, snippet)]
    return silence_reason(site, picture)


HEADER = """
    import math
    from functools import partial
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
"""


def _net(prelude: str, attrs: str, use: str) -> str:
    """A model whose fc1 (Xavier) feeds ``use`` (an expression of ``h``) and then fc2."""
    return HEADER + prelude + f"""
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(64, 64)
            self.fc2 = nn.Linear(64, 2)
{attrs}
            nn.init.xavier_uniform_(self.fc1.weight)

        def forward(self, x):
            h = self.fc1(x)
            return self.fc2({use})
    """


# --------------------------------------------------------------------------- custom activations by their forward

SWISH = """
    class Swish(nn.Module):
        def __init__(self):
            super(Swish, self).__init__()

        def forward(self, inputs):
            return inputs * inputs.sigmoid()
"""


def test_activation_class_computing_swish_is_silu():
    code = _net(SWISH, "            self.act = Swish()", "self.act(h)")
    assert reached(code, "xavier_uniform_") == {"fc1": "SiLU, then linear"}
    expect(code, ("IL101", "xavier_uniform_"), families=("IL1",))


def test_activation_class_in_a_sequential():
    code = HEADER + SWISH + """
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(64, 256), Swish(), nn.Linear(256, 64))
            nn.init.xavier_uniform_(self.net[0].weight)

        def forward(self, x):
            return self.net(x)
    """
    assert reached(code, "xavier_uniform_") == {"net.0": "SiLU, then linear"}


@pytest.mark.parametrize("form", [
    "x * torch.sigmoid(1.702 * x)",  # quick GELU: no torch activation computes it
    "x * torch.sigmoid(self.beta * x)",  # a learned slope
    "x * unknown_helper(x)",
])
def test_activation_class_with_another_form_is_unknown(form):
    prelude = f"""
    class Act(nn.Module):
        def __init__(self):
            super().__init__()
            self.beta = 1.0

        def forward(self, x):
            return {form}
"""
    code = _net(prelude, "            self.act = Act()", "self.act(h)")
    assert reached(code, "xavier_uniform_") == {"fc1": "unknown"}
    assert reason(code, "xavier_uniform_").startswith("what follows its layers is unknown")


def test_a_module_class_that_is_no_activation_is_followed_into():
    """``2 * sigmoid(x) - 1`` is no torch activation; the class's forward is followed instead: its input meets
    a sigmoid (what it meets after that is not read)."""
    prelude = """
    class Act(nn.Module):
        def forward(self, x):
            return torch.sigmoid(x) * 2 - 1
"""
    code = _net(prelude, "            self.act = Act()", "self.act(h)")
    assert reached(code, "xavier_uniform_") == {"fc1": "Sigmoid"}


def test_function_computing_gelu_tanh_approximation_is_gelu():
    prelude = """
    def gelu(x):
        \"\"\"The tanh approximation.\"\"\"
        return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * torch.pow(x, 3))))
"""
    code = _net(prelude, "", "gelu(h)")
    assert reached(code, "xavier_uniform_") == {"fc1": "GELU, then linear"}


def test_a_local_function_named_like_an_activation_is_read_not_spelled():
    """``def relu(x): return torch.tanh(x)``: what it computes decides, not its name."""
    code = _net("\n    def relu(x):\n        return torch.tanh(x)\n", "", "relu(h)")
    assert reached(code, "xavier_uniform_") == {"fc1": "Tanh, then linear"}


def test_leaky_form_reads_its_slope():
    prelude = "\n    def lrelu(x):\n        return torch.where(x > 0, x, 0.2 * x)\n\n    def lrelu2(x):\n" \
              "        return F.leaky_relu(x, 0.2)\n"
    assert reached(_net(prelude, "", "lrelu(h)"), "xavier_uniform_") == {"fc1": "unknown"}  # where: not read
    assert reached(_net(prelude, "", "lrelu2(h)"), "xavier_uniform_") == {"fc1": "LeakyReLU(0.2), then linear"}


# --------------------------------------------------------------------------- activations as values

ACT2FN = """
    def swish(x):
        return x * torch.sigmoid(x)

    ACT2FN = {"gelu": torch.nn.functional.gelu, "relu": torch.nn.functional.relu, "swish": swish}
    RECTIFIED = {"a": F.relu, "b": torch.relu}
"""


def test_module_dict_of_activations_with_a_known_key():
    code = _net(ACT2FN, '            self.act_fn = ACT2FN["gelu"]', "self.act_fn(h)")
    assert reached(code, "xavier_uniform_") == {"fc1": "GELU, then linear"}
    expect(code, ("IL101", "xavier_uniform_"), families=("IL1",))
    swish = _net(ACT2FN, '            self.act_fn = ACT2FN["swish"]', "self.act_fn(h)")
    assert reached(swish, "xavier_uniform_") == {"fc1": "SiLU, then linear"}


def test_module_dict_with_an_unknown_key():
    """``ACT2FN[config.hidden_act]``: one of several activations, so unknown; if every entry is the same
    activation it is that one."""
    code = _net(ACT2FN, "            self.act_fn = ACT2FN[config.hidden_act]", "self.act_fn(h)")
    assert reached(code, "xavier_uniform_") == {"fc1": "unknown"}
    same = _net(ACT2FN, "            self.act_fn = RECTIFIED[config.kind]", "self.act_fn(h)")
    assert reached(same, "xavier_uniform_") == {"fc1": "ReLU, then linear"}


def test_a_dict_changed_after_it_is_built_is_not_read():
    prelude = ACT2FN + '\n    ACT2FN["gelu"] = torch.tanh\n'
    code = _net(prelude, '            self.act_fn = ACT2FN["gelu"]', "self.act_fn(h)")
    assert reached(code, "xavier_uniform_") == {"fc1": "unknown"}


def test_torch_function_stored_as_an_attribute():
    code = _net("", "            self.act_fn = F.gelu", "self.act_fn(h)")
    assert reached(code, "xavier_uniform_") == {"fc1": "GELU, then linear"}
    with_slope = _net("", "            self.act_fn = F.leaky_relu", "self.act_fn(h, 0.2)")
    assert reached(with_slope, "xavier_uniform_") == {"fc1": "unknown"}  # not the default slope


def test_partial_of_an_activation_with_arguments_is_not_its_defaults():
    code = _net("", "            self.act = partial(nn.LeakyReLU, 0.2)()", "self.act(h)")
    assert reached(code, "xavier_uniform_") == {"fc1": "unknown"}
    plain = _net("", "            self.act = partial(nn.ReLU)()", "self.act(h)")
    assert reached(plain, "xavier_uniform_") == {"fc1": "ReLU, then linear"}


# --------------------------------------------------------------------------- wrapper classes

WRAPPER = HEADER + """
    class LinearNorm(torch.nn.Module):
        def __init__(self, in_dim, out_dim, bias=True, w_init_gain='linear'):
            super(LinearNorm, self).__init__()
            self.linear_layer = torch.nn.Linear(in_dim, out_dim, bias=bias)
            torch.nn.init.xavier_uniform_(
                self.linear_layer.weight,
                gain=torch.nn.init.calculate_gain(w_init_gain))

        def forward(self, x):
            return self.linear_layer(x)


    class Prenet(nn.Module):
        def __init__(self, in_dim, sizes):
            super(Prenet, self).__init__()
            in_sizes = [in_dim] + sizes[:-1]
            self.layers = nn.ModuleList(
                [LinearNorm(in_size, out_size, bias=False)
                 for (in_size, out_size) in zip(in_sizes, sizes)])

        def forward(self, x):
            for linear in self.layers:
                x = F.dropout(F.relu(linear(x)), p=0.5, training=True)
            return x
    """


def test_wrapper_result_activated_by_the_parent():
    """tacotron2's Prenet: LinearNorm's own layer ends its forward; the parent applies ReLU to it."""
    assert reached(WRAPPER, "xavier_uniform_") == {"linear_layer": "ReLU, then output/unknown"}
    expect(WRAPPER, ("IL101", "torch.nn.init.xavier_uniform_("), families=("IL1",))


def test_wrapper_used_two_ways_is_unknown():
    code = WRAPPER + """
    class Head(nn.Module):
        def __init__(self):
            super().__init__()
            self.proj = LinearNorm(64, 64)
            self.out = nn.Linear(64, 2)

        def forward(self, x):
            return self.out(torch.tanh(self.proj(x)))
    """
    assert reached(code, "xavier_uniform_") == {"linear_layer": "unknown"}
    assert reason(code, "xavier_uniform_").startswith("what follows its layers is unknown")


def test_wrapper_result_passed_through_another_class():
    """Outer returns Inner's result; the parent of Outer activates it: Inner's layer feeds that activation,
    and its activated output the parent's next layer."""
    code = HEADER + """
    class Inner(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(64, 64)
            nn.init.xavier_uniform_(self.fc.weight)

        def forward(self, x):
            return self.fc(x)


    class Outer(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = Inner()

        def forward(self, x):
            return self.inner(x)


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.block = Outer()
            self.head = nn.Linear(64, 2)

        def forward(self, x):
            return self.head(F.relu(self.block(x)))
    """
    assert reached(code, "xavier_uniform_") == {"fc": "ReLU, then linear"}
    picture = picture_of(_src(code))
    (fc,) = [layer for layer in picture.layers.values() if layer.path == "fc"]
    (head,) = [layer for layer in picture.layers.values() if layer.path == "head"]
    assert fc.feeds == {head.uid}


def test_wrapper_no_parent_uses_keeps_output():
    code = WRAPPER.split("class Prenet")[0]
    assert reached(code, "xavier_uniform_") == {"linear_layer": "output"}


# --------------------------------------------------------------------------- computed names, type() dispatch

SETATTR = HEADER + """
    class Net(nn.Module):
        def __init__(self, depth=3):
            super().__init__()
            for i in range(depth):
                setattr(self, 'fc%i' % i, nn.Linear(64, 64))
            self.out = nn.Linear(64, 2)
            for m in self.modules():
                if type(m) in {nn.Linear, nn.Conv2d}:
                    nn.init.xavier_uniform_(m.weight)

        def forward(self, x):
            for i in range(3):
                x = torch.relu(getattr(self, 'fc%i' % i)(x))
            return self.out(x)
    """


def test_layers_registered_by_setattr_and_read_by_getattr():
    assert reached(SETATTR, "xavier_uniform_") == {"fc*": "ReLU, then linear", "out": "output"}
    expect(SETATTR, ("IL101", "xavier_uniform_"), families=("IL1",))


def test_getattr_of_a_name_never_registered_is_unknown():
    code = SETATTR.replace("getattr(self, 'fc%i' % i)", "getattr(self, 'layer%i' % i)")
    assert reached(code, "xavier_uniform_") == {"fc*": "unknown", "out": "output"}


def test_type_set_dispatch_narrows():
    assert reached(SETATTR, "xavier_uniform_").keys() == {"fc*", "out"}
    code = SETATTR.replace("{nn.Linear, nn.Conv2d}", "{nn.Conv2d}")
    expect(code, families=("IL1",), sites={"xavier_uniform_": set()})  # no Conv2d in the model


# --------------------------------------------------------------------------- W @ h with a bare Parameter

GRAPH = HEADER + """
    class Encoder(nn.Module):
        def __init__(self, feat_dim, embed_dim):
            super().__init__()
            self.weight = nn.Parameter(torch.FloatTensor(embed_dim, feat_dim))
            nn.init.xavier_uniform_(self.weight)

        def forward(self, features):
            return F.relu(self.weight.mm(features.t()))
    """


def test_weight_applied_on_the_left_is_a_layer():
    assert reached(GRAPH, "xavier_uniform_") == {"weight": "ReLU, then output"}
    expect(GRAPH, ("IL101", "xavier_uniform_"), families=("IL1",))
    for spelled in ("torch.mm(self.weight, features.t())", "self.weight @ features.t()"):
        code = GRAPH.replace("self.weight.mm(features.t())", spelled)
        assert reached(code, "xavier_uniform_") == {"weight": "ReLU, then output"}, spelled


def test_weight_applied_on_the_right_is_a_transposed_layer():
    """``h @ W`` stores W as (in, out): a layer too, whose fans torch reads transposed (tests/test_transposed_weights.py)."""
    code = GRAPH.replace("self.weight.mm(features.t())", "features @ self.weight")
    assert reached(code, "xavier_uniform_") == {"weight": "ReLU, then output"}
    (found,) = expect(code, ("IL101", "xavier_uniform_"), families=("IL1",))
    assert 'mode="fan_out"' in (found.help or found.message)


# --------------------------------------------------------------------------- the forms, measured with torch

torch = pytest.importorskip("torch")
F = torch.nn.functional

TORCH_FORMS = {
    "relu": [F.relu], "relu6": [F.relu6], "elu": [F.elu], "selu": [F.selu],
    "gelu": [F.gelu, lambda t: F.gelu(t, approximate="tanh")], "silu": [F.silu], "mish": [F.mish],
    "hardswish": [F.hardswish], "tanh": [torch.tanh], "sigmoid": [torch.sigmoid], "softsign": [F.softsign],
    "hardtanh": [F.hardtanh],
}


def test_reference_forms_are_what_torch_computes():
    points = torch.linspace(-8, 8, 1601, dtype=torch.float64)
    assert set(TORCH_FORMS) == set(torchspec.REFERENCE_FORMS)
    for name, functions in TORCH_FORMS.items():
        for function, form in zip(functions, torchspec.REFERENCE_FORMS[name], strict=True):
            expected = function(points)
            got = torch.tensor([form(float(x)) for x in points], dtype=torch.float64)
            assert torch.allclose(got, expected, rtol=1e-12, atol=1e-12), name


def test_torch_activations_at_the_samples_are_recognized():
    samples = torch.tensor(act_forms.SAMPLES, dtype=torch.float64)
    for name, functions in TORCH_FORMS.items():
        for function in functions:
            found = act_forms.match([float(v) for v in function(samples)])
            assert found is not None and found.name == name, name
    leaky = act_forms.match([float(v) for v in F.leaky_relu(samples, 0.2)])
    assert leaky is not None and leaky.name == "leaky_relu" and math.isclose(leaky.slope or 0, 0.2)
    quick_gelu = samples * torch.sigmoid(1.702 * samples)
    assert act_forms.match([float(v) for v in quick_gelu]) is None


def test_wrapper_inside_a_sequential_before_a_custom_activation():
    """conformer's feed-forward: Sequential(LayerNorm, Linear wrapper, Swish(), Dropout, Linear wrapper)."""
    code = HEADER + SWISH + """
    class Linear(nn.Module):
        def __init__(self, in_features, out_features, bias=True):
            super(Linear, self).__init__()
            self.linear = nn.Linear(in_features, out_features, bias=bias)
            nn.init.xavier_uniform_(self.linear.weight)

        def forward(self, x):
            return self.linear(x)


    class FeedForward(nn.Module):
        def __init__(self, dim=256):
            super().__init__()
            self.sequential = nn.Sequential(
                nn.LayerNorm(dim), Linear(dim, 4 * dim), Swish(), nn.Dropout(0.1), Linear(4 * dim, dim))

        def forward(self, x):
            return self.sequential(x)
    """
    assert reached(code, "xavier_uniform_") == {"linear": "unknown"}  # SiLU once, unknown at the end
    last = code.replace("Linear(4 * dim, dim))", "nn.Linear(4 * dim, dim))")
    assert reached(last, "xavier_uniform_") == {"linear": "SiLU, then linear"}
    expect(last, ("IL101", "xavier_uniform_"), families=("IL1",))


BLOCK_INPUT = HEADER + """
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(64, 64)

        def forward(self, x):
            b = x.size(0)
            return F.relu(self.fc(x)).view(b, -1)


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(64, 64)
            self.block = Block()
            nn.init.xavier_uniform_(self.fc1.weight)

        def forward(self, x):
            return self.block(F.relu(self.fc1(x)))
    """


def test_what_a_class_does_with_its_input():
    """fc1's activated output is the block's input, which meets the block's own Linear first (a shape query
    is no use)."""
    assert reached(BLOCK_INPUT, "xavier_uniform_") == {"fc1": "ReLU, then linear"}
    picture = picture_of(_src(BLOCK_INPUT))
    (fc1,) = [layer for layer in picture.layers.values() if layer.path == "fc1"]
    (fc,) = [layer for layer in picture.layers.values() if layer.path == "fc"]
    assert fc1.feeds == {fc.uid}


def test_a_residual_block_input_is_unknown():
    """``x + self.fc(x)``: the input meets a Linear and is handed on by the skip connection."""
    code = BLOCK_INPUT.replace("return F.relu(self.fc(x)).view(b, -1)", "return x + self.fc(x)")
    assert reached(code, "xavier_uniform_") == {"fc1": "ReLU, then linear/unknown"}  # not hidden
    straight = BLOCK_INPUT.replace("self.block(F.relu(self.fc1(x)))", "self.block(self.fc1(x))")
    assert reached(straight, "xavier_uniform_") == {"fc1": "linear"}
