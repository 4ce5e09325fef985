"""liangwei:cadimport through processing.run, on DXF files written by GDAL; then controllines on its output."""
import pytest
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsProcessingException,
    QgsProcessingOutputLayerDefinition,
    QgsProject,
    QgsVectorLayer,
)
from shapely.geometry import LineString, Polygon

from devtools.dxf import write_dxf

from .conftest import in_english
from .layers import box_wkt, memory_layer

X0, Y0 = 508000.0, 2641000.0  # Lincang, EPSG:4542


def rect(x0, y0, x1, y1, gap=0.0):
    """Rectangle outline (absolute offsets from X0, Y0) as an LWPOLYLINE; gap > 0 leaves it open."""
    return LineString([(X0 + x0, Y0 + y0), (X0 + x1, Y0 + y0), (X0 + x1, Y0 + y1), (X0 + x0, Y0 + y1),
                       (X0 + x0, Y0 + y0 + gap)])


def bld(dx0, dy0, dx1, dy1):
    return box_wkt(X0 + dx0, Y0 + dy0, X0 + dx1, Y0 + dy1)


@pytest.fixture
def drawing(tmp_path):
    geoms = [rect(0, 0, 100, 100),  # 1 red, closed, contains building A
             rect(200, 0, 300, 100, gap=0.3),  # 2 red, near-closed (0.3 m <= 0.5 m): contains building B
             rect(400, 0, 500, 100, gap=4.0),  # 3 red, gap 4 m: stays a line, reported
             LineString([(X0 - 50, Y0 + 150), (X0 + 600, Y0 + 150)]),  # 4 blue, open
             rect(0, 200, 100, 300),  # 5 green, closed
             rect(40, 40, 50, 50),  # 6 a building outline on an unmapped layer
             ]
    layers = ["道路红线", "A-道路红线-2020", "ROAD_RED", "河道蓝线", "G-绿线", "建筑"]
    return write_dxf(tmp_path / "控制线.dxf", geoms, layers, codepage="ANSI_936")


def run_import(params, feedback):
    from qgis import processing

    params = {"CRS": "EPSG:4542", "TOLERANCE": 0.5, "OUTPUT": "memory:", "OUTPUT_LINES": "memory:", **params}
    return processing.run("liangwei:cadimport", params, feedback=feedback)


def test_registered_with_help(liangwei):
    from qgis.core import QgsApplication

    alg = QgsApplication.processingRegistry().algorithmById("liangwei:cadimport")
    assert alg is not None
    names = [p.name() for p in alg.parameterDefinitions()]
    for p in ("INPUT", "CRS", "LAYER_MAP", "LAYER_FIELD", "TOLERANCE", "OUTPUT", "OUTPUT_LINES"):
        assert p in names
    assert "道路红线=red" in alg.parameterDefinition("LAYER_MAP").defaultValue()
    assert "闭合容差" in alg.shortHelpString()   # the ring runs in zh-Hans
    with in_english():
        assert "Closing tolerance" in alg.shortHelpString()


