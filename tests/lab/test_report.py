"""experiments/report.py (write_all), summary.py and stats.py: summaries with
diverged and degenerate runs, the one comparison rule, and what REPORT.md /
REPORT.ko.md say."""
import json
import math
import re

import pytest

from experiments import all_experiments, get_experiment, report, train
from experiments.config import RunConfig
from experiments.report_text import object_particle, verb
from experiments.stats import Stat
from experiments.summary import Results, summarize
from synthetic_records import make_lab, make_record, make_records

COMMAND = "python -m experiments baseline batchnorm --seeds 3 --lr 0.1"


def strict_json(path):
    """Parse refusing NaN/Infinity, which are not JSON."""
    def refuse(name):
        raise ValueError(f"{path} holds {name}")
    return json.loads(path.read_text(), parse_constant=refuse)


# --------------------------------------------------------------------------
# The comparison rule
# --------------------------------------------------------------------------
def test_one_rule_comparable_within_two_standard_errors():
    a, b = Stat([0.80, 0.82, 0.81, 0.79]), Stat([0.75, 0.77, 0.76, 0.74])
    d = a - b
    assert d.se == pytest.approx(math.sqrt(a.se ** 2 + b.se ** 2))
    assert d.verdict == "higher" and (b - a).verdict == "lower" and d.clear
    close = Stat([0.760, 0.775, 0.750, 0.765]) - b
    assert abs(close.value) <= 2 * close.se and close.verdict == "comparable" and not close.clear
    assert (Stat([0.8]) - b).verdict == "no spread"               # one seed: nothing to judge by
    assert (Stat([1.0, 1.0]) - Stat([1.0, 1.0])).verdict == "comparable"   # zero std, equal
    assert (Stat([1.0, 1.0]) - Stat([0.5, 0.5])).verdict == "higher"       # zero std, different
    assert "unchanged within noise" in verb(close).en and "바꾸지 못했다" in verb(close).ko
    assert "raised test accuracy by" in verb(d).en and "높였다" in verb(d).ko


def test_a_single_run_is_compared_with_the_spread_of_one_seed():
    ours = Stat([0.76, 0.77, 0.75, 0.76, 0.78])
    assert ours.versus_single(0.7637).verdict == "comparable"
    assert ours.versus_single(0.85).verdict == "higher"
    assert Stat([0.76]).versus_single(0.85).verdict == "no spread"


def test_stat_refuses_no_values_and_korean_particles_follow_the_word():
    with pytest.raises(ValueError, match="at least one value"):
        Stat([])
    assert object_particle("테스트 정확도") == "를" and object_particle("학습 손실") == "을"


# --------------------------------------------------------------------------
# Summaries
# --------------------------------------------------------------------------
def baseline_records(seeds, diverge=None, **overrides):
    config = get_experiment("baseline").configs[0].with_overrides(epochs=12, eval_every=2,
                                                                  **overrides)
    return {("baseline", "tinynet", "lecture", s): make_record(config, s, (diverge or {}).get(s))
            for s in seeds}


def test_summary_counts_diverged_seeds_and_computes_statistics_over_the_rest():
    records = baseline_records(range(4), diverge={1: 3, 3: 5})
    summary = summarize(get_experiment("baseline"), "tinynet", records, range(4))
    entry = summary["configs"]["lecture"]
    assert entry["seeds"] == [0, 1, 2, 3] and entry["statistics_over_seeds"] == [0, 2]
    assert [(d["seed"], d["epoch"]) for d in entry["diverged"]] == [(1, 3), (3, 5)]
    finite = [records[("baseline", "tinynet", "lecture", s)]["final"]["test_acc"] for s in (0, 2)]
    assert entry["final"]["test_acc"]["per_seed"] == finite
    assert entry["final"]["test_acc"]["mean"] == pytest.approx(sum(finite) / 2)
    json.dumps(summary, allow_nan=False)
    assert "did not diverge" in summary["std"]


