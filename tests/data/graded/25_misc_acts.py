import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn import init


def kaiming_normal_(tensor, scale=1.0):
    """Project-local variant: fan-in normal scaled by `scale` (not torch.nn.init)."""
    fan_in = tensor.size(1)
    with torch.no_grad():
        return tensor.normal_(0.0, scale / math.sqrt(fan_in))


class MaskEstimator(nn.Module):
    """Ratio-mask estimator for speech enhancement."""

    def __init__(self, n_freq=257, hidden=1024):
        super().__init__()
        self.fc_in = nn.Linear(n_freq, hidden)
        self.prelu = nn.PReLU()
        self.fc_mid = nn.Linear(hidden, hidden)
        self.fc_out = nn.Linear(hidden, n_freq)
        init.kaiming_normal_(self.fc_in.weight, nonlinearity="relu")
        init.xavier_normal_(self.fc_mid.weight, gain=init.calculate_gain("relu"))
        init.kaiming_uniform_(self.fc_out.weight, nonlinearity="sigmoid")

    def forward(self, spec):
        x = self.prelu(self.fc_in(spec))
        x = F.mish(self.fc_mid(x))
        return self.fc_out(x).sigmoid() * spec


class BoundedRegressor(nn.Module):
    def __init__(self, in_dim=256, out_dim=2):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(in_dim, 256), nn.ReLU6(), nn.Linear(256, 64), nn.RReLU())
        self.proj = nn.Linear(64, 64)
        self.out = nn.Linear(64, out_dim)
        init.xavier_uniform_(self.backbone[0].weight)
        kaiming_normal_(self.backbone[2].weight, scale=2.0)
        init.kaiming_normal_(self.proj.weight, nonlinearity="relu")
        init.kaiming_normal_(self.out.weight)

    def forward(self, x):
        h = self.backbone(x)
        h = F.softsign(self.proj(h))
        return F.hardtanh(self.out(h))
