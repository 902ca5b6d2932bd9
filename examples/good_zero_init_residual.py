"""Zero-initialized weights that are deliberate: each one ends a residual branch or a modulation path.

A zero here does not freeze a hidden layer. It makes a residual block start as the identity: the
branch's last layer outputs 0, the skip connection carries the signal and its gradient to the layers
below. The zeroed layer itself gets a nonzero gradient at the first step (its input comes from random
layers, and each of its outputs has its own error signal), so it moves off 0 at once and the layers
before it in the branch start learning right after. Three common forms:

* the last conv of a residual branch set to 0 (Fixup, Zhang et al. 2019; `zero_module` in diffusion
  U-Nets), here in a conv ResBlock with a timestep embedding;
* the last BatchNorm of a residual branch with gamma = 0 (Goyal et al. 2017);
* adaLN-Zero, as in DiT: the Linear that produces shift/scale/gate from the conditioning is zeroed, so
  every gate starts at 0 and every block starts as the identity; the final projection is zeroed too.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def timestep_embedding(t, dim):
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
    args = t[:, None].float() * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


class ConvResBlock(nn.Module):
    """GroupNorm-SiLU-conv, twice, with the timestep added in between; the second conv starts at 0."""

    def __init__(self, channels, emb_dim):
        super().__init__()
        self.norm1 = nn.GroupNorm(8, channels)
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.emb = nn.Linear(emb_dim, channels)
        self.norm2 = nn.GroupNorm(8, channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)
        nn.init.kaiming_normal_(self.conv1.weight, nonlinearity="relu")
        nn.init.zeros_(self.conv1.bias)
        nn.init.zeros_(self.conv2.weight)  # residual-final: the block starts as the identity
        nn.init.zeros_(self.conv2.bias)

    def forward(self, x, emb):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.emb(emb)[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return x + h


class BasicBlockBN(nn.Module):
    """conv-BN-ReLU, conv-BN; the last BN's gamma starts at 0 (Goyal et al. 2017)."""

    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        for conv in (self.conv1, self.conv2):
            nn.init.kaiming_normal_(conv.weight, mode="fan_out", nonlinearity="relu")
        nn.init.zeros_(self.bn2.weight)

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        return F.relu(x + self.bn2(self.conv2(h)))


class UNetStage(nn.Module):
    def __init__(self, in_channels=3, channels=64, emb_dim=128, n_blocks=2):
        super().__init__()
        self.emb_dim = emb_dim
        self.time_mlp = nn.Sequential(nn.Linear(emb_dim, emb_dim), nn.SiLU(), nn.Linear(emb_dim, emb_dim))
        self.stem = nn.Conv2d(in_channels, channels, 3, padding=1)
        self.blocks = nn.ModuleList([ConvResBlock(channels, emb_dim) for _ in range(n_blocks)])
        self.refine = BasicBlockBN(channels)
        self.out = nn.Conv2d(channels, in_channels, 3, padding=1)
        nn.init.kaiming_normal_(self.time_mlp[0].weight, nonlinearity="relu")
        nn.init.zeros_(self.time_mlp[0].bias)
        nn.init.xavier_uniform_(self.time_mlp[2].weight)
        nn.init.zeros_(self.time_mlp[2].bias)

    def forward(self, x, t):
        emb = self.time_mlp(timestep_embedding(t, self.emb_dim))
        h = self.stem(x)
        for block in self.blocks:
            h = block(h, emb)
        return self.out(self.refine(h))


def modulate(x, shift, scale):
    return x * (1 + scale.unsqueeze(1)) + shift.unsqueeze(1)


