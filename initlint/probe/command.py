"""The ``initlint probe`` command. Importing this module never imports torch: the probe is loaded when the
command runs, so ``initlint check`` (and ``initlint probe --help``) stay torch-free."""

from __future__ import annotations

import sys

import click

HELP = """Build a model, run it, and measure its initialization (mean, std, input-dependent spread,
dead and saturated units, gradient std per layer).

UNLIKE `initlint check`, THIS IMPORTS AND RUNS YOUR CODE: the target's module is imported and the model
is built and run on the CPU. Needs torch: pip install 'initlint[probe]'.

TARGET is path/to/file.py:ClassName or package.module:factory. Exit 1 when a verdict (vanishing,
exploding, dead ReLUs, saturation) is found, 2 on a usage error."""


@click.command(name="probe", help=HELP)
@click.argument("targets", nargs=-1, required=True, metavar="TARGET...")
@click.option("--input-shape", default=None, help="Shape of the random input batch, e.g. 8,784 (first: batch).")
@click.option("--dtype", type=click.Choice(["float32", "float64", "float16", "bfloat16"]), default="float32",
              show_default=True, help="dtype of the random batch and the model.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for the model, the batch and the task.")
@click.option("--batch", "batch_file", type=click.Path(dir_okay=False), default=None,
              help="A batch saved with torch.save: a tensor, an (inputs, targets) pair or a dict.")
@click.option("--kwargs", "kwargs_json", default=None, help="Constructor keyword arguments as JSON: '{\"depth\": 20}'.")
@click.option("--compare", "compare", default="default", show_default=True,
              help="Schemes side by side: default,pytorch,xavier,he,orthogonal,lsuv,fixed,normal:STD.")
@click.option("--train", "train_steps", type=click.IntRange(min=0), default=0,
              help="Train N steps per scheme on a synthetic task (or --batch) and measure again.")
@click.option("--optimizer", type=click.Choice(["sgd", "adam"]), default="sgd", show_default=True)
@click.option("--lr", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Learning rate (default 0.05 for SGD, 0.001 for Adam).")
@click.option("--threads", type=click.IntRange(min=1), default=1, show_default=True,
              help="torch threads (the probe's models are small: more threads rarely help).")
@click.option("--task", type=click.Choice(["teacher", "labels"]), default="teacher", show_default=True,
              help="teacher: fresh random inputs, targets of a fixed random network (MSE); labels: the batch "
                   "with fixed random class labels (cross-entropy).")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), default=None,
              help="Write a PNG: activation histograms per scheme and layer, spread by depth, loss curves.")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when a verdict is found.")
def probe(targets: tuple[str, ...], input_shape: str | None, dtype: str, seed: int, batch_file: str | None,
          kwargs_json: str | None, compare: str, train_steps: int, optimizer: str, lr: float | None, task: str,
          threads: int, plot_path: str | None, output_format: str, exit_zero: bool) -> None:
    try:
        import torch
    except ImportError:
        click.echo("initlint: error: `initlint probe` needs torch: pip install 'initlint[probe]'", err=True)
        sys.exit(2)
    from initlint.probe.cli_run import run_command

    torch.set_num_threads(threads)

    code = run_command(targets, input_shape=input_shape, dtype=dtype, seed=seed, batch_file=batch_file,
                       kwargs_json=kwargs_json, compare=compare, train_steps=train_steps, optimizer=optimizer,
                       lr=lr, task=task, plot_path=plot_path, output_format=output_format)
    sys.exit(0 if exit_zero and code == 1 else code)
