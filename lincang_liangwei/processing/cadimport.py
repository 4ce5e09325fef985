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

from ..i18n import N_, tr
from .base import LiangweiAlgorithm, canceled, domain_error

POLY_FIELDS = (("cad_fid", "int64"), ("cad_layer", "string"), ("line_type", "string"), ("status", "string"),
               ("gap_m", "double"), ("area_m2", "double"))
LINE_FIELDS = (("cad_fid", "int64"), ("cad_layer", "string"), ("line_type", "string"), ("status", "string"),
               ("gap_m", "double"), ("length_m", "double"))
LAYER_FIELD_CANDIDATES = ("layer", "图层", "cad_layer", "layername", "layer_name")
TYPE_OUTPUTS = (("red", "N_RED", N_("red")), ("blue", "N_BLUE", N_("blue")), ("green", "N_GREEN", N_("green")),
                ("yellow", "N_YELLOW", N_("yellow")), ("purple", "N_PURPLE", N_("purple")),
                ("water_source", "N_WATER_SOURCE", N_("water source")))
STATUS_WORDS = {"closed": N_("closed"), "closed_gap": N_("closed across a gap"), "hatch": N_("hatch/area"),
                "open": N_("open line"), "gap_too_large": N_("gap beyond tolerance"),
                "degenerate": N_("closed, no area")}
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
            tr("cannot read the CAD file {path}: GDAL does not read it (DWG needs GDAL's CAD driver; otherwise "
               "save it as DXF in the CAD program)").format(path=path))
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
                tr("layer '{layer}' of the CAD file has no field '{field}'").format(layer=lyr.GetName(),
                                                                                     field=layer_field))
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
    DISPLAY = N_("Import control lines from CAD")
    GROUP_ID = "prepare"
    GROUP = N_("Prepare data")
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
            self.INPUT, self.tr("CAD drawing (DXF / DWG)"),
            fileFilter="CAD (*.dxf *.DXF *.dwg *.DWG);;All files (*.*)"))
        p = QgsProcessingParameterCrs(
            self.CRS, self.tr("Drawing CRS (required: a DXF has none)"), optional=True)
        p.setHelp(self.tr("the projected CRS the drawing's coordinates are in, e.g. CGCS2000 3-degree zone EPSG:4542"))
        self.addParameter(p)
        p = QgsProcessingParameterString(
            self.LAYER_MAP, self.tr("CAD layer name → line type (name=type;…)"),
            defaultValue=DEFAULT_LAYER_MAP, optional=True)
        p.setHelp(self.tr("types: red blue green yellow purple water_source; =ignore (or =忽略) marks a layer that is not a "
                          "control line. Matching ignores case, spaces, prefixes and suffixes"))
        self.addParameter(p)
        self.addParameter(QgsProcessingParameterString(
            self.LAYER_FIELD, self.tr("CAD layer field (empty = auto: Layer)"),
            defaultValue="", optional=True))
        p = QgsProcessingParameterNumber(
            self.TOLERANCE, self.tr("Closing tolerance (m)"), QgsProcessingParameterNumber.Double, 0.5,
            minValue=0.0)
        p.setHelp(self.tr("polylines whose ends are at most this far apart are closed and become polygons"))
        self.addParameter(p)
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, self.tr("Control-line polygons"), QgsProcessing.TypeVectorPolygon))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT_LINES, self.tr("Control lines that stay lines"), QgsProcessing.TypeVectorLine,
            optional=True, createByDefault=True))
        outputs = [("N_FEATURES", N_("CAD features in")), ("N_POLYGONS", N_("polygons")),
                   ("N_LINES", N_("lines")), ("N_CLOSED_GAP", N_("closed across a gap")),
                   ("N_NOT_CLOSED", N_("not closed: gap beyond tolerance")),
                   ("N_UNMAPPED", N_("features on unmatched CAD layers")),
                   ("N_UNMAPPED_LAYERS", N_("unmatched CAD layers"))]
        outputs += [(name, self.tr("{type} (polygons + lines)").format(type=self.tr(label)))
                    for _t, name, label in TYPE_OUTPUTS]
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
            raise QgsProcessingException(self.tr("CAD file not found: {path}").format(path=path))
        self._refuse_output_over_input(parameters, path)
        dests = self.output_destinations(parameters, context, [], [self.OUTPUT, self.OUTPUT_LINES])
        try:
            mapping = parse_layer_map(self.parameterAsString(parameters, self.LAYER_MAP, context))
        except CadMappingError as exc:
            raise QgsProcessingException(
                self.tr("unknown line type '{value}' in the layer mapping item '{key}={value}'; use one of {types} "
                        "or ignore").format(value=exc.value, key=exc.key, types=", ".join(LINE_TYPES))) from None
        except RulesError as exc:
            raise domain_error(exc) from None
        tolerance = self.parameterAsDouble(parameters, self.TOLERANCE, context)
        layer_field = (self.parameterAsString(parameters, self.LAYER_FIELD, context) or "").strip()

        fids, geoms, names, info = read_cad(path, layer_field, feedback)
        crs = self._drawing_crs(parameters, context, info, path, geoms)
        feedback.pushInfo(self.tr("{file} (GDAL {driver}): {n} CAD features, layer names from {field}, CRS {crs}").format(
            file=os.path.basename(path), driver=info["driver"], n=len(fids),
            field=info["field"] or self.tr("the OGR layer names"), crs=crs.authid() or crs.description()))
        if info["n_curved"]:
            feedback.pushInfo("  " + self.tr("{n} curves (arcs, bulges) segmentised").format(n=info["n_curved"]))
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
        feedback.pushInfo(self.tr("time: {s} s").format(s=f"{time.time() - t0:.1f}"))
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
                    self.tr("output {param} points at the input CAD file {path}: writing it would replace the "
                            "drawing. Choose another output file.").format(param=param, path=path))

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
                self.tr("The CAD drawing has no coordinate reference system: choose the projected CRS its "
                        "coordinates are in (e.g. EPSG:4542) in the Drawing CRS parameter; without it areas, "
                        "distances and overlays are meaningless."))
        if crs.isGeographic():
            raise QgsProcessingException(
                self.tr("the drawing CRS {crs} is geographic (degrees); the closing tolerance is in metres: choose a "
                        "projected CRS").format(crs=crs.authid()))
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
                        self.tr("the drawing's coordinates ({span}) do not fit the chosen CRS {crs}: the drawing may "
                                "use a local grid or another 3-degree zone. Choose the right CRS (or transform the "
                                "drawing in CAD first).").format(
                            span=f"{xmin:.6g}, {ymin:.6g} – {xmax:.6g}, {ymax:.6g}", crs=crs.authid()))
        return crs

    @staticmethod
    def _log_report(feedback, result, tolerance):
        rep = result.report
        feedback.pushInfo(
            tr("{n} CAD features: {polygons} polygons, {lines} lines; {unmapped} features on unmatched layers, "
               "{ignored} ignored by the mapping, {null} without geometry, {other} parts neither line nor area "
               "(text, points)").format(n=rep.n_features, polygons=rep.n_polygons, lines=rep.n_lines,
                                        unmapped=rep.n_unmapped, ignored=rep.n_ignored, null=rep.n_null,
                                        other=rep.n_other))
        for t, (n_poly, n_line, area) in rep.by_type.items():
            feedback.pushInfo("  " + tr("{type}: {polygons} polygons ({area} m²), {lines} lines").format(
                type=t, polygons=n_poly, area=f"{area:,.1f}", lines=n_line))
        for status, n in rep.by_status.items():
            word = tr(STATUS_WORDS[status]) if status in STATUS_WORDS else status
            feedback.pushInfo(f"  {word} ({status}): {n}")
        if rep.n_repaired:
            feedback.pushInfo("  " + tr("{n} self-crossing rings or hatches repaired to valid polygons").format(
                n=rep.n_repaired))
        if rep.not_closed:
            feedback.pushWarning(
                tr("{n} polylines look closed but their gap exceeds the closing tolerance {m} m: kept as lines (a "
                   "building inside is not flagged). Close them in CAD or raise the tolerance.").format(
                    n=len(rep.not_closed), m=f"{tolerance:g}"))
            for fid, layer, t, gap in rep.not_closed[:MAX_LISTED]:
                feedback.pushInfo("    " + tr("CAD feature {fid} (layer {layer}, {type}): gap {gap} m").format(
                    fid=fid, layer=layer, type=t, gap=f"{gap:.3f}"))
            if len(rep.not_closed) > MAX_LISTED:
                feedback.pushInfo("    " + tr("… {n} more").format(n=len(rep.not_closed) - MAX_LISTED))
        if rep.unmatched_layers:
            listed = sorted(rep.unmatched_layers.items(), key=lambda kv: -kv[1])
            text = "; ".join(f"{name or tr('(empty)')} {n}" for name, n in listed[:MAX_LISTED])
            if len(listed) > MAX_LISTED:
                text += " " + tr("… ({n} in all)").format(n=len(listed))
            feedback.pushWarning(
                tr("{n} CAD layers matched no line type and their {features} features were not imported; add any "
                   "control-line layer among them to the mapping: {layers}").format(
                    n=len(listed), features=rep.n_unmapped, layers=text))
        if rep.n_polygons + rep.n_lines == 0:
            feedback.pushWarning(tr("No control line imported: check the layer mapping"))
