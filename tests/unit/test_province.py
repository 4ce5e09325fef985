"""devtools.province: province-scale sample data made of translated copies of sample-city counties."""
import os

import numpy as np
import pytest
import shapely

from devtools import fileio, province, samplecity

pytest.importorskip("osgeo.ogr")
from osgeo import ogr  # noqa: E402

N, COUNTY, TEMPLATES, SEED = 6000, 2000, 2, 42


@pytest.fixture(scope="module")
def prov(tmp_path_factory):
    d = tmp_path_factory.mktemp("prov")
    path = d / "province.gpkg"
    res = province.write_province(path, N, SEED, county_max=COUNTY, n_templates=TEMPLATES)
    templates = [samplecity.generate_city(COUNTY, seed=s) for s in res["params"]["template_seeds"]]
    return path, res, templates


def _layer(path, name):
    fids, geoms, df, _ = fileio.read_layer(path, name, backend="ogr")
    return fids, geoms, df


def _fields(path):
    ds = ogr.Open(str(path))
    out = {}
    for i in range(ds.GetLayerCount()):
        lyr = ds.GetLayer(i)
        d = lyr.GetLayerDefn()
        out[lyr.GetName()] = (lyr.GetGeomType(), lyr.GetSpatialRef().GetAuthorityCode(None) if lyr.GetSpatialRef()
                              else None, [(d.GetFieldDefn(j).GetName(), d.GetFieldDefn(j).GetType())
                                          for j in range(d.GetFieldCount())])
    ds = None
    return out


def _ranges(templates, counties, name):
    """fid range (first, last+1) of every county in layer ``name`` (fids continue county after county)."""
    sizes = [len(templates[c.template].geoms(name)) for c in counties]
    ends = np.cumsum(sizes)
    return list(zip(ends - sizes + 1, ends + 1))


def _counties(path):
    df = fileio.read_table(path, province.COUNTIES_TABLE, backend="ogr")
    return [province.County(int(r.county), r.code, int(r.template), float(r.dx), float(r.dy))
            for r in df.itertuples()]


def test_layers_fields_and_params_like_the_sample_city(prov, tmp_path):
    path, res, templates = prov
    city = tmp_path / "city.gpkg"
    fileio.write_city(templates[0], city)
    have, want = _fields(path), _fields(city)
    assert list(have) == list(samplecity.LAYER_NAMES) + [province.PARAMS_TABLE, province.COUNTIES_TABLE]
    for name in samplecity.LAYER_NAMES:
        assert have[name] == want[name], name
    assert have[samplecity.LATER][1] == "4542"
    params = fileio.read_params(path, backend="ogr")
    assert params == province.province_params(N, SEED, COUNTY, TEMPLATES)
    assert params["n_counties"] == res["counties"] == 3 and res["templates"] == 2
    assert len(set(params["template_seeds"])) == 2 and params["template_seeds"][0] == SEED


def test_counts_fids_and_ids(prov):
    path, res, templates = prov
    counties = _counties(path)
    assert [c.template for c in counties] == [0, 1, 0]
    assert [c.code for c in counties] == ["530101", "530102", "530103"]
    for name in samplecity.LAYER_NAMES:
        fids, geoms, df = _layer(path, name)
        want = sum(len(templates[c.template].geoms(name)) for c in counties)
        assert len(fids) == want == res["counts"][name], name
        assert np.array_equal(np.sort(fids), np.arange(1, want + 1)), name      # unique, 1..N
        for f in ("survey_id", "code", "permit_no"):
            if f in df:
                assert df[f].is_unique, (name, f)
                assert df[f].str[:6].isin([c.code for c in counties]).all(), (name, f)
    n_later = res["counts"][samplecity.LATER]
    assert abs(n_later - N) <= 3
    # ids unique across the two epochs' own namespaces and counties: CH2023-... / LX2019-... prefixed per county
    _, _, later = _layer(path, samplecity.LATER)
    t0 = templates[0].attrs(samplecity.LATER)["survey_id"]
    assert later["survey_id"].iloc[:3].tolist() == ["530101-" + s for s in t0.iloc[:3]]
    _, _, dist = _layer(path, "districts")
    assert dist["code"].str.len().eq(9).all() and dist["code"].is_unique
    assert set(dist["code"].str[:6]) == {"530101", "530102", "530103"}


