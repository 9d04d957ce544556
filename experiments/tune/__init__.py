"""Hyperparameter search the right way (Deep Learning from Scratch, 6.5):
``python -m experiments.tune``.

Random search over the learning rate and one regulariser of the lecture's
MLP. Each trial is scored on validation images -- the training images after
the first 300, which no run trains on -- and never sees the test set; the
best trial is retrained with the lab's seeds and only then evaluated on the
test set, once per seed, beside the baseline. The runs go through the lab's
job API (runner.py: the process pool, or a Dask cluster with --scheduler),
so every run is stored at once and reused by a rerun.

    search.py   the space, drawing trials, scoring and ranking them, narrowing
    cli.py      the command line and the order of work; the test-set rule
    report.py   trials.json, the figure and the report section (words.py, figure.py)
"""
