"""Weight initialisation: a deep network's activations before training, and
what training makes of them.

Deep Learning from Scratch, section 6.2: a network of 5 hidden layers of
100 units (here 784-100x5-10, on the lecture's 300 images), with sigmoid
and with ReLU units, its weights drawn (``tinynet.nn.init``) with

    std 0.01                      nn.init.normal_(w, 0, 0.01)
    Xavier                        nn.init.xavier_normal_(w): std sqrt(2 / (fan_in + fan_out))
    He                            nn.init.kaiming_normal_(w, nonlinearity="relu"): std sqrt(2 / fan_in)

and biases 0. Each run records, right after initialisation, the histogram
of every hidden layer's activations for a batch (the first 300 training
images), as the book's figures 6-10 to 6-14, then trains 15 epochs with
the lecture's SGD (lr 0.1, batch 10): enough to see which initialisations
let the network start learning, and kept short for the lab's sake.

    python -m experiments.init --help
"""
from tinynet.text import Text

from .cli import run_script
from .config import Experiment, RunConfig
from .figures.catalogue import activations, compared, learning_curves
from .report_text import acc

EPOCHS, HIDDEN_LAYERS = 15, 5
INITS = (("std0.01", "std 0.01"), ("xavier", "Xavier"), ("he", "He"))
ACTIVATIONS = (("sigmoid", "sigmoid", "시그모이드"), ("relu", "ReLU", "ReLU"))
CONFIGS = tuple(RunConfig(f"{act}_{init}", f"{act_label}, {init_label}", hidden_layers=HIDDEN_LAYERS,
                          activation=act, init=init, epochs=EPOCHS)
                for act, act_label, _ in ACTIVATIONS for init, init_label in INITS)
LABELS_KO = {f"{act}_{init}": f"{act_ko}, {init_label}"
             for act, _, act_ko in ACTIVATIONS for init, init_label in INITS}
KOREAN = Text("가중치 초기화",
              "깊은 신경망(은닉층 5개)의 활성화 값은 초기화 방법에 따라 학습 전에 어떻게 분포하고, 그 "
              "결과 학습은 어떻게 되는가?")
COLLAPSED = 1 / 30       # activations spread less than one bin of the figure (30 bins on [0, 1])
LEARNED = 0.5            # below this train accuracy a network has not learned its images


def _layers(c):
    block = (c.data.get("probes") or {}).get("activations")
    return block["layers"] if block else None


def _spread(configs):
    """Per activation function: the activations' spread from the first to the last hidden layer."""
    lines = []
    for act, act_label, act_ko in ACTIVATIONS:
        rows = [(c, _layers(c)) for c in configs if c.settings["activation"] == act and _layers(c)]
        if not rows:
            continue
        listed = "; ".join(f"{c.label.split(', ')[1]} {layers[0]['std']:.2g} -> "
                           f"{layers[-1]['std']:.2g}" for c, layers in rows)
        zeros = [f"{c.label.split(', ')[1]} {layers[-1]['zeros'] / layers[-1]['count']:.0%}"
                 for c, layers in rows if act == "relu"]
        lines.append(Text(
            f"{act_label}: standard deviation of the activations at initialisation, layer 1 -> "
            f"layer {len(rows[0][1])} (mean over seeds): {listed}"
            + (f"; exactly 0 in layer {len(rows[0][1])}: {', '.join(zeros)}" if zeros else "") + ".",
            f"{act_ko}: 초기화 직후 활성화 값의 표준편차, 1층 -> {len(rows[0][1])}층 (시드 평균): {listed}"
            + (f"; {len(rows[0][1])}층에서 정확히 0인 비율: {', '.join(zeros)}" if zeros else "") + "."))
    return lines


def _training(configs):
    epochs = configs[0].settings["epochs"]
    lines = [Text(f"After {epochs} epochs: " + "; ".join(
        f"{c.label} train {acc(c.train_acc)}, test {acc(c.test_acc)}" for c in configs) + ".",
        f"{epochs} 에폭 뒤: " + "; ".join(
        f"{c.label_ko} 학습 {acc(c.train_acc)}, 테스트 {acc(c.test_acc)}" for c in configs) + ".")]
    stuck = [c for c in configs if c.train_acc.mean < LEARNED]
    if stuck:
        lines.append(Text(
            f"Not learning within {epochs} epochs (mean train accuracy below {LEARNED}): "
            + "; ".join(c.label for c in stuck) + ".",
            f"{epochs} 에폭 안에 학습하지 못함 (평균 학습 정확도 {LEARNED} 미만): "
            + "; ".join(c.label_ko for c in stuck) + "."))
    collapsed = {c.name for c in configs if _layers(c) and _layers(c)[-1]["std"] < COLLAPSED}
    if all(_layers(c) for c in configs) and collapsed and collapsed == {c.name for c in stuck}:
        lines.append(Text(
            "In these runs the configurations that did not learn are exactly those whose last "
            "hidden layer's activations start with a standard deviation below 1/30, the width of "
            "one bin of the figure: every unit says nearly the same, whatever the image.",
            "이 실행들에서 학습하지 못한 구성은 정확히 마지막 은닉층 활성화 값의 표준편차가 처음에 그림의 "
            "구간 하나의 폭인 1/30보다 작은 구성들이다: 이미지가 무엇이든 모든 뉴런이 거의 같은 값을 낸다."))
    return lines


def findings(r):
    configs = r.configs("init")
    return _spread(configs) + _training(configs)


EXPERIMENT = Experiment(
    name="init",
    title="Weight initialisation: std 0.01, Xavier and He",
    question="How are a deep network's (5 hidden layers) activations spread before training, "
             "for each initialisation, and how does it then train?",
    configs=CONFIGS,
    findings=findings,
    figures=(learning_curves, activations, compared),
)

if __name__ == "__main__":
    run_script(EXPERIMENT)
