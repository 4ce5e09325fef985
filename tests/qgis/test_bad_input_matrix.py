"""Bad-input matrix: one GeoPackage layer holding every defect bureau data has, through every algorithm.

Each feature carries its expected fate in a ``case`` attribute; every algorithm
must account for every input feature (in = used + skipped, per reason), give a
repaired or flattened footprint its true area, and never stop with a traceback.
"""
import pytest

X0, Y0 = 508000.0, 2641000.0


def _box(x0, y0, x1, y1):
    return f"(({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y1},{x0} {y0}))"


def _at(k):
    """Building k sits at its own place along a row, 40 m apart."""
    return X0 + 40.0 * k, Y0


# case name -> (WKT, expected clean status, expected area used in m² or None)
CASES = {}


def _case(name, wkt, status, area):
    CASES[name] = (wkt, status, area)


x, y = _at(0)
_case("ok", f"POLYGON{_box(x, y, x + 20, y + 10)}", "ok", 200.0)
x, y = _at(1)
_case("bowtie", f"POLYGON(({x} {y},{x + 20} {y + 10},{x + 20} {y},{x} {y + 10},{x} {y}))", "repaired", 100.0)
_case("null", None, "null", None)
_case("empty", "POLYGON EMPTY", "empty", None)
x, y = _at(2)
_case("z", f"POLYGON Z(({x} {y} 5,{x + 10} {y} 5,{x + 10} {y + 10} 5,{x} {y + 10} 5,{x} {y} 5))", "ok", 100.0)
x, y = _at(3)
_case("m", f"POLYGON M(({x} {y} 1,{x + 10} {y} 1,{x + 10} {y + 10} 1,{x} {y + 10} 1,{x} {y} 1))", "ok", 100.0)
x, y = _at(4)
# two overlapping parts: 20x10 + 20x10 overlapping by 10x10 -> union 300 m²
_case("multi_overlap", f"MULTIPOLYGON({_box(x, y, x + 20, y + 10)},{_box(x + 10, y, x + 30, y + 10)})", "repaired", 300.0)
x, y = _at(0)
_case("duplicate", f"POLYGON{_box(x, y, x + 20, y + 10)}", "duplicate", None)
x, y = _at(6)
_case("curve", f"CURVEPOLYGON(CIRCULARSTRING({x - 5} {y},{x} {y + 5},{x + 5} {y},{x} {y - 5},{x - 5} {y}))", "ok",
      78.5)
x, y = _at(7)
_case("point", f"POINT({x} {y})", "wrong_type", None)
x, y = _at(8)
_case("spike", f"POLYGON(({x} {y},{x + 10} {y},{x + 10} {y + 10},{x + 10} {y + 10},{x + 10} {y + 30},"
               f"{x + 10} {y + 10},{x} {y + 10},{x} {y}))", "repaired", 100.0)


@pytest.fixture(scope="module")
def defects(tmp_path_factory):
    """A GeoPackage with geometry type GEOMETRY (as GDAL writes mixed data), one feature per case."""
    from osgeo import ogr, osr

    path = tmp_path_factory.mktemp("bad") / "bad.gpkg"
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4542)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    lyr = ds.CreateLayer("buildings", srs, ogr.wkbUnknown)
    lyr.CreateField(ogr.FieldDefn("case", ogr.OFTString))
    for name, (wkt, _status, _area) in CASES.items():
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField("case", name)
        if wkt:
            f.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        lyr.CreateFeature(f)
    # a zone covering every building place, and a pipe along the row
    zl = ds.CreateLayer("green", srs, ogr.wkbPolygon)
    f = ogr.Feature(zl.GetLayerDefn())
    f.SetGeometry(ogr.CreateGeometryFromWkt(f"POLYGON{_box(X0 - 50, Y0 - 50, X0 + 400, Y0 + 5)}"))
    zl.CreateFeature(f)
    pl = ds.CreateLayer("pipes", srs, ogr.wkbLineString)
    pl.CreateField(ogr.FieldDefn("kind", ogr.OFTString))
    pl.CreateField(ogr.FieldDefn("pressure", ogr.OFTString))
    f = ogr.Feature(pl.GetLayerDefn())
    f.SetField("kind", "燃气")
    f.SetField("pressure", "低压")
    f.SetGeometry(ogr.CreateGeometryFromWkt(f"LINESTRING({X0 - 50} {Y0 - 0.5},{X0 + 400} {Y0 - 0.5})"))
    pl.CreateFeature(f)
    ds = None
    return path


