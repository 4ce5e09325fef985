"""Issue 7, core side: text floors, duplicate footprints, overlapping multipart repair."""
from __future__ import annotations

import numpy as np
import pytest
import shapely

from lincang_liangwei.core.controllines import ZoneSet, encroachments
from lincang_liangwei.core.epochs import compare_epochs
from lincang_liangwei.core.floors import chinese_number, parse_floors
from lincang_liangwei.core.geometry import DUPLICATE, OK, REPAIRED, STATUS_NAMES, clean, find_duplicates


def arr(*geoms):
    out = np.empty(len(geoms), dtype=object)
    out[:] = list(geoms)
    return out


# --------------------------------------------------------------------------- floors as text
@pytest.mark.parametrize("value, floors", [
    ("3层", 3), ("二层", 2), ("十二层", 12), ("3F", 3), ("3f", 3), ("3楼", 3), (" 4 ", 4), ("两层", 2),
    ("二十三层", 23), ("十层", 10), ("３Ｆ", 3), ("5", 5), ("2.5", 2.5), ("F3", 3), ("地上3层地下1层", 3),
    ("一百零五层", 105), ("叁层", 3), (7, 7), (7.0, 7), (b"6", 6),
])
def test_floor_text_forms(value, floors):
    out, rep = parse_floors([value])
    assert out[0] == floors
    assert rep.n_unparsed == 0 and rep.n_missing == 0


def test_floors_missing_and_unparsed_are_counted_with_examples():
    values = ["3层", "", "  ", None, float("nan"), "地下1层", "3-5层", "abc", "abc", "二层"]
    out, rep = parse_floors(values)
    assert out[0] == 3 and out[-1] == 2
    assert np.isnan(out[1:9]).all()
    assert (rep.n, rep.n_text, rep.n_missing, rep.n_unparsed) == (10, 2, 4, 4)
    assert rep.balanced
    assert set(rep.examples) == {"地下1层", "3-5层", "abc"}


def test_floors_numeric_column_and_none():
    out, rep = parse_floors(np.array([1, 2, 3]))
    assert out.tolist() == [1.0, 2.0, 3.0] and rep.n_numeric == 3
    out, rep = parse_floors(None, 4)
    assert np.isnan(out).all() and len(out) == 4 and rep.n_missing == 4


def test_chinese_numerals():
    assert [chinese_number(t) for t in ("一", "十", "十一", "二十", "九十九", "两", "一二")] == [1, 10, 11, 20, 99, 2, 12]
    assert chinese_number("层") is None and chinese_number("十百") is None


def test_compare_epochs_text_floors_give_floors_added():
    g = [shapely.box(0, 0, 12, 10), shapely.box(50, 0, 62, 10), shapely.box(100, 0, 112, 10)]
    r = compare_epochs(arr(*g), [1, 2, 3], arr(*g), [1, 2, 3], ["2层", "三层", "地下1层"], ["3层", "3F", "五层"])
    assert r.later.change.tolist() == ["floors_added", "unchanged", "unchanged"]
    assert r.later.floors_now.tolist() == [3.0, 3.0, 5.0]
    assert np.isnan(r.later.floors_prev.iloc[2])


# --------------------------------------------------------------------------- overlapping multipart repair
def test_overlapping_multipart_is_the_union_of_its_parts():
    # 30 x 50 + 30 x 50 overlapping by 20 x 40: make_valid keeps 1,400 m2, the union is 2,200 m2
    mp = shapely.MultiPolygon([shapely.box(0, 0, 30, 50), shapely.box(10, 10, 40, 60)])
    assert shapely.make_valid(mp).area == pytest.approx(1400)
    # a part inside another: make_valid makes a hole (1,200 m2), the footprint is the outer part (1,600 m2)
    inner = shapely.MultiPolygon([shapely.box(100, 0, 140, 40), shapely.box(110, 10, 130, 30)])
    # a part that is itself a bow-tie, overlapping the other part
    bow = shapely.MultiPolygon([shapely.Polygon([(200, 0), (210, 10), (210, 0), (200, 10)]),
                                shapely.box(205, 0, 220, 10)])
    ok = shapely.box(300, 0, 310, 10)
    r = clean(arr(mp, inner, bow, ok))
    assert shapely.area(r.geoms).tolist() == pytest.approx([2200, 1600, 25 + 150, 100])
    assert r.status.tolist() == [REPAIRED, REPAIRED, REPAIRED, OK]
    assert r.report.n_merged_parts == 3 and r.report.n_repaired == 3
    assert shapely.is_valid(r.geoms).all()
    # the log sentence made from this count: tests/qgis/test_i18n.py::test_core_reports_become_sentences
    assert r.report.as_dict()["n_merged_parts"] == 3


def test_valid_collection_with_overlapping_polygons_is_unioned():
    gc = shapely.GeometryCollection([shapely.box(0, 0, 30, 50), shapely.box(10, 10, 40, 60), shapely.Point(1, 1)])
    r = clean(arr(gc))
    assert r.geoms[0].area == pytest.approx(2200) and r.geoms[0].is_valid
    assert r.status.tolist() == [REPAIRED]


