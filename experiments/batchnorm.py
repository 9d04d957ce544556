"""BatchNorm: the lecture's ONE shared BatchNorm1d, and four separate ones.

The lecture writes relu(bn(fc_k(x))) for k = 1..4 with a single
BatchNorm1d(100) object: the four layers share gamma and beta, and the
running mean/variance -- what eval mode normalises with -- are updated four
times per step with four different layers' statistics. It reports 0.7935,
measured in training mode, where each layer uses its own batch statistics.

    python -m experiments.batchnorm --help
"""
from .cli import run_script
from .config import Experiment, RunConfig


def findings(r):
    base = r.baseline("batchnorm")
    shared, separate = r.get("batchnorm", "shared"), r.get("batchnorm", "separate")
    shared_flaw = shared.lecture_eval_test_acc - shared.test_acc
    lines = [
        f"Evaluated properly, the lecture's shared BatchNorm {(shared.test_acc - base.test_acc).verb()} "
        f"compared with the baseline ({shared.test_acc.acc()} vs {base.test_acc.acc()}).",
        f"Four separate BatchNorm layers {(separate.test_acc - base.test_acc).verb()} compared with "
        f"the baseline ({separate.test_acc.acc()}); separate minus shared: "
        f"{(separate.test_acc - shared.test_acc).points()}.",
        f"Evaluated the lecture's way (training mode: every use of BatchNorm normalises with the "
        f"test batch's own statistics), the shared model scores {shared.lecture_eval_test_acc.acc()}: "
        f"the lecture's evaluation {shared_flaw.verb('the measured test accuracy')}.",
    ]
    if shared_flaw.clear and shared_flaw.value > 0:
        lines.append("Why: in eval mode the one shared layer normalises all four layers with a "
                     "single running mean/variance -- a mixture of four layers' statistics that "
                     "fits none of them; separate layers each keep their own.")
    lines += [
        f"For four separate layers the lecture's evaluation "
        f"{(separate.lecture_eval_test_acc - separate.test_acc).verb('the measured test accuracy')} "
        f"({separate.lecture_eval_test_acc.acc()}).",
        f"Train accuracy: shared {shared.train_acc.acc()}, separate {separate.train_acc.acc()}, "
        f"baseline {base.train_acc.acc()}.",
    ]
    return lines


EXPERIMENT = Experiment(
    name="batchnorm",
    title="BatchNorm: one shared layer (lecture) vs four separate layers",
    question="Does BatchNorm reduce the overfitting, and what does sharing one BatchNorm1d "
             "between four layers do?",
    configs=(
        RunConfig("shared", "one shared BatchNorm1d (lecture)", batchnorm="shared",
                  lecture_reported=0.7935),
        RunConfig("separate", "four separate BatchNorm1d", batchnorm="separate"),
    ),
    findings=findings,
)

if __name__ == "__main__":
    run_script(EXPERIMENT)
