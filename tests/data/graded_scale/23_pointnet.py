"""Point-cloud classifiers: original PointNet feature net and a per-point MLP baseline."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class PointNetFeat(nn.Module):
    """Shared per-point MLP implemented with 1x1 Conv1d + BatchNorm."""

    def __init__(self):
        super(PointNetFeat, self).__init__()
        self.conv1 = nn.Conv1d(3, 64, 1)
        self.conv2 = nn.Conv1d(64, 128, 1)
        self.conv3 = nn.Conv1d(128, 1024, 1)
        self.bn1 = nn.BatchNorm1d(64)
        self.bn2 = nn.BatchNorm1d(128)
        self.bn3 = nn.BatchNorm1d(1024)
        for m in self.modules():
            if isinstance(m, nn.Conv1d):
                n = m.in_channels  # kernel size 1: in_channels is the whole fan-in
                m.weight.data.normal_(0, math.sqrt(2. / n))
                m.bias.data.zero_()
            elif isinstance(m, nn.BatchNorm1d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        x = self.bn3(self.conv3(x))
        return torch.max(x, 2)[0]


class PointNetCls(nn.Module):
    def __init__(self, k=40):
        super(PointNetCls, self).__init__()
        self.feat = PointNetFeat()
        self.fc1 = nn.Linear(1024, 512)
        self.fc2 = nn.Linear(512, 256)
        self.fc3 = nn.Linear(256, k)
        self.dropout = nn.Dropout(p=0.3)
        self.bn1 = nn.BatchNorm1d(512)
        self.bn2 = nn.BatchNorm1d(256)

    def forward(self, x):
        x = self.feat(x)
        x = F.relu(self.bn1(self.fc1(x)))
        x = F.relu(self.bn2(self.dropout(self.fc2(x))))
        return F.log_softmax(self.fc3(x), dim=1)


class PointMLP(nn.Module):
    """Per-point MLP + max-pool baseline; init copied from our ViT code."""

    def __init__(self, in_dim=3, num_classes=40):
        super().__init__()
        self.point_mlp = nn.Sequential(
            nn.Linear(in_dim, 64),
            nn.GELU(),
            nn.Linear(64, 128),
            nn.GELU(),
            nn.Linear(128, 256),
            nn.GELU(),
        )
        self.head = nn.Linear(256, num_classes)
        self.apply(self._init_weights)

    def _init_weights(self, m):
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)

    def forward(self, pts):
        # pts: (batch, n_points, 3)
        x = self.point_mlp(pts).max(dim=1)[0]
        return self.head(x)


if __name__ == "__main__":
    pts = torch.randn(4, 3, 256)
    print(PointNetCls()(pts).shape)
    print(PointMLP()(pts.transpose(1, 2)).shape)
