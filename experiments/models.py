"""The lab's networks, built with tinynet.

All are the lecture's 784-100-100-100-100-10 ReLU MLP, with or without
BatchNorm, Dropout or DropConnect.

* :class:`LectureBatchNormMLP` is written exactly like the lecture's model:
  ONE ``BatchNorm1d(100)`` object, reused after fc1, fc2, fc3 and fc4. Its
  weight and bias (gamma, beta) are therefore shared by four layers, and its
  running mean/variance are updated four times per forward pass with four
  different layers' statistics -- which matters at evaluation time, when
  those mixed running statistics normalise every layer.
* Every other variant is an ``nn.Sequential`` built from :func:`layer_plan`,
  a plain list of layer descriptions. The PyTorch backend builds its twin
  from the same plan, so both frameworks get the same architecture and the
  same state_dict keys ("0.weight", "1.running_mean", ...).
"""
from tinynet import nn

IN_FEATURES = 784
HIDDEN = (100, 100, 100, 100)
NUM_CLASSES = 10


class LectureBatchNormMLP(nn.Module):
    """The lecture's BatchNorm model: relu(bn(fc_k(x))) with one shared bn.

    The widths default to the lecture's 784-100-100-100-100-10; the gradient
    tests shrink them to keep finite differences cheap.
    """

    def __init__(self, n_in=IN_FEATURES, hidden=HIDDEN[0], n_out=NUM_CLASSES):
        super().__init__()
        self.fc1 = nn.Linear(n_in, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.fc3 = nn.Linear(hidden, hidden)
        self.fc4 = nn.Linear(hidden, hidden)
        self.fc5 = nn.Linear(hidden, n_out)
        self.relu = nn.ReLU()
        self.bn = nn.BatchNorm1d(hidden)   # one object, used four times below

    def forward(self, x):
        y = self.relu(self.bn(self.fc1(x)))
        y = self.relu(self.bn(self.fc2(y)))
        y = self.relu(self.bn(self.fc3(y)))
        y = self.relu(self.bn(self.fc4(y)))
        return self.fc5(y)


def layer_plan(config):
    """The layers of a Sequential MLP for ``config``, as tuples.

    ("linear", in, out) | ("dropconnect", in, out, p) | ("batchnorm", C)
    | ("relu",) | ("dropout", p). Per hidden layer the order is the
    lecture's: fc -> [bn] -> relu -> [dropout]. DropConnect replaces the
    four hidden Linear layers; the output layer is always a plain Linear.
    """
    plan = []
    sizes = (IN_FEATURES,) + HIDDEN
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        if config.dropconnect:
            plan.append(("dropconnect", fan_in, fan_out, config.dropconnect))
        else:
            plan.append(("linear", fan_in, fan_out))
        if config.batchnorm == "separate":
            plan.append(("batchnorm", fan_out))
        plan.append(("relu",))
        if config.dropout:
            plan.append(("dropout", config.dropout))
    plan.append(("linear", HIDDEN[-1], NUM_CLASSES))
    return plan


_TINYNET_LAYERS = {
    "linear": lambda fan_in, fan_out: nn.Linear(fan_in, fan_out),
    "dropconnect": lambda fan_in, fan_out, p: nn.DropConnect(fan_in, fan_out, p=p),
    "batchnorm": lambda channels: nn.BatchNorm1d(channels),
    "relu": lambda: nn.ReLU(),
    "dropout": lambda p: nn.Dropout(p),
}


def build_model(config):
    """A fresh tinynet model for ``config``.

    Its weights are drawn from tinynet's global generator, so call
    ``tinynet.manual_seed(seed)`` first for a reproducible run.
    """
    if config.batchnorm == "shared":
        if config.dropout or config.dropconnect:
            raise ValueError("the lecture's shared-BatchNorm model has no dropout/DropConnect variant")
        return LectureBatchNormMLP()
    return nn.Sequential(*(_TINYNET_LAYERS[kind](*args) for kind, *args in layer_plan(config)))
