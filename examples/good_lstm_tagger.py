"""A BiLSTM part-of-speech tagger with the usual recurrent init.

Input-to-hidden weights: Xavier. Hidden-to-hidden weights: orthogonal (Saxe et al. 2014), which keeps
the recurrent Jacobian well conditioned. Biases zero, except the forget-gate slice of bias_ih, set to 1
(Jozefowicz et al. 2015) so the cell remembers by default. torch orders the gates i, f, g, o.
"""

import torch
import torch.nn as nn


class LSTMTagger(nn.Module):
    def __init__(self, vocab_size=5000, n_tags=17, embed_dim=100, hidden=128, num_layers=2, dropout=0.3):
        super().__init__()
        self.hidden = hidden
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.lstm = nn.LSTM(embed_dim, hidden, num_layers=num_layers, batch_first=True,
                            dropout=dropout, bidirectional=True)
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(2 * hidden, n_tags)
        self.reset_parameters()

    def reset_parameters(self):
        h = self.hidden
        nn.init.normal_(self.embedding.weight, 0.0, 0.1)
        with torch.no_grad():
            self.embedding.weight[0].zero_()
        for name, param in self.lstm.named_parameters():
            if "weight_ih" in name:
                nn.init.xavier_uniform_(param)
            elif "weight_hh" in name:
                nn.init.orthogonal_(param)
            elif "bias_ih" in name:
                nn.init.zeros_(param)
                param.data[h:2 * h].fill_(1.0)  # forget gate
            elif "bias_hh" in name:
                nn.init.zeros_(param)
        nn.init.xavier_uniform_(self.classifier.weight)
        nn.init.zeros_(self.classifier.bias)

    def forward(self, tokens):
        out, _ = self.lstm(self.dropout(self.embedding(tokens)))
        return self.classifier(self.dropout(out))


if __name__ == "__main__":
    torch.manual_seed(0)
    model = LSTMTagger()
    tokens = torch.randint(1, 5000, (8, 30))
    print("tag scores:", tuple(model(tokens).shape))
    print("forget bias:", model.lstm.bias_ih_l0[128:256].mean().item())
