"""experiments/figures: every figure from synthetic summaries, including
diverged, all-diverged, one-seed and constant runs, and missing test points."""
from pathlib import Path

import pytest

from experiments import get_experiment
from experiments.figures import draw_all
from experiments.figures.common import mean_curve
from experiments.figures.curves import plot_learning_curves
from experiments.figures.early_stopping import plot_early_stopping
from experiments.figures.inside import plot_gradient_norms, plot_preactivations
from experiments.figures.overview import plot_overview
from experiments.figures.weights import plot_sweep, plot_weight_histograms
from experiments.summary import Results, summarize
from synthetic_records import make_records

PNG = b"\x89PNG\r\n\x1a\n"


def results_for(names, seeds=(0, 1), **kwargs):
    experiments = [get_experiment(n) for n in names]
    records = make_records(experiments, list(seeds), **kwargs)
    return Results({(e.name, "tinynet"): summarize(e, "tinynet", records, list(seeds))
                    for e in experiments})


def is_png(out, figure):
    assert figure is not None
    path = Path(out) / figure.path
    assert path.read_bytes()[:8] == PNG, figure.path
    assert figure.what_to_see.en and figure.what_to_see.ko
    return True


@pytest.mark.parametrize("case", ["normal", "one seed", "constant", "some diverged", "all diverged"])
def test_learning_curves_and_sweep_in_every_case(tmp_path, case):
    kwargs = {"one seed": dict(seeds=(0,)), "constant": dict(constant=True),
              "some diverged": dict(diverge={("l1", "l1_0.001"): {0: 3}}),
              "all diverged": dict(diverge={("l1", c.name): {0: 1, 1: 4}
                                            for c in get_experiment("l1").configs})}.get(case, {})
    results = results_for(["l1"], **kwargs)
    summary = results.summaries[("l1", "tinynet")]
    figure = plot_learning_curves(summary, tmp_path)
    assert is_png(tmp_path, figure)
    assert ("no curves to show" in figure.what_to_see.en) == (case == "all diverged")
    assert is_png(tmp_path, plot_sweep(summary, "l1", get_experiment("l1").sweep_metric, tmp_path))


def test_learning_curves_with_missing_test_points(tmp_path):
    summary = results_for(["baseline"]).summaries[("baseline", "tinynet")]
    for history in summary["configs"]["lecture"]["history"]:
        history["eval_epoch"], history["test_loss"], history["test_acc"] = [], [], []
    assert is_png(tmp_path, plot_learning_curves(summary, tmp_path))


def test_mean_curve_drops_stopped_seeds_and_off_schedule_points():
    histories = [{"epoch": [1, 2, 3, 4], "eval_epoch": [1, 2, 4], "acc": [0.1, 0.2, 0.4]},
                 {"epoch": [1, 2, 3], "eval_epoch": [1, 2, 3], "acc": [0.3, 0.4, 0.5]}]
    x, mean, low, high = mean_curve(histories, "eval_epoch", "acc")
    assert list(x) == [1, 2, 4]                # epoch 3: only the stopped seed's own evaluation
    assert list(mean) == pytest.approx([0.2, 0.3, 0.4])
    assert list(low) == pytest.approx([0.1, 0.2, 0.4]) and list(high) == pytest.approx([0.3, 0.4, 0.4])
    assert mean_curve([{"epoch": [], "eval_epoch": [], "acc": []}], "eval_epoch", "acc") is None


def test_batchnorm_inside_figures(tmp_path):
    results = results_for(["baseline", "batchnorm"], diverge={("batchnorm", "shared"): {0: 2}})
    models = [("no BatchNorm (baseline)", results.get("baseline", "lecture").data["probes"]),
              ("one shared BatchNorm1d (lecture)", results.get("batchnorm", "shared").data["probes"]),
              ("four separate BatchNorm1d", results.get("batchnorm", "separate").data["probes"])]
    assert is_png(tmp_path, plot_preactivations(models, tmp_path))
    figure = plot_gradient_norms(models, tmp_path)
    assert is_png(tmp_path, figure)
    assert "smaller than with it" not in figure.what_to_see.en    # synthetic norms: no such gap
    assert plot_preactivations([("x", {})], tmp_path) is None     # no probes: no figure
    assert plot_gradient_norms([], tmp_path) is None


def test_gradient_caption_states_the_start_gap_only_when_it_holds(tmp_path):
    small = {"grad_norms": {"epoch": [1, 2], "norms": [[0.01] * 5, [0.5] * 5]}}
    large = {"grad_norms": {"epoch": [1, 2], "norms": [[1.0] * 5, [0.5] * 5]}}
    figure = plot_gradient_norms([("no BatchNorm (baseline)", small),
                                  ("four separate BatchNorm1d", large)], tmp_path)
    assert "100x smaller than with it" in figure.what_to_see.en
    assert "100배 작다" in figure.what_to_see.ko


def test_weight_histograms_and_early_stopping(tmp_path):
    results = results_for(["l1", "l2", "early_stopping"], epochs=30)
    sweeps = [(kind, [(c.settings[kind], c.settings["lr"], c.data["probes"], c.settings["l1_mode"])
                      for c in results.configs(kind)]) for kind in ("l1", "l2")]
    assert is_png(tmp_path, plot_weight_histograms(sweeps, tmp_path))
    assert is_png(tmp_path, plot_weight_histograms(sweeps[1:], tmp_path))   # L2 alone
    assert plot_weight_histograms([("l1", [])], tmp_path) is None
    assert is_png(tmp_path, plot_early_stopping(results.summaries[("early_stopping", "tinynet")],
                                                tmp_path))
    assert plot_early_stopping(results.summaries[("l1", "tinynet")], tmp_path) is None


