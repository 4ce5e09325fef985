"""liangwei:fieldpackage — 外业包 (a QField project of chosen register cases for an enforcement team)."""
from __future__ import annotations

import datetime as _dt
import os
import re
import shutil
import time
import zipfile
from pathlib import Path

from qgis.core import (
    QgsCoordinateTransform,
    QgsExpression,
    QgsExpressionContext,
    QgsExpressionContextUtils,
    QgsFeature,
    QgsFeatureRequest,
    QgsField,
    QgsFields,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputFile,
    QgsProcessingOutputString,
    QgsProcessingParameterExpression,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterNumber,
    QgsProcessingParameterVectorLayer,
    QgsRectangle,
    QgsVectorFileWriter,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

from ..i18n import N_, tr
from .base import LiangweiAlgorithm, canceled

PROJECT_STEM = "fieldwork"
REGISTER_FILE = f"{PROJECT_STEM}_register.gpkg"
STAGING_TAG = ".lwtmp"
_STAGING = re.compile(r"^\.fieldpackage\.(?P<host>[A-Za-z0-9_]*)-(?P<pid>\d+)-[0-9a-f]+" + re.escape(STAGING_TAG) + "$")


def _slug(text: str, taken: set) -> str:
    base = re.sub(r"[^0-9A-Za-z_\u4e00-\u9fff]+", "_", text).strip("_")[:40] or "layer"
    name, i = base, 2
    while name.lower() in taken:
        name, i = f"{base}_{i}", i + 1
    taken.add(name.lower())
    return name


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _clean_staging(folder: Path) -> None:
    """Staging folders of killed runs on this host (their process is gone) or older than a day."""
    import socket

    host = re.sub(r"[^A-Za-z0-9_]", "_", socket.gethostname())[:40]
    for p in folder.iterdir() if folder.is_dir() else ():
        m = _STAGING.match(p.name)
        if not m or not p.is_dir() or p.is_symlink():
            continue
        old = time.time() - p.stat().st_mtime > 24 * 3600
        if old or (m.group("host") == host and not _pid_alive(int(m.group("pid")))):
            shutil.rmtree(p, ignore_errors=True)


def _gpkg_path_of(layer) -> tuple:
    """(path, layer name) of a layer read from a GeoPackage file, else (None, None)."""
    from qgis.core import QgsProviderRegistry

    if layer is None or layer.providerType() != "ogr":
        return None, None
    parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
    path = parts.get("path") or ""
    if not path.lower().endswith(".gpkg") or not os.path.isfile(path):
        return None, None
    return path, parts.get("layerName") or ""


def _context_name(layer) -> str:
    """The name a planner knows a context layer by: its GeoPackage layer name when the layer was given as
    ``file.gpkg|layername=NAME`` (Processing then names the layer after the file), else the layer's name."""
    from qgis.core import QgsProviderRegistry

    if layer.providerType() == "ogr":
        name = QgsProviderRegistry.instance().decodeUri("ogr", layer.source()).get("layerName") or ""
        if name and layer.name() in (Path(layer.source().split("|")[0]).stem, ""):
            return name
    return layer.name()


class FieldPackageAlgorithm(LiangweiAlgorithm):
    NAME = "fieldpackage"
    DISPLAY = N_("Field package for QField")
    GROUP_ID = "register"
    GROUP = N_("Register")
    ICON = "liangwei"
    TAGS = ("外业", "QField", "field", "tablet", "台账", "register")

    REGISTER = "REGISTER"
    FILTER = "FILTER"
    CONTEXT_LAYERS = "CONTEXT_LAYERS"
    MARGIN = "MARGIN"
    OUTPUT_FOLDER = "OUTPUT_FOLDER"

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS API
        self.addParameter(QgsProcessingParameterVectorLayer(
            self.REGISTER, self.tr("Register"), [QgsProcessing.TypeVectorPolygon]))
        self.addParameter(QgsProcessingParameterExpression(
            self.FILTER, self.tr("Cases to pack (expression, optional)"),
            parentLayerParameterName=self.REGISTER, optional=True))
        self.addParameter(QgsProcessingParameterMultipleLayers(
            self.CONTEXT_LAYERS, self.tr("Context layers (optional)"),
            QgsProcessing.TypeVectorAnyGeometry, optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.MARGIN, self.tr("Context margin (m)"), QgsProcessingParameterNumber.Double,
            200.0, minValue=0.0))
        self.addParameter(QgsProcessingParameterFolderDestination(
            self.OUTPUT_FOLDER, self.tr("Package folder")))
        self.addOutput(QgsProcessingOutputFile("PROJECT", self.tr("QField project (.qgz)")))
        self.addOutput(QgsProcessingOutputFile("ZIP", self.tr("Package zip (.zip)")))
        self.addOutput(QgsProcessingOutputString("PACKAGE_ID", self.tr("Package id")))
        self.add_count_outputs((("CASES", N_("Cases packed")),
                                ("CONTEXT_FEATURES", N_("Context features"))))

    # ------------------------------------------------------------------ run
    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 - QGIS API
        from ..core.fieldsync import ADDED_FIELDS, EDIT_FIELDS, MAX_ROWS, PACKAGE_LAYER
        from ..fieldstore import new_package_id, write_package_tables

        t0 = time.perf_counter()
        reg_layer = self.parameterAsVectorLayer(parameters, self.REGISTER, context)
        if reg_layer is None or not reg_layer.isValid():
            raise QgsProcessingException(self.invalidSourceError(parameters, self.REGISTER))
        if reg_layer.fields().indexOf("case_id") < 0:
            raise QgsProcessingException(
                self.tr("{layer} has no case_id field: not a register (make one with liangwei:register)").format(
                    layer=reg_layer.name()))
        crs = reg_layer.crs()
        if not crs.isValid():
            raise QgsProcessingException(self.tr("{layer} has no CRS").format(layer=reg_layer.name()))
        contexts = [lyr for lyr in (self.parameterAsLayerList(parameters, self.CONTEXT_LAYERS, context) or [])
                    if isinstance(lyr, QgsVectorLayer)]
        margin = self.parameterAsDouble(parameters, self.MARGIN, context)
        folder = Path(self.parameterAsString(parameters, self.OUTPUT_FOLDER, context))
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise QgsProcessingException(self.tr("cannot create folder {folder}: {error}").format(
                folder=folder, error=exc)) from exc
        if not os.access(folder, os.W_OK | os.X_OK):
            raise QgsProcessingException(self.tr("no permission to write in folder {path}").format(path=folder))
        self._refuse_inputs_and_unreturned_work(folder, [reg_layer, *contexts])

        raw = parameters.get(self.FILTER)
        # parameterAsExpression gives "" for an expression that does not parse: that would pack every case
        expr_text = raw if isinstance(raw, str) else (self.parameterAsExpression(parameters, self.FILTER, context) or "")
        request = QgsFeatureRequest()
        request.setInvalidGeometryCheck(QgsFeatureRequest.GeometryNoCheck)
        if expr_text.strip():
            expr = QgsExpression(expr_text)
            if expr.hasParserError():
                raise QgsProcessingException(self.tr("the FILTER expression is invalid: {error}").format(
                    error=expr.parserErrorString()))
            ectx = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(reg_layer))
            request.setFilterExpression(expr_text)
            request.setExpressionContext(ectx)

        _clean_staging(folder)
        import secrets
        import socket

        host = re.sub(r"[^A-Za-z0-9_]", "_", socket.gethostname())[:40]
        staging = folder / f".fieldpackage.{host}-{os.getpid()}-{secrets.token_hex(4)}{STAGING_TAG}"
        staging.mkdir()
        try:
            package_id = new_package_id()
            # 1. the chosen cases with the package's own fields
            src_fields = reg_layer.fields()
            out_fields = QgsFields(src_fields)
            for name, kind in ADDED_FIELDS:
                if out_fields.indexOf(name) < 0:
                    out_fields.append(QgsField(name, QVariant.Date if kind == "date" else QVariant.String))  # noqa: QGS402
            reg_path = staging / REGISTER_FILE
            writer, err = self._writer(reg_path, PACKAGE_LAYER, out_fields, reg_layer.wkbType(), crs, context)
            if writer is None:
                raise QgsProcessingException(self.tr("cannot write {path}: {error}").format(path=REGISTER_FILE,
                                                                                            error=err))
            baseline, extent, n, seen = [], QgsRectangle(), 0, set()
            idx = {f: src_fields.indexOf(f) for f in EDIT_FIELDS}
            try:
                for feat in reg_layer.getFeatures(request):
                    if feedback.isCanceled():
                        raise canceled()
                    n += 1
                    if n > MAX_ROWS:
                        raise QgsProcessingException(
                            self.tr("more than {n} cases chosen: narrow FILTER").format(n=MAX_ROWS))
                    cid = feat["case_id"]
                    if cid is None or cid == "" or (hasattr(cid, "isNull") and cid.isNull()):
                        raise QgsProcessingException(self.tr("feature {fid} has no case_id").format(fid=feat.id()))
                    cid = str(cid)
                    if cid in seen:
                        raise QgsProcessingException(self.tr("duplicate case_id {case}").format(case=cid))
                    seen.add(cid)
                    out = QgsFeature(out_fields)
                    attrs = list(feat.attributes()) + [None] * (out_fields.count() - src_fields.count())
                    out.setAttributes(attrs)
                    if feat.hasGeometry():
                        out.setGeometry(feat.geometry())
                        extent.combineExtentWith(feat.geometry().boundingBox())
                    if not writer.addFeature(out):
                        raise QgsProcessingException(self.tr("write failed: {error}").format(error=writer.errorMessage()))
                    baseline.append((cid, *[_plain(feat.attributes()[i]) if i >= 0 else None
                                            for i in idx.values()]))
                    feedback.setProgress(min(40.0, n / 100.0))
            finally:
                del writer
            if n == 0:
                raise QgsProcessingException(self.tr("no case matches FILTER: nothing to pack"))
            if extent.isEmpty():
                extent = QgsRectangle(extent.xMinimum() - 1, extent.yMinimum() - 1,
                                      extent.xMaximum() + 1, extent.yMaximum() + 1)
            extent.grow(margin)
            created = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()
            master_path, master_layer = _gpkg_path_of(reg_layer)
            write_package_tables(reg_path, {
                "package_id": package_id, "created": created, "format_version": "1",
                "master_name": os.path.basename(master_path) if master_path else reg_layer.name(),
                "master_layer": master_layer or reg_layer.name(), "case_count": n, "filter": expr_text,
                "crs": crs.authid()}, baseline)
            feedback.pushInfo(self.tr("{n} cases packed, package id {id}").format(n=n, id=package_id))

            # 2. context layers: features meeting the cases' extent + margin, clipped to it
            ctx_files, n_ctx, taken = [], 0, {"register"}
            for k, lyr in enumerate(contexts):
                if feedback.isCanceled():
                    raise canceled()
                title = _context_name(lyr)
                name = _slug(title, taken)
                path = staging / f"context_{name}.gpkg"
                written = self._write_context(lyr, path, name, extent, crs, context, feedback)
                n_ctx += written
                ctx_files.append((path, name, title, lyr))
                feedback.pushInfo(self.tr("context layer {title}: {n} features within {m} m of the cases").format(
                    title=title, n=written, m=f"{margin:g}"))
                feedback.setProgress(40 + 30 * (k + 1) / max(1, len(contexts)))

            # 3. the project
            (staging / "DCIM").mkdir()
            project_path = staging / f"{PROJECT_STEM}.qgz"
            widgets = self._write_project(project_path, reg_path, ctx_files, crs, extent, n, context)
            feedback.pushInfo(self.tr("edit widgets: {list}").format(list=", ".join(f"{k}={v}" for k, v in widgets.items())))
            _journal_delete([reg_path] + [c[0] for c in ctx_files])
            zip_path = staging / f"{PROJECT_STEM}.zip"
            _zip(staging, zip_path)
            feedback.setProgress(90)

            # 4. publish: data first, the project last, the zip after
            names = [p.name for p in sorted(staging.iterdir()) if p.is_file() and p.name not in
                     (project_path.name, zip_path.name)]
            for nm in names + [project_path.name, zip_path.name]:
                os.replace(staging / nm, folder / nm)
            (folder / "DCIM").mkdir(exist_ok=True)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        feedback.pushInfo(self.tr("field package: {folder} ({files}) in {s} s").format(
            folder=folder, files=f"{PROJECT_STEM}.qgz, {PROJECT_STEM}.zip", s=f"{time.perf_counter() - t0:.1f}"))
        return {self.OUTPUT_FOLDER: str(folder), "PROJECT": str(folder / f"{PROJECT_STEM}.qgz"),
                "ZIP": str(folder / f"{PROJECT_STEM}.zip"), "PACKAGE_ID": package_id, "CASES": n,
                "CONTEXT_FEATURES": n_ctx}

    # ------------------------------------------------------------------ steps
    @staticmethod
    def _writer(path, layer_name, fields, wkb_type, crs, context):
        options = QgsVectorFileWriter.SaveVectorOptions()
        options.driverName = "GPKG"
        options.layerName = layer_name
        options.fileEncoding = "UTF-8"
        writer = QgsVectorFileWriter.create(str(path), fields, wkb_type, crs, context.transformContext(), options)
        if writer.hasError():
            return None, writer.errorMessage()
        return writer, ""

    def _write_context(self, lyr, path, name, extent, crs, context, feedback) -> int:
        try:
            rect = QgsCoordinateTransform(crs, lyr.crs(), context.transformContext()).transformBoundingBox(extent) \
                if lyr.crs().isValid() and lyr.crs() != crs else QgsRectangle(extent)
        except Exception as exc:  # noqa: BLE001 - QgsCsException: one clear sentence
            raise QgsProcessingException(tr("context layer {layer}: cannot transform the package extent "
                                            "({error})").format(layer=lyr.name(), error=exc)) from exc
        wkb = lyr.wkbType()
        writer, err = self._writer(path, name, lyr.fields(), wkb, lyr.crs(), context)
        if writer is None:
            raise QgsProcessingException(tr("cannot write context layer {layer}: {error}").format(layer=lyr.name(),
                                                                                               error=err))
        request = QgsFeatureRequest().setFilterRect(rect)
        request.setInvalidGeometryCheck(QgsFeatureRequest.GeometryNoCheck)
        n = 0
        clip = QgsWkbTypes.geometryType(wkb) in (QgsWkbTypes.LineGeometry, QgsWkbTypes.PolygonGeometry)
        try:
            for feat in lyr.getFeatures(request):
                if feedback.isCanceled():
                    raise canceled()
                if feat.hasGeometry() and clip:
                    g = feat.geometry().clipped(rect)
                    if g.isNull() or g.isEmpty():
                        continue
                    if QgsWkbTypes.isMultiType(wkb) and not g.isMultipart():
                        g.convertToMultiType()
                    feat.setGeometry(g)
                if writer.addFeature(feat):
                    n += 1
        finally:
            del writer
        return n

    @staticmethod
    def _write_project(project_path, reg_path, ctx_files, crs, extent, n, context) -> dict:
        from ..core.fieldsync import PACKAGE_LAYER
        from ..qgis_io.fieldproject import configure_context_layer, configure_register_layer, write_project

        reg = QgsVectorLayer(f"{reg_path}|layername={PACKAGE_LAYER}", tr("Liangwei cases"), "ogr")
        if not reg.isValid():
            raise QgsProcessingException(tr("the package register does not open: {path}").format(path=reg_path))
        widgets = configure_register_layer(reg)
        layers = []
        for path, name, title, src in ctx_files:
            lyr = QgsVectorLayer(f"{path}|layername={name}", title, "ogr")
            if not lyr.isValid():
                raise QgsProcessingException(tr("context layer does not open: {path}").format(path=path))
            configure_context_layer(lyr, src)
            layers.append(lyr)
        title = tr("Liangwei field check {date} ({n} cases)").format(date=_dt.date.today().isoformat(), n=n)
        write_project(project_path, title, crs, extent, reg, layers, context.transformContext())
        return widgets

    def _refuse_inputs_and_unreturned_work(self, folder: Path, layers) -> None:
        """Refuse a folder whose package files would replace an input, or whose earlier package holds field
        entries not yet merged back (they would be lost)."""
        from ..qgis_io.writer import input_key

        outputs = [folder / REGISTER_FILE, folder / f"{PROJECT_STEM}.qgz", folder / f"{PROJECT_STEM}.zip"]
        for lyr in layers:
            key = input_key(lyr)
            if not key or key[0] != "file":
                continue
            for out in outputs:
                if out.exists() and os.path.samefile(out, key[1]):
                    raise QgsProcessingException(tr("output {out} is the file of input {layer}: choose another "
                                                    "folder").format(out=out, layer=lyr.name()))
            if os.path.isdir(key[1]) and os.path.samefile(key[1], folder):
                raise QgsProcessingException(tr("the output folder is input {layer}").format(layer=lyr.name()))
            name = os.path.basename(key[1])
            if name.startswith("context_") and os.path.dirname(os.path.realpath(key[1])) == os.path.realpath(folder):
                raise QgsProcessingException(tr("context layer {layer} lies in the output folder and would be "
                                                "replaced").format(layer=lyr.name()))
        old = folder / REGISTER_FILE
        if old.exists():
            self._refuse_unreturned(old, folder)

    @staticmethod
    def _refuse_unreturned(old: Path, folder: Path) -> None:
        import tempfile

        from ..core.fieldsync import EDIT_FIELDS, FieldSyncError, same
        from ..fieldstore import read_package

        dcim = folder / "DCIM"
        photos = [p for p in dcim.rglob("*") if p.is_file()] if dcim.is_dir() else []
        with tempfile.TemporaryDirectory(prefix="lw_fieldpkg_") as tmp:
            try:
                pkg = read_package(old, tmp)
                edited = [c for c, row in pkg.team.items()
                          if any(not same(row.get(f), pkg.baseline.get(c, {}).get(f)) for f in EDIT_FIELDS if f in row)]
            except FieldSyncError:
                edited = ["?"]
        if edited or photos:
            raise QgsProcessingException(
                tr("{folder} holds an earlier field package with entries not merged back ({cases} cases, {photos} "
                   "photos): merge it with liangwei:fieldsync or choose another folder").format(
                    folder=folder, cases=len(edited), photos=len(photos)))


