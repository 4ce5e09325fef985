"""Vector file I/O outside QGIS (command line, tests, Dask workers).

Backends: ``pyogrio`` when it is importable (vectorised, Arrow), else the system
GDAL's ``osgeo.ogr`` (features written in one transaction, read through
``GetArrowStreamAsNumPy``).  Never use this module inside the QGIS process: there
data goes through QGIS or the system ``osgeo.ogr`` only (a pyogrio wheel bundles
another GDAL).  Force a backend with ``backend="ogr"`` / ``"pyogrio"`` or the
environment variable ``LINCANG_FILEIO_BACKEND``.

API (GeoPackage first; other OGR formats work for reading):

* ``write_layer(path, layer_name, geoms, attrs, crs="EPSG:4542", geom_type=None, fids=None)``
* ``write_table(path, name, attrs)`` - attribute-only table
* ``read_layer(path, layer_name) -> (fids int64 ndarray, geoms object ndarray, attrs DataFrame, crs_wkt)``
* ``read_table(path, name) -> DataFrame``
* ``list_layers(path) -> list[str]``
* ``write_city(city, path)`` - a whole ``core.samplecity.SampleCity``

A new file is written under a temporary name and renamed into place, so a crash
never leaves half a file; adding a layer to an existing GeoPackage writes in
place.  Strings are UTF-8 (Chinese round-trips).
"""
from __future__ import annotations

import json
import os
import sqlite3
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

FID_COLUMN = "fid"
GEOM_COLUMN = "geom"
TABLE_FID_COLUMN = "row_id"  # attribute tables may carry their own "fid" column
PARAMS_TABLE = "sample_params"

_GEOM_TYPES = ("Unknown", "Point", "LineString", "Polygon", "MultiPoint", "MultiLineString",
               "MultiPolygon", "GeometryCollection")


# --------------------------------------------------------------------------- #
# backend choice
# --------------------------------------------------------------------------- #

def _have_pyogrio() -> bool:
    try:
        import pyogrio  # noqa: F401
    except Exception:  # noqa: BLE001 - a broken pyogrio install falls back to ogr; pragma: no cover
        return False
    return True


def backend_name(backend: str | None = None) -> str:
    """The backend that will be used: "pyogrio" or "ogr"."""
    b = (backend or os.environ.get("LINCANG_FILEIO_BACKEND") or "").strip().lower()
    if b in ("pyogrio", "ogr"):
        if b == "pyogrio" and not _have_pyogrio():
            raise ImportError("pyogrio requested but not installed (pip install pyogrio)")
        return b
    if b:
        raise ValueError(f"unknown file I/O backend {b!r} (use 'pyogrio' or 'ogr')")
    return "pyogrio" if _have_pyogrio() else "ogr"


def _ogr():
    try:
        from osgeo import gdal, ogr, osr
    except ImportError as exc:  # pragma: no cover
        raise ImportError(
            "neither pyogrio nor GDAL's Python bindings (osgeo) are installed: "
            "install pyogrio (pip install pyogrio) or python3-gdal") from exc
    gdal.UseExceptions()
    ogr.UseExceptions()
    osr.UseExceptions()
    return gdal, ogr, osr


# --------------------------------------------------------------------------- #
# helpers
# --------------------------------------------------------------------------- #

def _driver_for(path) -> str:
    ext = Path(path).suffix.lower()
    return {".gpkg": "GPKG", ".shp": "ESRI Shapefile", ".geojson": "GeoJSON", ".json": "GeoJSON",
            ".fgb": "FlatGeobuf", ".csv": "CSV"}.get(ext, "GPKG")


def _as_frame(attrs, n: int) -> pd.DataFrame:
    if attrs is None:
        return pd.DataFrame(index=pd.RangeIndex(n))
    df = attrs if isinstance(attrs, pd.DataFrame) else pd.DataFrame(dict(attrs))
    if len(df.columns) and len(df) != n:
        raise ValueError(f"attributes have {len(df)} rows but there are {n} geometries")
    return df.reset_index(drop=True)


