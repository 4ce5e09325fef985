"""QGIS feature sources -> numpy arrays of shapely geometries.

An algorithm resolves each input once (:func:`resolve_input`, which refuses a
layer of the wrong geometry type or an ambiguous multi-layer file and picks the
text encoding of a shapefile that does not declare one) and reads it with
:func:`read_layer`, the one reader entry point.  That chooses inside between
GDAL's Arrow stream (a whole GeoPackage / shapefile layer already in the
working CRS: 2-3x faster at 10^6 rows) and one pass over the QGIS source in C++
iteration order with QGIS reprojecting on the fly; both give identical arrays.
Geometry validity checks are switched off: invalid footprints are repaired and
counted in the core, so ``processing.run``, the GUI and ``qgis_process`` all
give the same answer.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, replace

import numpy as np
import shapely
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsCsException,
    QgsFeatureRequest,
    QgsGeometry,
    QgsProcessingException,
    QgsProcessingFeatureSource,
    QgsUnitTypes,
    QgsWkbTypes,
)

from ..core.crs import rescaled_working_epsg, working_epsg
from ..core.geometry import as_multi as _as_multi
from ..core.geometry import clean
from ..i18n import N_, tr
from .messages import canceled, clean_lines, rescaled_crs_note, working_crs_note


def features(source, request):
    """Iterate ``source`` with ``request``, never applying Processing's
    invalid-geometry filter: the core repairs and counts invalid outlines, so
    every entry point (GUI, processing.run, qgis_process) sees all features."""
    if isinstance(source, QgsProcessingFeatureSource):
        return source.getFeatures(request, QgsProcessingFeatureSource.FlagSkipGeometryValidityChecks)
    return source.getFeatures(request)


@dataclass
class InputLayer:
    """One input of an algorithm, resolved once (:func:`resolve_input`) and read with :func:`read_layer`.

    ``source`` is what every later step reads (and what a writer copies source
    rows from): the Processing feature source, or a re-opened layer when the
    reader had to pick the text encoding of a shapefile.
    """

    param: str  # parameter name, e.g. FOOTPRINTS
    name: str  # the layer name a planner recognises
    source: object  # QgsFeatureSource
    layer: object = None  # QgsVectorLayer behind the source, or None
    value: object = None  # the parameter value as given (layer, path, QgsProcessingFeatureSourceDefinition)
    description: str = ""  # the parameter's label in the dialog
    encoding: str = ""  # attribute encoding the reader chose because the file declares none ('' = as the layer says)
    dbf: object = None  # core.dbf.DbfText of a shapefile, else None


@dataclass
class LayerArrays:
    name: str
    fids: np.ndarray  # int64 QGIS feature ids
    geoms: np.ndarray  # shapely geometries in the working CRS (None = null)
    attrs: dict  # field name -> object ndarray
    unparsable: np.ndarray  # bool: geometry present but not readable as WKB
    n_curved: int = 0
    n_m: int = 0
    # (GeoPackage path, layer name) when the rows were read straight from that GeoPackage layer
    # (fids are its fids, every row read): a writer may then copy source rows with SQL.  None otherwise.
    fast_file: tuple | None = None
    read_path: str = "qgis"  # "arrow" (GDAL Arrow stream) or "qgis" (QGIS feature iteration)

    def __len__(self):
        return len(self.fids)


def _uri_parts(layer) -> dict:
    from qgis.core import QgsProviderRegistry

    return QgsProviderRegistry.instance().decodeUri(layer.providerType(), layer.source())


def _given(value) -> bool:
    """True for a real value (not None, '', or a QVariant NULL)."""
    if value is None or value == "":
        return False
    try:
        return not value.isNull()
    except AttributeError:
        return True


def layer_label(layer, source, fallback: str) -> str:
    """A name a planner recognises: the GeoPackage layer name, else the layer's name."""
    if layer is not None:
        parts = _uri_parts(layer)
        if _given(parts.get("layerName")):
            return str(parts["layerName"])
        if layer.name():
            return layer.name()
    return (source.sourceName() if source is not None else "") or fallback


# GDAL's names for "the file had no CRS" (GeoPackage srs_id 0 / -1, what ogr2ogr writes from CSV or DXF)
UNDEFINED_CRS_NAMES = ("undefined geographic srs", "undefined cartesian srs")


def is_undefined_crs(crs) -> bool:
    """No CRS at all, or one of GDAL's placeholders for a missing CRS."""
    if not crs.isValid():
        return True
    text = (crs.description() + " " + crs.toWkt()).lower()
    return any(n in text for n in UNDEFINED_CRS_NAMES)


