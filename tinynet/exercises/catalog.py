"""The exercises and the bug hunt: statements (English and Korean) and code.

Every exercise is one file of the student's workspace. Its ``code`` is a
complete module except for the body of ``backward``, written where the line
``{BODY}`` stands: ``blank`` (a TODO and a NotImplementedError naming what
to derive) or ``solution`` (the reference answer). A bug-hunt file has a
``buggy`` body instead of a blank one: a backward with one classic mistake,
which gradcheck's diagnosis (``kind``, contract C3) should point at.

``{MISSING}`` in a blank body is replaced by the "not written yet" message
in the workspace's language(s).
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Exercise:
    name: str               # file stem in the workspace, and the test's name
    cls: str                # the class the student completes
    title_en: str
    title_ko: str
    statement_en: str       # what to derive
    statement_ko: str
    missing_en: str         # the blank backward's error message
    missing_ko: str
    code: str               # the module, with {BODY} where backward's body goes
    blank: str
    solution: str


@dataclass(frozen=True)
class Bug:
    name: str               # file stem in the workspace's bughunt/ folder
    cls: str
    title_en: str
    title_ko: str
    kind: str               # the gradcheck hint kind that must catch it (C3)
    tensor: str             # the gradient that is wrong: "x" or a parameter name
    code: str
    buggy: str
    fixed: str


# --------------------------------------------------------------------------
# Shared forward code
# --------------------------------------------------------------------------

_LINEAR = '''
import numpy as np

import tinynet as tn
from tinynet.nn import Layer, Parameter


class Linear(Layer):
    """y = x W^T + b

    Shapes: x (N, in_features) -> y (N, out_features);
            weight W (out_features, in_features), bias b (out_features,).
    """

    def __init__(self, in_features, out_features):
        super().__init__()
        bound = 1.0 / np.sqrt(in_features)
        rng = tn.random.generator()
        self.weight = Parameter(rng.uniform(-bound, bound, (out_features, in_features)), penalized=True)
        self.bias = Parameter(rng.uniform(-bound, bound, out_features))

    def forward(self, x):
        out = x @ self.weight.data.T + self.bias.data         # (N, out)
        return out, x                                         # backward needs x

    def backward(self, dout, cache):
        """dout = G = dL/dy (N, out). Add dL/dW and dL/db to the parameters'
        gradients (self.weight.accumulate_grad(...)) and return dL/dx (N, in)."""
        x = cache
{BODY}
'''

_ELEMENTWISE = '''
import numpy as np

from tinynet.nn import Layer


class {CLS}(Layer):
    """{FORMULA}, elementwise.   Shapes: x (N, ...) -> y of the same shape."""
{INIT}
    def forward(self, x):
{FORWARD}

    def backward(self, dout, cache):
        """dout = dL/dy (x's shape); return dL/dx (x's shape)."""
{BODY}
'''


def _elementwise(cls, formula, forward, init=""):
    return (_ELEMENTWISE.replace("{CLS}", cls).replace("{FORMULA}", formula)
            .replace("{FORWARD}", forward).replace("{INIT}", init))


_RELU = _elementwise("ReLU", "y = max(x, 0)", '''\
        mask = x > 0                    # True where the unit is active
        return x * mask, mask''')

_SIGMOID = _elementwise("Sigmoid", "y = sigma(x) = 1 / (1 + exp(-x))", '''\
        y = 1.0 / (1.0 + np.exp(-x))
        return y, y                     # backward needs only y''')

_TANH = _elementwise("Tanh", "y = tanh(x)", '''\
        y = np.tanh(x)
        return y, y''')

_LEAKY_RELU = _elementwise("LeakyReLU", "y = x if x > 0 else negative_slope * x", '''\
        return np.where(x > 0, x, self.negative_slope * x), x''', init='''
    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = negative_slope
''')

_BATCHNORM = '''
import numpy as np

from tinynet.nn import Layer, Parameter


class BatchNorm1d(Layer):
    """Batch normalisation in training mode (statistics of the batch).

    Shapes: x (N, C) -> y (N, C); gamma (weight) and beta (bias) (C,).
        mu   = (1/N) sum_n x[n]                 (C,)
        var  = (1/N) sum_n (x[n] - mu)^2        (C,)
        s    = 1 / sqrt(var + eps)              (C,)
        xhat = (x - mu) * s                     (N, C)
        y    = gamma * xhat + beta              (N, C)
    (The running statistics used in evaluation are left out: they do not
    take part in backpropagation.)
    """

    def __init__(self, num_features, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = Parameter(np.ones(num_features))       # gamma
        self.bias = Parameter(np.zeros(num_features))        # beta

    def forward(self, x):
        mu = x.mean(axis=0)
        xc = x - mu                                          # x - mu  (N, C)
        var = (xc ** 2).mean(axis=0)
        s = 1.0 / np.sqrt(var + self.eps)
        xhat = xc * s
        out = self.weight.data * xhat + self.bias.data
        return out, (xhat, xc, s)

    def backward(self, dout, cache):
        """dout = G = dL/dy (N, C). Add dL/dgamma and dL/dbeta to the
        parameters' gradients and return dL/dx (N, C)."""
        xhat, xc, s = cache
        N = dout.shape[0]
{BODY}
'''

_DROPOUT = '''
import numpy as np

