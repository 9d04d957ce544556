"""The ceiling: a minimal, hand-tuned NumPy SGD step of the lecture's
network, the speed a NumPy framework can hope for (see the class docstring
for every trick it uses). A contestant of ``python -m experiments.benchmark``
(contestants.py describes the shared interface)."""
import numpy as np

from .network import LR


class CeilingStep:
    """Hand-tuned NumPy SGD step: the speed a NumPy framework can hope for.

    Everything a framework cannot do, because it must leave its arrays to
    the user: every buffer is allocated once and written with ``out=``; the
    activations are changed in place; no input is checked. Plus every
    NumPy-level speed trick, including those tinynet's textbook layers
    leave out for readability (docs/performance.md), so the ceiling stays
    an upper bound:

    * weights in PyTorch's (out, in) layout: ``x @ W.T`` and ``G.T @ x``
      are the fastest forms for the large first layer;
    * the weight gradient of the first layer by ``np.matmul``, which, unlike
      ``np.dot``, does not zero-fill its output before BLAS overwrites it;
    * ReLU through a 0/1 mask in the activations' dtype (float * float is
      cheaper than float * bool), made in the forward pass and reused;
    * bias gradients and the softmax's row sums as matrix-vector products
      with a vector of ones, cheaper than reductions on small arrays;
    * the true classes by one flat index (``take``/``put``), cheaper than
      fancy indexing with (rows, labels);
    * lr as a 0-d array of the parameters' dtype (a Python float is
      converted on every operation);
    * a fused softmax + cross-entropy backward, ``(softmax(z) - onehot(y)) / N``.

    Gradients land in their own buffers (as in a framework, where they stay
    inspectable after the step) and the update is ``W -= lr * dW`` through
    one scratch buffer per parameter.
    """

    name = "ceiling"

    def __init__(self, weights, batch_size, lr=LR, dtype=np.float32):
        dtype = np.dtype(dtype)
        self.dtype = dtype
        self.lr = np.array(lr, dtype=dtype)
        self.W = [np.array(W, dtype=dtype) for W, _ in weights]          # (out, in)
        self.b = [np.array(b, dtype=dtype) for _, b in weights]
        self.weight_grads = [np.empty_like(W) for W in self.W]
        self.bias_grads = [np.empty_like(b) for b in self.b]
        self.weight_scratch = [np.empty_like(W) for W in self.W]
        self.bias_scratch = [np.empty_like(b) for b in self.b]
        n = batch_size
        # activations[i]: output of layer i (ReLU applied in place for hidden
        # layers, the logits for the last one)
        self.activations = [np.empty((n, W.shape[0]), dtype) for W in self.W]
        # input_grads[i]: gradient w.r.t. the input of layer i (none for layer 0)
        self.input_grads = [None] + [np.empty((n, W.shape[1]), dtype) for W in self.W[1:]]
        self.positive = [np.empty((n, W.shape[0]), bool) for W in self.W[:-1]]
        self.relu_masks = [np.empty((n, W.shape[0]), dtype) for W in self.W[:-1]]
        n_classes = self.W[-1].shape[0]
        self.probs = np.empty((n, n_classes), dtype)
        self.row_max = np.empty((n, 1), dtype)
        self.row_sums = np.empty(n, dtype)
        self.log_row_sums = np.empty(n, dtype)
        self.row_start = np.arange(0, n * n_classes, n_classes)
        self.ones_batch = np.ones(n, dtype)
        self.ones_classes = np.ones(n_classes, dtype)
        self.inv_n = np.array(1.0 / n, dtype=dtype)
        self.zero = dtype.type(0)
        self.params = (list(zip(self.W, self.weight_grads, self.weight_scratch))
                       + list(zip(self.b, self.bias_grads, self.bias_scratch)))

    def prepare(self, x, y):
        return np.ascontiguousarray(x, dtype=self.dtype), np.asarray(y, dtype=np.int64)

    def step(self, x, y):
        self.forward(x)
        loss = self.loss_and_grad(y)
        self.backward(x)
        self.update()
        return loss

    # The four phases, separate so that the benchmark's --profile can time
    # each; a call costs ~0.1 us, nothing next to the ~150 us of a step.
    def forward(self, x):
        dot, add, multiply, greater, copyto = np.dot, np.add, np.multiply, np.greater, np.copyto
        W, b, activations, zero = self.W, self.b, self.activations, self.zero
        positive, relu_masks = self.positive, self.relu_masks
        last = len(W) - 1
        hidden = x
        for i in range(last):
            out = activations[i]
            dot(hidden, W[i].T, out=out)
            add(out, b[i], out=out)
            greater(out, zero, out=positive[i])
            copyto(relu_masks[i], positive[i])   # the 0/1 ReLU mask, as floats
            multiply(out, relu_masks[i], out=out)  # ReLU in place
            hidden = out
        logits = activations[last]
        dot(hidden, W[last].T, out=logits)
        add(logits, b[last], out=logits)

    def loss_and_grad(self, y):
        """Mean cross-entropy of the logits; leaves (softmax - onehot) / N in self.probs."""
        logits, probs, row_sums = self.activations[-1], self.probs, self.row_sums
        true_class = self.row_start + y          # flat index of logits[n, y[n]]
        np.maximum.reduce(logits, axis=1, keepdims=True, out=self.row_max)
        np.subtract(logits, self.row_max, out=probs)
        picked = probs.take(true_class)          # shifted logit of the true class
        np.exp(probs, out=probs)
        np.dot(probs, self.ones_classes, out=row_sums)
        np.log(row_sums, out=self.log_row_sums)
        loss = float((np.dot(self.ones_batch, self.log_row_sums)
                      - np.dot(self.ones_batch, picked)) * self.inv_n)
        np.divide(probs, row_sums[:, None], out=probs)
        probs.put(true_class, probs.take(true_class) - 1)
        np.multiply(probs, self.inv_n, out=probs)
        return loss

    def backward(self, x):
        dot, W, ones = np.dot, self.W, self.ones_batch
        activations, relu_masks, input_grads = self.activations, self.relu_masks, self.input_grads
        weight_grads, bias_grads = self.weight_grads, self.bias_grads
        grad = self.probs
        for i in range(len(W) - 1, 0, -1):
            dot(grad.T, activations[i - 1], out=weight_grads[i])
            dot(ones, grad, out=bias_grads[i])             # bias gradient: G^T 1
            input_grad = input_grads[i]
            dot(grad, W[i], out=input_grad)
            np.multiply(input_grad, relu_masks[i - 1], out=input_grad)   # ReLU derivative
            grad = input_grad
        np.matmul(grad.T, x, out=weight_grads[0])          # first layer: no input gradient
        dot(ones, grad, out=bias_grads[0])

    def update(self):
        lr, multiply, subtract = self.lr, np.multiply, np.subtract
        for param, grad, scratch in self.params:              # param -= lr * grad, in place
            multiply(grad, lr, out=scratch)
            subtract(param, scratch, out=param)

    def weights(self):
        return [(W.astype(np.float64), b.astype(np.float64)) for W, b in zip(self.W, self.b)]
