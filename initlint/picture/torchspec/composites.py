"""torch's composite modules as data: the sub-modules ``nn.Transformer`` and its encoder/decoder (layers)
build, the arguments each gets from its parent, and what a sub-layer's output meets in torch's ``forward``.

Taken from torch/nn/modules/transformer.py (torch 2.13): ``TransformerEncoderLayer.__init__`` builds
``self_attn``, ``linear1`` (d_model -> dim_feedforward), ``linear2`` (back) and ``norm1``/``norm2``;
``_ff_block`` runs ``linear2(dropout(activation(linear1(x))))`` and adds it to the skip; ``activation`` is
``F.relu`` by default, the strings "relu"/"gelu" (``_get_activation_fn``) or any callable.
``TransformerEncoder`` deep-copies the layer it is given into ``layers`` (``_get_clones``) and keeps ``norm``;
``nn.Transformer`` builds both stacks with a final LayerNorm each, then runs ``xavier_uniform_`` on every
parameter with ``p.dim() > 1`` (``_reset_parameters``): torch's own default, not the user's init.
tests/test_torchspec.py builds each composite with torch and checks names, kinds, shapes and activations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from initlint.picture.torchspec.activations import Activation

# Positional constructor arguments (after self), as torch 2.13 spells them.
COMPOSITE_SIGNATURES: dict[str, tuple[str, ...]] = {
    "Transformer": ("d_model", "nhead", "num_encoder_layers", "num_decoder_layers", "dim_feedforward", "dropout",
                    "activation", "custom_encoder", "custom_decoder", "layer_norm_eps", "batch_first", "norm_first",
                    "bias"),
    "TransformerEncoderLayer": ("d_model", "nhead", "dim_feedforward", "dropout", "activation", "layer_norm_eps",
                                "batch_first", "norm_first", "bias"),
    "TransformerDecoderLayer": ("d_model", "nhead", "dim_feedforward", "dropout", "activation", "layer_norm_eps",
                                "batch_first", "norm_first", "bias"),
    "TransformerEncoder": ("encoder_layer", "num_layers", "norm", "enable_nested_tensor", "mask_check"),
    "TransformerDecoder": ("decoder_layer", "num_layers", "norm"),
}

# The defaults of the arguments the parts' sizes and activation read ("relu" stands for ``F.relu``).
_LAYER_DEFAULTS: dict[str, object] = {"dim_feedforward": 2048, "activation": "relu", "layer_norm_eps": 1e-5,
                                      "bias": True}
COMPOSITE_DEFAULTS: dict[str, dict[str, object]] = {
    "Transformer": {"d_model": 512, "nhead": 8, "num_encoder_layers": 6, "num_decoder_layers": 6,
                    **_LAYER_DEFAULTS},
    "TransformerEncoderLayer": dict(_LAYER_DEFAULTS),
    "TransformerDecoderLayer": dict(_LAYER_DEFAULTS),
}

# The strings ``_get_activation_fn`` accepts (anything else raises RuntimeError).
ACTIVATION_STRINGS = frozenset({"relu", "gelu"})

# What a part's output meets inside the composite's forward (``Part.meets``):
MEETS_ACTIVATION = "activation"  # the composite's ``activation``, then the part named by ``Part.then``
MEETS_RESIDUAL = "residual"  # added to the skip connection


@dataclass(frozen=True)
class Part:
    """A sub-module a composite builds itself."""

    path: str  # under the composite: "linear1", "encoder.layers.*"
    kind: str  # a torchspec layer kind or another composite
    args: dict[str, str] = field(default_factory=dict)  # the part's argument -> the composite's it is given
    meets: str | None = None  # MEETS_*; None: no claim on what its output meets
    then: str | None = None  # with MEETS_ACTIVATION: the part the activation's output goes to


def _feed_forward(d_model: str = "d_model") -> tuple[Part, ...]:
    return (
        Part("linear1", "Linear", {"in_features": d_model, "out_features": "dim_feedforward", "bias": "bias"},
             meets=MEETS_ACTIVATION, then="linear2"),
        Part("linear2", "Linear", {"in_features": "dim_feedforward", "out_features": d_model, "bias": "bias"},
             meets=MEETS_RESIDUAL),
    )


def _attention(path: str) -> Part:
    return Part(path, "MultiheadAttention", {"embed_dim": "d_model", "num_heads": "nhead", "dropout": "dropout",
                                             "bias": "bias"})


def _norm(path: str) -> Part:
    return Part(path, "LayerNorm", {"normalized_shape": "d_model", "eps": "layer_norm_eps", "bias": "bias"})


_LAYER_ARGS = {name: name for name in COMPOSITE_SIGNATURES["TransformerEncoderLayer"]}

PARTS: dict[str, tuple[Part, ...]] = {
    "TransformerEncoderLayer": (_attention("self_attn"), *_feed_forward(), _norm("norm1"), _norm("norm2")),
    "TransformerDecoderLayer": (_attention("self_attn"), _attention("multihead_attn"), *_feed_forward(),
                                _norm("norm1"), _norm("norm2"), _norm("norm3")),
    "Transformer": (
        Part("encoder", "TransformerEncoder", {"num_layers": "num_encoder_layers"}),
        Part("encoder.layers.*", "TransformerEncoderLayer", _LAYER_ARGS),
        _norm("encoder.norm"),
        Part("decoder", "TransformerDecoder", {"num_layers": "num_decoder_layers"}),
        Part("decoder.layers.*", "TransformerDecoderLayer", _LAYER_ARGS),
        _norm("decoder.norm"),
    ),
}

# Module arguments a composite keeps as its own sub-modules (the layer it clones into ``layers``).
MODULE_ARGS: dict[str, dict[str, str]] = {
    "TransformerEncoder": {"encoder_layer": "layers.*", "norm": "norm"},
    "TransformerDecoder": {"decoder_layer": "layers.*", "norm": "norm"},
}

# A module argument that replaces the parts under a path (``nn.Transformer(custom_encoder=...)``).
REPLACED_BY: dict[str, dict[str, str]] = {"Transformer": {"custom_encoder": "encoder", "custom_decoder": "decoder"}}


def activation_of(value: object) -> Activation | None:
    """The activation an ``activation=`` argument stands for: "relu"/"gelu" as ``_get_activation_fn`` maps
    them, an activation already read from a callable; None for anything else (unknown, or refused)."""
    if isinstance(value, Activation):
        return value
    if isinstance(value, str) and value in ACTIVATION_STRINGS:
        return Activation(value)
    return None


def composite_args(kind: str, given: dict[str, object]) -> dict[str, object]:
    """The composite's arguments: those given, the defaults torch fills for the rest."""
    return {**COMPOSITE_DEFAULTS.get(kind, {}), **given}


def parts(kind: str, args: dict[str, object]) -> tuple[Part, ...]:
    """The parts a composite builds with these arguments (none under a path a custom module replaces; any
    argument of unknown value counts as given)."""
    replaced = [path for name, path in REPLACED_BY.get(kind, {}).items() if name in args]
    return tuple(p for p in PARTS.get(kind, ())
                 if not any(p.path == r or p.path.startswith(r + ".") for r in replaced))


def part_args(part: Part, args: dict[str, object]) -> dict[str, object]:
    """A part's constructor arguments from its composite's."""
    return {name: args.get(source) for name, source in part.args.items() if source in args}
