"""PPO actor-critic for continuous control (LunarLanderContinuous: obs 8, act 2)."""
import torch
import torch.nn as nn
from torch.distributions import Normal

OBS_DIM = 8
ACT_DIM = 2
HIDDEN = 256


class ActorCritic(nn.Module):
    def __init__(self, obs_dim=OBS_DIM, act_dim=ACT_DIM, hidden=HIDDEN):
        super().__init__()
        self.actor = nn.Sequential(
            nn.Linear(obs_dim, hidden),
            nn.Tanh(),
            nn.Linear(hidden, hidden),
            nn.Tanh(),
            nn.Linear(hidden, act_dim),
        )
        self.critic = nn.Sequential(
            nn.Linear(obs_dim, hidden),
            nn.Tanh(),
            nn.Linear(hidden, hidden),
            nn.Tanh(),
            nn.Linear(hidden, 1),
        )
        self.log_std = nn.Parameter(torch.zeros(act_dim))

        tanh_gain = nn.init.calculate_gain("tanh")
        for layer in (self.actor[0], self.actor[2]):
            nn.init.xavier_uniform_(layer.weight, gain=tanh_gain)
            nn.init.zeros_(layer.bias)
        # small last layer -> near-zero mean action at the start
        nn.init.uniform_(self.actor[4].weight, -3e-3, 3e-3)
        nn.init.zeros_(self.actor[4].bias)

        nn.init.xavier_uniform_(self.critic[0].weight, gain=tanh_gain)
        nn.init.uniform_(self.critic[2].weight, -1.0, 1.0)
        nn.init.zeros_(self.critic[4].weight)
        for m in self.critic:
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def forward(self, obs):
        mean = self.actor(obs)
        dist = Normal(mean, self.log_std.exp())
        return dist, self.critic(obs).squeeze(-1)

    def act(self, obs):
        dist, value = self(obs)
        action = dist.sample()
        return action, dist.log_prob(action).sum(-1), value


if __name__ == "__main__":
    ac = ActorCritic()
    a, logp, v = ac.act(torch.randn(16, OBS_DIM))
    print(a.shape, logp.shape, v.shape)
