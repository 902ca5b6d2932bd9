import torch
import torch.nn as nn


class ConvFeatureExtractor(nn.Module):
    def __init__(self, conv_layers=((512, 10, 5), (512, 3, 2), (512, 3, 2), (512, 2, 2))):
        super().__init__()
        blocks = []
        in_d = 1
        for i, (dim, k, stride) in enumerate(conv_layers):
            conv = nn.Conv1d(in_d, dim, k, stride=stride, bias=False)
            if i == 0:
                blocks.append(nn.Sequential(conv, nn.GroupNorm(dim, dim), nn.GELU()))
            else:
                blocks.append(nn.Sequential(conv, nn.GELU()))
            in_d = dim
        self.conv_layers = nn.ModuleList(blocks)

    def forward(self, x):
        x = x.unsqueeze(1)
        for conv in self.conv_layers:
            x = conv(x)
        return x


class SpeechClassifier(nn.Module):
    def __init__(self, num_labels=12, hidden=256):
        super().__init__()
        self.feature_extractor = ConvFeatureExtractor()
        self.layer_norm = nn.LayerNorm(512)
        self.projection = nn.Linear(512, hidden)
        self.head = nn.Sequential(
            nn.Linear(hidden, hidden),
            nn.Hardswish(),
            nn.Dropout(0.1),
            nn.Linear(hidden, num_labels),
        )
        self.apply(self._init_weights)

    def _init_weights(self, module):
        if isinstance(module, nn.Conv1d):
            nn.init.kaiming_normal_(module.weight)
        elif isinstance(module, nn.Linear):
            nn.init.xavier_uniform_(module.weight)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, (nn.LayerNorm, nn.GroupNorm)):
            module.weight.data.fill_(1.0)
            module.bias.data.zero_()

    def forward(self, wav):
        feats = self.feature_extractor(wav).transpose(1, 2)
        hidden = self.projection(self.layer_norm(feats))
        pooled = hidden.mean(dim=1)
        return self.head(pooled)


class KeywordSpotter(nn.Module):
    def __init__(self, n_mels=40, channels=64, num_labels=12):
        super().__init__()
        self.conv1 = nn.Conv1d(n_mels, channels, 3, padding=1)
        self.conv2 = nn.Conv1d(channels, channels, 3, padding=1)
        self.fc = nn.Linear(channels, num_labels)
        nn.init.kaiming_normal_(self.conv1.weight, nonlinearity="relu")
        nn.init.dirac_(self.conv2.weight)
        nn.init.zeros_(self.conv2.bias)

    def forward(self, x):
        x = nn.functional.silu(self.conv1(x))
        x = torch.relu(self.conv2(x))
        return self.fc(x.mean(dim=-1))
