"""Property tests (hypothesis) on the core: areas bounded, order and translation invariance,
an epoch against itself, a building cut in two.

Coordinates are on a 0.5 m grid and translations are whole metres, so every input
coordinate is exact at any offset; thresholds (clearances) are chosen off the grid so
no decision sits exactly on a boundary that floating point could flip.
"""
from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lincang_liangwei.core.controllines import ZoneSet, encroachments
from lincang_liangwei.core.epochs import compare_epochs
from lincang_liangwei.core.pipes import check_pipe_clearance

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
OFFSETS = st.sampled_from([(0, 0), (500000, 2640000), (-1234, 567), (37, -91)])

half = st.integers(0, 400).map(lambda v: v / 2.0)  # 0 .. 200 m on a 0.5 m grid
size = st.integers(4, 60).map(lambda v: v / 2.0)  # 2 .. 30 m


@st.composite
def boxes(draw, min_size=1, max_size=12):
    n = draw(st.integers(min_size, max_size))
    return [shapely.box(x, y, x + w, y + h) for x, y, w, h in
            (draw(st.tuples(half, half, size, size)) for _ in range(n))]


def arr(geoms):
    out = np.empty(len(geoms), dtype=object)
    out[:] = list(geoms)
    return out


def moved(geoms, off):
    return arr([None if g is None else shapely.affinity.translate(g, *off) for g in geoms])


def perm_of(draw, n):
    return np.asarray(draw(st.permutations(list(range(n)))), dtype=int)


# --------------------------------------------------------------------------- control lines
def _encroach(blds, bfids, zones, zfids, lines, lfids):
    zsets = [ZoneSet("red", arr(zones), np.asarray(zfids)),
             ZoneSet("green", arr(lines), np.asarray(lfids), is_line=True)]
    return encroachments(arr(blds), np.asarray(bfids), zsets, setbacks={"green": 1.5}, min_area=0.0)


def _hit_table(res):
    h = res.hits.drop(columns=["bld_idx", "zone_name"])
    return h.sort_values(["bld_fid", "line_type", "zone_fid"]).reset_index(drop=True)


lines_st = st.lists(st.tuples(half, half, half, half).filter(lambda t: (t[0], t[1]) != (t[2], t[3]))
                    .map(lambda t: shapely.LineString([t[:2], t[2:]])), min_size=0, max_size=3)


@SETTINGS
@given(blds=boxes(), zones=boxes(max_size=5), lines=lines_st, off=OFFSETS, data=st.data())
def test_controllines_area_bounded_order_and_translation_invariant(blds, zones, lines, off, data):
    bf, zf, lf = np.arange(1, len(blds) + 1), np.arange(1, len(zones) + 1), np.arange(1, len(lines) + 1)
    ref = _encroach(blds, bf, zones, zf, lines, lf)
    # an encroached piece never exceeds its footprint, nor does a building's total
    area = ref.buildings.set_index("fid").area_m2
    assert (ref.hits.enc_area.to_numpy() <= area.loc[ref.hits.bld_fid].to_numpy() * (1 + 1e-9) + 1e-9).all()
    assert (ref.buildings.enc_area_total <= ref.buildings.area_m2 * (1 + 1e-9) + 1e-9).all()
    assert (ref.hits.enc_ratio <= 1 + 1e-9).all()
    # feature order
    pb, pz, pl = perm_of(data.draw, len(blds)), perm_of(data.draw, len(zones)), perm_of(data.draw, len(lines))
    got = _encroach([blds[i] for i in pb], bf[pb], [zones[i] for i in pz], zf[pz], [lines[i] for i in pl], lf[pl])
    assert _hit_table(got).equals(_hit_table(ref))
    b_ref = ref.buildings.sort_values("fid").reset_index(drop=True)
    assert got.buildings.sort_values("fid").reset_index(drop=True).equals(b_ref)
    # translating everything together
    got = _encroach(moved(blds, off), bf, moved(zones, off), zf, moved(lines, off), lf)
    a, b = _hit_table(got), _hit_table(ref)
    assert a[["bld_fid", "line_type", "zone_fid", "hit_kind"]].equals(b[["bld_fid", "line_type", "zone_fid", "hit_kind"]])
    assert a.enc_area.to_numpy() == pytest.approx(b.enc_area.to_numpy(), rel=1e-7, abs=1e-5)
    assert got.buildings.enc_area_total.to_numpy() == pytest.approx(ref.buildings.enc_area_total.to_numpy(),
                                                                    rel=1e-7, abs=1e-5)


