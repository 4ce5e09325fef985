"""``liangwei register`` and ``liangwei fullcheck``: the case register without QGIS.

    liangwei register --changes out/epochs_later.gpkg --encroachments out/controllines_pieces.gpkg \\
        --breaches out/pipeclearance.gpkg --districts city.gpkg:districts --permits city.gpkg:permits \\
        --compounds city.gpkg:compounds --output out/register.gpkg --xlsx out/register.xlsx --csv out/register.csv
    liangwei fullcheck --earlier city.gpkg:buildings_2019 --later city.gpkg:buildings_2023 \\
        --red-lines city.gpkg:red_lines --pipelines city.gpkg:pipelines --districts city.gpkg:districts \\
        --output-folder out/

The parameters are those of ``liangwei:register`` / ``liangwei:fullcheck`` in lower case with ``-`` for ``_``; the
register layer (GeoPackage layer ``register``, Chinese field aliases, the plugin's register style), the XLSX and
the CSV have the same rows and values as the plugin's.  A previous register (``--previous``; for fullcheck the
``register.gpkg`` already in the output folder) is merged in (:func:`..core.register.merge_previous`): case ids,
first_seen, the teams' status / check_result / remarks and any column they added survive the re-run.  The
shared PostGIS register (``--database`` / ``--db-table``) and the PDF case atlas (``--pdf`` / ``--pdf-filter``)
need QGIS: given here they are refused (exit 2) with the qgis_process command to use.

The functions in the "register inputs" section take plain arrays / DataFrames: they are what
``processing/register.py`` does between its QGIS reads and the core, kept free of argparse and qgis so that both
can share them once they move into the core (see the report of the change that added this module).
"""
from __future__ import annotations

import os
import time
import unicodedata

# level id (rules [level.*]) -> count output (processing/register.py LEVEL_OUTPUTS)
LEVEL_OUTPUTS = (("demolish", "N_DEMOLISH"), ("rectify", "N_RECTIFY"), ("temp_expired", "N_TEMP_EXPIRED"),
                 ("verify", "N_VERIFY"), ("legacy", "N_LEGACY"))
# register column -> field kind in the GeoPackage (processing/register.py COLUMN_KINDS)
COLUMN_KINDS = {
    "x": "double", "y": "double", "lon": "double", "lat": "double", "area_m2": "double", "growth_m2": "double",
    "floors": "double", "enc_area_m2": "double", "min_clearance_m": "double", "required_m": "double",
    "priority": "double", "in_compound": "int", "gone": "int", "bld_fid": "int64",
}
PERMIT_KIND_DEFAULTS = {"临时": "temporary", "临建": "temporary", "临时建筑": "temporary", "temporary": "temporary",
                        "temp": "temporary", "永久": "permanent", "永久建筑": "permanent", "permanent": "permanent"}
FIELD_CANDIDATES = {
    "DISTRICT_CODE_FIELD": ("code", "district_code", "xzqdm", "adcode", "dm", "区划代码", "代码"),
    "DISTRICT_NAME_FIELD": ("name", "district", "district_name", "xzqmc", "mc", "名称", "行政区"),
    "PERMIT_NO_FIELD": ("permit_no", "permit", "xkzh", "zh", "no", "许可证号", "证号"),
    "PERMIT_KIND_FIELD": ("kind", "permit_kind", "type", "lx", "类型", "许可类型"),
    "PERMIT_EXPIRY_FIELD": ("expiry", "expiry_date", "expires", "valid_to", "yxq", "到期日", "有效期至"),
}
HIT_COLUMNS = ("bld_fid", "line_type", "zone_fid", "zone_name", "enc_area", "hit_where", "where")
CHANGE_FIELDS = ("change", "growth_m2", "floors_now", "confidence", "conf_reason", "bld_fid", "epoch", "prev_epoch")
BREACH_COLUMNS = ("bld_fid", "kind", "pipe_class", "required_m", "distance_m", "deficit_m", "enc_area_m2", "basis")
REGISTER_LAYER = "register"
# files written into --output-folder by fullcheck (processing/fullcheck.py FILES): output -> (file, layer)
FILES = {
    "CHANGES": ("epochs_later.gpkg", "epochs_later"),
    "DEMOLISHED": ("epochs_demolished.gpkg", "epochs_demolished"),
    "GROWTH": ("epochs_growth.gpkg", "epochs_growth"),
    "PIECES": ("controllines_pieces.gpkg", "controllines_pieces"),
    "BUILDINGS": ("controllines_buildings.gpkg", "controllines_buildings"),
    "BREACHES": ("pipeclearance.gpkg", "pipeclearance"),
    "REGISTER": ("register.gpkg", REGISTER_LAYER),
}
XLSX_NAME, CSV_NAME = "register.xlsx", "register.csv"
QGIS_ONLY = {
    "database": ("DATABASE", "the shared PostGIS register"),
    "db_table": ("DB_TABLE", "the shared PostGIS register"),
    "pdf": ("PDF", "the PDF case atlas"),
    "pdf_filter": ("PDF_FILTER", "the PDF case atlas"),
}


# --------------------------------------------------------------------------- register inputs (core-shaped)
def _norm_key(value) -> str:
    s = unicodedata.normalize("NFKC", str(value)).lower()
    return "".join(ch for ch in s if ch not in " \t_-")


def pick_field(names, requested: str, param: str) -> str:
    """The requested field, else the first usual name of ``param`` present (case-insensitive), else ''."""
    if requested:
        return requested
    lower = {str(n).lower(): n for n in names}
    for cand in FIELD_CANDIDATES.get(param, ()):
        if cand.lower() in lower:
            return lower[cand.lower()]
    return ""


