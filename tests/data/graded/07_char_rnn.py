import torch
import torch.nn as nn


class CharRNN(nn.Module):
    def __init__(self, vocab_size=96, embed_dim=64, hidden_size=256, num_layers=2, dropout=0.3):
        super().__init__()
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden_size, num_layers, dropout=dropout, batch_first=True)
        self.drop = nn.Dropout(dropout)
        self.proj = nn.Linear(hidden_size, hidden_size)
        self.decoder = nn.Linear(hidden_size, vocab_size)
        self.init_weights()

    def init_weights(self):
        nn.init.uniform_(self.embed.weight, -0.1, 0.1)
        for name, param in self.lstm.named_parameters():
            if name.startswith("weight_ih"):
                nn.init.xavier_uniform_(param)
            elif name.startswith("weight_hh"):
                nn.init.orthogonal_(param)
            elif name.startswith("bias"):
                nn.init.zeros_(param)
                n = param.size(0)
                param.data[n // 4: n // 2].fill_(1.0)
        nn.init.xavier_uniform_(self.proj.weight, gain=nn.init.calculate_gain("tanh"))
        nn.init.zeros_(self.proj.bias)
        nn.init.xavier_uniform_(self.decoder.weight)
        nn.init.xavier_uniform_(self.decoder.bias)

    def init_hidden(self, batch_size):
        w = next(self.parameters())
        return (w.new_zeros(self.num_layers, batch_size, self.hidden_size),
                w.new_zeros(self.num_layers, batch_size, self.hidden_size))

    def forward(self, x, hidden=None):
        emb = self.drop(self.embed(x))
        out, hidden = self.lstm(emb, hidden)
        out = torch.tanh(self.proj(self.drop(out)))
        return self.decoder(out), hidden


class CharGRU(nn.Module):
    def __init__(self, vocab_size=96, hidden_size=128, num_layers=1):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, hidden_size)
        self.rnn = nn.GRU(hidden_size, hidden_size, num_layers, batch_first=True)
        self.decoder = nn.Linear(hidden_size, vocab_size)
        for name, p in self.rnn.named_parameters():
            if "weight" in name:
                nn.init.orthogonal_(p)
            else:
                nn.init.constant_(p, 0.0)
        self.decoder.weight = self.embed.weight

    def forward(self, x, h=None):
        out, h = self.rnn(self.embed(x), h)
        return self.decoder(out), h
