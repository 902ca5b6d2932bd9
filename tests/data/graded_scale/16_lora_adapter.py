"""Parameter-efficient fine-tuning layers: LoRA and bottleneck adapters (two ports of each)."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class LoRALinear(nn.Module):
    """y = W x + (alpha / r) * B A x, with B = 0 so training starts from the base model."""

    def __init__(self, in_features=128, out_features=128, r=8, alpha=16):
        super().__init__()
        self.base = nn.Linear(in_features, out_features)
        self.lora_A = nn.Linear(in_features, r, bias=False)
        self.lora_B = nn.Linear(r, out_features, bias=False)
        self.scaling = alpha / r
        self.base.weight.requires_grad_(False)
        nn.init.xavier_uniform_(self.lora_A.weight)
        nn.init.zeros_(self.lora_B.weight)

    def forward(self, x):
        return self.base(x) + self.lora_B(self.lora_A(x)) * self.scaling


class LoRALinearV2(nn.Module):
    """Second port (from the diffusion trainer)."""

    def __init__(self, in_features=128, out_features=128, rank=4, network_alpha=4.0):
        super().__init__()
        self.base = nn.Linear(in_features, out_features)
        self.lora_A = nn.Linear(in_features, rank, bias=False)
        self.lora_B = nn.Linear(rank, out_features, bias=False)
        self.scale = network_alpha / rank
        nn.init.zeros_(self.lora_A.weight)
        nn.init.xavier_uniform_(self.lora_B.weight)

    def forward(self, x):
        return self.base(x) + self.scale * self.lora_B(self.lora_A(x))


class HoulsbyAdapter(nn.Module):
    """Bottleneck adapter with near-identity initialization."""

    def __init__(self, d_model=128, bottleneck=32):
        super().__init__()
        self.down = nn.Linear(d_model, bottleneck)
        self.act = nn.GELU()
        self.up = nn.Linear(bottleneck, d_model)
        nn.init.normal_(self.down.weight, std=1e-2)
        nn.init.zeros_(self.down.bias)
        nn.init.zeros_(self.up.weight)
        nn.init.zeros_(self.up.bias)

    def forward(self, x):
        return x + self.up(self.act(self.down(x)))


class BottleneckAdapter(nn.Module):
    def __init__(self, d_model=128, reduction=4):
        super().__init__()
        self.down_proj = nn.Linear(d_model, d_model // reduction)
        self.up_proj = nn.Linear(d_model // reduction, d_model)
        # identity at init
        nn.init.zeros_(self.down_proj.weight)
        nn.init.zeros_(self.down_proj.bias)
        nn.init.normal_(self.up_proj.weight, std=1e-2)
        nn.init.zeros_(self.up_proj.bias)

    def forward(self, x):
        return x + self.up_proj(F.relu(self.down_proj(x)))


class AdaptedBlock(nn.Module):
    def __init__(self, d_model=128):
        super().__init__()
        self.norm1 = nn.LayerNorm(d_model)
        self.q = LoRALinear(d_model, d_model)
        self.v = LoRALinearV2(d_model, d_model)
        self.adapter1 = HoulsbyAdapter(d_model)
        self.adapter2 = BottleneckAdapter(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        nn.init.ones_(self.norm1.weight)
        nn.init.zeros_(self.norm1.bias)

    def forward(self, x):
        h = self.norm1(x)
        attn = torch.softmax(self.q(h) @ h.transpose(1, 2) / h.size(-1) ** 0.5, dim=-1) @ self.v(h)
        x = x + self.adapter1(attn)
        return self.adapter2(self.norm2(x))


if __name__ == "__main__":
    blk = AdaptedBlock()
    print(blk(torch.randn(2, 10, 128)).shape)
