"""A text classifier ported from a Keras model: Conv1d feature extractor and a dense head."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class ConvEncoder(nn.Module):
    def __init__(self, vocab, emb=128, filters=256):
        super().__init__()
        self.embed = nn.Embedding(vocab, emb, padding_idx=0)
        self.conv3 = nn.Conv1d(emb, filters, 3, padding=1)
        self.conv5 = nn.Conv1d(emb, filters, 5, padding=2)
        limit = (6.0 / (vocab + emb)) ** 0.5
        nn.init.uniform_(self.embed.weight, -limit, limit)
        # Keras VarianceScaling(mode="fan_avg") as the original used
        nn.init.kaiming_uniform_(self.conv3.weight, mode="fan_avg", nonlinearity="relu")
        nn.init.kaiming_uniform_(self.conv5.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, tokens):
        x = self.embed(tokens).transpose(1, 2)
        a = F.relu(self.conv3(x)).max(dim=2).values
        b = F.relu(self.conv5(x)).max(dim=2).values
        return torch.cat([a, b], dim=1)


class DenseHead(nn.Module):
    def __init__(self, features, hidden, classes):
        super().__init__()
        self.hidden = nn.Linear(features, hidden)
        self.drop = nn.Dropout(0.5)
        self.out = nn.Linear(hidden, classes)
        for layer in (self.hidden, self.out):
            nn.init.kaiming_normal_(layer.weight, mode="fanin")
            nn.init.zeros_(layer.bias)

    def forward(self, x):
        return self.out(self.drop(F.relu(self.hidden(x))))


class Classifier(nn.Module):
    def __init__(self, vocab=20000, classes=4, mode="fan_in"):
        super().__init__()
        self.encoder = ConvEncoder(vocab)
        self.head = DenseHead(512, 128, classes)
        self.mode = mode
        self.gate = nn.Linear(512, 512)
        nn.init.kaiming_normal_(self.gate.weight, mode=self.mode, nonlinearity="sigmoid")

    def forward(self, tokens):
        x = self.encoder(tokens)
        x = x * torch.sigmoid(self.gate(x))
        return self.head(x)


class Ranker(nn.Module):
    def __init__(self, features=512):
        super().__init__()
        self.score = nn.Linear(features, 1)
        nn.init.kaiming_uniform_(self.score.weight, a=0.0, mode="FAN_OUT")

    def forward(self, x):
        return self.score(x)
