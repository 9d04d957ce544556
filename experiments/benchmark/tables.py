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
    print("\n## Equivalence check (one float64 step from identical weights)\n")
    for check in results["equivalence"]:
        diffs = ", ".join(f"{pair.replace('_vs_', ' vs ')} {diff:.1e}"
                          for pair, diff in check["max_abs_diff"].items())
        losses = ", ".join(f"{name} {loss:.6f}" for name, loss in check["losses"].items())
        errors = f"; ERRORS: {check['errors']}" if check["errors"] else ""
        print(f"- batch {check['batch_size']}: max abs weight difference {diffs or '—'} "
              f"(loss {losses}){errors}")
    print(f"- verdict: {verdict(results['equivalence_pass'])} "
          f"(tolerance {results['equivalence_tolerance']:.0e})")


def print_steps(results):
    names = results["contestants"]
    print("\n## Training step, float32 (forward, loss, backward, SGD update): steps/s, median of "
          f"{results['settings']['repeats']} interleaved repeats\n")
    head = ("| threads | batch | " + " | ".join(names)
            + " | tinynet/torch | tinynet/ceiling | target (1 thread) | result | undisturbed rounds |")
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for config in results["steps"]:
        figures, ratios, targets = config["contestants"], config["ratios"], config["targets"]
        rates = [format_rate(figures.get(name, {}).get("steps_per_s")) for name in names]
        if targets:
            target = (f"≥{targets['tinynet_vs_torch_min']:.2g}x torch, "
                      f"≥{targets['tinynet_vs_ceiling_min']:.0%} ceiling")
            result = f"{verdict(targets['torch_pass'])} / {verdict(targets['ceiling_pass'])}"
        else:
            target = result = "—"
        print(f"| {config['threads']} | {config['batch_size']} | " + " | ".join(rates)
              + f" | {format_ratio(ratios.get('tinynet_vs_torch'))}"
              f" | {format_ratio(ratios.get('tinynet_vs_ceiling'))}"
              f" | {target} | {result} | {config['clean_rounds']}/{config['rounds']}"
              f"{disturbed_mark(config)} |")
    if any(config.get("disturbed") for config in results["steps"]):
        print("\n\\* disturbed: other processes kept using the cores these threads needed in most "
              "rounds; the figures (medians over all rounds) are unreliable, the ratios less so.")

    print("\n## Throughput: samples/s (and µs per step)\n")
    head = "| threads | batch | " + " | ".join(names) + " | spread (min–max, % of median) |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
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
    memory = results["memory"]
    if memory.get("pass") is not None:
        lines.append(f"memory: peak − baseline {memory['peak_minus_baseline'] / MB:.1f} MB vs budget "
                     f"{memory['budget_bytes'] / MB:.1f} MB {verdict(memory['pass'])}")
    lines.append(f"equivalence of the contestants: {verdict(results['equivalence_pass'])}")
    return lines


def print_report(results):
    print_equivalence(results)
    print_steps(results)
    print_whole_runs(results)
    print_memory(results["memory"])
    print("\n## Targets\n")
    for line in results["summary"]:
        print(f"- {line}")
