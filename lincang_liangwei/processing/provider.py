"""The 两违巡查 (Liangwei) Processing provider."""
from __future__ import annotations

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from ..i18n import tr
from ..icons import icon_path
from .cadimport import CadImportAlgorithm
from .caseatlas import CaseAtlasAlgorithm
from .compareepochs import CompareEpochsAlgorithm
from .controllines import ControlLinesAlgorithm
from .fieldpackage import FieldPackageAlgorithm
from .fieldsync import FieldSyncAlgorithm
from .fullcheck import FullCheckAlgorithm
from .pipeclearance import PipeClearanceAlgorithm
from .register import RegisterAlgorithm

PROVIDER_ID = "liangwei"

# one class per algorithm; new instances are made in loadAlgorithms()
ALGORITHMS = [ControlLinesAlgorithm, PipeClearanceAlgorithm, CompareEpochsAlgorithm, CadImportAlgorithm,
              RegisterAlgorithm, FullCheckAlgorithm, CaseAtlasAlgorithm,
              FieldPackageAlgorithm, FieldSyncAlgorithm]


class LiangweiProvider(QgsProcessingProvider):
    def id(self) -> str:
        return PROVIDER_ID

    def name(self) -> str:
        return tr("Liangwei")

    def longName(self) -> str:  # noqa: N802 - QGIS API
        return tr("Liangwei — control-line encroachment, pipeline clearance, survey-epoch comparison, register")

    def icon(self):
        return QIcon(icon_path("liangwei"))

    def svgIconPath(self) -> str:  # noqa: N802 - QGIS API
        return icon_path("liangwei")

    def loadAlgorithms(self):  # noqa: N802 - QGIS API
        for cls in ALGORITHMS:
            self.addAlgorithm(cls())
