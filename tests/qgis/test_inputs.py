"""Real-world inputs (issue 7, reader side): shapefiles through the fast path, GBK without .cpg, Web Mercator,
GDAL's "Undefined geographic SRS", layers that miss the footprints, multi-layer GeoPackages, wrong geometry types."""

import numpy as np
import pytest
import shapely
from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsProcessingException, QgsProject, QgsVectorLayer

from .conftest import RecordingFeedback, in_english
from .layers import box_wkt

X0, Y0 = 508000.0, 2641000.0  # EPSG:4542 (CGCS2000 GK CM 99E), Lincang


def write_layer(path, rows, *, layer="data", epsg=4542, geom="polygon", fields=("name",), options=(), driver=None):
    """A real file written by GDAL: ``rows`` = [(wkt or None, [values])]."""
    from osgeo import gdal

    # QGIS's OGR provider sets SHAPE_ENCODING="" process-wide, which makes GDAL ignore ENCODING=GBK on write
    shape_encoding = gdal.GetConfigOption("SHAPE_ENCODING")
    gdal.SetConfigOption("SHAPE_ENCODING", None)
    try:
        return _write_layer(path, rows, layer, epsg, geom, fields, options, driver)
    finally:
        gdal.SetConfigOption("SHAPE_ENCODING", shape_encoding)


def _write_layer(path, rows, layer, epsg, geom, fields, options, driver):
    from osgeo import ogr, osr

    driver = driver or ("ESRI Shapefile" if str(path).endswith(".shp") else "GPKG")
    srs = None
    if epsg:
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(epsg)
    ds = ogr.Open(str(path), 1) if path.exists() and driver == "GPKG" else ogr.GetDriverByName(driver).CreateDataSource(str(path))
    gtype = {"polygon": ogr.wkbPolygon, "line": ogr.wkbLineString, "point": ogr.wkbPoint, "unknown": ogr.wkbUnknown}[geom]
    lyr = ds.CreateLayer(layer, srs, gtype, options=list(options))
    for f in fields:
        lyr.CreateField(ogr.FieldDefn(f, ogr.OFTString))
    for wkt, values in rows:
        feat = ogr.Feature(lyr.GetLayerDefn())
        for i, v in enumerate(values):
            feat.SetField(i, v)
        if wkt:
            feat.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        lyr.CreateFeature(feat)
    ds = None
    return path


def buildings(n=30):
    """``n`` 10 x 10 m footprints in a row, one null geometry, names in Chinese."""
    rows = [(box_wkt(X0 + 20 * i, Y0, X0 + 20 * i + 10, Y0 + 10), [f"楼{i}"]) for i in range(n)]
    rows.insert(5, (None, ["无几何"]))
    return rows


def run(alg, params, feedback):
    from qgis import processing

    outputs = {"controllines": {"OUTPUT": "memory:", "OUTPUT_BUILDINGS": "memory:"},
               "pipeclearance": {"OUTPUT": "memory:"}}[alg]
    return processing.run(f"liangwei:{alg}", {**outputs, **params}, feedback=feedback)


def read_both(monkeypatch, path, feedback, fields=("name",), geometry=("polygon",)):
    """The same input read through GDAL's Arrow stream and through QGIS iteration."""
    from qgis.core import QgsProcessingContext

    from lincang_liangwei.core.geometry import POLYGON
    from lincang_liangwei.qgis_io.reader import read_layer, resolve_input

    out = []
    for no_fast in ("", "1"):
        monkeypatch.setenv("LIANGWEI_NO_FAST_READ", no_fast) if no_fast else monkeypatch.delenv("LIANGWEI_NO_FAST_READ",
                                                                                                raising=False)
        layer = QgsVectorLayer(str(path), "in", "ogr")
        assert layer.isValid()
        inp = resolve_input(layer, layer, str(path), "FOOTPRINTS", feedback=feedback, geometry=geometry)
        arrays, _clean = read_layer(inp, POLYGON, dest_crs=QgsCoordinateReferenceSystem("EPSG:4542"),
                                    context=QgsProcessingContext(), feedback=feedback, fields=list(fields))
        out.append(arrays)
    return out


