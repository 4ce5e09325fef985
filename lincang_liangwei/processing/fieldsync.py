"""liangwei:fieldsync — 回传合并 (merge returned field packages into the master register)."""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from qgis.core import (
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterVectorLayer,
)

from ..i18n import N_, tr
from .base import LiangweiAlgorithm

MAX_LISTED = 30
# FieldSyncError codes -> reason (translated at use)
REASONS = {
    "photo_parent": N_("photo path contains '..' (points outside the package)"),
    "photo_absolute": N_("photo path is absolute"),
    "photo_drive": N_("photo path has a drive letter"),
    "photo_url": N_("photo path is a URL"),
    "photo_symlink": N_("photo is a symbolic link"),
    "photo_outside": N_("photo lies outside the package"),
    "photo_not_file": N_("photo is not a regular file"),
    "photo_too_large": N_("photo too large"),
    "photo_bad_suffix": N_("photo file type not allowed"),
    "photo_control_char": N_("photo path has control characters"),
    "photo_too_long": N_("photo path too long"),
    "photo_not_text": N_("photo value is not text"),
    "unknown_cases": N_("the package's case ids do not match the master register"),
    "no_package": N_("not a field package (package tables missing)"),
    "several_packages": N_("several field packages in one folder"),
    "bad_package_id": N_("invalid package id"),
    "bad_format": N_("unsupported package format version"),
    "too_many_rows": N_("more rows than allowed"),
    "too_many_photos": N_("more photos than allowed"),
    "duplicate_case_id": N_("duplicate case id in the package"),
    "symlink": N_("a package file is a symbolic link"),
    "too_large": N_("file larger than allowed"),
    "bad_zip": N_("broken zip"),
    "zip_member_parent": N_("zip member path contains '..'"),
    "zip_member_absolute": N_("zip member path is absolute"),
    "zip_member_symlink": N_("zip holds a symbolic link"),
    "zip_too_large": N_("zip unpacks to too many bytes"),
    "zip_too_many": N_("zip holds too many files"),
    "zip_encrypted": N_("zip is encrypted"),
    "master_no_case_id": N_("the master register has no case_id field"),
    "master_duplicate_case_id": N_("duplicate case id in the master register"),
    "not_found": N_("file not found"),
}


def reason_text(exc) -> str:
    reason = tr(REASONS[exc.code]) if exc.code in REASONS else exc.code
    return f"{reason}: {exc.detail}" if exc.detail else reason