def test_counts_statuses_and_report(liangwei, drawing, feedback):
    res = run_import({"INPUT": str(drawing)}, feedback)
    assert res["N_FEATURES"] == 6
    assert res["N_POLYGONS"] == 3 and res["N_LINES"] == 2
    assert res["N_CLOSED_GAP"] == 1 and res["N_NOT_CLOSED"] == 1
    assert res["N_UNMAPPED"] == 1 and res["N_UNMAPPED_LAYERS"] == 1
    assert (res["N_RED"], res["N_BLUE"], res["N_GREEN"], res["N_YELLOW"]) == (3, 1, 1, 0)
    polys = {f["cad_layer"]: f for f in res["OUTPUT"].getFeatures()}
    assert set(polys) == {"道路红线", "A-道路红线-2020", "G-绿线"}  # GBK layer names decoded
    assert polys["道路红线"]["status"] == "closed" and polys["道路红线"]["line_type"] == "red"
    assert polys["A-道路红线-2020"]["status"] == "closed_gap"
    assert polys["A-道路红线-2020"]["gap_m"] == pytest.approx(0.3)
    assert polys["道路红线"]["area_m2"] == pytest.approx(10000)
    assert polys["道路红线"].geometry().area() == pytest.approx(10000)
    assert polys["G-绿线"]["line_type"] == "green"
    assert res["OUTPUT"].crs().authid() == "EPSG:4542"
    lines = {f["cad_layer"]: f for f in res["OUTPUT_LINES"].getFeatures()}
    assert lines["ROAD_RED"]["status"] == "gap_too_large" and lines["ROAD_RED"]["gap_m"] == pytest.approx(4.0)
    assert lines["河道蓝线"]["status"] == "open" and lines["河道蓝线"]["line_type"] == "blue"
    text = feedback.text
    assert "缺口大于闭合容差 0.5 m" in text and "缺口 4.000 m" in text
    assert "1 个 CAD 图层未匹配" in text and "建筑 1" in text


def test_tolerance_zero_leaves_the_near_closed_ring_open(liangwei, drawing, feedback):
    res = run_import({"INPUT": str(drawing), "TOLERANCE": 0}, feedback)
    assert res["N_POLYGONS"] == 2 and res["N_CLOSED_GAP"] == 0 and res["N_NOT_CLOSED"] == 2


def test_user_mapping_and_bad_mapping(liangwei, drawing, feedback):
    res = run_import({"INPUT": str(drawing), "LAYER_MAP": "建筑=yellow;道路红线=忽略"}, feedback)
    # 道路红线 also matches A-道路红线-2020 (ignored); ROAD_RED, 河道蓝线, G-绿线 are unmatched now
    assert res["N_YELLOW"] == 1 and res["N_RED"] == 0
    assert res["N_UNMAPPED_LAYERS"] == 3
    with pytest.raises(QgsProcessingException, match="redd"):
        run_import({"INPUT": str(drawing), "LAYER_MAP": "道路红线=redd"}, feedback)


def test_refuses_without_crs_or_with_a_wrong_one(liangwei, drawing, feedback):
    with pytest.raises(QgsProcessingException, match="不带坐标系.*图纸坐标系"):
        run_import({"INPUT": str(drawing), "CRS": None}, feedback)
    with in_english(), pytest.raises(QgsProcessingException, match="no coordinate reference system.*Drawing CRS"):
        run_import({"INPUT": str(drawing), "CRS": None}, feedback)
    with pytest.raises(QgsProcessingException, match="地理坐标系"):
        run_import({"INPUT": str(drawing), "CRS": "EPSG:4490"}, feedback)
    with pytest.raises(QgsProcessingException, match="不符"):
        run_import({"INPUT": str(drawing), "CRS": "EPSG:2326"}, feedback)  # Hong Kong grid: does not fit
    with pytest.raises(QgsProcessingException, match="找不到|not found"):
        run_import({"INPUT": str(drawing) + ".missing"}, feedback)


def test_dialog_style_temporary_outputs(liangwei, drawing, feedback):
    from qgis import processing
    from qgis.core import QgsProcessingContext

    project = QgsProject()
    context = QgsProcessingContext()
    context.setProject(project)
    params = {"INPUT": str(drawing), "CRS": "EPSG:4542", "TOLERANCE": 0.5,
              "OUTPUT": QgsProcessingOutputLayerDefinition("TEMPORARY_OUTPUT", project),
              "OUTPUT_LINES": QgsProcessingOutputLayerDefinition("TEMPORARY_OUTPUT", project)}
    res = processing.run("liangwei:cadimport", params, context=context, feedback=feedback)
    assert res["N_POLYGONS"] == 3
    assert not feedback.errors


def _subset(path, layer, line_type):
    lyr = QgsVectorLayer(f"{path}|layername={layer}", line_type, "ogr")
    assert lyr.isValid()
    assert lyr.setSubsetString(f"\"line_type\" = '{line_type}'")
    return lyr


