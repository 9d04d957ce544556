"""THE training and evaluation loop of the lab -- one copy, used by every
experiment and by both frameworks.

One call of :func:`run` trains one configuration with one seed:

    seed -> tinynet.manual_seed(seed) -> build the model (init weights)
    for each epoch:
        DataLoader(shuffle=True, drop_last=True) over the training images
        for each batch: forward -> loss -> backward -> SGD step
        evaluate: train accuracy every epoch, test accuracy on a schedule
    evaluate once more the lecture's way (see below)

Everything random -- weight init, dropout/DropConnect masks, augmentation,
shuffling -- draws from tinynet's one global generator, so the same seed
gives bit-identical numbers.

The framework-specific part is a small "learner" object: :class:`TinynetLearner`
here, ``torch_backend.TorchLearner`` for PyTorch. Both receive the very same
batches from the same DataLoader, and the PyTorch model starts from the
tinynet model's initial weights, so the two frameworks can be compared
run by run.

Two evaluations
---------------
* The proper one (every recorded accuracy): ``model.eval()`` -- BatchNorm
  uses its running statistics, dropout is off -- and test pixels scaled to
  [0, 1] exactly like the training pixels.
* The lecture's (``lecture_eval_*`` in the results): raw 0..255 test pixels
  (the training used ToTensor's [0, 1]) and the model left in training
  mode, one batch of all 10,000 test images -- so BatchNorm normalises with
  that batch's statistics and dropout stays active. It shows students why
  the lecture's numbers look as they do.

Evaluation schedule
-------------------
A forward pass over the 10,000 test images costs about 30 ms on one core,
as much as ~170 training steps of the baseline (0.18 ms each): evaluated
after every epoch, the test set would take 2.9 s of a baseline run whose
training takes 0.5 s. So it is evaluated after epoch 1, every
``eval_every`` (default 5) epochs, and always after the last epoch (see
:func:`eval_epochs`): 0.6 s per run. Train accuracy (300 images, ~1 ms) is
recorded every epoch.
"""
from __future__ import annotations

import math
import time

import numpy as np

import tinynet as tn
from tinynet import nn, optim
from tinynet.data import DataLoader, scale_pixels, transforms

from . import probes
from .models import build_model

NEAR_ZERO = 1e-3   # |w| below this counts as a "near-zero" weight (L1 sparsity)


# --------------------------------------------------------------------------
# The framework-specific part: one SGD step, and forward passes to evaluate.
# --------------------------------------------------------------------------
class TinynetLearner:
    """A tinynet model with its loss and optimiser.

    ``step`` is the lecture's inner loop, line for line.
    """

    framework = "tinynet"

    def __init__(self, model, config):
        self.model = model
        self.loss_fn = nn.CrossEntropyLoss()
        # l1/l2 > 0 turn SGD's gradient into that of L~ = L + l1*sum|w| + l2*sum w^2.
        self.optimizer = optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum,
                                   l1=config.l1, l2=config.l2)

    def step(self, x, y):
        """One SGD step on the batch; returns the batch's mean cross-entropy L."""
        logits = self.model(x)
        loss = self.loss_fn(logits, y)
        self.optimizer.zero_grad()
        self.model.backward(self.loss_fn.backward())
        self.optimizer.step()
        return loss

    def penalty(self):
        """The current l1*sum|w| + l2*sum w^2 (0 without a penalty)."""
        return self.optimizer.penalty()

    def logits(self, x):
        """Forward pass without recording a backward tape, in the current mode."""
        with tn.no_grad():
            return self.model(x)

    def train(self):
        self.model.train()

    def eval(self):
        self.model.eval()

    def state_dict(self):
        return self.model.state_dict()

    def load_state_dict(self, state):
        self.model.load_state_dict(state)

    def connection_weights(self):
        """The penalised weights (Linear/DropConnect), as numpy arrays."""
        return [p.data for p in self.model.parameters() if p.penalized]


def make_learner(framework, model, config, seed):
    """The learner for ``framework``; PyTorch is imported only when asked for."""
    if framework == "tinynet":
        return TinynetLearner(model, config)
    if framework == "torch":
        from . import torch_backend     # lazy: tinynet runs never import torch
        return torch_backend.TorchLearner(model, config, seed)
    raise ValueError(f"unknown framework {framework!r}")


