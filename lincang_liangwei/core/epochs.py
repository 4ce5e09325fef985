"""Survey-epoch comparison (时相比对): new, expanded, rebuilt, split, merged,
heightened and demolished buildings between two epochs of footprints.

Pure numpy + shapely 2 (+ scipy when present, with pure-numpy fallbacks); no
qgis import.  Inputs are cleaned geometries (see :func:`.geometry.clean`) in one
projected CRS in metres; ``None`` marks a skipped feature.

Method
------
1. **Candidate pairs** later x earlier from one bulk ``STRtree.query``
   (predicate ``intersects``).  Pairs whose *overlap share* (overlap area /
   area of the smaller of the two) cannot reach ``min_overlap_share`` are
   dropped using bounding boxes alone; exact overlaps (``shapely.intersection``
   on the pair arrays) are computed only where the boxes cannot decide and
   the pair is not alone on both sides (a lone pair is re-judged in step 3).
2. **Connected components** of the bipartite graph of significant overlaps.
   A 1-1 component (the vast majority) is a *pair*; the rare multi-member
   components are resolved one by one: optimal assignment on IoU
   (``scipy.optimize.linear_sum_assignment``, greedy fallback), then the
   unassigned residuals are attached where they lie mostly (share >=
   ``attach_share``) inside a partner - later pieces inside one earlier
   building make a *split*, earlier buildings inside one later building make
   a *merge*; residuals left over are new / demolished.
3. **Pairs are classified with arrays** after *registration*: the earlier
   outline is translated by the estimated positional shift (from the bounding
   boxes where they agree, the centroids otherwise, refined by trying the
   candidate shifts when an extension moved one side of the box; clipped to
   ``tolerance_m + 2 * jitter_m`` per axis).  A Hausdorff distance below
   ``1.6 * jitter_m`` between the outlines settles "same footprint" without
   any overlay (most pairs).  Growth is the *morphological opening* (erode,
   dilate by ``jitter_m``, mitre joins) of ``later - registered earlier``: the
   slivers that vertex jitter leaves (narrower than ``2 * jitter_m``) vanish,
   an extension keeps its full area.  Loss is the same the other way round.

Change encoding (column ``change`` of :attr:`EpochResult.later`)
-----------------------------------------------------------------
One of a small fixed set of strings (:data:`CHANGES`)::

    unchanged               same footprint (within shift / jitter tolerance)
    new                     no earlier building under it
    expanded                footprint grew by >= max(min_growth_m2,
                            min_growth_ratio * area_prev)
    floors_added            same footprint, floors increased by
                            >= min_floor_increase
    expanded+floors_added   both (the only combination; components are joined
                            with "+" in this fixed order)
    rebuilt                 same plot but a different building: registered IoU
                            < min_iou and a significant part of the old
                            footprint is gone
    split                   one of >= 2 later buildings made from one earlier
    merged                  made from >= 2 earlier buildings
    skipped                 later geometry was None (not compared)
    duplicate               a copy of another later footprint (the same
                            building entered twice, see
                            :func:`.geometry.find_duplicates`): not compared,
                            ``dup_of`` names the kept copy, which is

Floors are compared for 1-1 matches only (unchanged / expanded footprints);
a missing value (NaN) on either side means "no floor information".  A pure
partial demolition (loss without growth, IoU >= min_iou) stays ``unchanged``.

Earlier buildings get a ``fate`` in :attr:`EpochResult.earlier`: ``continued``
(1-1 successor, whatever its change), ``split``, ``merged``, ``demolished``
(no successor), ``skipped`` (None geometry) or ``duplicate`` (a copy of
another earlier footprint; its kept copy carries the comparison).

Floors may be numbers or text (``3层``, ``二层``, ``3F``): see
:func:`.floors.parse_floors`; unreadable values count as missing.
"""
from __future__ import annotations

import functools
import gc
import os
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain

import numpy as np
import pandas as pd
import shapely

from . import report_progress
from .confidence import CONFIDENCE_DEFAULTS, confidence_stage
from .epoch_defaults import EPOCH_DEFAULTS
from .floors import parse_floors

try:  # optional: faster and exact; pure-numpy fallbacks below
    from scipy.optimize import linear_sum_assignment as _lsa
    from scipy.sparse import coo_matrix as _coo
    from scipy.sparse.csgraph import connected_components as _cc
except Exception:  # noqa: BLE001 - a broken scipy must not break the plugin; pragma: no cover
    _lsa = _coo = _cc = None

UNCHANGED, NEW, EXPANDED, FLOORS_ADDED = "unchanged", "new", "expanded", "floors_added"
EXPANDED_FLOORS = "expanded+floors_added"
REBUILT, SPLIT, MERGED, SKIPPED = "rebuilt", "split", "merged", "skipped"
DUPLICATE = "duplicate"
#: every value the ``change`` column can take
CHANGES = (UNCHANGED, NEW, EXPANDED, FLOORS_ADDED, EXPANDED_FLOORS, REBUILT, SPLIT, MERGED, SKIPPED, DUPLICATE)
#: every value the earlier ``fate`` column can take
FATES = ("continued", "split", "merged", "demolished", "skipped", DUPLICATE)

_MITRE = "mitre"


# --------------------------------------------------------------------------- results
@dataclass
class EpochReport:
    """Counts per class plus the parameters used (the log's words: qgis_io.messages.epoch_lines)."""

    n_earlier: int = 0
    n_later: int = 0
    n_earlier_skipped: int = 0
    n_later_skipped: int = 0
    n_earlier_duplicate: int = 0
    n_later_duplicate: int = 0
    changes: dict = field(default_factory=dict)  # change -> count (later features)
    fates: dict = field(default_factory=dict)  # fate -> count (earlier features)
    n_growth: int = 0
    n_multi_components: int = 0
    noise: dict = field(default_factory=dict)  # confidence stage: noise_ratio, noise_pairs, confidence counts
    params: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)

    @property
    def balanced(self) -> bool:
        return (sum(self.changes.values()) == self.n_later
                and sum(self.fates.values()) == self.n_earlier)

    def as_dict(self) -> dict:
        return {"n_earlier": self.n_earlier, "n_later": self.n_later,
                "n_earlier_skipped": self.n_earlier_skipped, "n_later_skipped": self.n_later_skipped,
                "n_earlier_duplicate": self.n_earlier_duplicate, "n_later_duplicate": self.n_later_duplicate,
                "changes": dict(self.changes), "fates": dict(self.fates), "n_growth": self.n_growth,
                "n_multi_components": self.n_multi_components, "noise": dict(self.noise),
                "params": dict(self.params),
                "seconds": dict(self.seconds)}


