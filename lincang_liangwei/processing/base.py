"""Shared plumbing for the plugin's Processing algorithms (kept thin on purpose)."""
from __future__ import annotations

from pathlib import Path

from qgis.core import QgsProcessingAlgorithm, QgsProcessingException
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtGui import QIcon

from ..deps import missing_requirements
from ..icons import icon_path

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

    @staticmethod
    def require_dependencies():
        """Raise one clear message when shapely 2 / numpy / pandas are missing."""
        problems = missing_requirements()
        if problems:
            raise QgsProcessingException("\n".join(problems))


def push_lines(feedback, lines):
    for line in lines:
        feedback.pushInfo(line)


def domain_error(exc: Exception) -> QgsProcessingException:
    """A core error (bad rules file, bad parameter value) as a Processing error."""
    return QgsProcessingException(str(exc))
