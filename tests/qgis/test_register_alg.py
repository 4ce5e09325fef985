"""liangwei:register through processing.run: verdicts, merge with PREVIOUS, in-place update, exports."""
import os
import sqlite3

import pytest
from qgis.core import QgsProcessing, QgsProcessingContext, QgsProcessingOutputLayerDefinition, QgsProject

from .layers import box_wkt, memory_layer

CRS = "EPSG:4542"
X0, Y0 = 508000, 2641000


def b(i, dx=0.0, w=10.0):
    x = X0 + 40 * i + dx
    return box_wkt(x, Y0, x + w, Y0 + w)


def changes_layer(rows):
    """rows: (index, change, growth, confidence)."""
    return memory_layer("Polygon", CRS, "epochs_later",
                        [(b(i), [c, g, 2.0, conf, "", i + 100, "2023", "2019"]) for i, c, g, conf in rows],
                        fields=("change:string", "growth_m2:double", "floors_now:double", "confidence:string",
                                "conf_reason:string", "bld_fid:integer", "epoch:string", "prev_epoch:string"))


def layers():
    ch = changes_layer([(0, "new", 100.0, "high"), (1, "unchanged", 0.0, ""), (2, "expanded", 20.0, "high"),
                        (3, "unchanged", 0.0, ""), (4, "new", 100.0, "high"), (5, "unchanged", 0.0, "")])
    # building 0 (new) on a red line -> 拆除候选; building 1 (unchanged) on a red line -> 历史存量
    enc = memory_layer("Polygon", CRS, "pieces",
                       [(b(0), [100, "red", 1, "东环路", 100.0, "inside_zone", "inside"]),
                        (b(1), [101, "red", 1, "东环路", 100.0, "inside_zone", "inside"])],
                       fields=("bld_fid:integer", "line_type:string", "zone_fid:integer", "zone_name:string",
                               "enc_area:double", "hit_kind:string", "hit_where:string"))
    # building 3 (unchanged) in a gas clearance by 0.8 m -> 历史存量 ; building 5 by 0.05 m -> no case
    br = memory_layer("Polygon", CRS, "breaches",
                      [(b(3), [103, "gas", "low", 0.7, 0.0, 0.7, 5.0, "GB 50028"]),
                       (b(5), [105, "gas", "low", 0.7, 0.65, 0.05, 0.5, "GB 50028"])],
                      fields=("bld_fid:integer", "kind:string", "pipe_class:string", "required_m:double",
                              "distance_m:double", "deficit_m:double", "enc_area_m2:double", "basis:string"))
    # building 4 (new) inside a valid permanent permit -> no case; building 2 (expanded) in an expired temporary
    permits = memory_layer("Polygon", CRS, "permits",
                           [(b(4, -2, 14), ["建字001", "永久", ""]), (b(2, -2, 14), ["临建002", "临时", "2020-01-01"])],
                           fields=("permit_no:string", "kind:string", "expiry:string"))
    districts = memory_layer("Polygon", CRS, "districts",
                             [(box_wkt(X0 - 100, Y0 - 100, X0 + 1000, Y0 + 100), ["530902", "临翔区"])],
                             fields=("code:string", "name:string"))
    return ch, enc, br, permits, districts


def run(params, context=None, feedback=None):
    from qgis import processing

    return processing.run("liangwei:register", params, context=context, feedback=feedback)


def connect(path):
    """sqlite3 on a GeoPackage as a team would edit it (GDAL's R-tree triggers call ST_* functions)."""
    con = sqlite3.connect(path)
    con.create_function("ST_IsEmpty", 1, lambda g: 0)
    for f in ("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):
        con.create_function(f, 1, lambda g: 0.0)
    return con


def read(path, sql="SELECT * FROM register ORDER BY case_id"):
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute(sql)]
    finally:
        con.close()


def base_params(tmp_path, **kw):
    ch, enc, br, permits, districts = layers()
    p = {"CHANGES": ch, "ENCROACHMENTS": enc, "BREACHES": br, "PERMITS": permits, "DISTRICTS": districts,
         "RUN_DATE": "2024-03-01", "OUTPUT": str(tmp_path / "register.gpkg"), "XLSX": str(tmp_path / "register.xlsx"),
         "CSV": str(tmp_path / "register.csv")}
    p.update(kw)
    return p


