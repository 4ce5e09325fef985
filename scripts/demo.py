"""make demo: the whole job on the built-in sample city, through qgis_process.

1. generate the sample city (EPSG:4542, Lincang) unless it is already there;
2. run liangwei:fullcheck (every 两违巡查 check and the register) as a batch user would (``qgis_process run``);
3. print a short summary and where the files are.

Outputs are written to a staging folder and moved into place only when every
step has succeeded, so an interrupted run never leaves half files in out/demo.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from qprun import run_alg  # noqa: E402

ZONES = {"RED_LINES": "red_lines", "BLUE_LINES": "blue_lines", "GREEN_LINES": "green_lines",
         "YELLOW_LINES": "yellow_lines", "PURPLE_LINES": "purple_lines", "WATER_SOURCE": "water_source"}
LABELS = {"red": "道路红线", "blue": "河道蓝线", "green": "城市绿线", "yellow": "城市黄线", "purple": "城市紫线",
          "water_source": "水源保护区"}


def query(path: Path, sql: str) -> list[tuple]:
    from osgeo import ogr

    ds = ogr.Open(str(path))
    res = ds.ExecuteSQL(sql)
    rows = []
    try:
        for feat in res:
            rows.append(tuple(feat.GetField(i) for i in range(feat.GetFieldCount())))
    finally:
        ds.ReleaseResultSet(res)
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--buildings", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", type=Path, default=ROOT / "out" / "demo")
    args = ap.parse_args(argv)
    out = args.out if args.out.is_absolute() else ROOT / args.out
    stage = out.with_name(out.name + ".partial")
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    t0 = time.perf_counter()

    city = ROOT / "out" / "sample" / f"city_{args.buildings}_{args.seed}.gpkg"
    print(f"== 示例城市 sample city: {args.buildings:,} buildings (seed {args.seed})")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_sample_city.py"), "--buildings", str(args.buildings),
                    "--seed", str(args.seed), "--out", str(city)], check=True)
    shutil.copy2(city, stage / "city.gpkg")
    city = stage / "city.gpkg"

    def lyr(name):
        return f"{city}|layername={name}"

    summary = []
    print("== liangwei:fullcheck 一键巡查 (controllines + pipeclearance + compareepochs + register)")
    res = run_alg("liangwei:fullcheck", {
        "EARLIER": lyr("buildings_2019"), "LATER": lyr("buildings_2023"), **{k: lyr(v) for k, v in ZONES.items()},
        "PIPELINES": lyr("pipelines"), "COMPOUNDS": lyr("compounds"), "DISTRICTS": lyr("districts"),
        "DISTRICT_CODE_FIELD": "code", "DISTRICT_NAME_FIELD": "name", "PERMITS": lyr("permits"),
        "EARLIER_FLOORS_FIELD": "floors", "LATER_FLOORS_FIELD": "floors", "EARLIER_DATE": "2019",
        "LATER_DATE": "2023", "OUTPUT_FOLDER": stage})
    r = res.results
    summary.append(f"一键巡查 full check: {int(r['N_BUILDINGS']):,} buildings, {int(r['N_CASES']):,} cases  "
                   f"({res.seconds:.1f} s, peak {res.peak_mb:.0f} MB)")
    for key, label in (("N_DEMOLISH", "拆除候选 demolition candidates"), ("N_RECTIFY", "限期整改 rectify"),
                       ("N_TEMP_EXPIRED", "超期临时建筑 expired temporary"), ("N_VERIFY", "待核查 to verify"),
                       ("N_LEGACY", "历史存量 legacy stock")):
        summary.append(f"    {label:34s} {int(r.get(key, 0)):7,}")
    for line_type, n, area in query(stage / "controllines_pieces.gpkg",
                                    "SELECT line_type, COUNT(DISTINCT bld_fid), SUM(enc_area) FROM controllines_pieces "
                                    "GROUP BY line_type ORDER BY line_type"):
        summary.append(f"    压占 {LABELS.get(line_type, line_type):8s} {line_type:13s} {n:6,} buildings {area:12,.0f} m²")
    rows = query(stage / "epochs_later.gpkg",
                 "SELECT change, COUNT(*) FROM epochs_later GROUP BY change ORDER BY COUNT(*) DESC")
    summary.append("时相比对 epochs 2019→2023: " + ", ".join(f"{c} {n:,}" for c, n in rows))

    shutil.rmtree(out, ignore_errors=True)
    stage.rename(out)
    print("\n== 结果 summary")
    for line in summary:
        print("  " + line)
    print(f"\n  文件 files ({out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}):")
    for f in sorted(out.iterdir()):
        print(f"    {f.name:32s} {f.stat().st_size / 1e6:7.1f} MB")
    print(f"  total {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
