"""Single-image super-resolution networks: SRCNN, ESPCN and VDSR."""
import math

import torch
import torch.nn as nn


class SRCNN(nn.Module):
    def __init__(self, num_channels=1):
        super(SRCNN, self).__init__()
        self.conv1 = nn.Conv2d(num_channels, 64, kernel_size=9, padding=9 // 2)
        self.conv2 = nn.Conv2d(64, 32, kernel_size=5, padding=5 // 2)
        self.conv3 = nn.Conv2d(32, num_channels, kernel_size=5, padding=5 // 2)
        self.relu = nn.ReLU(inplace=True)
        # as in the Caffe release: gaussian(std=0.001) filters, zero biases
        nn.init.normal_(self.conv1.weight, mean=0.0, std=0.001)
        nn.init.normal_(self.conv2.weight, mean=0.0, std=0.001)
        nn.init.normal_(self.conv3.weight, mean=0.0, std=0.001)
        for conv in (self.conv1, self.conv2, self.conv3):
            nn.init.zeros_(conv.bias)

    def forward(self, x):
        x = self.relu(self.conv1(x))
        x = self.relu(self.conv2(x))
        return self.conv3(x)


class ESPCN(nn.Module):
    def __init__(self, scale_factor=3, num_channels=1):
        super(ESPCN, self).__init__()
        self.first_part = nn.Sequential(
            nn.Conv2d(num_channels, 64, kernel_size=5, padding=5 // 2),
            nn.Tanh(),
            nn.Conv2d(64, 32, kernel_size=3, padding=3 // 2),
            nn.Tanh(),
        )
        self.last_part = nn.Sequential(
            nn.Conv2d(32, num_channels * (scale_factor ** 2), kernel_size=3, padding=3 // 2),
            nn.PixelShuffle(scale_factor),
        )
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                std = math.sqrt(2.0 / (m.in_channels + m.out_channels))
                nn.init.normal_(m.weight.data, mean=0.0, std=std)
                nn.init.zeros_(m.bias.data)

    def forward(self, x):
        return self.last_part(self.first_part(x))


class Conv_ReLU_Block(nn.Module):
    def __init__(self):
        super(Conv_ReLU_Block, self).__init__()
        self.conv = nn.Conv2d(in_channels=64, out_channels=64, kernel_size=3, stride=1, padding=1, bias=False)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.relu(self.conv(x))


class VDSR(nn.Module):
    def __init__(self, num_layers=10):
        super(VDSR, self).__init__()
        self.residual_layer = nn.Sequential(*[Conv_ReLU_Block() for _ in range(num_layers)])
        self.input = nn.Conv2d(in_channels=1, out_channels=64, kernel_size=3, stride=1, padding=1, bias=False)
        self.output = nn.Conv2d(in_channels=64, out_channels=1, kernel_size=3, stride=1, padding=1, bias=False)
        self.relu = nn.ReLU(inplace=True)

        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                n = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
                m.weight.data.normal_(0, math.sqrt(2. / n))

    def forward(self, x):
        residual = x
        out = self.relu(self.input(x))
        out = self.residual_layer(out)
        out = self.output(out)
        return torch.add(out, residual)


if __name__ == "__main__":
    lr = torch.randn(1, 1, 24, 24)
    print(SRCNN()(lr).shape, ESPCN()(lr).shape, VDSR()(lr).shape)