# -- 1. fast path == QGIS path, shapefiles included ---------------------------------------------------

@pytest.mark.parametrize("fmt", ["gpkg", "shp-utf8-cpg", "shp-gbk-no-cpg"])
def test_fast_path_and_qgis_path_give_identical_arrays(liangwei, feedback, monkeypatch, tmp_path, fmt):
    if fmt == "gpkg":
        path = write_layer(tmp_path / "city.gpkg", buildings(), layer="buildings_2023")
    else:
        enc = "UTF-8" if fmt == "shp-utf8-cpg" else "GBK"
        path = write_layer(tmp_path / "blds.shp", buildings(), options=[f"ENCODING={enc}"])
        if enc == "GBK":
            path.with_suffix(".cpg").unlink()
    fast, slow = read_both(monkeypatch, path, feedback)
    assert (fast.read_path, slow.read_path) == ("arrow", "qgis")
    assert fast.fast_file == ((str(path), "buildings_2023") if fmt == "gpkg" else None)
    assert slow.fast_file is None
    assert len(fast) == len(slow) == 31
    np.testing.assert_array_equal(fast.fids, slow.fids)
    assert shapely.is_missing(fast.geoms).sum() == 1
    assert shapely.equals_exact(fast.geoms[~shapely.is_missing(fast.geoms)],
                                slow.geoms[~shapely.is_missing(slow.geoms)], tolerance=0).all()
    assert list(fast.attrs["name"]) == list(slow.attrs["name"])
    assert fast.attrs["name"][0] == "楼0" and fast.attrs["name"][5] == "无几何"


def test_shapefile_in_working_crs_runs_controllines(liangwei, feedback, tmp_path):
    """Used to crash: KeyError '' in _read_ogr_arrow (GDAL 3.6 calls the shapefile FID column OGC_FID)."""
    blds = write_layer(tmp_path / "blds.shp", buildings(), options=["ENCODING=UTF-8"])
    zone = write_layer(tmp_path / "green.shp", [(box_wkt(X0 - 5, Y0 + 5, X0 + 100, Y0 + 50), ["公园"])],
                       options=["ENCODING=UTF-8"])
    res = run("controllines", {"FOOTPRINTS": str(blds), "GREEN_LINES": str(zone)}, feedback)
    assert res["N_BUILDINGS"] == 31 and res["N_USED"] == 30
    assert res["N_HIT_BUILDINGS"] == 5  # x from 0 to 90 m: buildings 0..4, each 10 m x 5 m inside
    assert res["ENC_AREA"] == pytest.approx(5 * 50.0)
    assert sorted(f["bld_fid"] for f in res["OUTPUT"].getFeatures()) == [0, 1, 2, 3, 4]


# -- 2. GBK shapefile without .cpg -------------------------------------------------------------------

def gbk_zones(tmp_path):
    path = write_layer(tmp_path / "用地.shp", [(box_wkt(X0 - 5, Y0 - 5, X0 + 15, Y0 + 5), ["商业"]),
                                              (box_wkt(X0 + 15, Y0 - 5, X0 + 35, Y0 + 5), ["工业"])],
                       options=["ENCODING=GBK"])
    path.with_suffix(".cpg").unlink()
    assert "商业".encode("gbk") in path.with_suffix(".dbf").read_bytes()
    return path


@pytest.mark.parametrize("as_layer", [False, True], ids=["qgis_process-path", "dialog-layer"])
def test_gbk_shapefile_without_cpg_keeps_chinese_names(liangwei, feedback, tmp_path, as_layer):
    zones = gbk_zones(tmp_path)
    blds = write_layer(tmp_path / "blds.gpkg", [(box_wkt(X0, Y0, X0 + 30, Y0 + 10), ["A"])], layer="b")
    zone_value = QgsVectorLayer(str(zones), "用地", "ogr") if as_layer else str(zones)
    res = run("controllines", {"FOOTPRINTS": f"{blds}|layername=b", "RED_LINES": zone_value, "NAME_FIELD": "name"},
              feedback)
    hits = {f["zone_name"]: round(f["enc_area"], 6) for f in res["OUTPUT"].getFeatures()}
    assert hits == {"商业": 75.0, "工业": 75.0}
    [warning] = [w for w in feedback.warnings if ".cpg" in w]
    assert "用地" in warning and "GBK" in warning and str(zones.with_suffix(".cpg")) in warning


