"""Compare a tinynet layer with its PyTorch twin in float64."""
import numpy as np

from ..gradcheck import relative_error
from ..nn.layer import Layer
from ..nn.module import Module
from ..random import manual_seed

# Twin computations in float64 differ only by summation order.
PARITY_TOLERANCE = 1e-10


def assert_matches_torch(layer, torch_module, x, seed=0, tolerance=PARITY_TOLERANCE, copy_state=True):
    """Assert that ``layer`` and ``torch_module`` compute the same output,
    input gradient and parameter gradients (and buffers, e.g. BatchNorm's
    running statistics, after the forward pass), in float64.

    Both are converted to float64 in place. With ``copy_state`` the layer's
    parameters and buffers are first copied into the torch module (names
    follow PyTorch's, so ``state_dict`` keys match). Both must be in the same
    mode (train or eval); random layers must be compared in eval mode.
    Skips the calling test when torch is not installed. Returns the relative
    errors by name; raises AssertionError listing every mismatch.
    """
    torch = _import_torch()
    subject, twin = type(layer).__name__, type(torch_module).__name__
    layer.double()
    torch_module.double()
    if layer.training != torch_module.training:
        raise ValueError(f"{subject} is in {'train' if layer.training else 'eval'} mode but {twin} is not: "
                         "call .train() or .eval() on both")
    if copy_state:
        state = {k: torch.from_numpy(np.array(v)) for k, v in layer.state_dict().items()}
        try:
            torch_module.load_state_dict(state)
        except RuntimeError as error:
            raise ValueError(f"cannot copy {subject}'s state into {twin} (the names or shapes differ): "
                             f"{error}; pass copy_state=False to compare as they are") from None
    x = np.array(x, dtype=np.float64)
    upstream = None
    manual_seed(seed)
    if isinstance(layer, Module) and not isinstance(layer, Layer):
        out = layer(x)
    else:
        out, cache = layer.forward(x)
    x_torch = torch.tensor(x, requires_grad=True)
    out_torch = torch_module(x_torch)
    upstream = np.random.default_rng([seed, 2024]).normal(size=np.shape(out))
    for p in layer.parameters():
        p.grad = None
    if isinstance(layer, Module) and not isinstance(layer, Layer):
        dx = layer.backward(upstream.copy(), input_grad=True)
    else:
        dx = layer.backward(upstream.copy(), cache)
    out_torch.backward(torch.from_numpy(upstream))

    pairs = {"output": (out, out_torch.detach().numpy()), "x": (dx, x_torch.grad.numpy())}
    torch_params = dict(torch_module.named_parameters())
    for name, p in layer.named_parameters():
        theirs = torch_params.get(name)
        pairs[name] = (p.grad, None if theirs is None or theirs.grad is None else theirs.grad.numpy())
    torch_state = torch_module.state_dict()
    parameter_names = set(torch_params)
    for name, value in layer.state_dict().items():
        if name not in parameter_names and name in torch_state:
            pairs[f"{name} (after forward)"] = (value, torch_state[name].numpy())

    errors, problems = {}, []
    for name, (ours, theirs) in pairs.items():
        if ours is None or theirs is None:
            errors[name] = float("inf")
            problems.append(f"  {name}: {'tinynet' if ours is None else 'torch'} has no value")
            continue
        ours, theirs = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
        if ours.shape != theirs.shape:
            errors[name] = float("inf")
            problems.append(f"  {name}: shape {ours.shape} in tinynet, {theirs.shape} in torch")
            continue
        errors[name] = relative_error(ours, theirs)
        if not errors[name] <= tolerance:
            k = np.unravel_index(int(np.argmax(np.abs(ours - theirs))), ours.shape) if ours.ndim else ()
            problems.append(f"  {name}: relative error {errors[name]:.2e}; largest difference at {tuple(int(i) for i in k)}: "
                            f"tinynet {float(ours[k]):.10g}, torch {float(theirs[k]):.10g}")
    if problems:
        raise AssertionError(f"{subject} differs from its PyTorch twin {twin} (tolerance {tolerance:.0e}):\n"
                             + "\n".join(problems))
    return errors


def _import_torch():
    try:
        import torch
    except ImportError:
        try:
            import pytest
        except ImportError:
            raise ImportError("assert_matches_torch needs PyTorch: pip install torch") from None
        pytest.skip("PyTorch is not installed: the comparison with the torch twin is skipped")
    return torch
