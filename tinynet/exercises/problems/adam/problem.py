"""The Adam exercise: its statement, and its check against tinynet.optim.Adam."""
import numpy as np

from tinynet import optim
from tinynet.exercises.messages import AFTER_STEP
from tinynet.exercises.problem import Exercise, Mistake, ReferenceCheck
from tinynet.nn import Parameter
from tinynet.text import Text


def one_step_of_adam(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """The t-th step of the real tinynet.optim.Adam, on these arrays: ``param``
    as its parameter's data, ``m`` and ``v`` as its state (all updated in place)."""
    p = Parameter(param)
    p.grad = grad
    opt = optim.Adam([p], lr=lr, betas=(beta1, beta2), eps=eps)
    opt.state[0].update(m=m, v=v, step=t - 1)       # the steps it has already taken
    opt.step()
    if set(opt.state[0]) != {"m", "v", "step"} or opt.state[0]["step"] != t:
        raise RuntimeError(f"tinynet.optim.Adam's state is now {sorted(opt.state[0])}: update "
                           "one_step_of_adam, which expects the buffers m and v and the count step")


def steps(step, args):
    """Call ``step`` once per gradient of the case (t = 1, 2, ...), as an
    optimizer is called once per batch; compare param, m and v after every step."""
    param, grads, m, v, *settings = args
    compared = {}
    for t, grad in enumerate(grads, 1):
        step(param, grad, m, v, t, *settings)
        for name, value in (("param", param), ("m", m), ("v", v)):
            compared[AFTER_STEP.format(name=name, step=t)] = value.copy()
    return compared


def cases(rng):
    """(param, gradients of the steps, m = 0, v = 0, lr, beta1, beta2, eps)."""
    return [(rng.normal(size=(3, 4)), rng.normal(size=(5, 3, 4)), np.zeros((3, 4)), np.zeros((3, 4)),
             1e-3, 0.9, 0.999, 1e-8),
            (rng.normal(size=6), 0.01 * rng.normal(size=(4, 6)), np.zeros(6), np.zeros(6), 0.1, 0.8, 0.99, 1e-3)]


def _moments(grad, m, v, beta1, beta2):
    m[...] = beta1 * m + (1 - beta1) * grad
    v[...] = beta2 * v + (1 - beta2) * grad * grad


def no_bias_correction(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    _moments(grad, m, v, beta1, beta2)
    param -= lr * m / (np.sqrt(v) + eps)


def eps_inside_sqrt(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    _moments(grad, m, v, beta1, beta2)
    param -= lr * (m / (1 - beta1 ** t)) / np.sqrt(v / (1 - beta2 ** t) + eps)


MISTAKES = (
    Mistake("no_bias_correction", no_bias_correction, Text(
        "the bias corrections are missing: m and v start at 0, so at step t they are (1 - beta^t) times too "
        "small on average; Adam divides them by (1 - beta1^t) and (1 - beta2^t) before the step",
        "편향 보정이 빠졌습니다. m과 v는 0에서 시작하므로 t번째 스텝에서 평균적으로 (1 - beta^t)배만큼 "
        "작습니다. Adam은 스텝 전에 m과 v를 각각 (1 - beta1^t)와 (1 - beta2^t)로 나눕니다")),
    Mistake("eps_inside_sqrt", eps_inside_sqrt, Text(
        "eps is inside the square root: the step divides by sqrt(v^ + eps), but Adam (PyTorch's, and "
        "tinynet's) divides by sqrt(v^) + eps",
        "eps가 제곱근 안에 있습니다. 스텝을 sqrt(v^ + eps)로 나누었는데, Adam(PyTorch와 tinynet의)은 "
        "sqrt(v^) + eps로 나눕니다")),
)

PROBLEM = Exercise(
    order=12,
    title=Text("The Adam update rule", "Adam 갱신 규칙"),
    statement=Text(
        "Write the t-th step of Adam, in place, as PyTorch's Adam takes it:\n"
        "  m <- beta1 m + (1 - beta1) g        v <- beta2 v + (1 - beta2) g^2\n"
        "  m^ = m / (1 - beta1^t)              v^ = v / (1 - beta2^t)\n"
        "  w <- w - lr m^ / (sqrt(v^) + eps)\n"
        "m and v start at 0, so E[m_t] = (1 - beta1^t) E[g]: show it by unrolling the recursion;\n"
        "that is what the bias corrections undo. Update param, m and v IN PLACE. The grader runs\n"
        "several steps in a row (t = 1, 2, ...) and compares every step with tinynet.optim.Adam's.",
        "Adam의 t번째 스텝을 PyTorch의 Adam처럼 제자리에서 계산하세요:\n"
        "  m <- beta1 m + (1 - beta1) g        v <- beta2 v + (1 - beta2) g^2\n"
        "  m^ = m / (1 - beta1^t)              v^ = v / (1 - beta2^t)\n"
        "  w <- w - lr m^ / (sqrt(v^) + eps)\n"
        "m과 v는 0에서 시작하므로 E[m_t] = (1 - beta1^t) E[g]입니다. 점화식을 풀어 확인해 보세요.\n"
        "편향 보정은 이것을 되돌립니다. param, m, v는 제자리에서 바꾸세요. 채점기는 여러 스텝을\n"
        "연달아(t = 1, 2, ...) 실행하며 스텝마다 tinynet.optim.Adam의 결과와 비교합니다."),
    missing=Text("adam_step is not written yet: update m and v, correct their bias, then update param, in place",
                 "adam_step이 아직 작성되지 않았습니다: m과 v를 갱신하고 편향을 보정한 뒤 param을 제자리에서 "
                 "갱신하세요"),
    check=ReferenceCheck("adam_step", reference=one_step_of_adam, cases=cases, run=steps, mistakes=MISTAKES),
)
