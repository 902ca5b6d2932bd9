"""No name for torch.nn in the file: the fix adds `import torch.nn as nn` once, for two fixes."""
from torch.nn import Linear, Module
from torch.nn.functional import relu
import torch.nn as nn


class Net(Module):
    def __init__(self):
        super().__init__()
        self.fc1 = Linear(100, 100)
        self.fc2 = Linear(100, 100)
        self.fc3 = Linear(100, 2)
        nn.init.kaiming_normal_(self.fc1.weight.data, nonlinearity="relu")
        nn.init.kaiming_normal_(self.fc2.weight.data, nonlinearity="relu")

    def forward(self, x):
        return self.fc3(relu(self.fc2(relu(self.fc1(x)))))
