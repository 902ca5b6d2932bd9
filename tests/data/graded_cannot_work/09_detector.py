"""An FCOS-like detection head and an RPN with a one-unit objectness layer."""
import math

import torch
import torch.nn as nn


class Scale(nn.Module):
    def __init__(self, init=1.0):
        super().__init__()
        self.scale = nn.Parameter(torch.tensor([init]))

    def forward(self, x):
        return x * self.scale


class FCOSHead(nn.Module):
    def __init__(self, channels=256, classes=80, convs=4):
        super().__init__()
        tower = []
        for _ in range(convs):
            tower.append(nn.Conv2d(channels, channels, 3, padding=1, bias=False))
            tower.append(nn.GroupNorm(32, channels))
            tower.append(nn.ReLU())
        self.cls_tower = nn.Sequential(*tower)
        self.cls_logits = nn.Conv2d(channels, classes, 3, padding=1)
        self.bbox_pred = nn.Conv2d(channels, 4, 3, padding=1)
        self.scales = nn.ModuleList([Scale() for _ in range(5)])
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.normal_(m.weight, std=0.01)
                m.bias.data.zero_()
        prior = 0.01
        nn.init.constant_(self.cls_logits.bias, -math.log((1 - prior) / prior))

    def forward(self, x):
        t = self.cls_tower(x)
        return self.cls_logits(t), self.bbox_pred(t)


class RPNHead(nn.Module):
    def __init__(self, channels=256, anchors=3):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)
        self.objectness = nn.Conv2d(channels, 1, 1)
        self.deltas = nn.Conv2d(channels, anchors * 4, 1)
        for layer in (self.conv, self.objectness, self.deltas):
            nn.init.normal_(layer.weight, std=0.01)
            if layer.bias is not None:
                nn.init.constant_(layer.bias, 0)
        if self.objectness.bias.numel() == 1:
            nn.init.constant_(self.objectness.bias, -4.6)

    def forward(self, x):
        t = torch.relu(self.conv(x))
        return self.objectness(t), self.deltas(t)


class MaskHead(nn.Module):
    def __init__(self, channels=256, classes=80):
        super().__init__()
        self.convs = nn.ModuleList([nn.Conv2d(channels, channels, 3, padding=1) for _ in range(4)])
        self.up = nn.ConvTranspose2d(channels, channels, 2, 2, bias=False)
        self.logits = nn.Conv2d(channels, classes, 1)
        self.apply(self._init)

    def _init(self, m):
        if not isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            return
        nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        if m.bias is None:
            return
        nn.init.zeros_(m.bias)

    def forward(self, x):
        for conv in self.convs:
            x = torch.relu(conv(x))
        return self.logits(torch.relu(self.up(x)))
