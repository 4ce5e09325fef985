"""The QField project of a field package (外业包): layer set-up for a tablet and the ``.qgz`` itself.

* :func:`configure_register_layer` - the register as a team edits it: style (``qgis_io/styles.py`` when
  shipped), Chinese aliases, labels by ``case_id``, edit widgets (:data:`WIDGETS`) for the editable fields of
  :mod:`..core.fieldsync`, every other field read-only, a form with the team's fields first, geometry and
  feature addition / deletion locked for QField (``QFieldSync/*`` layer properties, which QField reads), photos
  named ``DCIM/<case_id>_<time>.jpg``.
* :func:`configure_context_layer` - a context layer: its source style, read-only, geometry locked.
* :func:`write_project` - a new ``QgsProject`` (never the user's open project) holding the layers, CRS and
  start extent of the package, paths stored relative, written as ``.qgz``.
"""
from __future__ import annotations

import json

from qgis.core import (
    QgsAttributeEditorContainer,
    QgsAttributeEditorField,
    QgsCoordinateReferenceSystem,
    QgsEditFormConfig,
    QgsEditorWidgetSetup,
    QgsPalLayerSettings,
    QgsProject,
    QgsReferencedRectangle,
    QgsTextBufferSettings,
    QgsTextFormat,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtGui import QColor, QFont
from qgis.PyQt.QtXml import QDomDocument

from ..core.fieldsync import CHECK_RESULT_VALUES, EDIT_FIELDS, PHOTO_DIR
from ..core.register import STATUS_VALUES
from ..i18n import N_, tr

#: the NULL entry of a QGIS value map (QgsValueMapFieldFormatter::NULL_VALUE)
VALUEMAP_NULL = "{2839923C-8B7D-419E-B84B-CA2FE9B80EC7}"
PHOTO_NAMING = f"'{PHOTO_DIR}/' || \"case_id\" || '_' || format_date(now(), 'yyyyMMdd_hhmmss') || '.jpg'"
LABEL_FONT = "Noto Sans CJK SC"  # falls back to the system's CJK font (Microsoft YaHei on Windows) when absent


def _value_map(values, allow_null: bool) -> dict:
    entries = [{v: v} for v in values]
    if allow_null:
        entries.insert(0, {tr("<empty>"): VALUEMAP_NULL})
    return {"map": entries}


#: field -> (widget type, config): what a tablet shows for each editable field
WIDGETS = {
    "status": ("ValueMap", _value_map(STATUS_VALUES, False)),
    "check_result": ("ValueMap", _value_map(CHECK_RESULT_VALUES, True)),
    "remarks": ("TextEdit", {"IsMultiline": True, "UseHtml": False}),
    "photo": ("ExternalResource", {
        "DocumentViewer": 1,  # image viewer
        "DocumentViewerHeight": 0, "DocumentViewerWidth": 0,
        "FileWidget": True, "FileWidgetButton": True, "FileWidgetFilter": "",
        "RelativeStorage": 1,  # relative to the project file
        "StorageMode": 0,  # a file
        "DefaultRoot": "",
    }),
    "visit_date": ("DateTime", {"allow_null": True, "calendar_popup": True, "display_format": "yyyy-MM-dd",
                                "field_format": "yyyy-MM-dd", "field_iso_format": False}),
}
FIELD_ALIASES = {"photo": N_("Site photo"), "visit_date": N_("Visit date"), "status": N_("Status"),
                 "check_result": N_("Check result"), "remarks": N_("Remarks")}   # translated where set


def _style_register(layer) -> bool:
    try:
        from . import styles
    except ImportError:  # pragma: no cover - styles not shipped
        return False
    style = styles.style_for("register", "OUTPUT", layer.fields().names())
    return bool(style) and styles.apply_style(layer, style)


def _aliases(layer) -> None:
    try:
        from ..exports import COLUMN_HEADERS
    except ImportError:  # pragma: no cover
        COLUMN_HEADERS = {}  # noqa: N806
    for i, f in enumerate(layer.fields()):
        alias = tr(FIELD_ALIASES[f.name()]) if f.name() in FIELD_ALIASES else COLUMN_HEADERS.get(f.name())
        if alias and not f.alias():
            layer.setFieldAlias(i, alias)


def _labels(layer) -> None:
    labeling = layer.labeling()
    if isinstance(labeling, QgsVectorLayerSimpleLabeling) and labeling.settings().fieldName == "case_id" \
            and layer.labelsEnabled():
        return
    settings = QgsPalLayerSettings()
    settings.fieldName = "case_id"
    settings.isExpression = False
    fmt = QgsTextFormat()
    fmt.setFont(QFont(LABEL_FONT))
    fmt.setSize(10)
    buffer = QgsTextBufferSettings()
    buffer.setEnabled(True)
    buffer.setSize(1.0)
    buffer.setColor(QColor(255, 255, 255))
    fmt.setBuffer(buffer)
    settings.setFormat(fmt)
    layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    layer.setLabelsEnabled(True)


def _tab_layout():
    for owner, name in ((QgsEditFormConfig, "TabLayout"), (QgsEditFormConfig, "DragAndDrop")):
        value = getattr(owner, name, None)
        if value is not None:
            return value
    from qgis.core import Qgis  # pragma: no cover - a QGIS without the old spelling

    return Qgis.AttributeFormLayout.DragAndDrop


def _form(layer, cfg) -> None:
    """Tabs: 外业核查 (the team's fields) first, then 图斑信息 (the rest, read-only)."""
    cfg.clearTabs()
    root = cfg.invisibleRootContainer()
    fields = layer.fields()
    for title, names in ((tr("Field check"), [f for f in EDIT_FIELDS if fields.indexOf(f) >= 0]),
                         (tr("Case"), [f.name() for f in fields if f.name() not in EDIT_FIELDS])):
        tab = QgsAttributeEditorContainer(title, root)
        tab.setIsGroupBox(False)
        for name in names:
            tab.addChildElement(QgsAttributeEditorField(name, fields.indexOf(name), tab))
        cfg.addTab(tab)
    cfg.setLayout(_tab_layout())


def configure_register_layer(layer: QgsVectorLayer) -> dict:
    """Set up the package's register layer for QField; returns {field: widget type} of the editable fields."""
    _style_register(layer)
    _aliases(layer)
    _labels(layer)
    fields = layer.fields()
    cfg = layer.editFormConfig()
    done = {}
    for i, f in enumerate(fields):
        name = f.name()
        if name in WIDGETS:
            kind, config = WIDGETS[name]
            layer.setEditorWidgetSetup(i, QgsEditorWidgetSetup(kind, config))
            cfg.setReadOnly(i, False)
            done[name] = kind
        else:
            cfg.setReadOnly(i, True)
    _form(layer, cfg)
    cfg.setSuppress(getattr(QgsEditFormConfig, "SuppressOff", 2))
    layer.setEditFormConfig(cfg)
    layer.setDisplayExpression('"case_id"')
    naming = json.dumps({"photo": PHOTO_NAMING}, ensure_ascii=False)
    for key, value in (("QFieldSync/action", "offline"), ("QFieldSync/cloud_action", "offline"),
                       ("QFieldSync/is_geometry_locked", True), ("QFieldSync/is_feature_addition_locked", True),
                       ("QFieldSync/is_feature_deletion_locked", True), ("QFieldSync/photo_naming", naming),
                       ("QFieldSync/attachment_naming", naming)):
        layer.setCustomProperty(key, value)
    return done


def configure_context_layer(layer: QgsVectorLayer, source_layer=None) -> None:
    """A context layer: the source layer's style (renderer, labels), read-only everywhere."""
    if source_layer is not None:
        doc = QDomDocument()
        err = source_layer.exportNamedStyle(doc)
        if not (err if isinstance(err, str) else ""):
            layer.importNamedStyle(doc)
    layer.setReadOnly(True)
    for key, value in (("QFieldSync/action", "copy"), ("QFieldSync/cloud_action", "no_action"),
                       ("QFieldSync/is_geometry_locked", True), ("QFieldSync/is_feature_addition_locked", True),
                       ("QFieldSync/is_feature_deletion_locked", True)):
        layer.setCustomProperty(key, value)


def write_project(path, title: str, crs: QgsCoordinateReferenceSystem, extent, register_layer, context_layers,
                  transform_context=None) -> None:
    """Write the ``.qgz`` at ``path`` with the register on top of the context layers (already configured,
    loaded from files in the project's folder), CRS ``crs`` and start view ``extent``; relative paths.
    The layers are handed to a private QgsProject, which is cleared afterwards (files closed)."""
    project = QgsProject()
    try:
        project.setTitle(title)
        project.setCrs(crs)
        if transform_context is not None:
            project.setTransformContext(transform_context)
        project.writeEntryBool("Paths", "/Absolute", False)
        if hasattr(project, "setFilePathStorage"):
            from qgis.core import Qgis

            project.setFilePathStorage(Qgis.FilePathType.Relative)
        project.addMapLayers([register_layer, *context_layers])
        project.viewSettings().setDefaultViewExtent(QgsReferencedRectangle(extent, crs))
        if not project.write(str(path)):
            raise OSError(project.error() or f"cannot write {path}")
    finally:
        project.clear()
