r"""Check hand-written gradients against finite differences -- and say what is wrong.

    import numpy as np, tinynet as tn
    layer = tn.nn.Linear(4, 3).double()
    x = np.random.default_rng(0).normal(size=(5, 4))
    result = tn.gradcheck.check_layer(layer, x)
    result.ok               # True: every error is within result.tolerance (1e-7)
    result["weight"]        # 5e-13: a mapping tensor name -> relative error
    print(result)           # the report: per tensor its error; for a failing one
                            # its worst entries and a hint naming the classic bug

How: backward runs once with a random upstream gradient G (an all-ones G
would hide bugs: BatchNorm's dx is exactly zero for it, whatever bug it
has), and each entry of the input and of every parameter is compared with a
Richardson-extrapolated central difference of sum(G * forward(x)) in
float64 (numeric.py). A correct backward agrees to about 1e-10, a wrong one
is off by order 1, so the default tolerance 1e-7 separates them. Inputs and
parameters holding NaN or inf, and empty batches, are refused up front.

When a tensor fails, the pattern of the mismatch names the bug (patterns.py):
hint kinds "dout_ignored" (the backward matches an all-ones dout),
"scale" (a constant factor, named when it is an expression of the batch
size N, of the layer's own numbers such as Dropout's p, or 2), "sign",
"mean_not_sum" (a parameter's gradient averaged over the batch instead of
summed), "transpose", "zeros" (a missing branch or mask),
"batch_statistic" (a term through the batch's mean or variance is missing
or wrong), "form" (the ratio varies: a factor or term depending on x or y
is wrong), "swapped" (two gradients each other's), "none" (backward
returned None or never set a parameter's gradient), "shape", "nonfinite",
"dout_modified" (backward changed its upstream gradient in place),
"input_modified" (forward or backward changed the layer's input in place)
and "need_dx" (backward(..., need_dx=False), as a model's first layer is
called, gives other parameter gradients than need_dx=True).

The warning "kink" says that an input lies within the finite-difference
step of a kink (ReLU at 0), where the central difference is not to be
trusted. A tensor whose only mismatches are such entries passes when the
backward gives, at each of them, the slope of one side of the kink.

Reports, hints, warnings and errors are in English, Korean or both:
``lang="en" | "ko" | "both"`` on every check, else $TINYNET_LANG, else
English (tinynet.text.language). Hint kinds stay English.
"""
from .checks import check_function, check_layer, check_loss
from .numeric import finite_differences, numerical_gradient, relative_error
from .result import BUG_KINDS, TOLERANCE, WARNING_KINDS, Entry, GradcheckResult, Hint, TensorCheck

__all__ = ["BUG_KINDS", "Entry", "GradcheckResult", "Hint", "TOLERANCE", "TensorCheck", "WARNING_KINDS",
           "check_function", "check_layer", "check_loss", "finite_differences", "numerical_gradient",
           "relative_error"]