def test_early_stopping_with_every_seed_diverged(tmp_path):
    results = results_for(["early_stopping"], epochs=20,
                          diverge={("early_stopping", "patience5"): {0: 3, 1: 3}})
    assert is_png(tmp_path, plot_early_stopping(results.summaries[("early_stopping", "tinynet")],
                                                tmp_path))


def test_overview_skips_rows_without_statistics(tmp_path):
    results = results_for(["baseline"], diverge={("baseline", "lecture"): {0: 1, 1: 1}})
    assert plot_overview(results.rows(), tmp_path) is None
    assert is_png(tmp_path, plot_overview(results_for(["baseline", "l2"]).rows(), tmp_path))


def test_draw_all_names_every_figure_by_section(tmp_path):
    names = ["baseline", "batchnorm", "l1", "early_stopping"]
    figures = draw_all([get_experiment(n) for n in names], results_for(names, epochs=20), tmp_path)
    paths = {section: [f.path for f in found] for section, found in figures.items()}
    assert paths == {
        "overview": ["overview.png"],
        "baseline": ["baseline/learning_curves.png"],
        "batchnorm": ["batchnorm/learning_curves.png", "batchnorm/preactivations.png",
                      "batchnorm/gradient_norms.png"],
        "l1": ["l1/learning_curves.png", "l1/sweep.png", "l1_vs_l2_weights.png"],
        "early_stopping": ["early_stopping/learning_curves.png", "early_stopping/validation.png"],
    }


def test_a_figure_that_fails_is_one_warning_not_a_lost_report(tmp_path, capsys, monkeypatch):
    import experiments.figures as figures

    def broken(*args):
        raise RuntimeError("boom")
    monkeypatch.setattr(figures, "plot_overview", broken)
    drawn = draw_all([get_experiment("baseline")], results_for(["baseline"]), tmp_path)
    assert "overview" not in drawn and "baseline" in drawn
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "could not draw a figure of overview" in err and "boom" in err


def test_figures_drawn_by_worker_processes_are_the_same_files(tmp_path):
    names = ["baseline", "batchnorm", "l1", "early_stopping"]
    experiments, results = [get_experiment(n) for n in names], results_for(names, epochs=20)
    here = draw_all(experiments, results, tmp_path / "here")
    pooled = draw_all(experiments, results, tmp_path / "pooled", workers=2)
    assert pooled == here                                  # same sections, order and captions
    for figure in (f for found in here.values() for f in found):
        assert (tmp_path / "pooled" / figure.path).read_bytes() == \
            (tmp_path / "here" / figure.path).read_bytes(), figure.path


# --------------------------------------------------------------------------
# Each experiment declares its figures
# --------------------------------------------------------------------------
def test_every_experiment_declares_known_figures_learning_curves_first():
    from experiments import all_experiments
    from experiments.figures.catalogue import DECLARABLE, learning_curves
    for experiment in all_experiments():
        assert experiment.figures[0] is learning_curves, experiment.name
        assert all(figure in DECLARABLE for figure in experiment.figures), experiment.name


def test_only_the_declared_figures_are_drawn(tmp_path):
    import dataclasses
    from experiments.figures.catalogue import learning_curves
    l1 = get_experiment("l1")
    curves_only = dataclasses.replace(l1, figures=(learning_curves,))
    figures = draw_all([curves_only], results_for(["l1"]), tmp_path)
    assert {section: [f.path for f in found] for section, found in figures.items()} == {
        "overview": ["overview.png"], "l1": ["l1/learning_curves.png"]}
    silent = dataclasses.replace(l1, figures=())
    assert set(draw_all([silent], results_for(["l1"]), tmp_path)) == {"overview"}


def test_a_figure_two_experiments_declare_is_drawn_once_and_shown_in_both(tmp_path, monkeypatch):
    import experiments.figures.catalogue as catalogue
    calls = []
    real = catalogue.plot_weight_histograms
    monkeypatch.setattr(catalogue, "plot_weight_histograms",
                        lambda *args: calls.append(args) or real(*args))
    names = ["l1", "l2"]
    figures = draw_all([get_experiment(n) for n in names], results_for(names), tmp_path)
    assert len(calls) == 1 and [kind for kind, _ in calls[0][0]] == ["l1", "l2"]
    assert [f.path for f in figures["l1"]] == ["l1/learning_curves.png", "l1/sweep.png",
                                               "l1_vs_l2_weights.png"]
    assert [f.path for f in figures["l2"]] == ["l2/learning_curves.png", "l2/sweep.png",
                                               "l1_vs_l2_weights.png"]


def test_an_undeclarable_figure_is_refused_by_name(tmp_path):
    import dataclasses
    odd = dataclasses.replace(get_experiment("baseline"), figures=(print,))
    with pytest.raises(ValueError, match="baseline declares the figure .*print.* does not define"):
        draw_all([odd], results_for(["baseline"]), tmp_path)
