"""Modules passed as constructor arguments (issue 16, item 4): a parent builds the parts and hands them to
the class that stores them (``Model(Stack(Block(attn, ff), 6))``, ``Seq2Seq(enc, dec)``), deep-copied clones
included. A blanket init in the receiving class reaches the passed parts' layers, whose follows are their
own class's; a part's own deliberate init runs before the receiver's ``__init__`` (IL505).

Each silent case shows that the init site was seen and why it reaches nothing.
"""

from __future__ import annotations

from initlint.analysis import check_source, picture_of
from initlint.explain import silence_reason
from tests.test_idioms import _src, line_of

PARTS = """
    import copy
    import torch.nn as nn
    import torch.nn.functional as F


    def clones(module, n):
        return nn.ModuleList([copy.deepcopy(module) for _ in range(n)])


    class MLP(nn.Module):
        def __init__(self, width, hidden):
            super().__init__()
            self.up = nn.Linear(width, hidden)
            self.down = nn.Linear(hidden, width)

        def forward(self, x):
            return self.down(F.relu(self.up(x)))


    class Mixer(nn.Module):
        def __init__(self, width):
            super().__init__()
            self.proj = nn.Linear(width, width)
            nn.init.normal_(self.proj.weight, std=0.01)

        def forward(self, x):
            return self.proj(x)


    class Block(nn.Module):
        def __init__(self, mixer, mlp):
            super().__init__()
            self.mixer = mixer
            self.mlp = mlp

        def forward(self, x):
            x = x + self.mixer(x)
            return x + self.mlp(x)


    class Tower(nn.Module):
        def __init__(self, block, depth):
            super().__init__()
            assert isinstance(block, Block), "a tower of Blocks"
            self.blocks = clones(block, depth)

        def forward(self, x):
            for block in self.blocks:
                x = block(x)
            return x


    class Model(nn.Module):
        def __init__(self, tower):
            super().__init__()
            self.tower = tower
            self.head = nn.Linear(256, 10)
            for p in self.parameters():
                if p.dim() > 1:
                    nn.init.xavier_uniform_(p)

        def forward(self, x):
            return self.head(self.tower(x))
"""

BUILT_IN_A_FUNCTION = PARTS + """

    def build(width=256, depth=4):
        block = Block(Mixer(width), MLP(width, 4 * width))
        return Model(Tower(block, depth))
"""


def _found(code: str) -> list[tuple[str, int, str]]:
    src = _src(code)
    return sorted((f.code, f.row, f.message) for f in check_source(src, "model.py") if f.code != "IL402")


def test_blanket_init_reaches_the_layers_of_passed_modules() -> None:
    src = _src(BUILT_IN_A_FUNCTION)
    found = {(code, row): message for code, row, message in _found(BUILT_IN_A_FUNCTION)}
    loop = line_of(src, "nn.init.xavier_uniform_(p)")
    assert "`up`" in found[("IL101", loop)] and "ReLU" in found[("IL101", loop)]
    picture = picture_of(src)
    assert picture.bindings["Model"].passed_classes() == ("Tower",)
    assert picture.bindings["Tower"].passed_classes() == ("Block",)
    assert set(picture.bindings["Block"].passed_classes()) == {"Mixer", "MLP"}
    (site,) = [e for e in picture.explain() if e.line == loop]
    reached = {r.layer.split(" ")[0] for r in site.reached}
    assert {"up", "down", "proj"} <= reached


def test_copies_through_an_alias_of_deepcopy_are_the_same_parts() -> None:
    """``c = copy.deepcopy; Block(c(mixer), c(mlp))``, as the annotated Transformer writes it: each ``c(...)`` is
    a copy of the part, not an unknown call, so the blanket loop reaches the copied MLP's ``up``."""
    code = PARTS + """

    def build(width=256, depth=4):
        c = copy.deepcopy
        mixer, mlp = Mixer(width), MLP(width, 4 * width)
        return Model(Tower(Block(c(mixer), c(mlp)), depth))
"""
    src = _src(code)
    loop = line_of(src, "nn.init.xavier_uniform_(p)")
    found = {(f_code, row): message for f_code, row, message in _found(code)}
    assert "`up`" in found[("IL101", loop)] and "ReLU" in found[("IL101", loop)]
    assert set(picture_of(src).bindings["Block"].passed_classes()) == {"Mixer", "MLP"}


def test_a_passed_part_s_own_init_is_overwritten_by_the_receiver_s_loop() -> None:
    """Mixer's normal_(std=0.01) runs when Mixer is built, before Model's loop replaces it: IL505."""
    src = _src(BUILT_IN_A_FUNCTION)
    found = [(code, row) for code, row, _ in _found(BUILT_IN_A_FUNCTION)]
    assert ("IL505", line_of(src, "nn.init.normal_(self.proj.weight, std=0.01)")) in found


