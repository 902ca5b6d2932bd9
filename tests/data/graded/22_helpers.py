import torch
import torch.nn as nn
import torch.nn.init as init


def conv_bn_relu(cin, cout, stride=1):
    conv = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
    init.kaiming_normal_(conv.weight, mode="fan_out", nonlinearity="relu")
    return nn.Sequential(conv, nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


def linear_relu(cin, cout, p=0.0):
    lin = nn.Linear(cin, cout)
    init.xavier_uniform_(lin.weight)
    init.zeros_(lin.bias)
    return nn.Sequential(lin, nn.ReLU(inplace=True), nn.Dropout(p))


def selu_block(cin, cout):
    lin = nn.Linear(cin, cout)
    init.xavier_normal_(lin.weight)
    init.zeros_(lin.bias)
    return nn.Sequential(lin, nn.SELU(), nn.AlphaDropout(0.05))


def elu_block(cin, cout):
    lin = nn.Linear(cin, cout)
    init.kaiming_uniform_(lin.weight, nonlinearity="relu")
    init.zeros_(lin.bias)
    return nn.Sequential(lin, nn.ELU())


def identity_conv(channels):
    conv = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
    init.dirac_(conv.weight)
    return nn.Sequential(conv, nn.ReLU())


class HybridNet(nn.Module):
    def __init__(self, num_tab=32, num_classes=4):
        super().__init__()
        self.cnn = nn.Sequential(
            conv_bn_relu(3, 32), conv_bn_relu(32, 64, 2), identity_conv(64),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        )
        self.tab = nn.Sequential(selu_block(num_tab, 64), selu_block(64, 64))
        self.fuse = nn.Sequential(linear_relu(128, 128, 0.2), elu_block(128, 64))
        self.mix = nn.Linear(64, 64)
        self.out = nn.Linear(64, num_classes)
        init.eye_(self.mix.weight)

    def forward(self, img, tab):
        z = torch.cat([self.cnn(img), self.tab(tab)], dim=1)
        return self.out(torch.relu(self.mix(self.fuse(z))))
