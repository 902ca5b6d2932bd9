import torch
import torch.nn as nn
import torch.nn.functional as F


def init_selu_convs(m):
    if isinstance(m, nn.Conv2d):
        nn.init.xavier_normal_(m.weight)
        if m.bias is not None:
            nn.init.zeros_(m.bias)


class SeluCNN(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1),
            nn.SELU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1),
            nn.SELU(),
            nn.MaxPool2d(2),
        )
        self.fc1 = nn.Linear(64 * 7 * 7, 256)
        self.fc2 = nn.Linear(256, 128)
        self.fc3 = nn.Linear(128, num_classes)
        self.dropout = nn.AlphaDropout(0.1)
        self.features.apply(init_selu_convs)
        nn.init.kaiming_normal_(self.fc1.weight)
        nn.init.kaiming_normal_(self.fc2.weight, mode="fan_in", nonlinearity="linear")
        nn.init.xavier_uniform_(self.fc3.weight)

    def forward(self, x):
        x = self.features(x)
        x = x.view(x.size(0), -1)
        x = self.dropout(F.selu(self.fc1(x)))
        x = self.dropout(F.selu(self.fc2(x)))
        return self.fc3(x)


class SeluConvBlock(nn.Module):
    def __init__(self, cin=64, cout=64):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, padding=1)
        self.act = nn.SELU(inplace=True)
        fan_in = cin * 3 * 3
        nn.init.normal_(self.conv.weight, 0.0, fan_in ** -0.5)
        nn.init.zeros_(self.conv.bias)

    def forward(self, x):
        return self.act(self.conv(x))
