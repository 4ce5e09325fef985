"""Frame comparison shared by the tiling and streaming tests."""
from __future__ import annotations

import numpy as np
import pandas as pd
import shapely


def _wkb(geoms):
    return np.array([None if g is None else shapely.to_wkb(g) for g in geoms], dtype=object)


def assert_same_frame(a: pd.DataFrame, b: pd.DataFrame, geoms_a=None, geoms_b=None):
    """Same columns, dtypes, rows in the same order and bitwise-equal values (NaN == NaN)."""
    a = a.reset_index(drop=True).copy()
    b = b.reset_index(drop=True).copy()
    if geoms_a is not None:
        a["__wkb"] = _wkb(geoms_a)
        b["__wkb"] = _wkb(geoms_b)
    for frame in (a, b):
        if "geometry" in frame:
            frame["geometry"] = _wkb(frame["geometry"].to_numpy())
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b)
    for c in a.columns:
        assert a[c].dtype == b[c].dtype, c
        x, y = a[c].to_numpy(), b[c].to_numpy()
        if x.dtype.kind == "f":
            assert np.array_equal(x, y, equal_nan=True), c
        else:
            assert all((p == q) or (p is None and q is None) or (p != p and q != q) for p, q in zip(x, y)), c
