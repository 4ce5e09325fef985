#!/usr/bin/env python3
"""Generate the deterministic sample city and write it to a GeoPackage.

    python scripts/make_sample_city.py --buildings 10000 --seed 42 --out out/sample/city.gpkg
    python scripts/make_sample_city.py --buildings 100000 --jitter 0.5 --shift 2 --force

Skips the work when the file exists and was made with the same parameters (they
are stored in its ``sample_params`` table) unless ``--force``.  Runs without QGIS.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from devtools import fileio, samplecity  # noqa: E402


def _rate(text: str):
    key, _, val = text.partition("=")
    if key not in samplecity.DEFAULT_RATES or not val:
        raise argparse.ArgumentTypeError(
            f"expected NAME=VALUE with NAME in {', '.join(samplecity.DEFAULT_RATES)}")
    return key, float(val)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--buildings", type=int, default=10_000, help="about the later-epoch building count")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", default="out/sample/city.gpkg")
    ap.add_argument("--jitter", type=float, default=0.3, help="per-vertex re-survey noise (m)")
    ap.add_argument("--shift", type=float, default=1.0, help="whole-outline re-survey shift (m)")
    ap.add_argument("--invalid-share", type=float, default=0.01, help="share of invalid outlines per epoch")
    ap.add_argument("--n-special", type=int, default=None,
                    help="null, empty and 3D footprints each (default max(2, n/20000))")
    ap.add_argument("--rate", type=_rate, action="append", default=[],
                    help="change rate override, e.g. --rate new=0.03 (repeatable)")
    ap.add_argument("--backend", choices=["pyogrio", "ogr"], default=None, help="file I/O backend")
    ap.add_argument("--force", action="store_true", help="regenerate even if the file is up to date")
    a = ap.parse_args(argv)

    out = Path(a.out)
    kwargs = dict(n_buildings=a.buildings, seed=a.seed, jitter=a.jitter, shift=a.shift,
                  invalid_share=a.invalid_share, rates=dict(a.rate) or None, n_special=a.n_special)
    t0 = time.perf_counter()
    # the params the generator would store, without generating: cheap check first
    wanted = samplecity.city_params(**kwargs)
    if out.exists() and not a.force:
        have = fileio.read_params(out, backend=a.backend)
        if have == wanted:
            print(f"{out}: up to date (same parameters), skipped; use --force to regenerate")
            return 0
    city = samplecity.generate_city(**kwargs)
    t1 = time.perf_counter()
    fileio.write_city(city, out, backend=a.backend)
    t2 = time.perf_counter()
    print(f"{out}  (EPSG:4542, seed {a.seed}, jitter {a.jitter} m, shift {a.shift} m, "
          f"invalid {a.invalid_share:.1%}, backend {fileio.backend_name(a.backend)})")
    for name, n in city.counts().items():
        print(f"  {name:<16} {n:>9,d}")
    for name, df in city.tables.items():
        print(f"  {name:<16} {len(df):>9,d}  (table)")
    ch = city.info["changes_later"]
    print("  changes: " + ", ".join(f"{k} {v:,d}" for k, v in sorted(ch.items(), key=lambda kv: -kv[1]))
          + f", demolished {city.info['demolished']:,d}")
    gs = city.info["geom_status_later"]
    print("  later geometry status: " + ", ".join(f"{k} {v:,d}" for k, v in gs.items()))
    print(f"  generate {t1 - t0:.1f} s, write {t2 - t1:.1f} s, total {t2 - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
