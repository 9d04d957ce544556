"""THE training loop of the lab -- one copy, used by every experiment and
by both frameworks.

One call of :func:`run` trains one configuration with one seed:

    seed -> tinynet.manual_seed(seed)
    data:  the training images (augmented as configured) and the evaluation splits
    model: built from the configuration (weights initialised), with its loss and optimizer
    for each epoch:
        for each batch of a shuffled DataLoader (drop_last):
            forward -> loss -> backward -> optimizer update (SGD: the lecture's)
        evaluate: train accuracy every epoch, validation accuracy every epoch
                  (for early stopping, or to score a run that never sees the
                  test set), test accuracy as test_evaluation says
    final numbers, and the lecture's evaluation of the final model

Everything random -- weight init, dropout/DropConnect masks, augmentation,
shuffling -- draws from tinynet's one global generator, so the same seed
gives bit-identical numbers.

Where the rest lives: learner.py (the model, loss and optimiser of each
framework), training_images.py (augmentation), evaluation.py (evaluations,
early stopping, the final numbers), divergence.py (non-finite numbers end
a run as a result), probes.py (figure data from inside a run).
"""
import time

import numpy as np

import tinynet as tn

from . import evaluation, probes
from .divergence import SIGNALS, check_finite_weights, finite_or_diverged
from .learner import make_learner
from .models import build_model
from .training_images import TrainingImages


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

    ``epoch_seconds`` holds the wall time of each completed epoch's training
    (its batches, with random augmentation the new images too; not the
    evaluations after it).
    """
    started = time.perf_counter()
    tn.manual_seed(seed)                     # init, masks, augmentation, shuffling
    images = TrainingImages(config, data)
    splits = evaluation.Splits.of(data, config)
    learner = make_learner(framework, build_model(config), config, seed)
    probe = probes.for_run(config, learner, splits.train[0]) if learner.framework == "tinynet" \
        else None
    stopper = evaluation.EarlyStopping(config.patience) if config.patience else None
    scheduled = set(evaluation.test_epochs(config))
    history = {key: [] for key in ("epoch", "train_loss", "penalty", "train_acc",
                                   "eval_epoch", "test_loss", "test_acc")}
    if evaluation.tracks_validation(config):
        history.update(val_loss=[], val_acc=[])
    epoch_seconds = []

    diverged, last_loss = None, None
    # A diverging run overflows on its way to NaN; numpy's warnings about it
    # would only repeat what the record and the progress line say.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for epoch in range(1, config.epochs + 1):
            losses = []
            try:
                learner.train()
                epoch_started = time.perf_counter()
                _train_epoch(learner, images.epoch(), epoch, probe, losses)
                seconds = time.perf_counter() - epoch_started
                penalty = finite_or_diverged(learner.penalty(), "penalty")
                check_finite_weights(learner)
                learner.eval()
                stop = _evaluate_epoch(learner, epoch, history, splits, scheduled, stopper)
            except SIGNALS as why:
                last_loss = losses[-1] if losses else last_loss
                diverged = {"epoch": epoch, "last_finite_loss": last_loss}
                if log:
                    log(f"Epoch: {epoch} diverged ({why})")
                break
            last_loss, train_loss = losses[-1], float(np.mean(losses))
            if log:
                log(f"Epoch: {epoch} Loss = {train_loss:.6f}")
            history["epoch"].append(epoch)
            history["train_loss"].append(train_loss)
            history["penalty"].append(penalty)                # at the end of the epoch
            epoch_seconds.append(seconds)
            if probe is not None:
                probe.after_epoch(learner, epoch, splits.train[0])
            if stop:
                break

    if diverged:
        final = {"epochs_run": len(history["epoch"])}
    else:
        final = evaluation.final_numbers(learner, config, history, stopper, splits, data)
    return {"seed": seed, "framework": framework, "settings": config.settings(),
            "history": history, "final": final, "diverged": diverged,
            "probes": probe.result() if probe is not None else None,
            "seconds": time.perf_counter() - started, "epoch_seconds": epoch_seconds}


def _train_epoch(learner, loader, epoch, probe, losses):
    """One epoch of optimizer steps; appends each finite batch loss to ``losses``.

    The one per-step cost beyond the step itself is a float check of the
    loss: a non-finite loss -- returned by PyTorch, refused by tinynet with
    FloatingPointError -- ends the run as diverged. The probe sees only the
    few steps it records (most epochs: none).
    """
    watched = probe.grad_steps(epoch) if probe is not None else 0
    for step, (x, y) in enumerate(loader):
        logits = learner.forward(x)
        loss = learner.loss(logits, y)
        learner.backward()
        learner.update()
        losses.append(finite_or_diverged(loss, "training loss"))
        if step < watched:
            probe.after_step(learner, epoch, step)


def _evaluate_epoch(learner, epoch, history, splits, scheduled, stopper):
    """The after-epoch evaluations, added to ``history``; returns whether
    early stopping says stop. A non-finite loss raises Diverged (or tinynet's
    FloatingPointError) BEFORE anything of this epoch is recorded, so the
    history stays finite."""
    row = {"train_acc": evaluation.evaluate(learner, *splits.train)[1]}
    stop = False
    if "val_acc" in history:             # early stopping, or a tuning trial's score
        val_loss, row["val_acc"] = evaluation.evaluate(learner, *splits.val)
        row["val_loss"] = finite_or_diverged(val_loss, "validation loss")
        stop = stopper is not None and stopper.should_stop(epoch, row["val_acc"], learner)
    if epoch in scheduled or stop:
        test_loss, row["test_acc"] = evaluation.evaluate(learner, *splits.test)
        row["test_loss"] = finite_or_diverged(test_loss, "test loss")
        row["eval_epoch"] = epoch
    for key, value in row.items():
        history[key].append(value)
    return stop
