"""The shared register in PostgreSQL + PostGIS (liangwei:register / fullcheck ``DATABASE``), on a real server.

The server is Debian's PostgreSQL + PostGIS started for the session in a temporary directory (tests/pg.py); the
plugin connects through ``service=liangwei_test`` (pg_service.conf, password inside) as a bureau would.
"""
from __future__ import annotations

import threading
import time

import pytest

from tests.pg import PASSWORD, pg_server_fixture, wait_for  # noqa: F401 - the pg_server fixture

pytestmark = pytest.mark.qgis
INJECTION = "'); DROP TABLE register; --"


# ---------------------------------------------------------------------------------------------- helpers
@pytest.fixture(scope="module")
def city(tmp_path_factory):
    from devtools import fileio
    from devtools.samplecity import generate_city

    path = tmp_path_factory.mktemp("pgcity") / "city.gpkg"
    fileio.write_city(generate_city(1500, seed=5), path)
    return path


def lyr(path, name):
    return f"{path}|layername={name}"


def fullcheck_params(city, folder, table, **kw):
    zones = {"RED_LINES": "red_lines", "BLUE_LINES": "blue_lines", "GREEN_LINES": "green_lines",
             "WATER_SOURCE": "water_source"}
    p = {"EARLIER": lyr(city, "buildings_2019"), "LATER": lyr(city, "buildings_2023"),
         **{k: lyr(city, v) for k, v in zones.items()}, "PIPELINES": lyr(city, "pipelines"),
         "DISTRICTS": lyr(city, "districts"), "PERMITS": lyr(city, "permits"), "EARLIER_FLOORS_FIELD": "floors",
         "LATER_FLOORS_FIELD": "floors", "EARLIER_DATE": "2019", "LATER_DATE": "2023", "RUN_DATE": "2024-03-01",
         "OUTPUT_FOLDER": str(folder), "DATABASE": "service=liangwei_test", "DB_TABLE": table}
    p.update(kw)
    return p


def run(alg, params, feedback=None, context=None):
    from qgis import processing

    return processing.run(alg, params, feedback=feedback, context=context)


def rows(srv, table, where="TRUE"):
    """Every row as a dict (geometry as EWKB hex), keyed by case_id."""
    con = srv.connect()
    try:
        with con.cursor() as cur:
            cur.execute(f"SELECT *, encode(ST_AsEWKB(geom), 'hex') AS _g FROM {table} WHERE {where} ORDER BY case_id")
            names = [d[0] for d in cur.description]
            return {r[names.index("case_id")]: {n: v for n, v in zip(names, r) if n != "geom"} for r in cur.fetchall()}
    finally:
        con.close()


def team_update(srv, table, case_id, **values):
    """What a field team's client does: one UPDATE of some team columns, parameterised, committed."""
    con = srv.connect()
    try:
        with con.cursor() as cur:
            sets = ", ".join(f"{k} = %s" for k in values)
            cur.execute(f"UPDATE {table} SET {sets} WHERE case_id = %s", (*values.values(), case_id))
            assert cur.rowcount == 1
    finally:
        con.close()


@pytest.fixture(scope="module")
def first_run(liangwei, pg_server, city, tmp_path_factory):
    """fullcheck into a fresh table once; the tests below copy that table to work on their own."""
    from tests.qgis.conftest import RecordingFeedback

    name = "public.fc_base"
    pg_server.drop(name)
    fb = RecordingFeedback()
    res = run("liangwei:fullcheck", fullcheck_params(city, tmp_path_factory.mktemp("fc1"), name), feedback=fb)
    return name, res, fb


def copy_table(srv, src, dst):
    """A copy of a register table made the way the plugin would have made it (run once more into it)."""
    srv.drop(dst)
    srv.query(f"CREATE TABLE {dst} (LIKE {src} INCLUDING ALL)")
    srv.query(f"INSERT INTO {dst} SELECT * FROM {src}")


