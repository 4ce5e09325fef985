"""The dock "两违巡查": pick the layers once, run ``liangwei:fullcheck`` in the background, get a styled group.

* Layers and fields are chosen with QGIS's own combo boxes; control-line,
  pipeline, compound, district, permit and register layers are suggested from
  layer names (红线 / red, 蓝线 / blue ...) when nothing is chosen yet.
* Choices are remembered per project (``QgsProject.writeEntry`` under the
  scope ``lincang_liangwei``) and restored when the project is read.
* Run: ``QgsProcessingAlgRunnerTask`` with its own context (project set) and
  feedback; progress bar, log and a cancel button; the GUI stays responsive.
  Only parameters the registered algorithm defines are passed.
* When the run ends the outputs are added as a layer group (register on top,
  styled) and :attr:`registerLoaded` is emitted so the case list can open.
* If ``liangwei:fullcheck`` is not registered the dock says so and does not run.
"""
from __future__ import annotations

import datetime as _dt
import re
from functools import partial

from qgis.core import (
    QgsApplication,
    QgsMapLayerProxyModel,
    QgsProcessingAlgRunnerTask,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProject,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.gui import QgsDockWidget, QgsFieldComboBox, QgsFileWidget, QgsMapLayerComboBox
from qgis.PyQt.QtCore import Qt, QTimer, pyqtSignal
from qgis.PyQt.QtGui import QDoubleValidator
from qgis.PyQt.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ..i18n import N_, tr
from .compat import qgis_enum
from .results import add_result_group

FULLCHECK_ID = "liangwei:fullcheck"
SCOPE = "lincang_liangwei"

# layer parameters: (name, section, layer filter, English label)
LAYER_PARAMS = (
    ("EARLIER", "footprints", "PolygonLayer", N_("Earlier footprints")),
    ("LATER", "footprints", "PolygonLayer", N_("Later footprints")),
    ("RED_LINES", "lines", "HasGeometry", N_("Red lines")),
    ("BLUE_LINES", "lines", "HasGeometry", N_("Blue lines")),
    ("GREEN_LINES", "lines", "HasGeometry", N_("Green lines")),
    ("YELLOW_LINES", "lines", "HasGeometry", N_("Yellow lines")),
    ("PURPLE_LINES", "lines", "HasGeometry", N_("Purple lines")),
    ("WATER_SOURCE", "lines", "PolygonLayer", N_("Water source")),
    ("PIPELINES", "pipes", "LineLayer", N_("Pipelines")),
    ("COMPOUNDS", "register", "PolygonLayer", N_("Compounds")),
    ("DISTRICTS", "register", "PolygonLayer", N_("Districts")),
    ("PERMITS", "register", "PolygonLayer", N_("Permits")),
    ("PREVIOUS", "register", "PolygonLayer", N_("Previous register")),
)
# field parameters: (name, parent layer parameter, English label, name candidates for a suggestion)
FIELD_PARAMS = (
    ("EARLIER_FLOORS_FIELD", "EARLIER", N_("Floors (earlier)"), ("floors", "层数", "cs", "floor")),
    ("LATER_FLOORS_FIELD", "LATER", N_("Floors (later)"), ("floors", "层数", "cs", "floor")),
    ("KIND_FIELD", "PIPELINES", N_("Kind field"), ("kind", "种类", "类型", "type", "gxlx")),
    ("PRESSURE_FIELD", "PIPELINES", N_("Pressure class field"), ("pressure", "压力", "yl", "class")),
    ("DIAMETER_FIELD", "PIPELINES", N_("Diameter field (mm)"), ("diameter_mm", "diameter", "管径", "gj", "dn")),
    ("CLEARANCE_FIELD", "PIPELINES", N_("Clearance field (m)"), ("clearance_m", "clearance", "净距")),
    ("DISTRICT_CODE_FIELD", "DISTRICTS", N_("District code field"), ("code", "district_code", "代码", "xzqdm", "dm")),
    ("DISTRICT_NAME_FIELD", "DISTRICTS", N_("District name field"), ("name", "district", "名称", "xzqmc", "mc")),
    ("PERMIT_NO_FIELD", "PERMITS", N_("Permit number field"), ("permit_no", "许可证号", "xkzh", "number")),
    ("PERMIT_KIND_FIELD", "PERMITS", N_("Permit kind field"), ("permit_kind", "kind", "许可类型", "类型")),
    ("PERMIT_EXPIRY_FIELD", "PERMITS", N_("Permit expiry field"), ("permit_expiry", "expiry", "到期日", "有效期")),
)
TEXT_PARAMS = (
    ("KIND_MAP", "pipes", N_("Kind values"), "燃气=gas;上水=water"),
    ("CLASS_MAP", "pipes", N_("Class values"), "MB=medium_b"),
    ("FALLBACK_M", "pipes", N_("Fallback clearance (m)"), ""),
)
# layer-name patterns for suggestions (lower-cased names)
SUGGEST = {
    "RED_LINES": r"道路红线|红线|(^|[^a-z])red([^a-z]|$)",
    "BLUE_LINES": r"蓝线|(^|[^a-z])blue([^a-z]|$)",
    "GREEN_LINES": r"绿线|(^|[^a-z])green([^a-z]|$)",
    "YELLOW_LINES": r"黄线|(^|[^a-z])yellow([^a-z]|$)",
    "PURPLE_LINES": r"紫线|(^|[^a-z])purple([^a-z]|$)",
    "WATER_SOURCE": r"水源|water_?source|(^|[^a-z])water([^a-z]|$)",
    "PIPELINES": r"管线|管网|管道|pipe",
    "COMPOUNDS": r"小区|compound",
    "DISTRICTS": r"行政区|乡镇|街道|district",
    "PERMITS": r"许可|permit",
    "PREVIOUS": r"台账|register",
}
FOOTPRINT_PATTERN = r"建筑|房屋|building|footprint"


def layer_filter(name: str):
    """A layer-combo filter flag spelled for QGIS 3.22 and 3.40 (Qgis.LayerFilter from 3.34)."""
    return qgis_enum("LayerFilter", name, QgsMapLayerProxyModel)


def suggest_layers(layers) -> dict:
    """Parameter name -> layer suggested from layer names (footprints: earlier = older year)."""
    out = {}
    taken = set()
    polys = []
    for layer in layers:
        if not isinstance(layer, QgsVectorLayer):
            continue
        if re.search(FOOTPRINT_PATTERN, layer.name().lower()):
            polys.append(layer)
    polygon, line = _geometry("Polygon"), _geometry("Line")
    for param, pattern in SUGGEST.items():
        found = [lyr for lyr in layers if isinstance(lyr, QgsVectorLayer) and lyr.id() not in taken
                 and re.search(pattern, lyr.name().lower())]
        if param == "PIPELINES":
            found = [lyr for lyr in found if lyr.geometryType() == line]
        elif param in ("WATER_SOURCE", "COMPOUNDS", "DISTRICTS", "PERMITS", "PREVIOUS"):
            found = [lyr for lyr in found if lyr.geometryType() == polygon]
        else:  # control lines: zones (polygons) before drawn lines
            found.sort(key=lambda lyr: lyr.geometryType() != polygon)
        if found:
            out[param] = found[0]
            taken.add(found[0].id())
    polys = [p for p in polys if p.id() not in taken and p.geometryType() == polygon]
    if polys:
        def year(layer):
            m = re.findall(r"(?:19|20)\d\d", layer.name())
            return int(m[-1]) if m else 0
        polys.sort(key=year)
        out["LATER"] = polys[-1]
        if len(polys) > 1:
            out["EARLIER"] = polys[0]
    return out


def _geometry(name: str):
    return qgis_enum("GeometryType", name, QgsWkbTypes, f"{name}Geometry")


class DockFeedback(QgsProcessingFeedback):
    """Processing feedback that forwards every message to the dock (queued across threads)."""

    message = pyqtSignal(str, str)  # level (info / warning / error), text

    def pushInfo(self, info):  # noqa: N802 - QGIS API
        super().pushInfo(info)
        self.message.emit("info", info)

    def pushWarning(self, warning):  # noqa: N802 - QGIS API
        super().pushWarning(warning)
        self.message.emit("warning", warning)

    def reportError(self, error, fatalError=False):  # noqa: N802,N803 - QGIS API
        super().reportError(error, fatalError)
        self.message.emit("error", error)

    def setProgressText(self, text):  # noqa: N802 - QGIS API
        super().setProgressText(text)
        self.message.emit("step", text)


class LiangweiDock(QgsDockWidget):
    """The 两违巡查 dock."""

    #: the register layer of a finished run (already in the project)
    registerLoaded = pyqtSignal(object)  # noqa: N815 - Qt signal name
    #: the user asked for the rules editor for this file ("" = defaults)
    rulesEditorRequested = pyqtSignal(str)  # noqa: N815 - Qt signal name
    #: a run finished: ok, results
    runFinished = pyqtSignal(bool, dict)  # noqa: N815 - Qt signal name

    def __init__(self, iface=None, parent=None):
        super().__init__(parent)
        self.iface = iface
        self.setObjectName("LiangweiDock")
        self.setWindowTitle(self.tr("Liangwei check"))
        self.algorithm_id = FULLCHECK_ID
        self.layer_combos: dict[str, QgsMapLayerComboBox] = {}
        self.field_combos: dict[str, QgsFieldComboBox] = {}
        self.texts: dict[str, QLineEdit] = {}
        self.task = None
        self._context = None
        self._feedback = None
        self._restoring = False
        self._closing = False
        self._suspended = False
        self._connections = []  # (signal, slot) on objects that outlive the dock
        self.last_results: dict = {}
        self.last_layers: list = []
        self._build()
        self._connect_outside()
        self.restore_choices()
        self.update_availability()

    def tr(self, text: str) -> str:  # noqa: D102 - the plugin's one translation context
        return tr(text)

    # ------------------------------------------------------------------ widgets
    def _build(self):
        outer = QWidget()
        outer_layout = QVBoxLayout(outer)
        outer_layout.setContentsMargins(4, 4, 4, 4)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        form_host = QWidget()
        host_layout = QVBoxLayout(form_host)
        host_layout.setContentsMargins(0, 0, 0, 0)
        sections = {
            "footprints": self.tr("Footprints (two survey epochs)"),
            "lines": self.tr("Planning control lines"),
            "pipes": self.tr("Pipelines"),
            "register": self.tr("Register"),
        }
        forms = {}
        for key, title in sections.items():
            box = QGroupBox(title)
            form = QFormLayout(box)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
            forms[key] = form
            host_layout.addWidget(box)
        fields_by_parent = {}
        for name, parent, label, _cands in FIELD_PARAMS:
            fields_by_parent.setdefault(parent, []).append((name, label))
        for name, section, filt, label in LAYER_PARAMS:
            combo = QgsMapLayerComboBox()
            combo.setObjectName(name)
            combo.setFilters(layer_filter(filt))
            combo.setAllowEmptyLayer(True)
            combo.setLayer(None)
            combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            combo.setMinimumContentsLength(10)
            combo.setToolTip(self._tooltip(name))
            combo.layerChanged.connect(partial(self._layer_changed, name))
            self.layer_combos[name] = combo
            forms[section].addRow(self.tr(label), combo)
            for fname, flabel in fields_by_parent.get(name, ()):
                fcombo = QgsFieldComboBox()
                fcombo.setObjectName(fname)
                fcombo.setAllowEmptyFieldName(True)
                fcombo.fieldChanged.connect(partial(self.save_choice, fname))
                self.field_combos[fname] = fcombo
                forms[section].addRow("    " + self.tr(flabel), fcombo)
        for name, section, label, placeholder in TEXT_PARAMS:
            edit = QLineEdit()
            edit.setObjectName(name)
            edit.setPlaceholderText(placeholder or self.tr("empty = skip and report"))
            if name == "FALLBACK_M":
                validator = QDoubleValidator(0.0, 1000.0, 2, edit)
                edit.setValidator(validator)
            edit.textChanged.connect(partial(self.save_choice, name))
            self.texts[name] = edit
            forms[section].addRow("    " + self.tr(label), edit)
        suggest = QPushButton(self.tr("Suggest layers from their names"))
        suggest.setObjectName("suggest_button")
        suggest.clicked.connect(lambda: self.apply_suggestions(only_empty=False))
        forms["lines"].addRow(suggest)

        self.rules_file = QgsFileWidget()
        self.rules_file.setObjectName("RULES")
        self.rules_file.setStorageMode(QgsFileWidget.StorageMode.GetFile)
        self.rules_file.setFilter(self.tr("Rules table (*.toml *.json)"))
        self.rules_file.fileChanged.connect(partial(self.save_choice, "RULES"))
        rules_row = QHBoxLayout()
        rules_row.addWidget(self.rules_file, 1)
        self.rules_button = QPushButton(self.tr("Edit…"))
        self.rules_button.setObjectName("rules_button")
        self.rules_button.clicked.connect(lambda: self.rulesEditorRequested.emit(self.rules_path()))
        rules_row.addWidget(self.rules_button)
        forms["register"].addRow(self.tr("Rules file"), rules_row)
        self.output_folder = QgsFileWidget()
        self.output_folder.setObjectName("OUTPUT_FOLDER")
        self.output_folder.setStorageMode(QgsFileWidget.StorageMode.GetDirectory)
        self.output_folder.fileChanged.connect(partial(self.save_choice, "OUTPUT_FOLDER"))
        forms["register"].addRow(self.tr("Output folder"), self.output_folder)
        host_layout.addStretch(1)
        scroll.setWidget(form_host)
        outer_layout.addWidget(scroll, 1)

        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer_layout.addWidget(self.status)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        outer_layout.addWidget(self.progress)
        self.log = QPlainTextEdit()
        self.log.setObjectName("log")
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(5000)
        self.log.setMinimumHeight(60)
        self.log.setMaximumHeight(140)
        self.log.setVisible(False)  # shown once a run starts
        outer_layout.addWidget(self.log)
        buttons = QHBoxLayout()
        self.run_button = QPushButton(self.tr("Run check"))
        self.run_button.setObjectName("run_button")
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setObjectName("cancel_button")
        self.cancel_button.setEnabled(False)
        buttons.addWidget(self.run_button, 1)
        buttons.addWidget(self.cancel_button)
        outer_layout.addLayout(buttons)
        self.run_button.clicked.connect(self.run)
        self.cancel_button.clicked.connect(self.cancel)
        self.setWidget(outer)

    def _tooltip(self, name: str) -> str:
        tips = {
            "EARLIER": self.tr("Building footprints of the earlier survey"),
            "LATER": self.tr("Building footprints of the later survey: every case is one of them"),
            "RED_LINES": self.tr("Road red lines (道路红线): zones or closed lines"),
            "BLUE_LINES": self.tr("Blue lines: rivers, lakes, wetlands (城市蓝线)"),
            "GREEN_LINES": self.tr("Green lines: public green space (城市绿线)"),
            "YELLOW_LINES": self.tr("Yellow lines: key infrastructure land (城市黄线)"),
            "PURPLE_LINES": self.tr("Purple lines: historic conservation areas (城市紫线)"),
            "WATER_SOURCE": self.tr("Drinking-water source protection zones (饮用水水源保护区)"),
            "PIPELINES": self.tr("Buried pipelines, checked against the clearances of the rules table"),
            "COMPOUNDS": self.tr("Residential compounds (住宅小区): new buildings inside one are cases"),
            "DISTRICTS": self.tr("Administrative districts: their code starts every case id"),
            "PERMITS": self.tr("Approved planning-permit parcels (temporary and permanent)"),
            "PREVIOUS": self.tr("The register of an earlier run: ids, status and field results are kept"),
        }
        return tips.get(name, "")

    # ------------------------------------------------------------------ outside signals
    def _connect_outside(self):
        project = QgsProject.instance()
        registry = QgsApplication.processingRegistry()
        for signal, slot in ((project.readProject, self._project_read),
                             (project.removeAll, self._layers_going),
                             (project.cleared, self._project_cleared),
                             (registry.providerAdded, self._providers_changed),
                             (registry.providerRemoved, self._providers_changed)):
            signal.connect(slot)
            self._connections.append((signal, slot))

    def disconnect_outside(self):
        """Undo every connection to objects that outlive the dock (called on unload)."""
        for signal, slot in self._connections:
            try:
                signal.disconnect(slot)
            except (TypeError, RuntimeError):
                pass
        self._connections = []

    def _layers_going(self):
        # every layer is about to go (project cleared or closed): the combos will report layers being
        # deleted; ignore them until the removal is over
        self._suspended = True
        QTimer.singleShot(0, self._resume)

    def _resume(self):
        self._suspended = False

    def _project_read(self, *_args):
        self.restore_choices()

    def _project_cleared(self):
        self._suspended = False
        self._restoring = True
        try:
            for combo in self.layer_combos.values():
                combo.setLayer(None)
            for edit in self.texts.values():
                edit.clear()
            self.output_folder.setFilePath("")
        finally:
            self._restoring = False

    def _providers_changed(self, *_args):
        self.update_availability()

    # ------------------------------------------------------------------ choices
    def _layer_changed(self, name: str, *_args):
        if self._closing or self._suspended:
            return
        layer = self.layer_combos[name].currentLayer()
        for fname, parent, _label, cands in FIELD_PARAMS:
            if parent != name:
                continue
            fcombo = self.field_combos[fname]
            keep = fcombo.currentField()
            fcombo.setLayer(layer)
            if layer is None:
                continue
            names = [f.name() for f in layer.fields()]
            if keep and keep in names:
                fcombo.setField(keep)
            elif not self._restoring:
                lower = {n.lower(): n for n in names}
                pick = next((lower[c.lower()] for c in cands if c.lower() in lower), "")
                fcombo.setField(pick)
        self.save_choice(name)

    def save_choice(self, name: str, *_args):
        if self._restoring or self._closing or self._suspended:
            return
        project = QgsProject.instance()
        project.writeEntry(SCOPE, f"dock/{name}", self._choice_text(name))

    def _choice_text(self, name: str) -> str:
        if name in self.layer_combos:
            layer = self.layer_combos[name].currentLayer()
            return layer.id() if layer is not None else ""
        if name in self.field_combos:
            return self.field_combos[name].currentField() or ""
        if name in self.texts:
            return self.texts[name].text()
        if name == "RULES":
            return self.rules_file.filePath()
        if name == "OUTPUT_FOLDER":
            return self.output_folder.filePath()
        raise KeyError(name)

    def save_choices(self):
        for name in list(self.layer_combos) + list(self.field_combos) + list(self.texts) + ["RULES", "OUTPUT_FOLDER"]:
            self.save_choice(name)

    def restore_choices(self):
        """Choices saved in the current project; layer-name suggestions fill what is left empty."""
        project = QgsProject.instance()

        def entry(name):
            value, ok = project.readEntry(SCOPE, f"dock/{name}", "")
            return value if ok else None

        self._restoring = True
        try:
            saved_any = False
            for name, combo in self.layer_combos.items():
                value = entry(name)
                if value is not None:
                    saved_any = True
                    combo.setLayer(project.mapLayer(value) if value else None)
            for name, combo in self.field_combos.items():
                value = entry(name)
                if value is not None:
                    combo.setField(value)
            for name, edit in self.texts.items():
                value = entry(name)
                if value is not None:
                    edit.setText(value)
            value = entry("RULES")
            if value is not None:
                self.rules_file.setFilePath(value)
            value = entry("OUTPUT_FOLDER")
            if value is not None:
                self.output_folder.setFilePath(value)
        finally:
            self._restoring = False
        if not saved_any:
            self.apply_suggestions(only_empty=True)

    def apply_suggestions(self, only_empty: bool = True) -> dict:
        suggestions = suggest_layers(list(QgsProject.instance().mapLayers().values()))
        for name, layer in suggestions.items():
            combo = self.layer_combos[name]
            if only_empty and combo.currentLayer() is not None:
                continue
            combo.setLayer(layer)
        return suggestions

    def set_layer(self, name: str, layer):
        self.layer_combos[name].setLayer(layer)

    def set_field(self, name: str, field: str):
        self.field_combos[name].setField(field)

    def set_rules_path(self, path: str):
        self.rules_file.setFilePath(path or "")

    def rules_path(self) -> str:
        return self.rules_file.filePath()

    # ------------------------------------------------------------------ run
    def algorithm(self):
        return QgsApplication.processingRegistry().algorithmById(self.algorithm_id)

    def update_availability(self) -> bool:
        ok = self.algorithm() is not None
        running = self.task is not None
        self.run_button.setEnabled(ok and not running)
        if not ok:
            self.status.setStyleSheet("color: #b00020;")
            self.status.setText(self.tr(
                "The one-shot check ({id}) is not available in this installation of the plugin yet. "
                "Run the single checks from the Processing toolbox meanwhile.").format(id=self.algorithm_id))
        elif not running and self.status.text().startswith(self.tr("The one-shot check")):
            self.status.setStyleSheet("")
            self.status.setText("")
        return ok

    def parameters(self, alg=None) -> dict:
        """The run's parameters: only those the algorithm defines, only those that are set."""
        alg = alg or self.algorithm()
        params = {}
        for name, combo in self.layer_combos.items():
            layer = combo.currentLayer()
            if layer is not None:
                params[name] = layer.id()
        for name, combo in self.field_combos.items():
            if combo.currentField():
                params[name] = combo.currentField()
        for name, edit in self.texts.items():
            text = edit.text().strip()
            if text:
                params[name] = float(text.replace(",", ".")) if name == "FALLBACK_M" else text
        if self.rules_path():
            params["RULES"] = self.rules_path()
        if self.output_folder.filePath():
            params["OUTPUT_FOLDER"] = self.output_folder.filePath()
        if alg is not None:
            params = {k: v for k, v in params.items() if alg.parameterDefinition(k) is not None}
        return params

    def run(self) -> bool:
        """Start the check as a background task; False (and a message) when it cannot start."""
        if self.task is not None:
            return False
        alg = self.algorithm()
        if not self.update_availability():
            return False
        self.save_choices()
        params = self.parameters(alg)
        context = QgsProcessingContext()
        context.setProject(QgsProject.instance())
        ok, message = alg.checkParameterValues(params, context)
        if not ok:
            self._say(message or self.tr("Some parameters are missing or wrong."), error=True)
            return False
        feedback = DockFeedback()
        feedback.progressChanged.connect(self._progress)
        feedback.message.connect(self._log_message)
        task = QgsProcessingAlgRunnerTask(alg, params, context, feedback)
        task.executed.connect(self._executed)
        self._context, self._feedback, self.task = context, feedback, task
        self.log.clear()
        self.log.setVisible(True)
        self.progress.setValue(0)
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self._say(self.tr("Running {name}…").format(name=alg.displayName()))
        QgsApplication.taskManager().addTask(task)
        return True

    def cancel(self):
        if self.task is None:
            return
        self._say(self.tr("Cancelling…"))
        self.cancel_button.setEnabled(False)
        if self._feedback is not None:
            self._feedback.cancel()
        self.task.cancel()

    def is_running(self) -> bool:
        return self.task is not None

    def _progress(self, value):
        self.progress.setValue(int(value))

    def _log_message(self, level: str, text: str):
        prefix = {"warning": "⚠ ", "error": "✖ ", "step": "▶ "}.get(level, "")
        self.log.appendPlainText(prefix + text)

    def _executed(self, ok: bool, results: dict):
        context, feedback = self._context, self._feedback
        canceled = feedback is not None and feedback.isCanceled()
        self.task = None
        self.cancel_button.setEnabled(False)
        self.update_availability()
        results = dict(results or {})
        self.last_results = results
        self.last_layers = []
        if ok and not canceled:
            self.progress.setValue(100)
            name = self.tr("Liangwei check {time}").format(time=_dt.datetime.now().strftime("%Y-%m-%d %H:%M"))
            _group, layers = add_result_group(QgsProject.instance(), results, context, name, self.algorithm_id)
            self.last_layers = layers
            register = next((layer for key, layer in layers if key.upper() == "REGISTER"), None)
            if register is None:
                register = next((layer for _key, layer in layers if layer.fields().indexOf("case_id") >= 0), None)
            n = register.featureCount() if register is not None else 0
            self._say(self.tr("Done: {n} cases in the register, {k} layers added.").format(n=n, k=len(layers)))
            if register is not None:
                self.registerLoaded.emit(register)
        elif canceled:
            self.progress.setValue(0)
            self._say(self.tr("Cancelled: earlier outputs were left as they were."), error=True)
        else:
            self._say(self.tr("The check failed; see the log above."), error=True)
        self._context, self._feedback = None, None
        self.runFinished.emit(bool(ok and not canceled), results)

    def _say(self, text: str, error: bool = False):
        self.status.setStyleSheet("color: #b00020;" if error else "")
        self.status.setText(text)

    # ------------------------------------------------------------------ teardown
    def shutdown(self):
        """Cancel a running task and drop outside connections (plugin unload)."""
        if self.task is not None:
            self.cancel()
        self.disconnect_outside()
        self._closing = True
