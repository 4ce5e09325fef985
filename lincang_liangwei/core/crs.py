"""Choosing a projected working CRS when the data come in geographic coordinates.

Areas and distances are computed in metres.  Chinese survey data in CGCS2000
geographic coordinates (EPSG:4490) go to the CGCS2000 3-degree Gauss-Krüger
zone of their central meridian (EPSG:4534 … 4554, "CM xxE" variants without
zone prefix in the false easting, e.g. EPSG:4542 = CM 99E for Lincang);
everything else geographic goes to its WGS 84 / UTM zone.
"""
from __future__ import annotations

import math

CGCS2000_GEOGRAPHIC = ("EPSG:4490", "EPSG:4479", "EPSG:4480")
# EPSG:4534 is CM 75E, each next code is 3 degrees further east, up to 4554 = CM 135E
_GK3_FIRST_CODE, _GK3_FIRST_CM, _GK3_LAST_CM = 4534, 75, 135


def gk3_epsg(lon: float) -> int | None:
    """EPSG code of the CGCS2000 3-degree GK zone (CM variant) containing ``lon``."""
    cm = 3 * round(lon / 3.0)
    if cm < _GK3_FIRST_CM or cm > _GK3_LAST_CM:
        return None
    return _GK3_FIRST_CODE + (cm - _GK3_FIRST_CM) // 3


def utm_epsg(lon: float, lat: float) -> int:
    zone = int(math.floor((lon + 180.0) / 6.0)) % 60 + 1
    return (32600 if lat >= 0 else 32700) + zone


def working_epsg(authid: str, lon: float, lat: float) -> tuple[int, str]:
    """Projected EPSG code for data in the geographic CRS ``authid`` around (lon, lat).

    Returns the code and a bilingual sentence for the log saying why.
    """
    authid = (authid or "").upper()
    if authid in CGCS2000_GEOGRAPHIC:
        code = gk3_epsg(lon)
        if code is not None:
            cm = _GK3_FIRST_CM + 3 * (code - _GK3_FIRST_CODE)
            return code, (
                f"输入为地理坐标 {authid}，按中央经线 {cm}°E 投影到 EPSG:{code}（CGCS2000 3度带）计算面积和距离 / "
                f"geographic input {authid}: areas and distances computed in EPSG:{code} (CGCS2000 3-degree GK, CM {cm}E)"
            )
    code = utm_epsg(lon, lat)
    return code, (
        f"输入为地理坐标 {authid or '(未知)'}，投影到 UTM 分带 EPSG:{code} 计算面积和距离 / "
        f"geographic input {authid or '(unknown)'}: areas and distances computed in UTM EPSG:{code}"
    )


# -- projected CRSs that are not metric where the data are --------------------------------------------

# Largest relative length error of a projected CRS at the data (point scale factor k: |k - 1|) that is
# accepted as a working CRS.  0.5 % in length is 1 % in area.  Every Gauss-Krüger 3-degree zone (at most
# ~0.03 % at its edge near Lincang), 6-degree zone (~0.11 %) and UTM (-0.04 … +0.1 %) is far below it;
# Web Mercator near Lincang (latitude 24°) is ~9.5 % in length, ~20 % in area.
SCALE_ERROR_LIMIT = 0.005


def scale_error(k_x: float, k_y: float) -> float:
    """Largest relative length error of the point scale factors east-west ``k_x`` and north-south ``k_y``
    (planar distance / ellipsoidal distance); NaN when they could not be measured."""
    if not (math.isfinite(k_x) and math.isfinite(k_y)) or k_x <= 0 or k_y <= 0:
        return float("nan")
    return max(abs(k_x - 1.0), abs(k_y - 1.0))


def badly_scaled(k_x: float, k_y: float, limit: float = SCALE_ERROR_LIMIT) -> bool:
    """True when a projected CRS with these point scale factors must not be used for areas/distances."""
    err = scale_error(k_x, k_y)
    return math.isfinite(err) and err > limit


def rescaled_working_epsg(crs_label: str, geographic_authid: str, lon: float, lat: float,
                          k_x: float, k_y: float) -> tuple[int, str] | None:
    """EPSG code to compute in instead of the projected CRS ``crs_label`` when its scale at (lon, lat) is off
    by more than :data:`SCALE_ERROR_LIMIT`, with a bilingual log sentence; None when ``crs_label`` is fine.

    The replacement is chosen exactly as for geographic input (:func:`working_epsg`) from the CRS's
    geographic base ``geographic_authid``: CGCS2000 -> its 3-degree GK zone, anything else -> UTM.
    """
    if not badly_scaled(k_x, k_y):
        return None
    code, _ = working_epsg(geographic_authid, lon, lat)
    length = 100.0 * scale_error(k_x, k_y)
    area = 100.0 * abs(k_x * k_y - 1.0)
    kind = "CGCS2000 3度带" if 4534 <= code <= 4554 else "UTM"
    kind_en = "CGCS2000 3-degree GK zone" if 4534 <= code <= 4554 else "UTM zone"
    return code, (
        f"输入坐标系 {crs_label} 在数据所在处长度变形约 {length:.1f}%（面积约 {area:.1f}%），超过 "
        f"{100 * SCALE_ERROR_LIMIT:g}% 的限值，不能直接用于量算；改在 EPSG:{code}（{kind}）中计算面积和距离 / "
        f"input CRS {crs_label} distorts lengths by about {length:.1f}% (areas {area:.1f}%) at the data, more than "
        f"the {100 * SCALE_ERROR_LIMIT:g}% limit: areas and distances computed in EPSG:{code} ({kind_en}) instead"
    )
