"""Shared plumbing for the plugin's Processing algorithms (kept thin on purpose)."""
from __future__ import annotations

from pathlib import Path

from qgis.core import QgsProcessingAlgorithm, QgsProcessingException
from qgis.PyQt.QtGui import QIcon

from ..deps import missing_requirements
from ..i18n import N_, localized
from ..i18n import tr as _tr
from ..icons import icon_path
from ..qgis_io.messages import (
    canceled,  # noqa: F401 - re-exported for the algorithms
    rules_summary,
)

HELP_DIR = Path(__file__).resolve().parent / "help"
PLUGIN_HELP = Path(__file__).resolve().parent.parent / "help"   # full pages for the Help button


class LiangweiAlgorithm(QgsProcessingAlgorithm):
    """Base class: names, icon, help from ``help/<name>.html``, dependency check.

    Subclasses set ``NAME``, ``DISPLAY``, ``GROUP_ID`` / ``GROUP`` and ``ICON``
    and keep no run state on ``self``.
    """

    NAME = ""
    DISPLAY = ""
    GROUP_ID = "checks"
    GROUP = N_("Checks")
    ICON = "liangwei"
    TAGS = ()

    def tr(self, text: str) -> str:
        """The plugin's one translation context (lincang_liangwei.i18n), whatever the subclass."""
        return _tr(text)

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
        """Search words for the toolbox filter: Chinese and English in every language (not translated)."""
        return ["两违", "违法建设", "违法用地", "liangwei", "illegal construction", *self.TAGS]

    def icon(self):
        return QIcon(icon_path(self.ICON))

    def iconPath(self) -> str:  # noqa: N802 - QGIS API
        return icon_path(self.ICON)

    def shortHelpString(self) -> str:  # noqa: N802 - QGIS API
        path = localized(HELP_DIR, f"{self.NAME}.html")   # help/en/ or help/zh-Hans/ after the language
        try:
            return path.read_text(encoding="utf-8")
        except OSError:
            return ""

    def helpUrl(self) -> str:  # noqa: N802 - QGIS API
        """The dialog's Help button: the help page shipped inside the plugin (``help/index.html``), as a
        file:// URL built here, at its section for this algorithm."""
        from qgis.PyQt.QtCore import QUrl

        page = localized(PLUGIN_HELP, "index.html")
        if not page.is_file():
            page = PLUGIN_HELP / "index.html"
        if not page.is_file():
            return ""
        url = QUrl.fromLocalFile(str(page))
        url.setFragment(self.NAME)
        return url.toString()

    # -- parameters shared by the checks --
    RULES = "RULES"
    WORK_CRS = "WORK_CRS"

    def add_rules_parameter(self, label=None):
        """``label``: marked with ``N_`` by the caller; default "Rules file (optional)"."""
        from qgis.core import QgsProcessingParameterFile

        label = label or N_("Rules file (optional)")
        self.addParameter(QgsProcessingParameterFile(self.RULES, self.tr(label), extension="toml", optional=True))

    def add_work_crs_parameter(self):
        from qgis.core import QgsProcessingParameterCrs

        self.addParameter(QgsProcessingParameterCrs(
            self.WORK_CRS, self.tr("Working CRS (optional, projected)"), optional=True))

    def add_count_outputs(self, outputs):
        """``outputs``: (name, label) pairs of QgsProcessingOutputNumber; labels marked with ``N_``."""
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
        feedback.pushInfo(rules_summary(rules))
        return rules

    def input_layer(self, parameters, param, context, feedback, geometry=("polygon",)):
        """The input ``param`` resolved once (``qgis_io.reader.InputLayer``): refused with a message when its
        geometry type is not in ``geometry`` ("point", "line", "polygon") or it is a multi-layer file given
        without a layer name; a GBK shapefile without ``.cpg`` is re-opened with the right encoding.
        Read it with ``qgis_io.reader.read_layer``."""
        from ..qgis_io.reader import resolve_input

        source = self.parameterAsSource(parameters, param, context)
        if source is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, param))
        definition = self.parameterDefinition(param)
        return resolve_input(source, self.parameterAsVectorLayer(parameters, param, context), parameters.get(param),
                             param, feedback=feedback, description=definition.description() if definition else "",
                             geometry=geometry)

    def source_and_name(self, parameters, param, context):
        """(feature source, the layer name a planner recognises) of a source parameter."""
        from ..qgis_io.reader import layer_label

        source = self.parameterAsSource(parameters, param, context)
        if source is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, param))
        return source, layer_label(self.parameterAsVectorLayer(parameters, param, context), source, param)

    def working_crs(self, parameters, source, name, context, feedback):
        """Projected CRS of the run (chosen from ``source``, a feature source or an InputLayer, unless
        WORK_CRS is given), logged."""
        from ..qgis_io.reader import InputLayer, choose_working_crs

        source = source.source if isinstance(source, InputLayer) else source
        override = self.parameterAsCrs(parameters, self.WORK_CRS, context)
        crs, note = choose_working_crs(source, name, context, override if override.isValid() else None)
        feedback.pushInfo(note)
        return crs

    @staticmethod
    def check_crs(source, name, work_crs, feedback, context=None):
        """Refuse a layer without CRS (a feature source or an InputLayer); log the on-the-fly reprojection
        of one in another CRS."""
        from ..qgis_io.reader import InputLayer, require_crs

        crs = require_crs(source.source if isinstance(source, InputLayer) else source, name, context)
        if crs != work_crs:
            feedback.pushInfo(_tr("{name}: reprojected on the fly from {src} to {dst}").format(
                name=name, src=crs.authid(), dst=work_crs.authid()))

    def output_destinations(self, parameters, context, inputs, outputs, may_replace=None) -> dict:
        """Every output of the run resolved once (``{name: qgis_io.writer.Destination or None}``) and checked
        before anything is read: refused when it would replace an input layer or an input's file (whatever the
        spelling: path, ``path|layername=``, ``ogr:dbname=… table=…``, relative, symlink), when two outputs
        point at the same target, or when its folder cannot take the file; leftovers of killed runs go.

        Never calls ``parameterAsOutputLayer`` on a sink (that registers a bogus ``memory:<description>``
        layer to load and the dialog ends in "not correctly generated").  Sinks that need the algorithm
        (``parameterAsSink``) are opened through ``Destination.open_sink`` made here.  ``may_replace``:
        {input: output} pairs exempt from that refusal (liangwei:register's PREVIOUS updated in place by OUTPUT).
        """
        from ..qgis_io.writer import check_destinations, input_key, resolve_destination

        keys = {}
        for param in inputs:
            layer = self.parameterAsVectorLayer(parameters, param, context) if parameters.get(param) else None
            key = input_key(layer)
            if key is not None:
                keys[param] = key
        dests = {}
        for name in outputs:
            definition = self.parameterDefinition(name)
            dest = resolve_destination(name, definition, parameters.get(name), context,
                                       self._sink_opener(parameters, name, context))
            if dest is None and not definition.flags() & definition.FlagOptional:
                raise QgsProcessingException(self.invalidSinkError(parameters, name))
            if dest is not None:
                dest.algorithm = self.name()   # picks the output's style (qgis_io.styles.STYLES)
            dests[name] = dest
        check_destinations(dests, keys, may_replace)
        return dests

    refuse_overwriting_inputs = output_destinations  # the earlier name

    def _sink_opener(self, parameters, name, context):
        def open_sink(value, fields, wkb_type, crs):
            return self.parameterAsSink({**parameters, name: value}, name, context, fields, wkb_type, crs)

        return open_sink

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
    """A core error (bad rules file, bad parameter value) as a Processing error, in the user's language."""
    from ..qgis_io.messages import rules_error_text

    return QgsProcessingException(rules_error_text(exc))
