"""Survey-epoch comparison: hand-made cases with exact expectations."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import affinity

from lincang_liangwei.core import epochs
from lincang_liangwei.core.epochs import CHANGES, compare_epochs


def box(x0, y0, w, h):
    return shapely.box(x0, y0, x0 + w, y0 + h)


def noisy(g, rng, jitter=0.3, shift=(0.0, 0.0), densify=None):
    """Re-survey a footprint: optional extra vertices, each vertex jittered, whole outline shifted."""
    if densify:
        g = shapely.segmentize(g, densify)
    ring = np.asarray(g.exterior.coords)[:-1]
    ring = ring + rng.uniform(-jitter, jitter, ring.shape) + np.asarray(shift)
    out = shapely.Polygon(ring)
    return out if out.is_valid else shapely.make_valid(out).buffer(0)


def run(E, L, eids=None, lids=None, ef=None, lf=None, **kw):
    E = np.array(E, dtype=object)
    L = np.array(L, dtype=object)
    eids = np.arange(1, len(E) + 1) if eids is None else np.asarray(eids)
    lids = np.arange(1, len(L) + 1) if lids is None else np.asarray(lids)
    return compare_epochs(E, eids, L, lids, ef, lf, **kw)


def one(res, fid):
    row = res.later[res.later.fid == fid]
    assert len(row) == 1
    return row.iloc[0]


def test_identical():
    g = box(0, 0, 10, 10)
    r = run([g], [g])
    row = one(r, 1)
    assert row.change == "unchanged"
    assert row.prev_fids == "1"
    assert np.isnan(row.match_iou)  # screened: not measured by default
    assert one(run([g], [g], exact_iou=True), 1).match_iou == pytest.approx(1.0)
    assert row.growth_m2 == pytest.approx(0.0)
    assert row.area_prev == pytest.approx(100) and row.area_now == pytest.approx(100)
    assert len(r.demolished) == 0 and len(r.growth) == 0
    assert r.earlier.fate.tolist() == ["continued"]


@pytest.mark.parametrize("shift", [(1.0, 0.0), (0.0, -1.0), (0.7, 0.7), (-0.9, 0.4)])
def test_shifted_1m(shift):
    g = box(0, 0, 10, 10)
    r = run([g], [affinity.translate(g, *shift)], exact_iou=True)
    row = one(r, 1)
    assert row.change == "unchanged"
    assert row.match_iou > 0.99  # IoU after registration
    assert row.shift_m == pytest.approx(np.hypot(*shift), abs=1e-6)
    assert row.growth_m2 < 1.0


def test_small_buildings_shifted_and_jittered():
    rng = np.random.default_rng(1)
    E, L = [], []
    for k in range(60):
        w, h = rng.uniform(2.5, 6, 2)
        g = box(k * 20, 0, w, h)
        E.append(noisy(g, rng))
        L.append(noisy(g, rng, shift=rng.uniform(-0.7, 0.7, 2), densify=rng.choice([None, 1.5])))
    r = run(E, L)
    assert (r.later.change == "unchanged").all(), r.later[r.later.change != "unchanged"]


def test_jittered_vertices_and_vertex_counts():
    rng = np.random.default_rng(2)
    E, L = [], []
    for k in range(200):
        w, h = rng.uniform(4, 30, 2)
        g = affinity.rotate(box(k * 50, 0, w, h), rng.uniform(0, 90), origin="centroid")
        E.append(noisy(g, rng, densify=rng.choice([None, 3.0])))
        L.append(noisy(g, rng, shift=rng.uniform(-0.7, 0.7, 2), densify=rng.choice([None, 2.0, 5.0])))
    r = run(E, L)
    bad = r.later[r.later.change != "unchanged"]
    assert len(bad) == 0, bad
    assert (r.later.growth_m2 < 5).all()


def test_grown_by_8m2():
    rng = np.random.default_rng(3)
    base = box(0, 0, 10, 10)
    grown = shapely.union(base, box(10, 3, 2, 4))  # 2 m x 4 m extension
    for shift in [(1.0, 0.0), (-1.0, 0.0), (0.0, 0.0), (0.6, -0.6)]:
        r = run([noisy(base, rng)], [noisy(grown, rng, shift=shift)])
        row = one(r, 1)
        assert row.change == "expanded", (shift, row.to_dict())
        assert row.prev_fids == "1"
        assert 5.0 <= row.growth_m2 <= 11.0
        assert len(r.growth) == 1 and r.growth.fid.tolist() == [1]
        # the growth polygon lies where the extension is
        gpart = r.growth_geoms[0]
        assert gpart.centroid.x > 9.5 + shift[0]


def test_split_in_two():
    E = [box(0, 0, 10, 20)]
    L = [box(0.5, 0, 10, 9.8), box(0.5, 10.2, 10, 9.8)]
    r = run(E, L, lids=[7, 8])
    assert r.later.change.tolist() == ["split", "split"]
    assert r.later.prev_fids.tolist() == ["1", "1"]
    assert r.earlier.fate.tolist() == ["split"]
    assert r.earlier.next_fids.tolist() == ["7;8"]
    assert len(r.demolished) == 0


def test_two_merged():
    E = [box(0, 0, 10, 10), box(10.3, 0, 8, 10)]
    L = [box(0.4, 0.3, 18.4, 10)]
    r = run(E, L, eids=[11, 4])
    row = one(r, 1)
    assert row.change == "merged"
    assert row.prev_fids == "4;11"  # sorted
    assert row.area_prev == pytest.approx(180)
    assert r.earlier.fate.tolist() == ["merged", "merged"]
    assert len(r.demolished) == 0


def test_rebuilt_on_same_plot():
    old = box(0, 0, 10, 10)
    new = affinity.rotate(box(2, -3, 6, 16), 35, origin=(5, 5))  # different building on the plot
    r = run([old], [new])
    row = one(r, 1)
    assert row.change == "rebuilt"
    assert row.prev_fids == "1"
    assert row.match_iou < 0.6
    assert r.earlier.fate.tolist() == ["continued"]
    assert len(r.demolished) == 0


def test_new_and_demolished():
    E = [box(0, 0, 10, 10), box(100, 0, 10, 10)]
    L = [box(0.5, 0, 10, 10), box(50, 50, 6, 7)]
    r = run(E, L)
    assert r.later.change.tolist() == ["unchanged", "new"]
    new = one(r, 2)
    assert new.prev_fids == "" and new.growth_m2 == pytest.approx(42) and new.area_prev == 0
    assert r.demolished.fid.tolist() == [2]
    assert r.demolished.area_prev.tolist() == pytest.approx([100])
    assert r.growth.fid.tolist() == [2]
    assert shapely.equals(r.growth_geoms[0], L[1])


def test_new_shed_next_to_house_is_new_not_split():
    house = box(0, 0, 10, 8)
    shed = box(10.05, 2, 2.5, 2.5)
    r = run([house], [affinity.translate(house, 0.9, 0), shed])
    assert r.later.change.tolist() == ["unchanged", "new"]


def test_row_houses_shifted_stay_unchanged():
    rng = np.random.default_rng(4)
    E = [box(k * 4.0, 0, 4.0, 12) for k in range(30)]  # terraced, touching
    shift = (0.9, 0.3)
    L = [noisy(g, rng, shift=shift) for g in E]
    E = [noisy(g, rng) for g in E]
    r = run(E, L)
    assert (r.later.change == "unchanged").all(), r.later[r.later.change != "unchanged"]
    assert (r.later.prev_fids == r.later.fid.astype(str)).all()


def test_floors_3_to_5():
    g = box(0, 0, 10, 10)
    r = run([g, box(50, 0, 8, 8), box(100, 0, 8, 8)], [g, box(50, 0, 8, 8), box(100, 0, 8, 8)],
            ef=[3, 3, np.nan], lf=[5, 3, 4])
    assert r.later.change.tolist() == ["floors_added", "unchanged", "unchanged"]
    assert one(r, 1).floors_prev == 3 and one(r, 1).floors_now == 5


def test_expanded_and_floors_added():
    base = box(0, 0, 10, 10)
    grown = box(0, 0, 14, 10)
    r = run([base], [affinity.translate(grown, 0.5, 0.5)], ef=[2], lf=["3"])
    row = one(r, 1)
    assert row.change == "expanded+floors_added"
    assert row.growth_m2 == pytest.approx(40, abs=6)
    assert set(r.later.change) <= set(CHANGES)


def _scene(rng):
    E, L, ef, lf = [], [], [], []
    x = 0.0
    for k in range(40):
        g = box(x, 0, 10, 10)
        E.append(noisy(g, rng))
        ef.append(2)
        kind = k % 8
        s = rng.uniform(-0.8, 0.8, 2)
        if kind == 0:
            L.append(noisy(g, rng, shift=s)); lf.append(2)
        elif kind == 1:
            L.append(noisy(shapely.union(g, box(x + 10, 3, 3, 4)), rng, shift=s)); lf.append(2)
        elif kind == 2:
            L.append(noisy(g, rng, shift=s)); lf.append(4)
        elif kind == 3:
            L.append(box(x + 0.2, 0, 10, 4.9)); lf.append(2)
            L.append(box(x + 0.2, 5.1, 10, 4.9)); lf.append(2)
        elif kind == 4:
            E.append(noisy(box(x + 10.2, 0, 6, 10), rng)); ef.append(1)
            L.append(box(x + 0.3, 0.2, 16.2, 10)); lf.append(2)
        elif kind == 5:
            pass  # demolished
        elif kind == 6:
            L.append(affinity.rotate(box(x + 2, -3, 6, 16), 35, origin=(x + 5, 5))); lf.append(2)
        else:
            L.append(noisy(g, rng, shift=s)); lf.append(2)
            L.append(box(x + 3, 30, 5, 5)); lf.append(1)  # new
        x += 40
    E.append(None); ef.append(1)
    L.append(None); lf.append(1)
    return E, L, ef, lf


def test_order_independence_and_none_accounted():
    rng = np.random.default_rng(5)
    E, L, ef, lf = _scene(rng)
    eids = np.arange(100, 100 + len(E))
    lids = np.arange(1, len(L) + 1)
    base = run(E, L, eids, lids, ef, lf)
    rep = base.report
    assert rep.balanced
    assert rep.n_later_skipped == 1 and rep.n_earlier_skipped == 1
    assert base.later.change.iloc[-1] == "skipped"
    assert base.earlier.fate.iloc[-1] == "skipped"
    assert sum(rep.changes.values()) == len(L) and sum(rep.fates.values()) == len(E)
    counts = base.later.change.value_counts().to_dict()
    assert counts == {"unchanged": 10, "expanded": 5, "floors_added": 5, "split": 10, "merged": 5,
                      "rebuilt": 5, "new": 5, "skipped": 1}, counts
    assert len(base.demolished) == 5
    key_l = base.later.set_index("fid").sort_index()
    key_e = base.earlier.set_index("fid").sort_index()
    for seed in range(3):
        p = np.random.default_rng(seed).permutation(len(E))
        q = np.random.default_rng(seed + 10).permutation(len(L))
        r = run(np.array(E, dtype=object)[p], np.array(L, dtype=object)[q], eids[p], lids[q],
                np.asarray(ef, float)[p], np.asarray(lf, float)[q])
        assert (r.later.fid.to_numpy() == lids[q]).all()  # input order kept
        got = r.later.set_index("fid").sort_index()
        assert (got.change == key_l.change).all()
        assert (got.prev_fids == key_l.prev_fids).all()
        np.testing.assert_allclose(got.growth_m2, key_l.growth_m2, atol=1e-6)
        np.testing.assert_allclose(got.match_iou, key_l.match_iou, atol=1e-9)
        assert (r.earlier.set_index("fid").sort_index().fate == key_e.fate).all()


def test_without_scipy_same_result(monkeypatch):
    rng = np.random.default_rng(6)
    E, L, ef, lf = _scene(rng)
    a = run(E, L, ef=ef, lf=lf)
    monkeypatch.setattr(epochs, "_lsa", None)
    monkeypatch.setattr(epochs, "_cc", None)
    monkeypatch.setattr(epochs, "_coo", None)
    b = run(E, L, ef=ef, lf=lf)
    assert (a.later.change == b.later.change).all()
    assert (a.later.prev_fids == b.later.prev_fids).all()
    assert (a.earlier.fate == b.earlier.fate).all()


def test_empty_inputs():
    r = run([], [])
    assert len(r.later) == 0 and len(r.demolished) == 0 and r.report.balanced
    r = run([box(0, 0, 5, 5)], [None])
    assert r.later.change.tolist() == ["skipped"]
    assert r.demolished.fid.tolist() == [1]


def test_rotated_scene_same_answer():
    """Rotated 30 degrees, bounding boxes no longer decide overlaps: same classes."""
    rng = np.random.default_rng(5)
    E, L, ef, lf = _scene(rng)
    base = run(E, L, ef=ef, lf=lf)

    def rot(gs):
        return [None if g is None else affinity.rotate(g, 30, origin=(500, 0)) for g in gs]

    r = run(rot(E), rot(L), ef=ef, lf=lf)
    assert (r.later.change == base.later.change).all(), r.later[r.later.change != base.later.change]
    assert (r.later.prev_fids == base.later.prev_fids).all()
    assert (r.earlier.fate == base.earlier.fate).all()


def test_l_shaped_buildings_next_to_a_split():
    """Pairs alone on both sides with inconclusive boxes, plus an overlap-checked split."""
    lshape = shapely.Polygon([(0, 0), (12, 0), (12, 4), (4, 4), (4, 12), (0, 12)])
    E = [affinity.rotate(lshape, 40, origin=(0, 0)), affinity.rotate(box(30, 0, 10, 20), 25, origin=(30, 0))]
    L = [affinity.translate(E[0], 0.8, -0.5),
         affinity.rotate(box(30.3, 0, 10, 9.7), 25, origin=(30, 0)),
         affinity.rotate(box(30.3, 10.3, 10, 9.7), 25, origin=(30, 0))]
    r = run(E, L)
    assert r.later.change.tolist() == ["unchanged", "split", "split"]
    assert r.later.prev_fids.tolist() == ["1", "2", "2"]


# --------------------------------------------------------------------------- speed paths give the same bits
def _boxes(rng, n, spread=400.0):
    x, y = rng.uniform(0, spread, n), rng.uniform(0, spread, n)
    w, h = rng.uniform(3, 15, n), rng.uniform(3, 15, n)
    return shapely.box(x, y, x + w, y + h)


def test_threaded_query_same_pairs_same_order():
    rng = np.random.default_rng(11)
    E, L = _boxes(rng, 3000), _boxes(rng, 2500)
    tree = shapely.STRtree(E)
    want = tree.query(L, predicate="intersects")
    got = epochs._query(tree, L, 2, predicate="intersects", min_chunk=50)
    assert want.shape[1] > 1000  # a dense scene: many real pairs
    assert np.array_equal(got, want)
    assert np.array_equal(epochs._query(tree, L, 2, min_chunk=50), tree.query(L))


def test_pmap_tuple_results_match_one_call():
    rng = np.random.default_rng(12)
    a = _boxes(rng, 500)
    shift = rng.uniform(-2, 2, (500, 2))
    ereg, d, da = epochs._pmap(epochs._register_difference, 2, a, a, shift, min_chunk=40)
    ereg1, d1, da1 = epochs._register_difference(a, a, shift)
    assert len(d) == 500 and np.array_equal(da, da1) and (da > 0).sum() > 400
    assert (shapely.to_wkb(d) == shapely.to_wkb(d1)).all()
    assert (shapely.to_wkb(ereg) == shapely.to_wkb(ereg1)).all()
    np.testing.assert_allclose(shapely.bounds(ereg) - shapely.bounds(a), np.hstack([shift, shift]), atol=1e-9)


def test_seq_sum_is_numpy_sum_bit_for_bit():
    rng = np.random.default_rng(13)
    counts = np.r_[np.arange(1, 13), np.arange(1, 13)]
    rows = np.repeat(np.arange(len(counts)), counts)
    values = rng.uniform(1, 500, len(rows))
    got = epochs._seq_sum(values, rows, len(counts))
    want = np.array([values[rows == r].sum() for r in range(len(counts))])
    assert np.array_equal(got, want)
    # the order matters for the last bit: (a + b) + c differs from a + (b + c) often enough to be caught
    assert any(((v[0] + v[1]) + v[2]) != (v[0] + (v[1] + v[2])) for v in rng.uniform(1, 500, (200, 3)))


def test_union_groups_is_union_all_per_group():
    g = np.array([box(0, 0, 10, 10), box(5, 0, 10, 10), box(20, 0, 5, 5), box(22, 2, 5, 5), box(40, 0, 3, 3),
                  box(60, 0, 4, 4)], dtype=object)
    members = [[0, 1], [4], [2, 3, 5], [1, 0]]
    got = epochs._union_groups(g, members, 2)
    assert got[1] is g[4]
    for k in (0, 2, 3):
        assert shapely.to_wkb(got[k]) == shapely.to_wkb(shapely.union_all(g[members[k]]))
    assert shapely.area(got[0]) == pytest.approx(150.0)
    assert shapely.area(got[2]) == pytest.approx(25 + 25 - 9 + 16)


def test_gc_paused_restores_the_collector():
    import gc

    assert gc.isenabled()
    with epochs.gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        with epochs.gc_paused():
            raise RuntimeError("stage failed")
    assert gc.isenabled()
    gc.disable()
    try:
        with epochs.gc_paused():
            pass
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()
    rng = np.random.default_rng(5)
    E, L, ef, lf = _scene(rng)
    run(E, L, ef=ef, lf=lf)
    assert gc.isenabled()


def test_threads_and_small_chunks_give_identical_tables(monkeypatch):
    """Every threaded path (query, registration, overlays, unions) cut into many small chunks: same bits."""
    rng = np.random.default_rng(7)
    E, L, ef, lf = [], [], [], []
    for k in range(12):  # 12 shifted copies of the scene side by side: 480 plots
        e, lt, f1, f2 = _scene(rng)
        dx = 2000.0 * k
        E += [None if g is None else affinity.translate(g, dx) for g in e]
        L += [None if g is None else affinity.translate(g, dx) for g in lt]
        ef += f1
        lf += f2
    one_thread = run(E, L, ef=ef, lf=lf, n_threads=1)
    monkeypatch.setattr(epochs._pmap, "__kwdefaults__", {"min_chunk": 3})
    monkeypatch.setattr(epochs._query, "__defaults__", (None, 3))
    pools = []

    class Pool(epochs.ThreadPoolExecutor):
        def __init__(self, *a, **kw):
            pools.append(1)
            super().__init__(*a, **kw)
    monkeypatch.setattr(epochs, "ThreadPoolExecutor", Pool)
    threaded = run(E, L, ef=ef, lf=lf, n_threads=2)
    assert len(pools) > 20  # every stage really ran on threads
    counts = one_thread.later.change.value_counts().to_dict()
    assert counts == {"unchanged": 120, "expanded": 60, "floors_added": 60, "split": 120, "merged": 60,
                      "rebuilt": 60, "new": 60, "skipped": 12}, counts
    for a, b in ((one_thread.later, threaded.later), (one_thread.earlier, threaded.earlier),
                 (one_thread.growth, threaded.growth), (one_thread.demolished, threaded.demolished)):
        assert list(a.columns) == list(b.columns) and len(a) == len(b)
        for c in a.columns:
            x, y = a[c].to_numpy(), b[c].to_numpy()
            same = (x == y) | (pd.isna(x) & pd.isna(y)) if x.dtype.kind == "f" else (x == y)
            assert np.all(same), c
    assert (shapely.to_wkb(one_thread.growth_geoms) == shapely.to_wkb(threaded.growth_geoms)).all()
    merged = one_thread.later[one_thread.later.change == "merged"]
    assert (merged.prev_fids.str.count(";") == 1).all()  # two predecessors each
    assert np.array_equal(merged.area_prev.to_numpy(),
                          [one_thread.earlier.area.to_numpy()[[int(p) - 1 for p in s.split(";")]].sum()
                           for s in merged.prev_fids])
