"""Province-scale sample data for benchmarks: copies of a few sample-city counties on a grid of county seats.

``samplecity.generate_city`` builds one city in memory (about 100 s and 6 GB at 10^6 buildings), so 10^7 buildings
cannot be generated that way.  ``write_province(path, n_buildings, seed)`` instead generates a few distinct
*template* counties with ``generate_city`` (at most ``COUNTY_MAX`` buildings each, different seeds) and writes
``ceil(n / COUNTY_MAX)`` translated copies of them, county by county, through ``gpkgbulk.LayerAppender`` (one layer
appender per layer, all in one GeoPackage), so memory stays bounded by the templates plus one county.

The output has the layers and fields of the sample city (``samplecity.LAYER_NAMES``, same field names and types,
EPSG:4542) so every algorithm runs on it with the sample city's parameters, plus two attribute tables:
``sample_params`` (key / JSON value, what ``fileio.read_params`` reads: the parameters of ``province_params``)
and ``counties`` (one row per county: code, template, offset, building counts).  No truth tables.

Layout: county ``i`` is a copy of template ``i % n_templates`` moved by (dx, dy): the county seats lie on a grid
of ``spacing_m`` (at least 30 km, and the templates' extent + 5 km, so counties never overlap), at most as many
columns as fit inside the 3-degree zone CM 99E (x = 500 km +- 150 km), rows going north from Lincang.  Every copy
gets fids continuing those of the previous county (per layer, 1..N in county order) and ids prefixed with its
6-digit county code (``530101-CH2023-0001001``; fields ``ID_FIELDS``); district codes become the county code plus
the township digits (530101001).  For ``n_buildings <= county_max`` the output is one county: ``generate_city(n)``
unchanged (no offset, no prefix).

Note: ``generate_city`` always computes the register truth columns (``_add_cases``: zone / pipe / permit truth,
about 2/3 of its time at 10^5 buildings) which this module throws away; a flag to skip them would make the
templates about 3x faster.
"""
from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely

from devtools import samplecity

COUNTY_MAX = 100_000
N_TEMPLATES = 4
MIN_SPACING_M = 30_000.0
GAP_M = 5_000.0                 # at least this much empty land between two counties' extents
ZONE_CM_X = 500_000.0           # EPSG:4542 false easting (central meridian 99E)
ZONE_HALF_WIDTH_M = 150_000.0   # 1.5 degrees of longitude at ~24N is ~152 km
Y_MAX = 4_600_000.0             # ~41.5N, still inside the zone's area of use
PROVINCE_VERSION = 1
ID_FIELDS = ("survey_id", "code", "permit_no")     # string ids made unique per county (districts.code is recoded)
PARAMS_TABLE = "sample_params"
COUNTIES_TABLE = "counties"


def county_code(i: int) -> str:
    """6-digit administrative-style code of county ``i`` (0-based): 530101, 530102, ... 530199, 530201, ..."""
    if not 0 <= i < 99 * 99:
        raise ValueError("at most 9801 counties")
    return f"53{1 + i // 99:02d}{1 + i % 99:02d}"