def test_single_invalid_polygon_still_uses_make_valid():
    bow = shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    r = clean(arr(bow))
    assert r.geoms[0].area == pytest.approx(50) and r.report.n_merged_parts == 0


# --------------------------------------------------------------------------- duplicates
def test_exact_and_near_duplicates_are_skipped_once_and_counted():
    a = shapely.box(0, 0, 10, 12)
    a_rotated_start = shapely.Polygon([(10, 12), (0, 12), (0, 0), (10, 0)])
    a_near = shapely.Polygon([(0.02, 0), (10, 0.03), (10, 12), (0, 12.01)])
    l_shape = shapely.Polygon([(0, 0), (10, 0), (10, 6), (5, 6), (5, 12), (0, 12)])  # same box, not a copy
    shifted = shapely.box(0.2, 0, 10.2, 12)  # 20 cm off: a different outline
    other = shapely.box(50, 0, 60, 12)
    r = clean(arr(a, a_rotated_start, a_near, l_shape, shifted, other, a), ids=[5, 3, 9, 1, 2, 7, 4])
    # the copy with the smallest id (3) is kept, the others point at it
    assert r.status.tolist() == [DUPLICATE, OK, DUPLICATE, OK, OK, OK, DUPLICATE]
    assert r.duplicate_of.tolist() == [1, -1, 1, -1, -1, -1, 1]
    assert r.report.n_duplicate == 3 and r.report.n_used == 4 and r.report.n_skipped == 3
    assert r.report.balanced
    assert STATUS_NAMES[DUPLICATE] == "duplicate"
    assert r.geoms[0] is None
    # the log sentence made from this count: tests/qgis/test_i18n.py::test_core_reports_become_sentences
    assert r.report.as_dict()["n_duplicate"] == 3


def test_kept_copy_does_not_depend_on_order():
    g = [shapely.box(0, 0, 10, 12), shapely.box(0, 0, 10, 12), shapely.box(30, 0, 40, 12)]
    ids = np.array([20, 10, 30])
    for perm in ([0, 1, 2], [1, 0, 2], [2, 1, 0]):
        r = clean(arr(*[g[i] for i in perm]), ids=ids[perm])
        kept = set(ids[perm][r.status <= REPAIRED].tolist())
        assert kept == {10, 30}


def test_duplicates_not_looked_for_in_line_layers():
    line = shapely.LineString([(0, 0), (10, 0)])
    r = clean(arr(line, line), kind="line")
    assert r.report.n_duplicate == 0 and r.duplicate_of is None


def test_find_duplicates_on_a_regular_grid_finds_only_copies():
    x, y = np.meshgrid(np.arange(200) * 15.0, np.arange(200) * 15.0)
    g = shapely.box(x.ravel(), y.ravel(), x.ravel() + 10, y.ravel() + 12)
    copies = shapely.transform(g[::97], lambda xy: xy + 0.01)
    d = find_duplicates(np.concatenate([g, copies]))
    assert (d >= 0).sum() == len(copies)
    assert (d[len(g):] == np.arange(len(g))[::97]).all()


def test_duplicate_footprint_counted_once_in_controllines():
    b = shapely.box(0, 0, 10, 10)
    c = clean(arr(b, b, shapely.box(30, 0, 40, 10)), ids=[1, 2, 3])
    res = encroachments(c.geoms, np.array([1, 2, 3]), [ZoneSet("red", arr(shapely.box(5, -5, 35, 20)), np.array([1]))])
    assert res.hits.bld_fid.tolist() == [1, 3]
    assert res.buildings.enc_area_total.sum() == pytest.approx(50 + 50)


def test_duplicate_later_footprint_is_not_a_split():
    g = [shapely.box(0, 0, 12, 10), shapely.box(50, 0, 62, 10)]
    ce = clean(arr(*g), ids=[1, 2])
    cl = clean(arr(g[0], g[0], g[1]), ids=[1, 2, 3])
    r = compare_epochs(ce.geoms, [1, 2], cl.geoms, [1, 2, 3], later_duplicate_of=cl.duplicate_of)
    assert r.later.change.tolist() == ["unchanged", "duplicate", "unchanged"]
    assert r.later.dup_of.tolist() == ["", "1", ""]
    assert r.earlier.fate.tolist() == ["continued", "continued"]
    assert r.report.changes == {"unchanged": 2, "duplicate": 1} and r.report.n_later_duplicate == 1
    # without the duplicate information the copy makes a "split" (the old behaviour)
    old = compare_epochs(ce.geoms, [1, 2], arr(g[0], g[0], g[1]), [1, 2, 3])
    assert old.later.change.tolist()[:2] == ["split", "split"]


def test_duplicate_earlier_footprint_is_not_a_merge():
    g = shapely.box(0, 0, 12, 10)
    ce = clean(arr(g, g), ids=[7, 4])
    r = compare_epochs(ce.geoms, [7, 4], arr(g), [1], earlier_duplicate_of=ce.duplicate_of)
    assert r.later.change.tolist() == ["unchanged"] and r.later.prev_fids.tolist() == ["4"]
    assert r.earlier.fate.tolist() == ["duplicate", "continued"]
    assert len(r.demolished) == 0
