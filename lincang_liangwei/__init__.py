"""两违巡查 (lincang_liangwei) — QGIS plugin entry point.

QGIS calls :func:`classFactory` with the desktop ``iface``; ``qgis_process``
calls it with ``None`` and then only ``initProcessing()``.
"""


def classFactory(iface):  # noqa: N802 - name fixed by QGIS
    from .plugin import LiangweiPlugin

    return LiangweiPlugin(iface)
