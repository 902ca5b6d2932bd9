"""A forget bias on the input gate's rows, and an LSTMCell whose biases are zeroed and left so."""
import torch.nn as nn


class Decoder(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.rnn = nn.LSTM(32, hidden)
        self.cell = nn.LSTMCell(hidden, hidden)
        for name, p in self.rnn.named_parameters():
            if "weight_hh" in name:
                nn.init.orthogonal_(p)
            elif "bias" in name:
                nn.init.zeros_(p)
                p.data[p.size(0) // 4:p.size(0) // 2].fill_(1.0)
        for k in range(4):
            nn.init.orthogonal_(self.cell.weight_hh.data[k * hidden:(k + 1) * hidden])
        nn.init.zeros_(self.cell.bias_ih)
        self.cell.bias_ih.data[self.cell.bias_ih.size(0) // 4:self.cell.bias_ih.size(0) // 2].fill_(1.0)
        nn.init.zeros_(self.cell.bias_hh)

    def forward(self, x):
        out, _ = self.rnn(x)
        h, c = self.cell(out[-1])
        return h