# --------------------------------------------------------------------------
# Data for one epoch
# --------------------------------------------------------------------------
def base_training_set(config, data):
    """The images the epochs are drawn from: the originals, or for the
    lecture's fixed rotations the originals plus 4 rotated copies (1,500)."""
    if config.augmentation == "rotations":
        return transforms.augment_with_rotations(data.train_images, data.train_labels,
                                                 angles=(-15, -30, 15, 30))
    return data.train_images, data.train_labels


def random_hflip(images, p=0.5):
    """Mirror each image left-right with probability p (like RandomHorizontalFlip).

    For digits this changes what the image shows -- a mirrored 2 or 7 is
    no digit at all -- so it is an augmentation that should hurt.
    """
    flip = tn.random.generator().random(len(images)) < p
    out = images.copy()
    if flip.any():
        out[flip] = transforms.hflip(images[flip])
    return out


# Random augmentations: a fresh random transform of every image at every
# epoch, drawn from tinynet's global generator (so seeded and reproducible).
RANDOM_AUGMENTATIONS = {
    "shift": lambda images: transforms.random_translation(images, max_shift=2),
    "crop": lambda images: transforms.random_crop(images, size=28, padding=2),
    "flip": random_hflip,
    "random_rotation": lambda images: transforms.random_rotation(images, degrees=30),
}


def epoch_loader(config, images, labels, fixed_loader):
    """The DataLoader of one epoch: the fixed one, or one over freshly
    augmented images when the augmentation is random."""
    augment = RANDOM_AUGMENTATIONS.get(config.augmentation)
    if augment is None:
        return fixed_loader
    return DataLoader(augment(images), labels, batch_size=config.batch_size,
                      shuffle=True, drop_last=True, flatten=True)


def as_inputs(images, labels):
    """All of a split as one (N, 784) float32 batch in [0, 1], via the same
    conversion as training (the DataLoader's ToTensor scaling)."""
    return scale_pixels(images.reshape(len(images), -1)), labels


def eval_epochs(epochs, every):
    """Epochs after which the test set is evaluated: 1, every, 2*every, ...,
    and always the last one."""
    return sorted({1, epochs} | set(range(every, epochs + 1, every)))


# --------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------
_loss_fn = nn.CrossEntropyLoss()


def evaluate(learner, x, y):
    """(mean cross-entropy, accuracy) of the model on (x, y), in its current mode."""
    logits = learner.logits(x)
    return _loss_fn(logits, y), float(np.mean(logits.argmax(axis=1) == y))


def lecture_evaluation(learner, images, labels):
    """Accuracy measured the lecture's way: raw 0..255 pixels, training mode,
    one batch. Training-mode BatchNorm updates its running statistics, so
    the model's state is saved before and restored after.

    Only the accuracy is computed (no loss): 255-times larger inputs can
    push a trained model's logits to infinity, where the argmax is still
    meaningful. None when even that is not (non-finite BatchNorm batch
    statistics: tinynet raises FloatingPointError, contract C1).
    """
    raw = images.reshape(len(images), -1).astype(np.float32)   # NOT divided by 255
    saved = learner.state_dict()
    learner.train()
    try:
        logits = learner.logits(raw)
    except FloatingPointError:
        return None
    finally:
        learner.load_state_dict(saved)
        learner.eval()
    if np.isnan(logits).any():
        return None
    return float(np.mean(logits.argmax(axis=1) == labels))


class EarlyStopping:
    """Stop when the validation accuracy has not improved for ``patience``
    epochs, and remember the weights of the best epoch to restore them."""

    def __init__(self, patience):
        self.patience = patience
        self.best_acc = -1.0
        self.best_epoch = 0
        self.best_state = None

    def should_stop(self, epoch, val_acc, learner):
        if val_acc > self.best_acc:      # strictly better: ties keep the earlier, simpler model
            self.best_acc, self.best_epoch = val_acc, epoch
            self.best_state = learner.state_dict()
        return epoch - self.best_epoch >= self.patience


