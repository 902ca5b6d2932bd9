"""torch.nn.init's functions as data: families, signatures, rank limits, deprecated aliases, tensor methods.

Taken from ``torch/nn/init.py`` (each function's signature and its ``ValueError`` on too few dimensions) and
``torch/_tensor.py`` (the in-place methods); tests/test_torchspec.py checks them against torch.
"""

from __future__ import annotations

XAVIER = frozenset({"xavier_uniform_", "xavier_normal_"})
KAIMING = frozenset({"kaiming_uniform_", "kaiming_normal_"})
FAN_BASED = frozenset(XAVIER | KAIMING | {"orthogonal_", "dirac_", "eye_", "sparse_"})
# The smallest number of dimensions each fan-based init accepts (torch raises ValueError below it).
MIN_DIMS = {
    "xavier_uniform_": 2,
    "xavier_normal_": 2,
    "kaiming_uniform_": 2,
    "kaiming_normal_": 2,
    "orthogonal_": 2,
    "eye_": 2,
    "sparse_": 2,
    "dirac_": 3,
}

# Positional parameters after the tensor, per torch.nn.init function.
INIT_SIGNATURES: dict[str, tuple[str, ...]] = {
    "uniform_": ("a", "b"),
    "normal_": ("mean", "std"),
    "trunc_normal_": ("mean", "std", "a", "b"),
    "constant_": ("val",),
    "ones_": (),
    "zeros_": (),
    "eye_": (),
    "dirac_": ("groups",),
    "xavier_uniform_": ("gain",),
    "xavier_normal_": ("gain",),
    "kaiming_uniform_": ("a", "mode", "nonlinearity"),
    "kaiming_normal_": ("a", "mode", "nonlinearity"),
    "orthogonal_": ("gain",),
    "sparse_": ("sparsity", "std"),
}

# Deprecated non-underscore aliases defined at the bottom of torch/nn/init.py.
DEPRECATED_ALIASES: dict[str, str] = {
    "uniform": "uniform_",
    "normal": "normal_",
    "constant": "constant_",
    "eye": "eye_",
    "dirac": "dirac_",
    "xavier_uniform": "xavier_uniform_",
    "xavier_normal": "xavier_normal_",
    "kaiming_uniform": "kaiming_uniform_",
    "kaiming_normal": "kaiming_normal_",
    "orthogonal": "orthogonal_",
    "sparse": "sparse_",
}

# In-place tensor methods that initialize: ``w.data.normal_(0, 0.01)``.
TENSOR_INIT_METHODS: dict[str, tuple[str, tuple[str, ...]]] = {
    "normal_": ("normal_", ("mean", "std")),
    "uniform_": ("uniform_", ("a", "b")),
    "zero_": ("zeros_", ()),
    "fill_": ("constant_", ("val",)),
    "copy_": ("copy_", ("src",)),
}



# Data-driven inits (LSUV, Mishkin & Matas 2016) that re-initialize a whole model in place: an orthonormal
# weight and a zero bias for every Linear/Conv/ConvTranspose layer, then a per-layer rescale to unit output
# variance. By the qualified name a call resolves to through the file's imports (never by spelling: a local
# ``def lsuv_init`` is not one of these). initlint's own (initlint/probe/lsuv.py) and lsuv 0.3.0's
# (``lsuv/__init__.py`` exports lsuv_with_singlebatch and lsuv_with_dataloader; ``lsuv.lsuvinit.LSUVinit``
# is the function they name). Each takes the model as its first argument (``model=``).
DATA_DRIVEN_INITS: frozenset[str] = frozenset({
    "initlint.probe.lsuv_init",
    "initlint.probe.lsuv.lsuv_init",
    "lsuv.lsuv_with_singlebatch",
    "lsuv.lsuv_with_dataloader",
    "lsuv.lsuvinit.lsuv_with_singlebatch",
    "lsuv.lsuvinit.lsuv_with_dataloader",
    "lsuv.lsuvinit.LSUVinit",
})
# What they re-initialize: torch's Linear and _ConvNd (every Conv*d and ConvTranspose*d), subclasses too.
DATA_DRIVEN_KINDS: frozenset[str] = frozenset({
    "Linear", "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d",
})
DATA_DRIVEN_FUNC = "lsuv"  # InitSite.func of such a call: no rule judges its scale (it measures its own)

# Wrappers that return the module they are given with its weight reparametrized as g * v / ||v||, g set to
# ||v|| when it is wrapped: the module computes the same weight at the start, so an init before the wrap is
# the init the layer starts from (one after it is IL507's). Not spectral_norm: it divides by sigma(W) on
# every forward, so no init's scale survives it.
SCALE_KEEPING_WRAPPERS: frozenset[str] = frozenset({
    "torch.nn.utils.weight_norm",
    "torch.nn.utils.parametrizations.weight_norm",
})
