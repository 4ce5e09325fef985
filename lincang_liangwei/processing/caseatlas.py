"""liangwei:caseatlas — 核查图册 (PDF case atlas: a cover and one map page per case)."""
from __future__ import annotations

import os
import time

from qgis.core import (
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterExpression,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
    QgsProject,
)

from ..i18n import N_, tr
from .base import LiangweiAlgorithm, canceled

DEFAULT_TITLE = "临沧市两违核查图册"
DEFAULT_SCALES = "1000,2000,5000,10000,25000"


def parse_scales(text: str) -> list:
    """'1:500, 1000;2000' -> [500.0, 1000.0, 2000.0] (sorted, unique); ValueError with the bad item."""
    out = set()
    for part in str(text or "").replace("；", ",").replace(";", ",").replace("，", ",").split(","):
        part = part.strip().replace(" ", "")
        if not part:
            continue
        if part.startswith("1:"):
            part = part[2:]
        try:
            v = float(part)
        except ValueError:
            raise ValueError(part) from None
        if not (v >= 1):
            raise ValueError(part)
        out.add(v)
    return sorted(out)


class CaseAtlasAlgorithm(LiangweiAlgorithm):
    NAME = "caseatlas"
    DISPLAY = N_("PDF case atlas")
    GROUP_ID = "register"
    GROUP = N_("Register")
    TAGS = ("图册", "核查", "台账", "PDF", "atlas", "report", "print", "拆除候选")

    REGISTER = "REGISTER"
    FILTER = "FILTER"
    CONTEXT_LAYERS = "CONTEXT_LAYERS"
    TITLE = "TITLE"
    SCALES = "SCALES"
    INCLUDE_GONE = "INCLUDE_GONE"
    FONT = "FONT"
    OUTPUT = "OUTPUT"

    def flags(self):
        # print layouts render with fonts and pictures of the GUI thread: never in a worker thread
        return super().flags() | QgsProcessingAlgorithm.FlagNoThreading

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS API
        self.addParameter(QgsProcessingParameterVectorLayer(
            self.REGISTER, self.tr("Register (layer register of register.gpkg)"),
            [QgsProcessing.TypeVectorPolygon]))
        p = QgsProcessingParameterExpression(
            self.FILTER, self.tr("Filter expression (empty = every case)"),
            parentLayerParameterName=self.REGISTER, optional=True)
        p.setHelp(self.tr("e.g. \"verdict\" = '拆除候选'"))
        self.addParameter(p)
        self.addParameter(QgsProcessingParameterMultipleLayers(
            self.CONTEXT_LAYERS, self.tr("Context layers (control lines, pipes, earlier buildings, districts…)"),
            QgsProcessing.TypeVectorAnyGeometry, optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.TITLE, self.tr("Title"), defaultValue=DEFAULT_TITLE))
        p = QgsProcessingParameterString(
            self.SCALES, self.tr("Map scales (the first that fits is used)"),
            defaultValue=DEFAULT_SCALES)
        p.setFlags(p.flags() | p.FlagAdvanced)
        self.addParameter(p)
        p = QgsProcessingParameterBoolean(
            self.INCLUDE_GONE, self.tr("Include cases no longer found (gone)"), defaultValue=False)
        p.setFlags(p.flags() | p.FlagAdvanced)
        self.addParameter(p)
        p = QgsProcessingParameterString(
            self.FONT, self.tr("CJK font family (empty = automatic)"), optional=True)
        p.setFlags(p.flags() | p.FlagAdvanced)
        self.addParameter(p)
        self.add_rules_parameter(N_("Rules file (optional: names of control lines and pipes, verdict order)"))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT, self.tr("Case atlas PDF"), self.tr("PDF files (*.pdf)")))
        for name, label in (("N_CASES", N_("case pages")), ("N_PAGES", N_("pages incl. cover"))):
            self.addOutput(QgsProcessingOutputNumber(name, self.tr(label)))

    # -- checks --
    def _output_path(self, parameters, context, inputs) -> str:
        from ..qgis_io.writer import _norm_path, check_folder, input_key

        path = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        if not path:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        out = _norm_path(path)
        for layer in inputs:
            key = input_key(layer)
            if key is not None and key[0] == "file" and key[1] == out:
                raise QgsProcessingException(
                    tr("the output {path} is the file of the input layer {layer}; choose another file").format(
                        path=path, layer=layer.name()))
        suffix = os.path.splitext(path)[1].lower()
        if not suffix:
            path += ".pdf"
        elif suffix != ".pdf":
            raise QgsProcessingException(tr("the output must be a .pdf file: {path}").format(path=path))
        check_folder(self.OUTPUT, path)
        return path

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 - QGIS API
        from .. import atomicfile
        from ..qgis_io import atlas

        t0 = time.time()
        register = self.parameterAsVectorLayer(parameters, self.REGISTER, context)
        if register is None or not register.isValid():
            raise QgsProcessingException(self.invalidSourceError(parameters, self.REGISTER))
        context_layers = [lyr for lyr in self.parameterAsLayerList(parameters, self.CONTEXT_LAYERS, context)
                          if lyr is not None and lyr.type() == lyr.VectorLayer]
        path = self._output_path(parameters, context, [register] + context_layers)
        if not register.crs().isValid():
            raise QgsProcessingException(self.tr("the register {layer} has no CRS").format(layer=register.name()))
        if register.crs().isGeographic():
            feedback.pushWarning(self.tr("the register is in a geographic CRS; scales are more accurate in a projected "
                                         "CRS"))
        try:
            scales = parse_scales(self.parameterAsString(parameters, self.SCALES, context) or DEFAULT_SCALES)
        except ValueError as exc:
            raise QgsProcessingException(self.tr("not a map scale: {error} (e.g. 1000,2000,5000)").format(error=exc)) from None
        scales = scales or [float(s) for s in atlas.DEFAULT_SCALES]

        family, found = atlas.pick_cjk_font(self.parameterAsString(parameters, self.FONT, context) or "")
        if found:
            feedback.pushInfo(self.tr("CJK font: {family}").format(family=family))
        else:
            feedback.pushWarning(self.tr("no CJK font installed: Chinese text may show as boxes; install Microsoft "
                                         "YaHei / SimHei (Windows) or fonts-noto-cjk (Debian)"))

        rules = self.load_rules(parameters, context, feedback)
        # parameterAsExpression() gives '' for an expression that does not parse: a typo would print every case
        expression = self.parameterAsString(parameters, self.FILTER, context) or ""
        if expression.strip():
            from qgis.core import QgsExpression

            exp = QgsExpression(expression)
            if exp.hasParserError():
                raise QgsProcessingException(self.tr("invalid filter expression: {error}").format(
                    error=exp.parserErrorString()))
        include_gone = self.parameterAsBool(parameters, self.INCLUDE_GONE, context)
        feedback.pushInfo(self.tr("selecting cases…"))
        try:
            cases = atlas.case_layer(register, expression, rules, family, include_gone=include_gone,
                                     feedback=feedback)
        except ValueError as exc:
            raise QgsProcessingException(self.tr("the filter expression failed: {error}").format(error=exc)) from None
        if feedback.isCanceled():
            raise canceled()
        if cases.n == 0:
            if include_gone:
                what = self.tr("no case matches ({n} cases in the register, filter: {filter}); no PDF written")
            else:
                what = self.tr("no case matches ({n} cases in the register, filter: {filter}, gone cases left out); no "
                               "PDF written")
            raise QgsProcessingException(what.format(n=register.featureCount(), filter=expression or self.tr("none")))
        feedback.pushInfo(self.tr("{n} cases: {verdicts}").format(
            n=cases.n, verdicts=", ".join(f"{v} {k}" for v, k in cases.verdicts.items())))

        project = context.project() or QgsProject.instance()
        ctx = atlas.style_context(context_layers, cases, rules, project.transformContext(), feedback)
        for c in ctx:
            feedback.pushInfo(self.tr("context layer {layer} as {role}").format(layer=c.layer.name(), role=c.role))
        unknown = [c for c in ctx if c.role == "other"]
        if unknown:
            feedback.pushInfo(self.tr("context layers of unknown kind are drawn grey (names with red/红线, blue/蓝线, "
                                      "pipe/管线, district/行政区… are recognised)"))
        opts = atlas.AtlasOptions(
            title=self.parameterAsString(parameters, self.TITLE, context) or DEFAULT_TITLE, scales=tuple(scales),
            font=family, filter_text=expression.strip() + ("" if include_gone else "（不含已消失图斑）"),
            source_text=register.name())
        report = atlas.build_report(project, cases, ctx, opts, rules.verdict_order())
        t_build = time.time()

        atomicfile.clean_leftovers(path)
        tmp = str(atomicfile.temp_sibling(path))
        try:
            ok, was_canceled, error = atlas.export_report(report, atlas.report_body, tmp, cases, feedback)
            if was_canceled:
                raise canceled()
            if not ok:
                raise QgsProcessingException(self.tr("PDF export failed: {error}").format(error=error))
            atomicfile.publish(tmp, path)
        except BaseException:
            atomicfile.discard(tmp)
            raise
        finally:
            del report
        dt = time.time() - t_build
        feedback.pushInfo(
            self.tr("wrote {path}: cover + {n} pages in {s} s ({rate} pages/s), preparation {prep} s").format(
                path=path, n=cases.n, s=f"{dt:.1f}", rate=f"{(cases.n + 1) / max(dt, 1e-6):.1f}",
                prep=f"{t_build - t0:.1f}"))
        return {self.OUTPUT: path, "N_CASES": cases.n, "N_PAGES": cases.n + 1}

