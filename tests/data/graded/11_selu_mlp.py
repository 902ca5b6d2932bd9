import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class SNN(nn.Module):
    """Self-normalizing MLP (Klambauer et al.) for tabular data."""

    def __init__(self, in_features=64, hidden=(256, 256, 256), n_out=2, dropout=0.05):
        super().__init__()
        dims = [in_features, *hidden]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.drop = nn.AlphaDropout(dropout)
        self.out = nn.Linear(dims[-1], n_out)
        self.reset_parameters()

    def reset_parameters(self):
        for layer in self.layers:
            nn.init.kaiming_normal_(layer.weight, nonlinearity="selu")
            nn.init.zeros_(layer.bias)
        nn.init.xavier_uniform_(self.out.weight)

    def forward(self, x):
        for layer in self.layers:
            x = self.drop(F.selu(layer(x)))
        return self.out(x)


class LeCunSNN(nn.Module):
    def __init__(self, in_features=64, width=512, depth=8, n_out=1):
        super().__init__()
        blocks = []
        d = in_features
        for _ in range(depth):
            lin = nn.Linear(d, width)
            nn.init.normal_(lin.weight, mean=0.0, std=1.0 / math.sqrt(d))
            nn.init.zeros_(lin.bias)
            blocks += [lin, nn.SELU(), nn.AlphaDropout(0.1)]
            d = width
        self.body = nn.Sequential(*blocks)
        self.head = nn.Linear(width, n_out)
        nn.init.xavier_uniform_(self.head.weight)

    def forward(self, x):
        return torch.sigmoid(self.head(self.body(x))).squeeze(-1)


class SeluEncoder(nn.Module):
    def __init__(self, in_features=32, width=128, depth=3):
        super().__init__()
        self.net = nn.Sequential()
        for i in range(depth):
            self.net.add_module(f"fc{i}", nn.Linear(in_features if i == 0 else width, width))
            self.net.add_module(f"act{i}", nn.SELU())
        for m in self.net.modules():
            if isinstance(m, nn.Linear):
                nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="linear")
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.net(x)
