"""Tests for tinynet.data.transforms, mostly against torchvision itself."""
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinynet.data import (augment_with_rotations, crop, hflip, load_mnist, pad, random_crop,
                          random_rotation, random_translation, rotate, translate)
from tinynet.random import manual_seed

ANGLES = [0, 15, -15, 30, -30, 45, -45, 90, -90, 180, 270, 360, 12.5, -7.25, 33.3, 0.001, 179.9]


def torchvision_functional():
    """torchvision.transforms.functional and InterpolationMode, or skip the test."""
    pytest.importorskip("torchvision", reason="torchvision not installed: parity tests need it")
    from torchvision.transforms import InterpolationMode, functional
    return functional, InterpolationMode


def tv_rotate(images, angle, interpolation, fill):
    """torchvision's rotate on a (N, H, W) NumPy batch, as a NumPy batch."""
    import torch
    functional, modes = torchvision_functional()
    mode = {"nearest": modes.NEAREST, "bilinear": modes.BILINEAR}[interpolation]
    batch = torch.from_numpy(np.ascontiguousarray(images))[:, None]  # (N, 1, H, W)
    return functional.rotate(batch, float(angle), interpolation=mode, fill=fill)[:, 0].numpy()


def noise_images(n=20, height=28, width=28, seed=0):
    """Random uint8 images: every pixel differs, so any wrong index shows."""
    return np.random.default_rng(seed).integers(0, 256, (n, height, width), dtype=np.uint8)


def mnist_digits(n=200):
    root = os.environ.get("TINYNET_DATA")
    if not root or not Path(root, "mnist", "t10k-images-idx3-ubyte.gz").is_file():
        pytest.skip("real data not available: set TINYNET_DATA to the data folder")
    return load_mnist(root=root, train=False)[0][:n]


# ---------------------------------------------------------------- rotation

@pytest.mark.parametrize("angle", ANGLES)
@pytest.mark.parametrize("fill", [0, 255, None])
def test_rotate_nearest_equals_torchvision(angle, fill):
    torchvision_functional()
    images = noise_images()
    np.testing.assert_array_equal(rotate(images, angle, "nearest", fill),
                                  tv_rotate(images, angle, "nearest", fill))


@pytest.mark.parametrize("angle", ANGLES)
def test_rotate_nearest_equals_torchvision_on_digits(angle):
    torchvision_functional()
    digits = mnist_digits()
    np.testing.assert_array_equal(rotate(digits, angle), tv_rotate(digits, angle, "nearest", 0))


@given(angle=st.floats(-720, 720, allow_nan=False),
       height=st.integers(1, 33), width=st.integers(1, 33))
def test_rotate_nearest_equals_torchvision_any_angle_and_size(angle, height, width):
    torchvision_functional()
    images = noise_images(3, height, width)
    np.testing.assert_array_equal(rotate(images, angle), tv_rotate(images, angle, "nearest", 0))


@given(angle=st.floats(-360, 360, allow_nan=False))
def test_rotate_float32_nearest_bit_identical(angle):
    torchvision_functional()
    images = noise_images(3).astype(np.float32) / np.float32(255)
    ours = rotate(images, angle)
    assert ours.dtype == np.float32
    np.testing.assert_array_equal(ours.view(np.int32),
                                  tv_rotate(images, angle, "nearest", 0).view(np.int32))


def torch_kernels_fuse_multiply_add():
    """Whether PyTorch runs its AVX2/AVX-512 kernels, compiled with fused multiply-add.

    Our bilinear sum rounds like those kernels. PyTorch's plain x86 kernels
    round each product separately, which changes the last bit of a few values.
    """
    import torch
    return torch.backends.cpu.get_cpu_capability() in ("AVX2", "AVX512")