def _field_kind(s: pd.Series) -> str:
    dt = s.dtype
    if pd.api.types.is_bool_dtype(dt):
        return "bool"
    if pd.api.types.is_integer_dtype(dt):
        if str(dt).lower() in ("int8", "int16", "int32", "uint8", "uint16"):
            return "int32"
        return "int64"  # int64 / uint32 / uint64 / nullable Int64 -> Integer64
    if pd.api.types.is_float_dtype(dt):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(dt):
        return "datetime"
    return "str"


def _infer_geom_type(geoms: np.ndarray) -> str:
    ok = ~shapely.is_missing(geoms)
    ok[ok] = ~shapely.is_empty(geoms[ok])
    if not ok.any():
        return "Unknown"
    ids = np.unique(shapely.get_type_id(geoms[ok]))
    tmap = {0: "Point", 1: "LineString", 2: "LineString", 3: "Polygon", 4: "MultiPoint",
            5: "MultiLineString", 6: "MultiPolygon", 7: "GeometryCollection"}
    found = {tmap[int(i)] for i in ids}
    if len(found) == 1:
        gt = found.pop()
    elif found <= {"Polygon", "MultiPolygon"}:
        gt = "MultiPolygon"
    elif found <= {"LineString", "MultiLineString"}:
        gt = "MultiLineString"
    elif found <= {"Point", "MultiPoint"}:
        gt = "MultiPoint"
    else:
        gt = "Unknown"
    if shapely.has_z(geoms[ok]).all():
        gt += " Z"
    return gt


def _norm_geom_type(gt: str | None, geoms: np.ndarray) -> str:
    if gt is None:
        return _infer_geom_type(geoms)
    g = gt.strip()
    z = g.upper().endswith(" Z") or g.upper().endswith("25D")
    base = g[:-2].strip() if g.upper().endswith(" Z") else g
    for name in _GEOM_TYPES:
        if base.lower() == name.lower():
            base = name
            break
    else:
        if base.lower() in ("geometry", "none", "unknown"):
            base = "Unknown"
        else:
            raise ValueError(f"unknown geometry type {gt!r}")
    return base + (" Z" if z else "")


def _tmp_name(path: Path) -> Path:
    return path.with_name(f".{path.stem}.partial-{os.getpid()}{path.suffix}")


def _siblings(path: Path) -> list:
    """Every file of a dataset: a GeoPackage and its journals, or a shapefile's .shp/.dbf/.shx/.prj/.cpg …"""
    out = [Path(str(path) + s) for s in ("", "-journal", "-wal", "-shm")]
    if path.suffix.lower() != ".gpkg":
        out += [p for p in path.parent.glob(path.stem + ".*") if p.suffix.lower() != path.suffix.lower()]
    return [p for p in out if p.exists()]


def _cleanup(tmp: Path):
    for p in _siblings(tmp):
        p.unlink()


def _publish(tmp: Path, path: Path):
    """Move a finished dataset into place, sidecar files included (shapefiles)."""
    for p in _siblings(tmp):
        if p.name.startswith(tmp.name) and p != tmp:  # GeoPackage journals: none left after a clean close
            p.unlink()
            continue
        os.replace(p, path.with_suffix(p.suffix) if p != tmp else path)


# --------------------------------------------------------------------------- #
# writing
# --------------------------------------------------------------------------- #

def write_layer(path, layer_name: str, geoms, attrs=None, crs: str | None = "EPSG:4542",
                geom_type: str | None = None, fids=None, *, overwrite: bool = True,
                backend: str | None = None) -> None:
    """Write one vector layer.

    geoms: object array of shapely geometries (None = null geometry).
    attrs: dict of arrays or DataFrame (no column called ``fid``; use ``fids``).
    crs: "EPSG:xxxx" or WKT.  geom_type: e.g. "Polygon", "LineString",
    "MultiPolygon", "Polygon Z"; inferred when None.  fids: explicit feature ids
    (int); default 1..N.  A new file is created atomically (temp file +
    os.replace); a layer added to an existing GeoPackage is written in place,
    replacing a layer of that name when ``overwrite``.
    """
    path = Path(path)
    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    df = _as_frame(attrs, n)
    if FID_COLUMN in df.columns:
        if fids is not None:
            raise ValueError("give feature ids either as fids= or as a 'fid' column, not both")
        fids = df[FID_COLUMN].to_numpy()
        df = df.drop(columns=[FID_COLUMN])
    fids = np.arange(1, n + 1, dtype=np.int64) if fids is None else np.asarray(fids, dtype=np.int64)
    if len(fids) != n:
        raise ValueError("fids and geoms differ in length")
    if n and len(np.unique(fids)) != n:
        raise ValueError("fids are not unique")
    gt = _norm_geom_type(geom_type, geoms)
    _write(path, layer_name, geoms, df, crs, gt, fids, overwrite, backend, spatial=True)


