"""Hidden layers built in loops (a Sequential and a ModuleList comprehension), an output layer beside them,
and one modules() loop giving all of them Xavier: the loop-built layers are singled out by their container."""
import torch.nn as nn


class TabularMLP(nn.Module):
    def __init__(self, n_features=64, hidden=256, depth=4, n_classes=5):
        super().__init__()
        layers = [nn.Linear(n_features, hidden), nn.ReLU()]
        for _ in range(depth - 1):
            layers += [nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(0.1)]
        self.body = nn.Sequential(*layers)
        self.extra = nn.ModuleList([nn.Linear(hidden, hidden) for _ in range(2)])
        self.head = nn.Linear(hidden, n_classes)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                if m in self.body or m in self.extra:
                    nn.init.kaiming_uniform_(m.weight, nonlinearity="relu")
                else:
                    nn.init.xavier_uniform_(m.weight)  # the hidden layers feed ReLU
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = self.body(x)
        for layer in self.extra:
            x = nn.functional.relu(layer(x))
        return self.head(x)
