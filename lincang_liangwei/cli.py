"""Command line without QGIS: ``liangwei`` / ``python -m lincang_liangwei.cli``.

    liangwei controllines --footprints city.gpkg:buildings_2023 --red-lines city.gpkg:red_lines \\
        --output out/pieces.gpkg --output-buildings out/buildings.gpkg
    liangwei pipeclearance --footprints city.gpkg:buildings_2023 --pipelines city.gpkg:pipelines --output out/breaches.gpkg
    liangwei compareepochs --earlier city.gpkg:buildings_2019 --later city.gpkg:buildings_2023 --output out/later.gpkg

The parameters are those of the QGIS algorithms (``liangwei:controllines`` …) written in lower case with
``-`` for ``_``; the outputs have the same rows and fields.  Extra options: ``--partition auto|whole|tiled``
and ``--tile-m`` (tiled execution, :mod:`lincang_liangwei.core.tiling`; identical results),
``--scheduler local|tcp://host:port`` (tiles on Dask), ``--json`` (summary on stdout), ``--quiet``.

Exit codes: 0 ok, 2 bad input or parameter (one line on stderr), 3 cancelled / interrupted (Ctrl-C),
1 unexpected error.  This module never imports qgis.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np
import pandas as pd
import shapely

from .core.outputs import BREACH_FIELDS, DEMOLISHED_FIELDS, GROWTH_FIELDS, HIT_FIELDS, LATER_FIELDS

EXIT_OK, EXIT_ERROR, EXIT_BAD_INPUT, EXIT_CANCELLED = 0, 1, 2, 3

# (parameter, line type) of liangwei:controllines (processing/controllines.py ZONE_PARAMS)
ZONE_PARAMS = (("RED_LINES", "red"), ("BLUE_LINES", "blue"), ("GREEN_LINES", "green"), ("YELLOW_LINES", "yellow"),
               ("PURPLE_LINES", "purple"), ("WATER_SOURCE", "water_source"))
NAME_FIELD_CANDIDATES = ("name", "zone_name", "名称", "mc", "zone", "mingcheng", "name_cn")
ID_FIELDS_HELP = ("building id fields copied next to bld_fid, comma-separated (default: the first field named like a "
                  "building id: survey_id, bsm, 标识码, 编号, objectid, id, code …)")
TOLERANCES = (("min_iou", "min_iou"), ("min_growth_m2", "min_growth_m2"), ("min_growth_ratio", "min_growth_ratio"),
              ("tolerance_m", "tolerance_m"), ("jitter_m", "jitter_m"))


class Cancelled(Exception):  # noqa: N818 - reads as the exit status it maps to
    pass


# --------------------------------------------------------------------------- terminal
class Progress:
    """A progress bar on a terminal: tqdm when importable, else one rewritten stderr line; silent otherwise."""

    def __init__(self, enabled: bool):
        self.enabled = enabled and sys.stderr.isatty()
        self._bar = None
        self._label = ""
        self._last = -1
        if self.enabled:
            try:
                from tqdm import tqdm

                self._bar = tqdm(total=100, file=sys.stderr, bar_format="{desc} {percentage:3.0f}%|{bar}| {elapsed}")
            except ImportError:
                self._bar = None

    def stage(self, label: str):
        self._label = label
        if self._bar is not None:
            self._bar.set_description(label)

    def set(self, percent: float):
        if not self.enabled:
            return
        p = int(max(0, min(100, percent)))
        if p == self._last:
            return
        self._last = p
        if self._bar is not None:
            self._bar.n = p
            self._bar.refresh()
        else:
            sys.stderr.write(f"\r{self._label:<24} {p:3d}% [{'#' * (p // 4):<25}]")
            sys.stderr.flush()

    def callback(self, start: float, end: float):
        def progress(fraction: float) -> bool:
            self.set(start + (end - start) * fraction)
            return False
        return progress

    def close(self):
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.close()
        else:
            sys.stderr.write("\n")


class Log:
    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.lines = []

    def info(self, text: str):
        self.lines.append(text)
        if not self.quiet:
            sys.stderr.write(text + "\n")

    def warn(self, text: str):
        self.lines.append("WARNING: " + text)
        sys.stderr.write("WARNING: " + text + "\n")


# --------------------------------------------------------------------------- shared steps
def _prepare_outputs(args, names, inputs):
    """Resolve outputs; refuse one that points at an input file or two outputs on one file."""
    from .cli_io import parse_layer_spec, resolve_output, same_file

    outs = {}
    in_paths = [parse_layer_spec(v)[0] for v in inputs if v]
    for name in names:
        value = getattr(args, name)
        if not value:
            outs[name] = None
            continue
        out = resolve_output(value, "--" + name.replace("_", "-"))
        for p in in_paths:
            if os.path.exists(out.path) and os.path.exists(p) and same_file(out.path, p):
                from .cli_io import InputError

                raise InputError(f"--{name.replace('_', '-')}: {out.path} is an input of this run: choose another file")
        for other in outs.values():
            if other is not None and os.path.abspath(other.path) == os.path.abspath(out.path):
                from .cli_io import InputError

                raise InputError(f"two outputs of this run point at the same file {out.path}")
        outs[name] = out
    return outs


def _read_clean(spec, kind, what, work_crs, log, fields=None):
    """Read (``spec``: layer syntax or an already read LayerData), reproject into the working CRS and clean
    (repair / count) like the plugin's reader."""
    from .cli_io import LayerData, read_layer, reproject, require_crs
    from .core.geometry import clean

    layer = spec if isinstance(spec, LayerData) else read_layer(spec, what)
    crs = require_crs(layer)
    if work_crs is not None and not crs.same_as(work_crs):
        log.info(f"{layer.name}: reprojected on the fly from {crs.label} to {work_crs.label}")
        layer.geoms = reproject(layer.geoms, crs, work_crs)
    cleaned = clean(layer.geoms, kind=kind, layer=layer.name, unparsable=layer.unparsable, ids=layer.fids)
    r = cleaned.report
    log.info(f"{layer.name}: {r.n_in} features = {r.n_used} used ({r.n_repaired} repaired) + {r.n_skipped} skipped "
             f"(null {r.n_null}, empty {r.n_empty}, unrepairable {r.n_unrepairable}, wrong type {r.n_wrong_type}, "
             f"duplicate {r.n_duplicate})")
    return layer, cleaned


