"""Safe fixes only: a fan-based init on a bias (crashes at construction) and a deprecated alias."""
import torch.nn as nn


class Head(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(256, 256)
        self.act = nn.Tanh()
        self.out = nn.Linear(256, 3)
        nn.init.xavier_uniform(self.fc.weight, gain=nn.init.calculate_gain("tanh"))
        nn.init.xavier_normal_(self.fc.bias)

    def forward(self, x):
        return self.out(self.act(self.fc(x)))
