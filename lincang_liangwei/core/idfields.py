"""A building's own identifying attributes (survey number, 标识码 …) copied next to ``bld_fid`` in the
outputs of controllines and pipeclearance, so a hit can be acted on without a join back to the footprints.
Used by the algorithms and by the command line (:mod:`lincang_liangwei.cli`); no QGIS import."""
from __future__ import annotations

import numpy as np

# field names that look like a building id (compared case-insensitively, exact name)
ID_FIELD_CANDIDATES = ("survey_id", "bsm", "标识码", "编号", "建筑编号", "fwbh", "bldg_id", "building_id",
                       "objectid", "id", "code")
# names an output can never use for a copied field, besides its own fields (GeoPackage fid / geometry columns)
RESERVED = ("fid", "geom", "geometry")
SHAPEFILE_NAME_LEN = 10

_INTEGER_TYPES = {2: "int"}          # QVariant / QMetaType Int; other integer types (UInt, LongLong …) -> int64
_FLOAT_TYPES = {6, 38}               # Double, Float


def _looks_like_id(name: str) -> bool:
    low = name.lower()
    return any(low == c or (len(low) == SHAPEFILE_NAME_LEN and c[:SHAPEFILE_NAME_LEN] == low)
               for c in ID_FIELD_CANDIDATES)


def auto_id_fields(names) -> list[str]:
    """The first of the field ``names`` (layer order) that looks like a building id; [] if none.
    A shapefile's cut name (``building_i``) counts as the full one."""
    for name in names:
        if _looks_like_id(name):
            return [name]
    return []


def id_field_kind(field) -> str:
    """Writer kind for a copy of ``field`` (a QgsField, duck-typed): numbers stay numbers, anything else is text."""
    if not field.isNumeric():
        return "string"
    code = int(field.type())
    if code in _FLOAT_TYPES:
        return "double"
    return _INTEGER_TYPES.get(code, "int64")


def values_kind(values) -> str:
    """Writer kind for a column read without QGIS (numpy array, object arrays hold None for NULL)."""
    arr = np.asarray(values)
    if arr.dtype.kind in "iu":
        return "int64"
    if arr.dtype.kind == "f":
        return "double"
    present = [v for v in arr.tolist() if v is not None]
    if arr.dtype.kind == "O" and present and not any(isinstance(v, bool) for v in present):
        if all(isinstance(v, (int, np.integer)) for v in present):
            return "int64"
        if all(isinstance(v, (int, float, np.integer, np.floating)) for v in present):
            return "double"
    return "string"


def id_output_spec(names, kinds, taken) -> list[tuple[str, str]]:
    """(output name, kind) for each copied field ``names``: its own name, prefixed ``bld_`` (again, until free)
    when it clashes case-insensitively with ``taken`` (the output's own field names)."""
    used = {t.lower() for t in taken} | set(RESERVED)
    spec = []
    for name, kind in zip(names, kinds):
        out = name
        while out.lower() in used:
            out = "bld_" + out
        used.add(out.lower())
        spec.append((out, kind))
    return spec


def _text(value) -> str:
    if isinstance(value, str):
        return value
    if hasattr(value, "toString"):  # QDate / QDateTime read through QGIS
        return value.toString()
    return str(value)


def id_columns(fids, values, names, kinds, hit_fids) -> list[np.ndarray]:
    """Values of the fields ``names`` of the buildings ``hit_fids``, one object array per field, aligned with
    ``hit_fids``; ``values``: name -> array aligned with the building ``fids``; ``kinds`` of the output fields."""
    hit_fids = np.asarray(hit_fids, dtype=np.int64)
    fids = np.asarray(fids, dtype=np.int64)
    order = np.argsort(fids, kind="stable")
    sorted_fids = fids[order]
    pos = np.clip(np.searchsorted(sorted_fids, hit_fids), 0, max(len(sorted_fids) - 1, 0))
    found = (sorted_fids[pos] == hit_fids) if len(sorted_fids) else np.zeros(len(hit_fids), dtype=bool)
    rows = order[pos] if len(sorted_fids) else pos
    cols = []
    for name, kind in zip(names, kinds):
        col = np.empty(len(hit_fids), dtype=object)
        col[:] = None
        if len(sorted_fids):
            col[found] = np.asarray(values[name], dtype=object)[rows[found]]
        if kind == "string":
            col[:] = [None if v is None else _text(v) for v in col]
        cols.append(col)
    return cols