def check_bilinear(images, angle, fill):
    """Equal to torchvision where its kernels fuse multiply-adds, else within 1 grey level."""
    ours = rotate(images, angle, "bilinear", fill)
    reference = tv_rotate(images, angle, "bilinear", fill)
    if torch_kernels_fuse_multiply_add():
        np.testing.assert_array_equal(ours, reference)
    else:
        difference = np.abs(ours.astype(int) - reference.astype(int))
        assert difference.max() <= 1
        assert np.mean(difference != 0) < 1e-3


@pytest.mark.parametrize("angle", ANGLES)
@pytest.mark.parametrize("fill", [0, 255, 77, None])
def test_rotate_bilinear_matches_torchvision(angle, fill):
    torchvision_functional()
    check_bilinear(noise_images(), angle, fill)


@given(angle=st.floats(-360, 360, allow_nan=False))
def test_rotate_bilinear_matches_torchvision_any_angle(angle):
    torchvision_functional()
    check_bilinear(noise_images(5, seed=1), angle, 0)


@given(angle=st.floats(-360, 360, allow_nan=False))
def test_rotate_float32_bilinear_matches_torchvision(angle):
    torchvision_functional()
    images = noise_images(3, seed=2).astype(np.float32) / np.float32(255)
    ours = rotate(images, angle, "bilinear")
    reference = tv_rotate(images, angle, "bilinear", 0)
    assert ours.dtype == np.float32
    if torch_kernels_fuse_multiply_add():
        np.testing.assert_array_equal(ours.view(np.int32), reference.view(np.int32))
    else:
        np.testing.assert_allclose(ours, reference, rtol=0, atol=1e-6)


def test_rotate_bilinear_on_digits():
    torchvision_functional()
    digits = mnist_digits()
    for angle in ANGLES:
        check_bilinear(digits, angle, 0)


def test_rotate_90_is_a_quarter_turn_counter_clockwise():
    # On an even-sized image a quarter turn about the centre moves every
    # pixel onto another pixel, so nothing needs interpolating.
    images = noise_images(4)
    np.testing.assert_array_equal(rotate(images, 90), np.rot90(images, k=1, axes=(1, 2)))
    np.testing.assert_array_equal(rotate(images, -90), np.rot90(images, k=-1, axes=(1, 2)))
    np.testing.assert_array_equal(rotate(images, 180), images[:, ::-1, ::-1])
    for interpolation in ("nearest", "bilinear"):
        np.testing.assert_array_equal(rotate(images, 0, interpolation), images)


def test_rotate_fills_corners():
    image = np.full((28, 28), 200, np.uint8)
    out = rotate(image, 45, fill=9)
    assert out[0, 0] == out[0, -1] == out[-1, 0] == out[-1, -1] == 9
    assert out[14, 14] == 200


def test_rotate_keeps_shape_and_dtype():
    for images in (noise_images(1)[0], noise_images(3), noise_images(2).astype(np.float64)):
        for interpolation in ("nearest", "bilinear"):
            out = rotate(images, 20, interpolation)
            assert out.shape == images.shape and out.dtype == images.dtype


def test_rotate_batch_equals_one_by_one():
    images = noise_images(6)
    batch = rotate(images, 21.5, "bilinear")
    for image, rotated in zip(images, batch):
        np.testing.assert_array_equal(rotate(image, 21.5, "bilinear"), rotated)


def test_rotate_errors():
    image = noise_images(1)[0]
    with pytest.raises(ValueError, match="interpolation"):
        rotate(image, 10, interpolation="bicubic")
    with pytest.raises(ValueError, match="0..255"):
        rotate(image, 10, fill=300)
    with pytest.raises(TypeError, match="angle"):
        rotate(image, "10")
    with pytest.raises(ValueError, match=r"\(H, W\)"):
        rotate(np.zeros((2, 2, 2, 2), np.uint8), 10)
    with pytest.raises(TypeError, match="uint8 or floating"):
        rotate(np.zeros((2, 2), np.int64), 10)


