"""Shared test configuration.

The data tests read MNIST / Fashion-MNIST from ``$TINYNET_DATA``. When the
variable is unset and the project sits beside a ``shared/data`` folder (as on
the development machines and in CI), that folder is used.
"""
import os
import sys
from pathlib import Path

from hypothesis import settings

_shared = Path(__file__).resolve().parents[1].parent / "shared" / "data"
if "TINYNET_DATA" not in os.environ and _shared.is_dir():
    os.environ["TINYNET_DATA"] = str(_shared)
# One BLAS thread: the tests' matrices are small, and on a busy 2-core
# machine a second spinning BLAS thread made batch-10 training up to 30x
# slower. Set before NumPy loads (subprocesses inherit it too).
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
if "numpy" in sys.modules:                 # already loaded by a plugin: limit it now
    from threadpoolctl import threadpool_limits
    threadpool_limits(1)
# Tests never reach for the network: the experiments' automatic download is off.
os.environ["TINYNET_NO_DOWNLOAD"] = "1"

# Finite-difference checks are slow-ish in float64; wall-clock deadlines are
# meaningless on shared machines, so they are switched off.
# derandomize: every run draws the same examples, so CI's verdict is
# reproducible (a rare degenerate example -- e.g. a structurally zero bias
# gradient measured against its own rounding noise -- cannot turn CI red by chance).
settings.register_profile("tinynet", deadline=None, max_examples=60, derandomize=True)
settings.load_profile("tinynet")
