"""The benchmark's printed report: markdown tables with PASS/FAIL against
the targets, and the one-line verdicts of ``summary_lines``."""
from .timing import format_rate

MB = 1e6


def format_ratio(ratio):
    return "—" if ratio is None else f"{ratio:.2f}x"


def format_seconds(seconds):
    return "not measured" if seconds is None else f"{seconds:.2f} s"


def disturbed_mark(figures):
    return " \\*" if figures.get("disturbed") else ""


def verdict(ok):
    return "—" if ok is None else ("PASS" if ok else "FAIL")


def print_equivalence(results):
    print("\n## Equivalence check (one float64 step from identical weights, against the ceiling)\n")
    for check in results["equivalence"]:
        diffs = ", ".join(f"{pair.replace('_vs_ceiling', '')} {diff:.1e}"
                          for pair, diff in check["max_abs_diff"].items())
        errors = f"; ERRORS: {check['errors']}" if check["errors"] else ""
        print(f"- batch {check['batch_size']}: max abs weight difference {diffs or '—'}{errors}")
    print(f"- verdict: {verdict(results['equivalence_pass'])} "
          f"(tolerance {results['equivalence_tolerance']:.0e})")


def _table(head):
    print(head)
    print("|" + "---|" * (head.count("|") - 1))


def print_steps(results):
    names, tinynets = results["contestants"], results["tinynets"]
    print("\n## Training step, float32 (forward, loss, backward, SGD update): steps/s, median of "
          f"{results['settings']['repeats']} interleaved repeats ({results['settings']['clock']} "
          "clock)\n")
    ratio_names = [f"{t}/{other}" for t in tinynets for other in ("torch", "ceiling")]
    _table("| threads | batch | " + " | ".join(names) + " | " + " | ".join(ratio_names)
           + " | target (1 thread) | result | undisturbed rounds |")
    for config in results["steps"]:
        figures, ratios, targets = config["contestants"], config["ratios"], config["targets"]
        rates = [format_rate(figures.get(name, {}).get("steps_per_s")) for name in names]
        cells = [format_ratio(ratios.get(name.replace("/", "_vs_"))) for name in ratio_names]
        if targets:
            target = (f"≥{targets['tinynet_vs_torch_min']:.2g}x torch, "
                      f"≥{targets['tinynet_vs_ceiling_min']:.0%} ceiling")
            result = f"{verdict(targets['torch_pass'])} / {verdict(targets['ceiling_pass'])}"
        else:
            target = result = "—"
        print(f"| {config['threads']} | {config['batch_size']} | " + " | ".join(rates + cells)
              + f" | {target} | {result} | {config['clean_rounds']}/{config['rounds']}"
              f"{disturbed_mark(config)} |")
    errors = {name: figure["error"] for config in results["steps"]
              for name, figure in config["contestants"].items() if "error" in figure}
    for name, error in errors.items():
        print(f"\nnot timed: {name}: {error}")
    if any(config.get("disturbed") for config in results["steps"]):
        print("\n\\* disturbed: other processes kept using the cores these threads needed in most "
              "rounds; the figures (medians over all rounds) are unreliable, the ratios less so.")

    print("\n## Throughput: samples/s (and µs per step)\n")
    _table("| threads | batch | " + " | ".join(names) + " | spread (min–max, % of median) |")
    for config in results["steps"]:
        cells, spreads = [], []
        for name in names:
            figures = config["contestants"].get(name, {})
            if "steps_per_s" in figures:
                cells.append(f"{format_rate(figures['samples_per_s'])} ({figures['us_per_step']:,.0f} µs)")
                spread = (figures["max_steps_per_s"] - figures["min_steps_per_s"]) / figures["steps_per_s"]
                spreads.append(f"{name} {100 * spread:.0f}%")
            else:
                cells.append("—")
        print(f"| {config['threads']} | {config['batch_size']} | " + " | ".join(cells)
              + " | " + ", ".join(spreads) + " |")


