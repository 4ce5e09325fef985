"""Duplicate footprints (the same outline entered twice) through the algorithms - issue 7."""
import pytest

from .layers import box_wkt, memory_layer

X0, Y0 = 508000.0, 2641000.0


def b(x, w=12.0, dx=0.0):
    return box_wkt(X0 + x + dx, Y0, X0 + x + w + dx, Y0 + 10.0)


def test_controllines_counts_a_duplicated_building_once(liangwei, feedback):
    from qgis import processing

    blds = memory_layer("Polygon", "EPSG:4542", "buildings", [
        (b(0), ["a"]), (b(0), ["a copy"]), (b(0, dx=0.02), ["a near copy"]), (b(50), ["b"])])
    red = memory_layer("Polygon", "EPSG:4542", "red", [(box_wkt(X0 + 6, Y0 - 5, X0 + 56, Y0 + 20), ["路"])])
    res = processing.run("liangwei:controllines", {
        "FOOTPRINTS": blds, "RED_LINES": red, "OUTPUT": "memory:", "OUTPUT_BUILDINGS": "memory:"}, feedback=feedback)
    assert res["N_BUILDINGS"] == 4 and res["N_USED"] == 2
    assert res["N_HIT_BUILDINGS"] == 2 and res["N_HITS"] == 2
    assert res["ENC_AREA"] == pytest.approx(60.0 + 60.0)
    status = {f["name"]: f["geom_status"] for f in res["OUTPUT_BUILDINGS"].getFeatures()}
    assert status == {"a": "ok", "a copy": "duplicate", "a near copy": "duplicate", "b": "ok"}
    assert "跳过 2 个：与另一要素轮廓重复" in feedback.text


def test_compareepochs_duplicate_is_not_a_split(liangwei, feedback):
    from qgis import processing

    earlier = memory_layer("Polygon", "EPSG:4542", "2019", [(b(0), ["a"]), (b(50), ["b"])])
    later = memory_layer("Polygon", "EPSG:4542", "2023", [(b(0), ["a"]), (b(0), ["a copy"]), (b(50), ["b"])])
    res = processing.run("liangwei:compareepochs", {"EARLIER": earlier, "LATER": later, "OUTPUT": "memory:"},
                         feedback=feedback)
    got = {f["name"]: f for f in res["OUTPUT"].getFeatures()}
    assert {k: v["change"] for k, v in got.items()} == {"a": "unchanged", "a copy": "duplicate", "b": "unchanged"}
    assert got["a copy"]["dup_of"] == str(next(f.id() for f in later.getFeatures() if f["name"] == "a"))
    assert res["N_SPLIT"] == 0 and res["N_UNCHANGED"] == 2
