"""liangwei:fullcheck through qgis_process on a generated city, against the generator's truth; a re-run after a
field team edited the register; the XLSX read back by openpyxl and by LibreOffice."""
import csv
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from qprun import run_alg  # noqa: E402

from devtools import fileio  # noqa: E402
from devtools.samplecity import generate_city  # noqa: E402

ZONES = {"RED_LINES": "red_lines", "BLUE_LINES": "blue_lines", "GREEN_LINES": "green_lines",
         "YELLOW_LINES": "yellow_lines", "PURPLE_LINES": "purple_lines", "WATER_SOURCE": "water_source"}


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    path = tmp_path_factory.mktemp("fullcheck") / "city.gpkg"
    c = generate_city(3000, seed=11)
    fileio.write_city(c, path)
    return path, c


def params(path, folder, **kw):
    def lyr(name):
        return f"{path}|layername={name}"

    p = {"EARLIER": lyr("buildings_2019"), "LATER": lyr("buildings_2023"), **{k: lyr(v) for k, v in ZONES.items()},
         "PIPELINES": lyr("pipelines"), "COMPOUNDS": lyr("compounds"), "DISTRICTS": lyr("districts"),
         "PERMITS": lyr("permits"), "EARLIER_FLOORS_FIELD": "floors", "LATER_FLOORS_FIELD": "floors",
         "EARLIER_DATE": "2019", "LATER_DATE": "2023", "RUN_DATE": "2024-03-01", "OUTPUT_FOLDER": folder}
    p.update(kw)
    return p


def connect(path):
    con = sqlite3.connect(path)
    con.create_function("ST_IsEmpty", 1, lambda g: 0)
    for f in ("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):
        con.create_function(f, 1, lambda g: 0.0)
    return con


def register(path) -> pd.DataFrame:
    con = connect(path)
    try:
        return pd.read_sql("SELECT * FROM register ORDER BY case_id", con)
    finally:
        con.close()


def test_fullcheck_matches_truth_and_keeps_team_edits(city, tmp_path):
    path, c = city
    folder = tmp_path / "out"
    res = run_alg("liangwei:fullcheck", params(path, folder))
    assert res.ok, res.stderr[-3000:]
    for f in ("register.gpkg", "register.xlsx", "register.csv", "epochs_later.gpkg", "controllines_pieces.gpkg",
              "controllines_buildings.gpkg", "pipeclearance.gpkg", "epochs_demolished.gpkg", "epochs_growth.gpkg"):
        assert (folder / f).exists(), f
    reg = register(folder / "register.gpkg")
    tl = c.truth_later.copy()
    tl["fid"] = np.arange(1, len(tl) + 1)
    m = tl.merge(reg[["bld_fid", "verdict", "findings"]], left_on="fid", right_on="bld_fid", how="left")
    m["verdict"] = m["verdict"].fillna("")
    table = pd.crosstab(m["expected_verdict"], m["verdict"])
    per_verdict = {v: f"{int((m.loc[m.expected_verdict == v, 'verdict'] == v).sum())}/"
                      f"{int((m.expected_verdict == v).sum())}" for v in sorted(set(m.expected_verdict))}
    msg = f"agreement per expected verdict {per_verdict}\n{table}"
    planted = m[m.expected_verdict == "拆除候选"]
    assert len(planted) >= 10 and (planted.verdict == "拆除候选").all(), msg
    clear = tl["change"].isin(["unchanged", "split"]) | (tl["permit_kind"] == "permanent") | (
        (tl["line_types"] == "") & tl["pipe_kind"].eq("") & (tl["in_compound"] == 0))
    assert not (m.loc[clear.to_numpy() & (m.expected_verdict != "拆除候选").to_numpy(), "verdict"] == "拆除候选").any(), msg
    assert (m.expected_verdict == m.verdict).all(), msg
    assert int(res.results["N_CASES"]) == len(reg) == int((tl.expected_verdict != "").sum())

    # a field team edits the register with sqlite: results, remarks, a column of their own
    con = connect(folder / "register.gpkg")
    con.execute("ALTER TABLE register ADD COLUMN team TEXT")
    ids = reg["case_id"].tolist()
    edit = ids[::7]
    con.executemany("UPDATE register SET check_result = ?, remarks = ?, status = '已派遣', team = ? WHERE case_id = ?",
                    [(f"属实{i}", "=1+1" if i == 0 else f"备注{i}", f"第{i % 3}组", cid) for i, cid in enumerate(edit)])
    con.commit()
    con.close()
    edited = register(folder / "register.gpkg").set_index("case_id")

    # re-run into the same folder: PREVIOUS defaults to the register there, updated in place
    res2 = run_alg("liangwei:fullcheck", params(path, folder, RUN_DATE="2025-02-01"))
    assert res2.ok, res2.stderr[-3000:]
    assert "merged into it" in res2.log or "已有上次的台账" in res2.log
    reg2 = register(folder / "register.gpkg").set_index("case_id")
    assert set(reg2.index) == set(ids)  # every id stable, nothing new, nothing lost
    assert int(res2.results["N_KEPT"]) == len(ids) and int(res2.results["N_NEW"]) == 0
    for col in ("check_result", "remarks", "status", "team", "first_seen", "bld_fid", "verdict"):
        assert (reg2.loc[edited.index, col].fillna("") == edited[col].fillna("")).all(), col
    assert (reg2["last_run"] == "2025-02-01").all()
    assert not [f for f in os.listdir(folder) if ".lwtmp" in f]

    # XLSX: openpyxl and LibreOffice read it; headers, rows, "=1+1" stays text
    import openpyxl

    wb = openpyxl.load_workbook(folder / "register.xlsx")
    ws = wb["全部"]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["图斑编号", "行政区代码", "行政区"] and "初判" in headers and "team" in headers
    assert ws.max_row == len(reg2) + 1
    col = headers.index("备注") + 1
    cells = [ws.cell(row=r, column=col) for r in range(2, ws.max_row + 1)]
    f = [x for x in cells if x.value == "=1+1"]
    assert len(f) == 1 and f[0].data_type == "s"
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice not installed")
    conv = tmp_path / "conv"
    env = {**os.environ, "LANG": "C.UTF-8", "HOME": str(tmp_path)}
    # sheet 2 (全部): LibreOffice >= 7.2 takes the sheet number as the 12th filter token
    subprocess.run([soffice, "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,"
                    "false,false,false,2", "--outdir", str(conv), str(folder / "register.xlsx")],
                   check=True, capture_output=True, env=env, timeout=180)
    out = sorted(conv.glob("*.csv"))
    assert out
    with open(out[-1], encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    if rows[0][0] == "行政区":  # an older LibreOffice converts the first sheet only (the summary)
        assert rows[-1][0] == "合计" and int(rows[-1][-1]) == len(reg2)
    else:
        assert rows[0][:3] == ["图斑编号", "行政区代码", "行政区"] and len(rows) == len(reg2) + 1
        assert sum(r[col - 1] == "=1+1" for r in rows[1:]) == 1  # text, not evaluated to 2
