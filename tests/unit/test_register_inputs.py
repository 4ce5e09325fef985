"""core.register_inputs and the register-store helpers of gpkgbulk: what liangwei:register and
``liangwei register`` share between reading their layers and the core."""
import sqlite3

import numpy as np
import pandas as pd
import pytest
import shapely

from lincang_liangwei import gpkgbulk
from lincang_liangwei.core import register_inputs as ri
from lincang_liangwei.core.register import REGISTER_COLUMNS
from lincang_liangwei.core.rules import RulesError, load_rules


# --------------------------------------------------------------------------- constants
def test_constants():
    assert [o for _i, o in ri.LEVEL_OUTPUTS] == ["N_DEMOLISH", "N_RECTIFY", "N_TEMP_EXPIRED", "N_VERIFY", "N_LEGACY"]
    levels = {lv.id for lv in load_rules(None).levels.values()}
    assert {i for i, _o in ri.LEVEL_OUTPUTS} == levels          # every default level has its count output
    assert ri.REGISTER_LAYER == "register" and ri.FULLCHECK_FILES["REGISTER"] == ("register.gpkg", "register")
    assert len({f for f, _l in ri.FULLCHECK_FILES.values()}) == 7  # seven distinct files
    assert (ri.XLSX_NAME, ri.CSV_NAME) == ("register.xlsx", "register.csv")
    assert {o for o, _s in ri.FULLCHECK_STEP_OUTPUTS} == set(ri.FULLCHECK_FILES) - {"REGISTER"}
    assert {s for _o, s in ri.FULLCHECK_STEP_OUTPUTS} == {"epochs", "lines", "pipes"}
    assert set(ri.FINDINGS_NEEDED["hits"]) <= set(ri.HIT_COLUMNS)
    assert set(ri.FINDINGS_NEEDED["breaches"]) <= set(ri.BREACH_COLUMNS)
    assert set(ri.COLUMN_KINDS) <= set(REGISTER_COLUMNS)


