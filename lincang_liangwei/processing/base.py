"""Shared plumbing for the plugin's Processing algorithms (kept thin on purpose)."""
from __future__ import annotations

from pathlib import Path

from qgis.core import QgsProcessingAlgorithm, QgsProcessingException
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtGui import QIcon

from ..deps import missing_requirements
from ..icons import icon_path
from ..qgis_io.messages import canceled  # noqa: F401 - re-exported for the algorithms

HELP_DIR = Path(__file__).resolve().parent / "help"


class LiangweiAlgorithm(QgsProcessingAlgorithm):
    """Base class: names, icon, help from ``help/<name>.html``, dependency check.

    Subclasses set ``NAME``, ``DISPLAY``, ``GROUP_ID`` / ``GROUP`` and ``ICON``
    and keep no run state on ``self``.
    """

    NAME = ""
    DISPLAY = ""
    GROUP_ID = "checks"
    GROUP = "巡查检查 (Checks)"
    ICON = "liangwei"
    TAGS = ()

    def tr(self, text: str) -> str:
        return QCoreApplication.translate(type(self).__name__, text)

    def createInstance(self):  # noqa: N802 - QGIS API
        return type(self)()

    def name(self) -> str:
        return self.NAME

    def displayName(self) -> str:  # noqa: N802 - QGIS API
        return self.tr(self.DISPLAY)

    def group(self) -> str:
        return self.tr(self.GROUP)

    def groupId(self) -> str:  # noqa: N802 - QGIS API
        return self.GROUP_ID

    def tags(self):
        """Search words for the toolbox filter (Chinese and English)."""
        return [self.tr(t) for t in ("两违", "违法建设", "违法用地", "liangwei", *self.TAGS)]

    def icon(self):
        return QIcon(icon_path(self.ICON))

    def iconPath(self) -> str:  # noqa: N802 - QGIS API
        return icon_path(self.ICON)

    def shortHelpString(self) -> str:  # noqa: N802 - QGIS API
        path = HELP_DIR / f"{self.NAME}.html"
        try:
            return path.read_text(encoding="utf-8")
        except OSError:
            return ""

    # -- parameters shared by the checks --
    RULES = "RULES"
    WORK_CRS = "WORK_CRS"

    def add_rules_parameter(self, label="规则文件（可选）Rules file (optional)"):
        from qgis.core import QgsProcessingParameterFile

        self.addParameter(QgsProcessingParameterFile(self.RULES, self.tr(label), extension="toml", optional=True))

    def add_work_crs_parameter(self):
        from qgis.core import QgsProcessingParameterCrs

        self.addParameter(QgsProcessingParameterCrs(
            self.WORK_CRS, self.tr("计算坐标系（可选，投影坐标系）Working CRS (optional, projected)"), optional=True))

    def add_count_outputs(self, outputs):
        """``outputs``: (name, label) pairs of QgsProcessingOutputNumber."""
        from qgis.core import QgsProcessingOutputNumber

        for name, label in outputs:
            self.addOutput(QgsProcessingOutputNumber(name, self.tr(label)))

    # -- run-time helpers (no state kept on self) --
    def load_rules(self, parameters, context, feedback):
        """The rules table (defaults + optional user file), logged; bad files -> one clear message."""
        from ..core.rules import RulesError, load_rules

        path = self.parameterAsFile(parameters, self.RULES, context) or None
        try:
            rules = load_rules(path)
        except RulesError as exc:
            raise domain_error(exc) from exc
        feedback.pushInfo(rules.describe())
        return rules

    def source_and_name(self, parameters, param, context):
        """(feature source, the layer name a planner recognises) of a source parameter."""
        from ..qgis_io.reader import layer_label

        source = self.parameterAsSource(parameters, param, context)
        if source is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, param))
        return source, layer_label(self.parameterAsVectorLayer(parameters, param, context), source, param)

    def working_crs(self, parameters, source, name, context, feedback):
        """Projected CRS of the run (chosen from ``source`` unless WORK_CRS is given), logged."""
        from ..qgis_io.reader import choose_working_crs

        override = self.parameterAsCrs(parameters, self.WORK_CRS, context)
        crs, note = choose_working_crs(source, name, context, override if override.isValid() else None)
        feedback.pushInfo(note)
        return crs

    @staticmethod
    def check_crs(source, name, work_crs, feedback, context=None):
        """Refuse a layer without CRS; log the on-the-fly reprojection of one in another CRS."""
        from ..qgis_io.reader import require_crs

        crs = require_crs(source, name, context)
        if crs != work_crs:
            feedback.pushInfo(f"{name}: 坐标系 {crs.authid()} 实时转换到 {work_crs.authid()} / "
                              f"reprojected on the fly from {crs.authid()} to {work_crs.authid()}")

    def ogr_file(self, parameters, param, context, work_crs, fields=()):
        """(path, layer) for GDAL's fast Arrow read of this source, or None."""
        from ..qgis_io.reader import ogr_file_of

        return ogr_file_of(self.parameterAsVectorLayer(parameters, param, context), parameters.get(param),
                           work_crs, fields)

    def refuse_overwriting_inputs(self, parameters, context, inputs, outputs):
        """Stop before an output file would replace a file an input layer is read from.

        Writing a result into the GeoPackage the footprints come from would
        replace that whole file (every layer in it) with the result.
        """
        import os

        from qgis.core import QgsProviderRegistry

        sources = {}
        for param in inputs:
            layer = self.parameterAsVectorLayer(parameters, param, context) if parameters.get(param) else None
            if layer is None:
                continue
            path = QgsProviderRegistry.instance().decodeUri(layer.providerType(), layer.source()).get("path")
            if path:
                sources[os.path.realpath(path)] = param
        for param in outputs:
            if not parameters.get(param):
                continue
            dest = self.parameterAsOutputLayer(parameters, param, context) or ""
            dest = dest.split("|")[0]
            if dest and os.path.realpath(dest) in sources:
                raise QgsProcessingException(
                    f"输出 {param} 指向输入图层所在的文件 {dest}（{sources[os.path.realpath(dest)]}），写入会覆盖原始数据。"
                    f"请另选输出文件。 / output {param} points at {dest}, the file input "
                    f"{sources[os.path.realpath(dest)]} is read from: writing it would replace the original data. "
                    f"Choose another output file.")

    @staticmethod
    def require_dependencies():
        """Raise one clear message when shapely 2 / numpy / pandas are missing."""
        problems = missing_requirements()
        if problems:
            raise QgsProcessingException("\n".join(problems))


def progress_to(feedback, start: float, end: float):
    """A core ``progress(fraction)`` callback mapped onto ``start..end`` percent; True = canceled."""

    def progress(fraction: float) -> bool:
        feedback.setProgress(start + (end - start) * fraction)
        return feedback.isCanceled()

    return progress


def push_lines(feedback, lines):
    for line in lines:
        feedback.pushInfo(line)


def domain_error(exc: Exception) -> QgsProcessingException:
    """A core error (bad rules file, bad parameter value) as a Processing error."""
    return QgsProcessingException(str(exc))
