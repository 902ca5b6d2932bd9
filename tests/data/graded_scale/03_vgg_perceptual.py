"""VGG-style (no batch norm) feature extractor for a perceptual / feature-matching loss.

Trained from scratch together with the generator; weights are left at the PyTorch defaults.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

# 10 conv layers, VGG-13 layout scaled down for 32x32 inputs
CFG = [16, 16, "M", 32, 32, "M", 64, 64, 64, "M", 128, 128, 128, "M"]


def make_layers(cfg, in_channels=3):
    layers = []
    for v in cfg:
        if v == "M":
            layers += [nn.MaxPool2d(kernel_size=2, stride=2)]
        else:
            conv2d = nn.Conv2d(in_channels, v, kernel_size=3, padding=1)
            layers += [conv2d, nn.ReLU(inplace=True)]
            in_channels = v
    return nn.Sequential(*layers)


class VGGPerceptual(nn.Module):
    def __init__(self, layer_ids=(3, 8, 15, 22)):
        super().__init__()
        self.features = make_layers(CFG)
        self.layer_ids = set(layer_ids)

    def extract(self, x):
        feats = []
        for i, layer in enumerate(self.features):
            x = layer(x)
            if i in self.layer_ids:
                feats.append(x)
        return feats

    def forward(self, x, y):
        loss = x.new_zeros(())
        for fx, fy in zip(self.extract(x), self.extract(y)):
            loss = loss + F.l1_loss(fx, fy)
        return loss


if __name__ == "__main__":
    net = VGGPerceptual()
    a, b = torch.randn(2, 3, 32, 32), torch.randn(2, 3, 32, 32)
    print(net(a, b).item())
