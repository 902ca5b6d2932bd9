"""The rule catalog: codes, names, and where each rule's page lives."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    summary: str
    fix: str  # "safe", "unsafe" or "none"
    default: bool = True  # off-by-default rules run only when selected by their code (or ALL)


RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in sorted((
        Rule("IL001", "unreadable-file", "A file could not be read, decoded or parsed", "none"),
        Rule("IL002", "unused-suppression", "A `# noqa`/`# initlint: ignore[...]` that suppresses nothing",
             "safe"),
        Rule("IL101", "rectifier-needs-he", "Xavier/Glorot init on a layer that feeds a rectifier", "unsafe"),
        Rule("IL102", "saturating-needs-glorot", "He/Kaiming init on a layer that feeds tanh/sigmoid/softmax",
             "unsafe"),
        Rule("IL103", "gain-names-wrong-activation",
             "The init's gain names another activation than the one that follows", "unsafe"),
        Rule("IL104", "selu-needs-lecun", "A layer feeding SELU is not LeCun-normal initialized", "unsafe"),
        Rule("IL201", "constant-weights", "A hidden layer's weights set to one constant (zeros, ones, fill)",
             "unsafe"),
        Rule("IL202", "off-scale-init", "A literal init scale far (4x) from what the layer's fan and activation "
             "call for", "unsafe"),
        Rule("IL203", "fan-formula-mismatch", "A hand-written He/Xavier scale whose n is not the layer's fan",
             "unsafe"),
        Rule("IL301", "recurrent-weights-not-orthogonal",
             "Recurrent hidden-to-hidden weights not orthogonally initialized", "unsafe"),
        Rule("IL302", "lstm-forget-bias", "An LSTM forget-gate bias on the wrong slice or a GRU given one "
             "(zeroed LSTM biases only with zeroed-lstm-biases = true)", "unsafe"),
        Rule("IL401", "fan-init-on-1d-tensor", "A fan-based init on a 1-D tensor raises ValueError", "safe"),
        Rule("IL402", "deprecated-init-alias", "A deprecated non-underscore torch.nn.init alias", "safe"),
        Rule("IL403", "unsupported-nonlinearity", "A `calculate_gain`/kaiming nonlinearity torch does not accept "
             "raises ValueError", "unsafe"),
        Rule("IL404", "bad-fan-mode", "A kaiming `mode=` other than fan_in/fan_out raises ValueError", "safe"),
        Rule("IL405", "trunc-normal-absolute-bounds", "`trunc_normal_` with a small std and the default absolute "
             "bounds (-2, 2) truncates nothing", "unsafe", default=False),
        Rule("IL406", "uniform-bounds-reversed", "`uniform_(w, a, b)` with a > b raises RuntimeError", "none"),
        Rule("IL407", "bias-may-be-none", "An init of `m.bias` with no None guard reaches a layer built with "
             "bias=False (AttributeError)", "safe"),
        Rule("IL408", "tensor-truth-value", "`if m.bias:` on a parameter of more than one element raises "
             "RuntimeError", "safe"),
        Rule("IL409", "normal-given-bounds", "`normal_(w, -b, b)`: bounds passed as (mean, std) shift every "
             "weight by -b", "unsafe"),
        Rule("IL410", "inplace-on-parameter-view", "An in-place op on a parameter or a view of one outside "
             "torch.no_grad() raises RuntimeError", "safe"),
        Rule("IL502", "init-never-matches", "An init routine whose type tests match no module of the model",
             "none"),
        Rule("IL503", "init-never-called", "An init function or method nothing calls or applies", "none"),
        Rule("IL504", "always-true-condition", '`if "a" or "b" in name:` in init code is always true', "safe"),
        Rule("IL505", "init-overwritten", "A deliberate init replaced by a later blanket init in the same "
             "construction", "none"),
        Rule("IL506", "init-before-clone", "A layer initialized after nn.TransformerEncoder/Decoder deep-copied "
             "it", "none"),
        Rule("IL507", "init-undone-by-weight-norm", "An init on the weight of a layer already wrapped by "
             "weight_norm", "none"),
        Rule("IL508", "lazy-init-discarded", "An init of a lazy layer's parameter before its first forward",
             "none"),
        Rule("IL501", "deep-default-init", "A deep plain stack of rectifier layers left at PyTorch's default "
             "init", "unsafe"),
    ), key=lambda rule: rule.code)
}


REPOSITORY_URI = "https://github.com/initlint/initlint"

# How bad a rule's finding is: an error when the code crashes or the init never takes effect, info for
# advice (a deprecated spelling, an opt-in hint), a warning for every mismatch of init and activation.
ERROR_RULES = frozenset({"IL001", "IL401", "IL403", "IL404", "IL406", "IL407", "IL408", "IL410", "IL502", "IL503",
                         "IL504", "IL505", "IL506", "IL507", "IL508"})
INFO_RULES = frozenset({"IL402", "IL405"})


def rule_severity(code: str) -> str:
    """``error``, ``warning`` or ``info`` (IL000, our own failure, is ``internal``)."""
    if code == INTERNAL_ERROR:
        return "internal"
    if code in ERROR_RULES:
        return "error"
    return "info" if code in INFO_RULES else "warning"


def rule_url(code: str) -> str:
    """Where a rule's page is read on the web (SARIF's helpUri, the editor's link on each diagnostic)."""
    return f"{REPOSITORY_URI}/blob/main/rules/{code}-{rule_name(code)}.md"


def rule_url_or_none(code: str) -> str | None:
    return rule_url(code) if code in RULES else None


# Not a rule: initlint's own failure on a file (severity ``internal``, exit code 2). It is always reported,
# whatever is selected or ignored: an internal error must never pass as silence.
INTERNAL_ERROR = "IL000"


def rule_name(code: str) -> str:
    if code == INTERNAL_ERROR:
        return "internal-error"
    return RULES[code].name if code in RULES else "unknown"


def rules_dir() -> Path | None:
    """The catalog pages: shipped inside the wheel, or the repository's ``rules/`` in a checkout."""
    packaged = resources.files("initlint").joinpath("_rules")
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parent.parent / "rules"
    return checkout if checkout.is_dir() else None


def rule_page(code: str) -> str | None:
    directory = rules_dir()
    if directory is None:
        return None
    for page in sorted(directory.glob(f"{code}-*.md")):
        return page.read_text(encoding="utf-8")
    return None


def matches(code: str, prefixes: tuple[str, ...]) -> bool:
    return any(code.startswith(p) for p in prefixes)


def known_prefix(prefix: str) -> bool:
    """A --select/--ignore value must name at least one rule (``ALL`` names them all)."""
    return prefix == "ALL" or any(code.startswith(prefix) for code in RULES)
