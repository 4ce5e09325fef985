"""gpkgbulk: packed R-tree, SQL layer copy and the vectorised writer, checked
against SQLite's rtreecheck(), PRAGMA integrity_check, GDAL and brute force."""
import hashlib
import os
import sqlite3
import struct

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from lincang_liangwei import gpkgbulk as gb

gdal = pytest.importorskip("osgeo.gdal")
from osgeo import ogr, osr  # noqa: E402

gdal.UseExceptions()
ogr.UseExceptions()

X0, Y0 = 500000.0, 2640000.0
EPSG = 4547


# --------------------------------------------------------------------------- #
# helpers
# --------------------------------------------------------------------------- #

def _rtree_db(node_size_page=None):
    con = sqlite3.connect(":memory:")
    if node_size_page:
        con.execute(f"PRAGMA page_size = {node_size_page}")
    con.execute('CREATE VIRTUAL TABLE "rtree_t_geom" USING rtree(id, minx, maxx, miny, maxy)')
    return con


def _rtree_query(con, name, q):
    minx, miny, maxx, maxy = q
    return sorted(r[0] for r in con.execute(
        f'SELECT id FROM "{name}" WHERE minx <= ? AND maxx >= ? AND miny <= ? AND maxy >= ?',
        (maxx, minx, maxy, miny)))


def _brute(fids, b, q):
    minx, miny, maxx, maxy = q
    hit = (b[:, 0] <= maxx) & (b[:, 2] >= minx) & (b[:, 1] <= maxy) & (b[:, 3] >= miny)
    return sorted(np.asarray(fids)[hit].tolist())


def _check(con, name):
    assert con.execute(f"SELECT rtreecheck('{name}')").fetchone()[0] == "ok"


def _sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def _make_source(path, n=3000, seed=0):
    """Multi-layer GeoPackage written by GDAL: polygons with null and empty
    geometries, Chinese names/values, several field types; plus a point layer."""
    rng = np.random.default_rng(seed)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(EPSG)
    pts = ds.CreateLayer("水源点", srs, ogr.wkbPoint, options=["FID=fid", "GEOMETRY_NAME=geom"])
    pts.CreateField(ogr.FieldDefn("名称", ogr.OFTString))
    ds.StartTransaction()
    for i in range(200):
        f = ogr.Feature(pts.GetLayerDefn())
        f.SetField(0, f"水源{i}")
        f.SetGeometry(ogr.CreateGeometryFromWkt(f"POINT ({X0 + rng.uniform(0, 900)} {Y0 + rng.uniform(0, 900)})"))
        pts.CreateFeature(f)
    ds.CommitTransaction()

    lyr = ds.CreateLayer("buildings", srs, ogr.wkbPolygon, options=["FID=fid", "GEOMETRY_NAME=geom"])
    for name, t in [("code", ogr.OFTString), ("floors", ogr.OFTInteger), ("area", ogr.OFTReal),
                    ("名称", ogr.OFTString), ("built", ogr.OFTDate), ("big", ogr.OFTInteger64)]:
        lyr.CreateField(ogr.FieldDefn(name, t))
    defn = lyr.GetLayerDefn()
    x = X0 + rng.uniform(0, 1000, n)
    y = Y0 + rng.uniform(0, 1000, n)
    w = rng.uniform(0.5, 30, n)
    fids = np.sort(rng.choice(np.arange(1, 5 * n), n, replace=False))   # gaps in the fids
    ds.StartTransaction()
    for i in range(n):
        f = ogr.Feature(defn)
        f.SetFID(int(fids[i]))
        f.SetField("code", f"B{i}")
        if i % 7:
            f.SetField("floors", int(i % 30))
        f.SetField("area", float(w[i] * w[i] * 0.7) + 1e-9 * i)
        f.SetField("名称", f"楼栋{i}号" if i % 5 else None)
        f.SetField("built", 2000 + i % 20, 1 + i % 12, 1 + i % 28, 0, 0, 0, 0)
        f.SetField("big", 2 ** 40 + i)
        if i % 97 == 5:
            pass                                     # NULL geometry
        elif i % 89 == 3:
            f.SetGeometry(ogr.CreateGeometryFromWkt("POLYGON EMPTY"))
        else:
            g = shapely.Polygon([(x[i], y[i]), (x[i] + w[i], y[i] + 0.3 * w[i]), (x[i] + 0.6 * w[i], y[i] + w[i])])
            f.SetGeometry(ogr.CreateGeometryFromWkb(shapely.to_wkb(g)))
        lyr.CreateFeature(f)
    ds.CommitTransaction()
    ds = None
    return fids


