"""A small CNN that re-states nn.Conv2d's default init, a=sqrt(5), although its convs feed ReLU (IL103).

kaiming_uniform_(w, a=math.sqrt(5)) is the leaky-ReLU gain for slope sqrt(5): sqrt(2 / 6) = 0.577,
not the ReLU gain sqrt(2) = 1.41. Without normalization layers, each conv + ReLU then scales the
signal by ~0.41.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class PlainCNN(nn.Module):
    def __init__(self, in_channels=3, width=32, n_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, width, 3, padding=1)
        self.conv2 = nn.Conv2d(width, 2 * width, 3, padding=1)
        self.conv3 = nn.Conv2d(2 * width, 4 * width, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(4 * width, n_classes)
        self.reset_parameters()

    def reset_parameters(self):
        for conv in (self.conv1, self.conv2, self.conv3):
            # IL103: "the same as PyTorch's default", but that default was never meant for ReLU
            nn.init.kaiming_uniform_(conv.weight, a=math.sqrt(5))
            nn.init.zeros_(conv.bias)
        nn.init.xavier_uniform_(self.fc.weight)
        nn.init.zeros_(self.fc.bias)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = F.relu(self.conv3(x))
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(x)


if __name__ == "__main__":
    torch.manual_seed(0)
    model = PlainCNN()
    images = torch.randn(8, 3, 32, 32)
    print("logits:", tuple(model(images).shape))
