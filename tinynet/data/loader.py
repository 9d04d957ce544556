"""Mini-batches for training, with the semantics of ``torch.utils.data.DataLoader``."""
import numbers

import numpy as np

from ..random import generator as global_generator


class DataLoader:
    """Iterate over (images, labels) in mini-batches.

    The data are converted once, here in the constructor:

    * ``uint8`` images become ``float32`` in [0, 1], computed as
      ``float32(x) / 255`` -- a true float32 division, exactly what
      torchvision's ``transforms.ToTensor()`` does, so the values are
      bit-identical to PyTorch's. Floating images are kept as they are
      (converted to float32).
    * labels become ``int64``.
    * with ``flatten=True`` each image is stored as one row: (N, H*W).

    Iterating then only slices these arrays: without shuffling every batch is
    a view (no copy); with shuffling it is one fancy-indexed copy of the
    batch, never a copy of the whole data set.

    Parameters
    ----------
    images : array of shape (N, ...) -- e.g. (N, 28, 28), uint8 or floating
    labels : integer array of shape (N,)
    batch_size : int >= 1
    shuffle : bool
        Visit the samples in a new random order at every epoch, i.e. at every
        ``iter(loader)``. The order is a permutation drawn from ``generator``.
    drop_last : bool
        Skip the last batch if it is smaller than ``batch_size``.
    flatten : bool
        Yield images as (B, H*W) instead of (B, H, W).
    generator : numpy.random.Generator, optional
        Source of the shuffling permutations. When None, tinynet's global
        generator is used, looked up at the start of every epoch, so that
        ``tinynet.random.manual_seed(s)`` before the training loop makes the
        order of every epoch reproducible.

    Yields
    ------
    x : float32 array, (B, H, W) or (B, H*W) with ``flatten=True``
    y : int64 array, (B,)
    """

    def __init__(self, images, labels, batch_size=1, shuffle=False, drop_last=False,
                 flatten=False, generator=None):
        images = np.asarray(images)
        labels = np.asarray(labels)
        _check_arguments(images, labels, batch_size, generator)

        self.images = _to_float32(images)
        if flatten:
            self.images = self.images.reshape(len(self.images), -1)
        self.labels = labels.astype(np.int64)
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.generator = generator

    @property
    def dataset_size(self):
        """Number of samples N."""
        return len(self.labels)

    def __len__(self):
        """Number of batches per epoch."""
        if self.drop_last:
            return self.dataset_size // self.batch_size
        return -(-self.dataset_size // self.batch_size)  # ceiling division

    def __iter__(self):
        """One epoch: ``len(self)`` batches, in a fresh random order if shuffling."""
        order = self._random_order() if self.shuffle else None
        for batch in range(len(self)):
            start = batch * self.batch_size
            stop = min(start + self.batch_size, self.dataset_size)
            if order is None:
                # Slices of the stored arrays: views, nothing is copied.
                yield self.images[start:stop], self.labels[start:stop]
            else:
                # Fancy indexing copies just this batch.
                indices = order[start:stop]
                yield self.images[indices], self.labels[indices]

    def _random_order(self):
        """A permutation of 0..N-1 from our generator, else tinynet's global one."""
        rng = self.generator if self.generator is not None else global_generator()
        return rng.permutation(self.dataset_size)

    def __repr__(self):
        return (f"DataLoader(dataset_size={self.dataset_size}, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last}, "
                f"image_shape={self.images.shape[1:]})")


def _to_float32(images):
    """uint8 -> float32 / 255 (like ToTensor); floating -> float32 unchanged."""
    if images.dtype == np.uint8:
        # Divide (not multiply by 1/255): 1/255 is not exact in float32, so
        # x * (1/255) would differ from ToTensor's x / 255 in the last bit.
        # Dividing in place avoids a second full-size temporary array.
        scaled = images.astype(np.float32)
        scaled /= np.float32(255)
        return scaled
    return images.astype(np.float32)


def _check_arguments(images, labels, batch_size, generator):
    if images.ndim < 2:
        raise ValueError(f"images must have shape (N, ...) with at least 2 dimensions, "
                         f"got shape {images.shape}")
    if images.dtype != np.uint8 and not np.issubdtype(images.dtype, np.floating):
        raise TypeError(f"images must be uint8 (0..255) or floating, got {images.dtype}")
    if labels.ndim != 1:
        raise ValueError(f"labels must have shape (N,), got shape {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"labels must be integers (class indices), got {labels.dtype}")
    if len(images) != len(labels):
        raise ValueError(f"images and labels differ in length: {len(images)} images, "
                         f"{len(labels)} labels")
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) \
            or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if generator is not None and not isinstance(generator, np.random.Generator):
        raise TypeError(f"generator must be a numpy.random.Generator or None, "
                        f"got {type(generator).__name__}")
