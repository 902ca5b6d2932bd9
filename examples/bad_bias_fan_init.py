"""A transformer feed-forward block whose init loop runs a fan-based init on 1-D tensors (IL401).

The loop picks tensors by name: "weight" also matches LayerNorm's 1-D weight, and the bias branch uses
xavier as well. torch raises "ValueError: Fan in and fan out can not be computed for tensor with fewer
than 2 dimensions" as soon as the model is built, so this file is NOT expected to run.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F


class FeedForward(nn.Module):
    def __init__(self, d_model=256, d_ff=1024, dropout=0.1):
        super().__init__()
        self.norm = nn.LayerNorm(d_model)
        self.w_in = nn.Linear(d_model, d_ff)
        self.w_out = nn.Linear(d_ff, d_model)
        self.dropout = nn.Dropout(dropout)
        self.gamma = nn.Parameter(torch.ones(d_model))  # layer-scale
        self._init_parameters()

    def _init_parameters(self):
        for name, param in self.named_parameters():
            if "weight" in name:
                nn.init.kaiming_uniform_(param, nonlinearity="relu")  # IL401: reaches norm.weight
            elif "bias" in name:
                nn.init.xavier_uniform_(param)  # IL401: every bias is 1-D
        nn.init.orthogonal_(self.gamma)  # IL401: orthogonal_ needs at least 2 dimensions

    def forward(self, x):
        h = self.w_in(self.norm(x))
        h = self.w_out(self.dropout(F.relu(h)))
        return x + self.gamma * self.dropout(h)


class Encoder(nn.Module):
    def __init__(self, n_layers=4, d_model=256):
        super().__init__()
        self.layers = nn.ModuleList([FeedForward(d_model) for _ in range(n_layers)])

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


if __name__ == "__main__":
    try:
        Encoder()
    except ValueError as error:
        print("construction fails:", error)