def _ogr_fids(path, layer, rect=None):
    ds = ogr.Open(str(path))
    lyr = ds.GetLayerByName(layer)
    if rect is not None:
        lyr.SetSpatialFilterRect(*rect)
    out = sorted(f.GetFID() for f in lyr)
    ds = None
    return out


def _blob_geoms(path, table, geom="geom"):
    con = sqlite3.connect(str(path))
    rows = con.execute(f'SELECT fid, "{geom}" FROM "{table}" ORDER BY fid').fetchall()
    con.close()
    fids = np.array([r[0] for r in rows], np.int64)
    wkb = [None if r[1] is None else r[1][8 + (32 if (r[1][3] >> 1) & 7 == 1 else 0):] for r in rows]
    return fids, shapely.from_wkb(wkb)


def _brute_geom(fids, geoms, rect):
    """What OGR returns for a rectangle filter: exact intersection (GEOS)."""
    with np.errstate(invalid="ignore"):
        hit = shapely.intersects(geoms, shapely.box(*rect))
    return sorted(np.asarray(fids)[hit].tolist())


def _blob_bounds(path, table, geom="geom"):
    con = sqlite3.connect(str(path))
    rows = con.execute(f'SELECT fid, "{geom}" FROM "{table}" ORDER BY fid').fetchall()
    con.close()
    fids = np.array([r[0] for r in rows], np.int64)
    return fids, gb.gpkg_blob_bounds([r[1] for r in rows])


# --------------------------------------------------------------------------- #
# build_packed_rtree
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("n", [0, 1, 50, 51, 52, 51 * 51, 51 * 51 + 1, 3000])
def test_rtreecheck_and_queries_at_tree_boundaries(n):
    rng = np.random.default_rng(n)
    con = _rtree_db()
    x, y = rng.uniform(0, 1000, n), rng.uniform(0, 1000, n)
    w = rng.uniform(0, 20, n)
    b = np.stack([x, y, x + w, y + w], 1)
    fids = rng.permutation(np.arange(10, 10 + 3 * n, 3))
    assert gb.build_packed_rtree(con, "t", "geom", fids, b) == n
    con.commit()
    _check(con, "rtree_t_geom")
    assert con.execute("SELECT count(*) FROM rtree_t_geom").fetchone()[0] == n
    node_size = con.execute("SELECT length(data) FROM rtree_t_geom_node WHERE nodeno = 1").fetchone()[0]
    assert {r[0] for r in con.execute("SELECT DISTINCT length(data) FROM rtree_t_geom_node")} == {node_size}
    # float32 boxes never shrink
    for fid, minx, maxx, miny, maxy in con.execute("SELECT * FROM rtree_t_geom"):
        i = int(np.flatnonzero(fids == fid)[0])
        assert minx <= b[i, 0] and maxx >= b[i, 2] and miny <= b[i, 1] and maxy >= b[i, 3]
    for _ in range(30):
        qx, qy, s = rng.uniform(-10, 1000), rng.uniform(-10, 1000), rng.uniform(0, 200)
        q = (qx, qy, qx + s, qy + s)
        # exact dyadic query vs exact dyadic data would be equal; here: rtree is a superset
        got = set(_rtree_query(con, "rtree_t_geom", q))
        assert set(_brute(fids, b, q)) <= got


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(-4000, 4000), st.integers(-4000, 4000),
                          st.integers(0, 300), st.integers(0, 300)), min_size=0, max_size=1500),
       st.lists(st.tuples(st.integers(-4500, 4500), st.integers(-4500, 4500),
                          st.integers(0, 3000), st.integers(0, 3000)), min_size=1, max_size=10),
       st.integers(0, 2 ** 31))
