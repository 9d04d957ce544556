"""Six optimizers on the lecture's MLP and data, each at its best learning rate.

SGD, Momentum (0.9), Nesterov (0.9), AdaGrad, RMSprop and Adam
(``tinynet.optim``, each with its defaults but the learning rate) train the
lecture's MLP on the same 300 images. A learning rate that suits one
optimizer can make another diverge, so each gets its own, chosen on
validation data: every rate of a small grid is trained with every seed and
measured on the 1,000 training images after the first 300 (the images
early stopping validates on); the rate with the best mean validation
accuracy is chosen (selection.py) and only then trained again and measured
on the test set. The test images never take part in the choice.

To keep the lab short (6 optimizers x 3 rates x the seeds, before the
reported runs), the grid has three rates per optimizer and every run 15
epochs: enough to see which optimizers fit the 300 images fast, and how
well the fit generalises.

    python -m experiments.optimizers --help
"""
from tinynet.text import Text

from .cli import run_script
from .config import Experiment, RunConfig
from .early_stopping import VALIDATION_IMAGES
from .figures.catalogue import compared, learning_curves, lr_selection
from .report_text import acc, verb
from .selection import Choice, chosen
from .summary import MissingResults

EPOCHS = 15
MEMORISED = 0.99         # mean train accuracy from which the images count as memorised
# (name, label, settings, learning rates of the grid): the rates around each
# optimizer's usual one (Momentum and Nesterov take about 1/(1 - 0.9) = 10
# times larger steps than SGD at the same rate).
OPTIMIZERS = (
    ("sgd", "SGD", {}, (0.03, 0.1, 0.3)),
    ("momentum", "Momentum (0.9)", {"momentum": 0.9}, (0.003, 0.01, 0.03)),
    ("nesterov", "Nesterov (0.9)", {"momentum": 0.9, "nesterov": True}, (0.003, 0.01, 0.03)),
    ("adagrad", "AdaGrad", {"optimizer": "adagrad"}, (0.003, 0.01, 0.03)),
    ("rmsprop", "RMSprop", {"optimizer": "rmsprop"}, (0.0003, 0.001, 0.003)),
    ("adam", "Adam", {"optimizer": "adam"}, (0.0003, 0.001, 0.003)),
)
SELECTION_RUNS = tuple(
    RunConfig(f"{name}_lr{lr:g}", f"{label}, lr {lr:g} (selection run)", lr=lr, epochs=EPOCHS,
              val_size=VALIDATION_IMAGES, test_evaluation="never", **settings)
    for name, label, settings, rates in OPTIMIZERS for lr in rates)
CHOICES = tuple(Choice(name, label, tuple(f"{name}_lr{lr:g}" for lr in rates))
                for name, label, _, rates in OPTIMIZERS)
LABELS_KO = {**{c.name: c.label.replace("(selection run)", "(선택용 실행)") for c in SELECTION_RUNS},
             "momentum": "모멘텀 (0.9)", "nesterov": "네스테로프 (0.9)"}
KOREAN = Text("옵티마이저 여섯 가지",
              "각자 검증 데이터로 고른 학습률에서, 여섯 옵티마이저는 같은 MLP와 이미지 300장을 얼마나 "
              "빨리, 얼마나 잘 학습하는가?")


