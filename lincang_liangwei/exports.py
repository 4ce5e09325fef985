"""Spreadsheet exports of the demolition-candidate register (拆除候选台账): XLSX and CSV.

No QGIS import: a pandas DataFrame in (ASCII column names as in the GeoPackage
layer ``register``), files out.  Used by ``liangwei:register`` / ``liangwei:fullcheck``
and by the command line.

* ``COLUMN_HEADERS`` - ASCII field name -> Chinese header; the one table used by
  the XLSX headers and the GeoPackage field aliases.  ``header_for(name)`` gives
  the header of any column (extra columns a team added keep their own name).
* ``write_xlsx(df, path)`` - sheet 汇总 (cases per verdict x district, totals),
  sheet 全部 (every case), then one sheet per verdict.  Chinese headers, frozen
  header row, auto filter, column widths that fit (CJK characters count double),
  number formats (areas ``0.0`` m2, distances ``0.00`` m, projected x / y
  ``0.00`` m, lon / lat ``0.000000`` degrees).  Every text cell is written as
  text (``data_type 's'``): a value from a source attribute that begins with
  ``=``, ``+``, ``-`` or ``@`` stays the literal string, never a formula.
  Needs openpyxl; without it ``MissingDependency`` says what to install.
* ``write_csv(df, path)`` - UTF-8 with BOM (Excel in a Chinese locale opens it
  correctly), comma separated, the GeoPackage's ASCII column names.  CSV
  injection: a text cell beginning with ``=``, ``+``, ``-``, ``@``, tab or CR gets a
  leading single quote (OWASP's advice), so Excel / LibreOffice show it as text
  instead of evaluating it; numbers (also negative ones) are written as numbers.
  ``neutralise_formulas=False`` writes the raw values (for machine readers).

Both write under a temporary name in the destination folder and ``os.replace``
it into place: a failed or interrupted export leaves an earlier file intact.
"""
from __future__ import annotations

import math
import os
import tempfile
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "COLUMN_HEADERS", "NUMBER_FORMATS", "MissingDependency", "header_for", "write_xlsx", "write_csv",
    "SUMMARY_SHEET", "ALL_SHEET", "FORMULA_PREFIXES",
]

COLUMN_HEADERS = {
    "case_id": "图斑编号",
    "district_code": "行政区代码",
    "district": "行政区",
    "x": "X坐标",
    "y": "Y坐标",
    "lon": "经度",
    "lat": "纬度",
    "area_m2": "面积(m²)",
    "change": "变化类型",
    "growth_m2": "新增面积(m²)",
    "floors": "层数",
    "epoch": "发现时相",
    "prev_epoch": "前期时相",
    "line_types": "压占类型",
    "zones": "压占对象",
    "zone_ids": "压占对象编号",
    "enc_area_m2": "压占面积(m²)",
    "pipe_kinds": "管线类型",
    "min_clearance_m": "净距(m)",
    "clearance_m": "净距(m)",
    "required_m": "规范限值(m)",
    "in_compound": "位于住宅小区",
    "compound": "住宅小区",
    "permit_no": "规划许可证号",
    "permit_kind": "许可类型",
    "permit_expiry": "许可到期日",
    "basis": "依据",
    "verdict": "初判",
    "reason": "初判理由",
    "confidence": "可信度",
    "priority": "优先级",
    "status": "处置状态",
    "check_result": "核查结果",
    "remarks": "备注",
    "first_seen": "首次发现",
    "last_run": "最近运行",
    "gone": "已消失",
}

# number formats by column (openpyxl / Excel format codes)
_AREA, _DIST, _XY, _DEG, _INT = "0.0", "0.00", "0.00", "0.000000", "0"
NUMBER_FORMATS = {
    "area_m2": _AREA, "growth_m2": _AREA, "enc_area_m2": _AREA,
    "min_clearance_m": _DIST, "clearance_m": _DIST, "required_m": _DIST,
    "x": _XY, "y": _XY, "lon": _DEG, "lat": _DEG,
    "floors": _INT, "priority": _INT,
}

SUMMARY_SHEET = "汇总"
ALL_SHEET = "全部"
FORMULA_PREFIXES = ("=", "+", "-", "@")
_CSV_PREFIXES = FORMULA_PREFIXES + ("\t", "\r")
_BOM = "\ufeff"
_MAX_WIDTH = 60
_ILLEGAL_XML = dict.fromkeys([c for c in range(32) if c not in (9, 10, 13)])  # control chars XLSX cannot hold


