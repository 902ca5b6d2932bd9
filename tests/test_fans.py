"""Inits users write by hand (issue 16, item 6): parameters reached by name, fans and bounds computed in
helpers, gains, weights drawn with numpy. Every claimed number is measured with torch here."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from initlint.analysis import picture_of
from initlint.explain import silence_reason
from tests.test_idioms import _src, expect, line_of

ALL = ("IL",)


def _reason(code: str, snippet: str) -> str:
    """Why the init site on the snippet's line is silent, as ``initlint check --explain`` says it."""
    src = _src(code)
    picture = picture_of(src)
    line = line_of(src, snippet)
    found = [e for e in picture.explain() if e.line == line]
    assert found, f"no init site seen at {snippet!r}"
    return silence_reason(found[0], picture)


# --------------------------------------------------------------------------- RNN parameters by name


def test_torch_lists_every_rnn_parameter_name_in_all_weights() -> None:
    """What the engine assumes of ``_all_weights`` / ``_flat_weights_names``: every parameter, by name."""
    lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    names = {n for group in lstm._all_weights for n in group}
    assert names == set(lstm._flat_weights_names) == {n for n, _ in lstm.named_parameters()}
    assert lstm.weight_hh_l1_reverse is lstm._parameters["weight_hh_l1_reverse"]


POINTER = """
    import torch.nn as nn

    def init_lstm_wt(lstm):
        for names in lstm._all_weights:
            for name in names:
                if name.startswith('weight_'):
                    wt = getattr(lstm, name)
                    wt.data.uniform_(-0.02, 0.02)
                elif name.startswith('bias_'):
                    bias = getattr(lstm, name)
                    n = bias.size(0)
                    bias.data.fill_(0.)
                    bias.data[n // 4:n // 2].fill_(1.)

    class Encoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(1000, 128)
            self.embedding.weight.data.normal_(std=1e-4)
            self.lstm = nn.LSTM(128, 256, num_layers=1, batch_first=True, bidirectional=True)
            init_lstm_wt(self.lstm)

        def forward(self, x):
            out, _ = self.lstm(self.embedding(x))
            return out
"""


def test_all_weights_loop_with_getattr_reaches_the_lstm_weights() -> None:
    """pointer_summarizer's ``init_lstm_wt``: the weights ARE initialized (a uniform, not orthogonal: IL301
    at the uniform_), never "keeps PyTorch's default"."""
    got = expect(POINTER, ("IL301", "wt.data.uniform_(-0.02, 0.02)"), families=("IL3",),
                 sites={"wt.data.uniform_(-0.02, 0.02)": {f"lstm.{k}_{g}_l0{d}" for k in ("weight",)
                                                           for g in ("ih", "hh") for d in ("", "_reverse")},
                        "bias.data.fill_(0.)": {f"lstm.bias_{g}_l0{d}" for g in ("ih", "hh")
                                                for d in ("", "_reverse")}})
    assert "keeps PyTorch's default" not in got[0].message
    assert "weight_hh_l0_reverse" in got[0].message


def test_flat_weights_names_and_parameters_dict_under_a_type_test() -> None:
    """``for param in m._flat_weights_names: if "weight" in param: xavier_uniform_(m._parameters[param])``
    inside ``if type(m) == nn.LSTM`` of an apply function: Xavier on weight_hh (IL301)."""
    code = """
        import torch.nn as nn

        def init_weights(m):
            if type(m) == nn.Linear:
                nn.init.xavier_uniform_(m.weight)
            if type(m) == nn.LSTM:
                for param in m._flat_weights_names:
                    if "weight" in param:
                        nn.init.xavier_uniform_(m._parameters[param])

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = nn.LSTM(100, 100, num_layers=2)
                self.fc = nn.Linear(100, 2)
                self.apply(init_weights)

            def forward(self, x):
                out, _ = self.rnn(x)
                return self.fc(out)
        """
    expect(code, ("IL301", "nn.init.xavier_uniform_(m._parameters[param])"), families=("IL3",),
           sites={"m._parameters[param]": {f"rnn.weight_{g}_l{k}" for g in ("ih", "hh") for k in (0, 1)}})


