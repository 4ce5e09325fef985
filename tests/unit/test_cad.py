"""CAD control lines core: layer-name mapping, closing polylines, polygons and reports."""
import numpy as np
import pytest
import shapely
from shapely.geometry import GeometryCollection, LineString, MultiLineString, Point, Polygon, box

from lincang_liangwei.core.cad import (
    CLOSED,
    CLOSED_GAP,
    DEGENERATE,
    GAP_TOO_LARGE,
    HATCH,
    OPEN,
    CadMappingError,
    close_lines,
    import_cad,
    map_layer_names,
    match_layer,
    normalise_name,
    parse_layer_map,
    split_closed,
)
from lincang_liangwei.core.controllines import ZoneSet, encroachments
from lincang_liangwei.core.rules import RulesError


def arr(*geoms):
    out = np.empty(len(geoms), dtype=object)
    out[:] = list(geoms)
    return out


def ring_line(x0, y0, x1, y1, gap=0.0):
    """Rectangle outline as a line; ``gap`` > 0 leaves its end short of its start."""
    pts = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0 + gap)]
    return LineString(pts)


# ---------------------------------------------------------------- names

def test_normalise_name_case_width_spaces_separators():
    assert normalise_name(" Road_Red ") == "roadred"
    assert normalise_name("ＲＯＡＤ－ＲＥＤ") == "roadred"  # full-width
    assert normalise_name("道路 红线") == "道路红线"
    assert normalise_name(None) == ""


def test_default_mapping_matches_usual_cad_layer_names():
    m = parse_layer_map("")
    cases = {"道路红线": "red", "A-道路红线-2020": "red", "规划红线": "red", "road_red": "red", "ROAD RED": "red",
             "河道蓝线": "blue", "蓝线": "blue", "G-绿线": "green", "黄线_规划": "yellow", "紫线": "purple",
             "水源保护区一级": "water_source"}
    for name, expected in cases.items():
        assert match_layer(name, m)[0] == expected, name
    assert match_layer("建筑", m) == ("", "")
    assert match_layer("0", m) == ("", "")
    # the longest key wins: 道路红线 before 红线
    assert match_layer("X道路红线", m)[1] == "道路红线"


def test_user_mapping_replaces_defaults_and_can_ignore_layers():
    m = parse_layer_map("DL-HX=red；HD=blue;道路中线=忽略")
    assert match_layer("dl_hx", m) == ("red", "dlhx")
    assert match_layer("HD", m)[0] == "blue"
    assert match_layer("道路红线", m) == ("", "")  # defaults not included once the user gives a mapping
    match = map_layer_names(np.array(["DL-HX", "HD", "道路中线", "道路中线", "建筑", None], dtype=object), m)
    assert match.line_type.tolist() == ["red", "blue", "", "", "", ""]
    assert match.unmatched == {"建筑": 1, "": 1}
    assert match.ignored == {"道路中线": 2}


def test_mapping_errors():
    with pytest.raises(CadMappingError) as exc:
        parse_layer_map("道路红线=redd")
    assert exc.value.key == "道路红线" and exc.value.value == "redd"
    with pytest.raises(RulesError):
        parse_layer_map("道路红线")


# ---------------------------------------------------------------- closing

def test_close_lines_statuses_and_gaps():
    lines = arr(ring_line(0, 0, 10, 10),  # closed
                ring_line(20, 0, 30, 10, gap=0.3),  # near-closed, within 0.5
                ring_line(40, 0, 50, 10, gap=2.0),  # ring-like, gap beyond tolerance
                LineString([(0, 50), (100, 50)]),  # plain open line
                LineString([(0, 60), (5, 60), (0, 60)]),  # closed but no area
                )
    c = close_lines(lines, 0.5)
    assert c.status.tolist() == [CLOSED, CLOSED_GAP, GAP_TOO_LARGE, OPEN, DEGENERATE]
    np.testing.assert_allclose(c.gap, [0, 0.3, 2.0, 100, 0])
    assert shapely.area(c.polygons[0]) == pytest.approx(100)
    # the closing segment goes straight back to the start along the left side
    assert shapely.area(c.polygons[1]) == pytest.approx(100)
    assert shapely.is_missing(c.polygons[2:]).all()
    assert not c.repaired.any()


def test_close_lines_tolerance_zero_and_self_crossing_ring_is_repaired():
    bowtie = LineString([(0, 0), (10, 10), (10, 0), (0, 10), (0, 0)])
    c = close_lines(arr(ring_line(20, 0, 30, 10, gap=0.3), bowtie), 0.0)
    assert c.status.tolist() == [GAP_TOO_LARGE, CLOSED]
    assert c.repaired.tolist() == [False, True]
    assert shapely.is_valid(c.polygons[1]) and shapely.area(c.polygons[1]) == pytest.approx(50)


# ---------------------------------------------------------------- import