def test_random_boxes_same_hits_as_brute_force(boxes, queries, seed):
    # quarter-unit coordinates are exact in float32, so rtree hits must equal brute force exactly
    con = _rtree_db()
    b = np.array([(x / 4, y / 4, (x + w) / 4, (y + h) / 4) for x, y, w, h in boxes], float).reshape(-1, 4)
    fids = np.random.default_rng(seed).permutation(len(b)) * 2 + 1
    gb.build_packed_rtree(con, "t", "geom", fids, b)
    con.commit()
    _check(con, "rtree_t_geom")
    for x, y, w, h in queries:
        q = (x / 4, y / 4, (x + w) / 4, (y + h) / 4)
        assert _rtree_query(con, "rtree_t_geom", q) == _brute(fids, b, q)
    # the tree stays a working SQLite R*Tree: delete and insert through the vtab
    if len(fids):
        con.execute("DELETE FROM rtree_t_geom WHERE id IN (SELECT id FROM rtree_t_geom LIMIT 40)")
        con.execute("INSERT INTO rtree_t_geom VALUES (-5, 0, 1, 0, 1)")
        con.commit()
        _check(con, "rtree_t_geom")


def test_skips_nan_and_inverted_rows_and_rejects_bad_input():
    con = _rtree_db()
    b = np.array([[0, 0, 1, 1], [np.nan] * 4, [5, 5, 4, 6], [2, 2, 3, 3]], float)
    assert gb.build_packed_rtree(con, "t", "geom", [1, 2, 3, 4], b) == 2
    assert sorted(r[0] for r in con.execute("SELECT id FROM rtree_t_geom")) == [1, 4]
    _check(con, "rtree_t_geom")
    with pytest.raises(ValueError, match="not empty"):
        gb.build_packed_rtree(con, "t", "geom", [9], [[0, 0, 1, 1]])
    con2 = _rtree_db()
    with pytest.raises(ValueError, match="duplicate"):
        gb.build_packed_rtree(con2, "t", "geom", [1, 1], [[0, 0, 1, 1], [0, 0, 1, 1]])


def test_small_page_size_gives_smaller_nodes():
    con = _rtree_db(node_size_page=1024)        # node size 960 -> 39 cells per node
    assert con.execute("SELECT length(data) FROM rtree_t_geom_node").fetchone()[0] == 960
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0, 100, 2000), rng.uniform(0, 100, 2000)
    b = np.stack([x, y, x + 1, y + 1], 1)
    gb.build_packed_rtree(con, "t", "geom", np.arange(1, 2001), b)
    _check(con, "rtree_t_geom")
    counts = [struct.unpack(">H", bytes(r[0])[2:4])[0] for r in con.execute("SELECT data FROM rtree_t_geom_node")]
    assert max(counts) == (960 - 4) // 24


def test_huge_fids_and_chunked_rowid_insert(monkeypatch):
    monkeypatch.setattr(gb, "_JSON_CHUNK", 97)
    rng = np.random.default_rng(11)
    for fids in (np.arange(1, 1500) * 3, 2 ** 62 - np.arange(1, 1500) * 5, np.arange(-700, 799)):
        con = _rtree_db()
        x, y = rng.uniform(0, 100, len(fids)), rng.uniform(0, 100, len(fids))
        b = np.stack([x, y, x + 1, y + 2], 1)
        gb.build_packed_rtree(con, "t", "geom", fids, b)
        _check(con, "rtree_t_geom")
        assert sorted(r[0] for r in con.execute("SELECT rowid FROM rtree_t_geom_rowid")) == sorted(fids.tolist())
        q = (20, 20, 40, 30)
        assert set(_brute(fids, b, q)) <= set(_rtree_query(con, "rtree_t_geom", q))


# --------------------------------------------------------------------------- #
# copy_layer_with_columns
# --------------------------------------------------------------------------- #

@pytest.fixture(scope="module")
def source(tmp_path_factory):
    d = tmp_path_factory.mktemp("src")
    path = d / "src.gpkg"
    fids = _make_source(path)
    return path, fids