def test_seq2seq_with_parts_built_at_module_level() -> None:
    code = """
        import torch.nn as nn


        class Encoder(nn.Module):
            def __init__(self, vocab, hidden):
                super().__init__()
                self.embed = nn.Embedding(vocab, hidden)
                self.rnn = nn.GRU(hidden, hidden)

            def forward(self, x):
                return self.rnn(self.embed(x))


        class Pair(nn.Module):
            def __init__(self, encoder, decoder):
                super().__init__()
                self.encoder = encoder
                self.decoder = decoder

            def forward(self, x):
                return self.decoder(self.encoder(x)[0])


        def init_weights(m):
            for name, param in m.named_parameters():
                nn.init.uniform_(param.data, -0.1, 0.1)


        model = Pair(Encoder(1000, 128), nn.Identity())
        model.apply(init_weights)
    """
    src = _src(code)
    found = [(c, row) for c, row, _ in _found(code)]
    assert ("IL301", line_of(src, "nn.init.uniform_(param.data, -0.1, 0.1)")) in found
    assert picture_of(src).bindings["Pair"].passed_classes() == ("Encoder",)


def _silent_loop(code: str) -> set[str]:
    """The layers Model's loop reaches (it finds nothing): the tower's stay unknown, only ``head`` is seen."""
    src = _src(code)
    picture = picture_of(src)
    loop = line_of(src, "nn.init.xavier_uniform_(p)")
    (site,) = [e for e in picture.explain() if e.line == loop]
    assert not [f for f in check_source(src, "model.py") if f.row == loop]
    assert silence_reason(site, picture) == "no rule objects: the init fits what follows, or its numbers are unknown"
    return {r.layer.split(" ")[0] for r in site.reached}


def test_a_part_passed_from_outside_the_file_is_unknown() -> None:
    """``build(tower)`` hands on whatever its caller gives: the loop is seen and reaches nothing."""
    code = PARTS + """

    def build(tower):
        return Model(tower)
    """
    assert _silent_loop(code) == {"head"}
    assert "Model" not in picture_of(_src(code)).bindings


def test_parts_that_differ_between_calls_are_unknown() -> None:
    """Two instantiations pass different towers: neither is picked."""
    code = PARTS + """

    small = Model(Tower(Block(Mixer(64), MLP(64, 256)), 2))
    other = Model(MLP(64, 256))
    """
    assert _silent_loop(code) == {"head"}
    assert "Model" not in picture_of(_src(code)).bindings


def test_a_class_handed_on_as_a_value_is_not_bound() -> None:
    """``make(Tower)`` may build towers we never see: what the Tower gets stays unknown (Model does get a
    Tower, which is all every call agrees on)."""
    code = PARTS + """

    def make(kind):
        return kind(Block(Mixer(64), MLP(64, 256)), 2)


    model = Model(make(Tower))
    """
    assert _silent_loop(code) == {"head"}


def test_a_name_in_a_string_or_comment_does_not_count_as_a_use() -> None:
    """``isinstance(block, Block)`` and an f-string naming Block do not hide Block's parts (they did when
    mentions were counted in the text); a string that is exactly the name does (``getattr(mod, 'Block')``)."""
    named = BUILT_IN_A_FUNCTION + """

    print(f"built a Block tower")  # Block
    """
    assert "Block" in picture_of(_src(named)).bindings
    looked_up = BUILT_IN_A_FUNCTION + """

    print(globals()["Block"])
    """
    assert "Block" not in picture_of(_src(looked_up)).bindings


def test_the_input_added_to_a_branch_is_a_skip() -> None:
    """``x + self.up(...)`` with ``x`` the forward's input: ``up`` ends a residual branch (following the
    input into its parent must not turn the skip into a join of two values)."""
    code = """
        import torch.nn as nn
        import torch.nn.functional as F


        class Adapter(nn.Module):
            def __init__(self, width=128):
                super().__init__()
                self.down = nn.Linear(width, 16)
                self.up = nn.Linear(16, width)
                nn.init.normal_(self.down.weight, std=1e-3)

            def forward(self, x):
                return x + self.up(F.gelu(self.down(x)))


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.adapter = Adapter()
                self.head = nn.Linear(128, 10)

            def forward(self, x):
                return self.head(self.adapter(x))
    """
    src = _src(code)
    picture = picture_of(src)
    up = next(layer for layer in picture.layers.values() if layer.path == "up")
    assert [f.kind for f in up.follows] == ["residual"]
    line = line_of(src, "std=1e-3")
    assert not [f for f in check_source(src, "model.py") if f.row == line]
    (site,) = [e for e in picture.explain() if e.line == line]
    assert picture.in_residual_branch(site.reached[0].ref.layer)