def require_crs(source, name: str, context=None):
    """The layer's CRS; refuse a layer without one or whose coordinates do not fit it.

    Without a CRS areas would be in unknown units (GDAL's "Undefined geographic
    SRS" counts as none).  Coordinates outside the CRS's area of use (projected
    metres labelled EPSG:4326, degrees labelled EPSG:4542, another 3-degree
    zone's eastings) mean the CRS was set wrong, and every area and distance
    would be wrong with it.
    """
    crs = source.sourceCrs()
    if is_undefined_crs(crs):
        raise QgsProcessingException(
            tr("Layer '{name}' has no coordinate reference system, so areas and distances cannot be computed. "
               "Set its CRS in the layer properties and run again.").format(name=name))
    extent = source.sourceExtent()
    if extent.isNull() or (extent.width() == 0 and extent.height() == 0):
        return crs
    span = (f"{extent.xMinimum():.6g}, {extent.yMinimum():.6g} – {extent.xMaximum():.6g}, "
            f"{extent.yMaximum():.6g}")
    fits = True
    if crs.isGeographic():
        fits = (extent.xMinimum() >= -180.5 and extent.xMaximum() <= 360.5
                and extent.yMinimum() >= -90.5 and extent.yMaximum() <= 90.5)
    else:
        area = crs.bounds()  # area of use, WGS 84 degrees
        if not area.isNull() and not area.isEmpty():
            try:
                to_wgs = QgsCoordinateTransform(crs, QgsCoordinateReferenceSystem("EPSG:4326"), _transform_context(context))
                wgs = to_wgs.transformBoundingBox(extent)
                fits = wgs.isFinite() and area.buffered(5.0).intersects(wgs)
            except QgsCsException:
                fits = False
    if not fits:
        raise QgsProcessingException(
            tr("Layer '{name}': its coordinates ({span}) do not fit its CRS {crs}; the CRS is probably set wrong "
               "(e.g. projected metres labelled as degrees, or the wrong 3-degree zone). Correct the layer's CRS "
               "and run again.").format(name=name, span=span, crs=crs.authid() or crs.description()))
    return crs


def _transform_context(context):
    if context is not None:
        return context.transformContext()
    from qgis.core import QgsProject

    return QgsProject.instance().transformContext()


# -- resolving an input ------------------------------------------------------------------------------

_GEOMETRY_WORDS = {"point": N_("points"), "line": N_("lines"), "polygon": N_("polygons"),
                   "none": N_("no geometry (a table)")}


def resolve_input(source, layer, value, param: str, *, feedback, description: str = "",
                  geometry=("polygon",)) -> InputLayer:
    """Check an input once and say which layer it is.

    Refuses a layer whose declared geometry type is not in ``geometry``
    ("point", "line", "polygon"; layers of unknown / collection type go on and
    are counted per feature), and a multi-layer file given without a layer
    name; logs the layer used when the path named none; re-opens a shapefile
    whose text is GBK without a ``.cpg`` with the right encoding.
    """
    name = layer_label(layer, source, param)
    _check_geometry_type(source, name, param, description, geometry)
    _check_layer_choice(layer, name, param, feedback)
    inp = InputLayer(param, name, source, layer, value, description)
    return _fix_text_encoding(inp, feedback)


def _check_geometry_type(source, name, param, description, accepted):
    wkb = source.wkbType()
    if QgsWkbTypes.flatType(wkb) in (QgsWkbTypes.Unknown, QgsWkbTypes.GeometryCollection):
        return
    gtype = QgsWkbTypes.geometryType(wkb)
    if gtype == QgsWkbTypes.UnknownGeometry:
        return
    have = {QgsWkbTypes.PointGeometry: "point", QgsWkbTypes.LineGeometry: "line",
            QgsWkbTypes.PolygonGeometry: "polygon"}.get(gtype, "none")
    if have in accepted:
        return
    want = tr(" or ").join(tr(_GEOMETRY_WORDS[g]) for g in accepted)
    label = f"{param} ({description})" if description else param
    raise QgsProcessingException(
        tr("{param} needs a layer of {want}, but '{name}' holds {have} ({n} features): none of them could be "
           "used. Choose the right layer.").format(param=label, want=want, name=name,
                                                   have=tr(_GEOMETRY_WORDS[have]), n=source.featureCount()))


def _check_layer_choice(layer, name, param, feedback):
    """A path to a multi-layer file (GeoPackage, …) without ``|layername=`` would silently mean its first layer."""
    if layer is None or layer.providerType() != "ogr":
        return
    parts = _uri_parts(layer)
    path = parts.get("path")
    if not _given(path) or _given(parts.get("layerName")) or _given(parts.get("layerId")):
        return
    try:
        from osgeo import gdal
    except ImportError:
        return
    ds = gdal.OpenEx(str(path), gdal.OF_VECTOR)
    if ds is None:
        return
    names = [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())]
    names = [n for n in names if n.lower() != "layer_styles"]   # QGIS's saved styles (ours too): not data
    ds = None
    if len(names) > 1:
        shown = ", ".join(names[:20]) + (", …" if len(names) > 20 else "")
        raise QgsProcessingException(
            tr("{param}: file {path} holds {n} layers ({names}) and none was named. Write '{path}|layername=NAME', "
               "e.g. '{path}|layername={first}'.").format(param=param, path=path, n=len(names), names=shown,
                                                           first=names[0]))
    if names and feedback is not None:
        feedback.pushInfo(tr("{param}: using layer {layer} of {path}").format(param=param, layer=names[0], path=path))


