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
    for c in df.columns:   # equal texts one object (kinds, line types, bases repeat over 10^6 rows)
        if df[c].dtype == object and len(df):
            codes, uniq = pd.factorize(df[c])
            if len(uniq) * 4 < len(df):
                vals = np.asarray(uniq, dtype=object)[codes]
                vals[codes < 0] = df[c].to_numpy(dtype=object)[codes < 0]   # missing values stay as they were
                df[c] = vals
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


# --------------------------------------------------------------------------- the filtered read of big layers
class SelectedBuildings:
    """The buildings of a big layer that can be cases (:func:`select_buildings`), with what the whole layer
    says about itself.

    ``fids`` (feature ids, ascending), ``keys`` (the ids findings join on: ``bld_fid`` when usable, else
    ``fids``) and ``geoms`` (cleaned, None where skipped) of the selected buildings; ``report``: the cleaning
    counts of the whole layer (as one :func:`.geometry.clean` of every feature gives); ``n``: features in the
    layer; ``by_bld_fid``: None without a ``bld_fid`` column, else whether its values are the join ids
    (:func:`building_ids`)."""

    def __init__(self, fids, keys, geoms, report, n, by_bld_fid):
        self.fids, self.keys, self.geoms, self.report, self.n, self.by_bld_fid = fids, keys, geoms, report, n, \
            by_bld_fid

    def __len__(self):
        return len(self.fids)


def _duplicate_suspects(bounds, tol, block: int = 1_000_000):
    """Rows of ``bounds`` (n x 4, NaN rows ignored) in a pair that :func:`.geometry.find_duplicates` would
    compare geometrically (its first stage on the whole layer: every pair of boxes within ``tol`` on all four
    sides).  The geometric test and the grouping then run on these rows alone, with the same answer.  The pairs
    are made ``block`` sorted boxes at a time (memory stays a few arrays of the layer's length)."""
    import numpy as np

    live = np.flatnonzero(np.isfinite(bounds).all(axis=1))
    if len(live) < 2:
        return np.empty(0, dtype=np.int64)
    w = np.array([1.0, 0.7548776662466927, 0.5698402909980532, 0.4301597090019468])
    key = np.empty(len(live))
    for k in range(0, len(live), block):
        key[k:k + block] = bounds[live[k:k + block]] @ w
    order = np.argsort(key, kind="stable")
    key = key[order]
    end = np.searchsorted(key, key + tol * w.sum() * (1 + 1e-9), side="right")
    del key
    found = []
    for k in range(0, len(order), block):
        pos = np.arange(k, min(k + block, len(order)))
        counts = end[pos] - pos - 1
        total = int(counts.sum())
        if total == 0:
            continue
        first = np.repeat(pos, counts)
        offs = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts) + 1
        i, j = live[order[first]], live[order[first + offs]]
        close = (np.abs(bounds[i] - bounds[j]) <= tol).all(axis=1)
        found += [i[close], j[close]]
    return np.unique(np.concatenate(found)) if found else np.empty(0, dtype=np.int64)


def _int_ids(values):
    """int64 array of ``values`` when every one is a Python int (SQLite INTEGER), else None."""
    import numpy as np

    if len(values) and set(map(type, values)) == {int}:
        return np.array(list(values), dtype=np.int64)
    return None