# --------------------------------------------------------------------------- pipes
def _pipes(blds, bids, pipes, pids, req):
    res = check_pipe_clearance(arr(blds), arr(pipes), bld_ids=np.asarray(bids), pipe_ids=np.asarray(pids),
                               kinds=["x"] * len(pipes), clearance=np.asarray(req), fallback_m=1.0)
    b = res.breaches.drop(columns=["geometry"]).sort_values(["bld_fid", "pipe_fid"]).reset_index(drop=True)
    return res, b


@SETTINGS
@given(blds=boxes(), pipes=lines_st.filter(len), off=OFFSETS, data=st.data())
def test_pipes_order_and_translation_invariant(blds, pipes, off, data):
    bids, pids = np.arange(1, len(blds) + 1), np.arange(1, len(pipes) + 1)
    req = np.asarray(data.draw(st.lists(st.sampled_from([1.2345678, 3.0012345, 0.7071234]),
                                        min_size=len(pipes), max_size=len(pipes))))
    res, ref = _pipes(blds, bids, pipes, pids, req)
    assert (ref.distance_m < ref.required_m).all()
    area = {int(i): g.area for i, g in zip(bids, blds)}
    assert all(row.enc_area_m2 <= area[int(row.bld_fid)] * (1 + 1e-9) + 1e-9 for row in ref.itertuples())
    pb, pp = perm_of(data.draw, len(blds)), perm_of(data.draw, len(pipes))
    _, got = _pipes([blds[i] for i in pb], bids[pb], [pipes[i] for i in pp], pids[pp], req[pp])
    assert got.equals(ref)
    _, got = _pipes(moved(blds, off), bids, moved(pipes, off), pids, req)
    assert got[["bld_fid", "pipe_fid", "required_m"]].equals(ref[["bld_fid", "pipe_fid", "required_m"]])
    assert got.distance_m.to_numpy() == pytest.approx(ref.distance_m.to_numpy(), abs=1e-6)
    assert got.enc_area_m2.to_numpy() == pytest.approx(ref.enc_area_m2.to_numpy(), rel=1e-6, abs=1e-4)


# --------------------------------------------------------------------------- epochs
ACTIONS = ("same", "shift", "extend", "floors", "demolish", "split")


