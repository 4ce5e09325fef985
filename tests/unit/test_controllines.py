"""Control-line encroachment core on hand-made geometries with exact areas."""
import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, MultiPolygon, Polygon, box

from lincang_liangwei.core.controllines import HIT_CROSSES, HIT_INSIDE, HIT_PARTIAL, ZoneSet, encroachments
from lincang_liangwei.core.geometry import clean


def arr(*geoms):
    out = np.empty(len(geoms), dtype=object)
    out[:] = list(geoms)
    return out


def zs(line_type, *geoms, names=None, is_line=False):
    return ZoneSet(line_type, arr(*geoms), np.arange(1, len(geoms) + 1),
                   None if names is None else np.array(names, dtype=object), is_line=is_line)


def run(blds, zonesets, **kw):
    return encroachments(arr(*blds), np.arange(10, 10 + len(blds)), zonesets, **kw)


def test_partial_overlap_exact_area_and_ratio():
    res = run([box(0, 0, 10, 10)], [zs("red", box(8, 0, 20, 10), names=["滨江路"])])
    h = res.hits
    assert len(h) == 1
    assert h.bld_fid.iloc[0] == 10 and h.zone_fid.iloc[0] == 1 and h.zone_name.iloc[0] == "滨江路"
    assert h.enc_area.iloc[0] == pytest.approx(20.0)
    assert h.enc_ratio.iloc[0] == pytest.approx(0.2)
    assert h.hit_kind.iloc[0] == HIT_PARTIAL
    assert res.hit_geoms[0].equals(box(8, 0, 10, 10))


def test_fully_inside_is_whole_footprint():
    res = run([box(1, 1, 3, 3)], [zs("green", box(0, 0, 10, 10))])
    assert res.hits.hit_kind.tolist() == [HIT_INSIDE]
    assert res.hits.enc_area.iloc[0] == pytest.approx(4.0)
    assert res.hits.enc_ratio.iloc[0] == pytest.approx(1.0)


def test_touching_only_is_not_encroachment():
    res = run([box(0, 0, 10, 10)], [zs("blue", box(10, 0, 20, 10), box(10, 10, 20, 20))])
    assert len(res.hits) == 0
    assert res.stats.touching_only == 2
    assert res.buildings.n_zones.tolist() == [0]


def test_overlapping_zones_of_one_type_counted_once_in_total():
    # level-1 inside level-2 water-source zone, building straddles both
    res = run([box(0, 0, 10, 10)], [zs("water_source", box(5, 0, 20, 10), box(7, 0, 20, 10))])
    assert len(res.hits) == 2
    assert sorted(res.hits.enc_area.round(6)) == [30.0, 50.0]
    b = res.buildings.iloc[0]
    assert b.n_zones == 2
    assert b.enc_area_total == pytest.approx(50.0)
    assert b.enc_water_source == pytest.approx(50.0)
    assert b.line_types == "water_source"
    assert b.max_ratio == pytest.approx(0.5)


def test_two_types_total_is_union():
    res = run([box(0, 0, 10, 10)], [zs("red", box(0, 0, 4, 10)), zs("green", box(2, 0, 6, 10))])
    b = res.buildings.iloc[0]
    assert b.enc_red == pytest.approx(40.0) and b.enc_green == pytest.approx(40.0)
    assert b.enc_area_total == pytest.approx(60.0)
    assert b.line_types == "red;green"


def test_multipart_and_hole():
    shell = [(0, 0), (10, 0), (10, 10), (0, 10)]
    hole = [(2, 2), (8, 2), (8, 8), (2, 8)]
    courtyard = Polygon(shell, [hole])  # 100 - 36 = 64 m2
    annex = box(20, 0, 22, 2)  # 4 m2
    bld = MultiPolygon([courtyard, annex])
    # zone covers the left half of the courtyard building and the whole annex
    res = run([bld], [zs("purple", box(-1, -1, 5, 11), box(19, -1, 23, 3))])
    # left half (50 m2) minus the hole's part in it (3 x 6 = 18 m2), plus the annex
    assert res.hits.enc_area.round(6).tolist() == [32.0, 4.0]
    assert res.buildings.enc_area_total.iloc[0] == pytest.approx(36.0)
    assert res.buildings.area_m2.iloc[0] == pytest.approx(68.0)


def test_zone_hole_excludes_building():
    zone = Polygon([(0, 0), (50, 0), (50, 50), (0, 50)], [[(10, 10), (40, 10), (40, 40), (10, 40)]])
    res = run([box(20, 20, 30, 30), box(5, 20, 15, 30)], [zs("green", zone)])
    assert res.hits.bld_fid.tolist() == [11]
    assert res.hits.enc_area.iloc[0] == pytest.approx(50.0)


def test_min_area_and_ratio_suppress_slivers():
    blds = [box(0, 0, 10, 10), box(20, 0, 30, 10)]
    zones = [zs("red", box(9.95, 0, 15, 10), box(25, 0, 40, 10))]  # 0.5 m2 sliver, 50 m2 real
    res = run(blds, zones, min_area=1.0)
    assert res.hits.bld_fid.tolist() == [11]
    assert res.stats.suppressed_small == 1
    res = run(blds, zones, min_area=0.0, min_ratio=0.6)
    assert len(res.hits) == 0 and res.stats.suppressed_small == 2
    res = run(blds, zones, min_area=0.0, min_ratio=0.0)
    assert len(res.hits) == 2


