"""Plugin object: registers the Processing provider and, on the desktop, the menu."""
from __future__ import annotations

from qgis.core import QgsApplication


class LiangweiPlugin:
    """Thin wiring; ``iface`` is ``None`` under qgis_process."""

    def __init__(self, iface):
        self.iface = iface
        self.provider = None
        self.menu = None

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

    def unload(self):
        if self.menu is not None:
            self.menu.remove()
            self.menu = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
