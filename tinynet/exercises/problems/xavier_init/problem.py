"""The Xavier initialisation exercise: its statement, and its check against tinynet.nn.init."""
import math

from tinynet.exercises.problem import Exercise, Mistake, ReferenceCheck
from tinynet.exercises.problems.drawn_scale import bound_is_std, drawn_bound, drawn_std, std_and_bound
from tinynet.nn import init
from tinynet.text import Text


def drawn_by_xavier(fan_in, fan_out, gain=1.0):
    """(std, bound) with which tinynet.nn.init's xavier_normal_ and xavier_uniform_ draw a (fan_out, fan_in) weight."""
    shape = (fan_out, fan_in)
    return drawn_std(init.xavier_normal_, shape, gain=gain), drawn_bound(init.xavier_uniform_, shape, gain=gain)


def cases(rng):
    """(fan_in, fan_out, gain): the lecture's first layer, a last layer, a 5x5 convolution, tanh's gain."""
    return [(784, 100, 1.0), (100, 10, 1.0), (25, 750, math.sqrt(2.0)), (int(rng.integers(20, 60)), 30, 5 / 3)]


def sum_not_mean(fan_in, fan_out, gain=1.0):
    std = gain * math.sqrt(1.0 / (fan_in + fan_out))
    return std, math.sqrt(3.0) * std


MISTAKES = (
    Mistake("sum_not_mean", sum_not_mean, Text(
        "std^2 = gain^2 / (fan_in + fan_out): that divides by the SUM of the fans, but Xavier divides by their "
        "MEAN (fan_in + fan_out) / 2, the compromise between the forward pass's 1/fan_in and the backward "
        "pass's 1/fan_out: std = gain sqrt(2 / (fan_in + fan_out))",
        "std^2 = gain^2 / (fan_in + fan_out)로 fan의 합으로 나누었습니다. Xavier는 순전파의 1/fan_in과 "
        "역전파의 1/fan_out 사이의 절충으로 fan의 평균 (fan_in + fan_out) / 2로 나눕니다: "
        "std = gain sqrt(2 / (fan_in + fan_out))")),
    bound_is_std(drawn_by_xavier),
)


PROBLEM = Exercise(
    order=13,
    title=Text("Xavier initialisation", "Xavier 초기화"),
    statement=Text(
        "With weights of variance s^2, Var[y_j] = fan_in s^2 Var[x] in the forward pass and\n"
        "Var[dx_i] = fan_out s^2 Var[dy] in the backward pass. Xavier (Glorot) keeps both about\n"
        "constant: forward wants s^2 = 1/fan_in, backward s^2 = 1/fan_out, so it takes the mean of\n"
        "fan_in and fan_out instead, times gain^2. Return (std, bound): the std of\n"
        "nn.init.xavier_normal_ and the bound of nn.init.xavier_uniform_, which has the same variance.",
        "분산이 s^2인 가중치라면 순전파에서 Var[y_j] = fan_in s^2 Var[x], 역전파에서\n"
        "Var[dx_i] = fan_out s^2 Var[dy]입니다. Xavier(Glorot) 초기화는 둘 다 거의 일정하게 유지하려 합니다.\n"
        "순전파는 s^2 = 1/fan_in을, 역전파는 s^2 = 1/fan_out을 원하므로 fan_in과 fan_out의 평균을 대신\n"
        "쓰고 gain^2을 곱합니다. (std, bound)를 반환하세요: nn.init.xavier_normal_의 표준편차와, 분산이\n"
        "같은 nn.init.xavier_uniform_의 경계입니다."),
    missing=Text("xavier_scale is not written yet: derive the std, then the uniform bound with the same variance",
                 "xavier_scale이 아직 작성되지 않았습니다: 표준편차를 유도한 뒤, 분산이 같은 균등 분포의 경계를 "
                 "구하세요"),
    check=ReferenceCheck("xavier_scale", reference=drawn_by_xavier, cases=cases, run=std_and_bound,
                         mistakes=MISTAKES),
)