def _extras(src_fids, seed=1):
    rng = np.random.default_rng(seed)
    keep = rng.random(len(src_fids)) < 0.8
    ef = np.concatenate([src_fids[keep], [10 ** 9]])            # one fid not in the source
    ef = rng.permutation(ef)
    m = len(ef)
    ival = rng.integers(-5, 5000, m)
    dval = rng.normal(size=m)
    dval[::11] = np.nan                                       # NaN -> NULL
    sval = np.array([f"区{i % 13}" if i % 9 else None for i in range(m)], dtype=object)
    cols = [("score", "double", dval), ("Floors", "int", ival), ("名称", "string", sval),
            ("名称", "string", sval)]
    return ef, cols


def test_copy_layer_byte_for_byte_plus_extra_columns(source, tmp_path):
    src, src_fids = source
    before = _sha(src)
    dst = tmp_path / "out.gpkg"
    ef, cols = _extras(src_fids)
    n = gb.copy_layer_with_columns(src, "buildings", dst, "带属性", cols, ef)
    assert n == len(src_fids)
    assert _sha(src) == before                       # source untouched
    assert sorted(os.listdir(tmp_path)) == ["out.gpkg"]   # no temporary left

    con = sqlite3.connect(dst)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    _check(con, "rtree_带属性_geom")
    con.execute("ATTACH ? AS s", (str(src),))
    cols_dst = [r[1] for r in con.execute('PRAGMA main.table_info("带属性")')]
    assert cols_dst == ["fid", "geom", "code", "floors", "area", "名称", "built", "big",
                        "score", "Floors_2", "名称_2", "名称_3"]
    # every source column identical, value and storage class
    src_cols = [r[1] for r in con.execute('PRAGMA s.table_info("buildings")')]
    diff = " OR ".join(f'a."{c}" IS NOT b."{c}" OR typeof(a."{c}") <> typeof(b."{c}")' for c in src_cols)
    assert con.execute(f'SELECT count(*) FROM s.buildings a JOIN main."带属性" b USING (fid) WHERE {diff}').fetchone()[0] == 0
    assert con.execute('SELECT count(*) FROM main."带属性"').fetchone()[0] == len(src_fids)
    # extra columns by fid, NULL where absent
    got = {r[0]: r[1:] for r in con.execute('SELECT fid, score, Floors_2, "名称_2", "名称_3" FROM "带属性"')}
    pos = {int(f): i for i, f in enumerate(ef)}
    for fid in src_fids.tolist():
        i = pos.get(fid)
        if i is None:
            assert got[fid] == (None, None, None, None)
        else:
            d = cols[0][2][i]
            assert got[fid][0] == (None if np.isnan(d) else d)
            assert got[fid][1] == int(cols[1][2][i])
            assert got[fid][2] == cols[2][2][i] and got[fid][3] == cols[3][2][i]
    # metadata
    fc = con.execute("SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = '带属性'").fetchone()[0]
    assert fc == len(src_fids)
    ext = con.execute("SELECT min_x, min_y, max_x, max_y FROM gpkg_contents WHERE table_name = '带属性'").fetchone()
    con.close()
    bf, bb = _blob_bounds(src, "buildings")
    ok = ~np.isnan(bb[:, 0])
    assert ext == pytest.approx((bb[ok, 0].min(), bb[ok, 1].min(), bb[ok, 2].max(), bb[ok, 3].max()), abs=0)

    # GDAL view: count, fields, extent, spatial filters == brute force
    ds = ogr.Open(str(dst))
    lyr = ds.GetLayerByName("带属性")
    assert lyr.GetFeatureCount() == len(src_fids)
    assert lyr.GetFIDColumn() == "fid" and lyr.GetGeometryColumn() == "geom"
    assert lyr.GetSpatialRef().GetAuthorityCode(None) == str(EPSG)
    defn = lyr.GetLayerDefn()
    assert defn.GetFieldDefn(defn.GetFieldIndex("big")).GetType() == ogr.OFTInteger64
    assert defn.GetFieldDefn(defn.GetFieldIndex("built")).GetType() == ogr.OFTDate
    assert defn.GetFieldDefn(defn.GetFieldIndex("score")).GetType() == ogr.OFTReal
    e = lyr.GetExtent()
    assert (e[0], e[2], e[1], e[3]) == pytest.approx(ext, rel=1e-13)   # GDAL reads it as %.15g text
    ds = None
    gf, gg = _blob_geoms(src, "buildings")
    rng = np.random.default_rng(5)
    con = sqlite3.connect(dst)
    for _ in range(25):
        qx, qy, s = X0 + rng.uniform(-20, 1000), Y0 + rng.uniform(-20, 1000), rng.uniform(1, 150)
        rect = (qx, qy, qx + s, qy + s)
        assert _ogr_fids(dst, "带属性", rect) == _brute_geom(gf, gg, rect)
        # the index itself: every envelope hit, nothing that float32 rounding cannot explain
        got = set(_rtree_query(con, "rtree_带属性_geom", rect))
        exact = set(_brute(bf, bb, rect))
        assert exact <= got
        assert got <= set(_brute(bf, bb, (rect[0] - 0.07, rect[1] - 0.3, rect[2] + 0.07, rect[3] + 0.3)))


