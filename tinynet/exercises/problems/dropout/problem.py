"""The Dropout exercise: its statement and its check (the code is template.py)."""
from tinynet.exercises.problem import Exercise, LayerCheck, normal
from tinynet.text import Text

PROBLEM = Exercise(
    order=5,
    title=Text("Dropout", "드롭아웃 (Dropout)"),
    statement=Text(
        "y = x * mask, with the mask drawn in forward and fixed afterwards.\n"
        "Derive dL/dx from dout = dL/dy in training mode.",
        "y = x * mask이며 mask는 순전파에서 한 번 뽑힌 뒤 고정됩니다.\n"
        "학습 모드에서 dout = dL/dy로부터 dL/dx를 유도하세요."),
    missing=Text("Dropout.backward is not written yet: derive dx from dout and the mask",
                 "Dropout.backward(드롭아웃의 역전파)가 아직 작성되지 않았습니다: dout과 mask로 dx를 유도하세요"),
    check=LayerCheck("Dropout", build=lambda cls, rng: cls(p=0.4), input=normal((5, 6))),
)