def test_counties_do_not_overlap_and_are_translated_copies(prov):
    path, res, templates = prov
    counties = _counties(path)
    boxes = {c.index: [np.inf, np.inf, -np.inf, -np.inf] for c in counties}
    for name in samplecity.LAYER_NAMES:
        fids, geoms, df = _layer(path, name)
        order = np.argsort(fids)
        fids, geoms = fids[order], geoms[order]
        for c, (a, b) in zip(counties, _ranges(templates, counties, name)):
            got = geoms[(fids >= a) & (fids < b)]
            orig = templates[c.template].geoms(name)
            moved = shapely.transform(orig, lambda xy, c=c: xy + [c.dx, c.dy])
            ok = ~shapely.is_missing(orig)
            assert np.array_equal(shapely.is_missing(got), ~ok), name
            np.testing.assert_allclose(shapely.area(got[ok]), shapely.area(orig[ok]), rtol=1e-9, atol=1e-6)
            np.testing.assert_allclose(shapely.length(got[ok]), shapely.length(orig[ok]), rtol=1e-9, atol=1e-6)
            assert shapely.equals_exact(shapely.force_2d(got[ok]), moved[ok], tolerance=1e-6).all(), name
            assert np.array_equal(shapely.has_z(got[ok]), shapely.has_z(orig[ok])), name
            tb = shapely.total_bounds(got)
            if np.isfinite(tb).all():
                bx = boxes[c.index]
                boxes[c.index] = [min(bx[0], tb[0]), min(bx[1], tb[1]), max(bx[2], tb[2]), max(bx[3], tb[3])]
    env = [shapely.box(*boxes[c.index]) for c in counties]
    for i in range(len(env)):
        for j in range(i + 1, len(env)):
            assert not env[i].intersects(env[j])
            assert env[i].distance(env[j]) >= province.GAP_M - 1
    # inside the CGCS2000 3-degree zone CM 99E
    allb = np.array(list(boxes.values()))
    assert allb[:, 0].min() > province.ZONE_CM_X - province.ZONE_HALF_WIDTH_M
    assert allb[:, 2].max() < province.ZONE_CM_X + province.ZONE_HALF_WIDTH_M


def test_spatial_index_finds_each_county(prov):
    path, res, templates = prov
    counties = _counties(path)
    ds = ogr.Open(str(path))
    lyr = ds.GetLayerByName(samplecity.LATER)
    x, y = samplecity.CENTRE_X, samplecity.CENTRE_Y
    rng = _ranges(templates, counties, samplecity.LATER)
    for c, (a, _b) in zip(counties, rng):
        h = res["spacing_m"] / 3                      # the county and nothing of its neighbours
        lyr.SetSpatialFilterRect(x + c.dx - h, y + c.dy - h, x + c.dx + h, y + c.dy + h)
        got = sorted(f.GetFID() for f in lyr)
        want = np.flatnonzero(~shapely.is_missing(templates[c.template].geoms(samplecity.LATER))
                              & ~shapely.is_empty(templates[c.template].geoms(samplecity.LATER))) + a
        assert got == want.tolist()
    ds = None


def test_one_county_is_the_sample_city(tmp_path):
    path = tmp_path / "one.gpkg"
    res = province.write_province(path, 1500, 7, county_max=2000)
    assert res["counties"] == 1
    city = samplecity.generate_city(1500, seed=7)
    for name in samplecity.LAYER_NAMES:
        fids, geoms, df = _layer(path, name)
        g, attrs = city.layers[name]
        assert np.array_equal(fids, np.arange(1, len(g) + 1))
        ok = ~shapely.is_missing(g)
        assert shapely.equals_exact(geoms[ok], g[ok], tolerance=0).all(), name
        for f, v in attrs.items():
            assert df[f].tolist() == np.asarray(v).tolist(), (name, f)


