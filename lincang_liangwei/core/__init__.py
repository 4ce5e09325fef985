"""Pure computation engine of lincang_liangwei.

Nothing in this package imports qgis: geometries come in as numpy arrays of
shapely 2 geometries, results go out as numpy arrays / pandas DataFrames.  The
same functions run inside QGIS (through ``lincang_liangwei.processing``), from
the command line and per partition on a Dask cluster.
"""


class RunCancelledError(Exception):
    """Raised by a core function when its ``progress`` callback asked to stop."""


def report_progress(progress, fraction: float) -> None:
    """Call ``progress(fraction)`` if given; raise :class:`RunCancelledError` when it returns True."""
    if progress is not None and progress(fraction):
        raise RunCancelledError()