def write_table(path, name: str, attrs, *, overwrite: bool = True, backend: str | None = None) -> None:
    """Write an attribute-only (non-spatial) table into a GeoPackage.

    A column called ``fid`` is kept as an ordinary column (the table's own key
    column is ``row_id``).
    """
    path = Path(path)
    df = _as_frame(attrs, len(attrs) if isinstance(attrs, pd.DataFrame) else
                   (len(next(iter(attrs.values()))) if attrs else 0))
    n = len(df)
    _write(path, name, None, df, None, None, np.arange(1, n + 1, dtype=np.int64), overwrite, backend,
           spatial=False)


def _write(path: Path, name, geoms, df, crs, gt, fids, overwrite, backend, spatial):
    be = backend_name(backend)
    driver = _driver_for(path)
    new_file = not path.exists()
    if not new_file and driver != "GPKG":
        if not overwrite:
            raise FileExistsError(path)
        _cleanup(path)
        new_file = True
    target = _tmp_name(path) if new_file else path
    if new_file:
        _cleanup(target)
        target.parent.mkdir(parents=True, exist_ok=True)
    try:
        if be == "pyogrio":
            _write_pyogrio(target, name, geoms, df, crs, gt, fids, overwrite, driver, spatial, new_file)
        else:
            _write_ogr(target, name, geoms, df, crs, gt, fids, overwrite, driver, spatial, new_file)
    except BaseException:
        if new_file:
            _cleanup(target)
        raise
    if new_file:
        _publish(target, path)


def _srs(osr, crs):
    if crs is None:
        return None
    srs = osr.SpatialReference()
    srs.SetFromUserInput(str(crs))
    if hasattr(osr, "OAMS_TRADITIONAL_GIS_ORDER"):
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return srs


def _ogr_geom_type(ogr, gt: str | None):
    if gt is None:
        return ogr.wkbNone
    z = gt.endswith(" Z")
    base = gt[:-2] if z else gt
    code = {
        "Unknown": ogr.wkbUnknown, "Point": ogr.wkbPoint, "LineString": ogr.wkbLineString,
        "Polygon": ogr.wkbPolygon, "MultiPoint": ogr.wkbMultiPoint,
        "MultiLineString": ogr.wkbMultiLineString, "MultiPolygon": ogr.wkbMultiPolygon,
        "GeometryCollection": ogr.wkbGeometryCollection,
    }[base]
    return ogr.GT_SetZ(code) if z else code


def _columns_for_write(df: pd.DataFrame):
    """[(name, kind, python list with None for nulls)]"""
    cols = []
    for c in df.columns:
        s = df[c]
        kind = _field_kind(s)
        if kind == "float":
            arr = s.to_numpy(dtype=float)
            vals = arr.astype(object)
            vals[np.isnan(arr)] = None
            vals = vals.tolist()
        elif kind in ("int32", "int64", "bool"):
            if s.isna().any():
                vals = [None if pd.isna(v) else int(v) for v in s.tolist()]
            else:
                vals = s.astype(np.int64).tolist()
        elif kind == "datetime":
            vals = [None if pd.isna(v) else v.strftime("%Y-%m-%dT%H:%M:%S") for v in s.tolist()]
        else:
            vals = [None if (v is None or (isinstance(v, float) and np.isnan(v))) else str(v) for v in s.tolist()]
        cols.append((str(c), kind, vals))
    return cols


