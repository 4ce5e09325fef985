"""End to end: qgis_process on a generated city, checked against plain shapely.

These run the plugin exactly as a batch user does (scripts/qgis_process.sh:
QGIS_PLUGINPATH, plugin enabled in a private profile, Debian 12 wrapper fixed)
and compare its answers with an independent, deliberately naive computation.
"""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from qprun import run_alg  # noqa: E402

from devtools import fileio  # noqa: E402
from devtools.samplecity import generate_city  # noqa: E402

pytestmark = pytest.mark.e2e
ZONES = {"RED_LINES": "red_lines", "BLUE_LINES": "blue_lines", "GREEN_LINES": "green_lines",
         "YELLOW_LINES": "yellow_lines", "PURPLE_LINES": "purple_lines", "WATER_SOURCE": "water_source"}


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    path = tmp_path_factory.mktemp("city") / "city.gpkg"
    fileio.write_city(generate_city(4000, seed=7), path)
    return path


def lyr(path, name):
    return f"{path}|layername={name}"


def read(path, name):
    return fileio.read_layer(path, name)


def test_provider_listed_by_qgis_process():
    out = subprocess.run([str(ROOT / "scripts" / "qgis_process.sh"), "list"], capture_output=True, text=True)
    assert "两违巡查" in out.stdout   # LANG=zh_CN.UTF-8 in this ring (tests/e2e/conftest.py)
    for alg in ("liangwei:controllines", "liangwei:pipeclearance", "liangwei:compareepochs"):
        assert alg in out.stdout


def test_controllines_matches_naive_shapely(city, tmp_path):
    res = run_alg("liangwei:controllines", {"FOOTPRINTS": lyr(city, "buildings_2023"),
                                             **{k: lyr(city, v) for k, v in ZONES.items()}, "MIN_AREA": 0,
                                             "OUTPUT": tmp_path / "pieces.gpkg",
                                             "OUTPUT_BUILDINGS": tmp_path / "buildings.gpkg"})
    fids, geoms, _, _ = read(city, "buildings_2023")
    present = ~shapely.is_missing(geoms)
    present[present] = ~shapely.is_empty(geoms[present])
    fixed = np.full(len(geoms), None, dtype=object)
    fixed[present] = shapely.force_2d(shapely.make_valid(geoms[present]))
    zones = np.concatenate([read(city, name)[1] for name in ZONES.values()])
    everything = shapely.union_all(zones)
    expected = {}
    for fid, g in zip(fids, fixed):
        if g is not None:
            a = g.intersection(everything).area
            if a > 0:
                expected[int(fid)] = a
    assert int(res.results["N_BUILDINGS"]) == len(fids)
    assert int(res.results["N_USED"]) == int(present.sum())
    assert int(res.results["N_HIT_BUILDINGS"]) == len(expected)
    assert float(res.results["ENC_AREA"]) == pytest.approx(sum(expected.values()), rel=1e-6)
    bfids, _, battrs, _ = read(tmp_path / "buildings.gpkg", "buildings")
    got = dict(zip(bfids.tolist(), battrs["enc_area_total"].tolist()))
    assert len(got) == len(fids)  # every building, null and empty ones included
    for fid, area in expected.items():
        assert got[fid] == pytest.approx(area, rel=1e-6, abs=1e-6)
    _, pieces, pattrs, _ = read(tmp_path / "pieces.gpkg", "pieces")
    assert set(pattrs["line_type"]) <= {"red", "blue", "green", "yellow", "purple", "water_source"}
    np.testing.assert_allclose(shapely.area(pieces), pattrs["enc_area"], rtol=1e-9)


