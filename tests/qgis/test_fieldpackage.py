"""liangwei:fieldpackage / liangwei:fieldsync through processing.run: the QField project as QGIS reads it,
the merge back, untrusted packages refused."""
from __future__ import annotations

import os
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest
from qgis.core import QgsApplication, QgsProcessingException, QgsProject, QgsVectorLayer

from lincang_liangwei.core.fieldsync import CHECK_RESULT_VALUES, CONFLICT_MARK
from lincang_liangwei.core.register import STATUS_VALUES
from lincang_liangwei.fieldstore import register_gpkg_functions
from tests.fieldregister import make_register

from .conftest import in_english

INJECTION = "'); DROP TABLE register; --"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fieldpkg")
    reg, city, cases = make_register(folder)
    return folder, reg, city, cases


def fresh_master(data, tmp_path) -> Path:
    folder, reg, _, _ = data
    dst = tmp_path / "master" / "register.gpkg"
    dst.parent.mkdir()
    shutil.copyfile(reg, dst)
    return dst


def run(alg, params, feedback=None):
    from qgis import processing

    return processing.run(f"liangwei:{alg}", params, feedback=feedback)


def package(master, out, feedback=None, filter_expr="\"case_id\" IS NOT NULL AND \"fid\" <= 12", context=()):
    return run("fieldpackage", {"REGISTER": f"{master}|layername=register", "FILTER": filter_expr,
                                "CONTEXT_LAYERS": list(context), "MARGIN": 100, "OUTPUT_FOLDER": str(out)}, feedback)


def edit_package(gpkg, sql, params=()):
    con = sqlite3.connect(str(gpkg))
    register_gpkg_functions(con)  # what GDAL provides to the GeoPackage triggers
    try:
        con.execute(sql, params)
        con.commit()
    finally:
        con.close()


def master_rows(master, fields=("case_id", "status", "check_result", "remarks", "photo", "visit_date")):
    con = sqlite3.connect(str(master))
    try:
        cols = {r[1] for r in con.execute("PRAGMA table_info(register)")}
        sel = ", ".join(f if f in cols else f"NULL AS {f}" for f in fields)
        return {r[0]: dict(zip(fields, r)) for r in con.execute(f"SELECT {sel} FROM register")}
    finally:
        con.close()


def test_registered_with_help(liangwei):
    for name in ("fieldpackage", "fieldsync"):
        alg = QgsApplication.processingRegistry().algorithmById(f"liangwei:{name}")
        assert alg is not None
        assert "QField" in alg.shortHelpString()


def test_package_project_opens_in_qgis_with_tablet_widgets(liangwei, data, tmp_path, feedback):
    folder, reg, city, cases = data
    master = fresh_master(data, tmp_path)
    out = tmp_path / "pkg"
    res = package(master, out, feedback, context=[f"{city}|layername=red_lines", f"{city}|layername=pipelines",
                                                  f"{city}|layername=buildings_2019"])
    assert res["CASES"] == 12
    assert res["CONTEXT_FEATURES"] > 0
    qgz, zp = Path(res["PROJECT"]), Path(res["ZIP"])
    assert qgz.is_file() and zp.is_file() and (out / "DCIM").is_dir()
    assert not list(out.glob(".fieldpackage.*"))  # staging removed

    # relative paths in the project XML
    with zipfile.ZipFile(qgz) as z:
        qgs = z.read(next(n for n in z.namelist() if n.endswith(".qgs"))).decode("utf-8")
    import re

    sources = [s for s in re.findall(r"<datasource>(.*?)</datasource>", qgs) if s]
    assert len(sources) == 4 and all(s.startswith("./") for s in sources), sources
    assert str(tmp_path) not in qgs

    # moved elsewhere (a tablet): QGIS itself opens it, every layer valid
    moved = tmp_path / "tablet" / "外业包"
    shutil.copytree(out, moved)
    shutil.rmtree(out)
    project = QgsProject()
    assert project.read(str(moved / qgz.name))
    layers = list(project.mapLayers().values())
    assert len(layers) == 4 and all(lyr.isValid() for lyr in layers)
    assert {lyr.name() for lyr in layers} >= {"red_lines", "pipelines", "buildings_2019"}
    regl = next(lyr for lyr in layers if isinstance(lyr, QgsVectorLayer) and lyr.fields().indexOf("case_id") >= 0
                and lyr.fields().indexOf("photo") >= 0)
    assert regl.featureCount() == 12
    assert regl.crs().authid() == "EPSG:4542"
    fields = regl.fields()
    cfg = regl.editFormConfig()

    def widget(name):
        setup = regl.editorWidgetSetup(fields.indexOf(name))
        return setup.type(), setup.config()

    kind, conf = widget("status")
    assert kind == "ValueMap"
    assert [list(d.values())[0] for d in conf["map"]] == list(STATUS_VALUES)
    kind, conf = widget("check_result")
    assert kind == "ValueMap"
    assert [list(d.values())[0] for d in conf["map"]][1:] == list(CHECK_RESULT_VALUES)
    kind, conf = widget("remarks")
    assert kind == "TextEdit" and conf["IsMultiline"] is True
    kind, conf = widget("photo")
    assert kind == "ExternalResource" and int(conf["RelativeStorage"]) == 1 and conf["FileWidget"] is True
    kind, conf = widget("visit_date")
    assert kind == "DateTime" and conf["calendar_popup"] is True and conf["field_format"] == "yyyy-MM-dd"
    editable = {"status", "check_result", "remarks", "photo", "visit_date"}
    for i, f in enumerate(fields):
        assert cfg.readOnly(i) == (f.name() not in editable), f.name()
    assert regl.labelsEnabled() and regl.labeling().settings().fieldName == "case_id"
    assert str(regl.customProperty("QFieldSync/is_geometry_locked")).lower() in ("true", "1")
    assert "DCIM/" in str(regl.customProperty("QFieldSync/photo_naming"))
    for lyr in layers:
        if lyr is not regl:
            assert lyr.readOnly()
    project.clear()

    # the zip holds the same package
    with zipfile.ZipFile(moved / zp.name) as z:
        names = set(z.namelist())
    assert {"fieldwork.qgz", "fieldwork_register.gpkg", "DCIM/"} <= names
    assert not any(n.endswith(("-wal", "-shm")) for n in names)


