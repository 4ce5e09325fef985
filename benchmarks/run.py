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

    from devtools import fileio
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


def _precision_recall(got: dict, truth: dict, classes) -> list[str]:
    """Per-class precision / recall lines; ``got`` / ``truth``: key -> class."""
    lines = [f"  {'class':24s} {'precision':>9s} {'recall':>7s} {'truth':>8s}"]
    for c in classes:
        members = (c,) if isinstance(c, str) else c
        name = c if isinstance(c, str) else f"{members[0]} (any)"
        t = {k for k, v in truth.items() if v in members}
        g = {k for k, v in got.items() if v in members}
        both = len(t & g)
        p = both / len(g) if g else float("nan")
        r = both / len(t) if t else float("nan")
        lines.append(f"  {name:24s} {p:9.4f} {r:7.4f} {len(t):8,}")
    return lines


def bench_epochs(city: Path, tmp: Path) -> list[dict]:
    from devtools import fileio

    ours = run_alg("liangwei:compareepochs", {
        "EARLIER": lyr(city, "buildings_2019"), "LATER": lyr(city, "buildings_2023"),
        "EARLIER_FLOORS_FIELD": "floors", "LATER_FLOORS_FIELD": "floors",
        "OUTPUT": fresh(tmp / "ep.gpkg"), "OUTPUT_DEMOLISHED": fresh(tmp / "ep_dem.gpkg"),
        "OUTPUT_GROWTH": fresh(tmp / "ep_growth.gpkg")})
    # ground truth, keyed by survey_id (unique per epoch) so every tool's output can be scored
    t_later = fileio.read_table(city, "truth_later")
    t_early = fileio.read_table(city, "truth_earlier")
    later_sid = fileio.read_layer(city, "buildings_2023")[2]["survey_id"].to_numpy()
    early_sid = fileio.read_layer(city, "buildings_2019")[2]["survey_id"].to_numpy()
    usable = t_later["geom_status"].isin(["ok", "invalid", "z"]).to_numpy()
    truth = {later_sid[f - 1]: c for f, c, u in zip(t_later["fid"], t_later["change"], usable) if u}
    # a building whose successor has a null/empty geometry cannot be told from a demolished one
    lost = {int(p) for f, ps, u in zip(t_later["fid"], t_later["prev_fids"], usable) if not u
            for p in str(ps).split(";") if p}
    dem_truth = {early_sid[f - 1] for f, d in zip(t_early["fid"], t_early["demolished"]) if d and f not in lost}
    n_truth = len(truth) + len(dem_truth)

    got_later = fileio.read_layer(tmp / "ep.gpkg", "ep")[2]
    got = {sid: c for sid, c in zip(got_later["survey_id"], got_later["change"]) if sid in truth}
    dem_ours = set(fileio.read_layer(tmp / "ep_dem.gpkg", "ep_dem")[2]["survey_id"]) - {early_sid[p - 1] for p in lost}
    correct_ours = sum(got[k] == v for k, v in truth.items()) + len(dem_ours & dem_truth)
    classes = ["unchanged", "new", ("expanded", "expanded+floors_added"), "expanded", "floors_added",
               "expanded+floors_added", "rebuilt", "split", "merged"]
    print("\n  liangwei:compareepochs against the generator's truth (qgis_process output):")
    for line in _precision_recall(got, truth, classes):
        print(line)
    p = len(dem_ours & dem_truth) / len(dem_ours) if dem_ours else float("nan")
    r = len(dem_ours & dem_truth) / len(dem_truth) if dem_truth else float("nan")
    print(f"  {'demolished':24s} {p:9.4f} {r:7.4f} {len(dem_truth):8,}")
    flagged = sum(1 for k, v in truth.items() if v == "unchanged" and got[k] != "unchanged")
    n_unch = sum(1 for v in truth.values() if v == "unchanged")
    print(f"  unchanged flagged as changed: {flagged:,} of {n_unch:,} ({100 * flagged / max(n_unch, 1):.3f} %)")
    out = [row("liangwei:compareepochs", [ours], f"{correct_ours:,} of {n_truth:,} buildings classified correctly")]

    nat = run_alg("native:detectvectorchanges", {
        "ORIGINAL": lyr(city, "buildings_2019"), "REVISED": lyr(city, "buildings_2023"), "MATCH_TYPE": 1,
        "UNCHANGED": fresh(tmp / "nat_unchanged.gpkg"), "ADDED": fresh(tmp / "nat_added.gpkg"),
        "DELETED": fresh(tmp / "nat_deleted.gpkg")})
    unch = fileio.read_layer(tmp / "nat_unchanged.gpkg", "nat_unchanged")[2]["survey_id"]
    added = fileio.read_layer(tmp / "nat_added.gpkg", "nat_added")[2]["survey_id"]
    deleted = fileio.read_layer(tmp / "nat_deleted.gpkg", "nat_deleted")[2]["survey_id"]
    correct_nat = (sum(truth.get(s) == "unchanged" for s in unch) + sum(truth.get(s) == "new" for s in added)
                   + len(set(deleted) & dem_truth))
    out.append(row("native:detectvectorchanges", [nat], f"{correct_nat:,} of {n_truth:,} classified correctly "
                   f"(unchanged {len(unch):,}, added {len(added):,}, deleted {len(deleted):,})"))
    return out


