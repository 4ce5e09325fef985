"""liangwei:cadimport — CAD 控制线导入 (control lines from a DXF / DWG drawing)."""
from __future__ import annotations

import time

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingParameterCrs,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFile,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from .base import LiangweiAlgorithm, canceled

POLY_FIELDS = (("cad_fid", "int64"), ("cad_layer", "string"), ("line_type", "string"), ("status", "string"),
               ("gap_m", "double"), ("area_m2", "double"))
LINE_FIELDS = (("cad_fid", "int64"), ("cad_layer", "string"), ("line_type", "string"), ("status", "string"),
               ("gap_m", "double"), ("length_m", "double"))
LAYER_FIELD_CANDIDATES = ("layer", "图层", "cad_layer", "layername", "layer_name")
TYPE_OUTPUTS = (("red", "N_RED", "红线 red"), ("blue", "N_BLUE", "蓝线 blue"), ("green", "N_GREEN", "绿线 green"),
                ("yellow", "N_YELLOW", "黄线 yellow"), ("purple", "N_PURPLE", "紫线 purple"),
                ("water_source", "N_WATER_SOURCE", "水源保护区 water source"))
STATUS_WORDS = {"closed": "闭合 closed", "closed_gap": "按容差闭合 closed across a gap", "hatch": "填充面 hatch/area",
                "open": "开口线 open line", "gap_too_large": "缺口超过容差 gap beyond tolerance",
                "degenerate": "闭合但无面积 closed, no area"}
MAX_LISTED = 20


def _fix_mojibake(text: str) -> str:
    """UTF-8 text that GDAL decoded as Latin-1 / CP1252 (the DXF header named
    another code page, as ogr2ogr's own DXF files do) -> the original text."""
    if not text or text.isascii():
        return text
    for enc in ("latin-1", "cp1252"):
        try:
            fixed = text.encode(enc).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if fixed != text:
            return fixed
    return text


def read_cad(path: str, layer_field: str, feedback):
    """Every feature of every layer of the CAD file as (fids, geoms, CAD layer names, info).

    Read with the system GDAL (the one QGIS uses): the Arrow stream in bulk;
    curved geometries (arcs, bulges), which shapely cannot decode, are
    segmentised by GDAL one by one.  The CAD layer name is the ``Layer`` field
    (GDAL's DXF driver) or, when the file has no such field (GDAL's CAD/DWG
    driver gives one OGR layer per CAD layer), the OGR layer's name.
    """
    import numpy as np
    import shapely
    from osgeo import ogr

    ds = ogr.Open(path)
    if ds is None:
        raise QgsProcessingException(
            f"无法读取 CAD 文件 {path}：GDAL 不支持此文件（DWG 需要 GDAL 的 CAD 驱动，或先在 CAD 中另存为 DXF） / "
            f"cannot read the CAD file {path}: GDAL does not read it (DWG needs GDAL's CAD driver; "
            f"otherwise save it as DXF in the CAD program)")
    fids, wkbs, names = [], [], []
    info = {"driver": ds.GetDriver().GetName(), "layers": [], "field": "", "n_curved": 0, "srs": None}
    offset = 0
    for li in range(ds.GetLayerCount()):
        lyr = ds.GetLayer(li)
        defn = lyr.GetLayerDefn()
        all_names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
        lower = {n.lower(): n for n in all_names}
        field = layer_field if layer_field in all_names else lower.get(layer_field.lower(), "") if layer_field else ""
        if layer_field and not field:
            raise QgsProcessingException(
                f"CAD 文件图层“{lyr.GetName()}”中没有字段“{layer_field}” / "
                f"layer '{lyr.GetName()}' of the CAD file has no field '{layer_field}'")
        if not field:
            field = next((lower[c] for c in LAYER_FIELD_CANDIDATES if c in lower), "")
        info["layers"].append(lyr.GetName())
        info["field"] = info["field"] or field
        srs = lyr.GetSpatialRef()
        if srs is not None and info["srs"] is None:
            info["srs"] = srs.ExportToWkt()
        lyr.SetIgnoredFields([n for n in all_names if n != field])
        lnames, lwkb, lfid = [], [], []
        if hasattr(lyr, "GetArrowStreamAsNumPy"):
            geom_col = lyr.GetGeometryColumn() or "wkb_geometry"
            for batch in lyr.GetArrowStreamAsNumPy(options=["INCLUDE_FID=YES"]):
                if feedback.isCanceled():
                    raise canceled()
                fid_key = next((k for k in batch if k not in (geom_col, field)), None)
                n = len(batch[geom_col])
                lfid.append(np.asarray(batch[fid_key]) if fid_key else np.arange(offset, offset + n))
                lwkb.append(np.asarray(batch[geom_col], dtype=object))
                if field:
                    vals = batch[field]
                    lnames.extend(v.decode("utf-8", "replace") if isinstance(v, bytes) else v
                                  for v in np.ma.filled(vals, None).tolist())
                else:
                    lnames.extend([lyr.GetName()] * n)
                offset += n
        else:  # GDAL < 3.6
            for k, feat in enumerate(lyr):
                if k % 5000 == 0 and feedback.isCanceled():
                    raise canceled()
                g = feat.GetGeometryRef()
                lfid.append(np.array([feat.GetFID()]))
                lwkb.append(np.array([None if g is None else bytes(g.ExportToIsoWkb())], dtype=object))
                lnames.append(feat.GetField(field) if field else lyr.GetName())
        fids.extend(lfid)
        wkbs.extend(lwkb)
        names.extend(lnames)
    fid_arr = np.concatenate(fids).astype(np.int64) if fids else np.empty(0, dtype=np.int64)
    wkb_arr = np.concatenate(wkbs) if wkbs else np.empty(0, dtype=object)
    wkb_arr = np.array([None if w is None else bytes(w) for w in wkb_arr.tolist()], dtype=object)
    geoms = shapely.from_wkb(wkb_arr, on_invalid="ignore") if len(wkb_arr) else np.empty(0, dtype=object)
    failed = np.flatnonzero(shapely.is_missing(geoms) & (wkb_arr != None))  # noqa: E711 - elementwise
    for i in failed:  # curves: GDAL segmentises them (few per drawing)
        g = ogr.CreateGeometryFromWkb(wkb_arr[i])
        if g is not None:
            geoms[i] = shapely.from_wkb(bytes(g.GetLinearGeometry().ExportToIsoWkb()), on_invalid="ignore")
    info["n_curved"] = int(len(failed))
    name_arr = np.empty(len(names), dtype=object)
    uniq = {n: _fix_mojibake(n) if isinstance(n, str) else ("" if n is None else str(n)) for n in set(names)}
    name_arr[:] = [uniq[n] for n in names]
    return fid_arr, geoms, name_arr, info