def province_params(n_buildings: int, seed: int = 42, county_max: int = COUNTY_MAX,
                    n_templates: int = N_TEMPLATES, spacing_m: float | None = None) -> dict:
    """The full parameter set (JSON-able), stored in ``sample_params``; equal params = same file."""
    n_buildings, county_max, n_templates = int(n_buildings), int(county_max), int(n_templates)
    if county_max < 50:
        raise ValueError("county_max must be at least 50")
    if n_templates < 1:
        raise ValueError("n_templates must be at least 1")
    n_counties = max(1, -(-n_buildings // county_max))
    per_county = int(round(n_buildings / n_counties))
    n_templ = min(n_templates, n_counties)
    return {
        "kind": "province", "province_version": PROVINCE_VERSION, "n_buildings": n_buildings, "seed": int(seed),
        "county_max": county_max, "n_templates": n_templ, "n_counties": n_counties,
        "template_seeds": [template_seed(seed, j) for j in range(n_templ)],
        "spacing_m": None if spacing_m is None else float(spacing_m),
        "city": samplecity.city_params(per_county, seed=int(seed)) | {"seed": None},
    }


def template_seed(seed: int, j: int) -> int:
    """Seed of template j: the province seed for the first (county 0 = the sample city of that seed)."""
    if j == 0:
        return int(seed)
    return int(np.random.SeedSequence([int(seed), int(j)]).generate_state(1, np.uint32)[0])


@dataclass
class County:
    index: int
    code: str
    template: int
    dx: float
    dy: float


def plan_counties(n_counties: int, extent: tuple, spacing_m: float | None = None) -> tuple[list, float]:
    """Counties on a grid of seats (list of County, spacing) for templates whose union extent is ``extent``.

    Columns: as many as fit in the zone (x = ZONE_CM_X +- ZONE_HALF_WIDTH_M), at most ceil(sqrt(n)); rows go
    north from the templates' position.  Raises ValueError when the grid leaves the zone's area."""
    x0, y0, x1, y1 = (float(v) for v in extent)
    if spacing_m is None:
        spacing_m = max(MIN_SPACING_M, math.ceil((max(x1 - x0, y1 - y0) + GAP_M) / 1000.0) * 1000.0)
    if n_counties == 1:
        return [County(0, "", 0, 0.0, 0.0)], spacing_m
    half_w = (x1 - x0) / 2
    fit = int((ZONE_HALF_WIDTH_M - half_w) // (spacing_m / 2)) + 1      # (ncols - 1) / 2 * s + half_w <= half zone
    if fit < 1:
        raise ValueError("county template wider than the projection zone")
    ncols = max(1, min(math.ceil(math.sqrt(n_counties)), fit))
    nrows = -(-n_counties // ncols)
    if y1 + (nrows - 1) * spacing_m > Y_MAX:
        raise ValueError(f"{n_counties} counties do not fit in one 3-degree zone: use larger counties")
    cx = (x0 + x1) / 2
    out = []
    for i in range(n_counties):
        row, col = divmod(i, ncols)
        dx = ZONE_CM_X - cx + (col - (ncols - 1) / 2) * spacing_m
        out.append(County(i, county_code(i), -1, round(dx, 3), round(row * spacing_m, 3)))
    return out, spacing_m


def _translate(geoms: np.ndarray, dx: float, dy: float) -> np.ndarray:
    """Copies moved by (dx, dy); Z, invalid, empty and NULL geometries kept as they are."""
    if dx == 0 and dy == 0:
        return geoms

    def move(c):
        c = c.copy()
        c[:, 0] += dx
        c[:, 1] += dy
        return c
    return shapely.transform(geoms, move, include_z=None)


class MovableBlobs:
    """GeoPackage blobs of a layer's geometries and the byte offsets of every x and y double in them (WKB
    coordinates and header envelope), so that the blobs of a translated copy are one numpy add on the bytes:
    the same bytes ``gpkgbulk.make_gpkg_blobs`` writes for the translated geometries, at a fraction of the cost
    of ``shapely.transform`` + ``to_wkb``.

    Handles (Multi)Polygon / (Multi)LineString / (Multi)Point, 2D and Z, invalid, EMPTY and NULL; the offsets are
    verified against the coordinates (``ok`` is False when they do not match, e.g. an EMPTY point: then
    :meth:`moved` is not available and the caller translates the geometries instead)."""

    def __init__(self, geoms: np.ndarray, srs_id: int):
        from lincang_liangwei.gpkgbulk import make_gpkg_blobs

        geoms = np.asarray(geoms, dtype=object)
        blobs, self.bounds = make_gpkg_blobs(geoms, srs_id)
        n = len(geoms)
        self.n = n
        self.null = shapely.is_missing(geoms)
        lens = np.array([0 if b is None else len(b) for b in blobs], np.int64)
        self.ends = np.cumsum(lens)
        self.starts = self.ends - lens
        self.buf = np.frombuffer(b"".join(b for b in blobs if b is not None), np.uint8)
        self.ok = False
        if n == 0:
            self.xpos = self.ypos = np.zeros(0, np.int64)
            self.ok = True
            return
        flags = np.zeros(n, np.int64)
        flags[~self.null] = self.buf[self.starts[~self.null] + 3]
        env = ((flags >> 1) & 7) == 1
        wkb_start = self.starts + 8 + 32 * env
        try:
            cx, cy = self._coordinate_offsets(geoms, wkb_start, np.where(self.null, 0, lens - 8 - 32 * env))
        except ValueError:
            return
        e0 = self.starts[env] + 8                              # envelope minx, maxx, miny, maxy
        self.xpos = np.concatenate([cx, e0, e0 + 8])
        self.ypos = np.concatenate([cy, e0 + 16, e0 + 24])
        xy = shapely.get_coordinates(geoms)
        self.ok = (len(xy) == len(cx) and np.array_equal(self._read(self.buf, cx), xy[:, 0])
                   and np.array_equal(self._read(self.buf, cy), xy[:, 1]))

    @staticmethod
    def _coordinate_offsets(geoms, wkb_start, wkb_len):
        """Byte offsets of the x and y doubles of every coordinate (get_coordinates order) in ISO WKB."""
        tid = shapely.get_type_id(geoms)
        if np.isin(tid, [2, 7]).any():                          # LinearRing, GeometryCollection: not handled
            raise ValueError("unsupported geometry type")
        multi = np.isin(tid, [4, 5, 6])
        dim = np.where(shapely.has_z(geoms), 3, 2)
        parts, gi = shapely.get_parts(geoms, return_index=True)
        ptid = shapely.get_type_id(parts)
        poly = np.flatnonzero(ptid == 3)
        rings, ri = shapely.get_rings(parts[poly], return_index=True)
        rpart = poly[ri]
        first_ring = np.r_[True, rpart[1:] != rpart[:-1]] if len(rpart) else np.zeros(0, bool)
        # one run per ring; one per line / point part and per polygon part without rings
        single = np.setdiff1d(np.arange(len(parts)), rpart)
        run_part = np.concatenate([rpart, single])
        run_nc = np.concatenate([shapely.get_num_coordinates(rings),
                                 np.where(ptid[single] == 0, 1, shapely.get_num_coordinates(parts[single]))])
        run_hdr = np.concatenate([4 + 9 * first_ring, np.where(ptid[single] == 0, 5, 9)])
        order = np.argsort(run_part, kind="stable")
        run_part, run_nc, run_hdr = run_part[order], run_nc[order], run_hdr[order]
        run_g = gi[run_part]
        step = 8 * dim[run_g]
        run_bytes = run_hdr + run_nc * step
        cum = np.cumsum(run_bytes) - run_bytes                  # start of each run, all geometries in a row
        g_first = np.full(len(geoms), -1, np.int64)
        g_first[run_g[::-1]] = np.arange(len(run_g))[::-1]     # first run of each geometry
        coord0 = wkb_start[run_g] + 9 * multi[run_g] + cum - cum[g_first[run_g]] + run_hdr
        # the WKB lengths must match exactly
        used = np.bincount(run_g, weights=run_bytes, minlength=len(geoms)).astype(np.int64) + 9 * multi
        if not np.array_equal(np.where(shapely.is_missing(geoms), 0, used), wkb_len):
            raise ValueError("WKB layout not understood")
        k = np.arange(int(run_nc.sum())) - np.repeat(np.cumsum(run_nc) - run_nc, run_nc)
        cx = np.repeat(coord0, run_nc) + k * np.repeat(step, run_nc)
        return cx, cx + 8

    @staticmethod
    def _read(buf, pos):
        return buf[pos[:, None] + np.arange(8)].view("<f8").ravel()

    def moved(self, dx: float, dy: float) -> tuple[list, np.ndarray]:
        """(blobs, bounds) of the geometries translated by (dx, dy)."""
        if not self.ok:
            raise ValueError("blob offsets not available")
        buf = self.buf.copy()
        for pos, d in ((self.xpos, dx), (self.ypos, dy)):
            if d:
                idx = pos[:, None] + np.arange(8)
                v = buf[idx].view("<f8")
                v += d
                buf[idx] = v.view(np.uint8)
        raw = buf.tobytes()
        blobs = [None if z else raw[a:b] for z, a, b in zip(self.null.tolist(), self.starts.tolist(),
                                                             self.ends.tolist())]
        return blobs, self.bounds + np.array([dx, dy, dx, dy])


def _kind(values: np.ndarray) -> str:
    k = values.dtype.kind
    if k in "iub":   # as fileio._field_kind: up to int32 / uint16 -> Integer, wider -> Integer64
        return "int32" if values.dtype.itemsize < 4 or (k != "u" and values.dtype.itemsize == 4) else "int"
    if k == "f":
        return "double"
    return "string"


class _Template:
    """One template county: per layer the columns (strings as fixed-width unicode arrays, so ids get their
    prefix in numpy and the writer only calls ``tolist``) and, once :meth:`prepare` ran, the movable blobs
    (the geometries are then dropped unless a layer's blobs could not be mapped)."""

    def __init__(self, city):
        self.layers = {}
        for name in samplecity.LAYER_NAMES:
            geoms, attrs = city.layers[name]
            cols = {}
            for f, v in attrs.items():
                v = np.asarray(v)
                if v.dtype == object:
                    has_null = any(x is None or isinstance(x, float) for x in v.tolist())
                    if has_null and f in ID_FIELDS:
                        raise ValueError(f"{name}.{f}: NULL ids are not supported")
                    if not has_null:
                        v = v.astype(str)
                cols[f] = v
            self.layers[name] = (np.asarray(geoms, dtype=object), cols)
        self.counts = {k: len(v[0]) for k, v in self.layers.items()}
        self.geom_types = dict(city.geom_types)
        self.blobs = {}

    def prepare(self, srs_ids: dict):
        """Movable blobs of every layer (``srs_ids``: layer -> srs_id of the output layer)."""
        for name, (geoms, cols) in self.layers.items():
            mb = MovableBlobs(geoms, srs_ids[name])
            if mb.ok:
                self.blobs[name] = mb
                self.layers[name] = (None, cols)

    def append_copy(self, app, name: str, dx: float, dy: float, code: str):
        geoms, cols = self.layers[name]
        cols = _county_columns(name, cols, code)
        if name in self.blobs:
            blobs, bounds = self.blobs[name].moved(dx, dy)
            return app.append_blobs(blobs, bounds, cols)
        return app.append(_translate(geoms, dx, dy), cols)


def _prefix(pre: str, v: np.ndarray) -> np.ndarray:
    """``pre + s`` for every string of the fixed-width unicode array ``v``, as array copies (no Python loop)."""
    n, w, k = len(v), v.dtype.itemsize // 4, len(pre)
    out = np.empty(n, f"<U{k + w}")
    u = out.view(np.uint32).reshape(n, k + w)
    u[:, :k] = np.frombuffer(pre.encode("utf-32-le"), np.uint32)
    u[:, k:] = v.astype(f"<U{w}").view(np.uint32).reshape(n, w)
    return out


def _county_columns(name: str, cols: dict, code: str) -> dict:
    if not code:
        return cols
    out = dict(cols)
    for f, v in cols.items():
        if name == "districts" and f == "code":
            out[f] = np.array([code + s[-3:] for s in v.tolist()], dtype=object)
        elif f in ID_FIELDS and v.dtype.kind == "U":
            out[f] = _prefix(code + "-", v)
    return out


def _extent(templates: list) -> tuple:
    b = np.array([shapely.total_bounds(g) for t in templates for g, _ in t.layers.values()])
    return (np.nanmin(b[:, 0]), np.nanmin(b[:, 1]), np.nanmax(b[:, 2]), np.nanmax(b[:, 3]))


def write_province(path, n_buildings: int, seed: int = 42, *, county_max: int = COUNTY_MAX,
                   n_templates: int = N_TEMPLATES, spacing_m: float | None = None, log=None) -> dict:
    """Write the province GeoPackage ``path`` (atomically).  Returns a summary: params, counts per layer,
    counties, spacing, timings.  ``log``: optional callable taking a progress line."""
    import sys

    root = str(Path(__file__).resolve().parents[1])
    if root not in sys.path:  # pragma: no cover - scripts and tests put the checkout on sys.path already
        sys.path.insert(0, root)
    from lincang_liangwei.gpkgbulk import LayerAppender

    say = log or (lambda s: None)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    params = province_params(n_buildings, seed, county_max, n_templates, spacing_m)
    n_counties, per_county = params["n_counties"], params["city"]["n_buildings"]
    t0 = time.perf_counter()
    templates = []
    for j, s in enumerate(params["template_seeds"]):
        city = samplecity.generate_city(per_county, seed=s)
        templates.append(_Template(city))
        del city
        say(f"template {j + 1}/{len(params['template_seeds'])} (seed {s}, {per_county:,d} buildings) "
            f"{time.perf_counter() - t0:.1f} s")
    t_gen = time.perf_counter() - t0
    counties, spacing = plan_counties(n_counties, _extent(templates), spacing_m)
    for c in counties:
        c.template = c.index % len(templates)

    first = templates[0]
    apps = {}
    owner = None
    counts = dict.fromkeys(samplecity.LAYER_NAMES, 0)
    rows = []
    try:
        for name in samplecity.LAYER_NAMES:
            spec = [(f, _kind(v)) for f, v in first.layers[name][1].items()]
            apps[name] = LayerAppender(path, name, spec, samplecity.CRS, first.geom_types.get(name, "Unknown"),
                                       add_to=owner)
            owner = owner or apps[name]
        srs_ids = {name: app.srs_id for name, app in apps.items()}
        for t in templates:
            t.prepare(srs_ids)
        say(f"template blobs {time.perf_counter() - t0:.1f} s")
        for c in counties:
            t = templates[c.template]
            for name in samplecity.LAYER_NAMES:
                counts[name] += t.append_copy(apps[name], name, c.dx, c.dy, c.code)
            rows.append((c.index, c.code, c.template, params["template_seeds"][c.template], c.dx, c.dy,
                         t.counts[samplecity.EARLIER], t.counts[samplecity.LATER]))
            if (c.index + 1) % 10 == 0 or c.index + 1 == n_counties:
                say(f"county {c.index + 1}/{n_counties} written, {counts[samplecity.LATER]:,d} buildings "
                    f"{time.perf_counter() - t0:.1f} s")
        t_rows = time.perf_counter() - t0 - t_gen
        keys = sorted(params)
        tab = LayerAppender(path, PARAMS_TABLE, [("key", "string"), ("value", "string")], None, "None", add_to=owner)
        tab.append(None, [keys, [json.dumps(params[k], sort_keys=True, ensure_ascii=False) for k in keys]])
        cspec = [("county", "int32"), ("code", "string"), ("template", "int32"), ("template_seed", "int"),
                 ("dx", "double"), ("dy", "double"), ("n_" + samplecity.EARLIER, "int"),
                 ("n_" + samplecity.LATER, "int")]
        tab = LayerAppender(path, COUNTIES_TABLE, cspec, None, "None", add_to=owner)
        tab.append(None, [list(col) for col in zip(*rows)])
        owner.close()                 # spatial indexes of every layer, then the file is published
    except BaseException:
        if owner is not None:
            owner.discard()
        raise
    t_total = time.perf_counter() - t0
    say(f"indexes + publish {t_total - t_gen - t_rows:.1f} s")
    return {"params": params, "counts": counts, "counties": n_counties, "spacing_m": spacing,
            "templates": len(templates), "seconds": {"templates": t_gen, "rows": t_rows, "total": t_total}}

