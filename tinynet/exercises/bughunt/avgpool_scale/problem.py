"""Bug hunt: the AvgPool2d exercise's solution with a wrong share per entry."""
from tinynet.exercises.problem import Bug
from tinynet.text import Text

PROBLEM = Bug(
    order=9,
    title=Text("AvgPool2d: a wrong input gradient", "AvgPool2d: 잘못된 입력 기울기"),
    template="avgpool",
    fixed="dX = np.broadcast_to(dout.reshape(N, C, 1, L) / K, (N, C, K, L))",
    buggy="dX = np.broadcast_to(dout.reshape(N, C, 1, L), (N, C, K, L))   # the window's dout, to every entry",
    kind="scale", tensor="x",
)
