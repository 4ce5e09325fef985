"""liangwei:register — 生成台账 (the demolition-candidate register)."""
from __future__ import annotations

import os
import time

from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterProviderConnection,
    QgsProcessingParameterString,
)

from ..core.register_inputs import (
    BREACH_COLUMNS,
    CHANGE_FIELDS,
    HIT_COLUMNS,
    REGISTER_LAYER,
    MissingFieldsError,
    PermitKindError,
)
from ..core.register_inputs import LEVEL_OUTPUTS as _LEVEL_IDS
from ..i18n import N_, tr
from ..qgis_io.messages import timing_line
from ..qgis_io.pgstore import DEFAULT_TABLE, closes_transactions
from .base import LiangweiAlgorithm

# level id (rules [level.*]) -> count output, with its label
_LEVEL_LABELS = {"N_DEMOLISH": N_("demolition candidates"), "N_RECTIFY": N_("rectify within a deadline"),
                 "N_TEMP_EXPIRED": N_("expired temporary buildings"), "N_VERIFY": N_("to verify"),
                 "N_LEGACY": N_("legacy stock")}
LEVEL_OUTPUTS = tuple((lid, out, _LEVEL_LABELS[out]) for lid, out in _LEVEL_IDS)


def permit_kinds(values, mapping_text):
    """temporary / permanent / unknown per value, and {unmapped value: count} (core.register_inputs.permit_kinds;
    a bad mapping item: QgsProcessingException)."""
    from ..core.register_inputs import permit_kinds as _permit_kinds

    try:
        return _permit_kinds(values, mapping_text)
    except PermitKindError as exc:
        raise QgsProcessingException(
            tr("PERMIT_KIND_MAP: '{key}={value}': the kind must be temporary, permanent or unknown").format(
                key=exc.key, value=exc.value)) from exc


def _plain_value(v):
    """QGIS attribute -> plain Python (QDate / QDateTime -> ISO text, NULL -> None)."""
    if v is None:
        return None
    try:
        if v.isNull():
            return None
    except AttributeError:
        pass
    if hasattr(v, "toString") and hasattr(v, "isValid"):
        from qgis.PyQt.QtCore import QDate, QDateTime, QTime

        if isinstance(v, QDate):
            return v.toString("yyyy-MM-dd")
        if isinstance(v, QDateTime):
            return v.toString("yyyy-MM-ddTHH:mm:ss")
        if isinstance(v, QTime):
            return v.toString("HH:mm:ss")
    return v


def read_table(inp, columns, feedback):
    """Attributes ``columns`` (those present) of every feature of an input, no geometry, as a DataFrame."""
    import pandas as pd
    from qgis.core import QgsFeatureRequest

    from ..qgis_io.messages import canceled
    from ..qgis_io.reader import features, read_attributes

    src = inp.source
    fields = src.fields()
    present = [c for c in columns if fields.lookupField(c) >= 0]
    idx = [fields.lookupField(c) for c in present]
    fast = read_attributes(inp, [fields.at(i).name() for i in idx], feedback)  # GDAL Arrow, when it applies
    if fast is not None:
        return pd.DataFrame({c: v for c, v in zip(present, fast.values())}, columns=present)
    request = QgsFeatureRequest()
    request.setFlags(QgsFeatureRequest.NoGeometry)
    request.setSubsetOfAttributes(idx)
    request.setInvalidGeometryCheck(QgsFeatureRequest.GeometryNoCheck)
    rows = []
    for k, feat in enumerate(features(src, request)):
        attrs = feat.attributes()
        rows.append([_plain_value(attrs[i]) for i in idx])
        if k % 20000 == 0 and feedback.isCanceled():
            raise canceled()
    return pd.DataFrame(rows, columns=present)


def lonlat(x, y, crs, context):
    """CGCS2000 (EPSG:4490) longitude / latitude of points in ``crs``, one QGIS transform for all."""
    import numpy as np
    import shapely
    from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsGeometry

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    lon, lat = np.full(len(x), np.nan), np.full(len(x), np.nan)
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return lon, lat
    ct = QgsCoordinateTransform(crs, QgsCoordinateReferenceSystem("EPSG:4490"), context.transformContext())
    g = QgsGeometry()
    g.fromWkb(shapely.to_wkb(shapely.multipoints(shapely.points(x[ok], y[ok]))))
    g.transform(ct)
    xy = shapely.get_coordinates(shapely.from_wkb(bytes(g.asWkb())))
    lon[ok], lat[ok] = np.round(xy[:, 0], 7), np.round(xy[:, 1], 7)
    return lon, lat


