"""A 20-layer ReLU MLP whose Linear layers all get `normal_(std=0.01)`: initlint's IL202, measured.

At width 128 He's std is sqrt(2/128) = 0.125, so 0.01 is 12.5x too small and each Linear+ReLU passes on
0.01 * sqrt(128/2) = 0.08 of the input-dependent signal. `initlint probe` measures it and confirms the static
prediction; `--compare default,fixed` shows the same model after `initlint check --fix --unsafe-fixes`.

    initlint probe examples/probe/deep_mlp.py:DeepMLP --input-shape 64,128 --compare default,fixed,lsuv
"""

import torch.nn as nn


class DeepMLP(nn.Module):
    def __init__(self, width=128, depth=20):
        super().__init__()
        layers = []
        for _ in range(depth - 1):
            layers += [nn.Linear(width, width), nn.ReLU()]
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(width, 10)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, std=0.01)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.head(self.body(x))