class MissingDependency(ImportError):  # noqa: N818 - the name callers catch (an ImportError)
    """An optional package needed for one export format is not installed."""

    def __init__(self, package: str, what: str, how: str):
        super().__init__(f"{what} needs the Python package '{package}', which is not installed. {how}")
        self.package = package


_OPENPYXL_HOW = ("Install it: Debian/Ubuntu `sudo apt-get install python3-openpyxl`; "
                 "QGIS on Windows (OSGeo4W Shell) `python -m pip install openpyxl`; "
                 "elsewhere `python3 -m pip install openpyxl`. The other formats are written without it.")


def header_for(name: str) -> str:
    """The Chinese header of a register column (its own name if it has none)."""
    return COLUMN_HEADERS.get(str(name), str(name))


# --------------------------------------------------------------------------- #
# atomic writing
# --------------------------------------------------------------------------- #

def _atomic_write(path, write_to) -> Path:
    """Call ``write_to(tmp_path)`` for a temporary file beside ``path``, then move it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".partial{path.suffix}", dir=str(path.parent))
    os.close(fd)
    tmp = Path(tmp)
    try:
        write_to(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        if path.exists():
            try:  # keep the destination's permissions (mkstemp makes 0600)
                os.chmod(tmp, path.stat().st_mode & 0o7777)
            except OSError:  # pragma: no cover
                pass
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise
    return path


def _umask() -> int:
    m = os.umask(0)
    os.umask(m)
    return m


# --------------------------------------------------------------------------- #
# cell values
# --------------------------------------------------------------------------- #

def _is_missing(v) -> bool:
    if v is None or v is pd.NaT:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    try:
        return bool(pd.isna(v)) if not isinstance(v, (str, bytes, list, tuple, dict)) else False
    except (TypeError, ValueError):
        return False


def _plain(v):
    """A Python value for a cell: None, bool, int, float, or str."""
    if _is_missing(v):
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return float(v) if math.isfinite(float(v)) else None
    if isinstance(v, (pd.Timestamp,)):
        return v.strftime("%Y-%m-%d") if (v.hour, v.minute, v.second) == (0, 0, 0) else v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return str(v)


def _display_width(text: str) -> int:
    """Width in Latin character cells: East Asian wide / full-width characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _column_width(header: str, values: list, fmt: str | None) -> float:
    w = _display_width(header)
    for v in values:
        if v is None:
            continue
        if isinstance(v, float) and fmt:
            decimals = len(fmt.split(".")[1]) if "." in fmt else 0
            s = f"{v:.{decimals}f}"
        else:
            s = str(v)
        line = max(s.split("\n"), key=len) if "\n" in s else s
        w = max(w, _display_width(line))
        if w >= _MAX_WIDTH:
            return _MAX_WIDTH
    return min(_MAX_WIDTH, w + 2)


# --------------------------------------------------------------------------- #
# XLSX
# --------------------------------------------------------------------------- #

def _openpyxl():
    try:
        import openpyxl
    except ImportError as exc:
        raise MissingDependency("openpyxl", "The XLSX export (拆除候选台账.xlsx)", _OPENPYXL_HOW) from exc
    return openpyxl


def _summary(df: pd.DataFrame, verdict_col: str, district_col: str) -> tuple[list, list]:
    """Header row and rows of the verdict x district table, totals last."""
    verdict = df[verdict_col].map(lambda v: "" if _is_missing(v) else str(v)) if verdict_col in df else \
        pd.Series([""] * len(df))
    district = df[district_col].map(lambda v: "" if _is_missing(v) else str(v)) if district_col in df else \
        pd.Series([""] * len(df))
    verdict = verdict.replace("", "(未判定)")
    district = district.replace("", "(未知)")
    tab = pd.crosstab(district.to_numpy(), verdict.to_numpy())
    verdicts = list(_verdict_order(list(tab.columns)))
    tab = tab.reindex(columns=verdicts, fill_value=0)
    header = ["行政区"] + verdicts + ["合计"]
    rows = [[d] + [int(x) for x in tab.loc[d].tolist()] + [int(tab.loc[d].sum())] for d in tab.index]
    rows.append(["合计"] + [int(x) for x in tab.sum(axis=0).tolist()] + [int(len(df))])
    return header, rows


_VERDICT_ORDER = ("拆除候选", "超期临时建筑", "限期整改", "待核查", "历史存量")


def _verdict_order(values):
    known = [v for v in _VERDICT_ORDER if v in values]
    return known + sorted(v for v in values if v not in _VERDICT_ORDER)


def _sheet_title(name: str, taken: set) -> str:
    bad = set('[]:*?/\\')
    t = "".join("_" if c in bad else c for c in str(name)).strip("'") or "_"
    t = t[:31]
    base, i = t, 2
    while t.lower() in taken:
        suffix = f"({i})"
        t = base[:31 - len(suffix)] + suffix
        i += 1
    taken.add(t.lower())
    return t


