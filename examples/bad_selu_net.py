"""A self-normalizing MLP (Klambauer et al. 2017) initialized with nonlinearity="selu" (IL104).

calculate_gain("selu") is 3/4, which torch's own docs warn is not the SNN init: SELU's fixed point of
mean 0 / variance 1 needs LeCun normal, kaiming_normal_(w, nonlinearity="linear").
"""

import torch
import torch.nn as nn


class SNN(nn.Module):
    def __init__(self, n_in=128, hidden=512, depth=8, n_out=1, p_drop=0.05):
        super().__init__()
        layers = [nn.Linear(n_in, hidden), nn.SELU()]
        for _ in range(depth - 1):
            layers += [nn.AlphaDropout(p_drop), nn.Linear(hidden, hidden), nn.SELU()]
        self.features = nn.Sequential(*layers)
        self.regressor = nn.Linear(hidden, n_out)
        self.init_weights()

    def init_weights(self):
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.kaiming_normal_(m.weight, nonlinearity="selu")  # IL104: not LeCun normal
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.regressor(self.features(x))


@torch.no_grad()
def layer_variances(model, x):
    """Variance after every SELU: with the 3/4 gain it drifts towards 0 instead of staying near 1."""
    out = []
    for layer in model.features:
        x = layer(x)
        if isinstance(layer, nn.SELU):
            out.append(x.var().item())
    return out


if __name__ == "__main__":
    torch.manual_seed(0)
    model = SNN().eval()
    x = torch.randn(1024, 128)
    print("output:", tuple(model(x).shape))
    print("variances:", [round(v, 3) for v in layer_variances(model, x)])
