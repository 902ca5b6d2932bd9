"""A ResNet-34 style classifier: convs before BatchNorm carry no bias, one generic init routine."""
import torch.nn as nn


def conv3x3(inp, out, stride=1):
    return nn.Conv2d(inp, out, 3, stride, 1, bias=False)


class BasicBlock(nn.Module):
    def __init__(self, inp, out, stride=1):
        super().__init__()
        self.conv1 = conv3x3(inp, out, stride)
        self.bn1 = nn.BatchNorm2d(out)
        self.conv2 = conv3x3(out, out)
        self.bn2 = nn.BatchNorm2d(out)
        self.relu = nn.ReLU(inplace=True)
        self.down = None
        if stride != 1 or inp != out:
            self.down = nn.Sequential(nn.Conv2d(inp, out, 1, stride, bias=False), nn.BatchNorm2d(out))

    def forward(self, x):
        idt = x if self.down is None else self.down(x)
        y = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(y)) + idt)


class ResNet(nn.Module):
    def __init__(self, classes=1000):
        super().__init__()
        self.stem = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.layer1 = nn.Sequential(BasicBlock(64, 64), BasicBlock(64, 64))
        self.layer2 = nn.Sequential(BasicBlock(64, 128, 2), BasicBlock(128, 128))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(128, classes)
        self.apply(self._init_weights)

    def _init_weights(self, m):
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            nn.init.constant_(m.bias, 0)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0, 0.01)
            nn.init.zeros_(m.bias)

    def forward(self, x):
        x = self.relu(self.bn(self.stem(x)))
        x = self.layer2(self.layer1(x))
        return self.fc(self.pool(x).flatten(1))


class ProjectionHead(nn.Module):
    """SimCLR projection head; the last layer has no bias."""

    def __init__(self, dim=128, hidden=512, out=128):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.bn = nn.BatchNorm1d(hidden)
        self.fc2 = nn.Linear(hidden, out, bias=False)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                if m.bias:
                    nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.fc2(nn.functional.relu(self.bn(self.fc1(x))))


class Classifier(nn.Module):
    def __init__(self, dim=512, classes=10):
        super().__init__()
        self.drop = nn.Dropout(0.2)
        self.fc = nn.Linear(dim, classes)
        self.conv = nn.Conv2d(dim, dim, 1, bias=False)
        self.apply(self.init_weights)

    def init_weights(self, m):
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.trunc_normal_(m.weight, std=0.02, a=-0.04, b=0.04)
            if m.bias is not None:
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.fc(self.drop(self.conv(x).mean((2, 3))))
