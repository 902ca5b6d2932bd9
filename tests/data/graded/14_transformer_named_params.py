import torch
import torch.nn as nn


class FeedForward(nn.Module):
    def __init__(self, dim, hidden_dim, dropout=0.0):
        super().__init__()
        self.net = nn.Sequential(
            nn.LayerNorm(dim),
            nn.Linear(dim, hidden_dim),
            nn.GELU(),
            nn.Dropout(dropout),
            nn.Linear(hidden_dim, dim),
            nn.Dropout(dropout),
        )

    def forward(self, x):
        return self.net(x)


class PreNormAttention(nn.Module):
    def __init__(self, dim, heads=8, dropout=0.0):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, heads, dropout=dropout, batch_first=True)

    def forward(self, x):
        h = self.norm(x)
        out, _ = self.attn(h, h, h, need_weights=False)
        return out


class Encoder(nn.Module):
    def __init__(self, dim=128, depth=3, heads=4, mlp_dim=512):
        super().__init__()
        self.layers = nn.ModuleList([])
        for _ in range(depth):
            self.layers.append(nn.ModuleList([PreNormAttention(dim, heads), FeedForward(dim, mlp_dim)]))
        self.norm = nn.LayerNorm(dim)
        self.init_weights()

    def init_weights(self):
        for name, p in self.named_parameters():
            if "weight" in name:
                nn.init.xavier_normal_(p)
            elif "bias" in name:
                nn.init.zeros_(p)

    def forward(self, x):
        for attn, ff in self.layers:
            x = attn(x) + x
            x = ff(x) + x
        return self.norm(x)


class EncoderFixed(Encoder):
    def init_weights(self):
        for name, p in self.named_parameters():
            if p.dim() > 1:
                nn.init.kaiming_normal_(p, nonlinearity="relu")
            elif name.endswith("bias"):
                nn.init.zeros_(p)
