"""Field package rules without QGIS: path checks, value checks, the merge plan, zip unpacking, the SQLite merge."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import stat
import zipfile

import pytest

from lincang_liangwei.core import fieldsync as fs
from lincang_liangwei.core.fieldsync import FieldSyncError, check_relative_path, normalise_value, plan_merge
from lincang_liangwei.fieldstore import (
    merge_packages,
    new_package_id,
    read_package,
    register_gpkg_functions,
    unpack_zip,
    write_package_tables,
)

TODAY = dt.date(2024, 6, 1)


@pytest.mark.parametrize("text,reason", [
    ("DCIM/a.jpg", None), ("DCIM\\sub\\a.JPG", None), ("./DCIM/a.png", None),
    ("../../etc/passwd", "parent"), ("DCIM/../../x.jpg", "parent"), ("/etc/passwd", "absolute"),
    ("\\\\server\\share\\a.jpg", "absolute"), ("C:\\Users\\a.jpg", "drive"), ("c:a.jpg", "drive"),
    ("file:///etc/a.jpg", "url"), ("http://x/a.jpg", "url"), ("DCIM/a\x00.jpg", "control_char"),
    ("DCIM/a.sh", "bad_suffix"), ("", "empty"), ("  ", "empty"), (5, "not_text"), ("a" * 300 + ".jpg", "too_long"),
])
def test_relative_path_rules(text, reason):
    assert check_relative_path(text) == reason


def test_resolve_photo_refuses_links_missing_and_large(tmp_path, monkeypatch):
    (tmp_path / "DCIM").mkdir()
    (tmp_path / "DCIM" / "ok.jpg").write_bytes(b"x" * 10)
    assert fs.resolve_photo(tmp_path, "DCIM/ok.jpg") == tmp_path / "DCIM" / "ok.jpg"
    os.symlink("/etc/passwd", tmp_path / "DCIM" / "link.jpg")
    os.symlink("/etc", tmp_path / "etc")
    os.symlink(tmp_path / "DCIM", tmp_path / "dirlink")
    for path, code in (("DCIM/link.jpg", "photo_symlink"), ("etc/passwd.jpg", "photo_symlink"),
                       ("dirlink/ok.jpg", "photo_symlink"), ("DCIM/none.jpg", "photo_missing"),
                       ("../x.jpg", "photo_parent")):
        with pytest.raises(FieldSyncError) as e:
            fs.resolve_photo(tmp_path, path)
        assert e.value.code == code, path
    (tmp_path / "DCIM" / "d.jpg").mkdir()
    with pytest.raises(FieldSyncError, match="photo_not_file"):
        fs.resolve_photo(tmp_path, "DCIM/d.jpg")
    with pytest.raises(FieldSyncError, match="photo_too_large"):
        fs.resolve_photo(tmp_path, "DCIM/ok.jpg", max_bytes=5)


def test_values_checked_and_text_kept_verbatim():
    inj = "'); DROP TABLE register; --"
    assert normalise_value("remarks", inj) == inj
    assert normalise_value("remarks", "第一行\n第二行\t完") == "第一行\n第二行\t完"
    assert normalise_value("status", "已处置") == "已处置"
    assert normalise_value("check_result", " 属实 ") == "属实"
    assert normalise_value("check_result", "") is None
    assert normalise_value("visit_date", "2024-05-03T00:00:00", TODAY) == "2024-05-03"
    assert normalise_value("visit_date", dt.date(2024, 5, 3), TODAY) == "2024-05-03"
    for name, value in (("status", "拆了"), ("check_result", "=1+1"), ("remarks", "x" * (fs.MAX_TEXT + 1)),
                        ("remarks", "bell\x07"), ("visit_date", "1999-12-31"), ("visit_date", "2030-01-01"),
                        ("visit_date", "03/05/2024"), ("status", 3), ("remarks", b"bytes")):
        with pytest.raises(ValueError):
            normalise_value(name, value, TODAY)


def test_plan_merge_rules():
    base = {"A": {"status": "待核查", "remarks": None}, "B": {"status": "待核查", "remarks": "r"}}
    master = {"A": {"status": "待核查", "remarks": "office"}, "B": {"status": "已派遣", "remarks": "r"}}
    team = {"A": {"status": "已处置", "remarks": None}, "B": {"status": "已处置", "remarks": "r"}}
    plan = plan_merge(team, base, master)
    # A.status: only the team changed it; A.remarks: only the office; B.status: both -> conflict
    assert plan.updates == [("A", "status", "已处置")]
    assert [(c.case_id, c.field, c.master, c.team) for c in plan.conflicts] == [("B", "status", "已派遣", "已处置")]
    # same change on both sides: no conflict
    assert not plan_merge({"B": {"status": "已派遣"}}, base, master).conflicts
    # merged before: what was taken is the baseline, so a re-merge is a no-op
    master2 = {"A": {"status": "已处置", "remarks": "office"}, "B": master["B"]}
    plan2 = plan_merge({"A": {"status": "已处置"}}, base, master2, {("A", "status"): "已处置"})
    assert not plan2.updates and not plan2.conflicts
    # and a later edit of the same package applies without a false conflict
    plan3 = plan_merge({"A": {"status": "已结案"}}, base, master2, {("A", "status"): "已处置"})
    assert plan3.updates == [("A", "status", "已结案")]
    with pytest.raises(FieldSyncError, match="unknown_cases"):
        plan_merge({"Z": {"status": "已处置"}}, base, master)


def _zip(path, members, link=None):
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
        if link:
            info = zipfile.ZipInfo(link)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            z.writestr(info, "/etc/passwd")
    return path


def test_unpack_zip_refuses_traversal_links_and_bombs(tmp_path, monkeypatch):
    ok = _zip(tmp_path / "ok.zip", {"pkg/a.gpkg": b"x", "pkg/DCIM/p.jpg": b"y"})
    assert (unpack_zip(ok, tmp_path / "u1") / "pkg" / "DCIM" / "p.jpg").read_bytes() == b"y"
    for name, members, link, code in (
            ("t.zip", {"../../evil.gpkg": b"x"}, None, "zip_member_parent"),
            ("a.zip", {"/abs.gpkg": b"x"}, None, "zip_member_absolute"),
            ("l.zip", {"a.gpkg": b"x"}, "DCIM/l.jpg", "zip_member_symlink")):
        with pytest.raises(FieldSyncError) as e:
            unpack_zip(_zip(tmp_path / name, members, link), tmp_path / ("u_" + name))
        assert e.value.code == code
    assert not (tmp_path / "evil.gpkg").exists()
    monkeypatch.setattr("lincang_liangwei.fieldstore.MAX_PACKAGE_BYTES", 1000)
    with pytest.raises(FieldSyncError, match="zip_too_large"):
        unpack_zip(_zip(tmp_path / "bomb.zip", {"a.gpkg": b"\0" * 5000}), tmp_path / "u_bomb")


# --------------------------------------------------------------------------- SQLite merge (no QGIS)
def _gpkg_like(path, rows, table="register"):
    """A minimal table with the register's edit columns (the merge needs no geometry)."""
    con = sqlite3.connect(str(path))
    con.execute(f'CREATE TABLE "{table}" (fid INTEGER PRIMARY KEY, case_id TEXT, status TEXT, check_result TEXT, '
                "remarks TEXT)")
    con.executemany(f'INSERT INTO "{table}"(case_id, status, check_result, remarks) VALUES (?, ?, ?, ?)', rows)
    con.commit()
    con.close()
    return path


