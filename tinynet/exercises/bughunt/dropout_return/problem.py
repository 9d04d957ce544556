"""Bug hunt: the Dropout exercise's solution with a backward that gives nothing back."""
from tinynet.exercises.problem import Bug
from tinynet.text import Text

PROBLEM = Bug(
    order=6,
    title=Text("Dropout: a backward that gives nothing back", "Dropout: 아무것도 돌려주지 않는 역전파"),
    template="dropout",
    fixed="return dout * mask",
    buggy="dx = dout * mask                                     # dropped units get no gradient",
    kind="none", tensor="x",
)
