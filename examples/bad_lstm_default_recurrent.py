"""A GRU sentiment classifier that initializes everything except its recurrent weights (IL301).

The embedding and the classifier get an explicit init, the GRU is left as torch built it. torch's
default draws weight_hh from U(-1/sqrt(h), 1/sqrt(h)): each gate's h x h block then has spectral radius
~sqrt(h) * std = 1/sqrt(3) = 0.58, with singular values spread from ~0 to ~1.15. Applied once per time
step, the linear part of the recurrence keeps ~0.58^20 ~ 2e-5 of a state after 20 steps. An orthogonal
block has every singular value 1.
"""

import torch
import torch.nn as nn

VOCAB = 20000


class GRUClassifier(nn.Module):
    def __init__(self, vocab_size=VOCAB, embed_dim=300, hidden=256, num_layers=2, n_classes=2):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.gru = nn.GRU(embed_dim, hidden, num_layers=num_layers, batch_first=True, dropout=0.2)
        self.classifier = nn.Linear(hidden, n_classes)
        nn.init.normal_(self.embedding.weight, std=0.1)
        with torch.no_grad():
            self.embedding.weight[0].zero_()
        nn.init.xavier_uniform_(self.classifier.weight)
        nn.init.zeros_(self.classifier.bias)

    def forward(self, tokens):
        _, h_n = self.gru(self.embedding(tokens))
        return self.classifier(h_n[-1])


def gate_spectral_radius(gru, layer=0):
    """Largest |eigenvalue| of each gate's block of weight_hh (torch orders a GRU's gates r, z, n)."""
    w = getattr(gru, f"weight_hh_l{layer}").detach()
    h = gru.hidden_size
    return [torch.linalg.eigvals(w[k * h:(k + 1) * h]).abs().max().item() for k in range(3)]


if __name__ == "__main__":
    torch.manual_seed(0)
    model = GRUClassifier()
    tokens = torch.randint(1, VOCAB, (16, 40))
    print("logits:", tuple(model(tokens).shape))
    print("spectral radius of the r, z, n blocks:", [round(r, 3) for r in gate_spectral_radius(model.gru)])
