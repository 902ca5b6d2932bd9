import torch
import torch.nn as nn
import torch.nn.functional as F


class MLPDiscriminator(nn.Module):
    def __init__(self, in_dim=784, hidden=(512, 256), slope=0.2):
        super().__init__()
        dims = [in_dim, *hidden]
        self.hidden = nn.ModuleList([nn.Linear(dims[i], dims[i + 1]) for i in range(len(hidden))])
        self.out = nn.Linear(dims[-1], 1)
        self.slope = slope
        for layer in self.hidden:
            nn.init.kaiming_normal_(layer.weight, a=slope, nonlinearity="leaky_relu")
            nn.init.zeros_(layer.bias)
        nn.init.xavier_uniform_(self.out.weight)

    def forward(self, x):
        for layer in self.hidden:
            x = F.leaky_relu(layer(x), self.slope)
        return torch.sigmoid(self.out(x))


class TanhEncoder(nn.Module):
    def __init__(self, in_dim=300, width=300, depth=4, code=32):
        super().__init__()
        self.layers = nn.ModuleList()
        for i in range(depth):
            self.layers.append(nn.Linear(in_dim if i == 0 else width, width))
        self.code = nn.Linear(width, code)
        for lin in self.layers:
            nn.init.xavier_uniform_(lin.weight, gain=nn.init.calculate_gain("relu"))
            nn.init.zeros_(lin.bias)
        nn.init.xavier_uniform_(self.code.weight)

    def forward(self, x):
        for lin in self.layers:
            x = torch.tanh(lin(x))
        return self.code(x)


class ResidualMLP(nn.Module):
    def __init__(self, dim=256, depth=6):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Linear(dim, dim) for _ in range(depth)])
        self.norms = nn.ModuleList([nn.LayerNorm(dim) for _ in range(depth)])
        for blk in self.blocks:
            nn.init.xavier_normal_(blk.weight)
            nn.init.zeros_(blk.bias)

    def forward(self, x):
        for blk, norm in zip(self.blocks, self.norms):
            x = x + F.relu(norm(blk(x)))
        return x


class LeakyStack(nn.Module):
    def __init__(self, dim=128, depth=3):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(dim, dim) for _ in range(depth)])
        self.act = nn.LeakyReLU(0.2)
        for layer in self.layers:
            nn.init.kaiming_uniform_(layer.weight, nonlinearity="relu")

    def forward(self, x):
        for layer in self.layers:
            x = self.act(layer(x))
        return x
