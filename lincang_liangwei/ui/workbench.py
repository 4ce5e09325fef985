"""The analyst's desktop: the 两违巡查 dock, the case list and the rules editor, with their actions.

``install()`` adds a toolbar button and menu entries (the dock, the case list,
the rules editor) and the two docks; ``remove()`` undoes all of it, including
the docks' connections to QgsProject and the Processing registry, so the plugin
can be loaded and unloaded any number of times without leaking.
"""
from __future__ import annotations

from qgis.core import QgsProject, QgsSettings
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction

from ..i18n import tr
from ..icons import icon_path
from .menu import menu_title

SETTINGS_RULES = "lincang_liangwei/rules_file"


class LiangweiWorkbench:
    """Owns the docks and the actions that show them; ``iface`` is the desktop's QgisInterface."""

    def __init__(self, iface):
        self.iface = iface
        self.dock = None
        self.cases = None
        self.editor = None
        self.actions: list[QAction] = []
        self.dock_action: QAction | None = None

    def tr(self, text: str) -> str:
        return tr(text)

    def install(self):
        from .caselist import CaseListDock
        from .dock import LiangweiDock

        main = self.iface.mainWindow()
        self.dock = LiangweiDock(self.iface, main)
        self.dock.hide()
        self.cases = CaseListDock(self.iface, main)
        self.cases.hide()
        self.iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.iface.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.cases)
        self.dock.registerLoaded.connect(self.open_cases)
        self.dock.rulesEditorRequested.connect(self.open_rules_editor)
        if not self.dock.rules_path():
            self.dock.set_rules_path(QgsSettings().value(SETTINGS_RULES, "", type=str))

        self.dock_action = self.dock.toggleViewAction()
        self.dock_action.setIcon(QIcon(icon_path("liangwei")))
        self.dock_action.setText(self.tr("Liangwei check (dock)"))
        cases_action = QAction(QIcon(icon_path("liangwei")), self.tr("Case list"), main)
        cases_action.triggered.connect(lambda _c=False: self.open_cases(None))
        rules_action = QAction(QIcon(icon_path("liangwei")), self.tr("Rules table…"), main)
        rules_action.triggered.connect(lambda _c=False: self.open_rules_editor(self.dock.rules_path()))
        self.actions = [self.dock_action, cases_action, rules_action]
        for action in self.actions:
            self.iface.addPluginToMenu(menu_title(), action)
        self.iface.addToolBarIcon(self.dock_action)

    def remove(self):
        for action in self.actions:
            self.iface.removePluginMenu(menu_title(), action)
        if self.dock_action is not None:
            self.iface.removeToolBarIcon(self.dock_action)
        if self.editor is not None:
            self.editor.close()
            self.editor.deleteLater()
            self.editor = None
        for dock in (self.dock, self.cases):
            if dock is None:
                continue
            if hasattr(dock, "shutdown"):
                dock.shutdown()
            self.iface.removeDockWidget(dock)
            dock.deleteLater()
        for action in self.actions[1:]:
            action.deleteLater()
        self.dock = self.cases = None
        self.actions = []
        self.dock_action = None

    # ------------------------------------------------------------------ slots
    def open_cases(self, layer=None):
        """Show the case list, for ``layer`` or the project's register (active layer first)."""
        from .caselist import is_register

        if layer is None:
            active = self.iface.activeLayer() if hasattr(self.iface, "activeLayer") else None
            if is_register(active):
                layer = active
            elif self.cases.layer() is None:
                layer = next((lyr for lyr in QgsProject.instance().mapLayers().values() if is_register(lyr)), None)
        if layer is not None:
            self.cases.set_layer(layer)
        self.cases.show()
        self.cases.raise_()

    def open_rules_editor(self, path: str = ""):
        from .rules_editor import RulesEditorDialog

        if self.editor is not None:
            self.editor.close()
            self.editor.deleteLater()
        self.editor = RulesEditorDialog(path or None, self.iface.mainWindow())
        self.editor.rulesFileChanged.connect(self._rules_file_changed)
        self.editor.show()
        return self.editor

    def _rules_file_changed(self, path: str):
        if self.dock is not None:
            self.dock.set_rules_path(path)
        QgsSettings().setValue(SETTINGS_RULES, path)