def _write_ogr(target: Path, name, geoms, df, crs, gt, fids, overwrite, driver, spatial, new_file):
    gdal, ogr, osr = _ogr()
    if new_file:
        drv = ogr.GetDriverByName(driver)
        ds = drv.CreateDataSource(str(target))
    else:
        ds = ogr.Open(str(target), 1)
    if ds is None:  # pragma: no cover
        raise OSError(f"cannot open {target} for writing")
    try:
        for i in range(ds.GetLayerCount()):
            if ds.GetLayer(i).GetName().lower() == name.lower():
                if not overwrite:
                    raise FileExistsError(f"layer {name!r} exists in {target}")
                ds.DeleteLayer(i)
                break
        opts = []
        if driver == "GPKG":
            opts = [f"FID={FID_COLUMN if spatial else TABLE_FID_COLUMN}"]
            if spatial:
                opts += [f"GEOMETRY_NAME={GEOM_COLUMN}", "SPATIAL_INDEX=YES"]
            else:
                opts += ["ASPATIAL_VARIANT=GPKG_ATTRIBUTES"]
        elif driver == "ESRI Shapefile":
            opts = ["ENCODING=UTF-8"]
        lyr = ds.CreateLayer(name, _srs(osr, crs) if spatial else None,
                             _ogr_geom_type(ogr, gt if spatial else None), opts)
        cols = _columns_for_write(df)
        setters = []
        for j, (cname, kind, vals) in enumerate(cols):
            t = {"int32": ogr.OFTInteger, "int64": ogr.OFTInteger64, "bool": ogr.OFTInteger,
                 "float": ogr.OFTReal, "datetime": ogr.OFTDateTime, "str": ogr.OFTString}[kind]
            fd = ogr.FieldDefn(cname, t)
            if kind == "bool":
                fd.SetSubType(ogr.OFSTBoolean)
            lyr.CreateField(fd)
            setters.append((j, kind, vals))
        defn = lyr.GetLayerDefn()
        wkbs = shapely.to_wkb(geoms).tolist() if spatial else None
        fid_list = fids.tolist()
        n = len(fid_list)
        create_geom = ogr.CreateGeometryFromWkb
        gdal.PushErrorHandler("CPLQuietErrorHandler")  # warnings such as Z into a 2D layer
        lyr.StartTransaction()
        try:
            for i in range(n):
                f = ogr.Feature(defn)
                if driver == "GPKG" or not spatial:
                    f.SetFID(fid_list[i])
                if spatial:
                    w = wkbs[i]
                    if w is not None:
                        f.SetGeometryDirectly(create_geom(w))
                for j, kind, vals in setters:
                    v = vals[i]
                    if v is None:
                        continue
                    if kind == "str":
                        f.SetFieldString(j, v)
                    elif kind in ("int64", "int32", "bool"):
                        f.SetFieldInteger64(j, v)
                    else:
                        f.SetField(j, v)
                lyr.CreateFeature(f)
            lyr.CommitTransaction()
        except BaseException:
            lyr.RollbackTransaction()
            raise
        finally:
            gdal.PopErrorHandler()
    finally:
        ds = None  # noqa: F841 - closes and flushes (spatial index built here)


