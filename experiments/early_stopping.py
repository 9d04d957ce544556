"""Early stopping: stop when a held-out validation set stops improving.

The validation set is the 1,000 training images right after the first 300
(the model never trains on them). After every epoch the validation
accuracy is measured; training stops after ``patience`` epochs without a
new best, and the weights of the best epoch are restored.

    python -m experiments.early_stopping --help
"""
from tinynet.text import Text

from .cli import run_script
from .config import Experiment, RunConfig
from .figures.catalogue import learning_curves, validation
from .report_text import acc, verb

LABELS_KO = {"patience5": "조기 종료, patience 5", "patience20": "조기 종료, patience 20"}
KOREAN = Text("조기 종료",
              "검증 정확도가 가장 좋을 때 멈추는 것이 100 에폭을 모두 학습하는 것보다 나은가?")
VALIDATION_IMAGES = 1000


def findings(r):
    base = r.baseline("early_stopping")
    epochs = base.settings["epochs"]
    lines = []
    for c in r.configs("early_stopping"):
        change = verb(c.test_acc - base.test_acc)
        stopped = int(sum(c.stopped_early.values)) if "stopped_early" in c.data["final"] else c.n
        saved = 100 * (1 - c.epochs_run.mean / epochs)
        if stopped:
            when = Text(
                f"{stopped} of {c.n} seeds stopped early, at epoch {c.epochs_run.mean:.0f} ± "
                f"{c.epochs_run.std:.0f} on average (range {c.epochs_run.min:.0f}-"
                f"{c.epochs_run.max:.0f}; {saved:.0f}% fewer epochs than {epochs})",
                f"시드 {c.n}개 중 {stopped}개가 일찍 멈췄다: 평균 {c.epochs_run.mean:.0f} ± "
                f"{c.epochs_run.std:.0f}번째 에폭 (범위 {c.epochs_run.min:.0f}-"
                f"{c.epochs_run.max:.0f}; {epochs} 에폭보다 {saved:.0f}% 적음)")
        else:
            when = Text(f"no seed stopped early (all ran {epochs} epochs)",
                        f"일찍 멈춘 시드가 없다 (모두 {epochs} 에폭 학습)")
        lines.append(Text(
            f"{c.label}: {when.en}; restored best epoch {c.best_epoch.mean:.0f} ± "
            f"{c.best_epoch.std:.0f}; test {acc(c.test_acc)}, which {change.en} compared with "
            f"training all {epochs} epochs.",
            f"{c.label_ko}: {when.ko}. 되돌린 최고 에폭은 {c.best_epoch.mean:.0f} ± "
            f"{c.best_epoch.std:.0f}; 테스트 {acc(c.test_acc)}, {epochs} 에폭을 모두 학습한 것에 "
            f"비해 {change.ko}."))
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
    figures=(learning_curves, validation),
)

if __name__ == "__main__":
    run_script(EXPERIMENT)
