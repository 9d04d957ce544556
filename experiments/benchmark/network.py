"""What every contestant of the benchmark shares: the lecture's network and
step (784-100-100-100-100-10 ReLU MLP, cross-entropy, plain SGD lr 0.1), its
initial weights, and the in-memory batches the steps are timed on."""
import numpy as np

SIZES = (784, 100, 100, 100, 100, 10)
LR = 0.1


def init_weights(seed=0, sizes=SIZES):
    """PyTorch-style default init (U(+-1/sqrt(fan_in)) for W and b), float64,
    in PyTorch's layout: [(W (out, in), b (out,)), ...]."""
    rng = np.random.default_rng(seed)
    weights = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1.0 / np.sqrt(fan_in)
        weight = rng.uniform(-bound, bound, size=(fan_out, fan_in))
        bias = rng.uniform(-bound, bound, size=fan_out)
        weights.append((weight, bias))
    return weights


def make_batches(batch_size, n_batches=8, seed=1):
    """A small pool of in-memory batches: float32 in [0, 1) and int64 labels."""
    rng = np.random.default_rng(seed + batch_size)
    return [(rng.random((batch_size, SIZES[0]), dtype=np.float32),
             rng.integers(0, SIZES[-1], batch_size, dtype=np.int64))
            for _ in range(n_batches)]


def max_abs_diff(weights_a, weights_b):
    """Largest absolute difference between two weight lists."""
    return max(float(np.max(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64))))
               for pair_a, pair_b in zip(weights_a, weights_b) for a, b in zip(pair_a, pair_b))
