"""Profile ``core.epochs.compare_epochs`` on a sample city and check results stay bit-identical (not shipped).

    .venv/bin/python benchmarks/profile_epochs.py prep 100000      # read + clean both epochs once -> /tmp pickle
    .venv/bin/python benchmarks/profile_epochs.py run 100000 --save   # run, keep a reference result
    .venv/bin/python benchmarks/profile_epochs.py run 100000 --check  # run, compare every column with it
    .venv/bin/python benchmarks/profile_epochs.py run 100000 --cprofile  # + top functions by cumulative time
    .venv/bin/python benchmarks/profile_epochs.py run 100000 --module /tmp/epochs_before.py  # a saved copy

``prep`` reads the layers with GDAL's Arrow stream and cleans them exactly as the
algorithm's reader does (``qgis_io.reader._read_ogr_arrow`` + ``core.geometry.clean``),
timing both.  ``run`` times ``compare_epochs`` (``report.seconds`` per stage) plus the
table-building work the algorithm does after it.  ``--check`` compares the later /
earlier / demolished / growth tables with ``==`` (NaN == NaN) and the growth
geometries by WKB.
"""
from __future__ import annotations

import argparse
import cProfile
import pickle
import pstats
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _paths(n: int):
    return (ROOT / "benchmarks" / "data" / f"city_{n}.gpkg", Path(f"/tmp/profile_epochs_{n}.pkl"),
            Path(f"/tmp/profile_epochs_{n}_ref.pkl"))


def prep(n: int):
    from lincang_liangwei.core.geometry import POLYGON, clean
    from lincang_liangwei.qgis_io.reader import _read_ogr_arrow

    city, arrays, _ = _paths(n)
    out = {}
    for key, layer in (("E", "buildings_2019"), ("L", "buildings_2023")):
        t = time.perf_counter()
        raw = _read_ogr_arrow(str(city), layer, layer, ["floors"], None)
        t1 = time.perf_counter()
        cl = clean(raw.geoms, kind=POLYGON, layer=layer, unparsable=raw.unparsable, ids=raw.fids)
        t2 = time.perf_counter()
        print(f"{layer}: read {t1 - t:.2f} s, clean {t2 - t1:.2f} s ({len(raw)} features)")
        out[key] = dict(geoms=cl.geoms, fids=raw.fids, floors=raw.attrs["floors"], dup=cl.duplicate_of,
                        status=cl.status)
    with open(arrays, "wb") as f:
        pickle.dump(out, f, protocol=pickle.HIGHEST_PROTOCOL)
    print("saved", arrays)