_GB_CODECS = ("GBK", "GB2312", "GB18030", "CP936", "WINDOWS-936", "EUC-CN")


def _fix_text_encoding(inp: InputLayer, feedback) -> InputLayer:
    """A shapefile without ``.cpg`` whose text is GBK: re-open it read as GB18030 and say so."""
    layer = inp.layer
    if layer is None or layer.providerType() != "ogr":
        return inp
    path = _uri_parts(layer).get("path")
    if not _given(path) or not str(path).lower().endswith((".shp", ".dbf")):
        return inp
    from ..core.dbf import GB18030, UNKNOWN, dbf_text

    text = dbf_text(str(path))
    inp = replace(inp, dbf=text)
    if text.declared or text.detected not in (GB18030, UNKNOWN):
        return inp
    cpg = text.cpg_path
    if text.detected == UNKNOWN:
        if feedback is not None:
            feedback.pushWarning(
                tr("Layer '{name}' has no .cpg file and its text is neither UTF-8 nor GBK: Chinese text may be "
                   "garbled. Create {cpg} naming the encoding (e.g. GBK) and run again.").format(name=inp.name, cpg=cpg))
        return inp
    if (layer.dataProvider().encoding() or "").upper() in _GB_CODECS:
        return inp  # the user set the layer's encoding already
    restricted = getattr(inp.value, "selectedFeaturesOnly", False) or getattr(inp.value, "featureLimit", -1) not in (
        -1, None) or getattr(inp.value, "filterExpression", "")
    if restricted:
        raise QgsProcessingException(
            tr("Layer '{name}' has no .cpg file and its text is GBK, which cannot be re-read for selected or "
               "limited features only. Create {cpg} containing GBK and run again.").format(name=inp.name, cpg=cpg))
    from qgis.core import QgsVectorLayer

    fixed = QgsVectorLayer(layer.source(), layer.name(), "ogr")
    if not fixed.isValid():
        return inp
    fixed.setProviderEncoding("GB18030")
    if layer.subsetString():
        fixed.setSubsetString(layer.subsetString())
    if feedback is not None:
        feedback.pushWarning(
            tr("Layer '{name}' has no .cpg file and its text is GBK, not UTF-8 ({n} distinct non-ASCII values): "
               "read as GBK (GB18030). Put a file {cpg} containing GBK next to the .shp so other software reads it "
               "right too.").format(name=inp.name, n=text.n_values, cpg=cpg))
    return replace(inp, source=fixed, layer=fixed, encoding="GB18030")


# -- the working CRS -----------------------------------------------------------------------------------

_WGS84 = "EPSG:4326"


def _centre_lonlat(crs, source, context):
    """(lon, lat) of the layer extent's centre, or None for an empty layer."""
    extent = source.sourceExtent()
    if extent.isEmpty() or extent.isNull():
        return None
    centre = extent.center()
    if crs.authid() in (_WGS84, "EPSG:4490"):
        return centre.x(), centre.y()
    try:
        p = QgsCoordinateTransform(crs, QgsCoordinateReferenceSystem(_WGS84), _transform_context(context)).transform(centre)
    except QgsCsException:
        return None
    return p.x(), p.y()


def point_scale(crs, lon: float, lat: float, context) -> tuple[float, float]:
    """Point scale factors (east-west, north-south) of the projected ``crs`` at (lon, lat): a 100 m planar
    step divided by its ellipsoidal length.  NaN when they cannot be measured."""
    from qgis.core import QgsDistanceArea, QgsPointXY

    nan = (float("nan"), float("nan"))
    to_m = QgsUnitTypes.fromUnitToUnitFactor(crs.mapUnits(), QgsUnitTypes.DistanceMeters)
    if not to_m or not math.isfinite(to_m) or crs.mapUnits() == QgsUnitTypes.DistanceDegrees:
        return nan
    tc = _transform_context(context)
    try:
        c = QgsCoordinateTransform(QgsCoordinateReferenceSystem(_WGS84), crs, tc).transform(QgsPointXY(lon, lat))
    except QgsCsException:
        return nan
    da = QgsDistanceArea()
    da.setSourceCrs(crs, tc)
    if not (crs.ellipsoidAcronym() and da.setEllipsoid(crs.ellipsoidAcronym())):
        da.setEllipsoid("EPSG:7030")
    if not da.willUseEllipsoid():
        return nan
    half = 50.0 / to_m
    x, y = c.x(), c.y()
    try:
        dx = da.measureLine(QgsPointXY(x - half, y), QgsPointXY(x + half, y))
        dy = da.measureLine(QgsPointXY(x, y - half), QgsPointXY(x, y + half))
    except QgsCsException:
        return nan
    if not (dx > 0 and dy > 0):
        return nan
    return 100.0 / dx, 100.0 / dy


