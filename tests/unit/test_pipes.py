"""Pipe clearance engine: exact distances, classes, unmapped pipes, overrides, geometry."""
import pickle

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from lincang_liangwei.core.pipes import (
    BREACH_COLUMNS,
    SUMMARY_COLUMNS,
    PipeReport,
    check_buildings,
    check_pipe_clearance,
    prepare_pipes,
)
from lincang_liangwei.core.rules import load_rules

X0, Y0 = 500000.0, 2640000.0  # CGCS2000-like coordinates, as in real Lincang data


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def pipe_x(y=0.0, x0=-50.0, x1=60.0):
    """Horizontal pipe at height y."""
    return shapely.LineString([(X0 + x0, Y0 + y), (X0 + x1, Y0 + y)])


def box_above(gap, y=0.0, w=10.0, h=10.0, x=0.0):
    """Box whose lower edge is `gap` above y."""
    return shapely.box(X0 + x, Y0 + y + gap, X0 + x + w, Y0 + y + gap + h)


def run(blds, pipes, kinds, rules, **kw):
    return check_pipe_clearance(np.array(blds, dtype=object), np.array(pipes, dtype=object),
                                kinds=kinds, rules=rules, **kw)


# ---------------------------------------------------------------- exact distances

def test_sewer_2_4_fails_2_6_passes_2_5_passes(rules):
    blds = [box_above(2.4), box_above(2.6, x=20), box_above(2.5, x=40)]
    res = run(blds, [pipe_x()], ["污水"], rules)
    b = res.breaches
    assert list(b.columns) == list(BREACH_COLUMNS)
    assert len(b) == 1
    row = b.iloc[0]
    assert row.bld_fid == 0 and row.pipe_fid == 0
    assert row.kind == "sewer" and row.kind_value == "污水" and row.rule_id == "sewer"
    assert row.required_m == 2.5
    assert row.distance_m == pytest.approx(2.4, abs=1e-9)
    assert row.deficit_m == pytest.approx(0.1, abs=1e-9)
    assert "GB 50289-2016" in row.basis and row.verified
    # corridor piece: 10 m wide strip of the building, 0.1 m deep (corridor 0.48 % generous)
    assert row.enc_area_m2 == pytest.approx(10 * 0.1, abs=10 * 2.5 * 0.005)
    assert res.report.n_breaches == 1 and res.report.n_buildings_in_breach == 1


def test_rules_file_override_2_6(tmp_path):
    p = tmp_path / "local.toml"
    p.write_text("[pipe.sewer]\nvalue = 2.6\n", encoding="utf-8")
    r26 = load_rules(p)
    blds = [box_above(2.4), box_above(2.5, x=20), box_above(2.6, x=40), box_above(2.7, x=60)]
    pipe = [pipe_x(x1=80)]
    res = run(blds, pipe, ["污水"], r26)
    assert list(res.breaches.bld_fid) == [0, 1]
    assert res.breaches.required_m.tolist() == [2.6, 2.6]
    assert res.breaches.verified.tolist() == [False, False]
    # same buildings with the shipped 2.5 m
    assert list(run(blds, pipe, ["污水"], load_rules()).breaches.bld_fid) == [0]


def test_per_pipe_clearance_field_override(rules):
    blds = [box_above(2.4), box_above(2.4, y=100)]
    pipes = [pipe_x(), pipe_x(y=100)]
    res = run(blds, pipes, ["污水", "污水"], rules, clearance=[2.3, None])
    b = res.breaches
    assert list(zip(b.bld_fid, b.pipe_fid)) == [(1, 1)]  # pipe 0's field says 2.3 m: 2.4 m passes
    assert res.report.n_override == 1 and res.report.n_override_ignored == 0
    res = run(blds, pipes, ["污水", "污水"], rules, clearance=[3.0, "abc"])
    b = res.breaches
    assert list(b.pipe_fid) == [0, 1]
    assert b.required_m.tolist() == [3.0, 2.5]
    assert b.rule_id.tolist() == ["field", "sewer"]
    assert b.deficit_m.iloc[0] == pytest.approx(0.6)
    assert res.report.n_override == 1 and res.report.n_override_ignored == 1


def test_water_diameter_200_vs_201(rules):
    blds = [box_above(2.0), box_above(2.0, y=100)]
    pipes = [pipe_x(), pipe_x(y=100)]
    res = run(blds, pipes, ["给水", "给水"], rules, diameters=[200, 201])
    b = res.breaches
    assert list(b.pipe_fid) == [1]
    assert b.pipe_class.iloc[0] == "d>200mm" and b.required_m.iloc[0] == 3.0
    assert b.deficit_m.iloc[0] == pytest.approx(1.0)


