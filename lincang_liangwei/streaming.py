"""Province-scale runs: a footprint layer read tile by tile from its GeoPackage, bounded memory,
results identical to the whole-layer run.

How it works (no QGIS import; used by the command line and by the QGIS algorithms for big
GeoPackage inputs):

1. **Plan** from the layer's spatial index alone (:meth:`.GpkgLayer.index_boxes`): each feature
   is owned by the tile of its box centre (:func:`.core.tiling.plan_tiles`, Hilbert order);
   consecutive tiles are grouped into *chunks* of at most ``max_rows`` features.  Features
   without geometry (not in the index) form the last chunk(s).
2. **Read** one chunk: every feature whose index box meets the owned features' box grown by a
   small margin (so duplicates of an owned feature lying across the border are seen, exactly
   as in the whole-layer cleaning), reprojected and cleaned; the owned ones are kept.
3. **Compute** the chunk with the tiled core functions (:mod:`.core.tiling`), which are exact:
   a building's result depends only on the building and the zones / pipes near it.
4. **Collect**: per-building columns go into arrays over the whole layer (numbers, a few bytes
   per building); output rows (pieces, breaches) are gathered and sorted into the whole-layer
   order at the end.  Geometries of the footprints are never all in memory.

The chunk functions are module-level with picklable arguments, so a Dask mapper can run them on
other machines (they read the GeoPackage themselves: it must be reachable at the same path).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from .core import report_progress
from .core.geometry import DUPLICATE, EMPTY, NULL, OK, REPAIRED, UNREPAIRABLE, WRONG_TYPE, CleanReport, as_multi, clean
from .core.tiling import DEFAULT_TILE_M, HALO_SLACK_M, plan_tiles
from .gpkgsource import GpkgLayer, NotIndexedError

__all__ = ["DEFAULT_CHUNK_ROWS", "STREAM_MIN_FEATURES", "Chunk", "StreamSource", "open_source", "plan_chunks",
           "read_chunk", "controllines", "pipeclearance", "report_from_status"]

#: at most this many owned features per chunk (about 1 GB of working memory)
DEFAULT_CHUNK_ROWS = 250_000
#: ``partition=auto`` streams from this many features on
STREAM_MIN_FEATURES = 1_000_000


@dataclass
class Chunk:
    """Owned fids (sorted) and the box (source CRS) to read them from; ``box`` None: read by fid."""

    fids: np.ndarray
    box: tuple | None
    boxes: np.ndarray | None = None   # read these boxes (one per tile) instead of ``box``


@dataclass
class StreamSource:
    """What a chunk task needs to open the layer itself (picklable)."""

    path: str
    layer: str
    name: str
    kind: str
    columns: tuple = ()
    src_wkt: str = ""
    dst_wkt: str = ""          # reproject into this CRS when it differs from ``src_wkt`` ("" = no)
    margin: float = 1.0        # read margin around a chunk, source CRS units
    multi: bool = False        # single parts as one-part multi geometries (as QGIS reads a layer of multi type)
    tile_m: float = DEFAULT_TILE_M          # the run's tiles and chunks, unless the call says otherwise
    chunk_rows: int = DEFAULT_CHUNK_ROWS


@dataclass
class ChunkData:
    fids: np.ndarray
    geoms: np.ndarray          # cleaned, None where skipped
    status: np.ndarray
    attrs: dict
    duplicate_of_fid: np.ndarray   # fid of the kept copy for duplicates, -1 elsewhere
    n_zm: int = 0


def open_source(path: str, layer: str) -> GpkgLayer | None:
    """The GeoPackage layer when it can be streamed (exists, has a spatial index), else None."""
    try:
        src = GpkgLayer(path, layer)
    except Exception:  # noqa: BLE001 - not a GeoPackage we can stream: whole-layer path
        return None
    if not src.indexed:
        src.close()
        return None
    return src


def plan_chunks(src: GpkgLayer, tile_m: float = DEFAULT_TILE_M, max_rows: int = DEFAULT_CHUNK_ROWS,
                margin: float = 1.0, boxes_out: list | None = None) -> tuple[list, np.ndarray]:
    """(chunks, every fid of the layer sorted).  ``boxes_out``: receives the index box of every fid (float32,
    NaN without geometry), which a GeoPackage copy of the source rows uses instead of reading every blob."""
    if not src.indexed:
        raise NotIndexedError(src.layer)
    fids, boxes = src.index_boxes()
    all_fids = src.all_fids()
    centres = np.column_stack([(boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2])
    plan = plan_tiles(centres, tile_m)
    chunks = []
    cur: list = []
    size = 0

    def grown(b):
        return (b[:, 0].min() - margin, b[:, 1].min() - margin, b[:, 2].max() + margin, b[:, 3].max() + margin)

    def flush():
        nonlocal cur, size
        if cur:
            idx = np.sort(np.concatenate(cur))
            chunks.append(Chunk(fids[idx], grown(boxes[idx]), np.array([grown(boxes[t]) for t in cur])))
        cur, size = [], 0

    for idx in plan.groups:
        if size and size + len(idx) > max_rows:
            flush()
        cur.append(idx)
        size += len(idx)
    flush()
    if boxes_out is not None:
        full = np.full((len(all_fids), 4), np.nan, dtype=np.float32)
        full[np.searchsorted(all_fids, fids)] = boxes    # the index's float32 boxes: exact in float32
        boxes_out.append(full)
    rest = np.setdiff1d(all_fids, fids, assume_unique=True)
    for k in range(0, len(rest), max_rows):
        chunks.append(Chunk(rest[k:k + max_rows], None))
    return chunks, all_fids


def _reprojector(src_wkt: str, dst_wkt: str):
    """f(coords (n, 2)) -> coords in the destination CRS: GDAL's osr when present (always in QGIS), else pyproj."""
    try:
        from osgeo import osr

        osr.UseExceptions()
        a, b = osr.SpatialReference(), osr.SpatialReference()
        a.SetFromUserInput(src_wkt)
        b.SetFromUserInput(dst_wkt)
        for s in (a, b):
            s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        t = osr.CoordinateTransformation(a, b)

        def f(coords):
            if len(coords) == 0:
                return coords
            return np.asarray(t.TransformPoints(coords.tolist()))[:, :2]
        return f
    except ImportError:
        from pyproj import Transformer

        t = Transformer.from_crs(src_wkt, dst_wkt, always_xy=True)

        def g(coords):
            x, y = t.transform(coords[:, 0], coords[:, 1])
            return np.column_stack([x, y])
        return g


