"""atomicfile: temporary names, publishing one file or a shapefile's family, finishing or removing what a killed
run left; gpkgbulk's subset copy (compareepochs' demolished buildings on the fast path)."""
import json
import os

import numpy as np
import shapely

from lincang_liangwei import atomicfile, gpkgbulk


def family(tmp, exts, tag):
    base = str(tmp)[: -len(".shp")]
    for e in exts:
        with open(base + e, "w") as f:
            f.write(f"{tag}{e}")


def test_temp_sibling_same_folder_same_extension(tmp_path):
    t = atomicfile.temp_sibling(tmp_path / "pieces.v2.shp")
    assert t.parent == tmp_path and t.name.startswith(".pieces.v2.") and t.name.endswith(".lwtmp.shp")
    assert f"-{os.getpid()}-" in t.name
    assert atomicfile.temp_sibling(tmp_path / "a.gpkg") != atomicfile.temp_sibling(tmp_path / "a.gpkg")


def test_publish_shapefile_family_removes_stale_sidecars_keeps_style(tmp_path):
    dst = tmp_path / "b.shp"
    for e in (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".qml"):
        (tmp_path / f"b{e}").write_text(f"old{e}")
    tmp = atomicfile.temp_sibling(dst)
    family(tmp, (".shp", ".shx", ".dbf", ".prj"), "new")
    atomicfile.publish(tmp, dst)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.dbf", "b.prj", "b.qml", "b.shp", "b.shx"]
    assert (tmp_path / "b.dbf").read_text() == "new.dbf"
    assert (tmp_path / "b.qml").read_text() == "old.qml"   # the user's style stays


def test_publish_single_file_replaces_and_drops_stale_journal(tmp_path):
    dst = tmp_path / "o.gpkg"
    dst.write_text("old")
    (tmp_path / "o.gpkg-wal").write_text("stale")
    tmp = atomicfile.temp_sibling(dst)
    tmp.write_text("new")
    atomicfile.publish(tmp, dst)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.gpkg"] and dst.read_text() == "new"


def test_interrupted_commit_is_finished_by_the_next_cleanup(tmp_path):
    """A run killed between the moves of a shapefile's files: the next run completes the set, never a mix."""
    dst = tmp_path / "b.shp"
    for e in (".shp", ".shx", ".dbf"):
        (tmp_path / f"b{e}").write_text(f"old{e}")
    tmp = tmp_path / f".b.{atomicfile._host()}-999999999-abcd.lwtmp.shp"
    family(tmp, (".shp", ".shx", ".dbf"), "new")
    base = str(tmp)[:-4]
    moves = [(base + e, str(tmp_path / f"b{e}")) for e in (".dbf", ".shx", ".shp")]
    (tmp_path / (tmp.name + ".commit")).write_text(json.dumps({"moves": moves, "remove": []}))
    os.replace(*moves[0])           # killed after the first move
    assert atomicfile.clean_leftovers(dst) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.dbf", "b.shp", "b.shx"]
    assert all((tmp_path / f"b{e}").read_text() == f"new{e}" for e in (".shp", ".shx", ".dbf"))


def test_cleanup_removes_dead_runs_only(tmp_path):
    dst = tmp_path / "o.gpkg"
    h = atomicfile._host()
    dead = [tmp_path / f".o.{h}-999999999-ab.lwtmp.gpkg", tmp_path / f".o.{h}-999999999-ab.lwtmp.gpkg-journal"]
    keep = [tmp_path / f".o.{h}-{os.getpid()}-cd.lwtmp.gpkg", tmp_path / ".o.elsewhere-999999999-ef.lwtmp.gpkg",
            tmp_path / f".other.{h}-999999999-ab.lwtmp.gpkg", tmp_path / "o.gpkg"]
    old = tmp_path / ".o.elsewhere-999999999-00.lwtmp.gpkg"
    for p in dead + keep + [old]:
        p.write_text("x")
    os.utime(old, (1, 1))   # a day old: gone whoever made it
    assert atomicfile.clean_leftovers(dst) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in keep)


def test_failed_gpkgbulk_write_leaves_previous_file_and_no_temporary(tmp_path):
    dst = tmp_path / "o.gpkg"
    gpkgbulk.write_new_layer(dst, "o", shapely.points(np.arange(5), np.arange(5)), [], "EPSG:4542", "Point")
    before = dst.read_bytes()
    try:
        gpkgbulk.write_new_layer(dst, "o", shapely.points(np.arange(5), np.arange(5)), [("x", "int", [1, 2])],
                                 "EPSG:4542", "Point")
    except ValueError:
        pass
    assert dst.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["o.gpkg"]


def test_copy_only_listed_features(tmp_path):
    src = tmp_path / "src.gpkg"
    geoms = shapely.buffer(shapely.points(np.arange(1000.0) * 10, np.zeros(1000)), 2.0)
    gpkgbulk.write_new_layer(src, "b", geoms, [("name", "string", np.array([f"b{i}" for i in range(1000)], object))],
                             "EPSG:4542", "Polygon")
    keep = np.array([900, 3, 77, 5000])       # 5000 is not in the source: ignored
    n = gpkgbulk.copy_layer_with_columns(src, "b", tmp_path / "d.gpkg", "d", [("fate", "string", np.array(
        ["x900", "x3", "x77", "none"], object))], keep, only_listed=True)
    assert n == 3
    import sqlite3

    with sqlite3.connect(str(tmp_path / "d.gpkg")) as con:
        rows = con.execute("SELECT fid, name, fate FROM d ORDER BY fid").fetchall()
        assert rows == [(3, "b2", "x3"), (77, "b76", "x77"), (900, "b899", "x900")]
        assert con.execute("SELECT count(*) FROM rtree_d_geom").fetchone()[0] == 3
        assert con.execute("SELECT feature_count FROM gpkg_ogr_contents").fetchone()[0] == 3
        # the packed index finds exactly the copied features
        got = con.execute("SELECT id FROM rtree_d_geom WHERE minx <= 8999 AND maxx >= 8989").fetchall()
        assert got == [(900,)]
