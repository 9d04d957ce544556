"""Bug hunt: the MaxPool2d exercise's solution with a gradient sent to the whole window."""
from tinynet.exercises.problem import Bug
from tinynet.text import Text

PROBLEM = Bug(
    order=8,
    title=Text("MaxPool2d: a wrong input gradient", "MaxPool2d: 잘못된 입력 기울기"),
    template="maxpool",
    fixed="dX = won * dout.reshape(N, C, 1, L)",
    buggy="dX = np.broadcast_to(dout.reshape(N, C, 1, L), (N, C, K, L))",
    kind="zeros", tensor="x",
)
