"""The register as a shared table in PostgreSQL + PostGIS (liangwei:register / fullcheck ``DATABASE``).

One run = one transaction (:class:`RegisterTable`):

1. connect (psycopg2; the connection from a QGIS connection name, a QGIS / libpq ``key=value`` URI or a
   ``service=`` entry of ``pg_service.conf``; ``authcfg=`` resolved by QGIS's authentication manager);
2. ``pg_advisory_xact_lock`` on the table's name: runs on one table take turns (a second run waits, up to
   :data:`LOCK_TIMEOUT_S`, then fails with a message having changed nothing), creating the table included;
   ``LOCK TABLE … IN SHARE UPDATE EXCLUSIVE MODE`` keeps schema changes away, while field teams' ``UPDATE``s
   (ROW EXCLUSIVE) go on;
3. read the whole table (plain ``SELECT``: no row lock, a team editing is never blocked by the read) — the
   ``PREVIOUS`` register of :func:`core.register.merge_previous`;
4. the algorithm merges (same no-lost-work rules as for a GeoPackage) and hands the merged cases back;
5. the rows go through a temporary staging table: ``INSERT`` the new cases, ``UPDATE`` only the run's computed
   columns and the geometry of kept cases whose values changed (``IS DISTINCT FROM``), ``UPDATE … SET gone`` of
   cases no longer found.  Team columns (status, check_result, remarks), ``case_id`` / ``first_seen`` and every
   column a team added are never in a run's ``UPDATE``: a team's edit committed while a run merges survives, and
   one made on a row the run has just updated waits for the commit and then applies;
6. ``COMMIT``.  Anything failing before (an error, Cancel, a killed process: the server rolls back when the
   connection drops) leaves the table exactly as it was.

The table is created on the first run: a column per register column with its type, ``case_id`` primary key,
``geom geometry(MultiPolygon, <SRID of the working CRS>)`` with a GiST index, Chinese column comments
(``exports.COLUMN_HEADERS``; QGIS shows them as the fields' comments).  QGIS opens it as an ordinary PostGIS
layer (:attr:`RegisterTable.layer_uri`).

Credentials: only from QGIS's authentication manager (``authcfg``), a stored QGIS connection or a
``pg_service.conf`` / ``.pgpass`` file.  A password typed into ``DATABASE`` is refused (Processing keeps
parameter values in its history and log).  No message built here shows a password (:func:`mask`), the layer URI
handed back holds none, and nothing of the connection is written into the table.

All SQL is parameterised (psycopg2 binds every value); identifiers are quoted by ``psycopg2.sql.Identifier``.
"""
from __future__ import annotations

import contextvars
import datetime as _dt
import functools
import re
import zlib
from dataclasses import dataclass, field

from qgis.core import QgsProcessingException

from ..i18n import tr

DEFAULT_TABLE = "public.liangwei_register"
GEOM = "geom"
KEY = "case_id"
APP_NAME = "lincang_liangwei"
LOCK_TIMEOUT_S = 600          # a run waits this long for another run on the same table, then gives up cleanly
_ADVISORY_NS = 0x4C57         # 'LW': first key of the advisory lock, the second is a hash of the table name
#: columns never written by a run's UPDATE of an existing case (set once, or the field teams')
NOT_RECOMPUTED = ("case_id", "first_seen", "status", "check_result", "remarks")
BOOL_COLUMNS = ("gone", "in_compound")
DATE_COLUMNS = ("first_seen", "last_run")
_PG_KIND = {"double": "double precision", "int": "integer", "int64": "bigint", "string": "text"}

_open: contextvars.ContextVar = contextvars.ContextVar("liangwei_pg_open", default=None)


# ---------------------------------------------------------------------------------------------- text helpers
_PW_KV = re.compile(r"(?i)\b(password|passwd|pwd)(\s*=\s*)('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[^\s]*)")
_PW_URL = re.compile(r"(?i)(postgres(?:ql)?://[^:/@\s]*:)([^@\s]*)@")