def _load_module(path):
    """A saved copy of epochs.py (e.g. before a change), imported inside the package so its relative
    imports work."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("lincang_liangwei.core._epochs_saved", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def _run(data, n_threads, module=None):
    if module:
        compare_epochs = _load_module(module).compare_epochs
    else:
        from lincang_liangwei.core.epochs import compare_epochs
    from lincang_liangwei.core.floors import parse_floors
    from lincang_liangwei.core.geometry import REPAIRED

    E, L = data["E"], data["L"]
    t = time.perf_counter()
    fE = parse_floors(E["floors"])[0]
    fL = parse_floors(L["floors"])[0]
    t_fl = time.perf_counter() - t
    t = time.perf_counter()
    c = time.process_time()
    res = compare_epochs(E["geoms"], E["fids"], L["geoms"], L["fids"], fE, fL, n_threads=n_threads,
                         earlier_duplicate_of=E["dup"], later_duplicate_of=L["dup"],
                         earlier_repaired=E["status"] == REPAIRED)
    res.report.seconds["cpu"] = time.process_time() - c
    return res, t_fl, time.perf_counter() - t


def _frame_equal(name, a: pd.DataFrame, b: pd.DataFrame) -> list:
    bad = []
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return [f"{name}: shape/columns differ {a.shape} {list(a.columns)} vs {b.shape} {list(b.columns)}"]
    for c in a.columns:
        x, y = a[c].to_numpy(), b[c].to_numpy()
        if x.dtype != y.dtype:
            bad.append(f"{name}.{c}: dtype {x.dtype} vs {y.dtype}")
            continue
        if x.dtype.kind == "f":
            same = (x == y) | (np.isnan(x) & np.isnan(y))
        else:
            same = x == y
        if not np.all(same):
            k = np.flatnonzero(~same)
            bad.append(f"{name}.{c}: {len(k)} rows differ, e.g. row {k[0]}: {x[k[0]]!r} vs {y[k[0]]!r}")
    return bad


def _snapshot(res):
    return dict(later=res.later, earlier=res.earlier, demolished=res.demolished,
                demolished_index=res.demolished_index, growth=res.growth,
                growth_wkb=shapely.to_wkb(res.growth_geoms), report={k: v for k, v in res.report.as_dict().items()
                                                                     if k != "seconds"})


def compare(ref: dict, res) -> list:
    got = _snapshot(res)
    bad = []
    for k in ("later", "earlier", "demolished", "growth"):
        bad += _frame_equal(k, got[k], ref[k])
    if not np.array_equal(got["demolished_index"], ref["demolished_index"]):
        bad.append("demolished_index differs")
    gw, rw = got["growth_wkb"], ref["growth_wkb"]
    if len(gw) != len(rw):
        bad.append(f"growth geoms: {len(gw)} vs {len(rw)}")
    else:
        k = np.flatnonzero(gw != rw)
        if len(k):
            bad.append(f"growth geoms: {len(k)} differ (WKB), e.g. index {k[0]}")
    a, b = got["report"], ref["report"]
    for key in a:
        if key == "noise":
            same = pd.Series(a[key]).astype(str).to_dict() == pd.Series(b[key]).astype(str).to_dict()
        else:
            same = a[key] == b[key]
        if not same:
            bad.append(f"report.{key}: {a[key]} vs {b[key]}")
    return bad


def run(n: int, save: bool, check: bool, profile: bool, n_threads, repeat: int, module=None):
    _, arrays, refp = _paths(n)
    t = time.perf_counter()
    with open(arrays, "rb") as f:
        data = pickle.load(f)
    print(f"loaded {arrays} in {time.perf_counter() - t:.1f} s")
    for _ in range(repeat):
        if profile:
            pr = cProfile.Profile()
            pr.enable()
        res, t_fl, t_core = _run(data, n_threads, module)
        if profile:
            pr.disable()
        secs = res.report.seconds
        print(f"floors parse {t_fl:.2f} s; compare_epochs {t_core:.2f} s")
        print("  " + ", ".join(f"{k} {v:.2f}" for k, v in secs.items()))
    if profile:
        pstats.Stats(pr).sort_stats("cumulative").print_stats(35)
        pstats.Stats(pr).sort_stats("tottime").print_stats(25)
    print("changes:", res.report.changes)
    if save:
        with open(refp, "wb") as f:
            pickle.dump(_snapshot(res), f, protocol=pickle.HIGHEST_PROTOCOL)
        print("reference saved to", refp)
    if check:
        with open(refp, "rb") as f:
            ref = pickle.load(f)
        bad = compare(ref, res)
        print("IDENTICAL to reference" if not bad else "DIFFERENCES:\n  " + "\n  ".join(bad))
        return 1 if bad else 0
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=("prep", "run"))
    ap.add_argument("n", type=int)
    ap.add_argument("--save", action="store_true")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--cprofile", action="store_true")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--module", help="run this saved copy of core/epochs.py instead (before / after)")
    a = ap.parse_args(argv)
    if a.what == "prep":
        prep(a.n)
        return 0
    return run(a.n, a.save, a.check, a.cprofile, a.threads, a.repeat, a.module)


if __name__ == "__main__":
    sys.exit(main())
