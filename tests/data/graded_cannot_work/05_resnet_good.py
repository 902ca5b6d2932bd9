"""A ResNet-18 variant whose init is all valid: nothing here may be reported by IL403-IL409."""
import torch.nn as nn
from torch.nn import init

ACT = "relu"


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inp, out, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(inp, out, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out)
        self.conv2 = nn.Conv2d(out, out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out)
        self.relu = nn.ReLU(inplace=True)
        self.short = nn.Sequential()
        if stride != 1 or inp != out:
            self.short = nn.Sequential(nn.Conv2d(inp, out, 1, stride, bias=False), nn.BatchNorm2d(out))

    def forward(self, x):
        y = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(y)) + self.short(x))


class ResNet(nn.Module):
    def __init__(self, layers=(2, 2, 2, 2), classes=10, zero_init_residual=True):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        blocks = []
        inp = 64
        for i, n in enumerate(layers):
            out = 64 * 2 ** i
            for j in range(n):
                blocks.append(BasicBlock(inp, out, 2 if j == 0 and i > 0 else 1))
                inp = out
        self.layers = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(inp, classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity=ACT)
            elif isinstance(m, nn.BatchNorm2d):
                init.constant_(m.weight, 1)
                init.constant_(m.bias, 0)
        init.uniform_(self.fc.weight, -0.01, 0.01)
        init.normal_(self.fc.bias, 0.0, 0.01)
        if zero_init_residual:
            for m in self.modules():
                if isinstance(m, BasicBlock):
                    init.constant_(m.bn2.weight, 0)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.pool(self.layers(x)).flatten(1)
        return self.fc(x)


class Adapter(nn.Module):
    def __init__(self, dim=512, bottleneck=64):
        super().__init__()
        self.down = nn.Linear(dim, bottleneck)
        self.up = nn.Linear(bottleneck, dim)
        init.kaiming_uniform_(self.down.weight, a=0.01, mode="fan_in", nonlinearity="leaky_relu")
        init.xavier_uniform_(self.up.weight, gain=init.calculate_gain("tanh"))
        init.trunc_normal_(self.down.bias, std=0.5, a=-1.0, b=1.0)

    def forward(self, x):
        return x + self.up(nn.functional.leaky_relu(self.down(x)))
