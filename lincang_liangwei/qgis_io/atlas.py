"""The PDF case atlas (核查图册): a QGIS report = a cover layout + one body page per case.

Built with QGIS's own print-layout machinery, no hand-drawn images:
``QgsReport`` whose header is the cover (counts per verdict x district, a map of
all cases) and whose one child section (``QgsReportSectionFieldGroup`` on the
case layer, grouped by the page number ``lw_page``) renders the body layout once
per case; the body's maps follow the case like an atlas (``setAtlasDriven``,
predefined scales).  ``QgsLayoutExporter.exportToPdf(report, ...)`` writes the
whole book in one call, with the Processing feedback for cancel.

* :func:`pick_cjk_font` - the first CJK font family installed (Windows names first).
* :func:`context_role` - which conventional style a context layer gets, by its name.
* :func:`case_layer` - the chosen cases copied to a memory layer with the page
  number and display texts (units, Chinese words, wrapped lines) as fields.
* :func:`build_report` / :func:`export_report` - the book and its PDF.

Only ``qgis.core`` and ``qgis.PyQt`` (no ``qgis.gui``): runs in qgis_process.
"""
from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass, field

from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsExpressionContextUtils,
    QgsFeature,
    QgsFeatureRequest,
    QgsFields,
    QgsFillSymbol,
    QgsGeometry,
    QgsLayout,
    QgsLayoutExporter,
    QgsLayoutFrame,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemManualTable,
    QgsLayoutItemMap,
    QgsLayoutItemPage,
    QgsLayoutItemPicture,
    QgsLayoutItemScaleBar,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsLineSymbol,
    QgsMarkerSymbol,
    QgsRectangle,
    QgsRenderContext,
    QgsRendererCategory,
    QgsReport,
    QgsReportSectionFieldGroup,
    QgsRuleBasedRenderer,
    QgsSingleSymbolRenderer,
    QgsTableCell,
    QgsTextFormat,
    QgsUnitTypes,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QRectF, Qt, QVariant
from qgis.PyQt.QtGui import QColor, QFont, QFontDatabase, QFontMetricsF

from ..i18n import tr
from .writer import make_field