ORTHOGONAL_BY_NAME = """
    import torch.nn as nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.LSTM(100, 100)
            self.fc = nn.Linear(100, 2)
            nn.init.xavier_uniform_(self.fc.weight)
            for name, p in self.rnn.named_parameters():
                if "weight_hh" in name:
                    nn.init.orthogonal_(getattr(self.rnn, name))
                elif "weight_ih" in name:
                    nn.init.xavier_uniform_(getattr(self.rnn, name))
            for names in self.rnn._all_weights:
                for name in filter(lambda n: "bias" in n, names):
                    nn.init.zeros_(getattr(self.rnn, name))

        def forward(self, x):
            out, _ = self.rnn(x)
            return self.fc(out)
"""


def test_orthogonal_through_getattr_in_named_parameters_is_silent() -> None:
    """``getattr(self.rnn, name)`` in the module's own named_parameters loop is the parameter: orthogonal
    weight_hh, nothing to say; the ``filter(lambda n: "bias" in n, names)`` loop reaches only the biases."""
    expect(ORTHOGONAL_BY_NAME, families=("IL3",),
           sites={"nn.init.orthogonal_(getattr": {"rnn.weight_hh_l0"},
                  "nn.init.xavier_uniform_(getattr": {"rnn.weight_ih_l0"},
                  "nn.init.zeros_(getattr": {"rnn.bias_ih_l0", "rnn.bias_hh_l0"}})
    assert "no rule objects" in _reason(ORTHOGONAL_BY_NAME, "nn.init.orthogonal_(getattr")


def test_getattr_of_another_module_by_name_is_not_followed() -> None:
    """``getattr(self.other, name)`` with names of ``self.rnn``: not the same module, so no parameter."""
    code = """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = nn.LSTM(100, 100)
                self.rnn2 = nn.LSTM(100, 100)
                for name, p in self.rnn.named_parameters():
                    nn.init.uniform_(getattr(self.rnn2, name), -0.1, 0.1)

            def forward(self, x):
                return self.rnn2(self.rnn(x)[0])[0]
        """
    expect(code, families=("IL3",), sites={"nn.init.uniform_(getattr": set()})


# --------------------------------------------------------------------------- fans taken in a helper (IL203)


def hidden_init(layer: nn.Module) -> tuple[float, float]:
    """DDPG's helper, as the sources below write it."""
    fan_in = layer.weight.data.size()[0]
    lim = 1.0 / math.sqrt(fan_in)
    return (-lim, lim)


DDPG = """
    import numpy as np
    import torch.nn as nn
    import torch.nn.functional as F

    def hidden_init(layer):
        fan_in = layer.weight.data.size()[0]
        lim = 1. / np.sqrt(fan_in)
        return (-lim, lim)

    class Actor(nn.Module):
        def __init__(self, state_size, action_size, fc1_units=400, fc2_units=300):
            super().__init__()
            self.fc1 = nn.Linear(state_size, fc1_units)
            self.fc2 = nn.Linear(fc1_units, fc2_units)
            self.fc3 = nn.Linear(fc2_units, action_size)
            self.fc1.weight.data.uniform_(*hidden_init(self.fc1))
            self.fc2.weight.data.uniform_(*hidden_init(self.fc2))
            self.fc3.weight.data.uniform_(-3e-3, 3e-3)

        def forward(self, state):
            x = F.relu(self.fc1(state))
            x = F.relu(self.fc2(x))
            return F.tanh(self.fc3(x))
"""


def test_torch_hidden_init_takes_out_features() -> None:
    """The numbers the findings below claim: ``weight.size()[0]`` of a Linear is out_features, torch's fan_in
    is in_features, and the bound is sqrt(400/300) = 1.15x torch's 1/sqrt(fan_in)."""
    layer = nn.Linear(400, 300)
    fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(layer.weight)
    low, high = hidden_init(layer)
    assert (fan_in, fan_out) == (400, 300) and high == -low == 1 / math.sqrt(300)
    assert math.isclose(high / (1 / math.sqrt(fan_in)), 1.1547, rel_tol=1e-4)
    torch.manual_seed(0)
    layer.weight.data.uniform_(*hidden_init(layer))
    assert layer.weight.abs().max() <= high and layer.weight.abs().max() > 0.9 * high


