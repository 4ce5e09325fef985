"""Confidence of an epoch change (变化可信度): high / medium / low.

Re-digitised outlines of unchanged buildings differ by 5-20 % of their area on
real re-surveys, so a "growth" of a few m² may be outline noise.  The noise is
measured on the data itself and every change is graded against it.

Noise level
-----------
:func:`noise_ratio`: the ``quantile`` (default 0.9) of ``|area_now/area_prev - 1|``
over the 1-1 matched pairs (unchanged, floors_added, expanded,
expanded+floors_added; not rebuilt).  Real changes are a few per cent of the
pairs, so a high quantile of *all* matched pairs measures the outline noise and
is not truncated at the growth threshold (taking only the pairs classified
unchanged would be: noisy pairs above the threshold become "expanded").
Fewer than ``min_pairs`` pairs: the noise level is unknown (NaN) and only the
per-feature accuracy and the repaired-outline rule grade the changes.

Grading (:func:`grade`)
-----------------------
Per feature the expected area noise (m²) is the larger of

* ``noise_ratio * area_prev`` (observed between the two epochs), and
* ``4 * sqrt(area_prev) * sqrt(acc_prev² + acc_now²)`` where per-feature
  accuracies (metres, ACCURACY_FIELD) are given: outline length (a square of
  that area) times the combined positional error.

``score = growth_m2 / noise_m2``: ``>= high_factor`` (3) → high,
``>= medium_factor`` (1.5) → medium, below → low with reason ``noise`` (or
``accuracy`` when the accuracy term is the larger one).  A growth-based change
measured against an earlier outline that had to be repaired (an imagery
bow-tie loses area in the repair, so its successor looks expanded) is low with
reason ``prev_repaired``.  ``new`` and ``floors_added`` (an attribute) are high;
no noise information at all → high for every change.  Rows that are not
changes (unchanged, skipped, duplicate, and split pieces without growth) get "".

Reason codes (column ``conf_reason``): "" / ``noise`` / ``accuracy`` /
``prev_repaired``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

HIGH, MEDIUM, LOW = "high", "medium", "low"
CONFIDENCES = (HIGH, MEDIUM, LOW)
REASON_NOISE, REASON_ACCURACY, REASON_REPAIRED = "noise", "accuracy", "prev_repaired"

CONFIDENCE_DEFAULTS = {
    "noise_quantile": 0.9,
    "high_factor": 3.0,
    "medium_factor": 1.5,
    "min_pairs": 20,
}

#: changes graded by their growth against the noise
GROWTH_CHANGES = ("expanded", "expanded+floors_added", "rebuilt", "split", "merged")
#: changes that are high whatever the noise (no area measurement involved)
SURE_CHANGES = ("new", "floors_added")
#: 1-1 pairs whose area ratios measure the outline noise
NOISE_PAIR_CHANGES = ("unchanged", "floors_added", "expanded", "expanded+floors_added")


def _isin(values, choices) -> np.ndarray:
    """``np.isin(values, choices)`` for an object column of a few distinct strings, by hashing (one pass
    instead of one comparison pass per choice)."""
    return pd.Series(np.asarray(values, dtype=object), dtype=object, copy=False).isin(list(choices)).to_numpy(bool)


def _single_ids(prev) -> tuple[np.ndarray, bool]:
    """For ";"-joined id lists (object array): which entries are a single id (no ";"), and whether every
    entry is a ``str`` (else the callers take the general text path)."""
    if pd.api.types.infer_dtype(prev, skipna=False) != "string":
        return np.zeros(len(prev), dtype=bool), False
    return np.fromiter((";" not in x for x in prev.tolist()), dtype=bool, count=len(prev)), True


def noise_ratio(change, area_prev, area_now, *, quantile: float = CONFIDENCE_DEFAULTS["noise_quantile"],
                min_pairs: int = CONFIDENCE_DEFAULTS["min_pairs"], prev_repaired=None) -> tuple[float, int]:
    """Observed outline noise: (quantile of |area_now/area_prev - 1| over 1-1 pairs, number of pairs).

    Pairs whose earlier outline was repaired (``prev_repaired``) are left out.
    NaN when fewer than ``min_pairs`` pairs.
    """
    change = np.asarray(change, dtype=object)
    ap = np.asarray(area_prev, dtype=float)
    an = np.asarray(area_now, dtype=float)
    m = _isin(change, NOISE_PAIR_CHANGES) & (ap > 0) & np.isfinite(an)
    if prev_repaired is not None:
        m &= ~np.asarray(prev_repaired, dtype=bool)
    k = int(m.sum())
    if k < max(1, min_pairs):
        return float("nan"), k
    r = np.abs(an[m] / ap[m] - 1.0)
    return float(np.quantile(r, quantile)), k


def grade(change, growth_m2, area_prev, noise: float, *, acc_prev=None, acc_now=None, prev_repaired=None,
          high_factor: float = CONFIDENCE_DEFAULTS["high_factor"],
          medium_factor: float = CONFIDENCE_DEFAULTS["medium_factor"]):
    """Confidence and reason code per row (object arrays), see the module doc.

    ``change``/``growth_m2``/``area_prev`` as in ``compare_epochs``' later
    table; ``noise`` from :func:`noise_ratio`; ``acc_prev`` / ``acc_now``:
    per-feature positional accuracy in metres (NaN / None = unknown);
    ``prev_repaired``: bool per row, a predecessor's outline was repaired.
    """
    change = np.asarray(change, dtype=object)
    n = len(change)
    g = np.nan_to_num(np.asarray(growth_m2, dtype=float), nan=0.0)
    ap = np.nan_to_num(np.asarray(area_prev, dtype=float), nan=0.0)

    def arr(v):
        if v is None:
            return np.full(n, np.nan)
        a = np.asarray(v, dtype=float)
        return np.full(n, float(a)) if a.ndim == 0 else a

    a1, a2 = arr(acc_prev), arr(acc_now)
    both = np.sqrt(np.nansum(np.stack([a1 ** 2, a2 ** 2]), axis=0))
    both[np.isnan(a1) & np.isnan(a2)] = np.nan
    noise_obs = (noise if np.isfinite(noise) else np.nan) * ap
    noise_acc = 4.0 * np.sqrt(ap) * both
    noise_m2 = np.fmax(noise_obs, noise_acc)  # NaN only where both unknown
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(noise_m2 > 0, g / noise_m2, np.inf)
    score[np.isnan(noise_m2)] = np.inf

    conf = np.full(n, "", dtype=object)
    reason = np.full(n, "", dtype=object)
    grown = _isin(change, GROWTH_CHANGES) & ((g > 0) | ~_isin(change, ("split", "merged")))
    conf[_isin(change, SURE_CHANGES)] = HIGH
    conf[grown & (score >= high_factor)] = HIGH
    conf[grown & (score < high_factor) & (score >= medium_factor)] = MEDIUM
    low = grown & (score < medium_factor)
    conf[low] = LOW
    acc_dominates = np.nan_to_num(noise_acc, nan=-1.0) > np.nan_to_num(noise_obs, nan=-1.0)
    reason[low] = np.where(acc_dominates[low], REASON_ACCURACY, REASON_NOISE)
    if prev_repaired is not None:
        rep = grown & np.asarray(prev_repaired, dtype=bool)
        conf[rep] = LOW
        reason[rep] = REASON_REPAIRED
    return conf, reason


def any_repaired(prev_fids, repaired_ids, rows=None) -> np.ndarray:
    """Per row: does any of its ";"-joined ``prev_fids`` lie in ``repaired_ids``?

    ``rows``: restrict the check to these row positions (others False).
    """
    prev = np.asarray(prev_fids, dtype=object)
    out = np.zeros(len(prev), dtype=bool)
    rep = {str(x) for x in repaired_ids}
    if not rep or len(prev) == 0:
        return out
    idx = np.arange(len(prev)) if rows is None else np.asarray(rows, dtype=np.int64)
    if len(idx) == 0:
        return out
    vals = prev[idx]
    single, ok = _single_ids(vals)
    if ok:  # one id per row (most rows): a hash look-up, no split
        out[idx[single]] = pd.Series(vals[single], dtype=object).isin(rep).to_numpy(bool)
        idx = idx[~single]
        if len(idx) == 0:
            return out
    s = pd.Series(prev[idx].astype(str), index=idx).str.split(";").explode()
    hit = s.isin(rep)
    out[hit[hit].index.unique().to_numpy(dtype=np.int64)] = True
    return out


def _per_row_from_prev(prev_fids, eids, values, rows) -> np.ndarray:
    """Max of ``values`` (aligned with ``eids``) over each row's ";"-joined predecessors (NaN if none)."""
    out = np.full(len(prev_fids), np.nan)
    if len(rows) == 0:
        return out
    v = pd.Series(np.asarray(values, dtype=float), index=np.asarray(eids).astype(str))
    v = v[~v.index.duplicated()]
    rows = np.asarray(rows, dtype=np.int64)
    prev = np.asarray(prev_fids, dtype=object)
    single, ok = _single_ids(prev[rows])
    if ok:  # one id per row (most rows): a direct look-up
        out[rows[single]] = v.reindex(prev[rows[single]]).to_numpy(dtype=float)
        rows = rows[~single]
        if len(rows) == 0:
            return out
    s = pd.Series(prev[rows].astype(str), index=rows).str.split(";").explode()
    got = pd.Series(v.reindex(s.to_numpy()).to_numpy(), index=s.index)
    agg = got.groupby(level=0).max()
    out[agg.index.to_numpy(dtype=np.int64)] = agg.to_numpy()
    return out