def permit_kinds(values, mapping_text):
    """temporary / permanent / unknown per value, and {unmapped value: count}.  A bad mapping: ValueError."""
    import numpy as np
    import pandas as pd

    from .core.rules import parse_mapping

    mapping = {_norm_key(k): v for k, v in PERMIT_KIND_DEFAULTS.items()}
    for k, v in parse_mapping(mapping_text, "PERMIT_KIND_MAP").items():
        v = v.strip().lower()
        if v not in ("temporary", "permanent", "unknown"):
            raise ValueError(f"PERMIT_KIND_MAP: '{k}={v}': the kind must be temporary, permanent or unknown")
        mapping[_norm_key(k)] = v
    raw = pd.Series(np.asarray(values, dtype=object)).map(lambda x: "" if x is None else str(x))
    kinds = raw.map(lambda x: mapping.get(_norm_key(x), "unknown")).to_numpy(dtype=object)
    bad = raw[(kinds == "unknown") & (raw != "")].value_counts()
    return kinds, {str(k): int(v) for k, v in bad.items()}


def changes_table(attrs: dict, n: int):
    """compareepochs OUTPUT attributes (``{field: values}``) -> (changes DataFrame for ``build_register``,
    epoch, prev_epoch, has confidence).  ValueError when there is no ``change`` field."""
    import numpy as np
    import pandas as pd

    if "change" not in attrs:
        raise ValueError("no 'change' field")
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
    without a building id dropped, numbers as numbers.  ValueError naming the missing fields."""
    import numpy as np
    import pandas as pd

    need = ("bld_fid", "line_type", "enc_area") if kind == "hits" else (
        "bld_fid", "kind", "required_m", "distance_m", "deficit_m")
    missing = [c for c in need if c not in df]
    if missing:
        raise ValueError(", ".join(missing))
    df = df.copy()
    if kind == "hits" and "hit_where" in df and "where" not in df:
        df = df.rename(columns={"hit_where": "where"})
    df["bld_fid"] = pd.to_numeric(df["bld_fid"], errors="coerce")
    df = df[df["bld_fid"].notna()].astype({"bld_fid": np.int64})
    numbers = ("enc_area",) if kind == "hits" else ("required_m", "distance_m", "deficit_m", "enc_area_m2")
    for c in numbers:
        if c in df:
            df[c] = pd.to_numeric(df[c], errors="coerce")
    return df.reset_index(drop=True)


def register_columns(cases, extra_kinds: dict):
    """The merged register as (spec [(name, kind)], columns) for a writer: kinds from :data:`COLUMN_KINDS`, a
    previous register's own columns keep their kind (``extra_kinds``), everything else is text."""
    import numpy as np
    import pandas as pd

    from .core.register import REGISTER_COLUMNS

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
                o = o.copy()
                o[pd.isna(o)] = None
            else:
                o = np.empty(len(v), dtype=object)
                o[:] = [None if x is None or (isinstance(x, float) and np.isnan(x)) else str(x) for x in v.tolist()]
            arr = o
        spec.append((c, kind))
        cols.append(arr)
    return spec, cols


def fill_lonlat(cases, to_lonlat) -> int:
    """CGCS2000 lon / lat (7 decimals) where a case has none yet, from its x / y through ``to_lonlat(x, y)``;
    returns how many were filled."""
    import numpy as np
    import pandas as pd

    if not len(cases):
        return 0
    lon = pd.to_numeric(cases["lon"], errors="coerce").to_numpy(float)
    lat = pd.to_numeric(cases["lat"], errors="coerce").to_numpy(float)
    need = ~np.isfinite(lon)
    x = pd.to_numeric(cases["x"], errors="coerce").to_numpy(float)
    y = pd.to_numeric(cases["y"], errors="coerce").to_numpy(float)
    need &= np.isfinite(x) & np.isfinite(y)
    if need.any():
        lo, la = to_lonlat(x[need], y[need])
        lon[need], lat[need] = np.round(np.asarray(lo, float), 7), np.round(np.asarray(la, float), 7)
        cases["lon"], cases["lat"] = lon, lat
    return int(need.sum())


def level_counts(cases, rules) -> dict:
    """N_CASES, N_GONE and the count per verdict level (:data:`LEVEL_OUTPUTS`) of the current (not gone) cases."""
    import numpy as np

    if len(cases):
        gone = cases["gone"].fillna(False).astype(bool).to_numpy()
        verdicts = cases["verdict"].to_numpy(dtype=object)
    else:
        gone, verdicts = np.zeros(0, bool), np.array([], dtype=object)
    cur = ~gone
    out = {"N_CASES": int(cur.sum()), "N_GONE": int(gone.sum())}
    by_id = {lv.id: lv.verdict for lv in rules.levels.values()}
    for lid, name in LEVEL_OUTPUTS:
        out[name] = int((verdicts[cur] == by_id.get(lid, "\0")).sum())
    return out


# --------------------------------------------------------------------------- GeoPackage register store
def write_aliases(path: str, table: str, aliases: dict):
    """Chinese field aliases into the GeoPackage's ``gpkg_data_columns`` (GDAL's / QGIS's alternative names)."""
    import sqlite3

    con = sqlite3.connect(path)
    try:
        con.execute("""CREATE TABLE IF NOT EXISTS gpkg_data_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
                       name TEXT, title TEXT, description TEXT, mime_type TEXT, constraint_name TEXT,
                       CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name),
                       CONSTRAINT gdc_tn UNIQUE (table_name, name))""")
        con.execute("""CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT, column_name TEXT,
                       extension_name TEXT NOT NULL, definition TEXT NOT NULL, scope TEXT NOT NULL,
                       CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))""")
        have = {r[1] for r in con.execute(f'PRAGMA table_info("{table}")')}
        rows = [(table, c, a, a) for c, a in aliases.items() if c in have]
        con.execute("DELETE FROM gpkg_data_columns WHERE table_name = ?", (table,))
        con.executemany("INSERT INTO gpkg_data_columns (table_name, column_name, name, title) VALUES (?, ?, ?, ?)", rows)
        if not con.execute("SELECT 1 FROM gpkg_extensions WHERE table_name='gpkg_data_columns' AND "
                           "extension_name='gpkg_schema'").fetchone():
            con.execute("INSERT INTO gpkg_extensions VALUES ('gpkg_data_columns', NULL, 'gpkg_schema', "
                        "'http://www.geopackage.org/spec/#extension_schema', 'read-write')")
        con.commit()
    finally:
        con.close()


