"""Change confidence: noise level from the data, grading, repaired outlines, accuracy fields."""
from __future__ import annotations

import numpy as np
import pytest
import shapely

from lincang_liangwei.core.confidence import any_repaired, grade, noise_ratio
from lincang_liangwei.core.epochs import compare_epochs


def test_noise_ratio_is_a_quantile_of_matched_pairs():
    ratios = np.linspace(0.0, 0.10, 101)  # |area_now / area_prev - 1| from 0 to 10 %
    ch = np.array(["unchanged"] * 101 + ["new", "rebuilt"], dtype=object)
    ap = np.r_[np.full(101, 100.0), 0.0, 100.0]
    an = np.r_[100.0 * (1 + ratios), 50.0, 300.0]
    nr, k = noise_ratio(ch, ap, an, quantile=0.9)
    assert k == 101 and nr == pytest.approx(0.09)
    assert np.isnan(noise_ratio(ch[:5], ap[:5], an[:5])[0])  # too few pairs: unknown


def test_grade_classes_and_reasons():
    ch = np.array(["expanded", "expanded", "expanded", "new", "floors_added", "unchanged", "expanded", "split"],
                  dtype=object)
    growth = np.array([40.0, 20.0, 10.0, 100.0, 0.0, 0.0, 40.0, 0.0])
    ap = np.full(8, 100.0)
    rep = np.array([False] * 6 + [True, False])
    conf, why = grade(ch, growth, ap, 0.10, prev_repaired=rep)  # noise 10 m2 per 100 m2
    assert list(conf) == ["high", "medium", "low", "high", "high", "", "low", ""]
    assert list(why) == ["", "", "noise", "", "", "", "prev_repaired", ""]


def test_grade_uses_accuracy_fields():
    ch = np.array(["expanded", "expanded"], dtype=object)
    # 1 m accuracy on both epochs: 4 * 10 m * 1.41 = 56.6 m2 expected noise
    conf, why = grade(ch, [30.0, 30.0], [100.0, 100.0], 0.02, acc_prev=[1.0, np.nan], acc_now=[1.0, np.nan])
    assert list(conf) == ["low", "high"] and list(why) == ["accuracy", ""]
    conf, _ = grade(ch, [30.0, 30.0], [100.0, 100.0], float("nan"))  # nothing known: high
    assert list(conf) == ["high", "high"]


def test_any_repaired():
    got = any_repaired(["1", "2;3", "", "4"], [3, 4], rows=[0, 1, 2])
    assert list(got) == [False, True, False, False]


def _city(rng, n=60, noise=0.0):
    """n houses in a row, each re-drawn with its area scaled by up to +-noise (outline redrawing)."""
    E, L = [], []
    for i in range(n):
        x = 30.0 * i
        w, h = rng.uniform(8, 14), rng.uniform(8, 12)
        E.append(shapely.box(x, 0, x + w, h))
        f = 1 + rng.uniform(-noise, noise)
        L.append(shapely.box(x, 0, x + w * f, h))
    return E, L


def test_compare_epochs_confidence_against_observed_noise():
    rng = np.random.default_rng(3)
    E, L = _city(rng, noise=0.12)
    # house 0: a 6 m x 10 m extension (+43 %); house 1: a 2 m x 10 m one (~+17 %, 20 m2)
    L[0] = shapely.box(0, 0, 14 + 6, 10)
    E[0] = shapely.box(0, 0, 14, 10)
    L[1] = shapely.box(30, 0, 30 + 12 + 2, 10)
    E[1] = shapely.box(30, 0, 42, 10)
    ids = np.arange(len(E))
    res = compare_epochs(np.array(E, dtype=object), ids, np.array(L, dtype=object), ids)
    lt = res.later.set_index("fid")
    assert 0.09 < res.report.noise["noise_ratio"] < 0.13
    assert lt.loc[0, "change"] == "expanded" and lt.loc[0, "confidence"] == "high"
    assert lt.loc[1, "change"] == "expanded" and lt.loc[1, "confidence"] in ("low", "medium")
    noisy = lt[(lt.index > 1) & lt.change.str.startswith("expanded")]
    assert set(noisy.confidence) <= {"low"}  # redrawn outlines that look expanded are all low
    assert (lt.confidence[lt.change == "unchanged"] == "").all()
    assert "noise_ratio" in res.report.as_dict()["noise"]
    assert sum(res.report.noise["confidence"].values()) > 0   # logged by qgis_io.messages.epoch_lines


def test_compare_epochs_repaired_predecessor_is_low():
    E = np.array([shapely.box(0, 0, 10, 10), shapely.box(30, 0, 40, 10)], dtype=object)
    L = np.array([shapely.box(0, 0, 16, 10), shapely.box(30, 0, 46, 10)], dtype=object)
    ids = np.array([1, 2])
    res = compare_epochs(E, ids, L, ids, earlier_repaired=np.array([1, 0], dtype=np.int8))  # clean status codes
    lt = res.later.set_index("fid")
    assert list(lt.change) == ["expanded", "expanded"]
    assert (lt.loc[1, "confidence"], lt.loc[1, "conf_reason"]) == ("low", "prev_repaired")
    assert lt.loc[2, "confidence"] == "high"  # too few pairs to know the noise: growth counts
    res = compare_epochs(E, ids, L, ids, earlier_accuracy=[2.0, np.nan], later_accuracy=[2.0, np.nan])
    lt = res.later.set_index("fid")
    assert (lt.loc[1, "confidence"], lt.loc[1, "conf_reason"]) == ("low", "accuracy")


def test_any_repaired_single_and_joined_ids():
    prev = np.array(["7", "12;7", "", "70", "3;12", "12", "1;2;3"], dtype=object)
    assert list(any_repaired(prev, [7, 3])) == [True, True, False, False, True, False, True]
    assert list(any_repaired(prev, [7, 3], rows=[1, 3, 5])) == [False, True, False, False, False, False, False]
    assert list(any_repaired(prev, [])) == [False] * 7
    mixed = np.array([7, "12;7", None, "70"], dtype=object)  # not all text: the general path, same rule
    assert list(any_repaired(mixed, ["7"])) == [True, True, False, False]


def test_per_row_accuracy_is_the_worst_predecessor():
    from lincang_liangwei.core.confidence import _per_row_from_prev

    eids = np.array([1, 2, 3, 4])
    acc = np.array([0.5, 2.0, np.nan, 1.0])
    prev = np.array(["1", "1;2", "3", "", "3;4", "9"], dtype=object)
    got = _per_row_from_prev(prev, eids, acc, np.array([0, 1, 2, 4, 5]))
    np.testing.assert_array_equal(got, [0.5, 2.0, np.nan, np.nan, 1.0, np.nan])


def test_isin_matches_numpy():
    from lincang_liangwei.core.confidence import GROWTH_CHANGES, NOISE_PAIR_CHANGES, _isin

    ch = np.array(["expanded", "new", "unchanged", "split", "", "expanded+floors_added", "rebuilt"] * 3, dtype=object)
    for choices in (GROWTH_CHANGES, NOISE_PAIR_CHANGES, ("split", "merged"), ()):
        assert np.array_equal(_isin(ch, choices), np.isin(ch, choices))
    assert _isin(ch, GROWTH_CHANGES).sum() == 12
