"""Bug hunt: Tanh with a wrong input gradient."""
from tinynet.exercises.problem import Bug, LayerCheck, normal
from tinynet.text import Text

PROBLEM = Bug(
    order=4,
    title=Text("Tanh: a wrong input gradient", "Tanh: 잘못된 입력 기울기"),
    fixed="return dout * (1.0 - y ** 2)",
    buggy="return dout * (y ** 2 - 1.0)",
    kind="sign", tensor="x",
    check=LayerCheck("Tanh", build=lambda cls, rng: cls(), input=normal((4, 5), scale=1.5)),
)
