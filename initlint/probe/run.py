"""The probe from start to end: targets x schemes -> built, initialized, measured, trained, measured again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch

from initlint.probe.lsuv import LSUVReport
from initlint.probe.schemes import Scheme, apply_scheme
from initlint.probe.static import Prediction, confirm, fixed_source, predictions
from initlint.probe.stats import Measurement, first_tensor, measure
from initlint.probe.target import Target, TargetError
from initlint.probe.train import TaskError, make_task, train
from initlint.probe.verdicts import Verdict, judge, median_gain

BATCH_STREAM = 1_000_003
DTYPES = {"float32": torch.float32, "float64": torch.float64, "float16": torch.float16, "bfloat16": torch.bfloat16}


class ProbeError(Exception):
    """Anything that stops the probe, worded for the user (never a traceback)."""


@dataclass
class Options:
    schemes: list[Scheme]
    input_shape: tuple[int, ...] | None = None
    dtype: str = "float32"
    seed: int = 0
    batch_file: str | None = None
    train_steps: int = 0
    optimizer: str = "sgd"
    lr: float | None = None
    task: str = "teacher"

    @property
    def learning_rate(self) -> float:
        return self.lr if self.lr is not None else (0.05 if self.optimizer == "sgd" else 1e-3)


@dataclass
class Run:
    target: str
    scheme: str
    description: str
    at_init: Measurement
    verdicts: list[Verdict]
    note: str = ""
    lsuv: LSUVReport | None = None
    losses: list[float] = field(default_factory=list)
    after: Measurement | None = None
    verdicts_after: list[Verdict] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.target} [{self.scheme}]"

    @property
    def final_loss(self) -> float | None:
        """The mean loss over the last tenth of the steps (one step's loss is noisy)."""
        if not self.losses:
            return None
        tail = self.losses[-max(1, len(self.losses) // 10):]
        return sum(tail) / len(tail)

    def plain(self) -> dict[str, Any]:
        return {"target": self.target, "scheme": self.scheme, "description": self.description, "note": self.note,
                "at_init": self.at_init.plain(), "verdicts": [v.plain() for v in self.verdicts],
                "median_layer_gain": median_gain(self.at_init),
                "lsuv": self.lsuv.plain() if self.lsuv else None, "losses": self.losses, "final_loss": self.final_loss,
                "after_training": self.after.plain() if self.after else None,
                "verdicts_after_training": [v.plain() for v in self.verdicts_after]}


@dataclass
class Result:
    runs: list[Run]
    predictions: list[Prediction]
    options: Options

    @property
    def found(self) -> bool:
        return any(run.verdicts or run.verdicts_after for run in self.runs)

    def plain(self) -> dict[str, Any]:
        o = self.options
        return {"options": {"schemes": [s.name for s in o.schemes], "input_shape": o.input_shape, "dtype": o.dtype,
                            "seed": o.seed, "batch": o.batch_file, "train_steps": o.train_steps,
                            "optimizer": o.optimizer, "lr": o.learning_rate if o.train_steps else None,
                            "task": o.task if o.train_steps else None},
                "runs": [run.plain() for run in self.runs],
                "predictions": [p.plain() for p in self.predictions],
                "verdict_count": sum(len(r.verdicts) + len(r.verdicts_after) for r in self.runs)}


def parse_shape(text: str) -> tuple[int, ...]:
    try:
        shape = tuple(int(part) for part in text.replace("x", ",").split(",") if part.strip())
    except ValueError:
        raise ProbeError(f"--input-shape {text!r}: give the batch's shape as integers, e.g. 8,784") from None
    if not shape or any(n < 1 for n in shape):
        raise ProbeError(f"--input-shape {text!r}: every size must be a positive integer")
    return shape


def load_batch(path: str) -> tuple[torch.Tensor, torch.Tensor | None]:
    """A saved batch: a tensor of inputs, an (inputs, targets) pair, or a dict with input/x and target/y."""
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise ProbeError(f"--batch {path!r}: no such file") from None
    except Exception as error:  # noqa: BLE001 - whatever torch.load says about a bad file
        raise ProbeError(f"--batch {path!r}: cannot load it with torch.load: {error}") from None
    inputs: Any
    targets: Any = None
    if isinstance(data, torch.Tensor):
        inputs = data
    elif isinstance(data, (tuple, list)) and data:
        inputs, targets = data[0], data[1] if len(data) > 1 else None
    elif isinstance(data, dict):
        inputs = next((data[k] for k in ("input", "inputs", "x") if k in data), None)
        targets = next((data[k] for k in ("target", "targets", "y", "labels") if k in data), None)
    else:
        inputs = None
    if not isinstance(inputs, torch.Tensor) or (targets is not None and not isinstance(targets, torch.Tensor)):
        raise ProbeError(f"--batch {path!r}: expected a tensor, an (inputs, targets) pair or a dict with "
                         "'input' and 'target' tensors")
    return inputs, targets


def probe(targets: list[Target], options: Options, advance: Callable[[], None] = lambda: None) -> Result:
    targets_tensor: torch.Tensor | None = None
    if options.batch_file:
        batch, targets_tensor = load_batch(options.batch_file)
    elif options.input_shape:
        # Its own stream: the same seed's global draws become the model's weights, and a batch that equals a
        # weight row gives that unit an 8-sigma output.
        generator = torch.Generator().manual_seed(options.seed + BATCH_STREAM)
        batch = torch.randn(options.input_shape, generator=generator, dtype=torch.float32)
        batch = batch.to(DTYPES[options.dtype])
    else:
        raise ProbeError("give --input-shape (e.g. 8,784) or --batch FILE.pt")
    if batch.dim() == 0 or batch.shape[0] < 2:
        raise ProbeError("the batch needs at least 2 samples (its first dimension) to measure the spread across it")
    runs: list[Run] = []
    found: list[Prediction] = []
    for target in targets:
        target_predictions = predictions(target.source_path, target.lines())
        found += target_predictions
        for scheme in options.schemes:
            run = _run_one(target, scheme, batch, targets_tensor, options, advance)
            runs.append(run)
            if scheme.name == "default":
                vanishing = any(v.kind == "vanishing" for v in run.verdicts)
                for prediction in target_predictions:
                    confirm(prediction, vanishing, median_gain(run.at_init))
    return Result(runs, found, options)


def _run_one(target: Target, scheme: Scheme, batch: torch.Tensor, targets_tensor: torch.Tensor | None,
             options: Options, advance: Callable[[], None]) -> Run:
    note = ""
    if scheme.name == "fixed":
        if target.source_path is None:
            raise ProbeError(f"--compare fixed: the source file of {target.spec!r} is unknown")
        text, fixed = fixed_source(target.source_path)
        note = (f"{fixed} fix{'es' if fixed != 1 else ''} applied by initlint" if fixed else
                "initlint has nothing to fix in this file: the same model as default")
        model = target.build_fixed(text, options.seed)
    else:
        model = target.build(options.seed)
    if batch.is_floating_point():
        model = model.to(batch.dtype)
    label = f"{target.label} [{scheme.name}]"
    try:
        report = apply_scheme(scheme, model, batch, options.seed)
        at_init = measure(model, batch, seed=options.seed)
    except (RuntimeError, ValueError, TypeError, IndexError) as error:
        raise ProbeError(f"running {label} on a batch of shape {tuple(batch.shape)} ({batch.dtype}) raised "
                         f"{type(error).__name__}: {error}") from None
    advance()
    run = Run(target.label, scheme.name, scheme.description, at_init, judge(at_init), note, report)
    if options.train_steps:
        try:
            with torch.no_grad():
                output = first_tensor(model(batch))
            assert output is not None
            task = make_task(options.task, batch, output, options.seed, fixed_batch=options.batch_file is not None,
                             targets=targets_tensor)
            run.losses = train(model, task, options.train_steps, options.optimizer, options.learning_rate, advance)
            run.after = measure(model, batch, seed=options.seed)
        except TaskError as error:
            raise ProbeError(f"--train: {error}") from None
        except (RuntimeError, ValueError, TypeError, IndexError) as error:
            raise ProbeError(f"training {label} raised {type(error).__name__}: {error}") from None
        run.verdicts_after = judge(run.after)
    return run


__all__ = ["Options", "ProbeError", "Result", "Run", "TargetError", "parse_shape", "probe"]


