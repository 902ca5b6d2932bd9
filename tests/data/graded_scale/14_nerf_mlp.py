"""NeRF MLP (nerf-pytorch layout, skip connection disabled) and a small proposal network."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class Embedder:
    def __init__(self, multires, include_input=True):
        self.freqs = 2. ** torch.linspace(0., multires - 1, steps=multires)
        self.include_input = include_input

    def __call__(self, x):
        out = [x] if self.include_input else []
        for freq in self.freqs:
            out += [torch.sin(x * freq), torch.cos(x * freq)]
        return torch.cat(out, -1)


class NeRF(nn.Module):
    def __init__(self, D=8, W=256, input_ch=63, input_ch_views=27, output_ch=4):
        super(NeRF, self).__init__()
        self.D = D
        self.W = W
        self.input_ch = input_ch
        self.input_ch_views = input_ch_views

        self.pts_linears = nn.ModuleList([nn.Linear(input_ch, W)] + [nn.Linear(W, W) for i in range(D - 1)])
        self.views_linears = nn.ModuleList([nn.Linear(input_ch_views + W, W // 2)])
        self.feature_linear = nn.Linear(W, W)
        self.alpha_linear = nn.Linear(W, 1)
        self.rgb_linear = nn.Linear(W // 2, 3)

    def forward(self, x):
        input_pts, input_views = torch.split(x, [self.input_ch, self.input_ch_views], dim=-1)
        h = input_pts
        for i, l in enumerate(self.pts_linears):
            h = self.pts_linears[i](h)
            h = F.relu(h)

        alpha = self.alpha_linear(h)
        feature = self.feature_linear(h)
        h = torch.cat([feature, input_views], -1)
        for i, l in enumerate(self.views_linears):
            h = self.views_linears[i](h)
            h = F.relu(h)
        rgb = self.rgb_linear(h)
        return torch.cat([rgb, alpha], -1)


class ProposalMLP(nn.Module):
    """Density-only proposal network: 4 hidden layers."""

    def __init__(self, input_ch=63, W=64):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(input_ch, W), nn.ReLU(),
            nn.Linear(W, W), nn.ReLU(),
            nn.Linear(W, W), nn.ReLU(),
            nn.Linear(W, W), nn.ReLU(),
            nn.Linear(W, 1),
        )

    def forward(self, x):
        return F.softplus(self.net(x))


if __name__ == "__main__":
    embed_pts, embed_dirs = Embedder(10), Embedder(4)
    pts, dirs = torch.rand(1024, 3), F.normalize(torch.randn(1024, 3), dim=-1)
    x = torch.cat([embed_pts(pts), embed_dirs(dirs)], -1)
    print(NeRF()(x).shape, ProposalMLP()(embed_pts(pts)).shape)