def _work_crs(args, layer, log):
    from .cli_io import choose_working_crs

    crs, note = choose_working_crs(layer, getattr(args, "work_crs", None) or None)
    log.info(note)
    return crs


def _mapper(args, log):
    """None (tiles in this process) or a Dask mapper for --scheduler."""
    if not getattr(args, "scheduler", None):
        return None, None
    from .cli_dask import dask_mapper

    return dask_mapper(args.scheduler, log, getattr(args, "workers", 2))


def _tiled(args, n):
    from .core.tiling import use_tiles

    return use_tiles(n, args.partition) or bool(getattr(args, "scheduler", None))


def _find_name_field(names, requested=""):
    if requested and requested in names:
        return requested
    lower = {n.lower(): n for n in names}
    for cand in NAME_FIELD_CANDIDATES:
        if cand in lower:
            return lower[cand]
    return ""


# --------------------------------------------------------------------------- controllines
def _id_columns(args, layer, taken, hit_fids, log):
    """The building id fields (``--id-fields``, else the automatic pick) as (spec, columns) to insert after
    ``bld_fid``: the same as the algorithms' ID_FIELDS (core/idfields.py)."""
    from .core.idfields import id_columns, id_output_spec, values_kind

    wanted = _id_fields(args, list(layer.attrs.columns), layer.name)
    values = {f: layer.attrs[f].to_numpy(dtype=object) for f in wanted}
    spec = id_output_spec(wanted, [values_kind(layer.attrs[f].to_numpy()) for f in wanted], taken)
    _log_id_fields(log, wanted, spec)
    return spec, id_columns(layer.fids, values, wanted, [k for _, k in spec], hit_fids)


def _stream_source(args, spec, what, kind, columns=()):
    """A :class:`.streaming.StreamSource` when ``spec`` is to be read tile by tile (an indexed GeoPackage layer and
    ``--partition tiled``, or ``auto`` from :data:`.core.tiling.AUTO_MIN_FEATURES` features), else None."""
    from .cli_io import parse_layer_spec
    from .core.tiling import AUTO_MIN_FEATURES
    from .streaming import StreamSource, open_source

    if args.partition == "whole":
        return None
    path, layer = parse_layer_spec(spec)
    if not str(path).lower().endswith(".gpkg") or not os.path.exists(path):
        return None
    if layer is None:
        from .cli_io import list_layers

        names = [n for n in list_layers(path) if n.lower() != "layer_styles"]
        if len(names) != 1:
            return None
        layer = names[0]
    src = open_source(path, layer)
    if src is None:
        return None
    try:
        if args.partition == "auto" and src.count() < AUTO_MIN_FEATURES:
            return None
        missing = [c for c in columns if c not in src.columns]
        if missing:
            from .cli_io import InputError

            raise InputError(f"{what}: {layer} has no field {', '.join(missing)}")
        extent = src.extent()
        from .cli_io import LayerData

        probe = LayerData(layer, path, layer, "GPKG", np.array([0], dtype=np.int64),
                          np.array([shapely.box(*extent)] if extent else [None], dtype=object),
                          pd.DataFrame({c: [] for c in src.columns}), src.crs_wkt or src.crs_authid, "")
        geographic = False
        if probe.crs_wkt:
            from .cli_io import Crs

            geographic = Crs(probe.crs_wkt).is_geographic
        source = StreamSource(path, layer, layer, kind, tuple(columns), margin=1e-5 if geographic else 1.0)
        source.columns_all = list(src.columns)
        source.decl_types = dict(src.decl_types)
        return source, probe
    finally:
        src.close()


def _decl_kind(decl: str) -> str:
    d = (decl or "").upper()
    if any(t in d for t in ("INT",)):
        return "int64"
    if any(t in d for t in ("REAL", "FLOA", "DOUB")):
        return "double"
    return "string"


