"""Tests for tinynet.data.DataLoader."""
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tinynet.data import DataLoader, load_mnist
from tinynet.random import manual_seed


def numbered_images(n, height=3, width=2):
    """uint8 images whose every pixel holds the image's index (mod 256)."""
    return np.broadcast_to((np.arange(n) % 256).astype(np.uint8)[:, None, None],
                           (n, height, width)).copy()


def epoch(loader):
    """All (x, y) batches of one pass over ``loader``."""
    return list(loader)


@given(n=st.integers(1, 200), batch_size=st.integers(1, 70), drop_last=st.booleans(),
       shuffle=st.booleans())
def test_number_and_sizes_of_batches(n, batch_size, drop_last, shuffle):
    assume(not (drop_last and n < batch_size))      # refused: see test_an_empty_loader_...
    loader = DataLoader(numbered_images(n), np.arange(n), batch_size=batch_size,
                        shuffle=shuffle, drop_last=drop_last)
    sizes = [len(y) for _, y in loader]
    full, rest = divmod(n, batch_size)
    expected = [batch_size] * full + ([rest] if rest and not drop_last else [])
    assert sizes == expected
    assert len(loader) == len(expected)
    assert loader.dataset_size == n


@given(n=st.integers(1, 300), batch_size=st.integers(1, 64), seed=st.integers(0, 2**32))
def test_every_sample_exactly_once_per_epoch(n, batch_size, seed):
    manual_seed(seed)
    loader = DataLoader(numbered_images(n), np.arange(n), batch_size=batch_size, shuffle=True)
    for _ in range(2):
        seen = np.concatenate([y for _, y in loader])
        assert sorted(seen.tolist()) == list(range(n))


def test_images_stay_paired_with_labels():
    n = 100
    loader = DataLoader(numbered_images(n), np.arange(n), batch_size=7, shuffle=True)
    for x, y in loader:
        # every pixel of image i is i / 255
        np.testing.assert_array_equal(x[:, 0, 0], (y % 256).astype(np.float32) / np.float32(255))