def test_gbk_pipe_kinds_map_through_the_rules(liangwei, feedback, tmp_path):
    """燃气 (gas) and 排水 (drainage) must stay distinct for KIND_MAP to give each its clearance (garbled, both
    read as the same replacement characters and neither mapped)."""
    pipes = write_layer(tmp_path / "管线.shp", [(f"LINESTRING({X0 - 50} {Y0 - 0.5},{X0 + 60} {Y0 - 0.5})", ["燃气", "low"]),
                                              (f"LINESTRING({X0 - 50} {Y0 + 12},{X0 + 60} {Y0 + 12})", ["排水", ""])],
                        geom="line", fields=("kind", "pressure"), options=["ENCODING=GBK"])
    pipes.with_suffix(".cpg").unlink()
    blds = write_layer(tmp_path / "blds.gpkg", [(box_wkt(X0, Y0, X0 + 10, Y0 + 10), ["A"])], layer="b")
    res = run("pipeclearance", {"FOOTPRINTS": f"{blds}|layername=b", "PIPELINES": str(pipes),
                                "KIND_MAP": "燃气=gas;排水=drainage", "CLASS_MAP": "low=low", "DIAMETER_FIELD": None},
              feedback)
    assert res["N_UNMAPPED_PIPES"] == 0 and res["N_BREACHES"] == 2
    found = sorted((f["kind"], f["kind_value"], f["required_m"], round(f["distance_m"], 6))
                   for f in res["OUTPUT"].getFeatures())
    assert found == [("drainage", "排水", 2.5, 2.0), ("gas", "燃气", 0.7, 0.5)]


# -- 3. Web Mercator footprints ------------------------------------------------------------------------

def to_3857(wkt):
    from qgis.core import QgsGeometry

    g = QgsGeometry.fromWkt(wkt)
    g.transform(QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4542"), QgsCoordinateReferenceSystem("EPSG:3857"),
                                       QgsProject.instance()))
    return g.asWkt(6)


def test_web_mercator_footprints_are_measured_in_a_metric_crs(liangwei, feedback, tmp_path):
    blds = write_layer(tmp_path / "blds.gpkg", [(to_3857(box_wkt(X0, Y0, X0 + 100, Y0 + 100)), ["A"])], layer="b",
                       epsg=3857)
    zone = write_layer(tmp_path / "z.gpkg", [(box_wkt(X0 + 50, Y0 - 50, X0 + 200, Y0 + 150), ["绿地"])], layer="z")
    res = run("controllines", {"FOOTPRINTS": f"{blds}|layername=b", "GREEN_LINES": f"{zone}|layername=z"}, feedback)
    [hit] = list(res["OUTPUT"].getFeatures())
    assert hit["enc_area"] == pytest.approx(5000.0, rel=0.002)  # was ~5,980 m2 (+19.6 %) computed in EPSG:3857
    [b] = list(res["OUTPUT_BUILDINGS"].getFeatures())
    assert b["area_m2"] == pytest.approx(10000.0, rel=0.002)
    assert "EPSG:3857" in feedback.text and "EPSG:32647" in feedback.text and "长度变形" in feedback.text