def test_pipeclearance_matches_naive_distances(city, tmp_path):
    res = run_alg("liangwei:pipeclearance", {"FOOTPRINTS": lyr(city, "buildings_2023"),
                                              "PIPELINES": lyr(city, "pipelines"), "OUTPUT": tmp_path / "pc.gpkg"})
    from lincang_liangwei.core.rules import load_rules

    _, pgeoms, pattrs, _ = read(city, "pipelines")
    required = load_rules().pipe_clearances(pattrs["kind"], pattrs["pressure"], pattrs["diameter_mm"]).required_m
    fids, geoms, _, _ = read(city, "buildings_2023")
    ok = ~shapely.is_missing(geoms)
    ok[ok] = ~shapely.is_empty(geoms[ok])
    blds = shapely.buffer(shapely.make_valid(geoms[ok]), 0)  # spikes left by make_valid are not building
    tree = shapely.STRtree(blds)
    n = 0
    for pg, req in zip(pgeoms, required):
        if np.isfinite(req):
            cand = tree.query(pg, predicate="dwithin", distance=req)
            n += int((shapely.distance(blds[cand], pg) < req).sum())
    assert int(res.results["N_BREACHES"]) == n
    assert int(res.results["N_UNMAPPED_PIPES"]) == int((~np.isfinite(required)).sum()) > 0
    _, _, battrs, _ = read(tmp_path / "pc.gpkg", "pc")
    assert (battrs["distance_m"] < battrs["required_m"]).all()
    np.testing.assert_allclose(battrs["deficit_m"], battrs["required_m"] - battrs["distance_m"])


def test_layer_without_crs_is_refused_with_a_message(tmp_path):
    from osgeo import ogr

    shp = tmp_path / "no_crs.shp"  # a shapefile delivered without its .prj
    ds = ogr.GetDriverByName("ESRI Shapefile").CreateDataSource(str(shp))
    layer = ds.CreateLayer("no_crs", None, ogr.wkbPolygon)
    feat = ogr.Feature(layer.GetLayerDefn())
    feat.SetGeometry(ogr.CreateGeometryFromWkt("POLYGON((0 0,10 0,10 10,0 10,0 0))"))
    layer.CreateFeature(feat)
    ds = None
    assert not shp.with_suffix(".prj").exists()
    zones = tmp_path / "z.gpkg"
    fileio.write_layer(zones, "red", np.array([shapely.box(5, 0, 20, 10)], dtype=object), {"name": ["r"]})
    res = run_alg("liangwei:controllines", {"FOOTPRINTS": str(shp), "RED_LINES": lyr(zones, "red"),
                                             "OUTPUT": tmp_path / "o.gpkg"}, check=False)
    assert not res.ok
    text = res.stderr + res.log
    assert "没有坐标参考系" in text   # the e2e ring runs with LANG=zh_CN.UTF-8 (tests/e2e/conftest.py)
    assert "Traceback" not in text
    res = run_alg("liangwei:controllines", {"FOOTPRINTS": str(shp), "RED_LINES": lyr(zones, "red"),
                                             "OUTPUT": tmp_path / "o.gpkg"}, check=False, env={"LANG": "C.UTF-8"})
    assert not res.ok and "no coordinate reference system" in res.stderr + res.log
    assert not (tmp_path / "o.gpkg").exists()


def test_json_output_is_machine_readable(city, tmp_path):
    res = run_alg("liangwei:controllines", {"FOOTPRINTS": lyr(city, "buildings_2023"),
                                             "RED_LINES": lyr(city, "red_lines_cad"), "OUTPUT": tmp_path / "cad.gpkg"})
    assert json.loads(json.dumps(res.results))["OUTPUT"].endswith("cad.gpkg")
    assert int(res.results["N_HITS"]) > 0  # CAD red lines cross buildings built into the road


