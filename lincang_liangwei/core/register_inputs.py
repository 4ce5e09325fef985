"""The register's inputs, between reading the layers and :func:`.register.build_register`.

Shared by ``liangwei:register`` / ``liangwei:fullcheck`` (``processing/register.py``, ``processing/fullcheck.py``)
and ``liangwei register|fullcheck`` (``cli_register.py``): each reads its layers its own way (QGIS / GDAL) and
hands plain field names, arrays and DataFrames to the functions here, which return facts (tables, counts,
field names) and raise exceptions that carry data (:class:`PermitKindError`, :class:`MissingFieldsError`); the
sentences for the user are the callers' (``tr()`` in processing, English on the command line).

No numpy / pandas at import time: the QGIS algorithms import the constants when the plugin loads, before they
check that the Python dependencies are there.
"""
from __future__ import annotations

import unicodedata

#: level id (rules ``[level.*]``) -> count output of liangwei:register / liangwei register (the labels of the
#: outputs are the callers': translated in processing)
LEVEL_OUTPUTS = (("demolish", "N_DEMOLISH"), ("rectify", "N_RECTIFY"), ("temp_expired", "N_TEMP_EXPIRED"),
                 ("verify", "N_VERIFY"), ("legacy", "N_LEGACY"))
#: register column -> field kind in the GeoPackage (every other column of the register is text)
COLUMN_KINDS = {
    "x": "double", "y": "double", "lon": "double", "lat": "double", "area_m2": "double", "growth_m2": "double",
    "floors": "double", "enc_area_m2": "double", "min_clearance_m": "double", "required_m": "double",
    "priority": "double", "in_compound": "int", "gone": "int", "bld_fid": "int64",
}
#: default PERMIT_KIND_FIELD values -> permit kind (PERMIT_KIND_MAP adds / overrides)
PERMIT_KIND_DEFAULTS = {"临时": "temporary", "临建": "temporary", "临时建筑": "temporary", "temporary": "temporary",
                        "temp": "temporary", "永久": "permanent", "永久建筑": "permanent", "permanent": "permanent"}
PERMIT_KINDS = ("temporary", "permanent", "unknown")
#: field parameter -> the usual names of that field, first found wins (case-insensitive)
FIELD_CANDIDATES = {
    "DISTRICT_CODE_FIELD": ("code", "district_code", "xzqdm", "adcode", "dm", "区划代码", "代码"),
    "DISTRICT_NAME_FIELD": ("name", "district", "district_name", "xzqmc", "mc", "名称", "行政区"),
    "PERMIT_NO_FIELD": ("permit_no", "permit", "xkzh", "zh", "no", "许可证号", "证号"),
    "PERMIT_KIND_FIELD": ("kind", "permit_kind", "type", "lx", "类型", "许可类型"),
    "PERMIT_EXPIRY_FIELD": ("expiry", "expiry_date", "expires", "valid_to", "yxq", "到期日", "有效期至"),
}
#: the fields of a compareepochs OUTPUT the register reads
CHANGE_FIELDS = ("change", "growth_m2", "floors_now", "confidence", "conf_reason", "bld_fid", "epoch", "prev_epoch")
#: the fields of a controllines OUTPUT (encroached pieces) the register reads
HIT_COLUMNS = ("bld_fid", "line_type", "zone_fid", "zone_name", "enc_area", "hit_where", "where")
#: the fields of a pipeclearance OUTPUT (clearance breaches) the register reads
BREACH_COLUMNS = ("bld_fid", "kind", "pipe_class", "required_m", "distance_m", "deficit_m", "enc_area_m2", "basis")
#: the fields without which a findings table is not what it should be (:func:`findings_table`)
FINDINGS_NEEDED = {"hits": ("bld_fid", "line_type", "enc_area"),
                   "breaches": ("bld_fid", "kind", "required_m", "distance_m", "deficit_m")}
