"""Bare weights applied as ``h @ W`` (issue 16, item 6): a GCN-style kernel stored (in, out). Its fan_in is
size(0), where torch's _calculate_fan_in_and_fan_out reads a 2-D tensor as (out, in); the adjacency product
after it (``torch.spmm(adj, support)``) mixes rows and leaves what follows to the activation. Every number
claimed here is measured with torch."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from initlint.analysis import picture_of
from tests.test_idioms import _src, expect, line_of


def _follows(code: str, snippet: str) -> dict[str, str]:
    src = _src(code)
    (site,) = [e for e in picture_of(src).explain() if e.line == line_of(src, snippet)]
    return {r.layer.split(" ")[0]: r.follows for r in site.reached}


# --------------------------------------------------------------------------- torch's reading, measured


def test_torch_reads_an_in_out_weight_transposed() -> None:
    """For W of shape (in, out) used as ``x @ W``: torch's fan_in is size(1) = out, its fan_out size(0) = in;
    kaiming with mode="fan_out" is He over the real fan_in; xavier is the same either way."""
    fan_in, fan_out = 64, 256
    weight = torch.empty(fan_in, fan_out)
    assert nn.init._calculate_fan_in_and_fan_out(weight) == (fan_out, fan_in)
    torch.manual_seed(0)
    nn.init.kaiming_normal_(weight, mode="fan_out", nonlinearity="relu")
    assert math.isclose(float(weight.std()), math.sqrt(2 / fan_in), rel_tol=0.02)
    nn.init.kaiming_normal_(weight, nonlinearity="relu")  # the default mode takes out, not in
    assert math.isclose(float(weight.std()), math.sqrt(2 / fan_out), rel_tol=0.02)
    nn.init.xavier_normal_(weight)
    assert math.isclose(float(weight.std()), math.sqrt(2 / (fan_in + fan_out)), rel_tol=0.02)


def test_he_over_size0_keeps_the_scale_of_x_at_w_through_relu() -> None:
    """``relu(x @ W)`` keeps E[y^2] = E[x^2] with std sqrt(2/size(0)); Xavier's sqrt(2/(in+out)) shrinks
    it by (in / (in + out)) = 0.2 here, so the std by 0.447x, the ratio the finding gives."""
    torch.manual_seed(0)
    x = torch.randn(4096, 64)
    he = torch.randn(64, 256) * math.sqrt(2 / 64)
    xavier = torch.randn(64, 256) * math.sqrt(2 / 320)
    assert math.isclose(float(F.relu(x @ he).pow(2).mean()), 1.0, rel_tol=0.05)
    assert math.isclose(float(F.relu(x @ xavier).pow(2).mean()), 0.2, rel_tol=0.05)
    assert math.isclose(math.sqrt(2 / 320) / math.sqrt(2 / 64), 0.447, rel_tol=1e-3)


# --------------------------------------------------------------------------- Xavier on a GCN kernel before ReLU

SIZED = """
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    class GraphConv(nn.Module):
        def __init__(self, d_in, d_out):
            super().__init__()
            self.kernel = nn.Parameter(torch.Tensor(d_in, d_out))
            nn.init.xavier_normal_(self.kernel)

        def forward(self, x, adj):
            support = torch.mm(x, self.kernel)
            return F.relu(torch.spmm(adj, support))

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = GraphConv(64, 256)
            self.head = nn.Linear(256, 7)

        def forward(self, x, adj):
            return self.head(self.conv(x, adj))
