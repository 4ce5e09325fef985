"""make bench: this project vs the QGIS native tools, same data, one run.

Every contender runs as its own ``qgis_process`` process (the way a batch user
runs it), timed wall-clock with its own peak RSS.  For each check the table
shows seconds, peak memory, how many buildings each tool reports, and the
ratio native / liangwei.

    python benchmarks/run.py --sizes 100000 [1000000] [--checks controllines,pipes,epochs]
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

from qprun import QpResult, run_alg  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
ZONE_LAYERS = {"RED_LINES": "red_lines", "BLUE_LINES": "blue_lines", "GREEN_LINES": "green_lines",
               "YELLOW_LINES": "yellow_lines", "PURPLE_LINES": "purple_lines", "WATER_SOURCE": "water_source"}


def ensure_city(n: int, seed: int = 42) -> Path:
    path = DATA / f"city_{n}.gpkg"
    DATA.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, str(ROOT / "scripts" / "make_sample_city.py"), "--buildings", str(n), "--seed", str(seed),
           "--out", str(path)]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    dt = time.perf_counter() - t0
    if dt > 2:
        print(f"  sample city {n:,} buildings: {dt:.0f} s ({path.relative_to(ROOT)})")
    return path


def lyr(path: Path, name: str) -> str:
    return f"{path}|layername={name}"


def sql_count(path: Path, sql: str) -> int:
    from osgeo import ogr

    ds = ogr.Open(str(path))
    res = ds.ExecuteSQL(sql)
    try:
        return int(res.GetNextFeature().GetField(0))
    finally:
        ds.ReleaseResultSet(res)


def fresh(path: Path) -> str:
    if path.exists():
        path.unlink()
    return str(path)


def row(label: str, runs: list[QpResult], found: str) -> dict:
    return {"label": label, "seconds": sum(r.seconds for r in runs), "peak_mb": max(r.peak_mb for r in runs),
            "steps": " + ".join(f"{r.alg.split(':')[1]} {r.seconds:.1f}s" for r in runs), "found": found}


def print_table(title: str, rows: list[dict], ours: dict):
    print(f"\n== {title}")
    print(f"{'contender':52s} {'wall s':>8s} {'peak MB':>8s} {'× ours':>7s}  result / steps")
    for r in rows:
        ratio = r["seconds"] / ours["seconds"] if ours["seconds"] else float("nan")
        print(f"{r['label']:52s} {r['seconds']:8.1f} {r['peak_mb']:8.0f} {ratio:7.1f}  {r['found']}")
        if " + " in r["steps"]:
            print(f"{'':52s} {'':8s} {'':8s} {'':7s}  ({r['steps']})")


def bench_controllines(city: Path, tmp: Path) -> list[dict]:
    bld = lyr(city, "buildings_2023")
    zones = {k: lyr(city, v) for k, v in ZONE_LAYERS.items()}
    out = []
    ours = run_alg("liangwei:controllines", {"FOOTPRINTS": bld, **zones, "MIN_AREA": 0,
                                              "OUTPUT": fresh(tmp / "cl_pieces.gpkg"),
                                              "OUTPUT_BUILDINGS": fresh(tmp / "cl_buildings.gpkg")})
    out.append(row("liangwei:controllines (pieces + every building)", [ours],
                   f"{int(ours.results['N_HIT_BUILDINGS']):,} buildings hit, {int(ours.results['N_HITS']):,} pieces"))
    ours_p = run_alg("liangwei:controllines", {"FOOTPRINTS": bld, **zones, "MIN_AREA": 0,
                                                "OUTPUT": fresh(tmp / "cl_pieces2.gpkg")})
    out.append(row("liangwei:controllines (pieces only)", [ours_p],
                   f"{int(ours_p.results['N_HIT_BUILDINGS']):,} buildings hit"))

    raw = run_alg("native:intersection", {"INPUT": bld, "OVERLAY": zones["RED_LINES"],
                                          "OUTPUT": fresh(tmp / "nat_raw.gpkg")}, check=False)
    out.append(row("native:intersection on the footprints as they are", [raw],
                   "fails: " + (raw.stderr.strip().splitlines() or ["?"])[-1][:60] if not raw.ok else "ran"))
    fix = run_alg("native:fixgeometries", {"INPUT": bld, "OUTPUT": fresh(tmp / "nat_fixed.gpkg")})
    merge = run_alg("native:mergevectorlayers", {"LAYERS": list(zones.values()), "CRS": "EPSG:4542",
                                                 "OUTPUT": fresh(tmp / "nat_zones.gpkg")})
    inter = run_alg("native:intersection", {"INPUT": str(tmp / "nat_fixed.gpkg"), "OVERLAY": str(tmp / "nat_zones.gpkg"),
                                            "OUTPUT": fresh(tmp / "nat_inter.gpkg")})
    n_native = sql_count(tmp / "nat_inter.gpkg", "SELECT COUNT(DISTINCT survey_id) FROM nat_inter")
    n_pieces = sql_count(tmp / "nat_inter.gpkg", "SELECT COUNT(*) FROM nat_inter")
    out.append(row("native chain: fixgeometries + merge + intersection", [fix, merge, inter],
                   f"{n_native:,} buildings hit, {n_pieces:,} pieces"))
    ov = run_alg("native:calculatevectoroverlaps", {"INPUT": bld, "LAYERS": list(zones.values()),
                                                    "OUTPUT": fresh(tmp / "nat_overlaps.gpkg")})
    cols = _area_columns(tmp / "nat_overlaps.gpkg")
    n_ov = sql_count(tmp / "nat_overlaps.gpkg",
                     "SELECT COUNT(*) FROM nat_overlaps WHERE " + " OR ".join(f'"{c}" > 0' for c in cols)) if cols else 0
    out.append(row("native:calculatevectoroverlaps", [ov], f"{n_ov:,} buildings hit"))
    return out


def _area_columns(path: Path) -> list[str]:
    from osgeo import ogr

    ds = ogr.Open(str(path))
    defn = ds.GetLayer(0).GetLayerDefn()
    return [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())
            if defn.GetFieldDefn(i).GetName().endswith("_area")]


def bench_pipes(city: Path, tmp: Path) -> list[dict]:
    import numpy as np

    from lincang_liangwei import fileio
    from lincang_liangwei.core.rules import load_rules

    bld = lyr(city, "buildings_2023")
    ours = run_alg("liangwei:pipeclearance", {"FOOTPRINTS": bld, "PIPELINES": lyr(city, "pipelines"),
                                               "OUTPUT": fresh(tmp / "pc.gpkg")})
    out = [row("liangwei:pipeclearance", [ours],
               f"{int(ours.results['N_BREACHES']):,} breaches, {int(ours.results['N_BREACH_BUILDINGS']):,} buildings")]
    # what a user of the native tools has to prepare first (not timed): the
    # clearance of every pipe in a field, from the same rules table
    fids, geoms, attrs, _ = fileio.read_layer(city, "pipelines")
    req = load_rules().pipe_clearances(attrs["kind"], attrs["pressure"], attrs["diameter_mm"]).required_m
    keep = np.isfinite(req)
    fileio.write_layer(tmp / "pipes_req.gpkg", "pipes_req", geoms[keep], {"req_m": req[keep]}, crs="EPSG:4542",
                       fids=fids[keep])
    buf = run_alg("native:geometrybyexpression", {"INPUT": str(tmp / "pipes_req.gpkg"), "OUTPUT_GEOMETRY": 0,
                                                  "EXPRESSION": 'buffer($geometry, "req_m")',
                                                  "OUTPUT": fresh(tmp / "nat_corridors.gpkg")})
    fix = run_alg("native:fixgeometries", {"INPUT": bld, "OUTPUT": fresh(tmp / "nat_fixed.gpkg")})
    inter = run_alg("native:intersection", {"INPUT": str(tmp / "nat_fixed.gpkg"),
                                            "OVERLAY": str(tmp / "nat_corridors.gpkg"),
                                            "OUTPUT": fresh(tmp / "nat_pc.gpkg")})
    n_pieces = sql_count(tmp / "nat_pc.gpkg", "SELECT COUNT(*) FROM nat_pc")
    n_b = sql_count(tmp / "nat_pc.gpkg", "SELECT COUNT(DISTINCT survey_id) FROM nat_pc")
    out.append(row("native chain: buffer by clearance + fixgeometries + intersection", [buf, fix, inter],
                   f"{n_pieces:,} pieces, {n_b:,} buildings"))
    return out


def bench_epochs(city: Path, tmp: Path) -> list[dict]:
    from lincang_liangwei import fileio

    ours = run_alg("liangwei:compareepochs", {
        "EARLIER": lyr(city, "buildings_2019"), "LATER": lyr(city, "buildings_2023"),
        "EARLIER_FLOORS_FIELD": "floors", "LATER_FLOORS_FIELD": "floors",
        "OUTPUT": fresh(tmp / "ep.gpkg"), "OUTPUT_DEMOLISHED": fresh(tmp / "ep_dem.gpkg"),
        "OUTPUT_GROWTH": fresh(tmp / "ep_growth.gpkg")})
    truth = fileio.read_table(city, "truth_later")
    truth_e = fileio.read_table(city, "truth_earlier")
    valid = truth["geom_status"].isin(["ok", "invalid", "z"]).to_numpy()
    fids, _, got, _ = fileio.read_layer(tmp / "ep.gpkg", "ep")
    got_change = dict(zip(got["survey_id"], got["change"]))
    _, _, later_attrs, _ = fileio.read_layer(city, "buildings_2023")
    sid_by_fid = dict(zip(range(1, len(later_attrs) + 1), later_attrs["survey_id"]))
    correct_ours = sum(got_change.get(sid_by_fid[f]) == c for f, c, v in
                       zip(truth["fid"], truth["change"], valid) if v)
    dem_truth = set(truth_e.loc[truth_e["demolished"] == 1, "fid"].astype(int))
    _, _, dem, _ = fileio.read_layer(tmp / "ep_dem.gpkg", "ep_dem")
    _, _, early_attrs, _ = fileio.read_layer(city, "buildings_2019")
    fid_by_sid_e = dict(zip(early_attrs["survey_id"], range(1, len(early_attrs) + 1)))
    dem_ours = {fid_by_sid_e[s] for s in dem["survey_id"]}
    correct_ours += len(dem_ours & dem_truth)
    out = [row("liangwei:compareepochs", [ours], f"{correct_ours:,} classified correctly "
               f"(of {int(valid.sum()) + len(dem_truth):,}); unchanged {int(ours.results['N_UNCHANGED']):,}")]

    nat = run_alg("native:detectvectorchanges", {
        "ORIGINAL": lyr(city, "buildings_2019"), "REVISED": lyr(city, "buildings_2023"), "MATCH_TYPE": 1,
        "UNCHANGED": fresh(tmp / "nat_unchanged.gpkg"), "ADDED": fresh(tmp / "nat_added.gpkg"),
        "DELETED": fresh(tmp / "nat_deleted.gpkg")})
    truth_by_sid = {sid_by_fid[f]: c for f, c, v in zip(truth["fid"], truth["change"], valid) if v}
    _, _, unch, _ = fileio.read_layer(tmp / "nat_unchanged.gpkg", "nat_unchanged")
    _, _, added, _ = fileio.read_layer(tmp / "nat_added.gpkg", "nat_added")
    _, _, deleted, _ = fileio.read_layer(tmp / "nat_deleted.gpkg", "nat_deleted")
    correct_nat = (sum(truth_by_sid.get(s) == "unchanged" for s in unch["survey_id"])
                   + sum(truth_by_sid.get(s) == "new" for s in added["survey_id"])
                   + len({fid_by_sid_e[s] for s in deleted["survey_id"] if s in fid_by_sid_e} & dem_truth))
    out.append(row("native:detectvectorchanges", [nat], f"{correct_nat:,} classified correctly; unchanged "
                   f"{len(unch):,}, added {len(added):,}, deleted {len(deleted):,}"))
    return out


CHECKS = {"controllines": ("控制线压占 control lines", bench_controllines),
          "pipes": ("管线净距 pipe clearance", bench_pipes),
          "epochs": ("时相比对 survey epochs", bench_epochs)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", nargs="+", type=int, default=[100_000])
    ap.add_argument("--checks", default=",".join(CHECKS))
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    args = ap.parse_args(argv)
    report = {}
    for n in args.sizes:
        print(f"\n#### {n:,} footprints per epoch")
        city = ensure_city(n)
        tmp = ROOT / "out" / "bench" / str(n)
        tmp.mkdir(parents=True, exist_ok=True)
        for check in args.checks.split(","):
            title, fn = CHECKS[check]
            rows = fn(city, tmp)
            print_table(f"{title} — {n:,} footprints", rows, rows[0])
            nat = [r for r in rows if r["label"].startswith("native chain")] or rows[-1:]
            ratio = nat[0]["seconds"] / rows[0]["seconds"]
            print(f"-> liangwei is {ratio:.1f}× faster than '{nat[0]['label']}' "
                  f"(peak {rows[0]['peak_mb']:.0f} MB vs {nat[0]['peak_mb']:.0f} MB)")
            report[f"{check}_{n}"] = rows
        shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
