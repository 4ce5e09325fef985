"""``liangwei fullcheck`` / ``liangwei register`` (no QGIS) and qgis_process ``liangwei:fullcheck`` /
``liangwei:register`` on the same city give the same register, case by case, and the same counts; also after the
field teams edited it and the run is repeated (the merge with the previous register)."""
from __future__ import annotations

import contextlib
import io
import json
import shutil
import sqlite3
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from qprun import run_alg  # noqa: E402

from lincang_liangwei import cli, cli_io  # noqa: E402

pytestmark = pytest.mark.e2e

ZONES = {"RED_LINES": "red_lines", "BLUE_LINES": "blue_lines", "GREEN_LINES": "green_lines",
         "YELLOW_LINES": "yellow_lines", "PURPLE_LINES": "purple_lines", "WATER_SOURCE": "water_source"}
COUNTS = ("N_BUILDINGS", "N_CASES", "N_KEPT", "N_NEW", "N_GONE", "N_DEMOLISH", "N_RECTIFY", "N_TEMP_EXPIRED",
          "N_VERIFY", "N_LEGACY")


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    from devtools.fileio import write_city
    from devtools.samplecity import generate_city

    path = tmp_path_factory.mktemp("cli_register") / "city.gpkg"
    write_city(generate_city(3000, seed=11), path)
    return str(path)


def fullcheck_params(c, folder, run_date):
    def lyr(name):
        return f"{c}|layername={name}"

    return {"EARLIER": lyr("buildings_2019"), "LATER": lyr("buildings_2023"), **{k: lyr(v) for k, v in ZONES.items()},
            "PIPELINES": lyr("pipelines"), "COMPOUNDS": lyr("compounds"), "DISTRICTS": lyr("districts"),
            "PERMITS": lyr("permits"), "EARLIER_FLOORS_FIELD": "floors", "LATER_FLOORS_FIELD": "floors",
            "EARLIER_DATE": "2019", "LATER_DATE": "2023", "RUN_DATE": run_date, "OUTPUT_FOLDER": str(folder)}


def as_argv(alg, params, *extra):
    """qgis_process parameters -> the command line: same names, lower case, '-' for '_'."""
    argv = [alg]
    for k, v in params.items():
        argv += ["--" + k.lower().replace("_", "-"), str(v).replace("|layername=", ":")]
    return argv + list(extra)


def run_cli(argv):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = cli.main(argv + ["--json", "--quiet"])
    assert rc == 0
    return json.loads(buf.getvalue())


def register(path) -> pd.DataFrame:
    d = cli_io.read_output(str(path), "register")
    df = d.attrs.copy()
    df["__wkb"] = [None if g is None else shapely.to_wkb(shapely.normalize(g)) for g in d.geoms]
    return df.sort_values("case_id").reset_index(drop=True)


def same_register(a: pd.DataFrame, b: pd.DataFrame):
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b) > 0
    assert list(a["case_id"]) == list(b["case_id"])
    for c in a.columns:
        x, y = a[c].to_numpy(), b[c].to_numpy()
        if x.dtype.kind == "f" and y.dtype.kind == "f":   # areas, distances, x / y, lon / lat
            assert np.array_equal(np.isnan(x), np.isnan(y)), c
            assert np.allclose(x, y, rtol=0, atol=1e-6, equal_nan=True), (c, np.nanmax(np.abs(x - y)))
        else:
            assert [None if v != v else v for v in x] == [None if v != v else v for v in y], c


def same_counts(qgis_results: dict, summary: dict, names=COUNTS):
    assert {k: int(qgis_results[k]) for k in names} == {k: int(summary[k]) for k in names}


def same_xlsx(p, q):
    import openpyxl

    wa, wb = openpyxl.load_workbook(p, read_only=True), openpyxl.load_workbook(q, read_only=True)
    assert wa.sheetnames == wb.sheetnames
    for name in wa.sheetnames:
        ra = list(wa[name].iter_rows(values_only=True))
        rb = list(wb[name].iter_rows(values_only=True))
        assert len(ra) == len(rb), name
        for x, y in zip(ra, rb):
            assert len(x) == len(y)
            for u, v in zip(x, y):
                if isinstance(u, float) and isinstance(v, float):
                    assert abs(u - v) <= 1e-6, (name, u, v)
                else:
                    assert u == v, (name, u, v)
    wa.close()
    wb.close()


