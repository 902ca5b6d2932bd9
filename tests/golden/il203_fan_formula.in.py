"""A hand-written He scale whose n forgets the 3x3 kernel."""
import math

import torch.nn as nn


class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(64, 128, 3, padding=1),
            nn.ReLU(inplace=True),
        )
        self.classifier = nn.Linear(128, 10)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                n = m.in_channels
                m.weight.data.normal_(0, math.sqrt(2.0 / n))
                m.bias.data.zero_()

    def forward(self, x):
        return self.classifier(self.features(x).mean((2, 3)))