def mask(text, secrets=()) -> str:
    """``text`` with every ``password=…`` value, URL password and each of ``secrets`` replaced by ``***``."""
    s = str(text)
    for secret in secrets:
        if secret:
            s = s.replace(secret, "***")
    s = _PW_KV.sub(lambda m: m.group(1) + m.group(2) + "***", s)
    return _PW_URL.sub(lambda m: m.group(1) + "***@", s)


def split_table(text: str) -> tuple[str, str]:
    """``schema.table`` (each part optionally "double-quoted", ``""`` for a quote inside) -> (schema, table);
    a bare name is in ``public``."""
    s = (text or "").strip() or DEFAULT_TABLE
    parts, cur, i, quoted = [], "", 0, False
    while i < len(s):
        ch = s[i]
        if quoted:
            if ch == '"':
                if i + 1 < len(s) and s[i + 1] == '"':
                    cur += '"'
                    i += 1
                else:
                    quoted = False
            else:
                cur += ch
        elif ch == '"':
            quoted = True
        elif ch == ".":
            parts.append(cur)
            cur = ""
        else:
            cur += ch
        i += 1
    parts.append(cur)
    if quoted or len(parts) > 2 or any(not p or "\x00" in p or len(p.encode("utf-8")) > 63 for p in parts):
        raise QgsProcessingException(tr("DB_TABLE '{text}' is not a table name: write schema.table, e.g. "
                                        "public.liangwei_register").format(text=mask(text)))
    return (parts[0], parts[1]) if len(parts) == 2 else ("public", parts[0])


def quote_ident(name: str) -> str:
    """A PostgreSQL identifier in double quotes (for text shown to a user or put in a QGIS URI)."""
    if "\x00" in name:
        raise ValueError("NUL in an identifier")
    return '"' + name.replace('"', '""') + '"'


def _psycopg2():
    try:
        import psycopg2
        import psycopg2.extras  # noqa: F401
        import psycopg2.sql  # noqa: F401
    except ImportError as exc:
        raise QgsProcessingException(tr(
            "The PostGIS register needs the Python package psycopg2, which this QGIS lacks. Debian / Ubuntu: "
            "apt-get install python3-psycopg2; Windows (OSGeo4W): it ships with QGIS, reinstall QGIS with the "
            "OSGeo4W installer; macOS: pip install psycopg2-binary in QGIS's Python")) from exc
    return psycopg2


# ---------------------------------------------------------------------------------------------- where to connect
@dataclass
class Target:
    conninfo: str = field(repr=False)     # for libpq, may hold a password: never shown
    display: str = ""                     # what the log says: service / host / port / database / user, no password
    uri: object = None                    # QgsDataSourceUri without password (the layer URI is made from it)
    secrets: tuple = field(default=(), repr=False)


