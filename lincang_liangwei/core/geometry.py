"""Geometry intake: repair, reject and count, vectorised.

Every entry point (QGIS Processing, qgis_process, command line, Dask) passes its
input geometries through :func:`clean` so that all of them give the same answer
on the same messy data, and so that the log can prove that every input feature
is accounted for (``used + skipped == in``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely

POLYGON = "polygon"
LINE = "line"

_POLY_TYPES = (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON)
_LINE_TYPES = (
    shapely.GeometryType.LINESTRING,
    shapely.GeometryType.LINEARRING,
    shapely.GeometryType.MULTILINESTRING,
)
_COLLECTION_TYPES = (
    shapely.GeometryType.MULTIPOINT,
    shapely.GeometryType.MULTILINESTRING,
    shapely.GeometryType.MULTIPOLYGON,
    shapely.GeometryType.GEOMETRYCOLLECTION,
)

# status codes stored per feature (``CleanResult.status``)
OK, REPAIRED, NULL, EMPTY, UNREPAIRABLE, WRONG_TYPE, DUPLICATE = range(7)
STATUS_NAMES = ("ok", "repaired", "null", "empty", "unrepairable", "wrong_type", "duplicate")

#: two footprints whose outlines agree within this (m) are one building digitised twice
DUPLICATE_TOL_M = 0.05


@dataclass
class CleanReport:
    """Counts of what happened to one input layer's geometries."""

    layer: str
    kind: str
    n_in: int = 0
    n_ok: int = 0
    n_repaired: int = 0
    n_null: int = 0
    n_empty: int = 0
    n_unrepairable: int = 0
    n_wrong_type: int = 0
    n_duplicate: int = 0  # a copy of another feature's outline (kept once, the copy skipped)
    n_merged_parts: int = 0  # invalid multipart features repaired as the union of their parts - informational
    n_zm: int = 0  # had Z (or M) values, flattened to 2D - informational
    n_multipart: int = 0  # multipart features kept whole - informational

    @property
    def n_used(self) -> int:
        return self.n_ok + self.n_repaired

    @property
    def n_skipped(self) -> int:
        return self.n_null + self.n_empty + self.n_unrepairable + self.n_wrong_type + self.n_duplicate

    @property
    def balanced(self) -> bool:
        return self.n_used + self.n_skipped == self.n_in

    def as_dict(self) -> dict:
        d = {k: getattr(self, k) for k in (
            "layer", "kind", "n_in", "n_ok", "n_repaired", "n_null", "n_empty",
            "n_unrepairable", "n_wrong_type", "n_duplicate", "n_merged_parts", "n_zm", "n_multipart")}
        d["n_used"] = self.n_used
        d["n_skipped"] = self.n_skipped
        return d


@dataclass
class CleanResult:
    """Cleaned geometries aligned with the input (``None`` where skipped)."""

    geoms: np.ndarray  # object array, same length as the input
    status: np.ndarray  # int8 status codes (OK, REPAIRED, ...)
    report: CleanReport = field(repr=False)
    #: index of the kept feature for DUPLICATE ones, -1 elsewhere (None: duplicates not looked for)
    duplicate_of: np.ndarray | None = None

    @property
    def used(self) -> np.ndarray:
        """Boolean mask of features that take part in the computation."""
        return self.status <= REPAIRED


def as_multi(geoms: np.ndarray) -> np.ndarray:
    """Single parts as one-part multi geometries, as QGIS returns them from a layer of multi type."""
    present = ~shapely.is_missing(geoms)
    if not present.any():
        return geoms
    tid = np.full(len(geoms), -1)
    tid[present] = shapely.get_type_id(geoms[present])
    out = geoms
    for single, ctor in ((0, shapely.multipoints), (1, shapely.multilinestrings), (3, shapely.multipolygons)):
        sel = tid == single
        if sel.any():
            out = out.copy() if out is geoms else out
            out[sel] = ctor(geoms[sel], indices=np.arange(int(sel.sum())))
    return out


def force_2d(geoms: np.ndarray) -> np.ndarray:
    """Drop Z/M (shapely < 2.1 has no ``force_2d``)."""
    if hasattr(shapely, "force_2d"):
        return shapely.force_2d(geoms)
    return shapely.from_wkb(shapely.to_wkb(geoms, output_dimension=2))


