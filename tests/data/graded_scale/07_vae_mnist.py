"""MNIST VAE (pytorch/examples layout) with an explicit reset_parameters()."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class VAE(nn.Module):
    def __init__(self):
        super(VAE, self).__init__()
        self.fc1 = nn.Linear(784, 400)
        self.fc21 = nn.Linear(400, 20)
        self.fc22 = nn.Linear(400, 20)
        self.fc3 = nn.Linear(20, 400)
        self.fc4 = nn.Linear(400, 784)
        self.reset_parameters()

    def reset_parameters(self):
        nn.init.kaiming_normal_(self.fc1.weight, nonlinearity="relu")
        nn.init.xavier_uniform_(self.fc21.weight)
        nn.init.xavier_uniform_(self.fc22.weight)
        # small decoder input weights "so the prior sample starts near the mean image"
        self.fc3.weight.data.normal_(0.0, 0.001)
        nn.init.normal_(self.fc4.weight, 0.0, 0.05)
        for layer in (self.fc1, self.fc21, self.fc22, self.fc3, self.fc4):
            nn.init.zeros_(layer.bias)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    BCE = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction="sum")
    KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return BCE + KLD


if __name__ == "__main__":
    model = VAE()
    data = torch.rand(8, 1, 28, 28)
    recon, mu, logvar = model(data)
    print(recon.shape, loss_function(recon, data, mu, logvar).item())
