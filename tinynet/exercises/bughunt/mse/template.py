"""The MSELoss bug hunt's fixed code: problem.toml beside it plants the bug, check.py grades it."""


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
        return dout * 2.0 * diff / M                  # d(diff^2) = 2 diff
