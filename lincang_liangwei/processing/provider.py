"""The 两违巡查 (Liangwei) Processing provider."""
from __future__ import annotations

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from ..icons import icon_path
from .cadimport import CadImportAlgorithm
from .compareepochs import CompareEpochsAlgorithm
from .controllines import ControlLinesAlgorithm
from .pipeclearance import PipeClearanceAlgorithm

PROVIDER_ID = "liangwei"

# one class per algorithm; new instances are made in loadAlgorithms()
ALGORITHMS = [ControlLinesAlgorithm, PipeClearanceAlgorithm, CompareEpochsAlgorithm, CadImportAlgorithm]


class LiangweiProvider(QgsProcessingProvider):
    def id(self) -> str:
        return PROVIDER_ID

    def name(self) -> str:
        return "两违巡查 (Liangwei)"

    def longName(self) -> str:  # noqa: N802 - QGIS API
        return "两违巡查 (Liangwei) — 控制线压占 / 管线净距 / 时相比对"

    def icon(self):
        return QIcon(icon_path("liangwei"))

    def svgIconPath(self) -> str:  # noqa: N802 - QGIS API
        return icon_path("liangwei")

    def loadAlgorithms(self):  # noqa: N802 - QGIS API
        for cls in ALGORITHMS:
            self.addAlgorithm(cls())
