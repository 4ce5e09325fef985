"""The register at province scale (issue 11): a big GeoPackage changes / footprints layer is read filtered (only the
buildings that can be cases, :func:`lincang_liangwei.core.register_inputs.select_buildings`), the findings tables
without geometry, and the outputs are written in bounded pieces.  Everything here proves the filtered read gives
the whole read's register: the same cases, ids, verdicts, columns and values, the same XLSX and CSV bytes, the
same counts."""
from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from lincang_liangwei import cli, exports
from lincang_liangwei.core import register_inputs as ri
from lincang_liangwei.core.geometry import DUPLICATE, POLYGON, clean
from lincang_liangwei.core.register import build_register, expired_permits, finding_changes
from lincang_liangwei.core.rules import load_rules
from lincang_liangwei.gpkgsource import GpkgLayer
from tests.registerfiles import COUNTS, gpkg_rows, xlsx_parts

ZONES = {"--red-lines": "red_lines", "--blue-lines": "blue_lines", "--green-lines": "green_lines",
         "--yellow-lines": "yellow_lines", "--purple-lines": "purple_lines", "--water-source": "water_source"}


# --------------------------------------------------------------------------- helpers
@pytest.fixture(scope="module")
def city(tmp_path_factory):
    from devtools.fileio import write_city
    from devtools.samplecity import generate_city

    path = tmp_path_factory.mktemp("regscale") / "city.gpkg"
    write_city(generate_city(3000, seed=11), path)
    return str(path)


def fullcheck_argv(c, folder, partition):
    return ["fullcheck", "--earlier", f"{c}:buildings_2019", "--later", f"{c}:buildings_2023",
            *[x for flag, lyr in ZONES.items() for x in (flag, f"{c}:{lyr}")],
            "--pipelines", f"{c}:pipelines", "--compounds", f"{c}:compounds", "--districts", f"{c}:districts",
            "--permits", f"{c}:permits", "--earlier-floors-field", "floors", "--later-floors-field", "floors",
            "--earlier-date", "2019", "--later-date", "2023", "--run-date", "2024-03-01",
            "--output-folder", str(folder), "--partition", partition] + (
                ["--chunk-rows", "97"] if partition == "tiled" else [])


def run(argv):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = cli.main(argv + ["--json", "--quiet"])
    assert rc == 0
    return json.loads(buf.getvalue())


def register_argv(c, folder, out, partition, changes=None):
    return ["register", "--changes", changes or f"{folder}/epochs_later.gpkg:epochs_later",
            "--encroachments", f"{folder}/controllines_pieces.gpkg:controllines_pieces",
            "--breaches", f"{folder}/pipeclearance.gpkg:pipeclearance", "--compounds", f"{c}:compounds",
            "--districts", f"{c}:districts", "--permits", f"{c}:permits", "--run-date", "2024-03-01",
            "--output", f"{out}/register.gpkg", "--xlsx", f"{out}/register.xlsx", "--csv", f"{out}/register.csv",
            "--partition", partition] + (["--chunk-rows", "97"] if partition == "tiled" else [])


def assert_same_register(a: Path, b: Path, sa: dict, sb: dict):
    ca, ra = gpkg_rows(a / "register.gpkg")
    cb, rb = gpkg_rows(b / "register.gpkg")
    assert ca == cb
    assert len(ra) == len(rb) > 0
    assert ra == rb                                          # every value and every geometry blob
    assert (a / "register.csv").read_bytes() == (b / "register.csv").read_bytes()
    assert xlsx_parts(a / "register.xlsx") == xlsx_parts(b / "register.xlsx")
    for k in COUNTS:
        assert sa[k] == sb[k], k
    ra_, rb_ = sa.get("steps", {}).get("register", sa), sb.get("steps", {}).get("register", sb)
    assert ra_["findings"] == rb_["findings"] and ra_["verdicts"] == rb_["verdicts"]


def log_of(summary):
    return "\n".join(summary.get("log", []))


