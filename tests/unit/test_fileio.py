"""GeoPackage I/O outside QGIS: round trips (Chinese, nulls, Z, invalid), tables,
atomic writes, the sample city file and the make_sample_city script."""
from __future__ import annotations

import importlib.util
import sqlite3
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from devtools import fileio
from devtools import samplecity as sc

BACKENDS = [b for b in ("ogr", "pyogrio")
            if importlib.util.find_spec("osgeo" if b == "ogr" else "pyogrio") is not None]
if not BACKENDS:  # pragma: no cover
    pytest.skip("neither osgeo nor pyogrio installed", allow_module_level=True)


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


def _geoms():
    return np.array([
        shapely.box(508000, 2641000, 508010, 2641012),
        None,
        shapely.from_wkt("POLYGON EMPTY"),
        shapely.force_3d(shapely.box(508020, 2641000, 508030, 2641010), 1460.0),
        shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10)]),  # bow-tie, invalid
        shapely.Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], [[(1, 1), (2, 1), (2, 2), (1, 2)]]),
    ], dtype=object)


def _attrs():
    return {
        "name": np.array(["凤翔街道", None, "", "南汀河滨河绿带", "忙畔路·二段", "mixed 中文 ascii"], dtype=object),
        "floors": np.array([1, 2, 3, 4, 5, 6], dtype=np.int32),
        "big": np.array([2**40, -1, 0, 1, 2, 3], dtype=np.int64),
        "area": np.array([1.5, np.nan, 0.0, -2.25, 1e9, 3.0]),
    }


def test_layer_round_trip(tmp_path, backend):
    p = tmp_path / "a.gpkg"
    geoms = _geoms()
    fids = np.array([5, 7, 11, 12, 100, 2**33], dtype=np.int64)
    fileio.write_layer(p, "buildings", geoms, _attrs(), crs="EPSG:4542", geom_type="Polygon", fids=fids,
                       backend=backend)
    assert p.exists()
    assert not list(tmp_path.glob(".*partial*"))
    f, g, a, crs = fileio.read_layer(p, "buildings", backend=backend)
    assert f.dtype == np.int64 and np.array_equal(f, fids)
    assert g[1] is None
    assert shapely.is_empty(g[2])
    assert shapely.has_z(g[3]) and shapely.get_coordinates(g[3], include_z=True)[0, 2] == 1460.0
    assert not shapely.is_valid(g[4])
    for i in (0, 3, 4, 5):
        assert shapely.equals_exact(g[i], geoms[i], 0), i
    assert list(a.columns) == ["name", "floors", "big", "area"]
    assert a["name"].tolist() == ["凤翔街道", None, "", "南汀河滨河绿带", "忙畔路·二段", "mixed 中文 ascii"]
    assert a["floors"].tolist() == [1, 2, 3, 4, 5, 6]
    assert a["big"].tolist() == [2**40, -1, 0, 1, 2, 3]
    assert np.isnan(a["area"][1]) and a["area"][0] == 1.5 and a["area"][4] == 1e9
    assert "CGCS2000" in crs and "99" in crs


def test_dataframe_attrs_default_fids_and_lines(tmp_path, backend):
    p = tmp_path / "l.gpkg"
    lines = shapely.linestrings([[(0, 0), (1, 1)], [(2, 2), (3, 5)], [(1, 0), (0, 1)]])
    df = pd.DataFrame({"kind": ["燃气", "gas", "不明"], "diameter_mm": [200, 201, 100]})
    fileio.write_layer(p, "pipelines", lines, df, backend=backend)
    f, g, a, _ = fileio.read_layer(p, "pipelines", backend=backend)
    assert f.tolist() == [1, 2, 3]
    assert shapely.equals_exact(g, lines, 0).all()
    assert a["kind"].tolist() == ["燃气", "gas", "不明"]
    assert a["diameter_mm"].tolist() == [200, 201, 100]


def test_tables_and_layer_listing(tmp_path, backend):
    p = tmp_path / "t.gpkg"
    fileio.write_layer(p, "zones", np.array([shapely.box(0, 0, 1, 1)], dtype=object), {"name": ["红线"]},
                       backend=backend)
    truth = pd.DataFrame({"fid": [3, 1, 2], "change": ["unchanged", "new", "expanded+floors_added"],
                          "prev_fids": ["7", "", "1;2"], "note": ["拆除候选", None, "待核查"]})
    fileio.write_table(p, "truth_later", truth, backend=backend)
    assert set(fileio.list_layers(p, backend=backend)) == {"zones", "truth_later"}
    back = fileio.read_table(p, "truth_later", backend=backend)
    assert back["fid"].tolist() == [3, 1, 2]  # an ordinary column, order kept
    assert back["change"].tolist() == truth["change"].tolist()
    assert back["prev_fids"].tolist() == ["7", "", "1;2"]
    assert back["note"].tolist() == ["拆除候选", None, "待核查"]
    # a non-spatial table is a GeoPackage "attributes" table
    con = sqlite3.connect(p)
    kinds = dict(con.execute("SELECT table_name, data_type FROM gpkg_contents").fetchall())
    con.close()
    assert kinds == {"zones": "features", "truth_later": "attributes"}