def _geographic_base(crs) -> str:
    """EPSG:4490 for a CGCS2000-based CRS, else EPSG:4326 (the choice between GK 3-degree zones and UTM)."""
    wkt = crs.toWkt()
    if any(s in wkt for s in ("China_2000", "China Geodetic Coordinate System 2000", "CGCS2000", "CGCS_2000")):
        return "EPSG:4490"
    return _WGS84


def choose_working_crs(source, name: str, context, override=None):
    """Projected CRS in metres for the run, and a log sentence saying why.

    * ``override`` (a valid CRS given by the user) wins, if it is projected and
      not badly scaled at the data;
    * a projected footprint layer is used as it is, unless its scale error at
      the layer's centre exceeds ``core.crs.SCALE_ERROR_LIMIT`` (Web Mercator,
      a zone far from its central meridian): then as for geographic input;
    * geographic footprints go to the CGCS2000 3-degree GK zone (EPSG:4490
      input) or the UTM zone of the layer's centre.
    """
    crs = require_crs(source, name, context)
    lonlat = _centre_lonlat(crs, source, context)
    if override is not None and override.isValid():
        if override.isGeographic():
            raise QgsProcessingException(
                tr("The working CRS {crs} is geographic: choose a projected CRS in metres").format(
                    crs=override.authid()))
        if lonlat is not None:
            pick = rescaled_working_epsg(override.authid() or override.description(), _geographic_base(override),
                                         *lonlat, *point_scale(override, *lonlat, context))
            if pick is not None:
                raise QgsProcessingException(
                    tr("The working CRS given is not metric here: {why}. Use EPSG:{code} or leave it empty to "
                       "choose automatically").format(why=rescaled_crs_note(*pick), code=pick[0]))
        return override, tr("working CRS (given): {crs}").format(crs=override.authid())
    if not crs.isGeographic():
        if lonlat is not None:
            pick = rescaled_working_epsg(crs.authid() or crs.description(), _geographic_base(crs), *lonlat,
                                         *point_scale(crs, *lonlat, context))
            if pick is not None:
                return QgsCoordinateReferenceSystem(f"EPSG:{pick[0]}"), rescaled_crs_note(*pick)
        unit = QgsUnitTypes.toString(crs.mapUnits())
        return crs, tr("working CRS: {crs} ({unit})").format(crs=crs.authid() or crs.description(), unit=unit)
    lon, lat = lonlat if lonlat is not None else (99.0, 24.0)
    code, facts = working_epsg(crs.authid(), lon, lat)
    return QgsCoordinateReferenceSystem(f"EPSG:{code}"), working_crs_note(code, facts)


def warn_if_disjoint(feedback, name: str, geoms, ref_name: str, ref_geoms) -> bool:
    """Warn loudly when the layer ``name`` lies entirely outside the footprints ``ref_name`` (both in the
    working CRS): it can give no result, typically because its CRS is the wrong 3-degree zone."""
    geoms, ref_geoms = np.asarray(geoms, dtype=object), np.asarray(ref_geoms, dtype=object)
    if shapely.is_missing(geoms).all() or shapely.is_missing(ref_geoms).all():
        return False  # an empty layer: nothing to compare (its counts say so)
    a, b = shapely.total_bounds(geoms), shapely.total_bounds(ref_geoms)
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        return False
    gap_x = max(a[0] - b[2], b[0] - a[2], 0.0)
    gap_y = max(a[1] - b[3], b[1] - a[3], 0.0)
    if gap_x <= 0 and gap_y <= 0:
        return False
    gap_km = math.hypot(gap_x, gap_y) / 1000.0
    if feedback is not None:
        feedback.pushWarning(
            tr("WARNING: layer '{name}' does not overlap '{ref}' at all (about {km} km apart), so it can give no "
               "result. Its CRS is probably wrong (e.g. the wrong 3-degree zone) or the wrong layer was "
               "chosen.").format(name=name, ref=ref_name, km=f"{gap_km:,.1f}"))
    return True


# -- reading ---------------------------------------------------------------------------------------------

FAST_DRIVERS = ("GPKG", "ESRI Shapefile")


@dataclass(frozen=True)
class _FastFile:
    path: str
    layer_name: str
    driver: str
    open_options: tuple = ()
    multi: bool = False  # QGIS returns single parts as multi for this layer (shapefile polygons, lines)


