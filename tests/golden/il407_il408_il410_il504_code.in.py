import torch.nn as nn


class Backbone(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.conv = nn.Conv2d(3, 32, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(32)
        self.fc = nn.Linear(32, 10)
        self.lstm = nn.LSTM(32, hidden)
        for name, p in self.lstm.named_parameters():
            if "weight_hh" or "weight_ih" in name:
                nn.init.orthogonal_(p)
        self.lstm.bias_hh_l0[hidden:2 * hidden].fill_(1.0)
        self.apply(self._init_weights)

    def _init_weights(self, m):
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.ones_(m.weight)
            if m.bias:
                nn.init.zeros_(m.bias)

    def forward(self, x):
        y = self.bn(self.conv(x)).relu().mean((2, 3))
        return self.fc(y), self.lstm(y.unsqueeze(0))[0]