# --------------------------------------------------------------------------- the exact selection
def _messy(n=400, seed=5):
    """Footprints with every cleaning case: valid, bow-ties (repaired), null, empty, points (wrong type),
    slivers (unrepairable), exact and near copies (duplicates, also in chains and across batches)."""
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(0, 2000, n), rng.uniform(0, 2000, n)
    g = shapely.box(x, y, x + rng.uniform(5, 20, n), y + rng.uniform(5, 20, n)).astype(object)
    g[5::37] = None
    g[6::41] = shapely.Polygon()
    g[7::43] = shapely.Point(1, 1)
    g[8::29] = [shapely.Polygon([(a, b), (a + 10, b + 10), (a + 10, b), (a, b + 10)]) for a, b in zip(x[8::29], y[8::29])]
    g[9::53] = [shapely.Polygon([(a, b), (a + 10, b), (a + 20, b)]) for a, b in zip(x[9::53], y[9::53])]
    # copies: of earlier and of later features, shifted by less than the tolerance, and a chain of three
    for i, j in ((10, 300), (301, 11), (12, 13), (14, 350), (350, 351)):
        g[j] = shapely.transform(g[i], lambda c: c + 0.01) if g[i] is not None else None
    for i, j in ((20, 200), (200, 399)):
        g[j] = g[i]
    return g


@pytest.mark.parametrize("batch", [7, 64, 1000])
def test_select_buildings_cleans_like_the_whole_layer(batch):
    geoms = _messy()
    n = len(geoms)
    fids = np.arange(1, n + 1, dtype=np.int64) * 3      # fids are not positions
    whole = clean(geoms, kind=POLYGON, layer="b", ids=fids)
    assert whole.report.n_duplicate >= 5 and whole.report.n_repaired >= 5 and whole.report.n_wrong_type >= 5

    change = np.array(["unchanged"] * n, dtype=object)
    change[::4] = "new"
    change[3::50] = None                                   # NULL change: "unknown"
    bld = fids + 1_000_000

    def batches():
        for k in range(0, n, batch):
            s = slice(k, k + batch)
            yield fids[s], geoms[s], None, {"change": change[s], "bld_fid": list(map(int, bld[s]))}

    def reread(f):
        pos = np.searchsorted(fids, f)
        return fids[pos], geoms[pos], None

    hit_keys = bld[[1, 2, 300, 301, 13]]
    sel = ri.select_buildings(batches(), kind=POLYGON, layer="b", finding_keys=hit_keys, changes={"new"},
                              change_field="change", bld_field="bld_fid", reread=reread)
    # the whole layer's counts, also those only the log shows
    assert sel.report.as_dict() == whole.report.as_dict()
    assert sel.n == n and sel.by_bld_fid is True
    # the selection: changes of a finding, buildings with hits (also a skipped duplicate: the core decides)
    want = (change == "new") | np.isin(bld, hit_keys)
    assert np.array_equal(sel.fids, fids[want])
    assert np.array_equal(sel.keys, bld[want])
    pos = np.flatnonzero(want)
    got, exp = sel.geoms, whole.geoms[pos]
    assert np.array_equal(shapely.is_missing(got), shapely.is_missing(exp))
    ok = ~shapely.is_missing(exp)
    assert shapely.equals_exact(got[ok], exp[ok], 0).all()
    assert (whole.status[pos] == DUPLICATE).any()            # a selected building that is skipped as a copy


