"""What one training run is: a small, frozen description of every setting.

Every experiment is a list of :class:`RunConfig` objects (its
"configurations"), each trained once per seed. A config holds everything
that changes the numbers -- data, model, optimiser, evaluation schedule --
so that two runs with equal settings and the same seed give bit-identical
results, and a finished run can be reused when its settings match.

The defaults are the lecture's baseline: MNIST, the first 300 training
images, the 784-100-100-100-100-10 ReLU MLP, SGD with lr 0.1, batch 10,
100 epochs. The other settings change one thing at a time: the model
(Deep Learning from Scratch's SimpleConvNet, the MLP's depth, activation
and initialisation), the optimizer, the regularisation, the evaluation.
"""
from __future__ import annotations   # ``float | None`` on Python 3.9 too

import functools
import hashlib
import math
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

# Bump when the format of stored results changes: stored seeds whose
# version differs are recomputed instead of reused.
# 2: records hold "diverged" (null or {"epoch", "last_finite_loss"}) and "probes".
# 3: settings name the model, initialisation, optimizer and test_evaluation;
#    records hold "epoch_seconds".
RESULTS_VERSION = 3

# The lab's files whose code determines a run's record (see code_fingerprint):
# its numbers, and the figure data that probes.py records during the run.
# A test checks that every lab module train.run imports is listed here.
_NUMERIC_SOURCES = ("config.py", "data.py", "models.py", "train.py", "learner.py",
                    "training_images.py", "evaluation.py", "divergence.py", "torch_backend.py",
                    "probes.py")

DATASETS = ("mnist", "fashion-mnist")
MODELS = ("mlp", "cnn")                  # the lecture's MLP; Deep Learning from Scratch's SimpleConvNet
ACTIVATIONS = ("relu", "sigmoid")
INITS = ("default", "std0.01", "xavier", "he")   # see models.WEIGHT_INITS
OPTIMIZERS = ("sgd", "adagrad", "rmsprop", "adam")
L1_MODES = ("subgradient", "proximal")   # see tinynet.optim.SGD
BATCHNORM_KINDS = ("none", "shared", "separate")
AUGMENTATIONS = ("none", "rotations", "shift", "crop", "flip", "random_rotation")
ROTATION_ANGLES = (-15, -30, 15, 30)     # the lecture's fixed rotations, each image + 4 copies
TEST_EVALUATIONS = ("schedule", "final", "never")    # see RunConfig.test_evaluation


class SettingError(ValueError):
    """A setting no run can use: ``config`` (its name), ``field`` (the
    RunConfig field) and ``problem`` (what is wrong with the value)."""

    def __init__(self, config, field, problem):
        super().__init__(f"{config}: {field} {problem}")
        self.config, self.field, self.problem = config, field, problem


def count_problem(value):
    """What is wrong with a count (epochs, batch size, seeds, ...), or None."""
    return None if value >= 1 else f"must be at least 1, got {value}"


def choice_problem(value, allowed):
    """What is wrong with a setting that must be one of ``allowed``, or None."""
    return None if value in allowed else f"must be one of {', '.join(allowed)}, got {value!r}"


def lr_problem(value):
    """What is wrong with a learning rate, or None."""
    return None if math.isfinite(value) and value > 0 else \
        f"must be a finite number greater than 0, got {value}"


def momentum_problem(value):
    """What is wrong with an SGD momentum, or None (1 or more never forgets a gradient)."""
    return None if 0 <= value < 1 else f"must be at least 0 and below 1, got {value}"


