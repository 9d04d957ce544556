"""Compare a tinynet layer with its PyTorch twin in float64."""
import numpy as np

from ..gradcheck import relative_error
from ..gradcheck.subject import random_upstream, run_backward, run_forward
from ..text import Text, language

# Twin computations in float64 differ only by summation order.
PARITY_TOLERANCE = 1e-10


def assert_matches_torch(layer, torch_module, x, seed=0, tolerance=PARITY_TOLERANCE, copy_state=True, lang=None):
    """Assert that ``layer`` and ``torch_module`` compute the same output,
    input gradient and parameter gradients (and buffers, e.g. BatchNorm's
    running statistics, after the forward pass), in float64.

    Both are converted to float64 in place. With ``copy_state`` the layer's
    parameters and buffers are first copied into the torch module (names
    follow PyTorch's, so ``state_dict`` keys match). Both must be in the same
    mode (train or eval); random layers must be compared in eval mode.
    Skips the calling test when torch is not installed. Returns the relative
    errors by name; raises AssertionError listing every mismatch, in ``lang``
    ("en", "ko" or "both"; by default $TINYNET_LANG, else English).
    """
    lang = language(lang)
    torch = _import_torch(lang)
    subject, twin = type(layer).__name__, type(torch_module).__name__
    layer.double()
    torch_module.double()
    if layer.training != torch_module.training:
        mode = "train" if layer.training else "eval"
        raise ValueError(Text(f"{subject} is in {mode} mode but {twin} is not: call .train() or .eval() on both",
                              f"{subject}은(는) {mode} 모드인데 {twin}은(는) 아닙니다. 둘 다 .train()이나 .eval()을 "
                              "호출하세요").pick(lang))
    if copy_state:
        state = {k: torch.from_numpy(np.array(v)) for k, v in layer.state_dict().items()}
        try:
            torch_module.load_state_dict(state)
        except RuntimeError as error:
            raise ValueError(Text(f"cannot copy {subject}'s state into {twin} (the names or shapes differ): "
                                  f"{error}; pass copy_state=False to compare as they are",
                                  f"{subject}의 상태를 {twin}에 복사할 수 없습니다(이름이나 모양이 다름): {error}. "
                                  "있는 그대로 비교하려면 copy_state=False를 넘기세요").pick(lang)) from None
    x = np.array(x, dtype=np.float64)
    out, cache = run_forward(layer, (x,), seed, lang=lang)
    x_torch = torch.tensor(x, requires_grad=True)
    out_torch = torch_module(x_torch)
    upstream = random_upstream(out, seed)
    for p in layer.parameters():
        p.grad = None
    dx = run_backward(layer, np.copy(upstream), cache)
    out_torch.backward(torch.from_numpy(np.asarray(upstream)))

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
            missing = "tinynet" if ours is None else "torch"
            problems.append(Text(f"  {name}: {missing} has no value", f"  {name}: {missing}에 값이 없습니다"))
            continue
        ours, theirs = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
        if ours.shape != theirs.shape:
            errors[name] = float("inf")
            problems.append(Text(f"  {name}: shape {ours.shape} in tinynet, {theirs.shape} in torch",
                                 f"  {name}: 모양이 tinynet에서 {ours.shape}, torch에서 {theirs.shape}"))
            continue
        errors[name] = relative_error(ours, theirs)
        if not errors[name] <= tolerance:
            k = np.unravel_index(int(np.argmax(np.abs(ours - theirs))), ours.shape) if ours.ndim else ()
            where, values = tuple(int(i) for i in k), f"tinynet {float(ours[k]):.10g}, torch {float(theirs[k]):.10g}"
            problems.append(Text(f"  {name}: relative error {errors[name]:.2e}; largest difference at {where}: "
                                 f"{values}",
                                 f"  {name}: 상대 오차 {errors[name]:.2e}, 차이가 가장 큰 곳 {where}: {values}"))
    if problems:
        heading = Text(f"{subject} differs from its PyTorch twin {twin} (tolerance {tolerance:.0e}):",
                       f"{subject}이(가) PyTorch 쌍둥이 {twin}과(와) 다릅니다(허용 오차 {tolerance:.0e}):")
        lines = [heading, *problems]
        raise AssertionError(Text("\n".join(t.en for t in lines), "\n".join(t.ko for t in lines)).pick(lang))
    return errors


def _import_torch(lang):
    try:
        import torch
    except ImportError:
        try:
            import pytest
        except ImportError:
            raise ImportError(Text("assert_matches_torch needs PyTorch: pip install torch",
                                   "assert_matches_torch에는 PyTorch가 필요합니다: pip install torch").pick(lang)) from None
        pytest.skip(Text("PyTorch is not installed: the comparison with the torch twin is skipped",
                         "PyTorch가 설치되어 있지 않아 torch 쌍둥이와의 비교를 건너뜁니다").pick(lang))
    return torch
