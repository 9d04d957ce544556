"""Shared test configuration.

The data tests read MNIST / Fashion-MNIST from ``$TINYNET_DATA``. When the
variable is unset and the project sits beside a ``shared/data`` folder (as on
the development machines and in CI), that folder is used.
"""
import os
from pathlib import Path

from hypothesis import settings

_shared = Path(__file__).resolve().parents[1].parent / "shared" / "data"
if "TINYNET_DATA" not in os.environ and _shared.is_dir():
    os.environ["TINYNET_DATA"] = str(_shared)
# Tests never reach for the network: the experiments' automatic download is off.
os.environ["TINYNET_NO_DOWNLOAD"] = "1"

# Finite-difference checks are slow-ish in float64; wall-clock deadlines are
# meaningless on shared machines, so they are switched off.
settings.register_profile("tinynet", deadline=None, max_examples=60)
settings.load_profile("tinynet")
