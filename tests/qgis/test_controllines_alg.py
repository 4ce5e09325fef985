"""liangwei:controllines through processing.run (pytest-qgis)."""
import pytest
from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsProcessingException, QgsProject

from .conftest import RecordingFeedback, in_english
from .layers import box_wkt, memory_layer

X0, Y0 = 508000.0, 2641000.0  # Lincang, EPSG:4542


def bld(dx0, dy0, dx1, dy1):
    return box_wkt(X0 + dx0, Y0 + dy0, X0 + dx1, Y0 + dy1)


def run(params, feedback):
    from qgis import processing

    params = {"OUTPUT": "memory:", "OUTPUT_BUILDINGS": "memory:", **params}
    return processing.run("liangwei:controllines", params, feedback=feedback)


@pytest.fixture
def buildings():
    rows = [
        (bld(0, 0, 10, 10), ["A"]),  # 20 m2 in the red zone
        (f"POLYGON(({X0} {Y0 + 20},{X0 + 10} {Y0 + 30},{X0 + 10} {Y0 + 20},{X0} {Y0 + 30},{X0} {Y0 + 20}))", ["bowtie"]),
        (None, ["null"]),
        (bld(100, 0, 110, 10), ["far"]),
        (bld(40, 0, 50, 10), ["green+water"]),
    ]
    return memory_layer("Polygon", "EPSG:4542", "buildings", rows)


def test_provider_and_algorithm_are_registered(liangwei):
    from qgis.core import QgsApplication

    reg = QgsApplication.processingRegistry()
    assert reg.providerById("liangwei").name() == "两违巡查"   # "Liangwei" in English: tests/qgis/test_i18n.py
    alg = reg.algorithmById("liangwei:controllines")
    assert alg is not None
    names = [p.name() for p in alg.parameterDefinitions()]
    for p in ("FOOTPRINTS", "RED_LINES", "BLUE_LINES", "GREEN_LINES", "YELLOW_LINES", "PURPLE_LINES",
              "WATER_SOURCE", "MIN_AREA", "MIN_RATIO", "OUTPUT", "OUTPUT_BUILDINGS"):
        assert p in names
    assert "控制线" in alg.shortHelpString()   # the ring runs in zh-Hans
    with in_english():
        assert "Control-line" in alg.shortHelpString()


def test_counts_areas_and_fields(liangwei, buildings, feedback):
    red = memory_layer("Polygon", "EPSG:4542", "红线", [(bld(8, -5, 30, 35), ["滨江路"])])
    green = memory_layer("Polygon", "EPSG:4542", "绿线", [(bld(45, -5, 60, 20), ["公园"])])
    water = memory_layer("Polygon", "EPSG:4542", "水源", [(bld(48, -5, 60, 20), ["一级"]), (bld(44, -5, 60, 20), ["二级"])],
                         fields=("name:string",))
    res = run({"FOOTPRINTS": buildings, "RED_LINES": red, "GREEN_LINES": green, "WATER_SOURCE": water}, feedback)
    hits = {(f["bld_fid"], f["line_type"], f["zone_fid"]): f for f in res["OUTPUT"].getFeatures()}
    assert set(hits) == {(1, "red", 1), (2, "red", 1), (5, "green", 1), (5, "water_source", 1), (5, "water_source", 2)}
    a = hits[(1, "red", 1)]
    assert a["enc_area"] == pytest.approx(20.0)
    assert a["enc_ratio"] == pytest.approx(0.2)
    assert a["zone_name"] == "滨江路"
    assert "城乡规划法" in a["basis"]
    assert hits[(2, "red", 1)]["enc_area"] == pytest.approx(16.0)  # repaired bow-tie: 2 x 25 m2, 16 in zone
    assert hits[(5, "water_source", 2)]["enc_area"] == pytest.approx(60.0)
    assert "水污染防治法" in hits[(5, "water_source", 2)]["basis"]
    assert res["N_BUILDINGS"] == 5 and res["N_USED"] == 4 and res["N_HIT_BUILDINGS"] == 3 and res["N_HITS"] == 5
    summary = {f["name"]: f for f in res["OUTPUT_BUILDINGS"].getFeatures()}
    assert len(summary) == 5  # every input building, the null one included
    w = summary["green+water"]
    assert w["n_zones"] == 3
    assert w["enc_area_total"] == pytest.approx(60.0)  # overlapping zones counted once
    assert w["enc_water_source"] == pytest.approx(60.0)
    assert w["line_types"] == "green;water_source"
    assert summary["null"]["geom_status"] == "null" and summary["null"]["n_zones"] == 0
    assert summary["bowtie"]["geom_status"] == "repaired"
    assert summary["far"]["n_zones"] == 0 and summary["far"]["enc_area_total"] == 0
    assert res["ENC_AREA"] == pytest.approx(20 + 16 + 60)
    assert "输入 5 个要素，参与计算 4 个（其中修复 1 个无效几何），跳过 1 个" in feedback.text
    english = RecordingFeedback()
    with in_english():
        run({"FOOTPRINTS": buildings, "RED_LINES": red, "GREEN_LINES": green, "WATER_SOURCE": water}, english)
    assert "5 features in, 4 used" in english.text


