"""Kill ``initlint check --fix`` at random moments (SIGKILL, SIGTERM, SIGINT) and check that nothing is lost.

    python bench/killwrite.py [--rounds 240] [--files 12] [--seed 0]

After every kill each file holds either its old bytes or its fixed bytes, never a mix; after the next run
(a plain ``initlint check``) no temporary file of ours is left. tests/test_kill_during_write.py runs a few
rounds in CI; this runs the full count and prints the tallies. Exits 1 if a promise breaks.
"""

from __future__ import annotations

import argparse
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

# The bad model of the test suite (one IL101) and what --fix --unsafe-fixes makes of it.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from helpers import BAD_MODEL as OLD
from helpers import GOOD_MODEL as NEW

SIGNALS = (signal.SIGKILL, signal.SIGTERM, signal.SIGINT)


def initlint(*args: str) -> list[str]:
    return [sys.executable, "-m", "initlint", *args]


def one_round(directory: Path, files: int, rng: random.Random, window: float) -> tuple[str, list[str]]:
    """One fix run killed after a random delay; returns the signal's name and the broken promises."""
    for index in range(files):
        (directory / f"m{index:02}.py").write_text(OLD)
    sig = rng.choice(SIGNALS)
    process = subprocess.Popen(initlint("check", "--fix", "--unsafe-fixes", "-j", "1", str(directory)),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(rng.uniform(0, window))
    process.send_signal(sig)
    process.wait(timeout=120)
    problems = [f"{path.name}: neither old nor new" for path in sorted(directory.glob("m*.py"))
                if path.read_text() not in (OLD, NEW)]
    subprocess.run(initlint("check", "--exit-zero", str(directory)), capture_output=True, check=False, timeout=120)
    problems += [f"left behind: {path.name}" for path in directory.iterdir() if "initlint-" in path.name]
    return signal.Signals(sig).name, problems


def measure_window(directory: Path, files: int) -> float:
    """How long an unkilled run takes here (the kills land anywhere in it)."""
    for index in range(files):
        (directory / f"m{index:02}.py").write_text(OLD)
    start = time.perf_counter()
    subprocess.run(initlint("check", "--fix", "--unsafe-fixes", "-j", "1", str(directory)), capture_output=True,
                   check=False, timeout=300)
    return time.perf_counter() - start


def run(rounds: int, files: int, seed: int) -> tuple[Counter[str], list[str]]:
    rng = random.Random(seed)
    tally: Counter[str] = Counter()
    broken: list[str] = []
    with tempfile.TemporaryDirectory(prefix="initlint-kill-") as scratch:
        directory = Path(scratch)
        window = measure_window(directory, files)
        for _ in range(rounds):
            name, problems = one_round(directory, files, rng, window)
            tally[name] += 1
            tally["files old or new"] += files - sum("neither" in p for p in problems)
            broken += [f"{name}: {p}" for p in problems]
    return tally, broken


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=240)
    parser.add_argument("--files", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    start = time.perf_counter()
    tally, broken = run(args.rounds, args.files, args.seed)
    print(f"{args.rounds} kills in {time.perf_counter() - start:.0f} s: " +
          ", ".join(f"{k} {v}" for k, v in sorted(tally.items())))
    for problem in broken:
        print("BROKEN", problem)
    print("no file lost, no temporary left" if not broken else f"{len(broken)} broken promises")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