class DiTBlock(nn.Module):
    """A transformer block conditioned by adaLN-Zero."""

    def __init__(self, dim, num_heads, mlp_ratio=4.0):
        super().__init__()
        hidden = int(dim * mlp_ratio)
        self.norm1 = nn.LayerNorm(dim, elementwise_affine=False, eps=1e-6)
        self.attn = nn.MultiheadAttention(dim, num_heads, batch_first=True)
        self.norm2 = nn.LayerNorm(dim, elementwise_affine=False, eps=1e-6)
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(dim, 6 * dim))
        nn.init.xavier_uniform_(self.attn.in_proj_weight)
        nn.init.zeros_(self.attn.in_proj_bias)
        nn.init.xavier_uniform_(self.attn.out_proj.weight)
        nn.init.zeros_(self.attn.out_proj.bias)
        nn.init.kaiming_normal_(self.fc1.weight, nonlinearity="relu")
        nn.init.zeros_(self.fc1.bias)
        nn.init.xavier_uniform_(self.fc2.weight)
        nn.init.zeros_(self.fc2.bias)
        nn.init.zeros_(self.adaLN_modulation[-1].weight)  # adaLN-Zero: every gate starts at 0
        nn.init.zeros_(self.adaLN_modulation[-1].bias)

    def forward(self, x, c):
        shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp = self.adaLN_modulation(c).chunk(6, dim=1)
        h = modulate(self.norm1(x), shift_msa, scale_msa)
        x = x + gate_msa.unsqueeze(1) * self.attn(h, h, h, need_weights=False)[0]
        h = modulate(self.norm2(x), shift_mlp, scale_mlp)
        x = x + gate_mlp.unsqueeze(1) * self.fc2(F.gelu(self.fc1(h)))
        return x


class TinyDiT(nn.Module):
    def __init__(self, in_channels=4, patch=2, dim=192, depth=4, num_heads=6, n_classes=10, input_size=16):
        super().__init__()
        self.patch, self.in_channels = patch, in_channels
        self.n_patches = (input_size // patch) ** 2
        self.x_embedder = nn.Conv2d(in_channels, dim, patch, stride=patch)
        self.pos_embed = nn.Parameter(torch.zeros(1, self.n_patches, dim))
        self.t_embedder = nn.Sequential(nn.Linear(256, dim), nn.SiLU(), nn.Linear(dim, dim))
        self.y_embedder = nn.Embedding(n_classes, dim)
        self.blocks = nn.ModuleList([DiTBlock(dim, num_heads) for _ in range(depth)])
        self.norm_final = nn.LayerNorm(dim, elementwise_affine=False, eps=1e-6)
        self.final_modulation = nn.Sequential(nn.SiLU(), nn.Linear(dim, 2 * dim))
        self.final = nn.Linear(dim, patch * patch * in_channels)

        nn.init.xavier_uniform_(self.x_embedder.weight)
        nn.init.zeros_(self.x_embedder.bias)
        nn.init.trunc_normal_(self.pos_embed, std=0.02)
        nn.init.kaiming_normal_(self.t_embedder[0].weight, nonlinearity="relu")
        nn.init.zeros_(self.t_embedder[0].bias)
        nn.init.xavier_uniform_(self.t_embedder[2].weight)
        nn.init.zeros_(self.t_embedder[2].bias)
        nn.init.normal_(self.y_embedder.weight, std=0.02)
        nn.init.zeros_(self.final_modulation[-1].weight)
        nn.init.zeros_(self.final_modulation[-1].bias)
        nn.init.zeros_(self.final.weight)  # the model starts by predicting 0 noise
        nn.init.zeros_(self.final.bias)

    def forward(self, x, t, y):
        batch, _, height, width = x.shape
        tokens = self.x_embedder(x).flatten(2).transpose(1, 2) + self.pos_embed
        c = self.t_embedder(timestep_embedding(t, 256)) + self.y_embedder(y)
        for block in self.blocks:
            tokens = block(tokens, c)
        shift, scale = self.final_modulation(c).chunk(2, dim=1)
        out = self.final(modulate(self.norm_final(tokens), shift, scale))
        p, grid = self.patch, height // self.patch
        out = out.reshape(batch, grid, grid, p, p, self.in_channels)
        return torch.einsum("nhwpqc->nchpwq", out).reshape(batch, self.in_channels, height, width)


if __name__ == "__main__":
    torch.manual_seed(0)
    unet = UNetStage()
    x = torch.randn(4, 3, 32, 32)
    t = torch.randint(0, 1000, (4,))
    print("unet out:", tuple(unet(x, t).shape))
    h = unet.stem(x)
    emb = unet.time_mlp(timestep_embedding(t, unet.emb_dim))
    print("each ConvResBlock starts as the identity:", all(torch.equal(b(h, emb), h) for b in unet.blocks))
    dit = TinyDiT()
    latents = torch.randn(4, 4, 16, 16)
    labels = torch.randint(0, 10, (4,))
    print("dit out:", tuple(dit(latents, t, labels).shape))
    tokens = torch.randn(4, dit.n_patches, 192)
    c = torch.randn(4, 192)
    print("each DiTBlock starts as the identity:", all(torch.equal(b(tokens, c), tokens) for b in dit.blocks))
