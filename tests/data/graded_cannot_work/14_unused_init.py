"""VGG-style classifiers and helpers from a training repository."""
import torch.nn as nn
from transformers import PreTrainedModel


def make_layers(cfg, batch_norm=True):
    layers = []
    in_channels = 3
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(in_channels, v, 3, padding=1), nn.BatchNorm2d(v), nn.ReLU(inplace=True)]
            in_channels = v
    return nn.Sequential(*layers)


class VGG(nn.Module):
    def __init__(self, cfg=(64, "M", 128, "M", 256, 256, "M"), classes=10):
        super().__init__()
        self.features = make_layers(cfg)
        self.classifier = nn.Linear(256, classes)

    def forward(self, x):
        return self.classifier(self.features(x).mean((2, 3)))

    def _initialize_weights(self):
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.zeros_(m.bias)


class SmallCNN(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.conv = nn.Conv2d(3, 32, 3)
        self.fc = nn.Linear(32, classes)
        self.apply(init_cnn)

    def forward(self, x):
        return self.fc(nn.functional.relu(self.conv(x)).mean((2, 3)))


def init_cnn(m):
    if isinstance(m, (nn.Conv2d, nn.Linear)):
        nn.init.kaiming_uniform_(m.weight, nonlinearity="relu")


def weights_init_normal(m):
    classname = m.__class__.__name__
    if classname.find("Conv") != -1:
        nn.init.normal_(m.weight.data, 0.0, 0.02)
    elif classname.find("BatchNorm2d") != -1:
        nn.init.normal_(m.weight.data, 1.0, 0.02)
        nn.init.constant_(m.bias.data, 0.0)


class ScaledLinear(nn.Linear):
    def reset_parameters(self):
        nn.init.xavier_uniform_(self.weight, gain=0.5)
        if self.bias is not None:
            nn.init.zeros_(self.bias)


class TextModel(PreTrainedModel):
    def __init__(self, config):
        super().__init__(config)
        self.proj = nn.Linear(config.hidden_size, config.hidden_size)
        self.post_init()

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            module.weight.data.normal_(mean=0.0, std=0.02)


class Ensemble(nn.Module):
    def __init__(self, members=3):
        super().__init__()
        self.members = nn.ModuleList([SmallCNN() for _ in range(members)])

    def reset_heads(self):
        for member in self.members:
            nn.init.zeros_(member.fc.bias)

    def forward(self, x):
        return sum(m(x) for m in self.members) / len(self.members)


def build_ensemble():
    model = Ensemble()
    model.reset_heads()
    return model