@dataclass
class EpochResult:
    """Outcome of :func:`compare_epochs`.

    ``later``: one row per later feature in input order - ``fid``, ``change``,
    ``prev_fids`` (";"-joined sorted earlier ids, "" if none), ``match_iou``
    (IoU after removing the estimated shift; for split / merged the IoU of the
    group's union outlines; 0 for new; NaN for pairs whose outlines agree
    within the jitter band - unchanged footprints - unless ``exact_iou``), ``area_prev`` (matched earlier area,
    summed for merges, the parent's for splits; 0 for new), ``area_now``,
    ``growth_m2`` (area of the added part, see module doc; whole footprint for
    new), ``floors_prev`` (max over predecessors), ``floors_now``, ``shift_m``
    (estimated positional shift, metres), ``dup_of`` (for ``duplicate``
    rows: the fid of the kept copy; "" elsewhere).

    ``earlier``: one row per earlier feature in input order - ``fid``, ``fate``
    (:data:`FATES`), ``next_fids``, ``area``, ``floors``, ``dup_of``.

    ``demolished``: the ``earlier`` rows with fate ``demolished``
    (``fid``, ``area_prev``, ``floors_prev``), ``demolished_index`` their input
    positions.

    ``growth`` / ``growth_geoms``: one row per later feature whose added part
    reaches the growth thresholds (new, expanded, expanded+floors_added,
    rebuilt, and split / merged buildings that also grew): ``fid``,
    ``change``, ``growth_m2``, ``later_index``; the geometries are the added
    parts themselves (the whole footprint for new buildings).
    """

    later: pd.DataFrame
    earlier: pd.DataFrame
    demolished: pd.DataFrame
    demolished_index: np.ndarray
    growth: pd.DataFrame
    growth_geoms: np.ndarray
    report: EpochReport


