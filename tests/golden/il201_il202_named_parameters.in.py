"""A named_parameters() loop: a zeroed hidden layer and a fixed std far below He for its width."""
import torch.nn as nn
import torch.nn.functional as F


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 512)
        self.fc2 = nn.Linear(512, 512)
        self.fc3 = nn.Linear(512, 10)
        for name, p in self.named_parameters():
            if name == "fc1.weight":
                nn.init.zeros_(p)
            elif name.endswith("weight"):
                nn.init.normal_(p, std=0.005)
            else:
                nn.init.zeros_(p)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)
