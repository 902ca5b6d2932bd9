import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn import init


class CharCNN(nn.Module):
    def __init__(self, n_chars=80, char_dim=30, n_filters=50, kernel_size=3):
        super().__init__()
        self.char_embed = nn.Embedding(n_chars, char_dim, padding_idx=0)
        self.conv = nn.Conv1d(char_dim, n_filters, kernel_size, padding=1)
        bound = math.sqrt(3.0 / char_dim)
        init.uniform_(self.char_embed.weight, -bound, bound)
        init.xavier_uniform_(self.conv.weight)
        init.zeros_(self.conv.bias)

    def forward(self, chars):
        B, T, L = chars.shape
        x = self.char_embed(chars.view(B * T, L)).transpose(1, 2)
        x = F.relu(self.conv(x))
        x = x.max(dim=2).values
        return x.view(B, T, -1)


class CRF(nn.Module):
    def __init__(self, num_tags):
        super().__init__()
        self.num_tags = num_tags
        self.start_transitions = nn.Parameter(torch.empty(num_tags))
        self.end_transitions = nn.Parameter(torch.empty(num_tags))
        self.transitions = nn.Parameter(torch.empty(num_tags, num_tags))
        self.reset_parameters()

    def reset_parameters(self):
        nn.init.uniform_(self.start_transitions, -0.1, 0.1)
        nn.init.xavier_normal_(self.end_transitions)
        nn.init.xavier_normal_(self.transitions)

    def viterbi_scores(self, emissions):
        score = self.start_transitions + emissions[:, 0]
        for t in range(1, emissions.size(1)):
            score = (score.unsqueeze(2) + self.transitions + emissions[:, t].unsqueeze(1)).max(dim=1).values
        return score + self.end_transitions


class BiLSTMTagger(nn.Module):
    def __init__(self, vocab_size=5000, word_dim=100, hidden=200, num_tags=9):
        super().__init__()
        self.word_embed = nn.Embedding(vocab_size, word_dim)
        self.char_cnn = CharCNN()
        self.lstm = nn.LSTM(word_dim + 50, hidden // 2, bidirectional=True, batch_first=True)
        self.dropout = nn.Dropout(0.5)
        self.hidden2tag = nn.Linear(hidden, num_tags)
        self.crf = CRF(num_tags)
        init.xavier_uniform_(self.word_embed.weight)
        init.kaiming_uniform_(self.hidden2tag.weight, a=math.sqrt(5))

    def forward(self, words, chars):
        x = torch.cat([self.word_embed(words), self.char_cnn(chars)], dim=-1)
        out, _ = self.lstm(self.dropout(x))
        emissions = self.hidden2tag(self.dropout(out))
        return self.crf.viterbi_scores(emissions)
