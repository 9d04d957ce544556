"""Two lab processes on one --out at the same time never corrupt or drop a
file. The old lab wrote every JSON file through the same
'<file>.tmp': concurrent runs then raised FileNotFoundError or left corrupt
JSON."""
import json
import os
import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parents[2]


def strict_json(path):
    def refuse(name):
        raise ValueError(f"{name} in {path}")
    return json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)


def test_two_lab_processes_on_one_out_folder(tmp_path):
    out = tmp_path / "results"
    command = [sys.executable, "-m", "experiments", "baseline", "l2", "--epochs", "2",
               "--train-size", "20", "--seeds", "2", "--workers", "1", "--fresh",
               "--out", str(out)]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    # Both run the same jobs in the same order: they write the same files at
    # about the same moments, and read each other's files when resuming.
    processes = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=600) for p in processes]
    for process, (_, err) in zip(processes, outputs):
        assert process.returncode == 0, err
        assert "Traceback" not in err and "warning" not in err, err

    expected = [f"baseline/seeds/lecture__seed{s}.json" for s in (0, 1)]
    expected += [f"l2/seeds/l2_{lam}__seed{s}.json" for lam in ("0", "0.0001", "0.001", "0.003",
                                                                 "0.01") for s in (0, 1)]
    expected += ["baseline/summary.json", "l2/summary.json"]
    for name in expected:
        assert (out / name).is_file(), name
    for path in out.rglob("*.json"):
        data = strict_json(path)                              # every file parses, no NaN
        if path.parent.name == "seeds":
            assert data["final"]["epochs_run"] == 2
    for name in ("REPORT.md", "REPORT.ko.md", "overview.png", "baseline/learning_curves.png"):
        assert (out / name).stat().st_size > 0, name
    assert not list(out.rglob("*.tmp"))                       # no temporary file left behind
