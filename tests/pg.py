"""A real PostgreSQL + PostGIS server for the tests: Debian's packages, a temporary data directory, loopback only.

No system service is used or changed: ``initdb`` makes a cluster in a fresh temporary directory, ``pg_ctl`` starts
it on a free port of 127.0.0.1 (and a Unix socket in that directory), the session's end stops it and removes the
directory.  PostgreSQL refuses to run as root, so as root the server runs as the ``postgres`` system user (which the
Debian package creates) through ``runuser``.

Roles: ``lw_admin`` (superuser, socket only, trust) creates the database and the PostGIS extension; ``analyst``
(a plain login role with a password, scram-sha-256 over TCP) is what the plugin connects as, through a
``pg_service.conf`` written into the directory (``PGSERVICEFILE`` points at it for the session), exactly as a bureau
would configure it.

Tests that need it take the ``pg_server`` fixture (import ``pg_server_fixture`` from here); it skips with the reason only where the
PostgreSQL server or PostGIS is not installed (``scripts/bootstrap.sh dev`` installs both: packages ``postgresql``
``postgresql-postgis``).
"""
from __future__ import annotations

import glob
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

SERVICE = "liangwei_test"
DBNAME = "lincang"
USER = "analyst"
PASSWORD = "Pw-7f3c9e-不可外泄"   # must never show up in a log line, a result or a table
INSTALL_HINT = ("PostgreSQL + PostGIS not installed: run `scripts/bootstrap.sh dev` as root, or "
                "`apt-get install postgresql postgresql-postgis`")


def _version_key(path: str):
    m = re.search(r"/postgresql/(\d+)/", path)
    return int(m.group(1)) if m else 0


def find_binaries():
    """(bin dir, version) of the newest installed server that has PostGIS, or None."""
    for initdb in sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version_key, reverse=True):
        v = _version_key(initdb)
        if glob.glob(f"/usr/share/postgresql/{v}/extension/postgis.control"):
            return Path(initdb).parent, v
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PgServer:
    host: str
    port: int
    socket_dir: str
    dbname: str
    user: str
    password: str
    service: str
    service_file: str
    bindir: str
    version: int

    @property
    def service_uri(self) -> str:
        """What a user types as DATABASE: no password in it."""
        return f"service={self.service}"

    def connect(self, autocommit: bool = True, **kw):
        """psycopg2 connection as the analyst (what a second team member would use)."""
        import psycopg2

        con = psycopg2.connect(host=self.host, port=self.port, dbname=self.dbname, user=self.user,
                               password=self.password, application_name=kw.pop("application_name", "pytest"), **kw)
        con.autocommit = autocommit
        return con

    def admin(self):
        import psycopg2

        con = psycopg2.connect(host=self.socket_dir, port=self.port, dbname=self.dbname, user="lw_admin")
        con.autocommit = True
        return con

    def query(self, sql, params=None):
        con = self.connect()
        try:
            with con.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall() if cur.description else None
        finally:
            con.close()

    def drop(self, table: str):
        self.query(f"DROP TABLE IF EXISTS {table} CASCADE")


def _as_server_user(cmd):
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--"] + cmd
    return cmd


def _run(cmd, **kw):
    r = subprocess.run(_as_server_user(cmd), capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return r


def start_server() -> tuple[PgServer, callable]:
    found = find_binaries()
    if found is None:
        pytest.skip(INSTALL_HINT)
    bindir, version = found
    if os.geteuid() == 0:
        try:
            import pwd

            pw = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("the system user 'postgres' (made by Debian's postgresql package) is missing: " + INSTALL_HINT)
    top = tempfile.mkdtemp(prefix="liangwei-pg-")
    os.chmod(top, 0o755)
    data, sock = os.path.join(top, "data"), os.path.join(top, "sock")
    os.makedirs(sock)
    pwfile = os.path.join(top, "adminpw")
    Path(pwfile).write_text("admin-unused\n")
    if os.geteuid() == 0:
        for p in (top, sock, pwfile):
            os.chown(p, pw.pw_uid, pw.pw_gid)
    port = free_port()
    log = os.path.join(top, "server.log")
    _run([str(bindir / "initdb"), "-D", data, "-U", "lw_admin", f"--pwfile={pwfile}", "--auth-local=trust",
          "--auth-host=scram-sha-256", "--encoding=UTF8", "--no-locale", "--no-sync"])
    opts = (f"-k {sock} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
            f"-c full_page_writes=off -c max_connections=40 -c shared_buffers=32MB")
    _run([str(bindir / "pg_ctl"), "-D", data, "-l", log, "-w", "-t", "60", "-o", opts, "start"])

    def stop():
        subprocess.run(_as_server_user([str(bindir / "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop"]),
                       capture_output=True)
        shutil.rmtree(top, ignore_errors=True)

    try:
        import psycopg2

        con = psycopg2.connect(host=sock, port=port, dbname="postgres", user="lw_admin")
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute(f"CREATE ROLE {USER} LOGIN PASSWORD %s", (PASSWORD,))
            cur.execute(f"CREATE DATABASE {DBNAME} OWNER {USER} ENCODING 'UTF8' TEMPLATE template0")
        con.close()
        con = psycopg2.connect(host=sock, port=port, dbname=DBNAME, user="lw_admin")
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute("CREATE EXTENSION postgis")
        con.close()
        service_file = os.path.join(top, "pg_service.conf")
        Path(service_file).write_text(
            f"[{SERVICE}]\nhost=127.0.0.1\nport={port}\ndbname={DBNAME}\nuser={USER}\npassword={PASSWORD}\n",
            encoding="utf-8")
        os.chmod(service_file, 0o600)
    except BaseException:
        stop()
        raise
    srv = PgServer(host="127.0.0.1", port=port, socket_dir=sock, dbname=DBNAME, user=USER, password=PASSWORD,
                   service=SERVICE, service_file=service_file, bindir=str(bindir), version=version)
    return srv, stop


@pytest.fixture(scope="session", name="pg_server")
def pg_server_fixture():
    """A running PostgreSQL + PostGIS (loopback, temporary), ``PGSERVICEFILE`` set for the session."""
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        pytest.skip("psycopg2 missing: apt-get install python3-psycopg2")
    srv, stop = start_server()
    old = os.environ.get("PGSERVICEFILE")
    os.environ["PGSERVICEFILE"] = srv.service_file
    try:
        yield srv
    finally:
        if old is None:
            os.environ.pop("PGSERVICEFILE", None)
        else:
            os.environ["PGSERVICEFILE"] = old
        stop()


def wait_for(predicate, timeout=60.0, step=0.1, what="condition"):
    t = time.time() + timeout
    while time.time() < t:
        if predicate():
            return
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what}")
