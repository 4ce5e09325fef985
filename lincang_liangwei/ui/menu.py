"""Menu entry and toolbar button: open the plugin's algorithms from the desktop."""
from __future__ import annotations

from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction

from ..i18n import N_, tr
from ..icons import icon_path
from ..processing.provider import ALGORITHMS, PROVIDER_ID

MENU_TITLE = N_("&Liangwei")   # the Plugins submenu; shown translated: menu_title()


def menu_title() -> str:
    """The plugin's submenu under Plugins in the active language (the same text adds and removes entries)."""
    return tr(MENU_TITLE)


class LiangweiMenu:
    """Adds one menu with an action per algorithm, and a toolbar button.

    The toolbar button opens the Processing toolbox filtered to this provider so
    the analyst sees the whole 两违巡查 group at once.
    """

    def __init__(self, iface):
        self.iface = iface
        self.actions: list[QAction] = []
        self.toolbar_action: QAction | None = None

    def install(self):
        main = self.iface.mainWindow()
        for alg_cls in ALGORITHMS:
            alg = alg_cls()
            action = QAction(QIcon(alg.iconPath()), alg.displayName(), main)
            alg_id = f"{PROVIDER_ID}:{alg.name()}"
            action.triggered.connect(lambda _checked=False, a=alg_id: self._run(a))
            self.iface.addPluginToMenu(menu_title(), action)
            self.actions.append(action)
        self.toolbar_action = QAction(QIcon(icon_path("liangwei")), tr("Liangwei toolbox"), main)
        self.toolbar_action.triggered.connect(self._open_toolbox)
        self.iface.addPluginToMenu(menu_title(), self.toolbar_action)
        self.iface.addToolBarIcon(self.toolbar_action)

    def remove(self):
        for action in self.actions:
            self.iface.removePluginMenu(menu_title(), action)
        if self.toolbar_action is not None:
            self.iface.removePluginMenu(menu_title(), self.toolbar_action)
            self.iface.removeToolBarIcon(self.toolbar_action)
        # the actions are children of the main window: delete them, or every reload leaves a set behind
        for action in self.actions + ([self.toolbar_action] if self.toolbar_action is not None else []):
            action.deleteLater()
        self.actions = []
        self.toolbar_action = None

    @staticmethod
    def _run(alg_id: str):
        from qgis import processing

        processing.execAlgorithmDialog(alg_id, {})

    def _open_toolbox(self):
        from qgis.PyQt.QtWidgets import QDockWidget, QLineEdit

        dock = self.iface.mainWindow().findChild(QDockWidget, "ProcessingToolbox")
        if dock is None:
            return
        dock.setVisible(True)
        dock.raise_()
        search = dock.findChild(QLineEdit)
        if search is not None:
            search.setText("liangwei")