def test_gauss_krueger_footprints_keep_their_crs(liangwei, feedback, tmp_path):
    blds = write_layer(tmp_path / "blds.gpkg", [(box_wkt(X0, Y0, X0 + 100, Y0 + 100), ["A"])], layer="b")
    zone = write_layer(tmp_path / "z.gpkg", [(box_wkt(X0 + 50, Y0 - 50, X0 + 200, Y0 + 150), ["绿地"])], layer="z")
    res = run("controllines", {"FOOTPRINTS": f"{blds}|layername=b", "GREEN_LINES": f"{zone}|layername=z"}, feedback)
    assert res["ENC_AREA"] == pytest.approx(5000.0)
    assert "计算坐标系：EPSG:4542" in feedback.text and "长度变形" not in feedback.text
    english = RecordingFeedback()
    with in_english():
        run("controllines", {"FOOTPRINTS": f"{blds}|layername=b", "GREEN_LINES": f"{zone}|layername=z"}, english)
    assert "working CRS: EPSG:4542" in english.text and "distorts" not in english.text


def test_web_mercator_as_given_working_crs_is_refused(liangwei, feedback, tmp_path):
    blds = write_layer(tmp_path / "blds.gpkg", [(box_wkt(X0, Y0, X0 + 100, Y0 + 100), ["A"])], layer="b")
    with pytest.raises(QgsProcessingException, match="EPSG:3857.*9.9%"):
        run("controllines", {"FOOTPRINTS": f"{blds}|layername=b", "GREEN_LINES": f"{blds}|layername=b",
                             "WORK_CRS": "EPSG:3857"}, feedback)


# -- 4. GDAL's "Undefined geographic SRS" --------------------------------------------------------------

@pytest.mark.parametrize("which", ["FOOTPRINTS", "RED_LINES"])
def test_undefined_geographic_srs_is_no_crs(liangwei, feedback, tmp_path, which):
    undefined = write_layer(tmp_path / "nocrs.gpkg", [(box_wkt(X0, Y0, X0 + 10, Y0 + 10), ["A"])], layer="n", epsg=None)
    crs = QgsVectorLayer(f"{undefined}|layername=n", "n", "ogr").crs()
    # QGIS 3.22 reports GDAL's placeholder as a valid CRS; 3.40 already reads it as no CRS: both must be refused
    assert "Undefined geographic SRS" in crs.description() or not crs.isValid()
    good = write_layer(tmp_path / "good.gpkg", [(box_wkt(X0, Y0, X0 + 10, Y0 + 10), ["A"])], layer="g")
    params = {"FOOTPRINTS": f"{good}|layername=g", "RED_LINES": f"{good}|layername=g", which: f"{undefined}|layername=n"}
    with pytest.raises(QgsProcessingException, match="没有坐标参考系"):
        run("controllines", params, feedback)
    with in_english(), pytest.raises(QgsProcessingException, match="has no coordinate reference system"):
        run("controllines", params, feedback)


# -- 5. a layer that misses the footprints -------------------------------------------------------------

def test_zone_layer_far_from_the_footprints_is_warned_about(liangwei, feedback, tmp_path):
    blds = write_layer(tmp_path / "blds.gpkg", [(box_wkt(X0, Y0, X0 + 10, Y0 + 10), ["A"])], layer="b")
    far = write_layer(tmp_path / "z.gpkg", [(box_wkt(X0 + 300_000, Y0, X0 + 300_100, Y0 + 100), ["x"])], layer="蓝线")
    near = write_layer(tmp_path / "z.gpkg", [(box_wkt(X0, Y0, X0 + 5, Y0 + 5), ["y"])], layer="绿线")
    params = {"FOOTPRINTS": f"{blds}|layername=b", "BLUE_LINES": f"{far}|layername=蓝线",
              "GREEN_LINES": f"{near}|layername=绿线"}
    res = run("controllines", params, feedback)
    assert res["N_HITS"] == 1
    [warning] = [w for w in feedback.warnings if "不重叠" in w]
    assert "蓝线" in warning and "3 度带" in warning and "300.0 km" in warning
    english = RecordingFeedback()
    with in_english():
        run("controllines", params, english)
    [warning] = [w for w in english.warnings if "does not overlap" in w]
    assert "蓝线" in warning and "3-degree zone" in warning and "300.0 km" in warning


# -- 6. GeoPackage path without a layer name -----------------------------------------------------------