def confidence_stage(later: pd.DataFrame, eids, *, earlier_repaired=None, earlier_accuracy=None,
                     later_accuracy=None, quantile: float = CONFIDENCE_DEFAULTS["noise_quantile"],
                     high_factor: float = CONFIDENCE_DEFAULTS["high_factor"],
                     medium_factor: float = CONFIDENCE_DEFAULTS["medium_factor"],
                     min_pairs: int = CONFIDENCE_DEFAULTS["min_pairs"]):
    """The confidence stage of ``compare_epochs``.

    ``later``: its later table (change, prev_fids, area_prev, area_now,
    growth_m2); ``eids``: earlier ids; ``earlier_repaired``: bool per earlier
    feature (or a clean status array: code 1 = repaired); accuracies in metres
    per earlier / later feature.  Returns (confidence, conf_reason, info) with
    info = {"noise_ratio", "noise_pairs", "confidence": {class: count}, "low_reasons": {...}}.
    """
    change = later["change"].to_numpy(dtype=object)
    prev = later["prev_fids"].to_numpy(dtype=object)
    eids = np.asarray(eids)
    n = len(change)
    rows = np.flatnonzero(_isin(change, GROWTH_CHANGES + NOISE_PAIR_CHANGES) & (prev != ""))
    rep_row = None
    if earlier_repaired is not None:
        er = np.asarray(earlier_repaired)
        er = er == 1 if er.dtype != bool else er
        rep_row = any_repaired(prev, eids[er], rows)
    acc_prev = _per_row_from_prev(prev, eids, earlier_accuracy, rows) if earlier_accuracy is not None else None
    acc_now = None if later_accuracy is None else np.asarray(later_accuracy, dtype=float)
    noise, k = noise_ratio(change, later["area_prev"], later["area_now"], quantile=quantile, min_pairs=min_pairs,
                           prev_repaired=rep_row)
    conf, reason = grade(change, later["growth_m2"], later["area_prev"], noise, acc_prev=acc_prev, acc_now=acc_now,
                         prev_repaired=rep_row, high_factor=high_factor, medium_factor=medium_factor)
    counts = pd.Series(conf[conf != ""]).value_counts()
    info = {"noise_ratio": noise, "noise_pairs": k, "noise_quantile": quantile,
            "confidence": {c: int(counts.get(c, 0)) for c in CONFIDENCES},
            "low_reasons": {k_: int(v) for k_, v in pd.Series(reason[reason != ""]).value_counts().items()}}
    assert len(conf) == n
    return conf, reason, info
