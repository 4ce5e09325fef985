"""Pure computation engine of lincang_liangwei.

Nothing in this package imports qgis: geometries come in as numpy arrays of
shapely 2 geometries, results go out as numpy arrays / pandas DataFrames.  The
same functions run inside QGIS (through ``lincang_liangwei.processing``), from
the command line and per partition on a Dask cluster.
"""