def test_package_refuses_bad_filter_empty_and_overwriting_unreturned_work(liangwei, data, tmp_path):
    master = fresh_master(data, tmp_path)
    with pytest.raises(QgsProcessingException, match="选择表达式有误"):   # the ring runs in zh-Hans
        package(master, tmp_path / "a", filter_expr="\"case_id\" = ")
    with in_english(), pytest.raises(QgsProcessingException, match="FILTER"):
        package(master, tmp_path / "a", filter_expr="\"case_id\" = ")
    with in_english(), pytest.raises(QgsProcessingException, match="no case matches"):
        package(master, tmp_path / "b", filter_expr="\"case_id\" = 'nope'")
    out = tmp_path / "c"
    package(master, out)
    package(master, out)  # no field work yet: replaced
    edit_package(out / "fieldwork_register.gpkg", "UPDATE register SET remarks = 'seen' WHERE fid = 1")
    with in_english(), pytest.raises(QgsProcessingException, match="not merged back"):
        package(master, out)


def test_sync_merges_entries_photos_and_injection_verbatim(liangwei, data, tmp_path, feedback):
    master = fresh_master(data, tmp_path)
    out = tmp_path / "pkg"
    package(master, out)
    gpkg = out / "fieldwork_register.gpkg"
    ids = sorted(master_rows(gpkg))
    (out / "DCIM" / "a.jpg").write_bytes(b"\xff\xd8jpeg-a")
    edit_package(gpkg, "UPDATE register SET status = ?, check_result = ?, remarks = ?, photo = ?, visit_date = ? "
                       "WHERE case_id = ?", ("已处置", "属实", INJECTION, "DCIM/a.jpg", "2024-05-03", ids[0]))
    edit_package(gpkg, "UPDATE register SET check_result = ? WHERE case_id = ?", ("无法进入", ids[1]))
    before = master_rows(master)
    res = run("fieldsync", {"REGISTER": f"{master}|layername=register", "FIELD": [str(out)]}, feedback)
    assert res["CASES_UPDATED"] == 2 and res["CONFLICTS_FOUND"] == 0 and res["PHOTOS"] == 1, feedback.text
    after = master_rows(master)
    assert after[ids[0]]["remarks"] == INJECTION
    assert after[ids[0]]["status"] == "已处置" and after[ids[0]]["check_result"] == "属实"
    assert after[ids[0]]["visit_date"] == "2024-05-03"
    photo = after[ids[0]]["photo"]
    assert photo.startswith(f"photos/{ids[0]}/") and (master.parent / photo).read_bytes() == b"\xff\xd8jpeg-a"
    assert after[ids[1]]["check_result"] == "无法进入"
    for cid in set(before) - set(ids[:2]):
        assert {k: v for k, v in after[cid].items() if k not in ("photo", "visit_date")} == \
            {k: v for k, v in before[cid].items() if k not in ("photo", "visit_date")}
    # the master is still a GeoPackage QGIS reads, with the new fields
    lyr = QgsVectorLayer(f"{master}|layername=register", "m", "ogr")
    assert lyr.isValid() and lyr.featureCount() == len(before)
    assert lyr.fields().indexOf("photo") >= 0 and lyr.fields().indexOf("visit_date") >= 0
    # merging the same package again changes nothing
    res2 = run("fieldsync", {"REGISTER": f"{master}|layername=register", "FIELD": [str(out)]})
    assert res2["VALUES_UPDATED"] == 0 and res2["CONFLICTS_FOUND"] == 0
    assert master_rows(master) == after