def test_add_and_replace_layers_in_place(tmp_path, backend):
    p = tmp_path / "m.gpkg"
    one = np.array([shapely.box(0, 0, 1, 1)], dtype=object)
    two = np.array([shapely.box(0, 0, 1, 1), shapely.box(2, 2, 3, 3)], dtype=object)
    fileio.write_layer(p, "a", one, {"v": [1]}, backend=backend)
    fileio.write_layer(p, "b", two, {"v": [1, 2]}, backend=backend)
    assert sorted(fileio.list_layers(p, backend=backend)) == ["a", "b"]
    fileio.write_layer(p, "a", two, {"v": [8, 9]}, backend=backend)  # replaces layer a only
    f, g, a, _ = fileio.read_layer(p, "a", backend=backend)
    assert a["v"].tolist() == [8, 9] and len(g) == 2
    assert len(fileio.read_layer(p, "b", backend=backend)[0]) == 2
    with pytest.raises(FileExistsError):
        fileio.write_layer(p, "a", one, {"v": [1]}, overwrite=False, backend=backend)


def test_new_file_is_atomic(tmp_path, backend, monkeypatch):
    p = tmp_path / "crash.gpkg"
    target = "_write_pyogrio" if backend == "pyogrio" else "_write_ogr"
    real = getattr(fileio, target)

    def crash(tmp, *args, **kw):
        real(tmp, *args, **kw)
        assert Path(tmp).exists() and Path(tmp) != p
        raise RuntimeError("disk full")

    monkeypatch.setattr(fileio, target, crash)
    with pytest.raises(RuntimeError):
        fileio.write_layer(p, "x", np.array([shapely.box(0, 0, 1, 1)], dtype=object), {"v": [1]}, backend=backend)
    assert not p.exists()
    assert list(tmp_path.iterdir()) == []


def test_bad_input_rejected(tmp_path, backend):
    g = np.array([shapely.box(0, 0, 1, 1), shapely.box(1, 1, 2, 2)], dtype=object)
    with pytest.raises(ValueError):
        fileio.write_layer(tmp_path / "x.gpkg", "x", g, {"v": [1]}, backend=backend)
    with pytest.raises(ValueError):
        fileio.write_layer(tmp_path / "x.gpkg", "x", g, {"v": [1, 2]}, fids=[1, 1], backend=backend)
    assert not (tmp_path / "x.gpkg").exists()


@pytest.fixture(scope="module")
def small_city():
    return sc.generate_city(1500, seed=3)


def test_write_city_round_trip(tmp_path, small_city, backend):
    p = tmp_path / "city.gpkg"
    fileio.write_city(small_city, p, backend=backend)
    names = fileio.list_layers(p, backend=backend)
    assert set(names) == set(sc.LAYER_NAMES) | {"truth_later", "truth_earlier", fileio.PARAMS_TABLE}
    for name in sc.LAYER_NAMES:
        f, g, a, crs = fileio.read_layer(p, name, backend=backend)
        g0, a0 = small_city.layers[name]
        assert np.array_equal(f, np.arange(1, len(g0) + 1)), name
        present = ~shapely.is_missing(g0)
        assert np.array_equal(shapely.is_missing(g), ~present), name
        assert shapely.equals_exact(g[present], g0[present], 0).all(), name
        assert "CGCS2000" in crs
        for k, v in a0.items():
            assert a[k].tolist() == list(v), (name, k)
    tl = fileio.read_table(p, "truth_later", backend=backend)
    pd.testing.assert_frame_equal(tl.astype(object), small_city.truth_later.astype(object), check_dtype=False)
    te = fileio.read_table(p, "truth_earlier", backend=backend)
    assert te["demolished"].tolist() == small_city.truth_earlier["demolished"].tolist()
    # GeoPackage fid == truth fid
    f, _, _, _ = fileio.read_layer(p, sc.LATER, backend=backend)
    assert np.array_equal(f, tl["fid"].to_numpy())
    assert fileio.read_params(p, backend=backend) == small_city.params