def bench_fullcheck(city: Path, tmp: Path) -> list[dict]:
    """liangwei:fullcheck: every check and the register in one qgis_process run (no native equivalent)."""
    zones = {k: lyr(city, v) for k, v in (("RED_LINES", "red_lines"), ("BLUE_LINES", "blue_lines"),
                                          ("GREEN_LINES", "green_lines"), ("YELLOW_LINES", "yellow_lines"),
                                          ("PURPLE_LINES", "purple_lines"), ("WATER_SOURCE", "water_source"))}
    folder = tmp / "fullcheck"
    shutil.rmtree(folder, ignore_errors=True)  # a register left there would be merged into (PREVIOUS default)
    res = run_alg("liangwei:fullcheck", {
        "EARLIER": lyr(city, "buildings_2019"), "LATER": lyr(city, "buildings_2023"), **zones,
        "PIPELINES": lyr(city, "pipelines"), "COMPOUNDS": lyr(city, "compounds"), "DISTRICTS": lyr(city, "districts"),
        "PERMITS": lyr(city, "permits"), "EARLIER_FLOORS_FIELD": "floors", "LATER_FLOORS_FIELD": "floors",
        "RUN_DATE": "2024-03-01", "OUTPUT_FOLDER": str(folder)})
    r = res.results
    for line in res.log.splitlines():  # the per-step timings of the run
        if "用时" in line or "time:" in line or line.startswith(("== ", "  GeoPackage")):
            print(f"    {line.strip()}")
    found = (f"{int(r['N_CASES']):,} cases: 拆除候选 {int(r['N_DEMOLISH']):,}, 限期整改 {int(r['N_RECTIFY']):,}, "
             f"超期临时 {int(r['N_TEMP_EXPIRED']):,}, 待核查 {int(r['N_VERIFY']):,}, 历史存量 {int(r['N_LEGACY']):,}")
    return [row("liangwei:fullcheck (3 checks + register + XLSX/CSV)", [res], found)]


CHECKS = {"controllines": ("控制线压占 control lines", bench_controllines),
          "pipes": ("管线净距 pipe clearance", bench_pipes),
          "epochs": ("时相比对 survey epochs", bench_epochs),
          "fullcheck": ("一键巡查 full check", bench_fullcheck)}


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
            report[f"{check}_{n}"] = rows
            if len(rows) == 1:  # no native contender (fullcheck)
                print(f"-> {rows[0]['label']}: {rows[0]['seconds']:.1f} s, peak {rows[0]['peak_mb']:.0f} MB")
                continue
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