def _write_table_sheet(ws, df: pd.DataFrame, columns: list, plain_cols: list):
    """Header row + rows; text always as text (no formulas)."""
    from openpyxl.cell.cell import TYPE_STRING
    from openpyxl.utils import get_column_letter

    headers = [header_for(c) for c in columns]
    ws.append(headers)
    for cell in ws[1]:
        cell.data_type = TYPE_STRING
    fmts = [NUMBER_FORMATS.get(c) for c in columns]
    n = len(df)
    for i in range(n):
        ws.append([plain_cols[j][i] for j in range(len(columns))])
    # fix types / formats column by column (ws.append would take "=..." for a formula)
    for j in range(1, len(columns) + 1):
        vals = plain_cols[j - 1]
        fmt = fmts[j - 1]
        for i, cell in enumerate(ws.iter_rows(min_row=2, max_row=n + 1, min_col=j, max_col=j), start=0):
            cell = cell[0]
            v = vals[i]
            if isinstance(v, str):
                cell.value = v.translate(_ILLEGAL_XML)
                cell.data_type = TYPE_STRING  # never "f": "=1+1" stays the text "=1+1"
                if v[:1] in FORMULA_PREFIXES:
                    cell.quotePrefix = True  # Excel / LibreOffice: shown and edited as text
            elif fmt and isinstance(v, (int, float)) and not isinstance(v, bool):
                cell.number_format = fmt
        ws.column_dimensions[get_column_letter(j)].width = _column_width(headers[j - 1], vals, fmt)
    ws.freeze_panes = "A2"
    if n:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{n + 1}"


def write_xlsx(df: pd.DataFrame, path, *, verdict_col: str = "verdict", district_col: str = "district") -> Path:
    """Write the register to an XLSX workbook (atomically).  Returns the path.

    Sheets: 汇总 (cases per verdict x district with totals), 全部 (every case),
    then one sheet per verdict (rows of that verdict, same columns).  Raises
    ``MissingDependency`` when openpyxl is absent (before touching ``path``).
    """
    openpyxl = _openpyxl()
    from openpyxl.styles import Font

    df = df.reset_index(drop=True)
    columns = [str(c) for c in df.columns]
    plain = [[_plain(v) for v in df[c].tolist()] for c in df.columns]

    def build(tmp: Path):
        wb = openpyxl.Workbook()
        taken = set()
        ws = wb.active
        ws.title = _sheet_title(SUMMARY_SHEET, taken)
        header, rows = _summary(df, verdict_col, district_col)
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for r in rows:
            ws.append(r)
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
        from openpyxl.utils import get_column_letter
        for j, h in enumerate(header, start=1):
            vals = [r[j - 1] for r in rows]
            ws.column_dimensions[get_column_letter(j)].width = _column_width(str(h), vals, None)
        ws.freeze_panes = "B2"
        _write_table_sheet(wb.create_sheet(_sheet_title(ALL_SHEET, taken)), df, columns, plain)
        if verdict_col in df.columns:
            vals = df[verdict_col].map(lambda v: "" if _is_missing(v) else str(v))
            for v in _verdict_order([x for x in vals.unique().tolist() if x]):
                idx = np.flatnonzero((vals == v).to_numpy())
                sub_plain = [[col[i] for i in idx] for col in plain]
                _write_table_sheet(wb.create_sheet(_sheet_title(v, taken)), df.iloc[idx], columns, sub_plain)
        wb.save(str(tmp))

    return _atomic_write(path, build)


# --------------------------------------------------------------------------- #
# CSV
# --------------------------------------------------------------------------- #

def _csv_text(v, neutralise: bool):
    v = _plain(v)
    if v is None:
        return ""
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, int):
        return str(v)
    if neutralise and v[:1] in _CSV_PREFIXES:
        return "'" + v
    return v


def write_csv(df: pd.DataFrame, path, *, neutralise_formulas: bool = True) -> Path:
    """Write the register as CSV, UTF-8 with BOM, ASCII column names (atomically)."""
    import csv

    df = df.reset_index(drop=True)
    columns = [str(c) for c in df.columns]
    cols = [[_csv_text(v, neutralise_formulas) for v in df[c].tolist()] for c in df.columns]

    def build(tmp: Path):
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            f.write(_BOM)
            w = csv.writer(f, lineterminator="\r\n")
            w.writerow(columns)
            w.writerows(zip(*cols) if cols else [])

    return _atomic_write(path, build)
