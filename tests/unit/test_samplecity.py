"""The sample city: counts, determinism, fields, truth consistency, encroachment."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from devtools import samplecity as sc

N = 4000


@pytest.fixture(scope="module")
def city():
    return sc.generate_city(N, seed=7)


@pytest.fixture(scope="module")
def clean_city():
    """Same city without re-survey noise or invalid outlines: exact geometry checks."""
    return sc.generate_city(N, seed=7, jitter=0.0, shift=0.0, invalid_share=0.0)


def _valid(g):
    g = g.copy()
    ok = ~shapely.is_missing(g)
    ok[ok] = ~shapely.is_empty(g[ok])
    g[ok] = shapely.make_valid(shapely.force_2d(g[ok]))
    return g, ok


def _prev_lists(truth: pd.DataFrame):
    return [[int(x) for x in s.split(";")] if s else [] for s in truth["prev_fids"]]


# --------------------------------------------------------------------------- #

def test_layers_names_types_counts(city):
    assert tuple(city.layers) == sc.LAYER_NAMES
    assert set(city.tables) == {"truth_later", "truth_earlier"}
    assert city.crs == "EPSG:4542"
    n_later = len(city.geoms(sc.LATER))
    assert abs(n_later - N) <= 0.03 * N
    assert 0.9 * N < len(city.geoms(sc.EARLIER)) < N
    assert 3 <= len(city.geoms("districts")) <= 8
    for name in sc.LAYER_NAMES:
        geoms, attrs = city.layers[name]
        assert len(geoms) > 0, name
        for k, v in attrs.items():
            assert len(v) == len(geoms), (name, k)
    for name in ("red_lines_cad", "pipelines"):
        assert city.geom_types[name] == "LineString"
        assert (shapely.get_type_id(city.geoms(name)) == 1).all()
    for name in ("districts",) + sc.ZONE_LAYERS:
        assert city.geom_types[name] == "Polygon"
        assert (shapely.get_type_id(city.geoms(name)) == 3).all(), name
        assert shapely.is_valid(city.geoms(name)).all(), name


def test_coordinates_are_lincang_in_cgcs2000(city):
    xmin, ymin, xmax, ymax = shapely.total_bounds(city.geoms(sc.LATER)[~shapely.is_missing(city.geoms(sc.LATER))])
    assert 480_000 < xmin < xmax < 540_000
    assert 2_610_000 < ymin < ymax < 2_670_000
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    assert abs(cx - sc.CENTRE_X) < 3000 and abs(cy - sc.CENTRE_Y) < 3000


def test_deterministic_for_a_seed(city):
    again = sc.generate_city(N, seed=7)
    for name in sc.LAYER_NAMES:
        g1, a1 = city.layers[name]
        g2, a2 = again.layers[name]
        assert np.array_equal(shapely.to_wkb(g1), shapely.to_wkb(g2)), name
        pd.testing.assert_frame_equal(pd.DataFrame(a1), pd.DataFrame(a2))
    for t in city.tables:
        pd.testing.assert_frame_equal(city.tables[t], again.tables[t])
    other = sc.generate_city(N, seed=8)
    assert not np.array_equal(shapely.to_wkb(other.geoms(sc.EARLIER)[:50]), shapely.to_wkb(city.geoms(sc.EARLIER)[:50]))


def test_noise_params_change_only_the_later_survey(city, clean_city):
    # same layout and the same true changes, whatever the noise
    pd.testing.assert_frame_equal(city.truth_later["change"].to_frame(), clean_city.truth_later["change"].to_frame())
    pd.testing.assert_frame_equal(city.truth_later[["prev_fids"]], clean_city.truth_later[["prev_fids"]])
    e1, e2 = city.geoms(sc.EARLIER), clean_city.geoms(sc.EARLIER)
    ok = (city.truth_earlier["geom_status"] == "ok").to_numpy()
    assert shapely.equals_exact(e1[ok], e2[ok], 0).all()
    for name in ("districts", "red_lines", "pipelines"):
        assert np.array_equal(shapely.to_wkb(city.geoms(name)), shapely.to_wkb(clean_city.geoms(name)))
    # and the later survey does move
    l1, l2 = city.geoms(sc.LATER), clean_city.geoms(sc.LATER)
    st = city.truth_later["geom_status"].to_numpy()
    both = (st == "ok") & (clean_city.truth_later["geom_status"].to_numpy() == "ok")
    moved = ~shapely.equals_exact(l1[both], l2[both], 0.01)
    assert moved.mean() > 0.9


def test_building_fields(city):
    for name, prefix in ((sc.EARLIER, "LX2019-"), (sc.LATER, "CH2023-")):
        a = city.attrs(name)
        assert list(a.columns) == ["floors", "use", "survey_id"]
        assert a["floors"].dtype.kind == "i" and (a["floors"] >= 1).all() and a["floors"].max() <= 40
        assert set(a["use"]) <= {"住宅", "商业", "工业", "公共"}
        assert a["use"].value_counts().idxmax() == "住宅"
        assert a["survey_id"].is_unique
        assert a["survey_id"].str.startswith(prefix).all()
    shared = set(city.attrs(sc.EARLIER)["survey_id"]) & set(city.attrs(sc.LATER)["survey_id"])
    assert not shared


def test_zone_fields(city):
    d = city.attrs("districts")
    assert d["code"].str.match(r"^530902\d{3}$").all() and d["code"].is_unique
    assert "凤翔街道" in set(d["name"]) and d["name"].str.contains("街道|镇|乡").all()
    for name in sc.ZONE_LAYERS:
        a = city.attrs(name)
        assert {"name", "code"} <= set(a.columns), name
        assert a["name"].map(lambda s: isinstance(s, str) and len(s) > 0).all(), name
    ws = city.attrs("water_source")
    assert sorted(ws["level"]) == [1, 2]
    g = city.geoms("water_source")
    l1, l2 = g[ws["level"].to_numpy() == 1][0], g[ws["level"].to_numpy() == 2][0]
    assert l2.contains(l1)
    assert set(city.attrs("red_lines_cad")["layer"]) == {"道路红线"}


def test_districts_cover_the_city(city):
    cover = shapely.union_all(city.geoms("districts"))
    for name in (sc.EARLIER, sc.LATER, "red_lines"):
        g = city.geoms(name)
        g = g[~shapely.is_missing(g) & ~shapely.is_empty(g)]
        assert shapely.covers(cover, shapely.force_2d(g)).all(), name


def test_red_line_cad_lines_are_road_land_boundaries(city):
    roads = shapely.union_all(city.geoms("red_lines"))
    lines = city.geoms("red_lines_cad")
    # every CAD red line lies on the boundary of the road land
    d = shapely.hausdorff_distance(lines, shapely.intersection(lines, roads.boundary.buffer(0.01)))
    assert np.nanmax(d) < 0.05


def test_pipeline_fields(city):
    a = city.attrs("pipelines")
    kinds = set(a["kind"])
    for k in ("燃气", "给水", "污水", "雨水", "电力", "通信", "gas", "water", "输气管道"):
        assert k in kinds, k
    assert {"中水", "再生水"} & kinds
    assert {"不明", ""} & kinds
    gas = a["kind"].isin(["燃气", "gas", "天然气"])
    assert set(a.loc[gas, "pressure"]) <= {"低压", "中压B", "中压A", "次高压B", "次高压A"}
    assert len(set(a.loc[gas, "pressure"])) >= 3
    other = ~gas & ~a["kind"].isin(["输气管道", "不明", ""])  # an unknown kind may still carry a pressure
    assert (a.loc[other, "pressure"] == "").all()
    water = a["kind"].isin(["给水", "water"])
    dia = a.loc[water, "diameter_mm"]
    assert (dia == 200).any() and (dia == 201).any() and (dia < 200).any() and (dia > 201).any()
    assert a["diameter_mm"].between(100, 1400).all()
    assert a["code"].is_unique


def test_truth_tables_consistent(city):
    tl, te = city.truth_later, city.truth_earlier
    n_l, n_e = len(city.geoms(sc.LATER)), len(city.geoms(sc.EARLIER))
    assert list(tl.columns[:4]) == ["fid", "change", "prev_fids", "geom_status"]
    assert list(te.columns[:2]) == ["fid", "demolished"]
    assert np.array_equal(tl["fid"], np.arange(1, n_l + 1))
    assert np.array_equal(te["fid"], np.arange(1, n_e + 1))
    assert set(tl["change"]) == set(sc.CHANGE_CLASSES)
    counts = tl["change"].value_counts()
    for ch in sc.CHANGE_CLASSES:
        assert counts[ch] >= 0.004 * n_l, ch
    assert 0.02 <= counts["new"] / n_l <= 0.03
    assert 0.005 <= te["demolished"].mean() <= 0.02
    assert 0.88 <= counts["unchanged"] / n_e <= 0.94
    prev = _prev_lists(tl)
    n_prev = np.array([len(p) for p in prev])
    ch = tl["change"].to_numpy()
    assert (n_prev[ch == "new"] == 0).all()
    assert (n_prev[ch == "merged"] == 2).all()
    assert (n_prev[(ch != "new") & (ch != "merged")] == 1).all()
    assert all(p == sorted(p) for p in prev)
    used = pd.Series([f for p in prev for f in p])
    # split: one earlier -> exactly two later; otherwise each earlier once
    per = used.value_counts()
    split_src = {p[0] for p, c in zip(prev, ch) if c == "split"}
    assert set(per[per == 2].index) == split_src and per.max() == 2
    demolished = set(te.loc[te["demolished"] == 1, "fid"])
    assert demolished.isdisjoint(per.index)
    assert demolished | set(per.index) == set(te["fid"])


def test_geometry_status_flags(city):
    for name, truth in ((sc.LATER, city.truth_later), (sc.EARLIER, city.truth_earlier)):
        g = city.geoms(name)
        st = truth["geom_status"].to_numpy()
        assert set(st) <= set(sc.GEOM_STATUS)
        assert np.array_equal(shapely.is_missing(g), st == "null")
        present = ~shapely.is_missing(g)
        empty = np.zeros(len(g), bool)
        empty[present] = shapely.is_empty(g[present])
        assert np.array_equal(empty, st == "empty")
        full = present & ~empty
        hz = np.zeros(len(g), bool)
        hz[full] = shapely.has_z(g[full])
        assert np.array_equal(hz, st == "z")
        valid = np.zeros(len(g), bool)
        valid[full] = shapely.is_valid(g[full])
        assert np.array_equal(full & ~valid, st == "invalid")
        n_inv = (st == "invalid").sum()
        assert abs(n_inv - 0.01 * len(g)) <= 2
        assert (st == "z").sum() >= 2
    st = city.truth_later["geom_status"]
    assert (st == "null").sum() >= 2 and (st == "empty").sum() >= 2
    assert (city.truth_earlier["geom_status"] != "null").all()


def test_invalid_outlines_are_repairable(city):
    for name, truth in ((sc.LATER, city.truth_later), (sc.EARLIER, city.truth_earlier)):
        g = city.geoms(name)
        inv = (truth["geom_status"] == "invalid").to_numpy()
        bad = g[inv]
        reasons = {shapely.is_valid_reason(x).split("[")[0] for x in bad}
        assert any("Self-intersection" in r for r in reasons), reasons
        fixed = shapely.make_valid(bad)
        polys = np.array([shapely.union_all([p for p in shapely.get_parts(f) if p.geom_type in ("Polygon", "MultiPolygon")])
                          for f in fixed], dtype=object)
        assert shapely.is_valid(polys).all()
        ratio = shapely.area(polys) / shapely.area(shapely.convex_hull(bad))
        assert (ratio > 0.5).all()


def test_buildings_do_not_overlap_within_an_epoch(city):
    for name, _truth in ((sc.EARLIER, city.truth_earlier), (sc.LATER, city.truth_later)):
        g, ok = _valid(city.geoms(name))
        idx = np.flatnonzero(ok)
        tree = shapely.STRtree(g[idx])
        a, b = tree.query(g[idx], predicate="intersects")
        m = a < b
        area = shapely.area(shapely.intersection(g[idx][a[m]], g[idx][b[m]]))
        assert (area > 0.05).sum() == 0, name


def test_unchanged_and_changed_geometry_match_truth(city):
    tl = city.truth_later
    e, _ = _valid(city.geoms(sc.EARLIER))
    later, _ = _valid(city.geoms(sc.LATER))
    prev = _prev_lists(tl)
    ok = (tl["geom_status"] == "ok").to_numpy()
    ch = tl["change"].to_numpy()

    def iou(sel):
        i = np.flatnonzero(sel & ok)
        p = np.array([prev[k][0] for k in i]) - 1
        inter = shapely.area(shapely.intersection(later[i], e[p]))
        return inter / shapely.area(shapely.union(later[i], e[p]))

    assert iou(ch == "unchanged").min() > 0.5
    assert iou(ch == "floors_added").min() > 0.5
    r = iou(ch == "rebuilt")
    assert (r > 0).all() and (r < 0.45).all()


def test_exact_change_geometry(clean_city):
    c = clean_city
    tl = c.truth_later
    e = c.geoms(sc.EARLIER)
    later = c.geoms(sc.LATER)
    ok = (tl["geom_status"] == "ok").to_numpy()
    ch = tl["change"].to_numpy()
    prev = _prev_lists(tl)
    ea = c.attrs(sc.EARLIER)
    la = c.attrs(sc.LATER)
    for cls in ("unchanged", "floors_added"):
        i = np.flatnonzero((ch == cls) & ok)
        p = np.array([prev[k][0] for k in i]) - 1
        p_ok = (c.truth_earlier["geom_status"].to_numpy()[p] == "ok")
        sym = shapely.area(shapely.symmetric_difference(later[i[p_ok]], e[p[p_ok]]))
        assert (sym < 1e-6).all(), cls  # same outline (vertex order / collinear extra vertex aside)
        if cls == "floors_added":
            assert (la["floors"].to_numpy()[i] > ea["floors"].to_numpy()[p]).all()
        else:
            assert (la["floors"].to_numpy()[i] == ea["floors"].to_numpy()[p]).all()
    for cls in ("expanded", "expanded+floors_added"):
        i = np.flatnonzero((ch == cls) & ok)
        p = np.array([prev[k][0] for k in i]) - 1
        p_ok = (c.truth_earlier["geom_status"].to_numpy()[p] == "ok")
        i, p = i[p_ok], p[p_ok]
        grow = shapely.area(later[i]) - shapely.area(e[p])
        assert (grow >= 8).all() and (grow >= 0.05 * shapely.area(e[p])).all()
        assert shapely.covers(later[i], shapely.buffer(e[p], -0.01)).all()  # attached extension
        assert shapely.is_valid(later[i]).all()
        more = la["floors"].to_numpy()[i] > ea["floors"].to_numpy()[p]
        assert more.all() if cls != "expanded" else not more.any()
    i = np.flatnonzero((ch == "split") & ok)
    p = np.array([prev[k][0] for k in i]) - 1
    assert (shapely.area(later[i]) < 0.7 * shapely.area(e[p])).all()
    assert shapely.covers(shapely.buffer(e[p], 0.01), later[i]).all()
    i = np.flatnonzero((ch == "merged") & ok)
    for k in i:
        a, b = (e[f - 1] for f in prev[k])
        assert later[k].buffer(1e-6).covers(a) and later[k].buffer(1e-6).covers(b)


def test_later_survey_vertex_counts_differ(city):
    tl = city.truth_later
    i = np.flatnonzero(((tl["change"] == "unchanged") & (tl["geom_status"] == "ok")).to_numpy())
    p = np.array([int(s) for s in tl["prev_fids"].to_numpy()[i]]) - 1
    nl = shapely.get_num_coordinates(city.geoms(sc.LATER)[i])
    ne = shapely.get_num_coordinates(city.geoms(sc.EARLIER)[p])
    assert 0.03 < (nl != ne).mean() < 0.4
    # rotated start vertex: same vertex count, different first vertex, same shape
    first_l = shapely.get_point(shapely.get_exterior_ring(city.geoms(sc.LATER)[i]), 0)
    first_e = shapely.get_point(shapely.get_exterior_ring(city.geoms(sc.EARLIER)[p]), 0)
    assert (shapely.distance(first_l, first_e) > 3).mean() > 0.1


def _zone_hits(city, layer, epoch=sc.EARLIER):
    g, ok = _valid(city.geoms(epoch))
    idx = np.flatnonzero(ok)
    z = city.geoms(layer)
    a, b = shapely.STRtree(z).query(g[idx], predicate="intersects")
    area = shapely.area(shapely.intersection(g[idx][a], z[b]))
    return idx[a], b, area


def test_encroachment_really_happens(city):
    n_e = len(city.geoms(sc.EARLIER))
    bi, zi, area = _zone_hits(city, "red_lines")
    over = np.unique(bi[area > 1])
    assert 0.01 * n_e < len(over) < 0.06 * n_e
    assert ((area > 0) & (area < 1)).any()  # slivers
    for layer in ("blue_lines", "green_lines", "yellow_lines", "purple_lines", "water_source"):
        bi, zi, area = _zone_hits(city, layer)
        assert (area > 1).any(), layer
    # touching a zone edge only (no area) - green / yellow pocket zones
    touch = 0
    sliver = 0
    for layer in ("green_lines", "yellow_lines"):
        bi, zi, area = _zone_hits(city, layer)
        touch += (area == 0).sum()
        sliver += ((area > 0) & (area < 1)).sum()
        assert not shapely.overlaps(city.geoms(sc.EARLIER)[bi[area == 0]], city.geoms(layer)[zi[area == 0]]).any()
    assert touch >= 3 and sliver >= 3
    # a building overlapping two polygons of one zone type
    twice = 0
    for layer in ("purple_lines", "water_source", "red_lines", "green_lines"):
        bi, zi, area = _zone_hits(city, layer)
        twice += (np.bincount(bi[area > 1]) >= 2).sum()
    assert twice >= 1
    # touch / sliver cases are re-surveyed exactly: they stay touch / sliver in the later epoch
    bi, zi, area = _zone_hits(city, "green_lines", sc.LATER)
    assert (area == 0).any() and ((area > 0) & (area < 1)).any()


def test_buildings_near_and_on_pipes(city):
    g, ok = _valid(city.geoms(sc.LATER))
    idx = np.flatnonzero(ok)
    pipes = city.geoms("pipelines")
    tree = shapely.STRtree(pipes)
    a, b = tree.query(g[idx], predicate="dwithin", distance=3.0)
    d = shapely.distance(g[idx][a], pipes[b])
    assert ((d > 0.5) & (d <= 3)).sum() > 0.05 * len(idx)
    assert (d == 0).sum() >= 10
    kind = city.attrs("pipelines")["kind"].to_numpy()
    tx = np.flatnonzero(kind == "输气管道")
    assert len(tx) == 1
    near = shapely.dwithin(g[idx], pipes[tx[0]], 5.0)
    assert near.sum() >= 1


def test_rates_and_noise_are_parameters():
    c = sc.generate_city(3000, seed=1, rates={"new": 0.05, "demolished": 0.03}, invalid_share=0.05, n_special=5)
    tl = c.truth_later
    assert 0.045 <= (tl["change"] == "new").mean() <= 0.055
    assert 0.025 <= c.truth_earlier["demolished"].mean() <= 0.035
    assert abs((tl["geom_status"] == "invalid").mean() - 0.05) < 0.005
    assert (tl["geom_status"] == "null").sum() == 5
    assert c.params["rates"]["new"] == 0.05
    with pytest.raises(ValueError):
        sc.generate_city(3000, rates={"bogus": 0.1})
    with pytest.raises(ValueError):
        sc.generate_city(10)


def test_city_params_matches_generated(city):
    assert city.params == sc.city_params(N, seed=7)


# --------------------------------------------------------------------------- #
# generator 2: compounds, permits, register truth, re-digitising noise
# --------------------------------------------------------------------------- #

GEN1_LAYERS = ("districts", sc.EARLIER, sc.LATER) + sc.ZONE_LAYERS + ("red_lines_cad", "pipelines")
GEN1_TRUTH_LATER = ["fid", "change", "prev_fids", "geom_status"]
# sha256 of generator 1's output for generate_city(1500, seed=7) (measured with the
# generator before compounds / permits were added): the old layers must not move
GEN1_DIGEST = "21d143a231698941781969a2b0471f3ac6d9f3fdfa9abccde0fcddabf918da5b"


def _digest(city) -> str:
    """Geometries normalised and rounded to the millimetre, truth rounded to 1e-6: the same digest on
    GEOS 3.11 (Debian 12) and 3.13 (Debian 13), whose last bits differ."""
    import hashlib

    h = hashlib.sha256()
    for name in GEN1_LAYERS:
        g, a = city.layers[name]
        g = np.asarray(g, dtype=object)
        present = ~shapely.is_missing(g)
        norm = np.full(len(g), None, dtype=object)
        norm[present] = shapely.normalize(g[present])
        for w in norm:
            if w is None:
                h.update(b"-")
                continue
            h.update(str(w.geom_type).encode())
            h.update(np.ascontiguousarray(np.round(shapely.get_coordinates(w, include_z=True), 3)).tobytes())
        for k in sorted(a):
            h.update(k.encode())
            h.update("\x1f".join(map(str, np.asarray(a[k]).tolist())).encode())
    h.update(city.truth_later[GEN1_TRUTH_LATER].round(6).to_csv(index=False).encode())
    h.update(city.truth_earlier.round(6).to_csv(index=False).encode())
    return h.hexdigest()


def test_generator1_layers_unchanged_at_default_noise():
    assert _digest(sc.generate_city(1500, seed=7)) == GEN1_DIGEST
    assert _digest(sc.generate_city(1500, seed=7, area_noise=0.0, earlier_jitter=0.0)) == GEN1_DIGEST


def test_compounds_layer(city):
    g, a = city.layers[sc.COMPOUNDS]
    assert city.geom_types[sc.COMPOUNDS] == "Polygon" and set(a) == {"name", "code"}
    assert len(g) >= 3 and shapely.is_valid(g).all()
    assert len(set(a["code"])) == len(g) and len(set(a["name"])) == len(g)
    assert all(c.startswith("XQ-") for c in a["code"]) and all(("花园" in n or "小区" in n or "家园" in n or "苑" in n
                                                                or "新村" in n or "名居" in n) for n in a["name"])
    tl = city.truth_later
    inside = tl["in_compound"] == 1
    assert set(tl.loc[inside, "compound_code"]) <= set(a["code"]) and (tl.loc[~inside, "compound_code"] == "").all()
    # planted: new / expanded buildings inside compounds
    grown = tl["change"].isin(["new", "expanded", "expanded+floors_added"])
    assert (inside & grown).sum() >= 5
    # truth = the building's point on surface inside the compound polygon
    lg, ok = _valid(city.geoms(sc.LATER))
    idx = np.flatnonzero(ok & inside.to_numpy())
    code_of = dict(zip(a["code"], g))
    assert all(shapely.contains(code_of[c], shapely.point_on_surface(lg[i]))
               for i, c in zip(idx, tl["compound_code"].to_numpy()[idx]))


def test_permits_layer(city):
    import re

    g, a = city.layers[sc.PERMITS]
    assert set(a) == {"permit_no", "kind", "expiry", "issued"}
    assert shapely.is_valid(g).all() and (shapely.get_type_id(g) == 3).all()
    assert set(a["kind"]) == {"永久", "permanent", "临时", "临建", "temporary"}
    assert len(set(a["permit_no"])) == len(g)
    assert all(re.fullmatch(r"(临建|建)字第530902(19|20)\d\d-\d{4}号", p) for p in a["permit_no"])
    perm = np.isin(a["kind"], ["永久", "permanent"])
    assert (a["expiry"][perm] == "").all()
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", x) for x in a["expiry"][~perm])
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", x) for x in a["issued"])
    assert (a["expiry"][~perm] > a["issued"][~perm]).all()
    # expired ones before the later survey, valid ones until 2030 or later: no ambiguity
    exp = a["expiry"][~perm]
    assert ((exp < sc.EXPIRED_BEFORE) | (exp >= sc.VALID_UNTIL_AT_LEAST)).all()
    assert (exp < sc.EXPIRED_BEFORE).sum() >= 5 and (exp >= sc.VALID_UNTIL_AT_LEAST).sum() >= 3


def test_permit_truth(city):
    tl = city.truth_later
    new = tl["change"] == "new"
    k = tl["permit_kind"]
    assert set(k) == {"", "permanent", "temporary"}
    assert ((new & (k == "permanent")).sum() >= 0.15 * new.sum())
    assert ((new & (k == "temporary") & (tl["permit_expired"] == 0)).sum() >= 0.04 * new.sum())
    assert ((new & (tl["permit_expired"] == 1)).sum() >= 0.04 * new.sum())
    assert ((new & (k == "")).sum() >= 0.45 * new.sum())
    # the recorded permit covers at least half of the building
    g, a = city.layers[sc.PERMITS]
    by_no = dict(zip(a["permit_no"], g))
    lg, ok = _valid(city.geoms(sc.LATER))
    for i in np.flatnonzero((tl["permit_no"] != "").to_numpy())[:200]:
        p = by_no[tl["permit_no"].iloc[i]]
        assert shapely.area(shapely.intersection(lg[i], p)) >= 0.5 * shapely.area(lg[i])
    assert (tl.loc[tl["permit_no"] == "", "permit_kind"] == "").all()
    assert set(tl.loc[tl["permit_expired"] == 1, "permit_kind"]) == {"temporary"}


def test_encroachment_and_pipe_truth(city):
    tl = city.truth_later
    lg, ok = _valid(city.geoms(sc.LATER))
    # control lines: intersection >= 1 m2 with a zone polygon, checked independently
    for t, layer in (("red", "red_lines"), ("water_source", "water_source"), ("green", "green_lines")):
        zg = city.geoms(layer)
        has = np.array([t in xs.split(";") for xs in tl["line_types"]])
        sample = np.flatnonzero(ok)[::7]
        area = np.array([shapely.area(shapely.intersection(lg[i], shapely.union_all(zg))) for i in sample])
        assert np.array_equal(area >= sc.MIN_ENC_AREA_M2, has[sample]), t
    assert (tl.loc[tl["line_types"] != "", "enc_area_m2"] >= 1.0).all()
    assert (tl.loc[tl["line_types"] == "", "enc_area_m2"] == 0).all()
    # slivers (< 1 m2) are not encroachments
    assert ((tl["enc_area_m2"] > 0) & (tl["enc_area_m2"] < 1)).sum() == 0
    # pipes: near_pipe_m is the distance to the nearest pipe (within 15 m)
    pg = city.geoms("pipelines")
    tree = shapely.STRtree(pg)
    for i in np.flatnonzero(ok)[::97]:
        d = shapely.distance(lg[i], pg[tree.query_nearest(lg[i])[0]])
        if d <= sc.PIPE_SEARCH_M:
            assert tl["near_pipe_m"].iloc[i] == pytest.approx(d, abs=1e-3)
        else:
            assert np.isnan(tl["near_pipe_m"].iloc[i])
    hit = tl["pipe_deficit_m"].notna()
    assert hit.sum() > 0 and set(tl.loc[hit, "pipe_kind"]) <= set(sc.MAJOR_PIPE_KINDS)
    assert (tl.loc[hit, "pipe_deficit_m"] > 0).all()
    assert "transmission" in set(tl.loc[hit, "pipe_kind"]) or "gas" in set(tl.loc[hit, "pipe_kind"])


def test_expected_verdicts(city):
    tl = city.truth_later
    v = tl["expected_verdict"]
    assert set(v) <= {"", sc.V_DEMOLISH, sc.V_RECTIFY, sc.V_EXPIRED, sc.V_LEGACY, sc.V_VERIFY}
    built = tl["change"].isin(sc.BUILT_CHANGES)
    line = tl["line_types"] != ""
    pipe = (tl["pipe_deficit_m"].fillna(-1) >= sc.MIN_PIPE_DEFICIT_M) & (tl["pipe_breach_m2"].fillna(0) >= 1)
    cable = tl["cable_breach"] == 1
    valid_permit = (tl["permit_kind"] != "") & (tl["permit_expired"] == 0)
    compound = (tl["in_compound"] == 1) & ~valid_permit
    assert ((v == sc.V_DEMOLISH) == (built & (line | pipe | compound))).all()
    assert (tl.loc[v == sc.V_EXPIRED, "permit_expired"] == 1).all()
    assert ((v == sc.V_LEGACY) == (~built & (line | pipe | cable) & (tl["permit_expired"] == 0))).all()
    ver = v == sc.V_VERIFY
    assert tl.loc[ver, "change"].isin(sc.CHANGE_FINDINGS).all() and not valid_permit[ver].any()
    assert not (line | pipe | cable)[ver].any()
    # a new building in a valid permit with nothing else is no case
    assert (v[(tl["change"] == "new") & valid_permit & ~line & ~pipe & ~cable] == "").all()
    assert ((tl["change"] == "new") & valid_permit & ~line & ~pipe).sum() > 0
    # an unchanged building with nothing found is no case
    assert (v[(tl["change"] == "unchanged") & ~line & ~pipe & ~cable & (tl["permit_expired"] == 0)] == "").all()
    assert (v == sc.V_DEMOLISH).sum() >= 10 and (v == sc.V_EXPIRED).sum() >= 5


def test_area_noise_and_earlier_jitter():
    base = sc.generate_city(2000, seed=11)
    noisy = sc.generate_city(2000, seed=11, area_noise=0.15)
    assert noisy.params["area_noise"] == 0.15 and noisy.params["earlier_jitter"] == 0.0
    assert base.params["area_noise"] == 0.0
    assert noisy.truth_later[GEN1_TRUTH_LATER].equals(base.truth_later[GEN1_TRUTH_LATER])
    assert noisy.truth_earlier.equals(base.truth_earlier)
    for name in ("districts", "red_lines", "pipelines"):
        assert shapely.equals_exact(noisy.geoms(name), base.geoms(name), 0).all()
    ok_e = (base.truth_earlier["geom_status"] == "ok").to_numpy()
    ae0, ae1 = shapely.area(base.geoms(sc.EARLIER)[ok_e]), shapely.area(noisy.geoms(sc.EARLIER)[ok_e])
    r = ae1 / ae0
    assert r.min() >= 0.85 - 1e-9 and r.max() <= 1.15 + 1e-9  # an exact scale
    assert r.min() < 0.87 and r.max() > 1.13
    assert (np.abs(r - 1) > 0.02).mean() > 0.7
    # unchanged buildings: later / earlier area spreads up to about +-30 %
    tl = noisy.truth_later
    m = ((tl["change"] == "unchanged") & (tl["geom_status"] == "ok")).to_numpy()
    prev = tl.loc[m, "prev_fids"].astype(int).to_numpy() - 1
    ok_prev = noisy.truth_earlier["geom_status"].to_numpy()[prev] == "ok"
    ratio = shapely.area(noisy.geoms(sc.LATER)[m][ok_prev]) / shapely.area(noisy.geoms(sc.EARLIER)[prev[ok_prev]])
    assert ratio.min() < 0.85 and ratio.max() > 1.15 and 0.6 < ratio.min() and ratio.max() < 1.5
    # earlier_jitter moves the earlier vertices only
    jit = sc.generate_city(2000, seed=11, earlier_jitter=0.3)
    assert jit.params["earlier_jitter"] == 0.3
    assert shapely.equals_exact(jit.geoms(sc.LATER)[ok_l := (base.truth_later["geom_status"] != "null").to_numpy()],
                                base.geoms(sc.LATER)[ok_l], 0).all()
    moved = ~shapely.equals_exact(jit.geoms(sc.EARLIER)[ok_e], base.geoms(sc.EARLIER)[ok_e], 0)
    assert moved.mean() > 0.95
    assert shapely.hausdorff_distance(jit.geoms(sc.EARLIER)[ok_e], base.geoms(sc.EARLIER)[ok_e]).max() <= 0.3 * 2 ** 0.5 + 1e-6
    # the exact touch / sliver copies stay exact
    assert noisy.info["touch_cases"] == base.info["touch_cases"]
    with pytest.raises(ValueError):
        sc.generate_city(500, area_noise=0.6)
    with pytest.raises(ValueError):
        sc.generate_city(500, earlier_jitter=-1)