def print_checks(results, descriptions):
    """What each check and the tape cost per step: the step without it, timed
    in the same rounds as the step itself (1 thread)."""
    tinynets = results["tinynets"]
    print("\n## What each check and the tape cost, per step (1 thread, µs per step; saved: "
          "median over the rounds of the difference to the step in the same round)\n")
    _table("| batch | the step ... | " + " | ".join(f"{t} | saved" for t in tinynets) + " |")
    for config in results["steps"]:
        if config["threads"] != 1:
            continue
        figures, costs = config["contestants"], config["check_costs"]
        for variant, description in {"": "as it is", **descriptions}.items():
            cells = []
            for t in tinynets:
                label = f"{t}:{variant}" if variant else t
                if "us_per_step" not in figures.get(label, {}):
                    cells += ["not timed", "—"]
                    continue
                cost = costs.get(label)
                cells += [f"{figures[label]['us_per_step']:,.1f}",
                          f"{cost['us_saved']:+,.1f} µs ({cost['share']:+.1%})" if cost else ""]
            name = f"{description} (`{variant}`)" if variant else description
            print(f"| {config['batch_size']} | {name} | " + " | ".join(cells) + " |")
    print("\nEach row is the same step with one thing removed, timed in the same rounds as the "
          "real one; on a shared machine differences of a few µs are noise (`--callgrind` "
          "counts instructions instead).")


def print_phases(phases):
    print("\n## Where the step's time goes (1 thread, median µs per phase)\n")
    labels = list(next(iter(phases.values())))
    _table("| batch | phase | " + " | ".join(labels) + " |")
    for batch, by_label in phases.items():
        for phase in next(iter(by_label.values())):
            print(f"| {batch} | {phase} | "
                  + " | ".join(f"{by_label[label][phase]:,.1f}" for label in labels) + " |")
        print(f"| {batch} | **sum** | "
              + " | ".join(f"{sum(by_label[label].values()):,.1f}" for label in labels) + " |")


def print_profile(profile):
    for label, text in profile["text"].items():
        print(f"\n## cProfile of {label}'s step (batch {profile['batch_size']}, "
              f"{profile['steps']} steps, 1 thread; matrix products count as their caller's own "
              "time)\n")
        print("```")
        print(text.strip())
        print("```")


def print_instructions(counts):
    print("\n## Instructions per step (valgrind callgrind; deterministic)\n")
    _table("| batch | contestant | k instructions per step | relative to tinynet |")
    for batch, by_label in counts.items():
        base = by_label.get("tinynet")
        for label, value in by_label.items():
            if isinstance(value, str):
                print(f"| {batch} | {label} | failed: {value} | — |")
                continue
            relative = f"{value / base:.3f}x" if isinstance(base, float) else "—"
            print(f"| {batch} | {label} | {value / 1e3:,.1f} | {relative} |")


def print_whole_runs(results):
    print("\n## Whole runs\n")
    print("| run | wall time | notes |")
    print("|---|---|---|")
    for lecture in results["lecture_runs"]:
        what = ("lecture baseline (300 MNIST images, batch 10, 100 epochs), "
                f"{lecture.get('threads', '—')} thread(s)")
        if lecture.get("seconds") is None:
            print(f"| {what} | not measured | {lecture.get('note', '')} |")
            continue
        notes = f"{lecture['source']}; {lecture['steps_per_s_incl_eval']:,.0f} steps/s including evaluation"
        if lecture.get("test_accuracy") is not None:
            notes += f"; test accuracy {lecture['test_accuracy']:.1%}"
        print(f"| {what} | {lecture['seconds']:.2f} s{disturbed_mark(lecture)} | {notes} |")
    lab = results["lab"]
    note = (f"`{lab['command']}`, exit code {lab['returncode']}" if lab.get("measured")
            else lab.get("note", ""))
    print(f"| whole lab, 10 seeds | {format_seconds(lab.get('seconds'))}{disturbed_mark(lab)} | {note} |")
    for epoch in results["full_epochs"]:
        what = f"one epoch, 60,000 Fashion-MNIST images, batch 100, {epoch.get('threads', '—')} thread(s)"
        if epoch.get("epoch_seconds") is None:
            print(f"| {what} | not measured | {epoch.get('note', '')} |")
            continue
        print(f"| {what} | {epoch['epoch_seconds']:.2f} s{disturbed_mark(epoch)} | "
              f"{epoch['samples_per_s']:,.0f} samples/s, fresh process; loading the data took "
              f"{epoch['load_seconds']:.2f} s |")
    if any(run.get("disturbed") for run in results["lecture_runs"] + results["full_epochs"] + [lab]):
        print("\n\\* disturbed: other processes used the CPU cores this run needed; its time is inflated.")