def select_buildings(batches, *, kind: str, layer: str, finding_keys, changes=None, change_field: str = "change",
                     bld_field: str = "", expired_permits=None, transform=None, reread=None, duplicate_tol=None):
    """The buildings of a layer that can become cases, read batch by batch, without holding the layer.

    ``batches``: every feature of the layer in fid order, as (fids, geometries, unparsable mask,
    {field: values}) batches holding ``change_field`` / ``bld_field`` when the layer has them (e.g.
    :meth:`..gpkgsource.GpkgLayer.scan`).  ``transform(geoms)``: reprojection into the working CRS (None: none).
    ``reread(fids)`` -> (fids, geometries, unparsable) of some features again (the few that may be duplicates).

    A building is selected when its change (None = "unknown") is in ``changes`` (:func:`.register.finding_changes`),
    its join id is in ``finding_keys`` (the ``bld_fid`` of the encroachment and breach rows) or its box meets an
    ``expired_permits`` polygon: no other building can be a case of :func:`.register.build_register`, whose
    per-building results do not depend on the other buildings.  Each feature is cleaned as
    :func:`.geometry.clean` cleans the whole layer (duplicates looked for over the whole layer, on the few
    features whose boxes coincide), so the selected geometries, the skipped ones and the counts are those of the
    whole-layer read.  Returns :class:`SelectedBuildings`; ``changes`` of the selected buildings are read by the
    caller afterwards (by fid).
    """
    import numpy as np
    import pandas as pd
    import shapely

    from .geometry import DUPLICATE, DUPLICATE_TOL_M, POLYGON, REPAIRED, CleanReport, clean, find_duplicates

    tol = DUPLICATE_TOL_M if duplicate_tol is None else duplicate_tol
    finding_keys = np.unique(np.asarray(finding_keys, dtype=np.int64))
    changes = set(changes or ())
    tree = None
    if expired_permits is not None and len(expired_permits):
        ep = np.asarray(expired_permits, dtype=object)
        ep = ep[~(shapely.is_missing(ep) | shapely.is_empty(ep))]
        tree = shapely.STRtree(ep) if len(ep) else None
    all_fids, status, bounds, blds = [], [], [], []
    kept_pos, kept_geoms, kept_own = [], [], []   # kept_own: selected by change / permit (not by key)
    zm = merged = multi = 0
    offset = 0
    for fids, geoms, bad, attrs in batches:
        fids = np.asarray(fids, dtype=np.int64)
        n = len(fids)
        if transform is not None:
            geoms = transform(geoms)
        cl = clean(geoms, kind=kind, layer=layer, unparsable=bad, ids=fids, duplicates=False)
        st = cl.status
        live = st <= REPAIRED
        bx = np.full((n, 4), np.nan)
        if live.any():
            bx[live] = shapely.bounds(cl.geoms[live])
        zm += cl.report.n_zm
        merged += cl.report.n_merged_parts
        multi += cl.report.n_multipart
        own = np.zeros(n, dtype=bool)
        if change_field in attrs:
            ch = pd.Series(attrs[change_field], dtype=object).fillna("unknown")
            own |= ch.isin(list(changes)).to_numpy()
        elif "unknown" in changes:
            own[:] = True
        if tree is not None and live.any():
            li = np.flatnonzero(live)
            own[li[np.unique(tree.query(cl.geoms[li])[0])]] = True
        by_key = np.isin(fids, finding_keys)
        if bld_field in attrs:
            vals = attrs[bld_field]
            ints = _int_ids(vals)
            if ints is None:
                num = pd.to_numeric(pd.Series(vals, dtype=object), errors="coerce").to_numpy(dtype=float)
                ok = np.isfinite(num)
                by_key[ok] |= np.isin(np.trunc(num[ok]).astype(np.int64), finding_keys)
                blds.append(np.asarray(vals, dtype=object))
            else:
                by_key |= np.isin(ints, finding_keys)
                blds.append(ints)
        keep = own | by_key
        idx = np.flatnonzero(keep)
        kept_pos.append(offset + idx)
        kept_geoms.append(cl.geoms[idx])
        kept_own.append(own[idx])
        all_fids.append(fids)
        status.append(st)
        bounds.append(bx)
        offset += n

    def cat(parts, dtype, shape=(0,)):
        return np.concatenate(parts) if parts else np.empty(shape, dtype=dtype)

    all_fids = cat(all_fids, np.int64)
    status = cat(status, np.int8)
    bounds = cat(bounds, float, (0, 4))
    kept_pos = cat(kept_pos, np.int64)
    kept_geoms = cat(kept_geoms, object)
    kept_own = cat(kept_own, bool)
    n_all = len(all_fids)

    # ---- duplicates over the whole layer -------------------------------------------------------------------
    if kind == POLYGON:
        suspects = _duplicate_suspects(bounds, tol)
        del bounds
        if len(suspects):
            f, g, bad = reread(all_fids[suspects])
            f = np.asarray(f, dtype=np.int64)
            if transform is not None:
                g = transform(g)
            order = np.argsort(f)
            at = order[np.searchsorted(f, all_fids[suspects], sorter=order)]
            g, bad = np.asarray(g, dtype=object)[at], None if bad is None else np.asarray(bad, dtype=bool)[at]
            cl = clean(g, kind=kind, layer=layer, unparsable=bad, ids=all_fids[suspects], duplicates=False)
            d = find_duplicates(cl.geoms, all_fids[suspects], tol)
            dup = d >= 0
            if dup.any():
                rows = suspects[dup]
                was = status[rows]
                for k in np.flatnonzero(was == REPAIRED):   # informational counts of the whole-layer clean
                    one = clean(g[np.flatnonzero(dup)[k]:np.flatnonzero(dup)[k] + 1], kind=kind, layer=layer,
                                duplicates=False)
                    merged -= one.report.n_merged_parts
                dg = cl.geoms[dup]
                multi -= int(((shapely.get_type_id(dg) == int(shapely.GeometryType.MULTIPOLYGON))
                               & (shapely.get_num_geometries(dg) > 1)).sum())
                status[rows] = DUPLICATE
                kept_geoms[np.isin(kept_pos, rows)] = None
    else:
        del bounds

    report = CleanReport(layer=layer, kind=kind, n_in=n_all)
    counts = np.bincount(status.astype(np.int64), minlength=8)
    for code, attr in enumerate(("n_ok", "n_repaired", "n_null", "n_empty", "n_unrepairable", "n_wrong_type",
                                 "n_duplicate")):
        setattr(report, attr, int(counts[code]))
    report.n_zm, report.n_merged_parts, report.n_multipart = zm, merged, multi

    # ---- the join ids, then the selection --------------------------------------------------------------------
    by_bld = None
    keys_all = all_fids
    if bld_field and blds:
        if all(b.dtype == np.int64 for b in blds):
            ints = np.concatenate(blds)
            ids = ints if pd.Index(ints).is_unique else None
        else:
            ids = building_ids(np.concatenate([b.astype(object) for b in blds]))
        by_bld = ids is not None
        if by_bld:
            keys_all = ids
    keys = keys_all[kept_pos]
    sel = kept_own | np.isin(keys, finding_keys)
    return SelectedBuildings(all_fids[kept_pos[sel]], keys[sel], kept_geoms[sel], report, n_all, by_bld)