# CJK families, Windows names first (the layout of a bureau's desktop), then the
# free ones of Linux distributions; the first installed one is used.
CJK_FONTS = ("Microsoft YaHei", "微软雅黑", "SimHei", "黑体", "DengXian", "等线", "PingFang SC", "Heiti SC",
             "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
             "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "AR PL UMing CN", "Droid Sans Fallback")

DEFAULT_SCALES = (1000, 2000, 5000, 10000, 25000)
PAGE_W, PAGE_H = 297.0, 210.0  # A4 landscape, mm

CHANGE_WORDS = {"unchanged": "未变化", "new": "新建", "expanded": "扩建", "floors_added": "加层",
                "expanded+floors_added": "扩建+加层", "rebuilt": "翻建", "split": "拆分", "merged": "合并",
                "unknown": "未比对", "duplicate": "重复录入"}

# (role, name patterns) - first match wins, so the specific roles come first
_ROLES = (
    ("breach", ("breach", "pipeclearance", "净距")),
    ("pieces", ("pieces", "encroach", "压占")),
    ("growth", ("growth", "新增部分", "扩建部分")),
    ("earlier", ("earlier", "前时相", "前期")),
    ("districts", ("district", "行政区", "街道", "乡镇")),
    ("compounds", ("compound", "小区")),
    ("permits", ("permit", "许可")),
    ("water_source", ("water_source", "watersource", "水源")),
    ("red", ("red", "红线")),
    ("blue", ("blue", "蓝线")),
    ("green", ("green", "绿线")),
    ("yellow", ("yellow", "黄线")),
    ("purple", ("purple", "紫线")),
    ("pipelines", ("pipe", "管线", "管网")),
    ("later", ("later", "building", "建筑", "房屋", "footprint")),
)
# drawing order, bottom first
ROLE_ORDER = ("other", "districts", "permits", "compounds", "water_source", "blue", "green", "yellow", "purple",
              "red", "corridor", "pipelines", "later", "earlier", "growth", "pieces", "breach")
ROLE_LABELS = {"districts": "行政区", "permits": "规划许可", "compounds": "住宅小区", "water_source": "水源保护区",
               "blue": "河道蓝线", "green": "绿线", "yellow": "黄线", "purple": "紫线", "red": "道路红线",
               "pipelines": "管线", "corridor": "管线安全净距范围", "later": "现状建筑", "earlier": "前期建筑轮廓",
               "growth": "新增部分", "pieces": "压占部分", "breach": "净距不足部分", "other": ""}
COLOURS = {"red": "#e31a1c", "blue": "#1f78b4", "green": "#2ca02c", "yellow": "#e6b800", "purple": "#8e44ad",
           "water_source": "#35a7d8", "pipelines": "#8c510a", "districts": "#555555", "compounds": "#b15928",
           "permits": "#4daf4a", "later": "#7f7f7f", "earlier": "#1a1a1a", "growth": "#ff7f00",
           "pieces": "#e31a1c", "breach": "#c51b7d", "other": "#969696", "corridor": "#8c510a"}
VERDICT_COLOURS = {"拆除候选": "#d7191c", "限期整改": "#fdae61", "超期临时建筑": "#a6611a", "待核查": "#2b83ba",
                   "历史存量": "#7f7f7f"}
PIPE_KIND_FIELDS = ("kind", "type", "管线类型", "管线种类", "gxlx", "pipe_kind")
PIPE_CLASS_FIELDS = ("pressure", "pressure_class", "压力", "压力级别", "class")
PIPE_DIAM_FIELDS = ("diameter_mm", "diameter", "dn", "管径", "gj")
PIPE_CLEAR_FIELDS = ("clearance_m", "required_m", "净距", "clearance")


# --------------------------------------------------------------------------- fonts
def pick_cjk_font(preferred: str = "") -> tuple[str, bool]:
    """(family, found): ``preferred`` if installed, else the first of :data:`CJK_FONTS` installed, else any
    family that writes Simplified Chinese; (default family, False) when none (the PDF then shows boxes)."""
    db = QFontDatabase()
    families = set(db.families())
    for fam in ((preferred,) if preferred else ()) + CJK_FONTS:
        if fam in families:
            return fam, True
    for fam in sorted(families):
        if QFontDatabase.SimplifiedChinese in db.writingSystems(fam):
            return fam, True
    return QFont().family(), False


def _font(family: str, pt: float, bold: bool = False) -> QFont:
    f = QFont(family)
    f.setPointSizeF(pt)
    f.setBold(bold)
    return f


def _text_format(family: str, pt: float, bold: bool = False, colour: str = "#000000") -> QgsTextFormat:
    tf = QgsTextFormat()
    tf.setFont(_font(family, pt, bold))
    tf.setSize(pt)
    tf.setSizeUnit(QgsUnitTypes.RenderPoints)
    tf.setColor(QColor(colour))
    return tf


def wrap_text(text: str, family: str, pt: float, width_mm: float, max_lines: int) -> str:
    """``text`` broken into lines that fit ``width_mm`` at ``pt`` (CJK text breaks between any two characters,
    other text at spaces where it can); more than ``max_lines`` lines end in "…"."""
    text = " ".join(str(text or "").split())
    if not text:
        return ""
    probe = QFont(family)
    probe.setPixelSize(100)  # measure at 100 px per em, scale to mm: 1 pt = 25.4 / 72 mm
    metrics = QFontMetricsF(probe)
    mm_per_unit = pt * 25.4 / 72.0 / 100.0

    class _Fm:
        @staticmethod
        def horizontalAdvance(t):
            return metrics.horizontalAdvance(t) * mm_per_unit

    fm = _Fm
    limit = width_mm * 0.96
    lines, cur = [], ""
    for tok in re.findall(r"[A-Za-z0-9.,:;()/%+\-_·]+ ?|.", text):
        trial = cur + tok
        if cur and fm.horizontalAdvance(trial.rstrip()) > limit:
            lines.append(cur.rstrip())
            cur = tok.lstrip()
        else:
            cur = trial
    if cur.strip():
        lines.append(cur.rstrip())
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and fm.horizontalAdvance(last + "…") > limit:
            last = last[:-1]
        lines[-1] = last + "…"
    return "\n".join(lines)


# --------------------------------------------------------------------------- context layers
def context_role(layer: QgsVectorLayer, epoch: str = "", prev_epoch: str = "") -> str:
    """The conventional style a context layer gets, from its name and file layer name (case-insensitive):
    red/blue/green/yellow/purple lines, water_source, pipelines, districts, earlier / later buildings, growth,
    encroached pieces, clearance breaches, compounds, permits; ``other`` when nothing matches.  A layer whose
    name holds the register's earlier epoch (e.g. ``buildings_2019`` for prev_epoch 2019) is ``earlier``."""
    from qgis.core import QgsProviderRegistry

    names = [layer.name()]
    try:
        names.append(QgsProviderRegistry.instance().decodeUri(layer.providerType(), layer.source())
                     .get("layerName") or "")
    except Exception:  # noqa: BLE001 - a provider without decodeUri: the layer name alone decides
        pass
    text = " ".join(n for n in names if n).lower()
    if prev_epoch and prev_epoch in text and prev_epoch != epoch:
        return "earlier"
    for role, pats in _ROLES:
        if any(p in text for p in pats):
            return role
    return "other"


def _geom_kind(layer) -> int:
    return QgsWkbTypes.geometryType(layer.wkbType())


def _fill(colour: str, alpha: int, outline: str, width: float, style: str = "solid", outline_style: str = "solid"):
    c = QColor(colour)
    c.setAlpha(alpha)
    return QgsFillSymbol.createSimple({
        "color": f"{c.red()},{c.green()},{c.blue()},{alpha}", "style": style, "outline_color": outline,
        "outline_width": str(width), "outline_width_unit": "MM", "outline_style": outline_style})


def role_symbol(role: str, geom_type: int, clearance_expr: str = ""):
    """The symbol of a context layer of ``role`` (conventional planning colours)."""
    col = COLOURS.get(role, COLOURS["other"])
    if geom_type == QgsWkbTypes.PointGeometry:
        return QgsMarkerSymbol.createSimple({"name": "circle", "color": col, "size": "1.6"})
    if geom_type == QgsWkbTypes.LineGeometry:
        sym = QgsLineSymbol.createSimple({"line_color": col, "line_width": "0.6" if role != "pipelines" else "0.45",
                                          "line_width_unit": "MM",
                                          "line_style": "dash" if role == "earlier" else "solid"})
        if role == "pipelines" and clearance_expr:
            from qgis.core import QgsGeometryGeneratorSymbolLayer

            gen = QgsGeometryGeneratorSymbolLayer.create({"geometryModifier": f"buffer($geometry, {clearance_expr})",
                                                          "SymbolType": "Fill"})
            c = QColor(col)
            gen.setSubSymbol(_fill(col, 45, f"{c.red()},{c.green()},{c.blue()},110", 0.15, outline_style="dot"))
            sym.insertSymbolLayer(0, gen)
        return sym
    styles = {
        "districts": lambda: _fill(col, 0, col, 0.5, style="no", outline_style="dash"),
        "permits": lambda: _fill(col, 30, col, 0.2, style="b_diagonal"),
        "compounds": lambda: _fill(col, 0, col, 0.35, style="no", outline_style="dash dot"),
        "later": lambda: _fill("#d9d9d9", 255, "#7f7f7f", 0.15),
        "earlier": lambda: _fill(col, 0, col, 0.45, style="no", outline_style="dash"),
        "growth": lambda: _fill(col, 150, col, 0.25),
        "pieces": lambda: _fill(col, 160, col, 0.25, style="diagonal_x"),
        "breach": lambda: _fill(col, 160, col, 0.25, style="f_diagonal"),
        "water_source": lambda: _fill(col, 55, col, 0.5, outline_style="dash"),
        "other": lambda: _fill(col, 40, col, 0.2),
    }
    if role in styles:
        return styles[role]()
    return _fill(col, 55, col, 0.6)  # red / blue / green / yellow / purple zones


def _find_field(layer, candidates) -> str:
    lower = {f.name().lower(): f.name() for f in layer.fields()}
    for c in candidates:
        if c.lower() in lower:
            return lower[c.lower()]
    return ""


def pipe_clearance_expression(layer, rules) -> str:
    """An expression giving each pipe's required clearance (m) from the rules table: one ``CASE`` over the
    distinct (kind, class, diameter) values of the layer; a clearance field of the layer wins; '' when the layer
    has no kind field."""
    from ..core.rules import _as_object_array  # noqa: F401 - same value handling as the check itself

    clear = _find_field(layer, PIPE_CLEAR_FIELDS)
    kind = _find_field(layer, PIPE_KIND_FIELDS)
    if not kind:
        return f'"{clear}"' if clear else ""
    pres = _find_field(layer, PIPE_CLASS_FIELDS)
    diam = _find_field(layer, PIPE_DIAM_FIELDS)
    names = [n for n in (kind, pres, diam) if n]
    req = QgsFeatureRequest().setFlags(QgsFeatureRequest.NoGeometry).setSubsetOfAttributes(names, layer.fields())
    combos = set()
    for f in layer.getFeatures(req):
        combos.add(tuple(_plain(f[n]) for n in names))
        if len(combos) > 400:  # continuous diameters: the table needs no more detail than this for a drawing
            break
    if not combos:
        return ""
    combos = sorted(combos, key=str)
    cols = list(zip(*combos))
    get = dict(zip(names, cols))
    match = rules.pipe_clearances(list(get[kind]), list(get[pres]) if pres else None,
                                  list(get[diam]) if diam else None)
    required = match.required_m if hasattr(match, "required_m") else list(match)[0]
    whens = []
    for combo, r in zip(combos, required):
        try:
            r = float(r)
        except (TypeError, ValueError):
            continue
        if not math.isfinite(r) or r <= 0:
            continue
        cond = " AND ".join(_equals(n, v) for n, v in zip(names, combo))
        whens.append(f"WHEN {cond} THEN {r:g}")
    case = f"CASE {' '.join(whens)} ELSE 0 END" if whens else "0"
    return f'coalesce("{clear}", {case})' if clear else case


def _plain(v):
    if v is None or (isinstance(v, QVariant) and v.isNull()):
        return None
    return v


def _equals(name: str, value) -> str:
    if value is None:
        return f'"{name}" IS NULL'
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'"{name}" = {value!r}'
    text = str(value).replace("'", "''")
    return f"\"{name}\" = '{text}'"


# --------------------------------------------------------------------------- the case layer
@dataclass
class CaseSet:
    layer: QgsVectorLayer  # memory layer, one feature per page, field lw_page 1..n
    n: int
    verdicts: dict = field(default_factory=dict)  # verdict -> count
    by_district: dict = field(default_factory=dict)  # district -> {verdict: count}
    epoch: str = ""
    prev_epoch: str = ""
    extent: QgsRectangle | None = None
    highlight: QgsVectorLayer | None = None  # set by build_report: the case layer as drawn on the case map
    points: QgsVectorLayer | None = None  # the cases as points (overview map)
    keep: list = field(default_factory=list)  # layers the layouts draw: kept alive as long as the report


def _num(v, fmt="{:,.1f}", unit=""):
    try:
        x = float(v)
    except (TypeError, ValueError):
        return ""
    if not math.isfinite(x):
        return ""
    return fmt.format(x) + unit


def _txt(v) -> str:
    v = _plain(v)
    return "" if v is None else str(v)


DISPLAY_FIELDS = ("lw_verdict", "lw_change", "lw_area", "lw_floors", "lw_lines", "lw_zones", "lw_enc", "lw_pipe",
                  "lw_permit", "lw_xy", "lw_dates", "lw_status", "lw_basis", "lw_district")


def case_display(f: QgsFeature, names: set, rules, family: str) -> dict:
    """The texts of one case's table rows."""
    def g(n):
        return _plain(f[n]) if n in names else None

    change = _txt(g("change"))
    ch = "、".join(CHANGE_WORDS.get(c, c) for c in change.split("+") if c) if change not in CHANGE_WORDS \
        else CHANGE_WORDS[change]
    conf = _txt(g("confidence"))
    if conf:
        ch += f"（可信度 {dict(high='高', medium='中', low='低').get(conf, conf)}）"
    lines = []
    for t in _txt(g("line_types")).split(";"):
        if t:
            try:
                lines.append(rules.line_label(t))
            except Exception:  # noqa: BLE001 - a type the rules table does not know: shown as written
                lines.append(t)
    pipe = ""
    kinds = [k for k in _txt(g("pipe_kinds")).split(";") if k]
    if kinds:
        pipe = "、".join(rules.kind_label(k) for k in kinds)
        pipe += f"：净距 {_num(g('min_clearance_m'), '{:.2f}')} m / 规范 {_num(g('required_m'), '{:.2f}')} m"
    area = _num(g("area_m2"), unit=" m²")
    growth = _num(g("growth_m2"), unit=" m²")
    if growth and change not in ("unchanged", "unknown", ""):
        area += f"（新增 {growth}）"
    xy = ""
    if g("x") is not None and g("y") is not None:
        xy = f"X {_num(g('x'), '{:.1f}')}  Y {_num(g('y'), '{:.1f}')}"
    if g("lon") is not None and _num(g("lon")):
        xy += f"\n{_num(g('lon'), '{:.6f}')}°E  {_num(g('lat'), '{:.6f}')}°N"
    epochs = _txt(g("epoch"))
    if _txt(g("prev_epoch")):
        epochs = f"{_txt(g('prev_epoch'))} → {epochs}"
    dates = f"首次发现 {_txt(g('first_seen'))}" + (f"；时相 {epochs}" if epochs else "")
    enc = _num(g("enc_area_m2"), unit=" m²")
    status = _txt(g("status"))
    if g("gone") in (True, 1, "1", "true"):
        status += "（本次未再发现）"
    district = _txt(g("district"))
    if _txt(g("district_code")):
        district = f"{district}（{_txt(g('district_code'))}）" if district else _txt(g("district_code"))
    out = {
        "lw_verdict": _txt(g("verdict")), "lw_change": ch, "lw_area": area,
        "lw_floors": _num(g("floors"), "{:.0f}", " 层"),
        "lw_lines": "、".join(dict.fromkeys(lines)) + (" · 位于住宅小区" if g("in_compound") in (True, 1) else ""),
        "lw_zones": wrap_text(_txt(g("zones")).replace(";", "、"), family, 8, 64, 2),
        "lw_enc": enc, "lw_pipe": wrap_text(pipe, family, 8, 64, 2),
        "lw_permit": _txt(g("permit_no")) or "无", "lw_xy": xy, "lw_dates": dates,
        "lw_status": status,
        "lw_basis": wrap_text(_txt(g("basis")), family, 7.5, 64, 5),
        "lw_district": district,
    }
    return {k: (v if v.strip() else "—") for k, v in out.items()}


def case_layer(register: QgsVectorLayer, expression: str, rules, family: str, *, include_gone: bool = False,
               feedback=None) -> CaseSet:
    """The cases of ``register`` that ``expression`` selects (all when empty; gone cases only with
    ``include_gone``) in a memory layer, sorted by case id (district code first), with ``lw_page`` 1..n and the
    display texts of :func:`case_display`."""
    names = set(register.fields().names())
    req = QgsFeatureRequest()
    expr = expression.strip() if expression else ""
    if not include_gone and "gone" in names:
        gone = '(NOT coalesce("gone", false))'
        expr = f"({expr}) AND {gone}" if expr else gone
    if expr:
        req.setFilterExpression(expr)
    if "case_id" in names:
        req.addOrderBy('"case_id"', True)
    fields = QgsFields(register.fields())
    fields.append(make_field("lw_page", "int"))
    for n in DISPLAY_FIELDS:
        fields.append(make_field(n, "string"))
    crs = register.crs().authid() or "EPSG:4326"
    mem = QgsVectorLayer(f"{QgsWkbTypes.displayString(register.wkbType())}?crs={crs}", "cases", "memory")
    mem.setCrs(register.crs())
    mem.dataProvider().addAttributes(fields.toList())
    mem.updateFields()
    out, verdicts, by_district = [], {}, {}
    epoch = prev = ""
    for f in register.getFeatures(req):
        if feedback is not None and feedback.isCanceled():
            break
        g = QgsFeature(mem.fields())
        g.setGeometry(f.geometry() if f.hasGeometry() else QgsGeometry())
        disp = case_display(f, names, rules, family)
        g.setAttributes(list(f.attributes()) + [len(out) + 1] + [disp[n] for n in DISPLAY_FIELDS])
        out.append(g)
        v = disp["lw_verdict"] or "（无初判）"
        verdicts[v] = verdicts.get(v, 0) + 1
        d = _txt(f["district"]) if "district" in names else ""
        d = d or (_txt(f["district_code"]) if "district_code" in names else "") or "（无行政区）"
        by_district.setdefault(d, {})
        by_district[d][v] = by_district[d].get(v, 0) + 1
        if not epoch and "epoch" in names:
            epoch, prev = _txt(f["epoch"]), _txt(f["prev_epoch"]) if "prev_epoch" in names else ""
    if req.filterExpression() is not None and req.filterExpression().hasEvalError():
        raise ValueError(req.filterExpression().evalErrorString())
    mem.dataProvider().addFeatures(out)
    mem.dataProvider().createSpatialIndex()
    mem.updateExtents()
    return CaseSet(mem, len(out), verdicts, by_district, epoch, prev, mem.extent() if out else None)


# --------------------------------------------------------------------------- layouts
@dataclass
class AtlasOptions:
    title: str = "两违核查图册"
    subtitle: str = ""
    scales: tuple = DEFAULT_SCALES
    font: str = "Noto Sans CJK SC"
    run_date: str = field(default_factory=lambda: _dt.date.today().isoformat())
    filter_text: str = ""
    source_text: str = ""


def _label(layout, text, x, y, w, h, family, pt, *, bold=False, halign=Qt.AlignLeft, valign=Qt.AlignVCenter,
           frame=False, bg=None, colour="#000000", item_id=""):
    lab = QgsLayoutItemLabel(layout)
    lab.setText(text)
    if hasattr(lab, "setTextFormat"):  # QGIS >= 3.24
        lab.setTextFormat(_text_format(family, pt, bold, colour))
    else:
        lab.setFont(_font(family, pt, bold))
        lab.setFontColor(QColor(colour))
    lab.setHAlign(halign)
    lab.setVAlign(valign)
    lab.setMarginX(1.2)
    lab.setMarginY(0.6)
    if frame:
        lab.setFrameEnabled(True)
        lab.setFrameStrokeColor(QColor("#808080"))
        lab.setFrameStrokeWidth(_mm(0.15))
    if bg:
        lab.setBackgroundEnabled(True)
        lab.setBackgroundColor(QColor(bg))
    if item_id:
        lab.setId(item_id)
    layout.addLayoutItem(lab)
    lab.attemptMove(QgsLayoutPoint(x, y, QgsUnitTypes.LayoutMillimeters))
    lab.attemptResize(QgsLayoutSize(w, h, QgsUnitTypes.LayoutMillimeters))
    return lab


def _mm(v):
    from qgis.core import QgsLayoutMeasurement

    return QgsLayoutMeasurement(v, QgsUnitTypes.LayoutMillimeters)


def _page(layout):
    layout.initializeDefaults()
    page = layout.pageCollection().page(0)
    page.setPageSize("A4", QgsLayoutItemPage.Landscape)


def _map(layout, x, y, w, h, layers, crs, *, frame=True, item_id=""):
    m = QgsLayoutItemMap(layout)
    m.setCrs(crs)
    m.setLayers(layers)
    m.setKeepLayerSet(True)
    m.setKeepLayerStyles(False)
    m.setBackgroundColor(QColor("#ffffff"))
    m.setFrameEnabled(frame)
    m.setFrameStrokeWidth(_mm(0.3))
    if item_id:
        m.setId(item_id)
    layout.addLayoutItem(m)
    # one step: a move then a resize of a map without extent leaves it NaN (QGIS 3.22)
    m.attemptSetSceneRect(QRectF(x, y, w, h))
    return m


def _case_renderer(highlight: bool, others: bool = True):
    """Cases: the current one (layout variable ``lw_page``) red and thick, the others thin orange."""
    root = QgsRuleBasedRenderer.Rule(None)
    cur = _fill("#ff0000", 70, "#ff00ff" if highlight else "#e31a1c", 0.9)
    root.appendChild(QgsRuleBasedRenderer.Rule(cur, 0, 0, '"lw_page" = @lw_page', "本图斑"))
    if others:
        root.appendChild(QgsRuleBasedRenderer.Rule(_fill("#ff7f00", 30, "#ff7f00", 0.35), 0, 0,
                                                   '"lw_page" <> @lw_page OR @lw_page IS NULL', "其他图斑"))
    return QgsRuleBasedRenderer(root)


def _point_renderer():
    """Cases as points on the overview: the current one big and red."""
    root = QgsRuleBasedRenderer.Rule(None)
    from qgis.core import QgsCentroidFillSymbolLayer

    def centroid(colour, size, outline="#ffffff"):
        sym = QgsFillSymbol()
        lay = QgsCentroidFillSymbolLayer()
        lay.setSubSymbol(QgsMarkerSymbol.createSimple({"name": "circle", "color": colour, "size": str(size),
                                                       "outline_color": outline, "outline_width": "0.2"}))
        sym.changeSymbolLayer(0, lay)
        return sym

    root.appendChild(QgsRuleBasedRenderer.Rule(centroid("#ff7f00", 0.9, "#ff7f00"), 0, 0,
                                               '"lw_page" <> @lw_page OR @lw_page IS NULL'))
    root.appendChild(QgsRuleBasedRenderer.Rule(centroid("#ff0000", 3.2), 0, 0, '"lw_page" = @lw_page'))
    return QgsRuleBasedRenderer(root)


def _copy(layer: QgsVectorLayer) -> QgsVectorLayer:
    """An independent copy of a memory layer with its features (``clone()`` of a memory layer may come back
    empty or share the provider with the layer the report iterates)."""
    copy = layer.materialize(QgsFeatureRequest())
    copy.dataProvider().createSpatialIndex()
    return copy


def _verdict_points(layer: QgsVectorLayer, verdicts) -> QgsVectorLayer:
    """A clone of the case layer drawn as points coloured by verdict (cover map)."""
    from qgis.core import QgsCentroidFillSymbolLayer

    clone = _copy(layer)
    clone.setName("图斑（按初判）")
    cats = []
    for v in verdicts:
        sym = QgsFillSymbol()
        lay = QgsCentroidFillSymbolLayer()
        lay.setSubSymbol(QgsMarkerSymbol.createSimple({"name": "circle", "color": VERDICT_COLOURS.get(v, "#555555"),
                                                       "size": "1.6", "outline_color": "#ffffff",
                                                       "outline_width": "0.15"}))
        sym.changeSymbolLayer(0, lay)
        cats.append(QgsRendererCategory(v, sym, v))
    clone.setRenderer(QgsCategorizedSymbolRenderer("verdict", cats))
    return clone


def _legend(layout, map_item, layers, x, y, w, h, family, cols=3):
    leg = QgsLayoutItemLegend(layout)
    leg.setTitle("")
    leg.setAutoUpdateModel(False)
    root = leg.model().rootGroup()
    root.clear()
    for lyr in layers:
        node = root.addLayer(lyr)
        node.setCustomProperty("legend/title-label", lyr.name())
    leg.setLinkedMap(map_item)
    leg.setColumnCount(cols)
    leg.setSplitLayer(True)
    leg.setSymbolWidth(6)
    leg.setSymbolHeight(3.5)
    from qgis.core import QgsLegendStyle

    for part in (QgsLegendStyle.Title, QgsLegendStyle.Group, QgsLegendStyle.Subgroup, QgsLegendStyle.SymbolLabel):
        st = leg.style(part)
        st.setFont(_font(family, 7.5 if part == QgsLegendStyle.SymbolLabel else 8))
        if hasattr(st, "setTextFormat"):
            st.setTextFormat(_text_format(family, 7.5))
        leg.setStyle(part, st)
    leg.setBackgroundEnabled(True)
    leg.setFrameEnabled(False)
    layout.addLayoutItem(leg)
    leg.setResizeToContents(False)
    leg.attemptMove(QgsLayoutPoint(x, y, QgsUnitTypes.LayoutMillimeters))
    leg.attemptResize(QgsLayoutSize(w, h, QgsUnitTypes.LayoutMillimeters))
    leg.updateLegend()
    return leg


def _scalebars(layout, map_item, x, y, family):
    bar = QgsLayoutItemScaleBar(layout)
    bar.setStyle("Single Box")
    bar.setLinkedMap(map_item)
    bar.setUnits(QgsUnitTypes.DistanceMeters)
    bar.setUnitLabel("m")
    bar.setNumberOfSegments(4)
    bar.setNumberOfSegmentsLeft(0)
    bar.setUnitsPerSegment(nice_segment(map_item.scale()) if map_item.scale() > 0 else 10)
    bar.setHeight(2)
    bar.setTextFormat(_text_format(family, 7))
    layout.addLayoutItem(bar)
    bar.attemptMove(QgsLayoutPoint(x, y, QgsUnitTypes.LayoutMillimeters))
    num = QgsLayoutItemScaleBar(layout)
    num.setStyle("Numeric")
    num.setLinkedMap(map_item)
    num.setTextFormat(_text_format(family, 9, True))
    try:
        from qgis.core import QgsBasicNumericFormat

        fmt = QgsBasicNumericFormat()
        fmt.setNumberDecimalPlaces(0)
        fmt.setShowThousandsSeparator(False)
        num.setNumericFormat(fmt)
    except (ImportError, AttributeError):  # pragma: no cover - QGIS < 3.12
        pass
    bar.setId("scalebar")
    layout.addLayoutItem(num)
    num.attemptMove(QgsLayoutPoint(x + 75, y + 1, QgsUnitTypes.LayoutMillimeters))
    return bar, num


def nice_segment(scale: float, max_mm: float = 15.0) -> float:
    """The largest round length (m) whose segment is at most ``max_mm`` on paper at 1:``scale``."""
    limit = max_mm * scale / 1000.0
    best = 1.0
    for mag in (1, 10, 100, 1000, 10000):
        for step in (1, 2, 2.5, 5):
            if step * mag <= limit:
                best = step * mag
    return best


def _north_arrow(layout, x, y, size):
    from qgis.core import QgsApplication

    pic = QgsLayoutItemPicture(layout)
    for base in QgsApplication.svgPaths():
        for name in ("arrows/NorthArrow_02.svg", "arrows/NorthArrow_04.svg", "arrows/Arrow_02.svg"):
            path = f"{base.rstrip('/')}/{name}"
            from os.path import exists

            if exists(path):
                pic.setPicturePath(path)
                break
        else:
            continue
        break
    layout.addLayoutItem(pic)
    pic.attemptMove(QgsLayoutPoint(x, y, QgsUnitTypes.LayoutMillimeters))
    pic.attemptResize(QgsLayoutSize(size, size, QgsUnitTypes.LayoutMillimeters))
    pic.setBackgroundEnabled(True)
    pic.setBackgroundColor(QColor(255, 255, 255, 200))
    return pic


TABLE_ROWS = (  # (header, field, height mm)
    ("图斑编号", "case_id", 5.5), ("行政区", "lw_district", 5.0), ("初判", "lw_verdict", 5.0),
    ("变化类型", "lw_change", 5.0), ("面积", "lw_area", 5.0), ("层数", "lw_floors", 5.0),
    ("压占类型", "lw_lines", 5.0), ("压占对象", "lw_zones", 7.5), ("压占面积", "lw_enc", 5.0),
    ("管线净距", "lw_pipe", 7.5), ("规划许可", "lw_permit", 5.0), ("坐标", "lw_xy", 7.5),
    ("发现", "lw_dates", 5.0), ("处置状态", "lw_status", 5.0), ("依据", "lw_basis", 21.5),
)


def build_body(project, cases: CaseSet, context: list, opts: AtlasOptions) -> QgsLayout:
    """The page of one case (A4 landscape)."""
    fam = opts.font
    lay = QgsLayout(project)
    _page(lay)
    crs = cases.layer.crs()
    # title bar
    _label(lay, f'{opts.title}　图斑 [% "case_id" %]', 10, 5, 185, 10, fam, 15, bold=True, item_id="title")
    _label(lay, f"出图日期 {opts.run_date}　第 [% @lw_page + 1 %] / [% @lw_total_pages %] 页",
           195, 5, 92, 10, fam, 9, halign=Qt.AlignRight, item_id="page_no")
    # main map: context layers (bottom to top) + the cases
    layers = [c.layer for c in reversed(context)]
    main = _map(lay, 10, 17, 182, 150, [cases.layer] + layers, crs, item_id="main_map")
    if cases.extent is not None:  # a start extent: the atlas scales it per case (an empty one stays NaN)
        main.zoomToExtent(QgsRectangle(cases.extent))
    main.setAtlasDriven(True)
    main.setAtlasScalingMode(QgsLayoutItemMap.Predefined)
    lay.renderContext().setPredefinedScales([float(s) for s in opts.scales])
    _north_arrow(lay, 178, 19, 12)
    _scalebars(lay, main, 10, 170, fam)
    legend_layers = [c.layer for c in context if c.role not in ("other",)]
    _legend(lay, main, [cases.highlight] + legend_layers, 10, 184, 182, 22, fam, cols=4)
    # overview
    over_layers = [cases.points] + [c.layer for c in context if c.role == "districts"]
    _label(lay, '位置示意　[% "lw_district" %]', 197, 17, 90, 6, fam, 9, bold=True)
    ov = _map(lay, 197, 23, 90, 48, over_layers, crs, item_id="overview")
    ext = QgsRectangle(cases.extent) if cases.extent else QgsRectangle(main.extent())
    for c in context:
        if c.role == "districts" and c.extent is not None:
            ext.combineExtentWith(c.extent)
    ext.scale(1.08)
    ov.zoomToExtent(ext)
    # case table
    y = 74.0
    for head, fld, h in TABLE_ROWS:
        _label(lay, head, 197, y, 22, h, fam, 8, bold=True, frame=True, bg="#eeeeee", halign=Qt.AlignCenter)
        pt = 7.5 if fld == "lw_basis" else 8
        bold = fld in ("case_id", "lw_verdict")
        colour = "#c00000" if fld == "lw_verdict" else "#000000"
        _label(lay, f'[% "{fld}" %]', 219, y, 68, h, fam, pt, frame=True, bold=bold, colour=colour,
               valign=Qt.AlignTop if h > 7 else Qt.AlignVCenter)
        y += h
    # blank lines for the field team (y is about 175 here)
    y += 1.5
    _label(lay, "核查结果：", 197, y, 20, 6, fam, 9, bold=True)
    _hline(lay, 216, y + 5.5, 71)
    _hline(lay, 197, y + 12, 90)
    _hline(lay, 197, y + 18.5, 90)
    y = max(y + 21, 197.0)
    _label(lay, "核查人签字：", 197, y, 24, 6, fam, 9, bold=True)
    _label(lay, "日期：", 250, y, 12, 6, fam, 9, bold=True)
    _hline(lay, 220, y + 5.5, 28)
    _hline(lay, 261, y + 5.5, 26)
    return lay


def _hline(layout, x, y, w):
    from qgis.core import QgsLayoutItemPolyline
    from qgis.PyQt.QtCore import QPointF
    from qgis.PyQt.QtGui import QPolygonF

    line = QgsLayoutItemPolyline(QPolygonF([QPointF(x, y), QPointF(x + w, y)]), layout)
    line.setSymbol(QgsLineSymbol.createSimple({"line_color": "#404040", "line_width": "0.2"}))
    layout.addLayoutItem(line)
    return line


def build_cover(project, cases: CaseSet, context: list, opts: AtlasOptions, verdict_order) -> QgsLayout:
    """The cover: title, what was printed, cases per verdict x district, a map of every case."""
    fam = opts.font
    lay = QgsLayout(project)
    _page(lay)
    _label(lay, opts.title, 10, 10, 277, 16, fam, 24, bold=True, halign=Qt.AlignCenter, item_id="cover_title")
    sub = f"图斑 {cases.n} 个　出图日期 {opts.run_date}"
    if cases.epoch:
        sub += f"　发现时相 {cases.prev_epoch + ' → ' if cases.prev_epoch else ''}{cases.epoch}"
    _label(lay, sub, 10, 27, 277, 8, fam, 11, halign=Qt.AlignCenter)
    info = []
    if opts.source_text:
        info.append(f"台账：{opts.source_text}")
    filt = opts.filter_text or "全部图斑"
    info.append(f"筛选：{filt if len(filt) <= 160 else filt[:160] + '…'}")
    _label(lay, wrap_text("　".join(info), fam, 8, 270, 2), 10, 35, 277, 9, fam, 8, halign=Qt.AlignCenter,
           colour="#404040")
    # counts table
    present = list(cases.verdicts)
    verdicts = [v for v in verdict_order if v in present] + [v for v in present if v not in verdict_order]
    districts = sorted(cases.by_district, key=lambda d: (-sum(cases.by_district[d].values()), d))
    max_rows = 16
    shown = districts[:max_rows]
    rows = [[_cell("行政区", fam, True)] + [_cell(v, fam, True, VERDICT_COLOURS.get(v)) for v in verdicts]
            + [_cell("合计", fam, True)]]
    for d in shown:
        c = cases.by_district[d]
        rows.append([_cell(d, fam)] + [_cell(str(c.get(v, 0) or "–"), fam) for v in verdicts]
                    + [_cell(str(sum(c.values())), fam, True)])
    if len(districts) > max_rows:
        rest = {}
        for d in districts[max_rows:]:
            for v, k in cases.by_district[d].items():
                rest[v] = rest.get(v, 0) + k
        rows.append([_cell(f"其他 {len(districts) - max_rows} 个行政区", fam)]
                    + [_cell(str(rest.get(v, 0)), fam) for v in verdicts] + [_cell(str(sum(rest.values())), fam)])
    rows.append([_cell("合计", fam, True)] + [_cell(str(cases.verdicts.get(v, 0)), fam, True) for v in verdicts]
                + [_cell(str(cases.n), fam, True)])
    table = QgsLayoutItemManualTable.create(lay)
    lay.addMultiFrame(table)
    table.setTableContents(rows)
    if hasattr(table, "setContentTextFormat"):
        table.setContentTextFormat(_text_format(fam, 9))
        table.setHeaderTextFormat(_text_format(fam, 9, True))
    else:  # pragma: no cover - QGIS < 3.16
        table.setContentFont(_font(fam, 9))
    table.setCellMargin(1.2)
    table.setGridStrokeWidth(0.2)
    tw = min(140.0, 30 + 18 * (len(verdicts) + 1))
    frame = QgsLayoutFrame(lay, table)
    frame.attemptResize(QgsLayoutSize(tw, 150, QgsUnitTypes.LayoutMillimeters))
    frame.attemptMove(QgsLayoutPoint(10, 48, QgsUnitTypes.LayoutMillimeters))
    table.addFrame(frame)
    _label(lay, "各行政区图斑数（按初判）", 10, 42, tw, 6, fam, 10, bold=True)
    # map of every case, coloured by verdict
    mx = 10 + tw + 6
    mw = PAGE_W - 10 - mx
    _label(lay, "图斑分布", mx, 42, mw, 6, fam, 10, bold=True)
    pts = _verdict_points(cases.layer, verdicts)
    cases.keep.append(pts)
    districts_layers = [c.layer for c in context if c.role == "districts"]
    m = _map(lay, mx, 48, mw, 140, [pts] + districts_layers, cases.layer.crs(), item_id="cover_map")
    ext = QgsRectangle(cases.extent) if cases.extent else QgsRectangle()
    for c in context:
        if c.role == "districts" and c.extent is not None:
            ext.combineExtentWith(c.extent)
    if not ext.isEmpty():
        ext.scale(1.05)
        m.zoomToExtent(ext)
    _scalebars(lay, m, mx, 190, fam)
    _legend(lay, m, [pts], mx + 100, 190, mw - 100, 16, fam, cols=2)
    _label(lay, "本图册由 两违巡查 (lincang_liangwei) 生成；每个图斑一页，现场核查后请填写核查结果并签字。",
           10, 200, 170, 6, fam, 8, colour="#404040")
    return lay


def _cell(text, family, bold=False, bg=None):
    c = QgsTableCell(text)
    if hasattr(c, "setTextFormat"):
        c.setTextFormat(_text_format(family, 9, bold))
    if bg:
        c.setBackgroundColor(QColor(bg).lighter(170))
    return c


@dataclass
class ContextLayer:
    layer: QgsVectorLayer
    role: str
    extent: QgsRectangle | None = None


def pipe_corridors(layer, clearance_expr: str, feedback=None):
    """The clearance corridors of a pipe layer (buffer by each pipe's required clearance), computed once into a
    memory layer: a geometry generator would buffer every pipe in view again on every page (4x slower)."""
    from qgis.core import QgsExpression, QgsExpressionContext

    if not clearance_expr:
        return None
    exp = QgsExpression(clearance_expr)
    ctx = QgsExpressionContext()
    ctx.appendScopes(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
    exp.prepare(ctx)
    mem = QgsVectorLayer(f"Polygon?crs={layer.crs().authid()}", "管线净距范围", "memory")
    mem.setCrs(layer.crs())
    feats = []
    for f in layer.getFeatures():
        if feedback is not None and feedback.isCanceled():
            return None
        ctx.setFeature(f)
        try:
            d = float(exp.evaluate(ctx) or 0)
        except (TypeError, ValueError):
            continue
        if d <= 0 or not f.hasGeometry():
            continue
        g = f.geometry().buffer(d, 6)
        if g and not g.isEmpty():
            nf = QgsFeature()
            nf.setGeometry(g)
            feats.append(nf)
    mem.dataProvider().addFeatures(feats)
    mem.dataProvider().createSpatialIndex()  # memory layers have none: every page would test every corridor
    mem.updateExtents()
    col = QColor(COLOURS["pipelines"])
    mem.setRenderer(QgsSingleSymbolRenderer(
        _fill(COLOURS["pipelines"], 45, f"{col.red()},{col.green()},{col.blue()},110", 0.15)))  # a dotted outline
    return mem  # of km-long corridors costs seconds a page


def style_context(layers, cases: CaseSet, rules, transform_context=None, feedback=None) -> list:
    """Clones of the context layers with the conventional style of their role, in drawing order (top first)."""
    from qgis.core import QgsCoordinateTransform

    out = []
    for lyr in layers:
        role = context_role(lyr, cases.epoch, cases.prev_epoch)
        clone = lyr.clone()
        clone.setName(ROLE_LABELS.get(role) or lyr.name())
        clone.setRenderer(QgsSingleSymbolRenderer(role_symbol(role, _geom_kind(lyr))))
        clone.setLabelsEnabled(False)
        if role == "pipelines" and _geom_kind(lyr) == QgsWkbTypes.LineGeometry:
            corridors = pipe_corridors(lyr, pipe_clearance_expression(lyr, rules), feedback)
            if corridors is not None:
                out.append(ContextLayer(corridors, "corridor"))
        ext = None
        if role == "districts":
            ext = QgsRectangle(lyr.extent())
            if lyr.crs() != cases.layer.crs() and transform_context is not None:
                try:
                    ext = QgsCoordinateTransform(lyr.crs(), cases.layer.crs(), transform_context).transformBoundingBox(ext)
                except Exception:  # noqa: BLE001 - an extent that cannot be transformed: the cases decide
                    ext = None
        out.append(ContextLayer(clone, role, ext))
    out.sort(key=lambda c: -ROLE_ORDER.index(c.role) if c.role in ROLE_ORDER else 0)
    return out


def build_report(project, cases: CaseSet, context: list, opts: AtlasOptions, verdict_order) -> QgsReport:
    """Cover + one page per case, as one QgsReport (the body follows the case in ``lw_page`` order)."""
    cases.keep = []
    cases.layer.setRenderer(_case_renderer(True))
    cases.highlight = cases.layer  # the legend entry of the case layer
    cases.layer.setName("图斑（红框为本页图斑）")
    cases.points = _copy(cases.layer)
    cases.points.setRenderer(_point_renderer())
    cases.keep.append(cases.points)
    report = QgsReport(project)
    cover = build_cover(project, cases, context, opts, verdict_order)
    report.setHeaderEnabled(True)
    report.setHeader(cover)
    section = QgsReportSectionFieldGroup()
    section.setLayer(cases.layer)
    section.setField("lw_page")
    section.setSortAscending(True)
    body = build_body(project, cases, context, opts)
    section.setBody(body)
    section.setBodyEnabled(True)
    report.appendChild(section)
    return report


def export_report(report, body_of, path: str, cases: CaseSet, feedback=None, dpi: float = 150.0):
    """Write ``report`` to ``path`` (one call to ``QgsLayoutExporter.exportToPdf``): progress per page, cancel
    through ``feedback``.  Returns (ok, canceled, error text)."""
    body = body_of(report)
    total_pages = cases.n + 1
    QgsExpressionContextUtils.setLayoutVariable(body, "lw_total_pages", total_pages)

    def on_feature():
        f = body.reportContext().feature()
        page = f["lw_page"] if f.isValid() else None
        QgsExpressionContextUtils.setLayoutVariable(body, "lw_page", page)
        main, bar = body.itemById("main_map"), body.itemById("scalebar")
        if main is not None and bar is not None and main.scale() > 0:  # the map already follows the case
            bar.setUnitsPerSegment(nice_segment(main.scale()))
            bar.update()
        if feedback is not None and page:
            feedback.setProgress(100.0 * (int(page) - 1) / max(cases.n, 1))

    body.reportContext().changed.connect(on_feature)
    settings = QgsLayoutExporter.PdfExportSettings()
    settings.dpi = dpi
    settings.rasterizeWholeImage = False
    settings.forceVectorOutput = False
    settings.appendGeoreference = False
    settings.exportMetadata = True
    settings.simplifyGeometries = True
    settings.textRenderFormat = QgsRenderContext.TextFormatAlwaysText
    result, error = QgsLayoutExporter.exportToPdf(report, path, settings, feedback)
    try:
        body.reportContext().changed.disconnect(on_feature)
    except (TypeError, RuntimeError):
        pass
    if result == QgsLayoutExporter.Canceled or (feedback is not None and feedback.isCanceled()):
        return False, True, error
    if result != QgsLayoutExporter.Success:
        return False, False, error or _export_error_text(result)
    return True, False, ""


def _export_error_text(code) -> str:
    return {QgsLayoutExporter.FileError: tr("cannot write the file"),
            QgsLayoutExporter.PrintError: tr("print error"),
            QgsLayoutExporter.MemoryError: tr("out of memory"),
            QgsLayoutExporter.SvgLayerError: tr("SVG layer error"),
            QgsLayoutExporter.IteratorError: tr("atlas iteration error")}.get(code, tr("export error {code}").format(code=code))


def report_body(report) -> QgsLayout:
    return report.childSection(0).body()


def page_rect():
    return QRectF(0, 0, PAGE_W, PAGE_H)


__all__ = ["CJK_FONTS", "AtlasOptions", "CaseSet", "ContextLayer", "build_report", "case_layer", "context_role",
           "export_report", "pick_cjk_font", "report_body", "role_symbol", "style_context", "wrap_text"]
