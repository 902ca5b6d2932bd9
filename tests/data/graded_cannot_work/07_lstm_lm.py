"""Word-level LSTM language models with the forget-gate bias trick, three ways."""
import torch
import torch.nn as nn


class RNNModel(nn.Module):
    def __init__(self, ntoken=10000, ninp=400, nhid=1150, nlayers=3, dropout=0.4):
        super().__init__()
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        self.nhid = nhid
        self.init_weights()

    def init_weights(self):
        initrange = 0.1
        self.encoder.weight.uniform_(-initrange, initrange)
        self.decoder.bias.data.zero_()
        self.decoder.weight.data.uniform_(-initrange, initrange)
        for layer in range(3):
            bias = getattr(self.rnn, f"bias_ih_l{layer}")
            bias.data[self.nhid:2 * self.nhid].fill_(1.0)
        self.rnn.bias_hh_l0.chunk(4)[1].fill_(1.0)

    def forward(self, x, hidden):
        out, hidden = self.rnn(self.encoder(x), hidden)
        return self.decoder(out), hidden


class CharLSTM(nn.Module):
    def __init__(self, vocab=128, hidden=512):
        super().__init__()
        self.embed = nn.Embedding(vocab, 64)
        self.cell = nn.LSTMCell(64, hidden)
        self.out = nn.Linear(hidden, vocab)
        h = hidden
        with torch.no_grad():
            self.cell.bias_ih[h:2 * h].fill_(1.0)
            self.cell.bias_hh[h:2 * h].fill_(0.0)
        nn.init.constant_(self.cell.bias_hh[:h], 0.0)
        self.reset_output()

    @torch.no_grad()
    def reset_output(self):
        self.out.weight.normal_(0, 0.02)
        self.out.bias.zero_()

    def forward(self, x, state):
        h, c = self.cell(self.embed(x), state)
        return self.out(h), (h, c)


class Seq2SeqEncoder(nn.Module):
    def __init__(self, vocab=8000, emb=256, hidden=256):
        super().__init__()
        self.embed = nn.Embedding(vocab, emb, padding_idx=0)
        self.rnn = nn.LSTM(emb, hidden, batch_first=True, bidirectional=True)
        self.bridge = nn.Linear(2 * hidden, hidden)
        for name, p in self.rnn.named_parameters():
            if "bias" in name:
                n = p.size(0)
                p[n // 4:n // 2].fill_(1.0)
        self.embed.weight.data[0].zero_()

    def forward(self, x):
        out, (h, c) = self.rnn(self.embed(x))
        return out, torch.tanh(self.bridge(torch.cat([h[0], h[1]], dim=1)))