# ---------------------------------------------------------------------------------------------- table shape
def test_first_run_creates_a_proper_table(first_run, pg_server):
    name, res, fb = first_run
    assert res["N_CASES"] > 20 and res["N_NEW"] == res["N_CASES"]
    got = rows(pg_server, name)
    assert len(got) == res["N_CASES"]
    assert res["REGISTER"].startswith("dbname=") or "table=" in res["REGISTER"]
    assert PASSWORD not in str(res) and PASSWORD not in fb.text
    types = dict(pg_server.query("""SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
                                    WHERE a.attrelid = 'public.fc_base'::regclass AND a.attnum > 0"""))
    assert types["geom"] == "geometry(MultiPolygon,4542)"
    assert types["case_id"] == "text" and types["area_m2"] == "double precision"
    assert types["gone"] == "boolean" and types["first_seen"] == "date" and types["bld_fid"] == "bigint"
    pk = pg_server.query("""SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid
                            AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'public.fc_base'::regclass
                            AND i.indisprimary""")
    assert pk == [("case_id",)]
    assert pg_server.query("""SELECT count(*) FROM pg_indexes WHERE tablename = 'fc_base'
                              AND indexdef ILIKE '%USING gist (geom)%'""")[0][0] == 1
    comments = dict(pg_server.query("""SELECT a.attname, col_description(a.attrelid, a.attnum) FROM pg_attribute a
                                       WHERE a.attrelid = 'public.fc_base'::regclass AND a.attnum > 0"""))
    assert comments["case_id"] == "图斑编号" and comments["verdict"] == "初判" and comments["remarks"] == "备注"
    # QGIS opens it as an ordinary PostGIS layer and shows the Chinese comments
    from qgis.core import QgsVectorLayer

    layer = QgsVectorLayer(res["REGISTER"], "register", "postgres")
    assert layer.isValid(), layer.error().summary()
    assert layer.featureCount() == len(got)
    assert layer.fields().field("case_id").comment() == "图斑编号"
    assert layer.crs().authid() == "EPSG:4542"
    assert "password" not in res["REGISTER"]


# ---------------------------------------------------------------------------------------------- re-runs
def test_rerun_keeps_ids_and_every_team_edit_and_marks_gone(first_run, pg_server, city, tmp_path, feedback):
    base, res1, _fb = first_run
    t = "public.t_rerun"
    copy_table(pg_server, base, t)
    before = rows(pg_server, t)
    ids = sorted(before)
    edits = {ids[0]: dict(check_result="属实，已拆除一半", remarks=INJECTION, status="已派遣"),
             ids[1]: dict(check_result="不属实", remarks="门牌 12-3 号\n二楼加建", status="已处置"),
             ids[-1]: dict(remarks="最后一条")}
    for cid, v in edits.items():
        team_update(pg_server, t, cid, **v)
    pg_server.query(f"ALTER TABLE {t} ADD COLUMN photo text")
    team_update(pg_server, t, ids[1], photo="DCIM/0001.jpg")

    # run 2: a year later, same city -> every case kept under its id, the team's work untouched
    res2 = run("liangwei:fullcheck", fullcheck_params(city, tmp_path / "run2", t, RUN_DATE="2025-03-01"),
               feedback=feedback)
    after = rows(pg_server, t)
    assert sorted(after) == ids
    assert (res2["N_KEPT"], res2["N_NEW"], res2["N_GONE"]) == (res1["N_CASES"], 0, 0)
    for cid, v in edits.items():
        for k, val in v.items():
            assert after[cid][k] == val
    assert after[ids[1]]["photo"] == "DCIM/0001.jpg"
    assert all(str(r["last_run"]) == "2025-03-01" and str(r["first_seen"]) == "2024-03-01" for r in after.values())
    assert all(after[c]["verdict"] == before[c]["verdict"] and after[c]["_g"] == before[c]["_g"] for c in ids)
    assert "committed" in feedback.text or "提交" in feedback.text
    assert pg_server.query("SELECT count(*) FROM pg_tables WHERE tablename = 'register'")[0][0] == 0

    # run 3: only the epoch changes (no control lines / pipes) -> cases found only by those are gone, never
    # deleted, their team entries kept
    res3 = run("liangwei:register", {
        "CHANGES": lyr(tmp_path / "run2" / "epochs_later.gpkg", "epochs_later"), "DISTRICTS": lyr(city, "districts"),
        "PERMITS": lyr(city, "permits"), "RUN_DATE": "2025-06-01", "OUTPUT": "TEMPORARY_OUTPUT",
        "DATABASE": "service=liangwei_test", "DB_TABLE": t})
    third = rows(pg_server, t)
    assert sorted(third) == ids
    gone = [c for c in ids if third[c]["gone"]]
    assert res3["N_GONE"] == len(gone) > 0 and res3["N_NEW"] == 0
    for cid, v in edits.items():
        for k, val in v.items():
            assert third[cid][k] == val
    for c in gone:   # a gone case is kept as it was, only flagged
        assert third[c]["verdict"] == after[c]["verdict"] and str(third[c]["last_run"]) == "2025-03-01"

    # run 4: everything again -> the gone cases come back under their old ids
    res4 = run("liangwei:fullcheck", fullcheck_params(city, tmp_path / "run4", t, RUN_DATE="2025-09-01"))
    fourth = rows(pg_server, t)
    assert sorted(fourth) == ids and not any(r["gone"] for r in fourth.values())
    assert res4["N_NEW"] == 0 and res4["N_KEPT"] == len(ids)
    assert fourth[ids[0]]["remarks"] == INJECTION