def test_line_zone_zero_setback_crossing_vs_touching():
    line = LineString([(5, -5), (5, 15)])
    edge = LineString([(10, -5), (10, 15)])  # runs along the building's edge
    res = run([box(0, 0, 10, 10), box(30, 0, 40, 10)], [zs("red", line, edge, is_line=True)])
    assert res.hits.bld_fid.tolist() == [10]
    assert res.hits.hit_kind.tolist() == [HIT_CROSSES]
    assert res.hits.enc_area.tolist() == [0.0]
    assert res.buildings.n_zones.tolist() == [1, 0]
    assert res.buildings.enc_area_total.tolist() == [0.0, 0.0]
    assert res.buildings.line_types.tolist() == ["red", ""]


def test_line_zone_with_setback_corridor_area():
    # building 2 m from the line: setback 3 m takes a 1 m strip (10 m2)
    line = LineString([(-5, -2), (15, -2)])
    res = run([box(0, 0, 10, 10)], [zs("red", line, is_line=True)], setbacks={"red": 3.0})
    assert res.hits.enc_area.iloc[0] == pytest.approx(10.0, rel=1e-6)
    res = run([box(0, 0, 10, 10)], [zs("red", line, is_line=True)], setbacks={"red": 2.0})
    assert len(res.hits) == 0  # exactly at the setback: touching, not inside


def test_polygon_zone_setback_grows_zone():
    res = run([box(0, 0, 10, 10)], [zs("blue", box(12, 0, 20, 10))], setbacks={"blue": 5.0})
    assert res.hits.enc_area.iloc[0] == pytest.approx(30.0, rel=1e-6)


def test_skipped_buildings_get_zero_rows_and_counts_balance():
    raw = arr(box(0, 0, 10, 10), None, Polygon(), shapely.from_wkt("POLYGON((0 0,10 10,10 0,0 10,0 0))"))
    c = clean(raw, layer="b")
    res = encroachments(c.geoms, np.array([1, 2, 3, 4]), [zs("red", box(5, 0, 20, 10))])
    assert res.buildings.fid.tolist() == [1, 2, 3, 4]
    assert res.buildings.n_zones.tolist() == [1, 0, 0, 1]
    # the repaired bow-tie is two triangles of 25 m2 each; the zone takes the right one
    assert res.hits.set_index("bld_fid").enc_area[4] == pytest.approx(25.0)
    assert c.report.n_repaired == 1 and c.report.n_null == 1 and c.report.n_empty == 1


def test_result_independent_of_input_order():
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0, 200, 300), rng.uniform(0, 200, 300)
    blds = shapely.box(x, y, x + rng.uniform(3, 15, 300), y + rng.uniform(3, 15, 300))
    zones = [zs("red", box(50, 0, 70, 200), box(0, 50, 200, 60)), zs("green", box(100, 100, 160, 160))]
    fids = np.arange(300)
    a = encroachments(blds, fids, zones)
    perm = rng.permutation(300)
    b = encroachments(blds[perm], fids[perm], zones)
    cols = ["bld_fid", "line_type", "zone_fid", "enc_area"]
    pa = a.hits[cols].reset_index(drop=True)
    pb = b.hits[cols].reset_index(drop=True)
    assert len(pa) > 20
    assert (pa.bld_fid.values == pb.bld_fid.values).all()
    np.testing.assert_allclose(pa.enc_area.values, pb.enc_area.values)
    ta = a.buildings.set_index("fid").enc_area_total.sort_index()
    tb = b.buildings.set_index("fid").enc_area_total.sort_index()
    np.testing.assert_allclose(ta.values, tb.values)


def test_matches_brute_force_on_random_city():
    rng = np.random.default_rng(7)
    n = 500
    x, y = rng.uniform(0, 500, n), rng.uniform(0, 500, n)
    blds = shapely.box(x, y, x + rng.uniform(4, 20, n), y + rng.uniform(4, 20, n))
    zx, zy = rng.uniform(0, 450, 30), rng.uniform(0, 450, 30)
    zones = shapely.box(zx, zy, zx + 50, zy + 30)
    res = encroachments(blds, np.arange(n), [ZoneSet("red", zones, np.arange(30))], min_area=0.0)
    expected = {}
    for i in range(n):
        for j in range(30):
            a = blds[i].intersection(zones[j]).area
            if a > 0:
                expected[(i, j)] = a
    got = {(r.bld_fid, r.zone_fid): r.enc_area for r in res.hits.itertuples()}
    assert got.keys() == expected.keys()
    for k, v in expected.items():
        assert got[k] == pytest.approx(v)
    union = np.array([shapely.union_all(shapely.intersection(blds[i], zones)).area for i in range(n)])
    np.testing.assert_allclose(res.buildings.enc_area_total.values, union, atol=1e-6)


def test_progress_callback_can_cancel():
    from lincang_liangwei.core import RunCancelledError

    seen = []

    def progress(fraction):
        seen.append(fraction)
        return len(seen) >= 1  # stop after the first zone layer

    with pytest.raises(RunCancelledError):
        run([box(0, 0, 10, 10)], [zs("red", box(8, 0, 20, 10)), zs("green", box(0, 8, 10, 20))], progress=progress)
    assert seen == [0.5]
