"""The CNN's printed report (cnn.py measures it): the equivalence check, one
table of the step per contestant and batch size with the targets, the step's
memory, and each layer's times."""
from .cnn import MEMORY_STEPS
from .tables import MB, format_ratio, verdict
from .workers import KEPT, MALLOC_KEPT

NETWORK = ("Conv2d(1, 30, 5) -> ReLU -> MaxPool2d(2) -> Flatten -> Linear(4320, 100) -> ReLU -> "
           "Linear(100, 10), cross-entropy, SGD lr 0.1, float32, input (N, 1, 28, 28)")


def _megabytes(size):
    return "—" if size is None else f"{size / MB:.1f}"


def print_equivalence(cnn):
    print(f"\n## The CNN: {NETWORK}\n")
    print("Equivalence check (the same initial weights and batches, against PyTorch):\n")
    if not cnn["equivalence"]:
        print(f"- {cnn.get('equivalence_note', 'not checked')}")
        return
    for check in cnn["equivalence"]:
        diffs = ", ".join(f"{pair.split('_vs_')[0]} {diff:.1e}"
                          for pair, diff in check["max_abs_diff"].items())
        errors = f"; ERRORS: {check['errors']}" if check["errors"] else ""
        print(f"- batch {check['batch_size']}, {check['dtype']}, {check['steps']} steps: max abs "
              f"weight difference {diffs or '—'}{errors}")
    tolerances = ", ".join(f"{tolerance:.0e} in {dtype}"
                           for dtype, tolerance in cnn["equivalence_tolerance"].items())
    print(f"- verdict: {verdict(cnn['equivalence_pass'])} (tolerance {tolerances})")


def print_steps(cnn, settings):
    print(f"\n## The CNN's training step, 1 thread: median of {settings['repeats']} interleaved "
          f"rounds ({settings['clock']} clock)\n")
    print("| batch | contestant | µs per step | spread (min–max, % of median) | speed vs torch "
          "| speed vs tinynet | minor page faults per step | step's peak memory, MB | "
          "NumPy arrays at the step's peak, MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    for config in cnn["steps"]:
        batch, ratios = config["batch_size"], config["ratios"]
        memory = cnn["memory"].get(batch, {})
        for label, figures in config["contestants"].items():
            if "error" in figures:
                print(f"| {batch} | {label} | not timed: {figures['error']} | | | | | | |")
                continue
            spread = (figures["max_steps_per_s"] - figures["min_steps_per_s"]) / figures["steps_per_s"]
            torch = "torch" + KEPT if label.endswith(KEPT) else "torch"
            found = memory.get(label, {})
            print(f"| {batch} | {label} | {figures['us_per_step']:,.0f} | {100 * spread:.0f}% | "
                  f"{format_ratio(ratios.get(f'{label}_vs_{torch}'))} | "
                  f"{format_ratio(ratios.get(f'{label}_vs_tinynet'))} | "
                  f"{figures['faults_per_step']:,.0f} | {_megabytes(found.get('step_peak'))} | "
                  f"{_megabytes(found.get('numpy_step_peak'))} |")
        print(f"| {batch} | | | | | | | | {config['clean_rounds']}/{config['rounds']} rounds "
              f"undisturbed{' (DISTURBED)' if config['disturbed'] else ''} |")
    print("\nSpeed ratios are steps/s over steps/s (above 1: faster). The step's peak memory: the "
          f"peak resident size of a fresh process over its first {MEMORY_STEPS} steps, less its size before "
          "them (model and batches built), as Linux reports them: not exact to a few hundred kB "
          "(a figure below 0.5 MB, even below 0, means the steps added about nothing); the NumPy "
          "column: tracemalloc's peak of one step.")
    if cnn.get("malloc_kept"):
        print(f"`{KEPT}`: the same contestant in a worker started with "
              + " ".join(f"`{key}={value}`" for key, value in MALLOC_KEPT.items())
              + " (glibc keeps the memory it frees); tinynet never sets these itself.")
    for label, error in cnn.get("design_errors", {}).items():
        print(f"\nnot timed: {label}: {error}")


def print_layers(layers):
    for batch, by_label in layers.items():
        labels = list(by_label)
        print(f"\n## Each layer of the CNN called directly, batch {batch} (median thread CPU µs)\n")
        print("| layer | " + " | ".join(labels) + " |")
        print("|---|" + "---|" * len(labels))
        for key in by_label[labels[0]]:
            print(f"| {key} | " + " | ".join(f"{by_label[label].get(key, float('nan')):,.0f}"
                                             for label in labels) + " |")
        print("| **sum** | " + " | ".join(f"{sum(by_label[label].values()):,.0f}" for label in labels)
              + " |")


def print_report(cnn, settings):
    print_equivalence(cnn)
    print_steps(cnn, settings)
    if cnn.get("layers"):
        print_layers(cnn["layers"])


def summary_lines(cnn):
    """One line per CNN target, and the equivalence verdict."""
    if not cnn:
        return []
    lines = []
    for config in cnn["steps"]:
        targets, ratios = config["targets"], config["ratios"]
        if not targets:
            continue
        got = ratios.get("tinynet_vs_torch")
        line = (f"CNN, batch {config['batch_size']}, 1 thread: tinynet/torch "
                f"{'—' if got is None else f'{got:.2f}x'} "
                f"(target ≥{targets['tinynet_vs_torch_min']:.1f}x) {verdict(targets['torch_pass'])}")
        if ratios.get(f"tinynet{KEPT}_vs_torch{KEPT}"):
            line += (f"; with glibc keeping freed memory (both): "
                     f"{ratios[f'tinynet{KEPT}_vs_torch{KEPT}']:.2f}x")
        lines.append(line)
        for other in cnn["tinynets"][1:]:
            lines.append(f"CNN, batch {config['batch_size']}, 1 thread: {other}/torch "
                         f"{format_ratio(ratios.get(f'{other}_vs_torch'))}")
    lines.append(f"equivalence of the CNN contestants: {verdict(cnn['equivalence_pass'])}")
    return lines
