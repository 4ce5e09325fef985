"""A small TOML writer for the shapes the rules table uses (no Qt, no QGIS).

Python reads TOML (``tomllib``) but does not write it, and QGIS installs do not
ship ``tomli_w``; the rules table only needs flat tables of scalars and lists of
strings, so this writes exactly that:

    {"meta": {"schema": 1}, "pipe": {"sewer": {"value": 2.5}}, "kind_map": {"燃气": "gas"}}

becomes ``[meta]`` / ``[pipe.sewer]`` / ``[kind_map]`` tables.  A section whose
values are all dicts is written as one table per row (``[section.row]``);
otherwise it is one flat table.  Values: str, bool, int, float (``inf``/``nan``
are written as TOML's ``inf``/``nan`` so the loader can name them), lists/tuples
of those.  ``tomllib.loads(dumps(d)) == d`` for every such ``d``.
"""
from __future__ import annotations

import math
import re

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def quote(text: str) -> str:
    """A TOML basic string (UTF-8 kept as is, control characters escaped)."""
    out = []
    for ch in str(text):
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def key(name) -> str:
    name = str(name)
    return name if _BARE_KEY.match(name) else quote(name)


def value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        text = repr(v)
        return text if any(c in text for c in ".eE") else text + ".0"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(value(x) for x in v) + "]"
    if isinstance(v, str):
        return quote(v)
    raise TypeError(f"cannot write {type(v).__name__} to TOML: {v!r}")


def dumps(data: dict, header: str = "") -> str:
    """TOML text of ``data`` (see the module docstring for the shapes)."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    for section, content in data.items():
        if not isinstance(content, dict):
            raise TypeError(f"section {section!r} must be a dict")
        rows = content and all(isinstance(v, dict) for v in content.values())
        if rows:
            for row, fields in content.items():
                lines += ["", f"[{key(section)}.{key(row)}]"]
                lines += [f"{key(k)} = {value(v)}" for k, v in fields.items()]
        else:
            lines += ["", f"[{key(section)}]"]
            lines += [f"{key(k)} = {value(v)}" for k, v in content.items()]
    return "\n".join(lines).lstrip("\n") + "\n"