def test_starred_helper_bounds_are_followed_through_the_call() -> None:
    """``uniform_(*hidden_init(self.fc2))``: the helper's returned tuple, with ``layer`` bound to ``self.fc2``,
    takes 300 = out_features where fan_in is 400 (numbers); for ``fc1`` (state_size unknown) it takes
    out_features for every size, and the message says the numbers are not known."""
    got = expect(DDPG, ("IL203", "uniform_(*hidden_init(self.fc1))"), ("IL203", "uniform_(*hidden_init(self.fc2))"),
                 families=("IL2",))
    unsized, sized = got
    assert "= 300" in sized.message and "fan_in = 400 and fan_out = 300" in sized.message
    assert "~1.15x" in sized.message and "it is fan_out" in sized.message
    assert "= 400 for `fc1` (Linear(?, 400)" in unsized.message
    assert "for every size of the layer, n is its fan_out, out_features" in unsized.message
    assert "not all known here" in unsized.message and "is not known" in unsized.message


def test_helper_on_a_square_layer_is_silent() -> None:
    """``Linear(256, 256)`` and ``Linear(dim, dim)``: out_features is fan_in for these layers, so the bound is
    the one meant (a formula right by coincidence of shape gets no finding); the site is seen."""
    code = """
        import numpy as np
        import torch.nn as nn
        import torch.nn.functional as F

        def hidden_init(layer):
            fan_in = layer.weight.data.size()[0]
            lim = 1. / np.sqrt(fan_in)
            return (-lim, lim)

        class Net(nn.Module):
            def __init__(self, dim):
                super().__init__()
                self.fc1 = nn.Linear(256, 256)
                self.fc2 = nn.Linear(dim, dim)
                self.out = nn.Linear(256, 1)
                self.fc1.weight.data.uniform_(*hidden_init(self.fc1))
                self.fc2.weight.data.uniform_(*hidden_init(self.fc2))

            def forward(self, x):
                return self.out(F.relu(self.fc2(F.relu(self.fc1(x)))))
        """
    expect(code, families=("IL2",), sites={"hidden_init(self.fc1))": {"fc1.weight"},
                                           "hidden_init(self.fc2))": {"fc2.weight"}})
    assert "no rule objects" in _reason(code, "hidden_init(self.fc2))")


def test_helper_taking_fan_in_is_silent_for_every_size() -> None:
    """``weight.size(1)`` is a Linear's fan_in: right for every size, unknown ones included."""
    code = DDPG.replace("layer.weight.data.size()[0]", "layer.weight.data.size(1)")
    expect(code, families=("IL2",), sites={"hidden_init(self.fc1))": {"fc1.weight"}})
    assert "no rule objects" in _reason(code, "hidden_init(self.fc1))")


def test_helper_whose_free_name_the_caller_rebinds_is_not_followed() -> None:
    """A name the helper reads from the module (``SCALE``) that the caller binds itself would mix two
    scopes: the bounds stay unknown (silent), the site is still seen."""
    code = """
        import numpy as np
        import torch.nn as nn
        import torch.nn.functional as F

        SCALE = 1.

        def hidden_init(layer):
            lim = SCALE / np.sqrt(layer.weight.data.size()[0])
            return (-lim, lim)

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(64, 400)
                self.out = nn.Linear(400, 1)
                SCALE = 3.
                self.fc1.weight.data.uniform_(*hidden_init(self.fc1))

            def forward(self, x):
                return self.out(F.relu(self.fc1(x)))
        """
    expect(code, families=("IL2",), sites={"hidden_init(self.fc1))": {"fc1.weight"}})
    assert expect(code.replace("                SCALE = 3.\n", ""), ("IL203", "hidden_init(self.fc1))"),
                  families=("IL2",))


def test_inline_bound_from_size0_with_unknown_sizes() -> None:
    """philtabor's DDPG: ``f1 = 1./np.sqrt(self.fc1.weight.data.size()[0])`` on ``Linear(*self.input_dims,
    self.fc1_dims)`` (nothing known): out_features for every size."""
    code = """
        import numpy as np
        import torch.nn as nn
        import torch.nn.functional as F

        class Critic(nn.Module):
            def __init__(self, input_dims, fc1_dims, n_actions):
                super().__init__()
                self.fc1 = nn.Linear(*input_dims, fc1_dims)
                self.q = nn.Linear(fc1_dims, 1)
                f1 = 1./np.sqrt(self.fc1.weight.data.size()[0])
                self.fc1.weight.data.uniform_(-f1, f1)

            def forward(self, state):
                return self.q(F.relu(self.fc1(state)))
        """
    got = expect(code, ("IL203", "self.fc1.weight.data.uniform_(-f1, f1)"), families=("IL2",))
    assert "n is its fan_out" in got[0].message and "not all known" in got[0].message


