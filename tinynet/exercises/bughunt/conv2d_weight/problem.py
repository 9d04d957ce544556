"""Bug hunt: the Conv2d exercise's solution with a weight gradient in the wrong layout."""
from tinynet.exercises.problem import Bug
from tinynet.text import Text

PROBLEM = Bug(
    order=7,
    title=Text("Conv2d: a wrong weight gradient", "Conv2d: 잘못된 가중치 기울기"),
    template="conv2d",
    fixed="dWm = (G @ X.transpose(0, 2, 1)).sum(axis=0)",
    buggy="dWm = (X @ G.transpose(0, 2, 1)).sum(axis=0)                    # sum_n X[n] G[n]^T",
    kind="transpose", tensor="weight",
)
