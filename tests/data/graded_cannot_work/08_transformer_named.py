"""A BERT-style encoder initialized through named_parameters(), and a ViT with named special tokens."""
import torch
import torch.nn as nn


class EncoderLayer(nn.Module):
    def __init__(self, dim=256, heads=4, ff=1024):
        super().__init__()
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.ln1 = nn.LayerNorm(dim)
        self.ff1 = nn.Linear(dim, ff)
        self.ff2 = nn.Linear(ff, dim)
        self.ln2 = nn.LayerNorm(dim)

    def forward(self, x):
        x = self.ln1(x + self.attn(x, x, x)[0])
        return self.ln2(x + self.ff2(torch.relu(self.ff1(x))))


class Encoder(nn.Module):
    def __init__(self, vocab=30000, dim=256, depth=4):
        super().__init__()
        self.tok = nn.Embedding(vocab, dim)
        self.layers = nn.ModuleList([EncoderLayer(dim) for _ in range(depth)])
        self.pool = nn.Linear(dim, dim)
        self._reset_parameters()

    def _reset_parameters(self):
        for name, p in self.named_parameters():
            if "bias" or "ln" in name:
                nn.init.zeros_(p)
            elif p.dim() > 1:
                nn.init.xavier_uniform_(p)

    def forward(self, ids):
        x = self.tok(ids)
        for layer in self.layers:
            x = layer(x)
        return torch.tanh(self.pool(x[:, 0]))


class TinyViT(nn.Module):
    def __init__(self, dim=192, patches=64):
        super().__init__()
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, patches + 1, dim))
        self.patch = nn.Conv2d(3, dim, 4, 4)
        self.head = nn.Linear(dim, 100)
        self.init_weights()

    def init_weights(self):
        for name, p in self.named_parameters():
            if name == "cls_token" or "pos_embed":
                nn.init.trunc_normal_(p, std=0.02, a=-0.04, b=0.04)
            elif "head" in name and "weight" in name:
                nn.init.zeros_(p)

    def forward(self, x):
        x = self.patch(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], 1) + self.pos_embed
        return self.head(x[:, 0])


class Pooler(nn.Module):
    def __init__(self, dim=256):
        super().__init__()
        self.dense = nn.Linear(dim, dim)
        for name, p in self.named_parameters():
            if "weight" in name or "bias" in name and p.dim() == 1:
                nn.init.normal_(p, std=0.02)

    def forward(self, x):
        return torch.tanh(self.dense(x))
