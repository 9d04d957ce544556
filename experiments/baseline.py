"""Baseline: the lecture's setup -- and its overfitting.

The first 300 MNIST training images, a 784-100-100-100-100-10 ReLU MLP,
cross-entropy, SGD (lr 0.1, batch 10, shuffled, drop_last), 100 epochs.
The lecture reports train accuracy 1.0 and test accuracy 0.7637.

    python -m experiments.baseline --help
"""
from .cli import run_script
from .config import Experiment, RunConfig


def findings(r):
    b = r.get("baseline", "lecture")
    perfect = int((b.train_acc.values == 1.0).sum())
    epochs, test_loss = b.curve("test_loss", "eval_epoch")
    low = int(test_loss.argmin())
    lecture_eval = b.lecture_eval_test_acc - b.test_acc
    lines = [
        f"Train accuracy {b.train_acc.mean:.4f} ({perfect} of {b.n} seeds at exactly 1.0), "
        f"test accuracy {b.test_acc.acc()}: a train-test gap of {b.gap.points()} -- the network "
        "memorises its 300 images.",
        f"Test loss is lowest at epoch {epochs[low]} ({test_loss[low]:.2f}) and ends at "
        f"{test_loss[-1]:.2f}: after that the network only grows more confident, "
        "right and wrong alike.",
        f"The lecture's evaluation (raw 0..255 pixels, training mode) "
        f"{lecture_eval.verb('the measured test accuracy')}: {b.lecture_eval_test_acc.acc()}.",
    ]
    if b.lecture_reported and b.n > 1:
        inside = b.test_acc.min <= b.lecture_reported <= b.test_acc.max
        lines.append(
            f"The lecture's single run, {b.lecture_reported:.4f}, lies "
            f"{'inside' if inside else 'outside'} our seeds' range "
            f"[{b.test_acc.min:.4f}, {b.test_acc.max:.4f}], "
            f"{(b.lecture_reported - b.test_acc.mean) / b.test_acc.std:+.1f} std from our mean.")
    return lines


EXPERIMENT = Experiment(
    name="baseline",
    title="Baseline: the lecture's overfitting MLP",
    question="How far apart are train and test accuracy when a 784-100-100-100-100-10 MLP "
             "is trained on only 300 MNIST images?",
    configs=(RunConfig("lecture", "baseline (lecture)", lecture_reported=0.7637),),
    findings=findings,
)

if __name__ == "__main__":
    run_script(EXPERIMENT)
