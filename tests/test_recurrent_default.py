"""IL301's "left at the default" case on user code: when it holds and when the model gives no such hint.

Two false findings on real RL and GAN code led here: a recurrent layer chosen in an ``if``/``else`` arm
(``nn.GRU`` or ``nn.LSTM``) whose ``named_parameters()`` loop *does* make ``weight_hh`` orthogonal, and models
that initialize only a policy head (or an embedding) while every other layer keeps the default too. Each silent
case shows that the init site was seen and what it reached.
"""

from __future__ import annotations

from tests.test_idioms import _src, expect, line_of, targets_at

BRANCH_CHOSEN = """
    import torch.nn as nn

    def orthogonal_init(layer, gain=1.0):
        for name, param in layer.named_parameters():
            if "bias" in name:
                nn.init.constant_(param, 0)
            elif "weight" in name:
                nn.init.orthogonal_(param, gain=gain)
        return layer

    class Agent(nn.Module):
        def __init__(self, use_gru=True):
            super().__init__()
            self.fc1 = nn.Linear(8, 64)
            if use_gru:
                self.rnn = nn.GRU(64, 64, batch_first=True)
            else:
                self.rnn = nn.LSTM(64, 64, batch_first=True)
            self.head = nn.Linear(64, 2)
            orthogonal_init(self.fc1, gain=2 ** 0.5)
            orthogonal_init(self.rnn)
            orthogonal_init(self.head, gain=0.01)

        def forward(self, s):
            out, _ = self.rnn(self.fc1(s).relu())
            return self.head(out)
"""


def test_a_layer_chosen_in_an_if_else_is_reached_through_its_attribute_in_both_arms() -> None:
    src = _src(BRANCH_CHOSEN)
    reached = targets_at(src, line_of(src, "nn.init.orthogonal_(param, gain=gain)"))
    assert {"rnn.weight_hh_l0", "rnn.weight_ih_l0"} <= reached  # both the GRU and the LSTM arm's layer
    expect(BRANCH_CHOSEN, families=("IL3",))


HEAD_ONLY = """
    import torch.nn as nn
    import torch.nn.functional as F

    class Policy(nn.Module):
        def __init__(self, state_dim=8, hidden=64, actions=2, init_w=3e-3):
            super().__init__()
            self.linear1 = nn.Linear(state_dim, hidden)
            self.lstm = nn.LSTM(hidden, hidden)
            self.linear2 = nn.Linear(hidden, actions)
            self.linear2.weight.data.uniform_(-init_w, init_w)

        def forward(self, x):
            out, _ = self.lstm(F.relu(self.linear1(x)))
            return F.tanh(self.linear2(out))
"""


def test_a_model_that_initializes_only_its_head_leaves_the_lstm_like_everything_else() -> None:
    src = _src(HEAD_ONLY)
    assert targets_at(src, line_of(src, "uniform_(-init_w, init_w)")) == {"linear2.weight"}
    expect(HEAD_ONLY, families=("IL3",))  # linear1 is at the default too: no sign the LSTM was forgotten


EVERY_OTHER = """
    import torch.nn as nn

    class Tagger(nn.Module):
        def __init__(self, vocab=1000, dim=64, tags=5):
            super().__init__()
            self.embed = nn.Embedding(vocab, dim)
            self.lstm = nn.LSTM(dim, dim)
            self.out = nn.Linear(dim, tags)
            nn.init.uniform_(self.embed.weight, -0.1, 0.1)
            nn.init.xavier_uniform_(self.out.weight)

        def forward(self, tokens):
            h, _ = self.lstm(self.embed(tokens))
            return self.out(h)
"""


def test_a_model_that_initializes_every_other_layer_gets_il301_on_the_forgotten_lstm() -> None:
    (finding,) = expect(EVERY_OTHER, ("IL301", "self.lstm = nn.LSTM(dim, dim)"), families=("IL3",))
    assert "keeps PyTorch's default init for weight_hh_l0" in finding.message


INPUT_WEIGHTS_ONLY = """
    import torch.nn as nn

    class Encoder(nn.Module):
        def __init__(self, dim=64):
            super().__init__()
            self.fc = nn.Linear(dim, dim)
            self.gru = nn.GRU(dim, dim)
            nn.init.xavier_uniform_(self.gru.weight_ih_l0)

        def forward(self, x):
            h, _ = self.gru(self.fc(x))
            return h
"""


def test_initializing_the_input_weights_but_not_the_recurrent_ones_is_reported() -> None:
    expect(INPUT_WEIGHTS_ONLY, ("IL301", "self.gru = nn.GRU(dim, dim)"), families=("IL3",))


HIDDEN_CONVS = """
    import torch.nn as nn

    def conv_init(m):
        if isinstance(m, nn.Conv1d):
            nn.init.xavier_uniform_(m.weight, nn.init.calculate_gain("relu"))

    class SpeechEncoder(nn.Module):
        def __init__(self, symbols=100, dim=128):
            super().__init__()
            self.embed = nn.Embedding(symbols, dim)
            self.convs = nn.Sequential(nn.Conv1d(dim, dim, 5, padding=2), nn.BatchNorm1d(dim), nn.ReLU())
            self.lstm = nn.LSTM(dim, dim // 2, batch_first=True, bidirectional=True)
            self.apply(conv_init)

        def forward(self, tokens):
            x = self.convs(self.embed(tokens).transpose(1, 2))
            return self.lstm(x.transpose(1, 2))[0]
"""


def test_a_model_that_initializes_its_hidden_convs_but_not_the_lstm_gets_il301() -> None:
    """The embedding stays at the default too, but hidden layers set by hand show init was thought about."""
    src = _src(HIDDEN_CONVS)
    assert targets_at(src, line_of(src, "nn.init.xavier_uniform_(m.weight")) == {"convs.0.weight"}
    expect(HIDDEN_CONVS, ("IL301", "self.lstm = nn.LSTM("), families=("IL3",))
