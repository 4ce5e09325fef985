"""ID_FIELDS: a building's own identifying attributes next to bld_fid in the pieces (controllines) and breaches
(pipeclearance) outputs (issue 9)."""
import pytest
from qgis.core import QgsVectorLayer

from lincang_liangwei.core.outputs import BREACH_FIELDS, HIT_FIELDS

from .layers import box_wkt, memory_layer

X0, Y0 = 508000.0, 2641000.0  # Lincang, EPSG:4542
PIPE_FIELDS = ("kind:string", "pressure:string", "diameter_mm:integer")


def bld(i):
    """Building i: 10 x 10 m, 100 m apart along x."""
    return box_wkt(X0 + 100 * i, Y0, X0 + 100 * i + 10, Y0 + 10)


def buildings(fields, values):
    """One building per row of ``values`` (fids 1, 2, …)."""
    return memory_layer("Polygon", "EPSG:4542", "buildings", [(bld(i), v) for i, v in enumerate(values)], fields=fields)


def red_over(*idx):
    """A red-line zone over the western half of each building in ``idx``."""
    rows = [(box_wkt(X0 + 100 * i - 5, Y0 - 5, X0 + 100 * i + 5, Y0 + 15), [f"路{i}"]) for i in idx]
    return memory_layer("Polygon", "EPSG:4542", "红线", rows)


def gas_under(*idx):
    """A medium-pressure gas pipe across each building in ``idx`` (distance 0: a breach)."""
    rows = [(f"LINESTRING({X0 + 100 * i - 5} {Y0 + 5},{X0 + 100 * i + 15} {Y0 + 5})", ["燃气", "中压B", 160])
            for i in idx]
    return memory_layer("LineString", "EPSG:4542", "pipelines", rows, fields=PIPE_FIELDS)


def run_controllines(footprints, feedback, **params):
    from qgis import processing

    return processing.run("liangwei:controllines", {"FOOTPRINTS": footprints, "RED_LINES": red_over(0, 2),
                                                    "OUTPUT": "memory:", "OUTPUT_BUILDINGS": "memory:", **params},
                          feedback=feedback)


def run_pipeclearance(footprints, feedback, **params):
    from qgis import processing

    return processing.run("liangwei:pipeclearance", {"FOOTPRINTS": footprints, "PIPELINES": gas_under(1, 2),
                                                     "OUTPUT": "memory:", **params}, feedback=feedback)


def layer_of(res):
    out = res["OUTPUT"]
    return out if isinstance(out, QgsVectorLayer) else QgsVectorLayer(out, "out", "ogr")


def rows(res):
    layer = layer_of(res)
    return layer.fields().names(), [f.attributes() for f in layer.getFeatures()]


SURVEY = ("name:string", "survey_id:string", "floors:integer")
SURVEY_ROWS = [["甲", "CH2023-0001", 3], ["乙", "CH2023-0002", 5], ["丙", "CH2023-0003", 2]]


def test_auto_picks_survey_id_controllines(liangwei, english, feedback):
    res = run_controllines(buildings(SURVEY, SURVEY_ROWS), feedback)
    names, got = rows(res)
    assert names == ["bld_fid", "survey_id"] + [n for n, _ in HIT_FIELDS[1:]]
    assert sorted((r[0], r[1]) for r in got) == [(1, "CH2023-0001"), (3, "CH2023-0003")]
    assert "Building id fields copied to the output: survey_id" in feedback.text


def test_auto_picks_survey_id_pipeclearance(liangwei, english, feedback):
    res = run_pipeclearance(buildings(SURVEY, SURVEY_ROWS), feedback)
    names, got = rows(res)
    assert names == ["bld_fid", "survey_id"] + [n for n, _ in BREACH_FIELDS[1:]]
    assert sorted((r[0], r[1]) for r in got) == [(2, "CH2023-0002"), (3, "CH2023-0003")]
    assert "Building id fields copied to the output: survey_id" in feedback.text


def test_auto_is_case_insensitive_and_first_in_layer_order(liangwei, feedback):
    layer = buildings(("name:string", "BSM:string", "id:integer"), [["a", "530902-1", 11], ["b", "530902-2", 12],
                                                                      ["c", "530902-3", 13]])
    names, got = rows(run_controllines(layer, feedback))
    assert names[:3] == ["bld_fid", "BSM", "line_type"]
    assert sorted((r[0], r[1]) for r in got) == [(1, "530902-1"), (3, "530902-3")]


