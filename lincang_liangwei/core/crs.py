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
