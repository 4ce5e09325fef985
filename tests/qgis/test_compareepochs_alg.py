"""liangwei:compareepochs through processing.run (pytest-qgis)."""
import pytest

from .layers import box_wkt, memory_layer

X0, Y0 = 508000.0, 2641000.0


def b(x, y, w=12.0, h=10.0, dx=0.0, dy=0.0):
    return box_wkt(X0 + x + dx, Y0 + y + dy, X0 + x + w + dx, Y0 + y + h + dy)


@pytest.fixture
def epochs():
    earlier = memory_layer("Polygon", "EPSG:4542", "2019", [
        (b(0, 0), [3, "老屋"]),            # 1 re-surveyed, shifted 0.8 m: unchanged
        (b(50, 0), [2, "扩建"]),           # 2 gets a 2 x 5 m extension (10 m2)
        (b(100, 0), [3, "加层"]),          # 3 floors 3 -> 5
        (b(150, 0), [2, "拆除"]),          # 4 gone
        (b(200, 0, w=24), [2, "拆分"]),    # 5 split in two
    ], fields=("floors:integer", "name:string"))
    later = memory_layer("Polygon", "EPSG:4542", "2023", [
        (b(0, 0, dx=0.8, dy=-0.5), [3, "a"]),
        (f"POLYGON(({X0 + 50} {Y0},{X0 + 64} {Y0},{X0 + 64} {Y0 + 5},{X0 + 62} {Y0 + 5},{X0 + 62} {Y0 + 10},"
         f"{X0 + 50} {Y0 + 10},{X0 + 50} {Y0}))", [2, "b"]),
        (b(100, 0), [5, "c"]),
        (b(300, 0), [1, "d"]),             # new
        (b(200, 0, w=11.5), [2, "e"]),
        (b(212.5, 0, w=11.5), [2, "f"]),
    ], fields=("floors:integer", "name:string"))
    return earlier, later


def test_change_classes_and_outputs(liangwei, epochs, feedback):
    from qgis import processing

    earlier, later = epochs
    res = processing.run("liangwei:compareepochs", {
        "EARLIER": earlier, "LATER": later, "EARLIER_FLOORS_FIELD": "floors", "LATER_FLOORS_FIELD": "floors",
        "EARLIER_DATE": "2019", "LATER_DATE": "2023", "OUTPUT": "memory:", "OUTPUT_DEMOLISHED": "memory:",
        "OUTPUT_GROWTH": "memory:"}, feedback=feedback)
    got = {f["name"]: f for f in res["OUTPUT"].getFeatures()}
    assert {k: v["change"] for k, v in got.items()} == {
        "a": "unchanged", "b": "expanded", "c": "floors_added", "d": "new", "e": "split", "f": "split"}
    assert got["b"]["growth_m2"] == pytest.approx(10.0, abs=1.0)
    assert got["b"]["prev_fids"] == "2" and got["e"]["prev_fids"] == "5"
    assert got["c"]["floors_prev"] == 3 and got["c"]["floors_now"] == 5
    assert got["a"]["epoch"] == "2023" and got["a"]["prev_epoch"] == "2019"
    assert got["a"]["floors"] == 3  # input attributes are kept
    demolished = list(res["OUTPUT_DEMOLISHED"].getFeatures())
    assert [f["name"] for f in demolished] == ["拆除"]
    assert demolished[0]["fate"] == "demolished" and demolished[0]["gone_by"] == "2023"
    growth = {f["fid_later"]: f for f in res["OUTPUT_GROWTH"].getFeatures()}
    assert growth[4]["change"] == "new" and growth[4]["growth_m2"] == pytest.approx(120.0)
    assert growth[2].geometry().area() == pytest.approx(10.0, abs=1.0)
    assert res["N_NEW"] == 1 and res["N_DEMOLISHED"] == 1 and res["N_SPLIT"] == 2 and res["N_UNCHANGED"] == 1
    assert "新增 (new): 1" in feedback.text


def test_exact_iou_fills_match_iou_for_unchanged(liangwei, epochs, feedback):
    from qgis import processing

    earlier, later = epochs
    params = {"EARLIER": earlier, "LATER": later, "OUTPUT": "memory:"}
    fast = {f["name"]: f["match_iou"] for f in processing.run("liangwei:compareepochs", params)["OUTPUT"].getFeatures()}
    exact = {f["name"]: f["match_iou"] for f in processing.run(
        "liangwei:compareepochs", {**params, "EXACT_IOU": True})["OUTPUT"].getFeatures()}
    from qgis.core import NULL

    assert exact["a"] == pytest.approx(1.0)  # IoU after removing the 0.8 m / 0.5 m shift
    assert fast["a"] == NULL  # settled without an overlay
    assert fast["b"] == pytest.approx(exact["b"]) and 0.8 < exact["b"] < 1.0  # the extended one is measured
