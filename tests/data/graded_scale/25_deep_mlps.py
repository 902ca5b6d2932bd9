"""Depth ablation models for a tabular / control benchmark."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class DeepPolicy(nn.Module):
    """10 hidden Linear+ReLU layers, PyTorch default init."""

    def __init__(self, obs_dim=17, act_dim=6, hidden=256, depth=10):
        super().__init__()
        layers = []
        in_dim = obs_dim
        for _ in range(depth):
            layers.append(nn.Linear(in_dim, hidden))
            layers.append(nn.ReLU())
            in_dim = hidden
        layers.append(nn.Linear(hidden, act_dim))
        self.net = nn.Sequential(*layers)

    def forward(self, obs):
        return torch.tanh(self.net(obs))


class DeepConv1dEncoder(nn.Module):
    """Raw-waveform encoder: nine conv + LeakyReLU layers."""

    def __init__(self, in_ch=1, n_classes=10):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv1d(in_ch, 32, 3, padding=1), nn.LeakyReLU(0.2),
            nn.Conv1d(32, 32, 3, padding=1), nn.LeakyReLU(0.2),
            nn.Conv1d(32, 32, 3, stride=2, padding=1), nn.LeakyReLU(0.2),
            nn.Conv1d(32, 64, 3, padding=1), nn.LeakyReLU(0.2),
            nn.Conv1d(64, 64, 3, padding=1), nn.LeakyReLU(0.2),
            nn.Conv1d(64, 64, 3, stride=2, padding=1), nn.LeakyReLU(0.2),
            nn.Conv1d(64, 64, 3, padding=1), nn.LeakyReLU(0.2),
            nn.Conv1d(64, 64, 3, padding=1), nn.LeakyReLU(0.2),
            nn.Conv1d(64, 64, 3, stride=2, padding=1), nn.LeakyReLU(0.2),
            nn.AdaptiveAvgPool1d(1),
            nn.Flatten(),
            nn.Linear(64, n_classes),
        )

    def forward(self, wav):
        return self.net(wav)


class DeepGELUMLP(nn.Module):
    def __init__(self, d_in=32, d=128, n_layers=9, n_out=1):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(d_in if i == 0 else d, d) for i in range(n_layers)])
        self.out = nn.Linear(d, n_out)

    def forward(self, x):
        for layer in self.layers:
            x = F.gelu(layer(x))
        return self.out(x)


class ShallowMLP(nn.Module):
    """Six hidden layers, default init (baseline depth)."""

    def __init__(self, d_in=32, d=128, n_out=1):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(d_in, d), nn.ReLU(),
            nn.Linear(d, d), nn.ReLU(),
            nn.Linear(d, d), nn.ReLU(),
            nn.Linear(d, d), nn.ReLU(),
            nn.Linear(d, d), nn.ReLU(),
            nn.Linear(d, d), nn.ReLU(),
            nn.Linear(d, n_out),
        )

    def forward(self, x):
        return self.net(x)


class BNMLP(nn.Module):
    """Ten hidden layers with BatchNorm between, default init."""

    def __init__(self, d_in=32, d=128, depth=10, n_out=1):
        super().__init__()
        layers = []
        for i in range(depth):
            layers += [nn.Linear(d_in if i == 0 else d, d), nn.BatchNorm1d(d), nn.ReLU()]
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(d, n_out)

    def forward(self, x):
        return self.head(self.body(x))


class ResidualBlock(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc1 = nn.Linear(d, d)
        self.fc2 = nn.Linear(d, d)

    def forward(self, x):
        return x + self.fc2(F.relu(self.fc1(x)))


class ResMLP(nn.Module):
    """Ten residual blocks, default init."""

    def __init__(self, d_in=32, d=128, depth=10, n_out=1):
        super().__init__()
        self.stem = nn.Linear(d_in, d)
        self.blocks = nn.Sequential(*[ResidualBlock(d) for _ in range(depth)])
        self.head = nn.Linear(d, n_out)

    def forward(self, x):
        return self.head(F.relu(self.blocks(self.stem(x))))


class InitDeepMLP(nn.Module):
    """Ten hidden layers, He-initialized."""

    def __init__(self, d_in=32, d=128, depth=10, n_out=1):
        super().__init__()
        layers = []
        for i in range(depth):
            layers += [nn.Linear(d_in if i == 0 else d, d), nn.ReLU()]
        self.hidden = nn.Sequential(*layers)
        self.head = nn.Linear(d, n_out)
        for m in self.hidden:
            if isinstance(m, nn.Linear):
                nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
                nn.init.zeros_(m.bias)
        nn.init.normal_(self.head.weight, 0.0, 0.01)
        nn.init.zeros_(self.head.bias)

    def forward(self, x):
        return self.head(self.hidden(x))


if __name__ == "__main__":
    print(DeepPolicy()(torch.randn(4, 17)).shape)
    print(DeepConv1dEncoder()(torch.randn(4, 1, 1600)).shape)
    x = torch.randn(4, 32)
    for cls in (DeepGELUMLP, ShallowMLP, BNMLP, ResMLP, InitDeepMLP):
        print(cls.__name__, cls()(x).shape)