def test_chunked_paths_give_the_same_file_content(source, tmp_path, monkeypatch):
    src, src_fids = source
    ef, cols = _extras(src_fids)
    a, b = tmp_path / "a.gpkg", tmp_path / "b.gpkg"
    gb.copy_layer_with_columns(src, "buildings", a, "o", cols, ef)
    monkeypatch.setattr(gb, "_JSON_CHUNK", 113)
    gb.copy_layer_with_columns(src, "buildings", b, "o", cols, ef)
    con = sqlite3.connect(a)
    con.execute("ATTACH ? AS b", (str(b),))
    for t in ("o", "rtree_o_geom"):
        assert con.execute(f"SELECT count(*) FROM (SELECT * FROM main.{t} EXCEPT SELECT * FROM b.{t})").fetchone()[0] == 0
        assert con.execute(f"SELECT count(*) FROM main.{t}").fetchone()[0] == con.execute(f"SELECT count(*) FROM b.{t}").fetchone()[0]
    con.close()
    geoms = shapely.buffer(shapely.points(np.arange(500.0), np.arange(500.0)), 0.5)
    gb.write_new_layer(a, "w", geoms, [("i", "int", np.arange(500))], EPSG, "Polygon")
    con = sqlite3.connect(a)
    _check(con, "rtree_w_geom")
    assert con.execute("SELECT count(*), sum(i) FROM w").fetchone() == (500, sum(range(500)))


def test_copy_custom_fid_and_geometry_names_3d(tmp_path):
    src = tmp_path / "z.gpkg"
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(src))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(EPSG)
    lyr = ds.CreateLayer("管线", srs, ogr.wkbLineString25D, options=["FID=objectid", "GEOMETRY_NAME=shape"])
    lyr.CreateField(ogr.FieldDefn("fid", ogr.OFTInteger))          # a field called fid, not the fid
    rng = np.random.default_rng(4)
    lines = []
    for i in range(400):
        x, y = X0 + rng.uniform(0, 500), Y0 + rng.uniform(0, 500)
        g = shapely.LineString([(x, y, 1.5 * i), (x + rng.uniform(-9, 9), y + rng.uniform(-9, 9), 2.0)])
        lines.append(g)
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField("fid", i * 10)
        f.SetGeometry(ogr.CreateGeometryFromWkb(shapely.to_wkb(g, flavor="iso")))
        lyr.CreateFeature(f)
    ds = lyr = None
    dst = tmp_path / "o.gpkg"
    gb.copy_layer_with_columns(src, "管线", dst, "l", [("objectid", "int", np.arange(400)), ("shape", "double", np.ones(400))],
                               np.arange(1, 401))
    con = sqlite3.connect(dst)
    _check(con, "rtree_l_shape")
    assert [r[1] for r in con.execute("PRAGMA table_info(l)")] == ["objectid", "shape", "fid", "objectid_2", "shape_2"]
    assert con.execute("SELECT z FROM gpkg_geometry_columns").fetchone()[0] == 1
    con.close()
    ds = ogr.Open(str(dst))
    lyr = ds.GetLayer(0)
    assert lyr.GetFIDColumn() == "objectid" and lyr.GetGeometryColumn() == "shape"
    assert lyr.GetGeomType() == ogr.wkbLineString25D
    ds = lyr = None
    fids = np.arange(1, 401)
    geoms = np.array(lines, dtype=object)
    for rect in [(X0 + 100, Y0 + 100, X0 + 200, Y0 + 180), (X0 - 5, Y0 - 5, X0 + 30, Y0 + 600)]:
        assert _ogr_fids(dst, "l", rect) == _brute_geom(fids, geoms, rect)


