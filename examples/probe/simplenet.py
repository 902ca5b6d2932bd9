"""The seed's SimpleNet (section 2.4.4), written for `initlint probe`: one network, five inits.

    initlint probe examples/probe/simplenet.py:SimpleNet --input-shape 256,100 \
        --kwargs '{"init_method": "small_random"}' --train 200

`init_method` picks the seed's schemes: PyTorch's default, Xavier normal, He normal (kaiming_normal_ with
its default a=0, the ReLU gain), and a fixed N(0, 0.01) or N(0, 1). The seed's forward also returns the
activations as NumPy arrays; here it returns the output only, and the probe records the activations with
forward hooks instead.
"""

import torch.nn as nn

INIT_METHODS = ("default", "xavier", "he", "small_random", "large_random")


class SimpleNet(nn.Module):
    def __init__(self, input_size=100, hidden_size=100, output_size=10, init_method="default"):
        super().__init__()
        if init_method not in INIT_METHODS:
            raise ValueError(f"init_method must be one of {INIT_METHODS}, not {init_method!r}")
        self.fc1 = nn.Linear(input_size, hidden_size)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(hidden_size, hidden_size)
        self.fc3 = nn.Linear(hidden_size, output_size)
        layers = (self.fc1, self.fc2, self.fc3)
        if init_method == "xavier":
            for layer in layers:
                nn.init.xavier_normal_(layer.weight)
        elif init_method == "he":
            for layer in layers:
                nn.init.kaiming_normal_(layer.weight)
        elif init_method == "small_random":
            for layer in layers:
                nn.init.normal_(layer.weight, std=0.01)
        elif init_method == "large_random":
            for layer in layers:
                nn.init.normal_(layer.weight, std=1.0)

    def forward(self, x):
        x = self.relu(self.fc1(x))
        x = self.relu(self.fc2(x))
        return self.fc3(x)