def _fast_file(layer, parameter_value, dest_crs, fields=(), dbf=None) -> _FastFile | None:
    """The file to read with GDAL's Arrow stream, or None (then QGIS iterates).

    Only for a whole OGR GeoPackage / shapefile layer in the working CRS with
    no subset string, selection, feature limit, filter, curves or M values; a
    shapefile's text is decoded as QGIS decodes it (its .cpg, else the layer's
    encoding), and one whose text is neither UTF-8 nor GBK goes through QGIS.
    """
    from qgis.core import QgsProcessingFeatureSourceDefinition

    if os.environ.get("LIANGWEI_NO_FAST_READ"):
        return None
    if layer is None or layer.providerType() != "ogr" or layer.subsetString():
        return None
    if isinstance(parameter_value, QgsProcessingFeatureSourceDefinition):
        if parameter_value.selectedFeaturesOnly or parameter_value.featureLimit not in (-1, None):
            return None
        if getattr(parameter_value, "filterExpression", ""):
            return None
    if dest_crs is not None and layer.crs() != dest_crs:
        return None
    wkb_type = layer.wkbType()
    if QgsWkbTypes.isCurvedType(wkb_type) or QgsWkbTypes.hasM(wkb_type):
        return None
    parts = _uri_parts(layer)
    path = parts.get("path")
    if not _given(path):
        return None
    try:
        from osgeo import gdal
    except ImportError:
        return None
    ds = gdal.OpenEx(str(path), gdal.OF_VECTOR)
    if ds is None or ds.GetDriver().ShortName not in FAST_DRIVERS:
        return None
    driver = ds.GetDriver().ShortName
    lname = parts.get("layerName")
    lid = parts.get("layerId")
    lyr = ds.GetLayerByName(str(lname)) if _given(lname) else ds.GetLayer(int(lid) if _given(lid) else 0)
    if lyr is None or not hasattr(lyr, "GetArrowStreamAsNumPy"):
        return None
    options = ()
    if driver == "ESRI Shapefile":
        # QGIS sets SHAPE_ENCODING="" process-wide and decodes shapefile text itself with the layer's encoding
        # (from the .cpg, else the layer setting); GDAL must decode names and values with that same encoding
        from ..core.dbf import UNKNOWN, dbf_text

        encoding = layer.dataProvider().encoding() or ""
        if not encoding or encoding.lower() == "system":
            return None
        dbf = dbf if dbf is not None else dbf_text(str(path))
        if not dbf.declared and dbf.detected == UNKNOWN:
            return None
        options = (f"ENCODING={encoding}",)
    return _FastFile(str(path), lyr.GetName(), driver, options, QgsWkbTypes.isMultiType(wkb_type))


def _read_ogr_arrow(path: str, layer_name: str, name: str, fields, feedback, open_options=()) -> LayerArrays:
    from osgeo import gdal

    ds = gdal.OpenEx(path, gdal.OF_VECTOR, open_options=list(open_options))
    lyr = ds.GetLayerByName(layer_name)
    defn = lyr.GetLayerDefn()
    wanted = [f for f in fields if f]
    all_names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    lyr.SetIgnoredFields([f for f in all_names if f not in wanted])
    fids, wkbs, cols = [], [], {f: [] for f in wanted}
    fid_col = geom_col = None
    for batch in lyr.GetArrowStreamAsNumPy(options=["INCLUDE_FID=YES"]):
        if feedback is not None and feedback.isCanceled():
            raise canceled()
        if fid_col is None:
            fid_col, geom_col = _arrow_fid_and_geometry(list(batch), wanted, lyr)
        fids.append(np.asarray(batch[fid_col]))
        wkbs.append(np.asarray(batch[geom_col], dtype=object))
        for f in wanted:
            cols[f].append(batch[f])
    fid_arr = np.concatenate(fids).astype(np.int64) if fids else np.empty(0, dtype=np.int64)
    wkb_arr = np.concatenate(wkbs) if wkbs else np.empty(0, dtype=object)
    geoms = _from_wkb(wkb_arr)
    unparsable = shapely.is_missing(geoms) & (wkb_arr != None)  # noqa: E711 - elementwise
    n_curved = _linearise_curves(geoms, wkb_arr, unparsable)
    attrs = {f: _arrow_column(cols[f]) for f in wanted}
    return LayerArrays(name, fid_arr, geoms, attrs, unparsable, n_curved, read_path="arrow")


def _from_wkb(wkb_arr: np.ndarray) -> np.ndarray:
    """WKB -> shapely, None where GEOS cannot read it.  shapely 2.1 with GEOS 3.13 (Debian 13) raises
    NotImplementedError for a whole array as soon as one curve (CAD arc) is in it, instead of ignoring it:
    then the curves are left out by their WKB type and the rest is read vectorised."""
    try:
        return shapely.from_wkb(wkb_arr, on_invalid="ignore")
    except NotImplementedError:
        curved = np.array([w is not None and _is_curve_wkb(bytes(w)) for w in wkb_arr], dtype=bool)
        rest = wkb_arr.copy()
        rest[curved] = None
        return shapely.from_wkb(rest, on_invalid="ignore")


def _is_curve_wkb(w: bytes) -> bool:
    """ISO / EWKB type code of a curve geometry (CircularString 8 … MultiSurface 12, Curve 13, Surface 14)."""
    if len(w) < 5:
        return False
    code = int.from_bytes(w[1:5], "little" if w[0] == 1 else "big") & 0x0FFFFFFF  # drop EWKB Z/M/SRID flags
    return code % 1000 in (8, 9, 10, 11, 12, 13, 14)


