"""liangwei:pipeclearance through processing.run (pytest-qgis)."""
import pytest
from qgis.core import QgsProcessingException

from .layers import box_wkt, memory_layer

X0, Y0 = 508000.0, 2641000.0
PIPE_FIELDS = ("kind:string", "pressure:string", "diameter_mm:integer", "clear_m:double")


def hline(y, x0=-20, x1=30):
    return f"LINESTRING({X0 + x0} {Y0 + y},{X0 + x1} {Y0 + y})"


@pytest.fixture
def buildings():
    # five 10 x 10 m buildings, 100 m apart along x; each gets its own pipe below it
    rows = [(box_wkt(X0 + 100 * i, Y0, X0 + 100 * i + 10, Y0 + 10), [f"B{i}"]) for i in range(5)]
    return memory_layer("Polygon", "EPSG:4542", "buildings", rows)


def pipes(*rows):
    return memory_layer("LineString", "EPSG:4542", "pipelines", rows, fields=PIPE_FIELDS)


def at(i, y):
    """A pipe under building i, at y (negative = south of the building, -2.4 is 2.4 m away)."""
    return f"LINESTRING({X0 + 100 * i - 5} {Y0 + y},{X0 + 100 * i + 15} {Y0 + y})"


def run(params, feedback):
    from qgis import processing

    return processing.run("liangwei:pipeclearance", {"OUTPUT": "memory:", **params}, feedback=feedback)


def breaches(res):
    return {f["bld_fid"]: f for f in res["OUTPUT"].getFeatures()}


def test_exact_distances_classes_and_unmapped(liangwei, buildings, feedback):
    layer = pipes(
        (at(0, -2.4), ["污水", None, 300, None]),          # sewer 2.5 m: breach by 0.1
        (at(1, -1.5), ["给水", None, 200, None]),          # water d<=200: 1.0 m -> passes
        (at(2, -1.5), ["给水", None, 201, None]),          # water d>200: 3.0 m -> breach
        (at(3, 5.0), ["燃气", "中压B", 160, None]),        # on the building: distance 0
        (at(4, -0.5), ["不明", None, None, None]),         # unknown kind: skipped, reported
    )
    res = run({"FOOTPRINTS": buildings, "PIPELINES": layer}, feedback)
    b = breaches(res)
    assert sorted(b) == [1, 3, 4]
    assert b[1]["kind"] == "sewer" and b[1]["required_m"] == pytest.approx(2.5)
    assert b[1]["distance_m"] == pytest.approx(2.4) and b[1]["deficit_m"] == pytest.approx(0.1)
    assert b[1]["enc_area_m2"] == pytest.approx(1.0, rel=0.02)  # 0.1 m strip x 10 m
    assert "GB 50289" in b[1]["basis"]
    assert b[3]["required_m"] == pytest.approx(3.0) and b[3]["distance_m"] == pytest.approx(1.5)
    assert b[4]["distance_m"] == 0 and b[4]["deficit_m"] == pytest.approx(b[4]["required_m"])
    assert b[4]["kind"] == "gas"
    assert res["N_PIPES"] == 5 and res["N_PIPES_CHECKED"] == 4 and res["N_UNMAPPED_PIPES"] == 1
    assert res["N_BREACHES"] == 3 and res["N_BREACH_BUILDINGS"] == 3
    assert "不明" in feedback.text  # the distinct unmapped value is named


def test_fallback_and_kind_map_and_clearance_field(liangwei, buildings, feedback):
    layer = pipes(
        (at(4, -0.5), ["不明", None, None, None]),
        (at(1, -1.5), ["自来水管", None, 300, None]),
        (at(0, -2.4), ["污水", None, 300, 2.0]),           # field says 2.0 m: passes
    )
    res = run({"FOOTPRINTS": buildings, "PIPELINES": layer, "FALLBACK_M": 1.0, "KIND_MAP": "自来水管=water",
               "CLEARANCE_FIELD": "clear_m"}, feedback)
    b = breaches(res)
    assert sorted(b) == [2, 5]
    assert b[5]["rule_id"] == "fallback" and b[5]["required_m"] == 1.0
    assert b[2]["kind"] == "water" and b[2]["required_m"] == pytest.approx(3.0)


def test_sewer_threshold_follows_rules_file(liangwei, buildings, feedback, tmp_path):
    layer = pipes((at(0, -2.4), ["污水", None, 300, None]))
    rules = tmp_path / "local.toml"
    rules.write_text("[pipe.sewer]\nvalue = 2.3\n", encoding="utf-8")
    assert run({"FOOTPRINTS": buildings, "PIPELINES": layer, "RULES": str(rules)}, feedback)["N_BREACHES"] == 0


def test_missing_kind_field_is_a_clear_error(liangwei, buildings, feedback):
    layer = memory_layer("LineString", "EPSG:4542", "管线", [(hline(-1), ["x"])], fields=("type:string",))
    with pytest.raises(QgsProcessingException) as err:
        run({"FOOTPRINTS": buildings, "PIPELINES": layer}, feedback)
    assert "没有种类字段" in str(err.value) and "kind" in str(err.value)