def field_kind(qfield) -> str:
    from qgis.PyQt.QtCore import QVariant

    t = qfield.type()
    if t in (QVariant.Int, QVariant.UInt):  # noqa: QGS402
        return "int"
    if t in (QVariant.LongLong, QVariant.ULongLong):  # noqa: QGS402
        return "int64"
    if t == QVariant.Double:  # noqa: QGS402
        return "double"
    return "string"


class RegisterAlgorithm(LiangweiAlgorithm):
    NAME = "register"
    DISPLAY = N_("Build the register")
    GROUP = N_("Register")
    GROUP_ID = "register"
    ICON = "liangwei"
    TAGS = ("台账", "拆除候选", "初判", "图斑编号", "register", "demolition", "cases")

    CHANGES = "CHANGES"
    ENCROACHMENTS = "ENCROACHMENTS"
    BREACHES = "BREACHES"
    FOOTPRINTS = "FOOTPRINTS"
    COMPOUNDS = "COMPOUNDS"
    DISTRICTS = "DISTRICTS"
    DISTRICT_CODE_FIELD = "DISTRICT_CODE_FIELD"
    DISTRICT_NAME_FIELD = "DISTRICT_NAME_FIELD"
    PERMITS = "PERMITS"
    PERMIT_NO_FIELD = "PERMIT_NO_FIELD"
    PERMIT_KIND_FIELD = "PERMIT_KIND_FIELD"
    PERMIT_KIND_MAP = "PERMIT_KIND_MAP"
    PERMIT_EXPIRY_FIELD = "PERMIT_EXPIRY_FIELD"
    PREVIOUS = "PREVIOUS"
    RUN_DATE = "RUN_DATE"
    OUTPUT = "OUTPUT"
    XLSX = "XLSX"
    CSV = "CSV"
    DATABASE = "DATABASE"
    DB_TABLE = "DB_TABLE"

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS API
        poly = [QgsProcessing.TypeVectorPolygon]
        for name, label in ((self.CHANGES, N_("Epoch changes (optional)")),
                            (self.ENCROACHMENTS, N_("Encroachments (optional)")),
                            (self.BREACHES, N_("Clearance breaches (optional)")),
                            (self.FOOTPRINTS, N_("Later buildings (needed without CHANGES)")),
                            (self.COMPOUNDS, N_("Residential compounds (optional)"))):
            self.addParameter(QgsProcessingParameterFeatureSource(name, self.tr(label), poly, optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.DISTRICTS, self.tr("Districts (optional)"), poly, optional=True))
        for name, parent, label in (
                (self.DISTRICT_CODE_FIELD, self.DISTRICTS, N_("District code field (empty = auto)")),
                (self.DISTRICT_NAME_FIELD, self.DISTRICTS, N_("District name field (empty = auto)"))):
            self.addParameter(QgsProcessingParameterField(name, self.tr(label), parentLayerParameterName=parent,
                                                          optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.PERMITS, self.tr("Planning permits (optional)"), poly, optional=True))
        for name, label in (
                (self.PERMIT_NO_FIELD, N_("Permit number field (empty = auto)")),
                (self.PERMIT_KIND_FIELD, N_("Permit kind field (empty = auto)")),
                (self.PERMIT_EXPIRY_FIELD, N_("Permit expiry field"))):
            self.addParameter(QgsProcessingParameterField(name, self.tr(label), parentLayerParameterName=self.PERMITS,
                                                          optional=True))
        p = QgsProcessingParameterString(
            self.PERMIT_KIND_MAP, self.tr("Permit kind mapping (optional), e.g. 临=temporary;正式=permanent"),
            defaultValue="", optional=True)
        p.setHelp(self.tr("default: 临时/临建/temporary → temporary, 永久/permanent → permanent"))
        self.addParameter(p)
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.PREVIOUS, self.tr("Previous register (optional: keeps ids and field teams' entries)"), poly, optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.RUN_DATE, self.tr("Run date (empty = today)"), defaultValue="",
            optional=True))
        self.add_rules_parameter()
        self.add_work_crs_parameter()
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, self.tr("Demolition-candidate register"), QgsProcessing.TypeVectorPolygon))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.XLSX, self.tr("Register spreadsheet (XLSX)"), "Excel (*.xlsx)", optional=True,
            createByDefault=True))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.CSV, self.tr("Register CSV"), "CSV (*.csv)", optional=True, createByDefault=False))
        p = QgsProcessingParameterProviderConnection(
            self.DATABASE, self.tr("Shared register in PostGIS (optional): QGIS connection, service=… or URI"),
            "postgres", optional=True)
        p.setHelp(self.tr("The register is then this PostgreSQL + PostGIS table, merged in one transaction; "
                          "credentials from an authentication configuration (authcfg) or pg_service.conf"))
        self.addParameter(p)
        self.addParameter(QgsProcessingParameterString(
            self.DB_TABLE, self.tr("PostGIS register table (schema.table)"), defaultValue=DEFAULT_TABLE, optional=True))
        self.add_count_outputs(
            (("N_CASES", N_("cases found in this run")), ("N_KEPT", N_("kept ids")),
             ("N_NEW", N_("new cases")), ("N_GONE", N_("cases no longer found")),
             ("N_BUILDINGS", N_("buildings in")), ("N_SKIPPED", N_("buildings skipped")))
            + tuple((out, label) for _lid, out, label in LEVEL_OUTPUTS))

    # ------------------------------------------------------------------ run
    @closes_transactions   # a PostGIS register transaction left open by an error is rolled back
    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 - QGIS API
        self.require_dependencies()
        import numpy as np
        import pandas as pd

        from .. import atomicfile
        from ..core.geometry import POLYGON
        from ..core.register import as_date, build_register, build_register_chunked, merge_previous
        from ..core.register_inputs import (
            building_ids,
            changes_table,
            fill_lonlat,
            findings_table,
            level_counts,
            permit_kind_counts,
            pick_field,
            register_columns,
            verdict_counts,
        )
        from ..exports import COLUMN_HEADERS, MissingDependency, write_csv, write_xlsx
        from ..gpkgbulk import LayerCopyError, copy_layers, other_layers, write_aliases
        from ..qgis_io.reader import read_layer
        from ..qgis_io.writer import FILE, write_features

        t0 = time.time()
        inputs_all = [self.CHANGES, self.ENCROACHMENTS, self.BREACHES, self.FOOTPRINTS, self.COMPOUNDS, self.DISTRICTS,
                      self.PERMITS, self.PREVIOUS]
        dests = self.output_destinations(parameters, context, inputs_all, [self.OUTPUT],
                                         may_replace={self.PREVIOUS: self.OUTPUT})
        run_text = (self.parameterAsString(parameters, self.RUN_DATE, context) or "").strip()
        try:
            run_date = as_date(run_text or None)
        except (ValueError, TypeError) as exc:
            raise QgsProcessingException(self.tr("RUN_DATE '{text}' is not a date (YYYY-MM-DD)").format(
                text=run_text)) from exc
        rules = self.load_rules(parameters, context, feedback)

        def given(param):
            return self.parameterAsSource(parameters, param, context) is not None

        have = {p: given(p) for p in inputs_all}
        bparam = self.CHANGES if have[self.CHANGES] else self.FOOTPRINTS if have[self.FOOTPRINTS] else None
        if bparam is None:
            raise QgsProcessingException(
                self.tr("Give CHANGES (compareepochs OUTPUT) or FOOTPRINTS (the later buildings): every case is a "
                        "later building"))
        if not (have[self.CHANGES] or have[self.ENCROACHMENTS] or have[self.BREACHES] or have[self.PERMITS]
                or have[self.COMPOUNDS]):
            feedback.pushWarning(self.tr("no findings given (CHANGES, ENCROACHMENTS, BREACHES, PERMITS): no new cases"))
        binp = self.input_layer(parameters, bparam, context, feedback)
        work_crs = self.working_crs(parameters, binp, binp.name, context, feedback)
        inp = {bparam: binp}
        for p in inputs_all:
            if have[p] and p not in inp:
                inp[p] = self.input_layer(parameters, p, context, feedback)
                if p in (self.COMPOUNDS, self.DISTRICTS, self.PERMITS, self.PREVIOUS):
                    self.check_crs(inp[p], inp[p].name, work_crs, feedback, context)

        # ---- buildings (+ changes) -------------------------------------------------------------------------
        bfields = [f for f in CHANGE_FIELDS if binp.source.fields().lookupField(f) >= 0] if bparam == self.CHANGES \
            else []
        if bparam == self.CHANGES and "change" not in bfields:
            raise QgsProcessingException(
                self.tr("CHANGES layer '{layer}' has no 'change' field: it is not a compareepochs OUTPUT. Choose "
                        "that layer, or give the buildings as FOOTPRINTS").format(layer=binp.name))
        stream = self.filtered_source(binp, work_crs, bfields)
        b_arr = b_clean = sel = None
        changes = None
        epoch = prev_epoch = ""
        if stream is None:   # the whole layer
            b_arr, b_clean = read_layer(binp, POLYGON, dest_crs=work_crs, context=context, feedback=feedback,
                                        fields=bfields, progress_from=0, progress_to=30)
            fids, b_geoms = b_arr.fids, b_clean.geoms
            if "bld_fid" in bfields:
                ids = building_ids(b_arr.attrs["bld_fid"])
                if ids is not None:
                    fids = ids
                else:
                    feedback.pushWarning(self.tr("bld_fid of CHANGES has NULL or repeated values: joining findings "
                                                 "by feature id instead"))
            if bparam == self.CHANGES:
                changes, epoch, prev_epoch, has_confidence = changes_table(b_arr.attrs, len(b_arr))
                if not has_confidence:
                    feedback.pushInfo(self.tr("CHANGES has no confidence field (an older compareepochs output): "
                                              "every change counts as confident"))
        feedback.setProgress(30)

        # ---- findings tables ---------------------------------------------------------------------------------
        hits = breaches = None
        if have[self.ENCROACHMENTS]:
            try:
                hits = findings_table(read_table(inp[self.ENCROACHMENTS], HIT_COLUMNS, feedback), "hits")
            except MissingFieldsError as exc:
                raise QgsProcessingException(
                    self.tr("ENCROACHMENTS layer '{layer}' lacks {fields}: it is not a controllines OUTPUT").format(
                        layer=inp[self.ENCROACHMENTS].name, fields=", ".join(exc.fields))) from None
            feedback.pushInfo(self.tr("{layer}: {n} encroachment rows").format(layer=inp[self.ENCROACHMENTS].name,
                                                                               n=len(hits)))
        if have[self.BREACHES]:
            try:
                breaches = findings_table(read_table(inp[self.BREACHES], BREACH_COLUMNS, feedback), "breaches")
            except MissingFieldsError as exc:
                raise QgsProcessingException(
                    self.tr("BREACHES layer '{layer}' lacks {fields}: it is not a pipeclearance OUTPUT").format(
                        layer=inp[self.BREACHES].name, fields=", ".join(exc.fields))) from None
            feedback.pushInfo(self.tr("{layer}: {n} breach rows").format(layer=inp[self.BREACHES].name,
                                                                         n=len(breaches)))

        def polygons(param, fields=()):
            arr, cl = read_layer(inp[param], POLYGON, dest_crs=work_crs, context=context, feedback=feedback,
                                 fields=[f for f in fields if f])
            return arr, cl

        kw = {}
        if have[self.COMPOUNDS]:
            _arr, cl = polygons(self.COMPOUNDS)
            kw["compounds"] = cl.geoms[cl.used]
        if have[self.DISTRICTS]:
            dsrc = inp[self.DISTRICTS].source
            names = dsrc.fields().names()
            cf = pick_field(names, self.parameterAsString(parameters, self.DISTRICT_CODE_FIELD, context),
                            self.DISTRICT_CODE_FIELD)
            nf = pick_field(names, self.parameterAsString(parameters, self.DISTRICT_NAME_FIELD, context),
                            self.DISTRICT_NAME_FIELD)
            feedback.pushInfo(self.tr("{layer}: code field {code}, name field {name}").format(
                layer=inp[self.DISTRICTS].name, code=cf or "—", name=nf or "—"))
            if not cf:
                feedback.pushWarning(self.tr("no district code field found: case ids use 000000000; set "
                                             "DISTRICT_CODE_FIELD"))
            arr, cl = polygons(self.DISTRICTS, (cf, nf))
            u = cl.used
            kw["districts"] = cl.geoms[u]
            kw["district_codes"] = arr.attrs[cf][u] if cf else None
            kw["district_names"] = arr.attrs[nf][u] if nf else None
        if have[self.PERMITS]:
            psrc = inp[self.PERMITS].source
            names = psrc.fields().names()
            pf = {p: pick_field(names, self.parameterAsString(parameters, p, context), p)
                  for p in (self.PERMIT_NO_FIELD, self.PERMIT_KIND_FIELD, self.PERMIT_EXPIRY_FIELD)}
            feedback.pushInfo(self.tr("{layer}: number field {number}, kind field {kind}, expiry field {expiry}").format(
                layer=inp[self.PERMITS].name, number=pf[self.PERMIT_NO_FIELD] or "—",
                kind=pf[self.PERMIT_KIND_FIELD] or "—", expiry=pf[self.PERMIT_EXPIRY_FIELD] or "—"))
            if not pf[self.PERMIT_KIND_FIELD]:
                feedback.pushWarning(self.tr("permits have no kind field: every permit counts as of unknown kind (no "
                                             "expired-temporary findings)"))
            arr, cl = polygons(self.PERMITS, tuple(pf.values()))
            u = cl.used
            kw["permits"] = cl.geoms[u]
            kw["permit_nos"] = arr.attrs[pf[self.PERMIT_NO_FIELD]][u] if pf[self.PERMIT_NO_FIELD] else None
            if pf[self.PERMIT_KIND_FIELD]:
                kinds, bad = permit_kinds(arr.attrs[pf[self.PERMIT_KIND_FIELD]][u],
                                          self.parameterAsString(parameters, self.PERMIT_KIND_MAP, context) or None)
                if bad:
                    shown = ", ".join(f"{k} ({v})" for k, v in list(bad.items())[:10])
                    feedback.pushWarning(self.tr("unrecognised permit kinds treated as unknown: {values}; map them with "
                                                 "PERMIT_KIND_MAP").format(values=shown))
                kw["permit_kinds"] = kinds
                feedback.pushInfo("  " + self.tr("permits: permanent {permanent}, temporary {temporary}, unknown "
                                                 "{unknown}").format(**permit_kind_counts(kinds)))
            if pf[self.PERMIT_EXPIRY_FIELD]:
                kw["permit_expiry"] = np.array([_plain_value(v) for v in arr.attrs[pf[self.PERMIT_EXPIRY_FIELD]][u]],
                                               dtype=object)
        if feedback.isCanceled():
            from .base import canceled

            raise canceled()
        whole_counts = None
        if stream is not None:   # a big GeoPackage: only the buildings that can be cases, after the findings
            sel, attrs = self.read_filtered(stream, binp.name, bparam == self.CHANGES, hits, breaches, kw, rules,
                                            run_date, feedback)
            fids, b_geoms = sel.keys, sel.geoms
            whole_counts = (sel.n, sel.report.n_skipped)
            if sel.by_bld_fid is False:
                feedback.pushWarning(self.tr("bld_fid of CHANGES has NULL or repeated values: joining findings "
                                             "by feature id instead"))
            if attrs is not None:
                changes, epoch, prev_epoch, has_confidence = changes_table(attrs, len(sel))
                if not has_confidence:
                    feedback.pushInfo(self.tr("CHANGES has no confidence field (an older compareepochs output): "
                                              "every change counts as confident"))
        feedback.setProgress(45)

        # ---- cases -----------------------------------------------------------------------------------------------
        t_read = time.time()
        try:
            if stream is None:
                reg = build_register(fids, b_geoms, changes=changes, hits=hits, breaches=breaches, epoch=epoch,
                                     prev_epoch=prev_epoch, run_date=run_date, rules=rules, **kw)
            else:   # the same cases, a chunk of buildings at a time (bounded working memory)
                from ..streaming import DEFAULT_CHUNK_ROWS

                reg = build_register_chunked(fids, b_geoms, changes=changes, hits=hits, breaches=breaches,
                                             epoch=epoch, prev_epoch=prev_epoch, run_date=run_date, rules=rules,
                                             chunk_rows=max(1, int(getattr(stream, "chunk_rows", DEFAULT_CHUNK_ROWS))),
                                             **kw)
        except (ValueError, KeyError) as exc:
            raise QgsProcessingException(self.tr("could not build the register: {error}").format(error=exc)) from exc
        st = reg.stats
        if whole_counts is not None:   # the filtered read: the buildings of the whole layer
            st["n_buildings"], st["n_skipped"] = whole_counts
        for what, n in (st.get("unknown_fids") or {}).items():
            if n:
                feedback.pushWarning(self.tr("{what}: {n} rows whose bld_fid is not a building of {layer} (results of "
                                             "another layer?): ignored").format(what=what, n=n, layer=binp.name))
        feedback.setProgress(55)
        # the buildings are no longer needed: memory for the cases and the writers (10^6 cases at province scale)
        b_arr = b_clean = sel = b_geoms = fids = changes = hits = breaches = None
        kw.clear()

        # ---- previous register ----------------------------------------------------------------------------
        prev_df, prev_geoms = None, None
        pg = self.open_database(parameters, context, work_crs, have[self.PREVIOUS], feedback)
        if pg is not None and not have[self.PREVIOUS]:
            prev_df, prev_geoms, extra_kinds = pg.read()
        elif have[self.PREVIOUS]:
            pinp = inp[self.PREVIOUS]
            names = [f.name() for f in pinp.source.fields() if f.name().lower() != "fid"]
            if "case_id" not in names:
                raise QgsProcessingException(
                    self.tr("PREVIOUS layer '{layer}' has no case_id field: it is not a register").format(
                        layer=pinp.name))
            parr, pcl = read_layer(pinp, POLYGON, dest_crs=work_crs, context=context, feedback=feedback, fields=names)
            prev_df = pd.DataFrame({c: np.array([_plain_value(v) for v in parr.attrs[c]], dtype=object) for c in names})
            prev_geoms = pcl.geoms
            extra_kinds = {f.name(): field_kind(f) for f in pinp.source.fields() if f.name() in names}
        else:
            extra_kinds = {}
        try:
            merged = merge_previous(prev_df, prev_geoms, reg.cases, reg.geoms, run_date)
        except (ValueError, KeyError) as exc:
            raise QgsProcessingException(self.tr("could not merge with the previous register: {error}").format(
                error=exc)) from exc
        reg = None
        ms = merged.stats
        cases, geoms = merged.cases, merged.geoms
        merged = None
        if prev_df is not None:
            feedback.pushInfo(self.tr("merged with the previous register ({rows} rows): kept {kept}, new {new}, newly "
                                      "gone {gone}, still gone {still_gone}, found again {revived}; status, "
                                      "check_result, remarks and added columns carried over").format(
                rows=ms["previous"], kept=ms["kept"], new=ms["new"], gone=ms["gone"], still_gone=ms["still_gone"],
                revived=ms["revived"]))
        # coordinates: CGCS2000 lon / lat where this run computed x / y
        fill_lonlat(cases, lambda x, y: lonlat(x, y, work_crs, context))
        t_core = time.time()
        feedback.setProgress(65)

        # ---- outputs ----------------------------------------------------------------------------------------
        spec, cols = register_columns(cases, extra_kinds)
        counts, verdicts, n_out = level_counts(cases, rules), verdict_counts(cases), len(cases)
        cases = prev_df = prev_geoms = None   # the writers take the columns
        columns = [c for c, _kind in spec]
        dest = dests[self.OUTPUT]
        results = {}
        in_place = False
        if pg is not None:
            results[self.OUTPUT] = self.write_database(pg, dest, parameters, spec, cols, geoms, context, feedback)
        elif dest.kind == FILE and dest.driver == "GPKG" or (dest.path and dest.path.lower().endswith(".gpkg")):
            # the register store: written whole under a temporary name, aliases added, then moved into place
            import dataclasses

            final = dest.path
            keep_layers = []
            if have[self.PREVIOUS] and os.path.exists(final):
                from ..qgis_io.writer import _norm_path, input_key

                pkey = input_key(self.parameterAsVectorLayer(parameters, self.PREVIOUS, context))
                in_place = bool(pkey) and pkey[1] == _norm_path(final)
            if os.path.exists(final) and dest.kind != FILE:
                keep_layers = [n for n in other_layers(final, dest.layer_name or REGISTER_LAYER)]
            elif in_place:
                keep_layers = other_layers(final, dest.layer_name or REGISTER_LAYER)
            layer_name = dest.layer_name if dest.kind != FILE or dest.layer_name != os.path.splitext(
                os.path.basename(final))[0] else REGISTER_LAYER
            atomicfile.clean_leftovers(final)
            tmp = str(atomicfile.temp_sibling(final))
            tdest = dataclasses.replace(dest, kind=FILE, path=tmp, driver="GPKG", layer_name=layer_name, project=None,
                                        load_uri="")
            try:
                write_features(tdest, context, feedback, spec, geoms, cols, work_crs, progress_from=65, progress_to=80)
                write_aliases(tmp, layer_name, {c: COLUMN_HEADERS[c] for c in columns if c in COLUMN_HEADERS})
                if keep_layers:
                    try:
                        copy_layers(final, tmp, keep_layers)
                    except LayerCopyError as exc:
                        raise QgsProcessingException(self.tr("could not carry over layer {name}").format(
                            name=exc.layer)) from None
                    feedback.pushInfo(self.tr("other layers of the file kept: {layers}").format(
                        layers=", ".join(keep_layers)))
                atomicfile.publish(tmp, final)
            except BaseException:
                atomicfile.discard(tmp)
                raise
            uri = f"{final}|layername={layer_name}"
            if in_place:
                what = self.tr("{name}: {n} cases written (previous register updated in place) to {uri}")
            else:
                what = self.tr("{name}: {n} cases written to {uri}")
            feedback.pushInfo(what.format(name=self.OUTPUT, n=n_out, uri=uri))
            if dest.project is not None:
                from qgis.core import QgsProcessingContext

                from ..qgis_io import styles

                context.addLayerToLoadOnCompletion(uri, styles.attach(QgsProcessingContext.LayerDetails(
                    dest.label, dest.project, self.OUTPUT), styles.REGISTER))
            results[self.OUTPUT] = uri
        else:
            results[self.OUTPUT] = write_features(dest, context, feedback, spec, geoms, cols, work_crs,
                                                  progress_from=65, progress_to=80)
        feedback.setProgress(80)
        t_gpkg = time.time()

        table = pd.DataFrame({c: cols[i] for i, c in enumerate(columns)})
        cols = None
        xlsx = self.parameterAsFileOutput(parameters, self.XLSX, context)
        if xlsx:
            try:
                write_xlsx(table, xlsx)
                feedback.pushInfo(self.tr("{name}: {n} cases written to {uri}").format(name=self.XLSX, n=len(table),
                                                                                      uri=xlsx))
                results[self.XLSX] = xlsx
            except MissingDependency as exc:
                feedback.pushWarning(self.tr("XLSX not written: the Python package openpyxl is missing ({error}). The "
                                             "other formats are written as usual.").format(error=exc))
            except OSError as exc:
                raise QgsProcessingException(self.tr("cannot write {path}: {error}").format(
                    path=xlsx, error=exc.strerror or exc)) from exc
        feedback.setProgress(90)
        t_xlsx = time.time()
        csv = self.parameterAsFileOutput(parameters, self.CSV, context)
        if csv:
            try:
                write_csv(table, csv)
            except OSError as exc:
                raise QgsProcessingException(self.tr("cannot write {path}: {error}").format(
                    path=csv, error=exc.strerror or exc)) from exc
            feedback.pushInfo(self.tr("{name}: {n} cases written to {uri}").format(name=self.CSV, n=len(table), uri=csv))
            results[self.CSV] = csv

        # ---- accounting ------------------------------------------------------------------------------------
        n_b, n_skip = st["n_buildings"], st["n_skipped"]
        feedback.pushInfo(
            self.tr("buildings {n} = {cases} cases + {clean} without findings + {skipped} skipped").format(
                n=n_b, cases=st["n_cases"], clean=n_b - n_skip - st["n_cases"], skipped=n_skip))
        for v, n in verdicts.items():
            feedback.pushInfo(f"  {v}: {n}")
        if st.get("findings"):
            feedback.pushInfo("  " + self.tr("findings: {list}").format(
                list=", ".join(f"{k} {v}" for k, v in st["findings"].items())))
        feedback.pushInfo(timing_line(t_read - t0, t_core - t_read, time.time() - t_core))
        feedback.pushInfo(f"  GeoPackage {t_gpkg - t_core:.1f} s, XLSX {t_xlsx - t_gpkg:.1f} s, "
                          f"CSV {time.time() - t_xlsx:.1f} s")
        results.update({"N_CASES": counts["N_CASES"], "N_KEPT": int(ms["kept"]), "N_NEW": int(ms["new"]),
                        "N_GONE": counts["N_GONE"], "N_BUILDINGS": int(n_b), "N_SKIPPED": int(n_skip)})
        results.update({out: counts[out] for _lid, out, _label in LEVEL_OUTPUTS})
        return results

    # ------------------------------------------------------------------ the filtered read of a big layer
    @staticmethod
    def filtered_source(inp, work_crs, fields):
        """The buildings' :class:`..streaming.StreamSource` when they are to be read filtered: a whole GeoPackage
        layer in the working CRS that the checks would read tile by tile (``qgis_io.reader.stream_source``, from
        LIANGWEI_STREAM_MIN features); else None (the whole layer is read)."""
        from ..core.geometry import POLYGON
        from ..qgis_io.reader import stream_source

        source = stream_source(inp, POLYGON, dest_crs=work_crs, feedback=None, fields=fields)
        if source is None or source.dst_wkt:   # reprojected by QGIS on the whole-layer path: keep that path
            return None
        return source

    def read_filtered(self, source, name, changes_mode, hits, breaches, kw, rules, run_date, feedback):
        """(SelectedBuildings, compareepochs attributes or None) of the buildings that can be cases
        (:func:`..core.register_inputs.read_selected`), read from the GeoPackage after the findings; logs the
        whole layer's cleaning counts."""
        import numpy as np

        from ..core.geometry import as_multi
        from ..core.register import expired_permits, finding_changes
        from ..core.register_inputs import read_selected
        from ..gpkgsource import GpkgLayer
        from ..qgis_io.messages import canceled
        from ..qgis_io.reader import log_clean_report

        keys = [t["bld_fid"].to_numpy(dtype=np.int64) for t in (hits, breaches) if t is not None and len(t)]
        keys = np.concatenate(keys) if keys else np.empty(0, dtype=np.int64)
        expired = None
        if kw.get("permits") is not None and kw.get("permit_kinds") is not None:
            ok = expired_permits(kw["permit_kinds"], kw.get("permit_expiry"), len(kw["permits"]), run_date)
            expired = np.asarray(kw["permits"], dtype=object)[ok]
        def progress(fraction):
            if feedback.isCanceled():
                raise canceled()
            feedback.setProgress(30 + 15 * fraction)

        src = GpkgLayer(source.path, source.layer)
        try:
            sel, attrs = read_selected(src, layer=name,
                                       changes_mode=changes_mode,
                                       finding_keys=keys, changes=finding_changes(rules), expired_permits=expired,
                                       transform=as_multi if source.multi else None, progress=progress)
        finally:
            src.close()
        log_clean_report(sel.report, feedback)
        feedback.pushInfo(self.tr("{layer}: {n} buildings with a finding or a change read from the GeoPackage (the "
                                  "others can be no case)").format(layer=name, n=len(sel)))
        return sel, attrs

    # ------------------------------------------------------------------ PostGIS register (qgis_io.pgstore)
    def open_database(self, parameters, context, work_crs, have_previous, feedback):
        """This run's transaction on the PostGIS register table, or None without DATABASE.  PREVIOUS only seeds
        a table that does not exist yet or is empty (moving a GeoPackage register into PostGIS)."""
        from ..qgis_io.pgstore import RegisterTable

        database = (self.parameterAsString(parameters, self.DATABASE, context) or "").strip()
        if not database:
            return None
        pg = RegisterTable.open(database, self.parameterAsString(parameters, self.DB_TABLE, context), work_crs,
                                feedback)
        if have_previous:
            if pg.n_rows():
                raise QgsProcessingException(self.tr(
                    "PREVIOUS is given, but {table} already holds cases: the table is the previous register. Leave "
                    "PREVIOUS empty (it only seeds a new or empty table)").format(table=pg.qualified))
            feedback.pushInfo(self.tr("{table} is empty: PREVIOUS seeds it (ids and team entries carried over)").format(
                table=pg.qualified))
        return pg

    def write_database(self, pg, dest, parameters, spec, cols, geoms, context, feedback):
        """The merged register into the PostGIS table (one transaction, committed); the table's layer URI."""
        from qgis.core import QgsProcessingOutputLayerDefinition

        pg.write(spec, cols, geoms, progress=lambda f: feedback.setProgress(65 + 15 * f))
        uri = pg.layer_uri
        raw = parameters.get(self.OUTPUT)
        raw = raw.sink.staticValue() if isinstance(raw, QgsProcessingOutputLayerDefinition) else raw
        if raw not in (None, "", QgsProcessing.TEMPORARY_OUTPUT):
            feedback.pushWarning(self.tr("{name} not written: with DATABASE the register is the PostGIS table "
                                         "{table}").format(name=self.OUTPUT, table=pg.qualified))
        if dest is not None and dest.project is not None:
            from qgis.core import QgsProcessingContext

            from ..qgis_io import styles
            from ..qgis_io.pgstore import layer

            # the postgres layer itself, handed over by id (a postgres URI is not a file Processing could guess)
            lyr = layer(uri, dest.label or REGISTER_LAYER)
            context.temporaryLayerStore().addMapLayer(lyr)
            context.addLayerToLoadOnCompletion(lyr.id(), styles.attach(QgsProcessingContext.LayerDetails(
                dest.label, dest.project, self.OUTPUT), styles.REGISTER))
        return uri


__all__ = ["RegisterAlgorithm", "permit_kinds", "lonlat", "REGISTER_LAYER"]