def test_geographic_footprints_are_projected(liangwei, feedback):
    """The same building in EPSG:4490 gives the same area as in EPSG:4542."""
    to_geo = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4542"), QgsCoordinateReferenceSystem("EPSG:4490"),
                                    QgsProject.instance())
    from qgis.core import QgsGeometry

    g = QgsGeometry.fromWkt(bld(0, 0, 10, 10))
    g.transform(to_geo)
    blds = memory_layer("Polygon", "EPSG:4490", "geo", [(g.asWkt(12), ["A"])])
    red = memory_layer("Polygon", "EPSG:4542", "红线", [(bld(8, -5, 30, 35), ["滨江路"])])
    res = run({"FOOTPRINTS": blds, "RED_LINES": red}, feedback)
    [hit] = list(res["OUTPUT"].getFeatures())
    assert hit["enc_area"] == pytest.approx(20.0, rel=1e-3)
    assert "EPSG:4542" in feedback.text and "CGCS2000" in feedback.text


def test_zone_layer_in_other_crs_is_reprojected(liangwei, buildings, feedback):
    to_geo = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4542"), QgsCoordinateReferenceSystem("EPSG:4326"),
                                    QgsProject.instance())
    from qgis.core import QgsGeometry

    g = QgsGeometry.fromWkt(bld(8, -5, 30, 35))
    g.transform(to_geo)
    red = memory_layer("Polygon", "EPSG:4326", "红线WGS84", [(g.asWkt(12), ["滨江路"])])
    res = run({"FOOTPRINTS": buildings, "RED_LINES": red}, feedback)
    areas = sorted(round(f["enc_area"], 1) for f in res["OUTPUT"].getFeatures())
    assert areas == [16.0, 20.0]
    assert "坐标系 EPSG:4326 实时转换到 EPSG:4542" in feedback.text
    english = RecordingFeedback()
    with in_english():
        run({"FOOTPRINTS": buildings, "RED_LINES": red}, english)
    assert "EPSG:4326" in english.text and "reprojected" in english.text


def test_layer_without_crs_is_refused(liangwei, feedback):
    blds = memory_layer("Polygon", None, "无坐标系", [(bld(0, 0, 10, 10), ["A"])])
    red = memory_layer("Polygon", "EPSG:4542", "红线", [(bld(8, -5, 30, 35), ["滨江路"])])
    with pytest.raises(QgsProcessingException) as err:
        run({"FOOTPRINTS": blds, "RED_LINES": red}, feedback)
    assert "没有坐标参考系" in str(err.value)
    with in_english(), pytest.raises(QgsProcessingException) as err:
        run({"FOOTPRINTS": blds, "RED_LINES": red}, feedback)
    assert "no coordinate reference system" in str(err.value)


def test_no_zone_layer_gives_clear_message(liangwei, buildings, feedback):
    with pytest.raises(QgsProcessingException) as err:
        run({"FOOTPRINTS": buildings}, feedback)
    assert "至少选择一个控制线图层" in str(err.value)