def read_chunk(source: StreamSource, chunk: Chunk, src: GpkgLayer | None = None) -> ChunkData:
    """Read, reproject and clean one chunk; the owned features only (see the module notes)."""
    own_src = src is None
    src = src or GpkgLayer(source.path, source.layer)
    try:
        if chunk.box is None:
            fids, geoms, bad, attrs = src.read_fids(chunk.fids, source.columns)
        elif chunk.boxes is not None:
            fids, geoms, bad, attrs = src.read_boxes(chunk.boxes, source.columns)
        else:
            fids, geoms, bad, attrs = src.read_box(chunk.box, source.columns)
    finally:
        if own_src:
            src.close()
    n_zm = 0
    if source.multi:
        geoms = as_multi(geoms)
    if source.dst_wkt and source.dst_wkt != source.src_wkt:
        ok = ~shapely.is_missing(geoms)
        geoms = geoms.copy()
        geoms[ok] = shapely.transform(geoms[ok], _reprojector(source.src_wkt, source.dst_wkt))
    own = np.isin(fids, chunk.fids, assume_unique=True)
    if own.any():
        live = own & ~shapely.is_missing(geoms)
        n_zm = int(shapely.has_z(geoms[live]).sum()) if live.any() else 0
    cleaned = clean(geoms, kind=source.kind, layer=source.name, unparsable=bad, ids=fids)
    dup = cleaned.duplicate_of
    dup_fid = np.full(len(fids), -1, dtype=np.int64)
    if dup is not None:
        has = dup >= 0
        dup_fid[has] = fids[dup[has]]
    return ChunkData(fids=fids[own], geoms=cleaned.geoms[own], status=cleaned.status[own],
                     attrs={k: v[own] for k, v in attrs.items()}, duplicate_of_fid=dup_fid[own], n_zm=n_zm)


_STATUS_ATTRS = ((OK, "n_ok"), (REPAIRED, "n_repaired"), (NULL, "n_null"), (EMPTY, "n_empty"),
                 (UNREPAIRABLE, "n_unrepairable"), (WRONG_TYPE, "n_wrong_type"), (DUPLICATE, "n_duplicate"))


def report_from_status(status: np.ndarray, layer: str, kind: str, n_zm: int = 0) -> CleanReport:
    """The cleaning counts of a whole layer from its per-feature status codes."""
    rep = CleanReport(layer=layer, kind=kind, n_in=len(status))
    counts = np.bincount(np.asarray(status, dtype=np.int64), minlength=8)
    for code, attr in _STATUS_ATTRS:
        setattr(rep, attr, int(counts[code]))
    rep.n_zm = n_zm
    return rep


#: chunks in flight in one process: GEOS, SQLite and numpy release the GIL, so a second thread reads and cleans
#: the next chunk while the first computes (two chunks in memory at a time)
IN_FLIGHT = 2


