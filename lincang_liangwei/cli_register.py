"""``liangwei register`` and ``liangwei fullcheck``: the case register without QGIS (being written)."""
from __future__ import annotations

RUNNERS: dict = {}


def add_parsers(sub, common) -> None:
    """Add the sub-commands of this module to the ``liangwei`` parser (``common(p)``: shared options)."""
