"""A GPT-style decoder with zero-initialized residual projections, and an LSTM LM with a forget-gate bias."""
import math

import torch
import torch.nn as nn


class MLP(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.fc = nn.Linear(dim, 4 * dim)
        self.proj = nn.Linear(4 * dim, dim)
        nn.init.zeros_(self.proj.weight)

    def forward(self, x):
        return self.proj(torch.nn.functional.gelu(self.fc(x)))


class Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.ln1 = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.ln2 = nn.LayerNorm(dim)
        self.mlp = MLP(dim)

    def forward(self, x):
        h = self.ln1(x)
        x = x + self.attn(h, h, h)[0]
        return x + self.mlp(self.ln2(x))


class GPT(nn.Module):
    def __init__(self, vocab=50257, dim=384, heads=6, depth=6):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.blocks = nn.ModuleList([Block(dim, heads) for _ in range(depth)])
        self.ln_f = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, vocab, bias=False)
        self.apply(self._init_weights)

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(self, idx):
        x = self.wte(idx)
        for block in self.blocks:
            x = block(x)
        return self.head(self.ln_f(x))


class NanoGPT(nn.Module):
    """The right order: the blanket init first, then the scaled residual projections."""

    def __init__(self, vocab=50257, dim=384, depth=6):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.fcs = nn.ModuleList([nn.Linear(dim, 4 * dim) for _ in range(depth)])
        self.c_projs = nn.ModuleList([nn.Linear(4 * dim, dim) for _ in range(depth)])
        self.apply(self._init_weights)
        for pn, p in self.named_parameters():
            if pn.endswith("weight") and "c_projs" in pn:
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * depth))

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(self, idx):
        x = self.wte(idx)
        for fc, proj in zip(self.fcs, self.c_projs):
            x = x + proj(torch.nn.functional.gelu(fc(x)))
        return x


class LSTMLM(nn.Module):
    def __init__(self, vocab=10000, dim=256, hidden=512):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.rnn = nn.LSTM(dim, hidden, batch_first=True)
        self.out = nn.Linear(hidden, vocab)
        h = hidden
        self.rnn.bias_ih_l0.data[h:2 * h].fill_(1.0)
        for name, p in self.rnn.named_parameters():
            if "weight_hh" in name:
                nn.init.orthogonal_(p)
            elif "weight_ih" in name:
                nn.init.xavier_uniform_(p)
            else:
                nn.init.zeros_(p)

    def forward(self, x):
        return self.out(self.rnn(self.embed(x))[0])


class GRUEncoder(nn.Module):
    def __init__(self, dim=128, hidden=256, use_orthogonal=True):
        super().__init__()
        self.rnn = nn.GRU(dim, hidden, batch_first=True)
        if use_orthogonal:
            nn.init.orthogonal_(self.rnn.weight_hh_l0)
        else:
            for name, p in self.rnn.named_parameters():
                if "weight" in name:
                    nn.init.xavier_uniform_(p)

    def forward(self, x):
        return self.rnn(x)[0]