def _plan(source: StreamSource, tile_m, max_rows):
    """(chunks, every fid sorted, a status array to fill: NULL until a chunk says otherwise, index boxes)."""
    src = GpkgLayer(source.path, source.layer)
    boxes: list = []
    try:
        chunks, all_fids = plan_chunks(src, tile_m, max_rows, source.margin, boxes)
    finally:
        src.close()
    return chunks, all_fids, np.full(len(all_fids), NULL, dtype=np.int8), boxes[0]


class Columns(dict):
    """Per-building columns over a whole layer: ``b.name`` or ``b["name"]``, like the core's DataFrame, without
    the copy a DataFrame of 10^7 rows would make."""

    __getattr__ = dict.__getitem__


def _run(mapper, func, tasks, progress, start=0.0, end=1.0):
    """Results of ``func(*task)`` in task order, through ``mapper`` (None: here, :data:`IN_FLIGHT` threads)."""
    if mapper is not None:
        yield from mapper(func, tasks)
        report_progress(progress, end)
        return
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    workers = max(1, min(IN_FLIGHT, os.cpu_count() or 1))
    pending: deque = deque()
    with ThreadPoolExecutor(workers) as pool:
        try:
            it = iter(tasks)
            for t in it:
                pending.append(pool.submit(func, *t))
                if len(pending) >= workers:
                    break
            done = 0
            while pending:
                result = pending.popleft().result()
                nxt = next(it, None)
                if nxt is not None:
                    pending.append(pool.submit(func, *nxt))
                done += 1
                yield result
                report_progress(progress, start + (end - start) * done / max(len(tasks), 1))
        finally:
            for f in pending:
                f.cancel()


def _chunk_bounds(geoms):
    g = geoms[~shapely.is_missing(geoms)]
    return None if len(g) == 0 else shapely.total_bounds(g)


def _near(tree_geoms, bounds, margin):
    """Positions (ascending) of ``tree_geoms`` whose box meets ``bounds`` grown by ``margin``."""
    if bounds is None or len(tree_geoms) == 0:
        return np.empty(0, dtype=np.int64)
    x0, y0, x1, y1 = bounds
    b = shapely.bounds(tree_geoms)
    hit = (b[:, 0] <= x1 + margin) & (b[:, 2] >= x0 - margin) & (b[:, 1] <= y1 + margin) & (b[:, 3] >= y0 - margin)
    return np.flatnonzero(hit)


def _own_copies(geoms):
    """Copies of shared geometries for one chunk: GEOS prepares a geometry in place the first time it is used in
    a query, and two threads preparing the same zone at once crash; the copies are bit-identical."""
    return shapely.from_wkb(shapely.to_wkb(geoms, include_srid=False)) if len(geoms) else geoms


def _near_zones(zonesets, geoms, setbacks):
    """The zone sets cut down to the zones that can reach the chunk's buildings (whole zones, input order), so
    every (building, zone) pair is the one of the whole-layer run."""
    from .core.controllines import ZoneSet

    bounds = _chunk_bounds(geoms)
    out = []
    for zs in zonesets:
        take = _near(zs.geoms, bounds, float(setbacks.get(zs.line_type, 0.0)) + HALO_SLACK_M)
        out.append(ZoneSet(zs.line_type, _own_copies(zs.geoms[take]), np.asarray(zs.fids)[take],
                           None if zs.names is None else np.asarray(zs.names, dtype=object)[take], zs.is_line,
                           zs.layer))
    return out


def _near_pipes(pipes, geoms):
    from .core.tiling import subset_pipes

    act = np.flatnonzero(pipes.active)
    margin = float(pipes.required_m[act].max()) + HALO_SLACK_M if len(act) else 0.0
    near = subset_pipes(pipes, act[_near(pipes.geoms[act], _chunk_bounds(geoms), margin)])
    near.geoms = _own_copies(near.geoms)
    return near


# --------------------------------------------------------------------------- control lines
@dataclass
class StreamedControlLines:
    fids: np.ndarray               # every footprint fid, sorted (the row order of ``buildings``)
    status: np.ndarray
    buildings: Columns             # the per-building columns of core.controllines.encroachments
    hits: pd.DataFrame             # whole-layer order (by building fid, then as the core gives them)
    hit_geoms: np.ndarray
    hit_attrs: dict                # requested footprint columns of each hit's building, aligned with hits
    stats: object
    clean_report: CleanReport
    n_chunks: int
    seconds: dict = field(default_factory=dict)
    bounds: tuple | None = None    # (fids, index boxes): for the GeoPackage copy of every footprint


