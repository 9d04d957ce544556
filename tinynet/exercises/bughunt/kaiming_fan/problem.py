"""Bug hunt: the He initialisation exercise's solution with the wrong fan."""
from tinynet.exercises.problem import Bug, compared_with
from tinynet.text import Text

PROBLEM = Bug(
    order=11,
    title=Text("He initialisation: a wrong std", "He 초기화: 잘못된 표준편차"),
    template="kaiming_init",
    fixed="std = gain / math.sqrt(fan_in)",
    buggy="std = gain / math.sqrt(fan_out)                  # Var[w] = gain^2 / fan",
    kind="fan_out_used", tensor="std",
    statement=compared_with("tinynet.nn.init"),
)
