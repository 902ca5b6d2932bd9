"""A deep MLP value network whose Linear layers all get `normal_(std=0.01)` (IL202).

A fixed std ignores the layer's width. For Linear(256, 256) followed by ReLU, He's std is
sqrt(2/256) = 0.088, so 0.01 is 8.8x too small: each Linear+ReLU passes on 0.01*sqrt(256/2) = 0.113 of
the input-dependent signal, and eight of them pass on 0.113^8 ~ 3e-8. The output barely depends on the
input, and the gradients reaching the first layers are as small.
"""

import torch
import torch.nn as nn

OBS_DIM = 64


class ValueMLP(nn.Module):
    def __init__(self, obs_dim=OBS_DIM, width=256, depth=8):
        super().__init__()
        self.inp = nn.Linear(obs_dim, width)
        self.act = nn.ReLU()
        self.hidden = nn.ModuleList([nn.Linear(width, width) for _ in range(depth - 1)])
        self.value = nn.Linear(width, 1)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, mean=0.0, std=0.01)  # IL202: 8.8x below sqrt(2/256)
                nn.init.zeros_(m.bias)

    def forward(self, obs):
        x = self.act(self.inp(obs))
        for layer in self.hidden:
            x = self.act(layer(x))
        return self.value(x)


def input_sensitivity(model, obs):
    """|f(x + d) - f(x)| / |d| through the ReLU stack: how much of a small input change still arrives."""
    d = 1e-3 * torch.randn_like(obs)
    out = []
    with torch.no_grad():
        a, b = model.act(model.inp(obs)), model.act(model.inp(obs + d))
        for layer in model.hidden:
            a, b = model.act(layer(a)), model.act(layer(b))
            out.append((b - a).norm().item() / d.norm().item())
    return out


if __name__ == "__main__":
    torch.manual_seed(0)
    model = ValueMLP()
    obs = torch.randn(1024, OBS_DIM)
    print("values:", tuple(model(obs).shape))
    print("input sensitivity after each hidden layer:", [f"{s:.1e}" for s in input_sensitivity(model, obs)])
