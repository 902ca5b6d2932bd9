"""DQN for CartPole (tutorial style) plus a dueling variant."""
import torch
import torch.nn as nn
import torch.nn.functional as F

# hyper parameters
BATCH_SIZE = 32
LR = 0.01
EPSILON = 0.9
GAMMA = 0.9
N_ACTIONS = 2
N_STATES = 4


class Net(nn.Module):
    def __init__(self, ):
        super(Net, self).__init__()
        self.fc1 = nn.Linear(N_STATES, 50)
        self.fc1.weight.data.normal_(0, 0.1)   # initialization
        self.out = nn.Linear(50, N_ACTIONS)
        self.out.weight.data.normal_(0, 0.1)   # initialization

    def forward(self, x):
        x = self.fc1(x)
        x = F.relu(x)
        actions_value = self.out(x)
        return actions_value


class DuelingNet(nn.Module):
    def __init__(self, n_states=N_STATES, n_actions=N_ACTIONS, hidden=128):
        super().__init__()
        self.feature = nn.Sequential(nn.Linear(n_states, hidden), nn.ReLU())
        self.adv_hidden = nn.Linear(hidden, hidden)
        self.adv_out = nn.Linear(hidden, n_actions)
        self.val_hidden = nn.Linear(hidden, hidden)
        self.val_out = nn.Linear(hidden, 1)

        nn.init.kaiming_uniform_(self.feature[0].weight, nonlinearity="relu")
        nn.init.zeros_(self.feature[0].bias)
        nn.init.kaiming_uniform_(self.adv_hidden.weight, nonlinearity="relu")
        self.val_hidden.weight.data.zero_()
        # start with Q(s, a) == 0 for every action
        nn.init.zeros_(self.adv_out.weight)
        nn.init.zeros_(self.val_out.weight)

    def forward(self, x):
        h = self.feature(x)
        adv = self.adv_out(F.relu(self.adv_hidden(h)))
        val = self.val_out(F.relu(self.val_hidden(h)))
        return val + adv - adv.mean(dim=1, keepdim=True)


if __name__ == "__main__":
    s = torch.randn(BATCH_SIZE, N_STATES)
    print(Net()(s).shape, DuelingNet()(s).shape)