def _controllines_chunk(source, chunk, zonesets, setbacks, min_area, min_ratio, tile_m):
    import time

    from .core.controllines import encroachments

    t0 = time.perf_counter()
    d = read_chunk(source, chunk)
    t1 = time.perf_counter()
    near = _near_zones(zonesets, d.geoms, setbacks)
    res = encroachments(d.geoms, d.fids, near, setbacks, min_area, min_ratio)
    pos = res.hits["bld_idx"].to_numpy(dtype=np.int64)
    hit_attrs = {k: v[pos] for k, v in d.attrs.items()}
    return d.fids, d.status, d.n_zm, res, hit_attrs, (t1 - t0, time.perf_counter() - t1)


def controllines(source: StreamSource, zonesets, setbacks, min_area=1.0, min_ratio=0.0, *,
                 tile_m: float | None = None, max_rows: int | None = None, mapper=None,
                 progress=None) -> StreamedControlLines:
    """:func:`.core.controllines.encroachments` over a GeoPackage footprint layer, chunk by chunk."""
    tile_m, max_rows = tile_m or source.tile_m, max_rows or source.chunk_rows
    from .core.controllines import EncroachStats

    chunks, all_fids, status, index_boxes = _plan(source, tile_m, max_rows)
    n = len(all_fids)
    types = list(dict.fromkeys(zs.line_type for zs in zonesets))
    cols = {"n_zones": np.zeros(n, dtype=np.int64), "enc_area_total": np.zeros(n),
            "line_types": np.full(n, "", dtype=object), "max_ratio": np.zeros(n), "area_m2": np.zeros(n)}
    for t in types:
        cols[f"enc_{t}"] = np.zeros(n)
    hit_frames, hit_geoms, hit_attr_parts = [], [], []
    stats = EncroachStats()
    n_zm = 0
    t_read = t_core = 0.0
    tasks = [(source, c, zonesets, setbacks, min_area, min_ratio, tile_m) for c in chunks]
    for fids, st, zm, res, hattrs, secs in _run(mapper, _controllines_chunk, tasks, progress):
        pos = np.searchsorted(all_fids, fids)
        status[pos] = st
        b = res.buildings
        for c in cols:
            if c in b:
                cols[c][pos] = b[c].to_numpy()
        hit_frames.append(res.hits)
        hit_geoms.append(res.hit_geoms)
        hit_attr_parts.append(hattrs)
        for k in ("pairs_tested", "suppressed_small", "touching_only"):
            setattr(stats, k, getattr(stats, k) + getattr(res.stats, k))
        n_zm += zm
        t_read += secs[0]
        t_core += secs[1]
    hits = pd.concat(hit_frames, ignore_index=True) if hit_frames else pd.DataFrame(
        columns=["bld_fid", "line_type", "zone_fid", "zone_name", "enc_area", "enc_ratio", "hit_kind", "bld_idx",
                 "where"])
    geoms = np.concatenate(hit_geoms) if hit_geoms else np.empty(0, dtype=object)
    order = np.argsort(hits["bld_fid"].to_numpy(dtype=np.int64), kind="stable")
    hits = hits.iloc[order].reset_index(drop=True)
    hits["bld_idx"] = np.searchsorted(all_fids, hits["bld_fid"].to_numpy(dtype=np.int64))
    geoms = geoms[order]
    hit_attrs = {k: np.concatenate([p[k] for p in hit_attr_parts])[order] for k in source.columns} \
        if hit_attr_parts else {k: np.empty(0, dtype=object) for k in source.columns}
    buildings = Columns(fid=all_fids, **cols)
    stats.hits = len(hits)
    lt = hits["line_type"].to_numpy(dtype=object)
    bi = hits["bld_idx"].to_numpy(dtype=np.int64)
    for t in types:
        sel = lt == t
        stats.by_type[t] = (int(sel.sum()), len(np.unique(bi[sel])), float(buildings[f"enc_{t}"].sum()))
    rep = report_from_status(status, source.name, source.kind, n_zm)
    return StreamedControlLines(all_fids, status, buildings, hits, geoms, hit_attrs, stats, rep, len(chunks),
                                {"read": t_read, "compute": t_core}, (all_fids, index_boxes))


# --------------------------------------------------------------------------- pipes
@dataclass
class StreamedPipes:
    fids: np.ndarray
    status: np.ndarray
    breaches: pd.DataFrame         # whole-layer order; ``bld_fid`` = footprint fid
    per_building: pd.DataFrame
    breach_attrs: dict
    report: object
    clean_report: CleanReport
    n_chunks: int
    seconds: dict = field(default_factory=dict)


def _pipes_chunk(source, chunk, pipes, tile_m, threads, with_geometry):
    import time

    from .core.pipes import check_buildings

    t0 = time.perf_counter()
    d = read_chunk(source, chunk)
    t1 = time.perf_counter()
    res = check_buildings(_near_pipes(pipes, d.geoms), d.geoms, d.fids, clean_geoms=False, with_geometry=with_geometry,
                          threads=threads)
    pos = np.searchsorted(d.fids, res.breaches["bld_fid"].to_numpy(dtype=np.int64))
    attrs = {k: v[pos] for k, v in d.attrs.items()}
    return d.fids, d.status, d.n_zm, res, attrs, (t1 - t0, time.perf_counter() - t1)