def _id_fields(args, names, what) -> list:
    from .cli_io import InputError
    from .core.idfields import auto_id_fields

    wanted = [f.strip() for f in (args.id_fields or "").split(",") if f.strip()] or auto_id_fields(names)
    missing = [f for f in wanted if f not in names]
    if missing:
        raise InputError(f"--id-fields: {what} has no field {', '.join(missing)}")
    return wanted


def _log_id_fields(log, wanted, spec):
    if wanted:
        log.info("building id fields copied to the output: " + ", ".join(
            f if f == out else f"{f} -> {out}" for f, (out, _) in zip(wanted, spec)))


def _stream_id_columns(args, source, taken, hit_attrs, log):
    """(spec, columns) of the building id fields for a streamed run (values read with each chunk)."""
    from .core.idfields import id_output_spec

    wanted = list(source.columns)
    spec = id_output_spec(wanted, [_decl_kind(source.decl_types.get(f, "")) for f in wanted], taken)
    _log_id_fields(log, wanted, spec)
    return spec, [np.asarray(hit_attrs[f], dtype=object) for f in wanted]


def _clean_line(name, r):
    return (f"{name}: {r.n_in} features = {r.n_used} used ({r.n_repaired} repaired) + {r.n_skipped} skipped "
            f"(null {r.n_null}, empty {r.n_empty}, unrepairable {r.n_unrepairable}, wrong type {r.n_wrong_type}, "
            f"duplicate {r.n_duplicate})")


def _stream_args(args, log, source, n_chunks, kind):
    log.info(f"{source.name}: read tile by tile from the GeoPackage ({n_chunks} chunks of at most "
             f"{args.chunk_rows:,} {kind}, tiles of {args.tile_m:g} m)")


