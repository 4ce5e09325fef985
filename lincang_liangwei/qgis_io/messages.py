"""Messages shared by every entry point (qgis.core only, so importing it never needs shapely)."""
from qgis.core import QgsProcessingException


def canceled() -> QgsProcessingException:
    """The one message every entry point gives when the user pressed Cancel."""
    return QgsProcessingException("已取消 / canceled")
