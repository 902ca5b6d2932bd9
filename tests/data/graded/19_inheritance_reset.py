import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class TwoLayerHead(nn.Module):
    def __init__(self, in_dim, hidden, out_dim):
        super().__init__()
        self.fc1 = nn.Linear(in_dim, hidden)
        self.fc2 = nn.Linear(hidden, out_dim)

    def reset_parameters(self):
        nn.init.kaiming_uniform_(self.fc1.weight, a=math.sqrt(5))
        bound = 1 / math.sqrt(self.fc1.in_features)
        nn.init.uniform_(self.fc1.bias, -bound, bound)
        nn.init.xavier_uniform_(self.fc2.weight)
        nn.init.zeros_(self.fc2.bias)


class ReLUHead(TwoLayerHead):
    def __init__(self, in_dim=512, hidden=512, out_dim=10):
        super().__init__(in_dim, hidden, out_dim)
        self.reset_parameters()

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


class Projector(nn.Module):
    """SimCLR-style projection head."""

    def __init__(self, in_dim=2048, hidden=2048, out_dim=128):
        super().__init__()
        self.fc1 = nn.Linear(in_dim, hidden)
        self.act = nn.ReLU(inplace=True)
        self.fc2 = nn.Linear(hidden, out_dim)
        self.reset_parameters()

    def reset_parameters(self):
        nn.init.kaiming_normal_(self.fc1.weight, nonlinearity="relu")
        nn.init.zeros_(self.fc1.bias)
        nn.init.xavier_normal_(self.fc2.weight)
        nn.init.zeros_(self.fc2.bias)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class XavierProjector(Projector):
    def reset_parameters(self):
        super().reset_parameters()
        nn.init.xavier_uniform_(self.fc1.weight)


class LinearProbe(nn.Module):
    def __init__(self, in_dim=2048, num_classes=1000):
        super().__init__()
        self.bn = nn.BatchNorm1d(in_dim, affine=False)
        self.fc = nn.Linear(in_dim, num_classes)
        nn.init.normal_(self.fc.weight, std=0.01)
        nn.init.zeros_(self.fc.bias)

    def forward(self, x):
        return self.fc(self.bn(x))