def test_team_edits_made_while_a_run_merges_survive(first_run, pg_server, city, tmp_path, monkeypatch):
    from lincang_liangwei.qgis_io import pgstore

    base, res1, _fb = first_run
    t = "public.t_concurrent"
    copy_table(pg_server, base, t)
    ids = sorted(rows(pg_server, t))
    a, b, c = ids[2], ids[3], ids[4]
    # case A was tampered with (a computed column): the run rewrites that row, so it holds A's row lock
    pg_server.query(f"UPDATE {t} SET verdict = 'TAMPERED' WHERE case_id = %s", (a,))
    original_read = pgstore.RegisterTable.read
    blocked = {}

    def read_then_team_edits(self):
        out = original_read(self)
        # after the run has read the table, before it writes: two teams commit edits
        team_update(pg_server, t, a, check_result="读后写入")
        team_update(pg_server, t, b, check_result="属实", remarks=INJECTION)
        return out

    def before_commit(table):
        # every row written, not committed: a team edits C (a row the run did not touch: goes through at once)
        # and A (a row the run rewrote: waits for the run's commit, then applies)
        team_update(pg_server, t, c, remarks="运行中修改")
        th = threading.Thread(target=team_update, args=(pg_server, t, a), kwargs={"remarks": "提交前修改"})
        th.start()
        time.sleep(0.5)
        blocked["waiting"] = th.is_alive()
        blocked["thread"] = th

    monkeypatch.setattr(pgstore.RegisterTable, "read", read_then_team_edits)
    monkeypatch.setattr(pgstore, "before_commit", before_commit)
    res = run("liangwei:fullcheck", fullcheck_params(city, tmp_path / "run", t))
    blocked["thread"].join(30)
    assert blocked["waiting"], "the team's UPDATE of a row the run rewrote should wait for the run's commit"
    got = rows(pg_server, t)
    assert sorted(got) == ids and res["N_KEPT"] == len(ids)
    assert got[a]["verdict"] != "TAMPERED"
    assert got[a]["check_result"] == "读后写入" and got[a]["remarks"] == "提交前修改"
    assert got[b]["check_result"] == "属实" and got[b]["remarks"] == INJECTION
    assert got[c]["remarks"] == "运行中修改"


# ---------------------------------------------------------------------------------------------- failures
def _no_run_left(srv):
    left = srv.query("""SELECT count(*) FROM pg_stat_activity WHERE application_name = 'lincang_liangwei'""")[0][0]
    locks = srv.query("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")[0][0]
    return left == 0 and locks == 0