"""


def test_xavier_on_an_in_out_kernel_before_relu_is_il101_with_the_real_fans() -> None:
    assert _follows(SIZED, "xavier_normal_") == {"kernel": "ReLU, then linear"}
    (found,) = expect(SIZED, ("IL101", "nn.init.xavier_normal_(self.kernel)"), families=("IL1",))
    assert "fan_in=64, fan_out=256" in found.message and "applied as `h @ kernel`" in found.message
    assert "std 0.0791 where He init wants 0.177" in found.message and "0.447x" in found.message
    assert found.help == 'use `nn.init.kaiming_normal_(self.kernel, mode="fan_out", nonlinearity="relu")`'
    assert found.numbers["fan_in"] == 64 and found.numbers["fan_out"] == 256


def test_the_fix_for_an_in_out_kernel_is_kaiming_over_its_size0() -> None:
    """The rewritten call, run by torch on a (64, 256) kernel, gives He's std over fan_in = 64."""
    (found,) = expect(SIZED, ("IL101", "nn.init.xavier_normal_(self.kernel)"), families=("IL1",))
    assert found.fix is not None
    (edit,) = found.fix["edits"]
    assert edit["content"] == 'nn.init.kaiming_normal_(self.kernel, mode="fan_out", nonlinearity="relu")'
    kernel = torch.empty(64, 256)
    torch.manual_seed(1)
    nn.init.kaiming_normal_(kernel, mode="fan_out", nonlinearity="relu")  # the call the fix writes
    assert math.isclose(float(kernel.std()), math.sqrt(2 / 64), rel_tol=0.02)


def test_a_kernel_built_twice_before_relu_and_log_softmax_is_judged_per_instance() -> None:
    """One class for ``gc1`` (-> ReLU) and ``gc2`` (-> log_softmax): the class's weight meets two activations,
    so what follows it alone is unknown; the instance ``gc1`` meets ReLU, and the init is the same for both
    instances, so Xavier is judged on ``gc1`` (checks/per_instance.py), told for that instance and without a
    rewrite, while ``gc2`` before log_softmax is not judged."""
    code = """
        import torch
        from torch import nn
        import torch.nn.functional as F

        class GraphConv(nn.Module):
            def __init__(self, input_dim, output_dim):
                super().__init__()
                self.kernel = nn.Parameter(torch.Tensor(input_dim, output_dim))
                nn.init.xavier_uniform_(self.kernel)

            def forward(self, x, adj):
                return torch.sparse.mm(adj, x @ self.kernel)

        class GCN(nn.Module):
            def __init__(self, n_in, n_hidden, n_out):
                super().__init__()
                self.gc1 = GraphConv(n_in, n_hidden)
                self.gc2 = GraphConv(n_hidden, n_out)

            def forward(self, x, adj):
                x = F.relu(self.gc1(x, adj))
                return F.log_softmax(self.gc2(x, adj), dim=1)
        """
    picture = picture_of(_src(code))
    (kernel,) = [layer for layer in picture.layers.values() if layer.path == "kernel"]
    assert kernel.functional == "rmatmul" and {f.activation.name for f in kernel.follows} == {"relu", "softmax"}
    assert _follows(code, "xavier_uniform_") == {"kernel": "unknown"}
    (found,) = expect(code, ("IL101", "nn.init.xavier_uniform_(self.kernel)"), families=("IL1",),
                      sites={"nn.init.xavier_uniform_(self.kernel)": {"kernel"}})
    assert found.message.startswith("With the instances built by `GraphConv(n_in, n_hidden)` (line 17): Xavier "
                                    "init on `kernel`, which feeds ReLU")
    assert found.fix is None


def test_a_kernel_used_only_before_softmax_is_silent() -> None:
    code = SIZED.replace("return F.relu(torch.spmm(adj, support))", "return F.softmax(torch.spmm(adj, support), dim=1)")
    expect(code, families=("IL1",), sites={"nn.init.xavier_normal_(self.kernel)": {"kernel"}})
    assert _follows(code, "xavier_normal_") == {"kernel": "Softmax, then linear"}


def test_attention_weighted_rows_are_not_a_fixed_aggregation() -> None:
    """``torch.matmul(attention, h)`` with attention computed from ``h``: not a fixed mix of rows, so what
    follows is unknown and nothing is said."""
    code = SIZED.replace("return F.relu(torch.spmm(adj, support))",
                         "attention = F.softmax(support @ support.t(), dim=1)\n"
                         "            return F.relu(torch.matmul(attention, support))")
    assert _follows(code, "xavier_normal_") == {"kernel": "unknown"}
    expect(code, families=("IL1",), sites={"nn.init.xavier_normal_(self.kernel)": {"kernel"}})


# --------------------------------------------------------------------------- IL203: 1/sqrt(weight.size(1))

