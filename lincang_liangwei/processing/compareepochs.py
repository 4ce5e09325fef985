"""liangwei:compareepochs — 时相比对 (survey-epoch comparison)."""
from __future__ import annotations

import time

from qgis.core import (
    QgsProcessing,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from ..core import RunCancelledError
from ..core.epoch_defaults import EPOCH_DEFAULTS
from ..core.outputs import DEMOLISHED_FIELDS, GROWTH_FIELDS, LATER_FIELDS
from ..i18n import N_, tr
from ..qgis_io.messages import epoch_lines, timing_line
from ..qgis_io.preselect import building_layer_default
from .base import LiangweiAlgorithm, canceled, progress_to

# parameter -> (compare_epochs keyword, label); defaults: core.epoch_defaults (shared with the engine)
TOLERANCES = (
    ("MIN_IOU", "min_iou", N_("Rebuilt below this IoU after registration"), 0.0, 1.0),
    ("MIN_GROWTH_M2", "min_growth_m2", N_("Minimum added area for an expansion (m²)"), 0.0, None),
    ("MIN_GROWTH_RATIO", "min_growth_ratio", N_("Minimum added share of the old footprint"), 0.0, None),
    ("TOLERANCE_M", "tolerance_m", N_("Positional tolerance (m)"), 0.0, None),
    ("JITTER_M", "jitter_m", N_("Outline jitter allowance (m)"), 0.0, None),
)


def floors_lines(layer: str, field: str, parsed) -> list:
    """Log lines for a floors field read by ``core.floors.parse_floors`` (text values, what was unreadable)."""
    out = []
    if parsed.n_text:
        out.append(tr("{layer}: floors field '{field}': {n} text values read as floors (e.g. 3层, 二层, 3F)").format(
            layer=layer, field=field, n=parsed.n_text))
    if parsed.n_unparsed:
        examples = ", ".join(f"“{v}”" for v in parsed.examples)
        out.append(tr("{layer}: floors field '{field}': {n} values are not a floor count and are treated as missing "
                      "(e.g. {examples})").format(layer=layer, field=field, n=parsed.n_unparsed, examples=examples))
    return out


def numbers_as_float(values):
    """A column of Python numbers and NULLs (what the reader gives for a numeric floors field) as float64
    (NULL -> NaN), which ``parse_floors`` passes through at once with the same values and counts; any
    other column (text floors such as 3层, booleans, ...) is returned as it is, for ``parse_floors`` to read."""
    import numpy as np
    import pandas as pd

    values = np.asarray(values, dtype=object) if not isinstance(values, np.ndarray) else values
    if values.dtype != object or pd.api.types.infer_dtype(values, skipna=True) not in (
            "integer", "floating", "mixed-integer-float", "empty"):
        return values
    return pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(float)


class CompareEpochsAlgorithm(LiangweiAlgorithm):
    NAME = "compareepochs"
    DISPLAY = N_("Compare survey epochs")
    GROUP = N_("Change detection")
    GROUP_ID = "changes"
    ICON = "compareepochs"
    TAGS = ("时相", "变化", "新增", "扩建", "加层", "拆除", "change detection", "epochs")

    EARLIER = "EARLIER"
    LATER = "LATER"
    EARLIER_FLOORS_FIELD = "EARLIER_FLOORS_FIELD"
    LATER_FLOORS_FIELD = "LATER_FLOORS_FIELD"
    EARLIER_DATE = "EARLIER_DATE"
    LATER_DATE = "LATER_DATE"
    EXACT_IOU = "EXACT_IOU"
    ACCURACY_FIELD = "ACCURACY_FIELD"
    OUTPUT = "OUTPUT"
    OUTPUT_DEMOLISHED = "OUTPUT_DEMOLISHED"
    OUTPUT_GROWTH = "OUTPUT_GROWTH"

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS API
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.EARLIER, self.tr("Earlier epoch footprints"), [QgsProcessing.TypeVectorPolygon],
            defaultValue=building_layer_default("earlier")))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.LATER, self.tr("Later epoch footprints"), [QgsProcessing.TypeVectorPolygon],
            defaultValue=building_layer_default("later")))
        self.addParameter(QgsProcessingParameterField(
            self.EARLIER_FLOORS_FIELD, self.tr("Earlier floors or height field"),
            parentLayerParameterName=self.EARLIER, optional=True))  # any type: text floors (3层, 二层) are parsed
        self.addParameter(QgsProcessingParameterField(
            self.LATER_FLOORS_FIELD, self.tr("Later floors or height field"),
            parentLayerParameterName=self.LATER, optional=True))
        p = QgsProcessingParameterString(
            self.ACCURACY_FIELD, self.tr("Positional accuracy field (optional, metres, used in each epoch that has it)"),
            defaultValue="", optional=True)
        p.setHelp(self.tr("per-feature positional accuracy in metres, used to grade the confidence of each change"))
        self.addParameter(p)
        for name, keyword, label, lo, hi in TOLERANCES:
            kwargs = {"minValue": lo} if hi is None else {"minValue": lo, "maxValue": hi}
            p = QgsProcessingParameterNumber(name, self.tr(label), QgsProcessingParameterNumber.Double,
                                             float(EPOCH_DEFAULTS[keyword]), **kwargs)
            self.addParameter(p)
        p = QgsProcessingParameterBoolean(
            self.EXACT_IOU, self.tr("Exact match_iou for unchanged buildings too (about 2x slower)"), defaultValue=False)
        p.setHelp(self.tr("by default outlines that agree within the jitter band are unchanged without an overlay "
                          "and match_iou is left NULL"))
        self.addParameter(p)
        self.addParameter(QgsProcessingParameterString(
            self.EARLIER_DATE, self.tr("Earlier epoch label (e.g. 2019-06)"), defaultValue="", optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.LATER_DATE, self.tr("Later epoch label (e.g. 2023-06)"), defaultValue="", optional=True))
        self.add_work_crs_parameter()
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, self.tr("Later buildings with change class"),
            QgsProcessing.TypeVectorPolygon))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT_DEMOLISHED, self.tr("Demolished buildings"), QgsProcessing.TypeVectorPolygon,
            optional=True, createByDefault=True))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT_GROWTH, self.tr("Added parts (new and extensions)"), QgsProcessing.TypeVectorPolygon,
            optional=True, createByDefault=True))
        self.add_count_outputs((("N_EARLIER", N_("earlier features")), ("N_LATER", N_("later features")),
                                ("N_NEW", N_("new")), ("N_EXPANDED", N_("expanded (incl. +floors)")),
                                ("N_FLOORS_ADDED", N_("floors added (incl. expanded+)")), ("N_REBUILT", N_("rebuilt")),
                                ("N_SPLIT", N_("split")), ("N_MERGED", N_("merged")),
                                ("N_UNCHANGED", N_("unchanged")), ("N_DEMOLISHED", N_("demolished")),
                                ("GROWTH_M2", N_("added area (m²)"))))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 - QGIS API
        self.require_dependencies()
        from ..core.epochs import gc_paused

        with gc_paused():  # millions of geometries read, compared and written: no full GC walks over them
            return self._process(parameters, context, feedback)

    def _process(self, parameters, context, feedback):
        import numpy as np

        from ..qgis_io.writer import write_features, write_source_rows

        t0 = time.time()
        dests = self.output_destinations(parameters, context, [self.EARLIER, self.LATER],
                                       [self.OUTPUT, self.OUTPUT_DEMOLISHED, self.OUTPUT_GROWTH])
        inputs = {param: self.input_layer(parameters, param, context, feedback) for param in (self.EARLIER, self.LATER)}
        later_src, later_name = inputs[self.LATER].source, inputs[self.LATER].name
        earlier_src, earlier_name = inputs[self.EARLIER].source, inputs[self.EARLIER].name
        work_crs = self.working_crs(parameters, later_src, later_name, context, feedback)
        self.check_crs(earlier_src, earlier_name, work_crs, feedback, context)

        acc_field = (self.parameterAsString(parameters, self.ACCURACY_FIELD, context) or "").strip()
        acc_in = {param: bool(acc_field) and inputs[param].source.fields().lookupField(acc_field) >= 0
                  for param in (self.EARLIER, self.LATER)}
        if acc_field and not any(acc_in.values()):
            feedback.pushWarning(self.tr("neither epoch has the accuracy field '{field}': confidence is graded on the "
                                         "outline noise only").format(field=acc_field))
        options = {keyword: self.parameterAsDouble(parameters, name, context) for name, keyword, *_ in TOLERANCES}
        exact_iou = self.parameterAsBoolean(parameters, self.EXACT_IOU, context)
        floors_fields = {self.EARLIER: self.parameterAsString(parameters, self.EARLIER_FLOORS_FIELD, context),
                         self.LATER: self.parameterAsString(parameters, self.LATER_FLOORS_FIELD, context)}
        streamed = self._streamed(inputs, floors_fields, acc_field, acc_in, work_crs, options, exact_iou, feedback)
        later_bounds = None
        if streamed is not None:
            result, n_earlier, e_fast, l_fast, secs, later_bounds = streamed
            t_read = time.time() - secs["compute"]
        else:
            result, n_earlier, e_fast, l_fast, t_read = self._whole(inputs, floors_fields, acc_field, acc_in,
                                                                    work_crs, options, exact_iou, context, feedback)
        t_core = time.time()
        for line in epoch_lines(result.report):
            feedback.pushInfo(line)
        feedback.setProgress(60)

        e_label = self.parameterAsString(parameters, self.EARLIER_DATE, context) or earlier_name
        l_label = self.parameterAsString(parameters, self.LATER_DATE, context) or later_name
        later = result.later
        n = len(later)
        columns = [later[c] for c, _ in LATER_FIELDS[:-3]] + [later["fid"].to_numpy(), np.full(n, l_label, dtype=object),
                                                              np.full(n, e_label, dtype=object)]
        dest = write_source_rows(dests[self.OUTPUT], context, feedback, later_src, later["fid"].to_numpy(), columns,
                                 LATER_FIELDS, fast_file=l_fast, progress_from=60, progress_to=85,
                                 bounds=later_bounds)
        results = {self.OUTPUT: dest}

        dem = result.demolished
        m = len(dem)
        ddest = write_source_rows(dests[self.OUTPUT_DEMOLISHED], context, feedback, earlier_src, dem["fid"].to_numpy(),
                                  [np.full(m, "demolished", dtype=object), dem["area_prev"], dem["floors_prev"],
                                   np.full(m, e_label, dtype=object), np.full(m, l_label, dtype=object)],
                                  DEMOLISHED_FIELDS, fast_file=e_fast, only_listed=True,
                                  progress_from=85, progress_to=90)
        if ddest is not None:
            results[self.OUTPUT_DEMOLISHED] = ddest

        growth = result.growth
        gdest = write_features(dests[self.OUTPUT_GROWTH], context, feedback, GROWTH_FIELDS, result.growth_geoms,
                               [growth["fid"], growth["change"], growth["growth_m2"],
                                np.full(len(growth), l_label, dtype=object)], work_crs, progress_from=90,
                               progress_to=100)
        if gdest is not None:
            results[self.OUTPUT_GROWTH] = gdest

        changes = result.report.changes
        feedback.pushInfo(timing_line(t_read - t0, t_core - t_read, time.time() - t_core))
        results.update({
            "N_EARLIER": n_earlier, "N_LATER": n,
            "N_NEW": changes.get("new", 0),
            "N_EXPANDED": changes.get("expanded", 0) + changes.get("expanded+floors_added", 0),
            "N_FLOORS_ADDED": changes.get("floors_added", 0) + changes.get("expanded+floors_added", 0),
            "N_REBUILT": changes.get("rebuilt", 0), "N_SPLIT": changes.get("split", 0),
            "N_MERGED": changes.get("merged", 0), "N_UNCHANGED": changes.get("unchanged", 0),
            "N_DEMOLISHED": len(dem), "GROWTH_M2": float(growth["growth_m2"].sum()) if len(growth) else 0.0,
        })
        return results

    def _streamed(self, inputs, floors_fields, acc_field, acc_in, work_crs, options, exact_iou, feedback):
        """Both epochs read tile by tile (big GeoPackage layers, :mod:`..streaming`), or None."""
        from ..core.geometry import POLYGON
        from ..qgis_io.reader import log_clean_report, stream_source

        def fields(param):
            return [f for f in (floors_fields[param], acc_field if acc_in[param] else "") if f]

        later = stream_source(inputs[self.LATER], POLYGON, dest_crs=work_crs, feedback=None,
                              fields=fields(self.LATER))
        if later is None:
            return None
        earlier = stream_source(inputs[self.EARLIER], POLYGON, dest_crs=work_crs, feedback=None,
                                fields=fields(self.EARLIER), min_features=0)
        if earlier is None:
            return None
        from ..streaming import compareepochs

        for param in (self.EARLIER, self.LATER):
            feedback.pushInfo(self.tr("{layer}: {n} features, read tile by tile from the GeoPackage (memory stays "
                                      "bounded; results as for the whole layer)").format(
                layer=inputs[param].name, n=inputs[param].source.featureCount()))
        try:
            s = compareepochs(earlier, later, earlier_floors_field=floors_fields[self.EARLIER],
                              later_floors_field=floors_fields[self.LATER],
                              accuracy_field=(acc_field if acc_in[self.EARLIER] else "",
                                              acc_field if acc_in[self.LATER] else ""),
                              progress=progress_to(feedback, 0, 60), exact_iou=exact_iou, **options)
        except RunCancelledError:
            raise canceled() from None
        log_clean_report(s.e_report, feedback)
        log_clean_report(s.l_report, feedback)
        return (s.result, s.e_report.n_in, (earlier.path, earlier.layer), (later.path, later.layer), s.seconds,
                s.later_bounds)

    def _whole(self, inputs, floors_fields, acc_field, acc_in, work_crs, options, exact_iou, context, feedback):
        import numpy as np

        from ..core.epochs import compare_epochs
        from ..core.floors import parse_floors
        from ..core.geometry import POLYGON, REPAIRED
        from ..qgis_io.reader import read_layer, warn_if_disjoint

        arrays = {}
        for k, param in enumerate((self.EARLIER, self.LATER)):
            floors_field = floors_fields[param]
            fields = [floors_field] if floors_field else []
            if acc_in[param] and acc_field not in fields:
                fields.append(acc_field)
            arrays[param] = read_layer(inputs[param], POLYGON, dest_crs=work_crs, context=context, feedback=feedback,
                                       fields=fields, progress_from=20 * k, progress_to=20 * (k + 1)) + (floors_field,)
        warn_if_disjoint(feedback, inputs[self.EARLIER].name,
                         arrays[self.EARLIER][1].geoms[arrays[self.EARLIER][1].used], inputs[self.LATER].name,
                         arrays[self.LATER][1].geoms[arrays[self.LATER][1].used])

        def floors(param):
            raw, _clean, field = arrays[param]
            if not field:
                return None
            values, parsed = parse_floors(numbers_as_float(raw.attrs[field]))
            for line in floors_lines(raw.name, field, parsed):
                feedback.pushInfo(line)
            return values

        e_raw, e_clean, _ = arrays[self.EARLIER]
        l_raw, l_clean, _ = arrays[self.LATER]

        def accuracy(param, raw):
            if not acc_in[param]:
                return None
            import pandas as pd

            values = pd.to_numeric(pd.Series(raw.attrs[acc_field], dtype=object), errors="coerce").to_numpy(float)
            values[values < 0] = np.nan
            feedback.pushInfo(self.tr("{layer}: accuracy field '{field}': {n} values").format(
                layer=raw.name, field=acc_field, n=int(np.isfinite(values).sum())))
            return values
        t_read = time.time()
        feedback.setProgress(45)
        try:
            result = compare_epochs(e_clean.geoms, e_raw.fids, l_clean.geoms, l_raw.fids,
                                    floors(self.EARLIER), floors(self.LATER), exact_iou=exact_iou,
                                    progress=progress_to(feedback, 45, 60),
                                    earlier_duplicate_of=e_clean.duplicate_of, later_duplicate_of=l_clean.duplicate_of,
                                    earlier_repaired=e_clean.status == REPAIRED,
                                    earlier_accuracy=accuracy(self.EARLIER, e_raw),
                                    later_accuracy=accuracy(self.LATER, l_raw), **options)
        except RunCancelledError:
            raise canceled() from None
        return result, len(e_raw), e_raw.fast_file, l_raw.fast_file, t_read
