"""Measuring a model: accuracies and losses, the lecture's flawed
evaluation, early stopping, and the weight statistics of the final numbers.

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

A tuning trial or a selection run (``test_evaluation="never"``) never
evaluates the test set, not even once: it is scored on the validation
images, evaluated after every epoch, and its inputs hold no test split at
all. A configuration chosen by tuning is evaluated on the test set once,
after its last epoch ("final"); one chosen by an experiment (selection.py)
on the schedule, for its learning curves.
"""
from typing import NamedTuple

import numpy as np

from tinynet import nn
from tinynet.data import scale_pixels

from .models import input_shape

NEAR_ZERO = 1e-3   # |w| below this counts as a "near-zero" weight (where L1 pulls weights)

_loss_fn = nn.CrossEntropyLoss()


def as_model_input(images, config):
    """Images (N, 28, 28) in the shape the model takes: (N, 784) for the
    MLP, (N, 1, 28, 28) for the CNN (models.input_shape)."""
    return images.reshape(len(images), *input_shape(config))


def as_inputs(images, labels, config):
    """All of a split as one float32 batch in [0, 1], via the same
    conversion as training (the DataLoader's ToTensor scaling)."""
    return scale_pixels(as_model_input(images, config)), labels


class Splits(NamedTuple):
    """The evaluation inputs of a run: ``(x, y)`` pairs, ``val`` None without
    a validation set, ``test`` None for a run that never evaluates the test
    set (``test_evaluation="never"``), which never reads the test images.
    ``train`` holds the ORIGINAL training images (never augmented)."""

    train: tuple
    test: tuple | None
    val: tuple | None

    @classmethod
    def of(cls, data, config):
        sees_test = config.test_evaluation != "never"
        return cls(as_inputs(data.train_images, data.train_labels, config),
                   as_inputs(data.test_images, data.test_labels, config) if sees_test else None,
                   as_inputs(data.val_images, data.val_labels, config) if config.val_size else None)


def eval_epochs(epochs, every):
    """Epochs after which the test set is evaluated: 1, every, 2*every, ...,
    and always the last one."""
    return sorted({1, epochs} | set(range(every, epochs + 1, every)))


def test_epochs(config):
    """Epochs after which a run of ``config`` evaluates the test set, as its
    ``test_evaluation`` says: the schedule, the last epoch only, or none."""
    if config.test_evaluation == "never":
        return []
    if config.test_evaluation == "final":
        return [config.epochs]
    return eval_epochs(config.epochs, config.eval_every)


def tracks_validation(config):
    """Whether a run of ``config`` evaluates its validation images after every
    epoch: for early stopping, and to score a tuning trial."""
    return bool(config.patience) or config.test_evaluation == "never"


def scored_numbers(config):
    """The loss and accuracy a run ends with, besides the training ones: the
    test set's, or a tuning trial's validation numbers."""
    return ("val_loss", "val_acc") if config.test_evaluation == "never" else ("test_loss", "test_acc")


def evaluate(learner, x, y):
    """(mean cross-entropy, accuracy) of the model on (x, y), in its current mode."""
    logits = learner.logits(x)
    return _loss_fn(logits, y), float(np.mean(logits.argmax(axis=1) == y))


def lecture_evaluation(learner, images, labels, config):
    """Accuracy measured the lecture's way: raw 0..255 pixels, training mode,
    one batch. Training-mode BatchNorm updates its running statistics, so
    the model's state is saved before and restored after.

    Only the accuracy is computed (no loss): 255-times larger inputs can
    push a trained model's logits to infinity, where the argmax is still
    meaningful. None when even that is not (non-finite BatchNorm batch
    statistics, which tinynet refuses with FloatingPointError).
    """
    raw = as_model_input(images, config).astype(np.float32)    # NOT divided by 255
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
    """Shares of exactly-zero and of near-zero weights, sum|w| and sum w^2
    over the connection weights."""
    flat = np.concatenate([w.ravel() for w in weights]).astype(np.float64)
    return {
        "zero_weights": float(np.mean(flat == 0)),
        "near_zero_weights": float(np.mean(np.abs(flat) < NEAR_ZERO)),
        "weight_l1": float(np.abs(flat).sum()),
        "weight_l2": float((flat * flat).sum()),
    }


def final_numbers(learner, config, history, stopper, splits, data):
    """The ``final`` numbers of a run that did not diverge: the last epoch's,
    or for early stopping the restored best epoch's; the weight statistics;
    and the lecture's evaluation of the final model. A run that never
    evaluates the test set has its last epoch's validation numbers instead
    of the test numbers (scored_numbers), and no lecture evaluation on the
    test images."""
    epochs_run = history["epoch"][-1]
    final = {"epochs_run": epochs_run}
    if stopper:
        learner.load_state_dict(stopper.best_state)       # restore the best weights
        learner.eval()
        final.update(best_epoch=stopper.best_epoch, stopped_early=epochs_run < config.epochs,
                     train_loss=history["train_loss"][stopper.best_epoch - 1],
                     train_acc=evaluate(learner, *splits.train)[1])
        final["test_loss"], final["test_acc"] = evaluate(learner, *splits.test)
    else:                                # the last epoch's numbers are the final ones
        final.update({key: history[key][-1]
                      for key in ("train_loss", "train_acc", *scored_numbers(config))})
    final.update(weight_statistics(learner.connection_weights()))
    lecture_splits = [("train", data.train_images, data.train_labels)]
    if splits.test is not None:
        lecture_splits.append(("test", data.test_images, data.test_labels))
    for split, images, labels in lecture_splits:
        accuracy = lecture_evaluation(learner, images, labels, config)
        if accuracy is not None:         # None: no meaningful number (see lecture_evaluation)
            final[f"lecture_eval_{split}_acc"] = accuracy
    return final