def test_import_cad_counts_types_and_reports():
    geoms = arr(ring_line(0, 0, 10, 10),  # 0 red closed
                ring_line(20, 0, 30, 10, gap=0.4),  # 1 red near-closed
                ring_line(40, 0, 50, 10, gap=1.5),  # 2 red gap too large
                LineString([(0, 50), (100, 50)]),  # 3 blue open
                box(0, 100, 20, 120),  # 4 green hatch
                ring_line(0, 200, 5, 205),  # 5 unmapped layer
                Point(1, 1),  # 6 text on a red layer: not a line
                None,  # 7 null
                MultiLineString([ring_line(60, 0, 70, 10).coords, [(60, 20), (70, 20)]]),  # 8 block: 1 ring + 1 line
                )
    names = np.array(["道路红线", "A-道路红线", "道路红线", "河道蓝线", "G-绿线", "建筑轮廓", "道路红线", "紫线",
                      "ROAD_RED"], dtype=object)
    res = import_cad(geoms, names, parse_layer_map(""), tolerance=0.5)
    rep = res.report
    assert rep.n_features == 9 and rep.n_null == 1 and rep.n_unmapped == 1 and rep.n_other == 1
    assert rep.unmatched_layers == {"建筑轮廓": 1}
    assert res.poly_src.tolist() == [0, 1, 4, 8]
    assert res.poly_status.tolist() == [CLOSED, CLOSED_GAP, HATCH, CLOSED]
    assert res.poly_type.tolist() == ["red", "red", "green", "red"]
    assert res.poly_layer.tolist() == ["道路红线", "A-道路红线", "G-绿线", "ROAD_RED"]
    assert res.line_src.tolist() == [2, 3, 8]
    assert res.line_status.tolist() == [GAP_TOO_LARGE, OPEN, OPEN]
    assert rep.by_status == {CLOSED: 2, CLOSED_GAP: 1, HATCH: 1, OPEN: 2, GAP_TOO_LARGE: 1}
    red_area = 300
    assert rep.by_type["red"] == (3, 2, pytest.approx(red_area))
    assert rep.by_type["green"] == (1, 0, pytest.approx(400))
    assert rep.by_type["blue"] == (0, 1, 0.0)
    assert rep.not_closed == [(2, "道路红线", "red", pytest.approx(1.5))]
    assert rep.n_polygons + rep.n_lines == sum(rep.by_status.values())


def test_import_cad_3d_and_nested_collections():
    z_ring = LineString([(0, 0, 5), (10, 0, 5), (10, 10, 5), (0, 10, 5), (0, 0, 5)])
    nested = GeometryCollection([GeometryCollection([ring_line(20, 0, 30, 10)]), Point(0, 0)])
    res = import_cad(arr(z_ring, nested), np.array(["绿线", "绿线"], dtype=object), None, 0.0)
    assert res.poly_status.tolist() == [CLOSED, CLOSED]
    assert not shapely.has_z(res.polygons).any()
    assert res.report.n_other == 1


def test_import_cad_empty_input():
    res = import_cad(np.empty(0, dtype=object), np.empty(0, dtype=object), None, 1.0)
    assert len(res.polygons) == 0 and len(res.lines) == 0 and res.report.by_type == {}


# ---------------------------------------------------------------- controllines: closed rings as polygons

def test_split_closed_rings_and_open_lines():
    geoms = arr(ring_line(0, 0, 10, 10), LineString([(0, 50), (100, 50)]),
                MultiLineString([ring_line(60, 0, 70, 10).coords, [(60, 20), (70, 20)]]), None)
    s = split_closed(geoms)
    assert s.poly_idx.tolist() == [0, 2] and s.line_idx.tolist() == [1, 2]
    assert s.n_closed_parts == 2 and s.n_open_parts == 2
    assert shapely.area(s.polygons).tolist() == [100, 100]


def test_building_inside_closed_ring_encroaches_once_ring_is_a_polygon():
    ring = ring_line(0, 0, 100, 100)
    bld = arr(box(40, 40, 50, 50), box(95, 40, 105, 50))  # inside; across the line
    fids = np.array([1, 2])
    as_line = encroachments(bld, fids, [ZoneSet("red", arr(ring), np.array([7]), is_line=True)], min_area=0)
    assert as_line.hits.bld_fid.tolist() == [2]  # today's answer: the inside building is missed
    s = split_closed(arr(ring))
    zs = [ZoneSet("red", s.polygons, np.array([7])[s.poly_idx], is_line=False)]
    res = encroachments(bld, fids, zs, min_area=0)
    assert res.hits.bld_fid.tolist() == [1, 2]
    assert res.hits.enc_area.tolist() == pytest.approx([100, 50])
    # the same as the equivalent polygon layer
    ref = encroachments(bld, fids, [ZoneSet("red", arr(Polygon(ring.coords)), np.array([7]))], min_area=0)
    assert ref.hits.enc_area.tolist() == res.hits.enc_area.tolist()