def keep_parts(geoms: np.ndarray, types: tuple) -> np.ndarray:
    """From each geometry keep only the parts of ``types`` (exploding collections).

    Returns an object array aligned with ``geoms``; ``None`` where nothing is left.
    """
    out = np.full(len(geoms), None, dtype=object)
    if len(geoms) == 0:
        return out
    parts, idx = shapely.get_parts(geoms, return_index=True)
    # collections inside collections (make_valid may return GC(MultiPolygon, ...))
    for _ in range(3):
        tid = shapely.get_type_id(parts)
        nested = np.isin(tid, [int(t) for t in _COLLECTION_TYPES])
        if not nested.any():
            break
        sub, sidx = shapely.get_parts(parts[nested], return_index=True)
        parts = np.concatenate([parts[~nested], sub])
        idx = np.concatenate([idx[~nested], idx[nested][sidx]])
    tid = shapely.get_type_id(parts)
    keep = np.isin(tid, [int(t) for t in types]) & ~shapely.is_empty(parts)
    parts, idx = parts[keep], idx[keep]
    if len(parts) == 0:
        return out
    order = np.argsort(idx, kind="stable")
    parts, idx = parts[order], idx[order]
    uniq, start, counts = np.unique(idx, return_index=True, return_counts=True)
    single = counts == 1
    out[uniq[single]] = parts[start[single]]
    if (~single).any():
        multi_ctor = shapely.multipolygons if types == _POLY_TYPES else shapely.multilinestrings
        # regroup the remaining ones with the vectorised constructor
        sel = np.repeat(~single, counts)
        grouped = multi_ctor(parts[sel], indices=np.repeat(np.arange((~single).sum()), counts[~single]))
        out[uniq[~single]] = grouped
    return out


def _flat_parts(geoms: np.ndarray):
    """All simple parts of ``geoms`` (collections inside collections exploded) and their input index."""
    parts, idx = shapely.get_parts(geoms, return_index=True)
    for _ in range(3):
        nested = np.isin(shapely.get_type_id(parts), [int(t) for t in _COLLECTION_TYPES])
        if not nested.any():
            break
        sub, sidx = shapely.get_parts(parts[nested], return_index=True)
        parts = np.concatenate([parts[~nested], sub])
        idx = np.concatenate([idx[~nested], idx[nested][sidx]])
    return parts, idx


def union_of_parts(geoms: np.ndarray) -> np.ndarray:
    """Each (multi)polygon repaired as the union of its parts, vectorised.

    ``make_valid`` keeps the area covered an odd number of times: two
    overlapping parts of a MultiPolygon lose their overlap, a part inside
    another becomes a hole.  A footprint drawn in parts means the area they
    cover together, so: every part made valid on its own, then the parts of
    each feature unioned (one GEOS unary union per feature, in one call).
    ``None`` where no polygonal part is left.
    """
    out = np.full(len(geoms), None, dtype=object)
    if len(geoms) == 0:
        return out
    parts, idx = _flat_parts(geoms)
    bad = ~shapely.is_valid(parts)
    if bad.any():
        parts[bad] = shapely.make_valid(parts[bad])
    parts = keep_parts(parts, _POLY_TYPES)
    have = ~shapely.is_missing(parts)
    if not have.any():
        return out
    order = np.argsort(idx[have], kind="stable")
    grouped = shapely.geometrycollections(parts[have][order], indices=idx[have][order],
                                          out=np.full(len(geoms), None, dtype=object))
    live = ~shapely.is_missing(grouped)
    out[live] = shapely.union_all(grouped[live].reshape(-1, 1), axis=1)
    return keep_parts(out, _POLY_TYPES)


