"""The lab's networks, built with tinynet.

The lecture's 784-100-100-100-100-10 ReLU MLP, with or without BatchNorm,
Dropout or DropConnect, deeper or with sigmoid units; and Deep Learning from
Scratch's SimpleConvNet (the ``cnn`` experiment):

    Conv2d(1, 30, 5) -> ReLU -> MaxPool2d(2) -> Flatten
    -> Linear(30*12*12, 100) -> ReLU -> Linear(100, 10)

which sees each image as (1, 28, 28): :func:`input_shape` says what shape
the data must have, for training and evaluation alike.

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
IMAGE = (1, 28, 28)                  # (channels, height, width) of an image for the CNN
FILTERS, KERNEL, POOL = 30, 5, 2     # SimpleConvNet: 30 filters of 5x5, 2x2 max pooling
POOLED = FILTERS * ((IMAGE[1] - KERNEL + 1) // POOL) * ((IMAGE[2] - KERNEL + 1) // POOL)  # 30*12*12
# Rows per forward pass when a whole split is evaluated. The MLP takes a
# split in one batch (the lecture's evaluation needs that: training-mode
# BatchNorm normalises with the batch's statistics). The CNN has no
# BatchNorm, and one pass over 10,000 images would hold its im2col columns
# and feature maps, over 1 GB, at once; 100 rows at a time stay in the
# processor's cache and are faster per image than 500 or 1,000.
CNN_EVAL_ROWS = 100

# Weight initialisations (RunConfig.init), from tinynet.nn.init; biases
# start at 0 with each of them. "default" keeps each layer's own
# initialisation (PyTorch's, U(-1/sqrt(fan_in), 1/sqrt(fan_in))).
WEIGHT_INITS = {
    "std0.01": lambda w: nn.init.normal_(w, 0.0, 0.01),
    "xavier": nn.init.xavier_normal_,                   # std sqrt(2 / (fan_in + fan_out))
    "he": lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"),   # std sqrt(2 / fan_in)
}


def input_shape(config):
    """The shape of one image as the model takes it: (784,) or (1, 28, 28)."""
    return IMAGE if config.model == "cnn" else (IN_FEATURES,)


def eval_rows(config):
    """Rows per forward pass over a whole split (None: all at once)."""
    return CNN_EVAL_ROWS if config.model == "cnn" else None


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
    """The layers of a Sequential network for ``config``, as tuples.

    ("linear", in, out) | ("dropconnect", in, out, p) | ("batchnorm", C)
    | ("relu",) | ("sigmoid",) | ("dropout", p) | ("conv", in, out, kernel)
    | ("maxpool", kernel) | ("flatten",). Per hidden layer of the MLP the
    order is the lecture's: fc -> [bn] -> activation -> [dropout].
    DropConnect replaces the hidden Linear layers; the output layer is
    always a plain Linear.
    """
    act = (config.activation,)
    if config.model == "cnn":
        return [("conv", IMAGE[0], FILTERS, KERNEL), act, ("maxpool", POOL), ("flatten",),
                ("linear", POOLED, HIDDEN[0]), act, ("linear", HIDDEN[0], NUM_CLASSES)]
    plan = []
    sizes = (IN_FEATURES,) + (HIDDEN[0],) * config.hidden_layers
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        if config.dropconnect:
            plan.append(("dropconnect", fan_in, fan_out, config.dropconnect))
        else:
            plan.append(("linear", fan_in, fan_out))
        if config.batchnorm == "separate":
            plan.append(("batchnorm", fan_out))
        plan.append(act)
        if config.dropout:
            plan.append(("dropout", config.dropout))
    plan.append(("linear", sizes[-1], NUM_CLASSES))
    return plan


_TINYNET_LAYERS = {
    "linear": lambda fan_in, fan_out: nn.Linear(fan_in, fan_out),
    "dropconnect": lambda fan_in, fan_out, p: nn.DropConnect(fan_in, fan_out, p=p),
    "batchnorm": lambda channels: nn.BatchNorm1d(channels),
    "relu": lambda: nn.ReLU(),
    "sigmoid": lambda: nn.Sigmoid(),
    "dropout": lambda p: nn.Dropout(p),
    "conv": lambda channels, filters, kernel: nn.Conv2d(channels, filters, kernel),
    "maxpool": lambda kernel: nn.MaxPool2d(kernel),
    "flatten": lambda: nn.Flatten(),
}


def parameter_counts(config):
    """[(layer kind, number of parameters)] of the layers with parameters
    of ``config``'s Sequential network, from its layer plan."""
    counts = []
    for kind, *args in layer_plan(config):
        if kind in ("linear", "dropconnect"):
            counts.append((kind, args[0] * args[1] + args[1]))
        elif kind == "conv":
            channels, filters, kernel = args
            counts.append((kind, filters * channels * kernel * kernel + filters))
        elif kind == "batchnorm":
            counts.append((kind, 2 * args[0]))
    return counts


def initialise(model, init):
    """Draw every connection weight (Linear, DropConnect, Conv2d) of ``model``
    again by the scheme ``init`` and set its bias to 0 (``"default"``: keep
    the layers' own initialisation)."""
    if init == "default":
        return model
    fill = WEIGHT_INITS[init]
    for layer in model.modules():
        weight = getattr(layer, "weight", None)
        if weight is not None and weight.penalized:       # a connection weight, not BatchNorm's
            fill(weight)
            if getattr(layer, "bias", None) is not None:
                nn.init.zeros_(layer.bias)
    return model


def build_model(config):
    """A fresh tinynet model for ``config``.

    Its weights are drawn from tinynet's global generator, so call
    ``tinynet.manual_seed(seed)`` first for a reproducible run.
    """
    if config.batchnorm == "shared":
        if config.dropout or config.dropconnect:
            raise ValueError("the lecture's shared-BatchNorm model has no dropout/DropConnect variant")
        return initialise(LectureBatchNormMLP(), config.init)
    model = nn.Sequential(*(_TINYNET_LAYERS[kind](*args) for kind, *args in layer_plan(config)))
    return initialise(model, config.init)
