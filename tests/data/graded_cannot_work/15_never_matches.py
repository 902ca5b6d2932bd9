"""Speech models with 1-D convolutions, initialized by routines copied from image code."""
import torch
import torch.nn as nn


class ConvBlock(nn.Module):
    def __init__(self, c_in, c_out, kernel=5):
        super().__init__()
        self.conv = nn.Conv1d(c_in, c_out, kernel, padding=kernel // 2)
        self.bn = nn.BatchNorm1d(c_out)
        self.act = nn.ReLU()

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))


class SpeechCNN(nn.Module):
    def __init__(self, mels=40, classes=35):
        super().__init__()
        self.block1 = ConvBlock(mels, 64)
        self.block2 = ConvBlock(64, 128)
        self.block3 = ConvBlock(128, 256)
        self.fc = nn.Linear(256, classes)
        self.apply(self._init_weights)

    def _init_weights(self, m):
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.constant_(m.weight, 1)
            nn.init.constant_(m.bias, 0)

    def forward(self, x):
        x = self.block3(self.block2(self.block1(x)))
        return self.fc(x.mean(-1))


class KeywordSpotter(nn.Module):
    def __init__(self, mels=40, classes=12):
        super().__init__()
        self.blocks = nn.Sequential(ConvBlock(mels, 64), ConvBlock(64, 64), ConvBlock(64, 64))
        self.head = nn.Linear(64, classes)
        for m in self.children():
            if isinstance(m, nn.Conv1d):
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm1d):
                nn.init.ones_(m.weight)

    def forward(self, x):
        return self.head(self.blocks(x).mean(-1))


class Wav2LetterLite(nn.Module):
    def __init__(self, mels=40, classes=29):
        super().__init__()
        self.convs = nn.Sequential(ConvBlock(mels, 256, 11), ConvBlock(256, 256, 7), ConvBlock(256, 512, 1))
        self.out = nn.Conv1d(512, classes, 1)
        for m in self.modules():
            if isinstance(m, nn.Conv1d):
                nn.init.xavier_uniform_(m.weight, gain=nn.init.calculate_gain("relu"))

    def forward(self, x):
        return self.out(self.convs(x))


class Finetuner(nn.Module):
    def __init__(self, encoder, classes=10):
        super().__init__()
        self.encoder = encoder
        self.head = nn.Linear(768, classes)
        self.apply(self._init)

    def _init(self, m):
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight)

    def forward(self, x):
        return self.head(self.encoder(x))
