"""Arrays -> outputs: one entry point per output shape, each deciding fast path vs QGIS inside, atomic for files.

* :func:`write_features` - computed features (geometries + columns);
* :func:`write_source_rows` - the features of a source as they are, plus new columns.

Both take a :class:`Destination` resolved once per run (``LiangweiAlgorithm.output_destinations``:
:func:`resolve_destination` + :func:`check_destinations`).  File outputs are written under a temporary name
beside the destination and moved into place when complete (:mod:`lincang_liangwei.atomicfile`).
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

import numpy as np
import shapely
from qgis.core import (
    Qgis,
    QgsDataSourceUri,
    QgsFeature,
    QgsFeatureRequest,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsProcessing,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingOutputLayerDefinition,
    QgsProcessingParameterDefinition,
    QgsProcessingUtils,
    QgsProperty,
    QgsProviderRegistry,
    QgsVectorFileWriter,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

from ..core.geometry import as_multi as _as_multi
from ..i18n import tr
from .messages import canceled
from .reader import features

if Qgis.QGIS_VERSION_INT >= 33800:  # QVariant field types are deprecated there (Qt6-ready)
    from qgis.PyQt.QtCore import QMetaType

    _TYPES = {"int": QMetaType.Type.Int, "int64": QMetaType.Type.LongLong,
              "double": QMetaType.Type.Double, "string": QMetaType.Type.QString}
else:
    _TYPES = {"int": QVariant.Int, "int64": QVariant.LongLong, "double": QVariant.Double,  # noqa: QGS402
              "string": QVariant.String}  # noqa: QGS402

BATCH = 5000


def make_field(name: str, kind: str, length: int = 0) -> QgsField:
    field = QgsField(name, _TYPES[kind])
    if length:
        field.setLength(length)
    return field


def make_fields(spec) -> QgsFields:
    """``spec``: iterable of (name, kind) with kind in int, int64, double, string."""
    fields = QgsFields()
    for name, kind in spec:
        fields.append(make_field(name, kind))
    return fields


def _py(value):
    """numpy scalar / NaN -> plain Python value QGIS accepts (NaN -> NULL)."""
    if value is None:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return None if math.isnan(v) else v
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _columns_as_lists(columns) -> list:
    out = []
    for col in columns:
        arr = np.asarray(col)
        if arr.dtype.kind in "iu":
            out.append(arr.astype(np.int64).tolist())
        elif arr.dtype.kind == "f":
            out.append([None if math.isnan(v) else v for v in arr.astype(float).tolist()])
        elif arr.dtype.kind == "b":
            out.append(arr.astype(bool).tolist())
        else:
            out.append([_py(v) for v in arr.tolist()])
    return out


def _check_cancel(feedback):
    if feedback is not None and feedback.isCanceled():
        raise canceled()


def write_arrays(sink, fields: QgsFields, geoms, columns, *, feedback=None, multi=True,
                 progress_from=0.0, progress_to=0.0, sink_name="OUTPUT"):
    """Write shapely ``geoms`` with attribute ``columns`` (aligned arrays) to ``sink``."""
    n = len(geoms)
    geoms = np.asarray(geoms, dtype=object)
    present = ~shapely.is_missing(geoms)
    if multi:
        geoms = _as_multi(geoms)
    wkb = np.full(n, None, dtype=object)
    if present.any():
        wkb[present] = shapely.to_wkb(geoms[present], output_dimension=2)
    cols = _columns_as_lists(columns)
    batch = []
    for i in range(n):
        feat = QgsFeature(fields)
        if wkb[i] is not None:
            g = QgsGeometry()
            g.fromWkb(wkb[i])
            feat.setGeometry(g)
        feat.setAttributes([c[i] for c in cols])
        batch.append(feat)
        if len(batch) >= BATCH:
            _flush(sink, batch, sink_name)
            batch = []
            _check_cancel(feedback)
            if feedback is not None:
                feedback.setProgress(progress_from + (progress_to - progress_from) * i / max(n, 1))
    _flush(sink, batch, sink_name)


def _flush(sink, batch, sink_name):
    if batch and not sink.addFeatures(batch, QgsFeatureSink.FastInsert):
        err = sink.lastError() if hasattr(sink, "lastError") else ""
        raise QgsProcessingException(tr("could not write {name}: {error}").format(name=sink_name, error=err))


def copy_with_columns(source, sink, out_fields: QgsFields, fids: np.ndarray, columns, *, feedback=None,
                      progress_from=0.0, progress_to=0.0, sink_name="OUTPUT", only_listed=False):
    """Copy every feature of ``source`` (geometry and attributes as they are) to
    ``sink``, appending ``columns`` looked up by feature id (``fids`` aligned
    with the columns).  ``only_listed``: copy only the features in ``fids``."""
    order = np.argsort(fids, kind="stable")
    sorted_fids = np.asarray(fids)[order]
    cols = _columns_as_lists([np.asarray(c)[order] for c in columns])
    n_extra = len(cols)
    request = QgsFeatureRequest()
    request.setInvalidGeometryCheck(QgsFeatureRequest.GeometryNoCheck)
    total = max(source.featureCount(), 1)
    batch = []
    written = 0
    if only_listed:
        request.setFilterFids([int(f) for f in sorted_fids])
    for k, feat in enumerate(features(source, request)):
        pos = int(np.searchsorted(sorted_fids, feat.id()))
        found = pos < len(sorted_fids) and sorted_fids[pos] == feat.id()
        if only_listed and not found:
            continue
        extra = [c[pos] for c in cols] if found else [None] * n_extra
        out = QgsFeature(out_fields)
        out.setGeometry(feat.geometry())
        out.setAttributes(feat.attributes() + extra)
        batch.append(out)
        written += 1
        if len(batch) >= BATCH:
            _flush(sink, batch, sink_name)
            batch = []
            _check_cancel(feedback)
            if feedback is not None:
                feedback.setProgress(progress_from + (progress_to - progress_from) * k / total)
    _flush(sink, batch, sink_name)
    return written


# --------------------------------------------------------------------------- #
# destinations: what an output parameter asks for, checked once per run
# --------------------------------------------------------------------------- #

FILE = "file"   # a new file at ``path`` (written under a temporary name, moved into place when complete)
SINK = "sink"   # memory layer, database table, a new layer in an existing file, append: the QGIS sink


@dataclass
class Destination:
    """One output of a run, resolved (see ``LiangweiAlgorithm.output_destinations``).

    ``kind`` FILE: ``path`` is the file to (re)place, ``driver`` its OGR driver,
    ``layer_name`` the layer inside it.  ``kind`` SINK: ``open_sink(value,
    fields, wkb_type, crs) -> (sink, dest_id)`` (built by the algorithm base
    class) opens ``sink_value`` through Processing; ``path``/``layer_name`` name
    the file and table when the target is a layer of an existing file.
    """

    name: str
    label: str
    kind: str
    text: str                       # the destination as given (for messages)
    path: str = ""
    driver: str = ""
    layer_name: str = ""
    project: object = None          # QgsProject to load the result into (the dialog's "open output")
    create_options: dict = field(default_factory=dict)
    sink_value: object = None
    load_uri: str = ""              # what to load on completion when we register it ourselves
    open_sink: object = None
    key: tuple = ()                 # what it writes over, to compare with inputs and other outputs
    algorithm: str = ""             # the algorithm writing it (its name): picks the style (qgis_io.styles)

    @property
    def fast(self) -> bool:
        return self.kind == FILE and self.driver == "GPKG" and not os.environ.get("LIANGWEI_NO_FAST_WRITE")


def _static_text(value, context) -> str:
    if isinstance(value, QgsProperty):
        got = value.valueAsString(context.expressionContext(), "")
        return got[0] if isinstance(got, tuple) else got
    return "" if value is None else str(value)


def _db_key(provider: str, uri: str) -> tuple:
    u = QgsDataSourceUri(uri)
    return ("db", provider, u.service(), u.host(), u.port(), u.database(), u.schema(), u.table())


def _norm_path(path: str) -> str:
    """Absolute, symlinks resolved; a shapefile's sidecars count as the shapefile."""
    real = os.path.realpath(os.path.expanduser(path))
    root, ext = os.path.splitext(real)
    if ext.lower() in (".shp", ".dbf", ".shx", ".prj", ".cpg", ".qix"):
        real = root + ".shp"
    return real


