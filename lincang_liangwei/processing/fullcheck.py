"""liangwei:fullcheck — 一键巡查 (every check, then the register, in one run)."""
from __future__ import annotations

import os
import time

from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingMultiStepFeedback,
    QgsProcessingOutputFile,
    QgsProcessingOutputNumber,
    QgsProcessingOutputVectorLayer,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterString,
)

from ..core.register_inputs import CSV_NAME, FULLCHECK_STEP_OUTPUTS, REGISTER_LAYER, XLSX_NAME
from ..core.register_inputs import FULLCHECK_FILES as FILES
from ..i18n import N_
from .base import LiangweiAlgorithm, canceled
from .compareepochs import TOLERANCES, CompareEpochsAlgorithm
from .controllines import ZONE_PARAMS, ControlLinesAlgorithm
from .pipeclearance import PipeClearanceAlgorithm
from .register import LEVEL_OUTPUTS, RegisterAlgorithm

# parameters taken over from the three checks and the register (same names, same definitions)
EPOCH_PARAMS = ("EARLIER_FLOORS_FIELD", "LATER_FLOORS_FIELD", "ACCURACY_FIELD") + tuple(t[0] for t in TOLERANCES) + (
    "EARLIER_DATE", "LATER_DATE")
LINE_PARAMS = ("MIN_AREA", "MIN_RATIO", "NAME_FIELD")
PIPE_PARAMS = ("KIND_FIELD", "PRESSURE_FIELD", "DIAMETER_FIELD", "CLEARANCE_FIELD", "KIND_MAP", "CLASS_MAP", "FALLBACK_M")
REGISTER_PARAMS = ("COMPOUNDS", "DISTRICTS", "DISTRICT_CODE_FIELD", "DISTRICT_NAME_FIELD", "PERMITS", "PERMIT_NO_FIELD",
                   "PERMIT_KIND_FIELD", "PERMIT_KIND_MAP", "PERMIT_EXPIRY_FIELD", "PREVIOUS", "RUN_DATE",
                   "DATABASE", "DB_TABLE")
# the optional PDF case atlas (liangwei:caseatlas) of the cases the teams go to first
PDF_FILTER_DEFAULT = "\"verdict\" = '拆除候选'"
# context layers of the atlas: input parameter -> the role liangwei:caseatlas styles it as (qgis_io.atlas._ROLES)
ATLAS_INPUTS = (tuple((p, role) for p, role, _label in ZONE_PARAMS)
                + (("PIPELINES", "pipelines"), ("DISTRICTS", "districts"), ("COMPOUNDS", "compounds"),
                   ("EARLIER", "earlier"), ("LATER", "later")))
ATLAS_OUTPUTS = (("GROWTH", "epochs"), ("PIECES", "lines"), ("BREACHES", "pipes"))  # output -> step that writes it


def _definitions(cls, names):
    alg = cls()
    alg.initAlgorithm()
    return [alg.parameterDefinition(n).clone() for n in names]


