"""Which projected CRSs are metric enough to compute in (core.crs, no QGIS)."""
import math

import pytest

from lincang_liangwei.core.crs import SCALE_ERROR_LIMIT, badly_scaled, rescaled_working_epsg, scale_error

LON, LAT = 100.08, 23.88  # Lincang


def test_web_mercator_near_lincang_is_refused_as_working_crs():
    k = 1.0 / math.cos(math.radians(LAT))  # Web Mercator's point scale (both directions) at Lincang
    assert scale_error(k, k) == pytest.approx(0.0936, abs=0.001)
    code, facts = rescaled_working_epsg("EPSG:3857", "EPSG:4326", LON, LAT, k, k)
    assert code == 32647  # WGS 84 / UTM 47N, as for geographic WGS 84 input
    assert facts["crs"] == "EPSG:3857" and facts["kind"] == "utm"
    assert f"{facts['length_pct']:.1f}" == "9.4" and f"{facts['area_pct']:.1f}" == "19.6"  # length and area error
    # the sentence in both languages: tests/qgis/test_i18n.py::test_crs_notes_in_both_languages


def test_cgcs2000_projection_far_from_its_centre_goes_to_the_3_degree_zone():
    code, facts = rescaled_working_epsg("EPSG:4547", "EPSG:4490", LON, LAT, 1.012, 1.011)
    assert code == 4542  # CGCS2000 3-degree GK, CM 99E
    assert f"{facts['length_pct']:.1f}" == "1.2" and facts["kind"] == "gk3"   # "CGCS2000 3-degree GK zone" in the log


def gk_scale(lon_off_deg, lat=LAT, k0=1.0):
    """Transverse Mercator point scale, first order: k0 (1 + (dl cos phi)^2 / 2)."""
    return k0 * (1 + (math.radians(lon_off_deg) * math.cos(math.radians(lat))) ** 2 / 2)


@pytest.mark.parametrize("k", [gk_scale(0), gk_scale(1.5), gk_scale(3.0), gk_scale(0, k0=0.9996), gk_scale(3.0, k0=0.9996)],
                         ids=["gk3-centre", "gk3-edge", "gk6-edge", "utm-centre", "utm-edge"])
def test_gauss_krueger_and_utm_zones_stay_as_they_are(k):
    assert not badly_scaled(k, k)
    assert rescaled_working_epsg("EPSG:4542", "EPSG:4490", LON, LAT, k, k) is None


def test_threshold_is_half_a_percent_in_length_either_direction():
    assert SCALE_ERROR_LIMIT == 0.005
    assert not badly_scaled(1.0049, 1.0)
    assert badly_scaled(1.0, 1.0051)
    assert badly_scaled(0.994, 1.0)  # shrinking counts too


def test_unmeasurable_scale_keeps_the_crs():
    assert math.isnan(scale_error(float("nan"), 1.0))
    assert not badly_scaled(float("nan"), 1.0)
    assert rescaled_working_epsg("EPSG:3857", "EPSG:4326", LON, LAT, 0.0, 1.0) is None
