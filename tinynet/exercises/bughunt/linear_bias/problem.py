"""Bug hunt: the Linear exercise's solution with a wrong bias gradient."""
from tinynet.exercises.problem import Bug
from tinynet.text import Text

PROBLEM = Bug(
    order=1,
    title=Text("Linear: a wrong bias gradient", "Linear: 잘못된 편향(bias) 기울기"),
    template="linear",
    fixed="self.bias.accumulate_grad(dout.sum(axis=0))",
    buggy="self.bias.accumulate_grad(dout.mean(axis=0))  # db = mean_n G[n] (out,)",
    kind="mean_not_sum", tensor="bias",
)
