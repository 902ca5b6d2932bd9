"""A plain VGG-style CIFAR net whose hand-written He init forgets the conv kernel (IL203).

`math.sqrt(2. / n)` is He's std only if n is the layer's fan. A 3x3 conv unit sums over
in_channels * 3 * 3 inputs (fan_in) and each input reaches out_channels * 3 * 3 outputs (fan_out);
`n = m.out_channels` leaves out the 9, so every conv starts with sqrt(9) = 3x the std of He's fan_out
recipe. Without normalization the activations grow by about that much per conv (a little less where
the channels double, a little more after max-pooling): the script prints an RMS of ~800 after the
eighth conv, where the correct n keeps it level from conv to conv (about 0.2 throughout).
The original recipe is `n = m.kernel_size[0] * m.kernel_size[1] * m.out_channels`.
"""

import math

import torch
import torch.nn as nn


class PlainVGG(nn.Module):
    def __init__(self, n_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(128, 128, 3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.Conv2d(128, 256, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.Conv2d(256, 512, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(512, 512, 3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
        )
        self.classifier = nn.Linear(512 * 2 * 2, n_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                n = m.out_channels  # IL203: fan_out of a 3x3 conv is 9 * out_channels
                m.weight.data.normal_(0, math.sqrt(2.0 / n))
                m.bias.data.zero_()
            elif isinstance(m, nn.Linear):
                m.weight.data.normal_(0, 0.01)
                m.bias.data.zero_()

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


def conv_output_rms(model, x):
    out = []
    with torch.no_grad():
        for layer in model.features:
            x = layer(x)
            if isinstance(layer, nn.ReLU):
                out.append(x.pow(2).mean().sqrt().item())
    return out


if __name__ == "__main__":
    torch.manual_seed(0)
    model = PlainVGG()
    images = torch.randn(8, 3, 32, 32)
    print("logits:", tuple(model(images).shape))
    print("RMS after each conv+ReLU:", [f"{r:.3g}" for r in conv_output_rms(model, images)])
