"""A tabular classifier: a deep ReLU MLP initialized with Xavier/Glorot (IL101).

Glorot's variance 2/(fan_in + fan_out) assumes a unit-slope activation. Each ReLU drops about half of
the second moment, so with Xavier weights the activations shrink by ~1/sqrt(2) per hidden layer.
"""

import torch
import torch.nn as nn

N_FEATURES = 64
N_CLASSES = 5


class TabularMLP(nn.Module):
    def __init__(self, n_features=N_FEATURES, hidden=512, depth=6, n_classes=N_CLASSES, p_drop=0.1):
        super().__init__()
        layers = [nn.Linear(n_features, hidden), nn.ReLU()]
        for _ in range(depth - 1):
            layers.append(nn.Linear(hidden, hidden))
            layers.append(nn.ReLU())
            layers.append(nn.Dropout(p_drop))
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(hidden, n_classes)
        self._reset_parameters()

    def _reset_parameters(self):
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)  # IL101: the hidden layers feed ReLU
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.head(self.body(x))


def activation_rms(model, x):
    """RMS of each hidden activation: with Xavier it decays geometrically through the ReLU stack."""
    out = []
    with torch.no_grad():
        for layer in model.body:
            x = layer(x)
            if isinstance(layer, nn.ReLU):
                out.append(x.pow(2).mean().sqrt().item())
    return out


if __name__ == "__main__":
    torch.manual_seed(0)
    model = TabularMLP().eval()
    x = torch.randn(256, N_FEATURES)
    print("logits:", tuple(model(x).shape))
    print("hidden RMS:", [round(r, 3) for r in activation_rms(model, x)])
