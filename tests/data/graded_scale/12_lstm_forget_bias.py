"""Several LSTM models from one codebase, each with its own reset_parameters()."""
import torch
import torch.nn as nn


class SentimentLSTM(nn.Module):
    def __init__(self, vocab_size=2000, embed_dim=64, hidden_dim=128, num_classes=2):
        super().__init__()
        self.hidden_dim = hidden_dim
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.lstm = nn.LSTM(embed_dim, hidden_dim, batch_first=True)
        self.fc = nn.Linear(hidden_dim, num_classes)
        self._reset_parameters()

    def _reset_parameters(self):
        h = self.hidden_dim
        nn.init.xavier_uniform_(self.lstm.weight_ih_l0)
        nn.init.orthogonal_(self.lstm.weight_hh_l0)
        # open the forget gate at the start of training
        self.lstm.bias_ih_l0.data[:h].fill_(1.0)
        nn.init.xavier_uniform_(self.fc.weight)
        nn.init.zeros_(self.fc.bias)

    def forward(self, tokens):
        out, _ = self.lstm(self.embedding(tokens))
        return self.fc(out[:, -1])


class HandwritingLSTM(nn.Module):
    """Two-layer LSTM over pen strokes (dx, dy, pen-up)."""

    def __init__(self, input_size=3, hidden_size=256, num_layers=2, n_out=121):
        super().__init__()
        self.lstm = nn.LSTM(input_size, hidden_size, num_layers, batch_first=True)
        self.mdn = nn.Linear(hidden_size, n_out)
        for name, p in self.lstm.named_parameters():
            if name.startswith("weight_ih"):
                nn.init.xavier_uniform_(p)
            elif name.startswith("weight_hh"):
                nn.init.orthogonal_(p)
            elif name.startswith("bias"):
                n = p.size(0)
                p.data[n // 2:3 * n // 4].fill_(1.0)
        nn.init.xavier_uniform_(self.mdn.weight)
        nn.init.zeros_(self.mdn.bias)

    def forward(self, strokes):
        out, _ = self.lstm(strokes)
        return self.mdn(out)


class EncoderLSTM(nn.Module):
    def __init__(self, input_size=80, hidden_size=128, num_layers=2):
        super().__init__()
        self.lstm = nn.LSTM(input_size, hidden_size, num_layers, batch_first=True, bidirectional=True)
        self.proj = nn.Linear(2 * hidden_size, hidden_size)
        for name, p in self.lstm.named_parameters():
            if "weight_ih" in name:
                nn.init.xavier_uniform_(p)
            elif "weight_hh" in name:
                nn.init.orthogonal_(p)
            elif "bias" in name:
                nn.init.zeros_(p)
        nn.init.xavier_uniform_(self.proj.weight)
        nn.init.zeros_(self.proj.bias)

    def forward(self, feats):
        out, _ = self.lstm(feats)
        return self.proj(out)


class LanguageModelLSTM(nn.Module):
    def __init__(self, vocab_size=1000, embed_dim=128, hidden=256):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden, batch_first=True)
        self.decoder = nn.Linear(hidden, vocab_size)
        h = hidden
        nn.init.uniform_(self.embedding.weight, -0.1, 0.1)
        for name, p in self.lstm.named_parameters():
            if "weight_hh" in name:
                # one orthogonal block per gate
                for k in range(4):
                    nn.init.orthogonal_(p.data[k * h:(k + 1) * h])
            elif "weight_ih" in name:
                nn.init.xavier_uniform_(p)
            else:
                nn.init.zeros_(p)
                p.data[h:2 * h].fill_(1.0)
        nn.init.uniform_(self.decoder.weight, -0.1, 0.1)
        nn.init.zeros_(self.decoder.bias)

    def forward(self, tokens):
        out, _ = self.lstm(self.embedding(tokens))
        return self.decoder(out)


if __name__ == "__main__":
    print(SentimentLSTM()(torch.randint(1, 2000, (4, 20))).shape)
    print(HandwritingLSTM()(torch.randn(4, 30, 3)).shape)
    print(EncoderLSTM()(torch.randn(4, 50, 80)).shape)
    print(LanguageModelLSTM()(torch.randint(0, 1000, (4, 20))).shape)