def test_no_numpy_pandas_at_import():
    import subprocess
    import sys

    code = ("import sys; import lincang_liangwei.core.register_inputs; "
            "bad = [m for m in ('numpy', 'pandas', 'shapely', 'qgis') if m in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# --------------------------------------------------------------------------- fields
def test_pick_field():
    assert ri.pick_field(["code", "dm"], "MY_CODE", "DISTRICT_CODE_FIELD") == "MY_CODE"  # asked for: taken as is
    assert ri.pick_field(["DM", "Code"], "", "DISTRICT_CODE_FIELD") == "Code"  # candidate order, layer spelling
    assert ri.pick_field(["fid", "区划代码"], "", "DISTRICT_CODE_FIELD") == "区划代码"
    assert ri.pick_field(["XKZH", "LX", "YXQ"], "", "PERMIT_NO_FIELD") == "XKZH"
    assert ri.pick_field(["XKZH", "LX", "YXQ"], "", "PERMIT_KIND_FIELD") == "LX"
    assert ri.pick_field(["XKZH", "LX", "YXQ"], "", "PERMIT_EXPIRY_FIELD") == "YXQ"
    assert ri.pick_field(["a", "b"], "", "DISTRICT_NAME_FIELD") == ""
    assert ri.pick_field(["a"], "", "NO_SUCH_PARAM") == ""


# --------------------------------------------------------------------------- permits
def test_permit_kinds_defaults_and_normalisation():
    values = ["临时", "临 建", "ＴＥＭＰ", "Temp-", "永久建筑", "PERMANENT", None, "", "批准", "批准", "正式"]
    kinds, bad = ri.permit_kinds(values, None)
    assert list(kinds) == ["temporary", "temporary", "temporary", "temporary", "permanent", "permanent",
                           "unknown", "unknown", "unknown", "unknown", "unknown"]
    assert bad == {"批准": 2, "正式": 1}                       # empty and None are not reported
    assert ri.permit_kind_counts(kinds) == {"permanent": 2, "temporary": 4, "unknown": 5}


def test_permit_kinds_mapping():
    kinds, bad = ri.permit_kinds(["正式", "临时", "批准"], "正式=permanent；临时=unknown，批准 = Temporary")
    assert list(kinds) == ["permanent", "unknown", "temporary"]
    assert bad == {"临时": 1}       # mapped to unknown on purpose: still listed among the unknown values
    kinds, bad = ri.permit_kinds(np.array(["x", "x"], dtype=object), {"X": "permanent"})
    assert list(kinds) == ["permanent", "permanent"] and bad == {}
    with pytest.raises(ri.PermitKindError) as e:
        ri.permit_kinds(["a"], "正式=permanent;临=forever")
    assert (e.value.key, e.value.value) == ("临", "forever") and isinstance(e.value, ValueError)
    assert str(e.value) == "PERMIT_KIND_MAP: '临=forever': the kind must be temporary, permanent or unknown"
    with pytest.raises(RulesError):
        ri.permit_kinds(["a"], "no equals sign here")
    assert ri.permit_kind_counts([]) == {"permanent": 0, "temporary": 0, "unknown": 0}


# --------------------------------------------------------------------------- buildings and findings
def test_building_ids():
    ids = ri.building_ids(np.array([7, "8", 9.0], dtype=object))
    assert ids.dtype == np.int64 and ids.tolist() == [7, 8, 9]
    assert ri.building_ids([1, None, 3]) is None              # a NULL
    assert ri.building_ids([1, 2, 2]) is None                 # a repeat
    assert ri.building_ids(["1", "x"]) is None                # not a number
    assert ri.building_ids([]).tolist() == []


def test_changes_table():
    attrs = {"change": np.array(["new", None, "expanded"], dtype=object),
             "growth_m2": np.array([None, "2.5", 10], dtype=object),
             "confidence": np.array(["high", None, "low"], dtype=object),
             "epoch": np.array([None, "", "2023"], dtype=object), "prev_epoch": np.array(["2019"] * 3, dtype=object)}
    ch, epoch, prev, conf = ri.changes_table(attrs, 3)
    assert list(ch.columns) == ["change", "growth_m2", "floors_now", "confidence"]
    assert ch["change"].tolist() == ["new", "unknown", "expanded"]
    assert np.isnan(ch["growth_m2"][0]) and ch["growth_m2"].tolist()[1:] == [2.5, 10.0]
    assert ch["floors_now"].isna().all() and len(ch) == 3
    assert ch["confidence"].tolist() == ["high", "", "low"]
    assert (epoch, prev, conf) == ("2023", "2019", True)
    with pytest.raises(ri.MissingFieldsError) as e:
        ri.changes_table({"growth_m2": [1.0]}, 1)
    assert e.value.fields == ("change",)


def test_findings_table_hits():
    df = pd.DataFrame({"bld_fid": ["3", None, 5, "x"], "line_type": ["red", "red", "blue", "green"],
                       "enc_area": ["1.5", "2", None, "4"], "hit_where": ["setback", "inside", "inside", "inside"]},
                      index=[10, 11, 12, 13])
    h = ri.findings_table(df, "hits")
    assert h["bld_fid"].dtype == np.int64 and h["bld_fid"].tolist() == [3, 5]   # NULL / not a number dropped
    assert h.index.tolist() == [0, 1] and h["where"].tolist() == ["setback", "inside"]
    assert h["enc_area"].tolist()[0] == 1.5 and np.isnan(h["enc_area"].tolist()[1])
    assert df["bld_fid"].tolist()[0] == "3"                   # the input is left alone
    both = ri.findings_table(df.assign(where=["w"] * 4), "hits")
    assert both["where"].tolist() == ["w", "w"] and "hit_where" in both   # an existing 'where' wins
    with pytest.raises(ri.MissingFieldsError) as e:
        ri.findings_table(pd.DataFrame({"line_type": ["red"]}), "hits")
    assert e.value.fields == ("bld_fid", "enc_area") and str(e.value) == "bld_fid, enc_area"


def test_findings_table_breaches():
    df = pd.DataFrame({"bld_fid": [1, 2], "kind": ["gas", "water"], "required_m": ["6", 1],
                       "distance_m": [2.0, "0.5"], "deficit_m": [4, 0.5], "enc_area_m2": ["12.25", None]})
    b = ri.findings_table(df, "breaches")
    assert b["required_m"].tolist() == [6.0, 1.0] and b["distance_m"].tolist() == [2.0, 0.5]
    assert b["enc_area_m2"].tolist()[0] == 12.25 and np.isnan(b["enc_area_m2"].tolist()[1])
    assert b["kind"].tolist() == ["gas", "water"] and "where" not in b
    with pytest.raises(ri.MissingFieldsError) as e:
        ri.findings_table(df.drop(columns=["kind", "deficit_m"]), "breaches")
    assert e.value.fields == ("kind", "deficit_m")


# --------------------------------------------------------------------------- the merged register
def test_register_columns():
    cases = pd.DataFrame({"case_id": ["A1", None], "x": ["1.5", None], "gone": [True, False],
                          "in_compound": [1, None], "bld_fid": [7, 8], "status": [3, None],
                          "team_n": [5, None], "team_note": [1.5, None]})
    spec, cols = ri.register_columns(cases, {"team_n": "int", "team_note": "string", "status": "int"})
    assert spec == [("case_id", "string"), ("x", "double"), ("gone", "int"), ("in_compound", "int"),
                    ("bld_fid", "int64"), ("status", "string"), ("team_n", "int"), ("team_note", "string")]
    assert cols[0].tolist() == ["A1", None]
    assert cols[1][0] == 1.5 and np.isnan(cols[1][1])
    assert cols[2].dtype == np.int64 and cols[2].tolist() == [1, 0]
    assert cols[3].dtype == object and cols[3].tolist() == [1, None]
    assert cols[4].dtype == np.int64 and cols[4].tolist() == [7, 8]
    assert cols[5].tolist() == ["3.0", None]     # a register column keeps its own kind (text), not extra_kinds'
    assert cols[6].tolist() == [5, None] and cols[7].tolist() == ["1.5", None]
    spec, cols = ri.register_columns(pd.DataFrame(), {})
    assert [c for c, _k in spec] == list(REGISTER_COLUMNS) and all(len(c) == 0 for c in cols)


def test_fill_lonlat():
    cases = pd.DataFrame({"x": [100.0, 200.0, np.nan, 400.0], "y": [10.0, 20.0, 30.0, 40.0],
                          "lon": [99.5, None, None, np.nan], "lat": [24.5, None, 23.0, None]})
    calls = []

    def to_lonlat(x, y):
        calls.append((x.tolist(), y.tolist()))
        return x / 3.0, y / 7.0

    assert ri.fill_lonlat(cases, to_lonlat) == 2
    assert calls == [([200.0, 400.0], [20.0, 40.0])]        # one call, finite points without lon only
    assert cases["lon"].tolist()[:2] == [99.5, round(200 / 3, 7)] and cases["lon"].tolist()[3] == round(400 / 3, 7)
    assert cases["lat"].tolist()[:2] == [24.5, round(20 / 7, 7)] and cases["lat"].tolist()[3] == round(40 / 7, 7)
    assert np.isnan(cases["lon"][2]) and np.isnan(cases["lat"][2])   # no x: neither lon nor lat
    calls.clear()
    assert ri.fill_lonlat(cases.iloc[:1].copy(), to_lonlat) == 0 and calls == []
    assert ri.fill_lonlat(cases.iloc[:0].copy(), to_lonlat) == 0 and calls == []


def test_level_and_verdict_counts():
    rules = load_rules(None)
    verdict = {lv.id: lv.verdict for lv in rules.levels.values()}
    cases = pd.DataFrame({"verdict": [verdict["demolish"], verdict["demolish"], verdict["verify"],
                                      verdict["legacy"], verdict["demolish"], None],
                          "gone": [False, None, True, False, 1, False]})
    counts = ri.level_counts(cases, rules)
    assert counts == {"N_CASES": 4, "N_GONE": 2, "N_DEMOLISH": 2, "N_RECTIFY": 0, "N_TEMP_EXPIRED": 0,
                      "N_VERIFY": 0, "N_LEGACY": 1}
    vc = ri.verdict_counts(cases)
    assert vc == {verdict["demolish"]: 2, verdict["legacy"]: 1} and list(vc)[0] == verdict["demolish"]
    empty = pd.DataFrame({"verdict": [], "gone": []})
    assert ri.level_counts(empty, rules) == {"N_CASES": 0, "N_GONE": 0, **{o: 0 for _i, o in ri.LEVEL_OUTPUTS}}
    assert ri.verdict_counts(empty) == {}


# --------------------------------------------------------------------------- gpkgbulk: the register store
def _gpkg(path, layers):
    first = True
    for name, n in layers:
        geoms = shapely.box(np.arange(n), 0, np.arange(n) + 1, 1)
        cols = [("case_id", "string", np.array([f"c{i}" for i in range(n)], dtype=object)),
                ("area_m2", "double", np.ones(n))]
        if first:
            gpkgbulk.write_new_layer(path, name, geoms, cols, "EPSG:4542", "Polygon")
            first = False
        else:
            tmp = path.with_name(f"{name}.gpkg")
            gpkgbulk.write_new_layer(tmp, name, geoms, cols, "EPSG:4542", "Polygon")
            gpkgbulk.copy_layers(tmp, path, [name])


def test_write_aliases(tmp_path):
    p = tmp_path / "r.gpkg"
    _gpkg(p, [("register", 2)])
    gpkgbulk.write_aliases(p, "register", {"case_id": "案件编号", "area_m2": "面积", "absent": "无"})
    gpkgbulk.write_aliases(p, "register", {"case_id": "图斑编号", "area_m2": "面积"})   # replaces, no duplicates
    con = sqlite3.connect(p)
    rows = sorted(con.execute("SELECT table_name, column_name, name, title FROM gpkg_data_columns").fetchall())
    ext = con.execute("SELECT count(*) FROM gpkg_extensions WHERE table_name = 'gpkg_data_columns' AND "
                      "extension_name = 'gpkg_schema'").fetchone()[0]
    con.close()
    assert rows == [("register", "area_m2", "面积", "面积"), ("register", "case_id", "图斑编号", "图斑编号")]
    assert ext == 1


def test_other_layers_and_copy_layers(tmp_path):
    src = tmp_path / "src.gpkg"
    _gpkg(src, [("Register", 3), ("team_notes", 4), ("checks", 5)])
    assert sorted(gpkgbulk.other_layers(src, "register")) == ["checks", "team_notes"]   # case-insensitive
    assert gpkgbulk.other_layers(src, "register", lambda p: ["register", "Layer_Styles", "x"]) == ["x"]
    assert gpkgbulk.other_layers(tmp_path / "missing.gpkg", "register") == []
    (tmp_path / "junk.gpkg").write_bytes(b"not a geopackage")
    assert gpkgbulk.other_layers(tmp_path / "junk.gpkg", "register") == []
    dst = tmp_path / "dst.gpkg"
    _gpkg(dst, [("register", 1)])
    gpkgbulk.copy_layers(src, dst, ["team_notes", "checks"])
    con = sqlite3.connect(dst)
    n = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in ("register", "team_notes", "checks")}
    con.close()
    assert n == {"register": 1, "team_notes": 4, "checks": 5}
    with pytest.raises((gpkgbulk.LayerCopyError, RuntimeError)):
        gpkgbulk.copy_layers(src, dst, ["no_such_layer"])
    assert gpkgbulk.LayerCopyError("x").layer == "x" and str(gpkgbulk.LayerCopyError("x")) == \
        "could not carry over layer x"
