"""Plugin object: registers the Processing provider and, on the desktop, the menu, the dock and the case list."""
from __future__ import annotations

from qgis.core import QgsApplication


class LiangweiPlugin:
    """Thin wiring; ``iface`` is ``None`` under qgis_process."""

    def __init__(self, iface):
        from .i18n import install_translator

        self.iface = iface
        # before anything makes a label: QGIS in Chinese (or LANG=zh_CN under qgis_process) -> zh-Hans
        install_translator()
        self.provider = None
        self.menu = None
        self.workbench = None

    def initProcessing(self):  # noqa: N802 - QGIS hook name
        from .processing.provider import LiangweiProvider

        if self.provider is None:
            provider = LiangweiProvider()
            # False when a provider with this id is already registered (plugin
            # loaded twice): then this instance owns nothing to remove on unload
            if QgsApplication.processingRegistry().addProvider(provider):
                self.provider = provider

    def initGui(self):  # noqa: N802 - QGIS hook name
        self.initProcessing()
        if self.iface is not None:
            from .ui.menu import LiangweiMenu

            self.menu = LiangweiMenu(self.iface)
            self.menu.install()
            from .ui.workbench import LiangweiWorkbench

            self.workbench = LiangweiWorkbench(self.iface)
            self.workbench.install()

    def unload(self):
        if self.workbench is not None:
            self.workbench.remove()
            self.workbench = None
        if self.menu is not None:
            self.menu.remove()
            self.menu = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        from .i18n import remove_translator

        remove_translator()
