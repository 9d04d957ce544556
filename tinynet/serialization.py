"""Save and load a model's state as a NumPy ``.npz`` archive (never pickle)."""
import zipfile

import numpy as np


def save(model, path):
    """Write ``model.state_dict()`` to ``path`` (an .npz file)."""
    np.savez(path, **model.state_dict())


def load(model, path):
    """Load an .npz written by ``save`` into ``model`` (in place); returns the model."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            state = {key: archive[key] for key in archive.files}
    except FileNotFoundError:
        raise FileNotFoundError(f"no saved model at {path}") from None
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as error:
        raise ValueError(f"{path} is not a tinynet .npz model file: {error}") from None
    model.load_state_dict(state)
    return model
