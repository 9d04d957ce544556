"""Synthetic seed records, shaped like experiments/train.py's, for the
report, figure and findings tests: no training needed, and every corner
(divergence, one seed, constant values) on demand."""
import dataclasses

import numpy as np

from experiments import probes
from experiments.evaluation import scored_numbers, test_epochs, tracks_validation
from experiments.selection import new_configs, with_choices


def make_probes(config, rng, epochs):
    """The probe data probes.py records for ``config``, made up."""
    out = {}
    kinds = probes.recorded(config)
    if "preactivations" in kinds:
        sampled = probes.sampled_epochs(epochs)
        scale = 1.0 if config.batchnorm != "none" else 2.0
        quantiles = [[sorted((scale * (layer + 1) * np.array([-1.5, -0.6, 0.1, 0.7, 1.8])
                              * (1 + 0.05 * e) + rng.normal(0, 0.01, 5)).round(4).tolist())
                      for layer in range(4)] for e in sampled]
        norms = [[float(0.5 / (1 + e) * (layer + 1)) for layer in range(5)] for e in sampled]
        out["preactivations"] = {"quantiles_percent": list(probes.QUANTILES), "rows": 300,
                                 "mode": "eval", "epoch": sampled, "quantiles": quantiles}
        out["grad_norms"] = {"steps_per_epoch": 3, "epoch": sampled, "norms": norms}
    probe = probes.Probe.__new__(probes.Probe)
    if "weight_histogram" in kinds:
        strength = config.l1 * 1e3 + config.l2 * 1e2
        weights = rng.normal(0, 0.05 / (1 + strength), 109400)
        if config.l1_mode == "proximal":
            weights[: int(len(weights) * min(0.9, config.l1 * 500))] = 0.0
        probe.weights = [type("P", (), {"data": weights})()]
        out["weight_histogram"] = probe.weight_histogram()
    if "filters" in kinds:
        kernels = rng.normal(0, 0.2, (30, 25)).round(4)
        out["filters"] = {"initial": kernels.tolist(), "learned": (1.3 * kernels).round(4).tolist()}
    if "activations" in kinds:
        spread = {"std0.01": 0.003, "xavier": 0.15, "he": 0.25}[config.init]
        centre = 0.5 if config.activation == "sigmoid" else spread
        layers = []
        for _ in range(config.hidden_layers):
            a = np.clip(rng.normal(centre, spread, 30000), 0, 2)
            counts = np.histogram(a[a <= 1], bins=30, range=(0.0, 1.0))[0].tolist()
            layers.append({"counts": counts, "above": int(np.sum(a > 1)), "zeros": int(np.sum(a == 0)),
                           "count": 30000, "mean": float(a.mean()), "std": float(a.std())})
        out["activations"] = {"rows": 300, "low": 0.0, "high": 1.0, "layers": layers}
    return out


def make_record(config, seed, diverge_at=None, constant=False):
    """A seed record of ``config``: plausible curves, or -- with
    ``diverge_at`` -- a run stopped at that epoch with only finite values."""
    rng = np.random.default_rng(seed + 17)
    epochs = config.epochs if diverge_at is None else diverge_at - 1
    history = {k: [] for k in ("epoch", "train_loss", "penalty", "train_acc", "eval_epoch",
                               "test_loss", "test_acc")}
    if tracks_validation(config):
        history.update(val_loss=[], val_acc=[])
    scheduled = set(test_epochs(config))
    noise = 0.0 if constant else 0.01
    best, best_epoch, stop = -1, 0, config.epochs
    for epoch in range(1, epochs + 1):
        progress = 1 - np.exp(-epoch / 4)
        history["epoch"].append(epoch)
        history["train_loss"].append(float(2.3 * (1 - progress) + 0.001))
        history["penalty"].append(0.0)
        history["train_acc"].append(float(min(1.0, 0.1 + 0.9 * progress + rng.normal(0, noise))))
        if tracks_validation(config):
            val = float(0.1 + 0.65 * progress - 0.002 * epoch + rng.normal(0, noise))
            history["val_loss"].append(1.0)
            history["val_acc"].append(val)
            if val > best:
                best, best_epoch = val, epoch
        if epoch in scheduled:
            history["eval_epoch"].append(epoch)
            history["test_loss"].append(float(2.3 * (1 - progress) + 0.6 + 0.004 * epoch))
            history["test_acc"].append(float(0.1 + 0.66 * progress + rng.normal(0, noise)))
        if config.patience and epoch - best_epoch >= config.patience:
            stop = epoch
            if epoch not in scheduled:
                history["eval_epoch"].append(epoch)
                history["test_loss"].append(1.0)
                history["test_acc"].append(0.7)
            break
    record = {"seed": seed, "framework": "tinynet", "settings": config.settings(),
              "history": history, "seconds": 1.5, "epoch_seconds": [0.015] * len(history["epoch"]),
              "diverged": None, "probes": make_probes(config, rng, config.epochs)}
    if diverge_at is not None:
        record["diverged"] = {"epoch": diverge_at,
                              "last_finite_loss": history["train_loss"][-1] if epochs else None}
        record["final"] = {"epochs_run": diverge_at}
        record["probes"] = None
        return record
    final = {"epochs_run": stop if config.patience else epochs,
             **{key: history[key][-1] for key in ("train_loss", "train_acc",
                                                  *scored_numbers(config))},
             "zero_weights": float(min(0.9, config.l1 * 500)) if config.l1_mode == "proximal" else 0.0,
             "near_zero_weights": float(0.01 + config.l1 * 500), "weight_l1": 900.0,
             "weight_l2": float(60 / (1 + config.l2 * 300))}
    final["lecture_eval_train_acc"] = 0.5
    if config.test_evaluation != "never":
        final["lecture_eval_test_acc"] = float(0.4 + rng.normal(0, noise))
    if config.patience:
        final.update(best_epoch=best_epoch, stopped_early=stop < config.epochs)
    record["final"] = final
    return record


def make_records(experiments, seeds, epochs=12, diverge=None, constant=False):
    """{(experiment, "tinynet", config, seed): record} for every experiment.

    ``diverge``: {(experiment, config name): {seed: epoch}} of diverged seeds.
    """
    diverge = diverge or {}
    records = {}
    for experiment in experiments:
        for config in experiment.configs:
            config = config.with_overrides(epochs=epochs, eval_every=2)
            for seed in seeds:
                at = diverge.get((experiment.name, config.name), {}).get(seed)
                records[(experiment.name, "tinynet", config.name, seed)] = make_record(
                    config, seed, diverge_at=at, constant=constant)
    return records


def make_lab(experiments, seeds, epochs=12, **kwargs):
    """(plans, records) as a lab run leaves them: make_records, then the
    configurations chosen on validation data (selection.py) and their records."""
    records = make_records(experiments, seeds, epochs=epochs, **kwargs)
    plans = []
    for experiment in experiments:
        plan = with_choices(dataclasses.replace(experiment, configs=tuple(
            c.with_overrides(epochs=epochs, eval_every=2) for c in experiment.configs)),
            records, ["tinynet"], seeds)
        chosen = dataclasses.replace(plan, configs=tuple(new_configs(experiment, plan)))
        records.update(make_records([chosen], seeds, epochs=epochs, **kwargs))
        plans.append(plan)
    return plans, records
