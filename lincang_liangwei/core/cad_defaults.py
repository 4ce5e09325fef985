"""Defaults of the CAD control-line import, importable without shapely (the
algorithm's dialog shows them even where the engine's dependencies are missing)."""

# CAD layer name = control-line type; matching ignores case, spaces, ``_``/``-``
# and prefixes/suffixes (see core.cad.match_layer)
DEFAULT_LAYER_MAP = ("道路红线=red;红线=red;ROAD_RED=red;河道蓝线=blue;蓝线=blue;绿线=green;黄线=yellow;"
                     "紫线=purple;水源保护区=water_source")
