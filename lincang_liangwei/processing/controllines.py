"""liangwei:controllines — 控制线压占检查 (control-line encroachment)."""
from __future__ import annotations

import time

import numpy as np
from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsWkbTypes,
)

from ..core import RunCancelledError
from ..core.outputs import BUILDING_SUMMARY_FIELDS, HIT_FIELDS
from ..i18n import N_
from ..qgis_io.messages import LINE, POLYGON, kind_word, timing_line
from ..qgis_io.preselect import building_layer_default
from .base import LiangweiAlgorithm, canceled, progress_to

# parameter name -> (line type, label shown in the dialog)
ZONE_PARAMS = (
    ("RED_LINES", "red", N_("Red lines (road / land-use boundaries)")),
    ("BLUE_LINES", "blue", N_("Blue lines (rivers, lakes, wetlands)")),
    ("GREEN_LINES", "green", N_("Green lines (public green space)")),
    ("YELLOW_LINES", "yellow", N_("Yellow lines (key infrastructure land)")),
    ("PURPLE_LINES", "purple", N_("Purple lines (historic conservation areas)")),
    ("WATER_SOURCE", "water_source", N_("Water-source protection zones")),
)
NAME_FIELD_CANDIDATES = ("name", "zone_name", "名称", "mc", "zone", "mingcheng", "name_cn")



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
    DISPLAY = N_("Control-line encroachment")
    ICON = "controllines"
    TAGS = ("红线", "蓝线", "绿线", "黄线", "紫线", "水源保护区", "控制线", "压占", "encroachment", "control lines")

    FOOTPRINTS = "FOOTPRINTS"
    MIN_AREA = "MIN_AREA"
    MIN_RATIO = "MIN_RATIO"
    NAME_FIELD = "NAME_FIELD"
    ID_FIELDS = "ID_FIELDS"
    OUTPUT = "OUTPUT"
    OUTPUT_BUILDINGS = "OUTPUT_BUILDINGS"

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS API
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.FOOTPRINTS, self.tr("Building footprints"), [QgsProcessing.TypeVectorPolygon],
            defaultValue=building_layer_default()))
        for param, _type, label in ZONE_PARAMS:
            self.addParameter(QgsProcessingParameterFeatureSource(
                param, self.tr(label), [QgsProcessing.TypeVectorPolygon, QgsProcessing.TypeVectorLine],
                optional=True))
        p = QgsProcessingParameterNumber(self.MIN_AREA, self.tr("Minimum encroached area (m²)"),
                                         QgsProcessingParameterNumber.Double, 1.0, minValue=0.0)
        p.setHelp(self.tr("smaller overlaps are treated as outline noise"))
        self.addParameter(p)
        p = QgsProcessingParameterNumber(self.MIN_RATIO, self.tr("Minimum share of the footprint (0–1)"),
                                         QgsProcessingParameterNumber.Double, 0.0, minValue=0.0, maxValue=1.0)
        self.addParameter(p)
        self.addParameter(QgsProcessingParameterString(
            self.NAME_FIELD, self.tr("Zone name field (empty = auto)"),
            defaultValue="", optional=True))
        p = QgsProcessingParameterField(
            self.ID_FIELDS, self.tr("Building id fields copied to the output (empty = auto)"),
            parentLayerParameterName=self.FOOTPRINTS, allowMultiple=True, optional=True)
        p.setHelp(self.tr("copied next to bld_fid; empty = the first field named like a building id (survey_id, "
                          "bsm, fwbh, building_id, objectid, id, code or their Chinese names)"))
        self.addParameter(p)
        self.add_rules_parameter(N_("Rules file (optional: setbacks and legal basis)"))
        self.add_work_crs_parameter()
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, self.tr("Encroached pieces"), QgsProcessing.TypeVectorPolygon))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT_BUILDINGS, self.tr("Buildings with encroachment summary"),
            QgsProcessing.TypeVectorPolygon, optional=True, createByDefault=True))
        self.add_count_outputs((("N_BUILDINGS", N_("buildings in")), ("N_USED", N_("buildings used")),
                                ("N_HIT_BUILDINGS", N_("buildings encroaching")),
                                ("N_HITS", N_("(building, zone) hits")),
                                ("ENC_AREA", N_("total encroached area (m²)"))))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 - QGIS API
        self.require_dependencies()
        from ..core.controllines import ZoneSet, encroachments
        from ..core.geometry import STATUS_NAMES
        from ..core.idfields import auto_id_fields, id_columns, id_field_kind, id_output_spec
        from ..qgis_io.reader import log_clean_report, read_footprints, read_layer, warn_if_disjoint
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
                self.tr("Choose at least one control-line layer (red, blue, green, yellow, purple or water source)"))

        id_fields = self.parameterAsFields(parameters, self.ID_FIELDS, context) or auto_id_fields(source.fields().names())
        stream, bld_arrays, bld, bld_extent = read_footprints(bld_input, dest_crs=work_crs, context=context,
                                                              feedback=feedback, fields=id_fields, progress_to=35)
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
            warn_if_disjoint(feedback, zname, cleaned.geoms[used], bld_name, bld_extent)
            names = arrays.attrs[name_field][used] if name_field else None
            zgeoms, zfids = cleaned.geoms[used], arrays.fids[used]
            if is_line:  # closed rings (CAD polylines) enclose the zone: polygons; open lines keep the setback
                from ..core.cad import split_closed

                split = split_closed(zgeoms)
                if split.n_closed_parts:
                    zonesets.append(ZoneSet(line_type, split.polygons, zfids[split.poly_idx],
                                            None if names is None else names[split.poly_idx], False, zname))
                    feedback.pushInfo(self.tr("{layer}: {closed} closed rings treated as polygons (a building inside "
                                              "encroaches), {open} open lines as lines").format(
                        layer=zname, closed=split.n_closed_parts, open=split.n_open_parts))
                zgeoms, zfids = split.lines, zfids[split.line_idx]
                names = None if names is None else names[split.line_idx]
            zonesets.append(ZoneSet(line_type, zgeoms, zfids, names, is_line, zname))
            setbacks[line_type] = rules.setback_m(line_type)
            if name_field:
                what = self.tr("{layer} → {label} ({type}): {kind} layer, setback {m} m, name field {field}")
            else:
                what = self.tr("{layer} → {label} ({type}): {kind} layer, setback {m} m, no name field")
            feedback.pushInfo(what.format(layer=zname, label=rules.line_label(line_type), type=line_type,
                                          kind=kind_word(LINE if is_line else POLYGON), m=f"{setbacks[line_type]:g}",
                                          field=name_field))
            feedback.setProgress(35 + 5 * (k + 1) / len(zone_sources))

        min_area = self.parameterAsDouble(parameters, self.MIN_AREA, context)
        min_ratio = self.parameterAsDouble(parameters, self.MIN_RATIO, context)
        t_read = time.time()

        try:
            if stream is None:
                result = encroachments(bld.geoms, bld_arrays.fids, zonesets, setbacks, min_area, min_ratio,
                                       progress_to(feedback, 40, 65))
                hits, hit_geoms, b, stats = result.hits, result.hit_geoms, result.buildings, result.stats
                fids, status, fast_file = bld_arrays.fids, bld.status, bld_arrays.fast_file
            else:
                from ..streaming import controllines as streamed

                sres = streamed(stream, zonesets, setbacks, min_area, min_ratio, progress=progress_to(feedback, 40, 65))
                log_clean_report(sres.clean_report, feedback)
                hits, hit_geoms, b, stats = sres.hits, sres.hit_geoms, sres.buildings, sres.stats
                fids, status, fast_file = sres.fids, sres.status, (stream.path, stream.layer)
                t_read += sres.seconds["read"]    # reading happened tile by tile inside the computation
        except RunCancelledError:
            raise canceled() from None
        t_core = time.time()
        feedback.pushInfo(
            self.tr("{pairs} candidate pairs, {hits} encroachments, {touching} touching only (not counted), {small} "
                    "below MIN_AREA/MIN_RATIO (not counted)").format(
                pairs=stats.pairs_tested, hits=stats.hits, touching=stats.touching_only, small=stats.suppressed_small))
        for line_type, (n_hits, n_b, area) in stats.by_type.items():
            feedback.pushInfo("  " + self.tr("{label} ({type}): {buildings} buildings, {hits} hits, {area} m²").format(
                label=rules.line_label(line_type), type=line_type, buildings=n_b, hits=n_hits, area=f"{area:,.1f}"))

        # -- OUTPUT: one piece per (building, zone) --
        line_types = hits.line_type.to_numpy()
        labels = np.array([rules.line_label(t) for t in line_types], dtype=object)
        basis = np.array([rules.basis(t) for t in line_types], dtype=object)
        setback_col = np.array([setbacks[t] for t in line_types], dtype=float)
        id_spec = id_output_spec(id_fields, [id_field_kind(source.fields().at(source.fields().lookupField(f))) for f in id_fields],
                                 [name for name, _ in HIT_FIELDS])
        if stream is None:
            id_cols = id_columns(bld_arrays.fids, bld_arrays.attrs, id_fields, [kind for _, kind in id_spec],
                                 hits.bld_fid.to_numpy())
        else:   # the id values travelled with each hit
            id_cols = id_columns(hits.bld_fid.to_numpy(), sres.hit_attrs, id_fields, [kind for _, kind in id_spec],
                                 hits.bld_fid.to_numpy())
        if id_fields:
            feedback.pushInfo(self.tr("Building id fields copied to the output: {fields}").format(
                fields=", ".join(f if f == out else f"{f} → {out}" for f, (out, _) in zip(id_fields, id_spec))))
        else:
            feedback.pushInfo(self.tr("No building id field found: the output identifies buildings by bld_fid only"))
        dest_id = write_features(dests[self.OUTPUT], context, feedback, HIT_FIELDS[:1] + tuple(id_spec) + HIT_FIELDS[1:],
                                 hit_geoms,
                                 [hits.bld_fid, *id_cols, line_types, labels, hits.zone_fid, hits.zone_name,
                                  hits.enc_area, hits.enc_ratio, hits.hit_kind, setback_col, basis, hits["where"]],
                                 work_crs, progress_from=65, progress_to=70)
        results = {self.OUTPUT: dest_id}

        # -- OUTPUT_BUILDINGS: every input building, attributes kept, summary appended --
        type_cols = [f"enc_{t}" for t in dict.fromkeys(z.line_type for z in zonesets)]
        extra_spec = list(BUILDING_SUMMARY_FIELDS) + [(c, "double") for c in type_cols]
        status = np.asarray(STATUS_NAMES, dtype=object)[status]
        columns = [b.n_zones, b.enc_area_total, b.line_types, b.max_ratio, b.area_m2, status] + [b[c] for c in type_cols]
        bdest = write_source_rows(dests[self.OUTPUT_BUILDINGS], context, feedback, source, fids, columns,
                                  extra_spec, fast_file=fast_file, progress_from=70, progress_to=100,
                                  bounds=None if stream is None else sres.bounds)
        if bdest is not None:
            results[self.OUTPUT_BUILDINGS] = bdest

        n_hit_b = int((b.n_zones > 0).sum())
        enc_total = float(b.enc_area_total.sum())
        rep = bld.report if stream is None else sres.clean_report
        feedback.pushInfo(
            self.tr("buildings {n} = {used} used + {skipped} skipped; {hit} encroaching, {area} m² encroached").format(
                n=rep.n_in, used=rep.n_used, skipped=rep.n_skipped, hit=n_hit_b, area=f"{enc_total:,.1f}"))
        feedback.pushInfo(timing_line(t_read - t0, t_core - t_read, time.time() - t_core))
        results.update({"N_BUILDINGS": rep.n_in, "N_USED": rep.n_used, "N_HIT_BUILDINGS": n_hit_b,
                        "N_HITS": int(len(hits)), "ENC_AREA": enc_total})
        return results