_FINDINGS_NUMBERS = {"hits": ("enc_area",), "breaches": ("required_m", "distance_m", "deficit_m", "enc_area_m2")}
#: the register's layer name in its GeoPackage
REGISTER_LAYER = "register"
#: what fullcheck writes into its output folder: output -> (file, layer)
FULLCHECK_FILES = {
    "CHANGES": ("epochs_later.gpkg", "epochs_later"),
    "DEMOLISHED": ("epochs_demolished.gpkg", "epochs_demolished"),
    "GROWTH": ("epochs_growth.gpkg", "epochs_growth"),
    "PIECES": ("controllines_pieces.gpkg", "controllines_pieces"),
    "BUILDINGS": ("controllines_buildings.gpkg", "controllines_buildings"),
    "BREACHES": ("pipeclearance.gpkg", "pipeclearance"),
    "REGISTER": ("register.gpkg", REGISTER_LAYER),
}
XLSX_NAME, CSV_NAME = "register.xlsx", "register.csv"
#: fullcheck's layer outputs besides the register -> the step that writes them
FULLCHECK_STEP_OUTPUTS = (("CHANGES", "epochs"), ("DEMOLISHED", "epochs"), ("GROWTH", "epochs"), ("PIECES", "lines"),
                          ("BUILDINGS", "lines"), ("BREACHES", "pipes"))


class PermitKindError(ValueError):
    """A PERMIT_KIND_MAP item maps to something other than temporary / permanent / unknown: ``key``, ``value``.
    ``str()`` is the English message."""

    def __init__(self, key: str, value: str):
        super().__init__(f"PERMIT_KIND_MAP: '{key}={value}': the kind must be temporary, permanent or unknown")
        self.key, self.value = key, value


class MissingFieldsError(ValueError):
    """A findings table lacks fields it needs: ``fields`` (in order).  ``str()`` lists them, comma-separated."""

    def __init__(self, fields):
        self.fields = tuple(fields)
        super().__init__(", ".join(self.fields))


# --------------------------------------------------------------------------- fields
def pick_field(names, requested: str, param: str) -> str:
    """``requested`` when given, else the first usual name of ``param`` (:data:`FIELD_CANDIDATES`) among the
    field ``names`` (case-insensitive; the name as the layer spells it), else ''."""
    if requested:
        return requested
    lower = {str(n).lower(): n for n in names}
    for cand in FIELD_CANDIDATES.get(param, ()):
        if cand.lower() in lower:
            return lower[cand.lower()]
    return ""


# --------------------------------------------------------------------------- permits
def _norm_key(value) -> str:
    s = unicodedata.normalize("NFKC", str(value)).lower()
    return "".join(ch for ch in s if ch not in " \t_-")


def permit_kinds(values, mapping_text):
    """(temporary / permanent / unknown per value, {unmapped non-empty value: count}).

    Values are matched after NFKC, lower case, without spaces, ``_`` and ``-``; ``mapping_text``
    (``"临=temporary;正式=permanent"``) adds to / overrides :data:`PERMIT_KIND_DEFAULTS`.  Raises
    :class:`PermitKindError` for an item mapping to another kind, ``rules.RulesError`` for a malformed one.
    """
    import numpy as np
    import pandas as pd

    from .rules import parse_mapping

    mapping = {_norm_key(k): v for k, v in PERMIT_KIND_DEFAULTS.items()}
    for k, v in parse_mapping(mapping_text, "PERMIT_KIND_MAP").items():
        v = v.strip().lower()
        if v not in PERMIT_KINDS:
            raise PermitKindError(k, v)
        mapping[_norm_key(k)] = v
    raw = pd.Series(np.asarray(values, dtype=object)).map(lambda x: "" if x is None else str(x))
    kinds = raw.map(lambda x: mapping.get(_norm_key(x), "unknown")).to_numpy(dtype=object)
    bad = raw[(kinds == "unknown") & (raw != "")].value_counts()
    return kinds, {str(k): int(v) for k, v in bad.items()}