def test_copy_keeps_gdal_triggers_working(source, tmp_path):
    src, src_fids = source
    dst = tmp_path / "edit.gpkg"
    gb.copy_layer_with_columns(src, "buildings", dst, "b2", [("k", "int", np.arange(3))], src_fids[:3])
    ds = gdal.OpenEx(str(dst), gdal.OF_VECTOR | gdal.OF_UPDATE)
    lyr = ds.GetLayerByName("b2")
    # insert far away, move an existing feature, delete another
    f = ogr.Feature(lyr.GetLayerDefn())
    f.SetGeometry(ogr.CreateGeometryFromWkt(f"POLYGON (({X0 + 5000} {Y0}, {X0 + 5010} {Y0}, {X0 + 5010} {Y0 + 10}, {X0 + 5000} {Y0}))"))
    f.SetField("k", 77)
    lyr.CreateFeature(f)
    new_fid = f.GetFID()
    moved = int(src_fids[10])
    g = lyr.GetFeature(moved)
    g.SetGeometry(ogr.CreateGeometryFromWkt(f"POLYGON (({X0 - 3000} {Y0}, {X0 - 2990} {Y0}, {X0 - 2990} {Y0 + 10}, {X0 - 3000} {Y0}))"))
    lyr.SetFeature(g)
    lyr.DeleteFeature(int(src_fids[20]))
    ds = lyr = None
    assert _ogr_fids(dst, "b2", (X0 + 4990, Y0 - 1, X0 + 5020, Y0 + 20)) == [new_fid]
    assert _ogr_fids(dst, "b2", (X0 - 3005, Y0 - 1, X0 - 2980, Y0 + 20)) == [moved]
    con = sqlite3.connect(dst)
    _check(con, "rtree_b2_geom")
    assert con.execute("SELECT count(*) FROM rtree_b2_geom WHERE id = ?", (int(src_fids[20]),)).fetchone()[0] == 0
    assert con.execute("SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = 'b2'").fetchone()[0] == len(src_fids)
    n_geom = con.execute("SELECT count(*) FROM b2 WHERE geom IS NOT NULL AND substr(hex(geom), 7, 2) NOT IN ('11', '13')").fetchone()[0]
    assert con.execute("SELECT count(*) FROM rtree_b2_geom").fetchone()[0] == n_geom
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_copy_point_layer_without_envelopes_and_bounds_argument(source, tmp_path):
    src, _ = source
    dst = tmp_path / "pts.gpkg"
    n = gb.copy_layer_with_columns(src, "水源点", dst, "水源点")
    assert n == 200
    pf, pb = _blob_bounds(src, "水源点")
    assert np.isfinite(pb).all() and (pb[:, 0] == pb[:, 2]).all()
    con = sqlite3.connect(dst)
    _check(con, "rtree_水源点_geom")
    assert con.execute("SELECT count(*) FROM rtree_水源点_geom").fetchone()[0] == 200
    con.close()
    rect = (X0 + 100, Y0 + 100, X0 + 400, Y0 + 500)
    assert _ogr_fids(dst, "水源点", rect) == _brute(pf, pb, rect)
    # precomputed bounds (as a (fids, boxes) tuple, any order) give the same index
    dst2 = tmp_path / "pts2.gpkg"
    perm = np.random.default_rng(0).permutation(len(pf))
    gb.copy_layer_with_columns(src, "水源点", dst2, "p", bounds=(pf[perm], pb[perm]))
    assert _ogr_fids(dst2, "p", rect) == _brute(pf, pb, rect)


