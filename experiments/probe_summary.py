"""The probe data of a configuration's seeds (probes.py), combined for the
figures: medians over seeds of the pre-activation quantiles and gradient
norms, histograms (final weights, activations at initialisation) added up,
and the first seed's CNN filters (kernels of different seeds are different
pictures: their mean would be none of them)."""
import numpy as np


def _median_over_seeds(blocks, epochs_key, values_key):
    """Median over seeds of per-epoch arrays, on the epochs every seed has."""
    blocks = [b for b in blocks if b and b.get(epochs_key)]
    if not blocks:
        return None
    common = sorted(set.intersection(*(set(b[epochs_key]) for b in blocks)))
    if not common:
        return None
    stacked = np.array([[b[values_key][b[epochs_key].index(e)] for e in common] for b in blocks],
                       dtype=np.float64)
    return {epochs_key: common, values_key: np.round(np.median(stacked, axis=0), 5).tolist(),
            "seeds": len(blocks)}


def _summed_activations(blocks):
    """Per hidden layer, the seeds' activation histograms added up, and the
    mean over seeds of each layer's mean and standard deviation."""
    first = blocks[0]
    layers = []
    for i in range(len(first["layers"])):
        seeds = [b["layers"][i] for b in blocks]
        layer = {key: int(sum(s[key] for s in seeds)) for key in ("above", "zeros", "count")}
        layer["counts"] = np.sum([s["counts"] for s in seeds], axis=0).tolist()
        layer.update({key: float(np.mean([s[key] for s in seeds])) for key in ("mean", "std")})
        layers.append(layer)
    return {"seeds": len(blocks), "rows": first["rows"], "low": first["low"], "high": first["high"],
            "layers": layers}


def aggregate_probes(probe_records, seeds):
    """The seeds' probes, combined: medians of quantiles and gradient norms,
    summed histograms (weights, activations), the first seed's filters.
    ``seeds``: the seed of each record, in order."""
    first_seed = {}
    for seed, probes in zip(seeds, probe_records):
        if probes and probes.get("filters") and probes["filters"].get("learned"):
            first_seed.setdefault("filters", {"seed": seed, **probes["filters"]})
    probe_records = [p for p in probe_records if p]
    out = dict(first_seed)
    preact = _median_over_seeds([p.get("preactivations") for p in probe_records],
                                "epoch", "quantiles")
    if preact:
        first = next(p["preactivations"] for p in probe_records if p.get("preactivations"))
        out["preactivations"] = {"quantiles_percent": first["quantiles_percent"],
                                 "mode": first.get("mode", "eval"), **preact}
    grads = _median_over_seeds([p.get("grad_norms") for p in probe_records], "epoch", "norms")
    if grads:
        out["grad_norms"] = grads
    hists = [p["weight_histogram"] for p in probe_records if p.get("weight_histogram")]
    if hists:
        out["weight_histogram"] = {
            "seeds": len(hists), "count": sum(h["count"] for h in hists),
            "zeros": sum(h.get("zeros", 0) for h in hists) if all("zeros" in h for h in hists)
            else None,
            **{kind: {"low": hists[0][kind]["low"], "high": hists[0][kind]["high"],
                      "counts": np.sum([h[kind]["counts"] for h in hists], axis=0).tolist()}
               for kind in ("linear", "log10_abs")}}
    activations = [p["activations"] for p in probe_records if p.get("activations")]
    if activations:
        out["activations"] = _summed_activations(activations)
    return out
