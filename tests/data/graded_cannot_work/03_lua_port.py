"""A char-level language model ported from Lua Torch, with its reset() methods kept."""
import math

import torch
import torch.nn as nn

INIT_RANGE = 0.08


class Linear(nn.Module):
    """A Linear layer with Torch7's reset()."""

    def __init__(self, inp, out):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(out, inp))
        self.bias = nn.Parameter(torch.empty(out))
        self.reset()

    def reset(self):
        stdv = 1.0 / math.sqrt(self.weight.size(1))
        self.weight.data.normal_(-stdv, stdv)
        self.bias.data.uniform_(-stdv, stdv)

    def forward(self, x):
        return x @ self.weight.t() + self.bias


class LookupTable(nn.Module):
    def __init__(self, vocab, dim):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        nn.init.uniform_(self.embed.weight, INIT_RANGE, -INIT_RANGE)

    def forward(self, idx):
        return self.embed(idx)


class CharRNN(nn.Module):
    def __init__(self, vocab=96, dim=128, hidden=512):
        super().__init__()
        self.lookup = LookupTable(vocab, dim)
        self.rnn = nn.LSTM(dim, hidden, num_layers=2, batch_first=True)
        self.proj = Linear(hidden, vocab)
        for name, p in self.rnn.named_parameters():
            if "weight" in name:
                nn.init.uniform_(p, -INIT_RANGE, INIT_RANGE)
            else:
                nn.init.normal_(p, -INIT_RANGE, INIT_RANGE)

    def forward(self, idx, state=None):
        out, state = self.rnn(self.lookup(idx), state)
        return self.proj(out), state


class Decoder(nn.Module):
    def __init__(self, hidden=512, vocab=96):
        super().__init__()
        self.out = nn.Linear(hidden, vocab)
        bound = 1 / math.sqrt(hidden)
        self.out.weight.data.uniform_(-bound, bound)
        self.out.bias.data.normal_(0.0, bound)

    def forward(self, h):
        return self.out(h)
