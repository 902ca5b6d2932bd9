"""xavier_uniform_ on every LSTM weight, recurrent ones included; a GRU left at the default beside it."""
import torch.nn as nn


class Tagger(nn.Module):
    def __init__(self, vocab=1000, dim=64, hidden=128, tags=9):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.lstm = nn.LSTM(dim, hidden, num_layers=2, bidirectional=True, batch_first=True)
        self.gru = nn.GRU(2 * hidden, hidden, batch_first=True)
        for _name, _param in self.gru.named_parameters():
            if "weight_hh" in _name:
                for _gate in range(3):
                    nn.init.orthogonal_(_param.data[_gate * _param.size(0) // 3:(_gate + 1) * _param.size(0) // 3])
        self.out = nn.Linear(hidden, tags)
        nn.init.normal_(self.embed.weight, std=0.1)
        for name, p in self.lstm.named_parameters():
            if "weight" in name:
                if "weight_hh" in name:
                    for _gate in range(4):
                        nn.init.orthogonal_(p.data[_gate * p.size(0) // 4:(_gate + 1) * p.size(0) // 4])
                else:
                    nn.init.xavier_uniform_(p)
            else:
                nn.init.zeros_(p)
                p.data[hidden:2 * hidden].fill_(1.0)

    def forward(self, tokens):
        h, _ = self.lstm(self.embed(tokens))
        h, _ = self.gru(h)
        return self.out(h)
