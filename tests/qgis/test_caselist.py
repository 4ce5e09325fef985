"""Case list: rows of a register GeoPackage, filters and counts, zoom, edits written to the file."""
from __future__ import annotations

import sqlite3

import pytest
from qgis.core import QgsFeature, QgsGeometry, QgsProcessingFeedback, QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QStyleOptionViewItem

from .desktop import SCREENSHOTS, STUB_VERDICTS, FakeIface, close_iface, write_stub_outputs

pytestmark = pytest.mark.qgis


@pytest.fixture(autouse=True)
def _english(english):
    """These tests assert the English source text of the UI (zh-Hans is checked by the translation tests)."""
    yield
N = 24


@pytest.fixture
def register(tmp_path, qgis_app):
    later = QgsVectorLayer("Polygon?crs=EPSG:4547", "later", "memory")
    feats = []
    for i in range(N):
        f = QgsFeature()
        x, y = 500000 + 40 * (i % 6), 2600000 + 40 * (i // 6)
        f.setGeometry(QgsGeometry.fromWkt(f"POLYGON(({x} {y},{x + 12} {y},{x + 12} {y + 9},{x} {y + 9},{x} {y}))"))
        feats.append(f)
    later.dataProvider().addFeatures(feats)
    path, _pieces = write_stub_outputs(tmp_path, later, QgsProcessingFeedback())
    layer = QgsVectorLayer(f"{path}|layername=register", "register", "ogr")
    assert layer.isValid()
    QgsProject.instance().addMapLayer(layer)
    yield path, layer
    QgsProject.instance().removeMapLayer(layer.id())


@pytest.fixture
def cases(qgis_canvas, qgis_app):
    from lincang_liangwei.ui.caselist import CaseListDock

    iface = FakeIface(qgis_canvas)
    dock = CaseListDock(iface)
    yield dock
    dock.deleteLater()
    close_iface(iface)


def col(dock, field):
    return dock.model.column(field)


def test_lists_every_case_with_counts(register, cases):
    path, layer = register
    cases.set_layer(layer)
    assert cases.model.rowCount() == layer.featureCount() == N
    expected = {v: sum(1 for i in range(N) if STUB_VERDICTS[i % len(STUB_VERDICTS)] == v) for v in set(STUB_VERDICTS)}
    assert cases.verdict_counts() == expected
    assert "拆除候选 <b>4</b>" in cases.counts.text() and f"{N} of {N}" in cases.counts.text()
    # sorted by priority, highest first
    pc = col(cases, "priority")
    prios = [cases.proxy.index(r, pc).data(Qt.ItemDataRole.UserRole) for r in range(cases.proxy.rowCount())]
    assert prios == sorted(prios, reverse=True)
    # sortable by any column
    cid = col(cases, "case_id")
    cases.view.sortByColumn(cid, Qt.SortOrder.AscendingOrder)
    ids = [cases.proxy.index(r, cid).data() for r in range(cases.proxy.rowCount())]
    assert ids == sorted(ids)


def test_filters_by_verdict_district_and_status(register, cases):
    _path, layer = register
    cases.set_layer(layer)
    cases.set_filters(verdict="待核查")
    assert cases.visible_count() == 8 and set(cases.verdict_counts()) == {"待核查"}
    cases.set_filters(verdict="待核查", district="临翔区")
    assert cases.visible_count() == 4  # 待核查: i % 6 in (2, 5); 临翔区: even i
    rows = [cases.proxy.mapToSource(cases.proxy.index(r, 0)).row() for r in range(cases.visible_count())]
    assert all(cases.model.value(r, "district") == "临翔区" and cases.model.value(r, "verdict") == "待核查"
               for r in rows)
    cases.set_filters(status="已派遣")
    assert cases.visible_count() == 0
    cases.set_filters()
    assert cases.visible_count() == N
    cases.set_filters(text="530902-2023-0001")
    assert cases.visible_count() == 1


def test_edits_are_written_to_the_file_field_by_field(register, cases):
    from lincang_liangwei.ui.caselist import StatusDelegate

    path, layer = register
    cases.set_layer(layer)
    cases.set_filters(verdict="拆除候选")
    first = cases.proxy.mapToSource(cases.proxy.index(0, 0)).row()
    fid = cases.model.fids[first]
    case_id = cases.model.value(first, "case_id")
    # another user writes remarks to the same case meanwhile
    from osgeo import ogr

    ds = ogr.Open(path, 1)
    ds.ExecuteSQL(f"UPDATE register SET remarks = '门卫说已报建' WHERE fid = {fid}")  # GDAL's SQLite dialect
    ds = None
    # status through the combo delegate, check_result as text
    proxy_row = 0
    sidx = cases.proxy.index(proxy_row, col(cases, "status"))
    delegate = StatusDelegate()
    editor = delegate.createEditor(cases.view, QStyleOptionViewItem(), sidx)
    assert [editor.itemText(i) for i in range(editor.count())] == ["待核查", "已派遣", "已处置", "已结案"]
    editor.setCurrentIndex(1)
    delegate.setModelData(editor, cases.proxy, sidx)
    assert cases.proxy.setData(cases.proxy.index(proxy_row, col(cases, "check_result")), "属实，已下达整改通知")
    assert not cases.proxy.setData(sidx, "随便")  # not one of the four values
    assert "Status must be one of" in cases.message.text()
    with sqlite3.connect(path) as con:
        row = con.execute("SELECT case_id, status, check_result, remarks, verdict FROM register WHERE fid = ?",
                          (fid,)).fetchone()
    assert row == (case_id, "已派遣", "属实，已下达整改通知", "门卫说已报建", "拆除候选")
    # the filters and counts follow the edit
    cases.set_filters(status="已派遣")
    assert cases.visible_count() == 1
    # a fresh layer on the file sees the edit
    again = QgsVectorLayer(f"{path}|layername=register", "again", "ogr")
    assert again.getFeature(fid)["status"] == "已派遣"


def test_selecting_a_case_zooms_the_map(register, cases, qgis_canvas):
    _path, layer = register
    qgis_canvas.setDestinationCrs(layer.crs())
    qgis_canvas.setExtent(layer.extent().buffered(5000))
    cases.set_layer(layer)
    cases.select_row(3)
    fid = cases.model.fids[cases.proxy.mapToSource(cases.proxy.index(3, 0)).row()]
    bbox = layer.getFeature(fid).geometry().boundingBox()
    extent = qgis_canvas.extent()
    assert extent.contains(bbox) and extent.width() < 1000


def test_screenshot(register, cases):
    _path, layer = register
    cases.set_layer(layer)
    cases.setFloating(True)
    cases.resize(1100, 420)
    cases.show()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert cases.grab().save(str(SCREENSHOTS / "caselist.png"))
