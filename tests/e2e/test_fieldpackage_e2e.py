"""End to end through qgis_process: two field packages made from one register, edited as teams would (sqlite),
returned as a zip and as a folder, merged back in one run; an unsafe package refused."""
from __future__ import annotations

import shutil
import sqlite3
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from qprun import run_alg  # noqa: E402

from lincang_liangwei.fieldstore import register_gpkg_functions  # noqa: E402
from tests.fieldregister import make_register  # noqa: E402

pytestmark = pytest.mark.e2e
INJECTION = "'); DROP TABLE register; --"
FIELDS = ("status", "check_result", "remarks", "photo", "visit_date")


def rows(gpkg):
    con = sqlite3.connect(str(gpkg))
    try:
        cols = [r[1] for r in con.execute("PRAGMA table_info(register)")]
        return {row["case_id"]: row for row in (dict(zip(cols, r)) for r in con.execute("SELECT * FROM register"))}
    finally:
        con.close()


def team_edit(gpkg, edits):
    con = sqlite3.connect(str(gpkg))
    register_gpkg_functions(con)
    try:
        for cid, values in edits.items():
            sets = ", ".join(f'"{k}" = ?' for k in values)
            con.execute(f"UPDATE register SET {sets} WHERE case_id = ?", (*values.values(), cid))
        con.commit()
    finally:
        con.close()


def test_package_edit_return_merge(tmp_path):
    reg, city, cases = make_register(tmp_path, n_buildings=400, n_cases=40)
    districts = sorted(cases["district"].unique())
    assert len(districts) >= 2
    pk = {}
    for k, d in enumerate(districts[:2]):
        res = run_alg("liangwei:fieldpackage", {
            "REGISTER": f"{reg}|layername=register", "FILTER": f"\"district\" = '{d}'",
            "CONTEXT_LAYERS": [f"{city}|layername=red_lines", f"{city}|layername=pipelines"],
            "OUTPUT_FOLDER": tmp_path / f"team{k}"})
        assert int(res.results["CASES"]) == int((cases["district"] == d).sum())
        assert Path(res.results["PROJECT"]).is_file() and Path(res.results["ZIP"]).is_file()
        pk[k] = Path(res.results["OUTPUT_FOLDER"])
    before = rows(reg)

    # team 0 works on the unzipped package and returns a zip
    t0 = tmp_path / "tablet0"
    with zipfile.ZipFile(pk[0] / "fieldwork.zip") as z:
        z.extractall(t0)
    g0 = t0 / "fieldwork_register.gpkg"
    ids0 = sorted(rows(g0))
    (t0 / "DCIM" / f"{ids0[0]}_1.jpg").write_bytes(b"\xff\xd8photo-0")
    edits0 = {ids0[0]: {"status": "已处置", "check_result": "属实", "remarks": INJECTION,
                        "photo": f"DCIM/{ids0[0]}_1.jpg", "visit_date": "2024-05-03"},
              ids0[1]: {"check_result": "已拆除", "remarks": "现场已拆除，\n有照片为证", "visit_date": "2024-05-04"}}
    team_edit(g0, edits0)
    returned0 = tmp_path / "returned0.zip"
    with zipfile.ZipFile(returned0, "w") as z:
        for p in t0.rglob("*"):
            z.write(p, p.relative_to(t0).as_posix())
    # team 1 edits the folder in place and returns it
    g1 = pk[1] / "fieldwork_register.gpkg"
    ids1 = sorted(rows(g1))
    edits1 = {ids1[0]: {"status": "已派遣", "check_result": "无法进入", "remarks": "大门锁闭"}}
    team_edit(g1, edits1)

    res = run_alg("liangwei:fieldsync", {"REGISTER": f"{reg}|layername=register", "FIELD": [returned0, pk[1]]})
    assert int(res.results["CASES_UPDATED"]) == 3
    assert int(res.results["CONFLICTS_FOUND"]) == 0 and int(res.results["PHOTOS"]) == 1
    after = rows(reg)
    assert set(after) == set(before)
    for edits in (edits0, edits1):
        for cid, values in edits.items():
            for k, v in values.items():
                if k == "photo":
                    assert after[cid]["photo"].startswith(f"photos/{cid}/")
                    assert (reg.parent / after[cid]["photo"]).read_bytes() == b"\xff\xd8photo-0"
                else:
                    assert after[cid][k] == v, (cid, k)
    touched = set(edits0) | set(edits1)
    for cid in set(before) - touched:
        assert {k: v for k, v in after[cid].items() if k not in ("photo", "visit_date")} == before[cid]
        assert after[cid]["photo"] is None and after[cid]["visit_date"] is None
    assert "fieldsync_log" in {r[0] for r in sqlite3.connect(str(reg)).execute(
        "SELECT table_name FROM gpkg_contents")}

    # an unsafe package: refused, master unchanged
    bad = tmp_path / "bad"
    shutil.copytree(pk[1], bad)
    team_edit(bad / "fieldwork_register.gpkg", {ids1[1]: {"photo": "../../etc/passwd"}})
    snapshot = reg.read_bytes()
    res = run_alg("liangwei:fieldsync", {"REGISTER": f"{reg}|layername=register", "FIELD": [bad]}, check=False)
    assert not res.ok
    assert "拒收外业包" in (res.stderr + res.log)   # the e2e ring runs with LANG=zh_CN.UTF-8
    assert reg.read_bytes() == snapshot
    res = run_alg("liangwei:fieldsync", {"REGISTER": f"{reg}|layername=register", "FIELD": [bad]}, check=False,
                  env={"LANG": "C.UTF-8"})
    assert not res.ok and "refused" in (res.stderr + res.log)