def resolve(database: str) -> Target:
    """Where ``DATABASE`` points: a QGIS PostgreSQL connection name, a QGIS / libpq ``key=value`` URI
    (``service=…``, ``dbname=… host=… authcfg=…``) or a ``postgresql://`` URL.  A password written in
    ``DATABASE`` itself is refused; ``authcfg`` is resolved through QGIS's authentication manager."""
    from qgis.core import QgsDataSourceUri, QgsProviderRegistry

    text = (database or "").strip()
    if not text:
        raise QgsProcessingException(tr("DATABASE is empty"))
    uri = None
    try:
        md = QgsProviderRegistry.instance().providerMetadata("postgres")
        conns = md.connections(False) if md is not None else {}
    except Exception:  # noqa: BLE001 - no postgres provider / settings: only URIs
        conns = {}
    if text in conns:
        uri = QgsDataSourceUri(conns[text].uri())
        # a password QGIS keeps with the connection (the user's choice) is used, never shown nor in the layer URI
        name = text
    elif re.match(r"(?i)^postgres(ql)?://", text):
        psycopg2 = _psycopg2()
        try:
            parts = psycopg2.extensions.parse_dsn(text)
        except psycopg2.ProgrammingError as exc:
            raise QgsProcessingException(tr("DATABASE is not a PostgreSQL URI: {error}").format(
                error=mask(exc, ()))) from exc
        if parts.get("password"):
            raise _password_in_parameter()
        uri = QgsDataSourceUri()
        if parts.get("service"):
            uri.setConnection(parts["service"], parts.get("dbname", ""), parts.get("user", ""), "")
        else:
            uri.setConnection(parts.get("host", ""), parts.get("port", ""), parts.get("dbname", ""),
                              parts.get("user", ""), "")
        name = ""
    elif "=" in text:
        uri = QgsDataSourceUri(text)
        if uri.password() or _PW_KV.search(text):
            raise _password_in_parameter()
        name = ""
    else:
        raise QgsProcessingException(tr(
            "DATABASE '{name}' is neither a PostgreSQL connection of this QGIS nor a connection URI (service=… or "
            "dbname=… host=… authcfg=…). Connections: {names}").format(
                name=text, names=", ".join(sorted(conns)) or "—"))
    auth = uri.authConfigId()
    info = uri.connectionInfo(True)       # authcfg -> user / password through QGIS's authentication manager
    if auth and "password=" not in info and "user=" not in info:
        raise QgsProcessingException(tr(
            "The authentication configuration '{auth}' could not be read: no such configuration, or QGIS's "
            "authentication database is locked (set its master password). Nothing was changed").format(auth=auth))
    expanded = QgsDataSourceUri(info)
    secrets = tuple(s for s in (expanded.password(), uri.password()) if s)
    shown = QgsDataSourceUri(uri.uri(False))
    shown.setPassword("")
    bits = [f"service={shown.service()}" if shown.service() else "",
            f"host={shown.host()}" if shown.host() else "", f"port={shown.port()}" if shown.port() else "",
            f"dbname={shown.database()}" if shown.database() else "",
            f"user={shown.username() or expanded.username()}" if shown.username() or expanded.username() else "",
            f"authcfg={auth}" if auth else ""]
    display = " ".join(b for b in bits if b)
    if name:
        display = f"{name} ({display})"
    return Target(conninfo=info, display=mask(display, secrets), uri=shown, secrets=secrets)


def _password_in_parameter() -> QgsProcessingException:
    return QgsProcessingException(tr(
        "DATABASE holds a password: QGIS would keep it in the Processing history and log. Store it in QGIS's "
        "authentication manager (authcfg=…), in a QGIS PostgreSQL connection or in pg_service.conf / .pgpass "
        "and give that instead. Nothing was changed"))


# ---------------------------------------------------------------------------------------------- one run
def advisory_key(schema: str, table: str) -> tuple[int, int]:
    """The two-int advisory lock every run on ``schema.table`` takes (the same in every process)."""
    return _ADVISORY_NS, zlib.crc32(f"{schema}.{table}".encode()) - (1 << 31)


def closes_transactions(func):
    """Decorator for ``processAlgorithm``: every :class:`RegisterTable` opened during the call is rolled back
    (unless committed) and closed when the call ends, however it ends."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        opened = []
        token = _open.set(opened)
        try:
            return func(*args, **kwargs)
        finally:
            _open.reset(token)
            for t in reversed(opened):
                t.close()

    return wrapper


def _value(v):
    """A database value as the register's plain Python value (dates as ISO text)."""
    import decimal

    if isinstance(v, _dt.datetime):
        return v.isoformat(timespec="seconds")
    if isinstance(v, _dt.date):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return float(v)
    if isinstance(v, memoryview):
        return bytes(v)
    return v


def _kind_of(pg_type: str) -> str:
    t = pg_type.lower()
    if t in ("smallint", "integer", "boolean"):
        return "int"
    if t == "bigint":
        return "int64"
    if t in ("double precision", "real", "numeric") or t.startswith("numeric"):
        return "double"
    return "string"


