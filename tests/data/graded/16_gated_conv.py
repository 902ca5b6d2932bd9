import torch
import torch.nn as nn
import torch.nn.functional as F


class WaveNetResidualBlock(nn.Module):
    def __init__(self, residual_channels=64, skip_channels=128, dilation=1):
        super().__init__()
        self.filter_conv = nn.Conv1d(residual_channels, residual_channels, kernel_size=2, dilation=dilation)
        self.gate_conv = nn.Conv1d(residual_channels, residual_channels, kernel_size=2, dilation=dilation)
        self.res_conv = nn.Conv1d(residual_channels, residual_channels, kernel_size=1)
        self.skip_conv = nn.Conv1d(residual_channels, skip_channels, kernel_size=1)
        for conv in (self.filter_conv, self.gate_conv):
            nn.init.kaiming_normal_(conv.weight)
            nn.init.zeros_(conv.bias)
        nn.init.kaiming_normal_(self.res_conv.weight)
        nn.init.xavier_uniform_(self.skip_conv.weight)

    def forward(self, x):
        out = torch.tanh(self.filter_conv(x)) * torch.sigmoid(self.gate_conv(x))
        skip = self.skip_conv(out)
        res = self.res_conv(out) + x[:, :, -out.size(2):]
        return res, skip


class GLUConvBlock(nn.Module):
    """Gated CNN block (Dauphin et al. 2017)."""

    def __init__(self, channels=128, kernel_size=3):
        super().__init__()
        self.conv = nn.Conv1d(channels, 2 * channels, kernel_size, padding=kernel_size - 1)
        self.glu = nn.GLU(dim=1)
        nn.init.kaiming_normal_(self.conv.weight)
        nn.init.zeros_(self.conv.bias)

    def forward(self, x):
        T = x.size(2)
        h = self.glu(self.conv(x)[:, :, :T])
        return h + x


class SwiGLU(nn.Module):
    def __init__(self, dim=256, hidden=683):
        super().__init__()
        self.w1 = nn.Linear(dim, hidden, bias=False)
        self.w2 = nn.Linear(hidden, dim, bias=False)
        self.w3 = nn.Linear(dim, hidden, bias=False)
        nn.init.trunc_normal_(self.w1.weight, std=0.02)
        nn.init.xavier_uniform_(self.w3.weight)
        nn.init.xavier_uniform_(self.w2.weight)

    def forward(self, x):
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


class TinyWaveNet(nn.Module):
    def __init__(self, channels=64, layers=6):
        super().__init__()
        self.inp = nn.Conv1d(1, channels, 1)
        self.blocks = nn.ModuleList([WaveNetResidualBlock(channels, 128, 2 ** i) for i in range(layers)])
        self.glu = GLUConvBlock(128)
        self.out = nn.Conv1d(128, 256, 1)

    def forward(self, x):
        x = self.inp(x)
        skips = 0
        for blk in self.blocks:
            x, s = blk(x)
            skips = s[:, :, -x.size(2):] + (skips[:, :, -x.size(2):] if torch.is_tensor(skips) else 0)
        return self.out(self.glu(F.relu(skips)))