def test_a_run_failing_mid_merge_changes_nothing(first_run, pg_server, city, tmp_path, monkeypatch):
    from qgis.core import QgsProcessingException

    from lincang_liangwei.qgis_io import pgstore

    base, _res, _fb = first_run
    t = "public.t_failure"
    copy_table(pg_server, base, t)
    ids = sorted(rows(pg_server, t))
    pg_server.query(f"DELETE FROM {t} WHERE case_id = ANY(%s)", (ids[:5],))   # -> 5 new cases inserted by the run
    team_update(pg_server, t, ids[6], remarks=INJECTION)
    snapshot = rows(pg_server, t)

    def boom(table, cur, gone_ids):
        cur.execute(f"SELECT count(*) FROM {t}")
        assert cur.fetchone()[0] == len(snapshot) + 5   # the inserts are done, inside the transaction
        raise RuntimeError("simulated failure in the middle of the merge")

    monkeypatch.setattr(pgstore, "mark_gone", boom)
    with pytest.raises(QgsProcessingException):
        run("liangwei:fullcheck", fullcheck_params(city, tmp_path / "fail", t, RUN_DATE="2025-03-01"))
    assert rows(pg_server, t) == snapshot
    wait_for(lambda: _no_run_left(pg_server), 10, what="the failed run's connection to end")
    monkeypatch.undo()

    # Cancel pressed at the last moment: the same
    from qgis.core import QgsProcessingFeedback

    fb = QgsProcessingFeedback()
    monkeypatch.setattr(pgstore, "before_commit", lambda table: fb.cancel())
    with pytest.raises(QgsProcessingException):
        run("liangwei:fullcheck", fullcheck_params(city, tmp_path / "cancel", t, RUN_DATE="2025-03-01"), feedback=fb)
    assert rows(pg_server, t) == snapshot
    wait_for(lambda: _no_run_left(pg_server), 10, what="the canceled run's connection to end")
    monkeypatch.undo()

    # and the next run goes through
    res = run("liangwei:fullcheck", fullcheck_params(city, tmp_path / "ok", t, RUN_DATE="2025-03-01"))
    assert res["N_NEW"] == 5 and rows(pg_server, t)[ids[6]]["remarks"] == INJECTION


def test_two_runs_take_turns(first_run, pg_server, city, tmp_path, monkeypatch, feedback):
    from qgis.core import QgsProcessingException

    from lincang_liangwei.qgis_io import pgstore

    base, _res, _fb = first_run
    t = "public.t_turns"
    copy_table(pg_server, base, t)
    snapshot = rows(pg_server, t)
    holder = pg_server.connect(autocommit=False)     # "another run" holding the table's lock
    with holder.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", pgstore.advisory_key("public", "t_turns"))
    try:
        monkeypatch.setattr(pgstore, "LOCK_TIMEOUT_S", 2)
        with pytest.raises(QgsProcessingException, match="2 s"):
            run("liangwei:fullcheck", fullcheck_params(city, tmp_path / "a", t, RUN_DATE="2025-03-01"))
        assert rows(pg_server, t) == snapshot
        monkeypatch.setattr(pgstore, "LOCK_TIMEOUT_S", 120)
        threading.Timer(2.0, holder.commit).start()   # the other run finishes
        t0 = time.time()
        res = run("liangwei:fullcheck", fullcheck_params(city, tmp_path / "b", t, RUN_DATE="2025-03-01"),
                  feedback=feedback)
        assert time.time() - t0 >= 1.5
        assert res["N_KEPT"] == len(snapshot)
        assert any("waiting" in m or "等待" in m for m in feedback.infos)
    finally:
        holder.close()


