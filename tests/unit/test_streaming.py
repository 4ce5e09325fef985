"""Streamed (tile by tile from a GeoPackage, bounded memory) runs give exactly the whole-layer results.

The reference is the core function on the whole layer, read the same way (every feature, cleaned once);
the streamed run uses tiny tiles and chunks so that borders, zones crossing many chunks, pipe corridors
crossing borders, match groups crossing borders, duplicates across borders and features without geometry
all occur.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from lincang_liangwei import streaming
from lincang_liangwei.core.controllines import ZoneSet, encroachments
from lincang_liangwei.core.epochs import compare_epochs
from lincang_liangwei.core.geometry import LINE, POLYGON, REPAIRED, clean
from lincang_liangwei.core.pipes import check_buildings, prepare_pipes
from lincang_liangwei.gpkgbulk import write_new_layer
from lincang_liangwei.gpkgsource import GpkgLayer
from tests.frames import assert_same_frame

SETBACKS = {"red": 5.0, "blue": 10.0, "green": 0.0}


def _whole(path, layer, columns=()):
    src = GpkgLayer(path, layer)
    try:
        fids, geoms, bad, attrs = src.read_fids(src.all_fids(), columns)
    finally:
        src.close()
    return fids, clean(geoms, POLYGON, layer, unparsable=bad, ids=fids), attrs


def _source(path, layer, columns=()):
    return streaming.StreamSource(str(path), layer, layer, POLYGON, tuple(columns))


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    from devtools.fileio import write_city
    from devtools.samplecity import generate_city

    path = tmp_path_factory.mktemp("streamcity") / "city.gpkg"
    c = generate_city(4000, seed=11)
    write_city(c, path)
    return path, c


def _zonesets(c):
    out = []
    for name, t in (("red_lines", "red"), ("blue_lines", "blue"), ("green_lines", "green")):
        g = c.geoms(name)
        kind = LINE if shapely.get_type_id(g[~shapely.is_missing(g)][0]) in (1, 5) else POLYGON
        cl = clean(g, kind, name)
        out.append(ZoneSet(t, cl.geoms[cl.used], np.arange(1, len(g) + 1)[cl.used], None, kind == LINE, name))
    return out


def test_index_boxes_match_sqlite_scan(city):
    path, _ = city
    src = GpkgLayer(path, "buildings_2023")
    try:
        fids, boxes = src.index_boxes()
        f2, c2 = src._scan_index()
        o = np.argsort(f2)
        assert np.array_equal(fids, f2[o])
        assert np.array_equal(boxes, np.column_stack([c2[o, 0], c2[o, 2], c2[o, 1], c2[o, 3]]))
        # every feature with a geometry is in the index, the others are not
        fa, g, _, _ = src.read_fids(src.all_fids())
        has = ~shapely.is_missing(g) & ~shapely.is_empty(g)
        assert np.array_equal(fa[has], fids)
    finally:
        src.close()


def test_plan_owns_every_feature_once(city):
    path, _ = city
    src = GpkgLayer(path, "buildings_2023")
    try:
        chunks, all_fids = streaming.plan_chunks(src, tile_m=150.0, max_rows=300)
    finally:
        src.close()
    owned = np.concatenate([c.fids for c in chunks])
    assert len(chunks) > 10
    assert np.array_equal(np.sort(owned), all_fids)
    assert chunks[-1].box is None   # the features without geometry come last


@pytest.mark.parametrize("tile_m,max_rows", [(150.0, 300), (700.0, 100_000)])
def test_controllines_streamed_equals_whole(city, tile_m, max_rows):
    path, c = city
    zonesets = _zonesets(c)
    fids, cl, _ = _whole(path, "buildings_2023")
    whole = encroachments(cl.geoms, fids, zonesets, SETBACKS, 1.0, 0.0)
    s = streaming.controllines(_source(path, "buildings_2023", ["survey_id"]), zonesets, SETBACKS, 1.0, 0.0,
                               tile_m=tile_m, max_rows=max_rows)
    assert np.array_equal(s.fids, fids)
    assert np.array_equal(s.status, cl.status)
    assert s.clean_report.as_dict() == {**cl.report.as_dict(), "n_merged_parts": 0, "n_multipart": 0}
    cols = [k for k in whole.buildings.columns if k in s.buildings and k != "fid"]
    assert_same_frame(whole.buildings[cols], pd.DataFrame({k: s.buildings[k] for k in cols}))
    assert s.bounds is not None and np.array_equal(s.bounds[0], fids)
    assert np.isnan(s.bounds[1][cl.status == 2]).all()     # NULL footprints have no box
    assert len(whole.hits) > 50
    assert_same_frame(whole.hits, s.hits, whole.hit_geoms, s.hit_geoms)
    # the id field travels with each hit
    ids = dict(zip(fids, c.attrs("buildings_2023")["survey_id"]))
    assert [ids[f] for f in s.hits["bld_fid"]] == list(s.hit_attrs["survey_id"])
    assert s.stats.pairs_tested == whole.stats.pairs_tested
    assert s.stats.by_type == whole.stats.by_type


def test_pipeclearance_streamed_equals_whole(city):
    path, c = city
    pg = c.geoms("pipelines")
    pa = c.attrs("pipelines")
    pcl = clean(pg, LINE, "pipelines")
    pipes = prepare_pipes(pcl.geoms, np.arange(1, len(pg) + 1), pa["kind"].to_numpy(object),
                          pa["pressure"].to_numpy(object), pa["diameter_mm"].to_numpy(object), None,
                          clean_geoms=False)
    fids, cl, _ = _whole(path, "buildings_2023")
    whole = check_buildings(pipes, cl.geoms, fids, clean_geoms=False)
    s = streaming.pipeclearance(_source(path, "buildings_2023"), pipes, tile_m=150.0, max_rows=300)
    assert len(whole.breaches) > 20
    assert_same_frame(whole.breaches, s.breaches)
    assert s.report.n_breaches == whole.report.n_breaches
    assert s.report.n_buildings_in_breach == whole.report.n_buildings_in_breach
    assert s.report.breaches_by_kind == whole.report.breaches_by_kind


def _epochs_whole(path, e_layer, l_layer, floors="floors"):
    ef, ecl, ea = _whole(path, e_layer, [floors] if floors else [])
    lf, lcl, la = _whole(path, l_layer, [floors] if floors else [])
    from lincang_liangwei.core.floors import parse_floors

    fe = parse_floors(ea[floors])[0] if floors else None
    fl = parse_floors(la[floors])[0] if floors else None
    return compare_epochs(ecl.geoms, ef, lcl.geoms, lf, fe, fl, earlier_duplicate_of=ecl.duplicate_of,
                          later_duplicate_of=lcl.duplicate_of, earlier_repaired=ecl.status == REPAIRED)


def _assert_epochs_equal(whole, s):
    r = s.result
    assert_same_frame(whole.later, r.later)
    assert_same_frame(whole.earlier, r.earlier)
    assert_same_frame(whole.demolished, r.demolished)
    assert_same_frame(whole.growth.drop(columns=["later_index"]), r.growth.drop(columns=["later_index"]),
                      whole.growth_geoms, r.growth_geoms)
    assert whole.report.changes == r.report.changes
    assert whole.report.fates == r.report.fates
    assert repr(whole.report.noise) == repr(r.report.noise)   # (NaN noise ratio when too few pairs)


@pytest.mark.parametrize("tile_m,max_rows", [(150.0, 300), (400.0, 2000)])
def test_compareepochs_streamed_equals_whole(city, tile_m, max_rows):
    path, _ = city
    whole = _epochs_whole(path, "buildings_2019", "buildings_2023")
    s = streaming.compareepochs(_source(path, "buildings_2019"), _source(path, "buildings_2023"),
                                earlier_floors_field="floors", later_floors_field="floors", tile_m=tile_m,
                                max_rows=max_rows)
    assert s.n_chunks >= 2
    assert s.n_deferred[1] > 0          # match groups on chunk borders happened and were compared at the end
    assert set(whole.report.changes) >= {"new", "expanded", "split", "merged", "rebuilt"}
    _assert_epochs_equal(whole, s)


def _write(path, layer, geoms, floors=None):
    cols = [] if floors is None else [("floors", "int", np.asarray(floors))]
    write_new_layer(path, layer, np.asarray(geoms, dtype=object), cols, 4542, "Polygon")


def test_compareepochs_chains_duplicates_and_borders(tmp_path):
    """Handmade cases on the borders of 100 m tiles: a terraced row crossing four tiles (each later house
    overlapping two earlier ones), a split and a merge astride a border, a duplicate copy of a building across a
    border, a footprint covering many tiles, NULL and EMPTY geometries."""
    x0, y0 = 508_000.0, 2_641_000.0
    E, L = [], []
    # terraced row along y = y0 + 95 .. 105 (crosses the y border of 100 m tiles) over x0 .. x0 + 400
    for k in range(40):
        E.append(shapely.box(x0 + 10 * k, y0 + 95, x0 + 10 * k + 9.5, y0 + 105))
    for k in range(39):
        L.append(shapely.box(x0 + 10 * k + 5, y0 + 95.2, x0 + 10 * k + 14.5, y0 + 105.1))
    # split across the x border at x0 + 600
    E.append(shapely.box(x0 + 590, y0 + 20, x0 + 612, y0 + 40))
    L.append(shapely.box(x0 + 590, y0 + 20, x0 + 600.5, y0 + 40))
    L.append(shapely.box(x0 + 601.5, y0 + 20, x0 + 612, y0 + 40))
    # merge across the x border at x0 + 700
    E.append(shapely.box(x0 + 690, y0 + 20, x0 + 699.5, y0 + 40))
    E.append(shapely.box(x0 + 700.5, y0 + 20, x0 + 711, y0 + 40))
    L.append(shapely.box(x0 + 690, y0 + 20, x0 + 711, y0 + 40))
    # duplicate copies 2 cm apart astride the border x0 + 800 (the copy's box centre is in the next tile)
    L.append(shapely.box(x0 + 790, y0 + 20, x0 + 809.99, y0 + 40))
    L.append(shapely.box(x0 + 790.02, y0 + 20, x0 + 810.01, y0 + 40))
    E.append(shapely.box(x0 + 790, y0 + 20, x0 + 810, y0 + 40))
    # a big footprint over many tiles, grown in the later epoch
    E.append(shapely.box(x0 + 1000, y0 + 1000, x0 + 1350, y0 + 1250))
    L.append(shapely.box(x0 + 1000, y0 + 1000, x0 + 1390, y0 + 1250))
    # a new building in the middle of a tile, one demolished
    L.append(shapely.box(x0 + 550, y0 + 550, x0 + 560, y0 + 560))
    E.append(shapely.box(x0 + 450, y0 + 450, x0 + 460, y0 + 460))
    L += [None, shapely.Polygon()]
    E += [None]
    path = tmp_path / "epochs.gpkg"
    _write(path, "e", E, np.arange(len(E)) % 4 + 1)
    _write(tmp_path / "l.gpkg", "l", L, np.arange(len(L)) % 5 + 1)
    ef, ecl, _ = _whole(path, "e")
    lf, lcl, _ = _whole(tmp_path / "l.gpkg", "l")
    assert (lcl.duplicate_of >= 0).sum() == 1
    from lincang_liangwei.core.floors import parse_floors

    fe = parse_floors(_whole(path, "e", ["floors"])[2]["floors"])[0]
    fl = parse_floors(_whole(tmp_path / "l.gpkg", "l", ["floors"])[2]["floors"])[0]
    ref = compare_epochs(ecl.geoms, ef, lcl.geoms, lf, fe, fl, earlier_duplicate_of=ecl.duplicate_of,
                         later_duplicate_of=lcl.duplicate_of, earlier_repaired=ecl.status == REPAIRED)
    assert {"split", "merged", "duplicate", "new", "expanded+floors_added", "rebuilt", "skipped"} <= \
        set(ref.report.changes)
    s = streaming.compareepochs(_source(path, "e"), _source(tmp_path / "l.gpkg", "l"), earlier_floors_field="floors",
                                later_floors_field="floors", tile_m=100.0, max_rows=5)
    assert s.n_chunks >= 5
    assert s.n_deferred[1] >= 39           # the terraced row at least
    _assert_epochs_equal(ref, s)
    dup_rows = s.result.later[s.result.later["change"] == "duplicate"]
    assert len(dup_rows) == 1 and dup_rows["dup_of"].iloc[0] != ""


def test_no_index_is_refused_for_streaming(tmp_path):
    path = tmp_path / "a.gpkg"
    _write(path, "a", [shapely.box(0, 0, 1, 1)])
    import sqlite3

    con = sqlite3.connect(path)
    con.execute("DROP TABLE rtree_a_geom")
    con.commit()
    con.close()
    assert streaming.open_source(str(path), "a") is None
