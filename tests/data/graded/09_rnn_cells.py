import math

import torch
import torch.nn as nn


class ElmanCell(nn.Module):
    def __init__(self, input_size=128, hidden_size=256):
        super().__init__()
        self.hidden_size = hidden_size
        self.i2h = nn.Linear(input_size + hidden_size, hidden_size)
        self.reset_parameters()

    def reset_parameters(self):
        nn.init.kaiming_uniform_(self.i2h.weight, nonlinearity="relu")
        nn.init.zeros_(self.i2h.bias)

    def forward(self, x, h):
        return torch.tanh(self.i2h(torch.cat([x, h], dim=1)))


class MinimalGRUCell(nn.Module):
    def __init__(self, input_size=128, hidden_size=256):
        super().__init__()
        self.W_z = nn.Linear(input_size, hidden_size)
        self.U_z = nn.Linear(hidden_size, hidden_size, bias=False)
        self.W_h = nn.Linear(input_size, hidden_size)
        self.U_h = nn.Linear(hidden_size, hidden_size, bias=False)
        self.reset_parameters()

    def reset_parameters(self):
        for w in (self.W_z, self.W_h):
            nn.init.xavier_uniform_(w.weight)
            nn.init.zeros_(w.bias)
        nn.init.orthogonal_(self.U_z.weight)
        nn.init.orthogonal_(self.U_h.weight)

    def forward(self, x, h):
        z = torch.sigmoid(self.W_z(x) + self.U_z(h))
        h_tilde = torch.tanh(self.W_h(x) + self.U_h(z * h))
        return (1 - z) * h + z * h_tilde


class IndRNNCell(nn.Module):
    """Independently recurrent cell: the recurrent weight is one scalar per unit."""

    def __init__(self, input_size=128, hidden_size=256):
        super().__init__()
        self.weight_ih = nn.Parameter(torch.empty(hidden_size, input_size))
        self.weight_hh = nn.Parameter(torch.empty(hidden_size))
        self.bias_ih = nn.Parameter(torch.zeros(hidden_size))
        self.reset_parameters()

    def reset_parameters(self):
        for name, p in self.named_parameters():
            if "weight" in name:
                nn.init.kaiming_uniform_(p, nonlinearity="relu")
            else:
                nn.init.zeros_(p)

    def forward(self, x, h):
        return torch.relu(x @ self.weight_ih.t() + self.weight_hh * h + self.bias_ih)


class StackedElman(nn.Module):
    def __init__(self, input_size=128, hidden_size=256, num_layers=2):
        super().__init__()
        self.cells = nn.ModuleList(
            [ElmanCell(input_size if i == 0 else hidden_size, hidden_size) for i in range(num_layers)]
        )
        self.hidden_size = hidden_size

    def forward(self, seq):
        hs = [seq.new_zeros(seq.size(1), self.hidden_size) for _ in self.cells]
        for x in seq:
            for i, cell in enumerate(self.cells):
                hs[i] = cell(x, hs[i])
                x = hs[i]
        return torch.stack(hs)