def run_controllines(args, log, bar):
    from .cli_io import InputError, read_layer, write_features, write_source_rows
    from .core.controllines import ZoneSet, encroachments
    from .core.geometry import LINE, POLYGON, STATUS_NAMES
    from .core.outputs import BUILDING_SUMMARY_FIELDS
    from .core.rules import load_rules
    from .core.tiling import encroachments_tiled

    t0 = time.time()
    zone_args = [(p, t, getattr(args, p.lower())) for p, t in ZONE_PARAMS if getattr(args, p.lower())]
    if not zone_args:
        raise InputError("choose at least one control-line layer (--red-lines, --blue-lines, --green-lines, "
                         "--yellow-lines, --purple-lines or --water-source)")
    outs = _prepare_outputs(args, ["output", "output_buildings"], [args.footprints] + [z[2] for z in zone_args])
    rules = load_rules(args.rules or None)
    bar.stage("reading")
    stream = _stream_source(args, args.footprints, "--footprints", POLYGON)
    if stream is not None:
        source, probe = stream
        source.columns = tuple(_id_fields(args, source.columns_all, probe.name))
        work_crs = _work_crs(args, probe, log)
        source.src_wkt, source.dst_wkt = probe.crs_wkt, work_crs.wkt()
        if _same_crs(probe.crs_wkt, work_crs):
            source.dst_wkt = ""
        bld_layer = probe
    else:
        raw = read_layer(args.footprints, "--footprints")
        work_crs = _work_crs(args, raw, log)
        bld_layer, bld = _read_clean(raw, POLYGON, "--footprints", work_crs, log)
    bar.set(10)
    zonesets, setbacks = [], {}
    for param, line_type, spec in zone_args:
        zlayer = read_layer(spec, "--" + param.lower().replace("_", "-"))
        gtypes = {t for t in shapely_types(zlayer.geoms)}
        if gtypes and gtypes <= {"point"}:
            raise InputError(f"--{param.lower().replace('_', '-')}: {zlayer.name} has points: it needs polygons "
                             "or lines")
        is_line = bool(gtypes) and gtypes <= {"line"}
        zlayer, zc = _read_clean(zlayer, LINE if is_line else POLYGON, param, work_crs, log)
        name_field = _find_name_field(list(zlayer.attrs.columns), args.name_field or "")
        used = zc.used
        names = zlayer.attrs[name_field].to_numpy(dtype=object)[used] if name_field else None
        zgeoms, zfids = zc.geoms[used], zlayer.fids[used]
        if is_line:
            from .core.cad import split_closed

            split = split_closed(zgeoms)
            if split.n_closed_parts:
                zonesets.append(ZoneSet(line_type, split.polygons, zfids[split.poly_idx],
                                        None if names is None else names[split.poly_idx], False, zlayer.name))
                log.info(f"{zlayer.name}: {split.n_closed_parts} closed rings treated as polygons, "
                         f"{split.n_open_parts} open lines as lines")
            zgeoms, zfids = split.lines, zfids[split.line_idx]
            names = None if names is None else names[split.line_idx]
        zonesets.append(ZoneSet(line_type, zgeoms, zfids, names, is_line, zlayer.name))
        setbacks[line_type] = rules.setback_m(line_type)
        log.info(f"{zlayer.name} -> {line_type}: {'line' if is_line else 'polygon'} layer, setback "
                 f"{setbacks[line_type]:g} m, name field {name_field or '(none)'}")
    bar.set(15)
    t_read = time.time()
    bar.stage("computing")
    mapper, close = _mapper(args, log)
    try:
        if stream is not None:
            from .streaming import controllines as streamed

            sres = streamed(source, zonesets, setbacks, args.min_area, args.min_ratio, tile_m=args.tile_m,
                            max_rows=args.chunk_rows, mapper=mapper, progress=bar.callback(15, 85))
            _stream_args(args, log, source, sres.n_chunks, "buildings")
            log.info(_clean_line(source.name, sres.clean_report))
            hits, hit_geoms, b, stats = sres.hits, sres.hit_geoms, sres.buildings, sres.stats
            fids, status, rep = sres.fids, sres.status, sres.clean_report
            stream_secs = sres.seconds
        else:
            if _tiled(args, len(bld.geoms)):
                result = encroachments_tiled(bld.geoms, bld_layer.fids, zonesets, setbacks, args.min_area,
                                             args.min_ratio, bar.callback(15, 85), tile_m=args.tile_m, mapper=mapper)
            else:
                result = encroachments(bld.geoms, bld_layer.fids, zonesets, setbacks, args.min_area, args.min_ratio,
                                       bar.callback(15, 85))
            hits, hit_geoms, b, stats = result.hits, result.hit_geoms, result.buildings, result.stats
            fids, status, rep = bld_layer.fids, bld.status, bld.report
            stream_secs = None
    finally:
        if close:
            close()
    t_core = time.time()
    bar.stage("writing")
    line_types = hits.line_type.to_numpy()
    labels = np.array([rules.line_label(t) for t in line_types], dtype=object)
    basis = np.array([rules.basis(t) for t in line_types], dtype=object)
    setback_col = np.array([setbacks[t] for t in line_types], dtype=float)
    taken = [n for n, _ in HIT_FIELDS]
    if stream is not None:
        id_spec, id_cols = _stream_id_columns(args, source, taken, sres.hit_attrs, log)
    else:
        id_spec, id_cols = _id_columns(args, bld_layer, taken, hits.bld_fid.to_numpy(), log)
    write_features(outs["output"], HIT_FIELDS[:1] + tuple(id_spec) + HIT_FIELDS[1:], hit_geoms,
                   [hits.bld_fid, *id_cols, line_types, labels, hits.zone_fid, hits.zone_name, hits.enc_area,
                    hits.enc_ratio, hits.hit_kind, setback_col, basis, hits["where"]], work_crs)
    bar.set(90)
    if outs["output_buildings"] is not None:
        type_cols = [f"enc_{t}" for t in dict.fromkeys(z.line_type for z in zonesets)]
        spec = list(BUILDING_SUMMARY_FIELDS) + [(c, "double") for c in type_cols]
        status_names = np.asarray(STATUS_NAMES, dtype=object)[status]
        cols = [b.n_zones, b.enc_area_total, b.line_types, b.max_ratio, b.area_m2, status_names] + \
            [b[c] for c in type_cols]
        if stream is not None and not outs["output_buildings"].is_gpkg:
            log.warn("--output-buildings is not a GeoPackage: the whole footprint layer is read into memory to "
                     "write it (write .gpkg to keep memory bounded)")
            bld_layer = read_layer(args.footprints, "--footprints")
        write_source_rows(outs["output_buildings"], bld_layer, fids, cols, spec,
                          bounds=sres.bounds if stream is not None else None)
    bar.set(100)
    n_hit_b = int((b.n_zones > 0).sum())
    enc_total = float(b.enc_area_total.sum())
    log.info(f"buildings {rep.n_in} = {rep.n_used} used + {rep.n_skipped} skipped; {n_hit_b} encroaching, "
             f"{enc_total:,.1f} m² encroached; {stats.hits} hits")
    t_end = time.time()
    return {"N_BUILDINGS": rep.n_in, "N_USED": rep.n_used, "N_HIT_BUILDINGS": n_hit_b, "N_HITS": int(len(hits)),
            "ENC_AREA": enc_total, "by_type": {t: {"hits": v[0], "buildings": v[1], "area": v[2]}
                                                for t, v in stats.by_type.items()},
            "seconds": _seconds(t0, t_read, t_core, t_end, stream_secs),
            "streamed": stream is not None,
            "outputs": {k: (v.path if v else None) for k, v in outs.items()}}


def _seconds(t0, t_read, t_core, t_end, stream_secs):
    """read / compute / write seconds; a streamed run reads inside the compute loop: its share is moved."""
    read, core, write = t_read - t0, t_core - t_read, t_end - t_core
    if stream_secs:   # chunks are read and computed in overlapping threads: share the loop's wall time
        busy = stream_secs["read"] + stream_secs["compute"]
        share = stream_secs["read"] / busy if busy > 0 else 0.0
        read, core = read + core * share, core * (1 - share)
    return {"read": read, "compute": core, "write": write}


def _same_crs(wkt: str, crs) -> bool:
    from .cli_io import Crs

    return bool(wkt) and Crs(wkt).same_as(crs)


def shapely_types(geoms):
    g = np.asarray(geoms, dtype=object)
    g = g[~shapely.is_missing(g)]
    ids = set(shapely.get_type_id(g).tolist())
    out = set()
    for i in ids:
        out.add({0: "point", 4: "point", 1: "line", 2: "line", 5: "line", 3: "polygon", 6: "polygon"}.get(i, "other"))
    return out