@pytest.mark.parametrize("out", ["memory", "gpkg"])
def test_explicit_two_fields_keep_their_types(liangwei, feedback, tmp_path, out):
    layer = buildings(("bsm:string", "floors:integer", "height:double", "code:string"),
                      [["B-1", 3, 9.5, "x1"], ["B-2", 5, 15.0, "x2"], ["B-3", 2, 6.25, "x3"]])
    dest = {} if out == "memory" else {"OUTPUT": str(tmp_path / "breaches.gpkg")}
    res = run_pipeclearance(layer, feedback, ID_FIELDS=["height", "floors"], **dest)
    out_layer = layer_of(res)
    names = out_layer.fields().names()
    start = 1 if out == "memory" else 2      # a GeoPackage shows its fid column first
    assert names[start - 1:start + 3] == ["bld_fid", "height", "floors", "pipe_fid"]
    assert out_layer.fields().field("floors").isNumeric() and out_layer.fields().field("height").isNumeric()
    got = sorted((f["bld_fid"], f["height"], f["floors"]) for f in out_layer.getFeatures())
    assert got == [(2, 15.0, 5), (3, 6.25, 2)]
    assert "code" not in names and "bsm" not in names      # explicit choice: no automatic pick on top

    res = run_controllines(layer, feedback, ID_FIELDS=["bsm", "floors"])
    names, got = rows(res)
    assert names[:3] == ["bld_fid", "bsm", "floors"]
    assert sorted((r[0], r[1], r[2]) for r in got) == [(1, "B-1", 3), (3, "B-3", 2)]


def test_clashing_names_are_prefixed(liangwei, english, feedback):
    layer = buildings(("kind:string", "zone_name:string", "fid:integer"),
                      [["住宅", "Z1", 101], ["商业", "Z2", 102], ["厂房", "Z3", 103]])
    res = run_pipeclearance(layer, feedback, ID_FIELDS=["kind", "fid"])
    names, got = rows(res)
    assert names[:4] == ["bld_fid", "bld_kind", "bld_bld_fid", "pipe_fid"]
    assert "kind" in names                      # the breach's own kind is untouched
    by_fid = {r[0]: r for r in got}
    assert by_fid[2][1:3] == ["商业", 102] and by_fid[3][1:3] == ["厂房", 103]
    assert {r[names.index("kind")] for r in got} == {"gas"}
    assert "kind → bld_kind" in feedback.text

    names, got = rows(run_controllines(layer, feedback, ID_FIELDS=["zone_name"]))
    assert names[:3] == ["bld_fid", "bld_zone_name", "line_type"]
    assert sorted((r[0], r[1]) for r in got) == [(1, "Z1"), (3, "Z3")]
    assert {r[names.index("zone_name")] for r in got} == {"路0", "路2"}


def test_no_id_like_field_adds_nothing(liangwei, english, feedback):
    layer = buildings(("name:string", "floors:integer", "identity:string"), [["a", 1, "x"], ["b", 2, "y"],
                                                                           ["c", 3, "z"]])
    names, got = rows(run_controllines(layer, feedback))
    assert names == [n for n, _ in HIT_FIELDS] and len(got) == 2
    names, got = rows(run_pipeclearance(layer, feedback))
    assert names == [n for n, _ in BREACH_FIELDS] and len(got) == 2
    assert "No building id field found" in feedback.text


def test_geopackage_footprints_read_fast(liangwei, feedback, tmp_path):
    """Footprints in a GeoPackage are read through GDAL's Arrow stream: the id values come through it too."""
    from qgis.core import QgsCoordinateTransformContext, QgsVectorFileWriter

    path = str(tmp_path / "buildings.gpkg")
    opts = QgsVectorFileWriter.SaveVectorOptions()
    opts.driverName = "GPKG"
    err = QgsVectorFileWriter.writeAsVectorFormatV3(buildings(SURVEY, SURVEY_ROWS), path,
                                                    QgsCoordinateTransformContext(), opts)
    assert err[0] == QgsVectorFileWriter.NoError
    for res, want in ((run_controllines(path, feedback), [(1, "CH2023-0001"), (3, "CH2023-0003")]),
                      (run_pipeclearance(path, feedback, ID_FIELDS=["survey_id", "floors"]),
                       [(2, "CH2023-0002"), (3, "CH2023-0003")])):
        names, got = rows(res)
        assert names[1] == "survey_id"
        assert sorted((r[0], r[1]) for r in got) == want
    assert sorted(r[2] for r in got) == [2, 5]     # floors, still numbers
