"""``--train N``: N optimizer steps on a synthetic task, the same for every scheme, for the loss curve.

``teacher``: fresh random inputs every step, targets from a fixed random two-layer tanh network (scaled to
unit variance), mean squared error: a learnable task whose loss starts near 1. ``labels``: the probe batch
with fixed random class labels, cross-entropy: memorization. With ``--batch`` and targets in the file, the
file's batch and targets (cross-entropy for integer targets, mean squared error otherwise)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from initlint.probe.stats import first_tensor

TEACHER_HIDDEN = 64


class TaskError(ValueError):
    pass


@dataclass
class Task:
    kind: str
    inputs: Callable[[int], torch.Tensor]  # step -> the inputs of that step
    targets: Callable[[torch.Tensor, int], torch.Tensor]  # (inputs, step) -> targets
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def make_task(kind: str, batch: torch.Tensor, output: torch.Tensor, seed: int, fixed_batch: bool,
              targets: torch.Tensor | None = None) -> Task:
    """The task for ``kind`` (teacher or labels), shaped after one probe ``output``."""
    if targets is not None:
        if targets.shape[0] != batch.shape[0]:
            raise TaskError(f"the batch file's targets have {targets.shape[0]} rows for {batch.shape[0]} inputs")
        loss = _cross_entropy if not targets.is_floating_point() else _mse
        return Task("batch", lambda step: batch, lambda x, step: targets, loss)
    generator = torch.Generator().manual_seed(seed + 7)
    if kind == "labels":
        if output.dim() != 2 or output.shape[1] < 2:
            raise TaskError(f"--task labels needs an output of shape (batch, classes), not {tuple(output.shape)}")
        labels = torch.randint(output.shape[1], (batch.shape[0],), generator=generator)
        return Task("labels", lambda step: batch, lambda x, step: labels, _cross_entropy)
    if kind != "teacher":
        raise TaskError(f"unknown task {kind!r}")
    if not batch.is_floating_point():
        raise TaskError("--task teacher needs floating-point inputs; give --batch with targets")
    d_in, d_out = batch[0].numel(), output[0].numel()
    first = torch.randn(d_in, TEACHER_HIDDEN, generator=generator) / math.sqrt(d_in)
    second = torch.randn(TEACHER_HIDDEN, d_out, generator=generator) / math.sqrt(TEACHER_HIDDEN)
    shape = output.shape[1:]

    def teacher(x: torch.Tensor) -> torch.Tensor:
        return (torch.tanh(x.reshape(x.shape[0], -1).float() @ first) @ second).reshape(x.shape[0], *shape)

    reference = torch.randn(1024, *batch.shape[1:], generator=generator, dtype=batch.dtype)
    scale = float(teacher(reference).std()) or 1.0
    if fixed_batch:
        fixed = teacher(batch) / scale
        return Task("teacher", lambda step: batch, lambda x, step: fixed, _mse)
    inputs_generator_seed = seed + 11

    def inputs(step: int) -> torch.Tensor:
        g = torch.Generator().manual_seed(inputs_generator_seed + step)
        return torch.randn(batch.shape, generator=g, dtype=batch.dtype)

    return Task("teacher", inputs, lambda x, step: teacher(x) / scale, _mse)


def _mse(out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return F.mse_loss(out.float(), target.float().reshape(out.shape))


def _cross_entropy(out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return F.cross_entropy(out.float(), target.long())


class Optimizer:
    """Plain SGD, or Adam with its paper's defaults (betas 0.9, 0.999, eps 1e-8), as torch.optim computes them.
    Written out because torch.optim's first step imports torch._dynamo, which costs seconds per probe."""

    def __init__(self, params: list[torch.Tensor], kind: str, lr: float) -> None:
        if kind not in ("sgd", "adam"):
            raise TaskError(f"unknown optimizer {kind!r}")
        self.params, self.kind, self.lr, self.t = params, kind, lr, 0
        self.m = [torch.zeros_like(p) for p in params] if kind == "adam" else []
        self.v = [torch.zeros_like(p) for p in params] if kind == "adam" else []

    @torch.no_grad()
    def step(self) -> None:
        self.t += 1
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            if self.kind == "sgd":
                p.add_(p.grad, alpha=-self.lr)
                continue
            self.m[i].mul_(0.9).add_(p.grad, alpha=0.1)
            self.v[i].mul_(0.999).addcmul_(p.grad, p.grad, value=0.001)
            denominator = (self.v[i] / (1 - 0.999 ** self.t)).sqrt_().add_(1e-8)
            p.addcdiv_(self.m[i], denominator, value=-self.lr / (1 - 0.9 ** self.t))

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None


def train(model: nn.Module, task: Task, steps: int, optimizer: str, lr: float,
          advance: Callable[[], None] = lambda: None) -> list[float]:
    """The loss at every step (a diverged run stops at its first non-finite loss, which is kept)."""
    opt = Optimizer([p for p in model.parameters() if p.requires_grad], optimizer, lr)
    losses: list[float] = []
    model.train()  # as training runs: dropout on, BatchNorm's running statistics updated
    for step in range(steps):
        x = task.inputs(step)
        out = first_tensor(model(x))
        if out is None:
            raise TaskError("the model's output holds no tensor")
        loss = task.loss(out, task.targets(x, step))
        value = float(loss.detach())
        losses.append(value)
        advance()
        if not math.isfinite(value):
            for _ in range(step + 1, steps):
                advance()
            break
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.zero_grad(set_to_none=True)
    return losses