def test_verdicts(liangwei, tmp_path, feedback):
    res = run(base_params(tmp_path), feedback=feedback)
    rows = {r["bld_fid"]: r for r in read(tmp_path / "register.gpkg")}
    assert rows[100]["verdict"] == "拆除候选"
    assert rows[101]["verdict"] == "历史存量"
    assert rows[102]["verdict"] == "超期临时建筑" and rows[102]["permit_no"] == "临建002"
    assert rows[103]["verdict"] == "历史存量"
    assert 104 not in rows  # new inside a valid permit
    assert 105 not in rows  # 0.05 m deficit: below every verdict row's threshold
    assert all(r["case_id"].startswith("530902-2024-") and r["district"] == "临翔区" for r in rows.values())
    assert 99.0 < rows[100]["lon"] < 99.2 and 23.7 < rows[100]["lat"] < 24.0
    assert (res["N_CASES"], res["N_DEMOLISH"], res["N_LEGACY"], res["N_TEMP_EXPIRED"]) == (4, 1, 2, 1)
    assert (res["N_NEW"], res["N_KEPT"], res["N_GONE"]) == (4, 0, 0)
    # Chinese aliases stored in the GeoPackage and read by QGIS
    aliases = {r["column_name"]: r["name"] for r in read(tmp_path / "register.gpkg",
                                                          "SELECT column_name, name FROM gpkg_data_columns")}
    assert aliases["case_id"] == "图斑编号" and aliases["verdict"] == "初判"
    from qgis.core import QgsVectorLayer

    lyr = QgsVectorLayer(f"{tmp_path / 'register.gpkg'}|layername=register", "r", "ogr")
    assert lyr.isValid()
    assert lyr.attributeAlias(lyr.fields().indexOf("verdict")) == "初判"
    assert os.path.exists(tmp_path / "register.xlsx") and os.path.exists(tmp_path / "register.csv")
    assert "建筑 6 栋 = 案件 4 + 无发现 2 + 跳过 0" in feedback.text   # the ring runs in zh-Hans


def test_previous_merge_keeps_team_work_and_in_place_update_is_atomic(liangwei, tmp_path, feedback):
    path = tmp_path / "register.gpkg"
    run(base_params(tmp_path))
    first = {r["bld_fid"]: r for r in read(path)}
    con = connect(path)
    con.execute("ALTER TABLE register ADD COLUMN team_note TEXT")
    con.execute("UPDATE register SET check_result='属实', remarks='=1+1', status='已派遣', team_note='张三' "
                "WHERE bld_fid=100")
    con.commit()
    con.close()
    before = set(os.listdir(tmp_path))
    # the usual re-run: OUTPUT is the PREVIOUS file, updated in place; building 3 no longer breaches
    ch, enc, _br, permits, districts = layers()
    res = run({**base_params(tmp_path), "BREACHES": None, "CHANGES": ch, "ENCROACHMENTS": enc,
               "PREVIOUS": f"{path}|layername=register", "RUN_DATE": "2025-01-10"}, feedback=feedback)
    rows = {r["bld_fid"]: r for r in read(path)}
    r0 = rows[100]
    assert (r0["check_result"], r0["remarks"], r0["status"], r0["team_note"]) == ("属实", "=1+1", "已派遣", "张三")
    assert r0["case_id"] == first[100]["case_id"] and r0["first_seen"] == "2024-03-01"
    assert r0["last_run"] == "2025-01-10"
    assert rows[103]["gone"] == 1 and rows[103]["case_id"] == first[103]["case_id"]
    assert (res["N_KEPT"], res["N_NEW"], res["N_GONE"]) == (3, 0, 1)
    assert set(os.listdir(tmp_path)) == before  # no temporary files left beside it
    assert "沿用编号 3" in feedback.text   # "kept 3" in English


def test_output_over_another_input_is_still_refused(liangwei, tmp_path):
    from qgis.core import QgsProcessingException

    run(base_params(tmp_path))
    path = tmp_path / "register.gpkg"
    with pytest.raises(QgsProcessingException, match="FOOTPRINTS|覆盖"):
        run({**base_params(tmp_path, OUTPUT=str(tmp_path / "register.gpkg")),
             "CHANGES": None, "FOOTPRINTS": f"{path}|layername=register"})


def test_xlsx_skipped_without_openpyxl(liangwei, tmp_path, feedback, monkeypatch):
    from lincang_liangwei import exports

    def missing():
        raise exports.MissingDependency("openpyxl", "The XLSX export", exports._OPENPYXL_HOW)

    monkeypatch.setattr(exports, "_openpyxl", missing)
    res = run(base_params(tmp_path), feedback=feedback)
    assert not os.path.exists(tmp_path / "register.xlsx")
    assert os.path.exists(tmp_path / "register.csv") and os.path.exists(tmp_path / "register.gpkg")
    assert "XLSX" not in res
    assert any("openpyxl" in w and "apt-get install python3-openpyxl" in w for w in feedback.warnings)


def test_dialog_style_temporary_output_loads(liangwei, tmp_path, feedback):
    project = QgsProject()
    context = QgsProcessingContext()
    context.setProject(project)
    out = QgsProcessingOutputLayerDefinition(QgsProcessing.TEMPORARY_OUTPUT, project)
    params = base_params(tmp_path)
    params.update({"OUTPUT": out, "XLSX": QgsProcessing.TEMPORARY_OUTPUT, "CSV": None})
    from qgis import processing

    res = processing.run("liangwei:register", params, context=context, feedback=feedback)
    details = context.layersToLoadOnCompletion()
    from qgis.core import QgsMapLayer, QgsProcessingUtils

    lyr = res["OUTPUT"] if isinstance(res["OUTPUT"], QgsMapLayer) else \
        QgsProcessingUtils.mapLayerFromString(res["OUTPUT"], context)
    assert list(details) == [lyr.id()]  # the register only, no bogus extra layer
    assert lyr is not None and lyr.isValid() and lyr.featureCount() == 4
    assert res["XLSX"].endswith(".xlsx") and os.path.exists(res["XLSX"])