def test_random_rotation_draws_one_uniform_angle_per_image():
    images = noise_images(12)
    manual_seed(3)
    out = random_rotation(images, 30)
    angles = np.random.default_rng(3).uniform(-30, 30, size=12)  # same draws as manual_seed(3)
    assert len(set(angles.tolist())) == 12 and np.all(np.abs(angles) <= 30)
    for image, angle, rotated in zip(images, angles, out):
        np.testing.assert_array_equal(rotated, rotate(image, angle))


def test_random_rotation_reproducible_and_generator():
    images = noise_images(8)
    manual_seed(5)
    first = random_rotation(images, 25)
    manual_seed(5)
    np.testing.assert_array_equal(random_rotation(images, 25), first)
    a = random_rotation(images, 25, generator=np.random.default_rng(1))
    b = random_rotation(images, 25, generator=np.random.default_rng(1))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(random_rotation(images, 25), first)


def test_random_rotation_range_pair():
    images = noise_images(5)
    out = random_rotation(images, (10, 10))  # a range of one angle
    np.testing.assert_array_equal(out, rotate(images, 10))
    with pytest.raises(ValueError, match=r"degrees must be in \[0, 360\].*got -5"):
        random_rotation(images, -5)
    with pytest.raises(ValueError, match=r"low <= high, got \(10, 5\)"):
        random_rotation(images, (10, 5))


def test_augment_with_rotations_order_and_labels():
    images = noise_images(300)
    labels = np.arange(300) % 10
    all_images, all_labels = augment_with_rotations(images, labels)
    assert all_images.shape == (1500, 28, 28) and all_images.dtype == np.uint8
    assert all_labels.shape == (1500,)
    np.testing.assert_array_equal(all_images[:300], images)
    for k, angle in enumerate((-15, -30, 15, 30), start=1):
        np.testing.assert_array_equal(all_images[300 * k:300 * (k + 1)], rotate(images, angle))
        np.testing.assert_array_equal(all_labels[300 * k:300 * (k + 1)], labels)


def test_augment_with_rotations_checks_lengths():
    with pytest.raises(ValueError, match="labels"):
        augment_with_rotations(noise_images(3), np.arange(2))


# ------------------------------------------------ translation, crop, flip

@given(dx=st.integers(-30, 30), dy=st.integers(-30, 30), fill=st.sampled_from([0, 255, 17]))
def test_translate_equals_torchvision_affine(dx, dy, fill):
    import torch
    functional, _ = torchvision_functional()
    images = noise_images(3)
    reference = functional.affine(torch.from_numpy(images)[:, None], angle=0.0,
                                  translate=[dx, dy], scale=1.0, shear=[0.0, 0.0],
                                  fill=[float(fill)])[:, 0].numpy()
    np.testing.assert_array_equal(translate(images, dx, dy, fill), reference)


def test_translate_direction():
    image = np.zeros((5, 5), np.uint8)
    image[1, 1] = 9
    out = translate(image, 2, 1)  # 2 right, 1 down
    assert out[2, 3] == 9 and out.sum() == 9


def test_random_translation_shifts_within_range():
    images = noise_images(40, 10, 10)
    manual_seed(0)
    out = random_translation(images, 2)
    shifts = set()
    for image, shifted in zip(images, out):
        matches = [(dx, dy) for dx in range(-2, 3) for dy in range(-2, 3)
                   if np.array_equal(translate(image, dx, dy), shifted)]
        assert len(matches) == 1
        shifts.add(matches[0])
    assert len(shifts) > 5  # really random, not one shift for all
    manual_seed(0)
    np.testing.assert_array_equal(random_translation(images, 2), out)


def test_hflip_equals_torchvision():
    import torch
    functional, _ = torchvision_functional()
    images = noise_images(3, 5, 7)
    np.testing.assert_array_equal(hflip(images),
                                  functional.hflip(torch.from_numpy(images)).numpy())
    np.testing.assert_array_equal(hflip(images[0]), images[0, :, ::-1])


