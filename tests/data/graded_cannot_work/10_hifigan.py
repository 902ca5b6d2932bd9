"""A HiFi-GAN style vocoder generator and a WaveNet-like flow layer, all weight-normalized."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn import Conv1d, ConvTranspose1d
from torch.nn.utils import remove_weight_norm, weight_norm
from torch.nn.utils.parametrizations import weight_norm as param_weight_norm

LRELU_SLOPE = 0.1


def init_weights(m, mean=0.0, std=0.01):
    classname = m.__class__.__name__
    if classname.find("Conv") != -1:
        m.weight.data.normal_(mean, std)


def get_padding(kernel_size, dilation=1):
    return int((kernel_size * dilation - dilation) / 2)


class ResBlock(nn.Module):
    def __init__(self, channels, kernel_size=3, dilation=(1, 3, 5)):
        super().__init__()
        self.convs1 = nn.ModuleList([
            weight_norm(Conv1d(channels, channels, kernel_size, 1, dilation=d,
                               padding=get_padding(kernel_size, d)))
            for d in dilation
        ])
        self.convs1.apply(init_weights)
        self.convs2 = nn.ModuleList([
            weight_norm(Conv1d(channels, channels, kernel_size, 1, dilation=1,
                               padding=get_padding(kernel_size, 1)))
            for _ in dilation
        ])
        self.convs2.apply(init_weights)

    def forward(self, x):
        for c1, c2 in zip(self.convs1, self.convs2):
            xt = c2(F.leaky_relu(c1(F.leaky_relu(x, LRELU_SLOPE)), LRELU_SLOPE))
            x = xt + x
        return x

    def remove_weight_norm(self):
        for layer in self.convs1:
            remove_weight_norm(layer)
        for layer in self.convs2:
            remove_weight_norm(layer)


class Generator(nn.Module):
    def __init__(self, mels=80, upsample_rates=(8, 8, 2, 2), initial=512):
        super().__init__()
        self.conv_pre = weight_norm(Conv1d(mels, initial, 7, 1, padding=3))
        self.ups = nn.ModuleList()
        for i, u in enumerate(upsample_rates):
            self.ups.append(weight_norm(
                ConvTranspose1d(initial // (2 ** i), initial // (2 ** (i + 1)), u * 2, u, padding=u // 2)))
        self.resblocks = nn.ModuleList([ResBlock(initial // (2 ** (i + 1))) for i in range(len(upsample_rates))])
        self.conv_post = weight_norm(Conv1d(initial // 16, 1, 7, 1, padding=3))
        self.ups.apply(init_weights)
        self.conv_post.apply(init_weights)

    def forward(self, x):
        x = self.conv_pre(x)
        for up, block in zip(self.ups, self.resblocks):
            x = block(up(F.leaky_relu(x, LRELU_SLOPE)))
        return torch.tanh(self.conv_post(F.leaky_relu(x)))


class FlowLayer(nn.Module):
    """A coupling layer: its input conv is initialized before weight norm, its output conv starts at zero."""

    def __init__(self, channels=192, hidden=192):
        super().__init__()
        start = nn.Conv1d(channels // 2, hidden, 1)
        nn.init.kaiming_uniform_(start.weight, a=LRELU_SLOPE, nonlinearity="leaky_relu")
        self.start = weight_norm(start)
        self.mid = param_weight_norm(nn.Conv1d(hidden, hidden, 3, padding=1))
        nn.init.xavier_uniform_(self.mid.weight)
        self.end = nn.Conv1d(hidden, channels, 1)
        self.end.weight.data.zero_()
        self.end.bias.data.zero_()

    def forward(self, x):
        a, b = x.chunk(2, 1)
        h = self.end(F.leaky_relu(self.mid(F.leaky_relu(self.start(a), LRELU_SLOPE))))
        return torch.cat([a, b + h[:, : b.shape[1]]], 1)