class FieldSyncAlgorithm(LiangweiAlgorithm):
    NAME = "fieldsync"
    DISPLAY = N_("Merge field packages back (QField)")
    GROUP_ID = "register"
    GROUP = N_("Register")
    ICON = "liangwei"
    TAGS = ("外业", "回传", "QField", "field", "sync", "merge", "台账", "register")

    REGISTER = "REGISTER"
    FIELD = "FIELD"
    CONFLICTS = "CONFLICTS"

    def flags(self):
        # no threading: the master layer open in QGIS is reloaded after the merge (main thread only)
        return super().flags() | QgsProcessingAlgorithm.FlagNoThreading

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS API
        self.addParameter(QgsProcessingParameterVectorLayer(
            self.REGISTER, self.tr("Master register (GeoPackage)"),
            [QgsProcessing.TypeVectorPolygon]))
        self.addParameter(QgsProcessingParameterMultipleLayers(
            self.FIELD, self.tr("Returned field packages (.gpkg, folder or .zip)"),
            QgsProcessing.TypeFile))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.CONFLICTS, self.tr("Conflicts CSV (optional)"), "CSV (*.csv)", optional=True,
            createByDefault=False))
        self.add_count_outputs((("CASES_UPDATED", N_("Cases updated")),
                                ("VALUES_UPDATED", N_("Values updated")),
                                ("CONFLICTS_FOUND", N_("Conflicts")), ("PHOTOS", N_("Photos copied")),
                                ("PACKAGES", N_("Packages merged")),
                                ("REJECTED", N_("Values rejected"))))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 - QGIS API
        from ..core.fieldsync import FieldSyncError
        from ..fieldstore import CONFLICTS_TABLE, merge_packages, read_package
        from ..qgis_io.writer import input_key

        t0 = time.perf_counter()
        layer = self.parameterAsVectorLayer(parameters, self.REGISTER, context)
        if layer is None or not layer.isValid():
            raise QgsProcessingException(self.invalidSourceError(parameters, self.REGISTER))
        key = input_key(layer)
        if not key or key[0] != "file" or not key[1].lower().endswith(".gpkg") or not key[2]:
            raise QgsProcessingException(
                self.tr("{layer} is not a GeoPackage layer: fieldsync merges into a GeoPackage register").format(
                    layer=layer.name()))
        if layer.isEditable() and layer.isModified():
            raise QgsProcessingException(self.tr("{layer} has unsaved edits: save or discard them first").format(
                layer=layer.name()))
        master = Path(key[1])
        table = self._table_name(master, key[2])
        items = self.parameterAsFileList(parameters, self.FIELD, context) or []
        if not items:
            raise QgsProcessingException(self.tr("no field package given (FIELD)"))
        conflicts_csv = self.parameterAsFileOutput(parameters, self.CONFLICTS, context) if parameters.get(
            self.CONFLICTS) else ""
        for item in items:
            if os.path.realpath(item) == os.path.realpath(master):
                raise QgsProcessingException(self.tr("the field package is the master register: {path}").format(path=item))

        work = Path(tempfile.mkdtemp(prefix="lw_fieldsync_"))
        try:
            packages = []
            for k, item in enumerate(items):
                try:
                    pkg = read_package(item, work / f"p{k}")
                except FieldSyncError as exc:
                    raise QgsProcessingException(
                        self.tr("package refused: {path}: {reason}. Nothing merged.").format(
                            path=item, reason=reason_text(exc))) from exc
                except OSError as exc:
                    raise QgsProcessingException(self.tr("cannot read package {path}: {error}").format(
                        path=item, error=exc)) from exc
                feedback.pushInfo(self.tr("package {id} made {created}: {n} cases").format(
                    id=pkg.package_id, created=pkg.meta.get("created"), n=len(pkg.team)))
                if pkg.meta.get("master_name") and pkg.meta.get("master_name") != master.name:
                    feedback.pushWarning(self.tr("the package was made from {made_from}, merging into {master}").format(
                        made_from=pkg.meta.get("master_name"), master=master.name))
                if pkg.new_features:
                    feedback.pushWarning(self.tr("{n} features without case_id (digitised on the tablet) were not "
                                                 "merged").format(n=pkg.new_features))
                for cid, fname, why in pkg.rejected[:MAX_LISTED]:
                    feedback.pushWarning(self.tr("rejected: {case} {field}: {why}").format(case=cid, field=fname, why=why))
                if len(pkg.rejected) > MAX_LISTED:
                    feedback.pushWarning(self.tr("… {n} more").format(n=len(pkg.rejected) - MAX_LISTED))
                packages.append(pkg)
                feedback.setProgress(40 * (k + 1) / len(items))
            listed = []

            def log(msg):
                if len(listed) < MAX_LISTED:
                    feedback.pushWarning(msg)
                listed.append(msg)

            try:
                report = merge_packages(master, table, packages, log=log, is_canceled=feedback.isCanceled)
            except FieldSyncError as exc:
                if exc.code == "canceled":
                    raise QgsProcessingException(self.tr("Canceled: the master register is unchanged")) from exc
                raise QgsProcessingException(self.tr("refused: {reason}. The master register is unchanged.").format(
                    reason=reason_text(exc))) from exc
            except Exception as exc:  # noqa: BLE001 - sqlite errors: one sentence, master rolled back
                raise QgsProcessingException(self.tr("merge failed, the master register is unchanged: {error}").format(
                    error=exc)) from exc
        finally:
            shutil.rmtree(work, ignore_errors=True)
        if len(listed) > MAX_LISTED:
            feedback.pushWarning(self.tr("… {n} more conflicts").format(n=len(listed) - MAX_LISTED))
        if report.added_columns:
            feedback.pushInfo(self.tr("fields added to the master: {fields}").format(
                fields=", ".join(report.added_columns)))
        for pid, source, n_cases, n_values, n_conf in report.packages:
            feedback.pushInfo(self.tr("{file} ({id}): {cases} cases, {values} values updated, {conflicts} "
                                      "conflicts").format(file=os.path.basename(str(source)), id=pid[:8], cases=n_cases,
                                                          values=n_values, conflicts=n_conf))
        if report.conflicts:
            feedback.pushWarning(
                self.tr("{n} conflicts: the master's value kept, the team's in table {table} (remarks appended after "
                        "the master's)").format(n=len(report.conflicts), table=CONFLICTS_TABLE))
        if conflicts_csv:
            self._write_conflicts_csv(conflicts_csv, report, feedback)
        self._reload(layer)
        feedback.pushInfo(self.tr("merged into {master} in {s} s; photos: {photos}").format(
            master=master, s=f"{time.perf_counter() - t0:.1f}", photos=master.parent / "photos"))
        out = {"CASES_UPDATED": len(report.updated_cases), "VALUES_UPDATED": report.values,
               "CONFLICTS_FOUND": len(report.conflicts), "PHOTOS": report.photos, "PACKAGES": len(report.packages),
               "REJECTED": sum(len(p.rejected) for p in packages)}
        if conflicts_csv:
            out[self.CONFLICTS] = conflicts_csv
        return out

    @staticmethod
    def _table_name(master: Path, name: str) -> str:
        """The register's table name as spelled in the file (the layer name from QGIS may differ in case)."""
        import sqlite3

        con = sqlite3.connect(f"file:{master}?mode=ro", uri=True)
        try:
            row = con.execute("SELECT table_name FROM gpkg_contents WHERE lower(table_name) = lower(?)",
                              (name,)).fetchone()
        except sqlite3.Error as exc:
            raise QgsProcessingException(tr("cannot read the master register {path}: {error}").format(
                path=master, error=exc)) from exc
        finally:
            con.close()
        if row is None:
            raise QgsProcessingException(tr("{file} has no layer {name}").format(file=master.name, name=name))
        return row[0]

    @staticmethod
    def _write_conflicts_csv(path, report, feedback):
        import pandas as pd

        from ..exports import write_csv

        rows = [{"package_id": pid, "case_id": c.case_id, "field": c.field, "master_value": c.master,
                 "team_value": c.team, "baseline_value": c.base} for pid, c in report.conflicts]
        df = pd.DataFrame(rows, columns=["package_id", "case_id", "field", "master_value", "team_value",
                                         "baseline_value"])
        write_csv(df, path)  # formula-like team text neutralised (untrusted)
        feedback.pushInfo(tr("conflicts CSV: {path}").format(path=path))

    @staticmethod
    def _reload(layer):
        try:
            layer.dataProvider().reloadData()
            layer.updateFields()
            layer.triggerRepaint()
        except Exception:  # noqa: BLE001 - a stale view is no failure of the merge  # pragma: no cover
            pass
