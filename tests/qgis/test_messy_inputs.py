"""Messy real-world inputs: GBK shapefiles, Z/M, curves from CAD, huge zones."""
import math

import pytest
from qgis.core import QgsVectorLayer

from .layers import box_wkt, memory_layer

X0, Y0 = 508000.0, 2641000.0


def run(params, feedback):
    from qgis import processing

    return processing.run("liangwei:controllines", {"OUTPUT": "memory:", "OUTPUT_BUILDINGS": "memory:", **params},
                          feedback=feedback)


def test_gbk_shapefile_zone_names(liangwei, feedback, tmp_path):
    from osgeo import gdal, ogr, osr

    # QGIS's OGR provider sets SHAPE_ENCODING="" process-wide once it opened a shapefile; GDAL then ignores ENCODING=GBK
    gdal.SetConfigOption("SHAPE_ENCODING", None)

    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4542)
    path = tmp_path / "红线.shp"
    ds = ogr.GetDriverByName("ESRI Shapefile").CreateDataSource(str(path))
    layer = ds.CreateLayer("红线", srs, ogr.wkbPolygon, options=["ENCODING=GBK"])
    layer.CreateField(ogr.FieldDefn("名称", ogr.OFTString))
    feat = ogr.Feature(layer.GetLayerDefn())
    feat.SetField(0, "滨江路")
    feat.SetGeometry(ogr.CreateGeometryFromWkt(box_wkt(X0 + 5, Y0 - 5, X0 + 30, Y0 + 30)))
    layer.CreateFeature(feat)
    ds = None
    assert path.with_suffix(".cpg").read_text().strip().upper() in ("GBK", "CP936")
    assert "滨江路".encode("gbk") in path.with_suffix(".dbf").read_bytes()
    zones = QgsVectorLayer(str(path), "红线", "ogr")
    assert zones.isValid()
    blds = memory_layer("Polygon", "EPSG:4542", "b", [(box_wkt(X0, Y0, X0 + 10, Y0 + 10), ["A"])])
    res = run({"FOOTPRINTS": blds, "RED_LINES": zones}, feedback)
    [hit] = list(res["OUTPUT"].getFeatures())
    assert hit["zone_name"] == "滨江路"
    assert hit["enc_area"] == pytest.approx(50.0)


def test_z_m_multipart_and_curved_footprints(liangwei, feedback):
    zone = memory_layer("Polygon", "EPSG:4542", "green", [(box_wkt(X0 - 100, Y0 - 100, X0 + 100, Y0), ["公园"])])
    zm = memory_layer("PolygonZM", "EPSG:4542", "zm", [
        (f"POLYGON ZM(({X0} {Y0 - 5} 3 1,{X0 + 10} {Y0 - 5} 3 1,{X0 + 10} {Y0 + 5} 3 1,{X0} {Y0 + 5} 3 1,"
         f"{X0} {Y0 - 5} 3 1))", ["zm"])])
    res = run({"FOOTPRINTS": zm, "GREEN_LINES": zone}, feedback)
    assert [round(f["enc_area"], 6) for f in res["OUTPUT"].getFeatures()] == [50.0]
    multi = memory_layer("MultiPolygon", "EPSG:4542", "multi", [
        (f"MULTIPOLYGON((({X0} {Y0 - 5},{X0 + 10} {Y0 - 5},{X0 + 10} {Y0 + 5},{X0} {Y0 + 5},{X0} {Y0 - 5})),"
         f"(({X0 + 20} {Y0 - 4},{X0 + 22} {Y0 - 4},{X0 + 22} {Y0 - 2},{X0 + 20} {Y0 - 2},{X0 + 20} {Y0 - 4})))", ["m"])])
    res = run({"FOOTPRINTS": multi, "GREEN_LINES": zone}, feedback)
    [hit] = list(res["OUTPUT"].getFeatures())
    assert hit["enc_area"] == pytest.approx(54.0) and hit["enc_ratio"] == pytest.approx(54.0 / 104.0)
    r = 5.0  # a round kiosk drawn with arcs in CAD: the zone covers its southern half
    curved = memory_layer("CurvePolygon", "EPSG:4542", "curved", [
        (f"CURVEPOLYGON(CIRCULARSTRING({X0 - r} {Y0},{X0} {Y0 + r},{X0 + r} {Y0},{X0} {Y0 - r},{X0 - r} {Y0}))", ["c"])])
    res = run({"FOOTPRINTS": curved, "GREEN_LINES": zone}, feedback)
    [hit] = list(res["OUTPUT"].getFeatures())
    assert hit["enc_area"] == pytest.approx(math.pi * r * r / 2, rel=0.01)
    assert "曲线几何已离散" in feedback.text and "M 值已忽略" in feedback.text


