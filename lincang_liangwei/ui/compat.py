"""Enum spellings that work on QGIS 3.22 and 3.40 (scoped ``Qgis.*`` enums appeared in between)."""
from __future__ import annotations

from qgis.core import Qgis


def qgis_enum(scoped: str, name: str, legacy_owner, legacy_name: str | None = None):
    """``Qgis.<scoped>.<name>`` where it exists, else ``legacy_owner.<legacy_name or name>``."""
    enum = getattr(Qgis, scoped, None)
    if enum is not None and hasattr(enum, name):
        return getattr(enum, name)
    return getattr(legacy_owner, legacy_name or name)
