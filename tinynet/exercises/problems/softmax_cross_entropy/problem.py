"""The softmax cross-entropy exercise: its statement and its check (the code is template.py)."""
from tinynet.exercises.problem import Exercise, LossCheck, normal
from tinynet.text import Text

PROBLEM = Exercise(
    order=6,
    title=Text("Softmax cross-entropy loss", "소프트맥스 교차 엔트로피 손실 함수"),
    statement=Text(
        "L = -(1/N) sum_n log softmax(z[n])[y[n]]. Show that the softmax and the log\n"
        "cancel into dL/dz[n, c] = (p[n, c] - [c == y[n]]) / N, and return dout times it.",
        "L = -(1/N) sum_n log softmax(z[n])[y[n]]. 소프트맥스와 로그가 상쇄되어\n"
        "dL/dz[n, c] = (p[n, c] - [c == y[n]]) / N 이 됨을 보이고, dout을 곱해 반환하세요."),
    missing=Text("SoftmaxCrossEntropy.backward is not written yet: derive dz = (p - onehot(y)) / N",
                 "SoftmaxCrossEntropy.backward(역전파)가 아직 작성되지 않았습니다: dz = (p - onehot(y)) / N을 유도하세요"),
    check=LossCheck("SoftmaxCrossEntropy", build=lambda cls, rng: cls(), input=normal((5, 4)),
                    target=lambda rng: rng.integers(0, 4, size=5)),
)