@pytest.mark.parametrize("pressure,req,breach", [
    ("低压", 0.7, False), ("中压B", 1.0, True), ("中压A", 1.5, True),
    ("次高压B", 5.0, True), ("次高压A", 13.5, True), ("高压", 30.0, True),
])
def test_gas_classes(rules, pressure, req, breach):
    res = run([box_above(0.9)], [pipe_x()], ["燃气"], rules, pressures=[pressure])
    assert len(res.breaches) == int(breach)
    if breach:
        assert res.breaches.required_m.iloc[0] == req
        assert res.breaches.deficit_m.iloc[0] == pytest.approx(req - 0.9)


def test_building_on_pipe_distance_zero(rules):
    bld = shapely.box(X0, Y0 - 5, X0 + 10, Y0 + 5)  # pipe along y = 0 crosses it
    res = run([bld], [pipe_x()], ["雨水"], rules)
    row = res.breaches.iloc[0]
    assert row.distance_m == 0.0
    assert row.deficit_m == row.required_m == 2.5
    # piece = 10 m x 5 m band (+0.48 % circumscribing margin)
    assert row.enc_area_m2 == pytest.approx(50.0, rel=0.006)
    assert row.geometry.within(bld.buffer(1e-9))


def test_pipe_inside_building(rules):
    bld = shapely.box(X0 - 100, Y0 - 10, X0 + 100, Y0 + 10)
    res = run([bld], [pipe_x()], ["热力"], rules)
    assert res.breaches.distance_m.tolist() == [0.0]
    assert res.breaches.deficit_m.tolist() == [3.0]


# ---------------------------------------------------------------- unmapped pipes

def test_unknown_kinds_skipped_and_reported(rules):
    blds = [box_above(1.0), box_above(1.0, y=100), box_above(1.0, y=200)]
    pipes = [pipe_x(), pipe_x(y=100), pipe_x(y=200)]
    res = run(blds, pipes, ["不明管线", "不明管线", "UNKNOWN"], rules)
    rep = res.report
    assert len(res.breaches) == 0
    assert rep.n_unmapped == 3 and rep.n_pipes_skipped_unmapped == 3 and rep.n_pipes_checked == 0
    assert rep.unmapped_values == {"不明管线": 2, "UNKNOWN": 1}
    assert "不明管线" in rep.as_dict()["unmapped_values"]   # listed in the log (qgis_io.messages.pipe_lines)
    assert rep.balanced


def test_unknown_kinds_with_fallback(rules):
    blds = [box_above(1.0), box_above(1.0, y=100)]
    pipes = [pipe_x(), pipe_x(y=100)]
    res = run(blds, pipes, ["不明管线", "污水"], rules, fallback_m=1.5)
    b = res.breaches
    assert list(b.pipe_fid) == [0, 1]
    assert b.kind.tolist() == ["", "sewer"]
    assert b.rule_id.tolist() == ["fallback", "sewer"]
    assert b.required_m.tolist() == [1.5, 2.5]
    assert "1.5" in b.basis.iloc[0]
    assert res.report.n_fallback == 1 and res.report.n_unmapped == 1
    assert res.report.n_pipes_skipped_unmapped == 0


def test_unmapped_class_and_mapping_parameter(rules):
    blds = [box_above(1.2)]
    pipes = [pipe_x()]
    res = run(blds, pipes, ["燃气"], rules, pressures=["中压"])
    assert len(res.breaches) == 0 and res.report.unmapped_values == {"燃气 / 中压": 1}
    res = run(blds, pipes, ["GQ"], rules, pressures=["中压"], kind_map="GQ=gas", class_map="中压=medium_a")
    assert res.breaches.required_m.tolist() == [1.5]


def test_fallback_must_be_positive(rules):
    with pytest.raises(ValueError):
        prepare_pipes([pipe_x()], kinds=["x"], rules=rules, fallback_m=0)


# ---------------------------------------------------------------- geometry cases

def test_multipart_building(rules):
    near = box_above(1.0)
    far = box_above(20.0, x=30)
    mp = shapely.MultiPolygon([near, far])
    res = run([mp], [pipe_x()], ["污水"], rules)
    row = res.breaches.iloc[0]
    assert row.distance_m == pytest.approx(1.0)
    assert row.enc_area_m2 == pytest.approx(10 * 1.5, rel=0.01)  # only the near part
    assert row.geometry.within(near.buffer(1e-6))


