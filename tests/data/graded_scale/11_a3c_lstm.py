"""A3C actor-critic with a conv trunk and an LSTMCell core (Atari, 42x42 grayscale)."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def weights_init(m):
    if isinstance(m, nn.Conv2d):
        fan_in = m.in_channels * m.kernel_size[0]
        m.weight.data.normal_(0, math.sqrt(2.0 / fan_in))
        m.bias.data.fill_(0)
    elif isinstance(m, nn.Linear):
        nn.init.normal_(m.weight, 0.0, 0.01)
        m.bias.data.fill_(0)


class ActorCritic(nn.Module):
    def __init__(self, num_inputs=1, num_actions=6):
        super(ActorCritic, self).__init__()
        self.conv1 = nn.Conv2d(num_inputs, 32, 3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(32, 32, 3, stride=2, padding=1)
        self.conv3 = nn.Conv2d(32, 32, 3, stride=2, padding=1)
        self.conv4 = nn.Conv2d(32, 32, 3, stride=2, padding=1)

        self.lstm = nn.LSTMCell(32 * 3 * 3, 256)

        self.critic_linear = nn.Linear(256, 1)
        self.actor_linear = nn.Linear(256, num_actions)

        self.apply(weights_init)
        # value head gets a larger scale than the policy head
        nn.init.normal_(self.critic_linear.weight, 0.0, 1.0)

        for b in (self.lstm.bias_ih, self.lstm.bias_hh):
            b.data.fill_(0)

        self.train()

    def forward(self, inputs):
        inputs, (hx, cx) = inputs
        x = F.relu(self.conv1(inputs))
        x = F.relu(self.conv2(x))
        x = F.relu(self.conv3(x))
        x = F.relu(self.conv4(x))
        x = x.view(-1, 32 * 3 * 3)
        hx, cx = self.lstm(x, (hx, cx))
        x = hx
        return self.critic_linear(x), self.actor_linear(x), (hx, cx)


if __name__ == "__main__":
    model = ActorCritic()
    state = torch.randn(1, 1, 42, 42)
    hx = torch.zeros(1, 256)
    cx = torch.zeros(1, 256)
    value, logit, (hx, cx) = model((state, (hx, cx)))
    print(value.shape, logit.shape, hx.shape)
