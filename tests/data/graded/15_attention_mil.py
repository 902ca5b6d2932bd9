import torch
import torch.nn as nn
import torch.nn.functional as F


class AttentionMIL(nn.Module):
    """Attention-based deep MIL pooling (Ilse et al. 2018)."""

    def __init__(self, in_dim=1024, L=512, D=128):
        super().__init__()
        self.feature_extractor = nn.Sequential(nn.Linear(in_dim, L), nn.ReLU(), nn.Dropout(0.25))
        self.attention = nn.Sequential(nn.Linear(L, D), nn.Tanh(), nn.Linear(D, 1))
        self.classifier = nn.Linear(L, 1)
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, nn.Linear):
            nn.init.kaiming_normal_(m.weight)
            nn.init.zeros_(m.bias)

    def forward(self, bag):
        H = self.feature_extractor(bag)
        A = self.attention(H)
        A = torch.transpose(A, 1, 0)
        A = F.softmax(A, dim=1)
        M = torch.mm(A, H)
        return torch.sigmoid(self.classifier(M)), A


class GatedAttentionMIL(nn.Module):
    def __init__(self, in_dim=1024, L=512, D=128):
        super().__init__()
        self.feature_extractor = nn.Sequential(nn.Linear(in_dim, L), nn.ReLU())
        self.attention_V = nn.Sequential(nn.Linear(L, D), nn.Tanh())
        self.attention_U = nn.Sequential(nn.Linear(L, D), nn.Sigmoid())
        self.attention_w = nn.Linear(D, 1)
        self.classifier = nn.Linear(L, 1)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                nn.init.zeros_(m.bias)
        nn.init.kaiming_uniform_(self.feature_extractor[0].weight, nonlinearity="relu")

    def forward(self, bag):
        H = self.feature_extractor(bag)
        A_V = self.attention_V(H)
        A_U = self.attention_U(H)
        A = self.attention_w(A_V * A_U)
        A = F.softmax(A.t(), dim=1)
        M = A @ H
        return self.classifier(M).sigmoid(), A