@pytest.mark.parametrize("photo", ["../../etc/passwd", "/etc/passwd", "DCIM/link.jpg", "C:\\Windows\\x.jpg"])
def test_sync_refuses_unsafe_photo_paths(liangwei, data, tmp_path, photo):
    master = fresh_master(data, tmp_path)
    out = tmp_path / "pkg"
    package(master, out)
    os.symlink("/etc/passwd", out / "DCIM" / "link.jpg")
    gpkg = out / "fieldwork_register.gpkg"
    cid = sorted(master_rows(gpkg))[0]
    edit_package(gpkg, "UPDATE register SET photo = ?, remarks = 'x' WHERE case_id = ?", (photo, cid))
    before = Path(master).read_bytes()
    with pytest.raises(QgsProcessingException, match="拒收外业包"):
        run("fieldsync", {"REGISTER": f"{master}|layername=register", "FIELD": [str(out)]})
    with in_english(), pytest.raises(QgsProcessingException, match="refused"):
        run("fieldsync", {"REGISTER": f"{master}|layername=register", "FIELD": [str(out)]})
    assert Path(master).read_bytes() == before
    assert not (master.parent / "photos").exists()


def test_sync_refuses_package_of_another_register(liangwei, data, tmp_path):
    master = fresh_master(data, tmp_path)
    out = tmp_path / "pkg"
    package(master, out)
    edit_package(out / "fieldwork_register.gpkg", "UPDATE register SET case_id = 'X-2024-9999' WHERE fid = 1")
    before = Path(master).read_bytes()
    with in_english(), pytest.raises(QgsProcessingException, match="case ids do not match"):
        run("fieldsync", {"REGISTER": f"{master}|layername=register", "FIELD": [str(out)]})
    assert Path(master).read_bytes() == before


def test_sync_reports_conflict_and_keeps_both(liangwei, data, tmp_path, feedback):
    master = fresh_master(data, tmp_path)
    out = tmp_path / "pkg"
    package(master, out)
    gpkg = out / "fieldwork_register.gpkg"
    cid = sorted(master_rows(gpkg))[2]
    # the office changes the case after packaging ...
    edit_package(master, "UPDATE register SET check_result = '不属实', remarks = '办公室意见' WHERE case_id = ?", (cid,))
    # ... and the team changes the same fields on site
    edit_package(gpkg, "UPDATE register SET check_result = '属实', remarks = '现场已核实' WHERE case_id = ?", (cid,))
    csv = tmp_path / "conflicts.csv"
    res = run("fieldsync", {"REGISTER": f"{master}|layername=register", "FIELD": [str(out)], "CONFLICTS": str(csv)},
              feedback)
    assert res["CONFLICTS_FOUND"] == 2
    row = master_rows(master)[cid]
    assert row["check_result"] == "不属实"  # the master's value stays
    assert row["remarks"].startswith("办公室意见") and CONFLICT_MARK in row["remarks"] and "现场已核实" in row["remarks"]
    con = sqlite3.connect(str(master))
    conf = con.execute("SELECT field, master_value, team_value, baseline_value FROM fieldsync_conflicts "
                       "WHERE case_id = ? ORDER BY field", (cid,)).fetchall()
    con.close()
    assert conf[0][:3] == ("check_result", "不属实", "属实") and conf[0][3] in ("", None)
    assert conf[1][0] == "remarks" and conf[1][2] == "现场已核实"
    assert "conflict" in feedback.text and cid in feedback.text
    text = csv.read_text(encoding="utf-8-sig")
    assert cid in text and "现场已核实" in text