def test_multi_layer_geopackage_without_layer_name_is_refused(liangwei, feedback, tmp_path):
    city = write_layer(tmp_path / "city.gpkg", [(box_wkt(X0, Y0, X0 + 1000, Y0 + 1000), ["临翔区"])], layer="districts")
    write_layer(city, [(box_wkt(X0, Y0, X0 + 10, Y0 + 10), ["A"])], layer="buildings_2023")
    with pytest.raises(QgsProcessingException, match=r"2 个图层.*districts.*buildings_2023.*\|layername="):
        run("controllines", {"FOOTPRINTS": str(city), "GREEN_LINES": f"{city}|layername=districts"}, feedback)


def test_single_layer_geopackage_without_layer_name_says_which_layer(liangwei, feedback, tmp_path):
    blds = write_layer(tmp_path / "blds.gpkg", [(box_wkt(X0, Y0, X0 + 10, Y0 + 10), ["A"])], layer="buildings_2023")
    zone = write_layer(tmp_path / "z.gpkg", [(box_wkt(X0, Y0, X0 + 5, Y0 + 5), ["y"])], layer="g")
    res = run("controllines", {"FOOTPRINTS": str(blds), "GREEN_LINES": str(zone)}, feedback)
    assert res["N_HITS"] == 1
    assert f"FOOTPRINTS：使用文件 {blds} 中的图层 buildings_2023" in feedback.text


# -- 7. wrong geometry types ---------------------------------------------------------------------------

def test_points_as_footprints_are_refused(liangwei, feedback, tmp_path):
    pts = write_layer(tmp_path / "pts.gpkg", [(f"POINT({X0} {Y0})", ["A"])], layer="p", geom="point")
    zone = write_layer(tmp_path / "z.gpkg", [(box_wkt(X0, Y0, X0 + 5, Y0 + 5), ["y"])], layer="g")
    params = {"FOOTPRINTS": f"{pts}|layername=p", "GREEN_LINES": f"{zone}|layername=g"}
    with pytest.raises(QgsProcessingException, match="FOOTPRINTS.*需要面图层.*“p”是点图层"):
        run("controllines", params, feedback)
    with in_english(), pytest.raises(QgsProcessingException, match="FOOTPRINTS.*needs a layer of polygons.*'p' holds points"):
        run("controllines", params, feedback)


def test_polygons_as_pipelines_are_refused(liangwei, feedback, tmp_path):
    blds = write_layer(tmp_path / "b.gpkg", [(box_wkt(X0, Y0, X0 + 10, Y0 + 10), ["A"])], layer="b")
    params = {"FOOTPRINTS": f"{blds}|layername=b", "PIPELINES": f"{blds}|layername=b"}
    with pytest.raises(QgsProcessingException, match="PIPELINES.*需要线图层"):
        run("pipeclearance", params, feedback)
    with in_english(), pytest.raises(QgsProcessingException, match="PIPELINES.*needs a layer of lines"):
        run("pipeclearance", params, feedback)


def test_layer_of_collection_geometry_type_goes_on_and_is_counted_per_feature(liangwei, feedback, tmp_path):
    """DXF / GeoJSON-like layers declare no single polygon/line type: no refusal, each feature counted as today."""
    from .layers import memory_layer

    mixed = memory_layer("GeometryCollection", "EPSG:4542", "mixed", [
        (f"GEOMETRYCOLLECTION({box_wkt(X0, Y0, X0 + 10, Y0 + 10)})", ["A"]), (f"GEOMETRYCOLLECTION(POINT({X0} {Y0}))", ["p"])])
    mixed.setCrs(QgsCoordinateReferenceSystem("EPSG:4542"))  # the 3.22 memory provider ignores crs= for this type
    zone = write_layer(tmp_path / "z.gpkg", [(box_wkt(X0, Y0, X0 + 5, Y0 + 5), ["y"])], layer="g")
    res = run("controllines", {"FOOTPRINTS": mixed, "GREEN_LINES": f"{zone}|layername=g"}, feedback)
    assert (res["N_BUILDINGS"], res["N_USED"], res["N_HITS"]) == (2, 1, 1)
