"""Regenerate the shipped layer styles ``lincang_liangwei/styles/*.qml`` with PyQGIS.

The .qml files are what ships (and what tests check); this script is how they are made, so a colour or an alias
changes here and is regenerated, not edited by hand in XML::

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/make_styles.py

Every style carries: the renderer with Chinese legend labels, labels where useful (case ids at large scales only),
field aliases and the number format of the numeric fields (the "Range" representation with its precision, which
the attribute table uses to display values).  Which output gets which style: ``qgis_io/styles.py`` (STYLES).
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "lincang_liangwei" / "styles"

# conventional planning colours: the control line's own colour
LINE_COLOURS = {"red": ("#e31a1c", "道路红线"), "blue": ("#1f78b4", "河道蓝线"), "green": ("#33a02c", "绿线"),
                "yellow": ("#f0c800", "黄线"), "purple": ("#8e44ad", "紫线"),
                "water_source": ("#00a6a6", "水源保护区")}
# CJJ 61 / 地下管线探测 colour convention: water blue, drainage brown, gas magenta, heat orange, power red,
# telecom green
PIPE_COLOURS = {"gas": ("#e600e6", "燃气"), "transmission": ("#99007a", "输气管道"), "water": ("#0070ff", "给水"),
                "reclaimed": ("#00b4d8", "再生水"), "sewer": ("#8c510a", "污水"), "storm": ("#bf812d", "雨水"),
                "drainage": ("#a6611a", "排水"), "heat": ("#ff7f00", "热力"), "power": ("#e31a1c", "电力"),
                "telecom": ("#1a9850", "通信")}
VERDICTS = (("拆除候选", "#d7191c", "拆除候选 demolition candidate"),
            ("限期整改", "#e66101", "限期整改 correct within a deadline"),
            ("超期临时建筑", "#b2189a", "超期临时建筑 expired temporary building"),
            ("待核查", "#fdae61", "待核查 to verify"),
            ("历史存量", "#9e9e9e", "历史存量 historic stock"))
CHANGES = (("new", "#e31a1c", "新增"), ("expanded", "#ff7f00", "扩建"), ("floors_added", "#f0c800", "加层"),
           ("expanded+floors_added", "#d95f0e", "扩建并加层"), ("rebuilt", "#8e44ad", "翻建"),
           ("split", "#1b9e77", "拆分"), ("merged", "#1f78b4", "合并"), ("unchanged", None, "未变化"),
           ("duplicate", "#7f7f7f", "重复轮廓"), ("skipped", "#bdbdbd", "无几何（跳过）"))

AREA, LEN, RATIO, COORD, DEG, NUM = 1, 2, 3, 2, 6, 1   # decimals shown
ALIASES = {
    # control lines: pieces
    "bld_fid": ("建筑要素号", None), "line_type": ("控制线类型", None), "line_label": ("控制线", None),
    "zone_fid": ("控制线要素号", None), "zone_name": ("控制线名称", None), "enc_area": ("压占面积(m²)", AREA),
    "enc_ratio": ("压占比例", RATIO), "hit_kind": ("压占方式", None), "setback_m": ("退让距离(m)", LEN),
    "basis": ("依据", None), "hit_where": ("压占位置", None),
    # control lines: every building
    "n_zones": ("压占控制线数", None), "enc_area_total": ("压占总面积(m²)", AREA), "line_types": ("压占类型", None),
    "max_ratio": ("最大压占比例", RATIO), "area_m2": ("面积(m²)", AREA), "geom_status": ("几何状态", None),
    **{f"enc_{t}": (f"{label}压占面积(m²)", AREA) for t, (_c, label) in LINE_COLOURS.items()},
    # pipe clearance
    "pipe_fid": ("管线要素号", None), "kind": ("管线种类", None), "kind_value": ("种类原值", None),
    "pipe_class": ("压力/类别", None), "required_m": ("规范净距(m)", LEN), "distance_m": ("实测净距(m)", LEN),
    "deficit_m": ("净距不足(m)", LEN), "enc_area_m2": ("侵入面积(m²)", AREA), "rule_id": ("规则编号", None),
    "verified": ("规则已核实", None),
    # epochs
    "change": ("变化类型", None), "prev_fids": ("前时相要素号", None), "match_iou": ("重叠度 IoU", RATIO),
    "area_prev": ("原面积(m²)", AREA), "area_now": ("现面积(m²)", AREA), "growth_m2": ("新增面积(m²)", AREA),
    "floors_prev": ("原层数", NUM), "floors_now": ("现层数", NUM), "shift_m": ("偏移(m)", LEN),
    "dup_of": ("重复于", None), "epoch": ("时相", None), "prev_epoch": ("前时相", None), "fate": ("去向", None),
    "gone_by": ("消失于时相", None), "fid_later": ("后时相要素号", None),
    # CAD import
    "cad_fid": ("CAD要素号", None), "cad_layer": ("CAD图层", None), "status": ("状态", None),
    "gap_m": ("缺口(m)", LEN), "length_m": ("长度(m)", LEN),
    # register (core.register.REGISTER_COLUMNS)
    "case_id": ("图斑编号", None), "district_code": ("行政区代码", None), "district": ("行政区", None),
    "x": ("X坐标", COORD), "y": ("Y坐标", COORD), "lon": ("经度", DEG), "lat": ("纬度", DEG), "floors": ("层数", NUM),
    "zones": ("压占对象", None), "pipe_kinds": ("管线种类", None), "min_clearance_m": ("最小净距(m)", LEN),
    "in_compound": ("小区内部", None), "permit_no": ("许可证号", None), "verdict": ("初判", None),
    "priority": ("优先级", None), "check_result": ("核查结果", None), "remarks": ("备注", None),
    "first_seen": ("首次发现", None), "last_run": ("最近运行", None), "gone": ("已消失", None),
    "confidence": ("可信度", None), "conf_reason": ("置信说明", None), "findings": ("发现", None),
    "rule_ids": ("规则编号", None),
}
DOUBLE = {n for n, (_a, p) in ALIASES.items() if p is not None}
INTS = {"bld_fid", "zone_fid", "pipe_fid", "n_zones", "fid_later", "cad_fid", "verified", "priority"}

FIELDS = {
    "controllines_pieces": ("bld_fid", "line_type", "line_label", "zone_fid", "zone_name", "enc_area", "enc_ratio",
                            "hit_kind", "setback_m", "basis", "hit_where"),
    "controllines_buildings": ("n_zones", "enc_area_total", "line_types", "max_ratio", "area_m2", "geom_status",
                               *[f"enc_{t}" for t in LINE_COLOURS]),
    "pipeclearance_breaches": ("bld_fid", "pipe_fid", "kind", "kind_value", "pipe_class", "required_m", "distance_m",
                               "deficit_m", "enc_area_m2", "rule_id", "verified", "basis"),
    "epochs_later": ("change", "prev_fids", "match_iou", "area_prev", "area_now", "growth_m2", "floors_prev",
                     "floors_now", "shift_m", "dup_of", "confidence", "conf_reason", "bld_fid", "epoch", "prev_epoch"),
    "epochs_demolished": ("fate", "area_prev", "floors_prev", "epoch", "gone_by"),
    "epochs_growth": ("fid_later", "change", "growth_m2", "epoch"),
    "cadimport_polygons": ("cad_fid", "cad_layer", "line_type", "status", "gap_m", "area_m2"),
    "cadimport_lines": ("cad_fid", "cad_layer", "line_type", "status", "gap_m", "length_m"),
    "register": ("case_id", "district_code", "district", "x", "y", "lon", "lat", "area_m2", "change", "growth_m2",
                 "floors", "epoch", "prev_epoch", "line_types", "zones", "enc_area_m2", "pipe_kinds",
                 "min_clearance_m", "required_m", "in_compound", "permit_no", "basis", "verdict", "priority",
                 "status", "check_result", "remarks", "first_seen", "last_run", "gone", "bld_fid", "confidence",
                 "conf_reason", "findings", "rule_ids"),
}
GONE = "coalesce(lower(to_string(\"gone\")), '') IN ('1', 'true', 't', 'yes')"


def main() -> int:
    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    OUT.mkdir(exist_ok=True)
    for name, builder in BUILDERS.items():
        layer = _layer(name, "LineString" if name == "cadimport_lines" else "MultiPolygon")
        builder(layer)
        _fields(layer)
        path = OUT / f"{name}.qml"
        path.write_text(_qml(layer), encoding="utf-8")
        print(path.relative_to(ROOT))
    app.exitQgis()
    return 0


# --------------------------------------------------------------------------- helpers
def _layer(name, geom):
    from qgis.core import QgsVectorLayer

    spec = "".join(f"&field={f}:{'double' if f in DOUBLE else 'integer' if f in INTS else 'string'}"
                   for f in FIELDS[name])
    layer = QgsVectorLayer(f"{geom}?crs=EPSG:4542{spec}", name, "memory")
    assert layer.isValid(), name
    return layer


def _fields(layer):
    from qgis.core import QgsEditorWidgetSetup

    for idx, field in enumerate(layer.fields()):
        alias, decimals = ALIASES.get(field.name(), (None, None))
        if alias:
            layer.setFieldAlias(idx, alias)
        if decimals is not None and field.name() not in INTS:
            layer.setEditorWidgetSetup(idx, QgsEditorWidgetSetup("Range", {
                "Precision": decimals, "Style": "SpinBox", "AllowNull": True, "Min": -1e15, "Max": 1e15,
                "Step": 10 ** -decimals, "Suffix": ""}))


def _qml(layer) -> str:
    from qgis.core import QgsMapLayer, QgsReadWriteContext
    from qgis.PyQt.QtXml import QDomDocument

    cats = (QgsMapLayer.Symbology | QgsMapLayer.Labeling | QgsMapLayer.Fields | QgsMapLayer.Rendering
            | QgsMapLayer.Forms)
    doc = QDomDocument()
    err = layer.exportNamedStyle(doc, QgsReadWriteContext(), cats)
    assert not err, err
    return doc.toString(1)


def _colour(hexa, alpha=255):
    from qgis.PyQt.QtGui import QColor

    c = QColor(hexa)
    c.setAlpha(alpha)
    return c


def _fill(colour, alpha=110, outline=None, width=0.4, style="solid", outline_style="solid"):
    """A simple fill: colour at ``alpha`` (0 = no fill), outline in ``outline`` (default: the colour)."""
    from qgis.core import QgsFillSymbol

    props = {"color": _rgba(colour, alpha),
             "style": "no" if alpha == 0 else style,
             "outline_color": _rgba(outline or colour, 255), "outline_width": str(width), "outline_width_unit": "MM",
             "outline_style": outline_style, "joinstyle": "miter"}
    return QgsFillSymbol.createSimple(props)


def _rgba(hexa, alpha):
    c = _colour(hexa, alpha)
    return f"{c.red()},{c.green()},{c.blue()},{alpha}"


def _line(colour, width=0.6, style="solid"):
    from qgis.core import QgsLineSymbol

    return QgsLineSymbol.createSimple({"line_color": _rgba(colour, 255), "line_width": str(width),
                                       "line_width_unit": "MM", "line_style": style})


def _categorized(layer, attribute, cats):
    """``cats``: (value, symbol, label) triples."""
    from qgis.core import QgsCategorizedSymbolRenderer, QgsRendererCategory

    renderer = QgsCategorizedSymbolRenderer(attribute, [QgsRendererCategory(v, s, label) for v, s, label in cats])
    layer.setRenderer(renderer)
    return renderer


def _labels(layer, field, max_scale_denominator=5000, colour="#000000"):
    """Labels by ``field``, shown only at 1:``max_scale_denominator`` and larger scales."""
    from qgis.core import QgsPalLayerSettings, QgsTextBufferSettings, QgsTextFormat, QgsVectorLayerSimpleLabeling
    from qgis.PyQt.QtGui import QFont

    fmt = QgsTextFormat()
    fmt.setFont(QFont("Noto Sans CJK SC"))
    fmt.setSize(9)
    fmt.setColor(_colour(colour))
    buf = QgsTextBufferSettings()
    buf.setEnabled(True)
    buf.setSize(0.8)
    buf.setColor(_colour("#ffffff"))
    fmt.setBuffer(buf)
    settings = QgsPalLayerSettings()
    settings.fieldName = field
    settings.setFormat(fmt)
    settings.scaleVisibility = True
    settings.minimumScale = float(max_scale_denominator)   # hidden when zoomed out beyond 1:5000
    settings.maximumScale = 0.0
    layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    layer.setLabelsEnabled(True)


# --------------------------------------------------------------------------- one builder per style
def register(layer):
    """Verdict colours; a gone case keeps its colour as a hatch with a dashed outline (faded)."""
    from qgis.core import QgsProperty, QgsSymbolLayer

    cats = []
    for verdict, colour, label in VERDICTS:
        sym = _fill(colour, alpha=170, width=0.5)
        sl = sym.symbolLayer(0)
        sl.setDataDefinedProperty(QgsSymbolLayer.PropertyFillStyle,
                                  QgsProperty.fromExpression(f"if({GONE}, 'b_diagonal', 'solid')"))
        sl.setDataDefinedProperty(QgsSymbolLayer.PropertyStrokeStyle,
                                  QgsProperty.fromExpression(f"if({GONE}, 'dash', 'solid')"))
        cats.append((verdict, sym, label))
    cats.append(("", _fill("#bdbdbd", alpha=80, outline="#7f7f7f"), "其他 other"))
    _categorized(layer, "verdict", cats)
    _labels(layer, "case_id")


def controllines_pieces(layer):
    _categorized(layer, "line_type", [(t, _fill(c, alpha=150, width=0.5), label)
                                      for t, (c, label) in LINE_COLOURS.items()])


def controllines_buildings(layer):
    """Outline only (no fill): it must never hide the pieces drawn above it."""
    _categorized(layer, "if(coalesce(\"n_zones\", 0) > 0, 'hit', 'clear')", [
        ("hit", _fill("#e31a1c", alpha=0, outline="#b22222", width=0.3), "压占控制线的建筑"),
        ("clear", _fill("#9e9e9e", alpha=0, outline="#9e9e9e", width=0.15), "未压占的建筑")])


def pipeclearance_breaches(layer):
    _categorized(layer, "kind", [(k, _fill(c, alpha=150, width=0.5), label) for k, (c, label) in PIPE_COLOURS.items()]
                 + [("", _fill("#636363", alpha=120), "其他管线 other")])


def epochs_later(layer):
    cats = []
    for value, colour, label in CHANGES:
        if value == "unchanged":    # faint: outline only
            sym = _fill("#bdbdbd", alpha=0, outline="#bdbdbd", width=0.15)
        elif value in ("duplicate", "skipped"):
            sym = _fill(colour, alpha=60, width=0.3, outline_style="dot")
        else:
            sym = _fill(colour, alpha=150, width=0.4)
        cats.append((value, sym, label))
    _categorized(layer, "change", cats)


def epochs_demolished(layer):
    from qgis.core import QgsSingleSymbolRenderer

    layer.setRenderer(QgsSingleSymbolRenderer(_fill("#252525", alpha=0, width=0.5, outline_style="dash")))


def epochs_growth(layer):
    cats = [(v, _fill(c, alpha=255, width=0.3, style="b_diagonal"), f"{label}部分")
            for v, c, label in CHANGES if v in ("new", "expanded", "expanded+floors_added", "rebuilt", "merged", "split")]
    _categorized(layer, "change", cats + [("", _fill("#e31a1c", alpha=255, width=0.3, style="b_diagonal"),
                                           "其他新增部分")])


def cadimport_polygons(layer):
    _categorized(layer, "line_type", [(t, _fill(c, alpha=90, width=0.5), label)
                                      for t, (c, label) in LINE_COLOURS.items()]
                 + [("", _fill("#636363", alpha=60), "未分类")])


def cadimport_lines(layer):
    _categorized(layer, "line_type", [(t, _line(c, 0.6), label) for t, (c, label) in LINE_COLOURS.items()]
                 + [("", _line("#636363", 0.4, "dash"), "未分类")])


BUILDERS = {f.__name__: f for f in (register, controllines_pieces, controllines_buildings, pipeclearance_breaches,
                                    epochs_later, epochs_demolished, epochs_growth, cadimport_polygons,
                                    cadimport_lines)}

if __name__ == "__main__":
    sys.exit(main())
