"""Tiled execution (core.tiling) gives exactly the whole-layer results."""
from __future__ import annotations

import numpy as np
import pytest
import shapely

from lincang_liangwei.core import tiling
from lincang_liangwei.core.controllines import ZoneSet, encroachments
from lincang_liangwei.core.epochs import compare_epochs
from lincang_liangwei.core.geometry import LINE, POLYGON, REPAIRED, clean
from lincang_liangwei.core.pipes import check_buildings, prepare_pipes
from tests.frames import assert_same_frame


@pytest.fixture(scope="module")
def city():
    from devtools.samplecity import generate_city

    return generate_city(5000, seed=11)


def box(x0, y0, w=10.0, h=10.0):
    return shapely.box(x0, y0, x0 + w, y0 + h)


# --------------------------------------------------------------------------- plan
def test_plan_every_feature_once_and_deterministic():
    rng = np.random.default_rng(0)
    pts = rng.uniform(-500, 500, size=(1000, 2))
    pts[[3, 17]] = np.nan
    plan = tiling.plan_tiles(pts, 100.0)
    allpos = np.concatenate(plan.groups)
    assert sorted(allpos.tolist()) == list(range(1000))
    assert plan.keys[-1] is None and sorted(plan.groups[-1].tolist()) == [3, 17]
    again = tiling.plan_tiles(pts, 100.0)
    assert all(np.array_equal(p, q) for p, q in zip(plan.groups, again.groups))
    for g, k in zip(plan.groups[:-1], plan.keys[:-1]):
        assert (np.floor(pts[g] / 100.0) == np.array(k)).all()


def test_use_tiles_switch():
    assert not tiling.use_tiles(10, "auto")
    assert tiling.use_tiles(tiling.AUTO_MIN_FEATURES, "auto")
    assert tiling.use_tiles(10, "tiled")
    assert not tiling.use_tiles(10**8, "whole")
    with pytest.raises(ValueError):
        tiling.use_tiles(10, "bogus")


# --------------------------------------------------------------------------- control lines
def _enc_equal(whole, tiled):
    assert_same_frame(whole.hits, tiled.hits, whole.hit_geoms, tiled.hit_geoms)
    assert_same_frame(whole.buildings, tiled.buildings)
    for k in ("pairs_tested", "hits", "suppressed_small", "touching_only"):
        assert getattr(whole.stats, k) == getattr(tiled.stats, k), k
    assert whole.stats.by_type == tiled.stats.by_type


def test_building_on_tile_border_and_zone_across_many_tiles():
    # tile 100 m; a building straddling x = 100, a long zone crossing 10 tiles, a line zone with setback
    blds = np.array([box(95, 50), box(150, 50), box(250, 95, 10, 10), box(420, 80), None, box(790, 40)],
                    dtype=object)
    fids = np.array([10, 11, 12, 13, 14, 15])
    zone = shapely.box(0, 45, 1000, 55)     # crosses every tile in x
    zs = [ZoneSet("red", np.array([zone], dtype=object), np.array([1]), np.array(["长路"], dtype=object)),
          ZoneSet("blue", np.array([shapely.LineString([(0, 99), (1000, 99)])], dtype=object), np.array([7]),
                  None, is_line=True),
          ZoneSet("green", np.array([box(415, 75), box(418, 85)], dtype=object), np.array([3, 3]), None)]
    setbacks = {"blue": 3.0}
    whole = encroachments(blds, fids, zs, setbacks, min_area=0.5)
    for tile in (100.0, 7.0, 1000.0):
        tiled = tiling.encroachments_tiled(blds, fids, zs, setbacks, min_area=0.5, tile_m=tile)
        _enc_equal(whole, tiled)
    assert set(whole.hits.bld_fid) >= {10, 11, 12, 13}


def test_controllines_generated_city_tiny_tiles(city):
    bg = clean(city.geoms("buildings_2023"), POLYGON, ids=city.attrs("buildings_2023").index.to_numpy()).geoms
    fids = np.arange(len(bg), dtype=np.int64) + 1
    zs = []
    for name, t in (("red_lines", "red"), ("blue_lines", "blue"), ("green_lines", "green"),
                    ("water_source", "water_source")):
        g = clean(city.geoms(name), POLYGON).geoms
        zs.append(ZoneSet(t, g, np.arange(len(g)) + 1, city.attrs(name)["name"].to_numpy(dtype=object)))
    cad = clean(city.geoms("red_lines_cad"), LINE).geoms
    zs.append(ZoneSet("yellow", cad, np.arange(len(cad)) + 1, None, is_line=True))
    setbacks = {"red": 2.0, "blue": 5.0, "yellow": 1.5}
    whole = encroachments(bg, fids, zs, setbacks, 1.0, 0.0)
    tiled = tiling.encroachments_tiled(bg, fids, zs, setbacks, 1.0, 0.0, tile_m=60.0)
    assert len(whole.hits) > 50
    _enc_equal(whole, tiled)