def find_duplicates(geoms: np.ndarray, ids=None, tol: float = DUPLICATE_TOL_M) -> np.ndarray:
    """Index of the kept copy for each feature that repeats another's outline, -1 elsewhere.

    Two polygons are copies when their bounding boxes agree within ``tol`` on
    all four sides, their outlines within ``tol`` (discrete Hausdorff distance
    of the boundaries, both ways) and their areas within ``tol`` x perimeter.
    Candidates come from one sort of a projection of the bounds (no spatial
    index: ~0.5 s at 10^6 footprints), so only the few boxes that coincide are
    compared geometrically.  Of each group of copies the one with the smallest
    id (input position when ``ids`` is None) is kept, so which copy survives
    does not depend on feature order.  ``None`` entries are never duplicates.
    """
    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    dup_of = np.full(n, -1, dtype=np.int64)
    live = np.flatnonzero(~shapely.is_missing(geoms))
    if len(live) < 2:
        return dup_of
    b = shapely.bounds(geoms[live])
    ok = np.isfinite(b).all(axis=1)
    live, b = live[ok], b[ok]
    # copies differ by <= tol on every side, so by <= tol * sum(w) on this key; distinct
    # buildings on a regular grid rarely collide on it (weights without integer relations)
    w = np.array([1.0, 0.7548776662466927, 0.5698402909980532, 0.4301597090019468])
    key = b @ w
    order = np.argsort(key, kind="stable")
    key = key[order]
    end = np.searchsorted(key, key + tol * w.sum() * (1 + 1e-9), side="right")
    counts = end - np.arange(len(key)) - 1
    total = int(counts.sum())
    if total == 0:
        return dup_of
    first = np.repeat(np.arange(len(key)), counts)
    offs = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts) + 1
    i, j = order[first], order[first + offs]
    close = (np.abs(b[i] - b[j]) <= tol).all(axis=1)
    i, j = live[i[close]], live[j[close]]
    if len(i) == 0:
        return dup_of
    a, c = geoms[i], geoms[j]
    same = shapely.hausdorff_distance(a, c) <= tol
    same &= (np.abs(shapely.area(a) - shapely.area(c))
             <= tol * np.maximum(shapely.length(a), shapely.length(c)))
    i, j = i[same], j[same]
    if len(i) == 0:
        return dup_of
    # groups of copies: min-rank label propagation over the (few) pairs
    nodes, inv = np.unique(np.concatenate([i, j]), return_inverse=True)
    u, v = inv[:len(i)], inv[len(i):]
    if ids is None:
        rank = nodes.astype(np.int64)
    else:
        ids = np.asarray(ids)
        rank = np.empty(n, dtype=np.int64)
        rank[np.argsort(ids, kind="stable")] = np.arange(n)
        rank = rank[nodes]
    label = rank.copy()
    while True:
        m = np.minimum(label[u], label[v])
        new = label.copy()
        np.minimum.at(new, u, m)
        np.minimum.at(new, v, m)
        if np.array_equal(new, label):
            break
        label = new
    keeper = np.empty(rank.max() + 1, dtype=np.int64)
    keeper[rank] = nodes  # rank -> feature index
    kept = keeper[label]
    copy = kept != nodes
    dup_of[nodes[copy]] = kept[copy]
    return dup_of