def _ogr_layer_name(path: str, layer_id) -> str:
    """Name of a layer of an OGR file given by index (a source spelled without |layername=)."""
    try:
        from osgeo import ogr

        ds = ogr.Open(path)
        lyr = ds.GetLayer(int(layer_id or 0)) if ds is not None else None
        return lyr.GetName() if lyr is not None else ""
    except Exception:  # noqa: BLE001 - best effort; an unknown name is compared as "whole file"
        return ""


def input_key(layer) -> tuple | None:
    """What an input layer is read from: ("file", path, layer name or "") or a database key."""
    if layer is None:
        return None
    provider = layer.providerType()
    if provider == "ogr":
        parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
        path = parts.get("path") or ""
        if not path or not os.path.exists(path):
            return None
        name = parts.get("layerName") or _ogr_layer_name(path, parts.get("layerId"))
        return ("file", _norm_path(path), name.lower() if os.path.isfile(path) else "")
    if provider == "spatialite":
        u = QgsDataSourceUri(layer.source())
        return ("file", _norm_path(u.database()), u.table().lower()) if u.database() else None
    if provider in ("postgres", "mssql", "oracle", "hana"):
        return _db_key(provider, layer.source())
    if provider == "delimitedtext":
        from qgis.PyQt.QtCore import QUrl

        path = QUrl(layer.source()).toLocalFile()
        return ("file", _norm_path(path), "") if path else None
    return None


