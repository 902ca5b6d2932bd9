import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class GraphConvolution(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(in_features, out_features))
        if bias:
            self.bias = nn.Parameter(torch.empty(out_features))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        nn.init.xavier_uniform_(self.weight)
        if self.bias is not None:
            nn.init.xavier_uniform_(self.bias)

    def forward(self, x, adj):
        support = x @ self.weight
        out = adj @ support
        return out + self.bias if self.bias is not None else out


class GCN(nn.Module):
    def __init__(self, nfeat=1433, nhid=16, nclass=7, dropout=0.5):
        super().__init__()
        self.gc1 = GraphConvolution(nfeat, nhid)
        self.gc2 = GraphConvolution(nhid, nclass)
        self.dropout = dropout

    def forward(self, x, adj):
        x = F.relu(self.gc1(x, adj))
        x = F.dropout(x, self.dropout, training=self.training)
        return F.log_softmax(self.gc2(x, adj), dim=1)


class GraphAttentionLayer(nn.Module):
    def __init__(self, in_features=64, out_features=8, alpha=0.2):
        super().__init__()
        self.W = nn.Parameter(torch.empty(in_features, out_features))
        self.a = nn.Parameter(torch.empty(2 * out_features, 1))
        nn.init.xavier_uniform_(self.W.data, gain=1.414)
        nn.init.xavier_uniform_(self.a.data, gain=1.414)
        self.leakyrelu = nn.LeakyReLU(alpha)

    def forward(self, h, adj):
        Wh = h @ self.W
        f = Wh.size(1)
        e = self.leakyrelu(Wh @ self.a[:f] + (Wh @ self.a[f:]).T)
        e = e.masked_fill(adj == 0, float("-inf"))
        attention = torch.softmax(e, dim=1)
        return F.elu(attention @ Wh)


class GINMLP(nn.Module):
    """Update MLP of a GIN layer."""

    def __init__(self, dim=64, hidden=128):
        super().__init__()
        self.lin1 = nn.Linear(dim, hidden)
        self.act = nn.LeakyReLU(0.2)
        self.lin2 = nn.Linear(hidden, dim)
        self.eps = nn.Parameter(torch.zeros(1))
        for lin in (self.lin1, self.lin2):
            nn.init.kaiming_uniform_(lin.weight, a=math.sqrt(5))
            nn.init.zeros_(lin.bias)

    def forward(self, x, agg):
        h = (1 + self.eps) * x + agg
        return self.lin2(self.act(self.lin1(h)))