class CadImportAlgorithm(LiangweiAlgorithm):
    NAME = "cadimport"
    DISPLAY = "CAD 控制线导入 (Import control lines from CAD)"
    GROUP_ID = "prepare"
    GROUP = "数据准备 (Prepare data)"
    ICON = "controllines"
    TAGS = ("CAD", "DXF", "DWG", "红线", "蓝线", "绿线", "黄线", "紫线", "控制线", "闭合", "import", "control lines")

    INPUT = "INPUT"
    CRS = "CRS"
    LAYER_MAP = "LAYER_MAP"
    LAYER_FIELD = "LAYER_FIELD"
    TOLERANCE = "TOLERANCE"
    OUTPUT = "OUTPUT"
    OUTPUT_LINES = "OUTPUT_LINES"

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS API
        from ..core.cad_defaults import DEFAULT_LAYER_MAP

        self.addParameter(QgsProcessingParameterFile(
            self.INPUT, self.tr("CAD 文件 (DXF / DWG) CAD drawing (DXF / DWG)"),
            fileFilter="CAD (*.dxf *.DXF *.dwg *.DWG);;All files (*.*)"))
        p = QgsProcessingParameterCrs(
            self.CRS, self.tr("图纸坐标系（必填，DXF 不带坐标系）Drawing CRS (required: a DXF has none)"), optional=True)
        p.setHelp(self.tr("图纸坐标所用的投影坐标系，如 CGCS2000 3 度带 EPSG:4542 / the projected CRS the drawing's "
                          "coordinates are in, e.g. CGCS2000 3-degree zone EPSG:4542"))
        self.addParameter(p)
        p = QgsProcessingParameterString(
            self.LAYER_MAP, self.tr("CAD 图层名→控制线类型 CAD layer name → line type (名称=类型;…)"),
            defaultValue=DEFAULT_LAYER_MAP, optional=True)
        p.setHelp(self.tr("类型：red blue green yellow purple water_source；=忽略 表示该图层不是控制线。"
                          "匹配不区分大小写、空格和前后缀 / types: red blue green yellow purple water_source; "
                          "=ignore marks a layer that is not a control line. Matching ignores case, spaces, "
                          "prefixes and suffixes"))
        self.addParameter(p)
        self.addParameter(QgsProcessingParameterString(
            self.LAYER_FIELD, self.tr("图层名字段（留空自动识别 Layer）CAD layer field (empty = auto: Layer)"),
            defaultValue="", optional=True))
        p = QgsProcessingParameterNumber(
            self.TOLERANCE, self.tr("闭合容差 Closing tolerance (m)"), QgsProcessingParameterNumber.Double, 0.5,
            minValue=0.0)
        p.setHelp(self.tr("首尾点距离不超过此值的多段线视为闭合，转为面 / polylines whose ends are at most this far "
                          "apart are closed and become polygons"))
        self.addParameter(p)
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, self.tr("控制线面 Control-line polygons"), QgsProcessing.TypeVectorPolygon))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT_LINES, self.tr("未闭合的控制线 Control lines that stay lines"), QgsProcessing.TypeVectorLine,
            optional=True, createByDefault=True))
        outputs = [("N_FEATURES", "CAD 要素数 CAD features in"), ("N_POLYGONS", "面 polygons"),
                   ("N_LINES", "线 lines"), ("N_CLOSED_GAP", "按容差闭合 closed across a gap"),
                   ("N_NOT_CLOSED", "缺口超过容差 not closed: gap beyond tolerance"),
                   ("N_UNMAPPED", "未匹配图层的要素 features on unmatched CAD layers"),
                   ("N_UNMAPPED_LAYERS", "未匹配的 CAD 图层 unmatched CAD layers")]
        outputs += [(name, f"{label}（面+线 polygons + lines）") for _t, name, label in TYPE_OUTPUTS]
        self.add_count_outputs(outputs)

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 - QGIS API
        self.require_dependencies()
        import os

        import numpy as np
        import shapely

        from ..core.cad import CadMappingError, import_cad, parse_layer_map
        from ..core.rules import LINE_TYPES, RulesError
        from ..qgis_io.writer import write_features

        t0 = time.time()
        path = self.parameterAsFile(parameters, self.INPUT, context)
        if not path or not os.path.isfile(path):
            raise QgsProcessingException(f"找不到 CAD 文件 {path} / CAD file not found: {path}")
        self._refuse_output_over_input(parameters, path)
        dests = self.output_destinations(parameters, context, [], [self.OUTPUT, self.OUTPUT_LINES])
        try:
            mapping = parse_layer_map(self.parameterAsString(parameters, self.LAYER_MAP, context))
        except CadMappingError as exc:
            raise QgsProcessingException(
                f"图层映射“{exc.key}={exc.value}”中的类型“{exc.value}”未知，可用：{', '.join(LINE_TYPES)} 或 忽略 / "
                f"unknown line type '{exc.value}' in the layer mapping item '{exc.key}={exc.value}'; "
                f"use one of {', '.join(LINE_TYPES)} or ignore") from None
        except RulesError as exc:
            raise QgsProcessingException(str(exc)) from None
        tolerance = self.parameterAsDouble(parameters, self.TOLERANCE, context)
        layer_field = (self.parameterAsString(parameters, self.LAYER_FIELD, context) or "").strip()

        fids, geoms, names, info = read_cad(path, layer_field, feedback)
        crs = self._drawing_crs(parameters, context, info, path, geoms)
        feedback.pushInfo(f"{os.path.basename(path)}（GDAL {info['driver']}）：{len(fids)} 个 CAD 要素，"
                          f"图层名取自 {info['field'] or 'OGR 图层名'}，坐标系 {crs.authid() or crs.description()} / "
                          f"{len(fids)} CAD features, layer names from {info['field'] or 'the OGR layer names'}, "
                          f"CRS {crs.authid() or crs.description()}")
        if info["n_curved"]:
            feedback.pushInfo(f"  {info['n_curved']} 个曲线（圆弧、凸度多段线）已离散为折线 / "
                              f"{info['n_curved']} curves (arcs, bulges) segmentised")
        feedback.setProgress(30)

        result = import_cad(geoms, names, mapping, tolerance)
        rep = result.report
        feedback.setProgress(60)
        self._log_report(feedback, result, tolerance)

        results = {}
        for param, lines, spec, geoms_out, columns, p0, p1 in (
                (self.OUTPUT, False, POLY_FIELDS, result.polygons,
                 [fids[result.poly_src], result.poly_layer, result.poly_type, result.poly_status, result.poly_gap,
                  shapely.area(result.polygons) if len(result.polygons) else np.empty(0)], 60, 80),
                (self.OUTPUT_LINES, True, LINE_FIELDS, result.lines,
                 [fids[result.line_src], result.line_layer, result.line_type, result.line_status, result.line_gap,
                  shapely.length(result.lines) if len(result.lines) else np.empty(0)], 80, 100)):
            dest_id = write_features(dests[param], context, feedback, spec, geoms_out, columns, crs,
                                     progress_from=p0, progress_to=p1, lines=lines)
            if dest_id is not None:
                results[param] = dest_id
        feedback.pushInfo(f"用时 / time: {time.time() - t0:.1f} s")
        results.update({
            "N_FEATURES": rep.n_features, "N_POLYGONS": rep.n_polygons, "N_LINES": rep.n_lines,
            "N_CLOSED_GAP": rep.by_status.get("closed_gap", 0), "N_NOT_CLOSED": rep.by_status.get("gap_too_large", 0),
            "N_UNMAPPED": rep.n_unmapped, "N_UNMAPPED_LAYERS": len(rep.unmatched_layers)})
        for t, name, _label in TYPE_OUTPUTS:
            n_poly, n_line, _area = rep.by_type.get(t, (0, 0, 0.0))
            results[name] = n_poly + n_line
        return results

    # -- helpers (no state on self) --
    def _refuse_output_over_input(self, parameters, path):
        import os

        for param in (self.OUTPUT, self.OUTPUT_LINES):
            value = parameters.get(param)
            sink = getattr(value, "sink", None)
            text = sink.staticValue() if sink is not None else (value if isinstance(value, str) else "")
            text = str(text or "").split("|")[0]
            if text.startswith("ogr:"):
                continue
            if text and os.path.exists(text) and os.path.realpath(text) == os.path.realpath(path):
                raise QgsProcessingException(
                    f"输出 {param} 指向输入的 CAD 文件 {path}，写入会覆盖原图。请另选输出文件。 / output {param} "
                    f"points at the input CAD file {path}: writing it would replace the drawing. "
                    f"Choose another output file.")

    def _drawing_crs(self, parameters, context, info, path, geoms):
        """The CRS parameter, else a real CRS in the file; refuse none, geographic, or not fitting."""
        import numpy as np
        import shapely

        crs = self.parameterAsCrs(parameters, self.CRS, context)
        if not crs.isValid() and info["srs"]:
            file_crs = QgsCoordinateReferenceSystem.fromWkt(info["srs"])
            # GDAL's "Undefined geographic SRS" (ogr2ogr from a DXF) is no CRS
            if file_crs.isValid() and "undefined" not in file_crs.description().lower():
                crs = file_crs
        if not crs.isValid():
            raise QgsProcessingException(
                "CAD 图纸不带坐标系：请在“图纸坐标系”参数中选择图纸坐标所用的投影坐标系（如 EPSG:4542 CGCS2000 / "
                "3-degree GK CM 99E），否则面积、距离和与其他图层的叠加都无从谈起。 / The CAD drawing has no "
                "coordinate reference system: choose the projected CRS its coordinates are in (e.g. EPSG:4542) "
                "in the Drawing CRS parameter; without it areas, distances and overlays are meaningless.")
        if crs.isGeographic():
            raise QgsProcessingException(
                f"图纸坐标系 {crs.authid()} 是地理坐标系（经纬度），闭合容差以米计，请选择投影坐标系 / the drawing CRS "
                f"{crs.authid()} is geographic (degrees); the closing tolerance is in metres: choose a projected CRS")
        present = ~shapely.is_missing(geoms)
        if present.any():
            xmin, ymin, xmax, ymax = shapely.total_bounds(geoms[present])
            area = crs.bounds()
            if np.isfinite(xmin) and not area.isNull() and not area.isEmpty():
                from qgis.core import QgsCoordinateTransform, QgsCsException, QgsRectangle

                try:
                    tr = QgsCoordinateTransform(crs, QgsCoordinateReferenceSystem("EPSG:4326"),
                                                context.transformContext())
                    wgs = tr.transformBoundingBox(QgsRectangle(xmin, ymin, xmax, ymax))
                    fits = wgs.isFinite() and area.buffered(5.0).intersects(wgs)
                except QgsCsException:
                    fits = False
                if not fits:
                    raise QgsProcessingException(
                        f"CAD 图纸坐标（范围 {xmin:.6g}, {ymin:.6g} – {xmax:.6g}, {ymax:.6g}）与所选坐标系 "
                        f"{crs.authid()} 不符：图纸可能是独立坐标系或另一 3 度带，请选对坐标系（或先在 CAD 中转换到"
                        f"城市坐标系） / the drawing's coordinates ({xmin:.6g}, {ymin:.6g} – {xmax:.6g}, {ymax:.6g}) "
                        f"do not fit the chosen CRS {crs.authid()}: the drawing may use a local grid or another "
                        f"3-degree zone. Choose the right CRS (or transform the drawing in CAD first).")
        return crs

    @staticmethod
    def _log_report(feedback, result, tolerance):
        rep = result.report
        feedback.pushInfo(
            f"CAD 要素 {rep.n_features} 个：控制线面 {rep.n_polygons} 个、线 {rep.n_lines} 条；"
            f"未匹配图层 {rep.n_unmapped} 个要素，按映射忽略 {rep.n_ignored} 个，无几何 {rep.n_null} 个，"
            f"非线非面（文字、点）{rep.n_other} 个 / {rep.n_features} CAD features: {rep.n_polygons} polygons, "
            f"{rep.n_lines} lines; {rep.n_unmapped} features on unmatched layers, {rep.n_ignored} ignored by the "
            f"mapping, {rep.n_null} without geometry, {rep.n_other} parts neither line nor area (text, points)")
        for t, (n_poly, n_line, area) in rep.by_type.items():
            feedback.pushInfo(f"  {t}: 面 {n_poly} 个（{area:,.1f} m²），线 {n_line} 条 / "
                              f"{n_poly} polygons ({area:,.1f} m²), {n_line} lines")
        for status, n in rep.by_status.items():
            feedback.pushInfo(f"  {STATUS_WORDS.get(status, status)} ({status}): {n}")
        if rep.n_repaired:
            feedback.pushInfo(f"  {rep.n_repaired} 个自相交的闭合线/填充已修复为有效面 / "
                              f"{rep.n_repaired} self-crossing rings or hatches repaired to valid polygons")
        if rep.not_closed:
            feedback.pushWarning(
                f"{len(rep.not_closed)} 条多段线看似闭合但首尾缺口大于闭合容差 {tolerance:g} m，仍按线处理（建筑在其内部"
                f"不会被认定压占），请在 CAD 中闭合或调大容差 / {len(rep.not_closed)} polylines look closed but "
                f"their gap exceeds the closing tolerance {tolerance:g} m: kept as lines (a building inside is not "
                f"flagged). Close them in CAD or raise the tolerance.")
            for fid, layer, t, gap in rep.not_closed[:MAX_LISTED]:
                feedback.pushInfo(f"    CAD 要素 {fid}（图层 {layer}，{t}）缺口 gap {gap:.3f} m")
            if len(rep.not_closed) > MAX_LISTED:
                feedback.pushInfo(f"    …… 另有 {len(rep.not_closed) - MAX_LISTED} 条 / "
                                  f"{len(rep.not_closed) - MAX_LISTED} more")
        if rep.unmatched_layers:
            listed = sorted(rep.unmatched_layers.items(), key=lambda kv: -kv[1])
            text = "；".join(f"{name or '(空)'} {n}" for name, n in listed[:MAX_LISTED])
            more = f" …（共 {len(listed)} 个 / {len(listed)} in all）" if len(listed) > MAX_LISTED else ""
            feedback.pushWarning(
                f"{len(listed)} 个 CAD 图层未匹配任何控制线类型，其 {rep.n_unmapped} 个要素未导入；如其中有控制线，"
                f"请在“CAD 图层名→控制线类型”中添加 / {len(listed)} CAD layers matched no line type and their "
                f"{rep.n_unmapped} features were not imported; add any control-line layer among them to the "
                f"mapping: {text}{more}")
        if rep.n_polygons + rep.n_lines == 0:
            feedback.pushWarning("没有导入任何控制线：请检查图层映射 / no control line imported: check the layer mapping")