def permit_kind_counts(kinds) -> dict:
    """{"permanent": n, "temporary": n, "unknown": n} of :func:`permit_kinds`' kinds."""
    import numpy as np

    kinds = np.asarray(kinds, dtype=object)
    return {k: int((kinds == k).sum()) for k in ("permanent", "temporary", "unknown")}


# --------------------------------------------------------------------------- buildings and findings
def building_ids(values):
    """The ``bld_fid`` values of a compareepochs OUTPUT as int64 ids when every one is a number and none
    repeats (the findings join on them), else None (join on the feature ids)."""
    import numpy as np
    import pandas as pd

    bf = pd.to_numeric(pd.Series(np.asarray(values, dtype=object), dtype=object), errors="coerce")
    if bf.notna().all() and bf.is_unique:
        return bf.to_numpy(dtype=np.int64)
    return None


def changes_table(attrs: dict, n: int):
    """compareepochs OUTPUT attributes (``{field: values}``, ``n`` rows) -> (changes DataFrame for
    ``build_register``, epoch, prev_epoch, has a confidence field).  :class:`MissingFieldsError` without a
    ``change`` field."""
    import numpy as np
    import pandas as pd

    if "change" not in attrs:
        raise MissingFieldsError(("change",))
    changes = pd.DataFrame({"change": pd.Series(np.asarray(attrs["change"], dtype=object),
                                                dtype=object).fillna("unknown").to_numpy()})
    for c in ("growth_m2", "floors_now"):
        changes[c] = pd.to_numeric(pd.Series(np.asarray(attrs[c], dtype=object), dtype=object),
                                   errors="coerce").to_numpy(float) if c in attrs else np.full(n, np.nan)
    for c in ("confidence", "conf_reason"):
        if c in attrs:
            changes[c] = pd.Series(np.asarray(attrs[c], dtype=object), dtype=object).fillna("").to_numpy(dtype=object)
    labels = {}
    for c in ("epoch", "prev_epoch"):
        vals = [v for v in attrs.get(c, ()) if v not in (None, "")]
        labels[c] = str(vals[0]) if vals else ""
    return changes, labels["epoch"], labels["prev_epoch"], "confidence" in attrs


def findings_table(df, kind: str):
    """The encroachment (``kind`` "hits") or breach ("breaches") rows as ``build_register`` takes them: rows
    without a building id dropped, numbers as numbers, ``hit_where`` named ``where``.  Raises
    :class:`MissingFieldsError` naming the missing fields (:data:`FINDINGS_NEEDED`)."""
    import numpy as np
    import pandas as pd

    missing = [c for c in FINDINGS_NEEDED[kind] if c not in df]
    if missing:
        raise MissingFieldsError(missing)
    df = df.copy()
    if kind == "hits" and "hit_where" in df and "where" not in df:
        df = df.rename(columns={"hit_where": "where"})
    df["bld_fid"] = pd.to_numeric(df["bld_fid"], errors="coerce")
    df = df[df["bld_fid"].notna()].astype({"bld_fid": np.int64})
    for c in _FINDINGS_NUMBERS[kind]:
        if c in df:
            df[c] = pd.to_numeric(df[c], errors="coerce")
    return df.reset_index(drop=True)


# --------------------------------------------------------------------------- the merged register
def fill_lonlat(cases, to_lonlat) -> int:
    """CGCS2000 lon / lat (7 decimals) of the cases without a lon, from their x / y through
    ``to_lonlat(x, y) -> (lon, lat)`` (called once, with finite points only); such a case without a finite
    x / y gets neither.  Fills ``cases`` in place; returns how many got coordinates."""
    import numpy as np
    import pandas as pd

    if not len(cases):
        return 0
    lon = pd.to_numeric(cases["lon"], errors="coerce").to_numpy(float)
    need = ~np.isfinite(lon)
    if not need.any():
        return 0
    lat = pd.to_numeric(cases["lat"], errors="coerce").to_numpy(float)
    x = pd.to_numeric(cases["x"], errors="coerce").to_numpy(float)
    y = pd.to_numeric(cases["y"], errors="coerce").to_numpy(float)
    ok = need & np.isfinite(x) & np.isfinite(y)
    lon[need], lat[need] = np.nan, np.nan
    if ok.any():
        lo, la = to_lonlat(x[ok], y[ok])
        lon[ok], lat[ok] = np.round(np.asarray(lo, float), 7), np.round(np.asarray(la, float), 7)
    cases["lon"], cases["lat"] = lon, lat
    return int(ok.sum())


