"""The L2 penalty exercise: its statement and its check (the code is template.py)."""
from tinynet.exercises.problem import Exercise, LossCheck, normal
from tinynet.text import Text

PROBLEM = Exercise(
    order=7,
    title=Text("L2 penalty (weight decay)", "L2 정규화 (가중치 감쇠)"),
    statement=Text(
        "The lecture's L~ = L + lambda Omega(w) with Omega(w) = sum_i w_i^2.\n"
        "Derive d(lambda Omega)/dw: the extra gradient every weight gets from the penalty.",
        "강의의 L~ = L + lambda Omega(w), Omega(w) = sum_i w_i^2 (가중치 감쇠).\n"
        "d(lambda Omega)/dw, 즉 정규화 항이 각 가중치에 더하는 기울기를 유도하세요."),
    missing=Text("L2Penalty.backward is not written yet: derive d(lambda * sum w^2)/dw",
                 "L2Penalty.backward(가중치 감쇠의 역전파)가 아직 작성되지 않았습니다: d(lambda * sum w^2)/dw를 유도하세요"),
    check=LossCheck("L2Penalty", build=lambda cls, rng: cls(0.3), input=normal((3, 4))),
)
