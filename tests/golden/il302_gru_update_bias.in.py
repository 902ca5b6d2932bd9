"""The LSTM forget-bias trick carried over to a GRU (rows [h:2h] are its update gate z), in a loop and on a cell."""
import torch.nn as nn


class Encoder(nn.Module):
    def __init__(self, hidden=128):
        super().__init__()
        self.gru = nn.GRU(40, hidden, num_layers=2, bidirectional=True)
        self.cell = nn.GRUCell(hidden, hidden)
        for name, p in self.gru.named_parameters():
            if "weight_hh" in name:
                for k in range(3):
                    nn.init.orthogonal_(p.data[k * hidden:(k + 1) * hidden])
            elif "bias" in name:
                nn.init.zeros_(p)
                # same trick as for our LSTMs: remember by default
                p.data[hidden:2 * hidden].fill_(1.0)
        for k in range(3):
            nn.init.orthogonal_(self.cell.weight_hh.data[k * hidden:(k + 1) * hidden])
        nn.init.zeros_(self.cell.bias_ih)
        nn.init.constant_(self.cell.bias_ih[hidden:2 * hidden], 1.0)  # keep the state

    def forward(self, x):
        out, _ = self.gru(x)
        return self.cell(out[-1, :, :128])