def _layer(path, name):
    return f"{path}|layername={name}"


def test_controllines_accounts_for_every_defect(liangwei, feedback, defects, tmp_path):
    from qgis import processing

    res = processing.run("liangwei:controllines", {
        "FOOTPRINTS": _layer(defects, "buildings"), "GREEN_LINES": _layer(defects, "green"), "MIN_AREA": 0,
        "OUTPUT": str(tmp_path / "pieces.gpkg"), "OUTPUT_BUILDINGS": str(tmp_path / "buildings.gpkg")},
        feedback=feedback)
    n = len(CASES)
    used = sum(1 for _w, st, _a in CASES.values() if st in ("ok", "repaired"))
    assert res["N_BUILDINGS"] == n and res["N_USED"] == used
    from qgis.core import QgsVectorLayer

    out = QgsVectorLayer(res["OUTPUT_BUILDINGS"], "b", "ogr")
    assert out.featureCount() == n  # every input row is in the summary, skipped ones too
    got = {f["case"]: (f["geom_status"], f["area_m2"]) for f in out.getFeatures()}
    for name, (_wkt, status, area) in CASES.items():
        assert got[name][0] == status, name
        if area is not None:
            assert got[name][1] == pytest.approx(area, rel=0.01), name
    # the zone covers the southern 5 m of every footprint: the repaired union of the overlapping parts counts
    pieces = {f["bld_fid"]: f["enc_area"] for f in QgsVectorLayer(res["OUTPUT"], "p", "ogr").getFeatures()}
    assert len(pieces) == used
    text = feedback.text
    assert "1 个曲线几何已离散为折线" in text
    for needle in ("跳过 1 个：几何为空值", "跳过 1 个：几何为空 (empty)", "与另一要素轮廓重复", "几何类型不符"):
        assert needle in text, needle


def test_pipeclearance_accounts_for_every_defect(liangwei, feedback, defects, tmp_path):
    from qgis import processing

    res = processing.run("liangwei:pipeclearance", {
        "FOOTPRINTS": _layer(defects, "buildings"), "PIPELINES": _layer(defects, "pipes"),
        "OUTPUT": str(tmp_path / "breaches.gpkg")}, feedback=feedback)
    used = sum(1 for _w, st, _a in CASES.values() if st in ("ok", "repaired"))
    assert res["N_BUILDINGS"] == len(CASES)
    # the gas pipe runs 0.5 m south of the row: every used footprint breaches the 0.7 m low-pressure clearance
    assert res["N_BREACH_BUILDINGS"] == used


def test_compareepochs_accounts_for_every_defect(liangwei, feedback, defects, tmp_path):
    from qgis import processing
    from qgis.core import QgsVectorLayer

    res = processing.run("liangwei:compareepochs", {
        "EARLIER": _layer(defects, "buildings"), "LATER": _layer(defects, "buildings"),
        "OUTPUT": str(tmp_path / "later.gpkg"), "OUTPUT_DEMOLISHED": str(tmp_path / "gone.gpkg"),
        "OUTPUT_GROWTH": str(tmp_path / "growth.gpkg")}, feedback=feedback)
    out = QgsVectorLayer(res["OUTPUT"], "l", "ogr")
    got = {f["case"]: f["change"] for f in out.getFeatures()}
    assert set(got) == set(CASES)
    for name, (_wkt, status, _area) in CASES.items():
        if status in ("ok", "repaired"):
            assert got[name] == "unchanged", name  # an epoch compared with itself
        elif status == "duplicate":
            assert got[name] == "duplicate", name
        else:
            assert got[name] == "skipped", name
    assert res["N_DEMOLISHED"] == 0 and res["N_SPLIT"] == 0 and res["N_NEW"] == 0


