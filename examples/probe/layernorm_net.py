"""The seed's NetWithLayerNorm (section 2.4.5): SimpleNet with a LayerNorm after each hidden Linear.

Compare it with SimpleNet under the same bad init, side by side:

    initlint probe examples/probe/simplenet.py:SimpleNet examples/probe/layernorm_net.py:NetWithLayerNorm \
        --input-shape 256,100 --kwargs '{"init_method": "small_random"}' --train 200
"""

import torch.nn as nn

INIT_METHODS = ("default", "xavier", "he", "small_random", "large_random")


class NetWithLayerNorm(nn.Module):
    def __init__(self, input_size=100, hidden_size=100, output_size=10, init_method="default"):
        super().__init__()
        if init_method not in INIT_METHODS:
            raise ValueError(f"init_method must be one of {INIT_METHODS}, not {init_method!r}")
        self.fc1 = nn.Linear(input_size, hidden_size)
        self.ln1 = nn.LayerNorm(hidden_size)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(hidden_size, hidden_size)
        self.ln2 = nn.LayerNorm(hidden_size)
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
        x = self.relu(self.ln1(self.fc1(x)))
        x = self.relu(self.ln2(self.fc2(x)))
        return self.fc3(x)