def _prefetch(make_iter):
    """The items of ``make_iter()`` produced in a second thread, one ahead of the consumer: SQLite, the WKB
    decoding (GEOS) of the next batch run while this one is cleaned (GEOS releases the GIL).  The producer is
    stopped and joined before this generator ends, whatever ends it."""
    import queue
    import threading

    q: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()
    done = object()

    def produce():
        try:
            for item in make_iter():
                while not stop.is_set():
                    try:
                        q.put(("item", item), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(("end", done))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            q.put(("error", exc))

    t = threading.Thread(target=produce, name="register-scan", daemon=True)
    t.start()
    try:
        while True:
            kind, item = q.get()
            if kind == "end":
                return
            if kind == "error":
                raise item
            yield item
    finally:
        stop.set()
        while t.is_alive():
            try:
                q.get(timeout=0.1)
            except queue.Empty:
                pass
        t.join()


def epoch_label(src, column: str) -> str:
    """The label :func:`changes_table` takes from a whole ``column`` of a GeoPackage layer ``src``
    (:class:`..gpkgsource.GpkgLayer`): its first value that is not None / '', or, for a REAL column (whose NULL
    reads as NaN), its first row's value."""
    decl = src.decl_types.get(column, "")
    if any(t in decl for t in ("REAL", "FLOA", "DOUB")):
        v = src.first_value(column, skip_empty=False)
        return "" if src.count() == 0 else str(float("nan") if v is None else float(v))
    v = src.first_value(column)
    return "" if v is None else str(v)


def read_selected(src, *, layer: str, changes_mode: bool, finding_keys, changes, expired_permits=None,
                  transform=None, progress=None):
    """:func:`select_buildings` over a GeoPackage layer ``src`` (:class:`..gpkgsource.GpkgLayer`), then the
    compareepochs attributes of the selected buildings (``changes_mode``): (SelectedBuildings, {field: values}
    for :func:`changes_table`, or None).  ``transform(geoms)``: into the working CRS (None: none);
    ``progress(fraction)`` after each batch read (it may raise to cancel)."""
    from .geometry import POLYGON

    has = set(src.columns)
    want = ("change", "bld_fid") if changes_mode else ()
    scan_cols = [c for c in want if c in has]
    total = max(src.count(), 1) if progress is not None else 1

    def batches():
        done = 0
        for batch in _prefetch(lambda: src.scan(scan_cols)):
            yield batch
            done += len(batch[0])
            if progress is not None:
                progress(done / total)

    def reread(fids):
        f, g, bad, _attrs = src.read_fids(fids)
        return f, g, bad

    sel = select_buildings(batches(), kind=POLYGON, layer=layer, finding_keys=finding_keys,
                           changes=changes, change_field="change" if changes_mode else "",
                           bld_field="bld_fid" if changes_mode else "", expired_permits=expired_permits,
                           transform=transform, reread=reread)
    attrs = None
    if changes_mode:
        cols = [c for c in CHANGE_FIELDS if c in has and c not in ("epoch", "prev_epoch")]
        _f, attrs = src.read_attributes(sel.fids, cols)
        for c in ("epoch", "prev_epoch"):
            if c in has:
                attrs[c] = [epoch_label(src, c)]
    return sel, attrs
