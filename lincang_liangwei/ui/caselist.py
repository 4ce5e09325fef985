"""Case list: the register's cases in a table to work through.

* Any vector layer with the register's fields (GeoPackage ``register`` layer or
  a PostGIS table) is a source; rows are read once and re-read on demand.
* Sort by any column; filter by verdict, district and status; the count per
  verdict on top follows the filters and the edits.
* Selecting a row zooms the map to the case and flashes it.
* ``status`` (combo with the four values), ``check_result`` and ``remarks``
  are editable; an edit is written at once through the layer's data provider
  with ``changeAttributeValues`` of that one field only, so the other fields and
  other users' edits of other fields are not touched.
"""
from __future__ import annotations

from qgis.core import QgsFeatureRequest, QgsMapLayerProxyModel, QgsVectorDataProvider, QgsVectorLayer
from qgis.gui import QgsDockWidget, QgsMapLayerComboBox
from qgis.PyQt.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt, pyqtSignal
from qgis.PyQt.QtGui import QBrush, QColor
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..i18n import N_, tr
from .compat import qgis_enum

try:  # pure module, no QGIS; the register core may be absent on a broken install
    from ..core.register import STATUS_VALUES
except ImportError:  # pragma: no cover
    STATUS_VALUES = ("待核查", "已派遣", "已处置", "已结案")
try:
    from ..core.rules import VERDICTS
except ImportError:  # pragma: no cover
    VERDICTS = ("拆除候选", "限期整改", "超期临时建筑", "待核查", "历史存量")

EDITABLE = ("status", "check_result", "remarks")
REQUIRED = ("case_id", "verdict")
# (field, English header) in display order; fields the layer lacks are left out
COLUMNS = (
    ("case_id", N_("Case id")), ("verdict", N_("Verdict")), ("priority", N_("Priority")), ("status", N_("Status")),
    ("district", N_("District")), ("change", N_("Change")), ("line_types", N_("Control lines")), ("pipe_kinds", N_("Pipes")),
    ("area_m2", N_("Area (m²)")), ("check_result", N_("Check result")), ("remarks", N_("Remarks")),
    ("first_seen", N_("First seen")), ("gone", N_("Gone")), ("basis", N_("Basis")),
)
VERDICT_COLOURS = {"拆除候选": "#fbd5d5", "限期整改": "#fde3cc", "超期临时建筑": "#eadfd2", "待核查": "#fff2cc",
                   "历史存量": "#e6e6e6"}
ALL = "__all__"


def is_register(layer) -> bool:
    return isinstance(layer, QgsVectorLayer) and all(layer.fields().indexOf(f) >= 0 for f in REQUIRED)


def _can_change_attributes(provider) -> bool:
    flag = qgis_enum("VectorProviderCapability", "ChangeAttributeValues", QgsVectorDataProvider)
    return bool(provider.capabilities() & flag)


def _plain(value):
    """QVariant NULL / None -> None; everything else as is."""
    if value is None:
        return None
    try:
        from qgis.PyQt.QtCore import QVariant

        if isinstance(value, QVariant) and value.isNull():
            return None
    except ImportError:  # pragma: no cover - PyQt6 has no QVariant
        pass
    return value


