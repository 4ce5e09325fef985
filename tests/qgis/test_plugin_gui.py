"""Desktop wiring: menu entries and toolbar button, removed again on unload."""
from .desktop import FakeIface


def test_menu_lists_every_algorithm_and_unload_removes_all(liangwei):
    from lincang_liangwei.processing.provider import ALGORITHMS
    from lincang_liangwei.ui.menu import LiangweiMenu, menu_title

    iface = FakeIface()
    menu = LiangweiMenu(iface)
    menu.install()
    assert menu_title() == "两违巡查(&L)"   # the ring runs in zh-Hans
    titles = [action.text() for name, action in iface.menu if name == menu_title()]
    assert len(titles) == len(ALGORITHMS) + 1
    assert any("控制线压占检查" in t for t in titles) and any("管线净距检查" in t for t in titles)
    assert len(iface.toolbar) == 1 and not iface.toolbar[0].icon().isNull()
    menu.remove()
    assert iface.menu == [] and iface.toolbar == []


def test_class_factory_without_iface_registers_only_processing(liangwei):
    from qgis.core import QgsApplication

    import lincang_liangwei

    plugin = lincang_liangwei.classFactory(None)
    assert plugin.iface is None
    plugin.initGui()  # must not touch iface
    assert plugin.menu is None
    assert plugin.provider is None  # 'liangwei' is already registered by the session's plugin
    plugin.unload()
    assert QgsApplication.processingRegistry().providerById("liangwei") is not None