def test_line_layer_with_setback_from_rules_file(liangwei, buildings, feedback, tmp_path):
    # a CAD red line 2 m south of building A; rules file sets a 3 m red-line setback
    line = memory_layer("LineString", "EPSG:4542", "红线CAD",
                        [(f"LINESTRING({X0 - 5} {Y0 - 2},{X0 + 15} {Y0 - 2})", ["道路红线"])], fields=("layer:string",))
    rules = tmp_path / "local.toml"
    rules.write_text('[line.red]\nvalue = 3.0\n', encoding="utf-8")
    res = run({"FOOTPRINTS": buildings, "RED_LINES": line, "RULES": str(rules)}, feedback)
    [hit] = list(res["OUTPUT"].getFeatures())
    assert hit["bld_fid"] == 1
    assert hit["enc_area"] == pytest.approx(10.0, rel=1e-4)
    assert hit["setback_m"] == 3.0
    # default rules: 0 m setback, the line does not cross any building
    res = run({"FOOTPRINTS": buildings, "RED_LINES": line}, feedback)
    assert res["N_HITS"] == 0


def test_bad_rules_file_names_row_and_field(liangwei, buildings, feedback, tmp_path):
    red = memory_layer("Polygon", "EPSG:4542", "红线", [(bld(8, -5, 30, 35), ["滨江路"])])
    rules = tmp_path / "bad.toml"
    rules.write_text('[line.red]\nvalue = "three"\n', encoding="utf-8")
    with pytest.raises(QgsProcessingException) as err:
        run({"FOOTPRINTS": buildings, "RED_LINES": red, "RULES": str(rules)}, feedback)
    assert "[line.red]" in str(err.value) and "value" in str(err.value)


@pytest.mark.parametrize("alg", ["liangwei:controllines", "liangwei:pipeclearance", "liangwei:compareepochs"])
def test_canceled_run_says_so_and_writes_nothing(liangwei, buildings, feedback, tmp_path, alg):
    from qgis import processing

    red = memory_layer("Polygon", "EPSG:4542", "红线", [(bld(8, -5, 30, 35), ["滨江路"])])
    pipes = memory_layer("LineString", "EPSG:4542", "p", [(f"LINESTRING({X0} {Y0 - 1},{X0 + 9} {Y0 - 1})", ["污水"])],
                         fields=("kind:string",))
    params = {"controllines": {"FOOTPRINTS": buildings, "RED_LINES": red},
              "pipeclearance": {"FOOTPRINTS": buildings, "PIPELINES": pipes},
              "compareepochs": {"EARLIER": buildings, "LATER": buildings}}[alg.split(":")[1]]
    out = tmp_path / "out.gpkg"
    feedback.cancel()
    with pytest.raises(QgsProcessingException) as err:
        processing.run(alg, {**params, "OUTPUT": str(out)}, feedback=feedback)
    assert "已取消" in str(err.value)
    assert not out.exists()


@pytest.mark.parametrize("crs, wkt", [
    ("EPSG:4326", bld(0, 0, 10, 10)),                                         # metres labelled as degrees
    ("EPSG:4542", "POLYGON((100.08 23.88,100.09 23.88,100.09 23.89,100.08 23.88))"),  # degrees labelled GK 99E
    ("EPSG:4545", bld(0, 0, 10, 10)),  # CM 108E instead of 99E: the eastings fit both zones (a known limit)
])
def test_coordinates_that_do_not_fit_the_crs_are_refused(liangwei, feedback, crs, wkt):
    blds = memory_layer("Polygon", crs, "设错坐标系", [(wkt, ["A"])])
    red = memory_layer("Polygon", "EPSG:4542", "红线", [(bld(8, -5, 30, 35), ["滨江路"])])
    if crs == "EPSG:4545":  # a CM-variant easting of 508 km is plausible in every zone: not refused
        run({"FOOTPRINTS": blds, "RED_LINES": red}, feedback)
        return
    with pytest.raises(QgsProcessingException) as err:
        run({"FOOTPRINTS": blds, "RED_LINES": red}, feedback)
    assert "不符" in str(err.value)
    with in_english(), pytest.raises(QgsProcessingException) as err:
        run({"FOOTPRINTS": blds, "RED_LINES": red}, feedback)
    assert "do not fit its CRS" in str(err.value)