def test_make_sample_city_script(tmp_path, capsys):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
    try:
        import make_sample_city
    finally:
        sys.path.pop(0)
    out = tmp_path / "sub" / "city.gpkg"
    assert make_sample_city.main(["--buildings", "600", "--seed", "5", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "buildings_2023" in text and "generate" in text
    mtime = out.stat().st_mtime_ns
    assert make_sample_city.main(["--buildings", "600", "--seed", "5", "--out", str(out)]) == 0
    assert "up to date" in capsys.readouterr().out
    assert out.stat().st_mtime_ns == mtime
    # other parameters -> regenerated
    assert make_sample_city.main(["--buildings", "600", "--seed", "5", "--jitter", "0.5", "--out", str(out)]) == 0
    assert fileio.read_params(out)["jitter"] == 0.5
    assert make_sample_city.main(["--buildings", "600", "--seed", "5", "--jitter", "0.5", "--out", str(out),
                                  "--force"]) == 0
    assert "up to date" not in capsys.readouterr().out
    f, g, a, _ = fileio.read_layer(out, sc.LATER)
    assert abs(len(f) - 600) < 30


def test_shapefile_is_written_whole_with_its_sidecar_files(tmp_path):
    import shapely as _shapely

    path = tmp_path / "zones.shp"
    geoms = np.array([_shapely.box(0, 0, 10, 10), _shapely.box(20, 0, 30, 10)], dtype=object)
    fileio.write_layer(path, "zones", geoms, {"name": ["滨江路", "公园"]}, crs="EPSG:4542", backend="ogr")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert {"zones.shp", "zones.shx", "zones.dbf", "zones.prj"} <= set(names)
    assert not [n for n in names if "partial" in n]
    fids, back, attrs, crs = fileio.read_layer(path, "zones", backend="ogr")
    assert len(back) == 2 and list(attrs["name"]) == ["滨江路", "公园"]
    assert _shapely.equals(back[0], geoms[0])
    assert "4542" in crs or "CGCS" in crs or "Gauss" in crs
    fileio.write_layer(path, "zones", geoms[:1], {"name": ["x"]}, crs="EPSG:4542", backend="ogr")  # replaced whole
    assert len(fileio.read_layer(path, "zones", backend="ogr")[1]) == 1


def test_write_city_bulk_gpkg_is_gdal_clean_with_working_index(tmp_path, small_city):
    """The bulk path (gpkgbulk blobs + packed R-tree): GeoPackage 1.2, GDAL reads it
    without a warning, its spatial index answers like shapely, triggers are back."""
    pytest.importorskip("osgeo")
    from osgeo import gdal, ogr

    p = tmp_path / "city.gpkg"
    fileio.write_city(small_city, p, bulk=True)
    con = sqlite3.connect(p)
    try:
        assert con.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47  # "GPKG"
        assert con.execute("PRAGMA user_version").fetchone()[0] == 10200
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        trig = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        assert any(t.startswith(f"rtree_{sc.LATER}_geom") for t in trig)
        n_rtree = con.execute(f'SELECT count(*) FROM "rtree_{sc.LATER}_geom"').fetchone()[0]
        counts = dict(con.execute("SELECT table_name, feature_count FROM gpkg_ogr_contents"))
    finally:
        con.close()
    g = small_city.geoms(sc.LATER)
    present = ~shapely.is_missing(g)
    present[present] = ~shapely.is_empty(g[present])
    assert n_rtree == present.sum()
    assert counts[sc.LATER] == len(g) and counts["truth_later"] == len(small_city.truth_later)
    gdal.UseExceptions()
    gdal.ErrorReset()
    ds = ogr.Open(str(p))
    lyr = ds.GetLayerByName(sc.LATER)
    assert lyr.TestCapability(ogr.OLCFastSpatialFilter)
    b = shapely.bounds(g[present])
    x0, y0 = np.nanmedian(b[:, 0]), np.nanmedian(b[:, 1])
    rect = (x0 - 150, y0 - 150, x0 + 150, y0 + 150)
    lyr.SetSpatialFilterRect(*rect)
    got = sorted(f.GetFID() for f in lyr)
    want = sorted((np.flatnonzero(present)[shapely.intersects(shapely.box(*b.T[[0, 1, 2, 3]]), shapely.box(*rect))]
                   + 1).tolist())
    assert got == want and len(got) > 0
    assert gdal.GetLastErrorMsg() == ""
    ds = None
    # same content as the per-layer GDAL path
    q = tmp_path / "slow.gpkg"
    fileio.write_city(small_city, q, bulk=False, backend="ogr")
    for name in sc.LAYER_NAMES + ("truth_later", fileio.PARAMS_TABLE):
        fa, ga, aa, _ = fileio.read_layer(p, name, backend="ogr")
        fb, gb, ab, _ = fileio.read_layer(q, name, backend="ogr")
        assert np.array_equal(fa, fb), name
        pd.testing.assert_frame_equal(aa, ab, check_dtype=True, obj=name)
        m = ~shapely.is_missing(ga)
        assert np.array_equal(m, ~shapely.is_missing(gb)) and shapely.equals_exact(ga[m], gb[m], 0).all(), name