def print_memory(memory):
    print(f"\n## Peak resident memory of that epoch (fresh subprocess, {memory.get('threads', '—')} "
          "thread(s))\n")
    if memory.get("peak") is None:
        print(f"not measured: {memory.get('note', '')}")
        return
    rows = [
        ("child's peak RSS (VmHWM over its whole life)", memory["peak"]),
        ("child's ru_maxrss (getrusage)", memory["ru_maxrss"]),
        ("RSS after importing numpy + tinynet (baseline)", memory["rss_after_imports"]),
        ("peak while loading the data set", memory["peak_before_epoch"]),
        ("RSS after loading the data set", memory["rss_after_load"]),
        ("RSS once the model and the DataLoader exist", memory["rss_after_loader"]),
    ]
    if memory["peak_epoch"]:
        rows.append(("peak during the epoch alone (VmHWM reset before it)", memory["peak_epoch"]))
    print("| figure | MB |")
    print("|---|---|")
    for label, size in rows:
        print(f"| {label} | {size / MB:.1f} |")
    print(f"| **peak − baseline** | **{memory['peak_minus_baseline'] / MB:.1f}** |")
    print(f"| data set as float32 (60000·784·4) | {memory['dataset_float32_bytes'] / MB:.1f} |")
    print(f"| data set as uint8 | {memory['dataset_uint8_bytes'] / MB:.1f} |")
    print("| budget: float32 data set + one batch of activations + parameters | "
          f"{memory['budget_bytes'] / MB:.1f} |")
    print(f"\nPeak − baseline is {memory['peak_vs_float32']:.2f}x the float32 data set and "
          f"{memory['peak_vs_uint8']:.2f}x the uint8 one (images held as {memory['loaded_images_dtype']}, "
          f"{memory['loaded_images_nbytes'] / MB:.1f} MB). Memory target: {verdict(memory['pass'])}.")


def summary_lines(results):
    """One line per target: the figure, the target, PASS/FAIL."""
    lines = []
    for config in results["steps"]:
        targets = config["targets"]
        if not targets:
            continue
        ratios = config["ratios"]
        vs_torch, vs_ceiling = ratios.get("tinynet_vs_torch"), ratios.get("tinynet_vs_ceiling")
        line = (f"batch {config['batch_size']}, 1 thread: tinynet/torch "
                f"{'—' if vs_torch is None else f'{vs_torch:.3f}x'} "
                f"(target ≥{targets['tinynet_vs_torch_min']:.2g}x) {verdict(targets['torch_pass'])}; "
                f"tinynet/ceiling {'—' if vs_ceiling is None else f'{vs_ceiling:.1%}'} "
                f"(target ≥{targets['tinynet_vs_ceiling_min']:.0%}) {verdict(targets['ceiling_pass'])}")
        if ratios.get("torch_vs_ceiling"):
            needed = targets["tinynet_vs_torch_min"] * ratios["torch_vs_ceiling"]
            line += (f" — the ceiling itself is {1 / ratios['torch_vs_ceiling']:.2f}x torch here, so the "
                     f"torch target needs tinynet at ≥{needed:.0%} of the ceiling")
        lines.append(line)
        for other in results["tinynets"][1:]:
            lines.append(f"batch {config['batch_size']}, 1 thread: {other}/torch "
                         f"{format_ratio(ratios.get(f'{other}_vs_torch'))}, {other}/ceiling "
                         f"{format_ratio(ratios.get(f'{other}_vs_ceiling'))}")
    memory = results["memory"]
    if memory.get("pass") is not None:
        lines.append(f"memory: peak − baseline {memory['peak_minus_baseline'] / MB:.1f} MB vs budget "
                     f"{memory['budget_bytes'] / MB:.1f} MB {verdict(memory['pass'])}")
    lines.append(f"equivalence of the contestants: {verdict(results['equivalence_pass'])}")
    return lines


def print_report(results, descriptions):
    print_equivalence(results)
    print_steps(results)
    if any(":" in name for config in results["steps"] for name in config["contestants"]):
        print_checks(results, descriptions)
    if results.get("phases"):
        print_phases(results["phases"])
    print_whole_runs(results)
    print_memory(results["memory"])
    print("\n## Targets\n")
    for line in results["summary"]:
        print(f"- {line}")