def weight_statistics(weights):
    """Share of near-zero weights, sum|w| and sum w^2 over the connection weights."""
    flat = np.concatenate([w.ravel() for w in weights]).astype(np.float64)
    return {
        "near_zero_weights": float(np.mean(np.abs(flat) < NEAR_ZERO)),
        "weight_l1": float(np.abs(flat).sum()),
        "weight_l2": float((flat * flat).sum()),
    }


# --------------------------------------------------------------------------
# Divergence
# --------------------------------------------------------------------------
class Diverged(Exception):
    """Training produced a non-finite loss or weight (e.g. a learning rate
    far too high). Caught in :func:`run`, which records it as a result."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def _check_finite_weights(learner):
    """Raise Diverged when a weight or a running statistic is NaN or infinite.
    Checked once per epoch: about 100,000 numbers, negligible beside an epoch."""
    for name, value in learner.state_dict().items():
        if not np.isfinite(value).all():
            raise Diverged(f"non-finite values in {name}")


def _finite_or_diverged(value, what):
    """``value`` itself, or Diverged when it is NaN or infinite (an older
    tinynet returns a non-finite loss; PyTorch always does)."""
    if not math.isfinite(value):
        raise Diverged(f"non-finite {what}")
    return value


# --------------------------------------------------------------------------
# The loop
# --------------------------------------------------------------------------
def _probe_for(config, learner):
    """LABREPORT's figure-data probe for this run (tinynet runs only), or None."""
    if learner.framework != "tinynet":
        return None
    return probes.for_run(config, learner)


def _train_epoch(learner, loader, epoch, probe, losses):
    """One epoch of SGD steps; appends each finite batch loss to ``losses``.

    The one per-step cost beyond the step itself is a float check of the
    loss. A non-finite loss -- returned (PyTorch) or refused by tinynet's
    loss/BatchNorm with FloatingPointError (contract C1) -- raises Diverged.
    The probe sees only the few steps it records (most epochs: none).
    """
    watched = probe.grad_steps(epoch) if probe is not None else 0
    try:
        for step, (x, y) in enumerate(loader):
            losses.append(_finite_or_diverged(learner.step(x, y), "training loss"))
            if step < watched:
                probe.after_step(learner, epoch, step)
    except FloatingPointError as error:
        raise Diverged(str(error)) from None


def _evaluate_epoch(learner, epoch, history, splits, scheduled, stopper):
    """The after-epoch evaluations, added to ``history``; returns whether
    early stopping says stop. A non-finite loss raises Diverged (or tinynet's
    FloatingPointError) BEFORE anything of this epoch is recorded, so the
    history stays finite."""
    (train_x, train_y), (test_x, test_y), (val_x, val_y) = splits
    row = {"train_acc": evaluate(learner, train_x, train_y)[1]}
    stop = False
    if stopper:
        val_loss, row["val_acc"] = evaluate(learner, val_x, val_y)
        row["val_loss"] = _finite_or_diverged(val_loss, "validation loss")
        stop = stopper.should_stop(epoch, row["val_acc"], learner)
    if epoch in scheduled or stop:
        test_loss, row["test_acc"] = evaluate(learner, test_x, test_y)
        row["test_loss"] = _finite_or_diverged(test_loss, "test loss")
        row["eval_epoch"] = epoch
    for key, value in row.items():
        history[key].append(value)
    return stop


