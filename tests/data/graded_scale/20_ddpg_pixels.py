"""DDPG from pixels: SAC-AE style conv encoder + DDPG actor/critic (Lillicrap et al. init)."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

FEATURE_DIM = 50
ACTION_DIM = 6


def fanin_uniform_(layer):
    """U(-1/sqrt(f), 1/sqrt(f)) with f the layer's fan-in (DDPG paper, sec. 7)."""
    bound = 1.0 / math.sqrt(layer.in_features)
    nn.init.uniform_(layer.weight, -bound, bound)
    nn.init.uniform_(layer.bias, -bound, bound)


class PixelEncoder(nn.Module):
    """4 x (3x3 conv, ReLU) on 64x64 frame stacks, then fc -> LayerNorm -> tanh."""

    def __init__(self, in_channels=9, num_filters=32, feature_dim=FEATURE_DIM):
        super().__init__()
        self.convs = nn.ModuleList(
            [nn.Conv2d(in_channels, num_filters, 3, stride=2)]
            + [nn.Conv2d(num_filters, num_filters, 3, stride=1) for _ in range(3)]
        )
        self.fc = nn.Linear(num_filters * 25 * 25, feature_dim)
        self.ln = nn.LayerNorm(feature_dim)

        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                n = m.out_channels
                nn.init.normal_(m.weight, 0.0, math.sqrt(2.0 / n))
                nn.init.zeros_(m.bias)
        nn.init.xavier_uniform_(self.fc.weight)
        nn.init.zeros_(self.fc.bias)

    def forward(self, obs):
        x = obs / 255.0
        for conv in self.convs:
            x = F.relu(conv(x))
        x = x.flatten(1)
        return torch.tanh(self.ln(self.fc(x)))


class Actor(nn.Module):
    def __init__(self, state_dim=FEATURE_DIM, action_dim=ACTION_DIM, max_action=1.0):
        super().__init__()
        self.l1 = nn.Linear(state_dim, 400)
        self.l2 = nn.Linear(400, 300)
        self.l3 = nn.Linear(300, action_dim)
        self.max_action = max_action
        fanin_uniform_(self.l1)
        fanin_uniform_(self.l2)
        nn.init.uniform_(self.l3.weight, -3e-3, 3e-3)
        nn.init.uniform_(self.l3.bias, -3e-3, 3e-3)

    def forward(self, state):
        a = F.relu(self.l1(state))
        a = F.relu(self.l2(a))
        return self.max_action * torch.tanh(self.l3(a))


class Critic(nn.Module):
    def __init__(self, state_dim=FEATURE_DIM, action_dim=ACTION_DIM):
        super().__init__()
        self.l1 = nn.Linear(state_dim + action_dim, 400)
        self.l2 = nn.Linear(400, 300)
        self.l3 = nn.Linear(300, 1)
        fanin_uniform_(self.l1)
        fanin_uniform_(self.l2)
        nn.init.uniform_(self.l3.weight, -3e-4, 3e-4)
        nn.init.uniform_(self.l3.bias, -3e-4, 3e-4)

    def forward(self, state, action):
        q = F.relu(self.l1(torch.cat([state, action], 1)))
        q = F.relu(self.l2(q))
        return self.l3(q)


if __name__ == "__main__":
    enc, actor, critic = PixelEncoder(), Actor(), Critic()
    obs = torch.randint(0, 256, (2, 9, 64, 64)).float()
    s = enc(obs)
    a = actor(s)
    print(s.shape, a.shape, critic(s, a).shape)