def test_grouped_conv_fan_without_groups_whatever_the_channels() -> None:
    """``n = k*k*in_channels`` on ``Conv2d(c_in, c_out, 3, groups=4)``: torch's fan_in is in_channels/4 x 9,
    so n is 4x fan_in and the std is 0.5x for every channel count (measured below)."""
    conv = nn.Conv2d(8, 16, 3, groups=4)
    fan_in, _ = nn.init._calculate_fan_in_and_fan_out(conv.weight)
    assert fan_in == 8 // 4 * 9 and math.isclose(math.sqrt(fan_in / (9 * 8)), 0.5)
    code = """
        import math
        import torch.nn as nn

        class Block(nn.Module):
            def __init__(self, c_in, c_out):
                super().__init__()
                self.conv = nn.Conv2d(c_in, c_out, 3, groups=4)
                self.out = nn.Conv2d(c_out, 1, 1)
                for m in self.modules():
                    if isinstance(m, nn.Conv2d):
                        n = m.kernel_size[0] * m.kernel_size[1] * m.in_channels
                        m.weight.data.normal_(0, math.sqrt(2. / n))

            def forward(self, x):
                return self.out(self.conv(x).relu())
        """
    got = expect(code, ("IL203", "m.weight.data.normal_(0, math.sqrt(2. / n))"), families=("IL2",))
    assert "forgets `groups=4`" in got[0].message and "~0.5x" in got[0].message


def test_output_layer_of_unknown_size_is_not_judged() -> None:
    """torchvision's EfficientNet: ``init_range = 1.0 / math.sqrt(m.out_features)`` on the classifier
    (TF's variance scaling with mode="fan_out"): an output layer of unknown size gets no IL203 (with known sizes
    the hidden-layer form is IL203: tests/test_user_code.py)."""
    code = """
        import math
        import torch.nn as nn

        class Head(nn.Module):
            def __init__(self, last_channel, num_classes=1000):
                super().__init__()
                self.classifier = nn.Linear(last_channel, num_classes)
                for m in self.modules():
                    if isinstance(m, nn.Linear):
                        init_range = 1.0 / math.sqrt(m.out_features)
                        nn.init.uniform_(m.weight, -init_range, init_range)

            def forward(self, x):
                return self.classifier(x)
        """
    expect(code, families=("IL2",), sites={"nn.init.uniform_(m.weight": {"classifier.weight"}})


# --------------------------------------------------------------------------- weights assigned a drawn tensor


def fanin_init(size: torch.Size, fanin: int | None = None) -> torch.Tensor:
    """ghliu/pytorch-ddpg's helper, as the source below writes it."""
    fanin = fanin or size[0]
    v = 1.0 / math.sqrt(fanin)
    return torch.Tensor(size).uniform_(-v, v)


GHLIU = """
    import numpy as np
    import torch
    import torch.nn as nn

    def fanin_init(size, fanin=None):
        fanin = fanin or size[0]
        v = 1. / np.sqrt(fanin)
        return torch.Tensor(size).uniform_(-v, v)

    class Actor(nn.Module):
        def __init__(self, nb_states, nb_actions, hidden1=400, hidden2=300):
            super().__init__()
            self.fc1 = nn.Linear(nb_states, hidden1)
            self.fc2 = nn.Linear(hidden1, hidden2)
            self.fc3 = nn.Linear(hidden2, nb_actions)
            self.relu = nn.ReLU()
            self.fc1.weight.data = fanin_init(self.fc1.weight.data.size())
            self.fc2.weight.data = fanin_init(self.fc2.weight.data.size())
            self.fc3.weight.data.uniform_(-3e-3, 3e-3)

        def forward(self, x):
            return torch.tanh(self.fc3(self.relu(self.fc2(self.relu(self.fc1(x))))))
"""


