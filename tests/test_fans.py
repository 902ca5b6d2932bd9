"""Inits users write by hand (issue 16, item 6): parameters reached by name, fans and bounds computed in
helpers, gains, weights drawn with numpy. Every claimed number is measured with torch here."""

from __future__ import annotations

from torch import nn

from initlint.engine import picture_of
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
