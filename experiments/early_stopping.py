"""Early stopping: stop when a held-out validation set stops improving.

The validation set is the 1,000 training images right after the first 300
(the model never trains on them). After every epoch the validation
accuracy is measured; training stops after ``patience`` epochs without a
new best, and the weights of the best epoch are restored.

    python -m experiments.early_stopping --help
"""
from .cli import run_script
from .config import Experiment, RunConfig

VALIDATION_IMAGES = 1000


def findings(r):
    base = r.baseline("early_stopping")
    lines = []
    for c in r.configs("early_stopping"):
        lines.append(
            f"{c.label}: stopped at epoch {c.epochs_run.mean:.0f} ± {c.epochs_run.std:.0f} "
            f"(range {c.epochs_run.min:.0f}-{c.epochs_run.max:.0f}), best epoch "
            f"{c.best_epoch.mean:.0f} ± {c.best_epoch.std:.0f}; test {c.test_acc.acc()}, which "
            f"{(c.test_acc - base.test_acc).verb()} compared with training all "
            f"{base.settings['epochs']} epochs, in "
            f"{100 * (1 - c.epochs_run.mean / base.settings['epochs']):.0f}% fewer epochs.")
    return lines


EXPERIMENT = Experiment(
    name="early_stopping",
    title="Early stopping",
    question="Does stopping at the best validation accuracy beat training for all 100 epochs?",
    configs=tuple(
        RunConfig(f"patience{p}", f"early stopping, patience {p}", val_size=VALIDATION_IMAGES,
                  patience=p)
        for p in (5, 20)),
    findings=findings,
)

if __name__ == "__main__":
    run_script(EXPERIMENT)
