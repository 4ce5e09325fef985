"""Deterministic sample city for tests, benchmarks and the demo map.

``generate_city(n_buildings, seed=42, ...)`` builds a plausible small city in
EPSG:4542 (CGCS2000 / 3-degree Gauss-Kruger CM 99E) around the centre of
Lincang (临翔区): a rotated street grid, blocks cut into lots, buildings on the
lots, two survey epochs with known changes between them, planning control zones
(red / blue / green / yellow / purple lines, water-source protection zones),
buried pipelines, and the ground truth of the epoch comparison.

Pure numpy + shapely 2 + pandas (no qgis, no osgeo): everything is built from
coordinate arrays with ``shapely.linearrings(coords, indices=...)`` - there is no
per-building Python loop.  Writing to a GeoPackage is ``fileio.write_city``.

Determinism: the layout, the change plan and the noise each draw from their own
random stream derived from ``seed``, so changing the noise parameters (``jitter``,
``shift``, ``invalid_share``) leaves the city and the true changes identical;
only the later epoch's re-survey noise changes.  That is what an
"accuracy vs noise" curve needs.

Conventions
-----------
* Layer names, field names and truth columns are a contract (see
  ``LAYER_NAMES``); fids are 1..N in array order.
* ``truth_later.change`` is one of ``CHANGE_CLASSES``; ``prev_fids`` lists the
  ``buildings_2019`` fids (sorted, ";"-joined, "" for new buildings);
  ``geom_status`` is ok / invalid / null / empty / z.
* Generator 2 adds ``compounds`` (住宅小区: whole residential blocks, half of them
  holding a new / expanded building) and ``permits`` (permit_no, kind 永久 /
  permanent / 临时 / 临建 / temporary, expiry YYYY-MM-DD or "" for permanent,
  issued) from their own random stream, and register truth columns on
  ``truth_later`` computed with plain shapely on the generated layers:
  in_compound / compound_code (point on surface in a compound), permit_no /
  permit_kind (permanent|temporary) / permit_expired (parcel covering >= 50 %),
  line_types / zone_codes / enc_area_m2 (zone intersections >= 1 m2),
  near_pipe_m / near_pipe_kind (nearest pipe within 15 m, NaN beyond),
  pipe_kind / pipe_deficit_m / pipe_breach_m2 (worst major-pipe clearance breach
  under the default rules table), expected_verdict (see ``_expected_verdict``).
* Buildings of one epoch do not overlap each other (side gaps >= 3 m between
  neighbours); at the default noise the later epoch does not either, except the
  two halves of a split building, whose gap (0.6-1.5 m) can be closed by a large
  jitter, and invalid outlines.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely
import shapely.affinity

CRS = "EPSG:4542"
CENTRE_X = 508_000.0  # Lincang city centre, about 100.08 E 23.88 N in EPSG:4542
CENTRE_Y = 2_641_000.0
GRID_ANGLE_DEG = 22.0  # the street grid follows the valley, rotated from north
ELEVATION_M = 1460.0  # for the few 3D (Z) footprints

EARLIER = "buildings_2019"
LATER = "buildings_2023"
ZONE_LAYERS = ("red_lines", "blue_lines", "green_lines", "yellow_lines", "purple_lines", "water_source")
COMPOUNDS = "compounds"
PERMITS = "permits"
LAYER_NAMES = ("districts", EARLIER, LATER) + ZONE_LAYERS + ("red_lines_cad", "pipelines", COMPOUNDS, PERMITS)
TABLE_NAMES = ("truth_later", "truth_earlier")

CHANGE_CLASSES = (
    "unchanged", "new", "expanded", "rebuilt", "split", "merged", "floors_added",
    "expanded+floors_added",
)
GEOM_STATUS = ("ok", "invalid", "null", "empty", "z")

USES = np.array(["住宅", "商业", "工业", "公共"], dtype=object)
RES, COM, IND, PUB = range(4)

# 临翔区 townships (plausible codes: 街道 0xx, 镇 1xx, 乡 2xx)
DISTRICTS = (
    ("530902001", "凤翔街道"),
    ("530902002", "忙畔街道"),
    ("530902101", "博尚镇"),
    ("530902201", "南美乡"),
    ("530902202", "蚂蚁堆乡"),
    ("530902203", "章驮乡"),
    ("530902204", "圈内乡"),
    ("530902205", "马台乡"),
)

ROAD_NAMES = (
    "南塘街", "凤翔路", "临翔路", "旗山路", "忙畔路", "沧江路", "永泉路", "茶乡路",
    "玉龙路", "明珠路", "南天路", "学府路", "振兴路", "民族路", "团结路", "新城路",
    "西门路", "东风路", "建设路", "人民路", "文华路", "博尚路", "翠湖路", "双拥路",
    "青华路", "春晖路", "昌盛路", "兴临路", "五一路", "胜利路",
)
PARK_NAMES = ("凤翔公园", "茶文化公园", "玉龙湖公园", "世纪公园", "旗山公园", "滨江公园", "人民公园", "南屏公园")

# default change rates (fractions of the earlier buildings; "new" is a fraction of
# the later count).  Together about 91-92 % of earlier buildings stay unchanged.
DEFAULT_RATES = {
    "new": 0.025,
    "demolished": 0.010,
    "expanded": 0.015,
    "rebuilt": 0.010,
    "split": 0.008,
    "merged": 0.012,  # share of earlier buildings that take part in a merge (pairs)
    "floors_added": 0.015,
    "expanded+floors_added": 0.006,
}


@dataclass
class SampleCity:
    """Everything generated: layers, their geometry types, truth tables, params."""

    layers: dict  # name -> (geoms: object ndarray, attrs: dict[str, ndarray])
    geom_types: dict  # name -> "Polygon" | "LineString"
    tables: dict  # name -> pandas.DataFrame (attribute-only tables)
    crs: str = CRS
    params: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)  # counts for summaries (not written)

    @property
    def truth_later(self) -> pd.DataFrame:
        return self.tables["truth_later"]

    @property
    def truth_earlier(self) -> pd.DataFrame:
        return self.tables["truth_earlier"]

    def geoms(self, name: str) -> np.ndarray:
        return self.layers[name][0]

    def attrs(self, name: str) -> pd.DataFrame:
        return pd.DataFrame(self.layers[name][1])

    def counts(self) -> dict:
        return {k: len(v[0]) for k, v in self.layers.items()}


# --------------------------------------------------------------------------- #
# small helpers
# --------------------------------------------------------------------------- #

_CN_DIGITS = "零一二三四五六七八九"


def _cn_num(n: int) -> str:
    """Chinese numeral for 1..9999 (names of 经X路 / 纬X路)."""
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        tail = "" if rest == 0 else ("零" + _cn_num(rest) if rest < 10 else
                                     (_cn_num(rest) if rest >= 20 else "一" + _cn_num(rest)))
        return _CN_DIGITS[n // 100] + "百" + tail
    return str(n)


def _top_k_weighted(rng, weights: np.ndarray, k: int) -> np.ndarray:
    """Indices of a weighted sample without replacement (Efraimidis-Spirakis)."""
    k = int(min(max(k, 0), np.count_nonzero(weights > 0)))
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    u = rng.random(len(weights))
    with np.errstate(divide="ignore"):
        keys = np.where(weights > 0, np.log(u) / np.where(weights > 0, weights, 1.0), -np.inf)
    idx = np.argpartition(-keys, k - 1)[:k]
    return np.sort(idx)


def _pick(rng, mask: np.ndarray, k: int) -> np.ndarray:
    """k random indices where mask is True (sorted)."""
    cand = np.flatnonzero(mask)
    k = int(min(max(k, 0), len(cand)))
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    return np.sort(rng.choice(cand, size=k, replace=False))


class _Frame:
    """Grid (u, v) -> EPSG:4542 (x, y).  Elementwise so identical inputs give
    bit-identical outputs wherever they are computed (exact touching zones)."""

    def __init__(self, angle_deg: float = GRID_ANGLE_DEG, x0: float = CENTRE_X, y0: float = CENTRE_Y):
        a = math.radians(angle_deg)
        self.c, self.s, self.x0, self.y0 = math.cos(a), math.sin(a), x0, y0

    def xy(self, u, v):
        u = np.asarray(u, dtype=float)
        v = np.asarray(v, dtype=float)
        return self.x0 + (u * self.c - v * self.s), self.y0 + (u * self.s + v * self.c)

    def coords(self, uv: np.ndarray) -> np.ndarray:
        x, y = self.xy(uv[..., 0], uv[..., 1])
        return np.stack([x, y], axis=-1)

    def geoms(self, g: np.ndarray) -> np.ndarray:
        return shapely.transform(g, self.coords)

    def to_grid(self, xy: np.ndarray) -> np.ndarray:
        """Inverse of ``coords``: (x, y) -> grid (u, v)."""
        dx, dy = xy[..., 0] - self.x0, xy[..., 1] - self.y0
        return np.stack([dx * self.c + dy * self.s, -dx * self.s + dy * self.c], axis=-1)


def _polys_from_padded(pad: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Polygons from padded rings (n, k, 2) with ``counts`` valid vertices each."""
    n, k = pad.shape[:2]
    if n == 0:
        return np.zeros(0, dtype=object)
    mask = np.arange(k)[None, :] < counts[:, None]
    coords = pad[mask]
    idx = np.repeat(np.arange(n), counts)
    rings = shapely.linearrings(coords, indices=idx)
    return shapely.polygons(rings)


def _boxes(u0, v0, u1, v1) -> np.ndarray:
    """Axis-aligned rectangles as padded rings (n, 4, 2), counter-clockwise."""
    return np.stack([
        np.stack([u0, v0], -1), np.stack([u1, v0], -1),
        np.stack([u1, v1], -1), np.stack([u0, v1], -1),
    ], axis=1)


# --------------------------------------------------------------------------- #
# the grid: roads, blocks, lots
# --------------------------------------------------------------------------- #

@dataclass
class _Grid:
    cu: np.ndarray  # centre u of vertical roads (ncols+1)
    ru: np.ndarray  # widths of vertical roads
    cv: np.ndarray  # centre v of horizontal roads (nrows+1)
    rv: np.ndarray
    clu: np.ndarray  # class of vertical roads (0 local, 1 secondary, 2 arterial)
    clv: np.ndarray
    A: float  # city ellipse semi-axes (u, v)
    B: float

    @property
    def ncols(self):
        return len(self.cu) - 1

    @property
    def nrows(self):
        return len(self.cv) - 1


def _road_axis(rng, n_blocks: int, lo: float, hi: float):
    """Road centres/widths/classes along one axis, centred on 0."""
    n_roads = n_blocks + 1
    ic = n_roads // 2
    k = np.arange(n_roads) - ic
    cls = np.where(k % 6 == 0, 2, np.where(k % 3 == 0, 1, 0))
    widths = np.where(
        cls == 2, rng.choice([36.0, 40.0], n_roads),
        np.where(cls == 1, rng.choice([24.0, 30.0], n_roads),
                 rng.choice([12.0, 15.0, 16.0, 18.0, 20.0], n_roads)))
    blocks = rng.uniform(lo, hi, n_blocks).round(1)
    # centre of road i = sum of widths before + half own width
    starts = np.concatenate([[0.0], np.cumsum(widths[:-1] + blocks)])
    centres = starts + widths / 2
    centres -= centres[ic]
    return centres, widths, cls


def _make_grid(rng, n_lots_total: int, margin: float) -> _Grid:
    cell_area = (170.0 + 20.0) * (100.0 + 20.0)
    lots_per_block = 16.0
    area = n_lots_total / lots_per_block / 0.78 * cell_area
    B = math.sqrt(area / (1.6 * math.pi))
    A = 1.6 * B
    ncols = max(3, int(math.ceil(2 * margin * A / 190.0)) + 1)
    nrows = max(3, int(math.ceil(2 * margin * B / 120.0)) + 1)
    cu, ru, clu = _road_axis(rng, ncols, 120.0, 220.0)
    cv, rv, clv = _road_axis(rng, nrows, 76.0, 124.0)
    return _Grid(cu, ru, cv, rv, clu, clv, A, B)