def test_torch_fanin_init_bound_is_one_over_sqrt_out_features() -> None:
    layer = nn.Linear(400, 300)
    drawn = fanin_init(layer.weight.data.size())
    assert drawn.shape == layer.weight.shape and drawn.abs().max() <= 1 / math.sqrt(300)
    assert drawn.abs().max() > 0.9 / math.sqrt(300) > 1 / math.sqrt(400)


def test_weight_data_assigned_from_a_helper_draw() -> None:
    """``self.fc2.weight.data = fanin_init(self.fc2.weight.data.size())``: the helper's
    ``torch.Tensor(size).uniform_(-v, v)`` with ``fanin = fanin or size[0]`` (the parameter rebound) is an
    init of fc2 whose bound takes 300 where fan_in is 400; no fix is offered for an assignment."""
    got = expect(GHLIU, ("IL203", "self.fc1.weight.data = fanin_init"), ("IL203", "self.fc2.weight.data = fanin_init"),
                 families=("IL2",))
    sized = got[1]
    assert "`fanin or size[0]` = 300" in sized.message and "fan_in = 400 and fan_out = 300" in sized.message
    assert sized.fix is None and "assigned a tensor drawn by hand" in (sized.no_fix or "")


def test_weight_data_assigned_a_numpy_draw() -> None:
    """``W = np.random.normal(0, 0.01, size=(m, n)); layer.weight.data = torch.tensor(W)``: normal std 0.01
    on Linear(256, 256) before ReLU, where He wants sqrt(2/256) = 0.088 (8.8x): IL202, as ``normal_`` would."""
    torch.manual_seed(0)
    drawn = torch.tensor(__import__("numpy").random.default_rng(0).normal(0, 0.01, size=(256, 256)))
    assert abs(float(drawn.std()) - 0.01) < 1e-3 and math.isclose(math.sqrt(2 / 256) / 0.01, 8.84, rel_tol=1e-3)
    code = """
        import numpy as np
        import torch
        import torch.nn as nn

        class MLP(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(256, 256)
                self.out = nn.Linear(256, 1)
                W = np.random.normal(0.0, 0.01, size=(256, 256)).astype(np.float32)
                self.fc.weight.data = torch.tensor(W, requires_grad=True)

            def forward(self, x):
                return self.out(torch.relu(self.fc(x)))
        """
    got = expect(code, ("IL202", "self.fc.weight.data = torch.tensor(W"), families=("IL2",))
    assert "8.84x too small" in got[0].message


def test_parameter_assigned_a_scaled_randn_and_a_shifted_rand() -> None:
    """``nn.Parameter(torch.randn(n, m) * 0.01)`` is N(0, 0.01); ``torch.rand(...) * 2 * r - r`` is U(-r, r):
    both are read as draws (measured), and the U(-r, r) with r = sqrt(6/(fan_in+fan_out)) is Glorot: silent
    before no activation."""
    r = math.sqrt(6 / (64 + 64))
    torch.manual_seed(0)
    sample = torch.rand(256, 256) * 2 * r - r
    assert sample.min() >= -r and sample.max() <= r and abs(float(sample.mean())) < 0.01
    code = """
        import numpy as np
        import torch
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(64, 64)
                self.out = nn.Linear(64, 1)
                r = np.sqrt(6.0 / (64 + 64))
                self.fc.weight = nn.Parameter(torch.rand(64, 64) * 2 * r - r)
                self.out.weight = nn.Parameter(torch.randn(1, 64) * 0.01)

            def forward(self, x):
                return self.out(self.fc(x))
        """
    expect(code, families=("IL2",), sites={"torch.rand(64, 64) * 2 * r - r": {"fc.weight"},
                                           "torch.randn(1, 64) * 0.01": {"out.weight"}})
    picture = picture_of(_src(code))
    drawn = {site.func: site for site in picture.inits if site.via == "assign"}
    assert set(drawn) == {"uniform_", "normal_"}


def test_weight_assigned_an_empty_tensor_is_not_an_init() -> None:
    """``nn.Parameter(torch.FloatTensor(n, m))`` / ``.data = torch.Tensor(size)`` draw nothing: no site."""
    code = """
        import torch
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(64, 64)
                self.fc.weight.data = torch.Tensor(self.fc.weight.size())
                self.fc.weight = nn.Parameter(torch.FloatTensor(64, 64))

            def forward(self, x):
                return self.fc(x)
        """
    assert [s for s in picture_of(_src(code)).inits if s.via == "assign"] == []


