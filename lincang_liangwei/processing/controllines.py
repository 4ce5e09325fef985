"""liangwei:controllines — 控制线压占检查 (control-line encroachment)."""
from __future__ import annotations

import time

import numpy as np
from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsWkbTypes,
)

from ..core import RunCancelledError
from .base import LiangweiAlgorithm, canceled, progress_to

# parameter name -> (line type, label shown in the dialog)
ZONE_PARAMS = (
    ("RED_LINES", "red", "道路红线 Red lines (road / land-use boundaries)"),
    ("BLUE_LINES", "blue", "河道蓝线 Blue lines (rivers, lakes, wetlands)"),
    ("GREEN_LINES", "green", "绿线 Green lines (public green space)"),
    ("YELLOW_LINES", "yellow", "黄线 Yellow lines (key infrastructure land)"),
    ("PURPLE_LINES", "purple", "紫线 Purple lines (historic conservation areas)"),
    ("WATER_SOURCE", "water_source", "水源保护区 Water-source protection zones"),
)
NAME_FIELD_CANDIDATES = ("name", "zone_name", "名称", "mc", "zone", "mingcheng", "name_cn")

HIT_FIELDS = (("bld_fid", "int64"), ("line_type", "string"), ("line_label", "string"), ("zone_fid", "int64"),
              ("zone_name", "string"), ("enc_area", "double"), ("enc_ratio", "double"), ("hit_kind", "string"),
              ("setback_m", "double"), ("basis", "string"))


def find_name_field(fields, requested: str = "") -> str:
    """The zone layer's name field: the requested one, else a usual name, else ''."""
    names = fields.names()
    if requested and requested in names:
        return requested
    lower = {n.lower(): n for n in names}
    for cand in NAME_FIELD_CANDIDATES:
        if cand in lower:
            return lower[cand]
    return ""