def _choices(outcomes):
    """The chosen rates, with every rate's validation score."""
    def listed(outcome, lang):
        grid = ", ".join(f"{run.settings['lr']:g}: {score:.3f}" for run, score in outcome.scored)
        name = outcome.choice.label if lang == "en" else LABELS_KO.get(outcome.choice.name,
                                                                        outcome.choice.label)
        return f"{name} lr {outcome.winner.settings['lr']:g} ({grid})"
    made = [o for o in outcomes if o.winner]
    lines = [Text(
        f"Learning rates, chosen on the {VALIDATION_IMAGES:,} validation images (never the test "
        "set) by the mean validation accuracy after the last epoch, a diverged seed counting 0: "
        + "; ".join(listed(o, "en") for o in made) + ".",
        f"검증 이미지 {VALIDATION_IMAGES:,}장(테스트 세트는 전혀 쓰지 않음)에서 마지막 에폭 뒤의 평균 검증 "
        "정확도로 고른 학습률 (발산한 시드는 0으로 셈): " + "; ".join(listed(o, "ko") for o in made)
        + ".")]
    edge = [o for o in made if o.winner.name in (o.choice.among[0], o.choice.among[-1])]
    if edge:
        names = ", ".join(o.choice.label for o in edge)
        names_ko = ", ".join(LABELS_KO.get(o.choice.name, o.choice.label) for o in edge)
        lines.append(Text(f"At the edge of its grid: {names} -- a rate beyond the grid might "
                          "validate better.",
                          f"격자의 끝에서 고른 옵티마이저: {names_ko} -- 격자 밖의 학습률이 검증에서 더 나을 "
                          "수도 있다."))
    for o in outcomes:
        if o.winner is None:
            lines.append(Text(f"{o.choice.label}: no rate chosen ({o.missing}).",
                              f"{LABELS_KO.get(o.choice.name, o.choice.label)}: 학습률을 고르지 못했다 "
                              f"({o.missing})."))
    return lines


def _memorised(results):
    """The first epoch at which each optimizer's mean train accuracy reaches MEMORISED."""
    reached, never = [], []
    for c in results:
        epochs, train = c.curve("train_acc")
        at = next((int(e) for e, a in zip(epochs, train) if a >= MEMORISED), None)
        (never.append(c) if at is None else reached.append((at, c)))
    reached.sort(key=lambda pair: pair[0])
    en = ", ".join(f"{c.label} {at}" for at, c in reached) or "none"
    ko = ", ".join(f"{c.label_ko} {at}" for at, c in reached) or "없음"
    epochs = results[0].settings["epochs"]
    text = Text(f"Epoch at which the mean train accuracy first reaches {MEMORISED} (the 300 "
                f"images memorised): {en}",
                f"평균 학습 정확도가 처음 {MEMORISED}에 이른 에폭 (이미지 300장을 외움): {ko}")
    if never:
        text = Text(text.en + f"; not within {epochs} epochs: "
                    + ", ".join(c.label for c in never),
                    text.ko + f"; {epochs} 에폭 안에 이르지 못함: " + ", ".join(c.label_ko for c in never))
    return Text(text.en + ".", text.ko + ".")


def findings(r):
    lines = _choices(chosen(r, EXPERIMENT))
    reported = [c for c in r.configs("optimizers") if not c.selection]
    if not reported:
        raise MissingResults("optimizers: no configuration chosen on validation data has results")
    ranked = sorted(reported, key=lambda c: -c.test_acc.mean)
    lines.append(Text("Test accuracy at the chosen rates: "
                      + ", ".join(f"{c.label} {acc(c.test_acc)}" for c in ranked) + ".",
                      "고른 학습률에서의 테스트 정확도: "
                      + ", ".join(f"{c.label_ko} {acc(c.test_acc)}" for c in ranked) + "."))
    sgd = next((c for c in reported if c.name == "sgd"), None)
    best = ranked[0]
    if sgd is not None and best is not sgd:
        change = verb(best.test_acc - sgd.test_acc)
        lines.append(Text(f"The best, {best.label}, {change.en} compared with SGD.",
                          f"가장 좋은 옵티마이저({best.label_ko})는 SGD에 비해 {change.ko}."))
    lines.append(_memorised(reported))
    return lines


EXPERIMENT = Experiment(
    name="optimizers",
    title="Six optimizers, each at a learning rate chosen on validation data",
    question="At its own learning rate, chosen on validation data, how fast and how well does "
             "each of SGD, Momentum, Nesterov, AdaGrad, RMSprop and Adam train the lecture's MLP "
             "on 300 images?",
    configs=SELECTION_RUNS,
    findings=findings,
    figures=(learning_curves, compared, lr_selection),
    choices=CHOICES,
    fixed_settings=(("lr", "each optimizer's learning rate is chosen on validation data"),
                    ("momentum", "Momentum and Nesterov use 0.9, the others none")),
)

if __name__ == "__main__":
    run_script(EXPERIMENT)