# --------------------------------------------------------------------------- a helper called with other arguments


LAYER_INIT = """
    import numpy as np
    import torch
    import torch.nn as nn

    def layer_init(layer, std=np.sqrt(2), bias_const=0.0):
        torch.nn.init.orthogonal_(layer.weight, std)
        torch.nn.init.constant_(layer.bias, bias_const)
        return layer

    class Agent(nn.Module):
        def __init__(self):
            super().__init__()
            self.critic = layer_init(nn.Linear(448, 1), std=STD)
            self.network = nn.Sequential(
                layer_init(nn.Linear(256, 448)),
                nn.ReLU(),
                layer_init(nn.Linear(448, 448)),
                nn.ReLU(),
            )

        def forward(self, x):
            h = self.network(x)
            return self.critic(h)
"""


def test_helper_reached_with_another_gain_does_not_lend_it_to_every_layer() -> None:
    """cleanrl's ``layer_init``: the critic's ``std=0.01`` is not the gain of the hidden layers built with
    the default sqrt(2) (once reported as gain=0.01 on them). The call is judged per caller (picture.callers):
    the hidden layers with sqrt(2) before ReLU, the critic head with 0.01, both fine. With one gain everywhere
    the same site is judged (0.01 before ReLU: IL202)."""
    mixed = LAYER_INIT.replace("STD", "0.01")
    expect(mixed, families=("IL2",), sites={"torch.nn.init.orthogonal_(layer.weight, std)":
                                            {"critic.weight", "network.0.weight", "network.2.weight"}})
    picture = picture_of(_src(mixed))
    parts = {tuple(sorted(picture.layer(t.layer).path for t in s.targets)): s for s in picture.inits
             if s.func == "orthogonal_"}
    assert set(parts) == {("network.0", "network.2"), ("critic",)}
    assert parts[("network.0", "network.2")].args["gain"] == pytest.approx(math.sqrt(2))
    assert parts[("critic",)].args["gain"] == 0.01 and parts[("critic",)].callers == "gain=0.01"
    same = LAYER_INIT.replace("std=STD", "std=0.01").replace("layer_init(nn.Linear(256, 448))",
                                                              "layer_init(nn.Linear(256, 448), std=0.01)")
    same = same.replace("layer_init(nn.Linear(448, 448))", "layer_init(nn.Linear(448, 448), std=0.01)")
    expect(same, ("IL202", "torch.nn.init.orthogonal_(layer.weight, std)"), families=("IL2",))


def test_apply_function_reached_from_two_models_keeps_its_per_layer_formula() -> None:
    """One ``weights_init`` applied by two models: ``m`` is another module each time, but the formula reads
    it per layer, so it is still judged (fan_out 400 where fan_in is 64: IL203)."""
    code = """
        import math
        import torch.nn as nn

        def weights_init(m):
            if isinstance(m, nn.Linear):
                n = m.weight.size(0)
                m.weight.data.uniform_(-1. / math.sqrt(n), 1. / math.sqrt(n))

        class G(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(64, 400)
                self.out = nn.Linear(400, 1)
                self.apply(weights_init)

            def forward(self, x):
                return self.out(self.fc(x).relu())

        class D(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(64, 400)
                self.out = nn.Linear(400, 1)
                self.apply(weights_init)

            def forward(self, x):
                return self.out(self.fc(x).relu())
        """
    got = expect(code, ("IL203", "m.weight.data.uniform_("), families=("IL2",))
    assert "= 400" in got[0].message and "fan_in = 64" in got[0].message


def test_parameter_created_from_a_draw_is_a_placeholder_not_an_init() -> None:
    """``self.w = nn.Parameter(torch.randn(64, 64))`` then ``xavier_uniform_(self.w)``: creating the
    parameter is not an init the later call overwrites (no IL505); the xavier call is the site."""
    code = """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.w = nn.Parameter(torch.randn(64, 64))
                nn.init.xavier_uniform_(self.w)

            def forward(self, x):
                return F.linear(x, self.w)
        """
    expect(code, families=ALL, sites={"nn.init.xavier_uniform_(self.w)": {"w"}})
    assert [s for s in picture_of(_src(code)).inits if s.via == "assign"] == []