# --------------------------------------------------------------------------- helpers
@contextmanager
def gc_paused():
    """Pause Python's cyclic garbage collector for a block (restored as it was, also on errors).

    Shapely geometries are GC-tracked: a comparison of 10^6 buildings creates millions of them and every
    full collection walks them all (about 2 s per run at 10^6 buildings under ``qgis_process``), while the
    comparison makes no reference cycles worth collecting.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _gc_paused(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with gc_paused():
            return func(*args, **kwargs)
    return wrapper


def _threads(n_threads):
    if n_threads is None:
        n_threads = min(os.cpu_count() or 1, 8)
    return max(1, int(n_threads))


def _pmap(func, n_threads, *arrays, min_chunk=2000):
    """Apply a vectorised shapely function in chunks on threads (GEOS releases the GIL).

    ``func`` may return a tuple of arrays (each is concatenated): a step that holds the GIL
    (``_translate``) then overlaps with the GEOS work of the other threads.
    """
    n = len(arrays[0])
    if n_threads <= 1 or n < 2 * min_chunk:
        return func(*arrays)
    k = n_threads * max(1, min(4, n // (min_chunk * n_threads)))  # equal work per thread
    bounds = np.linspace(0, n, k + 1).astype(int)
    with ThreadPoolExecutor(n_threads) as ex:
        parts = list(ex.map(lambda i: func(*(a[bounds[i]:bounds[i + 1]] for a in arrays)), range(k)))
    if isinstance(parts[0], tuple):
        return tuple(np.concatenate(p) for p in zip(*parts))
    return np.concatenate(parts)


def _query(tree, geoms, n_threads, predicate=None, min_chunk=2000):
    """``tree.query(geoms, predicate)`` in chunks on threads (shapely builds the tree when it is made and
    releases the GIL while querying): the same pairs in the same order."""
    n = len(geoms)
    if n_threads <= 1 or n < 2 * min_chunk:
        return tree.query(geoms, predicate=predicate)
    k = n_threads * max(1, min(4, n // (min_chunk * n_threads)))
    bounds = np.linspace(0, n, k + 1).astype(int)

    def one(i):
        q = tree.query(geoms[bounds[i]:bounds[i + 1]], predicate=predicate)
        q[0] += bounds[i]
        return q
    with ThreadPoolExecutor(n_threads) as ex:
        parts = list(ex.map(one, range(k)))
    return np.concatenate(parts, axis=1)


def _translate(geoms, shift):
    """Translate each geometry by its own (dx, dy), vectorised."""
    if len(geoms) == 0:
        return geoms.copy()
    coords = shapely.get_coordinates(geoms)
    counts = shapely.get_num_coordinates(geoms)
    return shapely.set_coordinates(geoms.copy(), coords + np.repeat(shift, counts, axis=0))


def _register_screen(later, earlier, shift):
    """(earlier translated by ``shift``, its Hausdorff distance to ``later``)."""
    ereg = _translate(earlier, shift)
    return ereg, shapely.hausdorff_distance(later, ereg)


def _shifted_overlap(later, earlier, shift):
    """Area of ``later`` & ``earlier`` translated by ``shift``."""
    return shapely.area(shapely.intersection(later, _translate(earlier, shift)))


def _register_difference(later, earlier, shift):
    """(earlier translated by ``shift``, ``later`` minus it, the area of that difference)."""
    ereg = _translate(earlier, shift)
    d = shapely.difference(later, ereg)
    return ereg, d, shapely.area(d)


def _difference_area(a, b):
    d = shapely.difference(a, b)
    return d, shapely.area(d)


def _opening(geoms, r, n_threads, clip_min_area=None):
    """Erode then dilate by ``r`` (mitre joins keep right angles): drops parts narrower than 2r.

    Mitre corners may poke marginally out of the original; results whose area
    reaches ``clip_min_area`` (scalar or array; None = none) are clipped to it.
    """
    def f(g):
        e = shapely.buffer(g, -r, join_style=_MITRE)
        return shapely.buffer(e, r, join_style=_MITRE)
    out = _pmap(f, n_threads, geoms)
    if clip_min_area is not None:
        big = np.flatnonzero(shapely.area(out) >= clip_min_area)
        if len(big):
            out[big] = _pmap(shapely.intersection, n_threads, out[big], geoms[big])
    return out


def _components(n_nodes, u, v):
    """Connected-component labels of an undirected graph (scipy or numpy fallback)."""
    if _cc is not None:
        m = _coo((np.ones(len(u), dtype=np.int8), (u, v)), shape=(n_nodes, n_nodes))
        return _cc(m, directed=False)[1]
    return _components_numpy(n_nodes, u, v)


def _components_numpy(n_nodes, u, v):
    labels = np.arange(n_nodes)
    while True:
        m = np.minimum(labels[u], labels[v])
        new = labels.copy()
        np.minimum.at(new, u, m)
        np.minimum.at(new, v, m)
        while True:  # pointer jumping
            nxt = new[new]
            if np.array_equal(nxt, new):
                break
            new = nxt
        if np.array_equal(new, labels):
            return labels
        labels = new


def _assign(weight):
    """Maximum-weight assignment rows->cols (pairs with weight > 0)."""
    if _lsa is not None:
        r, c = _lsa(-weight)
    else:
        r, c = _greedy_assign(weight)
    keep = weight[r, c] > 0
    return r[keep], c[keep]


def _greedy_assign(weight):
    """Fallback: greedy by descending weight (ties by row, col - deterministic)."""
    rr, cc = np.nonzero(weight > 0)
    order = np.lexsort((cc, rr, -weight[rr, cc]))
    used_r, used_c, out_r, out_c = set(), set(), [], []
    for i in order:
        a, b = rr[i], cc[i]
        if a in used_r or b in used_c:
            continue
        used_r.add(a)
        used_c.add(b)
        out_r.append(a)
        out_c.append(b)
    return np.asarray(out_r, dtype=int), np.asarray(out_c, dtype=int)


def _resolve_component(gl, ge, rank_ge, iou, sh_l, sh_e, it6, attach_share, pair_l, pair_e, groups):
    """Resolve one multi-member component of the overlap graph (lists, one entry per edge, edges sorted by
    later then earlier id rank): optimal IoU assignment, then residual pieces attached where they lie
    mostly inside a partner; appends the 1-1 pairs to ``pair_l`` / ``pair_e`` and the split / merge groups
    (later idx, earlier idx, {later idx: its earlier idx}) to ``groups``.  Positions are local ranks:
    ``i`` over the later nodes, ``j`` over the earlier nodes, both in id-rank order."""
    lnodes = list(dict.fromkeys(gl))  # edges come sorted by later rank
    erank = dict(zip(ge, rank_ge))
    enodes = sorted(erank, key=erank.__getitem__)
    lpos = {x: i for i, x in enumerate(lnodes)}
    epos = {x: j for j, x in enumerate(enodes)}
    r = [lpos[x] for x in gl]
    c = [epos[x] for x in ge]
    nl, ne = len(lnodes), len(enodes)
    best = max(iou)
    if (nl == 1 or ne == 1) and iou.count(best) == 1 and not any(x != x for x in iou):
        # one row or one column, every cell an edge, a unique maximum: the optimal assignment is that cell
        k = iou.index(best)
        ar, ac = ([r[k]], [c[k]]) if best > 0 else ([], [])
    else:
        W = np.zeros((nl, ne))
        W[r, c] = iou
        ar, ac = _assign(W)
        ar, ac = ar.tolist(), ac.tolist()
    rel = set(zip(ar, ac))
    al, ae = set(ar), set(ac)
    # residual later pieces mostly inside one earlier building -> split piece (largest overlap, then rank)
    best_l, best_e = {}, {}
    for k in range(len(r)):
        i, j = r[k], c[k]
        if i not in al and sh_l[k] >= attach_share:
            key = (-it6[k], j)
            if i not in best_l or key < best_l[i]:
                best_l[i] = key
        if j not in ae and sh_e[k] >= attach_share:
            key = (-it6[k], i)
            if j not in best_e or key < best_e[j]:
                best_e[j] = key
    for i in sorted(best_l):
        rel.add((i, best_l[i][1]))
    # residual earlier buildings mostly inside one later building -> merged in
    for j in sorted(best_e):
        rel.add((best_e[j][1], j))
    if not rel:
        return
    # groups = connected sets of the relation, in the order of their first later node
    edges = list(rel)
    by_l, by_e = {}, {}
    for i, j in edges:
        by_l.setdefault(i, []).append(j)
        by_e.setdefault(j, []).append(i)
    label = {}
    for i0 in sorted(by_l):
        if i0 in label:
            continue
        label[i0] = i0
        todo = [i0]
        while todo:
            i = todo.pop()
            for j in by_l[i]:
                for i2 in by_e[j]:
                    if i2 not in label:
                        label[i2] = i0
                        todo.append(i2)
    members = {}
    for i, j in edges:
        members.setdefault(label[i], []).append((i, j))
    for g in sorted(members):
        es = members[g]
        gls = sorted({i for i, _ in es})
        ges = sorted({j for _, j in es})
        if len(gls) == 1 and len(ges) == 1:
            pair_l.append(lnodes[gls[0]])
            pair_e.append(enodes[ges[0]])
        else:
            preds = {lnodes[i]: [enodes[j] for i2, j in es if i2 == i] for i in gls}
            groups.append(([lnodes[i] for i in gls], [enodes[j] for j in ges], preds))


def _dup_ids(dup_of, ids):
    """fid of the kept copy (as text) for duplicate rows, "" elsewhere."""
    out = np.full(len(ids), "", dtype=object)
    d = np.flatnonzero(dup_of >= 0)
    out[d] = ids[dup_of[d]].astype(str)
    return out


def _join_ids(values) -> str:
    return ";".join(str(x) for x in sorted(values))


def _id_text(ids, idx):
    """``ids[idx].astype(str)`` as an object array of ``str`` (integer ids: ``str`` per value, ~3x faster)."""
    v = ids[idx]
    if v.dtype.kind in "iu":
        return np.fromiter(map(str, v.tolist()), dtype=object, count=len(v))
    out = np.empty(len(v), dtype=object)
    out[:] = v.astype(str)
    return out


def _seq_sum(values, rows, n_rows):
    """Per row the sum of ``values`` (``rows`` its row, rows contiguous in order), bit for bit what
    ``values[rows == r].sum()`` gives: numpy adds fewer than 8 values one after the other from 0
    (``np.bincount`` does the same), more pairwise (then ``np.sum`` on that row)."""
    out = np.bincount(rows, weights=values, minlength=n_rows).astype(float)
    counts = np.bincount(rows, minlength=n_rows)
    for r in np.flatnonzero(counts >= 8):
        out[r] = values[rows == r].sum()
    return out


def _union_groups(geoms, members, n_threads):
    """Per group of input positions: the geometry itself (one member) or ``shapely.union_all`` of the
    members in their order (vectorised per group size, the same GEOS collection and unary union)."""
    out = np.empty(len(members), dtype=object)
    sizes = np.fromiter(map(len, members), dtype=np.int64, count=len(members))
    for size in np.unique(sizes):
        k = np.flatnonzero(sizes == size)
        idx = np.array([members[i] for i in k], dtype=np.int64).reshape(len(k), size)
        if size == 1:
            out[k] = geoms[idx[:, 0]]
        else:
            out[k] = _pmap(lambda g: shapely.union_all(g, axis=1), n_threads, geoms[idx])
    return out


def _floats(values, n):
    """Floors as floats: numbers, or text such as 3层 / 二层 / 3F (unreadable -> NaN)."""
    return parse_floors(values, n)[0]


def _dup_mask(duplicate_of, n, what):
    if duplicate_of is None:
        return np.full(n, -1, dtype=np.int64)
    d = np.asarray(duplicate_of).ravel()
    if d.dtype == bool:
        raise ValueError(f"{what}_duplicate_of: the index of the kept copy (-1 = none), not a mask")
    if len(d) != n:
        raise ValueError(f"{what}_duplicate_of and geometries must have the same length")
    return d.astype(np.int64)


# --------------------------------------------------------------------------- registration
@dataclass
class _Measure:
    shift: np.ndarray  # (n, 2) earlier -> later
    screened: np.ndarray  # outlines agree within the jitter band: no growth, no loss
    inter: np.ndarray  # overlap area after registration (NaN where screened)
    growth: np.ndarray  # opened growth area
    growth_geom: np.ndarray  # opened growth polygons (None where below the prefilter)
    loss: np.ndarray  # opened loss area


def _measure(later, earlier, a_later, a_earlier, thr, *, tolerance_m, jitter_m, n_threads, secs=None,
             bounds=None):
    """Register earlier onto later per pair and measure opened growth / loss, vectorised.

    Shift per axis: if the two boxes moved consistently (min and max edge
    deltas differ by <= 2 * jitter_m) the mean delta, otherwise (an extension
    or demolition moved one side) the centroid difference as a first guess,
    refined where it matters by trying {min-side delta, max-side delta} per
    inconsistent axis (one side of the box did not move) and keeping the
    largest overlap (ties: smaller shift).  All clipped to +-tolerance_m.

    Screen: when the (vertex-to-outline) Hausdorff distance between the later
    and the registered earlier outline is below 1.6 * jitter_m, the difference
    both ways lies inside a band narrower than the opening removes, so growth
    and loss are 0 without any overlay (the common case; ~20x cheaper).

    ``bounds``: the (later, earlier) ``shapely.bounds`` of the pairs when the caller has them.
    """
    secs = {} if secs is None else secs
    t = time.perf_counter()

    def lap(name):
        nonlocal t
        now = time.perf_counter()
        secs[name] = secs.get(name, 0.0) + now - t
        t = now

    n = len(later)
    z = np.zeros(n)
    if n == 0:
        return _Measure(np.zeros((0, 2)), np.zeros(0, bool), z, z, np.empty(0, dtype=object), z)
    bl, be = (shapely.bounds(later), shapely.bounds(earlier)) if bounds is None else bounds
    dmin, dmax = bl[:, :2] - be[:, :2], bl[:, 2:] - be[:, 2:]
    consistent = np.abs(dmin - dmax) <= 2 * jitter_m
    lim = tolerance_m + 2 * jitter_m  # the shift estimate itself carries vertex noise
    shift = (dmin + dmax) / 2
    inc = np.flatnonzero(~consistent.all(axis=1))  # centroids only where an axis needs them
    if len(inc):
        cdiff = (shapely.get_coordinates(_pmap(shapely.centroid, n_threads, later[inc]))
                 - shapely.get_coordinates(_pmap(shapely.centroid, n_threads, earlier[inc])))
        shift[inc] = np.where(consistent[inc], shift[inc], cdiff)
    shift = np.clip(shift, -lim, lim)
    lap("shift")
    ereg, hd = _pmap(_register_screen, n_threads, later, earlier, shift)
    lap("screen")
    screened = hd < 1.6 * jitter_m
    inter = np.full(n, np.nan)
    growth = np.zeros(n)
    loss = np.zeros(n)
    ggeom = np.full(n, None, dtype=object)
    todo = np.flatnonzero(~screened)
    if len(todo) == 0:
        return _Measure(shift, screened, inter, growth, ggeom, loss)

    diff, da = _pmap(_difference_area, n_threads, later[todo], ereg[todo])
    inter[todo] = a_later[todo] - da
    # refine the shift where a box side moved and something significant is left
    lap("overlay")
    ref = (~consistent[todo].all(axis=1)
           & ((a_later[todo] - inter[todo] >= thr[todo]) | (a_earlier[todo] - inter[todo] >= thr[todo])))
    rt = todo[ref]
    if len(rt):
        opts = np.clip(np.stack([dmin[rt], dmax[rt]], axis=-1), -lim, lim)  # (m, 2 axes, 2 options)
        cons = consistent[rt]
        opts[cons] = shift[rt][cons][:, None]
        ii, jx, jy = np.meshgrid(np.arange(len(rt)), np.arange(2), np.arange(2), indexing="ij")
        ii, jx, jy = ii.ravel(), jx.ravel(), jy.ravel()
        keep = ((~cons[ii, 0]) | (jx == 0)) & ((~cons[ii, 1]) | (jy == 0))
        ii, jx, jy = ii[keep], jx[keep], jy[keep]
        cand = np.stack([opts[ii, 0, jx], opts[ii, 1, jy]], axis=1)
        rows = rt[ii]
        ci = _pmap(_shifted_overlap, n_threads, later[rows], earlier[rows], cand)
        norm = np.hypot(cand[:, 0], cand[:, 1])
        order = np.lexsort((norm, -np.round(ci, 6), ii))
        first = np.ones(len(order), dtype=bool)
        first[1:] = ii[order][1:] != ii[order][:-1]
        best = order[first]
        better = ci[best] > inter[rt[ii[best]]] + 1e-6
        upd = rt[ii[best]][better]
        if len(upd):
            shift[upd] = cand[best][better]
            pos = np.searchsorted(todo, upd)
            ereg[upd], diff[pos], da = _pmap(_register_difference, n_threads, later[upd], earlier[upd], shift[upd])
            inter[upd] = a_later[upd] - da
    lap("refine")
    # opened growth (later - registered earlier) and loss (registered earlier - later)
    cg = np.flatnonzero(a_later[todo] - inter[todo] >= thr[todo])
    if len(cg):
        g = _opening(diff[cg], jitter_m, n_threads, clip_min_area=thr[todo[cg]])
        ggeom[todo[cg]] = g
        growth[todo[cg]] = shapely.area(g)
    cl = todo[a_earlier[todo] - inter[todo] >= thr[todo]]
    if len(cl):
        loss[cl] = shapely.area(_opening(_pmap(shapely.difference, n_threads, ereg[cl], later[cl]),
                                         jitter_m, n_threads))
    lap("opening")
    return _Measure(shift, screened, inter, growth, ggeom, loss)


# --------------------------------------------------------------------------- main
def intake(earlier_geoms, earlier_ids, later_geoms, later_ids, earlier_floors=None, later_floors=None,
           earlier_duplicate_of=None, later_duplicate_of=None):
    """Stage 0 of :func:`compare_epochs` (shared with the tiled run): flat arrays, floors as floats, duplicate
    markers, and which footprints take part (present, non-empty, not a duplicate copy)."""
    E = np.asarray(earlier_geoms, dtype=object).ravel()
    L = np.asarray(later_geoms, dtype=object).ravel()
    eids = np.asarray(earlier_ids).ravel()
    lids = np.asarray(later_ids).ravel()
    nE, nL = len(E), len(L)
    if len(eids) != nE or len(lids) != nL:
        raise ValueError("ids and geometries must have the same length")
    fE = _floats(earlier_floors, nE)
    fL = _floats(later_floors, nL)
    dupE = _dup_mask(earlier_duplicate_of, nE, "earlier")
    dupL = _dup_mask(later_duplicate_of, nL, "later")
    usedE = ~shapely.is_missing(E) & (dupE < 0)
    usedE[usedE] = ~shapely.is_empty(E[usedE])
    usedL = ~shapely.is_missing(L) & (dupL < 0)
    usedL[usedL] = ~shapely.is_empty(L[usedL])
    return E, L, eids, lids, fE, fL, dupE, dupL, usedE, usedL


@_gc_paused
def compare_epochs(earlier_geoms, earlier_ids, later_geoms, later_ids,
                   earlier_floors=None, later_floors=None, *,
                   min_iou: float = EPOCH_DEFAULTS["min_iou"],
                   min_growth_m2: float = EPOCH_DEFAULTS["min_growth_m2"],
                   min_growth_ratio: float = EPOCH_DEFAULTS["min_growth_ratio"],
                   tolerance_m: float = EPOCH_DEFAULTS["tolerance_m"],
                   jitter_m: float = EPOCH_DEFAULTS["jitter_m"],
                   min_overlap_share: float = EPOCH_DEFAULTS["min_overlap_share"],
                   attach_share: float = EPOCH_DEFAULTS["attach_share"],
                   rebuilt_share: float = EPOCH_DEFAULTS["rebuilt_share"],
                   min_floor_increase: float = EPOCH_DEFAULTS["min_floor_increase"],
                   exact_iou: bool = False,
                   n_threads: int | None = None,
                   progress=None,
                   earlier_duplicate_of=None,
                   later_duplicate_of=None,
                   earlier_repaired=None,
                   earlier_accuracy=None,
                   later_accuracy=None,
                   noise_quantile: float = CONFIDENCE_DEFAULTS["noise_quantile"],
                   confidence_high: float = CONFIDENCE_DEFAULTS["high_factor"],
                   confidence_medium: float = CONFIDENCE_DEFAULTS["medium_factor"]) -> EpochResult:
    """Compare two survey epochs of building footprints.

    Parameters (defaults chosen for imagery-detected / re-surveyed outlines:
    vertex jitter about +-0.3 m, whole-outline shifts up to about 1 m):

    min_iou : 0.6
        A 1-1 match whose IoU *after removing the shift* is below this and
        which lost a significant part of the old footprint is ``rebuilt``.
        Re-surveyed unchanged buildings stay >= 0.7 even when small.
    min_growth_m2, min_growth_ratio : 5 m2, 0.03
        An added part counts when it reaches both ``min_growth_m2`` and
        ``min_growth_ratio * area_prev`` (the same thresholds decide when a
        lost part is significant).  Growth is measured after registration and
        opening (see module doc), so jitter contributes ~0 m2 and the ratio
        only has to guard very large footprints against outline redrawing;
        an 8 m2 extension of a 100-250 m2 house is caught.
    tolerance_m : 1.0
        Largest expected positional shift between the epochs (imagery /
        re-survey: up to ~1 m).  Registration may move an outline by up to
        ``tolerance_m + 2 * jitter_m`` per axis (the estimate carries vertex
        noise); an overlap thinner than ``tolerance_m + jitter_m`` can be a
        shift sliver and never makes a "same plot" link on its own.
    jitter_m : 0.45
        Vertex noise allowance: parts of the difference narrower than
        ``2 * jitter_m`` are noise (two epochs of +-0.3 m jitter give slivers
        up to ~0.6-0.85 m wide); an extension must be deeper than that.
    min_overlap_share : 0.1
        Overlap / area of the smaller footprint for a candidate link in the
        overlap graph.  Kept low so a rebuild overlapping a fraction of the old
        footprint stays one component; slivers that get in are resolved by
        the assignment and the stricter rules below.
    attach_share : 0.5
        In multi-member components, an unassigned later (earlier) building
        joins a split (merge) only if at least this share of it lies inside the
        partner (a hut next to an unchanged house stays ``new``).  A 1-1 pair
        with registered IoU >= ``min_iou`` or this overlap share is linked.
    rebuilt_share : 0.1
        Otherwise a 1-1 pair is linked (and becomes ``rebuilt``) only if its
        overlap, opened by ``(tolerance_m + jitter_m) / 2`` (i.e. thicker than
        a shift sliver), covers >= this share of the old footprint and
        ``min_growth_m2``; else it is demolished + new.
    min_floor_increase : 1
        Floors (or height, in the field's unit) increase that counts as
        ``floors_added``.
    exact_iou : False
        Pairs whose outlines agree within the jitter band are classified
        without an overlay (Hausdorff screen); their ``match_iou`` is NaN
        unless ``exact_iou=True`` (costs one overlay per such pair, ~2x time).
    n_threads : default ``min(cpu_count, 8)``
        Threads for the GEOS array operations (GEOS releases the GIL).

    ``earlier_geoms``/``later_geoms``: arrays of shapely polygons (``None`` =
    skipped); ids: any comparable scalars, unique per layer (ties are broken
    by id, so the result does not depend on feature order).  See
    :class:`EpochResult` for the outputs and the module doc for the
    ``change`` encoding.

    ``earlier_duplicate_of`` / ``later_duplicate_of``: per feature the input
    index of the copy kept instead of it, -1 for none
    (:attr:`.geometry.CleanResult.duplicate_of`).  Such copies are not
    compared (whatever their geometry) and are reported as ``duplicate``, so
    one building entered twice is neither a split nor a merge.

    Confidence (stage 6, :mod:`.confidence`): the later table gets
    ``confidence`` (high / medium / low, "" for non-changes) and
    ``conf_reason`` ("" / noise / accuracy / prev_repaired): growth against
    the outline noise observed between the epochs (``noise_quantile`` of the
    area ratios of matched pairs), against per-feature accuracies in metres
    (``earlier_accuracy`` / ``later_accuracy``, NaN = unknown) and low when a
    predecessor's outline had to be repaired (``earlier_repaired``: bool per
    earlier feature, or the :attr:`.geometry.CleanResult.status` array).
    ``confidence_high`` / ``confidence_medium``: growth / expected noise
    factors (3, 1.5).  The noise level is in ``report.noise``.

    ``progress(fraction) -> bool`` is called between stages; returning True
    raises :class:`lincang_liangwei.core.RunCancelledError`.
    """
    t0 = time.perf_counter()
    nt = _threads(n_threads)
    params = dict(min_iou=min_iou, min_growth_m2=min_growth_m2, min_growth_ratio=min_growth_ratio,
                  tolerance_m=tolerance_m, jitter_m=jitter_m, min_overlap_share=min_overlap_share,
                  attach_share=attach_share, rebuilt_share=rebuilt_share,
                  min_floor_increase=min_floor_increase, exact_iou=exact_iou,
                  noise_quantile=noise_quantile, confidence_high=confidence_high,
                  confidence_medium=confidence_medium)
    secs = {}

    E, L, eids, lids, fE, fL, dupE, dupL, usedE, usedL = intake(
        earlier_geoms, earlier_ids, later_geoms, later_ids, earlier_floors, later_floors,
        earlier_duplicate_of, later_duplicate_of)
    nE, nL = len(E), len(L)
    aE = np.zeros(nE)
    aL = np.zeros(nL)
    aE[usedE] = _pmap(shapely.area, nt, E[usedE])
    aL[usedL] = _pmap(shapely.area, nt, L[usedL])
    # rank of ids: deterministic tie-breaks independent of input order
    rankE = np.empty(nE, dtype=np.int64)
    rankE[np.argsort(eids, kind="stable")] = np.arange(nE)
    rankL = np.empty(nL, dtype=np.int64)
    rankL[np.argsort(lids, kind="stable")] = np.arange(nL)

    def sig_thr(area_prev):
        return np.maximum(min_growth_m2, min_growth_ratio * area_prev)

    # ---- 1. candidate pairs ------------------------------------------------
    t = time.perf_counter()
    iE = np.flatnonzero(usedE)
    iL = np.flatnonzero(usedL)
    tree = shapely.STRtree(E[iE])
    ql, qe = _query(tree, L[iL], nt, predicate="intersects")
    pl, pe = iL[ql], iE[qe]
    boundsL = np.full((nL, 4), np.nan)
    boundsE = np.full((nE, 4), np.nan)
    boundsL[iL] = _pmap(shapely.bounds, nt, L[iL])
    boundsE[iE] = _pmap(shapely.bounds, nt, E[iE])
    bl, be = boundsL[pl], boundsE[pe]
    amin = np.minimum(aL[pl], aE[pe])
    ox = np.minimum(bl[:, 2], be[:, 2]) - np.maximum(bl[:, 0], be[:, 0])
    oy = np.minimum(bl[:, 3], be[:, 3]) - np.maximum(bl[:, 1], be[:, 1])
    upper = np.minimum(np.clip(ox, 0, None) * np.clip(oy, 0, None), amin)
    ux = np.maximum(bl[:, 2], be[:, 2]) - np.minimum(bl[:, 0], be[:, 0])
    uy = np.maximum(bl[:, 3], be[:, 3]) - np.minimum(bl[:, 1], be[:, 1])
    lower = aL[pl] + aE[pe] - ux * uy  # inter >= aL + aE - area(union) >= ... - area(union box)
    with np.errstate(divide="ignore", invalid="ignore"):
        maybe = upper >= min_overlap_share * amin
        sure = maybe & (lower >= min_overlap_share * amin)
    pl, pe, sure, amin = pl[maybe], pe[maybe], sure[maybe], amin[maybe]
    inter = np.full(len(pl), np.nan)
    # a pair alone on both sides is a 1-1 component whatever its exact overlap:
    # the pair classification re-decides the link more strictly, so no overlay here
    alone = (np.bincount(pl, minlength=nL)[pl] == 1) & (np.bincount(pe, minlength=nE)[pe] == 1)
    unsure = np.flatnonzero(~sure & ~alone)
    if len(unsure):
        inter[unsure] = shapely.area(_pmap(shapely.intersection, nt, L[pl[unsure]], E[pe[unsure]]))
        ok = sure | alone
        ok[unsure] = inter[unsure] >= min_overlap_share * amin[unsure]
        pl, pe, inter = pl[ok], pe[ok], inter[ok]
    secs["candidates"] = time.perf_counter() - t
    report_progress(progress, 0.25)

    # ---- 2. components -------------------------------------------------------
    t = time.perf_counter()
    degL = np.bincount(pl, minlength=nL)
    degE = np.bincount(pe, minlength=nE)
    one = (degL[pl] == 1) & (degE[pe] == 1)
    pair_l, pair_e = list(pl[one]), list(pe[one])  # extended by resolved multi components
    ml, me, minter = pl[~one], pe[~one], inter[~one]
    groups = []  # (list of later idx, list of earlier idx) with >= 2 on one side
    n_multi = 0
    if len(ml):
        miss = np.isnan(minter)
        if miss.any():
            minter[miss] = shapely.area(_pmap(shapely.intersection, nt, L[ml[miss]], E[me[miss]]))
        lab = _components(nL + nE, ml, me + nL)[ml]
        order = np.lexsort((rankE[me], rankL[ml], lab))
        ml, me, minter, lab = ml[order], me[order], minter[order], lab[order]
        cuts = np.flatnonzero(np.diff(lab)) + 1
        iou_all = minter / (aL[ml] + aE[me] - minter)
        shL_all = minter / aL[ml]
        shE_all = minter / aE[me]
        starts = np.concatenate([[0], cuts])
        ends = np.concatenate([cuts, [len(ml)]])
        n_multi = len(starts)
        # per component in plain Python on lists (components are small; numpy per component costs more)
        cols = (ml.tolist(), me.tolist(), rankE[me].tolist(), iou_all.tolist(), shL_all.tolist(),
                shE_all.tolist(), np.round(minter, 6).tolist())
        for s, e_ in zip(starts.tolist(), ends.tolist()):
            _resolve_component(*(col[s:e_] for col in cols), attach_share, pair_l, pair_e, groups)
    secs["components"] = time.perf_counter() - t
    report_progress(progress, 0.4)

    # ---- 3. pairs: registration and classification (vectorised) -------------
    t = time.perf_counter()
    change = np.full(nL, NEW, dtype=object)
    change[~usedL] = SKIPPED
    change[dupL >= 0] = DUPLICATE
    prev = np.full(nL, "", dtype=object)
    iou_out = np.zeros(nL)
    area_prev = np.zeros(nL)
    growth = aL.copy()
    growth[~usedL] = 0.0
    floors_prev = np.full(nL, np.nan)
    shift_m = np.zeros(nL)
    growth_geom = np.full(nL, None, dtype=object)
    growth_geom[usedL] = L[usedL]
    fate = np.full(nE, "demolished", dtype=object)
    fate[~usedE] = SKIPPED
    fate[dupE >= 0] = DUPLICATE
    nxt = np.full(nE, "", dtype=object)

    pair_l = np.asarray(pair_l, dtype=np.int64)
    pair_e = np.asarray(pair_e, dtype=np.int64)
    if len(pair_l):
        al_, ae_ = aL[pair_l], aE[pair_e]
        thr = sig_thr(ae_)
        msecs = {}
        m = _measure(L[pair_l], E[pair_e], al_, ae_, thr, tolerance_m=tolerance_m, jitter_m=jitter_m,
                     n_threads=nt, secs=msecs, bounds=(boundsL[pair_l], boundsE[pair_e]))
        secs.update({"pairs." + k: v for k, v in msecs.items()})
        if exact_iou and m.screened.any():
            sc = np.flatnonzero(m.screened)
            m.inter[sc] = shapely.area(_pmap(shapely.intersection, nt, L[pair_l[sc]],
                                             _translate(E[pair_e[sc]], m.shift[sc])))
        iou = m.inter / (al_ + ae_ - m.inter)  # NaN where screened and not exact_iou
        share = m.inter / np.minimum(al_, ae_)
        linked = m.screened | (iou >= min_iou) | (share >= attach_share)
        # low overlap: same plot (rebuilt) only if the overlap is thicker than the
        # positional noise can make it and covers >= rebuilt_share of the old footprint
        cand = np.flatnonzero(~linked)
        if len(cand):
            ov = _pmap(shapely.intersection, nt, L[pair_l[cand]], E[pair_e[cand]])
            core = shapely.area(_opening(ov, 0.5 * (tolerance_m + jitter_m), nt))
            linked[cand] = core >= np.maximum(min_growth_m2, rebuilt_share * ae_[cand])
        grew = m.growth >= thr
        rebuilt = linked & ~m.screened & (iou < min_iou) & (m.loss >= thr)
        expanded = linked & grew & ~rebuilt
        with np.errstate(invalid="ignore"):
            fl_up = (fL[pair_l] - fE[pair_e]) >= min_floor_increase  # NaN -> False
        c = np.full(len(pair_l), UNCHANGED, dtype=object)
        c[fl_up] = FLOORS_ADDED
        c[expanded] = EXPANDED
        c[expanded & fl_up] = EXPANDED_FLOORS
        c[rebuilt] = REBUILT
        lk = np.flatnonzero(linked)
        li, ei = pair_l[lk], pair_e[lk]
        change[li] = c[lk]
        prev[li] = _id_text(eids, ei)
        iou_out[li] = iou[lk]
        area_prev[li] = ae_[lk]
        growth[li] = m.growth[lk]
        floors_prev[li] = fE[ei]
        shift_m[li] = np.hypot(m.shift[lk, 0], m.shift[lk, 1])
        growth_geom[li] = m.growth_geom[lk]
        fate[ei] = "continued"
        nxt[ei] = _id_text(lids, li)
    secs["pairs"] = time.perf_counter() - t
    report_progress(progress, 0.8)

    # ---- 4. split / merged groups (rare; a loop builds arrays, ops vectorised)
    t = time.perf_counter()
    if groups:
        gL = _union_groups(L, [g[0] for g in groups], nt)
        gE = _union_groups(E, [g[1] for g in groups], nt)
        gaL, gaE = shapely.area(gL), shapely.area(gE)
        gsecs = {}
        secs["groups.union"] = time.perf_counter() - t
        gm = _measure(gL, gE, gaL, gaE, sig_thr(gaE), tolerance_m=tolerance_m, jitter_m=jitter_m,
                      n_threads=nt, secs=gsecs)
        secs["groups.measure"] = sum(gsecs.values())
        gshift, ginter = gm.shift, gm.inter
        sc = np.flatnonzero(np.isnan(ginter))  # groups are rare: always measure their IoU
        if len(sc):
            ginter[sc] = _pmap(_shifted_overlap, nt, gL[sc], gE[sc], gshift[sc])
        giou = ginter / (gaL + gaE - ginter)
        n_gl = np.fromiter((len(g[0]) for g in groups), dtype=np.int64, count=len(groups))
        n_ge = np.fromiter((len(g[1]) for g in groups), dtype=np.int64, count=len(groups))
        rows_l = np.fromiter(chain.from_iterable(g[0] for g in groups), dtype=np.int64, count=int(n_gl.sum()))
        rows_g = np.repeat(np.arange(len(groups)), n_gl)
        ej = np.fromiter(chain.from_iterable(g[1] for g in groups), dtype=np.int64, count=int(n_ge.sum()))
        eg = np.repeat(np.arange(len(groups)), n_ge)
        split_or_merged = np.array([SPLIT, MERGED], dtype=object)
        fate[ej] = split_or_merged[(n_gl[eg] == 1).astype(np.int64)]
        gnext = np.empty(len(groups), dtype=object)
        gnext[:] = [_join_ids(lids[g[0]].tolist()) for g in groups]
        nxt[ej] = gnext[eg]
        _, d, da = _pmap(_register_difference, nt, L[rows_l], gE[rows_g], gshift[rows_g])
        gthr = sig_thr(gaE[rows_g])
        gro = np.zeros(len(rows_l))
        gg = np.full(len(rows_l), None, dtype=object)
        cg = np.flatnonzero(da >= gthr)
        if len(cg):
            gg[cg] = _opening(d[cg], jitter_m, nt, clip_min_area=gthr[cg])
            gro[cg] = shapely.area(gg[cg])
        # predecessors of each group row, flat in the rows' order
        preds = [g[2][i] for g in groups for i in g[0]]
        n_p = np.fromiter(map(len, preds), dtype=np.int64, count=len(preds))
        pe_ = np.fromiter(chain.from_iterable(preds), dtype=np.int64, count=int(n_p.sum()))
        prow = np.repeat(np.arange(len(preds)), n_p)
        change[rows_l] = split_or_merged[(n_p >= 2).astype(np.int64)]
        pv = eids[pe_].tolist()
        starts = np.concatenate([[0], np.cumsum(n_p)[:-1]]).tolist()
        ptext = np.empty(len(preds), dtype=object)
        ptext[:] = [_join_ids(pv[a:a + b]) for a, b in zip(starts, n_p.tolist())]
        prev[rows_l] = ptext
        area_prev[rows_l] = _seq_sum(aE[pe_], prow, len(preds))
        fmax = np.full(len(preds), np.nan)
        np.fmax.at(fmax, prow, fE[pe_])  # NaN only where every predecessor has no floors
        floors_prev[rows_l] = fmax
        iou_out[rows_l] = giou[rows_g]
        growth[rows_l] = gro
        growth_geom[rows_l] = gg
        shift_m[rows_l] = np.hypot(gshift[rows_g, 0], gshift[rows_g, 1])
        # a residual in a merged group that is itself mostly a split piece keeps "split"
    secs["groups"] = time.perf_counter() - t
    report_progress(progress, 0.95)

    # ---- 5. outputs ----------------------------------------------------------
    later = pd.DataFrame({
        "fid": lids, "change": change, "prev_fids": prev, "match_iou": iou_out,
        "area_prev": area_prev, "area_now": aL, "growth_m2": growth,
        "floors_prev": floors_prev, "floors_now": fL, "shift_m": shift_m,
        "dup_of": _dup_ids(dupL, lids),
    })
    # ---- 6. confidence -----------------------------------------------------
    t = time.perf_counter()
    conf, conf_reason, noise_info = confidence_stage(
        later, eids, earlier_repaired=earlier_repaired, earlier_accuracy=earlier_accuracy,
        later_accuracy=later_accuracy, quantile=noise_quantile, high_factor=confidence_high,
        medium_factor=confidence_medium)
    later["confidence"] = conf
    later["conf_reason"] = conf_reason
    secs["confidence"] = time.perf_counter() - t
    earlier = pd.DataFrame({"fid": eids, "fate": fate, "next_fids": nxt, "area": aE, "floors": fE,
                            "dup_of": _dup_ids(dupE, eids)})
    dem_idx = np.flatnonzero(fate == "demolished")
    demolished = pd.DataFrame({"fid": eids[dem_idx], "area_prev": aE[dem_idx], "floors_prev": fE[dem_idx]})
    has_growth = usedL & (change != UNCHANGED) & (change != FLOORS_ADDED)
    has_growth &= growth >= np.maximum(min_growth_m2, min_growth_ratio * area_prev)
    has_growth &= ~shapely.is_missing(growth_geom)
    gi = np.flatnonzero(has_growth)
    growth_df = pd.DataFrame({"fid": lids[gi], "change": change[gi], "growth_m2": growth[gi], "later_index": gi})

    report = EpochReport(
        n_earlier=nE, n_later=nL, n_earlier_skipped=int((~usedE & (dupE < 0)).sum()),
        n_later_skipped=int((~usedL & (dupL < 0)).sum()),
        n_earlier_duplicate=int((dupE >= 0).sum()), n_later_duplicate=int((dupL >= 0).sum()),
        changes={k: int(v) for k, v in pd.Series(change).value_counts().items()},
        fates={k: int(v) for k, v in pd.Series(fate).value_counts().items()},
        n_growth=len(gi), n_multi_components=n_multi, noise=noise_info, params=params, seconds=secs)
    secs["total"] = time.perf_counter() - t0
    assert report.balanced
    return EpochResult(later=later, earlier=earlier, demolished=demolished, demolished_index=dem_idx,
                       growth=growth_df, growth_geoms=growth_geom[gi], report=report)