def resolve_destination(name, definition, value, context, open_sink) -> Destination | None:
    """The destination an output parameter asks for, like ``parameterAsSink`` reads it, without opening
    anything (``parameterAsOutputLayer`` on a sink parameter registers a bogus layer to load).  None when an
    optional output is not requested."""
    project, label, create_options, remap = None, "", {}, False
    raw = value
    if isinstance(value, QgsProcessingOutputLayerDefinition):
        project = value.destinationProject
        label = value.destinationName or ""
        create_options = dict(value.createOptions or {})
        remap = bool(value.useRemapping())
        raw = value.sink
    text = _static_text(raw, context).strip()
    if not text:
        optional = bool(definition.flags() & QgsProcessingParameterDefinition.FlagOptional)
        default = definition.defaultValue()
        if optional and default in (None, ""):
            return None
        text = "" if default is None else str(default)
        if not text:
            return None
    if text == QgsProcessing.TEMPORARY_OUTPUT:
        text = definition.generateTemporaryDestination()
    label = label or definition.description()
    dest = Destination(name, label, SINK, text, project=project, create_options=create_options, sink_value=value,
                       open_sink=open_sink)
    if remap or text.startswith("memory:"):
        if remap:
            dest.key = _parse_target(text)[2]
        return dest

    provider, path, key, table = _parse_target(text)
    if provider != "ogr":
        dest.key = key
        return dest
    if table is not None and os.path.isfile(path):
        # a layer (new or replaced) inside an existing file: the GDAL update of that one table
        dest.path, dest.layer_name, dest.key = path, table, key
        dest.sink_value = QgsProcessingOutputLayerDefinition(
            f"ogr:dbname='{path}' table=\"{table}\"")
        dest.sink_value.createOptions = create_options
        dest.load_uri = f"{path}|layername={table}"
        return dest
    ext = os.path.splitext(path)[1].lstrip(".")
    driver = QgsVectorFileWriter.driverForExtension(ext) if ext else ""
    if not driver:
        driver, path = "GPKG", path + ".gpkg"
    if os.path.islink(path):
        path = os.path.realpath(path)
    stem = os.path.splitext(os.path.basename(path))[0]
    dest.kind, dest.path, dest.driver = FILE, os.path.abspath(path), driver
    dest.layer_name = table or stem
    dest.key = ("file", _norm_path(path), "")
    dest.load_uri = f"{dest.path}|layername={dest.layer_name}" if table and driver == "GPKG" else dest.path
    return dest


