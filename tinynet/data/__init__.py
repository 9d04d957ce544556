"""Data for tinynet: IDX files, MNIST / Fashion-MNIST, mini-batches, augmentation.

    images, labels = load_mnist(train=True)            # uint8 (N, 28, 28), int64 (N,)
    # looked for in $TINYNET_DATA, then ~/.cache/tinynet (downloaded there if missing
    # and pooch is installed; `python -m tinynet.data download mnist` does it by hand)
    loader = DataLoader(images, labels, batch_size=64, shuffle=True, flatten=True)
    for x, y in loader:                                # float32 (64, 784), int64 (64,)
        ...
"""
from .datasets import cache_root, data_roots, load_dataset, load_fashion_mnist, load_mnist
from .idx import IDXError, read_idx
from .loader import DataLoader, scale_pixels
from .transforms import (
    augment_with_rotations,
    crop,
    hflip,
    pad,
    random_crop,
    random_rotation,
    random_translation,
    rotate,
    translate,
)

__all__ = [
    "DataLoader",
    "IDXError",
    "augment_with_rotations",
    "cache_root",
    "crop",
    "data_roots",
    "hflip",
    "load_dataset",
    "load_fashion_mnist",
    "load_mnist",
    "pad",
    "random_crop",
    "random_rotation",
    "random_translation",
    "read_idx",
    "rotate",
    "scale_pixels",
    "translate",
]