class FullCheckAlgorithm(LiangweiAlgorithm):
    NAME = "fullcheck"
    DISPLAY = N_("Full check: every check and the register")
    GROUP = N_("Register")
    GROUP_ID = "register"
    ICON = "liangwei"
    TAGS = ("一键", "巡查", "台账", "拆除候选", "full check", "register")

    EARLIER = "EARLIER"
    LATER = "LATER"
    PIPELINES = "PIPELINES"
    OUTPUT_FOLDER = "OUTPUT_FOLDER"
    PDF = "PDF"
    PDF_FILTER = "PDF_FILTER"

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS API
        poly = [QgsProcessing.TypeVectorPolygon]
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.EARLIER, self.tr("Earlier epoch footprints (optional)"), poly, optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.LATER, self.tr("Later epoch footprints"), poly))
        for param, _type, label in ZONE_PARAMS:
            self.addParameter(QgsProcessingParameterFeatureSource(
                param, self.tr(label), [QgsProcessing.TypeVectorPolygon, QgsProcessing.TypeVectorLine], optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.PIPELINES, self.tr("Pipelines (optional)"), [QgsProcessing.TypeVectorLine], optional=True))
        for cls, names in ((CompareEpochsAlgorithm, EPOCH_PARAMS), (ControlLinesAlgorithm, LINE_PARAMS),
                           (PipeClearanceAlgorithm, PIPE_PARAMS), (RegisterAlgorithm, REGISTER_PARAMS)):
            for d in _definitions(cls, names):
                self.addParameter(d)
        self.add_rules_parameter()
        self.add_work_crs_parameter()
        self.addParameter(QgsProcessingParameterFolderDestination(
            self.OUTPUT_FOLDER, self.tr("Output folder")))
        p = QgsProcessingParameterString(
            self.PDF_FILTER, self.tr("Cases in the PDF case atlas (filter expression, empty = every case)"),
            defaultValue=PDF_FILTER_DEFAULT, optional=True)
        p.setHelp(self.tr("Only used when a PDF case atlas is written"))
        self.addParameter(p)
        self.addParameter(QgsProcessingParameterFileDestination(
            self.PDF, self.tr("PDF case atlas (optional)"), self.tr("PDF (*.pdf)"), optional=True,
            createByDefault=False))
        self.addOutput(QgsProcessingOutputVectorLayer("REGISTER", self.tr("Demolition-candidate register"),
                                                      QgsProcessing.TypeVectorPolygon))
        self.addOutput(QgsProcessingOutputFile("XLSX", self.tr("Register spreadsheet")))
        self.addOutput(QgsProcessingOutputFile("CSV", self.tr("Register CSV")))
        for name, label in (("CHANGES", N_("later buildings with change")), ("DEMOLISHED", N_("demolished")),
                            ("GROWTH", N_("added parts")), ("PIECES", N_("encroached pieces")),
                            ("BUILDINGS", N_("buildings with encroachment")),
                            ("BREACHES", N_("clearance breaches"))):
            self.addOutput(QgsProcessingOutputVectorLayer(name, self.tr(label), QgsProcessing.TypeVectorPolygon))
        for name, label in (("N_BUILDINGS", N_("buildings in")), ("N_CASES", N_("cases found")),
                            ("N_KEPT", N_("kept ids")), ("N_NEW", N_("new cases")),
                            ("N_GONE", N_("cases no longer found"))) + tuple((o, lab) for _i, o, lab in LEVEL_OUTPUTS):
            self.addOutput(QgsProcessingOutputNumber(name, self.tr(label)))

    # ------------------------------------------------------------------ run
    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 - QGIS API
        self.require_dependencies()
        t0 = time.time()
        folder = self.parameterAsString(parameters, self.OUTPUT_FOLDER, context)
        if not folder or folder == QgsProcessing.TEMPORARY_OUTPUT:
            folder = self.parameterDefinition(self.OUTPUT_FOLDER).generateTemporaryDestination()
        folder = os.path.abspath(folder)
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as exc:
            raise QgsProcessingException(self.tr("cannot create the output folder {folder}: {error}").format(
                folder=folder, error=exc.strerror)) from exc
        self.load_rules(parameters, context, feedback)  # refuse a bad rules file before any step runs

        def given(param):
            return self.parameterAsSource(parameters, param, context) is not None

        def value(param):
            v = parameters.get(param)
            return None if v is None or v == "" else v

        def path(name):
            return os.path.join(folder, FILES[name][0])

        zones = [p for p, *_ in ZONE_PARAMS if given(p)]
        pdf, pdf_filter = self._pdf_request(parameters, context, feedback)
        steps = [s for s, on in (("epochs", given(self.EARLIER)), ("lines", bool(zones)),
                                 ("pipes", given(self.PIPELINES)), ("register", True), ("pdf", bool(pdf))) if on]
        multi = QgsProcessingMultiStepFeedback(len(steps), feedback)
        common = {k: value(k) for k in (self.RULES, self.WORK_CRS) if value(k) is not None}
        results = {}
        counts = {}
        step_time = {}

        def run(alg_id, params, step):
            if feedback.isCanceled():
                raise canceled()
            multi.setCurrentStep(steps.index(step))
            feedback.pushInfo("")
            feedback.pushInfo(f"== {len(results) + 1}/{len(steps)} {alg_id}")
            from qgis import processing

            ts = time.time()
            out = processing.run(alg_id, {k: v for k, v in params.items() if v is not None}, context=context,
                                 feedback=multi, is_child_algorithm=True)
            step_time[step] = time.time() - ts
            if feedback.isCanceled():
                raise canceled()
            results[step] = out
            return out

        later = value(self.LATER)
        if "epochs" in steps:
            r = run("liangwei:compareepochs", {
                "EARLIER": value(self.EARLIER), "LATER": later, **{k: value(k) for k in EPOCH_PARAMS}, **common,
                "OUTPUT": path("CHANGES"), "OUTPUT_DEMOLISHED": path("DEMOLISHED"), "OUTPUT_GROWTH": path("GROWTH")},
                "epochs")
            counts["epochs"] = r
        if "lines" in steps:
            r = run("liangwei:controllines", {
                "FOOTPRINTS": later, **{p: value(p) for p in zones}, **{k: value(k) for k in LINE_PARAMS}, **common,
                "OUTPUT": path("PIECES"), "OUTPUT_BUILDINGS": path("BUILDINGS")}, "lines")
        if "pipes" in steps:
            run("liangwei:pipeclearance", {
                "FOOTPRINTS": later, "PIPELINES": value(self.PIPELINES), **{k: value(k) for k in PIPE_PARAMS},
                **common, "OUTPUT": path("BREACHES")}, "pipes")

        reg_path = path("REGISTER")
        previous = value("PREVIOUS")
        if previous is None and value("DATABASE") is None and os.path.exists(reg_path):
            previous = f"{reg_path}|layername={REGISTER_LAYER}"
            feedback.pushWarning(
                self.tr("the output folder already holds a register from an earlier run ({path}): this run is merged "
                        "into it (ids, check results, remarks and added columns kept), never overwritten").format(
                    path=reg_path))
        reg_params = {
            "CHANGES": path("CHANGES") if "epochs" in steps else None,
            "FOOTPRINTS": None if "epochs" in steps else later,
            "ENCROACHMENTS": path("PIECES") if "lines" in steps else None,
            "BREACHES": path("BREACHES") if "pipes" in steps else None,
            **{k: value(k) for k in REGISTER_PARAMS}, "PREVIOUS": previous, **common,
            "OUTPUT": reg_path if value("DATABASE") is None else QgsProcessing.TEMPORARY_OUTPUT,  # PostGIS: the table
            "XLSX": os.path.join(folder, XLSX_NAME), "CSV": os.path.join(folder, CSV_NAME)}
        r = run("liangwei:register", reg_params, "register")
        register_uri = r.get("OUTPUT", f"{reg_path}|layername={REGISTER_LAYER}")
        if pdf:
            self._atlas(run, parameters, context, feedback, register_uri, pdf, pdf_filter, steps, path)
        multi.setProgress(100)

        out = {self.OUTPUT_FOLDER: folder, "REGISTER": register_uri, "CSV": r.get("CSV")}
        if pdf and "pdf" in results:
            out[self.PDF] = results["pdf"].get("OUTPUT", pdf)
        if r.get("XLSX"):
            out["XLSX"] = r["XLSX"]
        for name, step in FULLCHECK_STEP_OUTPUTS:
            if step in steps:
                out[name] = f"{path(name)}|layername={FILES[name][1]}"
        for k in ("N_BUILDINGS", "N_CASES", "N_KEPT", "N_NEW", "N_GONE") + tuple(o for _i, o, _l in LEVEL_OUTPUTS):
            out[k] = r.get(k, 0)

        # ---- one account of every building ------------------------------------------------------------
        feedback.pushInfo("")
        feedback.pushInfo("== " + self.tr("full check summary"))
        n_b, n_skip, n_cases = int(r.get("N_BUILDINGS", 0)), int(r.get("N_SKIPPED", 0)), int(r.get("N_CASES", 0))
        feedback.pushInfo(self.tr("later buildings {n} = {cases} cases + {clean} without findings + {skipped} "
                                  "skipped").format(n=n_b, cases=n_cases, clean=n_b - n_cases - n_skip, skipped=n_skip))
        if "epochs" in results:
            e = {k: int(v or 0) for k, v in results["epochs"].items() if k.startswith("N_")}
            feedback.pushInfo("  " + self.tr("epochs: new {new}, expanded {expanded}, rebuilt {rebuilt}, floors added "
                                             "{floors}, unchanged {unchanged}, demolished {demolished}").format(
                new=e.get("N_NEW", 0), expanded=e.get("N_EXPANDED", 0), rebuilt=e.get("N_REBUILT", 0),
                floors=e.get("N_FLOORS_ADDED", 0), unchanged=e.get("N_UNCHANGED", 0),
                demolished=e.get("N_DEMOLISHED", 0)))
        if "lines" in results:
            c = results["lines"]
            feedback.pushInfo("  " + self.tr("control lines: {buildings} buildings, {hits} hits").format(
                buildings=int(c.get("N_HIT_BUILDINGS", 0)), hits=int(c.get("N_HITS", 0))))
        if "pipes" in results:
            c = results["pipes"]
            feedback.pushInfo("  " + self.tr("pipes: {buildings} buildings, {breaches} breaches").format(
                buildings=int(c.get("N_BREACH_BUILDINGS", 0)), breaches=int(c.get("N_BREACHES", 0))))
        for _lid, o, label in LEVEL_OUTPUTS:
            feedback.pushInfo(f"  {self.tr(label)}: {int(r.get(o, 0))}")
        feedback.pushInfo("  " + self.tr("ids: kept {kept}, new {new}, gone {gone}").format(
            kept=int(r.get("N_KEPT", 0)), new=int(r.get("N_NEW", 0)), gone=int(r.get("N_GONE", 0))))
        feedback.pushInfo("  " + self.tr("files: {folder}").format(folder=folder))
        if out.get(self.PDF):
            feedback.pushInfo("  " + self.tr("PDF case atlas: {path} ({n} cases)").format(
                path=out[self.PDF], n=int(results["pdf"].get("N_CASES", 0))))
        feedback.pushInfo(self.tr("time: {s} s").format(s=f"{time.time() - t0:.1f}") + " (" + ", ".join(
            f"{step} {sec:.1f} s" for step, sec in step_time.items()) + ")")
        return out

    # ------------------------------------------------------------------ PDF case atlas
    def _pdf_request(self, parameters, context, feedback):
        """(PDF path or '', filter): checked before any step runs; '' when not asked for or not possible here."""
        from qgis.core import QgsExpression
        from qgis.PyQt.QtCore import QCoreApplication, QThread

        pdf = self.parameterAsFileOutput(parameters, self.PDF, context) if parameters.get(self.PDF) else ""
        if not pdf or pdf == QgsProcessing.TEMPORARY_OUTPUT:
            return "", ""
        expression = (self.parameterAsString(parameters, self.PDF_FILTER, context) or "").strip()
        if expression and QgsExpression(expression).hasParserError():
            raise QgsProcessingException(self.tr("invalid PDF filter expression: {error}").format(
                error=QgsExpression(expression).parserErrorString()))
        app = QCoreApplication.instance()
        if app is None or QThread.currentThread() != app.thread():
            # print layouts render with fonts and pictures of the GUI thread (liangwei:caseatlas is FlagNoThreading)
            feedback.pushWarning(self.tr("the PDF case atlas is skipped: this run is in a background thread and print "
                                         "layouts need the main thread; run \"PDF case atlas\" (liangwei:caseatlas) "
                                         "on the register afterwards"))
            return "", ""
        return pdf, expression

    def _atlas_context(self, parameters, context, steps, path) -> list:
        """The atlas's context layers: each named after its role when its own name does not say it (a red-line
        layer called "zones" would be drawn grey)."""
        from qgis.core import QgsProcessingUtils

        from ..qgis_io.atlas import context_role

        layers = []
        for param, role in ATLAS_INPUTS:
            if not parameters.get(param) or self.parameterDefinition(param) is None:
                continue
            layer = self.parameterAsVectorLayer(parameters, param, context)
            if layer is None or not layer.isValid():
                continue
            if context_role(layer) != role:
                layer = layer.clone()
                layer.setName(role)
                context.temporaryLayerStore().addMapLayer(layer)
            layers.append(layer)
        for name, step in ATLAS_OUTPUTS:
            if step in steps:
                layer = QgsProcessingUtils.mapLayerFromString(f"{path(name)}|layername={FILES[name][1]}", context)
                if layer is not None and layer.isValid():
                    layers.append(layer)
        return layers

    def _atlas(self, run, parameters, context, feedback, register_uri, pdf, expression, steps, path):
        """liangwei:caseatlas on the register just written; a filter that selects no case: a warning, no PDF."""
        from qgis.core import QgsFeatureRequest, QgsProcessingUtils

        register = QgsProcessingUtils.mapLayerFromString(register_uri, context)
        if register is None or not register.isValid():
            feedback.pushWarning(self.tr("the PDF case atlas is skipped: the register {uri} cannot be read").format(
                uri=register_uri))
            return
        expr = expression
        if "gone" in register.fields().names():  # as liangwei:caseatlas: cases no longer found are left out
            gone = '(NOT coalesce("gone", false))'
            expr = f"({expr}) AND {gone}" if expr else gone
        request = QgsFeatureRequest().setFlags(QgsFeatureRequest.NoGeometry).setNoAttributes()
        if expr:
            request.setFilterExpression(expr)
        first = next(register.getFeatures(request), None)
        if request.filterExpression() is not None and request.filterExpression().hasEvalError():
            raise QgsProcessingException(self.tr("the PDF filter expression failed: {error}").format(
                error=request.filterExpression().evalErrorString()))
        if first is None:
            feedback.pushWarning(self.tr("no case matches the PDF filter ({filter}): no PDF case atlas written").format(
                filter=expression or self.tr("none")))
            return
        run("liangwei:caseatlas", {"REGISTER": register_uri, "FILTER": expression,
                                   "CONTEXT_LAYERS": self._atlas_context(parameters, context, steps, path),
                                   "RULES": parameters.get(self.RULES) or None, "OUTPUT": pdf}, "pdf")