def pipeclearance(source: StreamSource, pipes, *, tile_m: float | None = None, max_rows: int | None = None,
                  mapper=None, threads: int | None = None, with_geometry: bool = True, progress=None) -> StreamedPipes:
    """:func:`.core.pipes.check_buildings` over a GeoPackage footprint layer, chunk by chunk."""
    tile_m, max_rows = tile_m or source.tile_m, max_rows or source.chunk_rows
    from .core.pipes import PipeReport

    chunks, all_fids, status, _boxes = _plan(source, tile_m, max_rows)
    n = len(all_fids)
    br_parts, sm_parts, attr_parts, reports = [], [], [], []
    n_zm = 0
    t_read = t_core = 0.0
    tasks = [(source, c, pipes, tile_m, threads, with_geometry) for c in chunks]
    for fids, st, zm, res, attrs, secs in _run(mapper, _pipes_chunk, tasks, progress):
        status[np.searchsorted(all_fids, fids)] = st
        br_parts.append(res.breaches)
        sm_parts.append(res.per_building)
        attr_parts.append(attrs)
        reports.append(res.report)
        n_zm += zm
        t_read += secs[0]
        t_core += secs[1]
    br = pd.concat(br_parts, ignore_index=True)
    order = np.argsort(br["bld_fid"].to_numpy(dtype=np.int64), kind="stable")
    br = br.iloc[order].reset_index(drop=True)
    attrs = {k: np.concatenate([p[k] for p in attr_parts])[order] for k in source.columns}
    sm = pd.concat(sm_parts, ignore_index=True)
    sm = sm.iloc[np.argsort(sm["bld_fid"].to_numpy(dtype=np.int64), kind="stable")].reset_index(drop=True)
    rep = PipeReport.combine(reports)
    rep.bld_clean = None
    rep.n_buildings_in = n
    vc = br["kind"].replace("", "(unmapped)").value_counts() if len(br) else pd.Series(dtype=int)
    rep.breaches_by_kind = {str(k): int(v) for k, v in vc.items()}
    return StreamedPipes(all_fids, status, br, sm, attrs, rep, report_from_status(status, source.name, source.kind,
                                                                                   n_zm),
                         len(chunks), {"read": t_read, "compute": t_core})


# --------------------------------------------------------------------------- survey epochs
# Matching links buildings into components that can chain, so a fixed halo is not enough.  Instead:
# a feature is *open* in a chunk when its box (grown by the margin) touches a tile of another chunk.  Two
# intersecting features owned by different chunks are both read by one of them, where at least one of the two
# is open; so a component without open features is complete and is compared in its chunk, and every component
# holding an open feature ("deferred") is collected whole and compared once at the end.  The outline-noise
# quantile of the confidence grading, the only global quantity, is computed on the merged table.

@dataclass
class EpochPlan:
    tile_m: float
    margin: float
    tile_keys: np.ndarray        # sorted keys of the tiles that own features
    tile_chunk: np.ndarray       # chunk index of each of those tiles
    chunks: list                 # (earlier owned fids, later owned fids, tile boxes (k, 4))
    nogeom: tuple                # (earlier fids, later fids) without geometry
    e_fids: np.ndarray           # every fid, sorted
    l_fids: np.ndarray
    l_boxes: np.ndarray | None = None   # index box of every later fid (float32, NaN without geometry)


def _key(ix, iy):
    return np.asarray(ix, dtype=np.int64) * (1 << 32) + (np.asarray(iy, dtype=np.int64) & 0xFFFFFFFF)


