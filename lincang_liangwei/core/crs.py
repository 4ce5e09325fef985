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

    Returns the code and the facts for the log (words: ``qgis_io.messages.working_crs_note``):
    ``{"authid", "kind": "gk3" | "utm", "cm"}``.
    """
    authid = (authid or "").upper()
    if authid in CGCS2000_GEOGRAPHIC:
        code = gk3_epsg(lon)
        if code is not None:
            cm = _GK3_FIRST_CM + 3 * (code - _GK3_FIRST_CODE)
            return code, {"authid": authid, "kind": "gk3", "cm": cm}
    code = utm_epsg(lon, lat)
    return code, {"authid": authid, "kind": "utm", "cm": None}


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
    by more than :data:`SCALE_ERROR_LIMIT`, with the facts for the log (words:
    ``qgis_io.messages.rescaled_crs_note``): ``{"crs", "length_pct", "area_pct", "limit_pct", "kind"}``;
    None when ``crs_label`` is fine.

    The replacement is chosen exactly as for geographic input (:func:`working_epsg`) from the CRS's
    geographic base ``geographic_authid``: CGCS2000 -> its 3-degree GK zone, anything else -> UTM.
    """
    if not badly_scaled(k_x, k_y):
        return None
    code, _ = working_epsg(geographic_authid, lon, lat)
    length = 100.0 * scale_error(k_x, k_y)
    area = 100.0 * abs(k_x * k_y - 1.0)
    return code, {"crs": crs_label, "length_pct": length, "area_pct": area, "limit_pct": 100 * SCALE_ERROR_LIMIT,
                  "kind": "gk3" if 4534 <= code <= 4554 else "utm"}
