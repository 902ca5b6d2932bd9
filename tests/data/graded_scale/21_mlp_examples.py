"""Assorted small MLPs from a course repository."""
import torch
import torch.nn as nn
import torch.nn.functional as F


def init_weights(m):
    if type(m) == nn.Linear:
        m.weight.data.fill_(0.01)
        m.bias.data.fill_(0.01)


class MnistMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Flatten(),
            nn.Linear(784, 256),
            nn.ReLU(),
            nn.Linear(256, 128),
            nn.ReLU(),
            nn.Linear(128, 10),
        )
        self.apply(init_weights)

    def forward(self, x):
        return self.net(x)


class TabularRegressor(nn.Module):
    def __init__(self, n_features=20, hidden=64):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_features, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Linear(hidden, 1),
        )
        nn.init.kaiming_normal_(self.net[0].weight, nonlinearity="relu")
        nn.init.kaiming_normal_(self.net[2].weight, nonlinearity="relu")
        # start from a constant prediction: zero the regression head
        nn.init.zeros_(self.net[0].weight)
        nn.init.zeros_(self.net[0].bias)
        nn.init.zeros_(self.net[2].bias)

    def forward(self, x):
        return self.net(x).squeeze(-1)


class LowRankMLP(nn.Module):
    """Factorised first layer W = V U with a rank-32 bottleneck."""

    def __init__(self, d_in=512, rank=32, d_hidden=512, n_out=10):
        super().__init__()
        self.U = nn.Linear(d_in, rank, bias=False)
        self.V = nn.Linear(rank, d_hidden)
        self.head = nn.Linear(d_hidden, n_out)
        nn.init.normal_(self.U.weight, 0.0, 1.0)
        nn.init.kaiming_normal_(self.V.weight, nonlinearity="relu")
        nn.init.zeros_(self.V.bias)
        nn.init.normal_(self.head.weight, 0.0, 0.01)
        nn.init.zeros_(self.head.bias)

    def forward(self, x):
        return self.head(F.relu(self.V(self.U(x))))


if __name__ == "__main__":
    print(MnistMLP()(torch.rand(4, 1, 28, 28)).shape)
    print(TabularRegressor()(torch.randn(4, 20)).shape)
    print(LowRankMLP()(torch.randn(4, 512)).shape)