def plan_epochs(e_src: GpkgLayer, l_src: GpkgLayer, tile_m: float = DEFAULT_TILE_M,
                max_rows: int = DEFAULT_CHUNK_ROWS, margin: float = 1.0) -> EpochPlan:
    eF, eB = e_src.index_boxes()
    lF, lB = l_src.index_boxes()
    B = np.concatenate([lB, eB])
    nl = len(lF)
    plan = plan_tiles(np.column_stack([(B[:, 0] + B[:, 2]) / 2, (B[:, 1] + B[:, 3]) / 2]), tile_m)
    chunks, keys, owner = [], [], []
    cur, size = [], 0

    def flush():
        nonlocal cur, size
        if cur:
            idx = np.sort(np.concatenate([g for g, _ in cur]))
            tiles = np.array([[ix * tile_m - margin, iy * tile_m - margin, (ix + 1) * tile_m + margin,
                               (iy + 1) * tile_m + margin] for _, (ix, iy) in cur])
            chunks.append((eF[idx[idx >= nl] - nl], lF[idx[idx < nl]], tiles))
            for _, (ix, iy) in cur:
                keys.append(_key(ix, iy))
                owner.append(len(chunks) - 1)
        cur, size = [], 0

    for idx, key in zip(plan.groups, plan.keys):
        if size and size + len(idx) > 2 * max_rows:
            flush()
        cur.append((idx, key))
        size += len(idx)
    flush()
    keys = np.asarray(keys, dtype=np.int64)
    order = np.argsort(keys)
    e_all, l_all = e_src.all_fids(), l_src.all_fids()
    l_boxes = np.full((len(l_all), 4), np.nan, dtype=np.float32)
    l_boxes[np.searchsorted(l_all, lF)] = lB
    return EpochPlan(tile_m, margin, keys[order], np.asarray(owner, dtype=np.int64)[order], chunks,
                     (np.setdiff1d(e_all, eF), np.setdiff1d(l_all, lF)), e_all, l_all, l_boxes)


def _chunk_of(plan_keys, plan_chunk, ix, iy):
    k = _key(ix, iy)
    pos = np.clip(np.searchsorted(plan_keys, k), 0, max(len(plan_keys) - 1, 0))
    found = plan_keys[pos] == k if len(plan_keys) else np.zeros(len(k), dtype=bool)
    return np.where(found, plan_chunk[pos] if len(plan_keys) else -1, -1)


def _open(raw_geoms, plan_keys, plan_chunk, chunk_index, tile_m, margin):
    """Features whose box grown by ``margin`` touches a tile of another chunk (or more than 2 x 2 tiles)."""
    b = shapely.bounds(raw_geoms)
    ok = np.isfinite(b).all(axis=1)
    out = np.zeros(len(raw_geoms), dtype=bool)
    if not ok.any():
        return out
    b = b[ok]
    ix0 = np.floor((b[:, 0] - margin) / tile_m).astype(np.int64)
    iy0 = np.floor((b[:, 1] - margin) / tile_m).astype(np.int64)
    ix1 = np.floor((b[:, 2] + margin) / tile_m).astype(np.int64)
    iy1 = np.floor((b[:, 3] + margin) / tile_m).astype(np.int64)
    o = ((ix1 - ix0) > 1) | ((iy1 - iy0) > 1)
    for x, y in ((ix0, iy0), (ix1, iy0), (ix0, iy1), (ix1, iy1)):
        o |= _chunk_of(plan_keys, plan_chunk, x, y) != chunk_index
    out[ok] = o
    return out


@dataclass
class _EpochSide:
    fids: np.ndarray
    geoms: np.ndarray          # cleaned
    status: np.ndarray
    dup_fid: np.ndarray
    floors: np.ndarray
    accuracy: np.ndarray | None


def _read_side(source, owned, boxes, floors_field, acc_field, plan_keys, plan_chunk, chunk_index, tile_m):
    """Read + clean one epoch in a chunk; keep the owned features and the open ones; (side, owned, open)."""
    from .core.floors import parse_floors

    cols = tuple(c for c in (floors_field, acc_field) if c)
    src = GpkgLayer(source.path, source.layer)
    try:
        fids, geoms, bad, attrs = src.read_boxes(boxes, cols) if boxes is not None else src.read_fids(owned, cols)
    finally:
        src.close()
    if source.multi:
        geoms = as_multi(geoms)
    if source.dst_wkt and source.dst_wkt != source.src_wkt:
        raw = geoms
        geoms = geoms.copy()
        ok = ~shapely.is_missing(geoms)
        geoms[ok] = shapely.transform(geoms[ok], _reprojector(source.src_wkt, source.dst_wkt))
    else:
        raw = geoms
    is_owned = np.isin(fids, owned, assume_unique=True)
    is_open = _open(raw, plan_keys, plan_chunk, chunk_index, tile_m, source.margin) if boxes is not None \
        else np.zeros(len(fids), dtype=bool)
    cleaned = clean(geoms, kind=source.kind, layer=source.name, unparsable=bad, ids=fids)
    dup = cleaned.duplicate_of
    dup_fid = np.full(len(fids), -1, dtype=np.int64)
    if dup is not None:
        dup_fid[dup >= 0] = fids[dup[dup >= 0]]
    keep = is_owned | is_open
    floors = parse_floors(attrs[floors_field])[0] if floors_field else np.full(len(fids), np.nan)
    acc = _accuracy(attrs[acc_field]) if acc_field else None
    side = _EpochSide(fids[keep], cleaned.geoms[keep], cleaned.status[keep], dup_fid[keep],
                      np.asarray(floors, dtype=float)[keep], None if acc is None else acc[keep])
    return side, is_owned[keep], is_open[keep]