# --------------------------------------------------------------------------- pipeclearance
def run_pipeclearance(args, log, bar):
    from .cli_io import InputError, read_layer, write_features
    from .core.geometry import LINE, POLYGON
    from .core.pipes import check_buildings, prepare_pipes
    from .core.rules import load_rules
    from .core.tiling import check_buildings_tiled

    t0 = time.time()
    outs = _prepare_outputs(args, ["output"], [args.footprints, args.pipelines])
    rules = load_rules(args.rules or None)
    stream = _stream_source(args, args.footprints, "--footprints", POLYGON)
    raw = read_layer(args.footprints, "--footprints") if stream is None else stream[1]
    work_crs = _work_crs(args, raw, log)
    pipes_raw = read_layer(args.pipelines, "--pipelines")
    if shapely_types(pipes_raw.geoms) - {"line"}:
        raise InputError(f"--pipelines: {pipes_raw.name} must hold lines")
    fields = list(pipes_raw.attrs.columns)
    names = {}
    for opt, default in (("kind_field", "kind"), ("pressure_field", "pressure"), ("diameter_field", "diameter_mm"),
                         ("clearance_field", "")):
        name = getattr(args, opt)
        name = default if name is None else name
        if name and name not in fields and len(name) > 10 and name[:10] in fields:
            log.info(f"pipe layer has no field '{name}': using '{name[:10]}' (shapefile field names are cut to "
                     "10 characters)")
            name = name[:10]
        if name and name not in fields:
            if opt == "kind_field":
                raise InputError(f"pipe layer '{pipes_raw.name}' has no kind field '{name}': choose the field holding "
                                 "the pipe kind (--kind-field)")
            log.warn(f"pipe layer has no field '{name}': treated as missing")
            name = ""
        names[opt] = name
    if not names["kind_field"]:
        raise InputError("choose the pipe kind field (--kind-field)")
    if stream is not None:
        source, bld_layer = stream
        source.columns = tuple(_id_fields(args, source.columns_all, bld_layer.name))
        source.src_wkt, source.dst_wkt = bld_layer.crs_wkt, ("" if _same_crs(bld_layer.crs_wkt, work_crs)
                                                             else work_crs.wkt())
    else:
        bld_layer, bld = _read_clean(raw, POLYGON, "--footprints", work_crs, log)
    del raw
    p_layer, p_clean = _read_clean(pipes_raw, LINE, "--pipelines", work_crs, log)
    bar.set(15)

    def column(opt):
        return p_layer.attrs[names[opt]].to_numpy(dtype=object) if names[opt] else None

    fallback = args.fallback_m if args.fallback_m is not None and args.fallback_m > 0 else None
    try:
        pipeset = prepare_pipes(p_clean.geoms, p_layer.fids, column("kind_field"), column("pressure_field"),
                                column("diameter_field"), column("clearance_field"), rules=rules, fallback_m=fallback,
                                kind_map=args.kind_map or None, class_map=args.class_map or None,
                                layer=p_layer.name, clean_geoms=False)
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    t_read = time.time()
    bar.stage("computing")
    mapper, close = _mapper(args, log)
    stream_secs = None
    try:
        if stream is not None:
            from .streaming import pipeclearance as streamed

            sres = streamed(source, pipeset, tile_m=args.tile_m, max_rows=args.chunk_rows, mapper=mapper,
                            threads=1 if mapper is not None else None, progress=bar.callback(15, 85))
            _stream_args(args, log, source, sres.n_chunks, "buildings")
            log.info(_clean_line(source.name, sres.clean_report))
            df, r, n_bld, stream_secs = sres.breaches, sres.report, sres.clean_report.n_in, sres.seconds
        else:
            if _tiled(args, len(bld.geoms)):
                result = check_buildings_tiled(pipeset, bld.geoms, bld_layer.fids, progress=bar.callback(15, 85),
                                               tile_m=args.tile_m, mapper=mapper,
                                               threads=1 if mapper is not None else None)
            else:
                result = check_buildings(pipeset, bld.geoms, bld_layer.fids, layer=bld_layer.name, clean_geoms=False,
                                         progress=bar.callback(15, 85))
            df, r, n_bld = result.breaches, result.report, bld.report.n_in
    finally:
        if close:
            close()
    t_core = time.time()
    bar.stage("writing")
    taken = [n for n, _ in BREACH_FIELDS]
    if stream is not None:
        id_spec, id_cols = _stream_id_columns(args, source, taken, sres.breach_attrs, log)
    else:
        id_spec, id_cols = _id_columns(args, bld_layer, taken, df["bld_fid"].to_numpy(), log)
    columns = [df[n] if n != "verified" else df[n].astype(np.int64) for n, _ in BREACH_FIELDS]
    write_features(outs["output"], BREACH_FIELDS[:1] + tuple(id_spec) + BREACH_FIELDS[1:], df["geometry"].to_numpy(),
                   columns[:1] + id_cols + columns[1:], work_crs)
    bar.set(100)
    log.info(f"pipes {r.n_pipes_in}: {r.n_pipes_checked} checked, {r.n_unmapped} unmapped; {r.n_breaches} breaches "
             f"in {r.n_buildings_in_breach} buildings")
    return {"N_BUILDINGS": n_bld, "N_PIPES": r.n_pipes_in, "N_PIPES_CHECKED": r.n_pipes_checked,
            "N_UNMAPPED_PIPES": r.n_unmapped, "N_BREACHES": r.n_breaches,
            "N_BREACH_BUILDINGS": r.n_buildings_in_breach, "breaches_by_kind": dict(r.breaches_by_kind),
            "seconds": _seconds(t0, t_read, t_core, time.time(), stream_secs), "streamed": stream is not None,
            "outputs": {k: (v.path if v else None) for k, v in outs.items()}}