# --------------------------------------------------------------------------- #
# main entry point
# --------------------------------------------------------------------------- #

GENERATOR_VERSION = 2  # bump when the output for the same parameters changes (2: compounds, permits, case truth)


def city_params(
    n_buildings: int = 10_000,
    seed: int = 42,
    jitter: float = 0.3,
    shift: float = 1.0,
    invalid_share: float = 0.01,
    rates: dict | None = None,
    n_special: int | None = None,
    extra_vertex_share: float = 0.10,
    rotate_start_share: float = 0.30,
    area_noise: float = 0.0,
    earlier_jitter: float = 0.0,
) -> dict:
    """The full, normalised parameter set of ``generate_city`` (JSON-able).

    Stored in the GeoPackage (``sample_params``) so a script can tell whether a
    file is up to date without regenerating it.
    """
    n_buildings = int(n_buildings)
    if n_buildings < 50:
        raise ValueError("n_buildings must be at least 50")
    r = dict(DEFAULT_RATES)
    if rates:
        unknown = set(rates) - set(r)
        if unknown:
            raise ValueError(f"unknown change rates: {sorted(unknown)}")
        r.update(rates)
    if n_special is None:
        n_special = max(2, n_buildings // 20000)
    for name, v in (("jitter", jitter), ("shift", shift), ("invalid_share", invalid_share),
                    ("earlier_jitter", earlier_jitter)):
        if not v >= 0:
            raise ValueError(f"{name} must be >= 0")
    if not 0 <= area_noise < 0.5:
        raise ValueError("area_noise must be in [0, 0.5)")
    return {
        "n_buildings": n_buildings, "seed": int(seed), "jitter": float(jitter),
        "shift": float(shift), "invalid_share": float(invalid_share),
        "rates": {k: float(v) for k, v in sorted(r.items())}, "n_special": int(n_special),
        "extra_vertex_share": float(extra_vertex_share),
        "rotate_start_share": float(rotate_start_share), "generator_version": GENERATOR_VERSION,
        "area_noise": float(area_noise), "earlier_jitter": float(earlier_jitter),
    }


def generate_city(
    n_buildings: int = 10_000,
    seed: int = 42,
    jitter: float = 0.3,
    shift: float = 1.0,
    invalid_share: float = 0.01,
    rates: dict | None = None,
    n_special: int | None = None,
    extra_vertex_share: float = 0.10,
    rotate_start_share: float = 0.30,
    area_noise: float = 0.0,
    earlier_jitter: float = 0.0,
) -> SampleCity:
    """Generate the sample city.

    n_buildings: about the number of buildings of the later epoch.
    seed: everything is a function of (seed, parameters).
    jitter: re-survey noise, every vertex of the later epoch moves by up to
        +-jitter m in x and in y.
    shift: the later outline as a whole moves by up to ``shift`` m.
    invalid_share: share of footprints in each epoch with imagery-style invalid
        outlines (bow-tie, spike with duplicate vertex, self-touching ring).
    rates: change rates overriding ``DEFAULT_RATES``.
    n_special: number of null, of empty and of 3D footprints (default
        max(2, n_buildings // 20000) each).
    area_noise: re-digitising noise of both epochs: every outline (except the
        exact touch / sliver copies) is scaled about its vertex mean so that its
        area changes by a factor uniform in [1 - area_noise, 1 + area_noise]
        (0.15 = up to +-15 %).  The truth does not change.
    earlier_jitter: vertex jitter (+-m in x and y) of the earlier epoch too.
        Both default to 0: then the output is exactly that of generator 1.
    """
    params = city_params(n_buildings, seed, jitter, shift, invalid_share, rates, n_special,
                         extra_vertex_share, rotate_start_share, area_noise, earlier_jitter)
    n_buildings, r, n_special = params["n_buildings"], params["rates"], params["n_special"]
    ss = np.random.SeedSequence(int(seed))
    rng_layout, rng_change, rng_noise, rng_invalid, rng_attr = (np.random.default_rng(s) for s in ss.spawn(5))
    # streams added in generator 2 (spawned after the first five: those stay identical)
    ss_cases, ss_resurvey = ss.spawn(2)
    frame = _Frame()

    # ---- how many earlier buildings do we need --------------------------- #
    n_new = int(round(r["new"] * n_buildings))
    growth = 1.0 - r["demolished"] + r["split"] - r["merged"] / 2.0
    n_early = int(round((n_buildings - n_new) / growth))

    lay = _layout(rng_layout, n_early, n_new)
    plan = _plan_changes(rng_change, lay, n_early, r)
    city = _build(lay, plan, frame, rng_noise, rng_invalid, rng_attr, jitter, shift,
                  invalid_share, n_special, extra_vertex_share, rotate_start_share,
                  (params["area_noise"], params["earlier_jitter"], ss_resurvey))
    _add_cases(city, lay, frame, np.random.default_rng(ss_cases))
    city.params = params
    return city


# --------------------------------------------------------------------------- #
# layout: grid, block types, lots, zones, which lots are built
# --------------------------------------------------------------------------- #

R_MAX = 1.35  # lots farther out (in city-ellipse radii) are never used


def _river_line(rng, g: _Grid) -> shapely.LineString:
    u = np.linspace(g.cu[0] - 200, g.cu[-1] + 200, 400)
    ph1, ph2 = rng.uniform(0, 2 * np.pi, 2)
    lam = max(1500.0, g.A * 0.9)
    v = (-0.28 * g.B + 0.10 * g.B * np.sin(2 * np.pi * u / lam + ph1)
         + 0.04 * g.B * np.sin(2 * np.pi * u / (lam / 2.7) + ph2))
    return shapely.LineString(np.stack([u, v], -1))


def _layout(rng, n_early: int, n_new: int) -> dict:
    margin = 1.35
    for _attempt in range(6):
        lay = _try_layout(rng, n_early, n_new, margin)
        if lay is not None:
            return lay
        margin *= 1.25
    raise RuntimeError("sample city layout failed")  # pragma: no cover


def _try_layout(rng, n_early: int, n_new: int, margin: float):
    # vacant lots that stay vacant + sites for new buildings
    n_vacant_extra = max(3, int(0.02 * n_early))
    g = _make_grid(rng, n_early + n_new + n_vacant_extra, margin)
    ncols, nrows = g.ncols, g.nrows
    # blocks
    bi, bj = np.meshgrid(np.arange(ncols), np.arange(nrows), indexing="ij")
    bi, bj = bi.ravel(), bj.ravel()  # block id = i * nrows + j
    nb = len(bi)
    bu0 = g.cu[bi] + g.ru[bi] / 2
    bu1 = g.cu[bi + 1] - g.ru[bi + 1] / 2
    bv0 = g.cv[bj] + g.rv[bj] / 2
    bv1 = g.cv[bj + 1] - g.rv[bj + 1] / 2
    buc, bvc = (bu0 + bu1) / 2, (bv0 + bv1) / 2
    theta = np.arctan2(bvc / g.B, buc / g.A)
    ph = rng.uniform(0, 2 * np.pi, 3)
    lobes = 1 + 0.14 * np.sin(3 * theta + ph[0]) + 0.07 * np.sin(5 * theta + ph[1]) + 0.04 * np.sin(8 * theta + ph[2])
    block_r = np.hypot(buc / g.A, bvc / g.B) / lobes  # < ~1 inside the city

    # block types
    btype = np.full(nb, RES, dtype=np.int8)
    arterial_side = (g.clu[bi] == 2) | (g.clu[bi + 1] == 2) | (g.clv[bj] == 2) | (g.clv[bj + 1] == 2)
    btype[arterial_side & (block_r < 0.65) & (rng.random(nb) < 0.55)] = COM
    ang = np.arctan2(bvc, buc)
    ind_sector = (np.abs(np.angle(np.exp(1j * (ang - (-2.2))))) < 0.55) & (block_r > 0.55)
    btype[ind_sector & (rng.random(nb) < 0.85)] = IND
    btype[(rng.random(nb) < 0.04) & (btype == RES)] = PUB
    # historic quarter: 3 x 2 blocks west of the centre
    oc = np.argmin(np.hypot(buc - (-0.18 * g.A), bvc - 0.12 * g.B))
    oi, oj = bi[oc], bj[oc]
    oi = int(np.clip(oi, 0, ncols - 3))
    oj = int(np.clip(oj, 0, nrows - 2))
    purple_blocks = (bi >= oi) & (bi < oi + 3) & (bj >= oj) & (bj < oj + 2)
    btype[purple_blocks] = RES
    # parks: one near the centre + ~3 % of the blocks
    park = (rng.random(nb) < 0.03) & ~purple_blocks & (block_r < 1.0)
    cpark = np.argmin(np.hypot(buc - 0.15 * g.A, bvc - 0.05 * g.B) + 1e9 * purple_blocks)
    park[cpark] = True

    # lots: two rows per block, k lots per row
    front = np.select(
        [btype == RES, btype == COM, btype == IND, btype == PUB],
        [rng.uniform(11, 20, nb), rng.uniform(18, 32, nb), rng.uniform(40, 80, nb), rng.uniform(35, 60, nb)])
    front[purple_blocks] = rng.uniform(10, 14, purple_blocks.sum())
    bw = bu1 - bu0
    k = np.maximum(1, np.floor(bw / front)).astype(np.int64)
    nlots_b = 2 * k
    lot_block = np.repeat(np.arange(nb), nlots_b)
    first = np.repeat(np.cumsum(nlots_b) - nlots_b, nlots_b)
    pos = np.arange(len(lot_block)) - first
    kk = k[lot_block]
    row = (pos >= kk).astype(np.int8)  # 0 bottom row (front = v0), 1 top row
    jl = np.where(row == 0, pos, pos - kk)
    W = bw[lot_block] / kk
    lu0 = bu0[lot_block] + jl * W
    lu1 = lu0 + W
    lu1 = np.where(jl == kk - 1, bu1[lot_block], lu1)
    vm = (bv0 + bv1)[lot_block] / 2
    lv0 = np.where(row == 0, bv0[lot_block], vm)
    lv1 = np.where(row == 0, vm, bv1[lot_block])
    # only blocks that can be in the city (the grid has a margin around it)
    near = block_r[lot_block] <= R_MAX
    lot_block, row, jl, kk, lu0, lu1, lv0, lv1 = (
        a[near] for a in (lot_block, row, jl, kk, lu0, lu1, lv0, lv1))
    nl = len(lot_block)
    lot_r = block_r[lot_block] * (1 + 0.015 * (rng.random(nl) - 0.5))

    lot_polys = shapely.box(lu0, lv0, lu1, lv1)
    tree = shapely.STRtree(lot_polys)

    # ---- zones in grid coordinates --------------------------------------- #
    zone_of_lot = np.zeros(nl, dtype=np.int8)  # 0 none; 1 river; 2 green belt; 3 park; 4 ws1; 5 yellow; 6 gas corridor
    keep_p = np.array([0, 0.04, 0.04, 0.03, 0.15, 0.10, 0.25])
    river = _river_line(rng, g)
    hw = 30.0
    blue_river = shapely.buffer(river, hw, quad_segs=4)
    belt_outer = shapely.buffer(river, hw + 30.0, quad_segs=4)
    green_belt = shapely.difference(belt_outer, blue_river)
    hit = tree.query(belt_outer, predicate="intersects")
    zone_of_lot[hit] = 2
    hit = tree.query(blue_river, predicate="intersects")
    zone_of_lot[hit] = 1
    zone_of_lot[np.isin(lot_block, np.flatnonzero(park))] = 3

    # water source: reservoir outside the city edge, NE
    tws = 0.75 + rng.uniform(-0.15, 0.15)
    lobe_ws = 1 + 0.14 * np.sin(3 * tws + ph[0]) + 0.07 * np.sin(5 * tws + ph[1]) + 0.04 * np.sin(8 * tws + ph[2])
    ex, ey = g.A * math.cos(tws) * lobe_ws, g.B * math.sin(tws) * lobe_ws
    nx, ny = math.cos(tws) / g.A, math.sin(tws) / g.B
    nn = math.hypot(nx, ny)
    nx, ny = nx / nn, ny / nn
    w1 = float(np.clip(0.08 * g.B, 60, 200))
    w2 = float(np.clip(0.35 * g.B, 200, 1000))
    r_res = float(np.clip(0.12 * g.B, 80, 350))
    d_out = r_res + 0.4 * w1
    rc = (ex + nx * d_out, ey + ny * d_out)
    res_line = shapely.LineString([(rc[0] - 0.6 * r_res * ny, rc[1] + 0.6 * r_res * nx),
                                   (rc[0] + 0.6 * r_res * ny, rc[1] - 0.6 * r_res * nx)])
    reservoir = shapely.buffer(res_line, r_res * 0.55, quad_segs=8)
    ws1 = shapely.buffer(reservoir, w1, quad_segs=8)
    ws2 = shapely.buffer(reservoir, w2, quad_segs=8)
    hit = tree.query(ws1, predicate="intersects")
    zone_of_lot[hit] = 4

    # pond in the central park
    pb = cpark
    pond = shapely.affinity.scale(shapely.Point((bu0[pb] + bu1[pb]) / 2, (bv0[pb] + bv1[pb]) / 2).buffer(1.0, 16),
                                  0.28 * (bu1[pb] - bu0[pb]), 0.28 * (bv1[pb] - bv0[pb]))

    # yellow: substations (2 lots), gas stations (corner lot), water works (block)
    free = (zone_of_lot == 0) & (lot_r < 0.95) & ~purple_blocks[lot_block]
    nbc = int((block_r < 1).sum())
    n_sub = max(2, nbc // 150)
    n_gas = max(2, nbc // 200)
    sub_first = _pick(rng, free & (jl < kk - 1) & np.roll(free, -1), n_sub)
    gas_lots = _pick(rng, free & (jl == 0) & (btype[lot_block] != PUB), n_gas)
    ww_block = np.argmin(np.abs(block_r - 0.9) + 1e9 * (park | purple_blocks) + 10 * (btype != IND))
    yellow_geoms, yellow_names = [], []
    sub_lots = np.concatenate([sub_first, sub_first + 1])
    zone_of_lot[sub_lots] = 5
    zone_of_lot[gas_lots] = 5
    zone_of_lot[lot_block == ww_block] = 5
    yb_u0 = np.concatenate([lu0[sub_first], lu0[gas_lots], [bu0[ww_block]]])
    yb_u1 = np.concatenate([lu1[sub_first + 1], lu1[gas_lots], [bu1[ww_block]]])
    yb_v0 = np.concatenate([lv0[sub_first], lv0[gas_lots], [bv0[ww_block]]])
    yb_v1 = np.concatenate([lv1[sub_first], lv1[gas_lots], [bv1[ww_block]]])
    yellow_geoms = list(shapely.box(yb_u0, yb_v0, yb_u1, yb_v1))
    sub_names = ["忙畔", "凤翔", "南屏", "旗山", "玉龙", "城东", "城西", "城北", "城南", "茶苑"]
    yellow_names = ([f"110kV {sub_names[i % len(sub_names)]}{'' if i < len(sub_names) else i // len(sub_names) + 1}变电站"
                     for i in range(len(sub_first))]
                    + [f"中石化临沧第{_cn_num(i + 1)}加油站" if i % 2 == 0 else f"临沧燃气{_cn_num(i + 1)}号加气站"
                       for i in range(len(gas_lots))]
                    + ["临沧城北水厂"])
    yellow_kind = ["substation"] * len(sub_first) + ["gas_station"] * len(gas_lots) + ["water_works"]

    # long-distance gas transmission line across the SW edge of the city
    tg = math.radians(205 + rng.uniform(-15, 15))
    px, py = 0.78 * g.A * math.cos(tg), 0.78 * g.B * math.sin(tg)
    tx, ty = -math.sin(tg) * g.A, math.cos(tg) * g.B
    tn = math.hypot(tx, ty)
    tx, ty = tx / tn, ty / tn
    L = 1.6 * g.A
    gas_tx = shapely.LineString([(px - L * tx, py - L * ty), (px - 0.2 * L * tx + 40 * ty, py - 0.2 * L * ty - 40 * tx),
                                 (px + 0.3 * L * tx - 30 * ty, py + 0.3 * L * ty + 30 * tx), (px + L * tx, py + L * ty)])
    hit = tree.query(shapely.buffer(gas_tx, 8.0, quad_segs=2), predicate="intersects")
    zone_of_lot[hit] = np.where(zone_of_lot[hit] == 0, 6, zone_of_lot[hit])

    # ---- which lots are in the city ------------------------------------- #
    eligible = zone_of_lot == 0
    n_normal_sites = n_early + n_new + max(3, int(0.02 * n_early))
    el = np.flatnonzero(eligible)
    if len(el) < n_normal_sites * 1.02:
        return None
    order = el[np.argsort(lot_r[el], kind="stable")]
    r_cut = lot_r[order[n_normal_sites - 1]]
    if r_cut * 1.25 > margin or r_cut > R_MAX / 1.05:
        return None
    zlots = np.flatnonzero((zone_of_lot > 0) & (lot_r <= r_cut))
    u = rng.random(len(zlots))
    p_keep = keep_p[zone_of_lot[zlots]]
    zone_old = zlots[u < p_keep]
    zone_new = zlots[(u >= p_keep) & (u < 2 * p_keep)]
    # at least one old encroacher per zone type present in the city
    for t in range(1, len(keep_p)):
        cand = zlots[zone_of_lot[zlots] == t]
        if len(cand) and not (zone_of_lot[zone_old] == t).any():
            one = cand[rng.integers(len(cand))]
            zone_old = np.sort(np.append(zone_old, one))
            zone_new = zone_new[zone_new != one]
    n_normal_old = n_early - len(zone_old)
    n_new_normal = max(0, n_new - len(zone_new))
    normal = order[: n_normal_old + n_new_normal + max(3, int(0.02 * n_early))]
    # vacant lots: more at the fringe
    wv = (lot_r[normal] / r_cut) ** 6 + 0.05
    vac_local = _top_k_weighted(rng, wv, len(normal) - n_normal_old)
    vac_mask = np.zeros(len(normal), bool)
    vac_mask[vac_local] = True
    early_lots = np.sort(np.concatenate([normal[~vac_mask], zone_old]))
    vacant = normal[vac_mask]
    new_pick = _top_k_weighted(rng, (lot_r[vacant] / r_cut) ** 3 + 0.2, n_new_normal)
    new_lots = np.concatenate([vacant[new_pick], zone_new])
    new_lots = new_lots[:n_new] if len(new_lots) > n_new else new_lots

    in_city_block = np.zeros(nb, bool)
    in_city_block[lot_block[lot_r <= r_cut]] = True
    in_city_block |= park & (block_r <= r_cut * 1.02)
    in_city_block[ww_block] = True
    in_city_block |= purple_blocks

    # purple quarter (whole 3x2 blocks incl. inner streets) + core (middle column)
    pq = np.flatnonzero(purple_blocks)
    purple = [shapely.box(bu0[pq].min(), bv0[pq].min(), bu1[pq].max(), bv1[pq].max()),
              shapely.box(bu0[pq].min() + (bu1[pq].max() - bu0[pq].min()) * 0.36, bv0[pq].min() + 20,
                          bu0[pq].min() + (bu1[pq].max() - bu0[pq].min()) * 0.64, bv1[pq].max() - 20)]

    parks = np.flatnonzero(park & in_city_block)
    return dict(
        g=g, nb=nb, bi=bi, bj=bj, bu0=bu0, bu1=bu1, bv0=bv0, bv1=bv1, btype=btype, block_r=block_r,
        purple_blocks=purple_blocks, in_city_block=in_city_block, r_cut=r_cut,
        lot_block=lot_block, row=row, jl=jl, kk=kk, lu0=lu0, lu1=lu1, lv0=lv0, lv1=lv1, lot_r=lot_r,
        zone_of_lot=zone_of_lot, early_lots=early_lots, new_lots=np.sort(new_lots),
        river=river, blue_river=blue_river, green_belt=green_belt, pond=pond, reservoir=reservoir,
        ws1=ws1, ws2=ws2, parks=parks, cpark=cpark, purple=purple, yellow_geoms=yellow_geoms,
        yellow_names=yellow_names, yellow_kind=yellow_kind, gas_tx=gas_tx,
    )


# --------------------------------------------------------------------------- #
# buildings on lots (local frame: x along the frontage, y from the front edge)
# --------------------------------------------------------------------------- #

def _lot_buildings(rng, lay: dict, lots: np.ndarray, encroach_share: float) -> dict:
    """Shape parameters of one building per lot (vectorised)."""
    n = len(lots)
    lb = lay["lot_block"][lots]
    bt = lay["btype"][lb]
    purple = lay["purple_blocks"][lb]
    W = lay["lu1"][lots] - lay["lu0"][lots]
    Dl = lay["lv1"][lots] - lay["lv0"][lots]
    gl = rng.uniform(1.5, 3.5, n)
    gr = rng.uniform(1.5, 3.5, n)
    # very wide lots (industry): leave more yard
    wide = W > 30
    gl[wide] = rng.uniform(3, 8, wide.sum())
    gr[wide] = rng.uniform(3, 8, wide.sum())
    w = W - gl - gr
    s = np.select([bt == IND, bt == PUB], [rng.uniform(3, 10, n), rng.uniform(2, 8, n)], rng.uniform(0.3, 6.0, n))
    s[purple] = rng.uniform(0.3, 1.5, purple.sum())
    d = np.select([bt == RES, bt == COM, bt == IND, bt == PUB],
                  [rng.uniform(8, 16, n), rng.uniform(12, 25, n), rng.uniform(20, 40, n), rng.uniform(15, 30, n)])
    d = np.minimum(d, Dl - s - 6.0)
    d = np.maximum(d, np.minimum(40.0 / np.maximum(w, 1.0), Dl - s - 3.0))
    # encroachment into the road in front (red line): negative setback
    front_road_w = _front_road_width(lay, lots)
    enc = rng.random(n) < encroach_share
    s = np.where(enc, -rng.uniform(0.5, 4.0, n) * np.minimum(1.0, 0.3 * front_road_w / 4.0), s)
    # L shapes
    is_l = (rng.random(n) < 0.22) & (bt != IND) & (w >= 8) & (d >= 10)
    xm = w * rng.uniform(0.4, 0.7, n)
    ym = d * rng.uniform(0.4, 0.7, n)
    floors = _floors(rng, bt, purple, lay["block_r"][lb], w * d)
    use = np.where(rng.random(n) < 0.85, bt, np.where(bt == RES, COM, RES)).astype(np.int8)
    use[bt == IND] = IND
    return dict(lots=lots, W=W, Dl=Dl, gl=gl, w=w, s=s, d=d, is_l=is_l, xm=xm, ym=ym,
                floors=floors, use=use, enc=enc, front_w=front_road_w)


def _front_road_width(lay, lots):
    g = lay["g"]
    bj = lay["bj"][lay["lot_block"][lots]]
    return np.where(lay["row"][lots] == 0, g.rv[bj], g.rv[bj + 1])


def _floors(rng, bt, purple, br, area):
    n = len(bt)
    res = rng.choice([1, 2, 3, 4, 5, 6, 7], n, p=[0.12, 0.25, 0.25, 0.17, 0.1, 0.07, 0.04])
    com = rng.integers(2, 13, n)
    tall = (bt == COM) & (br < 0.35) & (area > 300) & (rng.random(n) < 0.5)
    com = np.where(tall, rng.integers(12, 33, n), com)
    ind = rng.integers(1, 4, n)
    pub = rng.integers(2, 7, n)
    f = np.select([bt == RES, bt == COM, bt == IND], [res, com, ind], pub)
    f = np.where(purple, rng.integers(1, 3, n), f)
    return f.astype(np.int32)


def _local_rings(x0, x1, y0, y1, is_l, xm, ym, ext_side, ea, eb, ey):
    """Padded local rings (n, 10, 2) and counts.

    ext_side: 0 none, 1 front (inserted in edge 0, y = y0 - ey), 2 back (inserted
    in the back edge, y = y1 + ey); extension spans x in [ea, eb].
    """
    n = len(x0)
    pad = np.zeros((n, 10, 2))
    cnt = np.zeros(n, dtype=np.int64)
    for lshape in (False, True):
        for side in (0, 1, 2):
            m = (is_l == lshape) & (ext_side == side)
            if not m.any():
                continue
            a0, a1, b0, b1 = x0[m], x1[m], y0[m], y1[m]

            def P(x, y):
                return np.stack([x, y], -1)
            if lshape:
                base = [P(a0, b0), P(a1, b0), P(a1, ym[m]), P(xm[m], ym[m]), P(xm[m], b1), P(a0, b1)]
            else:
                base = [P(a0, b0), P(a1, b0), P(a1, b1), P(a0, b1)]
            if side == 1:
                e = b0 - ey[m]
                ins = [P(ea[m], b0), P(ea[m], e), P(eb[m], e), P(eb[m], b0)]
                verts = base[:1] + ins + base[1:]
            elif side == 2:
                e = b1 + ey[m]
                ins = [P(eb[m], b1), P(eb[m], e), P(ea[m], e), P(ea[m], b1)]
                at = 5 if lshape else 3  # after the back edge's first vertex
                verts = base[:at] + ins + base[at:]
            else:
                verts = base
            arr = np.stack(verts, axis=1)
            pad[m, : arr.shape[1]] = arr
            cnt[m] = arr.shape[1]
    return pad, cnt


def _to_grid(lay, lots, pad):
    """Local lot frame -> grid (u, v).  Top-row lots are turned by 180 degrees."""
    top = (lay["row"][lots] == 1)[:, None]
    u = np.where(top, lay["lu1"][lots][:, None] - pad[..., 0], lay["lu0"][lots][:, None] + pad[..., 0])
    v = np.where(top, lay["lv1"][lots][:, None] - pad[..., 1], lay["lv0"][lots][:, None] + pad[..., 1])
    return np.stack([u, v], -1)


def _plain_rings(b, idx=None):
    if idx is None:
        idx = np.arange(len(b["lots"]))
    n = len(idx)
    z = np.zeros(n)
    x0 = b["gl"][idx]
    return _local_rings(x0, x0 + b["w"][idx], b["s"][idx], b["s"][idx] + b["d"][idx], b["is_l"][idx],
                        x0 + b["xm"][idx], b["s"][idx] + b["ym"][idx], np.zeros(n, np.int8), z, z, z)


# --------------------------------------------------------------------------- #
# the change plan
# --------------------------------------------------------------------------- #

def _plan_changes(rng, lay: dict, n_early: int, r: dict) -> dict:
    early = lay["early_lots"]
    ne = len(early)
    b = _lot_buildings(rng, lay, early, encroach_share=0.025)
    nb_new = _lot_buildings(rng, lay, lay["new_lots"], encroach_share=0.04)
    change = np.full(ne, "unchanged", dtype=object)
    free = np.ones(ne, bool)
    rect = ~b["is_l"]
    # merges: neighbouring lots (same block and row), both rectangles
    lots = early
    nxt = np.flatnonzero((np.diff(lots) == 1)
                         & (lay["lot_block"][lots[:-1]] == lay["lot_block"][lots[1:]])
                         & (lay["row"][lots[:-1]] == lay["row"][lots[1:]])
                         & rect[:-1] & rect[1:] & (lay["jl"][lots[:-1]] % 2 == 0))
    n_pairs = int(round(r["merged"] * ne / 2))
    pairs = np.sort(rng.choice(nxt, size=min(n_pairs, len(nxt)), replace=False)) if len(nxt) else np.zeros(0, int)
    change[pairs] = "merged"
    change[pairs + 1] = "merged"
    free[pairs] = free[pairs + 1] = False
    # touch / sliver specials: unchanged rectangles with a decent back yard, copied exactly
    backyard = b["Dl"] - b["s"] - b["d"]
    n_sp = max(4, int(0.0015 * ne))
    special = _pick(rng, free & rect & (backyard > 5) & ~b["enc"] & (b["w"] > 5), 2 * n_sp)
    free[special] = False
    touch, sliver = special[0::2], special[1::2]
    # red-line slivers (front setback a few cm into the road), copied exactly
    red_sliver = _pick(rng, free & rect & (b["w"] > 5), n_sp)
    free[red_sliver] = False
    b["s"][red_sliver] = -rng.uniform(0.2, 0.9, len(red_sliver)) / b["w"][red_sliver]
    b["enc"][red_sliver] = True

    def take(name, mask, k):
        idx = _pick(rng, free & mask, k)
        change[idx] = name
        free[idx] = False
        return idx

    split = take("split", rect & (b["w"] >= 8), int(round(r["split"] * ne)))
    demolished = take("demolished", np.ones(ne, bool), int(round(r["demolished"] * ne)))
    expanded = take("expanded", np.ones(ne, bool), int(round(r["expanded"] * ne)))
    rebuilt = take("rebuilt", backyard > 4, int(round(r["rebuilt"] * ne)))
    floors = take("floors_added", np.ones(ne, bool), int(round(r["floors_added"] * ne)))
    expfl = take("expanded+floors_added", np.ones(ne, bool), int(round(r["expanded+floors_added"] * ne)))
    return dict(b=b, bnew=nb_new, change=change, pairs=pairs, touch=touch, sliver=sliver,
                red_sliver=red_sliver, split=split, demolished=demolished, expanded=expanded,
                rebuilt=rebuilt, floors=floors, expfl=expfl, exact=np.concatenate([touch, sliver, red_sliver]))


# --------------------------------------------------------------------------- #
# assembling both epochs
# --------------------------------------------------------------------------- #

def _extension(rng, b, idx):
    """Extension parameters for buildings idx: side, x-range, depth (local)."""
    n = len(idx)
    w, d, s = b["w"][idx], b["d"][idx], b["s"][idx]
    lshape = b["is_l"][idx]
    area = np.where(lshape, w * b["ym"][idx] + b["xm"][idx] * (d - b["ym"][idx]), w * d)
    backyard = b["Dl"][idx] - s - d
    need = np.maximum(8.0, 0.05 * area) * 1.15
    edge_w = np.where(lshape, b["xm"][idx], w)  # back edge width
    fa = rng.uniform(0.05, 0.35, n)
    fb = rng.uniform(0.65, 0.95, n)
    e_back = np.maximum(rng.uniform(3, 8, n), need / ((fb - fa) * edge_w))
    back_ok = (e_back <= backyard - 0.8) & (rng.random(n) < 0.7)
    fa2 = rng.uniform(0.05, 0.3, n)
    fb2 = rng.uniform(0.7, 0.95, n)
    e_front = np.maximum(rng.uniform(1.5, 4.0, n), need / ((fb2 - fa2) * w))
    side = np.where(back_ok, 2, 1).astype(np.int8)
    x0 = b["gl"][idx]
    ea = np.where(back_ok, x0 + fa * edge_w, x0 + fa2 * w)
    eb = np.where(back_ok, x0 + fb * edge_w, x0 + fb2 * w)
    ey = np.where(back_ok, e_back, e_front)
    return side, ea, eb, ey


def _ragged_from_groups(n, groups):
    """groups: list of (ids, padded (m,k,2), counts) -> padded (n, kmax, 2), counts."""
    kmax = max(g[1].shape[1] for g in groups)
    pad = np.zeros((n, kmax, 2))
    cnt = np.zeros(n, dtype=np.int64)
    for ids, p, c in groups:
        pad[ids, : p.shape[1]] = p
        cnt[ids] = c
    return pad, cnt


def _build(lay, plan, frame, rng_noise, rng_inv, rng_attr, jitter, shift, invalid_share, n_special,
           extra_vertex_share, rotate_start_share, resurvey) -> SampleCity:
    b, bn, change = plan["b"], plan["bnew"], plan["change"]
    early = lay["early_lots"]
    ne = len(early)
    # ---- earlier epoch --------------------------------------------------- #
    pad, cnt = _plain_rings(b)
    e_uv = _to_grid(lay, early, pad)
    e_pad = frame.coords(e_uv)
    e_cnt = cnt
    area_noise, earlier_jitter, ss_resurvey = resurvey
    rs_e_scale, rs_e_jit, rs_l_scale = (np.random.default_rng(s) for s in ss_resurvey.spawn(3))
    protect_e = np.zeros(ne, bool)
    protect_e[plan["exact"]] = True
    # the earlier epoch re-digitised (generator 2; identity at the defaults).  e_pad
    # itself stays exact: the touch / sliver pocket zones are built from it.
    e_pad_s = _redigitise(e_pad, e_cnt, ~protect_e, area_noise, earlier_jitter, rs_e_scale, rs_e_jit)

    # ---- later epoch: list of (source rows) ------------------------------ #
    groups = []  # (uv padded, counts, change, prev1, prev2, floors, use)
    rr = np.random.default_rng(rng_noise.integers(2**63))  # for later-shape params

    keep = np.flatnonzero(np.isin(change, ["unchanged", "floors_added"]))
    fl = b["floors"][keep].copy()
    fa = change[keep] == "floors_added"
    fl[fa] += rr.integers(1, 4, fa.sum())
    groups.append((e_uv[keep], cnt[keep], change[keep], keep, np.full(len(keep), -1), fl, b["use"][keep]))

    ex = np.flatnonzero(np.isin(change, ["expanded", "expanded+floors_added"]))
    side, ea, eb, ey = _extension(rr, b, ex)
    x0 = b["gl"][ex]
    p2, c2 = _local_rings(x0, x0 + b["w"][ex], b["s"][ex], b["s"][ex] + b["d"][ex], b["is_l"][ex],
                          x0 + b["xm"][ex], b["s"][ex] + b["ym"][ex], side, ea, eb, ey)
    fl = b["floors"][ex].copy()
    m = change[ex] == "expanded+floors_added"
    fl[m] += rr.integers(1, 3, m.sum())
    groups.append((_to_grid(lay, early[ex], p2), c2, change[ex], ex, np.full(len(ex), -1), fl, b["use"][ex]))

    rb = plan["rebuilt"]
    W = b["W"][rb]
    nx0 = rr.uniform(1.5, 2.5, len(rb))
    nx1 = W - rr.uniform(1.5, 2.5, len(rb))
    ny0 = b["s"][rb] + b["d"][rb] * rr.uniform(0.62, 0.75, len(rb))
    ny1 = b["Dl"][rb] - rr.uniform(0.8, 1.5, len(rb))
    z = np.zeros(len(rb))
    p3, c3 = _local_rings(nx0, nx1, ny0, ny1, np.zeros(len(rb), bool), z, z, np.zeros(len(rb), np.int8), z, z, z)
    fl3 = np.maximum(b["floors"][rb] + rr.integers(0, 4, len(rb)), 2).astype(np.int32)
    use3 = np.where(rr.random(len(rb)) < 0.3, COM, b["use"][rb]).astype(np.int8)
    groups.append((_to_grid(lay, early[rb], p3), c3, change[rb], rb, np.full(len(rb), -1), fl3, use3))

    sp = plan["split"]
    xs = b["w"][sp] * rr.uniform(0.38, 0.62, len(sp))
    gap = rr.uniform(0.6, 1.5, len(sp))
    x0 = b["gl"][sp]
    s0, s1 = b["s"][sp], b["s"][sp] + b["d"][sp]
    z = np.zeros(len(sp))
    fz = np.zeros(len(sp), bool)
    zn = np.zeros(len(sp), np.int8)
    pa, ca = _local_rings(x0, x0 + xs - gap / 2, s0, s1, fz, z, z, zn, z, z, z)
    pb, cb = _local_rings(x0 + xs + gap / 2, x0 + b["w"][sp], s0, s1, fz, z, z, zn, z, z, z)
    for p_, c_ in ((pa, ca), (pb, cb)):
        groups.append((_to_grid(lay, early[sp], p_), c_, change[sp], sp, np.full(len(sp), -1),
                       b["floors"][sp], b["use"][sp]))

    pr = plan["pairs"]
    ua = e_uv[pr, :4]
    ub = e_uv[pr + 1, :4]
    both = np.concatenate([ua, ub], axis=1)
    umin, umax = both[..., 0].min(1), both[..., 0].max(1)
    vmin, vmax = both[..., 1].min(1), both[..., 1].max(1)
    pm = _boxes(umin, vmin, umax, vmax)
    flm = np.maximum(b["floors"][pr], b["floors"][pr + 1])
    groups.append((pm, np.full(len(pr), 4), np.full(len(pr), "merged", dtype=object), pr, pr + 1, flm,
                   b["use"][pr]))

    # new buildings on vacant lots
    pn, cn = _plain_rings(bn)
    nnew = len(bn["lots"])
    groups.append((_to_grid(lay, bn["lots"], pn), cn, np.full(nnew, "new", dtype=object),
                   np.full(nnew, -1), np.full(nnew, -1), bn["floors"], bn["use"]))

    kmax = max(gr[0].shape[1] for gr in groups)

    def cat(i):
        return np.concatenate([gr[i] for gr in groups])

    l_uv = np.concatenate([np.pad(gr[0], ((0, 0), (0, kmax - gr[0].shape[1]), (0, 0))) for gr in groups])
    l_cnt, l_change, l_p1, l_p2, l_floors, l_use = (cat(i) for i in range(1, 7))
    nl = len(l_cnt)
    l_pad = frame.coords(l_uv)

    # exact copies (touch / sliver cases): no re-survey noise
    exact_set = np.zeros(ne, bool)
    exact_set[plan["exact"]] = True
    l_exact = (l_p1 >= 0) & (l_p2 < 0) & (l_change == "unchanged") & exact_set[np.maximum(l_p1, 0)]

    # ---- later order: survey tiles of 500 m, random inside a tile -------- #
    mask = np.arange(kmax)[None, :] < l_cnt[:, None]
    cx = (l_pad[..., 0] * mask).sum(1) / l_cnt
    cy = (l_pad[..., 1] * mask).sum(1) / l_cnt
    tile = np.floor((cy - CENTRE_Y) / 500).astype(np.int64) * 100000 + np.floor((cx - CENTRE_X) / 500).astype(np.int64)
    order = np.lexsort((rng_noise.random(nl), tile))
    l_pad, l_cnt, l_change, l_p1, l_p2 = l_pad[order], l_cnt[order], l_change[order], l_p1[order], l_p2[order]
    l_floors, l_use, l_exact = l_floors[order], l_use[order], l_exact[order]

    # ---- re-survey noise -------------------------------------------------- #
    # the whole outline moves by up to `shift`; parts of one earlier building
    # (split halves) move together, like a local misregistration would
    noisy = ~l_exact
    ang = rng_noise.uniform(0, 2 * np.pi, ne + nl)
    mag = shift * np.sqrt(rng_noise.random(ne + nl))
    src_row = np.where(l_p1 >= 0, l_p1, ne + np.arange(nl))
    ang, mag = ang[src_row], mag[src_row]
    jit = jitter * rng_noise.uniform(-1, 1, (nl, l_pad.shape[1], 2))
    l_pad = l_pad + noisy[:, None, None] * (jit + np.stack([mag * np.cos(ang), mag * np.sin(ang)], -1)[:, None, :])
    # rotated start vertex
    kpad = l_pad.shape[1]
    rot = np.where((rng_noise.random(nl) < rotate_start_share) & noisy,
                   rng_noise.integers(1, 1 << 30, nl) % l_cnt, 0)
    src = (np.arange(kpad)[None, :] + rot[:, None]) % l_cnt[:, None]
    src = np.where(np.arange(kpad)[None, :] < l_cnt[:, None], src, np.arange(kpad)[None, :])
    l_pad = np.take_along_axis(l_pad, src[..., None], axis=1)
    # extra (collinear) vertex in the middle of edge 0
    extra = (rng_noise.random(nl) < extra_vertex_share) & noisy
    l_pad = np.concatenate([l_pad, np.zeros((nl, 1, 2))], axis=1)
    ie = np.flatnonzero(extra)
    if len(ie):
        mid = (l_pad[ie, 0] + l_pad[ie, 1]) / 2
        l_pad[ie, 2:] = l_pad[ie, 1:-1]
        l_pad[ie, 1] = mid
        l_cnt = l_cnt + extra
    l_pad = _redigitise(l_pad, l_cnt, noisy, area_noise, 0.0, rs_l_scale, None)

    # ---- geometries + invalid / null / empty / z ------------------------- #
    e_status = np.zeros(ne, np.int8)
    l_status = np.zeros(nl, np.int8)
    e_geoms = _polys_from_padded(e_pad_s, e_cnt)
    l_geoms = _polys_from_padded(l_pad, l_cnt)
    _make_invalid(rng_inv, e_geoms, e_pad_s, e_cnt, e_status, invalid_share, protect_e)
    # (not on outlines with the extra collinear vertex: a bow-tie at a straight
    # vertex degenerates into an overlap that GEOS may still call valid)
    _make_invalid(rng_inv, l_geoms, l_pad, l_cnt, l_status, invalid_share, l_exact | extra)
    # null / empty (later epoch only), among unchanged ok buildings
    cand = (l_status == 0) & (l_change == "unchanged") & ~l_exact
    nulls = _pick(rng_inv, cand, n_special)
    cand[nulls] = False
    empties = _pick(rng_inv, cand, n_special)
    cand[empties] = False
    zs_l = _pick(rng_inv, cand, n_special)
    l_geoms[nulls] = None
    l_geoms[empties] = shapely.from_wkt("POLYGON EMPTY")
    l_geoms[zs_l] = shapely.force_3d(l_geoms[zs_l], ELEVATION_M + rng_inv.uniform(-30, 30, len(zs_l)))
    l_status[nulls], l_status[empties], l_status[zs_l] = 2, 3, 4
    zs_e = _pick(rng_inv, (e_status == 0) & ~protect_e, n_special)
    e_geoms[zs_e] = shapely.force_3d(e_geoms[zs_e], ELEVATION_M + rng_inv.uniform(-30, 30, len(zs_e)))
    e_status[zs_e] = 4

    # ---- attributes -------------------------------------------------------- #
    e_fid = np.arange(1, ne + 1)
    l_fid = np.arange(1, nl + 1)
    e_attrs = {
        "floors": b["floors"].astype(np.int32),
        "use": USES[b["use"]],
        "survey_id": _ids("LX2019-", _survey_numbers(rng_attr, ne)),
    }
    l_attrs = {
        "floors": l_floors.astype(np.int32),
        "use": USES[l_use],
        "survey_id": _ids("CH2023-", _survey_numbers(rng_attr, nl)),
    }
    p1 = np.where(l_p1 >= 0, l_p1 + 1, 0)
    p2 = np.where(l_p2 >= 0, l_p2 + 1, 0)
    lo, hi = np.minimum(p1, p2), np.maximum(p1, p2)
    s_hi = np.where(hi > 0, hi.astype(str).astype(object), "")
    s_lo = np.where(lo > 0, lo.astype(str).astype(object), "")
    prev = np.where(lo > 0, s_lo + ";" + s_hi, s_hi)
    truth_later = pd.DataFrame({
        "fid": l_fid.astype(np.int64),
        "change": l_change.astype(object),
        "prev_fids": prev.astype(object),
        "geom_status": np.array(GEOM_STATUS, dtype=object)[l_status],
    })
    demol = np.zeros(ne, np.int32)
    demol[plan["demolished"]] = 1
    truth_earlier = pd.DataFrame({
        "fid": e_fid.astype(np.int64),
        "demolished": demol,
        "geom_status": np.array(GEOM_STATUS, dtype=object)[e_status],
    })

    layers = {}
    geom_types = {}
    layers["districts"] = _districts(lay, frame)
    geom_types["districts"] = "Polygon"
    layers[EARLIER] = (e_geoms, e_attrs)
    layers[LATER] = (l_geoms, l_attrs)
    geom_types[EARLIER] = geom_types[LATER] = "Polygon"
    zones = _zones(lay, plan, frame, e_pad, rng_attr)
    for k, v in zones.items():
        layers[k] = v
        geom_types[k] = "Polygon"
    layers["red_lines_cad"] = _red_cad(lay, frame)
    geom_types["red_lines_cad"] = "LineString"
    layers["pipelines"] = _pipelines(lay, frame, rng_attr)
    geom_types["pipelines"] = "LineString"
    ordered = {k: layers[k] for k in LAYER_NAMES if k in layers}  # + compounds, permits: _add_cases
    info = {
        "changes_later": truth_later["change"].value_counts().to_dict(),
        "demolished": int(demol.sum()),
        "geom_status_later": truth_later["geom_status"].value_counts().to_dict(),
        "geom_status_earlier": truth_earlier["geom_status"].value_counts().to_dict(),
        "touch_cases": len(plan["touch"]), "sliver_cases": len(plan["sliver"]) + len(plan["red_sliver"]),
    }
    return SampleCity(layers=ordered, geom_types={k: geom_types[k] for k in LAYER_NAMES if k in geom_types},
                      tables={"truth_later": truth_later, "truth_earlier": truth_earlier},
                      crs=CRS, info=info)


def _survey_numbers(rng, n):
    """Survey numbers: increasing in file order with random gaps (as when some
    sheets were rejected), so numbers of the two epochs do not line up."""
    return 1000 + np.cumsum(rng.integers(1, 4, n))


def _ids(prefix: str, nums: np.ndarray) -> np.ndarray:
    """prefix + 7-digit zero-padded numbers, built on code points (fast)."""
    nums = np.asarray(nums, dtype=np.int64)
    p = np.frombuffer(prefix.encode("utf-32-le"), dtype=np.uint32)
    width = len(p) + 7
    out = np.empty((len(nums), width), dtype=np.uint32)
    out[:, : len(p)] = p
    digits = (nums[:, None] // (10 ** np.arange(6, -1, -1, dtype=np.int64))[None, :]) % 10
    out[:, len(p):] = digits.astype(np.uint32) + ord("0")
    return out.view(f"<U{width}").ravel().astype(object)


def _make_invalid(rng, geoms, pad, cnt, status, share, protect):
    """Replace ~share of geoms by invalid but repairable outlines (in place)."""
    n = len(geoms)
    k = int(round(share * n))
    idx = _pick(rng, ~protect & (status == 0), k)
    if len(idx) == 0:
        return
    p = pad[idx]
    c = cnt[idx].copy()
    kind = rng.integers(0, 3, len(idx))
    out = np.zeros((len(idx), p.shape[1] + 4, 2))
    cout = np.zeros(len(idx), np.int64)
    P0, P1, P2, P3 = p[:, 0], p[:, 1], p[:, 2], p[:, 3]

    def unit(a):
        return a / np.maximum(np.linalg.norm(a, axis=-1, keepdims=True), 1e-9)

    # 0: small bow-tie at corner 1: P0, Q1, Q2, P2, ...
    m = kind == 0
    t = np.minimum(0.8, 0.3 * np.minimum(np.linalg.norm(P2 - P1, axis=-1), np.linalg.norm(P0 - P1, axis=-1)))[:, None]
    Q1 = P1 + t * unit(P2 - P1)
    Q2 = P1 + t * unit(P0 - P1)
    o = np.concatenate([p[:, :1], Q1[:, None], Q2[:, None], p[:, 2:], np.zeros((len(idx), 3, 2))], axis=1)
    out[m] = o[m]
    cout[m] = c[m] + 1
    # 1: spike with a duplicate vertex: P0, P1, S, P1, P2, ...
    m = kind == 1
    S = P1 + rng.uniform(0.8, 2.5, (len(idx), 1)) * unit(P1 - P0)
    o = np.concatenate([p[:, :2], S[:, None], P1[:, None], p[:, 2:], np.zeros((len(idx), 2, 2))], axis=1)
    out[m] = o[m]
    cout[m] = c[m] + 2
    # 2: ring touching itself (inverted hole) on edge 2-3: P0 P1 P2 M A B M P3 ...
    m = kind == 2
    e = P3 - P2
    L = np.linalg.norm(e, axis=-1, keepdims=True)
    eu = unit(e)
    nrm = np.stack([-eu[:, 1], eu[:, 0]], -1)  # interior side of a CCW ring
    M = P2 + e / 2
    h = np.minimum(1.0, 0.25 * L)
    A = M + h * nrm + 0.7 * h * eu
    Bp = M + h * nrm - 0.7 * h * eu
    o = np.concatenate([p[:, :3], M[:, None], A[:, None], Bp[:, None], M[:, None], p[:, 3:]], axis=1)
    out[m] = o[m]
    cout[m] = c[m] + 4
    geoms[idx] = _polys_from_padded(out, cout)
    status[idx] = 1


# --------------------------------------------------------------------------- #
# districts, zones, CAD lines, pipelines
# --------------------------------------------------------------------------- #

def _city_envelope(lay, pad=300.0):
    ib = np.flatnonzero(lay["in_city_block"])
    return (lay["bu0"][ib].min() - pad, lay["bv0"][ib].min() - pad,
            lay["bu1"][ib].max() + pad, lay["bv1"][ib].max() + pad)


def _districts(lay, frame):
    g = lay["g"]
    nbc = int(lay["in_city_block"].sum())
    nd = int(np.clip(3 + round(math.log10(max(nbc, 10) / 20) * 1.6), 3, 8))
    env = shapely.box(*_city_envelope(lay, 400.0))
    ang = np.linspace(0, 2 * np.pi, nd - 1, endpoint=False) + 0.4
    seeds = [(0.05 * g.A, 0.0)] + [(0.62 * g.A * math.cos(a), 0.62 * g.B * math.sin(a)) for a in ang]
    vor = shapely.get_parts(shapely.voronoi_polygons(shapely.MultiPoint(seeds), extend_to=env))
    vor = shapely.intersection(vor, env)
    pts = shapely.points(np.array(seeds))
    # order cells as the seeds (Voronoi output order is not the input order)
    tree = shapely.STRtree(vor)
    ids_pt, ids_cell = tree.query(pts, predicate="within")
    cells = np.empty(nd, dtype=object)
    cells[ids_pt] = vor[ids_cell]
    geoms = frame.geoms(cells)
    return geoms, {"code": np.array([c for c, _ in DISTRICTS[:nd]], dtype=object),
                   "name": np.array([nm for _, nm in DISTRICTS[:nd]], dtype=object)}


def _road_segments(lay):
    """Road land: one rectangle per street segment between intersection centres."""
    g = lay["g"]
    ncols, nrows = g.ncols, g.nrows
    inb = lay["in_city_block"].reshape(ncols, nrows)
    # vertical road i (0..ncols), segment j (0..nrows-1): next to blocks (i-1, j), (i, j)
    left = np.zeros((ncols + 1, nrows), bool)
    left[1:] |= inb
    left[:-1] |= inb
    vi, vj = np.nonzero(left)
    v_geo = shapely.box(g.cu[vi] - g.ru[vi] / 2, g.cv[vj], g.cu[vi] + g.ru[vi] / 2, g.cv[vj + 1])
    below = np.zeros((ncols, nrows + 1), bool)
    below[:, 1:] |= inb
    below[:, :-1] |= inb
    hi, hj = np.nonzero(below)
    h_geo = shapely.box(g.cu[hi], g.cv[hj] - g.rv[hj] / 2, g.cu[hi + 1], g.cv[hj] + g.rv[hj] / 2)
    return (vi, vj, v_geo), (hi, hj, h_geo)


def _road_names(n: int, cls: np.ndarray, vertical: bool, offset: int) -> np.ndarray:
    """Central and arterial roads get names, the others 经X路 / 纬X路."""
    names = []
    ic = n // 2
    k_named = 0
    for i in range(n):
        if (abs(i - ic) <= 4 or cls[i] == 2) and k_named < len(ROAD_NAMES) // 2:
            names.append(ROAD_NAMES[(offset + k_named) % len(ROAD_NAMES)])
            k_named += 1
        else:
            names.append(("经" if vertical else "纬") + _cn_num(i + 1) + "路")
    return np.array(names, dtype=object)


def _zones(lay, plan, frame, e_pad, rng):
    out = {}
    g = lay["g"]
    (vi, vj, v_geo), (hi, hj, h_geo) = _road_segments(lay)
    vn = _road_names(g.ncols + 1, g.clu, True, 0)
    hn = _road_names(g.nrows + 1, g.clv, False, 15)
    names = np.concatenate([vn[vi], hn[hj]])
    codes = np.concatenate([
        np.char.add(np.char.add("HX-J", np.char.zfill(vi.astype("U4"), 3)), np.char.add("-", np.char.zfill(vj.astype("U4"), 3))),
        np.char.add(np.char.add("HX-W", np.char.zfill(hj.astype("U4"), 3)), np.char.add("-", np.char.zfill(hi.astype("U4"), 3))),
    ]).astype(object)
    out["red_lines"] = (frame.geoms(np.concatenate([v_geo, h_geo])), {"name": names, "code": codes})

    # blue: river, pond, reservoir
    blue = [lay["blue_river"], lay["pond"], lay["reservoir"]]
    out["blue_lines"] = (frame.geoms(np.array(blue, dtype=object)),
                         {"name": np.array(["南汀河", "凤翔湖", "中山水库"], dtype=object),
                          "code": np.array(["LANX-001", "LANX-002", "LANX-003"], dtype=object)})

    # green: parks (blocks), river green belt, pocket greens (touch / sliver cases)
    pk = lay["parks"]
    park_geo = shapely.box(lay["bu0"][pk], lay["bv0"][pk], lay["bu1"][pk], lay["bv1"][pk])
    pnames = [PARK_NAMES[i] if i < len(PARK_NAMES) else f"街头游园{i - len(PARK_NAMES) + 1}" for i in range(len(pk))]
    ci = int(np.flatnonzero(pk == lay["cpark"])[0]) if (pk == lay["cpark"]).any() else None
    if ci is not None and ci != 0:
        pnames[0], pnames[ci] = pnames[ci], pnames[0]
    green_uv = list(park_geo) + [lay["green_belt"]]
    green_names = pnames + ["南汀河滨河绿带"]
    # pocket zones from the buildings' exact coordinates (in x, y already)
    b = plan["b"]
    touch, sliver = plan["touch"], plan["sliver"]
    pocket_geo, pocket_kind = [], []
    for idx, eps in ((touch, 0.0), (sliver, 1.0)):
        if len(idx) == 0:
            continue
        P1, P2, P3 = e_pad[idx, 1], e_pad[idx, 2], e_pad[idx, 3]
        nrm = (P2 - P1) / np.linalg.norm(P2 - P1, axis=-1, keepdims=True)
        depth = (b["Dl"][idx] - b["s"][idx] - b["d"][idx] - 0.3)[:, None]
        wlen = np.linalg.norm(P3 - P2, axis=-1)
        e = (eps * rng.uniform(0.2, 0.9, len(idx)) / wlen)[:, None]  # sliver area 0.2-0.9 m2
        ring = np.stack([P3 - nrm * e, P2 - nrm * e, P2 + nrm * depth, P3 + nrm * depth], 1)
        pocket_geo.append(_polys_from_padded(ring, np.full(len(idx), 4)))
        pocket_kind.append(np.full(len(idx), eps))
    pocket_geo = np.concatenate(pocket_geo) if pocket_geo else np.zeros(0, object)
    pocket_kind = np.concatenate(pocket_kind) if pocket_kind else np.zeros(0)
    is_yellow = (np.arange(len(pocket_geo)) % 3) == 2
    gp = pocket_geo[~is_yellow]
    green = np.concatenate([frame.geoms(np.array(green_uv, dtype=object)), gp])
    gnames = np.array(green_names + [f"街头绿地{i + 1}" for i in range(len(gp))], dtype=object)
    gcodes = np.array([f"LX-{i + 1:04d}" for i in range(len(green))], dtype=object)
    out["green_lines"] = (green, {"name": gnames, "code": gcodes})

    yp = pocket_geo[is_yellow]
    yellow = np.concatenate([frame.geoms(np.array(lay["yellow_geoms"], dtype=object)), yp])
    ynames = np.array(list(lay["yellow_names"]) + [f"10kV 开闭所{i + 1}" for i in range(len(yp))], dtype=object)
    out["yellow_lines"] = (yellow, {"name": ynames,
                                    "code": np.array([f"HUX-{i + 1:04d}" for i in range(len(yellow))], dtype=object)})

    out["purple_lines"] = (frame.geoms(np.array(lay["purple"], dtype=object)),
                           {"name": np.array(["南塘街历史文化街区建设控制地带", "南塘街历史文化街区核心保护范围"], dtype=object),
                            "code": np.array(["ZX-001", "ZX-002"], dtype=object)})
    out["water_source"] = (frame.geoms(np.array([lay["ws1"], lay["ws2"]], dtype=object)),
                           {"name": np.array(["中山水库饮用水水源一级保护区", "中山水库饮用水水源二级保护区"], dtype=object),
                            "code": np.array(["SY-001-1", "SY-001-2"], dtype=object),
                            "level": np.array([1, 2], dtype=np.int32)})
    return out


def _red_cad(lay, frame):
    """Road red lines as a CAD export would give them: block outlines, one line per side."""
    ib = np.flatnonzero(lay["in_city_block"])
    u0, u1, v0, v1 = lay["bu0"][ib], lay["bu1"][ib], lay["bv0"][ib], lay["bv1"][ib]
    a = np.stack([np.stack([u0, v0], -1), np.stack([u1, v0], -1)], 1)
    bb = np.stack([np.stack([u1, v0], -1), np.stack([u1, v1], -1)], 1)
    c = np.stack([np.stack([u1, v1], -1), np.stack([u0, v1], -1)], 1)
    d = np.stack([np.stack([u0, v1], -1), np.stack([u0, v0], -1)], 1)
    segs = np.concatenate([a, bb, c, d])
    xy = frame.coords(segs)
    geoms = shapely.linestrings(xy.reshape(-1, 2), indices=np.repeat(np.arange(len(segs)), 2))
    return geoms, {"layer": np.full(len(geoms), "道路红线", dtype=object)}


_PIPE_KINDS = ("电力", "通信", "给水", "燃气", "污水", "雨水", "中水", "热力")


def _pipelines(lay, frame, rng):
    g = lay["g"]
    (vi, vj, _), (hi, hj, _) = _road_segments(lay)
    rows = []
    for vertical, ri, sj in ((True, vi, vj), (False, hj, hi)):
        df = pd.DataFrame({"road": ri, "seg": sj})
        df["grp"] = df["seg"] // 3
        agg = df.groupby(["road", "grp"], sort=True)["seg"].agg(["min", "max"]).reset_index()
        road = agg["road"].to_numpy()
        if vertical:
            c, w, cls = g.cu[road], g.ru[road], g.clu[road]
            a, bnd = g.cv[agg["min"].to_numpy()], g.cv[agg["max"].to_numpy() + 1]
        else:
            c, w, cls = g.cv[road], g.rv[road], g.clv[road]
            a, bnd = g.cu[agg["min"].to_numpy()], g.cu[agg["max"].to_numpy() + 1]
        # pipe templates: (kind index, offset from centre)
        tmpl = [(0, w / 2 - 1.0), (1, -(w / 2 - 1.0)), (2, -(w / 2 - 2.5)), (3, w / 2 - 2.5),
                (4, np.full_like(w, 1.0)), (5, np.full_like(w, -1.0))]
        for kind, off in tmpl:
            rows.append((vertical, c + off, a, bnd, np.full(len(c), kind), cls))
        big = cls >= 1
        rows.append((vertical, (c - (w / 2 - 4.0))[big], a[big], bnd[big], np.full(big.sum(), 6), cls[big]))
        heat = (cls == 2) & (rng.random(len(c)) < 0.15)
        rows.append((vertical, (c + (w / 2 - 4.0))[heat], a[heat], bnd[heat], np.full(heat.sum(), 7), cls[heat]))
    uv_list, kinds, classes = [], [], []
    for vertical, pos, a, bnd, kind, cls in rows:
        if vertical:
            seg = np.stack([np.stack([pos, a], -1), np.stack([pos, bnd], -1)], 1)
        else:
            seg = np.stack([np.stack([a, pos], -1), np.stack([bnd, pos], -1)], 1)
        uv_list.append(seg)
        kinds.append(kind)
        classes.append(cls)
    segs = np.concatenate(uv_list)
    kind = np.concatenate(kinds)
    cls = np.concatenate(classes)
    n = len(segs)
    geoms = shapely.linestrings(frame.coords(segs).reshape(-1, 2), indices=np.repeat(np.arange(n), 2))
    # attributes
    kname = np.array(_PIPE_KINDS, dtype=object)[kind]
    u = rng.random(n)
    kname = np.where((kind == 3) & (u < 0.10), "gas", kname)
    kname = np.where((kind == 3) & (u >= 0.10) & (u < 0.16), "天然气", kname)
    kname = np.where((kind == 2) & (u < 0.08), "water", kname)
    kname = np.where((kind == 6) & (u < 0.4), "再生水", kname)
    u2 = rng.random(n)
    kname = np.where(u2 < 0.008, "不明", kname)
    kname = np.where((u2 >= 0.008) & (u2 < 0.012), "", kname)
    press = np.where(cls == 2, rng.choice(["中压A", "次高压B", "次高压A", "中压B"], n, p=[0.55, 0.25, 0.08, 0.12]),
                     np.where(cls == 1, rng.choice(["中压B", "中压A"], n, p=[0.6, 0.4]),
                              rng.choice(["低压", "中压B"], n, p=[0.65, 0.35])))
    press = np.where(kind == 3, press, "").astype(object)
    water_d = np.where(cls == 0, rng.choice([100, 150, 200, 200], n),
                       np.where(cls == 1, rng.choice([200, 201, 250, 300, 400], n), rng.choice([300, 400, 600, 800], n)))
    diam = np.select(
        [kind == 0, kind == 1, kind == 2, kind == 3, kind == 4, kind == 5, kind == 6, kind == 7],
        [rng.choice([100, 150, 200], n), rng.choice([100, 110], n), water_d,
         np.where(cls == 0, rng.choice([100, 160, 200], n), rng.choice([200, 250, 300, 400], n)),
         rng.choice([300, 400, 500, 600, 800], n) + 200 * cls, rng.choice([400, 600, 800, 1000], n) + 100 * cls,
         rng.choice([150, 200, 300], n), rng.choice([200, 300, 400, 500], n)])
    abbr = np.array(["DL", "TX", "JS", "RQ", "WS", "YS", "ZS", "RL"], dtype=object)[kind]
    codes = np.char.add(np.char.add(abbr.astype(str), "-"), np.char.zfill((np.arange(n) + 1).astype("U8"), 6)).astype(object)
    # long-distance gas transmission line (5 m each side protected)
    gt = frame.geoms(np.array([lay["gas_tx"]], dtype=object))
    geoms = np.concatenate([geoms, gt])
    kname = np.concatenate([kname, np.array(["输气管道"], dtype=object)])
    press = np.concatenate([press, np.array(["高压"], dtype=object)])
    diam = np.concatenate([diam, [610]])
    codes = np.concatenate([codes, np.array(["CQ-LC-001"], dtype=object)])
    return geoms, {"kind": kname.astype(object), "pressure": press, "diameter_mm": diam.astype(np.int32),
                   "code": codes}


# --------------------------------------------------------------------------- #
# generator 2: re-digitising noise, compounds, permits, truth of the register
# --------------------------------------------------------------------------- #

def _redigitise(pad, cnt, mask, area_noise, jitter, rng_scale, rng_jit):
    """Outlines re-digitised: vertex jitter (+-jitter m) then a scale about the
    vertex mean with an area factor uniform in [1 - area_noise, 1 + area_noise],
    for rows where ``mask``.  Returns ``pad`` itself when both are 0 (so the
    default output is bit-identical to generator 1); draws full-size arrays, so
    the result does not depend on ``mask``."""
    if area_noise <= 0 and jitter <= 0:
        return pad
    n, k = pad.shape[:2]
    valid = (np.arange(k)[None, :] < cnt[:, None]) & mask[:, None]
    out = pad.copy()
    if jitter > 0:
        out = out + valid[..., None] * (jitter * rng_jit.uniform(-1, 1, (n, k, 2)))
    if area_noise > 0:
        f = 1.0 + area_noise * rng_scale.uniform(-1, 1, n)
        s = np.where(mask, np.sqrt(f), 1.0)[:, None, None]
        inside = (np.arange(k)[None, :] < cnt[:, None])[..., None]
        c = (out * inside).sum(1, keepdims=True) / cnt[:, None, None]
        out = np.where(valid[..., None], c + s * (out - c), out)
    return out


# verdicts of ``truth_later.expected_verdict`` (see _expected_verdict)
V_DEMOLISH, V_RECTIFY, V_EXPIRED, V_LEGACY, V_VERIFY = "拆除候选", "限期整改", "超期临时建筑", "历史存量", "待核查"
GROWTH_CHANGES = ("new", "expanded", "rebuilt", "expanded+floors_added")  # footprint grew or was built
# construction since the earlier epoch (= rules_default.toml [register] built_changes / case_changes)
BUILT_CHANGES = GROWTH_CHANGES + ("floors_added", "merged")
CHANGE_FINDINGS = BUILT_CHANGES
CABLE_PIPE_KINDS = ("power", "telecom")
MIN_ENC_AREA_M2 = 1.0  # = rules_default.toml [verdict.line_inside] min_enc_area_m2
MIN_PIPE_DEFICIT_M = 0.3  # = [verdict.pipe_major] min_deficit_m (and its min_enc_area_m2 = 1.0)
MAJOR_PIPE_KINDS = ("gas", "transmission", "water", "sewer", "storm", "drainage", "reclaimed", "heat")
PIPE_SEARCH_M = 15.0  # near_pipe_m is NaN beyond this (the largest default clearance is 13.5 m)
LINE_TYPE_OF_LAYER = {"red_lines": "red", "blue_lines": "blue", "green_lines": "green", "yellow_lines": "yellow",
                      "purple_lines": "purple", "water_source": "water_source"}
# every expired temporary permit expired before the later survey; every valid one
# runs to 2030 or later: the truth holds for any run date from 2023 to 2029
EXPIRED_BEFORE = "2023-01-01"
VALID_UNTIL_AT_LEAST = "2030-01-01"
PERMIT_KIND_VALUES = {"permanent": ("永久", "permanent"), "temporary": ("临时", "临建", "temporary")}

_COMPOUND_A = ("阳光", "凤翔", "茶城", "玉龙", "锦绣", "碧水", "南屏", "翠湖", "金色", "和谐", "康乐", "书香",
               "旗山", "沧江", "福临", "怡景")
_COMPOUND_B = ("花园", "小区", "家园", "雅苑", "新村", "名居")


def _clean(geoms):
    """2-D valid copies of the non-missing, non-empty geometries and that mask."""
    g = np.asarray(geoms, dtype=object).copy()
    ok = ~shapely.is_missing(g)
    ok[ok] = ~shapely.is_empty(g[ok])
    g[ok] = shapely.make_valid(shapely.force_2d(g[ok]))
    g[~ok] = None
    return g, ok


def _compounds(lay, frame, rng, growth_pts):
    """住宅小区: whole residential blocks, half of them blocks with a new / expanded building."""
    park = np.zeros(lay["nb"], bool)
    park[lay["parks"]] = True
    cand = np.flatnonzero(lay["in_city_block"] & (lay["btype"] == RES) & ~lay["purple_blocks"] & ~park)
    boxes = frame.geoms(shapely.box(lay["bu0"][cand], lay["bv0"][cand], lay["bu1"][cand], lay["bv1"][cand]))
    has_growth = np.zeros(len(cand), bool)
    if len(growth_pts) and len(cand):
        has_growth[np.unique(shapely.STRtree(boxes).query(growth_pts, predicate="intersects")[1])] = True
    k = int(min(len(cand), max(3, round(0.12 * len(cand)))))
    first = _pick(rng, has_growth, (k + 1) // 2)
    rest = np.ones(len(cand), bool)
    rest[first] = False
    sel = np.sort(np.concatenate([first, _pick(rng, rest, k - len(first))]))
    i = np.arange(len(sel))
    na, nb_ = len(_COMPOUND_A), len(_COMPOUND_B)
    names = np.array([_COMPOUND_A[j % na] + _COMPOUND_B[(j // na) % nb_] + (f"{j // (na * nb_) + 1}期" if j >= na * nb_ else "")
                      for j in i.tolist()], dtype=object)
    codes = np.array([f"XQ-{j + 1:04d}" for j in i.tolist()], dtype=object)
    return boxes[sel], {"name": names, "code": codes}


def _dates(rng, start: str, end: str, n: int) -> np.ndarray:
    lo, hi = np.datetime64(start, "D"), np.datetime64(end, "D")
    return lo + rng.integers(0, int((hi - lo).astype(int)), n).astype("timedelta64[D]")


def _permits(rng, frame, geoms, ok, change):
    """Permit parcels around chosen later buildings (grid-aligned envelope + 0.3-1.0 m).

    Category per building: 1 permanent, 2 valid temporary, 3 expired temporary.
    new: 25 / 10 / 10 %; expanded / rebuilt: 20 / 0 / 5 %; unchanged 3 / 0.5 / 1 %.
    """
    n = len(geoms)
    u = rng.random(n)
    cat = np.zeros(n, np.int8)
    new = change == "new"
    grow = np.isin(change, ["expanded", "rebuilt", "expanded+floors_added"])
    unch = change == "unchanged"
    for m, a, b, c in ((new, 0.25, 0.35, 0.45), (grow, 0.20, 0.20, 0.25), (unch, 0.03, 0.035, 0.045)):
        cat[m & (u < a)] = 1
        cat[m & (u >= a) & (u < b)] = 2
        cat[m & (u >= b) & (u < c)] = 3
    cat[~ok] = 0
    idx = np.flatnonzero(cat > 0)
    idx = idx[rng.permutation(len(idx))]  # permit order has nothing to do with building fids
    k = cat[idx]
    m = len(idx)
    margin = rng.uniform(0.3, 1.0, m)
    # the street grid's frame: buildings are rectangles / L shapes along it
    bnd = shapely.bounds(shapely.transform(geoms[idx], frame.to_grid)) if m else np.zeros((0, 4))
    polys = frame.geoms(shapely.box(bnd[:, 0] - margin, bnd[:, 1] - margin, bnd[:, 2] + margin, bnd[:, 3] + margin))
    built_late = ~unch[idx]
    issued = np.where(
        k == 1, np.where(built_late, _dates(rng, "2019-06-01", "2022-12-31", m), _dates(rng, "2005-01-01", "2018-12-31", m)),
        np.where(k == 2, _dates(rng, "2020-01-01", "2023-06-30", m),
                 np.where(built_late, _dates(rng, "2019-03-01", "2020-12-31", m), _dates(rng, "2014-01-01", "2020-06-30", m))))
    years = rng.integers(1, 3, m)
    expiry = np.where(k == 2, _dates(rng, VALID_UNTIL_AT_LEAST, "2034-12-31", m),
                      np.minimum(issued + (365 * years).astype("timedelta64[D]"),
                                 np.datetime64(EXPIRED_BEFORE, "D") - np.timedelta64(1, "D")))
    perm_word = np.where(rng.random(m) < 0.8, "永久", "permanent")
    tv = rng.random(m)
    temp_word = np.where(tv < 0.5, "临时", np.where(tv < 0.8, "临建", "temporary"))
    kind = np.where(k == 1, perm_word, temp_word).astype(object)
    year = issued.astype("datetime64[Y]").astype(int) + 1970
    prefix = np.where(k == 1, "建字第", "临建字第")
    serial = pd.DataFrame({"p": prefix, "y": year}).groupby(["p", "y"], sort=False).cumcount().to_numpy() + 1
    permit_no = np.array([f"{p}530902{y}-{s:04d}号" for p, y, s in zip(prefix.tolist(), year.tolist(), serial.tolist())],
                         dtype=object)
    attrs = {
        "permit_no": permit_no,
        "kind": kind,
        "expiry": np.where(k == 1, "", expiry.astype(str)).astype(object),
        "issued": issued.astype(str).astype(object),
    }
    return polys, attrs


def _best_pairs(left, right, value, n_left):
    """For each left index: the right index of the largest value (-1 when none)."""
    best = np.full(n_left, -1, np.int64)
    if len(left):
        o = np.lexsort((-value, left))
        first = np.r_[True, left[o][1:] != left[o][:-1]]
        best[left[o][first]] = right[o][first]
    return best


def _zone_truth(city, lg, ok):
    """line_types / zone_codes / enc_area_m2: intersection >= MIN_ENC_AREA_M2 with a zone polygon."""
    n = len(lg)
    zg, zt, zc = [], [], []
    for layer, t in LINE_TYPE_OF_LAYER.items():
        g, a = city.layers[layer]
        zg.append(g)
        zt.append(np.full(len(g), LINE_TYPES_ORDER.index(t)))
        zc.append(np.asarray(a["code"], dtype=object))
    zg, zt, zc = np.concatenate(zg), np.concatenate(zt), np.concatenate(zc)
    ib = np.flatnonzero(ok)
    z, b = shapely.STRtree(lg[ib]).query(zg, predicate="intersects")
    b = ib[b]
    area = shapely.area(shapely.intersection(lg[b], zg[z]))
    keep = area >= MIN_ENC_AREA_M2
    b, z, area = b[keep], z[keep], area[keep]
    enc = np.bincount(b, weights=area, minlength=n)
    types = np.full(n, "", dtype=object)
    codes = np.full(n, "", dtype=object)
    if len(b):
        df = pd.DataFrame({"b": b, "t": zt[z], "c": zc[z]}).sort_values(["b", "t", "c"], kind="stable")
        tt = df.drop_duplicates(["b", "t"]).assign(t=lambda d: np.array(LINE_TYPES_ORDER, dtype=object)[d["t"]])
        g1 = tt.groupby("b", sort=True)["t"].agg(";".join)
        g2 = df.groupby("b", sort=True)["c"].agg(";".join)
        types[g1.index.to_numpy()] = g1.to_numpy()
        codes[g2.index.to_numpy()] = g2.to_numpy()
    return types, codes, np.round(enc, 2)


LINE_TYPES_ORDER = ("red", "blue", "green", "yellow", "purple", "water_source")


def _pipe_truth(city, lg, ok):
    """near_pipe_m / near_pipe_kind (any pipe), and with the default rules table:
    pipe_kind / pipe_deficit_m / pipe_breach_m2 of the worst MAJOR_PIPE_KINDS breach."""
    from lincang_liangwei.core.rules import load_rules

    n = len(lg)
    pg, pa = city.layers["pipelines"]
    match = load_rules().pipe_clearances(pa["kind"], pa["pressure"], pa["diameter_mm"])
    ib = np.flatnonzero(ok)
    # long straight pipes have huge rotated envelopes: find candidates with 40 m
    # pieces, then measure each (building, pipe) pair once
    pieces = shapely.segmentize(pg, 40.0)
    xy, owner = shapely.get_coordinates(pieces, return_index=True)
    same = owner[1:] == owner[:-1]
    seg = shapely.linestrings(np.stack([xy[:-1][same], xy[1:][same]], 1))
    seg_pipe = owner[:-1][same]
    bb = shapely.bounds(lg[ib])
    b, s = shapely.STRtree(seg).query(shapely.box(bb[:, 0] - PIPE_SEARCH_M, bb[:, 1] - PIPE_SEARCH_M,
                                                  bb[:, 2] + PIPE_SEARCH_M, bb[:, 3] + PIPE_SEARCH_M))
    key = np.unique(ib[b].astype(np.int64) * len(pg) + seg_pipe[s])  # (building, pipe) once
    b, p = key // len(pg), key % len(pg)
    d = shapely.distance(lg[b], pg[p])
    m = d <= PIPE_SEARCH_M
    b, p, d = b[m], p[m], d[m]
    near = _best_pairs(b, p, -d, n)
    has = near >= 0
    near_m = np.full(n, np.nan)
    near_kind = np.full(n, "", dtype=object)
    dmin = pd.Series(d).groupby(b).min()
    near_m[dmin.index.to_numpy()] = np.round(dmin.to_numpy(), 3)
    near_kind[has] = np.asarray(pa["kind"], dtype=object)[near[has]]
    req = match.required_m[p]
    major = np.isin(match.kind[p], MAJOR_PIPE_KINDS) & np.isfinite(req)
    deficit = np.where(major, req - d, -np.inf)
    m = deficit > 0
    bm, pm, dm = b[m], p[m], deficit[m]
    breach = shapely.area(shapely.intersection(lg[bm], shapely.buffer(pg[pm], match.required_m[pm], quad_segs=8)))
    worst = _best_pairs(bm, np.arange(len(bm)), dm, n)
    hw = worst >= 0
    pipe_kind = np.full(n, "", dtype=object)
    pipe_def = np.full(n, np.nan)
    pipe_area = np.full(n, np.nan)
    pipe_kind[hw] = match.kind[pm[worst[hw]]]
    pipe_def[hw] = np.round(dm[worst[hw]], 3)
    pipe_area[hw] = np.round(breach[worst[hw]], 2)
    # cable (power / telecom) breaches that reach the verdict thresholds (= [verdict.pipe_cable])
    cable = np.isin(match.kind[p], CABLE_PIPE_KINDS) & np.isfinite(req)
    cdef = np.where(cable, req - d, -np.inf)
    m = cdef >= MIN_PIPE_DEFICIT_M
    bc, pc = b[m], p[m]
    carea = shapely.area(shapely.intersection(lg[bc], shapely.buffer(pg[pc], match.required_m[pc], quad_segs=8)))
    cable_breach = np.zeros(n, np.int32)
    cable_breach[bc[carea >= MIN_ENC_AREA_M2]] = 1
    return near_m, near_kind, pipe_kind, pipe_def, pipe_area, cable_breach


def _expected_verdict(change, line_types, pipe_deficit, pipe_area, permit_kind, permit_expired, in_compound=None,
                      cable_breach=None):
    """The verdict the register should give (issue 8, default rules table): the most severe that holds:

    1. 拆除候选: built since the earlier epoch (BUILT_CHANGES, = [register] built_changes: new, expanded,
       expanded+floors_added, floors_added, rebuilt, merged) and on a control line / water-source zone
       (>= 1 m2) or in a major pipe's clearance (deficit >= 0.3 m and >= 1 m2 of the building in the
       clearance band) - a valid permit does not help; or built, inside a residential compound and not
       covered by a valid permit (住宅小区内的违法建筑);
    2. 限期整改: built and in a power / telecom cable's clearance (deficit >= 0.3 m, >= 1 m2);
    3. 超期临时建筑: covered by an expired temporary permit;
    4. 待核查: a change finding (CHANGE_FINDINGS) without a valid permit;
    5. 历史存量: existed before (unchanged, split) and on a control line / water-source zone / pipe clearance
       (cables included);
    6. "": no case (unchanged and clear, or changed inside a valid permit).
    """
    change = np.asarray(change, dtype=object)
    n = len(change)
    in_compound = np.zeros(n, bool) if in_compound is None else np.asarray(in_compound).astype(bool)
    cable = np.zeros(n, bool) if cable_breach is None else np.asarray(cable_breach).astype(bool)
    hit = (line_types != "") | ((np.nan_to_num(pipe_deficit, nan=-1) >= MIN_PIPE_DEFICIT_M)
                               & (np.nan_to_num(pipe_area, nan=0) >= MIN_ENC_AREA_M2))
    built = np.isin(change, BUILT_CHANGES)
    finding = np.isin(change, CHANGE_FINDINGS)
    valid_permit = (permit_kind != "") & (permit_expired == 0)
    return np.select(
        [built & (hit | (in_compound & ~valid_permit)), built & cable, permit_expired == 1, finding & ~valid_permit,
         ~built & (hit | cable)],
        [V_DEMOLISH, V_RECTIFY, V_EXPIRED, V_VERIFY, V_LEGACY], "").astype(object)


def _add_cases(city, lay, frame, rng):
    """compounds + permits layers and the truth of every register case (truth_later)."""
    tl = city.tables["truth_later"]
    change = tl["change"].to_numpy(dtype=object)
    lg, ok = _clean(city.geoms(LATER))
    growth = ok & np.isin(change, ["new", "expanded", "expanded+floors_added"])
    city.layers[COMPOUNDS] = _compounds(lay, frame, rng, shapely.point_on_surface(lg[growth]))
    city.layers[PERMITS] = _permits(rng, frame, lg, ok & ~np.isin(change, ["split", "merged"]), change)
    city.geom_types[COMPOUNDS] = city.geom_types[PERMITS] = "Polygon"
    n = len(lg)
    ib = np.flatnonzero(ok)
    # compound: the building's point on surface inside the block
    cg, ca = city.layers[COMPOUNDS]
    b, c = shapely.STRtree(cg).query(shapely.point_on_surface(lg[ib]), predicate="intersects")
    comp = np.full(n, "", dtype=object)
    comp[ib[b]] = np.asarray(ca["code"], dtype=object)[c]
    # permit: the parcel covering the largest share of the building, if >= 50 %
    pg, pa = city.layers[PERMITS]
    b, p = shapely.STRtree(pg).query(lg[ib], predicate="intersects")
    b = ib[b]
    share = shapely.area(shapely.intersection(lg[b], pg[p])) / np.maximum(shapely.area(lg[b]), 1e-9)
    keep = share >= 0.5
    best = _best_pairs(b[keep], p[keep], share[keep], n)
    hp = best >= 0
    permit_no = np.full(n, "", dtype=object)
    permit_kind = np.full(n, "", dtype=object)
    expired = np.zeros(n, np.int32)
    permit_no[hp] = pa["permit_no"][best[hp]]
    is_perm = np.isin(pa["kind"], PERMIT_KIND_VALUES["permanent"])
    permit_kind[hp] = np.where(is_perm[best[hp]], "permanent", "temporary")
    exp_txt = np.asarray(pa["expiry"], dtype=object)
    expired[hp] = ((~is_perm[best[hp]]) & (exp_txt[best[hp]] < EXPIRED_BEFORE)).astype(np.int32)
    line_types, zone_codes, enc = _zone_truth(city, lg, ok)
    near_m, near_kind, pipe_kind, pipe_def, pipe_area, cable_breach = _pipe_truth(city, lg, ok)
    new_cols = {
        "in_compound": (comp != "").astype(np.int32), "compound_code": comp,
        "permit_no": permit_no, "permit_kind": permit_kind, "permit_expired": expired,
        "line_types": line_types, "zone_codes": zone_codes, "enc_area_m2": enc,
        "near_pipe_m": near_m, "near_pipe_kind": near_kind,
        "pipe_kind": pipe_kind, "pipe_deficit_m": pipe_def, "pipe_breach_m2": pipe_area, "cable_breach": cable_breach,
        "expected_verdict": _expected_verdict(change, line_types, pipe_def, pipe_area, permit_kind, expired,
                                              comp != "", cable_breach),
    }
    city.tables["truth_later"] = pd.concat([tl, pd.DataFrame(new_cols)], axis=1)
    city.info["expected_verdicts"] = pd.Series(new_cols["expected_verdict"]).value_counts().to_dict()
    city.info["permits"] = len(pg)
    city.info["compounds"] = len(cg)
