#!/usr/bin/env python3
"""Generate province-scale benchmark data: copies of a few sample-city counties on a grid of county seats.

    python scripts/make_province.py --buildings 10000000 --seed 42 --out benchmarks/data/province_10000000.gpkg
    python scripts/make_province.py --buildings 1000000 --county-max 50000 --templates 3 --force

Same layers and fields as the sample city (``samplecity.LAYER_NAMES``, EPSG:4542), no truth tables; see
``devtools/province.py``.  Skips the work when the file exists and was made with the same parameters (stored in
its ``sample_params`` table) unless ``--force``.  Runs without QGIS.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from devtools import fileio, province  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--buildings", type=int, default=1_000_000, help="about the later-epoch building count")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", default=None, help="default benchmarks/data/province_<buildings>.gpkg")
    ap.add_argument("--county-max", type=int, default=province.COUNTY_MAX,
                    help="buildings per county at most (each distinct county is one generate_city run)")
    ap.add_argument("--templates", type=int, default=province.N_TEMPLATES, help="distinct counties generated")
    ap.add_argument("--force", action="store_true", help="regenerate even if the file is up to date")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args(argv)

    out = Path(a.out or ROOT / "benchmarks" / "data" / f"province_{a.buildings}.gpkg")
    wanted = province.province_params(a.buildings, a.seed, a.county_max, a.templates)
    if out.exists() and not a.force:
        if fileio.read_params(out, backend="ogr") == wanted:
            print(f"{out}: up to date (same parameters), skipped; use --force to regenerate")
            return 0
    t0 = time.perf_counter()
    res = province.write_province(out, a.buildings, a.seed, county_max=a.county_max, n_templates=a.templates,
                                  log=None if a.quiet else (lambda s: print("  " + s, flush=True)))
    dt = time.perf_counter() - t0
    print(f"{out}  (EPSG:4542, seed {a.seed}, {res['counties']} counties from {res['templates']} templates, "
          f"county seats {res['spacing_m'] / 1000:.0f} km apart)")
    for name, n in res["counts"].items():
        print(f"  {name:<16} {n:>11,d}")
    s = res["seconds"]
    print(f"  templates {s['templates']:.1f} s, rows {s['rows']:.1f} s, "
          f"indexes + publish {s['total'] - s['templates'] - s['rows']:.1f} s, total {dt:.1f} s, "
          f"{out.stat().st_size / 2**20:,.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
