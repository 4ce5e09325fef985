"""liangwei:pipeclearance — 管线净距检查 (building-to-pipe clearance)."""
from __future__ import annotations

import time

from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from ..core import RunCancelledError
from ..core.outputs import BREACH_FIELDS
from ..i18n import N_
from ..qgis_io.messages import pipe_lines, timing_line
from ..qgis_io.preselect import building_layer_default
from .base import LiangweiAlgorithm, canceled, domain_error, progress_to


class PipeClearanceAlgorithm(LiangweiAlgorithm):
    NAME = "pipeclearance"
    DISPLAY = N_("Pipeline clearance")
    ICON = "pipeclearance"
    TAGS = ("管线", "净距", "燃气", "给水", "排水", "pipeline", "clearance")

    FOOTPRINTS = "FOOTPRINTS"
    PIPELINES = "PIPELINES"
    KIND_FIELD = "KIND_FIELD"
    PRESSURE_FIELD = "PRESSURE_FIELD"
    DIAMETER_FIELD = "DIAMETER_FIELD"
    CLEARANCE_FIELD = "CLEARANCE_FIELD"
    KIND_MAP = "KIND_MAP"
    CLASS_MAP = "CLASS_MAP"
    FALLBACK_M = "FALLBACK_M"
    ID_FIELDS = "ID_FIELDS"
    OUTPUT = "OUTPUT"

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS API
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.FOOTPRINTS, self.tr("Building footprints"), [QgsProcessing.TypeVectorPolygon],
            defaultValue=building_layer_default()))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.PIPELINES, self.tr("Pipelines"), [QgsProcessing.TypeVectorLine]))
        # optional for qgis_process (which otherwise demands a value despite the
        # default); a missing kind field is refused in processAlgorithm
        for name, label, default in (
                (self.KIND_FIELD, N_("Pipe kind field"), "kind"),
                (self.PRESSURE_FIELD, N_("Pressure class field"), "pressure"),
                (self.DIAMETER_FIELD, N_("Diameter field (mm)"), "diameter_mm")):
            self.addParameter(QgsProcessingParameterField(
                name, self.tr(label), defaultValue=default, parentLayerParameterName=self.PIPELINES, optional=True))
        self.addParameter(QgsProcessingParameterField(
            self.CLEARANCE_FIELD, self.tr("Clearance field (optional, m)"),
            parentLayerParameterName=self.PIPELINES, optional=True, type=QgsProcessingParameterField.Numeric))
        p = QgsProcessingParameterString(
            self.KIND_MAP, self.tr("Kind value mapping (optional), e.g. 燃气=gas;上水=water"),
            defaultValue="", optional=True)
        p.setHelp(self.tr("layer value=rules kind, separated by ';'"))
        self.addParameter(p)
        self.addParameter(QgsProcessingParameterString(
            self.CLASS_MAP, self.tr("Class value mapping, e.g. MB=medium_b"),
            defaultValue="", optional=True))
        p = QgsProcessingParameterNumber(
            self.FALLBACK_M, self.tr("Fallback clearance for unmapped pipes (m; empty = skip and report)"),
            QgsProcessingParameterNumber.Double, optional=True, minValue=0.0)
        self.addParameter(p)
        p = QgsProcessingParameterField(
            self.ID_FIELDS, self.tr("Building id fields copied to the output (empty = auto)"),
            parentLayerParameterName=self.FOOTPRINTS, allowMultiple=True, optional=True)
        p.setHelp(self.tr("copied next to bld_fid; empty = the first field named like a building id (survey_id, "
                          "bsm, fwbh, building_id, objectid, id, code or their Chinese names)"))
        self.addParameter(p)
        self.add_rules_parameter()
        self.add_work_crs_parameter()
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, self.tr("Clearance breaches"), QgsProcessing.TypeVectorPolygon))
        self.add_count_outputs((("N_BUILDINGS", N_("buildings in")), ("N_PIPES", N_("pipes in")),
                                ("N_PIPES_CHECKED", N_("pipes checked")),
                                ("N_UNMAPPED_PIPES", N_("pipes with unmapped kind/class")),
                                ("N_BREACHES", N_("breaches")),
                                ("N_BREACH_BUILDINGS", N_("buildings in breach"))))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 - QGIS API
        self.require_dependencies()
        import numpy as np

        from ..core.geometry import LINE
        from ..core.idfields import auto_id_fields, id_columns, id_field_kind, id_output_spec
        from ..core.pipes import check_buildings, prepare_pipes
        from ..core.rules import RulesError
        from ..qgis_io.reader import log_clean_report, read_footprints, read_layer, warn_if_disjoint
        from ..qgis_io.writer import write_features

        t0 = time.time()
        dests = self.output_destinations(parameters, context, [self.FOOTPRINTS, self.PIPELINES], [self.OUTPUT])
        rules = self.load_rules(parameters, context, feedback)
        bld_input = self.input_layer(parameters, self.FOOTPRINTS, context, feedback)
        pipe_input = self.input_layer(parameters, self.PIPELINES, context, feedback, geometry=("line",))
        source, bld_name = bld_input.source, bld_input.name
        pipes_src, pipe_name = pipe_input.source, pipe_input.name
        work_crs = self.working_crs(parameters, source, bld_name, context, feedback)
        self.check_crs(pipes_src, pipe_name, work_crs, feedback, context)

        pipe_fields = pipes_src.fields().names()
        field_names = {}
        defaults = {self.KIND_FIELD: "kind", self.PRESSURE_FIELD: "pressure", self.DIAMETER_FIELD: "diameter_mm"}
        for param in (self.KIND_FIELD, self.PRESSURE_FIELD, self.DIAMETER_FIELD, self.CLEARANCE_FIELD):
            name = self.parameterAsString(parameters, param, context)
            if param not in parameters or parameters.get(param) is None:
                name = defaults.get(param, "")
            if name and name not in pipe_fields and len(name) > 10 and name[:10] in pipe_fields:
                # shapefiles (dBase) cut field names to 10 characters: diameter_mm -> diameter_m
                feedback.pushInfo(self.tr("pipe layer has no field '{field}': using '{cut}' (shapefile field names "
                                          "are cut to 10 characters)").format(field=name, cut=name[:10]))
                name = name[:10]
            if name and name not in pipe_fields:
                if param == self.KIND_FIELD:
                    raise QgsProcessingException(
                        self.tr("pipe layer '{layer}' has no kind field '{field}': choose the field holding the pipe "
                                "kind").format(layer=pipe_name, field=name))
                feedback.pushWarning(self.tr("pipe layer has no field '{field}': treated as missing").format(field=name))
                name = ""
            field_names[param] = name
        if not field_names[self.KIND_FIELD]:
            raise QgsProcessingException(self.tr("Choose the pipe kind field"))

        id_fields = self.parameterAsFields(parameters, self.ID_FIELDS, context) or auto_id_fields(source.fields().names())
        stream, bld_arrays, bld, bld_extent = read_footprints(bld_input, dest_crs=work_crs, context=context,
                                                              feedback=feedback, fields=id_fields, progress_to=30)
        wanted = [f for f in field_names.values() if f]
        p_arrays, p_clean = read_layer(pipe_input, LINE, dest_crs=work_crs, context=context, feedback=feedback,
                                       fields=wanted, progress_from=30, progress_to=40)
        warn_if_disjoint(feedback, pipe_name, p_clean.geoms[p_clean.used], bld_name, bld_extent)

        def column(param):
            name = field_names[param]
            return p_arrays.attrs[name] if name else None

        fallback = None
        if parameters.get(self.FALLBACK_M) not in (None, ""):
            fallback = self.parameterAsDouble(parameters, self.FALLBACK_M, context)
            if fallback <= 0:
                fallback = None
        try:
            pipeset = prepare_pipes(p_clean.geoms, p_arrays.fids, column(self.KIND_FIELD), column(self.PRESSURE_FIELD),
                                    column(self.DIAMETER_FIELD), column(self.CLEARANCE_FIELD), rules=rules,
                                    fallback_m=fallback,
                                    kind_map=self.parameterAsString(parameters, self.KIND_MAP, context) or None,
                                    class_map=self.parameterAsString(parameters, self.CLASS_MAP, context) or None,
                                    layer=pipe_name, clean_geoms=False)
        except (RulesError, ValueError) as exc:
            raise domain_error(exc) from exc
        if feedback.isCanceled():
            raise canceled()
        feedback.setProgress(45)
        t_read = time.time()
        try:
            if stream is None:
                result = check_buildings(pipeset, bld.geoms, bld_arrays.fids, layer=bld_name, clean_geoms=False,
                                         progress=progress_to(feedback, 45, 75))
                report, df, n_bld = result.report, result.breaches, bld.report.n_in
            else:
                from ..streaming import pipeclearance as streamed

                sres = streamed(stream, pipeset, progress=progress_to(feedback, 45, 75))
                log_clean_report(sres.clean_report, feedback)
                report, df, n_bld = sres.report, sres.breaches, sres.clean_report.n_in
                t_read += sres.seconds["read"]    # reading happened tile by tile inside the computation
        except RunCancelledError:
            raise canceled() from None
        t_core = time.time()
        for line in pipe_lines(report):
            feedback.pushInfo(line)
        feedback.setProgress(75)

        id_spec = id_output_spec(id_fields, [id_field_kind(source.fields().at(source.fields().lookupField(f))) for f in id_fields],
                                 [name for name, _ in BREACH_FIELDS])
        bf = df["bld_fid"].to_numpy()
        if stream is None:
            id_cols = id_columns(bld_arrays.fids, bld_arrays.attrs, id_fields, [kind for _, kind in id_spec], bf)
        else:   # the id values travelled with each breach
            id_cols = id_columns(bf, sres.breach_attrs, id_fields, [kind for _, kind in id_spec], bf)
        if id_fields:
            feedback.pushInfo(self.tr("Building id fields copied to the output: {fields}").format(
                fields=", ".join(f if f == out else f"{f} → {out}" for f, (out, _) in zip(id_fields, id_spec))))
        else:
            feedback.pushInfo(self.tr("No building id field found: the output identifies buildings by bld_fid only"))
        columns = [df[name] if name != "verified" else df[name].astype(np.int64) for name, _ in BREACH_FIELDS]
        dest_id = write_features(dests[self.OUTPUT], context, feedback, BREACH_FIELDS[:1] + tuple(id_spec) + BREACH_FIELDS[1:],
                                 df["geometry"].to_numpy(), columns[:1] + id_cols + columns[1:], work_crs,
                                 progress_from=75, progress_to=100)
        feedback.pushInfo(timing_line(t_read - t0, t_core - t_read, time.time() - t_core))
        return {self.OUTPUT: dest_id, "N_BUILDINGS": n_bld, "N_PIPES": report.n_pipes_in,
                "N_PIPES_CHECKED": report.n_pipes_checked, "N_UNMAPPED_PIPES": report.n_unmapped,
                "N_BREACHES": report.n_breaches, "N_BREACH_BUILDINGS": report.n_buildings_in_breach}
