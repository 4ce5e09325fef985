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
OK, REPAIRED, NULL, EMPTY, UNREPAIRABLE, WRONG_TYPE = range(6)
STATUS_NAMES = ("ok", "repaired", "null", "empty", "unrepairable", "wrong_type")


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
    n_zm: int = 0  # had Z (or M) values, flattened to 2D - informational
    n_multipart: int = 0  # multipart features kept whole - informational

    @property
    def n_used(self) -> int:
        return self.n_ok + self.n_repaired

    @property
    def n_skipped(self) -> int:
        return self.n_null + self.n_empty + self.n_unrepairable + self.n_wrong_type

    @property
    def balanced(self) -> bool:
        return self.n_used + self.n_skipped == self.n_in

    def lines(self) -> list[str]:
        """Bilingual log lines a planner can read."""
        name = self.layer
        out = [
            f"{name}: 输入 {self.n_in} 个要素，参与计算 {self.n_used} 个"
            f"（其中修复 {self.n_repaired} 个无效几何），跳过 {self.n_skipped} 个 / "
            f"{self.n_in} features in, {self.n_used} used "
            f"({self.n_repaired} invalid geometries repaired), {self.n_skipped} skipped"
        ]
        reasons = (
            (self.n_null, "几何为空值 (NULL)", "null geometry"),
            (self.n_empty, "几何为空 (empty)", "empty geometry"),
            (self.n_unrepairable, "无效几何无法修复为" + ("面" if self.kind == POLYGON else "线"),
             f"invalid geometry with no {self.kind} left after repair"),
            (self.n_wrong_type, "几何类型不符（需要" + ("面" if self.kind == POLYGON else "线") + "）",
             f"not a {self.kind} geometry"),
        )
        for n, zh, en in reasons:
            if n:
                out.append(f"  跳过 {n} 个：{zh} / skipped {n}: {en}")
        if self.n_zm:
            out.append(f"  {self.n_zm} 个要素含 Z/M 值，已按二维计算 / {self.n_zm} features had Z/M values, computed in 2D")
        if self.n_multipart:
            out.append(f"  {self.n_multipart} 个多部件要素按整体计算 / {self.n_multipart} multipart features kept whole")
        return out

    def as_dict(self) -> dict:
        d = {k: getattr(self, k) for k in (
            "layer", "kind", "n_in", "n_ok", "n_repaired", "n_null", "n_empty",
            "n_unrepairable", "n_wrong_type", "n_zm", "n_multipart")}
        d["n_used"] = self.n_used
        d["n_skipped"] = self.n_skipped
        return d


@dataclass
class CleanResult:
    """Cleaned geometries aligned with the input (``None`` where skipped)."""

    geoms: np.ndarray  # object array, same length as the input
    status: np.ndarray  # int8 status codes (OK, REPAIRED, ...)
    report: CleanReport = field(repr=False)

    @property
    def used(self) -> np.ndarray:
        """Boolean mask of features that take part in the computation."""
        return self.status <= REPAIRED


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


def clean(geoms, kind: str = POLYGON, layer: str = "layer", unparsable=None) -> CleanResult:
    """Repair or reject geometries, vectorised, and count every case.

    * ``None`` / missing -> skipped as *null*
    * empty -> skipped as *empty*
    * Z/M -> flattened to 2D (counted, still used)
    * wrong geometry type (e.g. points in a building layer) -> skipped
    * invalid -> ``make_valid`` then only the parts of the wanted kind kept;
      nothing left -> skipped as *unrepairable*
    * ``unparsable`` (optional bool mask): features whose geometry the reader
      could not decode at all (e.g. a ring of 3 points) -> *unrepairable*
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
    if fix.any():
        fixed = out[fix]
        invalid_here = ~valid[fix]
        fixed[invalid_here] = shapely.make_valid(fixed[invalid_here])
        fixed = keep_parts(fixed, wanted)
        gone = shapely.is_missing(fixed)
        idx = np.flatnonzero(fix)
        out[idx] = fixed
        st = np.where(gone, np.where(is_collection[idx] & valid[idx], WRONG_TYPE, UNREPAIRABLE),
                      np.where(valid[idx], OK, REPAIRED))
        status[idx] = st
    out[status > REPAIRED] = None

    used = status <= REPAIRED
    multi_t = shapely.GeometryType.MULTIPOLYGON if kind == POLYGON else shapely.GeometryType.MULTILINESTRING
    if used.any():
        used_geoms = out[used]
        report.n_multipart = int(((shapely.get_type_id(used_geoms) == int(multi_t))
                                  & (shapely.get_num_geometries(used_geoms) > 1)).sum())
    for code, attr in ((OK, "n_ok"), (REPAIRED, "n_repaired"), (NULL, "n_null"), (EMPTY, "n_empty"),
                       (UNREPAIRABLE, "n_unrepairable"), (WRONG_TYPE, "n_wrong_type")):
        setattr(report, attr, int((status == code).sum()))
    assert report.balanced
    return CleanResult(geoms=out, status=status, report=report)
