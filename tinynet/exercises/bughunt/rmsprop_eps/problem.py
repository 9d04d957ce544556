"""Bug hunt: the RMSprop exercise's solution with a step PyTorch does not take."""
from tinynet.exercises.problem import Bug, compared_with
from tinynet.text import Text

PROBLEM = Bug(
    order=10,
    title=Text("RMSprop: a step that is not PyTorch's", "RMSprop: PyTorch와 다른 스텝"),
    template="rmsprop",
    fixed="param -= lr * grad / (np.sqrt(square_avg) + eps)",
    buggy="param -= lr * grad / np.sqrt(square_avg + eps)        # eps keeps the step finite",
    kind="eps_inside_sqrt", tensor="param",
    statement=compared_with("tinynet.optim.RMSprop"),
)
