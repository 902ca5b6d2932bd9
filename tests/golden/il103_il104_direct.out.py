"""A wrong gain and a SELU layer without LeCun normal, each fixed in place."""
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(128, 256),
            nn.LeakyReLU(0.2),
            nn.Linear(256, 64),
            nn.SELU(),
            nn.Linear(64, 1),
        )
        nn.init.kaiming_uniform_(self.body[0].weight, a=0.2, nonlinearity="leaky_relu")  # LeakyReLU(0.2) follows
        nn.init.kaiming_normal_(self.body[2].weight, nonlinearity="linear")  # SELU wants LeCun normal

    def forward(self, x):
        return self.body(x)