def test_controllines_on_imported_polygons_matches_polygon_layers(liangwei, drawing, tmp_path, feedback):
    from qgis import processing

    out = tmp_path / "cad.gpkg"
    run_import({"INPUT": str(drawing), "OUTPUT": str(out), "OUTPUT_LINES": None}, feedback)
    footprints = memory_layer("Polygon", "EPSG:4542", "buildings", [
        (bld(40, 40, 50, 50), ["A inside red ring"]), (bld(240, 40, 250, 50), ["B inside near-closed red"]),
        (bld(95, 40, 105, 50), ["C across red"]), (bld(440, 40, 450, 50), ["D inside unclosed ring"]),
        (bld(20, 220, 30, 230), ["E inside green"]), (bld(700, 0, 710, 10), ["F far"])])
    common = {"FOOTPRINTS": footprints, "MIN_AREA": 0, "OUTPUT": "memory:", "OUTPUT_BUILDINGS": "memory:"}
    got = processing.run("liangwei:controllines", {**common, "RED_LINES": _subset(out, "cad", "red"),
                                                   "GREEN_LINES": _subset(out, "cad", "green")}, feedback=feedback)
    red = memory_layer("Polygon", "EPSG:4542", "red", [(Polygon(rect(0, 0, 100, 100).coords).wkt, ["1"]),
                                                        (Polygon(rect(200, 0, 300, 100).coords).wkt, ["2"])])
    green = memory_layer("Polygon", "EPSG:4542", "green", [(Polygon(rect(0, 200, 100, 300).coords).wkt, ["5"])])
    ref = processing.run("liangwei:controllines", {**common, "RED_LINES": red, "GREEN_LINES": green},
                         feedback=feedback)
    for key in ("N_HIT_BUILDINGS", "N_HITS", "ENC_AREA"):
        assert got[key] == pytest.approx(ref[key]), key
    assert got["N_HIT_BUILDINGS"] == 4 and got["ENC_AREA"] == pytest.approx(100 + 100 + 50 + 100)

    def by_building(res):
        return {f["bld_fid"]: (f["line_type"], round(f["enc_area"], 6)) for f in res["OUTPUT"].getFeatures()}

    assert by_building(got) == by_building(ref)


def test_controllines_treats_closed_rings_of_a_line_layer_as_polygons(liangwei, feedback):
    from qgis import processing

    red = memory_layer("LineString", "EPSG:4542", "dxf_red", [(rect(0, 0, 100, 100).wkt, ["ring"]),
                                                              (rect(200, 0, 300, 100, gap=3).wkt, ["open"])])
    footprints = memory_layer("Polygon", "EPSG:4542", "buildings", [
        (bld(40, 40, 50, 50), ["inside ring"]), (bld(295, 40, 305, 50), ["across open line"]),
        (bld(240, 40, 250, 50), ["inside open line: not flagged"])])
    res = processing.run("liangwei:controllines", {"FOOTPRINTS": footprints, "RED_LINES": red, "MIN_AREA": 0,
                                                   "OUTPUT": "memory:", "OUTPUT_BUILDINGS": "memory:"},
                         feedback=feedback)
    hits = {f["bld_fid"]: (f["hit_kind"], f["enc_area"]) for f in res["OUTPUT"].getFeatures()}
    assert hits == {1: ("inside_zone", pytest.approx(100)), 2: ("crosses_line", 0)}
    assert "1 条闭合线按面处理" in feedback.text and "1 条开口线按线处理" in feedback.text


def test_crs_of_output_is_the_drawing_crs(liangwei, drawing, feedback):
    res = run_import({"INPUT": str(drawing), "CRS": QgsCoordinateReferenceSystem("EPSG:4542")}, feedback)
    assert res["OUTPUT_LINES"].crs().authid() == "EPSG:4542"
