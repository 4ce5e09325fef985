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

A big GeoPackage ``--changes`` / ``--footprints`` layer (indexed, from 200,000 features with ``--partition auto``,
always with ``tiled``; ``whole`` never) is read filtered: one pass over its geometries, cleaned and counted as
the whole layer (:func:`.core.register_inputs.select_buildings`), keeps only the buildings that can be cases (a
change that is a finding, a control-line hit or pipe breach, a box meeting an expired temporary permit), whose
attributes are then read by fid; the findings tables are read without their geometries.  The register, XLSX and
CSV are the whole read's, byte for byte (tests/unit/test_register_scale.py).

What the command line and ``processing/register.py`` / ``processing/fullcheck.py`` do alike between reading
the layers and the core (field picking, permit kinds, the findings tables, the register's columns, lon / lat,
counts, the file names of fullcheck) is :mod:`.core.register_inputs`; the GeoPackage aliases and the layers
carried over are :mod:`.gpkgbulk`'s.  The names are imported here too (``cli_register.permit_kinds`` …).
"""
from __future__ import annotations

import os
import time

from .core.register_inputs import (
    BREACH_COLUMNS,
    CHANGE_FIELDS,
    CSV_NAME,
    FULLCHECK_STEP_OUTPUTS,
    HIT_COLUMNS,
    LEVEL_OUTPUTS,
    REGISTER_LAYER,
    XLSX_NAME,
    building_ids,
    changes_table,
    fill_lonlat,
    findings_table,
    level_counts,
    permit_kind_counts,
    permit_kinds,
    pick_field,
    register_columns,
    verdict_counts,
)
from .core.register_inputs import FULLCHECK_FILES as FILES
from .gpkgbulk import copy_layers, write_aliases

QGIS_ONLY = {
    "database": ("DATABASE", "the shared PostGIS register"),
    "db_table": ("DB_TABLE", "the shared PostGIS register"),
    "pdf": ("PDF", "the PDF case atlas"),
    "pdf_filter": ("PDF_FILTER", "the PDF case atlas"),
}


# --------------------------------------------------------------------------- GeoPackage register store
def other_layers(path: str, keep: str) -> list:
    """Layers of a GeoPackage besides ``keep`` and QGIS's ``layer_styles`` (carried over when the register file
    is replaced), listed as the command line reads files (pyogrio or GDAL)."""
    from .cli_io import list_layers
    from .gpkgbulk import other_layers as _other_layers

    return _other_layers(path, keep, list_layers)


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
            from osgeo import gdal

            gdal.UseExceptions()   # GDAL's own message when a layer cannot be copied
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


def _gpkg_spec(spec):
    """(path, layer) of a GeoPackage layer spec naming an existing file and layer (the one data layer when the
    spec names none), else None (then :func:`_read` reads it and says what is wrong)."""
    from .cli_io import list_layers, parse_layer_spec

    path, layer = parse_layer_spec(spec)
    if not str(path).lower().endswith(".gpkg") or not os.path.isfile(path):
        return None
    try:
        names = list_layers(path)
    except Exception:  # noqa: BLE001 - _read gives GDAL's words
        return None
    if layer is None:
        data = [n for n in names if n.lower() != "layer_styles"] or names
        return (path, data[0]) if len(data) == 1 else None
    return (path, layer) if layer in names else None


def _gpkg_values(values, decl: str):
    """A GeoPackage column's values as :func:`.cli_io.read_layer` gives them (INTEGER without NULL: int64, REAL:
    float with NaN, else objects)."""
    import numpy as np

    missing = np.array([x is None for x in values], dtype=bool)
    if any(t in decl for t in ("INT", "BOOL")) and not missing.any():
        return values.astype(np.int64)
    if any(t in decl for t in ("REAL", "FLOA", "DOUB")):
        return np.where(missing, np.nan, values).astype(float)
    return values


def _read_table(spec, what, columns):
    """(layer name, DataFrame of the ``columns`` present) of a findings layer: a GeoPackage's attributes straight
    from SQLite without the geometries (the values :func:`_read` gives), any other file through :func:`_read`."""
    import pandas as pd

    where = _gpkg_spec(spec)
    if where is not None:
        from .gpkgsource import GpkgLayer

        try:
            src = GpkgLayer(*where)
        except ValueError:   # an attribute table (no geometry column)
            src = None
        if src is not None:
            try:
                present = [c for c in columns if c in src.columns]
                _fids, attrs = src.read_attributes(None, present)
                return where[1], pd.DataFrame({c: _gpkg_values(attrs[c], src.decl_types.get(c, "")) for c in present},
                                              columns=present)
            finally:
                src.close()
    layer = _read(spec, what, columns)
    return layer.name, _attr_frame(layer, columns)


def _changes(attrs, n, name, log):
    """(changes table, epoch, previous epoch) of compareepochs OUTPUT attributes (:func:`changes_table`)."""
    from .cli_io import InputError

    try:
        changes, epoch, prev_epoch, has_conf = changes_table(attrs, n)
    except ValueError as exc:
        raise InputError(f"--changes: layer '{name}' has no 'change' field: it is not a compareepochs output. "
                         "Choose that layer, or give the buildings as --footprints") from exc
    if not has_conf:
        log.info("--changes has no confidence field (an older compareepochs output): every change counts as "
                 "confident")
    return changes, epoch, prev_epoch


# --------------------------------------------------------------------------- the filtered read of a big layer
def _filtered_source(args, spec, what):
    """(StreamSource, probe) when the buildings are a big indexed GeoPackage layer to read filtered (as the checks
    stream it: ``--partition tiled``, or ``auto`` from 200,000 features), else None (the whole layer is read)."""
    from .cli import _stream_source
    from .core.geometry import POLYGON

    return _stream_source(args, spec, what, POLYGON)


def _read_filtered(args, source, name, work_crs, hits, breaches, kw, rules, run_date, log, bar):
    """The buildings of a big GeoPackage layer that can be cases (:func:`.core.register_inputs.select_buildings`)
    and their changes: (SelectedBuildings, changes table or None, epoch, prev_epoch).  One pass over the layer's
    geometries (cleaned and counted as a whole-layer read does), then the attributes of the selected rows."""
    import numpy as np

    from .cli_io import Crs, reproject
    from .core.register import expired_permits, finding_changes
    from .core.register_inputs import read_selected
    from .gpkgsource import GpkgLayer

    t0 = time.time()
    keys = [t["bld_fid"].to_numpy(dtype=np.int64) for t in (hits, breaches) if t is not None and len(t)]
    keys = np.concatenate(keys) if keys else np.empty(0, dtype=np.int64)
    expired = None
    if kw.get("permits") is not None and kw.get("permit_kinds") is not None:
        ok = expired_permits(kw["permit_kinds"], kw.get("permit_expiry"), len(kw["permits"]), run_date)
        expired = np.asarray(kw["permits"], dtype=object)[ok]
    src = GpkgLayer(source.path, source.layer)
    try:
        crs = Crs(src.crs_wkt or src.crs_authid)
        transform = None
        if not crs.same_as(work_crs):
            log.info(f"{name}: reprojected on the fly from {crs.label} to {work_crs.label}")

            def transform(g):
                return reproject(np.asarray(g, dtype=object), crs, work_crs)

        sel, attrs = read_selected(src, layer=name, changes_mode=bool(args.changes), finding_keys=keys,
                                   changes=finding_changes(rules), expired_permits=expired, transform=transform,
                                   progress=lambda f: bar.set(45 + 8 * f))
    finally:
        src.close()
    r = sel.report
    log.info(f"{name}: {r.n_in} features = {r.n_used} used ({r.n_repaired} repaired) + {r.n_skipped} skipped "
             f"(null {r.n_null}, empty {r.n_empty}, unrepairable {r.n_unrepairable}, wrong type "
             f"{r.n_wrong_type}, duplicate {r.n_duplicate})")
    log.info(f"{name}: {len(sel)} buildings with a finding or a change read from the GeoPackage (the others "
             f"can be no case) in {time.time() - t0:.1f} s")
    if sel.by_bld_fid is False:
        log.warn("bld_fid of --changes has NULL or repeated values: joining findings by feature id instead")
    changes, epoch, prev_epoch = None, "", ""
    if attrs is not None:
        changes, epoch, prev_epoch = _changes(attrs, len(sel), name, log)
    return sel, changes, epoch, prev_epoch


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
    import pandas as pd

    from .cli import _read_clean, _work_crs
    from .cli_io import Crs, InputError, parse_layer_spec, resolve_output, write_features
    from .core.geometry import POLYGON
    from .core.register import as_date, build_register, build_register_chunked, merge_previous
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
    bspec = args.changes or args.footprints
    stream = _filtered_source(args, bspec, bflag)
    raw = b_layer = b_clean = sel = None
    changes, epoch, prev_epoch = None, "", ""
    if stream is None:   # the whole layer, every column
        raw = _read(bspec, bflag, CHANGE_FIELDS if args.changes else ())
        if args.changes:
            attrs = {c: raw.attrs[c].to_numpy(dtype=object) for c in raw.attrs.columns}
            changes, epoch, prev_epoch = _changes(attrs, len(raw), raw.name, log)
        work_crs = _work_crs(args, raw, log)
        b_layer, b_clean = _read_clean(raw, POLYGON, bflag, work_crs, log)
        b_name, b_geoms, fids = b_layer.name, b_clean.geoms, b_layer.fids
        if args.changes and "bld_fid" in b_layer.attrs.columns:
            ids = building_ids(b_layer.attrs["bld_fid"].to_numpy(dtype=object))
            if ids is not None:
                fids = ids
            else:
                log.warn("bld_fid of --changes has NULL or repeated values: joining findings by feature id instead")
    else:   # a big GeoPackage layer: the buildings that can be cases, read after the findings (below)
        source, probe = stream
        b_name = probe.name
        if args.changes and "change" not in source.columns_all:
            raise InputError(f"--changes: layer '{b_name}' has no 'change' field: it is not a compareepochs output. "
                             "Choose that layer, or give the buildings as --footprints")
        work_crs = _work_crs(args, probe, log)
    bar.set(30)

    # ---- findings tables -------------------------------------------------------------------------------
    hits = breaches = None
    for opt, kind, columns, what in (("encroachments", "hits", HIT_COLUMNS, "a controllines --output"),
                                     ("breaches", "breaches", BREACH_COLUMNS, "a pipeclearance --output")):
        spec = getattr(args, opt)
        if not spec:
            continue
        flag = "--" + opt
        name, frame = _read_table(spec, flag, columns)
        try:
            table = findings_table(frame, kind)
        except ValueError as exc:   # MissingFieldsError: str() lists the missing fields
            raise InputError(f"{flag}: layer '{name}' lacks {exc}: it is not {what}") from exc
        log.info(f"{name}: {len(table)} {'encroachment' if kind == 'hits' else 'breach'} rows")
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
            except ValueError as exc:   # PermitKindError, RulesError: str() is the English message
                raise InputError(f"--permit-kind-map: {exc}") from exc
            if bad:
                shown = ", ".join(f"{k} ({v})" for k, v in list(bad.items())[:10])
                log.warn(f"unrecognised permit kinds treated as unknown: {shown}; map them with --permit-kind-map")
            kw["permit_kinds"] = kinds
            counts = permit_kind_counts(kinds)
            log.info(f"  permits: permanent {counts['permanent']}, temporary {counts['temporary']}, "
                     f"unknown {counts['unknown']}")
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
    whole_counts = None
    if stream is not None:
        sel, changes, epoch, prev_epoch = _read_filtered(args, source, b_name, work_crs, hits, breaches, kw, rules,
                                                         run_date, log, bar)
        b_geoms, fids = sel.geoms, sel.keys
        whole_counts = (sel.n, sel.report.n_skipped)
    t_read = time.time()

    # ---- cases + merge -----------------------------------------------------------------------------------
    bar.stage("computing")
    try:
        if stream is None:
            reg = build_register(fids, b_geoms, changes=changes, hits=hits, breaches=breaches, epoch=epoch,
                                 prev_epoch=prev_epoch, run_date=run_date, rules=rules, **kw)
        else:   # the same cases, --chunk-rows buildings at a time (bounded working memory)
            reg = build_register_chunked(fids, b_geoms, changes=changes, hits=hits, breaches=breaches, epoch=epoch,
                                         prev_epoch=prev_epoch, run_date=run_date, rules=rules,
                                         chunk_rows=max(1, int(args.chunk_rows)), **kw)
    except (ValueError, KeyError) as exc:
        raise InputError(f"could not build the register: {exc}") from exc
    st = reg.stats
    if whole_counts is not None:   # the filtered read: the buildings of the whole layer
        st["n_buildings"], st["n_skipped"] = whole_counts
    for what, n in (st.get("unknown_fids") or {}).items():
        if n:
            log.warn(f"{what}: {n} rows whose bld_fid is not a building of {b_name} (results of another "
                     "layer?): ignored")
    bar.set(55)
    # the buildings are no longer needed: memory for the cases and the writers (10^6 cases at province scale)
    raw = b_layer = b_clean = sel = b_geoms = fids = changes = hits = breaches = None
    kw.clear()
    try:
        merged = merge_previous(prev_df, prev_geoms, reg.cases, reg.geoms, run_date)
    except (ValueError, KeyError) as exc:
        raise InputError(f"could not merge with the previous register: {exc}") from exc
    had_previous = prev_df is not None
    reg = prev_df = prev_geoms = None
    ms = merged.stats
    cases, geoms = merged.cases, merged.geoms
    merged = None
    if had_previous:
        log.info(f"merged with the previous register ({ms['previous']} rows): kept {ms['kept']}, new {ms['new']}, "
                 f"newly gone {ms['gone']}, still gone {ms['still_gone']}, found again {ms['revived']}; status, "
                 "check_result, remarks and added columns carried over")
    to_lonlat = work_crs.transformer(Crs("EPSG:4490"))
    fill_lonlat(cases, to_lonlat)
    spec, cols = register_columns(cases, extra_kinds)
    counts, verdicts, n_out = level_counts(cases, rules), verdict_counts(cases), len(cases)
    cases = None   # the writers take the columns
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
    log.info(f"OUTPUT: {n_out} cases written{' (previous register updated in place)' if in_place else ''} "
             f"to {uri}")
    t_gpkg = time.time()
    bar.set(80)
    table = pd.DataFrame({c: cols[i] for i, (c, _k) in enumerate(spec)})
    cols = None
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
    n_b, n_skip = int(st["n_buildings"]), int(st["n_skipped"])
    log.info(f"buildings {n_b} = {st['n_cases']} cases + {n_b - n_skip - st['n_cases']} without findings + "
             f"{n_skip} skipped")
    for v, n in verdicts.items():
        log.info(f"  {v}: {n}")
    if st.get("findings"):
        log.info("  findings: " + ", ".join(f"{k} {v}" for k, v in st["findings"].items()))
    t_end = time.time()
    log.info(f"time: read {t_read - t0:.1f} s, compute {t_core - t_read:.1f} s, write {t_end - t_core:.1f} s "
             f"(GeoPackage {t_gpkg - t_core:.1f} s, XLSX {t_xlsx - t_gpkg:.1f} s, CSV {t_end - t_xlsx:.1f} s)")
    results.update({"N_CASES": counts["N_CASES"], "N_KEPT": int(ms["kept"]), "N_NEW": int(ms["new"]),
                    "N_GONE": counts["N_GONE"], "N_BUILDINGS": n_b, "N_SKIPPED": n_skip,
                    **{name: counts[name] for _lid, name in LEVEL_OUTPUTS}})
    results.update({"verdicts": verdicts,
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
        "previous": previous, "run-date": args.run_date, **rules, "work-crs": args.work_crs, "partition": args.partition,
        "output": reg_path, "xlsx": os.path.join(folder, XLSX_NAME), "csv": os.path.join(folder, CSV_NAME)})
    bar.set(100)

    out = {"OUTPUT_FOLDER": folder, "REGISTER": r.get("OUTPUT", f"{reg_path}|layername={REGISTER_LAYER}"),
           "CSV": r.get("CSV")}
    if r.get("XLSX"):
        out["XLSX"] = r["XLSX"]
    for name, step in FULLCHECK_STEP_OUTPUTS:
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
