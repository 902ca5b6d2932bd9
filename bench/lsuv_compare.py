"""initlint's lsuv_init against the reference `lsuv` package (0.3.0) on the same models and batches.

    python bench/lsuv_compare.py [--markdown]

For each model: the same starting weights, the same batch; each implementation runs with its defaults
(ours: |variance - 1| <= 0.1; lsuv 0.3.0: |std - 1| <= 0.1, i.e. variance within [0.81, 1.21]). Then, per
Linear/Conv layer, the output variance over one forward pass (all calls of a shared layer pooled) in both
modes a model is used in (train: BatchNorm's batch statistics, as the first training steps see it; eval:
its running statistics, as lsuv 0.3.0 measures), and the weight std reached. Not a test: a measurement.
"""

from __future__ import annotations

import argparse
import copy
import time
import warnings

import torch
from torch import nn

from initlint.probe import lsuv_init
from initlint.probe.layers import WEIGHTED
from initlint.probe.stats import probing


def mlp() -> nn.Module:
    return nn.Sequential(*[m for _ in range(10) for m in (nn.Linear(256, 256), nn.ReLU())], nn.Linear(256, 10))


def cnn(norm: bool) -> nn.Module:
    def block(cin: int, cout: int) -> list[nn.Module]:
        return [nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout) if norm else nn.Identity(), nn.ReLU()]

    return nn.Sequential(*block(3, 32), *block(32, 32), nn.MaxPool2d(2), *block(32, 64), *block(64, 64),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


class SharedBlock(nn.Module):
    """One Linear applied four times: its later calls see its own earlier output."""

    def __init__(self) -> None:
        super().__init__()
        self.inp = nn.Linear(64, 128)
        self.block = nn.Linear(128, 128)
        self.out = nn.Linear(128, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.relu(self.inp(x))
        for _ in range(4):
            x = torch.relu(self.block(x))
        return self.out(x)


MODELS = {
    "mlp-10x256": (mlp, (128, 256)),
    "cnn": (lambda: cnn(False), (32, 3, 32, 32)),
    "cnn-batchnorm": (lambda: cnn(True), (32, 3, 32, 32)),
    "shared-block": (SharedBlock, (128, 64)),
}


def variances(model: nn.Module, batch: torch.Tensor, train_mode: bool) -> dict[str, float]:
    outputs: dict[str, list[torch.Tensor]] = {}
    handles = [m.register_forward_hook(lambda mod, a, out, name=name: outputs.setdefault(name, []).append(out))
               for name, m in model.named_modules() if isinstance(m, WEIGHTED)]
    with torch.no_grad():
        if train_mode:
            with probing(model):
                model(batch)
        else:
            was = model.training
            model.eval()
            model(batch)
            model.train(was)
    for handle in handles:
        handle.remove()
    return {name: float(torch.cat([o.reshape(-1) for o in outs]).var()) for name, outs in outputs.items()}


def weight_stds(model: nn.Module) -> dict[str, float]:
    return {name: float(m.weight.detach().std()) for name, m in model.named_modules() if isinstance(m, WEIGHTED)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print markdown tables")
    args = parser.parse_args()
    import lsuv

    torch.set_num_threads(1)
    for title, (build, shape) in MODELS.items():
        torch.manual_seed(0)
        base = build()
        batch = torch.randn(shape, generator=torch.Generator().manual_seed(1))
        ours, theirs = copy.deepcopy(base), copy.deepcopy(base)
        torch.manual_seed(2)
        start = time.perf_counter()
        lsuv_init(ours, batch)
        ours_time = time.perf_counter() - start
        torch.manual_seed(2)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lsuv.lsuv_with_singlebatch(theirs, batch, verbose=False)
        theirs_time = time.perf_counter() - start
        rows = []
        for name in weight_stds(base):
            row = [name]
            for model in (ours, theirs):
                row += [variances(model, batch, True).get(name, float("nan")),
                        variances(model, batch, False).get(name, float("nan")), weight_stds(model)[name]]
            rows.append(row)
        print(f"\n### {title} (batch {tuple(shape)}): ours {ours_time:.2f} s, lsuv 0.3.0 {theirs_time:.2f} s\n")
        header = ["layer", "ours var (train)", "ours var (eval)", "ours w std",
                  "lsuv var (train)", "lsuv var (eval)", "lsuv w std"]
        if args.markdown:
            print("| " + " | ".join(header) + " |")
            print("|" + "---|" * len(header))
            for row in rows:
                print("| " + " | ".join([row[0], *(f"{v:.3f}" for v in row[1:])]) + " |")
        else:
            print("  ".join(f"{h:>16}" for h in header))
            for row in rows:
                print(f"{row[0]:>16}  " + "  ".join(f"{v:16.3f}" for v in row[1:]))
        for label, column in (("ours", 1), ("lsuv", 4)):
            for mode, offset in (("train", 0), ("eval", 1)):
                worst = max(abs(r[column + offset] - 1) for r in rows)
                print(f"  {label} {mode}: worst |var - 1| = {worst:.3f}")


if __name__ == "__main__":
    main()