def test_a_configuration_whose_seeds_all_diverged_has_no_statistics():
    records = baseline_records(range(2), diverge={0: 1, 1: 2})
    summary = summarize(get_experiment("baseline"), "tinynet", records, range(2))
    entry = summary["configs"]["lecture"]
    assert entry["final"] == {} and entry["statistics_over_seeds"] == []
    json.dumps(summary, allow_nan=False)
    result = Results({("baseline", "tinynet"): summary}).all_configs("baseline")[0]
    assert not result.usable and result.seeds == 2 and len(result.diverged) == 2
    with pytest.raises(Exception, match="every seed diverged"):
        result.test_acc


def test_one_seed_and_constant_values_give_zero_spread_not_nan():
    config = get_experiment("baseline").configs[0].with_overrides(epochs=6, eval_every=2)
    records = {("baseline", "tinynet", "lecture", 0): make_record(config, 0, constant=True)}
    summary = summarize(get_experiment("baseline"), "tinynet", records, [0])
    stats = summary["configs"]["lecture"]["final"]["test_acc"]
    assert stats["std"] == 0.0 and stats["min"] == stats["mean"] == stats["max"]
    assert summary["complete"] is True
    assert summarize(get_experiment("baseline"), "tinynet", records, [0, 1])["complete"] is False


def test_the_lecture_number_is_shown_only_for_the_lecture_setup():
    baseline = get_experiment("baseline").configs[0]
    same = make_record(baseline.with_overrides(eval_every=10), 0)
    other = make_record(baseline.with_overrides(lr=0.5), 0)
    experiment = get_experiment("baseline")
    for record, expected in ((same, 0.7637), (other, None)):
        summary = summarize(experiment, "tinynet", {("baseline", "tinynet", "lecture", 0): record}, [0])
        assert summary["configs"]["lecture"]["lecture_reported_test_acc"] == expected


# --------------------------------------------------------------------------
# write_all: files, and what the reports say
# --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def full_report(tmp_path_factory):
    """Every experiment, 3 seeds, one configuration diverged in one seed and
    another in all seeds."""
    out = tmp_path_factory.mktemp("report")
    plans, records = make_lab(all_experiments(), [0, 1, 2],
                              diverge={("l1", "l1_0.001"): {0: 3, 1: 3, 2: 4},
                                       ("batchnorm", "shared"): {1: 5}})
    path = report.write_all(plans, ["tinynet"], records, [0, 1, 2], out, COMMAND)
    return out, path


def test_write_all_writes_summaries_figures_and_both_reports(full_report):
    out, path = full_report
    assert path == out / "REPORT.md"
    for experiment in all_experiments():
        strict_json(out / experiment.name / "summary.json")
        assert (out / experiment.name / "learning_curves.png").read_bytes()[:4] == b"\x89PNG"
    for figure in ("overview.png", "l1_vs_l2_weights.png", "l1/sweep.png", "l2/sweep.png",
                   "batchnorm/preactivations.png", "batchnorm/gradient_norms.png",
                   "early_stopping/validation.png", "cnn/compared.png", "cnn/filters.png",
                   "optimizers/compared.png", "optimizers/selection.png", "init/compared.png",
                   "init/activations.png"):
        assert (out / figure).read_bytes()[:4] == b"\x89PNG", figure
    assert not list(out.rglob("*.tmp"))                    # atomic writes leave no temporary file


@pytest.mark.parametrize("name", ["REPORT.md", "REPORT.ko.md"])
def test_every_figure_is_referenced_with_a_sentence_and_exists(full_report, name):
    out, _ = full_report
    text = (out / name).read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]+\]\(([^)]+)\)", text)
    pngs = {p.relative_to(out).as_posix() for p in out.rglob("*.png")}
    assert set(images) == pngs                             # every figure shown, each file exists
    for image in images:
        after = text.split(f"]({image})", 1)[1].lstrip("\n")
        assert after.startswith("*") and len(after.split("\n", 1)[0]) > 60, image  # what to see
    assert f"`{COMMAND}`" in text                          # the actual command line, quoted


def test_reports_state_divergence_and_its_usual_cause(full_report):
    out, _ = full_report
    english = (out / "REPORT.md").read_text()
    korean = (out / "REPORT.ko.md").read_text(encoding="utf-8")
    assert "## Diverged runs" in english and "## 발산한 실행" in korean
    assert "3 of 3 seeds diverged" in english and "no statistics: every seed diverged" in english
    assert "1 of 3 seeds diverged" in english and "statistics are over the other 2 seeds" in english
    assert "learning rate that is too high" in english and "`--lr`" in english
    assert "학습률" in korean and "`--lr`" in korean
    assert "| all 3 diverged |" in english and "| 2 of 3 (1 diverged) |" in english


