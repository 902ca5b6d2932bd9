"""Twelve Linear+ReLU layers in one Sequential, left at PyTorch's default init."""
import torch.nn as nn


class DeepMLP(nn.Module):
    def __init__(self, width=256, depth=12):
        super().__init__()
        layers = []
        for _ in range(depth):
            layers += [nn.Linear(width, width), nn.ReLU()]
        self.body = nn.Sequential(*layers)
        for _module in self.body.modules():
            if isinstance(_module, nn.Linear):
                nn.init.kaiming_normal_(_module.weight, nonlinearity="relu")
                if _module.bias is not None:
                    nn.init.zeros_(_module.bias)
        self.head = nn.Linear(width, 10)

    def forward(self, x):
        return self.head(self.body(x))