def _accuracy(values):
    v = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(float)
    v[v < 0] = np.nan
    return v


def _compare(E: _EpochSide, L: _EpochSide, e_sel, l_sel, options):
    from .core.epochs import compare_epochs

    return compare_epochs(E.geoms[e_sel], E.fids[e_sel], L.geoms[l_sel], L.fids[l_sel], E.floors[e_sel],
                          L.floors[l_sel], earlier_duplicate_of=np.where(E.dup_fid[e_sel] >= 0, 0, -1),
                          later_duplicate_of=np.where(L.dup_fid[l_sel] >= 0, 0, -1), **options)


def _epochs_chunk(e_source, l_source, e_owned, l_owned, boxes, plan_keys, plan_chunk, chunk_index, tile_m, fields,
                  options):
    import time

    from .core.tiling import match_components

    t0 = time.perf_counter()
    E, e_own, e_open = _read_side(e_source, e_owned, boxes, fields[0], fields[2], plan_keys, plan_chunk, chunk_index,
                                  tile_m)
    L, l_own, l_open = _read_side(l_source, l_owned, boxes, fields[1], fields[3], plan_keys, plan_chunk, chunk_index,
                                  tile_m)
    t1 = time.perf_counter()
    usedE = (E.status <= REPAIRED)
    usedL = (L.status <= REPAIRED)
    labE, labL = match_components(E.geoms, L.geoms, usedE, usedL)
    ncomp = int(max(labE.max(initial=-1), labL.max(initial=-1))) + 1
    deferred = np.zeros(ncomp + 1, dtype=bool)
    deferred[labE[e_open & (labE >= 0)]] = True
    deferred[labL[l_open & (labL >= 0)]] = True
    e_def = (labE >= 0) & deferred[labE]
    l_def = (labL >= 0) & deferred[labL]
    e_sel = e_own & ~e_def
    l_sel = l_own & ~l_def
    res = _compare(E, L, e_sel, l_sel, options)
    # what the deferred comparison needs: the owned deferred features, cleaned
    e_d = e_own & e_def
    l_d = l_own & l_def
    owned_status = (E.fids[e_own], E.status[e_own], E.dup_fid[e_own], E.accuracy[e_own] if E.accuracy is not None
                    else None, L.fids[l_own], L.status[l_own], L.dup_fid[l_own],
                    L.accuracy[l_own] if L.accuracy is not None else None)
    deferred_part = (_subset(E, e_d), _subset(L, l_d))
    return res, owned_status, deferred_part, (t1 - t0, time.perf_counter() - t1)


def _subset(side: _EpochSide, sel) -> _EpochSide:
    return _EpochSide(side.fids[sel], side.geoms[sel], side.status[sel], side.dup_fid[sel], side.floors[sel],
                      None if side.accuracy is None else side.accuracy[sel])


def _concat_sides(parts) -> _EpochSide:
    fids = np.concatenate([p.fids for p in parts])
    o = np.argsort(fids, kind="stable")
    acc = None if any(p.accuracy is None for p in parts) else np.concatenate([p.accuracy for p in parts])[o]
    return _EpochSide(fids[o], np.concatenate([p.geoms for p in parts])[o], np.concatenate([p.status for p in parts])[o],
                      np.concatenate([p.dup_fid for p in parts])[o], np.concatenate([p.floors for p in parts])[o], acc)


@dataclass
class StreamedEpochs:
    result: object                 # core.epochs.EpochResult over every feature (rows sorted by fid)
    e_status: np.ndarray
    l_status: np.ndarray
    e_report: CleanReport
    l_report: CleanReport
    n_chunks: int
    n_deferred: tuple
    seconds: dict = field(default_factory=dict)
    later_bounds: tuple | None = None   # (fids, index boxes) of the later layer, for the copy of its rows


