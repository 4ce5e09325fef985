"""The plugin loads and unloads ten times in a row without leaking providers, actions, docks or connections."""
from __future__ import annotations

import pytest
from qgis.core import QgsApplication, QgsProcessingProvider, QgsProject
from qgis.PyQt.QtWidgets import QAction, QDockWidget

from .desktop import FakeIface, close_iface, flush_deletes

pytestmark = pytest.mark.qgis


class _Probe(QgsProcessingProvider):
    def id(self):
        return "lwprobe"

    def name(self):
        return "probe"

    def loadAlgorithms(self):  # noqa: N802
        pass


def test_ten_load_unload_cycles_leave_nothing_behind(qgis_app, qgis_processing, qgis_canvas, monkeypatch):
    import lincang_liangwei
    from lincang_liangwei.ui.dock import LiangweiDock

    calls = {"cleared": 0, "providers": 0, "read": 0}
    monkeypatch.setattr(LiangweiDock, "_project_cleared", lambda self: calls.__setitem__("cleared", calls["cleared"] + 1))
    monkeypatch.setattr(LiangweiDock, "_providers_changed",
                        lambda self, *a: calls.__setitem__("providers", calls["providers"] + 1))
    monkeypatch.setattr(LiangweiDock, "_project_read", lambda self, *a: calls.__setitem__("read", calls["read"] + 1))

    registry = QgsApplication.processingRegistry()
    iface = FakeIface(qgis_canvas)
    window = iface.mainWindow()
    providers_before = [p.id() for p in registry.providers()]
    owned_before = registry.providerById("liangwei") is None
    docks_before = len(window.findChildren(QDockWidget))
    actions_before = len(window.findChildren(QAction))

    for _ in range(10):
        plugin = lincang_liangwei.classFactory(iface)
        plugin.initGui()
        assert registry.providerById("liangwei") is not None
        assert registry.algorithmById("liangwei:fullcheck") is not None
        assert len(iface.docks) == 2 and len(iface.toolbar) == 2 and iface.menu
        plugin.unload()
        flush_deletes()
        assert iface.menu == [] and iface.toolbar == [] and iface.docks == []
        if owned_before:
            assert registry.providerById("liangwei") is None

    assert [p.id() for p in registry.providers()] == providers_before
    assert len(window.findChildren(QDockWidget)) == docks_before
    assert len(window.findChildren(QAction)) == actions_before
    # no dock listens any more to the project or the Processing registry
    QgsProject.instance().clear()
    probe = _Probe()
    registry.addProvider(probe)
    registry.removeProvider(probe)
    assert calls == {"cleared": 0, "providers": 0, "read": 0}

    # and one loaded plugin listens exactly once
    plugin = lincang_liangwei.classFactory(iface)
    plugin.initGui()
    QgsProject.instance().clear()
    probe = _Probe()
    registry.addProvider(probe)
    registry.removeProvider(probe)
    assert calls == {"cleared": 1, "providers": 2, "read": 0}
    plugin.unload()
    close_iface(iface)