def test_building_with_courtyard_hole(rules):
    outer = [(X0, Y0), (X0 + 30, Y0), (X0 + 30, Y0 + 30), (X0, Y0 + 30)]
    hole = [(X0 + 10, Y0 + 10), (X0 + 20, Y0 + 10), (X0 + 20, Y0 + 20), (X0 + 10, Y0 + 20)]
    bld = shapely.Polygon(outer, [hole])
    pipe = shapely.LineString([(X0 + 12, Y0 + 15), (X0 + 18, Y0 + 15)])  # inside the courtyard
    res = run([bld], [pipe], ["污水"], rules)
    row = res.breaches.iloc[0]
    assert row.distance_m == pytest.approx(2.0)
    assert row.deficit_m == pytest.approx(0.5)


def test_invalid_and_null_inputs_counted(rules):
    bowtie = shapely.Polygon([(X0, Y0 + 1), (X0 + 10, Y0 + 11), (X0 + 10, Y0 + 1), (X0, Y0 + 11)])
    assert not bowtie.is_valid
    blds = [bowtie, None, shapely.Point(X0, Y0)]
    pipes = [pipe_x(), None]
    res = run(blds, pipes, ["污水", "污水"], rules)
    rep = res.report
    assert rep.bld_clean.n_repaired == 1 and rep.bld_clean.n_null == 1 and rep.bld_clean.n_wrong_type == 1
    assert rep.n_buildings_checked == 1
    assert rep.pipe_clean.n_null == 1 and rep.n_pipes_skipped_geom == 1 and rep.balanced
    assert res.breaches.bld_fid.tolist() == [0]
    assert res.breaches.distance_m.iloc[0] == pytest.approx(1.0)


def test_per_building_summary_and_ids(rules):
    bld = box_above(1.0)
    pipes = [pipe_x(), shapely.LineString([(X0 - 2.0, Y0 - 50), (X0 - 2.0, Y0 + 50)])]
    res = run([bld, box_above(50, x=200)], pipes, ["污水", "电力"], rules,
              bld_ids=np.array([101, 102]), pipe_ids=np.array([7, 8]))
    b = res.breaches
    assert list(zip(b.bld_fid, b.pipe_fid)) == [(101, 7)]  # power 0.6 m: 2 m away passes
    res = run([bld], pipes, ["污水", "燃气"], rules, pressures=[None, "次高压B"], pipe_ids=[7, 8])
    s = res.per_building
    assert list(s.columns) == list(SUMMARY_COLUMNS)
    assert s.n_breaches.tolist() == [2]
    assert s.max_deficit_m.iloc[0] == pytest.approx(3.0)  # gas 5.0 - 2.0
    assert s.worst_pipe_fid.tolist() == [8] and s.worst_kind.tolist() == ["gas"]
    assert s.min_distance_m.iloc[0] == pytest.approx(1.0)


def test_empty_inputs(rules):
    res = run([], [pipe_x()], ["污水"], rules)
    assert len(res.breaches) == 0 and list(res.breaches.columns) == list(BREACH_COLUMNS)
    res = run([box_above(1)], [], [], rules)
    assert len(res.breaches) == 0 and len(res.per_building) == 0


# ---------------------------------------------------------------- partitions, pickling

def _random_case(n_b=400, n_p=40, seed=3):
    rng = np.random.default_rng(seed)
    cx, cy = rng.uniform(0, 500, n_b) + X0, rng.uniform(0, 500, n_b) + Y0
    blds = shapely.box(cx, cy, cx + rng.uniform(5, 15, n_b), cy + rng.uniform(5, 15, n_b))
    px, py = rng.uniform(0, 500, (2, n_p)) + np.array([[X0], [Y0]])
    pipes = shapely.linestrings(np.stack([np.stack([px, px + rng.uniform(-60, 60, n_p)], 1),
                                          np.stack([py, py + rng.uniform(-60, 60, n_p)], 1)], -1))
    kinds = rng.choice(["污水", "燃气", "给水", "电力", "???"], n_p)
    press = rng.choice(["低压", "中压A", "次高压B"], n_p)
    dia = rng.choice([150, 300], n_p)
    return blds, pipes, kinds, press, dia


def test_partitions_equal_whole(rules):
    blds, pipes, kinds, press, dia = _random_case()
    ps = prepare_pipes(pipes, kinds=kinds, pressures=press, diameters=dia, rules=rules, fallback_m=2.0)
    ids = np.arange(len(blds)) + 1000
    whole = check_buildings(ps, blds, ids)
    ps2 = pickle.loads(pickle.dumps(ps))  # what a Dask worker receives
    parts = [check_buildings(ps2, blds[s], ids[s]) for s in (slice(0, 150), slice(150, 400))]
    joined = pd.concat([p.breaches for p in parts], ignore_index=True)
    cols = [c for c in BREACH_COLUMNS if c != "geometry"]
    pd.testing.assert_frame_equal(joined[cols], whole.breaches[cols])
    assert shapely.equals(np.array(joined.geometry), np.array(whole.breaches.geometry)).all()
    rep = PipeReport.combine([p.report for p in parts])
    assert rep.n_breaches == whole.report.n_breaches > 0
    assert rep.n_buildings_in_breach == whole.report.n_buildings_in_breach
    assert rep.bld_clean.n_in == 400 and rep.n_buildings_in == 400
    assert rep.breaches_by_kind == whole.report.breaches_by_kind


