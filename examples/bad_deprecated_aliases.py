"""A sentiment classifier in the pre-0.4 style: init through the deprecated non-underscore aliases (IL402).

nn.init.xavier_uniform, nn.init.constant and nn.init.normal still work, but each call emits a
FutureWarning (an error under -W error) and the aliases may be removed.
"""

import torch
import torch.nn as nn


class BagOfWordsClassifier(nn.Module):
    def __init__(self, vocab_size=20000, embed_dim=100, hidden=128, n_classes=2):
        super().__init__()
        self.embedding = nn.EmbeddingBag(vocab_size, embed_dim, mode="mean")
        self.fc = nn.Linear(embed_dim, hidden)
        self.act = nn.Tanh()
        self.out = nn.Linear(hidden, n_classes)
        self.init_weights()

    def init_weights(self):
        nn.init.normal(self.embedding.weight, 0.0, 0.1)  # IL402
        nn.init.xavier_uniform(self.fc.weight, gain=nn.init.calculate_gain("tanh"))  # IL402
        nn.init.constant(self.fc.bias, 0.0)  # IL402
        nn.init.xavier_uniform(self.out.weight)  # IL402
        nn.init.constant(self.out.bias, 0.0)  # IL402

    def forward(self, tokens, offsets):
        h = self.act(self.fc(self.embedding(tokens, offsets)))
        return self.out(h)


if __name__ == "__main__":
    torch.manual_seed(0)
    model = BagOfWordsClassifier()
    tokens = torch.randint(0, 20000, (40,))
    offsets = torch.tensor([0, 10, 25])
    print("logits:", tuple(model(tokens, offsets).shape))
