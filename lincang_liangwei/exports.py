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
  openpyxl (write-only mode) builds the workbook, its styles and the summary
  sheet; the table sheets' data rows are built column by column with numpy and
  streamed into the sheet XML (openpyxl cell by cell took ~6 minutes for the
  133,000 cases of a 10^6-building city; this takes seconds).
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
import re
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
_FORMULA_FIRST = frozenset(FORMULA_PREFIXES)
_CSV_PREFIXES = FORMULA_PREFIXES + ("\t", "\r")
_BOM = "\ufeff"
_MAX_WIDTH = 60
_ILLEGAL_XML = dict.fromkeys([c for c in range(32) if c not in (9, 10, 13)])  # control chars XLSX cannot hold
_ILLEGAL_XML_BUT_NUL = {k: v for k, v in _ILLEGAL_XML.items() if k}
_CONTROL_RE = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f]")
_FORMULA_START_RE = re.compile(r"\x00[=+\-@]")  # a value (after the first) beginning with a formula character
_ROW_CHUNK = 20000  # data rows built and written at a time
_CSV_CHUNK = 100_000  # CSV rows turned into text at a time
#: data rows of one worksheet (Excel's limit is 1,048,576 rows with the header): a longer table goes on into
#: sheets named "<name>(2)", "<name>(3)" ...
XLSX_MAX_ROWS = 1_048_575
_ZIP_LEVEL = 1  # zlib level of the sheet XML: level 6 takes 3x longer for a file ~10 % smaller


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


