"""Each finding is stated only when its condition holds -- true and false
cases -- and says the same numbers in English and Korean."""
import re

import pytest

from experiments import all_experiments, get_experiment
from experiments.findings import experiment_findings, lecture_findings
from experiments.summary import Results, summarize
from synthetic_records import make_lab, make_records

SEEDS = [0, 1, 2]


def results_for(names, edit=None, epochs=12, diverge=None, seeds=SEEDS):
    """Results of synthetic runs; ``edit(key, record)`` may change a record."""
    experiments = [get_experiment(n) for n in names]
    records = make_records(experiments, seeds, epochs=epochs, diverge=diverge)
    for key, record in records.items():
        if edit:
            edit(key, record)
    return Results({(e.name, "tinynet"): summarize(e, "tinynet", records, seeds)
                    for e in experiments})


def english(name, results):
    return " ".join(t.en for t in experiment_findings(get_experiment(name), results))


def set_final(values):
    """An edit that sets final numbers: {(experiment, config): {key: [per seed]}}."""
    def edit(key, record):
        experiment, _, config, seed = key
        for k, per_seed in values.get((experiment, config), {}).items():
            record["final"][k] = per_seed[seed]
    return edit


def test_memorises_only_when_train_accuracy_reaches_099():
    high = results_for(["baseline"], set_final({("baseline", "lecture"): {"train_acc": [1.0, 1.0, 0.995]}}))
    assert "memorises its 300 images" in english("baseline", high)
    low = results_for(["baseline"], set_final({("baseline", "lecture"): {"train_acc": [0.31, 0.30, 0.33]}}))
    text = english("baseline", low)
    assert "memorises" not in text and "has not memorised" in text


def test_test_loss_minimum_is_claimed_only_before_the_last_epoch():
    def falling(key, record):
        h = record["history"]
        h["test_loss"] = [2.0 - 0.1 * i for i in range(len(h["eval_epoch"]))]
    text = english("baseline", results_for(["baseline"], falling))
    assert "lowest at epoch" not in text and "still falls at the last evaluated epoch" in text

    def dipping(key, record):
        h = record["history"]
        h["test_loss"] = [abs(i - 2) + 1.0 for i in range(len(h["eval_epoch"]))]
    text = english("baseline", results_for(["baseline"], dipping))
    assert "Test loss is lowest at epoch 4" in text     # eval epochs 1, 2, 4, ...: third one


def test_shared_batchnorm_explanation_only_when_the_lectures_evaluation_is_clearly_higher():
    raised = set_final({("batchnorm", "shared"): {"lecture_eval_test_acc": [0.79, 0.80, 0.795],
                                                  "test_acc": [0.60, 0.62, 0.61]}})
    assert "Why: in eval mode the one shared layer" in english(
        "batchnorm", results_for(["baseline", "batchnorm"], raised))
    same = set_final({("batchnorm", "shared"): {"lecture_eval_test_acc": [0.61, 0.60, 0.62],
                                                "test_acc": [0.60, 0.62, 0.61]}})
    assert "Why:" not in english("batchnorm", results_for(["baseline", "batchnorm"], same))


def test_dropout_lecture_number_claims_follow_the_rule_and_the_train_accuracy():
    def far_below(train):
        def edit(key, record):
            set_final({("dropout", "lecture"): {"test_acc": [0.11, 0.12, 0.10],
                                                "lecture_eval_test_acc": [0.10, 0.11, 0.12],
                                                "train_acc": train}})(key, record)
        return edit

    def lecture_setup(results):
        # the synthetic runs use 12 epochs; give the lecture's number back for this test
        for config in results.summaries[("dropout", "tinynet")]["configs"].values():
            if config["label"].endswith("(lecture)"):
                config["lecture_reported_test_acc"] = 0.7954
        return results

    text = english("dropout", lecture_setup(results_for(["baseline", "dropout"],
                                                         far_below([0.2, 0.15, 0.1]))))
    assert "more than two standard errors above" in text and "too few" in text
    text = english("dropout", lecture_setup(results_for(["baseline", "dropout"],
                                                         far_below([0.9, 0.95, 0.92]))))
    assert "more than two standard errors above" in text and "too few" not in text
    close = results_for(["baseline", "dropout"], set_final({("dropout", "lecture"): {
        "test_acc": [0.79, 0.80, 0.795], "lecture_eval_test_acc": [0.79, 0.80, 0.795]}}))
    assert "more than two standard errors" not in english("dropout", lecture_setup(close))