def test_bulk_writer_and_feature_sink_write_the_same_layer(city, tmp_path):
    """OUTPUT_BUILDINGS through the bulk GeoPackage copy equals the QGIS sink's."""
    params = {"FOOTPRINTS": lyr(city, "buildings_2023"), "RED_LINES": lyr(city, "red_lines"),
              "WATER_SOURCE": lyr(city, "water_source"), "OUTPUT": tmp_path / "p.gpkg"}
    run_alg("liangwei:controllines", {**params, "OUTPUT_BUILDINGS": tmp_path / "bulk.gpkg"})
    run_alg("liangwei:controllines", {**params, "OUTPUT_BUILDINGS": tmp_path / "sink.gpkg"},
            env={"LIANGWEI_NO_FAST_WRITE": "1", "LIANGWEI_NO_FAST_READ": "1"})
    f1, g1, a1, c1 = read(tmp_path / "bulk.gpkg", "bulk")
    f2, g2, a2, c2 = read(tmp_path / "sink.gpkg", "sink")
    assert list(a1.columns) == list(a2.columns)
    assert "n_zones" in a1.columns and "geom_status" in a1.columns
    o1, o2 = np.argsort(f1), np.argsort(f2)
    assert (f1[o1] == f2[o2]).all()
    for col in a1.columns:
        x, y = a1[col].to_numpy()[o1], a2[col].to_numpy()[o2]
        if x.dtype.kind == "f":
            np.testing.assert_allclose(x, y, equal_nan=True)
        else:
            assert (x == y).all(), col
    same = shapely.equals_exact(g1[o1], g2[o2], tolerance=0) | (shapely.is_missing(g1[o1]) & shapely.is_missing(g2[o2]))
    assert same.sum() >= len(f1) - 2  # empty geometries may be stored as NULL by the sink


def test_compareepochs_against_generator_truth(city, tmp_path):
    res = run_alg("liangwei:compareepochs", {
        "EARLIER": lyr(city, "buildings_2019"), "LATER": lyr(city, "buildings_2023"),
        "EARLIER_FLOORS_FIELD": "floors", "LATER_FLOORS_FIELD": "floors", "EARLIER_DATE": "2019", "LATER_DATE": "2023",
        "OUTPUT": tmp_path / "later.gpkg", "OUTPUT_DEMOLISHED": tmp_path / "dem.gpkg",
        "OUTPUT_GROWTH": tmp_path / "growth.gpkg"})
    truth = fileio.read_table(city, "truth_later").set_index("fid")
    fids, _, got, _ = read(tmp_path / "later.gpkg", "later")
    got = got.assign(fid=fids).set_index("fid")
    assert len(got) == len(truth)
    usable = truth["geom_status"].isin(["ok", "invalid", "z"])
    agree = (got.loc[usable.index[usable], "change"] == truth.loc[usable, "change"])
    assert agree.mean() >= 0.99, got.loc[usable.index[usable]][~agree.values].join(truth, rsuffix="_truth").head(20)
    assert (got.loc[~usable, "change"] == "skipped").all()
    new = truth.index[truth["change"] == "new"]
    assert (got.loc[new, "prev_fids"] == "").all() and (got.loc[new, "growth_m2"] > 0).all()
    assert (got["epoch"] == "2023").all()
    t_early = fileio.read_table(city, "truth_earlier")
    n_dem = int(t_early["demolished"].sum())
    assert abs(int(res.results["N_DEMOLISHED"]) - n_dem) <= int(truth["geom_status"].isin(["null", "empty"]).sum())
    _, growth_geoms, growth, _ = read(tmp_path / "growth.gpkg", "growth")
    np.testing.assert_allclose(shapely.area(growth_geoms), growth["growth_m2"], rtol=1e-6)


def test_output_into_the_input_geopackage_is_refused(tmp_path):
    import shutil

    city_copy = tmp_path / "city.gpkg"
    fileio.write_city(generate_city(300, seed=3), city_copy)
    before = city_copy.read_bytes()
    backup = tmp_path / "backup.gpkg"
    shutil.copy(city_copy, backup)
    res = run_alg("liangwei:controllines", {"FOOTPRINTS": lyr(city_copy, "buildings_2023"),
                                             "RED_LINES": lyr(city_copy, "red_lines"), "OUTPUT": city_copy},
                  check=False)
    assert not res.ok
    assert "原始数据将丢失" in res.stderr + res.log and "Traceback" not in res.stderr
    assert city_copy.read_bytes() == before
    assert fileio.list_layers(city_copy) == fileio.list_layers(backup)
