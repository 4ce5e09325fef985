"""The demolition-candidate register (拆除候选台账): cases, verdicts, stable ids.

Pure shapely 2 + numpy + pandas; no qgis import.  Returns facts (codes,
counts, numbers); every word of a verdict or a basis comes from the rules table
(``[verdict.*]``, ``[level.*]``, ``[register]`` in ``rules_default.toml``).

Findings (one building may have several; codes in column ``findings``)
-----------------------------------------------------------------------
==========================  ====================================================
code                        when
==========================  ====================================================
``new`` / ``expanded`` /    the building's change (compare_epochs) is in
``rebuilt`` / ...           ``[register] case_changes`` and no valid permit
                            covers it (a permitted change is no case by itself)
``<line>:<where>``          control-zone encroachment, e.g. ``red:inside``,
                            ``blue:setback`` (hits' optional ``where`` column;
                            default inside)
``pipe:<kind>``             pipe-clearance breach, e.g. ``pipe:gas``
``compound``                change in ``built_changes`` inside a residential
                            compound (share >= ``compound_min_share``), no
                            valid permit
``temp_expired``            covered by a temporary permit whose expiry date is
                            before the run date (超期临时建筑)
``no_permit``               permits given, change in ``no_permit_changes``, no
                            permit covers the building
==========================  ====================================================

A control-line or pipe finding that no ``[verdict.*]`` row takes (below every
row's ``min_enc_area_m2`` / ``min_deficit_m``) makes no case and no verdict: it
is listed (basis note :data:`BELOW_THRESHOLD_NOTE`) on a case that has other
findings, counted in ``stats["below_threshold"]``; other unmatched findings get 待核查.

"Covered by a permit": a permit parcel holds >= ``permit_min_share`` of the
footprint (the parcel with the largest share decides).  Each finding gets a
verdict from :meth:`.rules.Rules.verdicts` (its conditions may look at the
building's change and its confidence); the case verdict is the most severe one
by ``[level.*] rank``; ``basis`` lists every finding's label and basis (line /
pipe citation, then the verdict rule's basis), joined with
``[register] basis_separator``; ``priority = level priority +
priority_area_weight * min(area_m2, priority_area_cap_m2) / priority_area_cap_m2``.

Case ids
--------
``case_id = <district code>-<year of first detection>-<serial>``, e.g.
``530902001-2023-0007``: the code of the district holding the building's
representative point (:data:`NO_DISTRICT` when none), the year of the run that
first found the case, and a serial per (district, year) prefix, 4 digits
(more when a prefix passes 9999).  New cases of one run are numbered by
priority (highest first), then x, then y.  :func:`merge_previous` keeps the id
of every case that still exists and continues each prefix's serial after the
largest one ever used (gone cases included), so an id is never reused.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from .rules import LINE_TYPES, PIPE_FINDING, Rules, load_rules

NO_DISTRICT = "000000000"
STATUS_VALUES = ("待核查", "已派遣", "已处置", "已结案")
DEFAULT_STATUS = STATUS_VALUES[0]
#: columns filled by field teams: carried over by :func:`merge_previous`, never recomputed
TEAM_COLUMNS = ("status", "check_result", "remarks")
#: columns set when a case is first found and kept for ever
KEPT_COLUMNS = ("case_id", "first_seen")
REGISTER_COLUMNS = (
    "case_id", "district_code", "district", "x", "y", "lon", "lat", "area_m2", "change", "growth_m2", "floors",
    "epoch", "prev_epoch", "line_types", "zones", "enc_area_m2", "pipe_kinds", "min_clearance_m", "required_m",
    "in_compound", "permit_no", "basis", "verdict", "priority", "status", "check_result", "remarks", "first_seen",
    "last_run", "gone", "bld_fid", "confidence", "conf_reason", "findings", "rule_ids",
)
PERMIT_TEMPORARY, PERMIT_PERMANENT, PERMIT_UNKNOWN = "temporary", "permanent", "unknown"
# permit state per building
P_NA, P_NONE, P_VALID, P_EXPIRED = "n/a", "none", "valid", "temp_expired"
#: basis note of a finding below every verdict row's thresholds (listed, no verdict)
BELOW_THRESHOLD_NOTE = "低于判定阈值，不单独定性"
_ID_RE = re.compile(r"^(?P<prefix>.+-\d{4})-(?P<serial>\d+)$")


@dataclass
class RegisterResult:
    cases: pd.DataFrame  # REGISTER_COLUMNS, one row per case
    geoms: np.ndarray  # case footprints, aligned with cases
    stats: dict = field(default_factory=dict)


@dataclass
class MergeResult:
    cases: pd.DataFrame
    geoms: np.ndarray
    stats: dict = field(default_factory=dict)  # kept / new / gone / still_gone / previous / current


# --------------------------------------------------------------------------- helpers
def as_date(value) -> _dt.date:
    """A run date from date / datetime / "YYYY-MM-DD" / None (= today)."""
    if value is None:
        return _dt.date.today()
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    return pd.Timestamp(str(value)).date()


def parse_dates(values, n: int) -> np.ndarray:
    """Dates (datetime64[D]; NaT when missing/unreadable) from dates or YYYY-MM-DD text."""
    if values is None:
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    s = pd.to_datetime(pd.Series(_obj(values, n)), errors="coerce")
    return s.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")


def _isin(values, options) -> np.ndarray:
    """Hash-based isin for object arrays (np.isin sorts: slow on 10^6 strings)."""
    return pd.Series(np.asarray(values, dtype=object)).isin(list(options)).to_numpy()


def _text(values) -> np.ndarray:
    """Values as text ("" for None / NaN), as an object array."""
    s = pd.Series(np.asarray(values, dtype=object))
    return s.where(s.notna(), "").astype(str).to_numpy(dtype=object)


def _obj(values, n, default=""):
    if values is None:
        return np.full(n, default, dtype=object)
    a = np.asarray(values, dtype=object)
    return np.full(n, a.item(), dtype=object) if a.ndim == 0 else a


def expired_permits(permit_kinds, permit_expiry, n: int, run_date=None) -> np.ndarray:
    """Per permit: a temporary permit whose expiry date is before ``run_date`` (a building it covers gets the
    finding ``temp_expired``, whatever its change)."""
    pkind = _obj(permit_kinds, n, PERMIT_UNKNOWN)
    pexp = parse_dates(permit_expiry, n)
    return (pkind == PERMIT_TEMPORARY) & ~np.isnat(pexp) & (pexp < np.datetime64(as_date(run_date).isoformat(), "D"))


def finding_changes(rules: Rules | None = None) -> set:
    """The change classes that are a finding of their own (``[register] case_changes``, ``built_changes`` for
    compounds, ``no_permit_changes``): a building of any other class becomes a case only through a control-line
    hit, a pipe breach or an expired temporary permit (what the register's filtered read relies on)."""
    reg = (rules or load_rules()).register
    return {str(c) for key in ("case_changes", "built_changes", "no_permit_changes") for c in reg[key]}


def _best_cover(geoms, areas, rows, others, min_share):
    """For buildings ``rows``: index into ``others`` of the polygon covering the largest share (>= min_share).

    Returns (best other index or -1 per building in ``geoms``, share)."""
    n = len(geoms)
    best = np.full(n, -1, dtype=np.int64)
    share = np.zeros(n)
    if others is None or len(others) == 0 or len(rows) == 0:
        return best, share
    ok = ~(shapely.is_missing(others) | shapely.is_empty(others))
    oi = np.flatnonzero(ok)
    if len(oi) == 0:
        return best, share
    tree = shapely.STRtree(others[oi])
    qb, qo = tree.query(geoms[rows], predicate="intersects")
    if len(qb) == 0:
        return best, share
    b, o = rows[qb], oi[qo]
    inside = shapely.contains_properly(others[o], geoms[b])  # cheap exact answer for the common case
    sh = np.ones(len(b))
    part = np.flatnonzero(~inside)
    if len(part):
        with np.errstate(divide="ignore", invalid="ignore"):
            sh[part] = shapely.area(shapely.intersection(geoms[b[part]], others[o[part]])) / areas[b[part]]
    keep = sh >= min_share
    b, o, sh = b[keep], o[keep], sh[keep]
    order = np.lexsort((o, -sh, b))
    b, o, sh = b[order], o[order], sh[order]
    first = np.ones(len(b), dtype=bool)
    first[1:] = b[1:] != b[:-1]
    best[b[first]] = o[first]
    share[b[first]] = sh[first]
    return best, share


def _join_unique(df: pd.DataFrame, key: str, col: str, sep: str = ";") -> pd.Series:
    """Per key: the distinct non-empty values of col, in row order, joined (rows of one key contiguous)."""
    d = df[[key, col]]
    d = d[d[col].astype(str) != ""].drop_duplicates()
    if len(d) == 0:
        return pd.Series([], dtype=object)
    keys = d[key].to_numpy()
    vals = (sep + d[col].astype(str)).to_numpy(dtype=object)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    joined = np.add.reduceat(vals, starts)  # string concatenation per group, in C
    k = len(sep)
    return pd.Series([x[k:] for x in joined], index=keys[starts], dtype=object)


# --------------------------------------------------------------------------- register
def build_register(later_fids, later_geoms, *, changes: pd.DataFrame | None = None,
                   hits: pd.DataFrame | None = None, breaches: pd.DataFrame | None = None,
                   compounds=None, districts=None, district_codes=None, district_names=None,
                   permits=None, permit_nos=None, permit_kinds=None, permit_expiry=None,
                   floors=None, epoch: str = "", prev_epoch: str = "", run_date=None,
                   rules: Rules | None = None, no_district_code: str = NO_DISTRICT, _codes=None) -> RegisterResult:
    """Cases of one run: one row per later building with at least one finding.

    ``later_fids`` / ``later_geoms``: the later buildings (cleaned polygons, one
    projected CRS in metres; None = skipped).  ``changes``: compare_epochs'
    later table aligned with them (``change``, ``growth_m2``, ``floors_now``,
    optional ``confidence`` / ``conf_reason``), or None (change "unknown").
    ``hits``: controllines hits (``bld_fid``, ``line_type``, ``zone_fid``,
    ``zone_name``, ``enc_area``; optional ``where`` inside/setback).
    ``breaches``: pipe breaches (``bld_fid``, ``kind``, ``pipe_class``,
    ``required_m``, ``distance_m``, ``deficit_m``, ``enc_area_m2``, ``basis``).
    ``compounds``: polygons.  ``districts`` + ``district_codes`` /
    ``district_names``.  ``permits`` + ``permit_nos`` / ``permit_kinds``
    (temporary / permanent / unknown, already mapped) / ``permit_expiry``
    (dates or YYYY-MM-DD text).  ``floors``: later floors when ``changes`` has
    none.  ``run_date``: date (default today).  See the module doc.

    Case ids are provisional (serials from 1 per prefix): pass the result to
    :func:`merge_previous` to keep the ids of an earlier register.
    """
    rules = rules or load_rules()
    reg = rules.register
    run = as_date(run_date)
    run_s = run.isoformat()
    fids = np.asarray(later_fids).ravel()
    G = np.asarray(later_geoms, dtype=object).ravel()
    n = len(G)
    if len(fids) != n:
        raise ValueError("later_fids and later_geoms must have the same length")
    used = ~shapely.is_missing(G)
    used[used] = ~shapely.is_empty(G[used])
    area = np.zeros(n)
    area[used] = shapely.area(G[used])
    rp = np.full((n, 2), np.nan)
    rp[used] = shapely.get_coordinates(shapely.point_on_surface(G[used]))
    pos = pd.Index(fids)
    stats: dict = {"n_buildings": n, "n_skipped": int((~used).sum())}

    # ---- building attributes ------------------------------------------------
    if changes is not None:
        if len(changes) != n:
            raise ValueError("changes must be aligned with the later buildings")
        change = changes["change"].to_numpy(dtype=object)
        growth = changes["growth_m2"].to_numpy(dtype=float) if "growth_m2" in changes else np.full(n, np.nan)
        fl = changes["floors_now"].to_numpy(dtype=float) if "floors_now" in changes else None
        conf = changes["confidence"].fillna("").to_numpy(dtype=object) if "confidence" in changes \
            else np.full(n, "", dtype=object)
        creason = changes["conf_reason"].fillna("").to_numpy(dtype=object) if "conf_reason" in changes \
            else np.full(n, "", dtype=object)
    else:
        change = np.full(n, "unknown", dtype=object)
        growth = np.full(n, np.nan)
        fl = None
        conf = np.full(n, "", dtype=object)
        creason = np.full(n, "", dtype=object)
    if fl is None:
        fl = np.full(n, np.nan) if floors is None else pd.to_numeric(pd.Series(floors), errors="coerce").to_numpy(float)
    case_change = _isin(change, reg["case_changes"])
    built = _isin(change, reg["built_changes"])

    # ---- permits --------------------------------------------------------------
    pstate = np.full(n, P_NA, dtype=object)
    permit_no = np.full(n, "", dtype=object)
    if permits is not None:
        P = np.asarray(permits, dtype=object).ravel()
        m = len(P)
        pno = _obj(permit_nos, m)
        expired_p = expired_permits(permit_kinds, permit_expiry, m, run)
        best, _ = _best_cover(G, area, np.flatnonzero(used), P, float(reg["permit_min_share"]))
        pstate[:] = P_NONE
        cov = best >= 0
        bi = best[cov]
        expired = expired_p[bi]
        pstate[np.flatnonzero(cov)] = np.where(expired, P_EXPIRED, P_VALID)
        permit_no[cov] = _text(pno)[bi]
        stats["permit_covered"] = int(cov.sum())
        stats["permit_expired"] = int(expired.sum())
    permitted = pstate == P_VALID

    # ---- compounds --------------------------------------------------------------
    in_compound = np.zeros(n, dtype=bool)
    if compounds is not None:
        C = np.asarray(compounds, dtype=object).ravel()
        cand = np.flatnonzero(used & built & ~permitted)
        best, _ = _best_cover(G, area, cand, C, float(reg["compound_min_share"]))
        in_compound = best >= 0

    # ---- districts ----------------------------------------------------------------
    dcode = np.full(n, no_district_code, dtype=object)
    dname = np.full(n, "", dtype=object)
    if districts is not None:
        D = np.asarray(districts, dtype=object).ravel()
        codes = _text(_obj(district_codes, len(D), no_district_code))
        codes[codes == ""] = no_district_code
        names = _text(_obj(district_names, len(D)))
        ok = np.flatnonzero(~(shapely.is_missing(D) | shapely.is_empty(D)))
        ui = np.flatnonzero(used)
        if len(ok) and len(ui):
            # the tree over the points, each (prepared) district asks which it contains: the same pairs as
            # points "within" districts, without testing every point against a district's every vertex
            tree = shapely.STRtree(shapely.points(rp[ui]))
            qd, qp = tree.query(D[ok], predicate="contains")
            order = np.lexsort((ok[qd], qp))
            qp, qd = qp[order], ok[qd][order]
            first = np.ones(len(qp), dtype=bool)
            first[1:] = qp[1:] != qp[:-1]
            b = ui[qp[first]]
            dcode[b] = codes[qd[first]]
            dname[b] = names[qd[first]]

    # ---- findings (long table) --------------------------------------------------------
    parts = []
    ci = np.flatnonzero(case_change & ~permitted & used)
    stats["changes_permitted"] = int((case_change & permitted).sum())
    parts.append(pd.DataFrame({"b": ci, "cat": 0, "finding": change[ci], "code": change[ci]}))
    unknown = {}
    if hits is not None and len(hits):
        b = pos.get_indexer(hits["bld_fid"].to_numpy())
        unknown["hits"] = int((b < 0).sum())
        h = hits[b >= 0]
        b = b[b >= 0]
        lt = h["line_type"].to_numpy(dtype=object)
        where = h["where"].fillna("inside").to_numpy(dtype=object) if "where" in h else np.full(len(h), "inside",
                                                                                                  dtype=object)
        zn = h["zone_name"].fillna("").astype(str).to_numpy(dtype=object) if "zone_name" in h \
            else np.full(len(h), "", dtype=object)
        zf = h["zone_fid"].astype(str).to_numpy(dtype=object) if "zone_fid" in h else np.full(len(h), "", dtype=object)
        zone = np.where(zn != "", zn, zf)
        lbasis = {t: rules.basis(t) for t in LINE_TYPES}
        llabel = {t: rules.line_label(t) for t in LINE_TYPES}
        parts.append(pd.DataFrame({
            "b": b, "cat": 1, "finding": lt, "code": lt + ":" + where, "where": where,
            "area": h["enc_area"].to_numpy(dtype=float), "zone": zone, "zkey": lt + "|" + zf,
            "fbasis": pd.Series(lt).map(lbasis).to_numpy(dtype=object),
            "flabel": pd.Series(lt).map(llabel).to_numpy(dtype=object)}))
    if breaches is not None and len(breaches):
        b = pos.get_indexer(breaches["bld_fid"].to_numpy())
        unknown["breaches"] = int((b < 0).sum())
        br = breaches[b >= 0]
        b = b[b >= 0]
        kind = br["kind"].fillna("").astype(str).to_numpy(dtype=object)
        parts.append(pd.DataFrame({
            "b": b, "cat": 2, "finding": PIPE_FINDING, "code": "pipe:" + kind, "pipe_kind": kind,
            "area": br["enc_area_m2"].to_numpy(dtype=float) if "enc_area_m2" in br else np.nan,
            "deficit": br["deficit_m"].to_numpy(dtype=float),
            "distance": br["distance_m"].to_numpy(dtype=float), "required": br["required_m"].to_numpy(dtype=float),
            "fbasis": br["basis"].fillna("").astype(str).to_numpy(dtype=object) if "basis" in br else "",
            "flabel": pd.Series(kind).map(rules.kind_label).to_numpy(dtype=object)}))
    cb = np.flatnonzero(in_compound)
    parts.append(pd.DataFrame({"b": cb, "cat": 3, "finding": "compound", "code": "compound"}))
    tb = np.flatnonzero(pstate == P_EXPIRED)
    parts.append(pd.DataFrame({"b": tb, "cat": 4, "finding": "temp_expired", "code": "temp_expired"}))
    nb = np.flatnonzero((pstate == P_NONE) & _isin(change, reg["no_permit_changes"]) & used)
    parts.append(pd.DataFrame({"b": nb, "cat": 5, "finding": "no_permit", "code": "no_permit"}))
    F = pd.concat(parts, ignore_index=True)
    for col, default in (("where", "inside"), ("pipe_kind", ""), ("zone", ""), ("zkey", ""), ("fbasis", ""),
                         ("flabel", ""), ("area", np.nan), ("deficit", np.nan), ("distance", np.nan),
                         ("required", np.nan)):
        if col not in F:
            F[col] = default
        F[col] = F[col].fillna(default) if not isinstance(default, float) else F[col]
    stats["unknown_fids"] = unknown
    F["b"] = F["b"].astype(np.int64)
    F = F.sort_values(["b", "cat", "code", "zone"], kind="stable").reset_index(drop=True)
    bb = F["b"].to_numpy()

    # ---- verdict per finding ----------------------------------------------------------
    v, vbasis, rid = rules.verdicts(F["finding"].to_numpy(dtype=object), where=F["where"].to_numpy(dtype=object),
                                    pipe_kind=F["pipe_kind"].to_numpy(dtype=object),
                                    enc_area_m2=F["area"].to_numpy(dtype=float),
                                    deficit_m=F["deficit"].to_numpy(dtype=float), change=change[bb],
                                    confidence=conf[bb])
    F["verdict"], F["rule_id"] = v, rid
    # a control-line or pipe finding that no verdict row takes is below every row's thresholds (a sliver, a
    # clearance deficit within survey noise): listed on a case that has other findings, but it makes no case
    # and no verdict on its own (else the catch-all 待核查 of a 0.05 m deficit would outrank the 历史存量 of a
    # 0.5 m one)
    below = F["cat"].isin((1, 2)).to_numpy() & (np.asarray(rid, dtype=object) == "")
    stats["below_threshold"] = int(below.sum())
    vbasis = np.asarray(vbasis, dtype=object)
    if below.any():
        only_below = pd.Series(below).groupby(F["b"].to_numpy()).all()
        drop = np.isin(F["b"].to_numpy(), only_below.index[only_below.to_numpy()])
        stats["below_threshold_buildings"] = int(only_below.sum())
        keep = ~drop
        F = F[keep].reset_index(drop=True)
        bb, below, vbasis, rid = bb[keep], below[keep], vbasis[keep], np.asarray(rid, dtype=object)[keep]
        v = np.where(below, "", np.asarray(v, dtype=object)[keep])
        vbasis = np.where(below, BELOW_THRESHOLD_NOTE, vbasis)
        F["verdict"], F["rule_id"] = v, rid
    F["rank"] = rules.verdict_rank(v)
    if below.any():
        F.loc[below, "rank"] = np.iinfo(np.int32).max
    rlabel = {r.id: r.label for r in rules.verdict_rules}
    lab = F["flabel"].to_numpy(dtype=object)
    rl = pd.Series(rid).map(rlabel).fillna("").to_numpy(dtype=object)
    lab = np.where(lab == "", rl, lab)
    lab = np.where(lab == "", F["code"].to_numpy(dtype=object), lab)
    F["entry"] = _entries(lab, F["fbasis"].to_numpy(dtype=object), np.asarray(vbasis, dtype=object))

    # ---- per case -------------------------------------------------------------------------
    sep = str(reg["basis_separator"])
    bidx = np.unique(bb)
    k = len(bidx)
    g = F.groupby("b", sort=True)
    worst = g["rank"].min().reindex(bidx).to_numpy()
    order_levels = {lv.rank: lv for lv in rules.levels.values()}
    verdict = np.array([order_levels[r].verdict if r in order_levels else "" for r in worst], dtype=object)
    base = np.array([order_levels[r].priority if r in order_levels else 0.0 for r in worst], dtype=float)
    cap = max(float(reg["priority_area_cap_m2"]), 1e-9)
    priority = np.round(base + float(reg["priority_area_weight"]) * np.minimum(area[bidx], cap) / cap, 1)

    def joined(col, sep_=";"):
        return _shared(_join_unique(F, "b", col, sep_).reindex(bidx).fillna("").to_numpy(dtype=object))

    L_ = F[F["cat"] == 1]
    line_types = joined_sub(L_, "finding", bidx)
    zones = joined_sub(L_, "zone", bidx)
    enc = L_.drop_duplicates(["b", "zkey"]).groupby("b")["area"].sum().reindex(bidx).to_numpy()
    P_ = F[F["cat"] == 2]
    pipe_kinds = joined_sub(P_, "pipe_kind", bidx)
    if len(P_):
        pmin = P_.sort_values(["b", "distance", "required"], ascending=[True, True, False]).drop_duplicates("b")
        pmin = pmin.set_index("b").reindex(bidx)
        min_cl, req = pmin["distance"].to_numpy(dtype=float), pmin["required"].to_numpy(dtype=float)
    else:
        min_cl = req = np.full(k, np.nan)

    cases = pd.DataFrame({
        "case_id": "", "district_code": dcode[bidx], "district": dname[bidx],
        "x": rp[bidx, 0], "y": rp[bidx, 1], "lon": np.nan, "lat": np.nan,
        "area_m2": np.round(area[bidx], 2), "change": change[bidx], "growth_m2": growth[bidx], "floors": fl[bidx],
        "epoch": str(epoch), "prev_epoch": str(prev_epoch),
        "line_types": line_types, "zones": zones, "enc_area_m2": enc,
        "pipe_kinds": pipe_kinds, "min_clearance_m": min_cl, "required_m": req,
        "in_compound": in_compound[bidx], "permit_no": permit_no[bidx],
        "basis": joined("entry", sep), "verdict": verdict, "priority": priority,
        "status": DEFAULT_STATUS, "check_result": "", "remarks": "",
        "first_seen": run_s, "last_run": run_s, "gone": False,
        "bld_fid": fids[bidx], "confidence": conf[bidx], "conf_reason": creason[bidx],
        "findings": joined("code"), "rule_ids": joined("rule_id"),
    }, columns=list(REGISTER_COLUMNS))
    cases["change"] = cases["change"].replace("unknown", "")
    geoms = G[bidx]
    # provisional ids, numbered per prefix by priority, x, y
    o = np.lexsort((cases["y"].to_numpy(), cases["x"].to_numpy(), -cases["priority"].to_numpy()))
    cases, geoms = cases.iloc[o].reset_index(drop=True), geoms[o]
    cases["case_id"] = new_case_ids(cases["district_code"].to_numpy(dtype=object), run.year)
    stats["n_cases"] = k
    stats["verdicts"] = {vv: int((verdict == vv).sum()) for vv in rules.verdict_order() if (verdict == vv).any()}
    codes = F.drop_duplicates(["b", "code"])["code"]
    stats["findings"] = {str(c): int(x) for c, x in codes.value_counts().items()}
    if _codes is not None:   # build_register_chunked: the findings of every chunk, counted once at the end
        _codes.append(codes.to_numpy(dtype=object))
    return RegisterResult(cases=cases, geoms=geoms, stats=stats)


def _shared(values: np.ndarray) -> np.ndarray:
    """The same texts, equal ones one object (the cases' basis, findings ... repeat: 10^6 cases at province
    scale hold a few thousand distinct ones)."""
    if len(values) == 0:
        return values
    codes, uniq = pd.factorize(values)
    return np.asarray(uniq, dtype=object)[codes]


def _entries(lab, fb, vb) -> np.ndarray:
    """Per finding: ``lab：fb，vb`` (``lab：vb`` without a finding basis ``fb`` or when it is ``vb``), made once per
    distinct (lab, fb, vb): the rows share those few strings (millions of findings at province scale)."""
    n = len(lab)
    if n == 0:
        return np.array([], dtype=object)
    codes = np.column_stack([pd.factorize(pd.Series(a, dtype=object))[0] for a in (lab, fb, vb)])
    _uniq, first, inv = np.unique(codes, axis=0, return_index=True, return_inverse=True)
    lab, fb, vb = lab[first], fb[first], vb[first]
    both = np.where((fb != "") & (fb != vb), fb + "，" + vb, vb)
    return (lab + "：" + both).astype(object)[np.asarray(inv).ravel()]


def joined_sub(df: pd.DataFrame, col: str, bidx) -> np.ndarray:
    if len(df) == 0:
        return np.full(len(bidx), "", dtype=object)
    return _shared(_join_unique(df, "b", col).reindex(bidx).fillna("").to_numpy(dtype=object))


# --------------------------------------------------------------------------- ids
def format_case_id(district_code: str, year: int, serial: int) -> str:
    return f"{district_code}-{int(year):04d}-{int(serial):04d}"


def parse_case_ids(ids) -> pd.DataFrame:
    """prefix ("<code>-<year>") and serial per id (serial -1 / prefix "" when not in the scheme)."""
    s = pd.Series(np.asarray(ids, dtype=object)).fillna("").astype(str)
    m = s.str.extract(_ID_RE)
    return pd.DataFrame({"prefix": m["prefix"].fillna(""),
                         "serial": pd.to_numeric(m["serial"], errors="coerce").fillna(-1).astype(np.int64)})


def new_case_ids(district_codes, year: int, used_ids=()) -> np.ndarray:
    """Ids for new cases (in the given order), continuing each prefix after the largest serial in ``used_ids``."""
    codes = np.asarray(district_codes, dtype=object)
    if len(codes) == 0:
        return np.array([], dtype=object)
    prefix = pd.Series([f"{c}-{int(year):04d}" for c in codes])
    last = parse_case_ids(list(used_ids))
    last = last[last["serial"] >= 0].groupby("prefix")["serial"].max()
    start = prefix.map(last).fillna(0).astype(np.int64).to_numpy()
    serial = start + prefix.groupby(prefix).cumcount().to_numpy() + 1
    return np.array([f"{p}-{s:04d}" for p, s in zip(prefix, serial)], dtype=object)


# --------------------------------------------------------------------------- merge
def match_cases(prev_geoms, cur_geoms, min_share: float = 0.5):
    """One-to-one matches (prev index, current index) by overlap share = intersection / min(area).

    Greedy by descending share (ties: lower current index, then lower previous
    index), vectorised in rounds.  Robust to re-numbered fids and to re-survey
    shifts (a 0.3 m shift of a 10 m house keeps a share > 0.9).
    """
    Pg = np.asarray(prev_geoms, dtype=object).ravel()
    Cg = np.asarray(cur_geoms, dtype=object).ravel()
    empty = (np.array([], dtype=np.int64), np.array([], dtype=np.int64))
    okp = np.flatnonzero(~(shapely.is_missing(Pg) | shapely.is_empty(Pg)))
    okc = np.flatnonzero(~(shapely.is_missing(Cg) | shapely.is_empty(Cg)))
    if len(okp) == 0 or len(okc) == 0:
        return empty
    tree = shapely.STRtree(Pg[okp])
    qc, qp = tree.query(Cg[okc], predicate="intersects")
    c, p = okc[qc], okp[qp]
    if len(c) == 0:
        return empty
    inter = shapely.area(shapely.intersection(Pg[p], Cg[c]))
    amin = np.minimum(shapely.area(Pg[p]), shapely.area(Cg[c]))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(amin > 0, inter / amin, 0.0)
    keep = share >= min_share
    c, p, share = c[keep], p[keep], share[keep]
    order = np.lexsort((p, c, -np.round(share, 9)))
    c, p = c[order], p[order]
    out_p, out_c = [], []
    while len(c):
        # a pair is taken when it is the best remaining pair of both its ends
        fc = ~pd.Series(c).duplicated().to_numpy()
        fp = ~pd.Series(p).duplicated().to_numpy()
        take = fc & fp
        out_p.append(p[take])
        out_c.append(c[take])
        rest = ~np.isin(c, c[take]) & ~np.isin(p, p[take])
        c, p = c[rest], p[rest]
    return np.concatenate(out_p), np.concatenate(out_c)


def merge_previous(previous_df: pd.DataFrame | None, previous_geoms, current_df: pd.DataFrame, current_geoms,
                   run_date=None, *, min_share: float = 0.5) -> MergeResult:
    """Merge this run's cases into an earlier register without losing work.

    * A current case overlapping a previous one (intersection / smaller area
      >= ``min_share``, one-to-one) keeps the previous ``case_id`` and
      ``first_seen``; the team's columns (:data:`TEAM_COLUMNS`) and every
      column of the previous register this run does not produce are carried
      over untouched; the computed columns (verdict, basis, findings, ...) and
      the geometry are this run's; ``gone`` = False, ``last_run`` = run date.
    * A previous case with no current match is kept as it was (verdict, basis,
      team columns, geometry) and marked ``gone`` = True; ``last_run`` stays
      the last run that found it.
    * A new case gets ``first_seen`` = run date and the next serial of its
      (district, run year) prefix after the largest serial used in the previous
      register (gone cases included).

    Rows are returned sorted by case_id.  stats: previous, current, kept, new,
    gone (newly gone), still_gone (gone before and still not found), revived.
    """
    run_s = as_date(run_date).isoformat()
    year = as_date(run_date).year
    cur = current_df.reset_index(drop=True).copy()
    Cg = np.asarray(current_geoms, dtype=object).ravel()
    if previous_df is None or len(previous_df) == 0:
        prev = pd.DataFrame(columns=list(cur.columns))
        Pg = np.array([], dtype=object)
    else:
        prev = previous_df.reset_index(drop=True).copy()
        Pg = np.asarray(previous_geoms, dtype=object).ravel()
    if len(Pg) != len(prev) or len(Cg) != len(cur):
        raise ValueError("geometries must be aligned with their DataFrames")
    mp, mc = match_cases(Pg, Cg, min_share) if len(prev) and len(cur) else (np.array([], np.int64),) * 2
    extra = [c for c in prev.columns if c not in cur.columns]
    columns = list(cur.columns) + extra
    was_gone = prev["gone"].fillna(False).astype(bool).to_numpy() if "gone" in prev else np.zeros(len(prev), bool)

    # kept: current computed values + previous ids / team columns / extras
    kept = cur.iloc[mc].copy()
    kept.index = mp
    keep_cols = [c for c in list(KEPT_COLUMNS) + list(TEAM_COLUMNS) + extra if c in prev.columns]
    for c in keep_cols:
        kept[c] = prev[c].iloc[mp].to_numpy()
    kept["gone"] = False
    kept["last_run"] = run_s
    kept_g = Cg[mc]

    # gone: previous rows as they were
    gi = np.setdiff1d(np.arange(len(prev)), mp)
    gone = prev.iloc[gi].copy()
    gone["gone"] = True
    gone_g = Pg[gi]

    # new
    ni = np.setdiff1d(np.arange(len(cur)), mc)
    new = cur.iloc[ni].copy()
    used_ids = prev["case_id"].tolist() if "case_id" in prev else []
    new["case_id"] = new_case_ids(new["district_code"].to_numpy(dtype=object), year, used_ids)
    new["first_seen"] = run_s
    new["last_run"] = run_s
    new["gone"] = False
    for c in TEAM_COLUMNS:
        if c in new:
            new[c] = DEFAULT_STATUS if c == "status" else ""
    new_g = Cg[ni]

    frames = [f.reindex(columns=columns) for f in (kept, gone, new) if len(f)]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    geoms = np.concatenate([kept_g, gone_g, new_g]) if len(out) else np.array([], dtype=object)
    if "status" in out:
        out["status"] = out["status"].fillna(DEFAULT_STATUS).replace("", DEFAULT_STATUS)
    out["gone"] = out["gone"].astype(bool)
    o = np.argsort(out["case_id"].astype(str).to_numpy(), kind="stable")
    out, geoms = out.iloc[o].reset_index(drop=True), geoms[o]
    stats = {"previous": len(prev), "current": len(cur), "kept": len(mp), "new": len(ni),
             "gone": int((~was_gone[gi]).sum()), "still_gone": int(was_gone[gi].sum()),
             "revived": int(was_gone[mp].sum())}
    return MergeResult(cases=out, geoms=geoms, stats=stats)


def build_register_chunked(later_fids, later_geoms, *, changes: pd.DataFrame | None = None,
                           hits: pd.DataFrame | None = None, breaches: pd.DataFrame | None = None,
                           floors=None, chunk_rows: int = 500_000, run_date=None, rules: Rules | None = None,
                           **kw) -> RegisterResult:
    """:func:`build_register` over ``chunk_rows`` buildings at a time (in their order), the same result: a
    building's findings, verdict and columns depend only on itself and the context layers; the provisional ids
    are given over all the cases at the end (same order: priority, x, y, then the buildings' order).  Its working
    memory is a chunk's (10^6 cases of a province held ~5 GB more in one piece)."""
    fids = np.asarray(later_fids).ravel()
    G = np.asarray(later_geoms, dtype=object).ravel()
    n = len(G)
    if n <= chunk_rows:
        return build_register(fids, G, changes=changes, hits=hits, breaches=breaches, floors=floors,
                              run_date=run_date, rules=rules, **kw)
    rules = rules or load_rules()
    run = as_date(run_date)
    parts, geoms, codes = [], [], []
    stats: dict = {}
    for k in range(0, n, chunk_rows):
        sl = slice(k, min(n, k + chunk_rows))
        keys = fids[sl]

        def rows(t, keys=keys):
            return None if t is None or not len(t) else t[t["bld_fid"].isin(keys)].reset_index(drop=True)

        r = build_register(keys, G[sl], changes=None if changes is None else changes.iloc[sl].reset_index(drop=True),
                           hits=rows(hits), breaches=rows(breaches),
                           floors=None if floors is None else np.asarray(floors, dtype=object)[sl],
                           run_date=run, rules=rules, _codes=codes, **kw)
        if len(r.cases):
            parts.append(r.cases)
            geoms.append(r.geoms)
        for key, v in r.stats.items():
            if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
                stats[key] = stats.get(key, 0) + int(v)
    cases = pd.concat(parts, ignore_index=True) if parts else r.cases
    geoms = np.concatenate(geoms) if geoms else r.geoms
    # the whole run's order and provisional ids
    pos = pd.Index(fids).get_indexer(cases["bld_fid"].to_numpy())
    o = np.lexsort((pos, cases["y"].to_numpy(), cases["x"].to_numpy(), -cases["priority"].to_numpy()))
    cases, geoms = cases.iloc[o].reset_index(drop=True), geoms[o]
    cases["case_id"] = new_case_ids(cases["district_code"].to_numpy(dtype=object), run.year)
    unknown = {}
    for what, t in (("hits", hits), ("breaches", breaches)):
        if t is not None and len(t):
            unknown[what] = int((~t["bld_fid"].isin(fids)).sum())
    stats["unknown_fids"] = unknown
    verdict = cases["verdict"].to_numpy(dtype=object)
    stats["verdicts"] = {vv: int((verdict == vv).sum()) for vv in rules.verdict_order() if (verdict == vv).any()}
    code = pd.Series(np.concatenate(codes) if codes else np.array([], dtype=object), dtype=object)
    stats["findings"] = {str(c): int(x) for c, x in code.value_counts().items()}
    return RegisterResult(cases=cases, geoms=geoms, stats=stats)
