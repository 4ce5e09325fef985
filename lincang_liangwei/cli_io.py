"""File input / output of the command line (:mod:`lincang_liangwei.cli`), without QGIS.

Reading and writing go through ``pyogrio`` when it is importable, else the system GDAL's
``osgeo.ogr``.  Never imported inside the QGIS process (a pyogrio wheel bundles another GDAL).

* Layer syntax: ``file.gpkg``, ``file.gpkg:layer`` or ``file.gpkg|layername=layer``.  A file with
  several layers given without a layer name is refused, listing them.
* Output format by extension: ``.gpkg`` (default, and for a name without extension), ``.shp``,
  ``.fgb`` (FlatGeobuf), ``.parquet`` / ``.geoparquet`` (GeoParquet: only where the GDAL in use has the
  Parquet driver), ``.geojson``.  GeoPackage outputs are written by :mod:`lincang_liangwei.gpkgbulk`, the
  very writer the plugin uses, so both give the same file; every output is written under a temporary name
  and moved into place when complete (:mod:`lincang_liangwei.atomicfile`).
* CRS: pyproj when it works, else ``osgeo.osr``; the working CRS is chosen by the same rules as in QGIS
  (:mod:`lincang_liangwei.core.crs`).
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from .core.crs import rescaled_working_epsg, working_epsg


class InputError(Exception):
    """Bad input or parameter: the command line prints the message and exits with code 2."""


# --------------------------------------------------------------------------- backends
def _ogr():
    try:
        from osgeo import gdal, ogr, osr
    except ImportError as exc:  # pragma: no cover - depends on the machine
        raise InputError("neither pyogrio nor the GDAL Python bindings (osgeo) are installed: "
                         "pip install pyogrio, or apt-get install python3-gdal") from exc
    gdal.UseExceptions()
    ogr.UseExceptions()
    osr.UseExceptions()
    return gdal, ogr, osr


def have_pyogrio() -> bool:
    if os.environ.get("LINCANG_FILEIO_BACKEND", "").lower() == "ogr":
        return False
    try:
        import pyogrio  # noqa: F401
    except Exception:  # noqa: BLE001 - a broken install falls back to ogr
        return False
    return True


DRIVERS = {".gpkg": "GPKG", ".shp": "ESRI Shapefile", ".fgb": "FlatGeobuf", ".parquet": "Parquet",
           ".geoparquet": "Parquet", ".geojson": "GeoJSON", ".json": "GeoJSON"}


def driver_available(driver: str) -> bool:
    if have_pyogrio():
        import pyogrio

        return driver in pyogrio.list_drivers()
    _, ogr, _ = _ogr()
    return ogr.GetDriverByName(driver) is not None


# --------------------------------------------------------------------------- layer names
def parse_layer_spec(spec: str) -> tuple[str, str | None]:
    """``file.gpkg|layername=x`` / ``file.gpkg:x`` / ``file.gpkg`` -> (path, layer or None)."""
    spec = str(spec).strip()
    if "|" in spec:
        path, _, rest = spec.partition("|")
        layer = None
        for part in rest.split("|"):
            k, _, v = part.partition("=")
            if k.strip().lower() == "layername":
                layer = v.strip()
        return path, layer
    if os.path.exists(spec):
        return spec, None
    head, sep, tail = spec.rpartition(":")
    # a ':' that is not a Windows drive letter and whose left part is a file
    if sep and len(head) > 1 and tail and not tail.startswith(("\\", "/")):
        return head, tail
    return spec, None


def list_layers(path: str) -> list[str]:
    if have_pyogrio():
        import pyogrio

        return [str(x[0]) for x in pyogrio.list_layers(path)]
    _, ogr, _ = _ogr()
    ds = ogr.Open(path)
    return [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())]


# --------------------------------------------------------------------------- CRS
class Crs:
    """A CRS (WKT / EPSG), with the few operations the command line needs; pyproj or osr inside."""

    def __init__(self, text: str):
        self.text = text
        self._impl, self._kind = _make_crs(text)

    @property
    def is_geographic(self) -> bool:
        return bool(self._impl.is_geographic) if self._kind == "pyproj" else bool(self._impl.IsGeographic())

    @property
    def authid(self) -> str:
        if self._kind == "pyproj":
            a = self._impl.to_authority()
            return f"{a[0]}:{a[1]}" if a else ""
        self._impl.AutoIdentifyEPSG() if self._impl.GetAuthorityCode(None) is None else None
        name, code = self._impl.GetAuthorityName(None), self._impl.GetAuthorityCode(None)
        return f"{name}:{code}" if name and code else ""

    @property
    def label(self) -> str:
        return self.authid or (self._impl.name if self._kind == "pyproj" else self._impl.GetName())

    def geographic_base_authid(self) -> str:
        if self._kind == "pyproj":
            g = self._impl.geodetic_crs
            a = g.to_authority() if g is not None else None
            return f"{a[0]}:{a[1]}" if a else ""
        g = self._impl.CloneGeogCS()
        g.AutoIdentifyEPSG()
        name, code = g.GetAuthorityName(None), g.GetAuthorityCode(None)
        return f"{name}:{code}" if name and code else ""

    def wkt(self) -> str:
        return self._impl.to_wkt() if self._kind == "pyproj" else self._impl.ExportToWkt()

    def same_as(self, other: Crs) -> bool:
        if self._kind == "pyproj":
            return self._impl == other._impl
        return bool(self._impl.IsSame(other._impl))

    def transformer(self, dst: Crs):
        """f(x array, y array) -> (x, y), always x = easting / longitude."""
        if self._kind == "pyproj":
            from pyproj import Transformer

            t = Transformer.from_crs(self._impl, dst._impl, always_xy=True)
            return lambda x, y: t.transform(x, y)
        _, _, osr = _ogr()
        a, b = self._impl.Clone(), dst._impl.Clone()
        for s in (a, b):
            s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        t = osr.CoordinateTransformation(a, b)

        def f(x, y):
            if len(x) == 0:
                return np.asarray(x, float), np.asarray(y, float)
            pts = np.asarray(t.TransformPoints(np.column_stack([x, y]).tolist()))
            return pts[:, 0], pts[:, 1]
        return f

    def to_lonlat(self):
        return self.transformer(Crs("EPSG:4326"))


def _make_crs(text):
    try:
        import warnings

        with warnings.catch_warnings():   # Debian's pyproj in a venv warns about its data dir: set below
            warnings.simplefilter("ignore")
            import pyproj

        try:
            pyproj.datadir.get_data_dir()
        except Exception:  # noqa: BLE001 - Debian's python3-pyproj in a venv: point it at the system data
            for d in ("/usr/share/proj", "/usr/local/share/proj"):
                if os.path.isfile(os.path.join(d, "proj.db")):
                    pyproj.datadir.set_data_dir(d)
                    break
        return pyproj.CRS.from_user_input(text), "pyproj"
    except ImportError:
        pass
    except Exception as exc:  # noqa: BLE001 - pyproj present but unusable: try osr below
        if "proj" not in str(exc).lower() and "crs" not in str(exc).lower():
            raise
    _, _, osr = _ogr()
    s = osr.SpatialReference()
    try:
        s.SetFromUserInput(text)
    except Exception as exc:  # noqa: BLE001
        raise InputError(f"unknown CRS {text!r}") from exc
    return s, "osr"


def _point_scale(crs: Crs, lon: float, lat: float) -> tuple[float, float]:
    """Point scale factors east-west / north-south of ``crs`` at (lon, lat), from 100 m steps on the GRS80
    ellipsoid (local radii; exact to far below the 0.5 % limit)."""
    a, e2 = 6378137.0, 0.00669438002290
    phi = math.radians(lat)
    w = 1 - e2 * math.sin(phi) ** 2
    m = a * (1 - e2) / w ** 1.5
    n = a / math.sqrt(w)
    dlat = math.degrees(100.0 / m)
    dlon = math.degrees(100.0 / (n * math.cos(phi)))
    f = Crs("EPSG:4326").transformer(crs)
    x, y = f(np.array([lon, lon + dlon, lon]), np.array([lat, lat, lat + dlat]))
    return math.hypot(x[1] - x[0], y[1] - y[0]) / 100.0, math.hypot(x[2] - x[0], y[2] - y[0]) / 100.0


def require_crs(layer: LayerData) -> Crs:
    wkt = (layer.crs_wkt or "").strip()
    if not wkt or "Undefined geographic SRS" in wkt:
        raise InputError(f"layer '{layer.name}' has no CRS: set its CRS (e.g. ogr2ogr -a_srs EPSG:4542)")
    return Crs(wkt)


def choose_working_crs(layer: LayerData, override: str | None = None) -> tuple[Crs, str]:
    """Projected CRS in metres for the run and a log sentence: the same rules as the plugin
    (``qgis_io.reader.choose_working_crs``)."""
    crs = require_crs(layer)
    lonlat = _centre_lonlat(layer, crs)
    if override:
        o = Crs(override)
        if o.is_geographic:
            raise InputError(f"the working CRS {o.label} is geographic: choose a projected CRS in metres")
        if lonlat is not None:
            pick = rescaled_working_epsg(o.label, o.geographic_base_authid(), *lonlat, *_point_scale(o, *lonlat))
            if pick is not None:
                raise InputError(f"the working CRS given is not metric here ({pick[1]['length_pct']:.1f} % in "
                                 f"length): use EPSG:{pick[0]} or leave it empty to choose automatically")
        return o, f"working CRS (given): {o.label}"
    if not crs.is_geographic:
        if lonlat is not None:
            pick = rescaled_working_epsg(crs.label, crs.geographic_base_authid(), *lonlat,
                                         *_point_scale(crs, *lonlat))
            if pick is not None:
                return Crs(f"EPSG:{pick[0]}"), (f"{crs.label} is not metric here ({pick[1]['length_pct']:.1f} % in "
                                                f"length, {pick[1]['area_pct']:.1f} % in area): computing in "
                                                f"EPSG:{pick[0]}")
        return crs, f"working CRS: {crs.label}"
    lon, lat = lonlat if lonlat is not None else (99.0, 24.0)
    code, facts = working_epsg(crs.authid, lon, lat)
    return Crs(f"EPSG:{code}"), f"geographic input ({crs.label}): computing in EPSG:{code} ({facts['kind']})"


def _centre_lonlat(layer: LayerData, crs: Crs):
    g = layer.geoms[~shapely.is_missing(layer.geoms)]
    if len(g) == 0:
        return None
    b = shapely.total_bounds(g)
    if not np.isfinite(b).all():
        return None
    x, y = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    if crs.is_geographic:
        if not (-180 <= b[0] and b[2] <= 360 and -90 <= b[1] and b[3] <= 90):
            raise InputError(f"layer '{layer.name}': coordinates ({b[0]:.0f}, {b[1]:.0f}) … ({b[2]:.0f}, {b[3]:.0f}) "
                             f"do not fit its geographic CRS {crs.label} (metres labelled as degrees?)")
        return float(x), float(y)
    lon, lat = crs.to_lonlat()(np.array([x]), np.array([y]))
    if not (np.isfinite(lon[0]) and np.isfinite(lat[0]) and abs(lat[0]) <= 90):
        raise InputError(f"layer '{layer.name}': coordinates do not fit its CRS {crs.label}")
    return float(lon[0]), float(lat[0])


def reproject(geoms: np.ndarray, src: Crs, dst: Crs) -> np.ndarray:
    if src.same_as(dst):
        return geoms
    f = src.transformer(dst)

    def tf(coords):
        x, y = f(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])
    out = np.asarray(geoms, dtype=object).copy()
    ok = ~shapely.is_missing(out)
    out[ok] = shapely.transform(out[ok], tf)
    return out


# --------------------------------------------------------------------------- reading
@dataclass
class LayerData:
    name: str
    path: str
    layer: str
    driver: str
    fids: np.ndarray
    geoms: np.ndarray
    attrs: pd.DataFrame
    crs_wkt: str
    geom_type: str = ""
    unparsable: np.ndarray | None = None
    extra: dict = field(default_factory=dict)

    def __len__(self):
        return len(self.fids)


def read_layer(spec: str, what: str = "layer") -> LayerData:
    """Read a whole layer (``spec``: layer syntax above).  Bad files -> :class:`InputError`."""
    path, layer = parse_layer_spec(spec)
    if not os.path.exists(path):
        raise InputError(f"{what}: no such file: {path}")
    try:
        layers = list_layers(path)
    except Exception as exc:  # noqa: BLE001 - GDAL's words
        raise InputError(f"{what}: cannot open {path}: {exc}") from exc
    if layer is None:
        data_layers = [n for n in layers if n.lower() != "layer_styles"] or layers   # QGIS's style table
        if len(data_layers) != 1:
            raise InputError(f"{what}: {path} has {len(data_layers)} layers ({', '.join(data_layers)}): write "
                             f"'{path}|layername=NAME' or '{path}:NAME'")
        layer = data_layers[0]
    elif layer not in layers:
        raise InputError(f"{what}: {path} has no layer '{layer}' (layers: {', '.join(layers)})")
    try:
        if str(path).lower().endswith(".gpkg"):
            out = _read_gpkg(path, layer)
        elif have_pyogrio():
            out = _read_pyogrio(path, layer)
        else:
            out = _read_ogr(path, layer)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise InputError(f"{what}: cannot read {path} layer {layer}: {exc}") from exc
    out.name = layer
    return out


def _from_wkb(blobs) -> tuple[np.ndarray, np.ndarray]:
    blobs = np.asarray(blobs, dtype=object)
    geoms = shapely.from_wkb(blobs, on_invalid="ignore")
    has = np.array([b is not None for b in blobs], dtype=bool) if len(blobs) else np.zeros(0, bool)
    return geoms, has & shapely.is_missing(geoms)


def _read_pyogrio(path, layer) -> LayerData:
    from pyogrio.raw import read as raw_read

    meta, fids, geometry, field_data = raw_read(path, layer=layer, return_fids=True)
    fields = list(meta["fields"])
    n = len(fids)
    geoms, bad = _from_wkb(geometry) if geometry is not None else (np.full(n, None, dtype=object), None)
    data = {}
    for f, col in zip(fields, field_data):
        if isinstance(col, np.ma.MaskedArray):
            col = np.where(col.mask, None, col.data.astype(object)) if col.mask.any() else col.data
        data[f] = col
    return LayerData(layer, path, layer, str(meta.get("driver") or ""), np.asarray(fids, dtype=np.int64), geoms,
                     pd.DataFrame(data, columns=fields), str(meta.get("crs") or ""), str(meta.get("geometry_type")),
                     bad)


def _read_gpkg(path, layer) -> LayerData:
    """A whole GeoPackage layer straight from SQLite (:mod:`lincang_liangwei.gpkgsource`): the same features,
    values and geometries as GDAL gives (curves linearised by GDAL), several times faster than a feature loop."""
    from .gpkgsource import GpkgLayer

    try:
        src = GpkgLayer(path, layer)
    except ValueError:   # an attribute table (no geometry column): GDAL reads it
        return _read_pyogrio(path, layer) if have_pyogrio() else _read_ogr(path, layer)
    try:
        fids, geoms, bad, attrs = src.read_fids(src.all_fids(), src.columns)
        data = {}
        for c in src.columns:
            v = attrs[c]
            decl = src.decl_types.get(c, "")
            missing = np.array([x is None for x in v], dtype=bool)
            if any(t in decl for t in ("INT", "BOOL")) and not missing.any():
                data[c] = v.astype(np.int64)
            elif any(t in decl for t in ("REAL", "FLOA", "DOUB")):
                data[c] = np.where(missing, np.nan, v).astype(float)
            else:
                data[c] = v
        gtype = src.con.execute("SELECT geometry_type_name FROM gpkg_geometry_columns WHERE lower(table_name) = "
                                "lower(?)", (layer,)).fetchone()[0]
        return LayerData(layer, path, layer, "GPKG", fids, geoms, pd.DataFrame(data, columns=src.columns),
                         src.crs_wkt, str(gtype), bad)
    finally:
        src.close()


def _read_ogr(path, layer) -> LayerData:
    _, ogr, _ = _ogr()
    ds = ogr.Open(path)
    lyr = ds.GetLayerByName(layer)
    defn = lyr.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    kinds = [defn.GetFieldDefn(i).GetType() for i in range(defn.GetFieldCount())]
    srs = lyr.GetSpatialRef()
    fids, blobs, vals = [], [], {f: [] for f in names}
    for feat in lyr:   # plain loop: every driver, curves linearised (the Arrow stream differs by driver)
        fids.append(feat.GetFID())
        g = feat.GetGeometryRef()
        if g is not None and g.HasCurveGeometry():
            g = g.GetLinearGeometry()
        blobs.append(None if g is None else bytes(g.ExportToIsoWkb()))
        for f in names:
            vals[f].append(feat.GetField(f) if feat.IsFieldSetAndNotNull(f) else None)
    geoms, bad = _from_wkb(blobs)
    data = {}
    for f, k in zip(names, kinds):
        v = vals[f]
        if k in (ogr.OFTInteger, ogr.OFTInteger64) and all(x is not None for x in v):
            data[f] = np.asarray(v, dtype=np.int64)
        elif k == ogr.OFTReal:
            data[f] = np.asarray([np.nan if x is None else x for x in v], dtype=float)
        else:
            data[f] = np.asarray(v, dtype=object)
    return LayerData(layer, path, layer, ds.GetDriver().GetName(), np.asarray(fids, dtype=np.int64), geoms,
                     pd.DataFrame(data, columns=names), srs.ExportToWkt() if srs is not None else "",
                     ogr.GeometryTypeToName(lyr.GetGeomType()), bad)


# --------------------------------------------------------------------------- writing
@dataclass
class Output:
    """One output of a run: file path, layer name, OGR driver."""

    path: str
    layer: str
    driver: str

    @property
    def is_gpkg(self) -> bool:
        return self.driver == "GPKG"


def resolve_output(spec: str, what: str) -> Output:
    path, layer = parse_layer_spec(spec)
    ext = Path(path).suffix.lower()
    if ext == "":
        path, ext = path + ".gpkg", ".gpkg"
    driver = DRIVERS.get(ext)
    if driver is None:
        raise InputError(f"{what}: unknown output format '{ext}' (use .gpkg, .shp, .fgb, .parquet or .geojson)")
    if not driver_available(driver):
        if driver == "Parquet":
            raise InputError(f"{what}: GeoParquet output needs GDAL with the Parquet driver (GDAL >= 3.5 built with "
                             "Arrow), which this GDAL lacks; install pyogrio (its wheels include it) or write .gpkg")
        raise InputError(f"{what}: this GDAL has no {driver} driver")
    parent = Path(path).resolve().parent
    if not parent.is_dir():
        raise InputError(f"{what}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise InputError(f"{what}: folder {parent} is not writable")
    if driver != "GPKG" and layer:
        layer = layer
    return Output(path, layer or Path(path).stem, driver)


def same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def _as_multi(geoms: np.ndarray, lines=False) -> np.ndarray:
    geoms = np.asarray(geoms, dtype=object).copy()
    single = shapely.LineString if lines else shapely.Polygon
    multi = shapely.MultiLineString if lines else shapely.MultiPolygon
    for i, g in enumerate(geoms):
        if isinstance(g, single):
            geoms[i] = multi([g])
    return geoms


_KIND_OGR = {"int": "OFTInteger64", "int64": "OFTInteger64", "double": "OFTReal", "string": "OFTString"}
BULK_KINDS = {"int": "int", "int64": "int", "double": "double", "string": "string"}


def write_features(out: Output, spec, geoms, columns, crs: Crs, lines=False) -> int:
    """Computed features (multi geometries, ``columns`` aligned with ``spec`` (name, kind) pairs)."""
    geoms = _as_multi(np.asarray(geoms, dtype=object), lines)
    gtype = "MultiLineString" if lines else "MultiPolygon"
    if out.is_gpkg:
        from .gpkgbulk import write_new_layer

        cols = [(name, BULK_KINDS[kind], np.asarray(col)) for (name, kind), col in zip(spec, columns)]
        crs_id = crs.authid if crs.authid.upper().startswith("EPSG:") else crs.wkt()
        return write_new_layer(out.path, out.layer, geoms, cols, crs_id, gtype)
    names = [s[0] for s in spec]
    kinds = [s[1] for s in spec]
    return _write_generic(out, geoms, names, kinds, [np.asarray(c) for c in columns], crs.wkt(), gtype)


def write_source_rows(out: Output, src: LayerData, fids, columns, spec, only_listed=False, bounds=None) -> int:
    """Every source feature as it is (or only those in ``fids``), plus ``columns`` aligned with ``fids``.
    ``bounds``: (fids, boxes) of the source features when known (a GeoPackage copy then reads no blob twice)."""
    fids = np.asarray(fids, dtype=np.int64)
    if out.is_gpkg and src.driver.upper() == "GPKG":
        from .gpkgbulk import copy_layer_with_columns

        extra = [(name, BULK_KINDS[kind], np.asarray(col)) for (name, kind), col in zip(spec, columns)]
        return copy_layer_with_columns(src.path, src.layer, out.path, out.layer, extra, fids, only_listed=only_listed,
                                       bounds=None if only_listed else bounds)
    pos = pd.Index(src.fids).get_indexer(fids)
    keep = np.arange(len(src)) if not only_listed else np.sort(pos[pos >= 0])
    where = np.full(len(src), -1, dtype=np.int64)
    where[pos[pos >= 0]] = np.flatnonzero(pos >= 0)
    names = list(src.attrs.columns)
    kinds, cols = [], []
    for c in names:
        v = src.attrs[c].to_numpy()
        kinds.append("int" if v.dtype.kind in "iu" else "double" if v.dtype.kind == "f" else "string")
        cols.append(v[keep])
    taken = {n.lower() for n in names} | {"fid", "geom"}
    for (name, kind), col in zip(spec, columns):
        base, k = name, 2
        while name.lower() in taken:
            name, k = f"{base}_{k}", k + 1
        taken.add(name.lower())
        col = np.asarray(col)
        w = where[keep]
        full = np.full(len(keep), None, dtype=object)
        full[w >= 0] = col[w[w >= 0]]
        names.append(name)
        kinds.append(kind)
        cols.append(full)
    return _write_generic(out, src.geoms[keep], names, kinds, cols, src.crs_wkt, None, fids=src.fids[keep])


def _write_generic(out: Output, geoms, names, kinds, cols, crs_wkt, gtype, fids=None) -> int:
    from . import atomicfile

    atomicfile.clean_leftovers(out.path)
    tmp = atomicfile.temp_sibling(out.path)
    try:
        if have_pyogrio():
            _write_pyogrio(str(tmp), out, geoms, names, kinds, cols, crs_wkt, gtype)
        else:
            _write_ogr(str(tmp), out, geoms, names, kinds, cols, crs_wkt, gtype)
        atomicfile.publish(tmp, out.path)
    except BaseException:
        atomicfile.discard(tmp)
        raise
    return len(geoms)


def _typed(col, kind):
    col = np.asarray(col, dtype=object)
    if kind in ("int", "int64"):
        return [None if v is None or (isinstance(v, float) and math.isnan(v)) else int(v) for v in col]
    if kind == "double":
        return [None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v) for v in col]
    return [None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v) for v in col]


def _write_ogr(tmp, out, geoms, names, kinds, cols, crs_wkt, gtype):
    gdal, ogr, osr = _ogr()
    gdal.PushErrorHandler("CPLQuietErrorHandler")   # "laundered field name" (shapefile: 10 characters)
    try:
        return _write_ogr_quiet(tmp, out, geoms, names, kinds, cols, crs_wkt, gtype, ogr, osr)
    finally:
        gdal.PopErrorHandler()


def _write_ogr_quiet(tmp, out, geoms, names, kinds, cols, crs_wkt, gtype, ogr, osr):
    drv = ogr.GetDriverByName(out.driver)
    ds = drv.CreateDataSource(tmp)
    srs = None
    if crs_wkt:
        srs = osr.SpatialReference()
        srs.ImportFromWkt(crs_wkt)
    if gtype is None:
        types = set(shapely.get_type_id(geoms[~shapely.is_missing(geoms)]).tolist())
        gtype = {frozenset({3}): "Polygon", frozenset({6}): "MultiPolygon",
                 frozenset({3, 6}): "MultiPolygon"}.get(frozenset(types), "Unknown")
    code = {"MultiPolygon": ogr.wkbMultiPolygon, "MultiLineString": ogr.wkbMultiLineString,
            "Polygon": ogr.wkbPolygon}.get(gtype, ogr.wkbUnknown)
    opts = ["ENCODING=UTF-8"] if out.driver == "ESRI Shapefile" else []
    lyr = ds.CreateLayer(out.layer, srs, code, options=opts)
    for name, kind in zip(names, kinds):
        lyr.CreateField(ogr.FieldDefn(name, getattr(ogr, _KIND_OGR[kind])))
    defn = lyr.GetLayerDefn()
    real = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]  # shapefile: cut names
    values = [_typed(c, k) for c, k in zip(cols, kinds)]
    lyr.StartTransaction()
    wkb = shapely.to_wkb(geoms)
    for i in range(len(geoms)):
        f = ogr.Feature(defn)
        for j, v in enumerate(values):
            if v[i] is not None:
                f.SetField(j, v[i])
        if wkb[i] is not None:
            f.SetGeometry(ogr.CreateGeometryFromWkb(wkb[i]))
        lyr.CreateFeature(f)
    lyr.CommitTransaction()
    ds = None  # noqa: F841 - close
    return real


def _write_pyogrio(tmp, out, geoms, names, kinds, cols, crs_wkt, gtype):  # pragma: no cover - pyogrio machines
    from pyogrio.raw import write

    fields = [np.asarray(_typed(c, k), dtype=object if k == "string" else (float if k == "double" else object))
              for c, k in zip(cols, kinds)]
    write(tmp, shapely.to_wkb(geoms), fields, names, layer=out.layer, driver=out.driver, crs=crs_wkt or None,
          geometry_type=gtype or "Unknown", encoding="UTF-8" if out.driver == "ESRI Shapefile" else None)


def read_output(path: str, layer: str | None = None) -> LayerData:
    """Read an output back (tests)."""
    return read_layer(path if layer is None else f"{path}|layername={layer}")
