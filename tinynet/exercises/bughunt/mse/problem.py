"""Bug hunt: MSELoss with a wrong gradient."""
from tinynet.exercises.problem import Bug, LossCheck, normal
from tinynet.text import Text

PROBLEM = Bug(
    order=5,
    title=Text("MSELoss: a wrong gradient", "MSELoss: 잘못된 기울기"),
    fixed="return dout * 2.0 * diff / M",
    buggy="return dout * diff / M",
    kind="scale", tensor="x",
    check=LossCheck("MSELoss", build=lambda cls, rng: cls(), input=normal((3, 4)), target=normal((3, 4))),
)
