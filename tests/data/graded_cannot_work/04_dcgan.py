"""DCGAN generator and discriminator for 64x64 images, with the paper's weight init."""
import torch.nn as nn


def weights_init(m):
    classname = m.__class__.__name__
    if classname.find("Conv") != -1:
        m.weight.data.normal_(0.0, 0.02)
    elif classname.find("BatchNorm") != -1:
        m.weight.data.uniform_(1.0, 0.02)
        m.bias.data.fill_(0)


class Generator(nn.Module):
    def __init__(self, nz=100, ngf=64, nc=3):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False),
            nn.BatchNorm2d(ngf * 8),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf * 4),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, nc, 4, 2, 1, bias=False),
            nn.Tanh(),
        )

    def forward(self, z):
        return self.main(z)


class Discriminator(nn.Module):
    def __init__(self, nc=3, ndf=64):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),
            nn.PReLU(),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 2),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 2, 1, 4, 1, 0, bias=False),
            nn.Sigmoid(),
        )
        first = self.main[0]
        nn.init.kaiming_normal_(first.weight, nonlinearity="prelu")
        nn.init.kaiming_normal_(self.main[2].weight, a=0.2, nonlinearity="leaky_relu")

    def forward(self, x):
        return self.main(x)


class Critic(nn.Module):
    """WGAN critic: no sigmoid, no batch norm."""

    def __init__(self, nc=3, ndf=64):
        super().__init__()
        self.c1 = nn.Conv2d(nc, ndf, 4, 2, 1)
        self.c2 = nn.Conv2d(ndf, 1, 4, 1, 0)
        nn.init.normal_(self.c1.weight, -0.02, 0.02)
        nn.init.normal_(self.c2.weight, 0.0, 0.02)
        nn.init.uniform_(self.c1.bias, -0.01, 0.01)

    def forward(self, x):
        return self.c2(nn.functional.leaky_relu(self.c1(x), 0.2))


def build(device):
    netG = Generator().to(device)
    netD = Discriminator().to(device)
    netG.apply(weights_init)
    netD.apply(weights_init)
    return netG, netD