def test_existing_destination_replaced_and_failure_leaves_it(source, tmp_path):
    src, src_fids = source
    dst = tmp_path / "dst.gpkg"
    gb.write_new_layer(dst, "old", shapely.points([[0, 0]]), [], EPSG, "Point")
    assert _ogr_fids(dst, "old") == [1]
    gb.copy_layer_with_columns(src, "buildings", dst, "new")
    ds = ogr.Open(str(dst))
    assert [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())] == ["new"]
    ds = None
    before = _sha(dst)
    with pytest.raises(ValueError):
        gb.copy_layer_with_columns(src, "buildings", dst, "x", [("a", "int", np.arange(3))], src_fids[:2])
    with pytest.raises(ValueError):
        gb.copy_layer_with_columns(src, "nope", dst, "x")
    with pytest.raises(ValueError):
        gb.copy_layer_with_columns(src, "buildings", src, "x")
    assert _sha(dst) == before
    assert sorted(os.listdir(tmp_path)) == ["dst.gpkg"]


def test_copy_adopts_a_custom_source_srs_id(source, tmp_path):
    """Blobs carry their srs_id, so the new layer must use the source's id."""
    src0, _ = source
    src = tmp_path / "custom.gpkg"
    gb.copy_layer_with_columns(src0, "水源点", src, "p")
    con = sqlite3.connect(src)
    for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'p'").fetchall():
        con.execute(f'DROP TRIGGER "{t}"')        # scratch copy; its rtree is not used by the copy
    con.execute("UPDATE gpkg_spatial_ref_sys SET srs_id = 990001, organization = 'lincang', "
                "organization_coordsys_id = 990001 WHERE srs_id = ?", (EPSG,))
    con.execute("UPDATE gpkg_contents SET srs_id = 990001")
    con.execute("UPDATE gpkg_geometry_columns SET srs_id = 990001")
    rows = con.execute("SELECT fid, geom FROM p").fetchall()
    con.executemany("UPDATE p SET geom = ? WHERE fid = ?",
                    [(g[:4] + struct.pack("<i", 990001) + g[8:], f) for f, g in rows])
    con.commit()
    con.close()
    dst = tmp_path / "o.gpkg"
    gb.copy_layer_with_columns(src, "p", dst, "p")
    con = sqlite3.connect(dst)
    assert con.execute("SELECT srs_id FROM gpkg_geometry_columns").fetchone()[0] == 990001
    assert con.execute("SELECT srs_id FROM gpkg_contents").fetchone()[0] == 990001
    assert con.execute("SELECT count(*) FROM gpkg_spatial_ref_sys WHERE srs_id = 990001").fetchone()[0] == 1
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    con.close()
    ds = ogr.Open(str(dst))
    assert ds.GetLayer(0).GetSpatialRef() is not None and ds.GetLayer(0).GetFeatureCount() == 200


# --------------------------------------------------------------------------- #
# write_new_layer
# --------------------------------------------------------------------------- #

