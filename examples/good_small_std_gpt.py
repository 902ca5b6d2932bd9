"""A small GPT whose fixed init stds are deliberate: GPT-2's recipe, where IL202 must stay silent.

Every Linear and Embedding gets normal_(std=0.02), and the projection that ends each residual branch gets
0.02 / sqrt(2 * n_layer), so the residual stream's variance grows slowly with depth (Radford et al. 2019,
as nanoGPT writes it). A fixed std is fine here for reasons IL202 lists as silences: embeddings are
lookups, not sums over a fan; the attention and MLP layers sit inside residual branches, which are meant
to start small (Fixup makes the same argument); and the LM head is an output layer. For the MLP's c_fc,
Linear(256, 1024)+GELU, He would give sqrt(2/256) = 0.088, 4.4x the 0.02 used, but c_fc is in the
residual branch `x + self.mlp(self.ln_2(x))`, so it must not be reported.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

VOCAB_SIZE = 5000
BLOCK_SIZE = 128
N_LAYER = 4
N_HEAD = 4
N_EMBD = 256


class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd=N_EMBD, n_head=N_HEAD):
        super().__init__()
        self.n_head = n_head
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)

    def forward(self, x):
        batch, steps, channels = x.shape
        q, k, v = self.c_attn(x).split(channels, dim=2)
        q, k, v = (t.view(batch, steps, self.n_head, channels // self.n_head).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.c_proj(y.transpose(1, 2).reshape(batch, steps, channels))


class MLP(nn.Module):
    def __init__(self, n_embd=N_EMBD):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, 4 * n_embd)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * n_embd, n_embd)

    def forward(self, x):
        return self.c_proj(self.gelu(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, n_embd=N_EMBD, n_head=N_HEAD):
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd)
        self.attn = CausalSelfAttention(n_embd, n_head)
        self.ln_2 = nn.LayerNorm(n_embd)
        self.mlp = MLP(n_embd)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        x = x + self.mlp(self.ln_2(x))
        return x


class GPT(nn.Module):
    def __init__(self, vocab_size=VOCAB_SIZE, block_size=BLOCK_SIZE, n_layer=N_LAYER, n_head=N_HEAD, n_embd=N_EMBD):
        super().__init__()
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.wpe = nn.Embedding(block_size, n_embd)
        self.blocks = nn.ModuleList([Block(n_embd, n_head) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(n_embd)
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
        self.apply(self._init_weights)
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * n_layer))

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(self, idx):
        positions = torch.arange(idx.size(1), device=idx.device)
        x = self.wte(idx) + self.wpe(positions)
        for block in self.blocks:
            x = block(x)
        return self.lm_head(self.ln_f(x))


if __name__ == "__main__":
    torch.manual_seed(0)
    model = GPT()
    idx = torch.randint(0, VOCAB_SIZE, (4, 64))
    print("logits:", tuple(model(idx).shape))
    with torch.no_grad():
        x = model.wte(idx) + model.wpe(torch.arange(64))
        stds = [x.std().item()]
        for block in model.blocks:
            x = block(x)
            stds.append(x.std().item())
    print("residual stream std per block:", [round(s, 4) for s in stds])
