"""A temporal convolutional network (Bai et al.) and a lazy image encoder."""
import torch
import torch.nn as nn
from torch.nn.utils import weight_norm


class Chomp1d(nn.Module):
    def __init__(self, chomp):
        super().__init__()
        self.chomp = chomp

    def forward(self, x):
        return x[:, :, : -self.chomp].contiguous()


class TemporalBlock(nn.Module):
    def __init__(self, n_in, n_out, kernel_size, stride, dilation, padding, dropout=0.2):
        super().__init__()
        self.conv1 = weight_norm(nn.Conv1d(n_in, n_out, kernel_size, stride=stride, padding=padding,
                                           dilation=dilation))
        self.chomp1 = Chomp1d(padding)
        self.relu1 = nn.ReLU()
        self.conv2 = weight_norm(nn.Conv1d(n_out, n_out, kernel_size, stride=stride, padding=padding,
                                           dilation=dilation))
        self.chomp2 = Chomp1d(padding)
        self.relu2 = nn.ReLU()
        self.downsample = nn.Conv1d(n_in, n_out, 1) if n_in != n_out else None
        self.relu = nn.ReLU()
        self.init_weights()

    def init_weights(self):
        self.conv1.weight.data.normal_(0, 0.01)
        self.conv2.weight.data.normal_(0, 0.01)
        if self.downsample is not None:
            self.downsample.weight.data.normal_(0, 0.01)

    def forward(self, x):
        out = self.relu2(self.chomp2(self.conv2(self.relu1(self.chomp1(self.conv1(x))))))
        res = x if self.downsample is None else self.downsample(x)
        return self.relu(out + res)


class TCN(nn.Module):
    def __init__(self, inputs=1, channels=(25, 25, 25), kernel_size=7, classes=10):
        super().__init__()
        layers = []
        for i, ch in enumerate(channels):
            d = 2 ** i
            n_in = inputs if i == 0 else channels[i - 1]
            layers.append(TemporalBlock(n_in, ch, kernel_size, 1, d, (kernel_size - 1) * d))
        self.network = nn.Sequential(*layers)
        self.linear = nn.Linear(channels[-1], classes)
        self.linear.weight.data.normal_(0, 0.01)

    def forward(self, x):
        return self.linear(self.network(x)[:, :, -1])


class LazyEncoder(nn.Module):
    """Layer widths come from the data: every layer is lazy."""

    def __init__(self, classes=100):
        super().__init__()
        self.conv1 = nn.LazyConv2d(32, 3, padding=1)
        self.conv2 = nn.LazyConv2d(64, 3, padding=1)
        self.head = nn.LazyLinear(classes)
        nn.init.xavier_uniform_(self.head.weight)
        self.apply(self._init_weights)

    def _init_weights(self, m):
        if isinstance(m, nn.Conv2d):
            m.weight.data.normal_(0, 0.02)

    def forward(self, x):
        x = torch.relu(self.conv2(torch.relu(self.conv1(x))))
        return self.head(x.mean((2, 3)))


class WarmLazyEncoder(nn.Module):
    """The same, materialized with a dummy batch before the init."""

    def __init__(self, classes=100):
        super().__init__()
        self.conv = nn.LazyConv2d(32, 3, padding=1)
        self.head = nn.LazyLinear(classes)
        self(torch.zeros(1, 3, 32, 32))
        nn.init.kaiming_normal_(self.conv.weight, nonlinearity="relu")
        nn.init.zeros_(self.head.bias)

    def forward(self, x):
        return self.head(torch.relu(self.conv(x)).mean((2, 3)))
