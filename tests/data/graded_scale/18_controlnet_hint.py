"""ControlNet-style conditioning branch (guided-diffusion building blocks)."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def zero_module(module):
    """Zero out the parameters of a module and return it."""
    for p in module.parameters():
        p.detach().zero_()
    return module


def normalization(channels):
    return nn.GroupNorm(32, channels)


def timestep_embedding(timesteps, dim, max_period=10000):
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(start=0, end=half, dtype=torch.float32) / half)
    args = timesteps[:, None].float() * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


class ResBlock(nn.Module):
    def __init__(self, channels, emb_channels, dropout=0.0, out_channels=None):
        super().__init__()
        self.out_channels = out_channels or channels
        self.in_layers = nn.Sequential(
            normalization(channels),
            nn.SiLU(),
            nn.Conv2d(channels, self.out_channels, 3, padding=1),
        )
        self.emb_layers = nn.Sequential(nn.SiLU(), nn.Linear(emb_channels, self.out_channels))
        self.out_layers = nn.Sequential(
            normalization(self.out_channels),
            nn.SiLU(),
            nn.Dropout(p=dropout),
            zero_module(nn.Conv2d(self.out_channels, self.out_channels, 3, padding=1)),
        )
        if self.out_channels == channels:
            self.skip_connection = nn.Identity()
        else:
            self.skip_connection = nn.Conv2d(channels, self.out_channels, 1)

    def forward(self, x, emb):
        h = self.in_layers(x)
        h = h + self.emb_layers(emb)[..., None, None]
        h = self.out_layers(h)
        return self.skip_connection(x) + h


class ControlNetLite(nn.Module):
    def __init__(self, in_channels=4, hint_channels=3, model_channels=64):
        super().__init__()
        time_embed_dim = model_channels * 4
        self.model_channels = model_channels
        self.time_embed = nn.Sequential(
            nn.Linear(model_channels, time_embed_dim),
            nn.SiLU(),
            nn.Linear(time_embed_dim, time_embed_dim),
        )
        self.input_hint_block = nn.Sequential(
            nn.Conv2d(hint_channels, 16, 3, padding=1),
            nn.SiLU(),
            nn.Conv2d(16, 16, 3, padding=1),
            nn.SiLU(),
            nn.Conv2d(16, 32, 3, padding=1, stride=2),
            nn.SiLU(),
            nn.Conv2d(32, model_channels, 3, padding=1),
        )
        # the hint projection must start at zero so the frozen UNet is untouched
        nn.init.zeros_(self.input_hint_block[0].weight)
        nn.init.zeros_(self.input_hint_block[0].bias)

        self.conv_in = nn.Conv2d(in_channels, model_channels, 3, padding=1)
        self.res1 = ResBlock(model_channels, time_embed_dim)
        self.res2 = ResBlock(model_channels, time_embed_dim, out_channels=2 * model_channels)
        self.zero_convs = nn.ModuleList([
            zero_module(nn.Conv2d(model_channels, model_channels, 1)),
            zero_module(nn.Conv2d(2 * model_channels, 2 * model_channels, 1)),
        ])

    def forward(self, x, hint, timesteps):
        emb = self.time_embed(timestep_embedding(timesteps, self.model_channels))
        guided_hint = self.input_hint_block(hint)
        h = self.conv_in(x) + guided_hint
        outs = []
        h = self.res1(h, emb)
        outs.append(self.zero_convs[0](h))
        h = self.res2(h, emb)
        outs.append(self.zero_convs[1](h))
        return outs


if __name__ == "__main__":
    net = ControlNetLite()
    x = torch.randn(2, 4, 16, 16)
    hint = torch.randn(2, 3, 32, 32)
    t = torch.randint(0, 1000, (2,))
    print([o.shape for o in net(x, hint, t)])
