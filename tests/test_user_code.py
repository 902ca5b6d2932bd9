"""Patterns from the model code users write themselves (issue 16): course, research, GAN and RL code.

Each test gives the exact (code, line) findings expected; a silent case names the init site it saw.
"""

from __future__ import annotations

from tests.test_idioms import expect

ALL = ("IL",)


# --------------------------------------------------------------------------- one-line blocks


def test_one_line_chain_loop_in_forward_is_followed() -> None:
    """``for h in self.highways: x = h(x)`` on one line used to raise AttributeError in the flow."""
    got = expect(
        """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.highways = nn.ModuleList([nn.Sequential(nn.Linear(64, 64), nn.ReLU()) for _ in range(3)])
                self.out = nn.Linear(64, 2)
                for m in self.modules():
                    if isinstance(m, nn.Linear): nn.init.xavier_uniform_(m.weight)

            def forward(self, x):
                for h in self.highways: x = h(x)
                return self.out(x)
        """,
        ("IL101", "xavier_uniform_(m.weight)"),
        families=ALL,
    )
    assert "fan_in=64, fan_out=64" in got[0].message


def test_one_line_chain_loop_of_plain_layers_is_silent() -> None:
    """The same loop over bare Linears: each feeds the next layer directly, where Xavier is right."""
    expect(
        """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.highways = nn.ModuleList([nn.Linear(64, 64) for _ in range(3)])
                self.out = nn.Linear(64, 2)
                for h in self.highways: nn.init.xavier_uniform_(h.weight)

            def forward(self, x):
                for h in self.highways: x = h(x)
                return self.out(x)
        """,
        families=ALL,
        sites={"xavier_uniform_(h.weight)": {"highways.*.weight"}},
    )