def _range_indexed(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with the index 0..n-1 (itself when it has it: no copy of a register of 10^6 cases)."""
    idx = df.index
    if isinstance(idx, pd.RangeIndex) and idx.start == 0 and idx.step == 1:
        return df
    return df.reset_index(drop=True)


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


class _Column:
    """One column of the register, prepared once for every sheet: its kind and values, vectorised.

    kind ``float`` / ``int`` (numbers; ``missing`` where NaN / inf / None), ``bool``, ``text`` (str or
    None), or ``mixed`` (anything else: converted value by value with :func:`_plain`, the reference
    behaviour the fast kinds reproduce)."""

    def __init__(self, series: pd.Series, fmt: str | None):
        self.fmt = fmt
        s = series if isinstance(series.index, pd.RangeIndex) and series.index.start == 0 and \
            series.index.step == 1 else series.reset_index(drop=True)
        dt = s.dtype
        n = len(s)
        if pd.api.types.is_bool_dtype(dt) and not isinstance(dt, pd.CategoricalDtype):
            self.kind = "bool"
            self.values = s.fillna(False).to_numpy(dtype=bool)
            self.missing = s.isna().to_numpy()
            return
        if pd.api.types.is_integer_dtype(dt) and not isinstance(dt, pd.CategoricalDtype):
            self.kind = "int"
            self.missing = s.isna().to_numpy()
            self.values = s.fillna(0).to_numpy(dtype=np.int64)
            return
        if pd.api.types.is_float_dtype(dt):
            self.kind = "float"
            v = s.to_numpy(dtype=float, na_value=np.nan)
            self.missing = ~np.isfinite(v)
            self.values = v
            return
        inferred = pd.api.types.infer_dtype(s, skipna=True) if n else "empty"
        obj = s.to_numpy(dtype=object)
        if inferred in ("string", "empty"):
            self.kind = "text"
            self.missing = pd.isna(obj) if n else np.zeros(0, bool)
            self.values = obj
            return
        if inferred in ("integer", "boolean", "floating"):  # e.g. ints with NULLs from the GeoPackage writer
            missing = pd.isna(obj)
            try:
                if inferred == "floating":
                    v = np.where(missing, np.nan, obj).astype(float)
                    self.kind, self.values, self.missing = "float", v, ~np.isfinite(v)
                else:
                    self.values = np.where(missing, 0, obj).astype(np.int64 if inferred == "integer" else bool)
                    self.kind, self.missing = ("int" if inferred == "integer" else "bool"), missing
                return
            except (OverflowError, TypeError, ValueError):  # ints beyond int64: value by value
                pass
        # anything else (ints mixed with None, floats with ints, dates, bytes ...): value by value
        self.kind = "mixed"
        plain = np.empty(n, dtype=object)
        plain[:] = [_plain(v) for v in obj]
        self.values = plain
        self.missing = np.array([v is None for v in plain], dtype=bool)

    # ---- display text (column widths) -------------------------------------------------------------
    def width(self, header: str, idx) -> float:
        """The width :func:`_column_width` gives for the rows ``idx`` (vectorised, same answer)."""
        w = _display_width(header)
        keep = idx[~self.missing[idx]]
        if len(keep) == 0:
            return min(_MAX_WIDTH, w + 2)
        decimals = (len(self.fmt.split(".")[1]) if "." in self.fmt else 0) if self.fmt else None
        if self.kind in ("float", "int"):
            v = self.values[keep]
            # the widest formatted number is the largest or the smallest (most negative) one
            cand = [v.max(), v.min()]
            if self.kind == "float" and decimals is not None:
                texts = [f"{float(x):.{decimals}f}" for x in cand]
            elif self.kind == "float":  # repr is not monotone in the value: every distinct value
                texts = pd.unique(v).astype(float).astype(str).tolist()
            else:
                texts = [str(int(x)) for x in cand]
            return min(_MAX_WIDTH, max(w, max(len(t) for t in texts)) + 2)
        if self.kind == "bool":
            v = self.values[keep]
            return min(_MAX_WIDTH, max(w, 5 if (~v).any() else 4) + 2)
        if self.kind == "mixed":
            vals = [self.values[i] for i in keep]
            return _column_width(header, vals, self.fmt)
        texts = pd.unique(self.values[keep])
        n_chars = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        ascii_ = np.fromiter(map(str.isascii, texts), dtype=bool, count=len(texts))
        # display width = characters for ASCII text, <= 2 x characters otherwise
        bound = np.where(ascii_, n_chars, 2 * n_chars)
        for i in np.argsort(-bound, kind="stable"):
            if bound[i] <= w:
                break
            t = texts[i]
            line = max(t.split("\n"), key=len) if "\n" in t else t
            w = max(w, _display_width(line))
            if w >= _MAX_WIDTH:
                return _MAX_WIDTH
        return min(_MAX_WIDTH, w + 2)

    # ---- cell XML -----------------------------------------------------------------------------------
    def bodies(self, idx, num_style: int, quote_style: int) -> np.ndarray:
        """Per row of ``idx``: the XML of the cell after ``<c r="A1"`` ("" where missing)."""
        out = np.full(len(idx), "", dtype=object)
        present = ~self.missing[idx]
        rows = idx[present]
        if len(rows) == 0:
            return out
        s_num = f' s="{num_style}"' if num_style else ""
        if self.kind == "float":
            txt = np.empty(len(rows), dtype=object)
            txt[:] = list(map(repr, self.values[rows].tolist()))
            out[present] = (s_num + "><v>") + txt + "</v></c>"
        elif self.kind == "int":
            txt = self.values[rows].astype(str).astype(object)
            out[present] = (s_num + "><v>") + txt + "</v></c>"
        elif self.kind == "bool":
            out[present] = np.where(self.values[rows], ' t="b"><v>1</v></c>', ' t="b"><v>0</v></c>')
        elif self.kind == "text":
            out[present] = _text_bodies(self.values[rows], quote_style)
        else:
            out[present] = [_mixed_body(v, s_num, quote_style) for v in self.values[rows]]
        return out


def _xml_escape_many(values) -> tuple[list, np.ndarray]:
    """XML text of many strings (control characters XLSX cannot hold removed; & < > escaped; CR kept as
    &#13;), through one joined string (C speed) when possible; and which of them begin with a formula
    character (= + - @)."""
    vals = list(values)
    if not vals:
        return [], np.zeros(0, dtype=bool)
    big = "\x00".join(vals)
    if big.count("\x00") != len(vals) - 1:  # a value holds NUL itself: value by value
        quote = np.fromiter((v[:1] in _FORMULA_FIRST for v in vals), dtype=bool, count=len(vals))
        return [_xml_escape(v) for v in vals], quote
    quote = np.zeros(len(vals), dtype=bool)
    pos = [0] if big[:1] in _FORMULA_FIRST else []
    pos += [m.start() + 1 for m in _FORMULA_START_RE.finditer(big)]
    if pos:
        lens = np.fromiter(map(len, vals), dtype=np.int64, count=len(vals))
        starts = np.concatenate(([0], np.cumsum(lens + 1)[:-1]))
        quote[np.searchsorted(starts, pos)] = True
    if _CONTROL_RE.search(big):
        big = big.translate(_ILLEGAL_XML_BUT_NUL)
    if "&" in big:
        big = big.replace("&", "&amp;")
    if "<" in big:
        big = big.replace("<", "&lt;")
    if ">" in big:
        big = big.replace(">", "&gt;")
    if "\r" in big:
        big = big.replace("\r", "&#13;")
    return big.split("\x00"), quote


def _xml_escape(v: str) -> str:
    return v.translate(_ILLEGAL_XML).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace(
        "\r", "&#13;")


_TEXT_HEAD = ' t="inlineStr"><is><t xml:space="preserve">'
_TEXT_TAIL = "</t></is></c>"


def _text_bodies(vals, quote_style: int) -> np.ndarray:
    """Inline-string cells (``xml:space="preserve"``: leading / trailing blanks kept, as typed)."""
    vals = np.asarray(vals, dtype=object)
    esc = np.empty(len(vals), dtype=object)
    esc[:], quote = _xml_escape_many(vals)
    out = _TEXT_HEAD + esc + _TEXT_TAIL
    if quote.any():  # never a formula: text with Excel's quote prefix, shown as text
        out[quote] = f' s="{quote_style}"' + out[quote]
    empty = vals == ""
    if empty.any():  # an empty text is an empty cell of type inlineStr (as openpyxl writes it)
        out[empty] = ' t="inlineStr"/>'
    return out


def _mixed_body(v, s_num: str, quote_style: int) -> str:
    if isinstance(v, bool):
        return f' t="b"><v>{int(v)}</v></c>'
    if isinstance(v, (int, float)):
        return f"{s_num}><v>{v!r}</v></c>"
    return _text_bodies(np.array([v], dtype=object), quote_style)[0]


def _style_ids(ws, columns) -> tuple[list, int]:
    """cellXfs indices (openpyxl's own style table) for each column's number format and for quoted text."""
    from openpyxl.cell import WriteOnlyCell

    ids = []
    for c in columns:
        fmt = NUMBER_FORMATS.get(c)
        if fmt:
            cell = WriteOnlyCell(ws, value=0)
            cell.number_format = fmt
            ids.append(cell.style_id)
        else:
            ids.append(0)
    q = WriteOnlyCell(ws, value="")
    q.quotePrefix = True
    return ids, q.style_id


def _table_sheet(ws, columns: list, prepared: list, idx: np.ndarray):
    """Header row, widths, frozen header and auto filter of one table sheet (openpyxl write-only); the
    data rows are streamed into the saved file by :func:`_stream_rows`."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    headers = [header_for(c) for c in columns]
    for j, (h, col) in enumerate(zip(headers, prepared), start=1):
        ws.column_dimensions[get_column_letter(j)].width = col.width(h, idx)
    ws.freeze_panes = "A2"
    if len(idx):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(idx) + 1}"
    cells = []
    for h in headers:
        cell = WriteOnlyCell(ws, value=h)
        cell.data_type = "s"  # a header is text, whatever it begins with
        cells.append(cell)
    ws.append(cells)


def _utf8_many(texts) -> list:
    """UTF-8 bytes of many strings (none holds NUL: XML text has no control characters), through one joined
    string: joining the row pieces as bytes is then a copy, where joining str widens every ASCII piece of a row
    that holds a Chinese one."""
    return "\x00".join(texts).encode("utf-8").split(b"\x00") if len(texts) else []


def _stream_rows(out, prepared: list, idx: np.ndarray, styles: list, quote_style: int):
    """The <row> elements of the data rows ``idx`` (rows 2 ...), written in chunks (compressed by
    :class:`_BackgroundWriter` while the next chunk is built)."""
    import itertools

    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(j) for j in range(1, len(prepared) + 1)]
    with _BackgroundWriter(out) as w:
        for start in range(0, len(idx), _ROW_CHUNK):
            part = idx[start:start + _ROW_CHUNK]
            rnum = np.arange(start + 2, start + 2 + len(part)).astype(str).astype(object)
            rq = rnum + '"'
            cells = []
            for letter, col, sid in zip(letters, prepared, styles):
                cell = ('<c r="' + letter) + rq + col.bodies(part, sid, quote_style)
                cell[col.missing[part]] = ""
                cells.append(_utf8_many(cell))
            opens = _utf8_many('<row r="' + rq + '>')
            w.write(b"".join(itertools.chain.from_iterable(zip(opens, *cells, itertools.repeat(b"</row>")))))


class _BackgroundWriter:
    """``out.write`` in a second thread, one chunk behind (zlib releases the GIL while it compresses); errors
    come back on the next write or on leaving the block."""

    def __init__(self, out):
        import queue
        import threading

        self.out, self.error = out, None
        self.q = queue.Queue(maxsize=2)
        self.t = threading.Thread(target=self._run, name="xlsx-writer", daemon=True)

    def _run(self):
        while True:
            data = self.q.get()
            if data is None:
                return
            if self.error is None:
                try:
                    self.out.write(data)
                except BaseException as exc:  # noqa: BLE001 - raised in the caller's thread
                    self.error = exc

    def __enter__(self):
        self.t.start()
        return self

    def write(self, data: bytes):
        if self.error is not None:
            raise self.error
        self.q.put(data)

    def __exit__(self, *exc):
        self.q.put(None)
        self.t.join()
        if self.error is not None and exc[0] is None:
            raise self.error
        return False


def write_xlsx(df: pd.DataFrame, path, *, verdict_col: str = "verdict", district_col: str = "district") -> Path:
    """Write the register to an XLSX workbook (atomically).  Returns the path.

    Sheets: 汇总 (cases per verdict x district with totals), 全部 (every case),
    then one sheet per verdict (rows of that verdict, same columns).  Raises
    ``MissingDependency`` when openpyxl is absent (before touching ``path``).

    openpyxl (write-only mode) makes the workbook: styles, sheets, headers,
    widths, frozen panes, filters, the summary sheet.  The data rows of the table
    sheets are then streamed into its sheet XML, built column by column with
    numpy / pandas: openpyxl takes ~5-10 µs a cell, 50-100 s for the 10^5 cases
    x 35 columns x 2 sheets of a city of 10^6 buildings; this takes a few
    seconds.  The cells are the ones openpyxl writes (inline strings, number
    formats by style id from openpyxl's own style table, ``quotePrefix`` text
    for values beginning with a formula character, booleans as ``t="b"``).
    """
    openpyxl = _openpyxl()
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    df = _range_indexed(df)
    columns = [str(c) for c in df.columns]
    prepared = [_Column(df[c], NUMBER_FORMATS.get(str(c))) for c in df.columns]
    n = len(df)

    def build(tmp: Path):
        import zipfile

        wb = openpyxl.Workbook(write_only=True)
        taken = set()
        ws = wb.create_sheet(_sheet_title(SUMMARY_SHEET, taken))
        header, rows = _summary(df, verdict_col, district_col)
        for j, h in enumerate(header, start=1):
            vals = [r[j - 1] for r in rows]
            ws.column_dimensions[get_column_letter(j)].width = _column_width(str(h), vals, None)
        ws.freeze_panes = "B2"
        bold = Font(bold=True)

        def bold_row(values):
            cells = []
            for v in values:
                cell = WriteOnlyCell(ws, value=v)
                cell.font = bold
                cells.append(cell)
            return cells

        ws.append(bold_row(header))
        for r in rows[:-1]:
            ws.append(r)
        ws.append(bold_row(rows[-1]))
        tables = []

        def table(name, idx):
            for start in range(0, max(len(idx), 1), XLSX_MAX_ROWS):
                tables.append((wb.create_sheet(_sheet_title(name, taken)), idx[start:start + XLSX_MAX_ROWS]))

        table(ALL_SHEET, np.arange(n))
        if verdict_col in df.columns:
            vals = df[verdict_col].map(lambda v: "" if _is_missing(v) else str(v))
            for v in _verdict_order([x for x in vals.unique().tolist() if x]):
                table(v, np.flatnonzero((vals == v).to_numpy()))
        styles, quote_style = _style_ids(tables[0][0], columns)
        for sheet, idx in tables:
            _table_sheet(sheet, columns, prepared, idx)
        try:
            wb.save(str(tmp))
        except BaseException:
            for sheet in wb.worksheets:  # close the write-only sheets' XML writers cleanly
                try:
                    sheet.close()
                except Exception:  # noqa: BLE001 - already closed or half written: nothing to keep
                    pass
            raise
        # stream the data rows into the saved workbook's table sheets
        paths = {sheet.path.lstrip("/"): idx for sheet, idx in tables}
        with zipfile.ZipFile(tmp) as z:
            parts = [(info, z.read(info.filename)) for info in z.infolist()]
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=_ZIP_LEVEL) as z:
            for info, data in parts:
                idx = paths.get(info.filename)
                if idx is None or len(idx) == 0:
                    z.writestr(info.filename, data)
                    continue
                cut = data.index(b"</sheetData>")
                with z.open(info.filename, "w", force_zip64=True) as out:
                    out.write(data[:cut])
                    _stream_rows(out, prepared, idx, styles, quote_style)
                    out.write(data[cut:])

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


