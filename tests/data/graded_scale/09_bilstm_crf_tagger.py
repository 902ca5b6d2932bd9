"""BiLSTM-CRF sequence tagger (NER / POS)."""
import torch
import torch.nn as nn


def log_sum_exp(x, dim=-1):
    m, _ = x.max(dim=dim, keepdim=True)
    return (m + torch.log(torch.exp(x - m).sum(dim=dim, keepdim=True))).squeeze(dim)


class BiLSTM_CRF(nn.Module):
    def __init__(self, vocab_size=5000, tagset_size=9, embedding_dim=100, hidden_dim=256, padding_idx=0):
        super(BiLSTM_CRF, self).__init__()
        self.tagset_size = tagset_size
        self.word_embeds = nn.Embedding(vocab_size, embedding_dim, padding_idx=padding_idx)
        self.lstm = nn.LSTM(embedding_dim, hidden_dim // 2, num_layers=1,
                            bidirectional=True, batch_first=True)
        self.hidden2tag = nn.Linear(hidden_dim, tagset_size)
        # transitions[i, j]: score of transitioning *to* i *from* j
        self.transitions = nn.Parameter(torch.randn(tagset_size, tagset_size))
        self.reset_parameters()

    def reset_parameters(self):
        nn.init.normal_(self.word_embeds.weight, 0.0, 0.1)
        with torch.no_grad():
            self.word_embeds.weight[self.word_embeds.padding_idx].zero_()
        for name, param in self.lstm.named_parameters():
            if "weight" in name:
                nn.init.xavier_uniform_(param)
            elif "bias" in name:
                nn.init.zeros_(param)
                n = param.size(0)
                param.data[n // 4:n // 2].fill_(1.0)
        nn.init.xavier_uniform_(self.hidden2tag.weight)
        nn.init.zeros_(self.hidden2tag.bias)

    def _get_lstm_features(self, sentence):
        embeds = self.word_embeds(sentence)
        lstm_out, _ = self.lstm(embeds)
        return self.hidden2tag(lstm_out)

    def _forward_alg(self, feats):
        # feats: (batch, seq, tags) -> log partition function per sequence
        alpha = feats[:, 0]
        for t in range(1, feats.size(1)):
            # (batch, to, from)
            scores = alpha.unsqueeze(1) + self.transitions.unsqueeze(0)
            alpha = log_sum_exp(scores, dim=2) + feats[:, t]
        return log_sum_exp(alpha, dim=1)

    def _score_sentence(self, feats, tags):
        emit = feats.gather(2, tags.unsqueeze(2)).squeeze(2).sum(1)
        trans = self.transitions[tags[:, 1:], tags[:, :-1]].sum(1)
        return emit + trans

    def neg_log_likelihood(self, sentence, tags):
        feats = self._get_lstm_features(sentence)
        return (self._forward_alg(feats) - self._score_sentence(feats, tags)).mean()

    def forward(self, sentence):
        feats = self._get_lstm_features(sentence)
        return feats.argmax(-1)


if __name__ == "__main__":
    model = BiLSTM_CRF()
    sent = torch.randint(1, 5000, (3, 12))
    tags = torch.randint(0, 9, (3, 12))
    print(model.neg_log_likelihood(sent, tags).item(), model(sent).shape)
