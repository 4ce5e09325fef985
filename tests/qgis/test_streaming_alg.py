"""Big GeoPackage footprint layers are read tile by tile inside the algorithms (lincang_liangwei.streaming):
the outputs are the whole-layer run's, feature by feature, through processing.run."""
import numpy as np
import pytest
import shapely
from qgis.core import QgsVectorLayer


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    from devtools.fileio import write_city
    from devtools.samplecity import generate_city

    path = tmp_path_factory.mktemp("streamalg") / "city.gpkg"
    write_city(generate_city(2500, seed=3), path)
    return str(path)


def lyr(path, name):
    return f"{path}|layername={name}"


def table(path):
    """(fields, rows sorted, geometries as WKB) of an output GeoPackage."""
    layer = QgsVectorLayer(path, "out", "ogr")
    assert layer.isValid(), path
    rows = []
    for f in layer.getFeatures():
        g = f.geometry()
        wkb = None if g.isNull() else shapely.normalize(shapely.from_wkb(bytes(g.asWkb()))).wkb
        rows.append((f.id(), [None if v is None or v == "NULL" or (hasattr(v, "isNull") and v.isNull()) else v
                              for v in f.attributes()], wkb))
    rows.sort(key=lambda r: (r[1][0] if r[1] else 0, str(r[1]), r[2] or b""))
    return layer.fields().names(), rows


def run_both(monkeypatch, tmp_path, feedback, alg, params, outputs):
    from qgis import processing

    res = {}
    for mode, threshold in (("whole", "100000000"), ("streamed", "1")):
        monkeypatch.setenv("LIANGWEI_STREAM_MIN", threshold)
        monkeypatch.setenv("LIANGWEI_STREAM_TILE_M", "300")   # many chunks: borders, deferred match groups
        monkeypatch.setenv("LIANGWEI_STREAM_CHUNK", "400")
        before = len(feedback.text)
        p = dict(params, **{o: str(tmp_path / f"{mode}_{o}.gpkg") for o in outputs})
        res[mode] = processing.run(alg, p, feedback=feedback)
        res[mode + "_log"] = feedback.text[before:]
    return res


def test_controllines_streamed_equals_whole(liangwei, english, city, monkeypatch, tmp_path, feedback):
    params = {"FOOTPRINTS": lyr(city, "buildings_2023"), "RED_LINES": lyr(city, "red_lines"),
              "BLUE_LINES": lyr(city, "blue_lines"), "GREEN_LINES": lyr(city, "green_lines"),
              "WATER_SOURCE": lyr(city, "water_source")}
    res = run_both(monkeypatch, tmp_path, feedback, "liangwei:controllines", params, ["OUTPUT", "OUTPUT_BUILDINGS"])
    assert "read tile by tile" in res["streamed_log"] and "read tile by tile" not in res["whole_log"]
    for k in ("N_BUILDINGS", "N_USED", "N_HIT_BUILDINGS", "N_HITS"):
        assert res["whole"][k] == res["streamed"][k], k
    assert res["whole"]["N_HITS"] > 20
    assert res["whole"]["ENC_AREA"] == res["streamed"]["ENC_AREA"]
    for o in ("OUTPUT", "OUTPUT_BUILDINGS"):
        fw, rw = table(res["whole"][o])
        fs, rs = table(res["streamed"][o])
        assert fw == fs
        assert len(rw) == len(rs) > 0
        assert [r[1:] for r in rw] == [r[1:] for r in rs]
        if o == "OUTPUT_BUILDINGS":   # the source rows keep their fids
            assert sorted(r[0] for r in rw) == sorted(r[0] for r in rs)


def test_pipeclearance_streamed_equals_whole(liangwei, english, city, monkeypatch, tmp_path, feedback):
    params = {"FOOTPRINTS": lyr(city, "buildings_2023"), "PIPELINES": lyr(city, "pipelines")}
    res = run_both(monkeypatch, tmp_path, feedback, "liangwei:pipeclearance", params, ["OUTPUT"])
    for k in ("N_BUILDINGS", "N_BREACHES", "N_BREACH_BUILDINGS"):
        assert res["whole"][k] == res["streamed"][k], k
    assert res["whole"]["N_BREACHES"] > 20
    fw, rw = table(res["whole"]["OUTPUT"])
    fs, rs = table(res["streamed"]["OUTPUT"])
    assert fw == fs
    assert [r[1:] for r in rw] == [r[1:] for r in rs]
    ids = [r[1][fw.index("survey_id")] for r in rs]
    assert all(isinstance(v, str) and v for v in ids)   # the building id travelled with each breach
    assert np.isfinite([r[1][fw.index("deficit_m")] for r in rs]).all()


def test_compareepochs_streamed_equals_whole(liangwei, english, city, monkeypatch, tmp_path, feedback):
    params = {"EARLIER": lyr(city, "buildings_2019"), "LATER": lyr(city, "buildings_2023"),
              "EARLIER_FLOORS_FIELD": "floors", "LATER_FLOORS_FIELD": "floors"}
    res = run_both(monkeypatch, tmp_path, feedback, "liangwei:compareepochs", params,
                   ["OUTPUT", "OUTPUT_DEMOLISHED", "OUTPUT_GROWTH"])
    assert "read tile by tile" in res["streamed_log"] and "read tile by tile" not in res["whole_log"]
    for k in ("N_EARLIER", "N_LATER", "N_NEW", "N_EXPANDED", "N_FLOORS_ADDED", "N_REBUILT", "N_SPLIT", "N_MERGED",
              "N_UNCHANGED", "N_DEMOLISHED", "GROWTH_M2"):
        assert res["whole"][k] == res["streamed"][k], k
    assert res["whole"]["N_NEW"] > 10 and res["whole"]["N_SPLIT"] > 5
    for o in ("OUTPUT", "OUTPUT_DEMOLISHED", "OUTPUT_GROWTH"):
        fw, rw = table(res["whole"][o])
        fs, rs = table(res["streamed"][o])
        assert fw == fs
        assert len(rw) == len(rs) > 0
        assert [r[1:] for r in rw] == [r[1:] for r in rs], o