def _write_pyogrio(target: Path, name, geoms, df, crs, gt, fids, overwrite, driver, spatial, new_file):
    import pyogrio
    from pyogrio.raw import write as raw_write

    if not new_file and not overwrite:
        existing = [str(x[0]).lower() for x in pyogrio.list_layers(str(target))]
        if name.lower() in existing:
            raise FileExistsError(f"layer {name!r} exists in {target}")
    # (an existing layer of that name is replaced by pyogrio itself: append=False;
    # never delete it through osgeo.ogr - another GDAL, other GeoPackage triggers)
    cols = []
    fields = []
    for c in df.columns:
        s = df[c]
        kind = _field_kind(s)
        if kind == "str":
            arr = s.astype(object).where(s.notna(), None).to_numpy(dtype=object)
            arr = np.array([None if v is None else str(v) for v in arr], dtype=object) if len(arr) and \
                not all(isinstance(v, str) or v is None for v in arr[: min(len(arr), 1000)]) else arr
        elif kind in ("int32", "int64"):
            arr = (s.to_numpy(dtype=np.int64) if not s.isna().any() else s.to_numpy(dtype=float))
            if kind == "int32" and arr.dtype == np.int64:
                arr = arr.astype(np.int32)
        elif kind == "bool":
            arr = s.to_numpy(dtype=bool)
        else:
            arr = s.to_numpy()
        cols.append(arr)
        fields.append(str(c))
    layer_options = {}
    if driver == "GPKG":
        layer_options["FID"] = FID_COLUMN if spatial else TABLE_FID_COLUMN
        if spatial:
            layer_options["GEOMETRY_NAME"] = GEOM_COLUMN
            layer_options["SPATIAL_INDEX"] = "YES"
        else:
            layer_options["ASPATIAL_VARIANT"] = "GPKG_ATTRIBUTES"
    # explicit fids: a field named like the FID column is taken as the FID by GPKG
    if spatial and driver == "GPKG":
        cols.append(np.asarray(fids, dtype=np.int64))
        fields.append(FID_COLUMN)
    wkb = shapely.to_wkb(geoms) if spatial else None
    kwargs = dict(layer=name, driver=driver, geometry_type=gt if spatial else None,
                  crs=crs if spatial else None, encoding="UTF-8" if driver == "ESRI Shapefile" else None,
                  append=False, layer_options=layer_options)
    if new_file and driver == "GPKG":
        # a pyogrio wheel's newer GDAL writes GeoPackage 1.4, which Debian 12's
        # GDAL 3.6 (QGIS 3.22) reads only with a "partially supported" warning
        kwargs["dataset_options"] = {"VERSION": "1.2"}
    with warnings.catch_warnings():
        # a few 3D footprints in a 2D layer are intended (imagery / CAD data)
        warnings.filterwarnings("ignore", message=".*declared with non-Z geometry type.*")
        raw_write(str(target), wkb, cols, fields, **kwargs)


# --------------------------------------------------------------------------- #
# reading
# --------------------------------------------------------------------------- #

def list_layers(path, *, backend: str | None = None) -> list[str]:
    """Names of all layers and attribute tables in the file."""
    if backend_name(backend) == "pyogrio":
        import pyogrio
        return [str(x[0]) for x in pyogrio.list_layers(str(path))]
    _, ogr, _ = _ogr()
    ds = ogr.Open(str(path))
    if ds is None:  # pragma: no cover
        raise OSError(f"cannot open {path}")
    return [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())]