# ---------------------------------------------------------------------------------------------- text and names
def test_text_is_data_and_table_names_are_quoted(liangwei, pg_server, tmp_path):
    from tests.qgis.test_register_alg import base_params, layers

    from .layers import box_wkt, memory_layer

    ch, enc, br, permits, _d = layers()
    districts = memory_layer("Polygon", "EPSG:4542", "districts",
                             [(box_wkt(508000 - 100, 2641000 - 100, 508000 + 1000, 2641000 + 100),
                               ["530902", INJECTION])], fields=("code:string", "name:string"))
    pg_server.query('CREATE SCHEMA IF NOT EXISTS "Lw Schema"')
    weird = '"Lw Schema"."台账 ""q""; DROP TABLE x; --"'
    p = base_params(tmp_path, CHANGES=ch, ENCROACHMENTS=enc, BREACHES=br, PERMITS=permits, DISTRICTS=districts,
                    OUTPUT="TEMPORARY_OUTPUT", DATABASE="service=liangwei_test", DB_TABLE=weird)
    res = run("liangwei:register", p)
    assert pg_server.query("SELECT tablename FROM pg_tables WHERE schemaname = 'Lw Schema'") == [
        ('台账 "q"; DROP TABLE x; --',)]
    got = pg_server.query('SELECT district FROM "Lw Schema"."台账 ""q""; DROP TABLE x; --"')
    assert got and all(r[0] == INJECTION for r in got)
    from qgis.core import QgsVectorLayer

    layer = QgsVectorLayer(res["OUTPUT"], "r", "postgres")
    assert layer.isValid() and layer.featureCount() == res["N_CASES"]
    res2 = run("liangwei:register", p)   # a re-run finds the same table again
    assert res2["N_KEPT"] == res["N_CASES"]


def test_split_table_and_mask():
    from qgis.core import QgsProcessingException

    from lincang_liangwei.qgis_io.pgstore import mask, quote_ident, split_table

    assert split_table("") == ("public", "liangwei_register")
    assert split_table("reg") == ("public", "reg")
    assert split_table("lw.reg") == ("lw", "reg")
    assert split_table('"a.b"."c""d"') == ("a.b", 'c"d')
    for bad in ("a.b.c", '"open', "a.", ".b", "x" * 64):
        with pytest.raises(QgsProcessingException):
            split_table(bad)
    assert quote_ident('c"d') == '"c""d"'
    s = "host=h password='se cret' user=u PASSWORD=abc postgresql://u:pw@h/db"
    m = mask(s)
    assert "se cret" not in m and "abc" not in m and ":pw@" not in m and "user=u" in m


# ---------------------------------------------------------------------------------------------- credentials
def test_passwords_never_reach_a_log_a_result_or_the_table(liangwei, pg_server, tmp_path, feedback):
    from qgis.core import QgsApplication, QgsProcessingException

    from tests.qgis.test_register_alg import base_params

    logged = []
    log = QgsApplication.messageLog()

    def keep(message, tag, level):
        logged.append(f"{tag}: {message}")

    log.messageReceived.connect(keep)
    try:
        # a password typed into DATABASE is refused (Processing keeps parameter values in its history)
        for database in (f"host=127.0.0.1 port={pg_server.port} dbname=lincang user=analyst password={PASSWORD}",
                         f"host=127.0.0.1 port={pg_server.port} dbname=lincang user=analyst password='{PASSWORD}'",
                         f"postgresql://analyst:{PASSWORD}@127.0.0.1:{pg_server.port}/lincang"):
            with pytest.raises(QgsProcessingException) as exc:
                run("liangwei:register", base_params(tmp_path, OUTPUT="TEMPORARY_OUTPUT", DATABASE=database,
                                                     DB_TABLE="public.t_pw"), feedback=feedback)
            assert PASSWORD not in str(exc.value) and "authcfg" in str(exc.value)
        # a wrong password in the service file: the error names the server, never the password
        bad = tmp_path / "bad_service.conf"
        from pathlib import Path

        bad.write_text(Path(pg_server.service_file).read_text(encoding="utf-8").replace(PASSWORD, PASSWORD + "x"),
                       encoding="utf-8")
        import os

        old = os.environ["PGSERVICEFILE"]
        os.environ["PGSERVICEFILE"] = str(bad)
        try:
            with pytest.raises(QgsProcessingException) as exc:
                run("liangwei:register", base_params(tmp_path, OUTPUT="TEMPORARY_OUTPUT",
                                                     DATABASE="service=liangwei_test", DB_TABLE="public.t_pw"),
                    feedback=feedback)
            assert PASSWORD not in str(exc.value)
        finally:
            os.environ["PGSERVICEFILE"] = old
        # the service file's password is used, and shows up nowhere
        res = run("liangwei:register", base_params(tmp_path, OUTPUT="TEMPORARY_OUTPUT",
                                                   DATABASE="service=liangwei_test", DB_TABLE="public.t_pw"),
                  feedback=feedback)
    finally:
        log.messageReceived.disconnect(keep)
    assert res["N_CASES"] > 0
    assert PASSWORD not in feedback.text and PASSWORD not in str(res) and PASSWORD not in "\n".join(logged)
    dump = pg_server.query("SELECT t::text FROM public.t_pw t")
    assert dump and not any(PASSWORD in r[0] for r in dump)
    assert "service='liangwei_test'" in res["OUTPUT"] and "password" not in res["OUTPUT"]


