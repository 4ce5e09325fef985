"""gpkgbulk.LayerAppender: a layer appended in chunks reads back (GDAL, QGIS) exactly like write_new_layer of the
same rows in one call; bounded state; atomic publication; several layers in one file (add_to)."""
import hashlib
import json
import os
import sqlite3
import subprocess
import sys

import numpy as np
import pytest
import shapely

from lincang_liangwei import gpkgbulk as gb

gdal = pytest.importorskip("osgeo.gdal")
from osgeo import ogr  # noqa: E402

gdal.UseExceptions()
ogr.UseExceptions()

X0, Y0 = 500000.0, 2640000.0
EPSG = 4542
SPEC = [("层数", "int"), ("score", "double"), ("名称", "string"), ("fid", "int"), ("楼层", "int32")]


def _rows(n=3000, seed=7):
    """Polygons and multipolygons with NULL and EMPTY geometries, NULL values, Chinese strings."""
    rng = np.random.default_rng(seed)
    x, y = X0 + rng.uniform(0, 2000, n), Y0 + rng.uniform(0, 2000, n)
    w = rng.uniform(1, 25, n)
    geoms = shapely.box(x, y, x + w, y + 0.7 * w).astype(object)
    geoms[3] = None
    geoms[4] = shapely.Polygon()
    geoms[n // 2] = None
    geoms[5] = shapely.MultiPolygon([shapely.box(X0, Y0, X0 + 1, Y0 + 1), shapely.box(X0 + 5, Y0, X0 + 6, Y0 + 2)])
    ival = np.where(np.arange(n) % 10 == 0, np.nan, np.arange(n, dtype=float))             # NaN -> NULL
    dval = np.where(np.arange(n) % 13 == 0, np.nan, rng.random(n) * 1e3)
    sval = np.array([f"楼栋{i}号" if i % 4 else None for i in range(n)], dtype=object)
    floors = (np.arange(n) % 30).astype(np.int32)
    cols = [ival, dval, sval, np.arange(n), floors]
    return geoms, cols


def _sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def _ogr_dump(path, layer):
    """Everything OGR reads: fields (name, type), extent, geometry type, srs, and per fid the values and WKB."""
    ds = ogr.Open(str(path))
    lyr = ds.GetLayerByName(layer)
    defn = lyr.GetLayerDefn()
    fields = [(defn.GetFieldDefn(i).GetName(), defn.GetFieldDefn(i).GetType()) for i in range(defn.GetFieldCount())]
    rows = {}
    for f in lyr:
        g = f.GetGeometryRef()
        rows[f.GetFID()] = (tuple(f.GetField(i) for i in range(len(fields))),
                            None if g is None else bytes(g.ExportToIsoWkb()))
    out = dict(fields=fields, rows=rows, extent=lyr.GetExtent(), count=lyr.GetFeatureCount(),
               gtype=lyr.GetGeomType(), srs=lyr.GetSpatialRef().ExportToWkt() if lyr.GetSpatialRef() else None,
               fidcol=lyr.GetFIDColumn(), geomcol=lyr.GetGeometryColumn())
    ds = None
    return out


def _ogr_fids(path, layer, rect):
    ds = ogr.Open(str(path))
    lyr = ds.GetLayerByName(layer)
    lyr.SetSpatialFilterRect(*rect)
    out = sorted(f.GetFID() for f in lyr)
    ds = None
    return out


def _sql(path, query, *args):
    con = sqlite3.connect(str(path))
    try:
        return con.execute(query, args).fetchall()
    finally:
        con.close()


def _append_in_chunks(dst, layer, geoms, cols, cuts, fids=None, spec=SPEC, geom_type="MultiPolygon", **kw):
    with gb.LayerAppender(dst, layer, spec, EPSG, geom_type, **kw) as ap:
        got = 0
        for a, b in zip(cuts[:-1], cuts[1:]):
            got += ap.append(geoms[a:b], [c[a:b] for c in cols], None if fids is None else fids[a:b])
            assert ap.n_rows == got == b
        # between appends only boxes and fids of the rows with a geometry are kept
        kept = sum(len(f) for f in ap._fid_parts)
        assert kept == int((~shapely.is_missing(geoms[:cuts[-1]]) & ~shapely.is_empty(geoms[:cuts[-1]])).sum())
        assert all(p.dtype == np.float32 for p in ap._box_parts)
    return ap


# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("explicit_fids", [False, True])
def test_chunks_read_back_like_one_write_new_layer(tmp_path, explicit_fids):
    geoms, cols = _rows()
    n = len(geoms)
    fids = (np.arange(n) * 3 + 11) if explicit_fids else None
    one, app = tmp_path / "one.gpkg", tmp_path / "app.gpkg"
    gb.write_new_layer(one, "新图层", geoms, [(nm, k, v) for (nm, k), v in zip(SPEC, cols)], EPSG, "MultiPolygon",
                       fids=fids)
    cuts = [0, 1, 1, 700, 701, 701, 2999, 3000]          # unequal, two empty chunks, a 1-row chunk
    ap = _append_in_chunks(app, "新图层", geoms, cols, cuts, fids)
    assert ap.close() == n                               # closing again is a no-op
    assert sorted(os.listdir(tmp_path)) == ["app.gpkg", "one.gpkg"]     # no temporary file left

    a, b = _ogr_dump(one, "新图层"), _ogr_dump(app, "新图层")
    assert b == a
    assert b["count"] == n and len(b["rows"]) == n
    assert [f[0] for f in b["fields"]] == ["层数", "score", "名称", "fid_2", "楼层"]
    assert [f[1] for f in b["fields"]] == [ogr.OFTInteger64, ogr.OFTReal, ogr.OFTString, ogr.OFTInteger64,
                                           ogr.OFTInteger]
    want_fids = (fids if explicit_fids else np.arange(1, n + 1)).tolist()
    assert sorted(b["rows"]) == sorted(want_fids)
    f10, f11 = want_fids[10], want_fids[11]
    assert b["rows"][f10][0][0] is None and b["rows"][f11][0][0] == 11          # NULL int
    assert b["rows"][want_fids[8]][0][2] is None and b["rows"][want_fids[9]][0][2] == "楼栋9号"
    assert b["rows"][want_fids[3]][1] is None                                    # NULL geometry
    assert shapely.from_wkb(b["rows"][want_fids[5]][1]).equals(geoms[5])
    ok = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    bb = shapely.bounds(geoms[ok])
    np.testing.assert_allclose(b["extent"], (bb[:, 0].min(), bb[:, 2].max(), bb[:, 1].min(), bb[:, 3].max()),
                               rtol=0, atol=1e-6)

    # the file itself: same blobs, same packed tree (byte for byte), same metadata and triggers
    for q in ('SELECT * FROM "新图层" ORDER BY fid',
              'SELECT nodeno, data FROM "rtree_新图层_geom_node" ORDER BY nodeno',
              'SELECT * FROM "rtree_新图层_geom_rowid" ORDER BY rowid',
              'SELECT * FROM "rtree_新图层_geom_parent" ORDER BY nodeno',
              "SELECT table_name, data_type, min_x, min_y, max_x, max_y, srs_id FROM gpkg_contents",
              "SELECT * FROM gpkg_ogr_contents", "SELECT * FROM gpkg_geometry_columns",
              "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"):
        assert _sql(app, q) == _sql(one, q), q
    assert _sql(app, "PRAGMA integrity_check") == [("ok",)]
    assert _sql(app, "SELECT rtreecheck('rtree_新图层_geom')") == [("ok",)]
    assert _sql(app, 'SELECT count(*) FROM "rtree_新图层_geom"') == [(int(ok.sum()),)]

    # the spatial filter (through the index) returns the right fids
    rng = np.random.default_rng(3)
    fa = np.asarray(want_fids)
    for _ in range(15):
        qx, qy, s = X0 + rng.uniform(-20, 2000), Y0 + rng.uniform(-20, 2000), rng.uniform(1, 300)
        rect = (qx, qy, qx + s, qy + s)
        with np.errstate(invalid="ignore"):
            want = sorted(fa[shapely.intersects(geoms, shapely.box(*rect))].tolist())
        assert _ogr_fids(app, "新图层", rect) == want


def test_default_fids_continue_and_gdal_edits_keep_the_index(tmp_path):
    dst = tmp_path / "f.gpkg"
    pts = shapely.points(X0 + np.arange(10.0), Y0 + np.arange(10.0))
    with gb.LayerAppender(dst, "p", [("v", "double")], EPSG, "Point") as ap:
        ap.append(pts[:3], [np.arange(3.0)])                      # 1, 2, 3
        ap.append(pts[3:5], [np.arange(2.0)], fids=[100, 50])     # explicit
        ap.append(pts[5:], {"v": np.arange(5.0)})                 # continues after the largest: 101..105
    assert _sql(dst, "SELECT fid FROM p ORDER BY fid") == [(f,) for f in (1, 2, 3, 50, 100, 101, 102, 103, 104, 105)]
    # GDAL's triggers are back: a feature added through OGR lands in the index and the feature count
    ds = ogr.Open(str(dst), 1)
    lyr = ds.GetLayer(0)
    f = ogr.Feature(lyr.GetLayerDefn())
    f.SetGeometry(ogr.CreateGeometryFromWkt(f"POINT ({X0 + 500} {Y0 + 500})"))
    lyr.CreateFeature(f)
    ds = None
    assert _ogr_fids(dst, "p", (X0 + 499, Y0 + 499, X0 + 501, Y0 + 501)) == [106]
    assert _sql(dst, "SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = 'p'") == [(11,)]
    assert _sql(dst, "SELECT rtreecheck('rtree_p_geom')") == [("ok",)]


def test_exception_leaves_no_file_and_keeps_the_old_one(tmp_path):
    dst = tmp_path / "d.gpkg"
    geoms, cols = _rows(200)
    with pytest.raises(RuntimeError, match="boom"):
        with gb.LayerAppender(dst, "x", SPEC, EPSG, "MultiPolygon") as ap:
            ap.append(geoms[:100], [c[:100] for c in cols])
            assert len(os.listdir(tmp_path)) == 1                 # the temporary sibling only
            raise RuntimeError("boom")
    assert os.listdir(tmp_path) == []
    gb.write_new_layer(dst, "x", geoms, [(nm, k, v) for (nm, k), v in zip(SPEC, cols)], EPSG, "MultiPolygon")
    before = _sha(dst)
    # a fid repeated across appends: SQLite refuses it, the file is discarded, the old one stays
    with pytest.raises(sqlite3.IntegrityError):
        with gb.LayerAppender(dst, "x", SPEC, EPSG, "MultiPolygon") as ap:
            ap.append(geoms[:10], [c[:10] for c in cols])
            ap.append(geoms[10:20], [c[10:20] for c in cols], fids=np.arange(5, 15))
    assert os.listdir(tmp_path) == ["d.gpkg"] and _sha(dst) == before
    with pytest.raises(ValueError):                                # appending after the discard
        ap.append(geoms[:1], [c[:1] for c in cols])


def test_argument_errors_leave_the_appender_usable(tmp_path):
    dst = tmp_path / "a.gpkg"
    geoms, cols = _rows(50)
    with pytest.raises(ValueError):
        gb.LayerAppender(dst, "x", [("a", "float")], EPSG)
    assert os.listdir(tmp_path) == []
    with gb.LayerAppender(dst, "x", SPEC, EPSG, "MultiPolygon") as ap:
        with pytest.raises(ValueError):
            ap.append(geoms[:5], [c[:4] for c in cols])             # lengths differ
        with pytest.raises(ValueError):
            ap.append(geoms[:5], cols[:2])                           # too few columns
        with pytest.raises(ValueError):
            ap.append(geoms[:2], [c[:2] for c in cols], fids=[7, 7])
        assert ap.append(geoms, cols) == 50
    assert _ogr_dump(dst, "x")["count"] == 50


def test_several_layers_in_one_file(tmp_path):
    dst = tmp_path / "multi.gpkg"
    geoms, cols = _rows(500)
    lines = shapely.linestrings(np.array([[[X0 + i, Y0], [X0 + i, Y0 + 50]] for i in range(40)]))
    with gb.LayerAppender(dst, "buildings", SPEC, EPSG, "MultiPolygon") as b:
        b.append(geoms[:200], [c[:200] for c in cols])
        with gb.LayerAppender(dst, "pipes", [("kind", "string")], EPSG, "LineString", add_to=b) as p:
            p.append(lines[:30], [np.full(30, "燃气", dtype=object)])
            b.append(geoms[200:], [c[200:] for c in cols])          # interleaved appends
            p.append(lines[30:], [np.full(10, "给水", dtype=object)])
        params = gb.LayerAppender(dst, "sample_params", [("key", "string"), ("value", "string")], None, "None",
                                  add_to=p)
        params.append(None, [["n"], [json.dumps(500)]])
        assert not dst.exists()                                     # published only when the owner closes
    assert dst.exists() and os.listdir(tmp_path) == ["multi.gpkg"]
    ds = ogr.Open(str(dst))
    assert [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())] == ["buildings", "pipes", "sample_params"]
    ds = None
    one = tmp_path / "one.gpkg"
    gb.write_new_layer(one, "buildings", geoms, [(nm, k, v) for (nm, k), v in zip(SPEC, cols)], EPSG, "MultiPolygon")
    assert _ogr_dump(dst, "buildings") == _ogr_dump(one, "buildings")
    pd_ = _ogr_dump(dst, "pipes")
    assert pd_["count"] == 40 and [r[0][0] for _, r in sorted(pd_["rows"].items())] == ["燃气"] * 30 + ["给水"] * 10
    assert pd_["extent"] == (X0, X0 + 39, Y0, Y0 + 50)
    assert _ogr_fids(dst, "pipes", (X0 + 9.5, Y0 + 10, X0 + 11.5, Y0 + 11)) == [11, 12]
    assert _sql(dst, "SELECT key, value FROM sample_params") == [("n", "500")]
    assert _sql(dst, "SELECT data_type FROM gpkg_contents WHERE table_name = 'sample_params'") == [("attributes",)]
    for t in ("rtree_buildings_geom", "rtree_pipes_geom"):
        assert _sql(dst, f"SELECT rtreecheck('{t}')") == [("ok",)]
    assert _sql(dst, "PRAGMA integrity_check") == [("ok",)]