def team_edits(path):
    """What a field team does with sqlite: results, remarks, status and a column of its own."""
    con = sqlite3.connect(path)
    con.create_function("ST_IsEmpty", 1, lambda g: 0)
    for f in ("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):
        con.create_function(f, 1, lambda g: 0.0)
    ids = [r[0] for r in con.execute("SELECT case_id FROM register ORDER BY case_id")]
    con.execute("ALTER TABLE register ADD COLUMN team TEXT")
    con.executemany("UPDATE register SET check_result = ?, remarks = ?, status = '已派遣', team = ? WHERE case_id = ?",
                    [(f"属实{i}", f"备注{i}", f"第{i % 3}组", cid) for i, cid in enumerate(ids[::5])])
    con.commit()
    con.close()
    return ids[::5]


@pytest.fixture(scope="module")
def both_fullchecks(city, tmp_path_factory):
    base = tmp_path_factory.mktemp("fullchecks")
    q, c = base / "qgis", base / "cli"
    res = run_alg("liangwei:fullcheck", fullcheck_params(city, q, "2024-03-01"))
    assert res.ok, res.stderr[-3000:]
    # the command line tiled (small tiles): the same register all the same
    s = run_cli(as_argv("fullcheck", fullcheck_params(city, c, "2024-03-01"), "--partition", "tiled", "--tile-m", "500"))
    return q, c, res, s


def test_fullcheck_same_register_files_and_counts(both_fullchecks):
    q, c, res, s = both_fullchecks
    same_counts(res.results, s)
    assert int(res.results["N_CASES"]) > 500 and int(res.results["N_DEMOLISH"]) > 50
    same_register(register(q / "register.gpkg"), register(c / "register.gpkg"))
    same_xlsx(q / "register.xlsx", c / "register.xlsx")
    a = pd.read_csv(q / "register.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    b = pd.read_csv(c / "register.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(a.columns) == list(b.columns) and len(a) == len(b) == int(res.results["N_CASES"])
    assert (a["case_id"] == b["case_id"]).all() and (a["verdict"] == b["verdict"]).all()
    for name in ("XLSX", "CSV"):
        assert Path(res.results[name]).name == Path(s[name]).name
    for name in ("REGISTER", "CHANGES", "DEMOLISHED", "GROWTH", "PIECES", "BUILDINGS", "BREACHES"):
        assert res.results[name].replace(str(q), "") == s[name].replace(str(c), ""), name
    # aliases of the register: the same Chinese names
    aliases = []
    for f in (q, c):
        con = sqlite3.connect(f / "register.gpkg")
        aliases.append(sorted(con.execute("SELECT column_name, name FROM gpkg_data_columns")))
        con.close()
    assert aliases[0] == aliases[1] and len(aliases[0]) > 20


def test_fullcheck_rerun_after_team_edits_same(city, both_fullchecks):
    q, c, _res, _s = both_fullchecks
    edited = [team_edits(f / "register.gpkg") for f in (q, c)]
    assert edited[0] == edited[1]
    res2 = run_alg("liangwei:fullcheck", fullcheck_params(city, q, "2025-02-01"))
    assert res2.ok, res2.stderr[-3000:]
    s2 = run_cli(as_argv("fullcheck", fullcheck_params(city, c, "2025-02-01")))
    same_counts(res2.results, s2)
    assert int(res2.results["N_KEPT"]) == int(res2.results["N_CASES"]) and int(res2.results["N_NEW"]) == 0
    a, b = register(q / "register.gpkg"), register(c / "register.gpkg")
    same_register(a, b)
    kept = b.set_index("case_id").loc[edited[1]]
    assert (kept["check_result"] == [f"属实{i}" for i in range(len(kept))]).all() and kept["team"].notna().all()
    assert (b["last_run"] == "2025-02-01").all()


def test_register_alone_same_with_previous_and_gone_cases(city, both_fullchecks, tmp_path):
    """liangwei:register from footprints + encroachments only, merged into the full register: cases without an
    encroachment are marked gone, the others keep their ids and the teams' entries."""
    q, c, _res, _s = both_fullchecks
    prev = tmp_path / "previous.gpkg"
    shutil.copy(c / "register.gpkg", prev)
    params = {"FOOTPRINTS": f"{city}|layername=buildings_2023",
              "ENCROACHMENTS": f"{c}/controllines_pieces.gpkg|layername=controllines_pieces",
              "DISTRICTS": f"{city}|layername=districts", "PERMITS": f"{city}|layername=permits",
              "PREVIOUS": f"{prev}|layername=register", "RUN_DATE": "2025-06-01"}
    outs_q = {"OUTPUT": str(tmp_path / "q.gpkg"), "XLSX": str(tmp_path / "q.xlsx"), "CSV": str(tmp_path / "q.csv")}
    outs_c = {"OUTPUT": str(tmp_path / "c.gpkg"), "XLSX": str(tmp_path / "c.xlsx"), "CSV": str(tmp_path / "c.csv")}
    res = run_alg("liangwei:register", {**params, **outs_q})
    assert res.ok, res.stderr[-3000:]
    s = run_cli(as_argv("register", {**params, **outs_c}))
    same_counts(res.results, s, COUNTS + ("N_SKIPPED",))
    assert int(res.results["N_GONE"]) > 100 and int(res.results["N_KEPT"]) > 100
    a, b = register(tmp_path / "q.gpkg"), register(tmp_path / "c.gpkg")
    same_register(a, b)
    same_xlsx(tmp_path / "q.xlsx", tmp_path / "c.xlsx")
    assert (b["gone"] == 1).sum() == int(res.results["N_GONE"])
