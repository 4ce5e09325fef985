"""Add a run's outputs to the project as one layer group, styled, register on top."""
from __future__ import annotations

import os

from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsFillSymbol,
    QgsProcessingUtils,
    QgsRendererCategory,
    QgsVectorLayer,
)

# output names in the order they are stacked in the group (top first); others follow
_STACK = ("REGISTER", "PIECES", "ENCROACH", "BREACH", "GROWTH", "CHANGE", "DEMOLISH", "BUILDINGS")
_SKIP_SUFFIXES = (".xlsx", ".xls", ".csv", ".html", ".pdf", ".json", ".txt", ".log")
# fallback verdict colours (used only when the plugin's styles module is not available)
VERDICT_COLOURS = {"拆除候选": "#d7191c", "限期整改": "#fd8d3c", "超期临时建筑": "#8c510a", "待核查": "#fdae61",
                   "历史存量": "#9e9e9e"}


def stack_rank(output_name: str) -> tuple:
    up = output_name.upper()
    for i, word in enumerate(_STACK):
        if word in up:
            return (i, up)
    return (len(_STACK), up)


def result_layers(results: dict, context) -> list:
    """(output name, layer) for every layer output of a run, register first.

    Layers the run left in the context's temporary store are taken out of it
    (the caller owns them); paths are opened as new layers.
    """
    found, seen = [], set()
    for name in sorted(results, key=stack_rank):
        value = results[name]
        if not isinstance(value, str) or not value or os.path.isdir(value):
            continue
        if value.lower().split("|")[0].endswith(_SKIP_SUFFIXES):
            continue
        layer = QgsProcessingUtils.mapLayerFromString(value, context)
        if layer is None or not layer.isValid() or not isinstance(layer, QgsVectorLayer):
            continue
        key = layer.source()
        if key in seen:
            continue
        seen.add(key)
        if context.temporaryLayerStore().mapLayer(layer.id()) is not None:
            layer = context.takeResultLayer(layer.id())
        found.append((name, layer))
    return found


def style_layer(layer: QgsVectorLayer, output_name: str, algorithm_id: str = "") -> str:
    """Style ``layer`` as output ``output_name`` of ``algorithm_id``; returns the style's name.

    The plugin's shipped styles (``qgis_io.styles``: one .qml per output, found by
    output name or by the layer's fields) are used; a layer they do not know
    that has a ``verdict`` field gets a categorised renderer by verdict.
    """
    try:
        from ..qgis_io import styles
    except ImportError:  # pragma: no cover - the styles module ships with the plugin
        styles = None
    if styles is not None:
        style = styles.style_for(algorithm_id, output_name, [f.name() for f in layer.fields()])
        if style is not None and styles.apply_style(layer, style):
            return style.name
    if layer.fields().indexOf("verdict") >= 0:
        layer.setRenderer(verdict_renderer(layer))
        layer.triggerRepaint()
        return "verdict"
    return "default"


def verdict_renderer(layer: QgsVectorLayer) -> QgsCategorizedSymbolRenderer:
    cats = []
    for verdict, colour in VERDICT_COLOURS.items():
        symbol = QgsFillSymbol.createSimple({"color": colour, "outline_color": "#4d4d4d", "outline_width": "0.2"})
        cats.append(QgsRendererCategory(verdict, symbol, verdict))
    return QgsCategorizedSymbolRenderer("verdict", cats)


def add_result_group(project, results: dict, context, group_name: str, algorithm_id: str = "") -> tuple:
    """Add the run's layer outputs under a new top group, styled; returns (group, [(name, layer)])."""
    layers = result_layers(results, context)
    root = project.layerTreeRoot()
    group = root.insertGroup(0, group_name)
    for name, layer in layers:
        style_layer(layer, name, algorithm_id)
        project.addMapLayer(layer, False)
        group.addLayer(layer)
    return group, layers
