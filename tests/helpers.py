"""Shared builders for the project's gradient and parity tests.

The reusable parts live in tinynet.testing (a student's tests use them too);
this file adds what only the project's tests need: the lab's lecture model.
"""
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