class ControlLinesAlgorithm(LiangweiAlgorithm):
    NAME = "controllines"
    DISPLAY = "控制线压占检查 (Control-line encroachment)"
    ICON = "controllines"
    TAGS = ("红线", "蓝线", "绿线", "黄线", "紫线", "水源保护区", "控制线", "压占", "encroachment", "control lines")

    FOOTPRINTS = "FOOTPRINTS"
    MIN_AREA = "MIN_AREA"
    MIN_RATIO = "MIN_RATIO"
    NAME_FIELD = "NAME_FIELD"
    OUTPUT = "OUTPUT"
    OUTPUT_BUILDINGS = "OUTPUT_BUILDINGS"

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS API
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.FOOTPRINTS, self.tr("建筑轮廓 Building footprints"), [QgsProcessing.TypeVectorPolygon]))
        for param, _type, label in ZONE_PARAMS:
            self.addParameter(QgsProcessingParameterFeatureSource(
                param, self.tr(label), [QgsProcessing.TypeVectorPolygon, QgsProcessing.TypeVectorLine],
                optional=True))
        p = QgsProcessingParameterNumber(self.MIN_AREA, self.tr("最小压占面积 Minimum encroached area (m²)"),
                                         QgsProcessingParameterNumber.Double, 1.0, minValue=0.0)
        p.setHelp(self.tr("小于此面积的压占视为轮廓误差忽略 / smaller overlaps are treated as outline noise"))
        self.addParameter(p)
        p = QgsProcessingParameterNumber(self.MIN_RATIO, self.tr("最小压占比例 Minimum share of the footprint (0–1)"),
                                         QgsProcessingParameterNumber.Double, 0.0, minValue=0.0, maxValue=1.0)
        self.addParameter(p)
        self.addParameter(QgsProcessingParameterString(
            self.NAME_FIELD, self.tr("控制线名称字段（留空自动识别）Zone name field (empty = auto)"),
            defaultValue="", optional=True))
        self.add_rules_parameter("规则文件（可选，覆盖默认退让距离与依据）Rules file (optional)")
        self.add_work_crs_parameter()
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, self.tr("压占图斑 Encroached pieces"), QgsProcessing.TypeVectorPolygon))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT_BUILDINGS, self.tr("建筑压占汇总 Buildings with encroachment summary"),
            QgsProcessing.TypeVectorPolygon, optional=True, createByDefault=True))
        self.add_count_outputs((("N_BUILDINGS", "建筑数 buildings in"), ("N_USED", "参与计算 buildings used"),
                                ("N_HIT_BUILDINGS", "压占建筑数 buildings encroaching"),
                                ("N_HITS", "压占记录数 (building, zone) hits"),
                                ("ENC_AREA", "压占总面积 total encroached area (m²)")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 - QGIS API
        self.require_dependencies()
        from ..core.controllines import ZoneSet, encroachments
        from ..core.geometry import LINE, POLYGON, STATUS_NAMES
        from ..qgis_io.reader import read_layer, warn_if_disjoint
        from ..qgis_io.writer import write_features, write_source_rows

        t0 = time.time()
        dests = self.output_destinations(parameters, context, [self.FOOTPRINTS] + [p for p, *_ in ZONE_PARAMS],
                                       [self.OUTPUT, self.OUTPUT_BUILDINGS])
        rules = self.load_rules(parameters, context, feedback)
        bld_input = self.input_layer(parameters, self.FOOTPRINTS, context, feedback)
        source, bld_name = bld_input.source, bld_input.name
        work_crs = self.working_crs(parameters, source, bld_name, context, feedback)

        zone_sources = []
        for param, line_type, _label in ZONE_PARAMS:
            if self.parameterAsSource(parameters, param, context) is None:
                continue
            zinput = self.input_layer(parameters, param, context, feedback, geometry=("polygon", "line"))
            self.check_crs(zinput.source, zinput.name, work_crs, feedback, context)
            zone_sources.append((param, line_type, zinput))

        if not zone_sources:
            raise QgsProcessingException(
                "请至少选择一个控制线图层（红线、蓝线、绿线、黄线、紫线或水源保护区） / "
                "choose at least one control-line layer (red, blue, green, yellow, purple or water source)")

        bld_arrays, bld = read_layer(bld_input, POLYGON, dest_crs=work_crs, context=context, feedback=feedback,
                                     progress_from=0, progress_to=35)
        requested_name = self.parameterAsString(parameters, self.NAME_FIELD, context)
        zonesets = []
        setbacks = {}
        for k, (_param, line_type, zinput) in enumerate(zone_sources):
            zsrc, zname = zinput.source, zinput.name
            is_line = QgsWkbTypes.geometryType(zsrc.wkbType()) == QgsWkbTypes.LineGeometry
            name_field = find_name_field(zsrc.fields(), requested_name)
            fields = [name_field] if name_field else []
            arrays, cleaned = read_layer(zinput, LINE if is_line else POLYGON, dest_crs=work_crs, context=context,
                                         feedback=feedback, fields=fields)
            used = cleaned.used
            warn_if_disjoint(feedback, zname, cleaned.geoms[used], bld_name, bld.geoms[bld.used])
            names = arrays.attrs[name_field][used] if name_field else None
            zgeoms, zfids = cleaned.geoms[used], arrays.fids[used]
            if is_line:  # closed rings (CAD polylines) enclose the zone: polygons; open lines keep the setback
                from ..core.cad import split_closed

                split = split_closed(zgeoms)
                if split.n_closed_parts:
                    zonesets.append(ZoneSet(line_type, split.polygons, zfids[split.poly_idx],
                                            None if names is None else names[split.poly_idx], False, zname))
                    feedback.pushInfo(f"{zname}: {split.n_closed_parts} 条闭合线按面处理（其内部的建筑计为压占），"
                                      f"{split.n_open_parts} 条开口线按线处理 / {split.n_closed_parts} closed rings "
                                      f"treated as polygons (a building inside encroaches), {split.n_open_parts} "
                                      f"open lines as lines")
                zgeoms, zfids = split.lines, zfids[split.line_idx]
                names = None if names is None else names[split.line_idx]
            zonesets.append(ZoneSet(line_type, zgeoms, zfids, names, is_line, zname))
            setbacks[line_type] = rules.setback_m(line_type)
            feedback.pushInfo(
                f"{zname} → {rules.line_label(line_type)} ({line_type})："
                f"{'线' if is_line else '面'}图层，退让 {setbacks[line_type]:g} m"
                + (f"，名称字段 {name_field}" if name_field else "，无名称字段")
                + f" / {'line' if is_line else 'polygon'} layer, setback {setbacks[line_type]:g} m")
            feedback.setProgress(35 + 5 * (k + 1) / len(zone_sources))

        min_area = self.parameterAsDouble(parameters, self.MIN_AREA, context)
        min_ratio = self.parameterAsDouble(parameters, self.MIN_RATIO, context)
        t_read = time.time()

        try:
            result = encroachments(bld.geoms, bld_arrays.fids, zonesets, setbacks, min_area, min_ratio,
                                   progress_to(feedback, 40, 65))
        except RunCancelledError:
            raise canceled() from None
        t_core = time.time()
        hits, stats = result.hits, result.stats
        feedback.pushInfo(
            f"候选对 {stats.pairs_tested}，压占 {stats.hits} 处，仅接触 {stats.touching_only} 处（不计），"
            f"小于阈值 {stats.suppressed_small} 处（不计） / {stats.pairs_tested} candidate pairs, "
            f"{stats.hits} encroachments, {stats.touching_only} touching only (not counted), "
            f"{stats.suppressed_small} below MIN_AREA/MIN_RATIO (not counted)")
        for line_type, (n_hits, n_b, area) in stats.by_type.items():
            feedback.pushInfo(f"  {rules.line_label(line_type)} ({line_type}): {n_b} 栋建筑 buildings, "
                              f"{n_hits} 处 hits, {area:,.1f} m²")

        # -- OUTPUT: one piece per (building, zone) --
        line_types = hits.line_type.to_numpy()
        labels = np.array([rules.line_label(t) for t in line_types], dtype=object)
        basis = np.array([rules.basis(t) for t in line_types], dtype=object)
        setback_col = np.array([setbacks[t] for t in line_types], dtype=float)
        dest_id = write_features(dests[self.OUTPUT], context, feedback, HIT_FIELDS, result.hit_geoms,
                                 [hits.bld_fid, line_types, labels, hits.zone_fid, hits.zone_name, hits.enc_area,
                                  hits.enc_ratio, hits.hit_kind, setback_col, basis], work_crs,
                                 progress_from=65, progress_to=70)
        results = {self.OUTPUT: dest_id}

        # -- OUTPUT_BUILDINGS: every input building, attributes kept, summary appended --
        b = result.buildings
        type_cols = [f"enc_{t}" for t in dict.fromkeys(z.line_type for z in zonesets)]
        extra_spec = [("n_zones", "int"), ("enc_area_total", "double"), ("line_types", "string"),
                      ("max_ratio", "double"), ("area_m2", "double"), ("geom_status", "string")]
        extra_spec += [(c, "double") for c in type_cols]
        status = np.asarray(STATUS_NAMES, dtype=object)[bld.status]
        columns = [b.n_zones, b.enc_area_total, b.line_types, b.max_ratio, b.area_m2, status] + [b[c] for c in type_cols]
        bdest = write_source_rows(dests[self.OUTPUT_BUILDINGS], context, feedback, source, bld_arrays.fids, columns,
                                  extra_spec, fast_file=bld_arrays.fast_file, progress_from=70, progress_to=100)
        if bdest is not None:
            results[self.OUTPUT_BUILDINGS] = bdest

        n_hit_b = int((b.n_zones > 0).sum())
        enc_total = float(b.enc_area_total.sum())
        rep = bld.report
        feedback.pushInfo(
            f"建筑 {rep.n_in} 栋 = 参与计算 {rep.n_used} + 跳过 {rep.n_skipped}；压占建筑 {n_hit_b} 栋，"
            f"压占总面积 {enc_total:,.1f} m² / buildings {rep.n_in} = {rep.n_used} used + {rep.n_skipped} skipped; "
            f"{n_hit_b} encroaching, {enc_total:,.1f} m² encroached")
        feedback.pushInfo(f"用时 / time: 读取 read {t_read - t0:.1f} s, 计算 compute {t_core - t_read:.1f} s, "
                          f"写出 write {time.time() - t_core:.1f} s")
        results.update({"N_BUILDINGS": rep.n_in, "N_USED": rep.n_used, "N_HIT_BUILDINGS": n_hit_b,
                        "N_HITS": int(len(hits)), "ENC_AREA": enc_total})
        return results