def test_discarding_one_layer_of_a_shared_file_discards_the_file(tmp_path):
    dst = tmp_path / "m.gpkg"
    with pytest.raises(KeyError):
        with gb.LayerAppender(dst, "a", [("v", "int")], EPSG, "Point") as a:
            a.append(shapely.points([[X0, Y0]]), [[1]])
            with gb.LayerAppender(dst, "b", [("v", "int")], EPSG, "Point", add_to=a) as b:
                b.append(shapely.points([[X0, Y0]]), [[1]])
                raise KeyError("x")
    assert os.listdir(tmp_path) == []
    a = gb.LayerAppender(dst, "a", [("v", "int")], EPSG, "Point")
    with pytest.raises(ValueError):                                   # same table name twice
        gb.LayerAppender(dst, "A", [("v", "int")], EPSG, "Point", add_to=a)
    with pytest.raises(ValueError):                                   # another file
        gb.LayerAppender(tmp_path / "other.gpkg", "c", [("v", "int")], EPSG, "Point", add_to=a)
    c = gb.LayerAppender(dst, "c", [("v", "int")], EPSG, "Point", add_to=a)
    c.append(shapely.points([[X0, Y0]]), [[5]])
    assert a.close() == 0                                              # closes c too, then publishes
    assert _sql(dst, "SELECT feature_count FROM gpkg_ogr_contents ORDER BY table_name") == [(0,), (1,)]
    assert _sql(dst, "SELECT min_x FROM gpkg_contents WHERE table_name = 'a'") == [(None,)]
    assert _sql(dst, "SELECT min_x, max_y FROM gpkg_contents WHERE table_name = 'c'") == [(X0, Y0)]


