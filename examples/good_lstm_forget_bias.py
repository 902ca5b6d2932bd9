"""A CTC acoustic model (BiLSTM over log-mel frames) with the standard recurrent init, gate by gate.

torch stacks an LSTM's four gates i, f, g, o in one (4h, h) `weight_hh`. Here each gate's h x h block
gets its own orthogonal matrix, so every block has all singular values 1 (Saxe et al. 2014); calling
`orthogonal_` on the whole (4h, h) matrix only makes its columns orthonormal, which leaves each block's
singular values spread below 1. The input weights get Xavier. Biases are zero except the forget gate's
rows `[h:2h]` of `bias_ih`, set to 1 (Jozefowicz et al. 2015): sigmoid(1) = 0.73 of the cell is kept
per step at the start instead of 0.5. It is set on `bias_ih` only, because torch adds `bias_ih` and
`bias_hh`; setting both would make the forget bias 2.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

N_MELS = 80
N_TOKENS = 32  # characters + CTC blank


class CTCAcousticModel(nn.Module):
    def __init__(self, n_mels=N_MELS, hidden=320, num_layers=3, n_tokens=N_TOKENS, dropout=0.1):
        super().__init__()
        self.hidden = hidden
        self.lstm = nn.LSTM(n_mels, hidden, num_layers=num_layers, batch_first=True, bidirectional=True,
                            dropout=dropout)
        self.classifier = nn.Linear(2 * hidden, n_tokens)
        self.reset_parameters()

    def reset_parameters(self):
        h = self.hidden
        for name, param in self.lstm.named_parameters():
            if "weight_ih" in name:
                nn.init.xavier_uniform_(param)
            elif "weight_hh" in name:
                for k in range(4):  # i, f, g, o: one orthogonal block per gate
                    nn.init.orthogonal_(param.data[k * h:(k + 1) * h])
            elif "bias_ih" in name:
                nn.init.zeros_(param)
                param.data[h:2 * h].fill_(1.0)  # forget gate
            elif "bias_hh" in name:
                nn.init.zeros_(param)
        nn.init.xavier_uniform_(self.classifier.weight)
        nn.init.zeros_(self.classifier.bias)

    def forward(self, mels):
        out, _ = self.lstm(mels)
        return F.log_softmax(self.classifier(out), dim=-1)


if __name__ == "__main__":
    torch.manual_seed(0)
    model = CTCAcousticModel()
    mels = torch.randn(4, 200, N_MELS)
    log_probs = model(mels)
    print("log-probs:", tuple(log_probs.shape))
    h = model.hidden
    w = model.lstm.weight_hh_l0.detach()
    sv = torch.linalg.svdvals(w[h:2 * h])
    print("forget block singular values: min %.3f max %.3f" % (sv.min().item(), sv.max().item()))
    bias = model.lstm.bias_ih_l0 + model.lstm.bias_hh_l0
    print("initial forget gate (no input):", round(torch.sigmoid(bias[h:2 * h]).mean().item(), 3))