def _plain(value):
    """A QGIS attribute value as plain Python text for the baseline (NULL -> None, dates -> ISO)."""
    if value is None or (hasattr(value, "isNull") and value.isNull()):
        return None
    if hasattr(value, "toString") and hasattr(value, "isValid"):  # QDate / QDateTime
        from qgis.PyQt.QtCore import QDate

        return value.toString("yyyy-MM-dd") if isinstance(value, QDate) else value.toString("yyyy-MM-ddTHH:mm:ss")
    return str(value)


def _journal_delete(paths) -> None:
    """Leave every GeoPackage of the package as one self-contained file (no WAL mode, no -wal / -shm)."""
    import sqlite3

    for p in paths:
        con = sqlite3.connect(str(p))
        try:
            con.execute("PRAGMA journal_mode=DELETE")
        finally:
            con.close()


def _zip(folder: Path, zip_path: Path) -> None:
    tmp = zip_path.with_name(f".{zip_path.name}.part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.rglob("*")):
            if p == tmp or p == zip_path:
                continue
            arc = p.relative_to(folder).as_posix()
            if p.is_dir():
                zf.writestr(arc + "/", b"")
            elif p.is_file() and not p.name.endswith(("-wal", "-shm", "-journal")):
                zf.write(p, arc)
    os.replace(tmp, zip_path)
