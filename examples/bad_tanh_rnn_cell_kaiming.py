"""A hand-written Elman RNN cell whose weights get He/Kaiming init although they feed tanh (IL102).

Kaiming's default gain (sqrt(2), the ReLU gain) and fan_in-only scaling push the pre-activations into
tanh's flat tails, where the gradient through time vanishes.
"""

import torch
import torch.nn as nn


class TanhRNNCell(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.hidden_size = hidden_size
        self.ih = nn.Linear(input_size, hidden_size)
        self.hh = nn.Linear(hidden_size, hidden_size, bias=False)
        self.reset_parameters()

    def reset_parameters(self):
        nn.init.kaiming_normal_(self.ih.weight)  # IL102: ih feeds tanh
        nn.init.kaiming_normal_(self.hh.weight)  # IL102: hh feeds tanh
        nn.init.zeros_(self.ih.bias)

    def forward(self, x, h):
        return torch.tanh(self.ih(x) + self.hh(h))


class CharRNN(nn.Module):
    """Unrolls the cell over a (batch, time) sequence of token ids."""

    def __init__(self, vocab_size=96, embed_dim=32, hidden_size=256):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.cell = TanhRNNCell(embed_dim, hidden_size)
        self.decoder = nn.Linear(hidden_size, vocab_size)

    def forward(self, tokens, h=None):
        batch, steps = tokens.shape
        if h is None:
            h = tokens.new_zeros(batch, self.cell.hidden_size, dtype=torch.float)
        emb = self.embed(tokens)
        outputs = []
        for t in range(steps):
            h = self.cell(emb[:, t], h)
            outputs.append(h)
        return self.decoder(torch.stack(outputs, dim=1)), h


if __name__ == "__main__":
    torch.manual_seed(0)
    model = CharRNN()
    tokens = torch.randint(0, 96, (4, 50))
    logits, h = model(tokens)
    print("logits:", tuple(logits.shape))
    print("fraction of |h| > 0.99:", (h.abs() > 0.99).float().mean().item())
