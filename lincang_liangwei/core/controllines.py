"""Control-line encroachment (控制线压占): which protected land each building sits on.

Pure shapely 2 + numpy.  One STRtree per zone layer, one bulk query for all
buildings, vectorised predicates and overlays on the candidate pair arrays.
Only buildings hit by two or more zones go through a (short) Python loop, to
union their pieces so overlapping zones are not counted twice.

Rules of the game (documented for planners in the algorithm help):

* polygon zone: a building encroaches when the area it shares with the zone
  (grown by the type's setback, if any) is positive; touching only is not
  encroachment.  The encroached piece is ``footprint ∩ zone``.
* line zone with setback ``s > 0`` (e.g. red lines drawn as lines in CAD): the
  zone is the corridor ``buffer(line, s)``; the piece is ``footprint ∩ corridor``.
* line zone with setback 0: a building whose interior the line crosses counts;
  there is no area to measure, so ``enc_area`` is 0, ``hit_kind`` is
  ``crosses_line`` and the piece is the whole footprint.  MIN_AREA / MIN_RATIO do
  not suppress these (a crossing is never a sliver of outline noise).
* ``where`` (hits column): ``inside`` when the building is on the zone itself
  (polygon zone: overlap >= ``min_area`` with the zone before the setback;
  line zone: the line runs through the building), ``setback`` when it is only
  in the setback band; always ``inside`` when the type has no setback.  The
  register's verdict rules tell the two apart (``where`` in ``[verdict.*]``).
* ``min_area`` (m²) and ``min_ratio`` (share of the footprint) suppress slivers
  from imagery-detected outlines; suppressed pairs are counted.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from . import report_progress
from .geometry import POLYGON, keep_parts

HIT_INSIDE = "inside_zone"  # building entirely inside the (grown) zone
HIT_PARTIAL = "overlaps_zone"  # building partly inside
HIT_CROSSES = "crosses_line"  # zero-setback line through the building
# column ``where``: the building is on the zone itself, or only in its setback band (setback > 0)
WHERE_INSIDE, WHERE_SETBACK = "inside", "setback"


@dataclass
class ZoneSet:
    """One zone layer of one control-line type, geometries already cleaned."""

    line_type: str
    geoms: np.ndarray
    fids: np.ndarray
    names: np.ndarray | None = None
    is_line: bool = False
    layer: str = ""


@dataclass
class EncroachStats:
    pairs_tested: int = 0
    hits: int = 0
    suppressed_small: int = 0
    touching_only: int = 0
    by_type: dict = field(default_factory=dict)  # line_type -> (hits, buildings, area)


@dataclass
class EncroachResult:
    hits: pd.DataFrame  # one row per (building, zone)
    hit_geoms: np.ndarray  # encroached pieces, aligned with ``hits``
    buildings: pd.DataFrame  # one row per input building (input order)
    stats: EncroachStats


HIT_COLUMNS = ["bld_fid", "line_type", "zone_fid", "zone_name", "enc_area", "enc_ratio", "hit_kind", "bld_idx",
               "where"]


def _zone_hits(bld: np.ndarray, bld_area: np.ndarray, bld_idx_used: np.ndarray, tree: shapely.STRtree,
               zs: ZoneSet, setback: float, min_area: float, min_ratio: float, stats: EncroachStats):
    """Hits of one zone set.  Returns (bld_index, zone_index, piece, area, kind).

    ``tree`` indexes the used buildings; the zones are the query geometries, so
    GEOS prepares each (possibly huge) zone once and tests the small
    footprints against it, instead of preparing a million footprints and
    testing each against a complex zone outline.
    """
    zones = zs.geoms
    if setback > 0:
        zones = shapely.buffer(zones, setback, quad_segs=8)
    q_zone, q_sub = tree.query(zones, predicate="intersects")
    q_bld = bld_idx_used[q_sub]
    stats.pairs_tested += len(q_bld)
    empty = (np.empty(0, dtype=np.int64),) * 2 + (np.empty(0, dtype=object), np.empty(0), np.empty(0, dtype=object))
    if len(q_bld) == 0:
        return empty + (np.empty(0, dtype=object),)

    if zs.is_line and setback <= 0:
        # interior of the footprint meets the line: a crossing, not a touch
        crossing = shapely.relate_pattern(bld[q_bld], zones[q_zone], "T********")
        stats.touching_only += int((~crossing).sum())
        q_bld, q_zone = q_bld[crossing], q_zone[crossing]
        n = len(q_bld)
        return (q_bld, q_zone, bld[q_bld], np.zeros(n), np.full(n, HIT_CROSSES, dtype=object),
                np.full(n, WHERE_INSIDE, dtype=object))

    shapely.prepare(zones)
    inside = shapely.contains_properly(zones[q_zone], bld[q_bld])
    pieces = np.empty(len(q_bld), dtype=object)
    pieces[inside] = bld[q_bld[inside]]
    part = ~inside
    if part.any():
        with np.errstate(invalid="ignore"):  # GEOS floating-point flags on degenerate input; result is exact
            cut = shapely.intersection(bld[q_bld[part]], zones[q_zone[part]])
        # touching yields lines/points; keep only polygonal parts
        pieces[part] = keep_parts(cut, (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON))
    have = ~shapely.is_missing(pieces)
    area = np.zeros(len(q_bld))
    area[have] = shapely.area(pieces[have])
    positive = area > 0
    stats.touching_only += int((~positive).sum())
    ratio = np.divide(area, bld_area[q_bld], out=np.zeros_like(area), where=bld_area[q_bld] > 0)
    big = positive & (area >= min_area) & (ratio >= min_ratio)
    stats.suppressed_small += int((positive & ~big).sum())
    kind = np.where(inside, HIT_INSIDE, HIT_PARTIAL).astype(object)
    q_bld, q_zone, pieces, area, kind = q_bld[big], q_zone[big], pieces[big], area[big], kind[big]
    where = np.full(len(q_bld), WHERE_INSIDE, dtype=object)
    if setback > 0 and len(q_bld):
        where[:] = WHERE_SETBACK
        raw = zs.geoms[q_zone]
        if zs.is_line:  # the line itself runs through the building's interior
            core = shapely.relate_pattern(bld[q_bld], raw, "T********")
        else:  # the building overlaps the zone itself (not only its setback band) by min_area or more
            core = shapely.relate_pattern(bld[q_bld], raw, "T********")
            c = np.flatnonzero(core)
            if len(c):
                with np.errstate(invalid="ignore"):
                    a = shapely.area(shapely.intersection(bld[q_bld[c]], raw[c]))
                core[c] = a >= max(min_area, 1e-9)
        where[core] = WHERE_INSIDE
    return q_bld, q_zone, pieces, area, kind, where


def _union_area_by_building(bld_idx: np.ndarray, pieces: np.ndarray, n: int) -> np.ndarray:
    """Area of the union of the pieces of each building (overlaps counted once)."""
    total = np.zeros(n)
    if len(bld_idx) == 0:
        return total
    counts = np.bincount(bld_idx, minlength=n)
    single = counts[bld_idx] == 1
    np.add.at(total, bld_idx[single], shapely.area(pieces[single]))
    # two pieces (the usual case: a corner of two zones): inclusion-exclusion, vectorised
    pair = counts[bld_idx] == 2
    if pair.any():
        order = np.argsort(bld_idx[pair], kind="stable")
        p_idx, p_pieces = bld_idx[pair][order], pieces[pair][order]
        a, b = p_pieces[0::2], p_pieces[1::2]
        total[p_idx[0::2]] = shapely.area(a) + shapely.area(b) - shapely.area(shapely.intersection(a, b))
    multi = counts[bld_idx] > 2
    if multi.any():
        order = np.argsort(bld_idx[multi], kind="stable")
        m_idx = bld_idx[multi][order]
        m_pieces = pieces[multi][order]
        starts = np.flatnonzero(np.r_[True, m_idx[1:] != m_idx[:-1]])
        ends = np.r_[starts[1:], len(m_idx)]
        for s, e in zip(starts, ends):  # only buildings hit by 2+ zones
            total[m_idx[s]] = shapely.area(shapely.union_all(m_pieces[s:e]))
    return total


def encroachments(bld_geoms: np.ndarray, bld_fids: np.ndarray, zonesets: list[ZoneSet],
                  setbacks: dict | None = None, min_area: float = 1.0, min_ratio: float = 0.0,
                  progress=None) -> EncroachResult:
    """Encroachment of every building on every zone set.

    ``bld_geoms`` are cleaned polygons (``None`` for skipped features, which get
    an all-zero row in ``buildings``).  ``progress(fraction) -> bool`` is called
    after each zone set; returning True raises :class:`lincang_liangwei.core.RunCancelledError`.
    """
    setbacks = setbacks or {}
    bld_geoms = np.asarray(bld_geoms, dtype=object)
    bld_fids = np.asarray(bld_fids)
    n = len(bld_geoms)
    used = ~shapely.is_missing(bld_geoms)
    bld_idx_used = np.flatnonzero(used)
    bld_area = np.zeros(n)
    bld_area[used] = shapely.area(bld_geoms[used])
    stats = EncroachStats()

    parts = []
    tree = shapely.STRtree(bld_geoms[bld_idx_used])
    for k, zs in enumerate(zonesets):
        if len(zs.geoms):
            b, z, pieces, area, kind, where = _zone_hits(bld_geoms, bld_area, bld_idx_used, tree, zs,
                                                  float(setbacks.get(zs.line_type, 0.0)),
                                                  min_area, min_ratio, stats)
            names = zs.names[z] if zs.names is not None else np.full(len(z), None, dtype=object)
            parts.append((zs.line_type, b, zs.fids[z], names, pieces, area, kind, where))
        report_progress(progress, (k + 1) / max(len(zonesets), 1))

    if parts:
        line_type = np.concatenate([np.full(len(p[1]), p[0], dtype=object) for p in parts])
        b = np.concatenate([p[1] for p in parts]).astype(np.int64)
        zfid = np.concatenate([np.asarray(p[2]) for p in parts])
        zname = np.concatenate([np.asarray(p[3], dtype=object) for p in parts])
        pieces = np.concatenate([p[4] for p in parts])
        area = np.concatenate([p[5] for p in parts])
        kind = np.concatenate([p[6] for p in parts])
        where = np.concatenate([p[7] for p in parts])
    else:
        line_type = zname = pieces = kind = where = np.empty(0, dtype=object)
        b = zfid = np.empty(0, dtype=np.int64)
        area = np.empty(0)
    # stable, order-independent output: by building, type, zone
    order = (np.lexsort((zfid, line_type.astype(str), bld_fids[b])) if len(b)
             else np.empty(0, dtype=np.int64))
    b, line_type, zfid, zname, pieces, area, kind, where = (a[order] for a in (b, line_type, zfid, zname, pieces, area,
                                                                               kind, where))
    ratio = np.divide(area, bld_area[b], out=np.zeros_like(area), where=bld_area[b] > 0)
    hits = pd.DataFrame({
        "bld_fid": bld_fids[b] if len(b) else np.empty(0, dtype=bld_fids.dtype),
        "line_type": line_type, "zone_fid": zfid, "zone_name": zname,
        "enc_area": area, "enc_ratio": ratio, "hit_kind": kind, "bld_idx": b, "where": where,
    })
    stats.hits = len(hits)

    # per-building summary
    n_zones = np.bincount(b, minlength=n)
    types_all = [zs.line_type for zs in zonesets]
    type_order = list(dict.fromkeys(types_all))
    buildings = pd.DataFrame({"fid": bld_fids, "n_zones": n_zones})
    areal = kind != HIT_CROSSES
    buildings["enc_area_total"] = _union_area_by_building(b[areal], pieces[areal], n)
    for t in type_order:
        sel = (line_type == t) & areal
        buildings[f"enc_{t}"] = _union_area_by_building(b[sel], pieces[sel], n)
        hit_b = np.unique(b[line_type == t])
        stats.by_type[t] = (int((line_type == t).sum()), len(hit_b), float(buildings[f"enc_{t}"].sum()))
    max_ratio = np.zeros(n)
    if len(b):
        np.maximum.at(max_ratio, b, ratio)
    buildings["max_ratio"] = max_ratio
    # line_types: distinct types per building in fixed type order, ';'-joined
    lt = np.full(n, "", dtype=object)
    for t in type_order:
        hit_b = np.unique(b[line_type == t])
        lt[hit_b] = np.where(lt[hit_b] == "", t, lt[hit_b] + ";" + t)
    buildings["line_types"] = lt
    buildings["area_m2"] = bld_area
    return EncroachResult(hits=hits, hit_geoms=pieces, buildings=buildings, stats=stats)


__all__ = ["ZoneSet", "EncroachResult", "EncroachStats", "encroachments", "HIT_INSIDE", "HIT_PARTIAL",
           "HIT_CROSSES", "POLYGON"]
