"""The Sigmoid exercise: its statement and its check (the code is template.py)."""
from tinynet.exercises.problem import Exercise, LayerCheck, normal
from tinynet.text import Text

PROBLEM = Exercise(
    order=3,
    title=Text("Sigmoid activation", "시그모이드(Sigmoid) 활성화 함수"),
    statement=Text(
        "y = 1 / (1 + exp(-x)). Show that dy/dx = y (1 - y), then return\n"
        "dL/dx = dout * dy/dx using the saved output y.",
        "y = 1 / (1 + exp(-x)). dy/dx = y (1 - y)임을 보이고, 저장된 출력 y로\n"
        "dL/dx = dout * dy/dx를 반환하세요."),
    missing=Text("Sigmoid.backward is not written yet: derive dx = dout * dy/dx from the saved output y",
                 "Sigmoid.backward(역전파)가 아직 작성되지 않았습니다: 저장된 출력 y로 dx = dout * dy/dx를 유도하세요"),
    check=LayerCheck("Sigmoid", build=lambda cls, rng: cls(), input=normal((4, 5), scale=1.5)),
)