def read_layer(path, layer_name: str, *, backend: str | None = None):
    """Read a layer: (fids int64, geoms object ndarray, attrs DataFrame, crs_wkt).

    Null geometries come back as None, empty ones as empty shapely geometries.
    Attribute-only tables give an array of None as geoms.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(path)
    if backend_name(backend) == "pyogrio":
        fids, geoms, df, crs = _read_pyogrio(path, layer_name)
    else:
        fids, geoms, df, crs = _read_ogr(path, layer_name)
    gpkg_crs = _gpkg_crs_wkt(path, layer_name)
    return fids, geoms, df, (gpkg_crs if gpkg_crs is not None else crs)


def read_table(path, name: str, *, backend: str | None = None) -> pd.DataFrame:
    """Read an attribute-only table (or the attributes of a layer)."""
    _, _, df, _ = read_layer(path, name, backend=backend)
    return df


def _gpkg_crs_wkt(path: Path, name: str):
    if _driver_for(path) != "GPKG":
        return None
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = con.execute(
                "SELECT s.definition FROM gpkg_geometry_columns g JOIN gpkg_spatial_ref_sys s "
                "ON g.srs_id = s.srs_id WHERE lower(g.table_name) = lower(?)", (name,)).fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return None
    if row is None:
        return ""  # attribute table: no CRS
    return row[0]


def _wkb_to_geoms(arr) -> np.ndarray:
    if isinstance(arr, np.ma.MaskedArray):
        mask = np.ma.getmaskarray(arr)
        data = np.asarray(arr.data)
    else:
        mask = np.zeros(len(arr), bool)
        data = np.asarray(arr)
    if data.dtype.kind == "V":
        data = np.array([x.tobytes() for x in data], dtype=object)
    else:
        data = data.astype(object)
    data[mask] = None
    return shapely.from_wkb(data)


def _column_from_arrow(v) -> object:
    if isinstance(v, np.ma.MaskedArray):
        mask = np.ma.getmaskarray(v)
        data = np.asarray(v.data)
    else:
        mask = np.zeros(len(v), bool)
        data = np.asarray(v)
    kind = data.dtype.kind
    if kind == "S":
        out = np.char.decode(data, "utf-8").astype(object) if len(data) else data.astype(object)
        out[mask] = None
        return out
    if kind == "O":
        out = np.array([x.decode("utf-8") if isinstance(x, bytes) else x for x in data], dtype=object)
        out[mask] = None
        return out
    if kind in "iu":
        if mask.any():
            return pd.arrays.IntegerArray(data.astype(np.int64), mask)
        return data
    if kind == "f":
        if mask.any():
            data = data.astype(float)
            data[mask] = np.nan
        return data
    if kind == "b":
        if mask.any():
            return pd.arrays.BooleanArray(data, mask)
        return data
    out = data.astype(object)
    out[mask] = None
    return out


def _read_ogr(path: Path, name: str):
    _, ogr, _ = _ogr()
    ds = ogr.Open(str(path))
    if ds is None:  # pragma: no cover
        raise OSError(f"cannot open {path}")
    lyr = ds.GetLayerByName(name)
    if lyr is None:
        raise KeyError(f"no layer {name!r} in {path}")
    defn = lyr.GetLayerDefn()
    field_names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    bool_fields = {defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())
                   if defn.GetFieldDefn(i).GetSubType() == ogr.OFSTBoolean}
    fid_col = lyr.GetFIDColumn() or "OGC_FID"
    geom_col = lyr.GetGeometryColumn() or "wkb_geometry"
    spatial = lyr.GetGeomType() != ogr.wkbNone
    srs = lyr.GetSpatialRef()
    crs_wkt = srs.ExportToWkt() if srs is not None else ""
    parts = {k: [] for k in ["__fid__", "__geom__"] + field_names}
    if hasattr(lyr, "GetArrowStreamAsNumPy"):
        stream = lyr.GetArrowStreamAsNumPy(options=["USE_MASKED_ARRAYS=YES", "MAX_FEATURES_IN_BATCH=262144"])
        for batch in stream:
            parts["__fid__"].append(np.asarray(batch[fid_col], dtype=np.int64))
            if spatial:
                parts["__geom__"].append(_wkb_to_geoms(batch[geom_col]))
            for f in field_names:
                parts[f].append(batch[f])
    else:  # pragma: no cover - GDAL < 3.6
        fids, geoms, vals = [], [], {f: [] for f in field_names}
        for feat in lyr:
            fids.append(feat.GetFID())
            g = feat.GetGeometryRef()
            geoms.append(None if g is None else bytes(g.ExportToIsoWkb()))
            for f in field_names:
                vals[f].append(feat.GetField(f))
        parts["__fid__"] = [np.asarray(fids, dtype=np.int64)]
        parts["__geom__"] = [shapely.from_wkb(np.asarray(geoms, dtype=object))] if spatial else []
        for f in field_names:
            parts[f] = [np.asarray(vals[f], dtype=object)]
    fids = np.concatenate(parts["__fid__"]) if parts["__fid__"] else np.zeros(0, np.int64)
    n = len(fids)
    if spatial and parts["__geom__"]:
        geoms = np.concatenate(parts["__geom__"])
    else:
        geoms = np.full(n, None, dtype=object)
    data = {}
    for f in field_names:
        chunks = parts[f]
        if not chunks:
            data[f] = np.zeros(0, dtype=object)
            continue
        cols = [_column_from_arrow(c) for c in chunks]
        if len(cols) == 1:
            col = cols[0]
        elif any(isinstance(c, pd.api.extensions.ExtensionArray) for c in cols):
            col = pd.concat([pd.Series(c) for c in cols], ignore_index=True).array
        else:
            col = np.concatenate(cols)
        if f in bool_fields and not isinstance(col, pd.api.extensions.ExtensionArray):
            col = np.asarray(col).astype(bool)
        data[f] = col
    df = pd.DataFrame(data, columns=field_names)
    ds = None  # noqa: F841
    return fids, geoms, df, crs_wkt


def _read_pyogrio(path: Path, name: str):
    from pyogrio.raw import read as raw_read

    meta, fids, geometry, field_data = raw_read(str(path), layer=name, return_fids=True)
    fields = list(meta["fields"])
    n = len(fids) if fids is not None else (len(field_data[0]) if len(field_data) else 0)
    if geometry is None:
        geoms = np.full(n, None, dtype=object)
    else:
        geoms = shapely.from_wkb(np.asarray(geometry, dtype=object))
    data = {}
    for f, col in zip(fields, field_data):
        data[f] = _column_from_arrow(col) if isinstance(col, np.ma.MaskedArray) else col
    df = pd.DataFrame(data, columns=fields)
    fids = np.asarray(fids, dtype=np.int64) if fids is not None else np.arange(1, n + 1, dtype=np.int64)
    return fids, geoms, df, str(meta.get("crs") or "")


# --------------------------------------------------------------------------- #
# the sample city
# --------------------------------------------------------------------------- #

def write_city(city, path, *, backend: str | None = None, bulk: bool | None = None) -> Path:
    """Write a ``SampleCity`` to a new GeoPackage (atomically: temp file + rename).

    Layers get fids 1..N in array order (so GeoPackage fid == truth fid); the
    truth tables and ``sample_params`` (key / JSON value) are attribute tables.

    bulk (default: whenever the system GDAL's ``osgeo`` is importable and
    ``backend`` is not "pyogrio"): GDAL creates every layer and table empty
    (GeoPackage 1.2, same field types, fid / row_id columns and spatial index as
    the per-layer path), then the rows go in by plain SQL and each spatial index
    is written as a packed R-tree with the plugin's ``gpkgbulk.make_gpkg_blobs``
    / ``gpkgbulk.build_packed_rtree`` - GDAL's triggers are dropped for the load
    and put back, so later edits through GDAL / QGIS keep the index up to date.
    ``gpkgbulk.write_new_layer`` itself writes one-layer files only.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.stem}.writing-{os.getpid()}{path.suffix}")
    _cleanup(tmp)
    tmp.parent.mkdir(parents=True, exist_ok=True)
    if bulk is None:
        bulk = backend_name(backend) == "ogr" or (backend is None and _have_osgeo())
    try:
        if bulk:
            _write_city_bulk(city, tmp)
        else:
            for name, (geoms, attrs) in city.layers.items():
                write_layer(tmp, name, geoms, attrs, crs=city.crs, geom_type=city.geom_types.get(name),
                            fids=np.arange(1, len(geoms) + 1, dtype=np.int64), backend=backend)
            for name, df in city.tables.items():
                write_table(tmp, name, df, backend=backend)
            write_table(tmp, PARAMS_TABLE, params_frame(city.params), backend=backend)
    except BaseException:
        _cleanup(tmp)
        raise
    os.replace(tmp, path)
    return path