@given(top=st.integers(0, 27), left=st.integers(0, 27), data=st.data())
def test_crop_equals_torchvision(top, left, data):
    import torch
    functional, _ = torchvision_functional()
    height = data.draw(st.integers(1, 28 - top))
    width = data.draw(st.integers(1, 28 - left))
    images = noise_images(2)
    reference = functional.crop(torch.from_numpy(images), top, left, height, width).numpy()
    np.testing.assert_array_equal(crop(images, top, left, height, width), reference)


def test_crop_outside_is_an_error():
    with pytest.raises(ValueError, match="does not fit"):
        crop(noise_images(1)[0], 20, 0, 10, 5)


@pytest.mark.parametrize("padding", [0, 1, 4])
def test_pad_equals_torchvision(padding):
    import torch
    functional, _ = torchvision_functional()
    images = noise_images(2, 6, 5)
    reference = functional.pad(torch.from_numpy(images), padding, fill=3).numpy()
    np.testing.assert_array_equal(pad(images, padding, fill=3), reference)


def test_random_crop_windows_of_the_padded_image():
    images = noise_images(200, 6, 6)
    out = random_crop(images, 6, padding=2, generator=np.random.default_rng(0))
    assert out.shape == (200, 6, 6) and out.dtype == np.uint8
    corners = set()
    for image, cropped in zip(images, out):
        padded = pad(image, 2)
        matches = [(top, left) for top in range(5) for left in range(5)
                   if np.array_equal(crop(padded, top, left, 6, 6), cropped)]
        assert len(matches) == 1
        corners.add(matches[0])
    assert corners == {(top, left) for top in range(5) for left in range(5)}


def test_random_crop_single_image_and_rectangular_size():
    image = noise_images(1)[0]
    out = random_crop(image, (20, 10))
    assert out.shape == (20, 10)
    with pytest.raises(ValueError, match="larger than the padded image"):
        random_crop(image, 30)


def test_random_crop_reproducible_under_manual_seed():
    images = noise_images(10)
    manual_seed(11)
    first = random_crop(images, 28, padding=4)
    manual_seed(11)
    np.testing.assert_array_equal(random_crop(images, 28, padding=4), first)


@pytest.mark.parametrize("function", [
    lambda im: translate(im, 1, -2), hflip, lambda im: random_translation(im, 3),
    lambda im: random_crop(im, 28, padding=2), lambda im: random_rotation(im, 30),
])
def test_shape_and_dtype_kept(function):
    for images in (noise_images(1)[0], noise_images(4), noise_images(4).astype(np.float32)):
        out = function(images)
        assert out.shape == images.shape and out.dtype == images.dtype


# ------------------------------------------------------------- absurd ranges

@pytest.mark.parametrize("degrees, message", [
    (1e300, "degrees must be in [0, 360] (at most a full turn each way), got 1e+300"),
    (1e308, "degrees must be in [0, 360] (at most a full turn each way), got 1e+308"),
    (361, "degrees must be in [0, 360] (at most a full turn each way), got 361"),
    (float("nan"), "degrees must be in [0, 360] (at most a full turn each way), got nan"),
    ((float("nan"), 1), "degrees[0] must be in [-360, 360] (at most a full turn), got nan"),
    ((-1e300, 1e300), "degrees[0] must be in [-360, 360] (at most a full turn), got -1e+300"),
    ((0, float("inf")), "degrees[1] must be in [-360, 360] (at most a full turn), got inf"),
    ((1, 2, 3), "degrees must be a number or a pair (low, high), got (1, 2, 3)"),
])
def test_an_absurd_rotation_range_is_a_value_error_naming_the_argument(degrees, message):
    with pytest.raises(ValueError) as info:
        random_rotation(noise_images(2), degrees)
    assert str(info.value) == "random_rotation: " + message


def test_a_full_turn_each_way_is_still_allowed():
    images = noise_images(3)
    assert random_rotation(images, 360).shape == images.shape
    assert random_rotation(images, (-360, 360)).shape == images.shape


