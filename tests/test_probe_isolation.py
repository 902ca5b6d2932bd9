"""`initlint check` never imports torch, and neither does registering or asking for help on `initlint probe`:
the probe is opt-in and loads torch only when it runs. Runs in a fresh interpreter, so nothing imported by
other tests can hide an import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

SCRIPT = f"""
import sys
from click.testing import CliRunner
from initlint.cli import main

runner = CliRunner()
checked = runner.invoke(main, ["check", {str(EXAMPLES / "bad_gain_mismatch.py")!r}])
assert checked.exit_code == 1 and "IL103" in checked.output, checked.output
fixed = runner.invoke(main, ["check", "--diff", "--unsafe-fixes", {str(EXAMPLES / "bad_deep_default_mlp.py")!r}])
assert fixed.exit_code == 1 and "kaiming_normal_" in fixed.output, fixed.output
helped = runner.invoke(main, ["probe", "--help"])
assert helped.exit_code == 0 and "IMPORTS AND RUNS YOUR CODE" in helped.output, helped.output
import initlint.probe
print(sorted(name for name in sys.modules if name == "torch" or name.startswith("torch.")))
"""


def test_check_and_probe_help_never_import_torch() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
