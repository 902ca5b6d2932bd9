"""A click-through-rate tower whose Linear layers all start at one small constant (IL201).

`constant_(w, 0.01)` gives every unit of a hidden layer the same weights, so every unit computes the same
function of the input. Here the loop also gives the output layer a constant weight, so the units also
receive the same gradient: they stay identical copies, and each hidden weight matrix keeps rank 1
however long it trains. Random weights are what break the symmetry.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

N_DENSE = 13
N_SPARSE = 26
VOCAB = 1000
EMBED_DIM = 16


class CTRTower(nn.Module):
    def __init__(self, hidden=(256, 128, 64)):
        super().__init__()
        self.embeddings = nn.ModuleList([nn.Embedding(VOCAB, EMBED_DIM) for _ in range(N_SPARSE)])
        layers, width = [], N_DENSE + N_SPARSE * EMBED_DIM
        for h in hidden:
            layers += [nn.Linear(width, h), nn.ReLU()]
            width = h
        self.mlp = nn.Sequential(*layers)
        self.out = nn.Linear(width, 1)
        self._init_weights()

    def _init_weights(self):
        for emb in self.embeddings:
            nn.init.normal_(emb.weight, std=0.01)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.constant_(m.weight, 0.01)  # IL201: "small and stable", and the same for every unit
                nn.init.zeros_(m.bias)

    def forward(self, dense, sparse):
        emb = [table(sparse[:, i]) for i, table in enumerate(self.embeddings)]
        x = torch.cat([dense] + emb, dim=1)
        return self.out(self.mlp(x)).squeeze(1)


def hidden_ranks(model):
    return [torch.linalg.matrix_rank(m.weight.detach()).item() for m in model.mlp if isinstance(m, nn.Linear)]


if __name__ == "__main__":
    torch.manual_seed(0)
    model = CTRTower()
    dense = torch.randn(512, N_DENSE)
    sparse = torch.randint(0, VOCAB, (512, N_SPARSE))
    clicks = torch.randint(0, 2, (512,)).float()
    print("logits:", tuple(model(dense, sparse).shape))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(50):
        loss = F.binary_cross_entropy_with_logits(model(dense, sparse), clicks)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print("rank of each hidden weight after 50 SGD steps:", hidden_ranks(model), "(1 = all units identical)")