def test_penalty_findings_close_the_gap_and_collapse_only_when_they_do():
    strong = set_final({("l2", "l2_0.01"): {"train_acc": [0.40, 0.45, 0.30],
                                           "test_acc": [0.35, 0.40, 0.28]}})
    text = english("l2", results_for(["l2"], strong))
    assert "The strongest penalty, λ=0.01, closes the gap" in text
    assert "never learned to fit the training images" in text and "3 of 3 at λ=0.01" in text
    text = english("l2", results_for(["l2"]))
    assert "does not clearly close the gap" in text and "never learned" not in text


def near_zero_line(text):
    return text.split("Subgradient step, weights near 0", 1)[1].split(". ", 1)[0]


def test_l1_pull_towards_zero_is_stated_only_when_the_share_grows():
    assert "the share grows with λ" in near_zero_line(english("l1", results_for(["l1"])))
    shrinking = set_final({("l1", "l1_0.001"): {"near_zero_weights": [0.0, 0.0, 0.0]}})
    line = near_zero_line(english("l1", results_for(["l1"], shrinking)))
    assert "grows with λ" not in line and "does not grow steadily" in line


def test_l1_exact_zeros_are_counted_per_mode_and_sparsity_claimed_only_when_it_grows():
    text = english("l1", results_for(["l1"]))
    assert "Subgradient step (the lecture's): no weight is exactly 0 in any run, at any λ" in text
    assert "Proximal step, weights exactly 0: 0.5% at λ=1e-05" in text
    assert "L1 makes the network sparse" in text
    flat = set_final({("l1", "l1_0.001_proximal"): {"zero_weights": [0.0, 0.0, 0.0]}})
    text = english("l1", results_for(["l1"], flat))
    assert "Proximal step, weights exactly 0" in text and "sparse" not in text
    chance = set_final({("l1", "l1_0.0001"): {"zero_weights": [1e-5, 0.0, 0.0]}})
    text = english("l1", results_for(["l1"], chance))
    assert "no weight is exactly 0" not in text
    assert "Subgradient step (the lecture's), weights exactly 0: 0.0% at λ=1e-05" in text


def test_time_per_epoch_states_a_spread_only_with_several_seeds():
    def timed(key, record):
        record["epoch_seconds"] = [0.5 + 0.1 * key[3]] * len(record["history"]["epoch"])
    text = english("cnn", results_for(["cnn"], timed))
    assert "mean ± std over seeds" in text and "CNN (SimpleConvNet) 0.6 ± 0.1 s" in text
    text = english("cnn", results_for(["cnn"], timed, seeds=[0]))
    assert "; one seed, measured in these runs" in text and "CNN (SimpleConvNet) 0.5 s," in text
    assert "±" not in text.split("Time per epoch", 1)[1]


def test_early_stopping_says_whether_seeds_stopped():
    text = english("early_stopping", results_for(["baseline", "early_stopping"], epochs=30))
    assert "patience 5: 3 of 3 seeds stopped early" in text
    assert "patience 20: no seed stopped early" in text


def test_findings_skip_configurations_that_all_diverged():
    results = results_for(["baseline", "l1"], diverge={("l1", "l1_0.001"): {0: 2, 1: 2, 2: 2}})
    lecture_step = " ".join(t.en for t in experiment_findings(get_experiment("l1"), results)
                            if not t.en.startswith("Proximal step"))
    assert "λ=0.0003" in lecture_step and "λ=0.001" not in lecture_step
    results = results_for(["baseline"], diverge={("baseline", "lecture"): {0: 2, 1: 2, 2: 2}})
    assert "No findings" in english("baseline", results)


NUMBER = re.compile(r"\d+\.\d+|\d+")


@pytest.fixture(scope="module")
def every_finding():
    experiments, records = make_lab(all_experiments(), SEEDS, epochs=30)
    results = Results({(e.name, "tinynet"): summarize(e, "tinynet", records, SEEDS)
                       for e in experiments})
    texts = [t for e in experiments for t in experiment_findings(e, results)]
    assert not any("No findings" in t.en for t in texts), [t.en for t in texts if "No findings" in t.en]
    return texts + lecture_findings(results)


def test_both_languages_state_the_same_numbers(every_finding):
    assert len(every_finding) > 20
    for text in every_finding:
        assert re.search("[가-힣]", text.ko), text.ko
        assert sorted(NUMBER.findall(text.en)) == sorted(NUMBER.findall(text.ko)), text