def _parse_target(text: str):
    """(provider, file path, key, table or None) of a destination string, QGIS's spellings:
    ``path``, ``path|layername=t``, ``ogr:dbname='path' table="t"``, ``ogr:path``, ``postgres:…``."""
    ok, provider, uri = QgsProcessingUtils.decodeProviderKeyAndUri(text)
    if not ok:
        provider, uri = "ogr", text
        if len(text) > 2 and text[1] != ":" and ":" in text.split("|")[0]:
            head = text.split(":", 1)[0]
            if len(head) >= 3 and "/" not in head and "\\" not in head:  # QGIS's "^(.{3,}?):" provider form
                provider, uri = head, text.split(":", 1)[1]
    if provider == "postgis":
        provider = "postgres"
    if provider == "ogr":
        table = None
        u = QgsDataSourceUri(uri)
        if uri.lstrip().startswith("dbname=") and u.database():
            path, table = u.database(), (u.table() or None)
        else:
            parts = uri.split("|")
            path = parts[0]
            for opt in parts[1:]:
                k, _, v = opt.partition("=")
                if k.strip().lower() == "layername" and v:
                    table = v
        path = os.path.abspath(os.path.expanduser(path))
        key = ("file", _norm_path(path), table.lower() if table else "")
        return "ogr", path, key, table
    if provider == "spatialite":
        u = QgsDataSourceUri(uri)
        path = os.path.abspath(u.database())
        return provider, path, ("file", _norm_path(path), u.table().lower()), u.table()
    return provider, "", _db_key(provider, uri), None


def _conflicts(out_key: tuple, in_key: tuple) -> bool:
    if not out_key or not in_key:
        return False
    if out_key[0] == "db" or in_key[0] == "db":
        return out_key == in_key
    if out_key[1] != in_key[1]:
        return False
    # a whole file replaces every layer in it; a table replaces that table (or a single-layer file)
    return not out_key[2] or not in_key[2] or out_key[2] == in_key[2]


def check_destinations(dests: dict, inputs: dict, may_replace: dict | None = None):
    """Refuse, before anything is read, destinations that would write over an input, over each other, or into
    a folder that cannot take the file.  ``dests``: name -> Destination or None; ``inputs``: name -> key.

    ``may_replace``: {input name: output name} pairs that are allowed to be the same file (the register's
    PREVIOUS updated in place by OUTPUT: read fully first, then replaced atomically).  Only a whole-file or
    GeoPackage-file destination qualifies; every other input stays protected."""
    may_replace = may_replace or {}
    for name, dest in dests.items():
        if dest is None:
            continue
        for in_name, in_key in inputs.items():
            if may_replace.get(in_name) == name and (dest.kind == FILE or dest.path):
                continue
            if _conflicts(dest.key, in_key):
                what = (tr("layer {layer}").format(layer=in_key[2]) if dest.key[0] == "file" and dest.key[2]
                        else tr("the file"))
                raise QgsProcessingException(
                    tr("output {name} ({target}) would replace {what} input {input} is read from: the original data "
                       "would be lost. Choose another output file or layer name.").format(
                        name=name, target=dest.text, what=what, input=in_name))
    seen = {}
    for name, dest in dests.items():
        if dest is None or not dest.key:
            continue
        for other, okey in seen.items():
            if _conflicts(dest.key, okey):
                raise QgsProcessingException(
                    tr("outputs {first} and {second} both point at {target}: the second would replace the first. Give "
                       "each output its own file (or its own layer of an existing GeoPackage).").format(
                        first=other, second=name, target=dest.text))
        seen[name] = dest.key
    for name, dest in dests.items():
        if dest is not None and dest.kind == FILE:
            check_folder(name, dest.path)


def check_folder(name: str, path: str):
    """One clear sentence when the output's folder is missing, not a folder or not writable."""
    folder = os.path.dirname(path) or "."
    problem = None
    if not os.path.exists(folder):
        # a regular file on the way ("out.txt/x.gpkg") is not a folder either
        probe = folder
        while probe and not os.path.exists(probe):
            probe = os.path.dirname(probe)
        if probe and not os.path.isdir(probe):
            problem = tr("{path} on the way is a file, not a folder").format(path=probe)
        else:
            problem = tr("folder {path} does not exist").format(path=folder)
    elif not os.path.isdir(folder):
        problem = tr("{path} is not a folder").format(path=folder)
    elif not os.access(folder, os.W_OK | os.X_OK):
        problem = tr("no permission to write in folder {path}").format(path=folder)
    elif os.path.isdir(path) and os.path.splitext(path)[1].lower() not in (".gdb",):
        problem = tr("{path} is an existing folder").format(path=path)
    if problem:
        raise QgsProcessingException(tr("cannot write output {name}: {problem}.").format(name=name, problem=problem))