def clean(geoms, kind: str = POLYGON, layer: str = "layer", unparsable=None, ids=None,
          duplicates: bool | None = None, duplicate_tol: float = DUPLICATE_TOL_M) -> CleanResult:
    """Repair or reject geometries, vectorised, and count every case.

    * ``None`` / missing -> skipped as *null*
    * empty -> skipped as *empty*
    * Z/M -> flattened to 2D (counted, still used)
    * wrong geometry type (e.g. points in a building layer) -> skipped
    * invalid -> ``make_valid`` then only the parts of the wanted kind kept;
      nothing left -> skipped as *unrepairable*.  A polygon layer's invalid
      multipart feature (overlapping or touching parts) becomes the union of
      its parts instead (:func:`union_of_parts`)
    * ``unparsable`` (optional bool mask): features whose geometry the reader
      could not decode at all (e.g. a ring of 3 points) -> *unrepairable*
    * ``duplicates`` (default: on for polygons): a feature whose repaired
      outline repeats another's within ``duplicate_tol`` m is skipped as
      *duplicate*; of each group of copies the one with the smallest of
      ``ids`` (input position when None) is kept (:func:`find_duplicates`);
      ``CleanResult.duplicate_of`` says which
    """
    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    report = CleanReport(layer=layer, kind=kind, n_in=n)
    status = np.full(n, OK, dtype=np.int8)
    out = geoms.copy()

    missing = shapely.is_missing(out)
    status[missing] = NULL
    if unparsable is not None:
        status[np.asarray(unparsable, dtype=bool)] = UNREPAIRABLE
    present = ~missing
    empty = np.zeros(n, dtype=bool)
    empty[present] = shapely.is_empty(out[present])
    status[empty] = EMPTY
    live = present & ~empty

    if live.any():
        has_z = np.zeros(n, dtype=bool)
        has_z[live] = shapely.has_z(out[live])
        if has_z.any():
            out[has_z] = force_2d(out[has_z])
        report.n_zm = int(has_z.sum())

    wanted = _POLY_TYPES if kind == POLYGON else _LINE_TYPES
    tid = np.full(n, -1)
    tid[live] = shapely.get_type_id(out[live])
    is_collection = tid == int(shapely.GeometryType.GEOMETRYCOLLECTION)
    wrong = live & ~np.isin(tid, [int(t) for t in wanted]) & ~is_collection
    status[wrong] = WRONG_TYPE
    live &= ~wrong

    valid = np.zeros(n, dtype=bool)
    valid[live] = shapely.is_valid(out[live])
    # a valid GeometryCollection still needs its wanted parts extracted
    fix = live & (~valid | is_collection)
    merged = np.zeros(n, dtype=bool)
    if fix.any():
        fixed = out[fix]
        invalid_here = ~valid[fix]
        by_parts = np.zeros(len(fixed), dtype=bool)
        if kind == POLYGON:  # overlapping parts: the union, not make_valid's odd-coverage area
            by_parts = invalid_here & (tid[fix] != int(shapely.GeometryType.POLYGON))
            by_parts[by_parts] = shapely.get_num_geometries(fixed[by_parts]) > 1
        mv = invalid_here & ~by_parts
        fixed[mv] = shapely.make_valid(fixed[mv])
        fixed = keep_parts(fixed, wanted)
        if kind == POLYGON:
            # a valid collection may hold overlapping polygons: its polygon parts are then invalid
            present_fixed = ~shapely.is_missing(fixed)
            still = np.zeros(len(fixed), dtype=bool)
            still[present_fixed] = ~shapely.is_valid(fixed[present_fixed])
            by_parts |= still
            if by_parts.any():
                src = np.where(still, fixed, out[fix])[by_parts]
                fixed[by_parts] = union_of_parts(src)
        gone = shapely.is_missing(fixed)
        idx = np.flatnonzero(fix)
        out[idx] = fixed
        merged[idx] = by_parts & ~gone
        st = np.where(gone, np.where(is_collection[idx] & valid[idx], WRONG_TYPE, UNREPAIRABLE),
                      np.where(valid[idx] & ~by_parts, OK, REPAIRED))
        status[idx] = st

    duplicate_of = None
    if duplicates is None:
        duplicates = kind == POLYGON
    if duplicates:
        keep = status <= REPAIRED
        duplicate_of = np.full(n, -1, dtype=np.int64)
        sub = np.flatnonzero(keep)
        d = find_duplicates(out[sub], None if ids is None else np.asarray(ids)[sub], duplicate_tol)
        has = d >= 0
        duplicate_of[sub[has]] = sub[d[has]]
        status[sub[has]] = DUPLICATE
    out[status > REPAIRED] = None
    report.n_merged_parts = int((merged & (status == REPAIRED)).sum())

    used = status <= REPAIRED
    multi_t = shapely.GeometryType.MULTIPOLYGON if kind == POLYGON else shapely.GeometryType.MULTILINESTRING
    if used.any():
        used_geoms = out[used]
        report.n_multipart = int(((shapely.get_type_id(used_geoms) == int(multi_t))
                                  & (shapely.get_num_geometries(used_geoms) > 1)).sum())
    for code, attr in ((OK, "n_ok"), (REPAIRED, "n_repaired"), (NULL, "n_null"), (EMPTY, "n_empty"),
                       (UNREPAIRABLE, "n_unrepairable"), (WRONG_TYPE, "n_wrong_type"), (DUPLICATE, "n_duplicate")):
        setattr(report, attr, int((status == code).sum()))
    assert report.balanced
    return CleanResult(geoms=out, status=status, report=report, duplicate_of=duplicate_of)