def test_brute_force_agreement(rules):
    blds, pipes, kinds, press, dia = _random_case(seed=11)
    res = check_pipe_clearance(blds, pipes, kinds=kinds, pressures=press, diameters=dia, rules=rules)
    req = rules.pipe_clearances(kinds, press, dia).required_m
    d = shapely.distance(blds[:, None], pipes[None, :])
    expect = np.argwhere(d < req[None, :])  # nan req compares False: unmapped skipped
    got = res.breaches[["bld_fid", "pipe_fid"]].to_numpy()
    assert np.array_equal(got, expect)
    assert np.allclose(res.breaches.distance_m, d[expect[:, 0], expect[:, 1]])


# ---------------------------------------------------------------- property

coord = st.floats(-40, 40, allow_nan=False, allow_infinity=False)


@settings(max_examples=150, deadline=None)
@given(pts=st.lists(st.tuples(coord, coord), min_size=3, max_size=8),
       line=st.lists(st.tuples(coord, coord), min_size=2, max_size=5),
       req=st.sampled_from([0.6, 1.0, 2.5, 13.5]))
def test_property_distance_and_geometry(rules, pts, line, req):
    bld = shapely.convex_hull(shapely.MultiPoint([(X0 + x, Y0 + y) for x, y in pts]))
    pipe = shapely.LineString([(X0 + x, Y0 + y) for x, y in line])
    if bld.geom_type != "Polygon" or bld.area < 1e-3 or pipe.length == 0:
        return
    res = check_pipe_clearance([bld], [pipe], kinds=["x"], clearance=[req], rules=rules)
    with np.errstate(invalid="ignore"):  # GEOS FP flag on the repeated vertex; value is right
        d = shapely.distance(bld, pipe)
    b = res.breaches
    assert len(b) == int(d < req)
    if len(b):
        row = b.iloc[0]
        assert row.distance_m == d
        assert row.deficit_m == pytest.approx(req - d)
        assert row.geometry is not None and row.enc_area_m2 > 0
        assert row.enc_area_m2 <= bld.area * (1 + 1e-9) + 1e-9
        # inside the corridor, which is at most 0.5 % wider than the clearance
        # (noded first: GEOS buffers a line that folds back on itself too small)
        outside = row.geometry.difference(shapely.node(pipe).buffer(req * 1.006, quad_segs=64))
        assert outside.area < 1e-9


def test_pipe_folding_back_on_itself_gets_its_full_corridor(rules):
    """A pipe digitised 0 -> 1 -> 0.5 -> 0 m (a frequent digitising slip): GEOS buffers such a line to ~40 % of
    its corridor, so the breach piece was missing; the line is noded first."""
    bld = shapely.Polygon([(X0, Y0), (X0, Y0 + 1), (X0 + 1, Y0)])
    pipe = shapely.LineString([(X0, Y0), (X0, Y0 + 1), (X0, Y0 + 0.5), (X0, Y0)])
    res = check_pipe_clearance([bld], [pipe], kinds=["x"], clearance=[2.5], rules=rules)
    [row] = res.breaches.itertuples()
    assert row.distance_m == 0.0
    assert row.enc_area_m2 == pytest.approx(bld.area, rel=1e-9)


def test_threads_give_identical_results(rules, monkeypatch):
    import lincang_liangwei.core.pipes as pipes_mod
    monkeypatch.setattr(pipes_mod, "_MIN_CHUNK", 5)  # force chunking on small data
    blds, pipes, kinds, press, dia = _random_case(n_b=2000, n_p=2500, seed=5)
    ps = prepare_pipes(pipes, kinds=kinds, pressures=press, diameters=dia, rules=rules)
    one = check_buildings(ps, blds, threads=1)
    two = check_buildings(ps, blds, threads=3)
    assert len(one.breaches) > 100
    cols = [c for c in BREACH_COLUMNS if c != "geometry"]
    pd.testing.assert_frame_equal(one.breaches[cols], two.breaches[cols])
    assert shapely.equals(np.array(one.breaches.geometry), np.array(two.breaches.geometry)).all()