class CaseModel(QAbstractTableModel):
    """Rows of a register layer (fid + the displayed fields); edits go to the data provider."""

    edited = pyqtSignal(int, str, object)  # fid, field, value
    editFailed = pyqtSignal(str)  # noqa: N815 - Qt signal name

    def __init__(self, parent=None):
        super().__init__(parent)
        self.layer: QgsVectorLayer | None = None
        self.fields: list[str] = []
        self.headers: list[str] = []
        self.fids: list[int] = []
        self.rows: list[list] = []

    def set_layer(self, layer):
        self.beginResetModel()
        self.layer = layer if is_register(layer) else None
        self.fields, self.headers, self.fids, self.rows = [], [], [], []
        if self.layer is not None:
            names = [f.name() for f in self.layer.fields()]
            cols = [(f, h) for f, h in COLUMNS if f in names]
            self.fields = [f for f, _h in cols]
            self.headers = [tr(h) for _f, h in cols]
            idx = [names.index(f) for f in self.fields]
            no_geometry = qgis_enum("FeatureRequestFlag", "NoGeometry", QgsFeatureRequest)
            request = QgsFeatureRequest().setFlags(no_geometry).setSubsetOfAttributes(idx)
            for feat in self.layer.getFeatures(request):
                self.fids.append(feat.id())
                self.rows.append([_plain(feat.attribute(i)) for i in idx])
        self.endResetModel()

    def reload(self):
        self.set_layer(self.layer)

    def rowCount(self, parent=QModelIndex()):  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self.fields)

    def column(self, field: str) -> int:
        return self.fields.index(field) if field in self.fields else -1

    def value(self, row: int, field: str):
        c = self.column(field)
        return self.rows[row][c] if c >= 0 else None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return self.fields[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        v = self.rows[index.row()][index.column()]
        field = self.fields[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if v is None:
                return ""
            if isinstance(v, float):
                return f"{v:.1f}" if field in ("area_m2", "priority") else f"{v:g}"
            if field == "gone":
                return tr("yes") if v in (True, 1, "1", "true", "True") else ""
            return str(v)
        if role == Qt.ItemDataRole.EditRole:
            return "" if v is None else v
        if role == Qt.ItemDataRole.UserRole:  # sort key
            return v if isinstance(v, (int, float)) else ("" if v is None else str(v))
        if role == Qt.ItemDataRole.BackgroundRole and field == "verdict" and v in VERDICT_COLOURS:
            return QBrush(QColor(VERDICT_COLOURS[v]))
        if role == Qt.ItemDataRole.ToolTipRole and field in ("basis", "remarks", "check_result") and v:
            return str(v)
        return None

    def flags(self, index):
        flags = super().flags(index)
        if index.isValid() and self.fields[index.column()] in EDITABLE and self.layer is not None:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole):
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        field = self.fields[index.column()]
        if field not in EDITABLE:
            return False
        value = "" if value is None else str(value)
        if field == "status" and value not in STATUS_VALUES:
            self.editFailed.emit(tr("Status must be one of: {values}").format(values=" / ".join(STATUS_VALUES)))
            return False
        if (self.rows[index.row()][index.column()] or "") == value:
            return False
        fid = self.fids[index.row()]
        if not self.write(fid, field, value):
            return False
        self.rows[index.row()][index.column()] = value
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole])
        self.edited.emit(fid, field, value)
        return True

    def write(self, fid: int, field: str, value) -> bool:
        """One field of one case, straight through the data provider."""
        layer = self.layer
        provider = layer.dataProvider()
        if not _can_change_attributes(provider):
            self.editFailed.emit(tr("The register {name} is read-only: edits cannot be saved.").format(
                name=layer.name()))
            return False
        idx = layer.fields().indexOf(field)
        pidx = provider.fields().indexOf(field)
        if idx < 0 or pidx < 0:
            return False
        if not provider.changeAttributeValues({fid: {pidx: value}}):
            errors = "; ".join(provider.errors()) if provider.hasErrors() else ""
            provider.clearErrors()
            self.editFailed.emit(tr("Could not save the edit to {name}: {error}").format(
                name=layer.name(), error=errors or tr("the data source refused it")))
            return False
        layer.triggerRepaint()
        return True