@dataclass(frozen=True)
class RunConfig:
    """The settings of one configuration of an experiment.

    ``name`` identifies it in file names and JSON; ``label`` is what plots
    and the report show. ``lecture_reported`` is the test accuracy the
    lecture reported for this setup, if any (it is a reference, not a setting).
    """

    name: str
    label: str
    # -- data ---------------------------------------------------------------
    dataset: str = "mnist"
    train_size: int = 300            # the first N training images
    augmentation: str = "none"       # one of AUGMENTATIONS, see training_images.py
    val_size: int = 0                # validation images taken AFTER the first train_size
    # -- model (784-100-100-100-100-10 ReLU MLP, see models.py) ---------------
    model: str = "mlp"               # one of MODELS
    hidden_layers: int = 4           # the MLP's hidden layers, 100 units each
    activation: str = "relu"         # after every hidden layer, one of ACTIVATIONS
    init: str = "default"            # the weights' initialisation, one of INITS
    batchnorm: str = "none"          # "shared": the lecture's one BatchNorm1d reused 4x
    dropout: float = 0.0             # Dropout(p) after each hidden ReLU
    dropconnect: float = 0.0         # DropConnect(p) instead of the 4 hidden Linear layers
    # -- optimisation ---------------------------------------------------------
    optimizer: str = "sgd"           # one of OPTIMIZERS (tinynet.optim), each with its defaults
    epochs: int = 100
    batch_size: int = 10
    lr: float = 0.1
    momentum: float = 0.0            # SGD momentum (PyTorch's convention; 0 = plain SGD)
    nesterov: bool = False           # SGD's Nesterov momentum (needs momentum > 0)
    l1: float = 0.0                  # L~ = L + l1 * sum|w| + l2 * sum w^2 (weights only)
    l1_mode: str = "subgradient"     # how SGD follows the L1 term, one of L1_MODES
    l2: float = 0.0
    patience: int = 0                # early stopping: epochs without improvement (0 = off)
    # -- evaluation -----------------------------------------------------------
    eval_every: int = 5              # test-set evaluation schedule, see evaluation.eval_epochs
    # When the test set is evaluated (evaluation.test_epochs): "schedule" (the
    # learning curves: after epoch 1, every eval_every and the last), "final"
    # (once, after the last epoch), or "never" (a tuning trial, or a selection
    # run of an experiment's choice, see selection.py: scored on the val_size
    # validation images instead; the test set stays unseen).
    test_evaluation: str = "schedule"
    # -- reference, not a setting -------------------------------------------
    lecture_reported: float | None = field(default=None, compare=False)

    def __post_init__(self):
        # Every configuration passes through here -- the scripts' own and the
        # command line's overrides alike -- so each rule is checked in this
        # one place and the CLI reports its message.
        choices = (("dataset", DATASETS), ("model", MODELS), ("activation", ACTIVATIONS),
                   ("init", INITS), ("optimizer", OPTIMIZERS), ("l1_mode", L1_MODES),
                   ("batchnorm", BATCHNORM_KINDS), ("augmentation", AUGMENTATIONS),
                   ("test_evaluation", TEST_EVALUATIONS))
        problems = [
            *((name, choice_problem(getattr(self, name), allowed)) for name, allowed in choices),
            ("dropconnect", "and dropout cannot both be used"
             if self.dropout and self.dropconnect else None),
            ("patience", "(early stopping) needs a validation set, val_size > 0"
             if self.patience and not self.val_size else None),
            ("test_evaluation", f"{self.test_evaluation!r} cannot be combined with early stopping "
             "(patience), which evaluates the test set when it stops"
             if self.patience and self.test_evaluation != "schedule" else None),
            ("test_evaluation", "'never' needs a validation set to score the run on, val_size > 0"
             if self.test_evaluation == "never" and not self.val_size else None),
            *((name, count_problem(getattr(self, name)))
              for name in ("train_size", "hidden_layers", "epochs", "batch_size", "eval_every")),
            ("lr", lr_problem(self.lr)),
            ("momentum", momentum_problem(self.momentum)),
            *self._combination_problems(),
        ]
        for name, problem in problems:
            if problem:
                raise SettingError(self.name, name, problem)
        if self.batch_size > self.images_per_epoch:       # drop_last would leave no batch at all
            raise SettingError(self.name, "batch_size", (
                f"{self.batch_size} is larger than the {self.images_per_epoch} training images "
                "of an epoch: no full batch to train on"))

    def _combination_problems(self):
        """(field, problem) of settings that do not go together."""
        cnn, lecture_bn = self.model == "cnn", self.batchnorm == "shared"
        yield "hidden_layers", ("applies to the MLP only (the CNN's layers are fixed)"
                                if cnn and self.hidden_layers != 4 else None)
        for name in ("batchnorm", "dropout", "dropconnect"):
            yield name, ("applies to the MLP only" if cnn and getattr(self, name) not in (0, "none")
                         else None)
        yield "activation", ("must be relu with the lecture's shared BatchNorm model"
                             if lecture_bn and self.activation != "relu" else None)
        yield "hidden_layers", ("must be 4 with the lecture's shared BatchNorm model"
                                if lecture_bn and self.hidden_layers != 4 else None)
        if self.optimizer != "sgd":
            for name in ("momentum", "nesterov", "l1", "l2"):
                yield name, (f"is a setting of SGD, not of {self.optimizer}"
                             if getattr(self, name) else None)
        yield "nesterov", ("needs momentum > 0 (it looks ahead along the velocity)"
                           if self.nesterov and not self.momentum else None)
        yield "l1_mode", (f"{self.l1_mode!r} needs an L1 penalty, l1 > 0"
                          if self.l1_mode != "subgradient" and not self.l1 else None)

    @property
    def images_per_epoch(self):
        """How many images an epoch's batches are drawn from: train_size, or
        with the lecture's fixed rotations each image and its rotated copies."""
        copies = len(ROTATION_ANGLES) if self.augmentation == "rotations" else 0
        return self.train_size * (1 + copies)

    def settings(self):
        """Everything that determines the numbers (name and label do not).

        Stored with every finished seed; a rerun reuses a stored seed only
        when these settings (and RESULTS_VERSION) are equal.
        """
        values = asdict(self)
        for presentation_only in ("name", "label", "lecture_reported"):
            values.pop(presentation_only)
        values["results_version"] = RESULTS_VERSION
        values["code"] = code_fingerprint()
        return values

    def with_overrides(self, **overrides):
        """A copy with the command-line overrides applied (None = keep).

        The lecture's reported number is dropped when the overrides change
        the setup it was measured on (the test schedule does not count).
        """
        changed = replace(self, **{k: v for k, v in overrides.items() if v is not None})
        same_setup = {**self.settings(), "eval_every": 0} == {**changed.settings(), "eval_every": 0}
        return changed if same_setup else replace(changed, lecture_reported=None)