def register_columns(cases, extra_kinds: dict):
    """The merged register as (spec [(name, kind)], columns) for a writer: kinds from :data:`COLUMN_KINDS`, a
    previous register's own columns keep their kind (``extra_kinds``), everything else is text; int columns
    with a missing value are object arrays of int / None, text columns object arrays of str / None."""
    import numpy as np
    import pandas as pd

    from .register import REGISTER_COLUMNS

    columns = list(cases.columns) if len(cases.columns) else list(REGISTER_COLUMNS)
    spec, cols = [], []
    for c in columns:
        kind = COLUMN_KINDS.get(c) or (extra_kinds.get(c) if c not in REGISTER_COLUMNS else None) or "string"
        v = cases[c] if c in cases else pd.Series([None] * len(cases))
        if kind in ("int", "int64"):
            v = pd.to_numeric(v.map(lambda x: int(bool(x)) if isinstance(x, (bool, np.bool_)) else x),
                              errors="coerce")
            arr = v.to_numpy(dtype=float)
            arr = np.where(np.isfinite(arr), arr, np.nan)
            if np.isnan(arr).any():
                o = np.empty(len(arr), dtype=object)
                o[:] = [None if np.isnan(x) else int(x) for x in arr]
                arr = o
            else:
                arr = arr.astype(np.int64)
        elif kind == "double":
            arr = pd.to_numeric(v, errors="coerce").to_numpy(dtype=float)
        else:
            o = np.asarray(v, dtype=object)
            if len(o) and pd.api.types.infer_dtype(o, skipna=True) in ("string", "empty") and all(
                    x is None or isinstance(x, (str, float)) for x in pd.unique(o[pd.isna(o)])):
                o = o.copy()  # text and None / NaN already: no value-by-value str()
                o[pd.isna(o)] = None
            else:
                o = np.empty(len(v), dtype=object)
                o[:] = [None if x is None or (isinstance(x, float) and np.isnan(x)) else str(x) for x in v.tolist()]
            arr = o
        spec.append((c, kind))
        cols.append(arr)
    return spec, cols


def _current(cases):
    """(gone, verdicts) of the register's rows as numpy arrays (bool, object)."""
    import numpy as np

    if not len(cases):
        return np.zeros(0, bool), np.array([], dtype=object)
    return cases["gone"].fillna(False).astype(bool).to_numpy(), cases["verdict"].to_numpy(dtype=object)


def level_counts(cases, rules) -> dict:
    """N_CASES, N_GONE and the count per verdict level (:data:`LEVEL_OUTPUTS`) of the current (not gone) cases."""
    gone, verdicts = _current(cases)
    cur = ~gone
    out = {"N_CASES": int(cur.sum()), "N_GONE": int(gone.sum())}
    by_id = {lv.id: lv.verdict for lv in rules.levels.values()}
    for lid, name in LEVEL_OUTPUTS:
        out[name] = int((verdicts[cur] == by_id.get(lid, "\0")).sum())
    return out


def verdict_counts(cases) -> dict:
    """{verdict: number of current (not gone) cases}, most first (pandas ``value_counts`` order)."""
    import pandas as pd

    gone, verdicts = _current(cases)
    return {str(k): int(v) for k, v in pd.Series(verdicts[~gone], dtype=object).value_counts().items()}