import tinynet as tn
from tinynet.nn import Layer


class Dropout(Layer):
    """Inverted dropout; p is the probability of DROPPING a unit.

    Training: mask[n, j] = Bernoulli(1 - p) / (1 - p), y = x * mask (so
    E[y] = x); evaluation: y = x. Shapes: x (N, ...) -> y, mask of x's shape.
    """

    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training:
            return x, None
        keep = tn.random.generator().random(x.shape) >= self.p
        mask = keep / (1.0 - self.p)                         # 0 or 1/(1-p)
        return x * mask, mask

    def backward(self, dout, cache):
        """dout = dL/dy (x's shape); return dL/dx."""
        mask = cache
        if mask is None:                                     # evaluation: identity
            return dout
{BODY}
'''

_SOFTMAX_CE = '''
import numpy as np


class SoftmaxCrossEntropy:
    """Mean softmax cross-entropy of logits z (N, C) and labels y (N,).

        p[n, c] = exp(z[n, c]) / sum_k exp(z[n, k])          (N, C)
        L       = -(1/N) sum_n log p[n, y[n]]                scalar

    forward(z, y) -> (L, cache);  backward(dout, cache) -> dL/dz (N, C),
    where dout = d(final loss)/dL, 1.0 when L is the final loss.
    """

    def forward(self, z, y):
        shifted = z - z.max(axis=1, keepdims=True)           # same p, no overflow
        p = np.exp(shifted)
        p /= p.sum(axis=1, keepdims=True)
        N = len(y)
        loss = -np.log(p[np.arange(N), y]).mean()
        return float(loss), (p, y)

    def backward(self, dout, cache):
        p, y = cache
        N = len(y)
{BODY}
'''

_MSE = '''
import numpy as np


class MSELoss:
    """Mean squared error:  L = (1/M) sum (x - t)^2 over all M entries.

    forward(x, t) -> (L, cache);  backward(dout, cache) -> dL/dx (x's shape).
    """

    def forward(self, x, t):
        diff = x - t
        return float((diff ** 2).mean()), diff

    def backward(self, dout, cache):
        diff = cache
        M = diff.size
{BODY}
'''

_L2 = '''
import numpy as np


