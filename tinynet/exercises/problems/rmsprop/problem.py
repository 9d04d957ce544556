"""The RMSprop exercise: its statement, and its check against tinynet.optim.RMSprop."""
import numpy as np

from tinynet import optim
from tinynet.exercises.messages import AFTER_STEP
from tinynet.exercises.problem import Exercise, Mistake, ReferenceCheck
from tinynet.nn import Parameter
from tinynet.text import Text


def one_step_of_rmsprop(param, grad, square_avg, lr=0.01, alpha=0.99, eps=1e-8):
    """One step of the real tinynet.optim.RMSprop, on these arrays: ``param``
    as its parameter's data, ``square_avg`` as its state (both updated in place)."""
    p = Parameter(param)
    p.grad = grad
    opt = optim.RMSprop([p], lr=lr, alpha=alpha, eps=eps)
    opt.state[0]["square_avg"] = square_avg
    opt.step()
    if set(opt.state[0]) != {"square_avg"}:        # it kept its running mean elsewhere: not the one given
        raise RuntimeError(f"tinynet.optim.RMSprop's state is now {sorted(opt.state[0])}: update "
                           "one_step_of_rmsprop, which expects one buffer named square_avg")


def steps(step, args):
    """Call ``step`` once per gradient of the case, as an optimizer is called
    once per batch; compare param and square_avg after every step."""
    param, grads, square_avg, *settings = args
    compared = {}
    for t, grad in enumerate(grads, 1):
        step(param, grad, square_avg, *settings)
        compared[AFTER_STEP.format(name="param", step=t)] = param.copy()
        compared[AFTER_STEP.format(name="square_avg", step=t)] = square_avg.copy()
    return compared


def cases(rng):
    """(param, gradients of the steps, square_avg = 0, lr, alpha, eps)."""
    return [(rng.normal(size=(3, 4)), rng.normal(size=(5, 3, 4)), np.zeros((3, 4)), 0.01, 0.99, 1e-8),
            (rng.normal(size=6), 0.01 * rng.normal(size=(4, 6)), np.zeros(6), 0.1, 0.9, 1e-3)]


def eps_inside_sqrt(param, grad, square_avg, lr=0.01, alpha=0.99, eps=1e-8):
    square_avg[...] = alpha * square_avg + (1 - alpha) * grad * grad
    param -= lr * grad / np.sqrt(square_avg + eps)


def decay_swapped(param, grad, square_avg, lr=0.01, alpha=0.99, eps=1e-8):
    square_avg[...] = (1 - alpha) * square_avg + alpha * grad * grad
    param -= lr * grad / (np.sqrt(square_avg) + eps)


MISTAKES = (
    Mistake("eps_inside_sqrt", eps_inside_sqrt, Text(
        "eps is inside the square root: the step divides by sqrt(v + eps), but RMSprop (PyTorch's, and "
        "tinynet's) divides by sqrt(v) + eps -- eps is added to the root, to keep the step finite where v = 0",
        "eps가 제곱근 안에 있습니다. 스텝을 sqrt(v + eps)로 나누었는데, RMSprop(PyTorch와 tinynet의)은 "
        "sqrt(v) + eps로 나눕니다. eps는 v = 0인 곳에서도 스텝이 유한하도록 제곱근 밖에서 더합니다")),
    Mistake("decay_swapped", decay_swapped, Text(
        "alpha and 1 - alpha are swapped: the running mean must keep alpha of the old v and take in 1 - alpha "
        "of the new g^2 (v <- alpha v + (1 - alpha) g^2); yours keeps 1 - alpha and takes in alpha",
        "alpha와 1 - alpha가 뒤바뀌었습니다. 이동 평균은 이전 v의 alpha만큼을 남기고 새 g^2을 1 - alpha만큼 "
        "받아들여야 합니다(v <- alpha v + (1 - alpha) g^2). 여러분의 코드는 1 - alpha만큼 남기고 alpha만큼 "
        "받아들입니다")),
)

PROBLEM = Exercise(
    order=11,
    title=Text("The RMSprop update rule", "RMSprop 갱신 규칙"),
    statement=Text(
        "Write ONE step of RMSprop, in place, as PyTorch's RMSprop takes it (no momentum):\n"
        "  v <- alpha v + (1 - alpha) g^2      a running mean of the squared gradient\n"
        "  w <- w - lr g / (sqrt(v) + eps)     each weight's step divided by its recent gradient size\n"
        "so every weight moves about lr per step, in steep and flat directions alike.\n"
        "Update param and square_avg IN PLACE (param -= ..., not param = param - ...): the caller\n"
        "keeps them. The grader runs several steps in a row and compares every step with\n"
        "tinynet.optim.RMSprop's.",
        "RMSprop의 한 스텝을 PyTorch의 RMSprop처럼(모멘텀 없이) 제자리에서 계산하세요:\n"
        "  v <- alpha v + (1 - alpha) g^2      기울기 제곱의 이동 평균\n"
        "  w <- w - lr g / (sqrt(v) + eps)     가중치마다 최근 기울기 크기로 스텝을 나눔\n"
        "그래서 가파른 방향이든 완만한 방향이든 모든 가중치가 스텝마다 대략 lr만큼 움직입니다.\n"
        "param과 square_avg는 제자리에서 바꾸세요(param = param - ...이 아니라 param -= ...):\n"
        "호출한 쪽이 그 배열을 계속 씁니다. 채점기는 여러 스텝을 연달아 실행하며 스텝마다\n"
        "tinynet.optim.RMSprop의 결과와 비교합니다."),
    missing=Text("rmsprop_step is not written yet: update square_avg, then param, in place",
                 "rmsprop_step이 아직 작성되지 않았습니다: square_avg와 param을 차례로 제자리에서 갱신하세요"),
    check=ReferenceCheck("rmsprop_step", reference=one_step_of_rmsprop, cases=cases, run=steps,
                         mistakes=MISTAKES),
)
