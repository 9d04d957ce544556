"""The overfitting lab: the lecture's experiments, and more, on tinynet.

Run one experiment with ``python -m experiments.<name>`` or all of them,
plus the report, with ``python -m experiments``; ``--help`` lists the options.

    baseline        the lecture's setup: 300 MNIST images, 784-100x4-10 MLP
    batchnorm       the lecture's one shared BatchNorm1d vs four separate ones
    dropout         Dropout(0.2), with the lecture's and the baseline's settings
    augmentation    fixed rotations (the lecture) and random shift/crop/flip/rotation
    l1, l2          penalty sweeps over lambda
    early_stopping  validation set, patience, best weights restored
    dropconnect     DropConnect instead of the hidden Linear layers
    cnn             Deep Learning from Scratch's SimpleConvNet against the MLP
    optimizers      SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam, each at a
                    learning rate chosen on validation data
    init            std 0.01, Xavier and He initialisation, sigmoid and ReLU

Module map: config (settings of a run, each checked once), models (tinynet
networks), train (THE training loop) with learner (model, loss, optimiser
per framework), training_images (augmentation), evaluation (evaluations,
early stopping, final numbers) and divergence (a non-finite run is a
result), runner (seeds, worker processes, stored runs) with record_check
(what a reusable stored seed holds; probe_check for its probe data),
selection (settings chosen on validation data), storage (atomic writes,
corrupt files named), lab_run (one lab per results folder, folder_lock;
Ctrl-C, interrupts), probes (figure data from inside a run; probe_summary
combines the seeds'), report (write_all: summaries, figures, REPORT.md and
REPORT.ko.md), cli (command line), torch_backend (the PyTorch twin,
imported only for --framework torch), cluster (the jobs on a Dask cluster,
imported only for --scheduler).
``python -m experiments.tune`` is the hyperparameter search (random search
on a validation set), and ``python -m experiments.benchmark`` the speed
benchmark; neither is an experiment of the report.
"""
import importlib
import signal
import sys

EXPERIMENT_NAMES = ("baseline", "batchnorm", "dropout", "augmentation", "l1", "l2",
                    "early_stopping", "dropconnect", "cnn", "optimizers", "init")


def _interrupted_while_starting(signum, frame):
    print("\npython -m experiments: interrupted while starting; nothing was run", file=sys.stderr)
    raise SystemExit(130)


def _started_as_the_lab():
    """True while ``python -m experiments[.<name>]`` imports this package:
    the lab is the program, and Ctrl-C before its main() must end quietly
    too (cli.main takes Ctrl-C over)."""
    if sys.argv[:1] != ["-m"]:
        return False
    args = getattr(sys, "orig_argv", [])
    module = next((b for a, b in zip(args, args[1:]) if a == "-m"), "")
    return module in ("experiments", "experiments.tune",
                      *(f"experiments.{name}" for name in EXPERIMENT_NAMES))


if _started_as_the_lab():
    signal.signal(signal.SIGINT, _interrupted_while_starting)


def get_experiment(name):
    """The Experiment declared by the script ``experiments/<name>.py``."""
    if name not in EXPERIMENT_NAMES:
        raise KeyError(name)
    return importlib.import_module(f"{__name__}.{name}").EXPERIMENT


def all_experiments():
    return [get_experiment(name) for name in EXPERIMENT_NAMES]
