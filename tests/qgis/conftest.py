"""QGIS ring: pytest-qgis fixtures, the plugin loaded exactly as qgis_process does."""
import pytest
from qgis.core import QgsProcessingFeedback


class RecordingFeedback(QgsProcessingFeedback):
    """Keeps every message a user would see, to assert on them."""

    def __init__(self):
        super().__init__()
        self.infos, self.warnings, self.errors = [], [], []

    def pushInfo(self, info):  # noqa: N802
        self.infos.append(info)
        super().pushInfo(info)

    def pushWarning(self, warning):  # noqa: N802
        self.warnings.append(warning)
        super().pushWarning(warning)

    def reportError(self, error, fatalError=False):  # noqa: N802,N803
        self.errors.append(error)
        super().reportError(error, fatalError)

    @property
    def text(self) -> str:
        return "\n".join(self.infos + self.warnings + self.errors)


@pytest.fixture(scope="session")
def liangwei(qgis_app, qgis_processing):
    """The plugin with its provider registered (classFactory(None) + initProcessing)."""
    import lincang_liangwei

    plugin = lincang_liangwei.classFactory(None)
    plugin.initProcessing()
    yield plugin
    plugin.unload()


@pytest.fixture
def feedback():
    return RecordingFeedback()
