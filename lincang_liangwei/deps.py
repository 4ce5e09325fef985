"""Check optional and required third-party packages without importing qgis.

The plugin must run with what QGIS ships (OSGeo4W on Windows bundles shapely,
pandas, pyproj; Debian 12 ships shapely 1.8 which is too old).  Missing pieces
give one clear message (translated; plain English without Qt) instead of a traceback.
"""
from __future__ import annotations

from importlib import import_module

from .i18n import tr

REQUIRED = (
    # module, minimum version, install hint
    ("shapely", (2, 0), "shapely>=2.0"),
    ("numpy", (1, 21), "numpy"),
    ("pandas", (1, 3), "pandas"),
)


def _version_tuple(text: str) -> tuple:
    out = []
    for piece in text.split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        out.append(int(digits) if digits else 0)
    return tuple(out)


def missing_requirements() -> list[str]:
    """Human-readable problems with required packages ([] when all is well)."""
    problems = []
    for name, minimum, hint in REQUIRED:
        try:
            mod = import_module(name)
        except ImportError:
            problems.append(tr("Python package {name} is missing: install {hint}").format(name=name, hint=hint))
            continue
        version = getattr(mod, "__version__", "0")
        if _version_tuple(version) < minimum:
            problem = tr("{name} {version} is too old: {hint} is needed").format(name=name, version=version, hint=hint)
            if name == "shapely":
                problem += " " + tr("(Debian 12: pip install --no-binary shapely 'shapely>=2.0' to link the system GEOS)")
            problems.append(problem)
    return problems