class CaseFilter(QSortFilterProxyModel):
    """Filter by verdict, district, status and free text; sort by the raw value."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.verdict = self.district = self.status = ALL
        self.text = ""
        self.setSortRole(Qt.ItemDataRole.UserRole)
        self.setDynamicSortFilter(False)

    def set_filters(self, verdict=None, district=None, status=None, text=None):
        if verdict is not None:
            self.verdict = verdict
        if district is not None:
            self.district = district
        if status is not None:
            self.status = status
        if text is not None:
            self.text = text.strip().lower()
        self.invalidateFilter()

    def filterAcceptsRow(self, row, parent):
        model = self.sourceModel()
        for field, want in (("verdict", self.verdict), ("district", self.district), ("status", self.status)):
            if want != ALL and str(model.value(row, field) or "") != want:
                return False
        if self.text:
            hay = " ".join(str(v) for v in model.rows[row] if v is not None).lower()
            if self.text not in hay:
                return False
        return True

    def lessThan(self, left, right):
        a, b = left.data(Qt.ItemDataRole.UserRole), right.data(Qt.ItemDataRole.UserRole)
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            return a < b
        return str(a) < str(b)


class StatusDelegate(QStyledItemDelegate):
    """A combo with the four status values."""

    def createEditor(self, parent, option, index):
        combo = QComboBox(parent)
        combo.addItems(list(STATUS_VALUES))
        return combo

    def setEditorData(self, editor, index):
        i = editor.findText(str(index.data(Qt.ItemDataRole.EditRole) or ""))
        editor.setCurrentIndex(max(i, 0))

    def setModelData(self, editor, model, index):
        model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)


class CaseListDock(QgsDockWidget):
    """The register's cases: filter, sort, zoom, edit status / check result / remarks."""

    def __init__(self, iface=None, parent=None):
        super().__init__(parent)
        self.iface = iface
        self.setObjectName("LiangweiCaseList")
        self.setWindowTitle(self.tr("Liangwei cases"))
        self.model = CaseModel(self)
        self.proxy = CaseFilter(self)
        self.proxy.setSourceModel(self.model)
        self._build()
        self.model.editFailed.connect(self._edit_failed)
        self.model.edited.connect(lambda *_a: self.update_counts())
        self.model.modelReset.connect(self._model_reset)

    def tr(self, text: str) -> str:  # noqa: D102 - the plugin's one translation context
        return tr(text)

    def _build(self):
        host = QWidget()
        layout = QVBoxLayout(host)
        layout.setContentsMargins(4, 4, 4, 4)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Register")))
        self.layer_combo = QgsMapLayerComboBox()
        self.layer_combo.setObjectName("register_layer")
        self.layer_combo.setFilters(qgis_enum("LayerFilter", "PolygonLayer", QgsMapLayerProxyModel))
        self.layer_combo.setAllowEmptyLayer(True)
        self.layer_combo.setLayer(None)
        self.layer_combo.layerChanged.connect(self._layer_chosen)
        top.addWidget(self.layer_combo, 1)
        layout.addLayout(top)

        self.counts = QLabel()
        self.counts.setObjectName("counts")
        self.counts.setWordWrap(True)
        self.counts.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.counts)

        filters = QHBoxLayout()
        self.verdict_filter = QComboBox()
        self.verdict_filter.setObjectName("verdict_filter")
        self.district_filter = QComboBox()
        self.district_filter.setObjectName("district_filter")
        self.status_filter = QComboBox()
        self.status_filter.setObjectName("status_filter")
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText(self.tr("Search…"))
        self.search.setClearButtonEnabled(True)
        for combo, label in ((self.verdict_filter, self.tr("Verdict")), (self.district_filter, self.tr("District")),
                             (self.status_filter, self.tr("Status"))):
            filters.addWidget(QLabel(label))
            filters.addWidget(combo, 1)
            combo.currentIndexChanged.connect(self._filters_changed)
        filters.addWidget(self.search, 1)
        self.search.textChanged.connect(self._filters_changed)
        layout.addLayout(filters)

        self.view = QTableView()
        self.view.setObjectName("cases")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed
                                  | QAbstractItemView.EditTrigger.SelectedClicked)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.status_delegate = StatusDelegate(self.view)
        self.view.selectionModel().currentRowChanged.connect(self._row_changed)
        layout.addWidget(self.view, 1)

        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.setWidget(host)
        self._fill_filters()

    # ------------------------------------------------------------------ layer
    def set_layer(self, layer):
        """Show ``layer`` (a register); None clears the list."""
        if self.layer_combo.currentLayer() is not layer:
            self.layer_combo.blockSignals(True)
            self.layer_combo.setLayer(layer)
            self.layer_combo.blockSignals(False)
        self.model.set_layer(layer)
        if layer is not None and not is_register(layer):
            self.message.setText(self.tr("{name} is not a register (it has no case_id / verdict fields).").format(
                name=layer.name()))

    def layer(self):
        return self.model.layer

    def _layer_chosen(self, layer):
        self.model.set_layer(layer)
        if layer is not None and not is_register(layer):
            self.message.setText(self.tr("{name} is not a register (it has no case_id / verdict fields).").format(
                name=layer.name()))

    def reload(self):
        self.model.reload()

    def _model_reset(self):
        self.message.clear()
        c = self.model.column("status")
        for col in range(self.model.columnCount()):
            self.view.setItemDelegateForColumn(col, None)
        if c >= 0:
            self.view.setItemDelegateForColumn(c, self.status_delegate)
        self._fill_filters()
        self.proxy.invalidate()
        self.view.resizeColumnsToContents()
        for col in range(self.model.columnCount()):
            self.view.setColumnWidth(col, min(self.view.columnWidth(col), 260))
        pc = self.model.column("priority")
        if pc >= 0:
            self.view.sortByColumn(pc, Qt.SortOrder.DescendingOrder)
        self.update_counts()

    # ------------------------------------------------------------------ filters and counts
    def _fill_filters(self):
        districts = sorted({str(v) for v in (self.model.value(r, "district") for r in range(len(self.model.rows)))
                            if v not in (None, "")})
        verdicts = list(VERDICTS) + sorted({str(v) for v in (self.model.value(r, "verdict")
                                                               for r in range(len(self.model.rows)))
                                            if v and v not in VERDICTS})
        for combo, values in ((self.verdict_filter, verdicts), (self.district_filter, districts),
                              (self.status_filter, list(STATUS_VALUES))):
            keep = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(self.tr("All"), ALL)
            for v in values:
                combo.addItem(v, v)
            i = combo.findData(keep) if keep is not None else 0
            combo.setCurrentIndex(max(i, 0))
            combo.blockSignals(False)
        self._filters_changed()

    def set_filters(self, verdict=ALL, district=ALL, status=ALL, text=""):
        for combo, value in ((self.verdict_filter, verdict), (self.district_filter, district),
                             (self.status_filter, status)):
            combo.setCurrentIndex(max(combo.findData(value), 0))
        self.search.setText(text)
        self._filters_changed()

    def _filters_changed(self, *_args):
        self.proxy.set_filters(verdict=self.verdict_filter.currentData() or ALL,
                               district=self.district_filter.currentData() or ALL,
                               status=self.status_filter.currentData() or ALL, text=self.search.text())
        self.update_counts()

    def visible_count(self) -> int:
        return self.proxy.rowCount()

    def verdict_counts(self) -> dict:
        """Cases per verdict among the rows the filters show."""
        counts: dict = {}
        for r in range(self.proxy.rowCount()):
            src = self.proxy.mapToSource(self.proxy.index(r, 0)).row()
            v = str(self.model.value(src, "verdict") or "")
            counts[v] = counts.get(v, 0) + 1
        return counts

    def update_counts(self):
        counts = self.verdict_counts()
        order = [v for v in VERDICTS if v in counts] + sorted(v for v in counts if v not in VERDICTS)
        chips = [f'<span style="background:{VERDICT_COLOURS.get(v, "#eeeeee")};">&nbsp;{v or "—"} '
                 f'<b>{counts[v]}</b>&nbsp;</span>' for v in order]
        total = self.tr("{shown} of {total} cases").format(shown=self.proxy.rowCount(), total=self.model.rowCount())
        self.counts.setText("&nbsp; ".join(chips + [total]))

    # ------------------------------------------------------------------ selection -> map
    def _row_changed(self, current, _previous):
        if not current.isValid() or self.model.layer is None:
            return
        src = self.proxy.mapToSource(current).row()
        self.show_case(self.model.fids[src])

    def show_case(self, fid: int):
        """Zoom the map to the case and flash it."""
        if self.iface is None or self.model.layer is None:
            return
        canvas = self.iface.mapCanvas()
        if canvas is None:
            return
        canvas.zoomToFeatureIds(self.model.layer, [fid])
        canvas.flashFeatureIds(self.model.layer, [fid])

    def select_row(self, row: int):
        """Select the ``row``-th visible row (as a click would)."""
        self.view.setCurrentIndex(self.proxy.index(row, 0))

    def _edit_failed(self, text: str):
        self.message.setStyleSheet("color: #b00020;")
        self.message.setText(text)
