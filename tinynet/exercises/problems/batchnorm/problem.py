"""The BatchNorm1d exercise: its statement and its check (the code is template.py)."""
from tinynet.exercises.problem import Exercise, LayerCheck, normal
from tinynet.text import Text


def build(cls, rng):
    layer = cls(4)
    # gamma = 1, beta = 0 would hide a bug that confuses them.
    layer.weight.data = rng.uniform(0.5, 2.0, size=4)
    layer.bias.data = rng.normal(size=4)
    return layer


PROBLEM = Exercise(
    order=4,
    title=Text("Batch normalisation (BatchNorm1d)", "배치 정규화 (BatchNorm1d)"),
    statement=Text(
        "Training-mode batch normalisation. Given G = dL/dy (N, C), derive\n"
        "  dgamma = dL/dgamma, dbeta = dL/dbeta (C,), and dL/dx (N, C).\n"
        "mu and var depend on every row, so x reaches xhat three ways: directly,\n"
        "through var and through mu. Go step by step: dxhat -> dvar -> dmu -> dx.\n"
        "The grader calls one BatchNorm1d four times before one backward, as the\n"
        "lecture's model shares one batch normalisation layer between its four hidden layers.",
        "학습 모드의 배치 정규화. G = dL/dy (N, C)가 주어질 때\n"
        "  dgamma, dbeta (C,)와 dL/dx (N, C)를 유도하세요.\n"
        "평균 mu와 분산 var가 배치의 모든 행에 의존하므로 x는 세 경로(직접, var, mu)로\n"
        "xhat에 영향을 줍니다. dxhat -> dvar -> dmu -> dx 순서로 차근차근 역전파하세요.\n"
        "강의의 모델이 배치 정규화 계층 하나를 네 은닉층에서 함께 쓰듯이, 채점기는 한\n"
        "BatchNorm1d를 역전파 전에 네 번 호출합니다."),
    missing=Text("BatchNorm1d.backward is not written yet: derive dgamma, dbeta, then dxhat -> dvar -> dmu -> dx",
                 "BatchNorm1d.backward(배치 정규화의 역전파)가 아직 작성되지 않았습니다: "
                 "dgamma, dbeta, 그리고 dxhat -> dvar -> dmu -> dx를 유도하세요"),
    check=LayerCheck("BatchNorm1d", build=build, input=normal((6, 4), scale=2.0, shift=0.5), calls=4),
)