def _linearise_curves(geoms, wkb_arr, unparsable) -> int:
    """Curves (CAD arcs in a layer of generic GEOMETRY type) are ISO WKB that GEOS cannot read: segmentise
    them with GDAL, as the QGIS path does; in place.  Returns how many were curves."""
    idx = np.flatnonzero(unparsable)
    if not len(idx):
        return 0
    from osgeo import ogr

    n = 0
    for i in idx:  # rare: only the features GEOS could not read
        g = ogr.CreateGeometryFromWkb(bytes(wkb_arr[i]))
        if g is None or not g.HasCurveGeometry():
            continue
        lin = g.GetLinearGeometry()
        if lin is not None:
            lin.SetMeasured(False)
            geoms[i] = shapely.from_wkb(bytes(lin.ExportToIsoWkb()), on_invalid="ignore")
            if geoms[i] is not None:
                unparsable[i] = False
                n += 1
    return n


def _arrow_fid_and_geometry(columns: list, wanted: list, lyr) -> tuple[str, str]:
    """Names of the FID and geometry columns of an Arrow batch, read from the stream itself: GDAL 3.6
    calls the FID column ``OGC_FID`` for drivers without one (shapefile), whatever ``GetFIDColumn()`` says."""
    rest = [c for c in columns if c not in wanted]
    geom = lyr.GetGeometryColumn() or "wkb_geometry"
    if geom not in rest:
        geom = rest[-1]
    others = [c for c in rest if c != geom]
    if len(others) != 1:
        raise QgsProcessingException(f"GDAL Arrow stream: cannot tell the FID column among {others}")
    return others[0], geom


def _arrow_column(chunks) -> np.ndarray:
    parts = []
    for chunk in chunks:
        mask = np.ma.getmaskarray(chunk) if np.ma.isMaskedArray(chunk) else np.zeros(len(chunk), dtype=bool)
        data = np.ma.getdata(chunk)
        if data.dtype.kind == "S" and len(data):  # fixed-width bytes: decoded at once, split back
            raw = data.tolist()
            text = b"\x00".join(raw).decode("utf-8", "replace").split("\x00")
            if len(text) != len(raw):  # a value holds NUL itself
                text = [v.decode("utf-8", "replace") for v in raw]
            vals = np.empty(len(raw), dtype=object)
            vals[:] = text
        elif data.dtype.kind in "biuf":  # numpy -> Python scalars, as .tolist() gives them
            vals = data.astype(object)
        else:
            vals = np.empty(len(data), dtype=object)
            vals[:] = [v.decode("utf-8", "replace") if isinstance(v, bytes) else
                       (v.item() if hasattr(v, "item") else v) for v in data.tolist()]
        vals[mask] = None
        parts.append(vals)
    return np.concatenate(parts) if parts else np.empty(0, dtype=object)


def read_attributes(inp: InputLayer, fields, feedback=None) -> dict | None:
    """Columns ``fields`` of every feature of ``inp`` (no geometry) through GDAL's Arrow stream, as object
    arrays of Python values (None for NULL); None when the fast path does not apply (then iterate QGIS)."""
    fast = _fast_file(inp.layer, inp.value, None, fields, inp.dbf)
    if fast is None:
        return None
    from osgeo import gdal

    ds = gdal.OpenEx(fast.path, gdal.OF_VECTOR, open_options=list(fast.open_options))
    lyr = ds.GetLayerByName(fast.layer_name)
    defn = lyr.GetLayerDefn()
    all_names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    lyr.SetIgnoredFields([f for f in all_names if f not in fields] + ["OGR_GEOMETRY"])
    cols, n = {f: [] for f in fields}, 0
    for batch in lyr.GetArrowStreamAsNumPy():
        if feedback is not None and feedback.isCanceled():
            raise canceled()
        for f in fields:
            cols[f].append(batch[f])
        n += len(batch[fields[0]]) if fields else 0
    if not fields or n != inp.source.featureCount():
        return None
    return {f: _arrow_column(cols[f]) for f in fields}


def _field_indexes(source, name: str, field_names) -> list:
    all_fields = source.fields()
    idx = []
    for f in field_names:
        i = all_fields.lookupField(f)
        if i < 0:
            raise QgsProcessingException(
                tr("layer '{name}' has no field '{field}'").format(name=name, field=f))
        idx.append(i)
    return idx


