"""Control lines from CAD drawings (DXF / DWG): layer names -> line types,
closed and near-closed polylines -> polygons.  Pure shapely 2 + numpy.

A CAD drawing has no attribute telling what a polyline is: the CAD *layer*
(道路红线, 河道蓝线, ROAD_RED ...) does.  And a control line drawn as a closed
polyline encloses protected land: a building entirely inside it encroaches,
which a line-only check (the polyline's corridor) misses.  The stages:

1. :func:`map_layer_names` - each CAD layer name to a line type, robust to case,
   spaces, ``_``/``-`` and prefixes/suffixes (``A-道路红线-2020`` -> red);
2. :func:`explode_parts` - features to their single parts (blocks arrive as
   collections), 2D, split into line parts, polygon parts (hatches) and others;
3. :func:`close_lines` - line parts whose ends meet (gap 0) or nearly meet
   (gap <= tolerance) become polygons; self-intersecting rings are repaired;
4. :func:`import_cad` - the three together, one row per part, and counts.

Status codes (stored per output feature; the help explains them to planners):
``closed`` (ends met), ``closed_gap`` (closed across a gap <= tolerance),
``hatch`` (a polygon in the drawing, e.g. a hatch), ``open`` (an open line, its
ends far apart: kept as a line), ``gap_too_large`` (looks like a ring - the
gap is under 10 % of its length - but the gap exceeds the tolerance: kept as a
line and reported), ``degenerate`` (closed but encloses no area: kept as a line).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import shapely

from .cad_defaults import DEFAULT_LAYER_MAP
from .geometry import force_2d, keep_parts
from .rules import LINE_TYPES, parse_mapping

# mapping values that mean "a known layer that is not a control line"
IGNORE_VALUES = ("", "ignore", "none", "-", "忽略", "无")

CLOSED, CLOSED_GAP, HATCH = "closed", "closed_gap", "hatch"
OPEN, GAP_TOO_LARGE, DEGENERATE = "open", "gap_too_large", "degenerate"
POLYGON_STATUSES = (CLOSED, CLOSED_GAP, HATCH)
LINE_STATUSES = (OPEN, GAP_TOO_LARGE, DEGENERATE)
NEAR_RING_SHARE = 0.1  # an open line whose gap is below this share of its length looks like a ring

_POLY_T = (int(shapely.GeometryType.POLYGON),)
_LINE_T = (int(shapely.GeometryType.LINESTRING), int(shapely.GeometryType.LINEARRING))
_MULTI_T = tuple(int(t) for t in (shapely.GeometryType.MULTIPOINT, shapely.GeometryType.MULTILINESTRING,
                                  shapely.GeometryType.MULTIPOLYGON, shapely.GeometryType.GEOMETRYCOLLECTION))


class CadMappingError(ValueError):
    """A mapping item names an unknown line type: ``key``, ``value``."""

    def __init__(self, key: str, value: str):
        super().__init__(f"{key}={value}")
        self.key, self.value = key, value


# --------------------------------------------------------------------------- 1. names

def normalise_name(name) -> str:
    """NFKC (full-width -> half-width), case-folded, without spaces, ``_ - . ·``."""
    s = unicodedata.normalize("NFKC", "" if name is None else str(name)).casefold()
    return re.sub(r"[\s_\-.·/\\]+", "", s)


def parse_layer_map(text=None) -> dict:
    """``"道路红线=red;河道蓝线=blue"`` -> {normalised CAD name: line type or ""}.

    Empty text gives :data:`DEFAULT_LAYER_MAP`.  A value in
    :data:`IGNORE_VALUES` marks a layer as known but not a control line.
    Raises :class:`CadMappingError` for an unknown line type and
    ``rules.RulesError`` for a malformed item.
    """
    if text is None or (isinstance(text, str) and not text.strip()):
        text = DEFAULT_LAYER_MAP
    out = {}
    for key, value in parse_mapping(text, "CAD layer mapping").items():
        v = unicodedata.normalize("NFKC", str(value)).strip().casefold().replace(" ", "_")
        if v in IGNORE_VALUES:
            v = ""
        elif v not in LINE_TYPES:
            raise CadMappingError(key, value)
        nk = normalise_name(key)
        if nk:
            out[nk] = v
    return out


@dataclass
class LayerMatch:
    """Line type per feature and per distinct CAD layer name."""

    line_type: np.ndarray  # per feature: line type, "" = not a control line
    layers: dict  # CAD layer name -> (line type or "", matched key or "", feature count)

    @property
    def unmatched(self) -> dict:
        """CAD layer name -> feature count, for layers no mapping key matched."""
        return {name: n for name, (t, key, n) in self.layers.items() if not key}

    @property
    def ignored(self) -> dict:
        return {name: n for name, (t, key, n) in self.layers.items() if key and not t}


def match_layer(name, mapping: dict) -> tuple[str, str]:
    """(line type, matching key) of one CAD layer name; ("", "") when none matches.

    The exact (normalised) name wins; else the longest key contained in the
    name, so prefixes and suffixes (``规划-道路红线-2020``) do not matter and
    ``道路红线`` wins over ``红线``.
    """
    n = normalise_name(name)
    if not n:
        return "", ""
    if n in mapping:
        return mapping[n], n
    best = ""
    for key in mapping:
        if key in n and len(key) > len(best):
            best = key
    return (mapping[best], best) if best else ("", "")


def map_layer_names(names, mapping: dict) -> LayerMatch:
    """Line type of each feature from its CAD layer name (one match per distinct name)."""
    names = np.asarray(names, dtype=object)
    keys = np.array(["" if v is None else str(v) for v in names.tolist()], dtype=object)
    uniq, inverse, counts = np.unique(keys.astype(str), return_inverse=True, return_counts=True)
    types = np.empty(len(uniq), dtype=object)
    layers = {}
    for i, (name, cnt) in enumerate(zip(uniq.tolist(), counts.tolist())):
        t, key = match_layer(name, mapping)
        types[i] = t
        layers[name] = (t, key, int(cnt))
    line_type = types[inverse] if len(keys) else np.empty(0, dtype=object)
    return LayerMatch(line_type=line_type, layers=layers)


# --------------------------------------------------------------------------- 2. parts

@dataclass
class Parts:
    geoms: np.ndarray  # single-part 2D geometries
    src: np.ndarray  # index of the input feature of each part
    is_line: np.ndarray  # bool
    is_polygon: np.ndarray  # bool
    n_other: int  # parts that are neither (points, text) - not control lines
    n_null: int  # input features without geometry


def explode_parts(geoms) -> Parts:
    """Input features (blocks arrive as collections) -> their single 2D parts."""
    geoms = np.asarray(geoms, dtype=object)
    missing = shapely.is_missing(geoms)
    live = np.flatnonzero(~missing)
    if len(live):
        empty = shapely.is_empty(geoms[live])
        live = live[~empty]
    n_null = int(len(geoms) - len(live))
    if len(live) == 0:
        e = np.empty(0, dtype=object)
        return Parts(e, np.empty(0, dtype=np.int64), np.empty(0, bool), np.empty(0, bool), 0, n_null)
    g = force_2d(geoms[live])
    parts, idx = shapely.get_parts(g, return_index=True)
    idx = live[idx]
    for _ in range(4):  # collections inside collections (nested blocks)
        nested = np.isin(shapely.get_type_id(parts), _MULTI_T)
        if not nested.any():
            break
        sub, sidx = shapely.get_parts(parts[nested], return_index=True)
        parts = np.concatenate([parts[~nested], sub])
        idx = np.concatenate([idx[~nested], idx[nested][sidx]])
    keep = ~shapely.is_empty(parts)
    parts, idx = parts[keep], idx[keep]
    order = np.argsort(idx, kind="stable")
    parts, idx = parts[order], idx[order].astype(np.int64)
    tid = shapely.get_type_id(parts)
    is_line = np.isin(tid, _LINE_T)
    is_poly = np.isin(tid, _POLY_T)
    return Parts(parts, idx, is_line, is_poly, int((~is_line & ~is_poly).sum()), n_null)


# --------------------------------------------------------------------------- 3. closing

@dataclass
class Closing:
    """Per line part: its polygon (None = stays a line), status, gap (m)."""

    polygons: np.ndarray
    status: np.ndarray
    gap: np.ndarray
    repaired: np.ndarray  # bool: ring crossed itself, polygon repaired


def _polygons_from_rings(lines: np.ndarray, gaps: np.ndarray):
    """Polygons of line parts taken as rings (closing segment added where gap > 0).

    Returns (polygons or None where no area, repaired mask)."""
    n = len(lines)
    out = np.full(n, None, dtype=object)
    repaired = np.zeros(n, dtype=bool)
    if n == 0:
        return out, repaired
    coords, cidx = shapely.get_coordinates(lines, return_index=True)
    starts = np.searchsorted(cidx, np.arange(n))
    add = np.flatnonzero(gaps > 0)
    coords = np.concatenate([coords, coords[starts[add]]])
    cidx = np.concatenate([cidx, add])
    order = np.argsort(cidx, kind="stable")  # the added first vertex goes last in its ring
    coords, cidx = coords[order], cidx[order]
    counts = np.bincount(cidx, minlength=n)
    ok = counts >= 4
    keep = ok[cidx]
    if ok.any():
        sel = np.flatnonzero(ok)
        remap = np.full(n, -1)
        remap[sel] = np.arange(len(sel))
        rings = shapely.linearrings(coords[keep], indices=remap[cidx[keep]])
        polys = shapely.polygons(rings)
        valid = shapely.is_valid(polys)
        if (~valid).any():
            fixed = shapely.make_valid(polys[~valid])
            fixed = keep_parts(fixed, (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON))
            polys[~valid] = fixed
            repaired[sel[~valid]] = ~shapely.is_missing(fixed)
        has = ~shapely.is_missing(polys)
        area = np.zeros(len(polys))
        area[has] = shapely.area(polys[has])
        polys[area <= 0] = None
        out[sel] = polys
        repaired &= ~shapely.is_missing(out)
    return out, repaired


def close_lines(lines, tolerance: float = 0.0) -> Closing:
    """Close line parts whose ends are within ``tolerance`` (m) of each other."""
    lines = np.asarray(lines, dtype=object)
    n = len(lines)
    if n == 0:
        e = np.empty(0, dtype=object)
        return Closing(e, e.copy(), np.empty(0), np.empty(0, bool))
    first = shapely.get_point(lines, 0)
    last = shapely.get_point(lines, -1)
    gap = shapely.distance(first, last)
    length = shapely.length(lines)
    to_close = gap <= max(float(tolerance), 0.0)
    polygons = np.full(n, None, dtype=object)
    repaired = np.zeros(n, dtype=bool)
    if to_close.any():
        sel = np.flatnonzero(to_close)
        polygons[sel], repaired[sel] = _polygons_from_rings(lines[sel], gap[sel])
    made = ~shapely.is_missing(polygons)
    status = np.where(made, np.where(gap > 0, CLOSED_GAP, CLOSED),
                      np.where(to_close, DEGENERATE, np.where(gap <= NEAR_RING_SHARE * length, GAP_TOO_LARGE, OPEN)))
    return Closing(polygons, status.astype(object), gap, repaired)


@dataclass
class ClosedSplit:
    """Line features split into the polygons of their closed parts and their open parts.

    ``polygons``/``poly_idx``: one (Multi)Polygon per input feature that has
    closed parts, and that feature's position; ``lines``/``line_idx`` likewise
    for the parts that stay lines."""

    polygons: np.ndarray
    poly_idx: np.ndarray
    lines: np.ndarray
    line_idx: np.ndarray
    n_closed_parts: int
    n_open_parts: int


def _group(geoms: np.ndarray, idx: np.ndarray, ctor):
    """Single parts (sorted by ``idx``) -> one geometry per distinct idx (multi when > 1)."""
    if len(idx) == 0:
        return np.empty(0, dtype=object), np.empty(0, dtype=np.int64)
    uniq, start, counts = np.unique(idx, return_index=True, return_counts=True)
    out = np.empty(len(uniq), dtype=object)
    single = counts == 1
    out[single] = geoms[start[single]]
    if (~single).any():
        sel = np.repeat(~single, counts)
        out[~single] = ctor(geoms[sel], indices=np.repeat(np.arange(int((~single).sum())), counts[~single]))
    return out, uniq.astype(np.int64)


def split_closed(geoms, tolerance: float = 0.0) -> ClosedSplit:
    """For a line zone layer: closed rings (gap <= ``tolerance``) as polygons, the rest as lines."""
    parts = explode_parts(geoms)
    lines, src = parts.geoms[parts.is_line], parts.src[parts.is_line]
    closing = close_lines(lines, tolerance)
    made = ~shapely.is_missing(closing.polygons)
    polys, pidx = _group(closing.polygons[made], src[made], shapely.multipolygons)
    if len(polys):
        multi = shapely.get_type_id(polys) == int(shapely.GeometryType.MULTIPOLYGON)
        if multi.any():  # nested or overlapping rings of one feature: their union
            bad = np.flatnonzero(multi)[~shapely.is_valid(polys[multi])]
            if len(bad):
                polys[bad] = shapely.make_valid(polys[bad])
    rest, ridx = _group(lines[~made], src[~made], shapely.multilinestrings)
    return ClosedSplit(polys, pidx, rest, ridx, int(made.sum()), int((~made).sum()))


# --------------------------------------------------------------------------- 4. import

@dataclass
class CadReport:
    n_features: int = 0
    n_null: int = 0  # features without geometry
    n_unmapped: int = 0  # features on CAD layers no mapping matched
    n_ignored: int = 0  # features on layers mapped to "" (known, not control lines)
    n_other: int = 0  # parts that are points / text, not lines or areas
    n_polygons: int = 0
    n_lines: int = 0
    n_repaired: int = 0
    by_status: dict = field(default_factory=dict)  # status -> parts
    by_type: dict = field(default_factory=dict)  # line type -> (polygons, lines, polygon area m²)
    unmatched_layers: dict = field(default_factory=dict)  # CAD layer -> features
    not_closed: list = field(default_factory=list)  # (src index, CAD layer, line type, gap m) of gap_too_large


@dataclass
class CadResult:
    polygons: np.ndarray
    poly_src: np.ndarray  # input feature index
    poly_type: np.ndarray
    poly_layer: np.ndarray
    poly_status: np.ndarray
    poly_gap: np.ndarray
    lines: np.ndarray
    line_src: np.ndarray
    line_type: np.ndarray
    line_layer: np.ndarray
    line_status: np.ndarray
    line_gap: np.ndarray
    report: CadReport


def import_cad(geoms, layer_names, mapping=None, tolerance: float = 0.0) -> CadResult:
    """CAD features (any geometry) with their CAD layer names -> control-line
    polygons and lines, one row per part, with status and counts.

    ``mapping``: the dict of :func:`parse_layer_map` (None = defaults).
    Features on unmatched or ignored layers are counted and left out.
    """
    geoms = np.asarray(geoms, dtype=object)
    names = np.asarray(layer_names, dtype=object)
    mapping = parse_layer_map(None) if mapping is None else mapping
    match = map_layer_names(names, mapping)
    rep = CadReport(n_features=len(geoms), unmatched_layers=match.unmatched)
    rep.n_unmapped = int(sum(match.unmatched.values()))
    rep.n_ignored = int(sum(match.ignored.values()))

    parts = explode_parts(geoms)
    rep.n_null = parts.n_null
    ptype = match.line_type[parts.src] if len(parts.src) else np.empty(0, dtype=object)
    wanted = ptype != ""
    is_line = parts.is_line & wanted
    is_poly = parts.is_polygon & wanted
    rep.n_other = int((wanted & ~parts.is_line & ~parts.is_polygon).sum())

    lsrc = parts.src[is_line]
    closing = close_lines(parts.geoms[is_line], tolerance)
    made = ~shapely.is_missing(closing.polygons)
    rep.n_repaired = int(closing.repaired.sum())

    hsrc = parts.src[is_poly]
    hatch = parts.geoms[is_poly]
    hvalid = shapely.is_valid(hatch)
    if (~hvalid).any():
        fixed = keep_parts(shapely.make_valid(hatch[~hvalid]),
                           (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON))
        hatch = hatch.copy()
        hatch[~hvalid] = fixed
        rep.n_repaired += int((~shapely.is_missing(fixed)).sum())
    hkeep = ~shapely.is_missing(hatch)

    psrc = np.concatenate([lsrc[made], hsrc[hkeep]]).astype(np.int64)
    polygons = np.concatenate([closing.polygons[made], hatch[hkeep]])
    pstatus = np.concatenate([closing.status[made], np.full(int(hkeep.sum()), HATCH, dtype=object)])
    pgap = np.concatenate([closing.gap[made], np.zeros(int(hkeep.sum()))])
    # a hatch that repaired to nothing has no area: counted as degenerate, left out
    n_bad_hatch = int((~hkeep).sum())
    order = np.argsort(psrc, kind="stable")
    psrc, polygons, pstatus, pgap = psrc[order], polygons[order], pstatus[order], pgap[order]

    keep_line = ~made
    line_src = lsrc[keep_line]
    lines = parts.geoms[is_line][keep_line]
    lstatus = closing.status[keep_line]
    lgap = closing.gap[keep_line]

    ptypes = match.line_type[psrc] if len(psrc) else np.empty(0, dtype=object)
    ltypes = match.line_type[line_src] if len(line_src) else np.empty(0, dtype=object)
    rep.n_polygons, rep.n_lines = len(polygons), len(lines)
    statuses = np.concatenate([pstatus, lstatus]).astype(str)
    rep.by_status = {s: int((statuses == s).sum()) for s in POLYGON_STATUSES + LINE_STATUSES
                     if (statuses == s).any()}
    if n_bad_hatch:
        rep.by_status[DEGENERATE] = rep.by_status.get(DEGENERATE, 0) + n_bad_hatch
    parea = shapely.area(polygons) if len(polygons) else np.empty(0)
    for t in LINE_TYPES:
        np_, nl = int((ptypes == t).sum()), int((ltypes == t).sum())
        if np_ or nl:
            rep.by_type[t] = (np_, nl, float(parea[ptypes == t].sum()))
    far = np.flatnonzero(lstatus == GAP_TOO_LARGE)
    rep.not_closed = [(int(line_src[i]), str(names[line_src[i]]), str(ltypes[i]), float(lgap[i])) for i in far]
    return CadResult(polygons, psrc, ptypes, names[psrc] if len(psrc) else np.empty(0, dtype=object),
                     pstatus, pgap, lines, line_src, ltypes,
                     names[line_src] if len(line_src) else np.empty(0, dtype=object), lstatus, lgap, rep)


__all__ = ["DEFAULT_LAYER_MAP", "CadMappingError", "CadResult", "CadReport", "ClosedSplit", "Closing",
           "close_lines", "explode_parts", "import_cad", "map_layer_names", "match_layer", "normalise_name",
           "parse_layer_map", "split_closed"]
