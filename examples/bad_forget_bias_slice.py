"""An LSTM language model ported from TensorFlow 1, with the forget-gate bias on the wrong rows (IL302).

TF1's LSTMCell splits its gates as i, j, f, o, so the forget gate is the third quarter. torch orders an
LSTM's gates i, f, g, o (see nn.LSTM's docs): the forget gate is `[h:2h]`, and `[2h:3h]` is the cell
candidate g. The port therefore shifts the candidate's pre-activation by 1 (towards tanh(1) = 0.76: the
cell starts filling with positive values) and leaves the forget gate's bias at the 0 it was just
zeroed to: sigmoid(0) = 0.5 of the cell kept per step, 0.5^20 ~ 1e-6 after 20 steps, against
sigmoid(1)^20 = 0.73^20 ~ 2e-3 with the intended bias of 1 (Jozefowicz et al. 2015).
"""

import torch
import torch.nn as nn

VOCAB = 10000


class LSTMLanguageModel(nn.Module):
    def __init__(self, vocab_size=VOCAB, embed_dim=256, hidden=512, num_layers=2, dropout=0.2):
        super().__init__()
        self.hidden = hidden
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden, num_layers=num_layers, batch_first=True, dropout=dropout)
        self.proj = nn.Linear(hidden, embed_dim)
        self.decoder = nn.Linear(embed_dim, vocab_size)
        self.reset_parameters()

    def reset_parameters(self):
        h = self.hidden
        nn.init.uniform_(self.embedding.weight, -0.05, 0.05)
        for name, param in self.lstm.named_parameters():
            if "weight_ih" in name:
                nn.init.xavier_uniform_(param)
            elif "weight_hh" in name:
                nn.init.orthogonal_(param)
            elif "bias" in name:
                nn.init.zeros_(param)
                if "bias_ih" in name:
                    param.data[2 * h:3 * h].fill_(1.0)  # IL302: TF's i, j, f, o; in torch these rows are g
        nn.init.xavier_uniform_(self.proj.weight)
        nn.init.zeros_(self.proj.bias)
        nn.init.xavier_uniform_(self.decoder.weight)
        nn.init.zeros_(self.decoder.bias)

    def forward(self, tokens):
        out, _ = self.lstm(self.embedding(tokens))
        return self.decoder(self.proj(out))


def mean_forget_gate(model, tokens):
    """The average forget-gate activation of the first layer on the first step: ~0.5, not sigmoid(1)."""
    lstm, h = model.lstm, model.hidden
    x = model.embedding(tokens[:, 0])
    gates = x @ lstm.weight_ih_l0.T + lstm.bias_ih_l0 + lstm.bias_hh_l0
    return torch.sigmoid(gates[:, h:2 * h]).mean().item()


if __name__ == "__main__":
    torch.manual_seed(0)
    model = LSTMLanguageModel()
    tokens = torch.randint(0, VOCAB, (8, 35))
    print("logits:", tuple(model(tokens).shape))
    with torch.no_grad():
        print("mean forget gate at step 1:", round(mean_forget_gate(model, tokens), 3))