def test_korean_report_uses_the_lectures_terms(full_report):
    korean = (full_report[0] / "REPORT.ko.md").read_text(encoding="utf-8")
    for term in ("과적합", "배치 정규화", "드롭아웃", "드롭 커넥트", "조기 종료", "데이터 증강",
                 "L1 정규화", "L2 정규화"):
        assert term in korean, term
    headings = [line for line in korean.splitlines() if line.startswith("#")]
    assert headings and all(re.search("[가-힣]", h) for h in headings)


def test_only_experiments_that_ran_are_listed(tmp_path):
    experiments = [get_experiment("baseline"), get_experiment("l2")]
    records = make_records(experiments, [0, 1])
    report.write_all(experiments, ["tinynet"], records, [0, 1], tmp_path, "cmd", plots=False)
    text = (tmp_path / "REPORT.md").read_text()
    assert "## Baseline" in text and "## L2 regularisation" in text
    assert "## Dropout" not in text and "## BatchNorm" not in text
    not_run = [line for line in text.splitlines() if line.startswith("Not run by this command")]
    assert len(not_run) == 1
    assert "batchnorm, dropout, augmentation, l1, early_stopping, dropconnect" in not_run[0]
    assert not list(tmp_path.rglob("*.png"))              # plots=False: no figures
    assert "이 명령으로 실행하지 않은 실험" in (tmp_path / "REPORT.ko.md").read_text(encoding="utf-8")


def test_an_experiment_that_declares_no_figure_is_not_reported_as_failed(tmp_path):
    import dataclasses
    plain = dataclasses.replace(get_experiment("baseline"), figures=())
    records = make_records([plain], [0, 1])
    report.write_all([plain], ["tinynet"], records, [0, 1], tmp_path, "cmd")
    text = (tmp_path / "REPORT.md").read_text()
    assert "figure not drawn" not in text and "baseline/learning_curves.png" not in text
    assert "overview.png" in text


def test_one_seed_and_constant_runs_report_without_crashing(tmp_path):
    experiments = [get_experiment(n) for n in ("baseline", "batchnorm", "l1", "early_stopping")]
    records = make_records(experiments, [0], constant=True)
    report.write_all(experiments, ["tinynet"], records, [0], tmp_path, "cmd")
    text = (tmp_path / "REPORT.md").read_text()
    assert "nan" not in text.lower().replace("nanmean", "")
    assert "one seed: no spread to judge by" in text


def test_a_real_diverging_run_is_reported(tmp_path, data):
    """lr 50: the real training loop stops the run, write_all reports it."""
    config = RunConfig("lecture", "baseline (lecture)", epochs=3, lr=50.0)
    records = {("baseline", "tinynet", "lecture", s): train.run(config, s, data) for s in (0, 1)}
    assert all(r["diverged"] for r in records.values())
    report.write_all([get_experiment("baseline")], ["tinynet"], records, [0, 1], tmp_path,
                     "python -m experiments baseline --lr 50")
    strict_json(tmp_path / "baseline" / "summary.json")
    text = (tmp_path / "REPORT.md").read_text()
    assert "**baseline/baseline (lecture)**: 2 of 2 seeds diverged" in text and "lr = 50.0" in text
    assert (tmp_path / "baseline" / "learning_curves.png").exists()


@pytest.fixture(scope="module")
def data():
    from experiments.data import load_lab_data
    return load_lab_data("mnist", 300, 0, None)


def test_vs_baseline_compares_only_runs_with_the_same_schedule(full_report):
    rows = {line.split(" | ")[1]: line.split(" | ")
            for line in (full_report[0] / "REPORT.md").read_text().splitlines()
            if line.startswith("| dropout |")}
    assert rows["Dropout(0.2), batch 100, 15 epochs (lecture)"][5] == "—"       # batch 100
    assert re.fullmatch(r"[+-]\d+\.\d ± \d+\.\d \((comparable|higher|lower)\)",
                        rows["Dropout(0.2), batch 10, 100 epochs"][5])
