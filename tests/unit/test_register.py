"""Register core: findings, verdict rules, case ids, merge with an earlier register."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from lincang_liangwei.core.register import (
    NO_DISTRICT,
    REGISTER_COLUMNS,
    build_register,
    match_cases,
    merge_previous,
    new_case_ids,
    parse_case_ids,
)
from lincang_liangwei.core.rules import load_rules

RUN = "2024-05-01"


def box(x, y, w=10.0, h=10.0):
    return shapely.box(x, y, x + w, y + h)


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def reg(changes, *, geoms=None, fids=None, hits=None, breaches=None, rules=None, **kw):
    ch = pd.DataFrame(changes)
    n = len(ch)
    geoms = np.array([box(100.0 * i, 0) for i in range(n)], dtype=object) if geoms is None else geoms
    fids = np.arange(1, n + 1) if fids is None else fids
    for col, d in (("growth_m2", 50.0), ("floors_now", 2.0), ("confidence", "high")):
        if col not in ch:
            ch[col] = d
    return build_register(fids, geoms, changes=ch, hits=hits, breaches=breaches, run_date=RUN, rules=rules, **kw)


def by_fid(res, fid):
    c = res.cases
    return c[c.bld_fid == fid].iloc[0]


def hits_df(rows):
    return pd.DataFrame(rows, columns=["bld_fid", "line_type", "zone_fid", "zone_name", "enc_area", "where"])


def breach_df(rows):
    return pd.DataFrame(rows, columns=["bld_fid", "kind", "pipe_class", "required_m", "distance_m", "deficit_m",
                                       "enc_area_m2", "basis"])


# ---------------------------------------------------------------- verdict rules

def test_columns_and_unchanged_without_findings_is_no_case():
    r = reg({"change": ["unchanged", "new"]})
    assert list(r.cases.columns) == list(REGISTER_COLUMNS)
    assert list(r.cases.bld_fid) == [2]
    assert len(r.geoms) == 1 and r.geoms[0].equals(box(100, 0))
    c = r.cases.iloc[0]
    assert (c.status, c.check_result, c.remarks, c.gone) == ("待核查", "", "", False)
    assert (c.first_seen, c.last_run) == (RUN, RUN)
    assert (c.x, c.y, c.area_m2) == (105.0, 5.0, 100.0)


def test_built_on_control_line_is_demolition_candidate():
    r = reg({"change": ["new", "expanded", "rebuilt"]},
            hits=hits_df([(1, "red", 7, "人民路", 20.0, "inside"), (2, "water_source", 8, "一级保护区", 30.0, "inside"),
                          (3, "blue", 9, "南汀河", 12.5, "inside")]))
    for f in (1, 2, 3):
        assert by_fid(r, f).verdict == "拆除候选"
    c = by_fid(r, 1)
    assert c.findings == "new;red:inside"
    assert c.rule_ids == "change;line_inside"
    assert (c.line_types, c.zones, c.enc_area_m2) == ("red", "人民路", 20.0)
    assert "第六十四条" in c.basis and "第四十条" in c.basis  # every finding's basis, not just the worst
    assert "道路红线" in c.basis and c.basis.count("；") >= 1
    assert c.priority == pytest.approx(500 + 99 * 100 / 1000)


def test_existing_on_control_line_is_legacy():
    r = reg({"change": ["unchanged", "split"]},
            hits=hits_df([(1, "green", 7, "公园", 40.0, "inside"), (2, "red", 8, "", 5.0, "inside")]))
    assert list(r.cases.verdict) == ["历史存量", "历史存量"]
    assert by_fid(r, 1).findings == "green:inside"
    assert by_fid(r, 2).zones == "8"  # zone fid when the zone has no name


def test_setback_band_is_rectify_and_small_is_verify():
    r = reg({"change": ["new", "new"]},
            hits=hits_df([(1, "red", 7, "", 20.0, "setback"), (2, "red", 8, "", 0.5, "inside")]))
    assert by_fid(r, 1).verdict == "限期整改"
    assert by_fid(r, 1).findings == "new;red:setback"
    assert by_fid(r, 2).verdict == "待核查"


def test_pipe_breach_verdicts():
    r = reg({"change": ["new", "new", "unchanged", "new"]},
            breaches=breach_df([(1, "gas", "medium_b", 1.0, 0.2, 0.8, 5.0, "GB 50028"),
                                (2, "telecom", "duct", 1.5, 0.5, 1.0, 5.0, "GB 50289"),
                                (3, "sewer", "", 2.5, 1.0, 1.5, 8.0, "GB 50289"),
                                (4, "gas", "low", 0.7, 0.6, 0.1, 2.0, "GB 50028"),
                                (4, "water", "", 1.0, 0.4, 0.6, 3.0, "GB 50289")]))
    assert by_fid(r, 1).verdict == "拆除候选"
    assert by_fid(r, 2).verdict == "限期整改"
    assert by_fid(r, 3).verdict == "历史存量"
    c = by_fid(r, 4)
    assert c.verdict == "拆除候选"  # water breach 0.6 m; the gas one is small
    assert c.findings == "new;pipe:gas;pipe:water"
    assert (c.pipe_kinds, c.min_clearance_m, c.required_m) == ("gas;water", 0.4, 1.0)
    assert "GB 50028" in c.basis and "GB 50289" in c.basis


def test_low_confidence_change_is_never_demolition_candidate_on_its_own():
    r = reg({"change": ["expanded", "expanded", "expanded"], "confidence": ["low", "low", "medium"],
             "conf_reason": ["noise", "prev_repaired", ""]},
            hits=hits_df([(2, "red", 7, "", 20.0, "inside")]),
            breaches=breach_df([(3, "gas", "low", 0.7, 0.0, 0.7, 5.0, "GB 50028")]))
    c1 = by_fid(r, 1)
    assert (c1.verdict, c1.findings, c1.rule_ids, c1.conf_reason) == ("待核查", "expanded", "change_low", "noise")
    assert by_fid(r, 2).verdict == "待核查"  # on a red line, but the change may be outline noise
    assert by_fid(r, 2).rule_ids == "change_low;line_built_low"
    assert by_fid(r, 3).verdict == "拆除候选"  # medium confidence is enough with a breach


def test_without_epoch_comparison_control_line_is_candidate(rules):
    g = np.array([box(0, 0), box(50, 0)], dtype=object)
    r = build_register([1, 2], g, hits=hits_df([(1, "blue", 1, "", 20.0, None)]), run_date=RUN, rules=rules)
    assert list(r.cases.bld_fid) == [1]
    c = r.cases.iloc[0]
    assert (c.verdict, c.change, c.findings) == ("拆除候选", "", "blue:inside")


def test_compound_permits_and_expired_temporary():
    geoms = np.array([box(0, 0), box(20, 0), box(40, 0), box(200, 0), box(220, 0), box(400, 0)], dtype=object)
    compound = box(-5, -5, 70, 30)  # holds 1..3
    permits = np.array([box(18, -2, 14, 14), box(198, -2, 14, 14), box(218, -2, 14, 14)], dtype=object)
    r = reg({"change": ["new", "new", "unchanged", "new", "unchanged", "new"],
             "confidence": ["high", "high", "", "high", "", "low"]}, geoms=geoms,
            compounds=[compound], permits=permits, permit_nos=["建字001", "临建002", "临建003"],
            permit_kinds=["permanent", "temporary", "temporary"], permit_expiry=[None, "2025-01-01", "2023-12-31"])
    ids = set(r.cases.bld_fid)
    assert 2 not in ids  # new, inside a permanent permit: no case for the change alone
    assert 3 not in ids  # unchanged in a compound: not a compound case
    assert 4 not in ids  # temporary permit still valid
    c1 = by_fid(r, 1)
    assert (c1.verdict, c1.findings, bool(c1.in_compound)) == ("拆除候选", "new;compound;no_permit", True)
    assert "住宅小区内的违法建筑" in c1.basis
    c5 = by_fid(r, 5)
    assert (c5.verdict, c5.findings, c5.permit_no) == ("超期临时建筑", "temp_expired", "临建003")
    assert "第六十六条" in c5.basis
    c6 = by_fid(r, 6)
    assert (c6.verdict, c6.findings) == ("待核查", "new;no_permit")
    assert r.stats["changes_permitted"] == 2
    assert r.stats["verdicts"] == {"拆除候选": 1, "超期临时建筑": 1, "待核查": 1}


def test_district_and_ids_from_representative_point():
    geoms = np.array([box(0, 0), box(100, 0), box(300, 0)], dtype=object)
    d = [box(-50, -50, 150, 100), box(100 - 1e-9, -50, 150, 100)]
    r = reg({"change": ["new", "new", "new"], "growth_m2": [100, 100, 100]}, geoms=geoms, districts=d,
            district_codes=["530902001", "530921000"], district_names=["临翔区", "凤庆县"])
    assert by_fid(r, 1).district_code == "530902001" and by_fid(r, 1).district == "临翔区"
    assert by_fid(r, 2).district_code == "530921000"
    assert by_fid(r, 3).district_code == NO_DISTRICT and by_fid(r, 3).district == ""
    assert sorted(r.cases.case_id) == ["000000000-2024-0001", "530902001-2024-0001", "530921000-2024-0001"]


def test_verdict_thresholds_are_data(tmp_path):
    p = tmp_path / "local.toml"
    p.write_text('[verdict.change]\nverdict = "限期整改"\n[level.rectify]\npriority = 450\n'
                 '[register]\npriority_area_weight = 0.0\n', encoding="utf-8")
    r = reg({"change": ["new"]}, rules=load_rules(p))
    assert (r.cases.verdict[0], r.cases.priority[0]) == ("限期整改", 450.0)


def test_unknown_building_fids_are_counted():
    r = reg({"change": ["unchanged"]}, hits=hits_df([(99, "red", 1, "", 20.0, "inside")]))
    assert len(r.cases) == 0 and r.stats["unknown_fids"]["hits"] == 1


# ---------------------------------------------------------------- ids

def test_id_scheme():
    ids = new_case_ids(["530902001", "530902001", "530921000"], 2023,
                       used_ids=["530902001-2023-0006", "530902001-2022-0040", "junk", None])
    assert list(ids) == ["530902001-2023-0007", "530902001-2023-0008", "530921000-2023-0001"]
    p = parse_case_ids(["530902001-2023-0007", "x-1", "000000000-2024-12345"])
    assert list(p.prefix) == ["530902001-2023", "", "000000000-2024"]
    assert list(p.serial) == [7, -1, 12345]


def test_ids_numbered_by_priority_then_position():
    geoms = np.array([box(0, 0), box(100, 0), box(200, 0)], dtype=object)
    r = reg({"change": ["new", "new", "new"]}, geoms=geoms,
            hits=hits_df([(3, "red", 1, "", 20.0, "inside")]))
    assert list(r.cases.bld_fid) == [3, 1, 2]
    assert list(r.cases.case_id) == [f"{NO_DISTRICT}-2024-000{i}" for i in (1, 2, 3)]


# ---------------------------------------------------------------- merge

def _scene(shift=(0.0, 0.0), fid0=1, drop=(), add=()):
    xs = [0.0, 100.0, 200.0, 300.0]
    keep = [i for i in range(4) if i not in drop]
    geoms = [box(xs[i] + shift[0], shift[1], 12.0, 9.0) for i in keep] + [box(x, 50) for x in add]
    n = len(geoms)
    fids = np.arange(fid0, fid0 + n)[::-1]  # re-numbered and in another order
    ch = {"change": ["new"] * n}
    hits = hits_df([(fids[0], "red", 1, "", 20.0, "inside")])
    return reg(ch, geoms=np.array(geoms, dtype=object), fids=fids, hits=hits,
               districts=[box(-100, -100, 1000, 300)], district_codes=["530902001"])


def test_merge_keeps_work_marks_gone_and_continues_serial():
    first = _scene()
    prev = merge_previous(None, None, first.cases, first.geoms, RUN)
    assert prev.stats == {"previous": 0, "current": 4, "kept": 0, "new": 4, "gone": 0, "still_gone": 0, "revived": 0}
    p = prev.cases.copy()
    p["check_result"] = p["check_result"].astype(object)
    p.loc[0, "check_result"] = "属实，已立案"
    p.loc[0, "remarks"] = "=1+1"
    p.loc[0, "status"] = "已派遣"
    p["team_note"] = ["a", "b", "c", "d"]  # a column the team added
    id_of = dict(zip(np.round(p.x), p.case_id))
    # next run: re-surveyed (0.3 m shift), fids re-numbered, building at x=200 gone, one new building
    second = _scene(shift=(0.3, -0.3), fid0=501, drop=(2,), add=(600.0,))
    m = merge_previous(p, prev.geoms, second.cases, second.geoms, "2025-03-01")
    c = m.cases
    assert m.stats == {"previous": 4, "current": 4, "kept": 3, "new": 1, "gone": 1, "still_gone": 0, "revived": 0}
    assert len(c) == 5 and c.case_id.is_unique
    row0 = c[c.case_id == p.case_id[0]].iloc[0]
    assert (row0.check_result, row0.remarks, row0.status, row0.team_note) == ("属实，已立案", "=1+1", "已派遣", "a")
    assert row0.first_seen == RUN and row0.last_run == "2025-03-01" and not row0.gone
    for x0 in (0, 100, 300):
        r = c[np.isclose(c.x, x0 + 6.3)]
        assert len(r) == 1 and r.case_id.iloc[0] == id_of[x0 + 6]
        assert r.bld_fid.iloc[0] >= 501  # this run's values
    g = c[c.gone]
    assert list(g.case_id) == [id_of[206]] and g.verdict.iloc[0] == p.verdict[p.case_id == id_of[206]].iloc[0]
    assert g.last_run.iloc[0] == RUN and g.team_note.iloc[0] == p.team_note[p.case_id == id_of[206]].iloc[0]
    nw = c[c.first_seen == "2025-03-01"]
    assert list(nw.case_id) == ["530902001-2025-0001"] and nw.status.iloc[0] == "待核查"
    assert list(c.columns)[-1] == "team_note"
    assert len(m.geoms) == 5
    # a third run in the same year as the first: continues after the serials used, gone case included
    third = _scene(shift=(0.0, 0.3), drop=(2,), add=(600.0, 800.0))
    m3 = merge_previous(c, m.geoms, third.cases, third.geoms, "2024-12-01")
    assert m3.stats["still_gone"] == 1 and m3.stats["kept"] == 4 and m3.stats["new"] == 1
    assert "530902001-2024-0005" in set(m3.cases.case_id)
    assert m3.cases.case_id.is_unique


def test_merge_is_deterministic_and_revives():
    first = _scene()
    a = merge_previous(None, None, first.cases, first.geoms, RUN)
    gone = merge_previous(a.cases, a.geoms, first.cases.iloc[:0], first.geoms[:0], "2024-06-01")
    assert gone.stats["gone"] == 4 and gone.cases.gone.all()
    back = merge_previous(gone.cases, gone.geoms, first.cases, first.geoms, "2024-07-01")
    assert back.stats["revived"] == 4 and not back.cases.gone.any()
    assert list(back.cases.case_id) == list(a.cases.case_id)
    again = merge_previous(gone.cases, gone.geoms, first.cases, first.geoms, "2024-07-01")
    pd.testing.assert_frame_equal(back.cases, again.cases)


def test_match_cases_one_to_one_by_share():
    prev = np.array([box(0, 0), box(20, 0), None], dtype=object)
    cur = np.array([box(20.3, 0.3), box(0.3, -0.3), box(5, 0), box(500, 0)], dtype=object)
    p, c = match_cases(prev, cur)
    assert sorted(zip(p.tolist(), c.tolist())) == [(0, 1), (1, 0)]
