"""Bug hunt: the Linear exercise's solution with a wrong weight gradient."""
from tinynet.exercises.problem import Bug
from tinynet.text import Text

PROBLEM = Bug(
    order=2,
    title=Text("Linear: a wrong weight gradient", "Linear: 잘못된 가중치 기울기"),
    template="linear",
    fixed="self.weight.accumulate_grad(dout.T @ x)",
    buggy="self.weight.accumulate_grad(x.T @ dout)       # dW = x^T G",
    kind="transpose", tensor="weight",
)