@st.composite
def epoch_pair(draw):
    """Earlier buildings on a 60 m lattice, each with one known change; plus new ones."""
    n = draw(st.integers(1, 8))
    E, L, ef, lf, want = [], [], [], [], {}
    lid = 100
    for k in range(n):
        x0, y0 = 60.0 * (k % 4), 60.0 * (k // 4)
        w, h = draw(st.integers(16, 50)) / 2, draw(st.integers(16, 50)) / 2
        g = shapely.box(x0, y0, x0 + w, y0 + h)
        fl = draw(st.integers(1, 6))
        E.append(g)
        ef.append(fl)
        act = draw(st.sampled_from(ACTIONS))
        if act == "same":
            L.append(g), lf.append(fl)
        elif act == "shift":
            dx, dy = draw(st.sampled_from([(0.5, 0), (0, -0.5), (1.0, 0.5), (-0.5, -1.0)]))
            L.append(shapely.affinity.translate(g, dx, dy)), lf.append(fl)
        elif act == "extend":
            d = draw(st.integers(6, 16)) / 2
            L.append(shapely.box(x0, y0, x0 + w + d, y0 + h)), lf.append(fl)
        elif act == "floors":
            L.append(g), lf.append(fl + 2)
        elif act == "split":
            cut = x0 + w / 2 + draw(st.integers(-2, 2)) / 2
            gap = draw(st.integers(1, 3)) / 2
            L.append(shapely.box(x0, y0, cut - gap / 2, y0 + h)), lf.append(fl)
            L.append(shapely.box(cut + gap / 2, y0, x0 + w, y0 + h)), lf.append(fl)
            want[lid + len(L) - 2] = want[lid + len(L) - 1] = ("split", str(k + 1))
            continue
        if act != "demolish":
            want[lid + len(L) - 1] = ({"same": "unchanged", "shift": "unchanged", "extend": "expanded",
                                       "floors": "floors_added"}[act], str(k + 1))
    for j in range(draw(st.integers(0, 2))):  # new buildings in empty lattice cells
        x0 = 60.0 * (5 + j)
        L.append(shapely.box(x0, 0, x0 + 10, 12)), lf.append(1)
        want[lid + len(L) - 1] = ("new", "")
    return E, L, ef, lf, want


def _epochs(E, eids, L, lids, ef, lf):
    r = compare_epochs(arr(E), np.asarray(eids), arr(L), np.asarray(lids), ef, lf, n_threads=1)
    later = r.later.sort_values("fid").reset_index(drop=True)
    earlier = r.earlier.sort_values("fid").reset_index(drop=True)
    return r, later, earlier


@SETTINGS
@given(case=epoch_pair(), off=OFFSETS, data=st.data())
def test_epochs_known_changes_order_and_translation_invariant(case, off, data):
    E, L, ef, lf, want = case
    eids, lids = np.arange(1, len(E) + 1), np.arange(100, 100 + len(L))
    r, later, earlier = _epochs(E, eids, L, lids, ef, lf)
    got = {int(f): (c, p) for f, c, p in zip(later.fid, later.change, later.prev_fids)}
    assert got == want
    assert r.report.balanced
    # feature order
    pe, pl = perm_of(data.draw, len(E)), perm_of(data.draw, len(L))
    _, l2, e2 = _epochs([E[i] for i in pe], eids[pe], [L[i] for i in pl], lids[pl],
                        [ef[i] for i in pe], [lf[i] for i in pl])
    cols = ["fid", "change", "prev_fids"]
    assert l2[cols].equals(later[cols]) and e2[["fid", "fate", "next_fids"]].equals(earlier[["fid", "fate", "next_fids"]])
    assert l2.growth_m2.to_numpy() == pytest.approx(later.growth_m2.to_numpy(), abs=1e-6)
    # translation
    _, l3, e3 = _epochs(moved(E, off), eids, moved(L, off), lids, ef, lf)
    assert l3[cols].equals(later[cols]) and e3.fate.equals(earlier.fate)
    assert l3.growth_m2.to_numpy() == pytest.approx(later.growth_m2.to_numpy(), rel=1e-6, abs=1e-3)
    assert l3.area_now.to_numpy() == pytest.approx(later.area_now.to_numpy(), rel=1e-9, abs=1e-6)


@SETTINGS
@given(blds=boxes(max_size=15), off=OFFSETS)
def test_epoch_against_itself_is_all_unchanged(blds, off):
    g = moved(blds, off)
    floors = list(range(len(blds)))
    r = compare_epochs(g, np.arange(len(g)), g, np.arange(len(g)), floors, floors, n_threads=1)
    assert set(r.later.change) == {"unchanged"}
    assert set(r.earlier.fate) == {"continued"}
    assert len(r.demolished) == 0 and len(r.growth) == 0


@SETTINGS
@given(x=half, y=half, w=st.integers(16, 80).map(lambda v: v / 2), h=size.filter(lambda v: v >= 4),
       at=st.floats(0.3, 0.7), gap=st.sampled_from([0.0, 0.5, 1.0, 1.5]), off=OFFSETS)
def test_building_cut_in_two_is_split(x, y, w, h, at, gap, off):
    cut = x + round(w * at * 2) / 2
    g = shapely.box(x, y, x + w, y + h)
    a, b = shapely.box(x, y, cut - gap / 2, y + h), shapely.box(cut + gap / 2, y, x + w, y + h)
    r = compare_epochs(moved([g], off), [7], moved([a, b], off), [1, 2], n_threads=1)
    assert r.later.change.tolist() == ["split", "split"]
    assert r.later.prev_fids.tolist() == ["7", "7"]
    assert r.earlier.fate.tolist() == ["split"] and r.earlier.next_fids.tolist() == ["1;2"]
