"""A config-driven MLP head: the activation is looked up by name in a registry at run time.

The linter cannot know which activation `config["hidden_act"]` names (it may be tanh, for which Xavier
is right, or gelu), so it must say nothing about the Xavier init here.
"""

import torch
import torch.nn as nn

ACT2CLS = {
    "relu": nn.ReLU,
    "gelu": nn.GELU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "silu": nn.SiLU,
}


def get_activation(name):
    if name not in ACT2CLS:
        raise KeyError(f"unknown activation {name!r}; choose from {sorted(ACT2CLS)}")
    return ACT2CLS[name]()


class ClassificationHead(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config["hidden_size"], config["hidden_size"])
        self.act = get_activation(config["hidden_act"])
        self.dropout = nn.Dropout(config.get("dropout", 0.1))
        self.out_proj = nn.Linear(config["hidden_size"], config["num_labels"])
        self.act2 = ACT2CLS[config.get("pooler_act", "tanh")]()
        self._init_weights()

    def _init_weights(self):
        for module in (self.dense, self.out_proj):
            nn.init.xavier_uniform_(module.weight)
            nn.init.zeros_(module.bias)

    def forward(self, features):
        x = self.dropout(features[:, 0])
        x = self.act(self.dense(x))
        return self.out_proj(self.dropout(self.act2(x)))


if __name__ == "__main__":
    config = {"hidden_size": 256, "hidden_act": "tanh", "num_labels": 3, "dropout": 0.1}
    head = ClassificationHead(config)
    print("logits:", tuple(head(torch.randn(4, 12, 256)).shape))
