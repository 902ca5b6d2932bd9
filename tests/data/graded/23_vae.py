import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.init import kaiming_uniform_, xavier_uniform_ as glorot_uniform_


class VAE(nn.Module):
    def __init__(self, x_dim=784, h_dim=400, z_dim=20):
        super().__init__()
        self.x_dim = x_dim
        self.fc1 = nn.Linear(x_dim, h_dim)
        self.fc21 = nn.Linear(h_dim, z_dim)
        self.fc22 = nn.Linear(h_dim, z_dim)
        self.fc3 = nn.Linear(z_dim, h_dim)
        self.fc4 = nn.Linear(h_dim, x_dim)
        glorot_uniform_(self.fc1.weight)
        for fc in (self.fc21, self.fc22):
            glorot_uniform_(fc.weight)
        kaiming_uniform_(self.fc3.weight, nonlinearity="relu")
        kaiming_uniform_(self.fc4.weight)

    def encode(self, x):
        h1 = F.elu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        return mu + torch.randn_like(std) * std

    def decode(self, z):
        h3 = self.fc3(z).relu()
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, self.x_dim))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


class ConvDecoder(nn.Module):
    def __init__(self, z_dim=20):
        super().__init__()
        self.fc = nn.Linear(z_dim, 64 * 7 * 7)
        self.deconv1 = nn.ConvTranspose2d(64, 32, 4, stride=2, padding=1)
        self.deconv2 = nn.ConvTranspose2d(32, 1, 4, stride=2, padding=1)
        self.act = nn.CELU()
        glorot_uniform_(self.fc.weight, gain=nn.init.calculate_gain("relu"))
        kaiming_uniform_(self.deconv1.weight, nonlinearity="relu")
        glorot_uniform_(self.deconv2.weight)

    def forward(self, z):
        x = self.act(self.fc(z)).view(-1, 64, 7, 7)
        x = self.act(self.deconv1(x))
        return F.hardtanh(self.deconv2(x))