def test_without_shuffle_order_is_kept_and_float32_batches_are_views():
    images, labels = numbered_images(10), np.arange(10)
    loader = DataLoader(images, labels, batch_size=4)
    batches = epoch(loader)
    assert [y.tolist() for _, y in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    for x, y in batches:
        assert np.shares_memory(y, loader.labels)
    floats = DataLoader(images.astype(np.float32), labels, batch_size=4)
    for x, _ in floats:
        assert np.shares_memory(x, floats.images)


def test_uint8_images_are_kept_as_given_and_batches_are_small_copies():
    images = numbered_images(1000, 28, 28)
    loader = DataLoader(images, np.arange(1000), batch_size=10, shuffle=True, flatten=True)
    stored = loader.images
    assert stored.dtype == np.uint8 and np.shares_memory(stored, images)   # no copy at all
    for x, y in loader:
        assert x.shape == (10, 784) and x.dtype == np.float32 and x.nbytes == 10 * 784 * 4
        assert not np.shares_memory(x, stored)
    assert loader.images is stored  # the data set itself is never replaced or copied


def test_reshuffled_every_epoch():
    manual_seed(0)
    loader = DataLoader(numbered_images(50), np.arange(50), batch_size=50, shuffle=True)
    first = next(iter(loader))[1]
    second = next(iter(loader))[1]
    assert not np.array_equal(first, second)
    assert sorted(first.tolist()) == sorted(second.tolist()) == list(range(50))


def test_reproducible_under_manual_seed():
    images, labels = numbered_images(64), np.arange(64)
    loader = DataLoader(images, labels, batch_size=8, shuffle=True)

    def two_epochs():
        return [y.tolist() for _ in range(2) for _, y in loader]

    manual_seed(123)
    run1 = two_epochs()
    # A loader built *before* seeding must see the new global generator too.
    manual_seed(123)
    run2 = two_epochs()
    manual_seed(124)
    run3 = two_epochs()
    assert run1 == run2
    assert run1 != run3


def test_permutation_comes_from_the_generator():
    loader = DataLoader(numbered_images(20), np.arange(20), batch_size=20, shuffle=True,
                        generator=np.random.default_rng(7))
    expected = np.random.default_rng(7).permutation(20)
    np.testing.assert_array_equal(next(iter(loader))[1], expected)


def test_explicit_generator_ignores_global_seed():
    def order(global_seed):
        manual_seed(global_seed)
        loader = DataLoader(numbered_images(30), np.arange(30), batch_size=30, shuffle=True,
                            generator=np.random.default_rng(5))
        return next(iter(loader))[1].tolist()

    assert order(1) == order(2)


def test_dtypes_shapes_and_flatten():
    images = numbered_images(9, 28, 28)
    x, y = next(iter(DataLoader(images, np.arange(9, dtype=np.uint8), batch_size=4)))
    assert x.dtype == np.float32 and x.shape == (4, 28, 28)
    assert y.dtype == np.int64 and y.shape == (4,)
    x, _ = next(iter(DataLoader(images, np.arange(9), batch_size=4, flatten=True)))
    assert x.shape == (4, 784)
    np.testing.assert_array_equal(x.reshape(4, 28, 28), images[:4] / np.float32(255))


def test_uint8_scaled_by_true_division():
    images = np.arange(256, dtype=np.uint8).reshape(1, 16, 16)
    x, _ = next(iter(DataLoader(images, [0])))
    expected = np.arange(256, dtype=np.float32) / np.float32(255)
    assert x.min() == 0.0 and x.max() == 1.0
    np.testing.assert_array_equal(x.ravel().view(np.int32), expected.view(np.int32))
    # Multiplying by 1/255 instead would differ in the last bit for some values.
    assert not np.array_equal(expected, np.arange(256, dtype=np.float32) * np.float32(1 / 255))


def test_floating_images_taken_as_they_are():
    images = np.array([[[0.5, -2.0], [3.0, 1e-3]]])  # float64
    x, _ = next(iter(DataLoader(images, [1])))
    assert x.dtype == np.float32
    np.testing.assert_array_equal(x, images.astype(np.float32))


def test_values_bit_identical_to_to_tensor():
    transforms = pytest.importorskip("torchvision.transforms",
                                     reason="torchvision not installed")
    root = os.environ.get("TINYNET_DATA")
    if not root or not Path(root, "mnist", "t10k-images-idx3-ubyte.gz").is_file():
        pytest.skip("real data not available: set TINYNET_DATA to the data folder")
    images, labels = load_mnist(root=root, train=False)
    loader = DataLoader(images, labels, batch_size=1000)
    ours = np.concatenate([x for x, _ in loader])
    # ToTensor takes (H, W, C) images: put the 10,000 images in the channel axis.
    reference = transforms.ToTensor()(images.transpose(1, 2, 0)).numpy()
    assert reference.dtype == ours.dtype == np.float32
    np.testing.assert_array_equal(ours.view(np.int32), reference.view(np.int32))


# ----------------------------------------------------------------- errors

@pytest.mark.parametrize("batch_size", [0, -3, 2.5, "8", True, None])
def test_batch_size_must_be_positive_int(batch_size):
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        DataLoader(numbered_images(4), np.arange(4), batch_size=batch_size)


def test_numpy_integer_batch_size_is_fine():
    assert len(DataLoader(numbered_images(4), np.arange(4), batch_size=np.int64(2))) == 2


def test_length_mismatch():
    with pytest.raises(ValueError, match="5 images, 4 labels"):
        DataLoader(numbered_images(5), np.arange(4))


def test_labels_must_be_integers():
    with pytest.raises(TypeError, match="labels must be integers"):
        DataLoader(numbered_images(3), np.array([0.0, 1.0, 2.0]))


def test_labels_must_be_1d():
    with pytest.raises(ValueError, match=r"labels must have shape \(N,\)"):
        DataLoader(numbered_images(3), np.zeros((3, 1), np.int64))


def test_images_need_two_dimensions():
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        DataLoader(np.zeros(3, np.uint8), np.arange(3))


def test_images_must_be_uint8_or_float():
    with pytest.raises(TypeError, match="uint8"):
        DataLoader(np.zeros((3, 2, 2), np.int32), np.arange(3))


def test_generator_type_checked():
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        DataLoader(numbered_images(3), np.arange(3), generator=42)


def test_an_empty_loader_is_refused_with_the_numbers_that_make_it_empty():
    """The README's loop over such a loader used to die with UnboundLocalError: loss."""
    with pytest.raises(ValueError) as info:
        DataLoader(numbered_images(5), np.arange(5), batch_size=10, drop_last=True)
    assert str(info.value) == (
        "DataLoader would yield no batch: 5 samples make no full batch of batch_size=10, and "
        "drop_last=True drops the partial one. Pass drop_last=False, or a batch_size of at most 5")
    for drop_last in (False, True):
        with pytest.raises(ValueError, match=r"DataLoader got 0 samples.*shape \(0, 3, 2\)"):
            DataLoader(numbered_images(0), np.arange(0), drop_last=drop_last)


def test_exactly_one_full_batch_is_fine_with_drop_last():
    loader = DataLoader(numbered_images(10), np.arange(10), batch_size=10, drop_last=True)
    assert [len(y) for _, y in loader] == [10]


# ------------------------------------------------------------- memory layouts

LAYOUTS = {
    "fortran": np.asfortranarray,
    "strided": lambda a: np.repeat(a, 2, axis=0)[::2],
    "reversed twice": lambda a: a[::-1].copy()[::-1],
    "column slice": lambda a: np.pad(a, ((0, 0), (0, 0), (0, 3)))[:, :, :a.shape[2]],
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
@pytest.mark.parametrize("flatten, shuffle", [(False, False), (True, False), (False, True),
                                              (True, True)])
def test_any_memory_layout_gives_the_same_batches(layout, dtype, flatten, shuffle):
    images = np.random.default_rng(0).integers(0, 256, (23, 5, 4)).astype(dtype)
    labels = np.arange(23)
    unusual = LAYOUTS[layout](images)
    assert not unusual.flags.c_contiguous and np.array_equal(unusual, images)
    ours = DataLoader(unusual, LAYOUTS["strided"](labels[:, None, None])[:, 0, 0],
                      batch_size=4, flatten=flatten, shuffle=shuffle,
                      generator=np.random.default_rng(3))
    plain = DataLoader(images, labels, batch_size=4, flatten=flatten, shuffle=shuffle,
                       generator=np.random.default_rng(3))
    for (x, y), (x_plain, y_plain) in zip(ours, plain, strict=True):
        assert x.dtype == x_plain.dtype == np.float32 and x.shape == x_plain.shape
        np.testing.assert_array_equal(x, x_plain)
        np.testing.assert_array_equal(y, y_plain)


def test_uint8_images_are_not_copied_whatever_their_layout():
    images = np.asfortranarray(numbered_images(8))
    assert np.shares_memory(DataLoader(images, np.arange(8)).images, images)