def compareepochs(e_source: StreamSource, l_source: StreamSource, *, earlier_floors_field: str = "",
                  later_floors_field: str = "", accuracy_field: tuple = ("", ""), tile_m: float | None = None,
                  max_rows: int | None = None, mapper=None, progress=None, **options) -> StreamedEpochs:
    """:func:`.core.epochs.compare_epochs` over two GeoPackage layers, chunk by chunk (see the notes above).
    ``accuracy_field``: the accuracy field of (earlier, later), "" where the layer lacks it.  ``options``: the
    tolerances, ``exact_iou`` and the confidence settings of ``compare_epochs``."""
    tile_m, max_rows = tile_m or l_source.tile_m, max_rows or l_source.chunk_rows
    import time

    from .core.tiling import finish_epochs

    e_src, l_src = GpkgLayer(e_source.path, e_source.layer), GpkgLayer(l_source.path, l_source.layer)
    try:
        plan = plan_epochs(e_src, l_src, tile_m, max_rows, max(e_source.margin, l_source.margin))
    finally:
        e_src.close()
        l_src.close()
    core_opts = {k: v for k, v in options.items() if k not in ("noise_quantile", "confidence_high",
                                                                "confidence_medium")}
    e_acc, l_acc = accuracy_field
    fields = (earlier_floors_field, later_floors_field, e_acc, l_acc)
    tasks = []
    for k, (e_owned, l_owned, boxes) in enumerate(plan.chunks):
        tasks.append((e_source, l_source, e_owned, l_owned, boxes, plan.tile_keys, plan.tile_chunk, k, tile_m, fields,
                      core_opts))
    if len(plan.nogeom[0]) or len(plan.nogeom[1]):
        tasks.append((e_source, l_source, plan.nogeom[0], plan.nogeom[1], None, plan.tile_keys, plan.tile_chunk, -1,
                      tile_m, fields, core_opts))
    results, owned, deferred = [], [], []
    t_read = t_core = 0.0
    for res, own, dpart, secs in _run(mapper, _epochs_chunk, tasks, progress, 0.0, 0.9):
        results.append(res)
        owned.append(own)
        deferred.append(dpart)
        t_read += secs[0]
        t_core += secs[1]
    t1 = time.perf_counter()
    DE = _concat_sides([d[0] for d in deferred]) if deferred else None
    DL = _concat_sides([d[1] for d in deferred]) if deferred else None
    if DE is not None and (len(DE.fids) or len(DL.fids)):
        results.append(_compare(DE, DL, np.ones(len(DE.fids), bool), np.ones(len(DL.fids), bool), core_opts))
    n_deferred = (0, 0) if DE is None else (len(DE.fids), len(DL.fids))
    del DE, DL, deferred

    eids, lids = plan.e_fids, plan.l_fids
    nE, nL = len(eids), len(lids)
    e_status = np.full(nE, NULL, dtype=np.int8)
    l_status = np.full(nL, NULL, dtype=np.int8)
    e_dup = np.full(nE, -1, dtype=np.int64)
    l_dup = np.full(nL, -1, dtype=np.int64)
    e_accv = np.full(nE, np.nan) if e_acc else None
    l_accv = np.full(nL, np.nan) if l_acc else None
    for ef, es, ed, ea, lf, ls, ld, la in owned:
        pe, pl = np.searchsorted(eids, ef), np.searchsorted(lids, lf)
        e_status[pe], e_dup[pe] = es, ed
        l_status[pl], l_dup[pl] = ls, ld
        if e_accv is not None and ea is not None:
            e_accv[pe] = ea
        if l_accv is not None and la is not None:
            l_accv[pl] = la
    later = pd.concat([r.later for r in results], ignore_index=True)
    for r in results:      # the parts' tables are in ``later`` now: only their growth and report are used below
        r.later = None
    earlier = pd.concat([r.earlier for r in results], ignore_index=True)
    for r in results:
        r.earlier = None
    later = later.iloc[np.argsort(later["fid"].to_numpy(dtype=np.int64), kind="stable")].reset_index(drop=True)
    earlier = earlier.iloc[np.argsort(earlier["fid"].to_numpy(dtype=np.int64), kind="stable")].reset_index(drop=True)
    assert len(later) == nL and len(earlier) == nE
    later["dup_of"] = np.where(l_dup >= 0, l_dup.astype(str), "").astype(object)
    earlier["dup_of"] = np.where(e_dup >= 0, e_dup.astype(str), "").astype(object)
    g_fids = np.concatenate([r.growth["fid"].to_numpy(dtype=np.int64) for r in results]) if results else \
        np.empty(0, dtype=np.int64)
    g_geoms = np.concatenate([r.growth_geoms for r in results]) if results else np.empty(0, dtype=object)
    result = finish_epochs(later, earlier, eids, lids, earlier["floors"].to_numpy(), np.searchsorted(lids, g_fids),
                           g_geoms, results, options,
                           n_skipped=(int(((e_status > REPAIRED) & (e_dup < 0)).sum()),
                                      int(((l_status > REPAIRED) & (l_dup < 0)).sum())),
                           n_duplicate=(int((e_dup >= 0).sum()), int((l_dup >= 0).sum())),
                           earlier_repaired=e_status == REPAIRED, earlier_accuracy=e_accv, later_accuracy=l_accv)
    t_core += time.perf_counter() - t1
    report_progress(progress, 1.0)
    return StreamedEpochs(result, e_status, l_status, report_from_status(e_status, e_source.name, e_source.kind),
                          report_from_status(l_status, l_source.name, l_source.kind), len(plan.chunks), n_deferred,
                          {"read": t_read, "compute": t_core}, (plan.l_fids, plan.l_boxes))