def _csv_column(col: _Column, neutralise: bool, idx=None) -> np.ndarray:
    """:func:`_csv_text` of a whole column (or of its rows ``idx``), vectorised (same text)."""
    idx = np.arange(len(col.missing)) if idx is None else idx
    n = len(idx)
    out = np.full(n, "", dtype=object)
    present = ~col.missing[idx]
    v = col.values[idx[present]]
    if col.kind == "float":
        out[present] = list(map(repr, v.tolist()))  # repr, as _csv_text
    elif col.kind == "int":
        out[present] = v.astype(str).astype(object)
    elif col.kind == "bool":
        out[present] = np.where(v, "1", "0").astype(object)
    elif col.kind == "text":
        if neutralise and len(v):
            first = frozenset(_CSV_PREFIXES)
            bad = np.fromiter((x[:1] in first for x in v), dtype=bool, count=len(v))
            v = np.where(bad, "'" + v, v)
        out[present] = v
    else:
        out[:] = [_csv_text(x, neutralise) for x in col.values[idx]]
    return out


def write_csv(df: pd.DataFrame, path, *, neutralise_formulas: bool = True) -> Path:
    """Write the register as CSV, UTF-8 with BOM, ASCII column names (atomically)."""
    import csv

    df = _range_indexed(df)
    columns = [str(c) for c in df.columns]
    prepared = [_Column(df[c], None) for c in df.columns]
    n = len(df)

    def build(tmp: Path):
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            f.write(_BOM)
            w = csv.writer(f, lineterminator="\r\n")
            w.writerow(columns)
            if not prepared:
                return
            for start in range(0, n, _CSV_CHUNK):   # the text of a chunk of rows at a time: memory stays bounded
                idx = np.arange(start, min(n, start + _CSV_CHUNK))
                w.writerows(zip(*[_csv_column(col, neutralise_formulas, idx) for col in prepared]))

    return _atomic_write(path, build)