def _read_qgis(source, name: str, *, dest_crs, context, feedback=None, fields=(),
               progress_from: float = 0.0, progress_to: float = 0.0, all_attributes: bool = False) -> LayerArrays:
    """All features of ``source`` as arrays; ``fields`` are copied as attributes.

    Null geometries become ``None``; curved geometries (from CAD/DXF) are
    segmentised; M values are dropped.  Raises on cancel.
    """
    request = QgsFeatureRequest()
    request.setInvalidGeometryCheck(QgsFeatureRequest.GeometryNoCheck)
    if dest_crs is not None and source.sourceCrs() != dest_crs:
        request.setDestinationCrs(dest_crs, context.transformContext())
    field_names = [f for f in fields if f]
    idx = _field_indexes(source, name, field_names)
    if all_attributes:
        pass
    elif not idx:
        request.setFlags(QgsFeatureRequest.NoFlags)
        request.setSubsetOfAttributes([])
    else:
        request.setSubsetOfAttributes(idx)

    layer_type = source.wkbType()
    may_curve = QgsWkbTypes.isCurvedType(layer_type) or QgsWkbTypes.flatType(layer_type) in (
        QgsWkbTypes.Unknown, QgsWkbTypes.GeometryCollection)
    may_m = QgsWkbTypes.hasM(layer_type) or QgsWkbTypes.flatType(layer_type) == QgsWkbTypes.Unknown
    total = max(source.featureCount(), 1)
    step = max(total // 50, 1000)
    fids, wkbs = [], []
    values = [[] for _ in idx]
    n_curved = n_m = 0
    for k, feat in enumerate(features(source, request)):
        fids.append(feat.id())
        geom = feat.geometry()
        if geom.isNull():
            wkbs.append(None)
        else:
            if may_curve and QgsWkbTypes.isCurvedType(geom.wkbType()):
                geom = QgsGeometry(geom.constGet().segmentize())
                n_curved += 1
            if may_m and QgsWkbTypes.hasM(geom.wkbType()):
                geom = QgsGeometry(geom)
                geom.get().dropMValue()
                n_m += 1
            wkbs.append(geom.asWkb().data())
        if idx:
            attrs = feat.attributes()
            for j, i in enumerate(idx):
                values[j].append(attrs[i])
        if feedback is not None and k % step == 0:
            if feedback.isCanceled():
                raise canceled()
            feedback.setProgress(progress_from + (progress_to - progress_from) * k / total)
    wkb_arr = np.empty(len(wkbs), dtype=object)
    wkb_arr[:] = wkbs
    geoms = _from_wkb(wkb_arr)
    unparsable = shapely.is_missing(geoms) & (wkb_arr != None)  # noqa: E711 - elementwise
    attrs = {}
    for f, vals in zip(field_names, values):
        col = np.empty(len(vals), dtype=object)
        col[:] = [None if _is_null(v) else v for v in vals]
        attrs[f] = col
    return LayerArrays(name, np.asarray(fids, dtype=np.int64), geoms, attrs, unparsable, n_curved, n_m)


def _is_null(value) -> bool:
    if value is None:
        return True
    try:
        return value.isNull()  # QVariant NULL (PyQt5)
    except AttributeError:
        return False


def read_layer(inp: InputLayer, kind: str, *, dest_crs, context, feedback, fields=(),
               progress_from=0.0, progress_to=0.0):
    """The one way an algorithm reads an input: all features of ``inp`` in ``dest_crs`` as arrays, then the
    core's repair-and-count (log lines go to ``feedback``).  Returns (LayerArrays, core CleanResult).

    GDAL's Arrow stream is used when it gives the same features faster (see :func:`_fast_file`); then
    ``arrays.fast_file`` names the GeoPackage layer read, for a writer's SQL copy of the source rows.
    """
    field_names = [f for f in fields if f]
    _field_indexes(inp.source, inp.name, field_names)
    arrays = None
    fast = _fast_file(inp.layer, inp.value, dest_crs, field_names, inp.dbf)
    if fast is not None:
        arrays = _read_ogr_arrow(fast.path, fast.layer_name, inp.name, field_names, feedback, fast.open_options)
        if fast.multi:
            arrays.geoms = _as_multi(arrays.geoms)
        if len(arrays) != inp.source.featureCount():
            arrays = None
        elif fast.driver == "GPKG":
            arrays.fast_file = (fast.path, fast.layer_name)
    if arrays is None:
        arrays = _read_qgis(inp.source, inp.name, dest_crs=dest_crs, context=context, feedback=feedback,
                            fields=field_names, progress_from=progress_from, progress_to=progress_to)
        if len(arrays) and shapely.is_missing(arrays.geoms).all() and QgsWkbTypes.geometryType(
                inp.source.wkbType()) != QgsWkbTypes.NullGeometry:
            # a GDAL VRT builds its geometry from a source field (WKT, x/y): asking for a subset of the
            # attributes leaves that field out and every geometry comes back NULL; read all attributes
            arrays = _read_qgis(inp.source, inp.name, dest_crs=dest_crs, context=context, feedback=feedback,
                                fields=field_names, progress_from=progress_from, progress_to=progress_to,
                                all_attributes=True)
    if feedback is not None:
        feedback.setProgress(progress_to)
    return arrays, _clean_and_log(arrays, kind, feedback)


def stream_min_features() -> int:
    """Footprint layers with at least this many features are read tile by tile (env LIANGWEI_STREAM_MIN)."""
    from ..streaming import STREAM_MIN_FEATURES

    try:
        return int(os.environ.get("LIANGWEI_STREAM_MIN", STREAM_MIN_FEATURES))
    except ValueError:
        return STREAM_MIN_FEATURES


def stream_source(inp: InputLayer, kind: str, *, dest_crs, feedback, fields=(), min_features=None):
    """The input as a :class:`..streaming.StreamSource` when it is to be read tile by tile, else None.

    That is a whole GeoPackage layer (the fast path's conditions, but reprojection allowed) with a spatial
    index and at least :func:`stream_min_features` features: then memory stays bounded whatever the layer's
    size, and the results are those of the whole-layer run (:mod:`..streaming`)."""
    from ..streaming import StreamSource, open_source

    fast = _fast_file(inp.layer, inp.value, None, [f for f in fields if f], inp.dbf)
    if fast is None or fast.driver != "GPKG":
        return None
    if inp.source.featureCount() < (stream_min_features() if min_features is None else min_features):
        return None
    src = open_source(fast.path, fast.layer_name)
    if src is None:
        return None
    try:
        if src.count() != inp.source.featureCount():
            return None
    finally:
        src.close()
    crs = inp.source.sourceCrs()
    same = dest_crs is None or crs == dest_crs
    source = StreamSource(fast.path, fast.layer_name, inp.name, kind, tuple(f for f in fields if f),
                          src_wkt=crs.toWkt(), dst_wkt="" if same else dest_crs.toWkt(),
                          margin=1e-5 if crs.isGeographic() else 1.0, multi=fast.multi)
    for attr, env, cast in (("tile_m", "LIANGWEI_STREAM_TILE_M", float), ("chunk_rows", "LIANGWEI_STREAM_CHUNK", int)):
        try:   # tiles (m, in the layer's units when geographic: see margin) and chunk size, for tests and tuning
            setattr(source, attr, cast(os.environ[env]))
        except (KeyError, ValueError):
            pass
    if feedback is not None:
        feedback.pushInfo(tr("{layer}: {n} features, read tile by tile from the GeoPackage (memory stays bounded; "
                             "results as for the whole layer)").format(layer=inp.name, n=inp.source.featureCount()))
    return source


def read_footprints(inp: InputLayer, *, dest_crs, context, feedback, fields=(), progress_to=0.0):
    """The footprint input of a check: (stream, arrays, cleaned, extent).  A big GeoPackage layer is not read
    here but returned as ``stream`` (a :class:`..streaming.StreamSource`, arrays and cleaned None) for the
    algorithm to run tile by tile; otherwise every feature is read (:func:`read_layer`).  ``extent``: the used
    footprints, or the layer's extent when streamed (for :func:`warn_if_disjoint`)."""
    from ..core.geometry import POLYGON

    stream = stream_source(inp, POLYGON, dest_crs=dest_crs, feedback=feedback, fields=fields)
    if stream is not None:
        return stream, None, None, extent_geoms(inp.source, dest_crs, context)
    arrays, cleaned = read_layer(inp, POLYGON, dest_crs=dest_crs, context=context, feedback=feedback, fields=fields,
                                 progress_from=0, progress_to=progress_to)
    return None, arrays, cleaned, cleaned.geoms[cleaned.used]


def log_clean_report(report, feedback):
    """The cleaning lines of a layer read tile by tile."""
    if feedback is not None:
        for line in clean_lines(report):
            feedback.pushInfo(line)


def extent_geoms(source, dest_crs, context) -> np.ndarray:
    """The layer's extent in ``dest_crs`` as a one-polygon array (to warn about layers that miss it)."""
    from qgis.core import QgsCoordinateTransform

    ext = source.sourceExtent()
    if dest_crs is not None and source.sourceCrs() != dest_crs:
        ext = QgsCoordinateTransform(source.sourceCrs(), dest_crs, context.transformContext()).transformBoundingBox(ext)
    return np.array([shapely.box(ext.xMinimum(), ext.yMinimum(), ext.xMaximum(), ext.yMaximum())], dtype=object)


def _clean_and_log(arrays: LayerArrays, kind: str, feedback):
    result = clean(arrays.geoms, kind=kind, layer=arrays.name, unparsable=arrays.unparsable, ids=arrays.fids)
    if feedback is not None:
        for line in clean_lines(result.report):
            feedback.pushInfo(line)
        if arrays.n_curved:
            feedback.pushInfo("  " + tr("{n} curved geometries segmentised").format(n=arrays.n_curved))
        if arrays.n_m:
            feedback.pushInfo("  " + tr("M values of {n} features ignored").format(n=arrays.n_m))
    return result


def read_and_clean(source, name: str, kind: str, *, dest_crs, context, feedback, fields=(),
                   progress_from=0.0, progress_to=0.0):
    """Read a bare feature source through QGIS (no layer behind it to check or read fast); algorithms
    resolve their inputs and use :func:`read_layer`."""
    return read_layer(InputLayer("", name, source), kind, dest_crs=dest_crs, context=context, feedback=feedback,
                      fields=fields, progress_from=progress_from, progress_to=progress_to)
