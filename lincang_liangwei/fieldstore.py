"""Field packages on disk: package tables, reading a returned package, merging it into the master register.

No QGIS import (``sqlite3``, ``zipfile``, the rules of :mod:`.core.fieldsync`), so it is unit-tested without
QGIS.  Every SQL statement takes values as parameters; identifiers (table and column names) are the
plugin's own or the master's layer name, always quoted with :func:`quote_ident`.

Package tables (written by ``liangwei:fieldpackage`` into the package GeoPackage, not registered in
``gpkg_contents``, so QGIS / QField do not list them as layers):

* ``liangwei_package(key, value)``: ``package_id`` (32 hex digits), ``created`` (UTC ISO time),
  ``format_version``, ``master_name`` (file name of the master), ``master_layer``, ``case_count``, ``filter``.
* ``liangwei_baseline(case_id, status, check_result, remarks, photo, visit_date)``: the master's values of the
  editable fields when the package was made (conflict detection, see :mod:`.core.fieldsync`).

Master tables (created by ``liangwei:fieldsync`` in the master GeoPackage, in the same transaction as the
update): ``fieldsync_conflicts`` and ``fieldsync_log`` (attribute tables registered in ``gpkg_contents``, so
an analyst opens them in QGIS), ``fieldsync_taken`` (per package, case and field the value last merged; it is
the baseline when the same package is merged again, so a re-merge changes nothing and an incremental return
is not mistaken for a conflict).

Why one SQLite transaction on the master instead of a temporary copy published over it: the master may hold
10^6 cases (copying it for a handful of edits costs minutes), QGIS may have it open (``os.replace`` under an
open layer leaves QGIS reading a deleted file, and edits made meanwhile in the copy's original would be lost);
SQLite's rollback journal makes ``BEGIN IMMEDIATE`` .. ``COMMIT`` all-or-nothing even on a crash or power
loss, and other readers see the register before or after, never between.  Photos are copied before the
commit under content-hash names (a rolled-back run leaves only unreferenced copies, never a broken path).
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import os
import re
import shutil
import sqlite3
import stat
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .core.fieldsync import (
    BASELINE_TABLE,
    EDIT_FIELDS,
    FORMAT_VERSION,
    MAX_PACKAGE_BYTES,
    MAX_PHOTOS,
    MAX_ROWS,
    MAX_ZIP_MEMBERS,
    META_TABLE,
    PACKAGE_LAYER,
    FieldSyncError,
    check_relative_path,
    normalise_value,
    plan_merge,
    remark_with_conflict,
    resolve_photo,
    safe_file_name,
    same,
    split_photo_value,
)
from .i18n import tr

CONFLICTS_TABLE = "fieldsync_conflicts"
LOG_TABLE = "fieldsync_log"
TAKEN_TABLE = "fieldsync_taken"
PHOTOS_FOLDER = "photos"
_PKG_ID = re.compile(r"^[0-9a-f]{32}$")
_BUSY_TIMEOUT_S = 30


def quote_ident(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _gpkg_envelope(blob):
    """(minx, maxx, miny, maxy, empty) from a GeoPackage geometry blob header; None when unreadable."""
    import struct

    if not isinstance(blob, (bytes, bytearray)) or len(blob) < 8 or blob[:2] != b"GP":
        return None
    flags = blob[3]
    empty = bool(flags & 0x10)
    env = (flags >> 1) & 0x07
    order = "<" if flags & 0x01 else ">"
    if env == 0 or len(blob) < 40:
        return (None, None, None, None, empty)
    minx, maxx, miny, maxy = struct.unpack(order + "4d", bytes(blob[8:40]))
    return (minx, maxx, miny, maxy, empty)


def register_gpkg_functions(con: sqlite3.Connection) -> None:
    """The SpatiaLite-style functions GDAL's GeoPackage R-tree triggers call (``ST_IsEmpty``, ``ST_MinX`` ...).

    GDAL (>= 3.?) declares ``rtree_<t>_<g>_update3/4`` as ``AFTER UPDATE ON <t>`` (any column), and SQLite
    resolves every function of a trigger when the UPDATE is prepared: without these, a plain ``sqlite3`` UPDATE
    of an attribute fails with "no such function: ST_IsEmpty".  Read from the blob header (as GDAL does)."""
    def part(i):
        def f(blob):
            e = _gpkg_envelope(blob)
            return None if e is None else e[i]
        return f

    def is_empty(blob):
        e = _gpkg_envelope(blob)
        return None if e is None else int(e[4])

    for i, name in enumerate(("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY")):
        con.create_function(name, 1, part(i), deterministic=True)
    con.create_function("ST_IsEmpty", 1, is_empty, deterministic=True)


def _now_iso() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


# --------------------------------------------------------------------------- writing a package
def new_package_id() -> str:
    return uuid.uuid4().hex


def write_package_tables(gpkg, meta: dict, baseline: list) -> None:
    """Add the metadata and baseline tables to a package GeoPackage (``baseline``: tuples of
    ``(case_id, *EDIT_FIELDS values)``), in one transaction."""
    con = sqlite3.connect(str(gpkg), isolation_level=None)
    try:
        con.execute("BEGIN")
        con.execute(f"CREATE TABLE {quote_ident(META_TABLE)} (key TEXT PRIMARY KEY, value TEXT)")
        con.executemany(f"INSERT INTO {quote_ident(META_TABLE)}(key, value) VALUES (?, ?)",
                        [(str(k), None if v is None else str(v)) for k, v in meta.items()])
        cols = ", ".join(f"{quote_ident(f)} TEXT" for f in EDIT_FIELDS)
        con.execute(f"CREATE TABLE {quote_ident(BASELINE_TABLE)} (case_id TEXT PRIMARY KEY, {cols})")
        marks = ", ".join("?" * (1 + len(EDIT_FIELDS)))
        con.executemany(f"INSERT INTO {quote_ident(BASELINE_TABLE)} VALUES ({marks})",
                        [tuple(None if v is None else str(v) for v in row) for row in baseline])
        con.execute("COMMIT")
        con.execute("PRAGMA journal_mode=DELETE")
    finally:
        con.close()


# --------------------------------------------------------------------------- reading a returned package
@dataclass
class Package:
    source: str  # what the user gave (file / folder / zip), for messages
    gpkg: Path  # the package GeoPackage as found (inside the unpacked zip for a zip)
    root: Path  # folder photo paths are relative to (the project folder)
    meta: dict
    baseline: dict  # {case_id: {field: value}}
    team: dict  # {case_id: {field: normalised value}}
    rejected: list = field(default_factory=list)  # (case_id, field, reason)
    new_features: int = 0  # rows without case_id (digitised on the tablet): not merged
    photos: dict = field(default_factory=dict)  # {(case_id, relative path): Path} checked photo files

    @property
    def package_id(self) -> str:
        return self.meta["package_id"]


def _lstat_regular(path: Path, what: str, limit: int = MAX_PACKAGE_BYTES) -> os.stat_result:
    try:
        st = os.lstat(path)
    except OSError as exc:
        raise FieldSyncError("not_found", f"{what}: {path}") from exc
    if stat.S_ISLNK(st.st_mode):
        raise FieldSyncError("symlink", f"{what} is a symbolic link: {path}")
    if not stat.S_ISREG(st.st_mode):
        raise FieldSyncError("not_file", f"{what}: {path}")
    if st.st_size > limit:
        raise FieldSyncError("too_large", f"{what}: {st.st_size} bytes > {limit}")
    return st


def unpack_zip(zip_path: Path, dest: Path) -> Path:
    """Extract a returned package zip into ``dest`` safely: member names checked like photo paths (no
    ``..``, absolute, drive, URL), no symbolic-link or encrypted members, at most MAX_ZIP_MEMBERS members and
    MAX_PACKAGE_BYTES bytes actually written (declared sizes are not trusted)."""
    _lstat_regular(zip_path, "zip")
    try:
        zf = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise FieldSyncError("bad_zip", f"{zip_path.name}: {exc}") from exc
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            raise FieldSyncError("zip_too_many", f"{len(infos)} members > {MAX_ZIP_MEMBERS}")
        for info in infos:
            reason = check_relative_path(info.filename.rstrip("/") or ".", suffixes=None)
            if reason:
                raise FieldSyncError(f"zip_member_{reason}", repr(info.filename))
            if stat.S_ISLNK(info.external_attr >> 16):
                raise FieldSyncError("zip_member_symlink", repr(info.filename))
            if info.flag_bits & 0x1:
                raise FieldSyncError("zip_encrypted", repr(info.filename))
        written = 0
        dest.mkdir(parents=True, exist_ok=True)
        for info in infos:
            parts = [p for p in info.filename.replace("\\", "/").split("/") if p not in ("", ".")]
            target = dest.joinpath(*parts)
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "xb") as out:
                while True:
                    chunk = src.read(1 << 20)
                    if not chunk:
                        break
                    written += len(chunk)
                    if written > MAX_PACKAGE_BYTES:
                        raise FieldSyncError("zip_too_large", f"more than {MAX_PACKAGE_BYTES} bytes unpacked")
                    out.write(chunk)
    return dest


def _has_meta(path: Path) -> bool:
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        return con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                           (META_TABLE,)).fetchone() is not None
    except sqlite3.Error:
        return False
    finally:
        con.close()


def find_package_gpkg(folder: Path) -> Path:
    """The package GeoPackage in a package folder (or one folder below, as zips often hold)."""
    candidates = []
    for d in [folder] + sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink()):
        for p in sorted(d.glob("*.gpkg")):
            if not p.is_symlink() and p.is_file() and _has_meta(p):
                candidates.append(p)
        if candidates:
            break
    if not candidates:
        raise FieldSyncError("no_package", f"no field-package GeoPackage (table {META_TABLE}) in {folder}")
    if len(candidates) > 1:
        raise FieldSyncError("several_packages", ", ".join(p.name for p in candidates))
    return candidates[0]


def locate_package(item, workdir: Path) -> tuple:
    """(package GeoPackage, photo root) of a returned item: a ``.gpkg``, a package folder or a ``.zip``
    (unpacked under ``workdir``)."""
    item = Path(item)
    if os.path.islink(item):
        raise FieldSyncError("symlink", f"the package itself is a symbolic link: {item}")
    if item.is_dir():
        gpkg = find_package_gpkg(item)
    elif item.suffix.lower() == ".zip":
        gpkg = find_package_gpkg(unpack_zip(item, workdir / "unzipped"))
    else:
        _lstat_regular(item, "GeoPackage")
        if not _has_meta(item):
            raise FieldSyncError("no_package", f"{item.name} is not a field package (no table {META_TABLE})")
        gpkg = item
    return gpkg, gpkg.parent


def _copy_for_reading(gpkg: Path, workdir: Path) -> Path:
    """Copy the package GeoPackage and its -wal / -shm (QGIS and QField edit GeoPackages in WAL mode: the
    team's last edits may be only in the -wal file) to ``workdir``; never opened in place (the package
    stays as returned and a read-only open could miss the WAL)."""
    _lstat_regular(gpkg, "GeoPackage")
    workdir.mkdir(parents=True, exist_ok=True)
    dst = workdir / "package.gpkg"
    shutil.copyfile(gpkg, dst)
    for suffix in ("-wal", "-shm"):
        side = Path(str(gpkg) + suffix)
        if os.path.lexists(side):
            _lstat_regular(side, "GeoPackage " + suffix)
            shutil.copyfile(side, str(dst) + suffix)
    return dst


def _tables(con) -> set:
    return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _columns(con, table: str) -> list:
    return [r[1] for r in con.execute(f"PRAGMA table_info({quote_ident(table)})")]


def read_package(item, workdir, *, today: _dt.date | None = None) -> Package:
    """Read and check a returned package (see the module doc of :mod:`.core.fieldsync` for the limits).
    Raises FieldSyncError when the package must be refused; values that cannot be accepted one by one
    (a status outside the value map, an over-long remark, a missing photo file) are listed in ``rejected``."""
    workdir = Path(workdir)
    gpkg, root = locate_package(item, workdir)
    copy = _copy_for_reading(gpkg, workdir / "read")
    con = sqlite3.connect(str(copy), isolation_level=None)
    try:
        try:
            con.execute("PRAGMA trusted_schema = OFF")  # no functions from the package's views / triggers
        except sqlite3.Error:  # pragma: no cover - SQLite < 3.31
            pass
        try:
            tables = _tables(con)
        except sqlite3.DatabaseError as exc:
            raise FieldSyncError("bad_gpkg", f"{gpkg.name}: {exc}") from exc
        for t in (META_TABLE, BASELINE_TABLE, PACKAGE_LAYER):
            if t not in tables:
                raise FieldSyncError("no_package", f"{gpkg.name}: table {t} missing")
        meta = {str(k): v for k, v in con.execute(f"SELECT key, value FROM {quote_ident(META_TABLE)}")}
        pid = meta.get("package_id")
        if not isinstance(pid, str) or not _PKG_ID.match(pid):
            raise FieldSyncError("bad_package_id", repr(pid)[:80])
        if meta.get("format_version") != FORMAT_VERSION:
            raise FieldSyncError("bad_format", f"format_version {meta.get('format_version')!r}")
        cols = _columns(con, PACKAGE_LAYER)
        if "case_id" not in cols:
            raise FieldSyncError("no_case_id", f"{gpkg.name}: layer {PACKAGE_LAYER} has no case_id")
        n = con.execute(f"SELECT count(*) FROM {quote_ident(PACKAGE_LAYER)}").fetchone()[0]
        if n > MAX_ROWS:
            raise FieldSyncError("too_many_rows", f"{n} > {MAX_ROWS}")
        nb = con.execute(f"SELECT count(*) FROM {quote_ident(BASELINE_TABLE)}").fetchone()[0]
        if nb > MAX_ROWS:
            raise FieldSyncError("too_many_rows", f"baseline {nb} > {MAX_ROWS}")
        bcols = ", ".join(quote_ident(f) for f in EDIT_FIELDS)
        baseline = {}
        for row in con.execute(f"SELECT case_id, {bcols} FROM {quote_ident(BASELINE_TABLE)}"):
            if not isinstance(row[0], str):
                raise FieldSyncError("bad_baseline", repr(row[0])[:80])
            baseline[row[0]] = dict(zip(EDIT_FIELDS, row[1:]))
        fields = [f for f in EDIT_FIELDS if f in cols]
        sel = ", ".join(quote_ident(f) for f in fields)
        team, rejected, new_features, seen = {}, [], 0, set()
        for row in con.execute(f"SELECT case_id{', ' if sel else ''}{sel} FROM {quote_ident(PACKAGE_LAYER)}"):
            cid = row[0]
            if cid is None or cid == "":
                new_features += 1
                continue
            if not isinstance(cid, str):
                raise FieldSyncError("bad_case_id", repr(cid)[:80])
            if cid in seen:
                raise FieldSyncError("duplicate_case_id", cid[:80])
            seen.add(cid)
            values = {}
            for f, v in zip(fields, row[1:]):
                try:
                    values[f] = normalise_value(f, v, today)
                except ValueError as exc:
                    rejected.append((cid, f, str(exc)))
            team[cid] = values
    finally:
        con.close()
    pkg = Package(str(item), gpkg, root, meta, baseline, team, rejected, new_features)
    _check_photos(pkg)
    return pkg


def _check_photos(pkg: Package) -> None:
    """Every photo path the team set (differing from the baseline) must be safe: refused otherwise.
    A safe path whose file is missing is rejected alone (the value is not merged)."""
    count = 0
    for cid, values in pkg.team.items():
        if "photo" not in values or same(values["photo"], pkg.baseline.get(cid, {}).get("photo")):
            continue
        paths = split_photo_value(values["photo"])
        found = {}
        for p in paths:
            count += 1
            if count > MAX_PHOTOS:
                raise FieldSyncError("too_many_photos", f"more than {MAX_PHOTOS}")
            try:
                found[p] = resolve_photo(pkg.root, p)
            except FieldSyncError as exc:
                if exc.code in ("photo_missing",):
                    pkg.rejected.append((cid, "photo", f"file missing: {p[:120]}"))
                    found = None
                    break
                raise FieldSyncError(exc.code, f"case {cid[:40]}: {exc.detail}") from exc
        if found is None:
            del values["photo"]
            continue
        for p, path in found.items():
            pkg.photos[(cid, p)] = path


# --------------------------------------------------------------------------- merging into the master
@dataclass
class MergeReport:
    packages: list = field(default_factory=list)  # (package id, source, cases updated, values, conflicts)
    updated_cases: set = field(default_factory=set)
    values: int = 0
    conflicts: list = field(default_factory=list)  # (package id, Conflict)
    photos: int = 0
    added_columns: list = field(default_factory=list)


def _sqlite_type(kind: str) -> str:
    return {"date": "DATE", "string": "TEXT"}[kind]


def _ensure_master_tables(con, layer: str, report: MergeReport) -> None:
    cols = _columns(con, layer)
    for name, kind in (("photo", "string"), ("visit_date", "date")):
        if name not in cols:
            con.execute(f"ALTER TABLE {quote_ident(layer)} ADD COLUMN {quote_ident(name)} {_sqlite_type(kind)}")
            report.added_columns.append(name)
    tables = _tables(con)
    now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    specs = {
        CONFLICTS_TABLE: ("fid INTEGER PRIMARY KEY AUTOINCREMENT, case_id TEXT NOT NULL, field TEXT NOT NULL, "
                          "master_value TEXT, team_value TEXT, baseline_value TEXT, package_id TEXT NOT NULL, "
                          "synced_at TEXT, UNIQUE(package_id, case_id, field, team_value)",
                          "外业回传冲突 / field-sync conflicts: master and team values"),
        LOG_TABLE: ("fid INTEGER PRIMARY KEY AUTOINCREMENT, package_id TEXT NOT NULL, package_created TEXT, "
                    "source TEXT, synced_at TEXT, cases_updated INTEGER, values_updated INTEGER, "
                    "conflicts INTEGER, photos INTEGER, rejected INTEGER",
                    "外业回传记录 / field-sync log"),
    }
    has_contents = "gpkg_contents" in tables
    for table, (cols_sql, description) in specs.items():
        if table not in tables:
            con.execute(f"CREATE TABLE {quote_ident(table)} ({cols_sql})")
            if has_contents:
                con.execute("INSERT INTO gpkg_contents(table_name, data_type, identifier, description, last_change) "
                            "VALUES (?, 'attributes', ?, ?, ?)", (table, table, description, now))
    if TAKEN_TABLE not in tables:
        con.execute(f"CREATE TABLE {quote_ident(TAKEN_TABLE)} (package_id TEXT NOT NULL, case_id TEXT NOT NULL, "
                    "field TEXT NOT NULL, value TEXT, PRIMARY KEY (package_id, case_id, field))")


def _master_values(con, layer: str) -> dict:
    cols = _columns(con, layer)
    if "case_id" not in cols:
        raise FieldSyncError("master_no_case_id", f"layer {layer} has no case_id column")
    # a missing column as NULL (SQLite would read a double-quoted unknown name as a string literal)
    sel = ", ".join(quote_ident(f) if f in cols else "NULL" for f in EDIT_FIELDS)
    out = {}
    for row in con.execute(f"SELECT case_id, {sel} FROM {quote_ident(layer)}"):
        if row[0] is None:
            continue
        if row[0] in out:
            raise FieldSyncError("master_duplicate_case_id", str(row[0])[:80])
        out[row[0]] = dict(zip(EDIT_FIELDS, row[1:]))
    return out


def _copy_photo(src: Path, master_dir: Path, case_id: str) -> str:
    """Copy one photo next to the master as ``photos/<case_id>/<hash>_<name>`` (atomically; an identical copy
    is reused); returns that relative path (``/`` separated)."""
    h = hashlib.sha256()
    with open(src, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    name = f"{h.hexdigest()[:12]}_{safe_file_name(src.name)}"
    folder = master_dir / PHOTOS_FOLDER / safe_file_name(case_id, "case")
    folder.mkdir(parents=True, exist_ok=True)
    dst = folder / name
    if not dst.exists():
        tmp = folder / f".{name}.{os.getpid()}.lwtmp"
        try:
            shutil.copyfile(src, tmp)
            os.replace(tmp, dst)
        finally:
            if tmp.exists():
                tmp.unlink()
    return f"{PHOTOS_FOLDER}/{safe_file_name(case_id, 'case')}/{name}"


def merge_packages(master_gpkg, layer: str, packages: list, *, log=None, is_canceled=None) -> MergeReport:
    """Merge the returned packages (``read_package`` results, in order) into layer ``layer`` of the master
    GeoPackage in one SQLite transaction; see the module docs.  A package whose case ids are not all in the
    master is refused (FieldSyncError ``unknown_cases``) and nothing is written."""
    master_gpkg = Path(master_gpkg)
    master_dir = master_gpkg.parent
    log = log or (lambda _msg: None)
    report = MergeReport()
    con = sqlite3.connect(str(master_gpkg), isolation_level=None, timeout=_BUSY_TIMEOUT_S)
    try:
        register_gpkg_functions(con)
        con.execute("BEGIN IMMEDIATE")
        try:
            if layer not in _tables(con):
                raise FieldSyncError("master_no_layer", f"{master_gpkg.name} has no table {layer}")
            master = _master_values(con, layer)
            for pkg in packages:  # refuse before anything changes
                unknown = sorted(c for c in pkg.team if c not in master)
                if unknown:
                    raise FieldSyncError("unknown_cases", f"{pkg.source}: {len(unknown)} case(s) not in the master "
                                                          f"register, e.g. {', '.join(u[:40] for u in unknown[:5])}")
            _ensure_master_tables(con, layer, report)
            synced = _now_iso()
            for pkg in packages:
                if is_canceled and is_canceled():
                    raise FieldSyncError("canceled")
                _merge_one(con, layer, pkg, master, master_dir, synced, report, log)
            if "gpkg_contents" in _tables(con):
                con.execute("UPDATE gpkg_contents SET last_change = ? WHERE table_name = ?",
                            (_dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z"), layer))
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        con.close()
    return report


def _merge_one(con, layer, pkg: Package, master: dict, master_dir: Path, synced: str, report: MergeReport, log):
    pid = pkg.package_id
    taken = {(c, f): v for c, f, v in con.execute(
        f"SELECT case_id, field, value FROM {quote_ident(TAKEN_TABLE)} WHERE package_id = ?", (pid,))}
    plan = plan_merge(pkg.team, pkg.baseline, master, taken)
    photo_values = {}

    def master_photo_value(cid, value):
        if (cid, "photo") not in photo_values:
            paths = [_copy_photo(pkg.photos[(cid, p)], master_dir, cid) for p in split_photo_value(value)]
            report.photos += len(paths)
            photo_values[(cid, "photo")] = ";".join(paths) or None
        return photo_values[(cid, "photo")]

    n_values = 0
    for cid, f, value in plan.updates:
        stored = master_photo_value(cid, value) if f == "photo" else value
        con.execute(f"UPDATE {quote_ident(layer)} SET {quote_ident(f)} = ? WHERE case_id = ?", (stored, cid))
        master[cid][f] = stored
        n_values += 1
    n_conf = 0
    for c in plan.conflicts:
        team_value = master_photo_value(c.case_id, c.team) if c.field == "photo" else c.team
        cur = con.execute(
            f"INSERT OR IGNORE INTO {quote_ident(CONFLICTS_TABLE)}(case_id, field, master_value, team_value, "
            "baseline_value, package_id, synced_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (c.case_id, c.field, _text(c.master), _text(team_value), _text(c.base), pid, synced))
        if c.field == "remarks":
            appended = remark_with_conflict("", c.team, pid)
            if appended not in (c.master or ""):
                new = remark_with_conflict(c.master, c.team, pid)
                con.execute(f"UPDATE {quote_ident(layer)} SET remarks = ? WHERE case_id = ?", (new, c.case_id))
                master[c.case_id]["remarks"] = new
        if cur.rowcount:
            n_conf += 1
            report.conflicts.append((pid, c))
            log(tr("conflict: {case} {field}: master={master} / team={team} (baseline={base})").format(
                case=c.case_id, field=c.field, master=_short(c.master), team=_short(c.team), base=_short(c.base)))
    # what this package's values now are in the master (its baseline next time it is merged)
    # (the team's own value: for a photo the package path, which is what the package holds next time)
    con.executemany(f"INSERT OR REPLACE INTO {quote_ident(TAKEN_TABLE)}(package_id, case_id, field, value) "
                    "VALUES (?, ?, ?, ?)", [(pid, cid, f, _text(value)) for cid, f, value in plan.taken])
    con.execute(f"INSERT INTO {quote_ident(LOG_TABLE)}(package_id, package_created, source, synced_at, "
                "cases_updated, values_updated, conflicts, photos, rejected) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (pid, pkg.meta.get("created"), os.path.basename(str(pkg.source))[:200], synced, len(plan.cases),
                 n_values, n_conf, len(photo_values), len(pkg.rejected)))
    report.packages.append((pid, pkg.source, len(plan.cases), n_values, n_conf))
    report.updated_cases |= plan.cases
    report.values += n_values


def _text(v):
    return None if v is None else str(v)


def _short(v, n: int = 60) -> str:
    if v is None:
        return "∅"
    s = str(v).replace("\n", " ")
    return s if len(s) <= n else s[:n] + "…"