def _os_error(dest: Destination, exc: OSError) -> QgsProcessingException:
    reason = exc.strerror or str(exc)
    return QgsProcessingException(
        tr("cannot write output {name} ({target}): {reason}.").format(name=dest.name, target=dest.path or dest.text,
                                                                       reason=reason))


# --------------------------------------------------------------------------- #
# the two writers: computed features; source rows plus new columns
# --------------------------------------------------------------------------- #

def write_features(dest: Destination | None, context, feedback, fields_spec, geoms, columns, crs,
                   progress_from=0.0, progress_to=0.0, lines=False):
    """Computed features (shapely ``geoms``, ``columns`` aligned, ``fields_spec`` (name, kind) pairs) to ``dest``,
    written as MultiPolygon (``lines``: MultiLineString).  A GeoPackage file goes through :mod:`gpkgbulk`, other files
    through a QGIS file writer, both under a temporary name moved into place when complete; memory layers and
    database tables through the QGIS sink.  Returns the destination id (None: not requested)."""
    if dest is None:
        return None
    geoms = _as_multi(np.asarray(geoms, dtype=object))
    fields = make_fields(fields_spec)

    def fast(path, style=None):
        from ..gpkgbulk import write_new_layer

        cols = [(name, _BULK_KINDS[kind], np.asarray(col)) for (name, kind), col in zip(fields_spec, columns)]
        crs_id = crs.authid() if crs.authid().upper().startswith("EPSG:") else crs.toWkt()
        return write_new_layer(path, dest.layer_name, geoms, cols, crs_id, "MultiLineString" if lines else "MultiPolygon",
                               style=style)

    def fill(sink):
        write_arrays(sink, fields, geoms, columns, feedback=feedback, multi=False, progress_from=progress_from,
                     progress_to=progress_to, sink_name=dest.name)
        return len(geoms)

    wkb_type = QgsWkbTypes.MultiLineString if lines else QgsWkbTypes.MultiPolygon
    return _write(dest, context, feedback, fast if dest.fast else None, fields, wkb_type, crs, fill)


def write_source_rows(dest: Destination | None, context, feedback, source, fids, columns, spec, *, fast_file=None,
                      only_listed=False, progress_from=0.0, progress_to=0.0, bounds=None):
    """Every feature of ``source`` (or, ``only_listed``, those in ``fids``) as it is, plus ``columns`` (aligned
    with ``fids``; ``spec`` (name, kind) pairs) to ``dest``.  ``fast_file`` = (GeoPackage path, layer) of the
    very same features (the reader's fast path) lets a GeoPackage destination be copied in SQL; ``bounds`` =
    (fids, boxes) of those features spares that copy reading every geometry's envelope.  Atomic for
    files like :func:`write_features`.  Returns the destination id (None: not requested)."""
    if dest is None:
        return None
    fids = np.asarray(fids, dtype=np.int64)
    out_fields = QgsProcessingUtils.combineFields(source.fields(), make_fields(spec))
    use_fast = dest.fast and fast_file is not None and str(fast_file[0]).lower().endswith(".gpkg")

    def fast(path, style=None):
        from ..gpkgbulk import copy_layer_with_columns

        extra = [(name, _BULK_KINDS[kind], np.asarray(col)) for (name, kind), col in zip(spec, columns)]
        return copy_layer_with_columns(fast_file[0], fast_file[1], path, dest.layer_name, extra, fids,
                                       only_listed=only_listed, style=style, bounds=None if only_listed else bounds)

    def fill(sink):
        return copy_with_columns(source, sink, out_fields, fids, columns, feedback=feedback,
                                 progress_from=progress_from, progress_to=progress_to, sink_name=dest.name,
                                 only_listed=only_listed)

    return _write(dest, context, feedback, fast if use_fast else None, out_fields, source.wkbType(),
                  source.sourceCrs(), fill)


_BULK_KINDS = {"int": "int", "int64": "int", "double": "double", "string": "string"}