def test_dropped_appender_removes_its_temporary_file(tmp_path):
    ap = gb.LayerAppender(tmp_path / "z.gpkg", "z", [("v", "int")], EPSG, "Point")
    ap.append(shapely.points([[X0, Y0]]), [[1]])
    assert len(os.listdir(tmp_path)) == 1
    del ap
    import gc

    gc.collect()
    assert os.listdir(tmp_path) == []


_QGIS_CHECK = r"""
import json
import sys
from qgis.core import QgsApplication, QgsVectorLayer, QgsFeatureRequest, QgsRectangle
app = QgsApplication([], False)
app.initQgis()
out = {}
for path in sys.argv[1:3]:
    lyr = QgsVectorLayer(path + "|layername=新图层", "x", "ogr")
    ext = lyr.extent()
    req = QgsFeatureRequest().setFilterRect(QgsRectangle(*[float(v) for v in sys.argv[3:7]]))
    out[path] = dict(valid=lyr.isValid(), count=lyr.featureCount(),
                     fields=[(f.name(), f.typeName()) for f in lyr.fields()],
                     extent=[ext.xMinimum(), ext.yMinimum(), ext.xMaximum(), ext.yMaximum()],
                     hits=sorted(f.id() for f in lyr.getFeatures(req)),
                     rows=sorted([f.id(), [None if v is None or (hasattr(v, "isNull") and v.isNull()) else v
                                           for v in f.attributes()],
                                  f.geometry().asWkt(3) if f.hasGeometry() else None] for f in lyr.getFeatures()))
print(json.dumps(out, ensure_ascii=False, default=str), flush=True)
import os
os._exit(0)   # exitQgis() with live layers may crash on QGIS 3.22; nothing to clean up here
"""


