"""Bug hunt: LeakyReLU with a wrong input gradient."""
from tinynet.exercises.problem import Bug, LayerCheck, away_from_zero
from tinynet.text import Text

PROBLEM = Bug(
    order=3,
    title=Text("LeakyReLU: a wrong input gradient", "LeakyReLU: 잘못된 입력 기울기"),
    fixed="return dout * np.where(x > 0, 1.0, self.negative_slope)",
    buggy="return dout * (x > 0)",
    kind="zeros", tensor="x",
    check=LayerCheck("LeakyReLU", build=lambda cls, rng: cls(negative_slope=0.1), input=away_from_zero((4, 5))),
)