# --------------------------------------------------------------------------- compareepochs
def run_compareepochs(args, log, bar):
    from .cli_io import write_features, write_source_rows
    from .core.geometry import POLYGON

    t0 = time.time()
    outs = _prepare_outputs(args, ["output", "output_demolished", "output_growth"], [args.earlier, args.later])
    acc = (args.accuracy_field or "").strip()
    options = {kw: getattr(args, opt) for opt, kw in TOLERANCES}
    e_stream = _stream_source(args, args.earlier, "--earlier", POLYGON)
    l_stream = _stream_source(args, args.later, "--later", POLYGON) if e_stream is not None else None
    if e_stream is not None and l_stream is not None:
        result, e_layer, l_layer, work_crs, stream_secs, later_bounds = _compareepochs_streamed(
            args, log, bar, e_stream, l_stream, acc, options)
        t_read = t0
    else:
        stream_secs = later_bounds = None
        result, e_layer, l_layer, work_crs, t_read = _compareepochs_whole(args, log, bar, acc, options)
    t_core = time.time()
    bar.stage("writing")
    e_label = args.earlier_date or e_layer.name
    l_label = args.later_date or l_layer.name
    later = result.later
    n = len(later)
    cols = [later[c] for c, _ in LATER_FIELDS[:-3]] + [later["fid"].to_numpy(), np.full(n, l_label, dtype=object),
                                                      np.full(n, e_label, dtype=object)]
    write_source_rows(outs["output"], l_layer, later["fid"].to_numpy(), cols, LATER_FIELDS, bounds=later_bounds)
    bar.set(85)
    dem = result.demolished
    m = len(dem)
    if outs["output_demolished"] is not None:
        write_source_rows(outs["output_demolished"], e_layer, dem["fid"].to_numpy(),
                          [np.full(m, "demolished", dtype=object), dem["area_prev"], dem["floors_prev"],
                           np.full(m, e_label, dtype=object), np.full(m, l_label, dtype=object)],
                          DEMOLISHED_FIELDS, only_listed=True)
    growth = result.growth
    if outs["output_growth"] is not None:
        write_features(outs["output_growth"], GROWTH_FIELDS, result.growth_geoms,
                       [growth["fid"], growth["change"], growth["growth_m2"], np.full(len(growth), l_label, dtype=object)],
                       work_crs)
    bar.set(100)
    changes = result.report.changes
    log.info("changes: " + ", ".join(f"{k} {v}" for k, v in sorted(changes.items())) + f"; demolished {m}")
    return {"N_EARLIER": len(e_layer), "N_LATER": n, "N_NEW": changes.get("new", 0),
            "N_EXPANDED": changes.get("expanded", 0) + changes.get("expanded+floors_added", 0),
            "N_FLOORS_ADDED": changes.get("floors_added", 0) + changes.get("expanded+floors_added", 0),
            "N_REBUILT": changes.get("rebuilt", 0), "N_SPLIT": changes.get("split", 0),
            "N_MERGED": changes.get("merged", 0), "N_UNCHANGED": changes.get("unchanged", 0), "N_DEMOLISHED": m,
            "GROWTH_M2": float(growth["growth_m2"].sum()) if len(growth) else 0.0, "changes": dict(changes),
            "seconds": _seconds(t0, t_read, t_core, time.time(), stream_secs), "streamed": stream_secs is not None,
            "outputs": {k: (v.path if v else None) for k, v in outs.items()}}