# ---------------------------------------------------------------------------------------------- the case list
def test_case_list_edits_the_postgis_register(first_run, pg_server):
    from qgis.core import QgsVectorLayer
    from qgis.PyQt.QtCore import Qt

    from lincang_liangwei.ui.caselist import CaseModel

    base, res, _fb = first_run
    t = "public.t_caselist"
    copy_table(pg_server, base, t)
    uri = res["REGISTER"].replace('"public"."fc_base"', '"public"."t_caselist"')
    layer = QgsVectorLayer(uri, "register", "postgres")
    assert layer.isValid()
    model = CaseModel()
    model.set_layer(layer)
    assert model.rowCount() == res["N_CASES"]
    col = model.column("check_result")
    assert model.setData(model.index(0, col), INJECTION, Qt.ItemDataRole.EditRole)
    cid = model.value(0, "case_id")
    assert rows(pg_server, t)[cid]["check_result"] == INJECTION


AUTH_PROBE = r'''
import json, os, sys
sys.path.insert(0, sys.argv[1])
from qgis.core import (QgsApplication, QgsAuthMethodConfig, QgsCoordinateReferenceSystem, QgsProcessingFeedback,
                       QgsProviderRegistry)
app = QgsApplication([], False)
app.initQgis()
am = QgsApplication.authManager()
assert am.setMasterPassword("master-pw", True)
cfg = QgsAuthMethodConfig("Basic")
cfg.setName("lw")
cfg.setConfig("username", os.environ["LW_USER"])
cfg.setConfig("password", os.environ.pop("LW_PASSWORD"))
am.storeAuthenticationConfig(cfg)
uri = f"host=127.0.0.1 port={sys.argv[2]} dbname=lincang authcfg={cfg.id()}"
md = QgsProviderRegistry.instance().providerMetadata("postgres")
md.saveConnection(md.createConnection(uri, {}), "两违台账")

class Fb(QgsProcessingFeedback):
    lines = []
    def pushInfo(self, t):
        self.lines.append(t)

from lincang_liangwei.qgis_io.pgstore import RegisterTable
out = {}
for database in ("两违台账", uri):
    fb = Fb()
    t = RegisterTable.open(database, sys.argv[3], QgsCoordinateReferenceSystem("EPSG:4542"), fb)
    out[database] = {"rows": t.n_rows(), "log": fb.lines, "layer": t.layer_uri, "display": t.target.display}
    t.close()
print(json.dumps(out, ensure_ascii=False))
'''


def test_authcfg_and_stored_connection(first_run, pg_server, tmp_path):
    """QGIS's authentication manager (authcfg) and a stored QGIS connection, in a QGIS of its own (a private
    authentication database and settings, so the machine's profile is never touched)."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    base, res, _fb = first_run
    probe = tmp_path / "probe.py"
    probe.write_text(AUTH_PROBE, encoding="utf-8")
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "QGIS_AUTH_DB_DIR_PATH": str(tmp_path) + "/", "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "QT_QPA_PLATFORM": "offscreen", "LW_USER": pg_server.user, "LW_PASSWORD": pg_server.password}
    env.pop("PGSERVICEFILE", None)
    r = subprocess.run([sys.executable, str(probe), str(root), str(pg_server.port), base], capture_output=True,
                       text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert set(out) == {"两违台账", f"host=127.0.0.1 port={pg_server.port} dbname=lincang authcfg=" +
                        out["两违台账"]["layer"].split("authcfg=")[1].split()[0]}
    for o in out.values():
        assert o["rows"] == res["N_CASES"]
        assert "authcfg=" in o["layer"] and "password" not in o["layer"]
    assert PASSWORD not in r.stdout and PASSWORD not in r.stderr