@pytest.mark.parametrize("max_shift", [29, 10**6, 2**62, 10**30])
def test_a_shift_larger_than_the_images_is_a_value_error_naming_max_shift(max_shift):
    with pytest.raises(ValueError) as info:
        random_translation(noise_images(2), max_shift)
    assert str(info.value) == (f"random_translation: max_shift must be at most 28 for 28x28 "
                               f"images (a larger shift moves a picture out entirely), "
                               f"got {max_shift}")


def test_a_shift_by_the_whole_image_is_allowed():
    images = noise_images(30, 5, 7)
    manual_seed(1)
    out = random_translation(images, 7)
    assert out.shape == images.shape and (out == 0).all(axis=(1, 2)).any()


@pytest.mark.parametrize("shift", [28, 29, 10**6, 10**30, -(10**30)])
def test_translate_by_any_shift_beyond_the_image_leaves_only_fill(shift):
    images = noise_images(2)
    np.testing.assert_array_equal(translate(images, shift, 0, fill=7), np.full_like(images, 7))
    np.testing.assert_array_equal(translate(images, 0, shift, fill=7), np.full_like(images, 7))


def test_translate_beyond_the_image_equals_torchvision():
    functional, _ = torchvision_functional()
    import torch
    images = noise_images(2)
    theirs = functional.affine(torch.from_numpy(images)[:, None], angle=0.0, translate=[40, -3],
                               scale=1.0, shear=[0.0], fill=5)[:, 0].numpy()
    np.testing.assert_array_equal(translate(images, 40, -3, fill=5), theirs)


def test_absurd_padding_is_a_value_error_naming_padding():
    with pytest.raises(ValueError, match=r"^pad: padding=1000000000000000000000000000000 would "
                                         r"make \d+ bytes of images, more than any array can"):
        pad(noise_images(2), 10**30)
    with pytest.raises(ValueError) as info:
        random_crop(noise_images(2), 28, padding=10**30)
    assert str(info.value) == ("random_crop: padding must be less than the crop size 28x28, got "
                               "1000000000000000000000000000000: a window could then hold no "
                               "pixel of the image")
    with pytest.raises(ValueError, match="padding must be less than the crop size 4x6, got 4"):
        random_crop(noise_images(2), (4, 6), padding=4)


# ------------------------------------------------------------- memory layouts

LAYOUTS = {
    "fortran": np.asfortranarray,
    "strided": lambda a: np.repeat(a, 2, axis=0)[::2],
    "reversed": lambda a: a[::-1].copy()[::-1],
    "column slice": lambda a: np.pad(a, ((0, 0), (0, 0), (0, 3)))[:, :, :a.shape[2]],
}


def seeded(function):
    return lambda images: function(images, generator=np.random.default_rng(5))


TRANSFORMS = {
    "rotate nearest": lambda i: rotate(i, 33),
    "rotate bilinear": lambda i: rotate(i, -21, "bilinear", fill=None),
    "random_rotation": seeded(lambda i, generator: random_rotation(i, 30, generator)),
    "translate": lambda i: translate(i, 2, -1),
    "random_translation": seeded(lambda i, generator: random_translation(i, 3, generator)),
    "pad": lambda i: pad(i, 2, fill=9),
    "crop": lambda i: crop(i, 1, 2, 5, 4),
    "random_crop": seeded(lambda i, generator: random_crop(i, 6, padding=2, generator=generator)),
    "hflip": hflip,
    "augment_with_rotations": lambda i: augment_with_rotations(i, np.arange(len(i)))[0],
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("name", sorted(TRANSFORMS))
@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_every_transform_gives_the_same_result_for_any_memory_layout(layout, name, dtype):
    images = noise_images(6, 9, 8).astype(dtype)
    unusual = LAYOUTS[layout](images)
    assert not unusual.flags.c_contiguous and np.array_equal(unusual, images)
    expected = TRANSFORMS[name](images)
    got = TRANSFORMS[name](unusual)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)
    if name != "augment_with_rotations":                          # it takes batches only
        np.testing.assert_array_equal(TRANSFORMS[name](unusual[0]), TRANSFORMS[name](images[0]))