def _package(folder, rows, baseline_rows):
    folder.mkdir()
    (folder / "DCIM").mkdir()
    g = _gpkg_like(folder / "fieldwork_register.gpkg", rows)
    write_package_tables(g, {"package_id": new_package_id(), "created": "2024-05-01T00:00:00+00:00",
                             "format_version": fs.FORMAT_VERSION}, baseline_rows)
    return g


def test_sqlite_merge_is_all_or_nothing_and_parameterised(tmp_path):
    inj = "'); DROP TABLE register; --"
    master = _gpkg_like(tmp_path / "master.gpkg", [("A", "待核查", "", ""), ("B", "待核查", "", ""),
                                                    ("C", "待核查", "", "keep")])
    base = [("A", "待核查", "", "", None, None), ("B", "待核查", "", "", None, None)]
    p1 = _package(tmp_path / "p1", [("A", "已处置", "属实", inj), ("B", "待核查", "", "")], base)
    (tmp_path / "p1" / "DCIM" / "a.jpg").write_bytes(b"jpg")
    con = sqlite3.connect(str(p1))
    con.execute("ALTER TABLE register ADD COLUMN photo TEXT")
    con.execute("UPDATE register SET photo = 'DCIM/a.jpg' WHERE case_id = 'A'")
    con.commit()
    con.close()
    bad = _package(tmp_path / "p2", [("Q", "已处置", "", "")], [("Q", "待核查", "", "", None, None)])
    pk1, pk2 = read_package(tmp_path / "p1", tmp_path / "w1"), read_package(bad, tmp_path / "w2")
    before = master.read_bytes()
    with pytest.raises(FieldSyncError, match="unknown_cases"):
        merge_packages(master, "register", [pk1, pk2])
    assert master.read_bytes() == before and not (tmp_path / "photos").exists()
    rep = merge_packages(master, "register", [pk1])
    assert rep.values == 4 and rep.photos == 1 and not rep.conflicts
    con = sqlite3.connect(str(master))
    rows = {r[0]: r[1:] for r in con.execute("SELECT case_id, status, check_result, remarks, photo FROM register")}
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    con.close()
    assert rows["A"][:3] == ("已处置", "属实", inj) and rows["A"][3].startswith("photos/A/")
    assert rows["C"] == ("待核查", "", "keep", None)
    assert {"register", "fieldsync_conflicts", "fieldsync_log", "fieldsync_taken"} <= tables
    assert (tmp_path / rows["A"][3]).read_bytes() == b"jpg"


def test_read_package_sees_edits_left_in_the_wal(tmp_path):
    g = _package(tmp_path / "p", [("A", "待核查", "", "")], [("A", "待核查", "", "", None, None)])
    con = sqlite3.connect(str(g))
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA wal_autocheckpoint=0")
    con.execute("UPDATE register SET remarks = 'in the wal' WHERE case_id = 'A'")
    con.commit()
    copy = tmp_path / "returned"
    shutil.copytree(tmp_path / "p", copy)  # copied while open: the edit is only in -wal
    con.close()
    assert os.path.exists(str(copy / "fieldwork_register.gpkg") + "-wal")
    pkg = read_package(copy, tmp_path / "w")
    assert pkg.team["A"]["remarks"] == "in the wal"


def test_gpkg_trigger_functions_read_the_blob_header():
    import struct

    con = sqlite3.connect(":memory:")
    register_gpkg_functions(con)
    blob = b"GP\x00" + bytes([0x03]) + struct.pack("<i", 4542) + struct.pack("<4d", 1, 2, 3, 4) + b"\x01"
    assert con.execute("SELECT ST_MinX(?), ST_MaxY(?), ST_IsEmpty(?)", (blob, blob, blob)).fetchone() == (1, 4, 0)