def test_one_feature_layers(liangwei, feedback, tmp_path):
    from qgis import processing

    from .layers import memory_layer

    x, y = _at(0)
    one = memory_layer("Polygon", "EPSG:4542", "one", [(f"POLYGON{_box(x, y, x + 20, y + 10)}", ["a"])])
    zone = memory_layer("Polygon", "EPSG:4542", "z", [(f"POLYGON{_box(x + 10, y - 5, x + 40, y + 40)}", ["z"])])
    res = processing.run("liangwei:controllines", {"FOOTPRINTS": one, "RED_LINES": zone, "OUTPUT": "memory:",
                                                   "OUTPUT_BUILDINGS": "memory:"}, feedback=feedback)
    assert res["N_HITS"] == 1 and res["ENC_AREA"] == pytest.approx(100.0)
    res = processing.run("liangwei:compareepochs", {"EARLIER": one, "LATER": one, "OUTPUT": "memory:"},
                         feedback=feedback)
    assert res["N_UNCHANGED"] == 1


def test_million_vertex_zone(liangwei, feedback, tmp_path):
    """A water-source boundary digitised with 10^6 vertices (a river traced at survey resolution)."""
    import numpy as np
    import shapely
    from osgeo import ogr, osr

    n = 1_000_000
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    radius = 2000 + 4 * np.sin(300 * t)
    zone = shapely.Polygon(np.c_[X0 + radius * np.cos(t), Y0 + radius * np.sin(t)])
    a = np.linspace(0, 2 * np.pi, 500, endpoint=False)
    cx, cy = X0 + 2000 * np.cos(a), Y0 + 2000 * np.sin(a)
    boxes = shapely.box(cx - 5, cy - 5, cx + 5, cy + 5)
    path = tmp_path / "big.gpkg"
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4542)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    zl = ds.CreateLayer("water_source", srs, ogr.wkbPolygon)
    f = ogr.Feature(zl.GetLayerDefn())
    f.SetGeometry(ogr.CreateGeometryFromWkb(shapely.to_wkb(zone)))
    zl.CreateFeature(f)
    bl = ds.CreateLayer("buildings", srs, ogr.wkbPolygon)
    for g in boxes:
        f = ogr.Feature(bl.GetLayerDefn())
        f.SetGeometry(ogr.CreateGeometryFromWkb(shapely.to_wkb(g)))
        bl.CreateFeature(f)
    ds = None
    from qgis import processing

    res = processing.run("liangwei:controllines", {
        "FOOTPRINTS": _layer(path, "buildings"), "WATER_SOURCE": _layer(path, "water_source"), "MIN_AREA": 0,
        "OUTPUT": str(tmp_path / "p.gpkg"), "OUTPUT_BUILDINGS": str(tmp_path / "b.gpkg")}, feedback=feedback)
    expected = shapely.area(shapely.intersection(boxes, zone))
    assert res["ENC_AREA"] == pytest.approx(float(expected.sum()), rel=1e-9)
    assert res["N_HIT_BUILDINGS"] == int((expected > 0).sum()) > 450


def test_curve_wkb_when_geos_refuses_the_whole_array(monkeypatch):
    """shapely 2.1 + GEOS 3.13 (Debian 13) raise NotImplementedError for an array holding one curve instead of
    ignoring it; the reader then reads the rest and leaves the curve to GDAL's linearisation."""
    import numpy as np
    import shapely
    from osgeo import ogr

    from lincang_liangwei.qgis_io import reader

    real = shapely.from_wkb

    def strict(arr, on_invalid="raise"):
        if any(w is not None and reader._is_curve_wkb(bytes(w)) for w in np.atleast_1d(arr)):
            raise NotImplementedError("Nonlinear geometry types are not currently supported")
        return real(arr, on_invalid=on_invalid)

    monkeypatch.setattr(reader.shapely, "from_wkb", strict)
    curve = bytes(ogr.CreateGeometryFromWkt(CASES["curve"][0]).ExportToIsoWkb())
    box = bytes(ogr.CreateGeometryFromWkt(CASES["ok"][0]).ExportToIsoWkb())
    arr = np.empty(3, dtype=object)
    arr[:] = [curve, box, None]
    geoms = reader._from_wkb(arr)
    assert geoms[0] is None and geoms[2] is None and geoms[1].area == pytest.approx(200.0)
    unparsable = np.array([True, False, False])
    assert reader._linearise_curves(geoms, arr, unparsable) == 1
    assert geoms[0].area == pytest.approx(78.5, rel=0.01) and not unparsable[0]