def test_grid_plan_for_ten_million_stays_in_the_zone():
    ext = (490_011.0, 2_626_655.0, 520_809.0, 2_650_696.0)        # a 10^5-building county
    counties, spacing = province.plan_counties(100, ext)
    assert spacing == 36_000 and len(counties) == 100
    assert len({c.code for c in counties}) == 100
    xs = np.array([[ext[0] + c.dx, ext[2] + c.dx] for c in counties])
    ys = np.array([[ext[1] + c.dy, ext[3] + c.dy] for c in counties])
    assert xs.min() > 350_000 and xs.max() < 650_000 and ys.max() < province.Y_MAX
    boxes = shapely.box(xs[:, 0], ys[:, 0], xs[:, 1], ys[:, 1])
    a, b = shapely.STRtree(boxes).query(boxes, predicate="intersects")
    assert (a == b).all()                                          # no two counties overlap
    with pytest.raises(ValueError):
        province.plan_counties(2000, ext)


def test_script_skips_when_up_to_date(tmp_path, capsys):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_province", province.Path(__file__).resolve().parents[2]
                                                  / "scripts" / "make_province.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = tmp_path / "p.gpkg"
    args = ["--buildings", "400", "--county-max", "200", "--templates", "1", "--out", str(out), "--quiet"]
    assert mod.main(args) == 0
    assert "buildings_2023" in capsys.readouterr().out
    st = out.stat()
    assert mod.main(args) == 0
    assert "up to date" in capsys.readouterr().out and out.stat().st_mtime_ns == st.st_mtime_ns
    assert mod.main(args + ["--force"]) == 0
    assert out.stat().st_ino != st.st_ino                              # rewritten (a new file moved into place)
    assert mod.main(["--buildings", "600"] + args[2:]) == 0            # other parameters: rewritten
    assert fileio.read_params(out, backend="ogr")["n_buildings"] == 600
    assert os.listdir(tmp_path) == ["p.gpkg"]


def test_movable_blobs_are_the_bytes_of_the_translated_geometries():
    from lincang_liangwei import gpkgbulk

    city = samplecity.generate_city(1200, seed=5)
    extra = np.array([
        shapely.MultiPolygon([shapely.box(0, 0, 1, 1),
                              shapely.Polygon(shapely.box(2, 2, 9, 9).exterior, [shapely.box(3, 3, 4, 4).exterior])]),
        shapely.MultiLineString([[(0, 0), (1, 1)], [(2, 2), (3, 3)]]), shapely.MultiPolygon(), shapely.Polygon(), None,
        shapely.LineString(), shapely.Polygon([(0, 0, 1), (1, 0, 1), (1, 1, 2)]), shapely.MultiPoint([(1, 2), (3, 4)]),
        shapely.Point(5, 6), shapely.Point(1, 2, 3), shapely.from_wkt("POLYGON ((0 0, 2 2, 2 0, 0 2, 0 0))")],
        dtype=object)
    cases = [g for g, _ in city.layers.values()] + [extra]
    for geoms in cases:
        mb = province.MovableBlobs(geoms, 4542)
        assert mb.ok
        for dx, dy in ((0.0, 0.0), (-12345.678, 30000.0), (0.1, -0.2)):
            blobs, bounds = mb.moved(dx, dy)
            want, wb = gpkgbulk.make_gpkg_blobs(province._translate(geoms, dx, dy), 4542)
            assert blobs == want
            np.testing.assert_array_equal(bounds, wb)
    assert shapely.has_z(city.geoms(samplecity.LATER)).sum() >= 1       # Z footprints were covered
    assert not province.MovableBlobs(np.array([shapely.Point()], dtype=object), 4542).ok   # EMPTY point: NaN coords


def test_prefix_is_a_vectorised_string_concatenation():
    v = np.array(["CH2023-0001", "楼", ""], dtype=object).astype(str)
    assert province._prefix("530101-", v).tolist() == ["530101-CH2023-0001", "530101-楼", "530101-"]
    assert province._prefix("x", np.array([], dtype="<U3")).tolist() == []
