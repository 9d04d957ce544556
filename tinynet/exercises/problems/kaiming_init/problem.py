"""The He (Kaiming) initialisation exercise: its statement, and its check against tinynet.nn.init."""
import math

from tinynet.exercises.problem import Exercise, Mistake, ReferenceCheck
from tinynet.exercises.problems.drawn_scale import bound_is_std, drawn_bound, drawn_std, std_and_bound
from tinynet.nn import init
from tinynet.text import Text


def drawn_by_kaiming(fan_in, fan_out, nonlinearity="leaky_relu", a=0.0):
    """(std, bound) with which tinynet.nn.init's kaiming_normal_ and kaiming_uniform_ draw a (fan_out, fan_in) weight."""
    shape, options = (fan_out, fan_in), dict(a=a, nonlinearity=nonlinearity)
    return drawn_std(init.kaiming_normal_, shape, **options), drawn_bound(init.kaiming_uniform_, shape, **options)


def cases(rng):
    """(fan_in, fan_out, nonlinearity, a): ReLU layers of the lecture's MLP, a 5x5 convolution, other gains."""
    return [(784, 100, "relu", 0.0), (100, 10, "leaky_relu", 0.0), (25, 750, "relu", 0.0),
            (int(rng.integers(20, 60)), 30, "leaky_relu", 0.2), (300, 40, "tanh", 0.0)]


def fan_out_used(fan_in, fan_out, nonlinearity="leaky_relu", a=0.0):
    std = init.calculate_gain(nonlinearity, a) / math.sqrt(fan_out)
    return std, math.sqrt(3.0) * std


MISTAKES = (
    Mistake("fan_out_used", fan_out_used, Text(
        "the std uses fan_out: He's std keeps the variance of the FORWARD pass, where each output sums fan_in "
        "products (Var[z] = fan_in std^2 E[x^2]), so std = gain / sqrt(fan_in), PyTorch's default "
        "mode=\"fan_in\" (fan_out keeps the backward pass's variance instead: mode=\"fan_out\")",
        "표준편차에 fan_out을 썼습니다. He 초기화의 표준편차는 순전파의 분산을 유지합니다. 순전파에서 출력 "
        "하나는 fan_in개의 곱을 더하므로(Var[z] = fan_in std^2 E[x^2]) std = gain / sqrt(fan_in)이고, 이것이 "
        "PyTorch의 기본값 mode=\"fan_in\"입니다(fan_out은 역전파의 분산을 유지합니다: mode=\"fan_out\")")),
    bound_is_std(drawn_by_kaiming),
)


PROBLEM = Exercise(
    order=14,
    title=Text("He (Kaiming) initialisation", "He (Kaiming) 초기화"),
    statement=Text(
        "For z symmetric around 0, a ReLU keeps the positive half and zeroes the rest, so\n"
        "E[relu(z)^2] = Var[z] / 2. With weights of variance s^2 (mean 0), the next layer's\n"
        "Var[z] = fan_in s^2 E[x^2], x = relu(z) being its inputs: derive the s\n"
        "that keeps Var[z] the same from layer to layer (the gain sqrt(2) is ReLU's; another\n"
        "nonlinearity has its own gain, computed for you). Return (std, bound): the std of\n"
        "nn.init.kaiming_normal_ and the bound of nn.init.kaiming_uniform_ (default mode=\"fan_in\").",
        "z가 0을 중심으로 대칭이면 ReLU는 양수 절반을 남기고 나머지를 0으로 만들므로\n"
        "E[relu(z)^2] = Var[z] / 2입니다. 가중치의 분산이 s^2(평균 0)이면, x = relu(z)를 입력으로\n"
        "받는 다음 층은 Var[z] = fan_in s^2 E[x^2]입니다. 층을 지나도 Var[z]가\n"
        "그대로 유지되는 s를 유도하세요(gain sqrt(2)는 ReLU의 것이고, 다른 활성화 함수의 gain은\n"
        "미리 계산되어 있습니다). (std, bound)를 반환하세요: nn.init.kaiming_normal_의 표준편차와\n"
        "nn.init.kaiming_uniform_의 경계입니다(기본값 mode=\"fan_in\")."),
    missing=Text("kaiming_scale is not written yet: derive the std from the right fan, then the uniform bound",
                 "kaiming_scale이 아직 작성되지 않았습니다: 알맞은 fan으로 표준편차를 유도한 뒤 균등 분포의 경계를 "
                 "구하세요"),
    check=ReferenceCheck("kaiming_scale", reference=drawn_by_kaiming, cases=cases, run=std_and_bound,
                         mistakes=MISTAKES),
)
