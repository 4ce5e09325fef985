"""Floors (层数) from whatever a survey layer holds: numbers or text.

Bureau layers keep floors as integers, as text with a unit (``3层``, ``3F``,
``3楼``), in Chinese numerals (``二层``, ``十二层``, ``两层``), with blanks
around them, or empty.  :func:`parse_floors` turns such a column into floats,
vectorised over the *distinct* values (a city has a few dozen of them, so the
per-value Python parsing costs nothing at 10^6 rows).  What it cannot read
becomes NaN ("no floor information") and is counted, with a few examples, so
the algorithm can say so in its log instead of stopping.

Accepted text (after Unicode NFKC, so full-width ``３Ｆ`` works):

* a number, optionally followed by 层 / 楼 / F / f / 层楼 (``3``, ``3.5``,
  ``3层``, `` 4 ``, ``12F``), optionally prefixed by 地上 (above ground) or
  ``F`` (``F3``);
* Chinese numerals up to 999 with the same units: 一 二 两 三 … 九 十 百 (and the
  formal 壹 贰 叁 … 拾 佰, 〇 / 零), e.g. ``二层``, ``十二层``, ``二十三楼``;
* ``地上3层地下1层``: the above-ground count (3).

Not accepted (NaN, counted as unparsed): basements only (``地下1层``: not a
count of storeys above ground), ranges (``3-5层``), anything else.
Empty text, ``None`` and NaN are *missing*, counted separately.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

_DIGITS = {"零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "貳": 2, "两": 2, "兩": 2, "三": 3, "叁": 3, "參": 3,
           "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "陸": 6, "七": 7, "柒": 7, "八": 8, "捌": 8,
           "九": 9, "玖": 9}
_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100}
_CN = "".join(_DIGITS) + "".join(_UNITS)
_SUFFIX = r"(?:层楼|层|楼|f)?"
_NUM_RE = re.compile(r"^(?:地上)?\s*(?:f\s*)?(\d+(?:\.\d+)?)\s*" + _SUFFIX + r"$")
_CN_RE = re.compile(r"^(?:地上)?\s*([" + _CN + r"]+)\s*" + _SUFFIX + r"$")
_ABOVE_RE = re.compile(r"地上\s*(\d+(?:\.\d+)?|[" + _CN + r"]+)\s*(?:层|楼|f)")
#: how many unparsed values :class:`FloorsParse` keeps as examples
N_EXAMPLES = 5


@dataclass
class FloorsParse:
    """What :func:`parse_floors` made of one column (counts for the log)."""

    n: int = 0
    n_numeric: int = 0  # already numbers
    n_text: int = 0  # read from text
    n_missing: int = 0  # None / NaN / empty text
    n_unparsed: int = 0  # present but not a floor count -> NaN
    examples: list = field(default_factory=list)  # a few distinct unparsed values (as text)

    @property
    def balanced(self) -> bool:
        return self.n_numeric + self.n_text + self.n_missing + self.n_unparsed == self.n


def chinese_number(text: str) -> int | None:
    """``"十二"`` -> 12, ``"二十三"`` -> 23, ``"两"`` -> 2, ``"一百零五"`` -> 105; None if not a numeral."""
    if not text or any(c not in _DIGITS and c not in _UNITS for c in text):
        return None
    if all(c in _DIGITS for c in text):  # positional: "一二" = 12, "二〇" = 20
        return int("".join(str(_DIGITS[c]) for c in text)) if len(text) <= 3 else None
    total, digit, last_unit = 0, None, 1000
    for c in text:
        if c in _DIGITS:
            if digit is not None and _DIGITS[c] != 0:
                return None  # two digits in a row without a unit ("二三十")
            digit = _DIGITS[c] if _DIGITS[c] != 0 else None
        else:
            unit = _UNITS[c]
            if unit >= last_unit:
                return None  # "十百"
            total += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
    return total + (digit or 0)


def parse_floor_text(value) -> float | None:
    """One value -> floors, or None when it is not a floor count (see module doc)."""
    s = unicodedata.normalize("NFKC", str(value)).strip().lower().replace(" ", "")
    m = _NUM_RE.match(s)
    if m:
        return float(m.group(1))
    m = _CN_RE.match(s)
    if m:
        v = chinese_number(m.group(1))
        return None if v is None else float(v)
    m = _ABOVE_RE.search(s)  # "地上3层地下1层"
    if m:
        v = m.group(1)
        return float(v) if v[0].isdigit() else (None if chinese_number(v) is None else float(chinese_number(v)))
    return None


def parse_floors(values, n: int | None = None) -> tuple[np.ndarray, FloorsParse]:
    """Column of floors (numbers, text, None) -> (float array, counts).

    ``values=None`` (no floors field) gives all-NaN of length ``n`` and an
    all-missing count.  Numbers pass through unchanged; text is parsed per
    distinct value; unreadable values are NaN and counted.
    """
    if values is None:
        n = int(n or 0)
        return np.full(n, np.nan), FloorsParse(n=n, n_missing=n)
    arr = np.asarray(values, dtype=object).ravel() if not isinstance(values, np.ndarray) or values.dtype == object \
        else values.ravel()
    rep = FloorsParse(n=len(arr))
    if arr.dtype != object:  # a numeric column: nothing to parse
        out = arr.astype(float)
        rep.n_missing = int(np.isnan(out).sum())
        rep.n_numeric = rep.n - rep.n_missing
        return out, rep
    s = pd.Series(arr, dtype=object)
    is_text = s.map(lambda v: isinstance(v, (str, bytes))).to_numpy(bool)
    nums = pd.to_numeric(s.where(~is_text), errors="coerce").to_numpy(float)
    out = nums.copy()
    missing = pd.isna(s).to_numpy(bool)
    other = ~is_text & ~missing & np.isnan(nums)  # present, neither number nor text (e.g. a date)
    text = np.where(is_text, s.map(lambda v: v.decode("utf-8", "replace") if isinstance(v, bytes) else v), "")
    text = text.astype(object)
    blank = is_text & (pd.Series(text).str.strip().to_numpy(object) == "")
    missing |= blank
    parse = is_text & ~blank
    unparsed = other.copy()
    if parse.any():
        codes, uniq = pd.factorize(pd.Series(text[parse]), sort=True)
        vals = np.array([np.nan if (v := parse_floor_text(u)) is None else v for u in uniq], dtype=float)
        out[parse] = vals[codes]
        bad = np.isnan(out) & parse
        unparsed |= bad
        rep.examples = [u for u, v in zip(uniq, vals) if np.isnan(v)][:N_EXAMPLES]
    if other.any() and len(rep.examples) < N_EXAMPLES:
        rep.examples += [str(v) for v in pd.unique(s[other].astype(str))][:N_EXAMPLES - len(rep.examples)]
    out[unparsed | missing] = np.nan
    rep.n_missing = int(missing.sum())
    rep.n_unparsed = int(unparsed.sum())
    rep.n_text = int((parse & ~unparsed).sum())
    rep.n_numeric = rep.n - rep.n_missing - rep.n_unparsed - rep.n_text
    return out, rep