PYGCN_STYLE = """
    import math
    import torch
    from torch.nn.parameter import Parameter
    from torch.nn.modules.module import Module
    import torch.nn.functional as F

    class GraphConvolution(Module):
        def __init__(self, in_features, out_features):
            super().__init__()
            self.weight = Parameter(torch.FloatTensor(in_features, out_features))
            self.bias = Parameter(torch.FloatTensor(out_features))
            self.reset_parameters()

        def reset_parameters(self):
            stdv = 1. / math.sqrt(self.weight.size(1))
            self.weight.data.uniform_(-stdv, stdv)
            self.bias.data.uniform_(-stdv, stdv)

        def forward(self, x, adj):
            support = torch.mm(x, self.weight)
            return torch.spmm(adj, support) + self.bias

    class GCN(Module):
        def __init__(self, nfeat, nhid, nclass):
            super().__init__()
            self.gc1 = GraphConvolution(nfeat, nhid)
            self.gc2 = GraphConvolution(nhid, nclass)

        def forward(self, x, adj):
            x = F.relu(self.gc1(x, adj))
            return F.log_softmax(self.gc2(x, adj), dim=1)
"""


def test_torch_size1_of_an_in_out_weight_is_its_fan_out() -> None:
    weight = torch.empty(1433, 16)
    assert weight.size(1) == 16 == nn.init._calculate_fan_in_and_fan_out(weight)[0]
    torch.manual_seed(0)
    stdv = 1.0 / math.sqrt(weight.size(1))
    weight.uniform_(-stdv, stdv)
    # LeCun's 1/sqrt(fan_in) std is meant; U(-1/sqrt(16), +) has std 1/sqrt(3*16), 9.5x LeCun's 1/sqrt(1433)
    assert math.isclose(float(weight.std()) * math.sqrt(1433), math.sqrt(1433 / (3 * 16)), rel_tol=0.02)


def test_size1_of_a_weight_applied_as_x_at_w_takes_fan_out_whatever_the_sizes() -> None:
    (found,) = expect(PYGCN_STYLE, ("IL203", "self.weight.data.uniform_(-stdv, stdv)"), families=("IL2",))
    assert "n = `self.weight.size(1)`" in found.message and "for every size of the layer" in found.message
    assert "`weight.size(1)`" in found.message and "(in, out)" in found.message
    assert "n = self.weight.size(0), the fan_in" in found.message
    assert 'mode="fan_out"' in found.message  # torch's kaiming over size(0) for an (in, out) weight


def test_size1_with_known_sizes_gives_the_numbers() -> None:
    code = PYGCN_STYLE.replace("return F.log_softmax(self.gc2(x, adj), dim=1)", "return self.gc2(x, adj)")
    code = code.replace("self.gc1 = GraphConvolution(nfeat, nhid)", "self.gc1 = GraphConvolution(1433, 16)")
    code = code.replace("self.gc2 = GraphConvolution(nhid, nclass)", "self.gc2 = GraphConvolution(1433, 16)")
    code = code.replace("x = F.relu(self.gc1(x, adj))", "x = F.relu(self.gc1(x, adj)) + self.gc2(x, adj)")
    code = code.replace("return self.gc2(x, adj)", "return x")
    (found,) = expect(code, ("IL203", "self.weight.data.uniform_(-stdv, stdv)"), families=("IL2",))
    assert "= 16 for `weight`" in found.message and "fan_in = 1433 and fan_out = 16" in found.message
    assert "applied as `h @ weight`" in found.message and f"~{math.sqrt(1433 / 16):.3g}x" in found.message


def test_size0_of_a_weight_applied_as_x_at_w_is_its_fan_in() -> None:
    code = PYGCN_STYLE.replace("math.sqrt(self.weight.size(1))", "math.sqrt(self.weight.size(0))")
    expect(code, families=("IL2",), sites={"self.weight.data.uniform_(-stdv, stdv)": {"weight"}})


def test_parameter_imported_from_torch_nn_parameter_is_a_weight() -> None:
    picture = picture_of(_src(PYGCN_STYLE))
    kinds = {layer.path: (layer.kind, layer.functional) for layer in picture.layers.values()}
    assert kinds["weight"] == ("Parameter", "rmatmul")
