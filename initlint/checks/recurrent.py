"""IL301 and IL302: recurrent weights that are not orthogonal, and LSTM forget-gate biases.

torch orders an LSTM's gates i, f, g, o in ``weight_*`` and ``bias_*`` (rows ``[k*h:(k+1)*h]`` for gate k)
and a GRU's r, z, n; a GRU has no forget gate.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from initlint.checks.common import (
    built_here,
    exponent,
    finding,
    fmt,
    init_alias,
    init_std,
    layer_diagnostic,
    scenario_of,
    site_diagnostic,
    with_scenario,
)
from initlint.checks.symmetry import constant_value
from initlint.config import Settings
from initlint.findings import Finding, Note, Number, short_title
from initlint.fix import (
    NO_INIT_NAME,
    SHARED_LINE,
    Fix,
    branch_call,
    call_statement,
    delete_statement,
    fix_builder,
    init_module,
    insert_after,
    make_fix,
    replace,
    replace_statement,
)
from initlint.picture import catalog, symbolic
from initlint.picture.model import ACT, OUTPUT, UNKNOWN, InitSite, Layer, ParamRef, Picture

ORTHOGONAL_FUNCS = frozenset({"orthogonal_", "eye_"})  # eye_: orthonormal columns (an IRNN's identity)
UNKNOWN_FUNCS = frozenset({"copy_"})
LSTM_GATES = ("input gate i", "forget gate f", "cell candidate g", "output gate o")
GRU_GATES = ("reset gate r", "update gate z", "candidate n")


def _recurrent(layer: Layer) -> bool:
    return layer.kind in catalog.RECURRENT or layer.kind in catalog.RECURRENT_CELLS


def _hidden_weights(layer: Layer) -> list[str]:
    return sorted(p for p in layer.params if p.startswith("weight_hh"))


def check(picture: Picture, filename: str, settings: Settings) -> Iterator[Finding]:
    effective = picture.effective()
    yield from _il301(picture, effective, filename)
    yield from _il302(picture, effective, filename, settings.zeroed_lstm_biases)


# --------------------------------------------------------------------------- IL301


def _il301(picture: Picture, effective: dict[ParamRef, list[InitSite]], filename: str) -> Iterator[Finding]:
    by_site: dict[int, tuple[InitSite, list[tuple[Layer, str]]]] = {}
    for layer in picture.layers.values():
        if not _recurrent(layer):
            continue
        defaults: list[str] = []
        for param in _hidden_weights(layer):
            ref = ParamRef(layer.uid, param)
            sliced = [s for s in picture.inits if s.in_slice and ref in s.targets and not _other_run(layer, s)]
            live = [s for s in effective.get(ref, []) if not _other_run(layer, s)]
            if not live and not sliced:
                if ref not in picture.maybe_touched:
                    defaults.append(param)
                continue
            if any(s.func in ORTHOGONAL_FUNCS for s in sliced):
                continue  # per-gate orthogonal blocks
            for site in sliced:
                if site.func not in UNKNOWN_FUNCS and site.func not in ("zeros_", "constant_", "ones_"):
                    by_site.setdefault(id(site), (site, []))[1].append((layer, param))  # per-gate, not orthogonal
            for site in live:
                if site.func in ORTHOGONAL_FUNCS or site.func in UNKNOWN_FUNCS:
                    continue
                by_site.setdefault(id(site), (site, []))[1].append((layer, param))
        if defaults and len(defaults) == len(_hidden_weights(layer)) and _explicit_elsewhere(picture, layer):
            yield _default_finding(picture, layer, defaults, filename)
    for site, pairs in by_site.values():
        yield _explicit_finding(picture, site, pairs, filename)


def _other_run(layer: Layer, site: InitSite) -> bool:
    """The site runs only under another option than the one that builds the layer (``getattr(nn, rnn_type)``
    with ``rnn_type='GRU'`` and an init under ``if rnn_type == 'LSTM':``)."""
    return any(mine.contradicts(theirs) for mine in layer.when for theirs in site.path)


def _explicit_elsewhere(picture: Picture, rnn: Layer) -> bool:
    """The model initializes, itself, the layer's input weights, another recurrent layer beside it, a hidden
    layer beside it, or every other weight layer it builds, and calls no init code we cannot see: leaving the
    recurrent weights at the default then looks like an oversight. A model that initializes only a head (a DDPG
    policy's small ``uniform_`` on the layer squashed into the output) or an embedding, with its hidden layers
    at the default too, gives no such sign: the recurrent layer is at the default like the rest."""
    if rnn.owner in picture.opaque_init or None in picture.opaque_init:
        return False
    initialized: set[int] = set()
    for site in picture.inits:
        if _other_run(rnn, site):
            continue
        for ref in site.targets:
            if ref.layer == rnn.uid and ref.param.startswith("weight_hh"):
                continue
            other = picture.layer(ref.layer)
            if other.is_norm or not (other.uid == rnn.uid or other.owner == rnn.owner
                                     or rnn.owner in site.root_orders):
                continue
            if other.uid == rnn.uid or _recurrent(other) or _hidden(other):
                return True
            initialized.add(other.uid)
    if not initialized:
        return False
    siblings = [layer for layer in picture.layers.values()
                if layer.owner == rnn.owner and layer.uid != rnn.uid and "weight" in layer.params
                and not layer.is_norm and not _recurrent(layer)]
    return all(layer.uid in initialized for layer in siblings)


def _hidden(layer: Layer) -> bool:
    """Its output is known to go on inside the model (not the model's output, squashed or not)."""
    follow = layer.follow()
    if layer.kind == "Embedding" or follow.kind in (UNKNOWN, OUTPUT):
        return False
    return not (follow.kind == ACT and OUTPUT in layer.after_act)


def _spectral(layer: Layer, param: str, std: float) -> tuple[float, int] | None:
    """The typical per-step gain of one gate's h x h recurrent block: std * sqrt(columns)."""
    shape = layer.params.get(param)
    if not shape or len(shape) != 2 or shape[1] is None:
        return None
    return std * math.sqrt(shape[1]), int(shape[1])


STEPS = 20  # the time steps a finding's compounded gain is told over


def _advice(init: str, kind: str) -> str:
    gates = catalog.RECURRENT.get(kind) or catalog.RECURRENT_CELLS.get(kind) or 1
    return (f"make each gate's block of every `weight_hh` orthogonal: `for k in range({gates}): "
            f"{init}.orthogonal_(w.data[k * h:(k + 1) * h])` (h = hidden_size)")


_WHOLE_MATRIX = Note("orthogonal_ on the whole G*h x h matrix leaves each block with singular values ~1/sqrt(G) (G = 4 "
                     "for an LSTM, 3 for a GRU, 1 for an RNN): the blocks share the norm", "note")


def _radius_note(rho: float, hidden: int, std_text: str) -> Note:
    trend = "shrinks" if rho < 1 else "grows"
    return Note(f"{std_text}each gate's {hidden}x{hidden} block has spectral radius ~sqrt({hidden})*std = {fmt(rho)}: "
                f"in its linear range the hidden state {trend} ~{fmt(rho)}x per time step (~{_power(rho, STEPS)}x "
                f"over {STEPS} steps)")


def _default_finding(picture: Picture, layer: Layer, params: list[str], filename: str) -> Finding:
    hidden = layer.args.get("hidden_size")
    notes = [Note("the model initializes its other layers explicitly; the same matrix is applied at every step, so "
                  "its singular values compound over time")]
    numbers: dict[str, Number] = {"layer": layer.path, "params": len(params)}
    if isinstance(hidden, int) and hidden > 0:
        bound = 1 / math.sqrt(hidden)
        found = _spectral(layer, params[0], bound / math.sqrt(3))
        if found is not None:
            rho, _ = found
            numbers.update(hidden=hidden, bound=bound, std=bound / math.sqrt(3), spectral_radius=rho, steps=STEPS,
                           total_gain=rho ** STEPS)
            notes.append(_radius_note(rho, hidden, f"PyTorch's default U(-1/sqrt({hidden}), 1/sqrt({hidden})) = "
                                                   f"U(-{fmt(bound)}, {fmt(bound)}): "))
    notes.append(_WHOLE_MATRIX)
    shown = ", ".join(params[:2]) + (f" and {len(params) - 2} more" if len(params) > 2 else "")
    told = layer_diagnostic(
        "IL301", layer, filename, short_title(f"`{layer.path}` keeps PyTorch's default init for {shown}"),
        notes=tuple(notes), help=_advice(init_alias(picture), layer.kind), numbers=numbers,
        fix=_insert_orthogonal_fix(picture, layer))
    named = scenario_of(layer.when)  # ``getattr(nn, rnn_type)`` under ``if rnn_type in ['LSTM', 'GRU']:``
    return with_scenario(told, named) if named else told


def _power(base: float, times: int) -> str:
    return exponent(base**times)


def _explicit_finding(picture: Picture, site: InitSite, pairs: list[tuple[Layer, str]], filename: str) -> Finding:
    layer, param = pairs[0]
    fans = layer.fans(param)
    std = init_std(site, fans)
    value = constant_value(site) if site.func in ("zeros_", "ones_", "constant_") else None
    notes: list[Note] = [Note(f"`{param}` of {layer.signature} is applied at every time step")]
    numbers: dict[str, Number] = {"func": site.func, "layer": layer.path, "param": param}
    if value is not None:
        notes.append(Note("a constant matrix has rank 1 (or is 0): every hidden unit sees the same recurrent input, "
                          "and nothing of the past survives but one direction"))
        numbers["value"] = value
    elif std is not None:
        found = _spectral(layer, param, std)
        if found is not None:
            rho, cols = found
            numbers.update(hidden=cols, std=std, spectral_radius=rho, steps=STEPS, total_gain=rho ** STEPS)
            notes.append(_radius_note(rho, cols, f"it gives std {fmt(std)}, so "))
    notes.append(_WHOLE_MATRIX)
    names = sorted({f"`{lay.path}.{p}`" for lay, p in pairs})
    shown = ", ".join(names[:2]) + (f" and {len(names) - 2} more" if len(names) > 2 else "")
    return site_diagnostic(
        "IL301", site, filename, short_title(f"`{site.func}` on the recurrent weights {shown}, not orthogonal"),
        spans=built_here(site, [lay for lay, _ in pairs]), notes=tuple(notes), numbers=numbers,
        help=_advice(init_alias(picture), layer.kind) + "; keep this init for `weight_ih`",
        fix=_orthogonal_fix(picture, site, pairs))


def _gates(layers: list[Layer]) -> int | None:
    counts = {catalog.RECURRENT.get(layer.kind) or catalog.RECURRENT_CELLS.get(layer.kind) for layer in layers}
    return counts.pop() if len(counts) == 1 else None


def per_gate_orthogonal(prefix: str, tensor: str, gates: int) -> list[str]:
    """Lines that make each gate's block of a recurrent weight orthogonal. ``orthogonal_`` on the whole
    (gates*h) x h matrix only makes its columns orthonormal: each gate's h x h block then has singular values
    of about 1/sqrt(gates) (0.5 for an LSTM), a per-step gain below even the default's."""
    if gates == 1:
        return [f"{prefix}.orthogonal_({tensor})"]
    rows = f"{tensor}.size(0) // {gates}"
    return [f"for _gate in range({gates}):",
            f"    {prefix}.orthogonal_({tensor}.data[_gate * {rows}:(_gate + 1) * {rows}])"]


@fix_builder
def _orthogonal_fix(picture: Picture, site: InitSite, pairs: list[tuple[Layer, str]]) -> Fix:
    """Orthogonal gate blocks for the recurrent weights: in place of the call when that is all it reaches,
    else behind a branch on the parameter's name in a ``named_parameters()`` loop."""
    found = init_module(picture)
    gates = _gates([layer for layer, _ in pairs])
    if found is None:
        return NO_INIT_NAME
    if gates is None:
        return "the call reaches recurrent layers with different numbers of gates"
    if site.deferred is None or not call_statement(site):
        return SHARED_LINE
    prefix, imports = found
    lines = per_gate_orthogonal(prefix, site.deferred.param_text, gates)
    wrong = {(layer.uid, param) for layer, param in pairs}
    if all((ref.layer, ref.param) in wrong for ref in site.targets):
        edit = replace_statement(picture, site.statement, lines)
    elif site.name_var is not None:
        edit = branch_call(picture, site, [(f'"weight_hh" in {site.name_var}', lines)])
    else:
        return ("the call also initializes other weights, and there is no parameter name at the call to tell "
                "`weight_hh` apart")
    if edit is None:
        return SHARED_LINE
    return make_fix("unsafe", "Make each gate's block of `weight_hh` orthogonal", [edit, *imports])


@fix_builder
def _insert_orthogonal_fix(picture: Picture, layer: Layer) -> Fix:
    """After ``self.lstm = nn.LSTM(...)``: orthogonal gate blocks for every ``weight_hh`` it has."""
    found = init_module(picture)
    gates = _gates([layer])
    if found is None:
        return NO_INIT_NAME
    if layer.assigned_text is None or gates is None:
        return "the layer is not stored under a name that code after its construction could use"
    if any(other.node is layer.node and other.kind != layer.kind for other in picture.layers.values()):
        return ("an option chooses the class (`getattr(nn, ...)`) and each class has its own gate count: a loop "
                "to write by hand")
    prefix, imports = found
    edit = insert_after(picture, layer.statement, [
        f"for _name, _param in {layer.assigned_text}.named_parameters():",
        '    if "weight_hh" in _name:',
        *("        " + line for line in per_gate_orthogonal(prefix, "_param", gates)),
    ])
    if edit is None:
        return "the statement that builds the layer shares its line with other code"
    return make_fix("unsafe", "Add orthogonal gate blocks for every `weight_hh`", [edit, *imports])


# --------------------------------------------------------------------------- IL302


def _il302(picture: Picture, effective: dict[ParamRef, list[InitSite]], filename: str,
           report_zeroed: bool) -> Iterator[Finding]:
    """Gate rows set on the wrong slice (always), and zeroed LSTM biases (only when asked: zeroing every bias
    is a common deliberate choice, and the cost, a forget gate starting half open, is a matter of taste)."""
    zeroing: dict[int, tuple[InitSite, list[Layer]]] = {}
    for layer in picture.layers.values():
        if not _recurrent(layer) or layer.kind in ("RNN", "RNNCell"):
            continue
        biases = sorted(p for p in layer.params if p.startswith("bias_"))
        if not biases:
            continue
        hidden = layer.args.get("hidden_size")
        hidden = hidden if isinstance(hidden, int) and hidden > 0 else None
        sliced_any = False
        for site in picture.inits:
            if not site.in_slice:
                continue
            refs = [r for r in site.targets if r.layer == layer.uid and r.param in biases]
            if not refs:
                continue
            sliced_any = True
            finding_ = _slice_finding(picture, site, layer, refs[0], hidden, filename)
            if finding_ is not None:
                yield finding_
        if not report_zeroed or layer.kind not in ("LSTM", "LSTMCell") or sliced_any:
            continue
        zeroed = []
        for param in biases:
            live = effective.get(ParamRef(layer.uid, param), [])
            zero_sites = [s for s in live if constant_value(s) == 0.0 and s.func in ("zeros_", "constant_")]
            if zero_sites and len(zero_sites) == len(live):
                zeroed.extend(zero_sites)
        for site in zeroed:
            entry = zeroing.setdefault(id(site), (site, []))
            if layer not in entry[1]:
                entry[1].append(layer)
    for site, layers in zeroing.values():
        yield _zeroed_finding(picture, site, layers, filename, zeroing)


def _gates_of(kind: str) -> tuple[str, ...]:
    return LSTM_GATES if kind in ("LSTM", "LSTMCell") else GRU_GATES


def _describe(lo: int, hi: int, hidden: int, gates: tuple[str, ...]) -> str:
    if lo % hidden == 0 and hi % hidden == 0 and 0 <= lo < hi <= hidden * len(gates):
        names = [gates[k] for k in range(lo // hidden, hi // hidden)]
        return "the " + " and ".join(names)
    return f"not a whole gate (each gate is a block of {hidden} rows)"


def _slice_finding(picture: Picture, site: InitSite, layer: Layer, ref: ParamRef, hidden: int | None,
                   filename: str) -> Finding | None:
    value = constant_value(site) if site.func in ("zeros_", "ones_", "constant_") else None
    if value is None or value == 0 or hidden is None or site.deferred is None:
        return None
    deferred = site.deferred
    if deferred.slice_bounds is None:
        return None
    shape = layer.params.get(ref.param)
    length = shape[0] if shape else None
    lower, upper = deferred.slice_bounds
    lo = symbolic.evaluate(deferred, lower, layer, ref.param) if lower is not None else 0
    hi = symbolic.evaluate(deferred, upper, layer, ref.param) if upper is not None else length
    if not isinstance(lo, int) or not isinstance(hi, int):
        return None
    if isinstance(length, int):
        lo, hi = (lo + length if lo < 0 else lo), (hi + length if hi < 0 else hi)
    gates = _gates_of(layer.kind)
    what = _describe(lo, hi, hidden, gates)
    if layer.kind in ("LSTM", "LSTMCell"):
        if (lo, hi) == (hidden, 2 * hidden):
            return None
        message = (
            f"`{site.target_text}` sets {fmt(value)} on rows {lo}:{hi} of `{layer.path}.{ref.param}` "
            f"({layer.signature}): that is {what}, not the forget gate. torch orders an LSTM's gates i, f, g, o, "
            f"so with hidden_size={hidden} the forget gate's bias is `[{hidden}:{2 * hidden}]` "
            f"(`[hidden_size:2*hidden_size]`). A forget bias of 1 keeps sigmoid(1) = 0.73 of the cell state per "
            f"step at the start, so gradients reach far back (Jozefowicz et al. 2015); the rows set here change "
            f"another gate instead."
        )
        fix: Fix = "the call also reaches layers that are not LSTMs, whose rows differ"
        if deferred.slice_node is None:
            fix = "the slice is not written out at the call"
        elif all(picture.layer(r.layer).kind in ("LSTM", "LSTMCell") for r in site.targets):
            param = deferred.param_text
            span = f"{param}.size(0) // 4:{param}.size(0) // 2"  # rows [h:2h] of any LSTM bias
            fix = make_fix("unsafe", "Set the forget gate's rows `[hidden:2*hidden]`",
                           [replace(picture, deferred.slice_node, span)])
        return finding("IL302", site, message, filename, fix)
    message = _gru_message(site, layer, ref, value, lo, hi, hidden, what)
    gru_fix: Fix = "the call also reaches layers that are not GRUs"
    if all(picture.layer(r.layer).kind in ("GRU", "GRUCell") for r in site.targets):
        edit = delete_statement(picture, site.statement) if call_statement(site) else None
        gru_fix = ("deleting the line would leave an empty block or change other code on its line" if edit is None
                   else make_fix("unsafe", "Delete the GRU gate bias (a GRU starts from its default biases)",
                                 [edit]))
    return finding("IL302", site, message, filename, gru_fix)


def _gru_message(site: InitSite, layer: Layer, ref: ParamRef, value: float, lo: int, hi: int, hidden: int,
                 what: str) -> str:
    """A GRU has no forget gate; its update gate z both keeps the old state and shuts out the new one, so a
    positive z bias slows what the GRU writes and learns, unlike an LSTM's forget bias."""
    head = (f"`{site.target_text}` sets {fmt(value)} on rows {lo}:{hi} of `{layer.path}.{ref.param}` "
            f"({layer.signature}): in a GRU these rows are {what}, not a forget gate (torch orders a GRU's gates "
            f"r, z, n).")
    advice = ("torch and Keras start a GRU without such a bias: delete this line, or, if the bias is the design "
              "(e.g. a long memory), say so in a comment and suppress.")
    if (lo, hi) != (hidden, 2 * hidden):
        return (f"{head} The LSTM forget-bias trick does not carry over by slicing: the gate that keeps a GRU's "
                f"state is the update gate z (`[{hidden}:{2 * hidden}]`), and a bias there also shuts out new input "
                f"(see `initlint rule IL302`). {advice}")
    kinds = {r.param.split("_l")[0] for r in site.targets if r.layer == layer.uid and r.param.startswith("bias_")}
    total = value * max(1, len(kinds))
    keep = 1.0 / (1.0 + math.exp(-total))
    both = (f" The call reaches both `bias_ih` and `bias_hh`, which torch adds, so the gate's bias is {fmt(total)}"
            if len(kinds) == 2 else f" The gate's bias is {fmt(total)}")
    return (
        f"{head}{both} and z starts around sigmoid({fmt(total)}) = {fmt(keep)}. A GRU updates "
        f"`h_t = (1 - z) * n + z * h_{{t-1}}`, so z ties keeping to writing: the state is kept {fmt(keep)} per "
        f"step, but the new candidate n enters at only {fmt(1 - keep)} (0.5 with a zero bias), and the gradient "
        f"that reaches n and its input weights is scaled by {fmt(1 - keep)} as well. An LSTM's forget bias leaves "
        f"its input gate alone, so the LSTM trick does not carry over. {advice}"
    )


def _zeroed_finding(picture: Picture, site: InitSite, layers: list[Layer], filename: str,
                    zeroing: dict[int, tuple[InitSite, list[Layer]]]) -> Finding:
    layer = layers[0]
    hidden = layer.args.get("hidden_size")
    rows = f"[{hidden}:{2 * hidden}]" if isinstance(hidden, int) else "[hidden_size:2*hidden_size]"
    names = ", ".join(f"`{lay.path}` ({lay.signature})" for lay in layers[:3])
    message = (
        f"`{site.func}` zeroes the biases of {names}, leaving the forget gate's bias at 0: sigmoid(0) = 0.5, so "
        f"at the start the cell keeps only half its state per step (0.5^20 ~ 1e-6 after 20 steps) and "
        f"long-range gradients vanish. Jozefowicz et al. (2015) set the forget-gate bias to 1 (0.73 kept per "
        f"step). After zeroing, add `p.data{rows}.fill_(1.0)` for one bias of each layer and direction "
        f"(gate order i, f, g, o)."
    )
    return finding("IL302", site, message, filename, _forget_fix(picture, site, zeroing))


@fix_builder
def _forget_fix(picture: Picture, site: InitSite, zeroing: dict[int, tuple[InitSite, list[Layer]]]) -> Fix:
    """After the zeroing call: the forget gate's quarter of ``bias_ih`` set to 1 (one of the two biases, so
    the gate's total bias is 1)."""
    deferred = site.deferred
    if deferred is None or not call_statement(site):
        return SHARED_LINE
    if not all(picture.layer(r.layer).kind in ("LSTM", "LSTMCell") and r.param.startswith("bias_")
               for r in site.targets):
        return "the zeroing call also reaches tensors that are not LSTM biases"
    target = deferred.param_text
    quarter = f"{target}.data[{target}.size(0) // 4:{target}.size(0) // 2].fill_(1.0)"
    if all(r.param.startswith("bias_ih") for r in site.targets):
        lines = [quarter]
    elif all(r.param.startswith("bias_hh") for r in site.targets):
        partners = {ParamRef(r.layer, r.param.replace("bias_hh", "bias_ih")) for r in site.targets}
        if any(partner in other.targets for other, _ in zeroing.values() for partner in partners):
            return "the forget bias goes after the call that zeroes `bias_ih`"
        lines = [quarter]
    elif site.name_var is not None:
        lines = [f'if "bias_ih" in {site.name_var}:', f"    {quarter}"]
    elif target.isidentifier() and all(site.param_names.get(r, "").endswith(r.param) for r in site.targets):
        # ``for b in (self.lstm.bias_ih, self.lstm.bias_hh)``: the loop's own expressions name them
        firsts = sorted({site.param_names[r] for r in site.targets if r.param.startswith("bias_ih")})
        if not firsts:
            return "the loop reaches no `bias_ih` to set the forget bias on"
        test = f"{target} is {firsts[0]}" if len(firsts) == 1 else f"{target} in ({', '.join(firsts)})"
        lines = [f"if {test}:", f"    {quarter}"]
    else:
        return "nothing at the call tells `bias_ih` from `bias_hh`, so one of them cannot be given the 1"
    edit = insert_after(picture, site.statement, lines)
    if edit is None:
        return SHARED_LINE
    return make_fix("unsafe", "Set the forget-gate bias to 1 after zeroing", [edit])
