"""Speed benchmark of tinynet: ``python -m experiments.benchmark``.

The one performance harness of the project. It measures one SGD training
step (forward, loss, backward, update; float32) of the lecture's
784-100-100-100-100-10 ReLU MLP with cross-entropy loss, SGD lr 0.1, for
these contestants (contestants.py, ceiling.py):

* **tinynet**: the real step, as the experiments write it (public API only),
  of this checkout -- and, with ``--compare NAME=PATH``, of other checkouts
  (``tinynet@NAME``), timed side by side in the same rounds;
* **torch**: the same step in PyTorch eager, ``torch.set_num_threads`` matched
  to the BLAS thread count (skipped with ``--no-torch``, or when PyTorch is
  not installed: ``pip install -e ".[torch]"``);
* **ceiling**: a hand-tuned NumPy step of the same math (preallocated buffers,
  ``out=``, in-place activations, no input checks, fused softmax-CE backward,
  in-place update, no input gradient for the first layer, and the NumPy
  speed tricks tinynet's textbook layers leave out): the speed a NumPy
  framework can hope for;
* tinynet's step without each of its checks, and without the tape
  (variants.py, ``tinynet:no_label_check`` ...; ``--no-checks`` skips them):
  what each check and the tape cost per step.

Every contestant runs in a worker process (workers.py, step_worker.py): one
per checkout, importing that checkout's ``tinynet`` and this harness, and
one for the ceiling and PyTorch. Before timing, one float64 step of each
from identical weights and data must end within 1e-10 of the ceiling's:
contestants that compute different things are not compared. Then the
steps are timed interleaved, with rounds disturbed by other processes run
again (timing.py, machine.py); the four phases of each step are timed the
same way (phases.py, profiling.py). With several threads each slot also
starts after ``--settle`` idle seconds: the previous contestant's
BLAS/OpenMP worker threads keep spinning after their last call and would
otherwise steal the cores from the next one. ``--callgrind`` counts
instructions per step with valgrind instead (instructions.py): deterministic,
so unaffected by a busy machine.

It also measures the training step of a simple CNN (Conv2d(1, 30, 5) ->
ReLU -> MaxPool2d(2) -> Flatten -> Linear(4320, 100) -> ReLU ->
Linear(100, 10), float32; cnn.py) of each checkout's tinynet against PyTorch
eager, one BLAS thread, at batch 10 and 100 (``--cnn-batches``; ``--no-cnn``
leaves it out, ``--no-mlp`` the MLP): an equivalence check against
PyTorch first (equivalence.py), then the steps interleaved with their minor
page faults, and each step's peak memory in a fresh process. On request:
each layer's forward and backward (``--cnn-layers``), the alternative
designs of the convolution and pooling code (designs.py, ``--cnn-designs``),
and every contestant again with glibc keeping the memory it frees
(``--malloc-kept``).

Then it times, at each thread count (whole_runs.py), one full lecture
baseline run (300 MNIST images, batch 10, 100 epochs, through
``experiments.train.run``) and one epoch of the full 60,000-image
Fashion-MNIST training set at batch 100 in a fresh subprocess
(memory_child.py), with that child's peak resident memory against the
data set's size; and the whole lab (``python -m experiments --fresh`` into a
scratch folder; ``--no-lab`` skips it). The epoch children run first, while
this process is small: Linux passes a parent's resident size at fork on to
the child's ru_maxrss. ``--profile`` adds a cProfile of each tinynet's step.

Writes every figure to ``--out`` (JSON, default ``results/benchmark.json``)
and prints markdown tables with PASS/FAIL against the targets (tables.py).

Examples::

    TINYNET_DATA=/path/to/data python -m experiments.benchmark
    python -m experiments.benchmark --quick            # smoke run, ~1 minute
    python -m experiments.benchmark --compare main=../main --threads 1 --no-lab --no-epoch
    python -m experiments.benchmark --compare main=../main --callgrind --batches 10
    python -m experiments.benchmark --profile          # + cProfile of tinynet's step
    python -m experiments.benchmark --no-mlp --threads 1 --cnn-layers --malloc-kept --no-lab
    python -m experiments.benchmark --no-mlp --callgrind --cnn-designs all
"""