def test_huge_zone_polygon(liangwei, feedback):
    """A water-source zone digitised with 100,000 vertices, 2,000 buildings along its edge."""
    import numpy as np
    import shapely

    n = 100_000
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    radius = 1000 + 3 * np.sin(40 * t)
    ring = np.c_[X0 + radius * np.cos(t), Y0 + radius * np.sin(t)]
    zone_geom = shapely.Polygon(ring)
    zone = memory_layer("Polygon", "EPSG:4542", "水源保护区", [(zone_geom.wkt, ["一级"])])
    a = np.linspace(0, 2 * np.pi, 2000, endpoint=False)
    cx, cy = X0 + 1000 * np.cos(a), Y0 + 1000 * np.sin(a)
    boxes = shapely.box(cx - 4, cy - 4, cx + 4, cy + 4)
    blds = memory_layer("Polygon", "EPSG:4542", "b", [(g.wkt, [str(i)]) for i, g in enumerate(boxes)])
    res = run({"FOOTPRINTS": blds, "WATER_SOURCE": zone, "MIN_AREA": 0}, feedback)
    expected = shapely.area(shapely.intersection(boxes, zone_geom))
    got = {int(f["name"]): f["enc_area_total"] for f in res["OUTPUT_BUILDINGS"].getFeatures()}
    np.testing.assert_allclose([got[i] for i in range(2000)], expected, rtol=1e-9, atol=1e-9)
    assert res["N_HIT_BUILDINGS"] == int((expected > 0).sum()) > 1900


@pytest.mark.parametrize("alg", ["liangwei:controllines", "liangwei:pipeclearance", "liangwei:compareepochs"])
def test_empty_layers_give_empty_results_not_errors(liangwei, feedback, alg):
    from qgis import processing

    empty_b = memory_layer("Polygon", "EPSG:4542", "空建筑", [])
    some_b = memory_layer("Polygon", "EPSG:4542", "b", [(box_wkt(X0, Y0, X0 + 10, Y0 + 10), ["A"])])
    empty_z = memory_layer("Polygon", "EPSG:4542", "空红线", [])
    empty_p = memory_layer("LineString", "EPSG:4542", "空管线", [], fields=("kind:string",))
    if alg.endswith("controllines"):
        for blds, zones in ((empty_b, empty_z), (some_b, empty_z), (empty_b, some_b)):
            res = processing.run(alg, {"FOOTPRINTS": blds, "RED_LINES": zones, "OUTPUT": "memory:",
                                       "OUTPUT_BUILDINGS": "memory:"}, feedback=feedback)
            assert res["N_HITS"] == 0 and res["OUTPUT"].featureCount() == 0
            assert res["OUTPUT_BUILDINGS"].featureCount() == blds.featureCount()
    elif alg.endswith("pipeclearance"):
        res = processing.run(alg, {"FOOTPRINTS": empty_b, "PIPELINES": empty_p, "OUTPUT": "memory:"}, feedback=feedback)
        assert res["N_BREACHES"] == 0 and res["N_PIPES"] == 0
        res = processing.run(alg, {"FOOTPRINTS": some_b, "PIPELINES": empty_p, "OUTPUT": "memory:"}, feedback=feedback)
        assert res["N_BREACHES"] == 0 and res["N_BUILDINGS"] == 1
    else:
        res = processing.run(alg, {"EARLIER": empty_b, "LATER": some_b, "OUTPUT": "memory:",
                                   "OUTPUT_DEMOLISHED": "memory:", "OUTPUT_GROWTH": "memory:"}, feedback=feedback)
        assert res["N_NEW"] == 1 and res["N_DEMOLISHED"] == 0
        res = processing.run(alg, {"EARLIER": some_b, "LATER": empty_b, "OUTPUT": "memory:",
                                   "OUTPUT_DEMOLISHED": "memory:", "OUTPUT_GROWTH": "memory:"}, feedback=feedback)
        assert res["N_DEMOLISHED"] == 1 and res["OUTPUT"].featureCount() == 0
