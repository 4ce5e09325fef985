"""Partitioned (tiled) execution of the checks, with results identical to the whole-layer run.

Pure shapely 2 + numpy + pandas; no qgis import.  Used by the command line
(:mod:`lincang_liangwei.cli`) and, per tile, by Dask workers.

How work is split
-----------------
* **Representative point** of a feature: the centre of its bounding box
  (``(xmin + xmax) / 2, (ymin + ymax) / 2``).  It is cheap, needs no overlay
  and is deterministic (the same coordinates give the same point on every
  machine).  Features without geometry have none.
* **Tiles**: squares of ``tile_m`` metres on a grid anchored at the CRS origin
  (tile ``(floor(x / tile_m), floor(y / tile_m))``), so the tiling does not
  depend on the data extent or on the order of features.  Tiles are processed
  in Hilbert-curve order (neighbouring tiles one after the other).
* **Ownership**: every building belongs to exactly one tile, the one holding
  its representative point; every output row (piece, breach, change) belongs to
  the tile of its building, so nothing is reported twice or lost.
* **Halo**: a tile reads the zones / pipes near the *buildings it owns*: those
  whose bounding box meets the owned buildings' bounding box grown by the
  largest interaction distance (the type's setback for control lines, the
  largest required clearance for pipes) plus 1 m of slack.  A zone crossing many
  tiles is given to each of them whole (never clipped), so every
  (building, zone) pair sees exactly the geometries of the whole-layer run.
* **Features without geometry** (skipped, counted) form one extra group of
  their own, processed last; they get the same all-zero rows as in the
  whole-layer run.

Survey epochs
-------------
Matching links later and earlier buildings into components that can chain
(a row of terraced houses, each overlapping the next), so a fixed-width halo
cannot be proven wide enough.  Instead the tiles receive whole *match
components*: the components of the graph "later footprint intersects earlier
footprint" (one bulk ``STRtree.query`` with predicate ``intersects`` - exactly
the candidate pairs :func:`.epochs.compare_epochs` starts from, so every link
it can make stays inside one component).  A component is owned by the tile of
the representative point of its bounding box; the tile runs
``compare_epochs`` on its components, which is exact because the comparison
of one component never looks at another and ties are broken by feature id,
not by position.  The only global quantity, the outline-noise quantile of the
confidence grading, is computed once on the merged table afterwards
(:func:`.confidence.confidence_stage`, as ``compare_epochs`` does).

Exactness
---------
Every geometry operation of a (building, zone / pipe / partner) pair gets the
same operands in the same order as in the whole-layer run, so pieces, areas,
distances and change classes are bitwise identical (``tests/unit/test_tiling.py``
compares sorted tables with ``==``).  Rows come back in the whole-layer order.
Sums over many buildings (totals in the reports) are recomputed from the merged
tables in the same order as the whole-layer code, so they are identical too.

Size switch
-----------
``mode="auto"`` runs the whole layer at once below :data:`AUTO_MIN_FEATURES`
buildings (tiling only pays, in memory, for big inputs); ``"whole"`` and
``"tiled"`` force one or the other.

Executors
---------
The ``*_tiled`` functions take ``mapper(func, list_of_arg_tuples) -> iterable of
results in order``; the default runs the tiles one after the other in this
process.  :mod:`lincang_liangwei.cli` passes a Dask mapper for
``--scheduler``.  The task functions (``_encroach_task`` ...) are module-level
and their arguments picklable.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from . import report_progress

DEFAULT_TILE_M = 2000.0
#: below this many buildings ``mode="auto"`` runs the whole layer at once
AUTO_MIN_FEATURES = 200_000
HALO_SLACK_M = 1.0
MODES = ("auto", "whole", "tiled")

__all__ = ["DEFAULT_TILE_M", "AUTO_MIN_FEATURES", "MODES", "TilePlan", "rep_points", "plan_tiles", "use_tiles",
           "encroachments_tiled", "check_buildings_tiled", "compare_epochs_tiled", "finish_epochs", "subset_pipes",
           "serial_mapper"]


# --------------------------------------------------------------------------- plan
def rep_points(geoms: np.ndarray) -> np.ndarray:
    """(n, 2) representative points: bounding-box centres; NaN for missing / empty geometries."""
    b = shapely.bounds(np.asarray(geoms, dtype=object))
    return np.column_stack([(b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2])


def _hilbert(ix: np.ndarray, iy: np.ndarray, order: int = 31) -> np.ndarray:
    """Hilbert-curve index of integer cells (vectorised, xy2d)."""
    x = ix.astype(np.int64) - ix.min() if len(ix) else ix.astype(np.int64)
    y = iy.astype(np.int64) - iy.min() if len(iy) else iy.astype(np.int64)
    bits = max(1, int(max(x.max(initial=0), y.max(initial=0))).bit_length())
    d = np.zeros(len(x), dtype=np.int64)
    n = 1 << bits
    s = n >> 1
    x, y = x.copy(), y.copy()
    while s > 0:
        rx = ((x & s) > 0).astype(np.int64)
        ry = ((y & s) > 0).astype(np.int64)
        d += s * s * ((3 * rx) ^ ry)
        # rotate
        flip = ry == 0
        swap_x = flip & (rx == 1)
        x[swap_x] = n - 1 - x[swap_x]
        y[swap_x] = n - 1 - y[swap_x]
        x[flip], y[flip] = y[flip], x[flip].copy()
        s >>= 1
    return d


@dataclass
class TilePlan:
    """Which input positions each tile owns (ascending), in processing order.

    ``groups[k]``: int64 positions; ``keys[k]``: (ix, iy) of the tile, ``None`` for
    the group of features without geometry (always last, present only if any).
    """

    tile_m: float
    groups: list = field(default_factory=list)
    keys: list = field(default_factory=list)

    def __len__(self):
        return len(self.groups)


def plan_tiles(points: np.ndarray, tile_m: float = DEFAULT_TILE_M) -> TilePlan:
    """Assign each representative point (rows of ``points``; NaN = no geometry) to its tile."""
    if not tile_m > 0:
        raise ValueError(f"tile size must be > 0 m ({tile_m})")
    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    ok = np.isfinite(pts).all(axis=1)
    pos = np.flatnonzero(ok)
    plan = TilePlan(tile_m=float(tile_m))
    if len(pos):
        ix = np.floor(pts[pos, 0] / tile_m).astype(np.int64)
        iy = np.floor(pts[pos, 1] / tile_m).astype(np.int64)
        cells, inv = np.unique(np.column_stack([ix, iy]), axis=0, return_inverse=True)
        inv = inv.ravel()
        h = _hilbert(cells[:, 0], cells[:, 1])
        corder = np.lexsort((cells[:, 1], cells[:, 0], h))
        rank = np.empty(len(cells), dtype=np.int64)
        rank[corder] = np.arange(len(cells))
        r = rank[inv]
        srt = np.lexsort((pos, r))   # by tile rank, positions ascending inside a tile
        cuts = np.flatnonzero(np.diff(r[srt])) + 1
        for chunk in np.split(srt, cuts):
            plan.groups.append(pos[chunk])
            c = cells[inv[chunk[0]]]
            plan.keys.append((int(c[0]), int(c[1])))
    rest = np.flatnonzero(~ok)
    if len(rest):
        plan.groups.append(rest)
        plan.keys.append(None)
    return plan


def use_tiles(n: int, mode: str = "auto", min_features: int = AUTO_MIN_FEATURES) -> bool:
    """Whether to tile a run of ``n`` buildings (``mode``: auto / whole / tiled)."""
    if mode not in MODES:
        raise ValueError(f"partition mode must be one of {', '.join(MODES)} (got {mode!r})")
    return mode == "tiled" or (mode == "auto" and n >= min_features)


def serial_mapper(func, args_list, progress=None):
    """Run ``func(*args)`` for each tile in this process, in order; progress per tile."""
    out = []
    n = len(args_list)
    for k, args in enumerate(args_list):
        out.append(func(*args))
        report_progress(progress, (k + 1) / max(n, 1))
    return out


def _run(mapper, func, args_list, progress):
    if mapper is None:
        return serial_mapper(func, args_list, progress)
    out = list(mapper(func, args_list))
    report_progress(progress, 1.0)
    return out


def _box_query(tree: shapely.STRtree, bounds: np.ndarray, margin) -> np.ndarray:
    """Tree positions whose bounding box meets ``bounds`` grown by ``margin`` (sorted)."""
    x0, y0, x1, y1 = bounds
    hit = tree.query(shapely.box(x0 - margin, y0 - margin, x1 + margin, y1 + margin))
    return np.sort(hit)


def _total_bounds(geoms: np.ndarray) -> np.ndarray:
    b = shapely.bounds(geoms)
    return np.array([np.nanmin(b[:, 0]), np.nanmin(b[:, 1]), np.nanmax(b[:, 2]), np.nanmax(b[:, 3])])


# --------------------------------------------------------------------------- control lines
def _encroach_task(geoms, fids, zonesets, setbacks, min_area, min_ratio):
    from .controllines import encroachments

    return encroachments(geoms, fids, zonesets, setbacks, min_area, min_ratio)


def encroachments_tiled(bld_geoms, bld_fids, zonesets, setbacks=None, min_area: float = 1.0, min_ratio: float = 0.0,
                        progress=None, *, tile_m: float = DEFAULT_TILE_M, mapper=None, plan: TilePlan | None = None):
    """:func:`.controllines.encroachments`, tile by tile; returns the same :class:`EncroachResult`."""
    from .controllines import EncroachResult, EncroachStats, ZoneSet

    setbacks = setbacks or {}
    bld_geoms = np.asarray(bld_geoms, dtype=object)
    bld_fids = np.asarray(bld_fids)
    n = len(bld_geoms)
    plan = plan or plan_tiles(rep_points(bld_geoms), tile_m)
    trees = [shapely.STRtree(zs.geoms) if len(zs.geoms) else None for zs in zonesets]
    tasks = []
    for idx, key in zip(plan.groups, plan.keys):
        g = bld_geoms[idx]
        sub = []
        for zs, tree in zip(zonesets, trees):
            if key is None or tree is None:
                take = np.empty(0, dtype=np.int64)
            else:
                take = _box_query(tree, _total_bounds(g), float(setbacks.get(zs.line_type, 0.0)) + HALO_SLACK_M)
            sub.append(ZoneSet(zs.line_type, zs.geoms[take], np.asarray(zs.fids)[take],
                               None if zs.names is None else np.asarray(zs.names, dtype=object)[take],
                               zs.is_line, zs.layer))
        tasks.append((g, bld_fids[idx], sub, setbacks, min_area, min_ratio))
    results = _run(mapper, _encroach_task, tasks, progress)

    # hits: each building's rows are contiguous and in whole-run order inside its tile; a stable sort on
    # the building id puts the tiles' blocks into the whole-run order
    hit_frames, pieces, bidx = [], [], []
    for idx, res in zip(plan.groups, results):
        h = res.hits
        hit_frames.append(h)
        pieces.append(res.hit_geoms)
        bidx.append(idx[h["bld_idx"].to_numpy(dtype=np.int64)])
    hits = pd.concat(hit_frames, ignore_index=True) if hit_frames else results[0].hits.iloc[:0]
    b = np.concatenate(bidx) if bidx else np.empty(0, dtype=np.int64)
    hit_geoms = np.concatenate(pieces) if pieces else np.empty(0, dtype=object)
    order = np.argsort(bld_fids[b], kind="stable") if len(b) else np.empty(0, dtype=np.int64)
    hits = hits.iloc[order].reset_index(drop=True)
    hits["bld_idx"] = b[order]
    hit_geoms = hit_geoms[order]
    if len(hits) == 0:
        hits["bld_fid"] = hits["bld_fid"].astype(bld_fids.dtype)

    # buildings: back to input order
    pos = np.concatenate(plan.groups) if plan.groups else np.empty(0, dtype=np.int64)
    buildings = pd.concat([r.buildings for r in results], ignore_index=True) if results else None
    if buildings is None:   # no buildings at all
        return _encroach_task(bld_geoms, bld_fids, zonesets, setbacks, min_area, min_ratio)
    back = np.empty(n, dtype=np.int64)
    back[pos] = np.arange(n)
    buildings = buildings.iloc[back].reset_index(drop=True)

    stats = EncroachStats()
    for r in results:
        for k in ("pairs_tested", "suppressed_small", "touching_only"):
            setattr(stats, k, getattr(stats, k) + getattr(r.stats, k))
    stats.hits = len(hits)
    line_type = hits["line_type"].to_numpy(dtype=object)
    bi = hits["bld_idx"].to_numpy(dtype=np.int64)
    for t in dict.fromkeys(zs.line_type for zs in zonesets):
        sel = line_type == t
        stats.by_type[t] = (int(sel.sum()), len(np.unique(bi[sel])), float(buildings[f"enc_{t}"].sum()))
    return EncroachResult(hits=hits, hit_geoms=hit_geoms, buildings=buildings, stats=stats)


# --------------------------------------------------------------------------- pipes
def subset_pipes(pipes, take: np.ndarray):
    """A :class:`.pipes.PipeSet` of the pipes at input positions ``take`` (ascending), same report."""
    from .pipes import PipeSet

    take = np.asarray(take, dtype=np.int64)
    return PipeSet(geoms=pipes.geoms[take], ids=pipes.ids[take], kind=pipes.kind[take],
                   kind_value=pipes.kind_value[take], pipe_class=pipes.pipe_class[take],
                   rule_id=pipes.rule_id[take], required_m=pipes.required_m[take], basis=pipes.basis[take],
                   verified=pipes.verified[take], active=pipes.active[take], report=pipes.report,
                   quad_segs=pipes.quad_segs)


def _pipes_task(pipes, geoms, positions, threads, with_geometry):
    from .pipes import check_buildings

    return check_buildings(pipes, geoms, positions, clean_geoms=False, with_geometry=with_geometry, threads=threads)


def check_buildings_tiled(pipes, geoms, ids=None, *, with_geometry: bool = True, threads: int | None = None,
                          progress=None, tile_m: float = DEFAULT_TILE_M, mapper=None, plan: TilePlan | None = None):
    """:func:`.pipes.check_buildings` (on cleaned footprints, ``clean_geoms=False``), tile by tile."""
    from .pipes import PipeReport, PipeResult

    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    ids = np.arange(n, dtype=np.int64) if ids is None else np.asarray(ids)
    plan = plan or plan_tiles(rep_points(geoms), tile_m)
    act = np.flatnonzero(pipes.active)
    tree = shapely.STRtree(pipes.geoms[act]) if len(act) else None
    margin = float(pipes.required_m[act].max()) + HALO_SLACK_M if len(act) else 0.0
    tasks = []
    for idx, key in zip(plan.groups, plan.keys):
        if key is None or tree is None:
            take = np.empty(0, dtype=np.int64)
        else:
            take = act[_box_query(tree, _total_bounds(geoms[idx]), margin)]
        tasks.append((subset_pipes(pipes, take), geoms[idx], idx.astype(np.int64), threads, with_geometry))
    results = _run(mapper, _pipes_task, tasks, progress)

    br = pd.concat([r.breaches for r in results], ignore_index=True)
    pos = br["bld_fid"].to_numpy(dtype=np.int64)
    order = np.argsort(pos, kind="stable")   # tiles' blocks into building input order (pipe order kept inside)
    br = br.iloc[order].reset_index(drop=True)
    br["bld_fid"] = ids[pos[order]]
    sm = pd.concat([r.per_building for r in results], ignore_index=True)
    spos = sm["bld_fid"].to_numpy(dtype=np.int64)
    so = np.argsort(spos, kind="stable")
    sm = sm.iloc[so].reset_index(drop=True)
    sm["bld_fid"] = ids[spos[so]]
    rep = PipeReport.combine([r.report for r in results])
    rep.bld_clean = None
    vc = br["kind"].replace("", "(unmapped)").value_counts() if len(br) else pd.Series(dtype=int)
    rep.breaches_by_kind = {str(k): int(v) for k, v in vc.items()}
    return PipeResult(br, sm, rep)


# --------------------------------------------------------------------------- epochs
def match_components(earlier_geoms, later_geoms, earlier_used=None, later_used=None):
    """Component label per earlier and per later feature (-1: not used) of the graph
    "later footprint intersects earlier footprint"; isolated features get their own label."""
    from .epochs import _components

    E = np.asarray(earlier_geoms, dtype=object)
    L = np.asarray(later_geoms, dtype=object)
    nE, nL = len(E), len(L)
    uE = ~shapely.is_missing(E) if earlier_used is None else np.asarray(earlier_used, dtype=bool)
    uL = ~shapely.is_missing(L) if later_used is None else np.asarray(later_used, dtype=bool)
    iE, iL = np.flatnonzero(uE), np.flatnonzero(uL)
    if len(iE) and len(iL):
        ql, qe = shapely.STRtree(E[iE]).query(L[iL], predicate="intersects")
    else:
        ql = qe = np.empty(0, dtype=np.int64)
    lab = _components(nL + nE, iL[ql], iE[qe] + nL)
    labL = np.where(uL, lab[:nL], -1)
    labE = np.where(uE, lab[nL:], -1)
    return labE, labL


def _epochs_task(E, eids, L, lids, fE, fL, dupE, dupL, kwargs):
    from .epochs import compare_epochs

    return compare_epochs(E, eids, L, lids, fE, fL, earlier_duplicate_of=dupE, later_duplicate_of=dupL, **kwargs)


def _local_dup(dup):
    """Duplicate marks for a subset: any index >= 0 marks the row (the kept copy's id is restored later)."""
    if dup is None:
        return None
    return np.where(dup >= 0, 0, -1).astype(np.int64)


def compare_epochs_tiled(earlier_geoms, earlier_ids, later_geoms, later_ids, earlier_floors=None, later_floors=None,
                         *, earlier_duplicate_of=None, later_duplicate_of=None, earlier_repaired=None,
                         earlier_accuracy=None, later_accuracy=None, progress=None, tile_m: float = DEFAULT_TILE_M,
                         mapper=None, **options):
    """:func:`.epochs.compare_epochs` by tiles of whole match components; same :class:`EpochResult`.

    ``options``: the tolerances, ``exact_iou``, ``n_threads`` and the confidence settings of
    ``compare_epochs`` (same names).
    """
    from .epochs import _dup_ids, intake

    E, L, eids, lids, fE, fL, dupE, dupL, usedE, usedL = intake(
        earlier_geoms, earlier_ids, later_geoms, later_ids, earlier_floors, later_floors,
        earlier_duplicate_of, later_duplicate_of)
    nE, nL = len(E), len(L)

    labE, labL = match_components(E, L, usedE, usedL)
    # each component's representative point: the centre of its bounding box
    lab = np.concatenate([labL, labE])
    b = np.full((nL + nE, 4), np.nan)
    ok = lab >= 0
    b[ok] = shapely.bounds(np.concatenate([L, E])[ok])
    ncomp = int(lab.max()) + 1 if ok.any() else 0
    cb = np.full((ncomp, 4), np.nan)
    if ncomp:
        cb[:, :2] = np.inf
        cb[:, 2:] = -np.inf
        np.minimum.at(cb[:, 0], lab[ok], b[ok, 0])
        np.minimum.at(cb[:, 1], lab[ok], b[ok, 1])
        np.maximum.at(cb[:, 2], lab[ok], b[ok, 2])
        np.maximum.at(cb[:, 3], lab[ok], b[ok, 3])
    with np.errstate(invalid="ignore"):   # NaN boxes (null footprints) have no tile: plan_tiles groups them apart
        centres = np.column_stack([(cb[:, 0] + cb[:, 2]) / 2, (cb[:, 1] + cb[:, 3]) / 2])
    comp_plan = plan_tiles(centres, tile_m)
    comp_tile = np.full(ncomp, -1, dtype=np.int64)
    for k, comps in enumerate(comp_plan.groups):
        comp_tile[comps] = k
    tileL = np.where(labL >= 0, comp_tile[np.maximum(labL, 0)], -1)
    tileE = np.where(labE >= 0, comp_tile[np.maximum(labE, 0)], -1)
    n_tiles = len(comp_plan.groups)
    tileL[tileL < 0] = n_tiles   # unused features (no geometry, duplicates): one group of their own
    tileE[tileE < 0] = n_tiles
    tasks, groups = [], []
    kwargs = dict(options)
    for k in range(n_tiles + 1):
        gl = np.flatnonzero(tileL == k)
        ge = np.flatnonzero(tileE == k)
        if k == n_tiles and not len(gl) and not len(ge):
            continue
        groups.append((ge, gl))
        tasks.append((E[ge], eids[ge], L[gl], lids[gl], fE[ge], fL[gl],
                      _local_dup(dupE[ge]) if earlier_duplicate_of is not None else None,
                      _local_dup(dupL[gl]) if later_duplicate_of is not None else None, kwargs))
    results = _run(mapper, _epochs_task, tasks, progress)

    posL = np.concatenate([g[1] for g in groups]) if groups else np.empty(0, dtype=np.int64)
    posE = np.concatenate([g[0] for g in groups]) if groups else np.empty(0, dtype=np.int64)
    backL = np.empty(nL, dtype=np.int64)
    backL[posL] = np.arange(nL)
    backE = np.empty(nE, dtype=np.int64)
    backE[posE] = np.arange(nE)
    later = pd.concat([r.later for r in results], ignore_index=True).iloc[backL].reset_index(drop=True)
    earlier = pd.concat([r.earlier for r in results], ignore_index=True).iloc[backE].reset_index(drop=True)
    later["dup_of"] = _dup_ids(dupL, lids)
    earlier["dup_of"] = _dup_ids(dupE, eids)
    gi_parts, gg_parts = [], []
    for (_ge, gl), r in zip(groups, results):
        gi_parts.append(gl[r.growth["later_index"].to_numpy(dtype=np.int64)])
        gg_parts.append(r.growth_geoms)
    gi = np.concatenate(gi_parts) if gi_parts else np.empty(0, dtype=np.int64)
    gg = np.concatenate(gg_parts) if gg_parts else np.empty(0, dtype=object)
    return finish_epochs(later, earlier, eids, lids, fE, gi, gg, results, options,
                         n_skipped=(int((~usedE & (dupE < 0)).sum()), int((~usedL & (dupL < 0)).sum())),
                         n_duplicate=(int((dupE >= 0).sum()), int((dupL >= 0).sum())),
                         earlier_repaired=earlier_repaired, earlier_accuracy=earlier_accuracy,
                         later_accuracy=later_accuracy)


def finish_epochs(later, earlier, eids, lids, floors_prev, growth_index, growth_geoms, results, options, *,
                  n_skipped, n_duplicate, earlier_repaired=None, earlier_accuracy=None, later_accuracy=None):
    """The whole-layer :class:`.epochs.EpochResult` from the merged per-part tables (rows in input order, ``dup_of``
    set): the confidence stage on the whole later table (its outline-noise quantile is the one global quantity),
    demolished and growth tables, the report.  Shared by the tiled and the streamed runs.

    ``growth_index``: later input positions of the growth pieces ``growth_geoms`` (any order); ``results``: the
    parts' EpochResults (timings, multi-part components, parameters); ``n_skipped`` / ``n_duplicate``: (earlier,
    later) counts."""
    from .confidence import CONFIDENCE_DEFAULTS, confidence_stage
    from .epochs import EpochReport, EpochResult

    nE, nL = len(eids), len(lids)
    later = later.drop(columns=["confidence", "conf_reason"])
    conf, reason, noise_info = confidence_stage(
        later, eids, earlier_repaired=earlier_repaired, earlier_accuracy=earlier_accuracy,
        later_accuracy=later_accuracy,
        quantile=options.get("noise_quantile", CONFIDENCE_DEFAULTS["noise_quantile"]),
        high_factor=options.get("confidence_high", CONFIDENCE_DEFAULTS["high_factor"]),
        medium_factor=options.get("confidence_medium", CONFIDENCE_DEFAULTS["medium_factor"]))
    later["confidence"] = conf
    later["conf_reason"] = reason

    fate = earlier["fate"].to_numpy(dtype=object)
    dem_idx = np.flatnonzero(fate == "demolished")
    demolished = pd.DataFrame({"fid": eids[dem_idx], "area_prev": earlier["area"].to_numpy()[dem_idx],
                               "floors_prev": np.asarray(floors_prev, dtype=float)[dem_idx]})
    go = np.argsort(growth_index, kind="stable")
    gi, gg = np.asarray(growth_index, dtype=np.int64)[go], np.asarray(growth_geoms, dtype=object)[go]
    change = later["change"].to_numpy(dtype=object)
    growth_df = pd.DataFrame({"fid": lids[gi], "change": change[gi],
                              "growth_m2": later["growth_m2"].to_numpy()[gi], "later_index": gi})
    secs: dict = {}
    for r in results:
        for k, v in r.report.seconds.items():
            secs[k] = secs.get(k, 0.0) + v
    report = EpochReport(
        n_earlier=nE, n_later=nL, n_earlier_skipped=n_skipped[0], n_later_skipped=n_skipped[1],
        n_earlier_duplicate=n_duplicate[0], n_later_duplicate=n_duplicate[1],
        changes={k: int(v) for k, v in pd.Series(change).value_counts().items()},
        fates={k: int(v) for k, v in pd.Series(fate).value_counts().items()},
        n_growth=len(gi), n_multi_components=sum(r.report.n_multi_components for r in results),
        noise=noise_info, params=results[0].report.params if results else {}, seconds=secs)
    assert report.balanced
    return EpochResult(later=later, earlier=earlier, demolished=demolished, demolished_index=dem_idx,
                       growth=growth_df, growth_geoms=gg, report=report)
