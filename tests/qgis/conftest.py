"""QGIS ring: pytest-qgis fixtures, the plugin loaded exactly as qgis_process does.

The ring runs in a defined language: the zh-Hans translation is active in every test (built from the .ts when the
.qm is missing or older), so assertions on Chinese log text hold whatever the machine's locale; a test that needs
the English source text takes the ``english`` fixture.
"""
import contextlib
import subprocess
import sys
from pathlib import Path

import pytest
from qgis.core import QgsProcessingFeedback

ROOT = Path(__file__).resolve().parents[2]


def _build_translations():
    from lincang_liangwei import i18n

    ts = i18n.I18N_DIR / f"{i18n.TS_BASENAME}_zh-Hans.ts"
    qm = i18n.qm_path("zh-Hans")
    if ts.is_file() and (not qm.is_file() or qm.stat().st_mtime < ts.stat().st_mtime):
        subprocess.run([sys.executable, str(ROOT / "scripts" / "i18n.py"), "build"], check=True)


@pytest.fixture(autouse=True)
def zh_hans(qgis_app):
    """Every QGIS test runs with the zh-Hans translation installed (plugin unload removes it: re-installed)."""
    from lincang_liangwei import i18n

    if i18n.active_language() != "zh-Hans":
        _build_translations()
        assert i18n.install_translator("zh_CN") == "zh-Hans", "zh-Hans translation (.qm) could not be loaded"
    yield


@contextlib.contextmanager
def in_english():
    """A block run with the English source text (QGIS in English); zh-Hans again afterwards."""
    from lincang_liangwei import i18n

    i18n.install_translator("en_US")
    try:
        yield
    finally:
        i18n.install_translator("zh_CN")


@pytest.fixture
def english(zh_hans):
    """The English source text for this test (QGIS in English); zh-Hans again afterwards."""
    from lincang_liangwei import i18n

    assert i18n.install_translator("en_US") == "en"
    yield
    i18n.install_translator("zh_CN")


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
    from lincang_liangwei import i18n

    plugin = lincang_liangwei.classFactory(None)   # installs the translation of the machine's locale
    i18n.install_translator("zh_CN")                # the ring's defined language (see zh_hans)
    plugin.initProcessing()
    yield plugin
    plugin.unload()


@pytest.fixture
def feedback():
    return RecordingFeedback()
