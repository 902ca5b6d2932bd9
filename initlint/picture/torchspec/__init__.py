"""All that initlint knows of torch, as data with small hooks, in one place checked against torch itself.

``activations``: activation names, ``calculate_gain`` and measured gains; ``inits``: the ``torch.nn.init``
functions; ``layers``: layer signatures, shapes, the class hierarchy, children and default inits; ``composites``: the
sub-modules ``nn.Transformer`` and its encoder/decoder layers build and what their outputs meet.
tests/test_torchspec.py checks every entry against torch 2.13.
"""

from initlint.picture.torchspec.activations import (
    ACTIVATION_FUNCTIONS,
    ACTIVATION_METHODS,
    ACTIVATION_MODULES,
    DEFAULT_LEAKY_SLOPE,
    DISPLAY_NAMES,
    GATE_PARTS,
    GATED_UNIT,
    NONLINEARITY_GAIN_NAMES,
    PRELU_INIT_SLOPE,
    RECTIFIERS,
    REFERENCE_FORMS,
    RRELU_MEAN_SLOPE,
    SATURATING,
    VARIANCE_GAINS,
    Activation,
    activation_for_function,
    activation_for_module,
    calculate_gain,
    fmt,
)
from initlint.picture.torchspec.composites import (
    COMPOSITE_SIGNATURES,
    MEETS_ACTIVATION,
    MEETS_RESIDUAL,
    MODULE_ARGS,
    PARTS,
    Part,
    activation_of,
    composite_args,
    part_args,
    parts,
)
from initlint.picture.torchspec.inits import (
    DATA_DRIVEN_FUNC,
    DATA_DRIVEN_INITS,
    DATA_DRIVEN_KINDS,
    DEPRECATED_ALIASES,
    FAN_BASED,
    INIT_SIGNATURES,
    KAIMING,
    MIN_DIMS,
    SCALE_KEEPING_WRAPPERS,
    TENSOR_INIT_METHODS,
    XAVIER,
)
from initlint.picture.torchspec.layers import (
    ATTRIBUTE_DEFAULTS,
    BASES,
    CHILDREN,
    CONV,
    CONV_TRANSPOSE,
    FUNCTIONAL_LAYERS,
    LAYER_SIGNATURES,
    NORM_FUNCTIONS,
    NORMS,
    RECURRENT,
    RECURRENT_CELLS,
    TRANSPARENT_FUNCTIONS,
    TRANSPARENT_METHODS,
    TRANSPARENT_MODULES,
    attribute,
    child_args,
    default_init,
    gates,
    is_instance,
    layer_params,
)

__all__ = [
    "ACTIVATION_FUNCTIONS", "ACTIVATION_METHODS", "ACTIVATION_MODULES", "ATTRIBUTE_DEFAULTS", "BASES", "CHILDREN",
    "COMPOSITE_SIGNATURES", "CONV", "CONV_TRANSPOSE", "DATA_DRIVEN_FUNC", "DATA_DRIVEN_INITS", "DATA_DRIVEN_KINDS",
    "DEFAULT_LEAKY_SLOPE", "DEPRECATED_ALIASES", "DISPLAY_NAMES", "FAN_BASED", "FUNCTIONAL_LAYERS", "GATED_UNIT",
    "GATE_PARTS", "INIT_SIGNATURES", "KAIMING", "LAYER_SIGNATURES", "MEETS_ACTIVATION", "MEETS_RESIDUAL", "MIN_DIMS",
    "MODULE_ARGS", "NONLINEARITY_GAIN_NAMES", "NORMS", "NORM_FUNCTIONS", "PARTS", "PRELU_INIT_SLOPE", "RECTIFIERS",
    "RECURRENT", "RECURRENT_CELLS", "REFERENCE_FORMS", "RRELU_MEAN_SLOPE", "SATURATING", "SCALE_KEEPING_WRAPPERS",
    "TENSOR_INIT_METHODS",
    "TRANSPARENT_FUNCTIONS", "TRANSPARENT_METHODS", "TRANSPARENT_MODULES", "VARIANCE_GAINS", "XAVIER", "Activation",
    "Part", "activation_for_function", "activation_for_module", "activation_of", "attribute", "calculate_gain",
    "child_args", "composite_args", "default_init", "fmt", "gates", "is_instance", "layer_params", "part_args",
    "parts",
]
