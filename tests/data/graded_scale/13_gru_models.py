"""GRU / RNN building blocks for an ASR + captioning toolkit."""
import torch
import torch.nn as nn


class GRUEncoder(nn.Module):
    def __init__(self, input_size=40, hidden_size=128, num_layers=2, out_dim=64):
        super().__init__()
        self.gru = nn.GRU(input_size, hidden_size, num_layers, batch_first=True, bidirectional=True)
        self.proj = nn.Linear(2 * hidden_size, out_dim)
        h = hidden_size
        for name, p in self.gru.named_parameters():
            if "weight_ih" in name:
                nn.init.xavier_uniform_(p)
            elif "weight_hh" in name:
                nn.init.orthogonal_(p)
            elif "bias" in name:
                nn.init.zeros_(p)
                # same trick as for our LSTMs: remember by default
                p.data[h:2 * h].fill_(1.0)
        nn.init.xavier_uniform_(self.proj.weight)
        nn.init.zeros_(self.proj.bias)

    def forward(self, x):
        out, _ = self.gru(x)
        return self.proj(out)


class GRUCellDecoder(nn.Module):
    """Step-wise caption decoder."""

    def __init__(self, vocab_size=500, embed_size=64, hidden_size=128):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_size)
        self.cell = nn.GRUCell(embed_size, hidden_size)
        self.out = nn.Linear(hidden_size, vocab_size)
        nn.init.normal_(self.embed.weight, 0.0, 0.1)
        nn.init.xavier_uniform_(self.cell.weight_ih)
        nn.init.xavier_uniform_(self.cell.weight_hh)
        nn.init.zeros_(self.cell.bias_ih)
        nn.init.zeros_(self.cell.bias_hh)
        nn.init.xavier_uniform_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, tokens, h):
        logits = []
        for t in range(tokens.size(1)):
            h = self.cell(self.embed(tokens[:, t]), h)
            logits.append(self.out(h))
        return torch.stack(logits, 1)


class ElmanRNN(nn.Module):
    def __init__(self, input_size=16, hidden_size=64, n_out=5):
        super().__init__()
        self.rnn = nn.RNN(input_size, hidden_size, nonlinearity="tanh", batch_first=True)
        self.out = nn.Linear(hidden_size, n_out)
        nn.init.xavier_uniform_(self.rnn.weight_ih_l0)
        nn.init.orthogonal_(self.rnn.weight_hh_l0)
        nn.init.zeros_(self.rnn.bias_ih_l0)
        nn.init.zeros_(self.rnn.bias_hh_l0)
        nn.init.xavier_uniform_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.out(out[:, -1])


class GRUTagger(nn.Module):
    def __init__(self, vocab_size=3000, embed_dim=50, hidden=100, n_tags=17):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.gru = nn.GRU(embed_dim, hidden, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * hidden, n_tags)
        for name, p in self.gru.named_parameters():
            if "weight_hh" in name:
                nn.init.orthogonal_(p)
            elif "weight_ih" in name:
                nn.init.xavier_uniform_(p)
            else:
                nn.init.zeros_(p)
        nn.init.xavier_uniform_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, tokens):
        out, _ = self.gru(self.embed(tokens))
        return self.out(out)


if __name__ == "__main__":
    print(GRUEncoder()(torch.randn(2, 30, 40)).shape)
    dec = GRUCellDecoder()
    print(dec(torch.randint(0, 500, (2, 7)), torch.zeros(2, 128)).shape)
    print(ElmanRNN()(torch.randn(2, 11, 16)).shape)
    print(GRUTagger()(torch.randint(1, 3000, (2, 9))).shape)
