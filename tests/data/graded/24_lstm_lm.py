import torch
import torch.nn as nn
import torch.nn.functional as F


class LSTMCell(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.hidden_size = hidden_size
        self.ih = nn.Linear(input_size, 4 * hidden_size)
        self.hh = nn.Linear(hidden_size, 4 * hidden_size, bias=False)
        self.reset_parameters()

    def reset_parameters(self):
        nn.init.xavier_uniform_(self.ih.weight)
        nn.init.orthogonal(self.hh.weight)
        nn.init.zeros_(self.ih.bias)
        self.ih.bias.data[self.hidden_size: 2 * self.hidden_size].fill_(1.0)

    def forward(self, x, state):
        h, c = state
        gates = self.ih(x) + self.hh(h)
        i, f, g, o = gates.chunk(4, dim=1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        return h, c


class Highway(nn.Module):
    def __init__(self, dim=64):
        super().__init__()
        self.H = nn.Linear(dim, dim)
        self.T = nn.Linear(dim, dim)
        nn.init.kaiming_normal_(self.H.weight, nonlinearity="relu")
        nn.init.xavier_normal_(self.T.weight, gain=nn.init.calculate_gain("tanh"))
        nn.init.constant_(self.T.bias, -2.0)

    def forward(self, x):
        t = torch.sigmoid(self.T(x))
        return t * F.relu(self.H(x)) + (1 - t) * x


class RNNModel(nn.Module):
    def __init__(self, ntoken=1000, ninp=64, nhid=128, nlayers=2, tie_weights=True):
        super().__init__()
        self.encoder = nn.Embedding(ntoken, ninp)
        self.highway = Highway(ninp)
        self.cells = nn.ModuleList(
            [LSTMCell(ninp if i == 0 else nhid, nhid if i != nlayers - 1 else ninp) for i in range(nlayers)]
        )
        self.decoder = nn.Linear(ninp, ntoken)
        if tie_weights:
            self.decoder.weight = self.encoder.weight
        self.init_weights()

    def init_weights(self):
        initrange = 0.1
        self.encoder.weight.data.uniform_(-initrange, initrange)
        nn.init.uniform(self.decoder.bias, -initrange, initrange)

    def forward(self, tokens):
        x = self.highway(self.encoder(tokens))
        states = [(x.new_zeros(x.size(1), c.hidden_size), x.new_zeros(x.size(1), c.hidden_size)) for c in self.cells]
        outs = []
        for step in x:
            for i, cell in enumerate(self.cells):
                states[i] = cell(step, states[i])
                step = states[i][0]
            outs.append(step)
        return self.decoder(torch.stack(outs))