def _compareepochs_whole(args, log, bar, acc, options):
    from .cli_io import InputError, read_layer
    from .core.epochs import compare_epochs
    from .core.floors import parse_floors
    from .core.geometry import POLYGON, REPAIRED
    from .core.tiling import compare_epochs_tiled

    raw = read_layer(args.later, "--later")
    work_crs = _work_crs(args, raw, log)
    e_layer, e_clean = _read_clean(args.earlier, POLYGON, "--earlier", work_crs, log)
    bar.set(20)
    l_layer, l_clean = _read_clean(raw, POLYGON, "--later", work_crs, log)
    bar.set(40)
    acc_in = {k: bool(acc) and acc in lay.attrs.columns for k, lay in (("e", e_layer), ("l", l_layer))}
    if acc and not any(acc_in.values()):
        log.warn(f"neither epoch has the accuracy field '{acc}': confidence is graded on the outline noise only")

    def floors(layer, field_name, opt):
        if not field_name:
            return None
        if field_name not in layer.attrs.columns:
            raise InputError(f"--{opt}: layer '{layer.name}' has no field '{field_name}'")
        values, parsed = parse_floors(layer.attrs[field_name].to_numpy(dtype=object))
        if parsed.n_unparsed:
            log.info(f"{layer.name}: floors field '{field_name}': {parsed.n_unparsed} values are not a floor count "
                     "(treated as missing)")
        return values

    def accuracy(layer, key):
        if not acc_in[key]:
            return None
        v = pd.to_numeric(pd.Series(layer.attrs[acc].to_numpy(dtype=object), dtype=object),
                          errors="coerce").to_numpy(float)
        v[v < 0] = np.nan
        return v

    kwargs = dict(earlier_duplicate_of=e_clean.duplicate_of, later_duplicate_of=l_clean.duplicate_of,
                  earlier_repaired=e_clean.status == REPAIRED, earlier_accuracy=accuracy(e_layer, "e"),
                  later_accuracy=accuracy(l_layer, "l"), exact_iou=args.exact_iou, **options)
    fe = floors(e_layer, args.earlier_floors_field, "earlier-floors-field")
    fl = floors(l_layer, args.later_floors_field, "later-floors-field")
    t_read = time.time()
    bar.stage("computing")
    mapper, close = _mapper(args, log)
    try:
        if _tiled(args, len(l_clean.geoms)):
            if mapper is not None:
                kwargs["n_threads"] = 1
            result = compare_epochs_tiled(e_clean.geoms, e_layer.fids, l_clean.geoms, l_layer.fids, fe, fl,
                                          progress=bar.callback(45, 60), tile_m=args.tile_m, mapper=mapper, **kwargs)
        else:
            result = compare_epochs(e_clean.geoms, e_layer.fids, l_clean.geoms, l_layer.fids, fe, fl,
                                    progress=bar.callback(45, 60), **kwargs)
    finally:
        if close:
            close()
    return result, e_layer, l_layer, work_crs, t_read


def _compareepochs_streamed(args, log, bar, e_stream, l_stream, acc, options):
    """Both epochs read tile by tile (:func:`.streaming.compareepochs`)."""
    from .cli_io import InputError
    from .streaming import compareepochs

    (e_src, e_probe), (l_src, l_probe) = e_stream, l_stream
    work_crs = _work_crs(args, l_probe, log)
    for src, probe in ((e_src, e_probe), (l_src, l_probe)):
        src.src_wkt = probe.crs_wkt
        src.dst_wkt = "" if _same_crs(probe.crs_wkt, work_crs) else work_crs.wkt()
    for opt, field_name, src in (("earlier-floors-field", args.earlier_floors_field, e_src),
                                 ("later-floors-field", args.later_floors_field, l_src)):
        if field_name and field_name not in src.columns_all:
            raise InputError(f"--{opt}: layer '{src.name}' has no field '{field_name}'")
    acc_fields = tuple(acc if acc and acc in src.columns_all else "" for src in (e_src, l_src))
    if acc and not any(acc_fields):
        log.warn(f"neither epoch has the accuracy field '{acc}': confidence is graded on the outline noise only")
    mapper, close = _mapper(args, log)
    bar.stage("computing")
    try:
        if mapper is not None:
            options = dict(options, n_threads=1)
        s = compareepochs(e_src, l_src, earlier_floors_field=args.earlier_floors_field,
                          later_floors_field=args.later_floors_field, accuracy_field=acc_fields, tile_m=args.tile_m,
                          max_rows=args.chunk_rows, mapper=mapper, progress=bar.callback(5, 80),
                          exact_iou=args.exact_iou, **options)
    finally:
        if close:
            close()
    _stream_args(args, log, e_src, s.n_chunks, "buildings per epoch")
    log.info(f"{s.n_deferred[0]} earlier and {s.n_deferred[1]} later buildings in match groups that cross chunk "
             "borders: compared together at the end")
    log.info(_clean_line(e_src.name, s.e_report))
    log.info(_clean_line(l_src.name, s.l_report))
    e_probe.fids = np.zeros(s.e_report.n_in, dtype=np.int64)    # only its length and file are used from here on
    l_probe.fids = np.zeros(s.l_report.n_in, dtype=np.int64)
    return s.result, e_probe, l_probe, work_crs, s.seconds, s.later_bounds