def test_qgis_reads_the_same(tmp_path):
    pytest.importorskip("qgis.core")
    geoms, cols = _rows(400)
    one, app = tmp_path / "one.gpkg", tmp_path / "app.gpkg"
    gb.write_new_layer(one, "新图层", geoms, [(nm, k, v) for (nm, k), v in zip(SPEC, cols)], EPSG, "MultiPolygon")
    _append_in_chunks(app, "新图层", geoms, cols, [0, 150, 150, 399, 400])
    rect = (X0 + 100, Y0 + 100, X0 + 900, Y0 + 700)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    r = subprocess.run([sys.executable, "-c", _QGIS_CHECK, str(one), str(app), *map(str, rect)], env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    res = json.loads(r.stdout.strip().splitlines()[-1])
    a, b = res[str(one)], res[str(app)]
    assert b["valid"] and b["count"] == 400 and len(b["rows"]) == 400
    assert b == a
    with np.errstate(invalid="ignore"):
        want = np.flatnonzero(shapely.intersects(geoms, shapely.box(*rect))) + 1
    assert b["hits"] == want.tolist()


def test_append_blobs_equals_append(tmp_path):
    geoms, cols = _rows(300)
    a, b = tmp_path / "a.gpkg", tmp_path / "b.gpkg"
    _append_in_chunks(a, "t", geoms, cols, [0, 100, 300])
    with gb.LayerAppender(b, "t", SPEC, EPSG, "MultiPolygon") as ap:
        for lo, hi in ((0, 100), (100, 300)):
            blobs, bounds = gb.make_gpkg_blobs(geoms[lo:hi], ap.srs_id)
            assert ap.append_blobs(blobs, bounds, [c[lo:hi] for c in cols]) == hi - lo
        with pytest.raises(ValueError):
            ap.append_blobs(blobs[:2], bounds[:3], [c[:2] for c in cols])
    assert ap.srs_id == 4542
    for q in ('SELECT * FROM "t" ORDER BY fid', 'SELECT nodeno, data FROM "rtree_t_geom_node" ORDER BY nodeno',
              "SELECT min_x, min_y, max_x, max_y FROM gpkg_contents"):
        assert _sql(a, q) == _sql(b, q)
    ap.discard()                                                     # after publication: a no-op
    assert b.exists()
