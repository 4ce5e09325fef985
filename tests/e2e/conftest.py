"""End-to-end ring: qgis_process runs in a defined language.

qgis_process follows the locale (LANG / LC_ALL / LC_MESSAGES / LANGUAGE, or the QGIS setting
``locale/userLocale`` with ``locale/overrideFlag``): every run here is Chinese (LANG=zh_CN.UTF-8), as on the
bureau's servers, unless a test passes another LANG (tests/e2e/test_i18n_e2e.py runs both).
"""
import pytest

ZH_ENV = {"LANG": "zh_CN.UTF-8"}
EN_ENV = {"LANG": "C.UTF-8"}


@pytest.fixture(autouse=True)
def chinese_qgis_process(monkeypatch):
    for var in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", ZH_ENV["LANG"])
