"""liangwei:compareepochs with floors stored as text (3层, 二层, 3F, empty, NULL) - issue 7."""
import pytest

from .conftest import RecordingFeedback, in_english
from .layers import box_wkt, memory_layer

X0, Y0 = 508000.0, 2641000.0


def b(x, w=12.0):
    return box_wkt(X0 + x, Y0, X0 + x + w, Y0 + 10.0)


@pytest.fixture
def text_epochs():
    earlier = memory_layer("Polygon", "EPSG:4542", "2019", [
        (b(0), ["2层", "a"]),        # -> 3F: floors_added
        (b(50), ["二层", "b"]),      # -> 十二层: floors_added
        (b(100), ["3楼", "c"]),      # -> " 3 ": unchanged
        (b(150), [" 4 ", "d"]),      # -> "": no floor information: unchanged
        (b(200), [None, "e"]),       # NULL -> 5层: no floor information: unchanged
        (b(250), ["地下1层", "f"]),   # unreadable -> 两层: unchanged
        (b(300), ["两层", "g"]),      # -> 三层 and 2 x 5 m extension: expanded+floors_added
    ], fields=("floors:string", "name:string"))
    later = memory_layer("Polygon", "EPSG:4542", "2023", [
        (b(0), ["3F", "a"]),
        (b(50), ["十二层", "b"]),
        (b(100), [" 3 ", "c"]),
        (b(150), ["", "d"]),
        (b(200), ["5层", "e"]),
        (b(250), ["两层", "f"]),
        (b(300, w=17.0), ["三层", "g"]),
        (b(400), ["3-5层", "h"]),     # new; unreadable floors
    ], fields=("floors:string", "name:string"))
    return earlier, later


def test_text_floors_are_parsed_and_unreadable_ones_counted(liangwei, text_epochs, feedback):
    from qgis import processing

    earlier, later = text_epochs
    res = processing.run("liangwei:compareepochs", {
        "EARLIER": earlier, "LATER": later, "EARLIER_FLOORS_FIELD": "floors", "LATER_FLOORS_FIELD": "floors",
        "OUTPUT": "memory:", "OUTPUT_DEMOLISHED": "memory:", "OUTPUT_GROWTH": "memory:"}, feedback=feedback)
    got = {f["name"]: f for f in res["OUTPUT"].getFeatures()}
    assert {k: v["change"] for k, v in got.items()} == {
        "a": "floors_added", "b": "floors_added", "c": "unchanged", "d": "unchanged", "e": "unchanged",
        "f": "unchanged", "g": "expanded+floors_added", "h": "new"}
    assert (got["a"]["floors_prev"], got["a"]["floors_now"]) == (2, 3)
    assert (got["b"]["floors_prev"], got["b"]["floors_now"]) == (2, 12)
    assert got["g"]["floors_now"] == 3 and got["g"]["floors"] == "三层"  # input text kept as it was
    assert res["N_FLOORS_ADDED"] == 3 and res["N_EXPANDED"] == 1 and res["N_NEW"] == 1 and res["N_UNCHANGED"] == 4
    text = feedback.text
    # earlier: 地下1层 unreadable (1), NULL missing; later: 3-5层 unreadable (1), "" missing
    assert "1 个值无法识别为层数" in text
    english = RecordingFeedback()
    with in_english():
        processing.run("liangwei:compareepochs", {
            "EARLIER": earlier, "LATER": later, "EARLIER_FLOORS_FIELD": "floors", "LATER_FLOORS_FIELD": "floors",
            "OUTPUT": "memory:", "OUTPUT_DEMOLISHED": "memory:", "OUTPUT_GROWTH": "memory:"}, feedback=english)
    assert "1 values are not a floor count" in english.text
    assert "地下1层" in text and "3-5层" in text
    assert "5 个文字值已识别为层数" in text  # earlier: 2层 二层 3楼 " 4 " 两层
    assert not feedback.errors


def test_text_field_can_be_chosen_as_floors(liangwei):
    from qgis.core import QgsApplication

    alg = QgsApplication.processingRegistry().algorithmById("liangwei:compareepochs")
    for name in ("EARLIER_FLOORS_FIELD", "LATER_FLOORS_FIELD"):
        p = alg.parameterDefinition(name)
        assert int(p.dataType()) == -1  # Any: a text field is offered in the dialog