def other_layers(path: str, keep: str) -> list:
    """Layers of a GeoPackage besides ``keep`` and QGIS's ``layer_styles`` (carried over when the register file
    is replaced)."""
    from .cli_io import list_layers

    try:
        names = list_layers(path)
    except Exception:  # noqa: BLE001 - not a readable GeoPackage: nothing to carry over
        return []
    return [n for n in names if n.lower() not in (keep.lower(), "layer_styles")]


def copy_layers(src: str, dst: str, layers: list):
    from osgeo import gdal

    gdal.UseExceptions()
    for name in layers:
        out = gdal.VectorTranslate(dst, src, options=gdal.VectorTranslateOptions(
            layers=[name], accessMode="update", layerName=name, format="GPKG"))
        if out is None:
            raise OSError(f"could not carry over layer {name}")
        out = None


def _multi(geoms):
    """Polygons -> one-part MultiPolygons, vectorised (the plugin's writer does the same)."""
    import numpy as np
    import shapely

    geoms = np.asarray(geoms, dtype=object).copy()
    present = ~shapely.is_missing(geoms)
    tid = np.full(len(geoms), -1)
    tid[present] = shapely.get_type_id(geoms[present])
    sel = tid == 3
    if sel.any():
        geoms[sel] = shapely.multipolygons(geoms[sel], indices=np.arange(int(sel.sum())))
    return geoms


def _register_style():
    """(name, QML, description) of the register style for ``layer_styles`` (qgis_io.styles has no qgis import
    at module level; the name stays English here, QGIS translates it)."""
    try:
        from .qgis_io.styles import REGISTER
    except Exception:  # noqa: BLE001 - styles not shipped: an unstyled register
        return None
    if not REGISTER.path.is_file():
        return None
    return REGISTER.title, REGISTER.qml(), "lincang_liangwei styles/" + REGISTER.path.name


def write_register_gpkg(path: str, layer: str, spec, cols, geoms, crs, keep_layers=(), src_for_layers=None):
    """The register as a whole new GeoPackage under a temporary name beside ``path`` (bulk writer, aliases,
    style, ``keep_layers`` copied over from ``src_for_layers``), then moved into place."""
    import numpy as np

    from . import atomicfile
    from .cli_io import BULK_KINDS
    from .exports import COLUMN_HEADERS
    from .gpkgbulk import write_new_layer

    atomicfile.clean_leftovers(path)
    tmp = str(atomicfile.temp_sibling(path))
    try:
        columns = [(name, BULK_KINDS[kind], np.asarray(col)) for (name, kind), col in zip(spec, cols)]
        crs_id = crs.authid if crs.authid.upper().startswith("EPSG:") else crs.wkt()
        write_new_layer(tmp, layer, _multi(geoms), columns, crs_id, "MultiPolygon", style=_register_style())
        write_aliases(tmp, layer, {c: COLUMN_HEADERS[c] for c, _ in spec if c in COLUMN_HEADERS})
        if keep_layers:
            copy_layers(src_for_layers or path, tmp, list(keep_layers))
        atomicfile.publish(tmp, path)
    except BaseException:
        atomicfile.discard(tmp)
        raise


# --------------------------------------------------------------------------- reading helpers
def _field_kinds(path: str, layer: str) -> dict:
    """{field: int / int64 / double / string / date / datetime} of a layer (the kinds the plugin keeps for a
    previous register's own columns)."""
    try:
        from osgeo import ogr
    except ImportError:  # pragma: no cover - pyogrio-only machines
        import pyogrio

        info = pyogrio.read_info(path, layer=layer)
        out = {}
        for name, dt in zip(info["fields"], info["dtypes"]):
            dt = str(dt)
            out[str(name)] = ("int" if dt == "int32" else "int64" if dt.startswith("int") else "double"
                              if dt.startswith("float") else "datetime" if dt.startswith("datetime") else "string")
        return out
    ogr.UseExceptions()
    ds = ogr.Open(path)
    defn = ds.GetLayerByName(layer).GetLayerDefn()
    kinds = {ogr.OFTInteger: "int", ogr.OFTInteger64: "int64", ogr.OFTReal: "double", ogr.OFTDate: "date",
             ogr.OFTDateTime: "datetime"}
    out = {}
    for i in range(defn.GetFieldCount()):
        f = defn.GetFieldDefn(i)
        out[f.GetName()] = kinds.get(f.GetType(), "string")
    ds = None
    return out


def _iso_dates(values, kind: str):
    """Date / datetime values (GDAL gives 'YYYY/MM/DD') as the ISO text QGIS gives (None stays None)."""
    import numpy as np
    import pandas as pd

    s = pd.to_datetime(pd.Series(np.asarray(values, dtype=object)), errors="coerce")
    fmt = "%Y-%m-%d" if kind == "date" else "%Y-%m-%dT%H:%M:%S"
    out = s.dt.strftime(fmt).to_numpy(dtype=object)
    out[s.isna().to_numpy()] = None
    return out


def _read(spec, what, fields=None):
    """``cli_io.read_layer`` (GeoPackages straight from SQLite).  ``fields``: the attributes this module needs
    (None = all), for when read_layer can read a subset: the register reads 8 of the compareepochs output's
    columns, 7 of the pieces', 8 of the breaches'."""
    from .cli_io import read_layer

    return read_layer(spec, what)


def _attr_frame(layer, columns):
    """The ``columns`` present in a read layer, as a DataFrame of object / number columns."""
    import pandas as pd

    present = [c for c in columns if c in layer.attrs.columns]
    return pd.DataFrame({c: layer.attrs[c].to_numpy() for c in present}, columns=present)