def _write(dest, context, feedback, fast, fields, wkb_type, crs, fill):
    """Every output goes through here: the style (``qgis_io.styles``) is stored in a GeoPackage before it is
    published and set as the layer post-processor of whatever Processing loads into a project."""
    from . import styles

    style = styles.style_for(dest.algorithm, dest.name, fields.names())
    if dest.kind != FILE:
        return _write_sink(dest, context, fields, wkb_type, crs, fill, style)
    from .. import atomicfile

    try:
        removed = atomicfile.clean_leftovers(dest.path)
        if removed:
            feedback.pushInfo(tr("{name}: removed {n} temporary file(s) left by an interrupted run").format(
                name=dest.name, n=removed))
        if fast is not None:   # gpkgbulk: temporary name beside the file, moved into place when complete
            n = fast(dest.path, styles.gpkg_style(style))
            how = tr("{name}: {n} features bulk-written to {path}")
        else:
            n = _write_file(dest, context, fields, wkb_type, crs, fill, style)
            how = tr("{name}: {n} features written to {path}")
    except OSError as exc:
        raise _os_error(dest, exc) from exc
    feedback.pushInfo(how.format(name=dest.name, n=n, path=dest.path))
    if dest.project is not None:
        details = QgsProcessingContext.LayerDetails(dest.label, dest.project, dest.name)
        context.addLayerToLoadOnCompletion(dest.load_uri or dest.path, styles.attach(details, style))
    return dest.load_uri or dest.path


def _write_file(dest, context, fields, wkb_type, crs, fill, style=None) -> int:
    """QGIS's file writer into a temporary file beside ``dest.path``, published when complete."""
    from .. import atomicfile

    tmp = atomicfile.temp_sibling(dest.path)
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = dest.driver
    options.layerName = dest.layer_name
    options.fileEncoding = (dest.create_options.get("fileEncoding") or context.defaultEncoding() or "system")
    options.datasourceOptions = QgsVectorFileWriter.defaultDatasetOptions(dest.driver)
    options.layerOptions = QgsVectorFileWriter.defaultLayerOptions(dest.driver)
    options.actionOnExistingFile = QgsVectorFileWriter.CreateOrOverwriteFile
    try:
        writer = QgsVectorFileWriter.create(str(tmp), fields, wkb_type, crs, context.transformContext(), options)
        if writer.hasError() != QgsVectorFileWriter.NoError:
            raise QgsProcessingException(
                tr("could not create output {name} ({target}): {error}").format(
                    name=dest.name, target=dest.path, error=writer.errorMessage()))
        n = fill(writer)
        if not writer.flushBuffer() or writer.hasError() != QgsVectorFileWriter.NoError:
            raise QgsProcessingException(tr("could not write {name}: {error}").format(
                name=dest.name, error=writer.errorMessage()))
        del writer   # closes the file (the sip wrapper owns the C++ writer)
        if dest.driver == "GPKG" and style is not None:
            from ..gpkgbulk import write_layer_style
            from .styles import gpkg_style

            write_layer_style(tmp, dest.layer_name, gpkg_style(style))
        atomicfile.publish(tmp, dest.path)
    except BaseException:
        writer = None  # noqa: F841 - closes the file before it is removed
        atomicfile.discard(tmp)
        raise
    return n


def _write_sink(dest, context, fields, wkb_type, crs, fill, style=None):
    sink, dest_id = dest.open_sink(dest.sink_value, fields, wkb_type, crs)
    if sink is None:
        raise QgsProcessingException(tr("could not create output {name} ({target})").format(name=dest.name,
                                                                                            target=dest.text))
    fill(sink)
    if hasattr(sink, "flushBuffer"):
        sink.flushBuffer()
    del sink
    from . import styles

    if style is not None and dest.layer_name and str(dest.path).lower().endswith(".gpkg"):
        from ..gpkgbulk import write_layer_style

        write_layer_style(dest.path, dest.layer_name, styles.gpkg_style(style))   # a layer of an existing file
    if dest.load_uri and dest.project is not None:
        details = QgsProcessingContext.LayerDetails(dest.label, dest.project, dest.name)
        context.addLayerToLoadOnCompletion(dest.load_uri, styles.attach(details, style))
        return dest.load_uri
    styles.attach_to_loaded(context, dest_id, style)   # memory layers, database tables: Processing loads them
    return dest_id