def run(config, seed, data, framework="tinynet", log=None):
    """Train ``config`` with ``seed`` on ``data`` (a data.LabData); return a
    JSON-ready record: per-epoch ``history`` and ``final`` numbers.

    ``log``, if given, receives the lecture's ``Epoch: N Loss = x`` lines,
    where x is the MEAN training loss over the epoch's batches (the lecture
    prints one batch's loss; the mean is less noisy).

    Divergence is a result, not an error: the run stops at its first
    non-finite loss (checked every step) or weight (checked every epoch),
    and the record says ``"diverged": {"epoch": N, "last_finite_loss": x}``
    (x: the last finite batch loss, None if there was none). Its history
    keeps only the epochs before N and its ``final`` only ``epochs_run``
    (= N - 1, the completed epochs), so the record never holds NaN or
    infinity. A run that did not diverge has ``"diverged": None``.
    """
    started = time.perf_counter()
    tn.manual_seed(seed)                 # init, masks, augmentation, shuffling
    learner = make_learner(framework, build_model(config), config, seed)
    probe = _probe_for(config, learner)

    images, labels = base_training_set(config, data)
    if len(images) < config.batch_size:      # drop_last would leave no batch to train on
        raise ValueError(f"{config.name}: {len(images)} training images are fewer than the "
                         f"batch size {config.batch_size}: no full batch to train on")
    fixed_loader = DataLoader(images, labels, batch_size=config.batch_size,
                              shuffle=True, drop_last=True, flatten=True)
    train_x, train_y = as_inputs(data.train_images, data.train_labels)   # the originals
    test_x, test_y = as_inputs(data.test_images, data.test_labels)
    val_x, val_y = as_inputs(data.val_images, data.val_labels) if config.val_size else (None, None)
    splits = ((train_x, train_y), (test_x, test_y), (val_x, val_y))
    scheduled = set(eval_epochs(config.epochs, config.eval_every))
    stopper = EarlyStopping(config.patience) if config.patience else None

    history = {key: [] for key in ("epoch", "train_loss", "penalty", "train_acc",
                                   "eval_epoch", "test_loss", "test_acc")}
    if stopper:
        history.update(val_loss=[], val_acc=[])

    diverged, last_loss, completed = None, None, 0
    # A diverging run overflows on its way to NaN; numpy's warnings about it
    # would only repeat what the record and the progress line say.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for epoch in range(1, config.epochs + 1):
            losses = []
            try:
                learner.train()
                _train_epoch(learner, epoch_loader(config, images, labels, fixed_loader),
                             epoch, probe, losses)
                train_loss = float(np.mean(losses))
                penalty = _finite_or_diverged(learner.penalty(), "penalty")
                _check_finite_weights(learner)
                learner.eval()
                stop = _evaluate_epoch(learner, epoch, history, splits, scheduled, stopper)
            except (Diverged, FloatingPointError) as why:   # FloatingPointError: tinynet (C1)
                last_loss = losses[-1] if losses else last_loss
                diverged = {"epoch": epoch, "last_finite_loss": last_loss}
                if log:
                    log(f"Epoch: {epoch} diverged ({why})")
                break
            last_loss, completed = losses[-1], epoch
            if log:
                log(f"Epoch: {epoch} Loss = {train_loss:.6f}")
            history["epoch"].append(epoch)
            history["train_loss"].append(train_loss)
            history["penalty"].append(penalty)                # at the end of the epoch
            if probe is not None:
                probe.after_epoch(learner, epoch, train_x)
            if stop:
                break

    if diverged:
        final = {"epochs_run": completed}
    else:
        final = _final_numbers(learner, config, history, stopper, splits, data)
    return {"seed": seed, "framework": framework, "settings": config.settings(),
            "history": history, "final": final, "diverged": diverged,
            "probes": probe.result() if probe is not None else None,
            "seconds": time.perf_counter() - started}


def _final_numbers(learner, config, history, stopper, splits, data):
    """The ``final`` numbers of a run that did not diverge: the last epoch's,
    or for early stopping the restored best epoch's."""
    (train_x, train_y), (test_x, test_y), _ = splits
    epochs_run = history["epoch"][-1]
    final = {"epochs_run": epochs_run}
    if stopper:
        learner.load_state_dict(stopper.best_state)       # restore the best weights
        learner.eval()
        final.update(best_epoch=stopper.best_epoch, stopped_early=epochs_run < config.epochs,
                     train_loss=history["train_loss"][stopper.best_epoch - 1],
                     train_acc=evaluate(learner, train_x, train_y)[1])
        final["test_loss"], final["test_acc"] = evaluate(learner, test_x, test_y)
    else:                                # the last epoch's numbers are the final ones
        final.update(train_loss=history["train_loss"][-1], train_acc=history["train_acc"][-1],
                     test_loss=history["test_loss"][-1], test_acc=history["test_acc"][-1])
    final.update(weight_statistics(learner.connection_weights()))
    for split, images, labels in (("train", data.train_images, data.train_labels),
                                  ("test", data.test_images, data.test_labels)):
        accuracy = lecture_evaluation(learner, images, labels)
        if accuracy is not None:         # None: no meaningful number (see lecture_evaluation)
            final[f"lecture_eval_{split}_acc"] = accuracy
    return final