def _check_field(layer, name, flag):
    from .cli_io import InputError

    if name and name not in layer.attrs.columns:
        raise InputError(f"{flag}: layer '{layer.name}' has no field '{name}' (fields: "
                         f"{', '.join(map(str, layer.attrs.columns))})")


def _refuse_qgis_only(args, command):
    from .cli_io import InputError

    for opt, (param, what) in QGIS_ONLY.items():
        if getattr(args, opt, None) not in (None, ""):
            flag = "--" + opt.replace("_", "-")
            raise InputError(f"{flag}: {what} needs QGIS; run it with qgis_process run liangwei:{command} "
                             f"--{param}=... (the command line writes GeoPackage, XLSX and CSV)")


def _same_path(a: str, b: str) -> bool:
    from .cli_io import same_file

    if os.path.exists(a) and os.path.exists(b):
        return same_file(a, b)
    return os.path.realpath(os.path.abspath(a)) == os.path.realpath(os.path.abspath(b))


def _file_output(value, flag, taken):
    """An XLSX / CSV destination: its folder must exist and be writable, it must not be an input or another
    output (``taken``: [(flag, path)])."""
    from .cli_io import InputError

    path = os.path.abspath(os.path.expanduser(value))
    parent = os.path.dirname(path)
    if not os.path.isdir(parent):
        raise InputError(f"{flag}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise InputError(f"{flag}: folder {parent} is not writable")
    if os.path.isdir(path):
        raise InputError(f"{flag}: {path} is a folder")
    for other_flag, other in taken:
        if _same_path(path, other):
            raise InputError(f"{flag}: {path} is also {other_flag}: choose another file")
    return path


# --------------------------------------------------------------------------- register
def run_register(args, log, bar):
    import numpy as np
    import pandas as pd

    from .cli import _read_clean, _work_crs
    from .cli_io import Crs, InputError, parse_layer_spec, resolve_output, write_features
    from .core.geometry import POLYGON
    from .core.register import as_date, build_register, merge_previous
    from .core.rules import load_rules

    t0 = time.time()
    _refuse_qgis_only(args, "register")
    run_text = (args.run_date or "").strip()
    try:
        run_date = as_date(run_text or None)
    except (ValueError, TypeError) as exc:
        raise InputError(f"--run-date '{run_text}' is not a date (YYYY-MM-DD)") from exc
    rules = load_rules(args.rules or None)
    bflag = "--changes" if args.changes else "--footprints" if args.footprints else None
    if bflag is None:
        raise InputError("give --changes (compareepochs --output) or --footprints (the later buildings): every case "
                         "is a later building")

    # ---- outputs, checked before anything is read ---------------------------------------------------------
    inputs = {"--" + k.replace("_", "-"): getattr(args, k) for k in (
        "changes", "footprints", "encroachments", "breaches", "compounds", "districts", "permits", "previous")
        if getattr(args, k)}
    out = resolve_output(args.output, "--output")
    out_layer = parse_layer_spec(args.output)[1] or (REGISTER_LAYER if out.is_gpkg else out.layer)
    prev_path = parse_layer_spec(args.previous)[0] if args.previous else None
    in_place = bool(prev_path) and os.path.exists(out.path) and _same_path(out.path, prev_path)
    for flag, spec in inputs.items():
        p = parse_layer_spec(spec)[0]
        if flag == "--previous" and in_place:
            continue   # the previous register updated in place: read whole first, replaced atomically
        if _same_path(out.path, p):
            raise InputError(f"--output: {out.path} is the input {flag}: the original data would be lost; choose "
                             "another file")
    taken = [(f, parse_layer_spec(s)[0]) for f, s in inputs.items()] + [("--output", out.path)]
    xlsx = _file_output(args.xlsx, "--xlsx", taken) if args.xlsx else None
    if xlsx:
        taken.append(("--xlsx", xlsx))
    csv = _file_output(args.csv, "--csv", taken) if args.csv else None

    # ---- buildings (+ changes) ----------------------------------------------------------------------------
    bar.stage("reading")
    raw = _read(args.changes or args.footprints, bflag, CHANGE_FIELDS if args.changes else ())
    changes, epoch, prev_epoch = None, "", ""
    if args.changes:
        attrs = {c: raw.attrs[c].to_numpy(dtype=object) for c in raw.attrs.columns}
        try:
            changes, epoch, prev_epoch, has_conf = changes_table(attrs, len(raw))
        except ValueError as exc:
            raise InputError(f"--changes: layer '{raw.name}' has no 'change' field: it is not a compareepochs output. "
                             "Choose that layer, or give the buildings as --footprints") from exc
        if not has_conf:
            log.info("--changes has no confidence field (an older compareepochs output): every change counts as "
                     "confident")
    work_crs = _work_crs(args, raw, log)
    b_layer, b_clean = _read_clean(raw, POLYGON, bflag, work_crs, log)
    fids = b_layer.fids
    if args.changes and "bld_fid" in b_layer.attrs.columns:
        bf = pd.to_numeric(pd.Series(b_layer.attrs["bld_fid"].to_numpy(dtype=object), dtype=object), errors="coerce")
        if bf.notna().all() and bf.is_unique:
            fids = bf.to_numpy(dtype=np.int64)
        else:
            log.warn("bld_fid of --changes has NULL or repeated values: joining findings by feature id instead")
    bar.set(30)

    # ---- findings tables -------------------------------------------------------------------------------
    hits = breaches = None
    for opt, kind, columns, what in (("encroachments", "hits", HIT_COLUMNS, "a controllines --output"),
                                     ("breaches", "breaches", BREACH_COLUMNS, "a pipeclearance --output")):
        spec = getattr(args, opt)
        if not spec:
            continue
        flag = "--" + opt
        layer = _read(spec, flag, columns)
        try:
            table = findings_table(_attr_frame(layer, columns), kind)
        except ValueError as exc:
            raise InputError(f"{flag}: layer '{layer.name}' lacks {exc}: it is not {what}") from exc
        log.info(f"{layer.name}: {len(table)} {'encroachment' if kind == 'hits' else 'breach'} rows")
        if kind == "hits":
            hits = table
        else:
            breaches = table

    # ---- context polygons --------------------------------------------------------------------------------
    kw = {}
    if args.compounds:
        _layer, cl = _read_clean(_read(args.compounds, "--compounds", ()), POLYGON, "--compounds", work_crs, log)
        kw["compounds"] = cl.geoms[cl.used]
    if args.districts:
        dl = _read(args.districts, "--districts")
        names = list(dl.attrs.columns)
        cf = pick_field(names, args.district_code_field or "", "DISTRICT_CODE_FIELD")
        nf = pick_field(names, args.district_name_field or "", "DISTRICT_NAME_FIELD")
        _check_field(dl, cf, "--district-code-field")
        _check_field(dl, nf, "--district-name-field")
        log.info(f"{dl.name}: code field {cf or '—'}, name field {nf or '—'}")
        if not cf:
            log.warn("no district code field found: case ids use 000000000; set --district-code-field")
        dl, cl = _read_clean(dl, POLYGON, "--districts", work_crs, log)
        u = cl.used
        kw["districts"] = cl.geoms[u]
        kw["district_codes"] = dl.attrs[cf].to_numpy(dtype=object)[u] if cf else None
        kw["district_names"] = dl.attrs[nf].to_numpy(dtype=object)[u] if nf else None
    if args.permits:
        pl = _read(args.permits, "--permits")
        names = list(pl.attrs.columns)
        pf = {p: pick_field(names, getattr(args, p.lower()) or "", p)
              for p in ("PERMIT_NO_FIELD", "PERMIT_KIND_FIELD", "PERMIT_EXPIRY_FIELD")}
        for p, f in pf.items():
            _check_field(pl, f, "--" + p.lower().replace("_", "-"))
        log.info(f"{pl.name}: number field {pf['PERMIT_NO_FIELD'] or '—'}, kind field {pf['PERMIT_KIND_FIELD'] or '—'}, "
                 f"expiry field {pf['PERMIT_EXPIRY_FIELD'] or '—'}")
        if not pf["PERMIT_KIND_FIELD"]:
            log.warn("permits have no kind field: every permit counts as of unknown kind (no expired-temporary "
                     "findings)")
        pl, cl = _read_clean(pl, POLYGON, "--permits", work_crs, log)
        u = cl.used
        kw["permits"] = cl.geoms[u]
        col = {p: pl.attrs[f].to_numpy(dtype=object)[u] if f else None for p, f in pf.items()}
        kw["permit_nos"] = col["PERMIT_NO_FIELD"]
        if pf["PERMIT_KIND_FIELD"]:
            try:
                kinds, bad = permit_kinds(col["PERMIT_KIND_FIELD"], args.permit_kind_map or None)
            except ValueError as exc:
                raise InputError(f"--permit-kind-map: {exc}") from exc
            if bad:
                shown = ", ".join(f"{k} ({v})" for k, v in list(bad.items())[:10])
                log.warn(f"unrecognised permit kinds treated as unknown: {shown}; map them with --permit-kind-map")
            kw["permit_kinds"] = kinds
            counts = pd.Series(kinds).value_counts().to_dict()
            log.info(f"  permits: permanent {counts.get('permanent', 0)}, temporary {counts.get('temporary', 0)}, "
                     f"unknown {counts.get('unknown', 0)}")
        if pf["PERMIT_EXPIRY_FIELD"]:
            kinds_of = _field_kinds(pl.path, pl.layer) if pl.driver else {}
            k = kinds_of.get(pf["PERMIT_EXPIRY_FIELD"], "string")
            v = col["PERMIT_EXPIRY_FIELD"]
            kw["permit_expiry"] = _iso_dates(v, k) if k in ("date", "datetime") else v
    bar.set(45)

    # ---- previous register (read whole before anything is written) ------------------------------------
    prev_df = prev_geoms = None
    extra_kinds = {}
    if args.previous:
        pl = _read(args.previous, "--previous")
        names = [c for c in pl.attrs.columns if str(c).lower() != "fid"]
        if "case_id" not in names:
            raise InputError(f"--previous: layer '{pl.name}' has no case_id field: it is not a register")
        kinds_of = _field_kinds(pl.path, pl.layer)
        pl, pcl = _read_clean(pl, POLYGON, "--previous", work_crs, log)
        data = {}
        for c in names:
            v = pl.attrs[c].to_numpy(dtype=object)
            k = kinds_of.get(c, "string")
            data[c] = _iso_dates(v, k) if k in ("date", "datetime") else v
            extra_kinds[c] = "string" if k in ("date", "datetime") else k
        prev_df = pd.DataFrame(data, columns=names)
        prev_geoms = pcl.geoms
    if not (args.changes or args.encroachments or args.breaches or args.permits or args.compounds):
        log.warn("no findings given (--changes, --encroachments, --breaches, --permits, --compounds): no new cases")
    t_read = time.time()

    # ---- cases + merge -----------------------------------------------------------------------------------
    bar.stage("computing")
    try:
        reg = build_register(fids, b_clean.geoms, changes=changes, hits=hits, breaches=breaches, epoch=epoch,
                             prev_epoch=prev_epoch, run_date=run_date, rules=rules, **kw)
    except (ValueError, KeyError) as exc:
        raise InputError(f"could not build the register: {exc}") from exc
    st = reg.stats
    for what, n in (st.get("unknown_fids") or {}).items():
        if n:
            log.warn(f"{what}: {n} rows whose bld_fid is not a building of {b_layer.name} (results of another "
                     "layer?): ignored")
    bar.set(55)
    try:
        merged = merge_previous(prev_df, prev_geoms, reg.cases, reg.geoms, run_date)
    except (ValueError, KeyError) as exc:
        raise InputError(f"could not merge with the previous register: {exc}") from exc
    ms = merged.stats
    cases, geoms = merged.cases, merged.geoms
    if prev_df is not None:
        log.info(f"merged with the previous register ({ms['previous']} rows): kept {ms['kept']}, new {ms['new']}, "
                 f"newly gone {ms['gone']}, still gone {ms['still_gone']}, found again {ms['revived']}; status, "
                 "check_result, remarks and added columns carried over")
    to_lonlat = work_crs.transformer(Crs("EPSG:4490"))
    fill_lonlat(cases, to_lonlat)
    spec, cols = register_columns(cases, extra_kinds)
    t_core = time.time()
    bar.set(65)

    # ---- outputs -----------------------------------------------------------------------------------------
    bar.stage("writing")
    if out.is_gpkg:
        keep = []
        if os.path.exists(out.path) and (in_place or parse_layer_spec(args.output)[1]):
            keep = other_layers(out.path, out_layer)
        write_register_gpkg(out.path, out_layer, spec, cols, geoms, work_crs, keep, out.path)
        if keep:
            log.info("other layers of the file kept: " + ", ".join(keep))
    else:
        from .cli_io import Output

        write_features(Output(out.path, out_layer, out.driver), spec, geoms, cols, work_crs)
    uri = f"{out.path}|layername={out_layer}"
    log.info(f"OUTPUT: {len(cases)} cases written{' (previous register updated in place)' if in_place else ''} "
             f"to {uri}")
    t_gpkg = time.time()
    bar.set(80)
    table = pd.DataFrame({c: cols[i] for i, (c, _k) in enumerate(spec)})
    results = {"OUTPUT": uri}
    if xlsx:
        from .exports import MissingDependency, write_xlsx

        try:
            write_xlsx(table, xlsx)
            log.info(f"XLSX: {len(table)} cases written to {xlsx}")
            results["XLSX"] = xlsx
        except MissingDependency as exc:
            log.warn(f"XLSX not written: the Python package openpyxl is missing ({exc}). The other formats are "
                     "written as usual.")
        except OSError as exc:
            raise InputError(f"cannot write {xlsx}: {exc.strerror or exc}") from exc
    bar.set(90)
    t_xlsx = time.time()
    if csv:
        from .exports import write_csv

        try:
            write_csv(table, csv)
        except OSError as exc:
            raise InputError(f"cannot write {csv}: {exc.strerror or exc}") from exc
        log.info(f"CSV: {len(table)} cases written to {csv}")
        results["CSV"] = csv
    bar.set(100)

    # ---- accounting ----------------------------------------------------------------------------------------
    counts = level_counts(cases, rules)
    n_b, n_skip = int(st["n_buildings"]), int(st["n_skipped"])
    log.info(f"buildings {n_b} = {st['n_cases']} cases + {n_b - n_skip - st['n_cases']} without findings + "
             f"{n_skip} skipped")
    cur = ~cases["gone"].fillna(False).astype(bool).to_numpy() if len(cases) else np.zeros(0, bool)
    verdicts = pd.Series(cases["verdict"].to_numpy(dtype=object)[cur] if len(cases) else [], dtype=object)
    for v, n in verdicts.value_counts().items():
        log.info(f"  {v}: {n}")
    if st.get("findings"):
        log.info("  findings: " + ", ".join(f"{k} {v}" for k, v in st["findings"].items()))
    t_end = time.time()
    log.info(f"time: read {t_read - t0:.1f} s, compute {t_core - t_read:.1f} s, write {t_end - t_core:.1f} s "
             f"(GeoPackage {t_gpkg - t_core:.1f} s, XLSX {t_xlsx - t_gpkg:.1f} s, CSV {t_end - t_xlsx:.1f} s)")
    results.update({"N_CASES": counts["N_CASES"], "N_KEPT": int(ms["kept"]), "N_NEW": int(ms["new"]),
                    "N_GONE": counts["N_GONE"], "N_BUILDINGS": n_b, "N_SKIPPED": n_skip,
                    **{name: counts[name] for _lid, name in LEVEL_OUTPUTS}})
    results.update({"verdicts": {str(k): int(v) for k, v in verdicts.value_counts().items()},
                    "findings": dict(st.get("findings") or {}), "merge": {k: int(v) for k, v in ms.items()},
                    "seconds": {"read": t_read - t0, "compute": t_core - t_read, "write": t_end - t_core},
                    "outputs": {"output": out.path, "xlsx": results.get("XLSX"), "csv": results.get("CSV")}})
    return results


# --------------------------------------------------------------------------- fullcheck
class _StepBar:
    """One step's 0-100 % mapped onto a slice of the full run's bar."""

    def __init__(self, bar, lo: float, hi: float, prefix: str):
        self.bar, self.lo, self.hi, self.prefix = bar, lo, hi, prefix

    def _map(self, p):
        return self.lo + (self.hi - self.lo) * float(p) / 100.0

    def stage(self, label: str):
        self.bar.stage(f"{self.prefix} {label}")

    def set(self, percent: float):
        self.bar.set(self._map(percent))

    def callback(self, start: float, end: float):
        return self.bar.callback(self._map(start), self._map(end))

    def close(self):
        pass


def _step_args(command: str, values: dict, flags: tuple = ()):
    """The argparse namespace of ``liangwei <command>`` for ``values`` ({flag without --: value}; None left
    out so the sub-command's own defaults apply), through the very parser of the command line."""
    from .cli import build_parser
    from .cli_io import InputError

    argv = [command]
    for k, v in values.items():
        if v is None or v is False:
            continue
        argv.append(f"--{k}" if v is True else f"--{k}={v}")
    argv += list(flags)
    try:
        return build_parser().parse_args(argv)
    except SystemExit as exc:   # a bug here, not the user's: say which step
        raise InputError(f"internal: could not pass the parameters to {command}: {' '.join(argv)}") from exc


def run_fullcheck(args, log, bar):
    from . import cli
    from .cli import ZONE_PARAMS
    from .cli_io import InputError
    from .core.register import as_date
    from .core.rules import load_rules

    t0 = time.time()
    _refuse_qgis_only(args, "fullcheck")
    folder = os.path.abspath(os.path.expanduser(args.output_folder))
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise InputError(f"--output-folder: {folder} is a file, not a folder")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--output-folder: cannot create {folder}: {exc.strerror or exc}") from exc
    if not os.access(folder, os.W_OK):
        raise InputError(f"--output-folder: folder {folder} is not writable")
    load_rules(args.rules or None)   # a bad rules file is refused before any step runs
    if args.run_date:
        try:
            as_date(args.run_date.strip())
        except (ValueError, TypeError) as exc:
            raise InputError(f"--run-date '{args.run_date}' is not a date (YYYY-MM-DD)") from exc

    def path(name):
        return os.path.join(folder, FILES[name][0])

    zones = {p.lower().replace("_", "-"): getattr(args, p.lower()) for p, _t in ZONE_PARAMS
             if getattr(args, p.lower())}
    steps = [s for s, on in (("epochs", bool(args.earlier)), ("lines", bool(zones)), ("pipes", bool(args.pipelines)),
                             ("register", True)) if on]
    execution = {"partition": args.partition, "tile-m": args.tile_m, "scheduler": args.scheduler,
                 "workers": args.workers, "work-crs": args.work_crs}
    rules = {"rules": args.rules}
    results, seconds = {}, {}
    totals = {"read": 0.0, "compute": 0.0, "write": 0.0}
    quiet = ("--quiet",)

    def run(step, command, values):
        i = steps.index(step)
        log.info("")
        log.info(f"== {i + 1}/{len(steps)} {command}")
        ns = _step_args(command, values, quiet)
        runner = cli._runner(command)
        ts = time.time()
        summary = runner(ns, log, _StepBar(bar, 100.0 * i / len(steps), 100.0 * (i + 1) / len(steps), command))
        seconds[step] = time.time() - ts
        for k in totals:
            totals[k] += float((summary.get("seconds") or {}).get(k, 0.0))
        results[step] = summary
        return summary

    later = args.later
    if "epochs" in steps:
        run("epochs", "compareepochs", {
            "earlier": args.earlier, "later": later, "earlier-floors-field": args.earlier_floors_field,
            "later-floors-field": args.later_floors_field, "accuracy-field": args.accuracy_field,
            **{opt.replace("_", "-"): getattr(args, opt) for opt, _kw in cli.TOLERANCES},
            "earlier-date": args.earlier_date, "later-date": args.later_date,
            "output": path("CHANGES"), "output-demolished": path("DEMOLISHED"), "output-growth": path("GROWTH"),
            **execution})
    if "lines" in steps:
        run("lines", "controllines", {
            "footprints": later, **zones, "min-area": args.min_area, "min-ratio": args.min_ratio,
            "name-field": args.name_field, **rules, "output": path("PIECES"), "output-buildings": path("BUILDINGS"),
            **execution})
    if "pipes" in steps:
        run("pipes", "pipeclearance", {
            "footprints": later, "pipelines": args.pipelines, "kind-field": args.kind_field,
            "pressure-field": args.pressure_field, "diameter-field": args.diameter_field,
            "clearance-field": args.clearance_field, "kind-map": args.kind_map, "class-map": args.class_map,
            "fallback-m": args.fallback_m, **rules, "output": path("BREACHES"), **execution})

    reg_path = path("REGISTER")
    previous = args.previous
    if not previous and os.path.exists(reg_path):
        previous = f"{reg_path}:{REGISTER_LAYER}"
        log.warn(f"the output folder already holds a register from an earlier run ({reg_path}): this run is merged "
                 "into it (ids, check results, remarks and added columns kept), never overwritten")
    r = run("register", "register", {
        "changes": f"{path('CHANGES')}:{FILES['CHANGES'][1]}" if "epochs" in steps else None,
        "footprints": None if "epochs" in steps else later,
        "encroachments": f"{path('PIECES')}:{FILES['PIECES'][1]}" if "lines" in steps else None,
        "breaches": f"{path('BREACHES')}:{FILES['BREACHES'][1]}" if "pipes" in steps else None,
        "compounds": args.compounds, "districts": args.districts, "district-code-field": args.district_code_field,
        "district-name-field": args.district_name_field, "permits": args.permits,
        "permit-no-field": args.permit_no_field, "permit-kind-field": args.permit_kind_field,
        "permit-kind-map": args.permit_kind_map, "permit-expiry-field": args.permit_expiry_field,
        "previous": previous, "run-date": args.run_date, **rules, "work-crs": args.work_crs,
        "output": reg_path, "xlsx": os.path.join(folder, XLSX_NAME), "csv": os.path.join(folder, CSV_NAME)})
    bar.set(100)

    out = {"OUTPUT_FOLDER": folder, "REGISTER": r.get("OUTPUT", f"{reg_path}|layername={REGISTER_LAYER}"),
           "CSV": r.get("CSV")}
    if r.get("XLSX"):
        out["XLSX"] = r["XLSX"]
    for name, step in (("CHANGES", "epochs"), ("DEMOLISHED", "epochs"), ("GROWTH", "epochs"), ("PIECES", "lines"),
                       ("BUILDINGS", "lines"), ("BREACHES", "pipes")):
        if step in steps:
            out[name] = f"{path(name)}|layername={FILES[name][1]}"
    for k in ("N_BUILDINGS", "N_CASES", "N_KEPT", "N_NEW", "N_GONE", "N_SKIPPED") + tuple(o for _i, o in LEVEL_OUTPUTS):
        out[k] = int(r.get(k, 0))

    # ---- one account of every building --------------------------------------------------------------------
    log.info("")
    log.info("== full check summary")
    n_b, n_skip, n_cases = out["N_BUILDINGS"], out["N_SKIPPED"], out["N_CASES"]
    log.info(f"later buildings {n_b} = {n_cases} cases + {n_b - n_cases - n_skip} without findings + {n_skip} skipped")
    if "epochs" in results:
        e = results["epochs"]
        log.info(f"  epochs: new {e.get('N_NEW', 0)}, expanded {e.get('N_EXPANDED', 0)}, rebuilt {e.get('N_REBUILT', 0)}, "
                 f"floors added {e.get('N_FLOORS_ADDED', 0)}, unchanged {e.get('N_UNCHANGED', 0)}, demolished "
                 f"{e.get('N_DEMOLISHED', 0)}")
    if "lines" in results:
        c = results["lines"]
        log.info(f"  control lines: {c.get('N_HIT_BUILDINGS', 0)} buildings, {c.get('N_HITS', 0)} hits")
    if "pipes" in results:
        c = results["pipes"]
        log.info(f"  pipes: {c.get('N_BREACH_BUILDINGS', 0)} buildings, {c.get('N_BREACHES', 0)} breaches")
    for _lid, o in LEVEL_OUTPUTS:
        log.info(f"  {o}: {out[o]}")
    log.info(f"  ids: kept {out['N_KEPT']}, new {out['N_NEW']}, gone {out['N_GONE']}")
    log.info(f"  files: {folder}")
    log.info(f"time: {time.time() - t0:.1f} s (" + ", ".join(f"{s} {sec:.1f} s" for s, sec in seconds.items()) + ")")
    out["steps"] = {s: {k: v for k, v in summary.items() if k not in ("outputs",)} for s, summary in results.items()}
    out["seconds"] = {**totals, "total": time.time() - t0, "steps": seconds}
    out["outputs"] = {k: out.get(k) for k in ("REGISTER", "XLSX", "CSV", "CHANGES", "DEMOLISHED", "GROWTH", "PIECES",
                                             "BUILDINGS", "BREACHES")}
    return out


# --------------------------------------------------------------------------- parser
def _register_inputs(p, fullcheck=False):
    """The parameters of liangwei:register that fullcheck takes over (REGISTER_PARAMS)."""
    p.add_argument("--compounds", help="residential compounds (polygons, optional)")
    p.add_argument("--districts", help="districts (polygons, optional): the code starts every case id")
    p.add_argument("--district-code-field", default="", help="district code field (default: auto)")
    p.add_argument("--district-name-field", default="", help="district name field (default: auto)")
    p.add_argument("--permits", help="planning permits (polygons, optional)")
    p.add_argument("--permit-no-field", default="", help="permit number field (default: auto)")
    p.add_argument("--permit-kind-field", default="", help="permit kind field (default: auto)")
    p.add_argument("--permit-kind-map", default="", help="permit kind mapping, e.g. 临=temporary;正式=permanent "
                   "(default: 临时/临建/temporary -> temporary, 永久/permanent -> permanent)")
    p.add_argument("--permit-expiry-field", default="", help="permit expiry date field")
    p.add_argument("--previous", help="previous register (keeps case ids and the field teams' entries)" + (
        "; default: register.gpkg of the output folder when it is there" if fullcheck else ""))
    p.add_argument("--run-date", default="", help="run date YYYY-MM-DD (default: today)")
    g = p.add_argument_group("QGIS only (refused here: use qgis_process)")
    g.add_argument("--database", help="shared PostGIS register (QGIS connection): qgis_process only")
    g.add_argument("--db-table", help="PostGIS register table: qgis_process only")
    if fullcheck:
        g.add_argument("--pdf", help="PDF case atlas: qgis_process only")
        g.add_argument("--pdf-filter", help="cases in the PDF case atlas: qgis_process only")


def add_parsers(sub, common) -> None:
    """Add the sub-commands of this module to the ``liangwei`` parser (``common(p)``: shared options)."""
    p = sub.add_parser("register", help="the demolition-candidate register (台账) from the checks' outputs")
    p.add_argument("--changes", help="compareepochs --output (later buildings with change)")
    p.add_argument("--encroachments", help="controllines --output (encroached pieces)")
    p.add_argument("--breaches", help="pipeclearance --output (clearance breaches)")
    p.add_argument("--footprints", help="later buildings (needed without --changes)")
    _register_inputs(p)
    p.add_argument("--output", required=True, help="the register (GeoPackage, layer 'register')")
    p.add_argument("--xlsx", help="register spreadsheet (XLSX)")
    p.add_argument("--csv", help="register CSV (UTF-8 with BOM)")
    common(p)

    from .cli import TOLERANCES, ZONE_PARAMS

    p = sub.add_parser("fullcheck", help="every check and the register in one run, into one folder")
    p.add_argument("--earlier", help="earlier epoch footprints (optional)")
    p.add_argument("--later", required=True, help="later epoch footprints")
    for param, _t in ZONE_PARAMS:
        p.add_argument("--" + param.lower().replace("_", "-"), help=f"{param.lower().replace('_', ' ')} layer")
    p.add_argument("--pipelines", help="pipelines (optional)")
    g = p.add_argument_group("compareepochs")
    g.add_argument("--earlier-floors-field")
    g.add_argument("--later-floors-field")
    g.add_argument("--accuracy-field")
    for opt, _kw in TOLERANCES:
        g.add_argument("--" + opt.replace("_", "-"), type=float, help="(default: as compareepochs)")
    g.add_argument("--earlier-date")
    g.add_argument("--later-date")
    g = p.add_argument_group("controllines")
    g.add_argument("--min-area", type=float, help="minimum encroached area (m², default 1)")
    g.add_argument("--min-ratio", type=float, help="minimum share of the footprint (default 0)")
    g.add_argument("--name-field", help="zone name field (default: auto)")
    g = p.add_argument_group("pipeclearance")
    for opt in ("kind-field", "pressure-field", "diameter-field", "clearance-field", "kind-map", "class-map"):
        g.add_argument("--" + opt)
    g.add_argument("--fallback-m", type=float)
    _register_inputs(p, fullcheck=True)
    p.add_argument("--output-folder", required=True, help="folder of every output (created when missing)")
    common(p)


RUNNERS: dict = {"register": run_register, "fullcheck": run_fullcheck}
