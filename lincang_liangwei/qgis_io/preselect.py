"""Which layer of the current project a footprints parameter starts with.

The Processing dialog otherwise starts with the top polygon layer (often a zone layer such as
``water_source``).  :func:`building_layer_default` names the polygon layer whose name looks like building
footprints (建筑 / 房屋 / buildings / footprint / bld), the earlier or later epoch by the year in its name.

Called from ``initAlgorithm``, which QGIS also runs when the provider loads and in ``qgis_process``: it only
reads layer names, never data, and gives None without a project, outside the main thread or on any error.
"""
from __future__ import annotations

import re

_WORDS = ("建筑", "房屋", "楼", "building", "buildings", "footprint", "footprints", "bld", "bldg", "house", "fangwu",
          "jianzhu", "jzw")
_NOT = ("压占", "汇总", "summary", "pieces", "breach", "demolished", "growth", "拆除", "台账", "register")
_TOKEN = re.compile(r"[a-z]+")
_YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")


def looks_like_buildings(name: str) -> bool:
    """True for names like 建筑_2023, 房屋面, buildings_2019, bld, Footprints (not our own outputs)."""
    low = (name or "").lower()
    if any(w in low for w in _NOT):
        return False
    if any(w in low for w in _WORDS if not w.isascii()):
        return True
    tokens = set(_TOKEN.findall(low))
    return any(w in tokens for w in _WORDS if w.isascii()) or low.startswith(("building", "footprint", "bld"))


def year_of(name: str):
    found = _YEAR.findall(name or "")
    return int(found[-1]) if found else None


def pick(names, which: str = "later"):
    """Index into ``names`` (layer names, top of the layer tree first) of the building layer for ``which``
    ("later": the newest year, else the topmost; "earlier": the oldest year, else the second), or None."""
    cands = [i for i, n in enumerate(names) if looks_like_buildings(n)]
    if not cands:
        return None
    dated = [(year_of(names[i]), i) for i in cands if year_of(names[i]) is not None]
    if which == "earlier":
        if len({y for y, _ in dated}) >= 2:
            return min(dated)[1]
        return cands[1] if len(cands) >= 2 else cands[0]
    if dated:
        newest = max(y for y, _ in dated)
        return next(i for y, i in dated if y == newest)
    return cands[0]


def building_layer_default(which: str = "later"):
    """The id of the project's building-footprint polygon layer for ``which`` (see :func:`pick`), or None."""
    try:
        from qgis.core import QgsApplication, QgsProject, QgsVectorLayer, QgsWkbTypes
        from qgis.PyQt.QtCore import QThread

        app = QgsApplication.instance()
        if app is None or QThread.currentThread() != app.thread():
            return None
        project = QgsProject.instance()
        if project is None or not project.count():
            return None
        from .styles import RANK_PROPERTY

        layers = [lyr for lyr in project.layerTreeRoot().layerOrder()
                  if isinstance(lyr, QgsVectorLayer) and lyr.isValid()
                  and lyr.geometryType() == QgsWkbTypes.PolygonGeometry and lyr.customProperty(RANK_PROPERTY) is None]
        idx = pick([lyr.name() for lyr in layers], which)
        return None if idx is None else layers[idx].id()
    except Exception:  # noqa: BLE001 - a preselection must never break loading the provider
        return None