def test_write_new_layer_roundtrip(tmp_path):
    rng = np.random.default_rng(7)
    n = 2500
    x, y = X0 + rng.uniform(0, 1000, n), Y0 + rng.uniform(0, 1000, n)
    w = rng.uniform(1, 20, n)
    geoms = shapely.box(x, y, x + w, y + w).astype(object)
    geoms[3] = None
    geoms[4] = shapely.Polygon()
    geoms[5] = shapely.MultiPolygon([shapely.box(X0, Y0, X0 + 1, Y0 + 1), shapely.box(X0 + 5, Y0, X0 + 6, Y0 + 2)])
    fids = np.arange(n) * 3 + 7
    ival = np.where(np.arange(n) % 10 == 0, np.nan, np.arange(n, dtype=float))    # NaN -> NULL
    cols = [("层数", "int", ival), ("score", "double", rng.random(n)),
            ("名称", "string", np.array([f"楼{i}" if i % 4 else None for i in range(n)], dtype=object)),
            ("fid", "int", np.arange(n))]
    dst = tmp_path / "new.gpkg"
    assert gb.write_new_layer(dst, "新图层", geoms, cols, EPSG, "MultiPolygon", fids=fids) == n
    assert os.listdir(tmp_path) == ["new.gpkg"]
    con = sqlite3.connect(dst)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    _check(con, "rtree_新图层_geom")
    assert con.execute("SELECT count(*) FROM rtree_新图层_geom").fetchone()[0] == n - 2
    assert [r[1] for r in con.execute('PRAGMA table_info("新图层")')] == ["fid", "geom", "层数", "score", "名称", "fid_2"]
    con.close()
    ds = ogr.Open(str(dst))
    lyr = ds.GetLayer(0)
    assert lyr.GetFeatureCount() == n and lyr.GetGeomType() == ogr.wkbMultiPolygon
    for i in (0, 1, 3, 4, 5, 10, 2499):
        f = lyr.GetFeature(int(fids[i]))
        g = f.GetGeometryRef()
        if geoms[i] is None:
            assert g is None
        else:
            assert shapely.equals_exact(shapely.from_wkb(bytes(g.ExportToIsoWkb())), geoms[i], 0) or \
                (geoms[i].is_empty and g.IsEmpty())
        assert f.GetField("层数") == (None if i % 10 == 0 else i)
        assert f.GetField("名称") == (f"楼{i}" if i % 4 else None)
        assert f.GetField("fid_2") == i
    ds = None
    b = shapely.bounds(geoms)
    for _ in range(20):
        qx, qy, s = X0 + rng.uniform(-20, 1000), Y0 + rng.uniform(-20, 1000), rng.uniform(1, 100)
        rect = (qx, qy, qx + s, qy + s)
        assert _ogr_fids(dst, "新图层", rect) == _brute_geom(fids, geoms, rect)
    # blobs are the ones GDAL would decode to the same envelopes
    bf, bb = _blob_bounds(dst, "新图层")
    np.testing.assert_array_equal(bb, b[np.argsort(fids)])


def test_empty_layers(tmp_path, source):
    a = tmp_path / "a.gpkg"
    assert gb.write_new_layer(a, "e", np.array([], dtype=object), [("v", "int", np.array([], np.int64))], EPSG, "Polygon") == 0
    b = tmp_path / "b.gpkg"
    assert gb.copy_layer_with_columns(a, "e", b, "e2", [("w", "string", np.array([], dtype=object))], []) == 0
    for p, t in ((a, "e"), (b, "e2")):
        con = sqlite3.connect(p)
        _check(con, f"rtree_{t}_geom")
        assert con.execute("SELECT feature_count FROM gpkg_ogr_contents").fetchone()[0] == 0
        assert con.execute("SELECT min_x FROM gpkg_contents").fetchone()[0] is None
        con.close()
        assert _ogr_fids(p, t) == []


def test_write_points_and_wkt_crs(tmp_path):
    pts = shapely.points(np.arange(300.0), np.arange(300.0) * 2)
    wkt = osr.SpatialReference()
    wkt.ImportFromEPSG(4490)
    dst = tmp_path / "p.gpkg"
    gb.write_new_layer(dst, "p", pts, [("v", "double", np.arange(300.0))], wkt.ExportToWkt(), "Point")
    con = sqlite3.connect(dst)
    _check(con, "rtree_p_geom")
    blob = con.execute("SELECT geom FROM p WHERE fid = 2").fetchone()[0]
    assert blob[:4] == b"GP\x00\x01" and len(blob) == 8 + 21        # like GDAL: no envelope on points
    con.close()
    assert _ogr_fids(dst, "p", (9.5, 19.5, 20.5, 41)) == list(range(11, 22))


def test_write_new_layer_rejects_bad_columns_atomically(tmp_path):
    dst = tmp_path / "d.gpkg"
    gb.write_new_layer(dst, "a", shapely.points([[1, 1]]), [], EPSG, "Point")
    before = _sha(dst)
    with pytest.raises(ValueError):
        gb.write_new_layer(dst, "a", shapely.points([[1, 1], [2, 2]]), [("x", "int", [1])], EPSG, "Point")
    with pytest.raises(ValueError):
        gb.write_new_layer(dst, "a", shapely.points([[1, 1]]), [("x", "float", [1.0])], EPSG, "Point")
    with pytest.raises(ValueError):
        gb.write_new_layer(dst, "a", shapely.points([[1, 1], [2, 2]]), [], EPSG, "Point", fids=[4, 4])
    assert _sha(dst) == before and os.listdir(tmp_path) == ["d.gpkg"]
