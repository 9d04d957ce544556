"""A residual MLP and a two-branch MLP against PyTorch, in float64 (errors < 1e-10)."""
import numpy as np
import pytest

import tinynet as tn
from tinynet import nn, optim

from helpers import PARITY_TOL

torch = pytest.importorskip("torch", reason="PyTorch is the reference implementation; "
                                            "install it with pip install -e '.[test]'")


class Residual(nn.Module):
    """fc_out(h + fc2(relu(fc1(h)))), h = relu(fc_in(x)): x + block(x) in the middle."""

    def __init__(self):
        super().__init__()
        self.fc_in, self.fc1, self.fc2, self.fc_out = (nn.Linear(6, 8), nn.Linear(8, 8),
                                                       nn.Linear(8, 8), nn.Linear(8, 3))
        self.relu, self.add = nn.ReLU(), nn.Add()

    def forward(self, x):
        h = self.relu(self.fc_in(x))
        return self.fc_out(self.add(h, self.fc2(self.relu(self.fc1(h)))))


class TorchResidual(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc_in, self.fc1, self.fc2, self.fc_out = (torch.nn.Linear(6, 8), torch.nn.Linear(8, 8),
                                                       torch.nn.Linear(8, 8), torch.nn.Linear(8, 3))

    def forward(self, x):
        h = torch.relu(self.fc_in(x))
        return self.fc_out(h + self.fc2(torch.relu(self.fc1(h))))


class TwoBranch(nn.Module):
    """head(concat(relu(a(x)), relu(b2(relu(b1(x)))))): two branches of different depth."""

    def __init__(self):
        super().__init__()
        self.a, self.b1, self.b2, self.head = (nn.Linear(6, 5), nn.Linear(6, 4), nn.Linear(4, 4),
                                               nn.Linear(9, 3))
        self.relu, self.cat = nn.ReLU(), nn.Concat()

    def forward(self, x):
        left = self.relu(self.a(x))
        right = self.relu(self.b2(self.relu(self.b1(x))))
        return self.head(self.cat(left, right))


class TorchTwoBranch(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b1, self.b2, self.head = (torch.nn.Linear(6, 5), torch.nn.Linear(6, 4),
                                               torch.nn.Linear(4, 4), torch.nn.Linear(9, 3))

    def forward(self, x):
        left = torch.relu(self.a(x))
        right = torch.relu(self.b2(torch.relu(self.b1(x))))
        return self.head(torch.cat([left, right], dim=1))


@pytest.mark.parametrize("ours, theirs", [(Residual, TorchResidual), (TwoBranch, TorchTwoBranch)])
def test_training_matches_torch(ours, theirs):
    torch.manual_seed(0)
    ref = theirs().double()
    model = ours().double()
    model.load_state_dict({k: v.numpy() for k, v in ref.state_dict().items()})
    loss_fn = nn.CrossEntropyLoss()
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    ref_opt = torch.optim.SGD(ref.parameters(), lr=0.1, momentum=0.9)
    rng = np.random.default_rng(0)
    for step in range(6):
        x, y = rng.normal(size=(7, 6)), rng.integers(0, 3, size=7)
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        input_grad = step % 2 == 1                      # every other step, also dL/dx (a saliency map)
        dx = model.backward(loss_fn.backward(), input_grad=input_grad)
        xt = torch.tensor(x, requires_grad=True)
        ref_loss = torch.nn.functional.cross_entropy(ref(xt), torch.tensor(y))
        ref_opt.zero_grad()
        ref_loss.backward()
        assert abs(loss - ref_loss.item()) < PARITY_TOL
        for name, p in model.named_parameters():
            expected = dict(ref.named_parameters())[name].grad.numpy()
            np.testing.assert_allclose(p.grad, expected, rtol=PARITY_TOL, atol=PARITY_TOL, err_msg=name)
        if input_grad:
            np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=PARITY_TOL, atol=PARITY_TOL)
        else:
            assert dx is None
        opt.step()
        ref_opt.step()
    for name, value in ref.state_dict().items():
        np.testing.assert_allclose(model.state_dict()[name], value.numpy(), rtol=PARITY_TOL, atol=PARITY_TOL)
