"""End to end: control lines drawn in CAD (a real DXF) -> liangwei:cadimport -> liangwei:controllines
through qgis_process give the same findings as the same zones as GeoPackage polygons."""
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from qprun import run_alg  # noqa: E402

from devtools import fileio  # noqa: E402
from devtools.dxf import write_dxf  # noqa: E402
from devtools.samplecity import generate_city  # noqa: E402

pytestmark = pytest.mark.e2e
CAD_LAYERS = {"red_lines": ("道路红线", "RED_LINES", "red"), "blue_lines": ("河道蓝线", "BLUE_LINES", "blue"),
              "green_lines": ("绿线", "GREEN_LINES", "green")}


def _dxf_digits(xy: np.ndarray) -> np.ndarray:
    return np.array([[float(f"{x:.15g}"), float(f"{y:.15g}")] for x, y in xy.tolist()])


def _near_closed(ring: np.ndarray, gap: float) -> np.ndarray:
    """The ring's vertices with its last edge stopped ``gap`` short of the start (same polygon once closed)."""
    p_last, p0 = ring[-2], ring[0]
    d = p0 - p_last
    stop = p0 - d / np.linalg.norm(d) * gap
    return np.vstack([ring[:-1], stop])


@pytest.fixture(scope="module")
def cad_city(tmp_path_factory):
    """buildings + reference polygons (GeoPackage) + the same zone outlines drawn in a DXF."""
    d = tmp_path_factory.mktemp("cad")
    city = generate_city(600, seed=11)
    crs = city.crs
    fileio.write_layer(d / "buildings.gpkg", "buildings", city.geoms("buildings_2023"), crs=crs)
    geoms, layers, n_zones = [], [], {}
    near = 0
    for name, (cad_layer, _param, _t) in CAD_LAYERS.items():
        zones = city.geoms(name)
        zones = zones[~shapely.is_missing(zones)]
        # what the drawing holds: each zone's outline (holes are not drawn), coordinates to the 15
        # significant digits a DXF stores (else buildings touching a zone get 1e-9 m² overlaps in one run only)
        rings = shapely.transform(shapely.get_exterior_ring(zones), _dxf_digits)
        ref = shapely.polygons(rings)
        fileio.write_layer(d / "reference.gpkg", name, ref, crs=crs)
        n_zones[name] = len(ref)
        for ring in rings:
            coords = shapely.get_coordinates(ring)
            if near < 3:  # a few drawn with a gap within the tolerance
                coords = _near_closed(coords, 0.2)
                near += 1
            geoms.append(shapely.linestrings(coords))
            layers.append(f"规划-{cad_layer}" if len(geoms) % 2 else cad_layer)
    x0, y0, x1, y1 = shapely.total_bounds(city.geoms("districts"))
    # far from every building: a ring with a 5 m gap (reported), building outlines on a layer no type matches
    geoms.append(shapely.linestrings([(x1 + 100, y0), (x1 + 200, y0), (x1 + 200, y0 + 100), (x1 + 100, y0 + 100),
                                      (x1 + 100, y0 + 5)]))
    layers.append("道路红线")
    outlines = shapely.get_exterior_ring(city.geoms("buildings_2023")[:20])
    geoms.extend(outlines[~shapely.is_missing(outlines)])
    layers.extend(["建筑"] * int((~shapely.is_missing(outlines)).sum()))
    dxf = write_dxf(d / "控制线.dxf", geoms, layers, codepage="ANSI_936")
    return {"dir": d, "dxf": dxf, "n_zones": n_zones, "near": near, "n_outlines": len(layers) - sum(n_zones.values()) - 1}


def test_cad_import_then_controllines_equals_polygon_reference(cad_city, tmp_path):
    d = cad_city["dir"]
    res = run_alg("liangwei:cadimport", {"INPUT": cad_city["dxf"], "CRS": "EPSG:4542", "TOLERANCE": 0.5,
                                         "OUTPUT": tmp_path / "cad.gpkg", "OUTPUT_LINES": tmp_path / "cad_lines.gpkg"})
    r = {k: int(v) for k, v in res.results.items() if k.startswith("N_")}
    n = cad_city["n_zones"]
    assert r["N_POLYGONS"] == sum(n.values())
    assert r["N_CLOSED_GAP"] == cad_city["near"] == 3
    assert r["N_LINES"] == 1 and r["N_NOT_CLOSED"] == 1
    assert r["N_RED"] == n["red_lines"] + 1 and r["N_BLUE"] == n["blue_lines"] and r["N_GREEN"] == n["green_lines"]
    assert r["N_UNMAPPED"] == cad_city["n_outlines"] and r["N_UNMAPPED_LAYERS"] == 1
    _, lines, lattrs, _ = fileio.read_layer(tmp_path / "cad_lines.gpkg", "cad_lines")
    assert list(lattrs["status"]) == ["gap_too_large"] and list(lattrs["cad_layer"]) == ["道路红线"]
    assert float(lattrs["gap_m"][0]) == pytest.approx(5.0)
    _, polys, pattrs, _ = fileio.read_layer(tmp_path / "cad.gpkg", "cad")
    assert sorted(set(pattrs["cad_layer"])) == sorted({"道路红线", "规划-道路红线", "河道蓝线", "规划-河道蓝线", "绿线",
                                                       "规划-绿线"} & set(pattrs["cad_layer"]))
    assert (np.asarray(pattrs["status"]) == "closed_gap").sum() == 3

    common = {"FOOTPRINTS": f"{d / 'buildings.gpkg'}|layername=buildings", "MIN_AREA": 0}
    cad = {param: f"{tmp_path / 'cad.gpkg'}|layername=cad|subset=\"line_type\" = '{t}'"
           for _name, (_l, param, t) in CAD_LAYERS.items()}
    ref = {param: f"{d / 'reference.gpkg'}|layername={name}" for name, (_l, param, _t) in CAD_LAYERS.items()}
    got = run_alg("liangwei:controllines", {**common, **cad, "OUTPUT": tmp_path / "got.gpkg",
                                            "OUTPUT_BUILDINGS": tmp_path / "got_b.gpkg"})
    want = run_alg("liangwei:controllines", {**common, **ref, "OUTPUT": tmp_path / "want.gpkg",
                                             "OUTPUT_BUILDINGS": tmp_path / "want_b.gpkg"})
    assert int(want.results["N_HIT_BUILDINGS"]) > 10  # the layout really puts buildings on these zones
    for key in ("N_BUILDINGS", "N_USED", "N_HIT_BUILDINGS", "N_HITS"):
        assert int(got.results[key]) == int(want.results[key]), key
    assert float(got.results["ENC_AREA"]) == pytest.approx(float(want.results["ENC_AREA"]), rel=1e-9)

    def per_building(path, layer):
        fids, _, attrs, _ = fileio.read_layer(path, layer)
        return dict(zip(fids.tolist(), np.round(np.asarray(attrs["enc_area_total"], dtype=float), 6).tolist()))

    assert per_building(tmp_path / "got_b.gpkg", "got_b") == per_building(tmp_path / "want_b.gpkg", "want_b")