class RegisterTable:
    """One run's transaction on the register table (see the module doc).  Open with :meth:`open`."""

    def __init__(self, target: Target, schema: str, table: str, srid: int, feedback, lock_timeout_s=None):
        self.target, self.schema, self.table, self.srid = target, schema, table, int(srid)
        self.feedback = feedback
        self.lock_timeout_s = LOCK_TIMEOUT_S if lock_timeout_s is None else lock_timeout_s
        self.con = None
        self.exists = False
        self.table_srid = self.srid
        self.columns: dict = {}            # column -> PostgreSQL type of the existing table (geometry excluded)
        self.previous_ids: dict = {}       # case_id -> gone, as read in this transaction
        self.committed = False
        self.stats: dict = {}

    # -- names -------------------------------------------------------------------------------------------------
    @property
    def qualified(self) -> str:
        return f"{quote_ident(self.schema)}.{quote_ident(self.table)}"

    def _ident(self):
        from psycopg2 import sql

        return sql.Identifier(self.schema, self.table)

    @property
    def layer_uri(self) -> str:
        """A QGIS ``postgres`` data source of the table (no password; authcfg / service kept)."""
        from qgis.core import QgsDataSourceUri, QgsWkbTypes

        u = QgsDataSourceUri(self.target.uri.uri(False))
        u.setPassword("")
        u.setDataSource(self.schema, self.table, GEOM, "", KEY)
        u.setSrid(str(self.table_srid))
        u.setWkbType(QgsWkbTypes.MultiPolygon)
        return u.uri(False)

    def _error(self, exc, what: str) -> QgsProcessingException:
        detail = mask(getattr(exc, "pgerror", None) or exc, self.target.secrets).strip()
        return QgsProcessingException(tr("PostGIS register {table} on {db}: {what} failed, nothing was changed: "
                                         "{detail}").format(table=self.qualified, db=self.target.display, what=what,
                                                            detail=detail))

    # -- open: connect, lock, read the table's shape -------------------------------------------------------------
    @classmethod
    def open(cls, database: str, table_text: str, work_crs, feedback, lock_timeout_s=None) -> RegisterTable:
        psycopg2 = _psycopg2()
        schema, table = split_table(table_text)
        auth = work_crs.authid()
        if not auth.upper().startswith("EPSG:"):
            raise QgsProcessingException(tr(
                "The working CRS {crs} has no EPSG code, which the PostGIS table needs: set WORK_CRS to an EPSG "
                "CRS (e.g. EPSG:4542)").format(crs=auth or work_crs.description()))
        target = resolve(database)
        self = cls(target, schema, table, int(auth.split(":", 1)[1]), feedback, lock_timeout_s)
        try:
            self.con = psycopg2.connect(target.conninfo, application_name=APP_NAME, connect_timeout=30)
        except psycopg2.Error as exc:
            raise QgsProcessingException(tr("Cannot connect to the database {db}: {detail}").format(
                db=target.display, detail=mask(exc, target.secrets).strip())) from None
        opened = _open.get()
        if opened is not None:
            opened.append(self)
        try:
            self._begin()
        except BaseException:
            self.close()
            raise
        return self

    def _begin(self):
        import psycopg2
        from psycopg2 import sql

        fb = self.feedback
        key1, key2 = advisory_key(self.schema, self.table)
        try:
            with self.con.cursor() as cur:
                cur.execute("SET LOCAL lock_timeout = %s", (f"{int(self.lock_timeout_s * 1000)}ms",))
                cur.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", (key1, key2))
                if not cur.fetchone()[0]:
                    fb.pushInfo(tr("Another run is updating {table}: waiting for it (at most {s} s)").format(
                        table=self.qualified, s=self.lock_timeout_s))
                    cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", (key1, key2))
                cur.execute("SELECT postgis_lib_version()")
                cur.execute("SELECT to_regclass(%s)", (self.qualified,))
                self.exists = cur.fetchone()[0] is not None
                if self.exists:
                    cur.execute(sql.SQL("LOCK TABLE {} IN SHARE UPDATE EXCLUSIVE MODE").format(self._ident()))
                    cur.execute("""SELECT a.attname, format_type(a.atttypid, a.atttypmod)
                                   FROM pg_attribute a WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0
                                   AND NOT a.attisdropped ORDER BY a.attnum""", (self.qualified,))
                    cols = dict(cur.fetchall())
                    if KEY not in cols or GEOM not in cols:
                        raise QgsProcessingException(tr(
                            "{table} exists but is not a register (no case_id or geom column): choose another "
                            "DB_TABLE").format(table=self.qualified))
                    cur.execute("SELECT Find_SRID(%s, %s, %s)", (self.schema, self.table, GEOM))
                    self.table_srid = int(cur.fetchone()[0] or self.srid)
                    self.columns = {c: t for c, t in cols.items() if c != GEOM}
        except psycopg2.errors.LockNotAvailable as exc:
            raise QgsProcessingException(tr(
                "Another run kept {table} locked for more than {s} s: nothing was changed, run again later").format(
                    table=self.qualified, s=self.lock_timeout_s)) from exc
        except psycopg2.errors.UndefinedFunction as exc:
            raise QgsProcessingException(tr(
                "The database {db} has no PostGIS: ask its administrator to run CREATE EXTENSION postgis").format(
                    db=self.target.display)) from exc
        except psycopg2.Error as exc:
            raise self._error(exc, tr("opening")) from None
        fb.pushInfo(tr("PostGIS register: {table} on {db} ({state})").format(
            table=self.qualified, db=self.target.display,
            state=tr("existing table, SRID {srid}").format(srid=self.table_srid) if self.exists else tr(
                "new table, SRID {srid}").format(srid=self.srid)))

    # -- read ---------------------------------------------------------------------------------------------------
    def n_rows(self) -> int:
        if not self.exists:
            return 0
        from psycopg2 import sql

        with self.con.cursor() as cur:
            cur.execute(sql.SQL("SELECT count(*) FROM {}").format(self._ident()))
            return int(cur.fetchone()[0])

    def read(self):
        """(DataFrame of every column but the geometry, geometries in the working CRS, {column: kind}) of the
        table, or (None, None, {}) when it does not exist yet or is empty."""
        import numpy as np
        import pandas as pd
        import psycopg2
        import shapely
        from psycopg2 import sql

        if not self.exists:
            return None, None, {}
        names = list(self.columns)
        geom = sql.SQL("ST_AsBinary(ST_Force2D({g}))" if self.table_srid == self.srid else
                       "ST_AsBinary(ST_Force2D(ST_Transform({g}, %s)))").format(g=sql.Identifier(GEOM))
        q = sql.SQL("SELECT {cols}, {geom} FROM {t} ORDER BY {k}").format(
            cols=sql.SQL(", ").join(sql.Identifier(c) for c in names), geom=geom, t=self._ident(),
            k=sql.Identifier(KEY))
        try:
            with self.con.cursor() as cur:
                cur.execute(q, () if self.table_srid == self.srid else (self.srid,))
                rows = cur.fetchall()
        except psycopg2.Error as exc:
            raise self._error(exc, tr("reading")) from None
        if not rows:
            return None, None, {}
        data = {c: np.array([_value(r[i]) for r in rows], dtype=object) for i, c in enumerate(names)}
        df = pd.DataFrame(data)
        wkb = np.array([None if r[-1] is None else bytes(r[-1]) for r in rows], dtype=object)
        geoms = shapely.from_wkb(wkb)
        self.previous_ids = dict(zip(df[KEY].astype(str), df["gone"].fillna(False).astype(bool)
                                     if "gone" in df else [False] * len(df)))
        kinds = {c: _kind_of(t) for c, t in self.columns.items()}
        self.feedback.pushInfo(tr("{table}: {n} cases read (the previous register)").format(
            table=self.qualified, n=len(df)))
        return df, geoms, kinds

    # -- write ------------------------------------------------------------------------------------------------
    def _pg_type(self, name: str, kind: str) -> str:
        if name in BOOL_COLUMNS:
            return "boolean"
        if name in DATE_COLUMNS:
            return "date"
        if name == "bld_fid":
            return "bigint"
        return _PG_KIND.get(kind, "text")

    def _create(self, cur, spec):
        from psycopg2 import sql

        from ..exports import COLUMN_HEADERS

        defs = []
        for name, kind in spec:
            if name in (GEOM,):
                continue
            d = sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(self._pg_type(name, kind)))
            if name == KEY:
                d = sql.SQL("{} text PRIMARY KEY").format(sql.Identifier(name))
            elif name == "gone":
                d = sql.SQL("{} boolean NOT NULL DEFAULT false").format(sql.Identifier(name))
            elif name == "status":
                d = sql.SQL("{} text DEFAULT {}").format(sql.Identifier(name), sql.Literal("待核查"))
            defs.append(d)
        defs.append(sql.SQL("{} geometry(MultiPolygon, {})").format(sql.Identifier(GEOM), sql.Literal(self.srid)))
        cur.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.schema)))
        cur.execute(sql.SQL("CREATE TABLE {} ({})").format(self._ident(), sql.SQL(", ").join(defs)))
        cur.execute(sql.SQL("CREATE INDEX {} ON {} USING gist ({})").format(
            sql.Identifier(f"{self.table[:50]}_geom_gist"), self._ident(), sql.Identifier(GEOM)))
        cur.execute(sql.SQL("COMMENT ON TABLE {} IS %s").format(self._ident()),
                    ("拆除候选台账 demolition-candidate register (lincang_liangwei)",))
        for name, _kind in spec:
            if name in COLUMN_HEADERS:
                cur.execute(sql.SQL("COMMENT ON COLUMN {}.{} IS %s").format(self._ident(), sql.Identifier(name)),
                            (COLUMN_HEADERS[name],))
        cur.execute(sql.SQL("COMMENT ON COLUMN {}.{} IS %s").format(self._ident(), sql.Identifier(GEOM)),
                    ("图斑范围 case footprint",))
        self.table_srid = self.srid
        self.columns = {n: self._pg_type(n, k) for n, k in spec if n != GEOM}
        self.columns[KEY] = "text"
        self.exists = True

    def _add_missing_columns(self, cur, spec):
        from psycopg2 import sql

        from ..exports import COLUMN_HEADERS

        added = []
        for name, kind in spec:
            if name == GEOM or name in self.columns:
                continue
            t = self._pg_type(name, kind)
            cur.execute(sql.SQL("ALTER TABLE {} ADD COLUMN {} {}").format(self._ident(), sql.Identifier(name),
                                                                          sql.SQL(t)))
            if name in COLUMN_HEADERS:
                cur.execute(sql.SQL("COMMENT ON COLUMN {}.{} IS %s").format(self._ident(), sql.Identifier(name)),
                            (COLUMN_HEADERS[name],))
            self.columns[name] = t
            added.append(name)
        if added:
            self.feedback.pushInfo(tr("{table}: columns added: {names}").format(table=self.qualified,
                                                                                 names=", ".join(added)))

    def _rows(self, names, cols_by_name, geoms, idx):
        """Tuples for the staging table: values converted to the table's column types, NaN -> NULL."""
        import math

        import numpy as np
        import shapely

        conv = []
        for c in names:
            t = self.columns.get(c, "text")
            if t == "boolean":
                conv.append(lambda v: None if v is None or (isinstance(v, float) and math.isnan(v)) else bool(v))
            elif t in ("integer", "bigint", "smallint"):
                conv.append(lambda v: None if v is None or (isinstance(v, float) and math.isnan(v)) else int(v))
            elif t in ("double precision", "real") or t.startswith("numeric"):
                conv.append(lambda v: None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v))
            else:
                conv.append(lambda v: None if v is None or (isinstance(v, float) and math.isnan(v)) else
                            (v if isinstance(v, str) else str(v)))
        arrays = [cols_by_name[c] for c in names]
        g = np.asarray(geoms, dtype=object)[idx]
        ok = ~shapely.is_missing(g)
        wkb = np.full(len(g), None, dtype=object)
        if ok.any():
            wkb[ok] = shapely.to_wkb(shapely.force_2d(g[ok]))
        out = []
        for j, i in enumerate(idx):
            vals = []
            for f, a in zip(conv, arrays):
                v = a[i]
                if isinstance(v, np.generic):
                    v = v.item()
                vals.append(f(v))
            w = wkb[j]
            vals.append(None if w is None else bytes(w))
            out.append(tuple(vals))
        return out

    def write(self, spec, cols, geoms, progress=None):
        """Put the merged register (``spec`` [(column, kind)], ``cols`` value arrays aligned with ``geoms``) into
        the table and commit; returns {inserted, updated, unchanged, gone, missing}."""
        import numpy as np
        import psycopg2
        from psycopg2 import extras, sql

        names_all = [n for n, _k in spec]
        cols_by_name = dict(zip(names_all, cols))
        if KEY not in cols_by_name:
            raise QgsProcessingException(tr("the register has no case_id column"))
        ids = [str(v) for v in cols_by_name[KEY]]
        gone = np.array([bool(v) if v is not None and not (isinstance(v, float) and np.isnan(v)) else False
                         for v in cols_by_name.get("gone", [0] * len(ids))], dtype=bool)
        prev = self.previous_ids
        new_i = [i for i, k in enumerate(ids) if k not in prev]
        kept_i = [i for i, k in enumerate(ids) if k in prev and not gone[i]]
        gone_ids = [k for i, k in enumerate(ids) if k in prev and gone[i] and not prev[k]]
        try:
            with self.con.cursor() as cur:
                if not self.exists:
                    self._create(cur, spec)
                else:
                    self._add_missing_columns(cur, spec)
                names = [n for n in names_all if n in self.columns]
                computed = [n for n in names if n not in NOT_RECOMPUTED]
                stage = sql.Identifier("_liangwei_stage")
                cur.execute(sql.SQL("CREATE TEMP TABLE {s} ON COMMIT DROP AS SELECT {cols} FROM {t} WITH NO DATA")
                            .format(s=stage, t=self._ident(),
                                    cols=sql.SQL(", ").join(sql.Identifier(c) for c in names)))
                cur.execute(sql.SQL("ALTER TABLE {s} ADD COLUMN _wkb bytea, ADD COLUMN {g} geometry").format(
                    s=stage, g=sql.Identifier(GEOM)))
                rows = self._rows(names, cols_by_name, geoms, np.array(new_i + kept_i, dtype=np.int64))
                ins = sql.SQL("INSERT INTO {s} ({cols}, _wkb) VALUES %s").format(
                    s=stage, cols=sql.SQL(", ").join(sql.Identifier(c) for c in names)).as_string(cur)
                for start in range(0, len(rows), 2000):
                    extras.execute_values(cur, ins, rows[start:start + 2000], page_size=2000)
                    if progress is not None:
                        progress(0.7 * min(1.0, (start + 2000) / max(1, len(rows))))
                geom_expr = "ST_Multi(ST_GeomFromWKB(_wkb, %s))" if self.table_srid == self.srid else \
                    "ST_Transform(ST_Multi(ST_GeomFromWKB(_wkb, %s)), %s)"
                cur.execute(sql.SQL("UPDATE {s} SET {g} = " + geom_expr).format(s=stage, g=sql.Identifier(GEOM)),
                            (self.srid,) if self.table_srid == self.srid else (self.srid, self.table_srid))
                all_cols = sql.SQL(", ").join(sql.Identifier(c) for c in names + [GEOM])
                cur.execute(sql.SQL("INSERT INTO {t} ({cols}) SELECT {cols} FROM {s} WHERE {k} = ANY(%s)").format(
                    t=self._ident(), s=stage, cols=all_cols, k=sql.Identifier(KEY)), ([ids[i] for i in new_i],))
                inserted = cur.rowcount
                mark_gone(self, cur, gone_ids)
                n_gone = cur.rowcount if gone_ids else 0
                upd = computed + [GEOM]
                cur.execute(sql.SQL(
                    "UPDATE {t} AS t SET ({lhs}) = ({rhs}) FROM {s} AS s WHERE t.{k} = s.{k} AND s.{k} = ANY(%s) "
                    "AND ({tv}) IS DISTINCT FROM ({sv})").format(
                        t=self._ident(), s=stage, k=sql.Identifier(KEY),
                        lhs=sql.SQL(", ").join(sql.Identifier(c) for c in upd) if len(upd) > 1 else
                        sql.SQL("ROW({})").format(sql.Identifier(upd[0])),
                        rhs=sql.SQL(", ").join(sql.SQL("s.{}").format(sql.Identifier(c)) for c in upd),
                        tv=sql.SQL(", ").join(sql.SQL("t.{}").format(sql.Identifier(c)) for c in upd),
                        sv=sql.SQL(", ").join(sql.SQL("s.{}").format(sql.Identifier(c)) for c in upd)),
                    ([ids[i] for i in kept_i],))
                updated = cur.rowcount
                cur.execute(sql.SQL("SELECT count(*) FROM {t} WHERE {k} = ANY(%s)").format(
                    t=self._ident(), k=sql.Identifier(KEY)), ([ids[i] for i in kept_i],))
                missing = len(kept_i) - int(cur.fetchone()[0])
            before_commit(self)
            if self.feedback.isCanceled():
                from .messages import canceled

                raise canceled()
            self.con.commit()
            self.committed = True
        except psycopg2.Error as exc:
            raise self._error(exc, tr("writing")) from None
        if progress is not None:
            progress(1.0)
        self.stats = {"inserted": inserted, "updated": updated, "unchanged": len(kept_i) - updated - missing,
                      "gone": n_gone, "missing": missing}
        self.feedback.pushInfo(tr("{table}: {inserted} new cases inserted, {updated} updated, {unchanged} unchanged, "
                                  "{gone} marked gone; team columns untouched; committed").format(
                                      table=self.qualified, **self.stats))
        if missing:
            self.feedback.pushWarning(tr("{table}: {n} cases were deleted by someone while this run merged: not "
                                         "put back").format(table=self.qualified, n=missing))
        return self.stats

    # -- end --------------------------------------------------------------------------------------------------
    def close(self):
        """Roll back unless committed, and disconnect (idempotent)."""
        con, self.con = self.con, None
        if con is None:
            return
        try:
            if not self.committed:
                con.rollback()
        except Exception:  # noqa: BLE001 - the connection may already be broken: closing it rolls back anyway
            pass
        try:
            con.close()
        except Exception:  # noqa: BLE001
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def mark_gone(table: RegisterTable, cur, ids):
    """``gone = true`` for cases of the previous register this run no longer finds (nothing else of them)."""
    from psycopg2 import sql

    if ids:
        cur.execute(sql.SQL("UPDATE {t} SET gone = true WHERE {k} = ANY(%s) AND gone IS DISTINCT FROM true").format(
            t=table._ident(), k=sql.Identifier(KEY)), (list(ids),))


def before_commit(table: RegisterTable):
    """The last step before COMMIT (every row written, nothing visible to others yet)."""


def layer(uri: str, name: str = "register"):
    """The register table as a QGIS layer (postgres provider)."""
    from qgis.core import QgsVectorLayer

    return QgsVectorLayer(uri, name, "postgres")


__all__ = ["DEFAULT_TABLE", "RegisterTable", "closes_transactions", "mask", "resolve", "split_table", "quote_ident",
           "layer"]
