"""Shared builders for the project's gradient and parity tests.

The reusable parts live in tinynet.testing (a student's tests use them too);
this file adds what only the project's tests need: the lab's lecture model.
"""
import numpy as np
from hypothesis import strategies as st

from experiments.models import LectureBatchNormMLP as LectureMLP  # noqa: F401 (re-exported)
from tinynet.gradcheck import TOLERANCE as GRAD_TOL  # noqa: F401 (re-exported)
from tinynet.testing import KINK_MARGIN, PARITY_TOLERANCE as PARITY_TOL  # noqa: F401 (re-exported)
from tinynet.testing import offsets_away_from_kink, randomize_parameters as randomize  # noqa: F401
from tinynet.testing.strategies import float_arrays, signed_values, spread_columns  # noqa: F401

seeds = st.integers(0, 2**32 - 1)
sizes = st.integers(1, 5)


def assert_grads_close(errors, tol=GRAD_TOL):
    """``errors``: a GradcheckResult, or any mapping name -> relative error."""
    worst = max(errors, key=errors.get)
    assert errors[worst] < tol, str(errors) if hasattr(errors, "details") else (
        f"gradient of {worst!r} off: relative errors {errors}")


def T(a, grad=False):
    """A float64 torch tensor of ``a`` (the PyTorch twin's input)."""
    import torch
    return torch.tensor(np.asarray(a), dtype=torch.float64, requires_grad=grad)


def train_step_both(model, opt, twin, ref_opt, x, y):
    """One cross-entropy SGD/Adam step of the tinynet model and of its torch twin
    on the same batch; returns (our loss, torch's loss) as floats."""
    import torch
    from tinynet import nn
    loss_fn = nn.CrossEntropyLoss()
    loss = loss_fn(model(x), y)
    opt.zero_grad()
    model.backward(loss_fn.backward())
    opt.step()
    ref_loss = torch.nn.functional.cross_entropy(twin(T(x)), torch.from_numpy(np.asarray(y)))
    ref_opt.zero_grad()
    ref_loss.backward()
    ref_opt.step()
    return loss, ref_loss.item()


def close(ours, theirs, tol=PARITY_TOL, same_dtype=False):
    """Our array equals torch's (or NumPy's) to ``tol``, with the same shape."""
    if hasattr(theirs, "detach"):
        theirs = theirs.detach().numpy()
    theirs = np.asarray(theirs)
    assert ours.shape == theirs.shape
    if same_dtype:
        assert ours.dtype == theirs.dtype
    np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol)


def without_timing(records):
    """Seed records ({name: record}) without their wall-clock times, which
    differ from run to run: what two runs of one seed must share bit for bit."""
    return {name: {k: v for k, v in r.items() if k not in ("seconds", "epoch_seconds")}
            for name, r in records.items()}


def run_cli(argv, capsys):
    """Call the lab's CLI in-process; returns (exit code, stdout, stderr)."""
    from experiments import cli
    try:
        code = cli.main(argv)
    except SystemExit as stop:
        code = stop.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def code_without_comments(source, free_names=()):
    """The syntax tree of ``source`` with its comments and docstrings left
    out, as a comparable string: a translation that changes only those
    (the Korean tutorial and notebook) compares equal to the original.
    The values assigned to the names in ``free_names`` (a notebook's LANG)
    are left out too."""
    import ast
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(body, list) and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)):
            body[0] = ast.Pass()
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id in free_names):
            node.value = ast.Constant(None)
    return ast.dump(tree)


def untranslated_comments(source):
    """The comments and docstrings of ``source`` that read as English prose
    (three or more plain English words) and hold no Korean: what a Korean
    translation of the code missed."""
    import ast
    import io
    import re
    import tokenize
    texts = [tok.string for tok in tokenize.generate_tokens(io.StringIO(source).readline)
             if tok.type == tokenize.COMMENT]
    texts += [doc for node in ast.walk(ast.parse(source))
              if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
              and (doc := ast.get_docstring(node))]
    words = lambda text: [w for w in text.split() if re.fullmatch(r"[A-Za-z]{2,}[,.:;]?", w)]
    return [text for text in texts if len(words(text)) >= 3 and not re.search("[가-힣]", text)]
