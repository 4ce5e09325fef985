"""``liangwei register`` / ``liangwei fullcheck`` (lincang_liangwei.cli_register) without QGIS: the register
against the sample city's truth, the XLSX / CSV, the merge with a previous register, exit codes."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from lincang_liangwei import cli, cli_io, cli_register

ROOT = Path(__file__).resolve().parents[2]
ZONES = {"--red-lines": "red_lines", "--blue-lines": "blue_lines", "--green-lines": "green_lines",
         "--yellow-lines": "yellow_lines", "--purple-lines": "purple_lines", "--water-source": "water_source"}
LEVELS = {"N_DEMOLISH": "拆除候选", "N_RECTIFY": "限期整改", "N_TEMP_EXPIRED": "超期临时建筑", "N_VERIFY": "待核查",
          "N_LEGACY": "历史存量"}


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    from devtools.fileio import write_city
    from devtools.samplecity import generate_city

    path = tmp_path_factory.mktemp("regcity") / "city.gpkg"
    c = generate_city(3000, seed=11)
    write_city(c, path)
    return str(path), c.truth_later.copy()


def fullcheck_argv(c, folder, *extra, run_date="2024-03-01"):
    return ["fullcheck", "--earlier", f"{c}:buildings_2019", "--later", f"{c}:buildings_2023",
            *[x for flag, lyr in ZONES.items() for x in (flag, f"{c}:{lyr}")],
            "--pipelines", f"{c}:pipelines", "--compounds", f"{c}:compounds", "--districts", f"{c}:districts",
            "--permits", f"{c}:permits", "--earlier-floors-field", "floors", "--later-floors-field", "floors",
            "--earlier-date", "2019", "--later-date", "2023", "--run-date", run_date, "--output-folder", str(folder),
            *extra]


def run_json(argv, capsys):
    capsys.readouterr()
    rc = cli.main(argv + ["--json"])
    out = capsys.readouterr().out
    return rc, (json.loads(out) if rc == 0 else None)


def register(path, layer="register") -> pd.DataFrame:
    d = cli_io.read_output(str(path), layer)
    df = d.attrs.copy()
    df["__wkb"] = [None if g is None else shapely.to_wkb(shapely.normalize(g)) for g in d.geoms]
    return df.sort_values("case_id").reset_index(drop=True)


def connect(path):
    con = sqlite3.connect(path)   # GeoPackage triggers call these; the edits here never touch geometry
    con.create_function("ST_IsEmpty", 1, lambda g: 0)
    for f in ("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):
        con.create_function(f, 1, lambda g: 0.0)
    return con


@pytest.fixture(scope="module")
def first_run(city, tmp_path_factory):
    """One full check (3000 buildings), shared by the tests that only read it."""
    import contextlib
    import io

    c, _truth = city
    folder = tmp_path_factory.mktemp("fullcheck") / "out"
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = cli.main(fullcheck_argv(c, folder) + ["--json", "--quiet"])
    assert rc == 0
    return folder, json.loads(buf.getvalue())


# --------------------------------------------------------------------------- fullcheck against the truth
def test_fullcheck_register_is_the_truth(city, first_run):
    c, truth = city
    folder, s = first_run
    for f in ("register.gpkg", "register.xlsx", "register.csv", "epochs_later.gpkg", "epochs_demolished.gpkg",
              "epochs_growth.gpkg", "controllines_pieces.gpkg", "controllines_buildings.gpkg", "pipeclearance.gpkg"):
        assert (folder / f).is_file(), f
    reg = register(folder / "register.gpkg")
    m = truth.merge(reg[["bld_fid", "verdict"]], left_on="fid", right_on="bld_fid", how="left")
    m["verdict"] = m["verdict"].fillna("")
    assert (m["expected_verdict"] == m["verdict"]).all(), pd.crosstab(m["expected_verdict"], m["verdict"])
    # counts per level: the truth's, the summary's and the file's
    for name, verdict in LEVELS.items():
        n = int((truth["expected_verdict"] == verdict).sum())
        assert s[name] == n == int((reg["verdict"] == verdict).sum()), name
    assert s["N_DEMOLISH"] >= 50 and s["N_LEGACY"] >= 300
    assert s["N_CASES"] == len(reg) == int((truth["expected_verdict"] != "").sum()) == 615
    assert s["N_BUILDINGS"] == len(truth) == s["steps"]["epochs"]["N_LATER"]
    assert s["N_NEW"] == s["N_CASES"] and s["N_KEPT"] == 0 and s["N_GONE"] == 0
    # buildings in = cases + without findings + skipped (null / empty footprints)
    skipped = truth["geom_status"].isin(["null", "empty"])
    assert s["N_SKIPPED"] == int(skipped.sum()) == 4
    assert s["N_BUILDINGS"] - s["N_CASES"] - s["N_SKIPPED"] == int(((truth["expected_verdict"] == "") & ~skipped).sum())
    assert set(s["seconds"]) >= {"read", "compute", "write"} and all(s["seconds"][k] >= 0 for k in
                                                                      ("read", "compute", "write"))
    # case facts against the truth: control-line kinds and encroached area, permits
    t = truth.set_index("fid").loc[reg["bld_fid"].to_numpy()]
    lines = reg["line_types"].to_numpy() != ""
    assert lines.sum() > 100
    assert [set(a.split(";")) for a in reg["line_types"][lines]] == [set(b.split(";")) for b in t["line_types"][lines]]
    assert np.allclose(reg["enc_area_m2"][lines], t["enc_area_m2"][lines], atol=0.01)
    assert (reg["permit_no"].fillna("").to_numpy() == t["permit_no"].fillna("").to_numpy()).all()
    # consistent with the three checks' own outputs
    pieces = cli_io.read_output(str(folder / "controllines_pieces.gpkg")).attrs
    breaches = cli_io.read_output(str(folder / "pipeclearance.gpkg")).attrs
    assert set(reg.loc[lines, "bld_fid"]) <= set(pieces["bld_fid"])
    assert set(reg.loc[reg["pipe_kinds"] != "", "bld_fid"]) <= set(breaches["bld_fid"])
    assert s["steps"]["lines"]["N_HITS"] == len(pieces) and s["steps"]["pipes"]["N_BREACHES"] == len(breaches)
    # case ids: district code - year - serial, unique
    assert reg["case_id"].is_unique and reg["case_id"].str.match(r"^\d{9}-2024-\d{4}$").all()
    assert (reg["case_id"].str[:9] == reg["district_code"]).all()
    assert reg["lon"].between(98, 101).all() and reg["lat"].between(22, 25).all()


def test_register_gpkg_has_aliases_and_style(first_run):
    con = sqlite3.connect(first_run[0] / "register.gpkg")
    try:
        aliases = dict(con.execute("SELECT column_name, name FROM gpkg_data_columns WHERE table_name = 'register'"))
        styles = con.execute("SELECT f_table_name, useAsDefault FROM layer_styles").fetchall()
        kinds = {r[1]: r[2] for r in con.execute("PRAGMA table_info(register)")}
    finally:
        con.close()
    assert aliases["case_id"] == "图斑编号" and aliases["verdict"] == "初判" and len(aliases) == 31
    assert styles == [("register", 1)]
    assert kinds["gone"] == "INTEGER" and kinds["bld_fid"] == "INTEGER" and kinds["area_m2"] == "REAL"
    assert kinds["geom"] == "MULTIPOLYGON"


def test_xlsx_and_csv(first_run):
    import openpyxl

    first_run = first_run[0]
    reg = register(first_run / "register.gpkg")
    wb = openpyxl.load_workbook(first_run / "register.xlsx", read_only=True)
    assert wb.sheetnames[:2] == ["汇总", "全部"] and "拆除候选" in wb.sheetnames
    rows = list(wb["全部"].iter_rows(values_only=True))
    headers = list(rows[0])
    assert headers[:3] == ["图斑编号", "行政区代码", "行政区"] and "初判" in headers and "核查结果" in headers
    assert len(rows) == len(reg) + 1
    xl = pd.DataFrame(rows[1:], columns=headers)
    assert sorted(xl["图斑编号"]) == sorted(reg["case_id"])
    assert (xl["初判"] == "拆除候选").sum() == (reg["verdict"] == "拆除候选").sum()
    assert len(list(wb["拆除候选"].iter_rows(values_only=True))) == (reg["verdict"] == "拆除候选").sum() + 1
    wb.close()
    csv = pd.read_csv(first_run / "register.csv", encoding="utf-8-sig", dtype=str)
    assert list(csv.columns) == [c for c in reg.columns if c != "__wkb"] and len(csv) == len(reg)
    assert sorted(csv["case_id"]) == sorted(reg["case_id"])
    assert (first_run / "register.csv").read_bytes()[:3] == b"\xef\xbb\xbf"


def test_register_alone_equals_fullcheck(city, first_run, tmp_path, capsys):
    """``liangwei register`` on the checks' outputs gives the fullcheck's register, row by row."""
    c, _ = city
    f = first_run[0]
    rc, s = run_json(["register", "--changes", f"{f}/epochs_later.gpkg", "--encroachments",
                      f"{f}/controllines_pieces.gpkg", "--breaches", f"{f}/pipeclearance.gpkg",
                      "--compounds", f"{c}:compounds", "--districts", f"{c}:districts", "--permits", f"{c}:permits",
                      "--run-date", "2024-03-01", "--output", str(tmp_path / "reg.gpkg"),
                      "--xlsx", str(tmp_path / "reg.xlsx"), "--csv", str(tmp_path / "reg.csv"), "--quiet"], capsys)
    assert rc == 0
    a, b = register(f / "register.gpkg"), register(tmp_path / "reg.gpkg")
    assert list(a.columns) == list(b.columns) and len(a) == len(b) == s["N_CASES"]
    for col in a.columns:
        x, y = a[col].to_numpy(), b[col].to_numpy()
        if x.dtype.kind == "f":
            assert np.array_equal(x, y, equal_nan=True), col
        else:
            assert list(x) == list(y), col
    assert (tmp_path / "reg.csv").read_bytes() == (f / "register.csv").read_bytes()
    assert s["OUTPUT"] == f"{tmp_path / 'reg.gpkg'}|layername=register"
    assert {k: s[k] for k in LEVELS} == {k: int((a["verdict"] == v).sum()) for k, v in LEVELS.items()}


# --------------------------------------------------------------------------- re-run: the teams' work survives
def test_rerun_keeps_team_entries_and_marks_gone(city, first_run, tmp_path, capsys):
    c, _ = city
    folder = tmp_path / "out"
    shutil.copytree(first_run[0], folder)
    reg = register(folder / "register.gpkg")
    ids = reg["case_id"].tolist()
    edit = ids[::7]
    con = connect(folder / "register.gpkg")
    con.execute("ALTER TABLE register ADD COLUMN team TEXT")
    con.execute("ALTER TABLE register ADD COLUMN visits INTEGER")
    con.executemany("UPDATE register SET check_result = ?, remarks = ?, status = '已派遣', team = ?, visits = ? "
                    "WHERE case_id = ?",
                    [(f"属实{i}", "=1+1" if i == 0 else f"备注{i}", f"第{i % 3}组", i, cid) for i, cid in enumerate(edit)])
    con.commit()
    con.close()
    edited = register(folder / "register.gpkg").set_index("case_id")
    # another layer the teams keep in the register file survives the in-place update
    con = connect(folder / "register.gpkg")
    con.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, note TEXT)")
    con.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier) VALUES ('notes', 'attributes', 'notes')")
    con.execute("INSERT INTO notes (note) VALUES ('巡查记录')")
    con.commit()
    con.close()

    # re-run into the same folder: the register there is the previous one, updated in place
    capsys.readouterr()
    rc = cli.main(fullcheck_argv(c, folder, run_date="2025-02-01") + ["--json"])
    cap = capsys.readouterr()
    assert rc == 0
    s = json.loads(cap.out)
    assert any("merged into it" in line for line in s["log"])
    reg2 = register(folder / "register.gpkg").set_index("case_id")
    assert set(reg2.index) == set(ids)
    assert s["N_KEPT"] == len(ids) and s["N_NEW"] == 0 and s["N_GONE"] == 0 and s["N_CASES"] == len(ids)
    for col in ("check_result", "remarks", "status", "team", "visits", "first_seen", "bld_fid", "verdict"):
        assert list(reg2.loc[edited.index, col].fillna("")) == list(edited[col].fillna("")), col
    assert (reg2.loc[edit, "check_result"] == [f"属实{i}" for i in range(len(edit))]).all()
    assert (reg2["last_run"] == "2025-02-01").all() and (reg2["first_seen"] == "2024-03-01").all()
    assert "notes" in cli_io.list_layers(str(folder / "register.gpkg"))
    assert not [p for p in os.listdir(folder) if ".lwtmp" in p]
    con = sqlite3.connect(folder / "register.gpkg")
    kinds = {r[1]: r[2] for r in con.execute("PRAGMA table_info(register)")}
    con.close()
    assert kinds["visits"].startswith("INT") and kinds["team"] == "TEXT"

    # a register run that finds nothing (footprints, no findings) keeps every case, marked gone
    rc, s3 = run_json(["register", "--footprints", f"{c}:buildings_2023", "--previous",
                       f"{folder}/register.gpkg:register", "--run-date", "2025-06-01", "--output", str(tmp_path / "r3.gpkg"),
                       "--quiet"], capsys)
    assert rc == 0
    reg3 = register(tmp_path / "r3.gpkg").set_index("case_id")
    assert s3["N_GONE"] == len(ids) and s3["N_CASES"] == 0 and s3["N_KEPT"] == 0 and s3["N_DEMOLISH"] == 0
    assert (reg3["gone"] == 1).all() and set(reg3.index) == set(ids)
    assert list(reg3.loc[edit, "check_result"]) == list(edited.loc[edit, "check_result"])
    assert (reg3["last_run"] == "2025-02-01").all()
    # and found again: the same ids come back, none new
    rc, s4 = run_json(["register", "--changes", f"{folder}/epochs_later.gpkg", "--encroachments",
                       f"{folder}/controllines_pieces.gpkg", "--breaches", f"{folder}/pipeclearance.gpkg",
                       "--compounds", f"{c}:compounds", "--districts", f"{c}:districts", "--permits", f"{c}:permits",
                       "--previous", f"{tmp_path / 'r3.gpkg'}:register", "--run-date", "2025-07-01",
                       "--output", str(tmp_path / "r3.gpkg"), "--quiet"], capsys)
    assert rc == 0
    assert s4["N_KEPT"] == len(ids) and s4["N_NEW"] == 0 and s4["N_GONE"] == 0 and s4["merge"]["revived"] == len(ids)
    reg4 = register(tmp_path / "r3.gpkg").set_index("case_id")
    assert list(reg4.loc[edit, "remarks"]) == list(edited.loc[edit, "remarks"])


# --------------------------------------------------------------------------- bad input, QGIS-only, cancel
def _cli(*argv):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "lincang_liangwei.cli", *argv], capture_output=True, text=True,
                          env=env, timeout=300)


def test_bad_input_is_one_line_exit_2(city, tmp_path):
    c, _ = city
    out = str(tmp_path / "reg.gpkg")
    cases = [
        (["register", "--output", out], "--changes"),
        (["register", "--changes", f"{c}:buildings_2023", "--output", out], "'change'"),
        (["register", "--footprints", f"{c}:buildings_2023", "--run-date", "2024-13-45", "--output", out], "date"),
        (["register", "--footprints", f"{c}:buildings_2023", "--output", c], "input"),
        (["register", "--footprints", f"{c}:buildings_2023", "--districts", f"{c}:districts",
          "--district-code-field", "nope", "--output", out], "nope"),
        (["register", "--footprints", f"{c}:buildings_2023", "--encroachments", f"{c}:pipelines",
          "--output", out], "controllines"),
        (["register", "--footprints", f"{c}:buildings_2023", "--previous", f"{c}:districts",
          "--output", out], "case_id"),
        (["register", "--footprints", f"{c}:buildings_2023", "--permits", f"{c}:permits",
          "--permit-kind-map", "临=forever", "--output", out], "temporary"),
        (["register", "--footprints", f"{c}:buildings_2023", "--database", "service=bureau", "--output", out],
         "qgis_process"),
        (["register", "--footprints", f"{c}:buildings_2023", "--output", out, "--xlsx", str(tmp_path / "no/x.xlsx")],
         "does not exist"),
        (["fullcheck", "--later", f"{c}:buildings_2023", "--output-folder", str(tmp_path / "f"), "--pdf",
          str(tmp_path / "a.pdf")], "qgis_process"),
        (["fullcheck", "--later", f"{c}:buildings_2023", "--output-folder", str(tmp_path / "f2"), "--rules",
          str(tmp_path / "none.toml")], "none.toml"),
    ]
    for argv, word in cases:
        p = _cli(*argv, "--quiet")
        assert p.returncode == 2, (argv, p.stderr)
        lines = p.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in p.stderr, (argv, p.stderr)
        assert word in lines[0] and lines[0].startswith(f"liangwei {argv[0]}: error:"), (argv, lines[0])
    assert not os.path.exists(out)
    assert not os.path.exists(tmp_path / "f" / "register.gpkg") and not (tmp_path / "f2").exists() or \
        not os.listdir(tmp_path / "f2")


def test_cancelled_fullcheck_exit_3_writes_no_register(city, tmp_path, monkeypatch):
    c, _ = city

    def interrupted(*a, **k):
        raise KeyboardInterrupt
    monkeypatch.setitem(cli.RUNNERS, "pipeclearance", interrupted)
    folder = tmp_path / "out"
    assert cli.main(fullcheck_argv(c, folder) + ["--quiet"]) == 3
    assert (folder / "controllines_pieces.gpkg").exists()      # the steps before it finished
    assert not (folder / "register.gpkg").exists() and not (folder / "register.xlsx").exists()


def test_no_qgis_imported(city, tmp_path):
    c, _ = city
    code = ("import sys; from lincang_liangwei import cli; rc = cli.main(sys.argv[1:]); "
            "assert not [m for m in sys.modules if m.split('.')[0] == 'qgis'], 'qgis imported'; sys.exit(rc)")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.run([sys.executable, "-c", code, "fullcheck", "--later", f"{c}:buildings_2023", "--red-lines",
                        f"{c}:red_lines", "--districts", f"{c}:districts", "--run-date", "2024-03-01",
                        "--output-folder", str(tmp_path / "o"), "--json"],
                       capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode == 0, p.stderr
    s = json.loads(p.stdout)
    assert s["ok"] and s["N_CASES"] > 0 and s["N_CASES"] == sum(s[k] for k in LEVELS)
    assert "CHANGES" not in s and s["PIECES"].endswith("|layername=controllines_pieces")


def test_pure_helpers():
    kinds, bad = cli_register.permit_kinds(["临时", "永久", "临建", None, "正式", "TEMP"], "正式=permanent")
    assert list(kinds) == ["temporary", "permanent", "temporary", "unknown", "permanent", "temporary"] and bad == {}
    kinds, bad = cli_register.permit_kinds(["批准", "批准", "临时"], None)
    assert bad == {"批准": 2} and list(kinds) == ["unknown", "unknown", "temporary"]
    assert cli_register.pick_field(["FID_", "XZQDM", "MC"], "", "DISTRICT_CODE_FIELD") == "XZQDM"
    assert cli_register.pick_field(["XZQDM", "MC"], "", "DISTRICT_NAME_FIELD") == "MC"
    assert cli_register.pick_field(["a"], "", "PERMIT_EXPIRY_FIELD") == ""
    ch, epoch, prev, conf = cli_register.changes_table(
        {"change": np.array(["new", None], dtype=object), "growth_m2": np.array([3.5, None], dtype=object),
         "epoch": np.array(["", "2023"], dtype=object)}, 2)
    assert list(ch["change"]) == ["new", "unknown"] and np.isnan(ch["growth_m2"][1]) and ch["growth_m2"][0] == 3.5
    assert epoch == "2023" and prev == "" and not conf and np.isnan(ch["floors_now"]).all()
    with pytest.raises(ValueError, match="enc_area"):
        cli_register.findings_table(pd.DataFrame({"bld_fid": [1], "line_type": ["red"]}), "hits")
    h = cli_register.findings_table(pd.DataFrame({"bld_fid": [1, None], "line_type": ["red", "red"],
                                                  "enc_area": ["2.5", "1"], "hit_where": ["setback", "inside"]}),
                                    "hits")
    assert list(h["bld_fid"]) == [1] and h["enc_area"][0] == 2.5 and list(h["where"]) == ["setback"]
    cases = pd.DataFrame({"x": [1.0], "gone": [True], "in_compound": [None], "team": [5], "note": [None]})
    spec, cols = cli_register.register_columns(cases, {"team": "int", "note": "string"})
    assert spec == [("x", "double"), ("gone", "int"), ("in_compound", "int"), ("team", "int"), ("note", "string")]
    assert cols[1].tolist() == [1] and cols[2].tolist() == [None] and cols[4].tolist() == [None]