def test_select_buildings_join_ids_and_permits():
    geoms = shapely.box(np.arange(10) * 100.0, 0, np.arange(10) * 100.0 + 10, 10).astype(object)
    fids = np.arange(1, 11, dtype=np.int64)
    batches = [(fids, geoms, None, {"change": np.array(["unchanged"] * 10, dtype=object),
                                    "bld_fid": [1, 2, 3, 3, 5, 6, 7, 8, 9, 10]})]   # repeated: join by fid
    permit = [shapely.box(295, -5, 320, 20)]   # meets building 4 (x 300-310)
    sel = ri.select_buildings(iter(batches), kind=POLYGON, layer="b", finding_keys=[7], changes={"new"},
                              change_field="change", bld_field="bld_fid", expired_permits=permit,
                              reread=lambda f: (f, geoms[f - 1], None))
    assert sel.by_bld_fid is False
    assert sel.fids.tolist() == [4, 7] and sel.keys.tolist() == [4, 7]
    # without a change field ("unknown" everywhere): selected only by findings, unless "unknown" is a finding
    b2 = [(fids, geoms, None, {})]
    assert ri.select_buildings(iter(b2), kind=POLYGON, layer="b", finding_keys=[2], changes={"new"},
                               reread=None).fids.tolist() == [2]
    assert len(ri.select_buildings(iter(b2), kind=POLYGON, layer="b", finding_keys=[], changes={"unknown"},
                                   reread=None)) == 10


def test_finding_changes_and_expired_permits():
    rules = load_rules(None)
    reg = rules.register
    assert finding_changes(rules) == set(reg["case_changes"]) | set(reg["built_changes"]) | set(
        reg["no_permit_changes"])
    assert "unchanged" not in finding_changes(rules) and "split" not in finding_changes(rules)
    e = expired_permits(["temporary", "temporary", "permanent", "temporary", "unknown"],
                        ["2024-01-01", "2024-06-01", "2020-01-01", None, "2020-01-01"], 5, "2024-03-01")
    assert e.tolist() == [True, False, False, False, False]


def test_unchanged_building_under_an_expired_permit_is_a_case():
    """Why the filtered read also takes the buildings meeting an expired temporary permit, whatever their
    change: build_register makes them cases."""
    b = np.array([shapely.box(0, 0, 10, 10), shapely.box(100, 0, 110, 10)], dtype=object)
    changes = pd.DataFrame({"change": ["unchanged", "unchanged"], "growth_m2": [0.0, 0.0],
                            "floors_now": [2.0, 2.0]})
    r = build_register([1, 2], b, changes=changes, permits=[shapely.box(-1, -1, 11, 11)], permit_nos=["T1"],
                       permit_kinds=["temporary"], permit_expiry=["2023-01-01"], run_date="2024-03-01")
    assert r.cases["bld_fid"].tolist() == [1] and r.cases["findings"].tolist() == ["temp_expired"]


