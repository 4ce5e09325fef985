"""False alarms of compareepochs on noisier re-surveys, and how confidence grades them.

Both epochs re-digitised (earlier vertices jittered 0.3 m, every outline in both epochs rescaled so its area
moves by up to +-area_noise).  For each noise level: the outline noise the run measured, false changes among
buildings the generator left unchanged (and their confidence: a low-confidence change is 待核查 in the
register, never 拆除候选 on its own), and true expansions found.

Usage: .venv/bin/python benchmarks/confidence_noise.py [--buildings 5000] [--seed 5]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devtools.samplecity import EARLIER, LATER, generate_city  # noqa: E402
from lincang_liangwei.core.epochs import compare_epochs  # noqa: E402
from lincang_liangwei.core.geometry import REPAIRED, clean  # noqa: E402

LEVELS = ((0.0, 0.0), (0.05, 0.3), (0.10, 0.3), (0.15, 0.3))
EXPANDED = ("expanded", "expanded+floors_added")


def measure(n: int, seed: int, area_noise: float, earlier_jitter: float) -> dict:
    city = generate_city(n, seed=seed, area_noise=area_noise, earlier_jitter=earlier_jitter)
    e_geoms, _ = city.layers[EARLIER]
    l_geoms, _ = city.layers[LATER]
    e_ids = np.arange(1, len(e_geoms) + 1)
    l_ids = np.arange(1, len(l_geoms) + 1)
    ce = clean(e_geoms, ids=e_ids)
    cl = clean(l_geoms, ids=l_ids)
    res = compare_epochs(ce.geoms, e_ids, cl.geoms, l_ids, earlier_repaired=ce.status == REPAIRED,
                         earlier_duplicate_of=ce.duplicate_of, later_duplicate_of=cl.duplicate_of)
    later = res.later
    truth = city.truth_later.set_index("fid")["change"].reindex(later["fid"]).to_numpy()
    change = later["change"].to_numpy()
    conf = later["confidence"].to_numpy()
    unchanged = truth == "unchanged"
    false = unchanged & ~np.isin(change, ["unchanged", "skipped"])
    true_exp = np.isin(truth, EXPANDED)
    found = true_exp & np.isin(change, EXPANDED)
    grades = ("high", "medium", "low")
    return {"noise": res.report.noise["noise_ratio"], "unchanged": int(unchanged.sum()), "false": int(false.sum()),
            "false_by": {g: int(((conf == g) & false).sum()) for g in grades},
            "expanded": int(true_exp.sum()), "found": int(found.sum()),
            "found_by": {g: int(((conf == g) & found).sum()) for g in grades}}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--buildings", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args(argv)
    for area_noise, jitter in LEVELS:
        m = measure(args.buildings, args.seed, area_noise, jitter)
        share = 100.0 * m["false"] / max(m["unchanged"], 1)
        print(f"area noise {area_noise:.2f}, earlier jitter {jitter} m: outline noise {m['noise']:.3f}; "
              f"false changes {m['false']} of {m['unchanged']} unchanged ({share:.2f} %), by confidence "
              f"{m['false_by']}; true expansions found {m['found']}/{m['expanded']}, by confidence {m['found_by']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
