"""A seq2seq transformer built from torch's encoder and decoder stacks."""
import math

import torch
import torch.nn as nn


class PositionalEncoding(nn.Module):
    def __init__(self, dim, max_len=5000):
        super().__init__()
        pe = torch.zeros(max_len, dim)
        pos = torch.arange(max_len).unsqueeze(1)
        div = torch.exp(torch.arange(0, dim, 2) * (-math.log(10000.0) / dim))
        pe[:, 0::2] = torch.sin(pos * div)
        pe[:, 1::2] = torch.cos(pos * div)
        self.register_buffer("pe", pe.unsqueeze(0))

    def forward(self, x):
        return x + self.pe[:, : x.size(1)]


class Seq2SeqTransformer(nn.Module):
    def __init__(self, vocab=32000, dim=512, heads=8, layers=6):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.pos = PositionalEncoding(dim)
        encoder_layer = nn.TransformerEncoderLayer(dim, heads, 4 * dim, batch_first=True)
        self.encoder = nn.TransformerEncoder(encoder_layer, layers)
        for p in encoder_layer.parameters():
            if p.dim() > 1:
                nn.init.xavier_uniform_(p)
        self.dec_layer = nn.TransformerDecoderLayer(dim, heads, 4 * dim, batch_first=True)
        self.decoder = nn.TransformerDecoder(self.dec_layer, layers)
        self.dec_layer.apply(self._init_linear)
        self.out = nn.Linear(dim, vocab)

    def _init_linear(self, m):
        if isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)

    def forward(self, src, tgt):
        memory = self.encoder(self.pos(self.embed(src)))
        return self.out(self.decoder(self.pos(self.embed(tgt)), memory))


class ClassifierTransformer(nn.Module):
    def __init__(self, dim=256, heads=4, layers=4, classes=5):
        super().__init__()
        layer = nn.TransformerEncoderLayer(dim, heads, batch_first=True)
        nn.init.xavier_uniform_(layer.linear1.weight)
        nn.init.xavier_uniform_(layer.linear2.weight)
        self.encoder = nn.TransformerEncoder(layer, layers, norm=nn.LayerNorm(dim))
        for p in self.encoder.parameters():
            if p.dim() > 1:
                nn.init.xavier_uniform_(p)
        self.cls = nn.Linear(dim, classes)

    def forward(self, x):
        return self.cls(self.encoder(x).mean(1))