class L2Penalty:
    """The lecture's weight decay term lambda * Omega(w), Omega(w) = sum_i w_i^2,
    added to the loss:  L~ = L + lambda * sum_i w_i^2.

    forward(w) -> (penalty, cache);  backward(dout, cache) -> d penalty / dw
    (w's shape), times dout = d(final loss)/d(penalty), 1.0 normally.
    """

    def __init__(self, lam):
        self.lam = lam

    def forward(self, w):
        return float(self.lam * np.sum(w ** 2)), w

    def backward(self, dout, cache):
        w = cache
{BODY}
'''


def _todo(*lines):
    body = "".join(f"        # TODO: {line}\n" for line in lines)
    return body + "        raise NotImplementedError({MISSING})"


EXERCISES = (
    Exercise(
        name="linear", cls="Linear",
        title_en="Linear layer (fully connected)", title_ko="완전 연결 계층 (Linear)",
        statement_en=(
            "y = x W^T + b. Given G = dL/dy (N, out), derive\n"
            "  dL/dW (out, in): every row of x used the same W, so the batch adds up;\n"
            "  dL/db (out,):    b is a weight on an input that is always 1;\n"
            "  dL/dx (N, in):   the gradient passed on to the layer below.\n"
            "Add dW and db with self.weight.accumulate_grad / self.bias.accumulate_grad, return dx."),
        statement_ko=(
            "y = x W^T + b. 출력 기울기 G = dL/dy (N, out)가 주어질 때 역전파를 유도하세요.\n"
            "  dL/dW (out, in): 배치의 모든 행이 같은 W를 쓰므로 배치 전체를 더합니다.\n"
            "  dL/db (out,):    b는 항상 1인 입력에 곱해지는 가중치입니다.\n"
            "  dL/dx (N, in):   아래 계층으로 전달되는 기울기입니다.\n"
            "dW와 db는 self.weight.accumulate_grad / self.bias.accumulate_grad로 더하고 dx를 반환하세요."),
        missing_en="Linear.backward is not written yet: derive dW, db and dx",
        missing_ko="Linear.backward(역전파)가 아직 작성되지 않았습니다: dW, db, dx를 유도하세요",
        code=_LINEAR,
        blank=_todo("dW = dL/dW (out, in): self.weight.accumulate_grad(dW)",
                    "db = dL/db (out,):    self.bias.accumulate_grad(db)",
                    "return dx = dL/dx (N, in)"),
        solution=(
            "        self.weight.accumulate_grad(dout.T @ x)       # dW = G^T x       (out, in)\n"
            "        self.bias.accumulate_grad(dout.sum(axis=0))   # db = sum_n G[n]  (out,)\n"
            "        return dout @ self.weight.data                # dx = G W         (N, in)"),
    ),
    Exercise(
        name="relu", cls="ReLU",
        title_en="ReLU activation", title_ko="ReLU 활성화 함수",
        statement_en=(
            "y = max(x, 0). Derive dL/dx from dout = dL/dy: where does a unit pass the\n"
            "gradient through, and where does it block it? (forward saved the mask.)"),
        statement_ko=(
            "y = max(x, 0). dout = dL/dy로부터 dL/dx를 유도하세요. 어느 원소에서 기울기가\n"
            "그대로 흐르고 어디에서 막히나요? (순전파가 mask를 저장해 두었습니다.)"),
        missing_en="ReLU.backward is not written yet: derive dx from dout and the mask",
        missing_ko="ReLU.backward(역전파)가 아직 작성되지 않았습니다: dout과 mask로 dx를 유도하세요",
        code=_RELU,
        blank=_todo("return dx = dL/dx (x's shape)"),
        solution=(
            "        mask = cache\n"
            "        return dout * mask                            # 1 where x > 0, 0 elsewhere"),
    ),
    Exercise(
        name="sigmoid", cls="Sigmoid",
        title_en="Sigmoid activation", title_ko="시그모이드(Sigmoid) 활성화 함수",
        statement_en=(
            "y = 1 / (1 + exp(-x)). Show that dy/dx = y (1 - y), then return\n"
            "dL/dx = dout * dy/dx using the saved output y."),
        statement_ko=(
            "y = 1 / (1 + exp(-x)). dy/dx = y (1 - y)임을 보이고, 저장된 출력 y로\n"
            "dL/dx = dout * dy/dx를 반환하세요."),
        missing_en="Sigmoid.backward is not written yet: derive dx = dout * dy/dx from the saved output y",
        missing_ko="Sigmoid.backward(역전파)가 아직 작성되지 않았습니다: 저장된 출력 y로 dx = dout * dy/dx를 유도하세요",
        code=_SIGMOID,
        blank=_todo("return dx = dL/dx (x's shape)"),
        solution=(
            "        y = cache\n"
            "        return dout * y * (1.0 - y)                   # sigma' = sigma (1 - sigma)"),
    ),
    Exercise(
        name="batchnorm", cls="BatchNorm1d",
        title_en="Batch normalisation (BatchNorm1d)", title_ko="배치 정규화 (BatchNorm1d)",
        statement_en=(
            "Training-mode batch normalisation. Given G = dL/dy (N, C), derive\n"
            "  dgamma = dL/dgamma, dbeta = dL/dbeta (C,), and dL/dx (N, C).\n"
            "mu and var depend on every row, so x reaches xhat three ways: directly,\n"
            "through var and through mu. Go step by step: dxhat -> dvar -> dmu -> dx."),
        statement_ko=(
            "학습 모드의 배치 정규화. G = dL/dy (N, C)가 주어질 때\n"
            "  dgamma, dbeta (C,)와 dL/dx (N, C)를 유도하세요.\n"
            "평균 mu와 분산 var가 배치의 모든 행에 의존하므로 x는 세 경로(직접, var, mu)로\n"
            "xhat에 영향을 줍니다. dxhat -> dvar -> dmu -> dx 순서로 차근차근 역전파하세요."),
        missing_en="BatchNorm1d.backward is not written yet: derive dgamma, dbeta, then dxhat -> dvar -> dmu -> dx",
        missing_ko="BatchNorm1d.backward(배치 정규화의 역전파)가 아직 작성되지 않았습니다: "
                   "dgamma, dbeta, 그리고 dxhat -> dvar -> dmu -> dx를 유도하세요",
        code=_BATCHNORM,
        blank=_todo("dgamma (C,): self.weight.accumulate_grad(dgamma)",
                    "dbeta (C,):  self.bias.accumulate_grad(dbeta)",
                    "dxhat -> dvar -> dmu -> return dx (N, C)"),
        solution=(
            "        self.weight.accumulate_grad((dout * xhat).sum(axis=0))   # dgamma = sum_n G xhat\n"
            "        self.bias.accumulate_grad(dout.sum(axis=0))              # dbeta  = sum_n G\n"
            "        dxhat = dout * self.weight.data                          # (N, C)\n"
            "        # xhat = xc * s with s = (var + eps)^(-1/2):  ds/dvar = -s^3 / 2\n"
            "        dvar = (dxhat * xc).sum(axis=0) * (-0.5 * s ** 3)        # (C,)\n"
            "        # xc = x - mu reaches the loss directly and through var = mean(xc^2);\n"
            "        # the second path gives dvar * (-2/N) sum_n xc[n] = 0, as sum_n xc[n] = 0.\n"
            "        dmu = -(dxhat * s).sum(axis=0)                           # (C,)\n"
            "        # x reaches xhat directly, through var (dvar/dx = 2 xc / N), through mu (1/N).\n"
            "        return dxhat * s + dvar * 2.0 * xc / N + dmu / N"),
    ),
    Exercise(
        name="dropout", cls="Dropout",
        title_en="Dropout", title_ko="드롭아웃 (Dropout)",
        statement_en=(
            "y = x * mask, with the mask drawn in forward and fixed afterwards.\n"
            "Derive dL/dx from dout = dL/dy in training mode."),
        statement_ko=(
            "y = x * mask이며 mask는 순전파에서 한 번 뽑힌 뒤 고정됩니다.\n"
            "학습 모드에서 dout = dL/dy로부터 dL/dx를 유도하세요."),
        missing_en="Dropout.backward is not written yet: derive dx from dout and the mask",
        missing_ko="Dropout.backward(드롭아웃의 역전파)가 아직 작성되지 않았습니다: dout과 mask로 dx를 유도하세요",
        code=_DROPOUT,
        blank=_todo("return dx = dL/dx (x's shape)"),
        solution="        return dout * mask                            # dropped units get no gradient",
    ),
    Exercise(
        name="softmax_cross_entropy", cls="SoftmaxCrossEntropy",
        title_en="Softmax cross-entropy loss", title_ko="소프트맥스 교차 엔트로피 손실 함수",
        statement_en=(
            "L = -(1/N) sum_n log softmax(z[n])[y[n]]. Show that the softmax and the log\n"
            "cancel into dL/dz[n, c] = (p[n, c] - [c == y[n]]) / N, and return dout times it."),
        statement_ko=(
            "L = -(1/N) sum_n log softmax(z[n])[y[n]]. 소프트맥스와 로그가 상쇄되어\n"
            "dL/dz[n, c] = (p[n, c] - [c == y[n]]) / N 이 됨을 보이고, dout을 곱해 반환하세요."),
        missing_en="SoftmaxCrossEntropy.backward is not written yet: derive dz = (p - onehot(y)) / N",
        missing_ko="SoftmaxCrossEntropy.backward(역전파)가 아직 작성되지 않았습니다: dz = (p - onehot(y)) / N을 유도하세요",
        code=_SOFTMAX_CE,
        blank=_todo("return dz = dout * dL/dz (N, C)"),
        solution=(
            "        dz = p.copy()                                 # softmax p     (N, C)\n"
            "        dz[np.arange(N), y] -= 1.0                    # p - onehot(y)\n"
            "        return dout * dz / N                          # mean over the batch"),
    ),
    Exercise(
        name="l2_penalty", cls="L2Penalty",
        title_en="L2 penalty (weight decay)", title_ko="L2 정규화 (가중치 감쇠)",
        statement_en=(
            "The lecture's L~ = L + lambda Omega(w) with Omega(w) = sum_i w_i^2.\n"
            "Derive d(lambda Omega)/dw: the extra gradient every weight gets from the penalty."),
        statement_ko=(
            "강의의 L~ = L + lambda Omega(w), Omega(w) = sum_i w_i^2 (가중치 감쇠).\n"
            "d(lambda Omega)/dw, 즉 정규화 항이 각 가중치에 더하는 기울기를 유도하세요."),
        missing_en="L2Penalty.backward is not written yet: derive d(lambda * sum w^2)/dw",
        missing_ko="L2Penalty.backward(가중치 감쇠의 역전파)가 아직 작성되지 않았습니다: d(lambda * sum w^2)/dw를 유도하세요",
        code=_L2,
        blank=_todo("return dw = dout * d(penalty)/dw (w's shape)"),
        solution="        return dout * 2.0 * self.lam * w              # d(lam sum w^2)/dw = 2 lam w",
    ),
)


BUGS = (
    Bug(name="linear_bias", cls="Linear", kind="mean_not_sum", tensor="bias",
        title_en="Linear: a wrong bias gradient", title_ko="Linear: 잘못된 편향(bias) 기울기",
        code=_LINEAR,
        buggy=("        self.weight.accumulate_grad(dout.T @ x)\n"
               "        self.bias.accumulate_grad(dout.mean(axis=0))\n"
               "        return dout @ self.weight.data"),
        fixed=("        self.weight.accumulate_grad(dout.T @ x)\n"
               "        self.bias.accumulate_grad(dout.sum(axis=0))   # every row adds its share: a sum\n"
               "        return dout @ self.weight.data")),
    Bug(name="linear_weight", cls="Linear", kind="transpose", tensor="weight",
        title_en="Linear: a wrong weight gradient", title_ko="Linear: 잘못된 가중치 기울기",
        code=_LINEAR,
        buggy=("        self.weight.accumulate_grad(x.T @ dout)\n"
               "        self.bias.accumulate_grad(dout.sum(axis=0))\n"
               "        return dout @ self.weight.data"),
        fixed=("        self.weight.accumulate_grad(dout.T @ x)       # (out, in), like W\n"
               "        self.bias.accumulate_grad(dout.sum(axis=0))\n"
               "        return dout @ self.weight.data")),
    Bug(name="leaky_relu", cls="LeakyReLU", kind="zeros", tensor="x",
        title_en="LeakyReLU: a wrong input gradient", title_ko="LeakyReLU: 잘못된 입력 기울기",
        code=_LEAKY_RELU,
        buggy=("        x = cache\n"
               "        return dout * (x > 0)"),
        fixed=("        x = cache\n"
               "        return dout * np.where(x > 0, 1.0, self.negative_slope)   # slope on both sides")),
    Bug(name="tanh", cls="Tanh", kind="sign", tensor="x",
        title_en="Tanh: a wrong input gradient", title_ko="Tanh: 잘못된 입력 기울기",
        code=_TANH,
        buggy=("        y = cache\n"
               "        return dout * (y ** 2 - 1.0)"),
        fixed=("        y = cache\n"
               "        return dout * (1.0 - y ** 2)                  # tanh' = 1 - tanh^2")),
    Bug(name="mse", cls="MSELoss", kind="scale", tensor="x",
        title_en="MSELoss: a wrong gradient", title_ko="MSELoss: 잘못된 기울기",
        code=_MSE,
        buggy="        return dout * diff / M",
        fixed="        return dout * 2.0 * diff / M                  # d(diff^2) = 2 diff"),
    Bug(name="dropout_return", cls="Dropout", kind="none", tensor="x",
        title_en="Dropout: a backward that gives nothing back", title_ko="Dropout: 아무것도 돌려주지 않는 역전파",
        code=_DROPOUT,
        buggy="        dx = dout * mask",
        fixed=("        dx = dout * mask\n"
               "        return dx")),
)

BUG_STATEMENT_EN = ("This backward has ONE classic bug. Run the grader, read gradcheck's "
                    "diagnosis, find the line and fix it.")
BUG_STATEMENT_KO = ("이 역전파에는 흔한 실수가 하나 있습니다. 채점기를 실행하고 gradcheck의 "
                    "진단을 읽은 뒤, 잘못된 줄을 찾아 고치세요.")
