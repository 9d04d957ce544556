"""The ReLU exercise: its statement and its check (the code is template.py)."""
from tinynet.exercises.problem import Exercise, LayerCheck, away_from_zero
from tinynet.text import Text

PROBLEM = Exercise(
    order=2,
    title=Text("ReLU activation", "ReLU 활성화 함수"),
    statement=Text(
        "y = max(x, 0). Derive dL/dx from dout = dL/dy: where does a unit pass the\n"
        "gradient through, and where does it block it? (forward saved the mask.)",
        "y = max(x, 0). dout = dL/dy로부터 dL/dx를 유도하세요. 어느 원소에서 기울기가\n"
        "그대로 흐르고 어디에서 막히나요? (순전파가 mask를 저장해 두었습니다.)"),
    missing=Text("ReLU.backward is not written yet: derive dx from dout and the mask",
                 "ReLU.backward(역전파)가 아직 작성되지 않았습니다: dout과 mask로 dx를 유도하세요"),
    check=LayerCheck("ReLU", build=lambda cls, rng: cls(), input=away_from_zero((4, 5))),
)
