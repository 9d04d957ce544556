"""Mini-batches for training, with the semantics of ``torch.utils.data.DataLoader``."""
import numbers

import numpy as np

from ..random import generator as global_generator


class DataLoader:
    """Iterate over (images, labels) in mini-batches.

    Pixels are scaled per batch, as torchvision's ``transforms.ToTensor()``
    does per image: ``uint8`` images stay ``uint8`` in memory (a quarter of
    their float32 size, and no copy of the caller's array), and every batch
    becomes ``float32(x) / 255`` -- a true float32 division, so the values
    are bit-identical to PyTorch's (see :func:`scale_pixels`). Floating
    images are taken as they are (stored as float32, converted once).
    Labels become ``int64``; with ``flatten=True`` each image is one row,
    (N, H*W) -- a reshape, which copies the images only when they are not
    C-contiguous (a Fortran-ordered array, or a slice such as ``x[:, ::2]``).

    A batch is thus one small array per step -- a slice, or a fancy-indexed
    copy of just that batch when shuffling, then scaled -- never a copy of
    the whole data set (but for the reshape above). For float32 images
    without shuffling, batches are views of the stored images. Any memory
    layout gives the same values.

    A loader that would yield no batch at all -- no samples, or fewer than
    ``batch_size`` with ``drop_last=True`` -- is refused: a training loop
    over it would silently do nothing.

    Parameters
    ----------
    images : array of shape (N, ...) -- e.g. (N, 28, 28), uint8 or floating
    labels : integer array of shape (N,)
    batch_size : int >= 1
        With ``drop_last=True``, at most N.
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
        _check_arguments(images, labels, batch_size, drop_last, generator)

        self.images = images if images.dtype == np.uint8 else images.astype(np.float32, copy=False)
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
                x, y = self.images[start:stop], self.labels[start:stop]
            else:
                # Fancy indexing copies just this batch.
                indices = order[start:stop]
                x, y = self.images[indices], self.labels[indices]
            yield scale_pixels(x), y

    def _random_order(self):
        """A permutation of 0..N-1 from our generator, else tinynet's global one."""
        rng = self.generator if self.generator is not None else global_generator()
        return rng.permutation(self.dataset_size)

    def __repr__(self):
        return (f"DataLoader(dataset_size={self.dataset_size}, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last}, "
                f"image_shape={self.images.shape[1:]})")


def scale_pixels(images):
    """uint8 grey levels -> float32 in [0, 1], exactly like ``ToTensor()``.

    Floating arrays are returned as float32 (unchanged if they already are).
    """
    if images.dtype == np.uint8:
        # Divide (not multiply by 1/255): 1/255 is not exact in float32, so
        # x * (1/255) would differ from ToTensor's x / 255 in the last bit.
        # Dividing in place avoids a second temporary array.
        scaled = images.astype(np.float32)
        scaled /= np.float32(255)
        return scaled
    return images.astype(np.float32, copy=False)


def _check_arguments(images, labels, batch_size, drop_last, generator):
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
    if len(labels) == 0:
        raise ValueError("DataLoader got 0 samples, so it would yield no batch (an empty "
                         f"selection such as images[:0]?); images have shape {images.shape}")
    if drop_last and len(labels) < batch_size:
        raise ValueError(f"DataLoader would yield no batch: {len(labels)} samples make no full "
                         f"batch of batch_size={batch_size}, and drop_last=True drops the "
                         f"partial one. Pass drop_last=False, or a batch_size of at most "
                         f"{len(labels)}")
    if generator is not None and not isinstance(generator, np.random.Generator):
        raise TypeError(f"generator must be a numpy.random.Generator or None, "
                        f"got {type(generator).__name__}")
