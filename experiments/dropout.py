"""Dropout(0.2) after each hidden ReLU.

The lecture trains its dropout model with batch 100 for 15 epochs -- only
45 SGD steps on 300 images -- and reports 0.7954, measured with dropout
still active. We run that, and dropout with the baseline's settings
(batch 10, 100 epochs), to separate the effect of dropout from that of the
changed training schedule.

    python -m experiments.dropout --help
"""
from .cli import run_script
from .config import Experiment, RunConfig


def findings(r):
    base = r.baseline("dropout")
    lecture, long = r.get("dropout", "lecture"), r.get("dropout", "baseline_hparams")
    s = lecture.settings
    steps = s["epochs"] * (s["train_size"] // s["batch_size"])
    lines = [
        f"With the lecture's schedule (batch {s['batch_size']}, {s['epochs']} epochs = {steps} SGD "
        f"steps) dropout reaches train {lecture.train_acc.acc()} and test {lecture.test_acc.acc()}.",
    ]
    reported = lecture.lecture_reported
    if reported and max(lecture.test_acc.max, lecture.lecture_eval_test_acc.max) < reported - 0.1:
        lines.append(
            f"No seed comes near the lecture's reported {reported:.4f} with that schedule, "
            f"evaluated either way (best seed: {lecture.test_acc.max:.4f} properly, "
            f"{lecture.lecture_eval_test_acc.max:.4f} the lecture's way): {steps} steps are too "
            "few for this network to start learning.")
    lines += [
        f"With the baseline's schedule (batch {long.settings['batch_size']}, "
        f"{long.settings['epochs']} epochs) dropout {(long.test_acc - base.test_acc).verb()} "
        f"compared with the baseline ({long.test_acc.acc()} vs {base.test_acc.acc()}); the "
        f"train-test gap is {long.gap.points()} vs {base.gap.points()} without dropout.",
        f"The lecture's evaluation keeps dropout active at test time; for the baseline schedule it "
        f"{(long.lecture_eval_test_acc - long.test_acc).verb('the measured test accuracy')} "
        f"({long.lecture_eval_test_acc.acc()}).",
    ]
    if reported:
        closest = min((lecture, long), key=lambda c: abs(c.test_acc.mean - reported))
        lines.append(f"The lecture's {reported:.4f} is closest to {closest.label} "
                     f"({closest.test_acc.mean:.4f}).")
    return lines


EXPERIMENT = Experiment(
    name="dropout",
    title="Dropout(0.2)",
    question="Does dropout close the gap between train and test accuracy, with the lecture's "
             "short schedule and with the baseline's?",
    configs=(
        RunConfig("lecture", "Dropout(0.2), batch 100, 15 epochs (lecture)", dropout=0.2,
                  batch_size=100, epochs=15, lecture_reported=0.7954),
        RunConfig("baseline_hparams", "Dropout(0.2), batch 10, 100 epochs", dropout=0.2),
    ),
    findings=findings,
)

if __name__ == "__main__":
    run_script(EXPERIMENT)