# --------------------------------------------------------------------------- pipes
def _pipes_equal(whole, tiled):
    assert_same_frame(whole.breaches, tiled.breaches)
    assert_same_frame(whole.per_building, tiled.per_building)
    for k in ("n_candidate_pairs", "n_breaches", "n_buildings_in_breach", "n_buildings_checked", "n_buildings_in",
              "n_empty_geom"):
        assert getattr(whole.report, k) == getattr(tiled.report, k), k
    assert whole.report.breaches_by_kind == tiled.report.breaches_by_kind


def test_pipe_corridor_across_border():
    # gas pipe along y = 100 (tile border); buildings on both sides within the clearance
    pipe = shapely.LineString([(0, 100), (300, 100)])
    ps = prepare_pipes(np.array([pipe, shapely.LineString([(50, 0), (50, 300)])], dtype=object), [5, 6],
                       kinds=["sewer", "sewer"], clean_geoms=False)
    blds = np.array([box(20, 101.0, 10, 10), box(60, 89.5, 10, 10), box(140, 95, 10, 10), box(45, 150, 3, 3),
                     None], dtype=object)
    whole = check_buildings(ps, blds, [1, 2, 3, 4, 5], clean_geoms=False, threads=1)
    tiled = tiling.check_buildings_tiled(ps, blds, np.array([1, 2, 3, 4, 5]), threads=1, tile_m=100.0)
    assert whole.report.n_breaches >= 4
    _pipes_equal(whole, tiled)


def test_pipes_generated_city_tiny_tiles(city):
    bg = clean(city.geoms("buildings_2023"), POLYGON).geoms
    fids = np.arange(len(bg), dtype=np.int64) + 1
    pa = city.attrs("pipelines")
    ps = prepare_pipes(city.geoms("pipelines"), np.arange(len(pa)) + 1, pa["kind"], pa["pressure"],
                       pa["diameter_mm"], fallback_m=1.0)
    whole = check_buildings(ps, bg, fids, clean_geoms=False, threads=1)
    tiled = tiling.check_buildings_tiled(ps, bg, fids, threads=1, tile_m=60.0)
    assert whole.report.n_breaches > 20
    _pipes_equal(whole, tiled)


# --------------------------------------------------------------------------- epochs
def _epochs_equal(whole, tiled):
    assert_same_frame(whole.later, tiled.later)
    assert_same_frame(whole.earlier, tiled.earlier)
    assert_same_frame(whole.demolished, tiled.demolished)
    assert np.array_equal(whole.demolished_index, tiled.demolished_index)
    assert_same_frame(whole.growth, tiled.growth, whole.growth_geoms, tiled.growth_geoms)
    r, s = whole.report, tiled.report
    assert r.changes == s.changes and r.fates == s.fates and r.n_growth == s.n_growth
    assert r.n_multi_components == s.n_multi_components
    assert repr(r.noise) == repr(s.noise)   # repr: NaN-safe, exact for floats


def test_split_merge_across_border():
    # earlier: one house across x = 100 split in two later; two earlier houses merged into one across y = 100;
    # a chain of terraced houses crossing several 20 m tiles
    E = [box(90, 10, 20, 10),                       # split parent across x=100
         box(10, 92, 10, 6), box(10, 101, 10, 6),   # merged pair across y=100
         ]
    L = [box(90, 10, 9.8, 10), box(100.2, 10, 9.8, 10),
         box(10, 92, 10, 15)]
    for k in range(8):                               # terraced row, each later overlaps two earlier
        E.append(box(200 + 10 * k, 50, 10, 8))
        L.append(box(205 + 10 * k, 50.3, 10, 8))
    E.append(None)
    eids = np.arange(len(E)) + 100
    lids = np.arange(len(L)) + 1
    E = np.array(E, dtype=object)
    L = np.array(L, dtype=object)
    whole = compare_epochs(E, eids, L, lids, n_threads=1)
    assert {"split", "merged"} <= set(whole.later.change)
    for tile in (100.0, 20.0, 3.0):
        tiled = tiling.compare_epochs_tiled(E, eids, L, lids, n_threads=1, tile_m=tile)
        _epochs_equal(whole, tiled)


def test_epochs_generated_city_tiny_tiles(city):
    e_attrs, l_attrs = city.attrs("buildings_2019"), city.attrs("buildings_2023")
    ce = clean(city.geoms("buildings_2019"), POLYGON)
    cl = clean(city.geoms("buildings_2023"), POLYGON)
    eids = np.arange(len(ce.geoms)) + 1
    lids = np.arange(len(cl.geoms)) + 1
    kw = dict(earlier_duplicate_of=ce.duplicate_of, later_duplicate_of=cl.duplicate_of,
              earlier_repaired=ce.status == REPAIRED, n_threads=1)
    whole = compare_epochs(ce.geoms, eids, cl.geoms, lids, e_attrs["floors"], l_attrs["floors"], **kw)
    tiled = tiling.compare_epochs_tiled(ce.geoms, eids, cl.geoms, lids, e_attrs["floors"], l_attrs["floors"],
                                        tile_m=60.0, **kw)
    assert len(set(whole.later.change)) >= 6
    _epochs_equal(whole, tiled)