@functools.lru_cache(maxsize=None)
def code_fingerprint():
    """A short hash of the source code that determines the numbers: all of
    tinynet and the lab's training code. Runs stored by different code --
    say, after a fix in tinynet -- are then recomputed, not reused."""
    import tinynet                    # here, so that reading a config needs no numpy
    package = Path(tinynet.__file__).resolve().parent
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    lab = [here / name for name in _NUMERIC_SOURCES if (here / name).exists()]
    for path in sorted(package.rglob("*.py")) + lab:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class Experiment:
    """One experiment script: a name, what it asks, its configurations,
    and what the report shows of it.

    ``findings(results)`` turns the measured numbers into the short
    sentences of the report; ``results`` gives access to every experiment's
    summary (see summary.Results), so an experiment can compare itself with
    the baseline. ``figures`` lists the figures the report draws for it.

    ``choices`` (selection.Choice): settings chosen on validation data; the
    configurations are then the selection runs, and the lab adds each
    choice's winner (selection.py). ``fixed_settings``: (RunConfig field,
    why) of the settings the experiment sets itself, which the command line
    may not override.
    """

    name: str
    title: str
    question: str
    configs: tuple
    findings: object = None           # callable(results) -> list of tinynet.text.Text
    figures: tuple = ()               # figures/catalogue.py declarations, in report order
    sweep_param: str | None = None    # for sweeps: the RunConfig field on the x axis ...
    sweep_metric: tuple | None = None  # ... and (axis label, scale, ((final metric, legend), ...))
    choices: tuple = ()
    fixed_settings: tuple = ()

    def __post_init__(self):
        names = [c.name for c in self.configs]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: configuration names must be unique, got {names}")