# --------------------------------------------------------------------------- GeoPackage reads
def test_gpkgsource_scan_attributes_first_value(city):
    src = GpkgLayer(city, "buildings_2023")
    try:
        n = src.count()
        parts = list(src.scan(["floors"], batch=700))
        assert [len(p[0]) for p in parts] == [700] * (n // 700) + ([n % 700] if n % 700 else [])
        fids = np.concatenate([p[0] for p in parts])
        assert np.array_equal(fids, src.all_fids())
        whole = src.read_fids(src.all_fids(), ["floors"])
        assert np.array_equal(np.concatenate([p[3]["floors"] for p in parts]), whole[3]["floors"])
        g = np.concatenate([p[1] for p in parts])
        assert np.array_equal(shapely.is_missing(g), shapely.is_missing(whole[1]))
        f, attrs = src.read_attributes([fids[5], fids[1], fids[5]], ["floors"])
        assert f.tolist() == sorted([fids[1], fids[5]]) and list(attrs["floors"]) == list(whole[3]["floors"][[1, 5]])
        f, attrs = src.read_attributes(None, ["floors"])
        assert len(f) == n and attrs["floors"].tolist() == whole[3]["floors"].tolist()
        first = next(v for v in whole[3]["floors"] if v not in (None, ""))
        assert src.first_value("floors") == first and src.first_value("floors", skip_empty=False) == \
            whole[3]["floors"][0]
    finally:
        src.close()


# --------------------------------------------------------------------------- the register: filtered = whole
@pytest.fixture(scope="module")
def checks(city, tmp_path_factory):
    """The three checks' outputs of one full check, and its register read whole."""
    folder = tmp_path_factory.mktemp("regscale_fc") / "whole"
    return folder, run(fullcheck_argv(city, folder, "whole"))


def test_fullcheck_tiled_register_equals_whole(city, checks, tmp_path):
    whole, sw = checks
    tiled = tmp_path / "tiled"
    st = run(fullcheck_argv(city, tiled, "tiled"))
    assert "buildings with a finding or a change read from the GeoPackage" in log_of(st)
    assert "buildings with a finding or a change" not in log_of(sw)
    assert_same_register(whole, tiled, sw, st)
    assert sw["N_CASES"] > 500 and sw["N_SKIPPED"] == 4


@pytest.mark.parametrize("extra", [[], ["--work-crs", "EPSG:4543"]], ids=["same-crs", "reprojected"])
def test_register_filtered_equals_whole(city, checks, tmp_path, extra):
    folder, _s = checks
    res = {}
    for mode in ("whole", "tiled"):
        out = tmp_path / mode
        out.mkdir()
        res[mode] = (out, run(register_argv(city, folder, out, mode) + extra))
    (a, sa), (b, sb) = res["whole"], res["tiled"]
    assert_same_register(a, b, sa, sb)
    log = log_of(sb)
    if extra:
        assert "epochs_later: reprojected on the fly from EPSG:4542 to EPSG:4543" in log
    n_sel = int(re.search(r"epochs_later: (\d+) buildings with a finding", log).group(1))
    assert sb["N_CASES"] < n_sel < sb["N_BUILDINGS"] / 2    # far fewer buildings read than the layer holds
    cases = pd.read_csv(b / "register.csv")
    # cases that only an expired temporary permit makes: unchanged buildings (the permit-box selection)
    assert ((cases["change"] == "unchanged") & (cases["findings"] == "temp_expired")).sum() > 5


def test_register_footprints_filtered_equals_whole(city, checks, tmp_path):
    """Without CHANGES every building's change is unknown: only hits, breaches and expired permits make cases."""
    folder, _s = checks
    res = {}
    for mode in ("whole", "tiled"):
        out = tmp_path / mode
        out.mkdir()
        argv = register_argv(city, folder, out, mode)
        i = argv.index("--changes")
        argv[i:i + 2] = ["--footprints", f"{city}:buildings_2023"]
        res[mode] = (out, run(argv))
    (a, sa), (b, sb) = res["whole"], res["tiled"]
    assert_same_register(a, b, sa, sb)
    assert "buildings with a finding or a change read" in log_of(sb)
    assert sa["N_BUILDINGS"] == checks[1]["N_BUILDINGS"] and sa["N_TEMP_EXPIRED"] > 0


def _messy_changes(folder, tmp_path):
    """The compareepochs output with what a big real layer may hold: copies of buildings (a 'new' copy of an
    unchanged building, an unchanged copy of a 'new' one), NULL changes, a text epoch column."""
    from osgeo import ogr

    ogr.UseExceptions()
    path = tmp_path / "changes.gpkg"
    shutil.copy(folder / "epochs_later.gpkg", path)
    src = GpkgLayer(str(path), "epochs_later")
    try:
        fids, attrs = src.read_attributes(None, ["change", "bld_fid"])
    finally:
        src.close()
    change = attrs["change"]
    new = fids[change == "new"][:3]
    unchanged = fids[change == "unchanged"][:3]
    top = int(np.max(attrs["bld_fid"])) + 1000
    ds = ogr.Open(str(path), 1)
    lyr = ds.GetLayerByName("epochs_later")
    added = []
    for k, (fid, as_change) in enumerate([(f, "new") for f in unchanged] + [(f, "unchanged") for f in new]):
        feat = lyr.GetFeature(int(fid))
        copy = feat.Clone()
        copy.SetFID(-1)
        copy.SetField("change", as_change)
        copy.SetField("bld_fid", top + k)
        lyr.CreateFeature(copy)
        added.append(top + k)
    # NULL change on buildings with a control-line hit and on buildings without findings
    pieces = GpkgLayer(str(folder / "controllines_pieces.gpkg"), "controllines_pieces")
    try:
        hit = set(pieces.read_attributes(None, ["bld_fid"])[1]["bld_fid"].tolist())
    finally:
        pieces.close()
    with_hit = fids[np.isin(attrs["bld_fid"], list(hit)) & (change == "unchanged")][:2]
    for fid in np.concatenate([with_hit, fids[change == "expanded"][:2]]):
        feat = lyr.GetFeature(int(fid))
        feat.SetFieldNull("change")
        lyr.SetFeature(feat)
    ds = None
    return path, added


def test_register_filtered_equals_whole_on_messy_changes(city, checks, tmp_path):
    folder, _s = checks
    path, added = _messy_changes(folder, tmp_path)
    res = {}
    for mode in ("whole", "tiled"):
        out = tmp_path / mode
        out.mkdir()
        res[mode] = (out, run(register_argv(city, folder, out, mode, changes=f"{path}:epochs_later")))
    (a, sa), (b, sb) = res["whole"], res["tiled"]
    assert_same_register(a, b, sa, sb)
    assert "duplicate 6" in log_of(sa) and "duplicate 6" in log_of(sb)   # the copies: skipped alike
    assert sa["N_SKIPPED"] == 4 + 6
    cases = pd.read_csv(a / "register.csv")
    assert not set(cases["bld_fid"]) & set(added)      # the copies (larger ids) are no cases, even the 'new' ones
    assert (cases["change"].isna()).sum() >= 2          # a NULL change with other findings is still a case


# --------------------------------------------------------------------------- bounded writing
def _table(n):
    rng = np.random.default_rng(1)
    verdicts = np.array(["拆除候选", "待核查", "历史存量"], dtype=object)[rng.integers(0, 3, n)]
    return pd.DataFrame({"case_id": [f"530902001-2024-{i:04d}" for i in range(n)], "district": "临翔区",
                         "area_m2": rng.uniform(10, 500, n).round(2), "verdict": verdicts,
                         "remarks": np.where(np.arange(n) % 5 == 0, "=SUM(A1)", ""), "gone": np.arange(n) % 7 == 0,
                         "bld_fid": np.arange(n, dtype=np.int64)})


def test_csv_written_in_chunks_is_identical(tmp_path, monkeypatch):
    df = _table(23)
    exports.write_csv(df, tmp_path / "a.csv")
    monkeypatch.setattr(exports, "_CSV_CHUNK", 4)
    exports.write_csv(df, tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    back = pd.read_csv(tmp_path / "b.csv", encoding="utf-8-sig")
    assert len(back) == 23 and back["remarks"].fillna("").str.startswith("'=").sum() == 5


def test_xlsx_sheets_past_the_row_limit(tmp_path, monkeypatch):
    openpyxl = pytest.importorskip("openpyxl")
    df = _table(12)
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 5)
    exports.write_xlsx(df, tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx", read_only=True)
    names = wb.sheetnames
    assert names[:4] == ["汇总", "全部", "全部(2)", "全部(3)"]
    rows = {n: list(wb[n].iter_rows(values_only=True)) for n in names}
    assert [len(rows[n]) - 1 for n in ("全部", "全部(2)", "全部(3)")] == [5, 5, 2]
    ids = [r[0] for n in ("全部", "全部(2)", "全部(3)") for r in rows[n][1:]]
    assert ids == df["case_id"].tolist()                       # every case once, in order, header on each sheet
    assert all(rows[n][0][0] == "图斑编号" for n in names[1:])
    per_verdict = df["verdict"].value_counts()
    for v, count in per_verdict.items():
        sheets = [n for n in names if n == v or n.startswith(v + "(")]
        assert sum(len(rows[n]) - 1 for n in sheets) == count
        assert len(sheets) == -(-count // 5)
    wb.close()
