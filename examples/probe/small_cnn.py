"""A small He-initialized CNN with BatchNorm: what `initlint probe` should pass.

    initlint probe examples/probe/small_cnn.py:SmallCNN --input-shape 16,3,32,32
"""

import torch.nn as nn


class SmallCNN(nn.Module):
    def __init__(self, channels=16, classes=10, batchnorm=True):
        super().__init__()
        norm = nn.BatchNorm2d if batchnorm else (lambda c: nn.Identity())
        self.features = nn.Sequential(
            nn.Conv2d(3, channels, 3, padding=1), norm(channels), nn.ReLU(),
            nn.Conv2d(channels, channels, 3, padding=1), norm(channels), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(channels, 2 * channels, 3, padding=1), norm(2 * channels), nn.ReLU(),
            nn.Conv2d(2 * channels, 2 * channels, 3, padding=1), norm(2 * channels), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
        )
        self.classifier = nn.Linear(2 * channels, classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
                nn.init.zeros_(m.bias)
        nn.init.xavier_uniform_(self.classifier.weight)
        nn.init.zeros_(self.classifier.bias)

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))
