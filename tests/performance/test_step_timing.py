"""docs/step_timing.py, the script behind docs/performance.md's figures:
every variant still runs against today's layers (a renamed method would
otherwise break a measurement only when someone next needs it)."""
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV = dict(os.environ, PYTHONPATH=str(ROOT))
VARIANTS = ("base", "float_mask", "bias_ones", "np_dot", "flat_index_loss", "always_dx", "bias_add_copy",
            "lr_array", "no_label_check", "no_grad_check", "no_input_check", "direct", "float64", "ceiling")


def test_every_variant_runs_and_reports_a_time():
    configs = [f"{variant}=.:{variant}" for variant in VARIANTS]
    result = subprocess.run([sys.executable, "docs/step_timing.py", "--rounds", "1", "--blocks", "1",
                             "--steps", "3", *configs], cwd=ROOT, env=ENV, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    for variant in VARIANTS:
        line = re.search(rf"^\s+{variant}\s+([\d.]+) us", result.stdout, re.MULTILINE)
        assert line and float(line.group(1)) > 0, f"{variant}: {result.stdout}"


def test_an_unknown_variant_is_refused():
    result = subprocess.run([sys.executable, "docs/step_timing.py", "--child", "no_such_trick"],
                            cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "unknown variant 'no_such_trick'" in result.stderr