def _have_osgeo() -> bool:
    try:
        from osgeo import ogr  # noqa: F401
    except ImportError:  # pragma: no cover
        return False
    return True


def _write_city_bulk(city, tmp: Path):
    import sys

    root = str(Path(__file__).resolve().parents[1])
    if root not in sys.path:  # pragma: no cover - scripts put the checkout on sys.path already
        sys.path.insert(0, root)
    from lincang_liangwei import gpkgbulk

    gdal, ogr, osr = _ogr()
    items = []  # (name, geoms or None, geom type or None, [(column, kind, values)])
    for name, (geoms, attrs) in city.layers.items():
        geoms = np.asarray(geoms, dtype=object)
        items.append((name, geoms, _norm_geom_type(city.geom_types.get(name), geoms),
                      _columns_for_write(_as_frame(attrs, len(geoms)))))
    for name, df in list(city.tables.items()) + [(PARAMS_TABLE, params_frame(city.params))]:
        items.append((name, None, None, _columns_for_write(_as_frame(df, len(df)))))
    types = {"int32": ogr.OFTInteger, "int64": ogr.OFTInteger64, "bool": ogr.OFTInteger,
             "float": ogr.OFTReal, "datetime": ogr.OFTDateTime, "str": ogr.OFTString}
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(tmp), options=["VERSION=1.2"])
    if ds is None:  # pragma: no cover
        raise OSError(f"cannot create {tmp}")
    try:
        srs = _srs(osr, city.crs)
        for name, geoms, gt, cols in items:
            if geoms is not None:
                opts = [f"FID={FID_COLUMN}", f"GEOMETRY_NAME={GEOM_COLUMN}", "SPATIAL_INDEX=YES"]
                lyr = ds.CreateLayer(name, srs, _ogr_geom_type(ogr, gt), opts)
            else:
                lyr = ds.CreateLayer(name, None, ogr.wkbNone, [f"FID={TABLE_FID_COLUMN}", "ASPATIAL_VARIANT=GPKG_ATTRIBUTES"])
            for cname, kind, _ in cols:
                fd = ogr.FieldDefn(cname, types[kind])
                if kind == "bool":
                    fd.SetSubType(ogr.OFSTBoolean)
                lyr.CreateField(fd)
    finally:
        lyr = ds = None  # noqa: F841 - GDAL writes the (empty) spatial indexes on close
    con = sqlite3.connect(str(tmp), isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode = OFF")  # a private temporary file until os.replace
        con.execute("PRAGMA synchronous = OFF")
        con.execute("BEGIN")
        for name, geoms, _, cols in items:
            table = con.execute("SELECT table_name FROM gpkg_contents WHERE lower(table_name) = lower(?)",
                                (name,)).fetchone()[0]
            trig = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
                               (table,)).fetchall()
            for tname, _ in trig:
                con.execute(f'DROP TRIGGER "{tname}"')
            n = len(geoms) if geoms is not None else (len(cols[0][2]) if cols else 0)
            fids = np.arange(1, n + 1, dtype=np.int64)
            names = [FID_COLUMN if geoms is not None else TABLE_FID_COLUMN] + ([GEOM_COLUMN] if geoms is not None else [])
            names += [c for c, _, _ in cols]
            lists = [fids.tolist()]
            bounds = None
            if geoms is not None:
                srs_id = con.execute("SELECT srs_id FROM gpkg_geometry_columns WHERE lower(table_name) = lower(?)",
                                     (table,)).fetchone()[0]
                blobs, bounds = gpkgbulk.make_gpkg_blobs(geoms, int(srs_id))
                lists.append(blobs)
            lists += [vals for _, _, vals in cols]
            cl = ", ".join('"' + c.replace('"', '""') + '"' for c in names)
            con.executemany(f'INSERT INTO "{table}" ({cl}) VALUES ({", ".join("?" * len(names))})', zip(*lists))
            del lists
            if geoms is not None:
                gpkgbulk.build_packed_rtree(con, table, GEOM_COLUMN, fids, bounds)
                ok = np.isfinite(bounds).all(1) & (bounds[:, 0] <= bounds[:, 2])
                ext = ((float(bounds[ok, 0].min()), float(bounds[ok, 1].min()), float(bounds[ok, 2].max()),
                        float(bounds[ok, 3].max())) if ok.any() else (None,) * 4)
                con.execute("UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ? "
                            "WHERE table_name = ?", (*ext, table))
            if con.execute("SELECT 1 FROM sqlite_master WHERE name = 'gpkg_ogr_contents'").fetchone():
                con.execute("UPDATE gpkg_ogr_contents SET feature_count = ? WHERE lower(table_name) = lower(?)",
                            (n, table))
            for _, sql in trig:
                con.execute(sql)
        con.execute("COMMIT")
    finally:
        con.close()


def params_frame(params: dict) -> pd.DataFrame:
    keys = sorted(params)
    return pd.DataFrame({"key": keys, "value": [json.dumps(params[k], sort_keys=True, ensure_ascii=False)
                                                for k in keys]})


def read_params(path, *, backend: str | None = None) -> dict | None:
    """The ``sample_params`` of a sample-city GeoPackage, or None."""
    path = Path(path)
    if not path.exists():
        return None
    try:
        if PARAMS_TABLE not in list_layers(path, backend=backend):
            return None
        df = read_table(path, PARAMS_TABLE, backend=backend)
    except Exception:  # noqa: BLE001 - an unreadable cache marker only means: regenerate
        return None
    return {str(k): json.loads(v) for k, v in zip(df["key"], df["value"])}
