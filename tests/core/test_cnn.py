"""Convolutional models in nn.Sequential, trained in lockstep with PyTorch (float64, 1e-10),
and the float32 path free of upcasts."""
import numpy as np
import pytest

import tinynet as tn
from tinynet import nn, optim
from tinynet.data import load_mnist, scale_pixels

from helpers import PARITY_TOL, close, train_step_both

torch = pytest.importorskip("torch", reason="PyTorch is the reference implementation")


def simple_cnn():
    """Deep Learning from Scratch's simple CNN for 28 x 28 images."""
    return nn.Sequential(nn.Conv2d(1, 30, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(30 * 12 * 12, 100), nn.ReLU(), nn.Linear(100, 10))


def every_layer_cnn():
    """Padding, strides, a non-square kernel, overlapping max windows, BatchNorm2d and AvgPool2d, on 12 x 12."""
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.AvgPool2d(2),
                         nn.Conv2d(4, 6, (3, 2), stride=2, padding=(1, 0)), nn.ReLU(),
                         nn.MaxPool2d(2, stride=1, padding=1), nn.Flatten(), nn.Linear(6 * 4 * 4, 10))


def torch_twin(model):
    """The same layers in PyTorch, with the tinynet model's parameters and buffers copied."""
    twins = {nn.Conv2d: lambda m: torch.nn.Conv2d(m.in_channels, m.out_channels, m.kernel_size, m.stride,
                                                  m.padding),
             nn.Linear: lambda m: torch.nn.Linear(m.in_features, m.out_features),
             nn.BatchNorm2d: lambda m: torch.nn.BatchNorm2d(m.num_features),
             nn.MaxPool2d: lambda m: torch.nn.MaxPool2d(m.kernel_size, m.stride, m.padding),
             nn.AvgPool2d: lambda m: torch.nn.AvgPool2d(m.kernel_size, m.stride, m.padding),
             nn.ReLU: lambda m: torch.nn.ReLU(), nn.Flatten: lambda m: torch.nn.Flatten()}
    twin = torch.nn.Sequential(*[twins[type(layer)](layer) for layer in model]).double()
    twin.load_state_dict({k: torch.from_numpy(v) for k, v in model.state_dict().items()})
    return twin


def train_in_lockstep(model, batches, lr=0.1):
    model.double()
    twin = torch_twin(model)
    opt = optim.SGD(model.parameters(), lr=lr)
    ref_opt = torch.optim.SGD(twin.parameters(), lr=lr)
    for x, y in batches:
        loss, ref_loss = train_step_both(model, opt, twin, ref_opt, x, y)
        assert abs(loss - ref_loss) < PARITY_TOL
    theirs = twin.state_dict()
    for name, value in model.state_dict().items():
        close(value, theirs[name].numpy())
    return model


def test_simple_cnn_trains_in_lockstep_with_pytorch():
    tn.manual_seed(0)
    rng = np.random.default_rng(0)
    batches = [(rng.random((10, 1, 28, 28)), rng.integers(0, 10, 10)) for _ in range(4)]
    model = train_in_lockstep(simple_cnn(), batches)
    assert model[0].weight.grad.shape == (30, 1, 5, 5)


def test_simple_cnn_on_real_mnist_images_trains_in_lockstep_with_pytorch():
    """Real digits have flat black borders: neighbouring windows compute equal values there,
    so MaxPool2d meets many ties, which must be resolved exactly as PyTorch does."""
    try:
        images, labels = load_mnist(train=False)
    except (FileNotFoundError, RuntimeError, OSError) as error:
        pytest.skip(f"real MNIST not available: {error}")
    tn.manual_seed(1)
    x = scale_pixels(images[:40]).astype(np.float64).reshape(4, 10, 1, 28, 28)
    y = labels[:40].reshape(4, 10)
    train_in_lockstep(simple_cnn(), list(zip(x, y)))


def test_every_new_layer_trains_in_lockstep_with_pytorch():
    tn.manual_seed(2)
    rng = np.random.default_rng(2)
    batches = [(rng.normal(size=(5, 1, 12, 12)), rng.integers(0, 10, 5)) for _ in range(4)]
    model = train_in_lockstep(every_layer_cnn(), batches)
    assert int(model[1].num_batches_tracked) == 4


def test_the_first_layer_gets_no_input_gradient():
    """model.backward passes need_dx=False to the first Conv2d: its col2im never runs."""
    tn.manual_seed(0)
    model = simple_cnn()
    calls = []

    class Spy(nn.Conv2d):
        def backward(self, dout, cache, need_dx=True):
            calls.append(need_dx)
            return super().backward(dout, cache, need_dx)
    model[0].__class__ = Spy
    loss_fn = nn.CrossEntropyLoss()
    loss_fn(model(np.zeros((2, 1, 28, 28), np.float32)), np.array([1, 2]))
    assert model.backward(loss_fn.backward()) is None
    assert calls == [False] and model[0].weight.grad is not None


@pytest.mark.parametrize("make, size", [(simple_cnn, 28), (every_layer_cnn, 12)])
def test_float32_training_never_upcasts(make, size):
    tn.manual_seed(0)
    model = make()
    opt = optim.SGD(model.parameters(), lr=0.1)
    loss_fn = nn.CrossEntropyLoss()
    x = np.random.default_rng(0).random((4, 1, size, size), dtype=np.float32)
    h = x
    for layer in model:                 # every activation stays float32
        h = layer(h)
        assert h.dtype == np.float32, type(layer).__name__
    loss_fn(model(x), np.array([0, 1, 2, 3]))
    opt.zero_grad()
    dx = model.backward(loss_fn.backward(), input_grad=True)
    opt.step()
    assert dx.dtype == np.float32
    for name, p in model.named_parameters():
        assert p.data.dtype == p.grad.dtype == np.float32, name
