"""Register exports without QGIS: XLSX (openpyxl, LibreOffice) and CSV (BOM, formulas, atomicity)."""
from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from lincang_liangwei import exports

openpyxl = pytest.importorskip("openpyxl")


def _register(n: int = 9) -> pd.DataFrame:
    verdicts = ["拆除候选", "待核查", "超期临时建筑"]
    districts = ["凤翔街道", "忙畔街道"]
    df = pd.DataFrame({
        "case_id": [f"5309020012023{i + 1:04d}" for i in range(n)],
        "district_code": ["530902001" if i % 2 == 0 else "530902002" for i in range(n)],
        "district": [districts[i % 2] for i in range(n)],
        "x": 508000.123456 + np.arange(n),
        "y": 2641000.5 + np.arange(n),
        "lon": 100.0812345678 + np.arange(n) * 1e-5,
        "lat": 23.8812345678 + np.arange(n) * 1e-5,
        "area_m2": 123.456 + np.arange(n),
        "change": ["new"] * n,
        "growth_m2": np.where(np.arange(n) % 3 == 0, np.nan, 20.04),
        "floors": np.arange(n, dtype=np.int32) + 1,
        "line_types": ["red;blue"] * n,
        "zones": ["南汀河;凤翔路"] * n,
        "enc_area_m2": np.linspace(1, 5, n),
        "min_clearance_m": np.linspace(0.1234, 3, n),
        "required_m": np.full(n, 1.5),
        "in_compound": np.arange(n) % 2 == 0,
        "permit_no": ["建字第5309022021-0012号"] + [""] * (n - 1),
        "basis": ["《中华人民共和国城乡规划法》第六十四条"] * n,
        "verdict": [verdicts[i % 3] for i in range(n)],
        "priority": np.arange(n) % 3 + 1,
        "status": ["待核查"] * n,
        "check_result": ["=1+1", "+86 138", "-5", "@SUM(A1)", "正常", None, "", "已拆除", "x"][:n] + [""] * max(0, n - 9),
        "remarks": ["=HYPERLINK(\"http://x\")", "说明\n第二行"] + ["备注"] * (n - 2),
        "first_seen": ["2023-05-01"] * n,
        "last_run": ["2026-01-02"] * n,
        "gone": np.zeros(n, dtype=bool),
        "confidence": ["high", "medium", "low"] * (n // 3) + ["high"] * (n % 3),
        "team_col": ["队员甲"] * n,  # a column a team added
    })
    return df


def _sheet_rows(ws):
    return [[c.value for c in row] for row in ws.iter_rows()]


# --------------------------------------------------------------------------- #
# XLSX
# --------------------------------------------------------------------------- #

def test_xlsx_sheets_headers_rows_and_formats(tmp_path):
    df = _register()
    p = exports.write_xlsx(df, tmp_path / "台账.xlsx")
    wb = openpyxl.load_workbook(p)
    assert wb.sheetnames == [exports.SUMMARY_SHEET, exports.ALL_SHEET, "拆除候选", "超期临时建筑", "待核查"]
    ws = wb[exports.ALL_SHEET]
    header = [c.value for c in ws[1]]
    assert header[:9] == ["图斑编号", "行政区代码", "行政区", "X坐标", "Y坐标", "经度", "纬度", "面积(m²)", "变化类型"]
    assert header[columns_index(df, "check_result")] == "核查结果"
    assert header[columns_index(df, "remarks")] == "备注"
    assert header[-1] == "team_col"  # extra columns keep their own name
    assert ws.max_row == len(df) + 1
    assert ws.freeze_panes == "A2"
    for name in ("拆除候选", "超期临时建筑", "待核查"):
        sh = wb[name]
        assert sh.max_row - 1 == int((df["verdict"] == name).sum())
        assert {r[columns_index(df, "verdict")] for r in _sheet_rows(sh)[1:]} == {name}
        assert sh.freeze_panes == "A2"
    # values and number formats
    row2 = {h: c for h, c in zip(df.columns, ws[2])}
    assert row2["area_m2"].value == pytest.approx(123.456) and row2["area_m2"].number_format == "0.0"
    assert row2["enc_area_m2"].number_format == "0.0"
    assert row2["min_clearance_m"].number_format == "0.00" and row2["required_m"].number_format == "0.00"
    assert row2["x"].number_format == "0.00" and row2["lon"].number_format == "0.000000"
    assert row2["floors"].value == 1
    assert row2["growth_m2"].value is None  # NaN -> empty cell
    assert row2["case_id"].value == "53090200120230001" and row2["case_id"].data_type == "s"
    assert row2["in_compound"].value is True
    # widths: CJK counts double, so the basis column is wider than its character count
    basis_col = ws.column_dimensions[openpyxl.utils.get_column_letter(columns_index(df, "basis") + 1)]
    assert basis_col.width >= 2 * len(df["basis"][0])
    x_col = ws.column_dimensions[openpyxl.utils.get_column_letter(columns_index(df, "x") + 1)]
    assert 10 <= x_col.width <= 16


def columns_index(df, name):
    return list(df.columns).index(name)


def test_xlsx_formula_like_text_stays_text(tmp_path):
    df = _register()
    p = exports.write_xlsx(df, tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(p)  # formulas would come back as "=..." with data_type "f"
    ws = wb[exports.ALL_SHEET]
    j = columns_index(df, "check_result") + 1
    cells = [ws.cell(row=i + 2, column=j) for i in range(4)]
    assert [c.value for c in cells] == ["=1+1", "+86 138", "-5", "@SUM(A1)"]
    assert all(c.data_type == "s" for c in cells)
    assert all(c.quotePrefix for c in cells)
    rem = ws.cell(row=2, column=columns_index(df, "remarks") + 1)
    assert rem.value == '=HYPERLINK("http://x")' and rem.data_type == "s"
    # nothing in the file is a formula
    import zipfile
    with zipfile.ZipFile(p) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name), name


def test_xlsx_summary_counts(tmp_path):
    df = _register(12)
    df.loc[0, "district"] = None
    p = exports.write_xlsx(df, tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(p)[exports.SUMMARY_SHEET]
    rows = _sheet_rows(ws)
    assert rows[0] == ["行政区", "拆除候选", "超期临时建筑", "待核查", "合计"]
    body = {r[0]: r[1:] for r in rows[1:]}
    expect = pd.crosstab(df["district"].fillna("(未知)"), df["verdict"])
    for d in expect.index:
        assert body[d] == [int(expect.loc[d, v]) for v in ("拆除候选", "超期临时建筑", "待核查")] + \
            [int(expect.loc[d].sum())]
    assert body["合计"] == [4, 4, 4, 12]


def test_xlsx_empty_register(tmp_path):
    df = _register().iloc[:0]
    p = exports.write_xlsx(df, tmp_path / "empty.xlsx")
    wb = openpyxl.load_workbook(p)
    assert wb.sheetnames == [exports.SUMMARY_SHEET, exports.ALL_SHEET]
    assert wb[exports.ALL_SHEET].max_row == 1
    assert _sheet_rows(wb[exports.SUMMARY_SHEET])[-1] == ["合计", 0]


def test_failed_xlsx_leaves_previous_file_intact(tmp_path, monkeypatch):
    p = tmp_path / "r.xlsx"
    exports.write_xlsx(_register(3), p)
    before = p.read_bytes()

    def boom(self, filename):
        with open(filename, "wb") as f:
            f.write(b"PK half a file")
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", boom)
    with pytest.raises(OSError, match="disk full"):
        exports.write_xlsx(_register(9), p)
    assert p.read_bytes() == before
    assert sorted(x.name for x in tmp_path.iterdir()) == ["r.xlsx"]  # no temporary file left


def test_missing_openpyxl_is_a_specific_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl -> ImportError
    with pytest.raises(exports.MissingDependency) as ei:
        exports.write_xlsx(_register(3), tmp_path / "r.xlsx")
    msg = str(ei.value)
    assert "openpyxl" in msg and "python3-openpyxl" in msg and "python -m pip install openpyxl" in msg
    assert isinstance(ei.value, ImportError) and ei.value.package == "openpyxl"
    assert not (tmp_path / "r.xlsx").exists()
    exports.write_csv(_register(3), tmp_path / "r.csv")  # the other formats still work
    assert (tmp_path / "r.csv").exists()


def test_headers_table():
    assert exports.COLUMN_HEADERS["case_id"] == "图斑编号"
    assert exports.COLUMN_HEADERS["verdict"] == "初判"
    assert exports.header_for("team_col") == "team_col"
    assert all(k.isascii() and v for k, v in exports.COLUMN_HEADERS.items())


# --------------------------------------------------------------------------- #
# CSV
# --------------------------------------------------------------------------- #

def test_csv_bom_chinese_and_columns(tmp_path):
    df = _register()
    p = exports.write_csv(df, tmp_path / "台账.csv")
    raw = p.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(p, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(back.columns) == list(df.columns)  # ASCII names, as in the GeoPackage
    assert len(back) == len(df)
    assert back["district"].tolist() == df["district"].tolist()
    assert back["remarks"][1] == "说明\n第二行"
    assert back["permit_no"][0] == "建字第5309022021-0012号"
    assert float(back["area_m2"][0]) == pytest.approx(123.456)
    assert back["growth_m2"][0] == "" and back["gone"][0] == "0"
    assert float(back["lon"][0]) == pytest.approx(100.0812345678, abs=1e-12)


def test_csv_formula_like_text_is_neutralised(tmp_path):
    df = _register()
    p = exports.write_csv(df, tmp_path / "r.csv")
    rows = list(csv.reader(io.StringIO(p.read_text(encoding="utf-8-sig"), newline="")))
    j = rows[0].index("check_result")
    assert [r[j] for r in rows[1:5]] == ["'=1+1", "'+86 138", "'-5", "'@SUM(A1)"]
    assert rows[1][rows[0].index("remarks")] == "'=HYPERLINK(\"http://x\")"
    # numbers are numbers, also negative ones
    df2 = pd.DataFrame({"v": [-1.5, 2.0], "t": ["-1.5", "a"]})
    p2 = exports.write_csv(df2, tmp_path / "n.csv")
    assert p2.read_text(encoding="utf-8-sig").splitlines() == ["v,t", "-1.5,'-1.5", "2.0,a"]
    p3 = exports.write_csv(df2, tmp_path / "raw.csv", neutralise_formulas=False)
    assert p3.read_text(encoding="utf-8-sig").splitlines()[1] == "-1.5,-1.5"


def test_failed_csv_leaves_previous_file_intact(tmp_path, monkeypatch):
    p = tmp_path / "r.csv"
    exports.write_csv(_register(3), p)
    before = p.read_bytes()

    class Boom:
        def __init__(self, *a, **k):
            raise OSError("interrupted")

    monkeypatch.setattr(csv, "writer", Boom)
    with pytest.raises(OSError, match="interrupted"):
        exports.write_csv(_register(9), p)
    assert p.read_bytes() == before
    assert sorted(x.name for x in tmp_path.iterdir()) == ["r.csv"]


# --------------------------------------------------------------------------- #
# a real client: LibreOffice
# --------------------------------------------------------------------------- #

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui")
def test_libreoffice_reads_the_xlsx(tmp_path):
    df = _register()
    p = exports.write_xlsx(df, tmp_path / "register.xlsx")
    out = tmp_path / "out"
    # comma, quote, UTF-8 (76), cells as shown (token 9), sheet 2 (全部): the CSV filter's options
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}  # UTF-8 file names
    r = subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo",
                        "--convert-to", 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,2',
                        "--outdir", str(out), str(p)], capture_output=True, text=True, timeout=180, env=env)
    assert r.returncode == 0, r.stderr
    files = sorted(out.glob("*.csv"))
    assert files, (r.stdout, r.stderr)
    text = files[0].read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0][:3] == ["图斑编号", "行政区代码", "行政区"]
    assert len(rows) == len(df) + 1
    j = rows[0].index("核查结果")
    assert [r[j] for r in rows[1:5]] == ["=1+1", "+86 138", "-5", "@SUM(A1)"]  # not 2, not an error
    assert rows[1][rows[0].index("面积(m²)")] == "123.5"  # the 0.0 format as displayed