# --------------------------------------------------------------------------- parser
def _common(p: argparse.ArgumentParser, rules=True):
    if rules:
        p.add_argument("--rules", help="rules file (TOML): setbacks, clearances, legal basis")
    p.add_argument("--work-crs", help="working CRS (projected, e.g. EPSG:4542); default: chosen from the footprints")
    g = p.add_argument_group("execution")
    g.add_argument("--partition", choices=("auto", "whole", "tiled"), default="auto",
                   help="tile the work (auto: tiled from 200,000 buildings; a GeoPackage layer is then read tile by "
                        "tile, so memory stays bounded); results are identical")
    g.add_argument("--tile-m", type=float, default=2000.0, help="tile size in metres (default 2000)")
    g.add_argument("--chunk-rows", type=int, default=250_000,
                   help="tiled runs on a GeoPackage read at most this many buildings at a time (default 250000)")
    g.add_argument("--scheduler", help="run the tiles on Dask: 'local' (LocalCluster, 2 workers) or tcp://host:port")
    g.add_argument("--workers", type=int, default=2, help="workers of --scheduler local (default 2)")
    g.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    g.add_argument("--quiet", action="store_true", help="no log lines, no progress bar")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="liangwei", description="两违巡查 checks without QGIS (same parameters and "
                                     "outputs as the QGIS algorithms liangwei:*).")
    sub = parser.add_subparsers(dest="command", required=True, metavar="ALGORITHM")

    p = sub.add_parser("controllines", help="buildings on control lines (red/blue/green/yellow/purple, water source)")
    p.add_argument("--footprints", required=True, help="building footprints (file.gpkg:layer)")
    for param, _t in ZONE_PARAMS:
        p.add_argument("--" + param.lower().replace("_", "-"), help=f"{param.lower().replace('_', ' ')} layer")
    p.add_argument("--min-area", type=float, default=1.0, help="minimum encroached area (m²), default 1")
    p.add_argument("--min-ratio", type=float, default=0.0, help="minimum share of the footprint (0-1), default 0")
    p.add_argument("--name-field", default="", help="zone name field (default: auto)")
    p.add_argument("--id-fields", default="", help=ID_FIELDS_HELP)
    p.add_argument("--output", required=True, help="encroached pieces")
    p.add_argument("--output-buildings", help="buildings with encroachment summary")
    _common(p)

    p = sub.add_parser("pipeclearance", help="buildings closer to a pipe than the required clearance")
    p.add_argument("--footprints", required=True)
    p.add_argument("--pipelines", required=True)
    p.add_argument("--kind-field", default=None, help="pipe kind field (default kind)")
    p.add_argument("--pressure-field", default=None, help="pressure class field (default pressure)")
    p.add_argument("--diameter-field", default=None, help="diameter field in mm (default diameter_mm)")
    p.add_argument("--clearance-field", default=None, help="per-pipe clearance field (m, optional)")
    p.add_argument("--kind-map", default="", help="kind value mapping, e.g. 燃气=gas;上水=water")
    p.add_argument("--class-map", default="", help="class value mapping, e.g. MB=medium_b")
    p.add_argument("--fallback-m", type=float, default=None, help="clearance for unmapped pipes (m)")
    p.add_argument("--id-fields", default="", help=ID_FIELDS_HELP)
    p.add_argument("--output", required=True, help="clearance breaches")
    _common(p)

    p = sub.add_parser("compareepochs", help="changes between two survey epochs")
    p.add_argument("--earlier", required=True)
    p.add_argument("--later", required=True)
    p.add_argument("--earlier-floors-field", default="")
    p.add_argument("--later-floors-field", default="")
    p.add_argument("--accuracy-field", default="")
    from .core.epoch_defaults import EPOCH_DEFAULTS

    for opt, kw in TOLERANCES:
        p.add_argument("--" + opt.replace("_", "-"), type=float, default=float(EPOCH_DEFAULTS[kw]))
    p.add_argument("--exact-iou", action="store_true")
    p.add_argument("--earlier-date", default="")
    p.add_argument("--later-date", default="")
    p.add_argument("--output", required=True, help="later buildings with change class")
    p.add_argument("--output-demolished", help="demolished buildings")
    p.add_argument("--output-growth", help="added parts")
    _common(p, rules=False)
    from .cli_register import add_parsers

    add_parsers(sub, _common)
    return parser


RUNNERS = {"controllines": run_controllines, "pipeclearance": run_pipeclearance, "compareepochs": run_compareepochs}


def _runner(command: str):
    if command in RUNNERS:
        return RUNNERS[command]
    from . import cli_register

    return cli_register.RUNNERS[command]


def main(argv=None) -> int:
    import warnings

    # GEOS reports NaN coordinates of degenerate intersection pieces through numpy; the rows are counted and
    # handled by the core (touching-only / below MIN_AREA), a terminal full of them helps nobody
    warnings.filterwarnings("ignore", category=RuntimeWarning, module="shapely")
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:   # argparse: usage error -> 2, --help -> 0
        return int(exc.code or 0)
    log = Log(args.quiet or args.json and not sys.stderr.isatty())
    bar = Progress(not args.quiet)
    from .cli_io import InputError
    from .core import RunCancelledError
    from .core.rules import RulesError

    try:
        summary = _runner(args.command)(args, log, bar)
    except (InputError, RulesError) as exc:
        bar.close()
        sys.stderr.write(f"liangwei {args.command}: error: {exc}\n")
        return EXIT_BAD_INPUT
    except (KeyboardInterrupt, RunCancelledError, Cancelled):
        bar.close()
        sys.stderr.write(f"liangwei {args.command}: cancelled\n")
        return EXIT_CANCELLED
    bar.close()
    if args.json:
        summary = {"algorithm": args.command, "ok": True, **summary, "log": log.lines}
        sys.stdout.write(json.dumps(summary, ensure_ascii=False, default=_json_default) + "\n")
    return EXIT_OK


def _json_default(o):
    try:
        return o.item()
    except AttributeError:
        return str(o)


if __name__ == "__main__":
    sys.exit(main())
