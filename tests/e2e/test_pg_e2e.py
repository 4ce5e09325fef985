"""The PostGIS register through qgis_process: a run SIGKILLed while it holds the merge transaction leaves the table
exactly as before; two runs started together take turns and lose nothing (real server: tests/pg.py)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pg import PASSWORD, pg_server_fixture, wait_for  # noqa: F401 - the pg_server fixture

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from qprun import WRAPPER, _args, run_alg  # noqa: E402

pytestmark = pytest.mark.e2e
INJECTION = "'); DROP TABLE register; --"


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    from devtools import fileio
    from devtools.samplecity import generate_city

    path = tmp_path_factory.mktemp("pgcity_e2e") / "city.gpkg"
    fileio.write_city(generate_city(800, seed=7), path)
    return path


def params(city, folder, table, run_date):
    def lyr(name):
        return f"{city}|layername={name}"

    return {"EARLIER": lyr("buildings_2019"), "LATER": lyr("buildings_2023"), "RED_LINES": lyr("red_lines"),
            "BLUE_LINES": lyr("blue_lines"), "PIPELINES": lyr("pipelines"), "DISTRICTS": lyr("districts"),
            "EARLIER_FLOORS_FIELD": "floors", "LATER_FLOORS_FIELD": "floors", "RUN_DATE": run_date,
            "OUTPUT_FOLDER": str(folder), "DATABASE": "service=liangwei_test", "DB_TABLE": table}


def rows(srv, table):
    con = srv.connect()
    try:
        with con.cursor() as cur:
            cur.execute(f"SELECT *, encode(ST_AsEWKB(geom), 'hex') AS _g FROM {table} ORDER BY case_id")
            names = [d[0] for d in cur.description]
            return {r[names.index("case_id")]: {n: v for n, v in zip(names, r) if n != "geom"} for r in cur.fetchall()}
    finally:
        con.close()


def plugin_connections(srv, where="TRUE"):
    return srv.query(f"SELECT count(*) FROM pg_stat_activity WHERE application_name = 'lincang_liangwei' AND "
                     f"{where}")[0][0]


def test_sigkill_while_merging_leaves_the_table_as_before(pg_server, city, tmp_path):
    t = "public.e2e_kill"
    pg_server.drop(t)
    first = run_alg("liangwei:fullcheck", params(city, tmp_path / "1", t, "2024-03-01"))
    assert first.results["N_CASES"] > 5 and PASSWORD not in first.log
    ids = sorted(rows(pg_server, t))
    pg_server.query(f"UPDATE {t} SET remarks = %s, check_result = '属实' WHERE case_id = %s", (INJECTION, ids[0]))
    pg_server.query(f"DELETE FROM {t} WHERE case_id = %s", (ids[1],))   # the run will insert a new case first
    snapshot = rows(pg_server, t)

    # a team member holds case ids[2]: the run's UPDATE of kept cases waits there, inside its transaction
    team = pg_server.connect(autocommit=False)
    with team.cursor() as cur:
        cur.execute(f"SELECT 1 FROM {t} WHERE case_id = %s FOR UPDATE", (ids[2],))
    cmd = [str(WRAPPER), "run", "liangwei:fullcheck", "--json", *_args(params(city, tmp_path / "2", t, "2025-03-01"))]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ))
    try:
        wait_for(lambda: plugin_connections(pg_server, "wait_event_type = 'Lock'") == 1, 240,
                 what="the run to reach its UPDATE (blocked by the team's row lock)")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
        team.rollback()
        team.close()
    wait_for(lambda: plugin_connections(pg_server) == 0, 60, what="the server to drop the killed run's session")
    assert rows(pg_server, t) == snapshot
    assert pg_server.query("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")[0][0] == 0


def test_two_runs_at_once_take_turns_and_lose_nothing(pg_server, city, tmp_path):
    t = "public.e2e_two"
    pg_server.drop(t)
    run_alg("liangwei:fullcheck", params(city, tmp_path / "0", t, "2024-03-01"))
    before = rows(pg_server, t)
    ids = sorted(before)
    pg_server.query(f"UPDATE {t} SET check_result = '属实', remarks = %s WHERE case_id = %s", (INJECTION, ids[0]))
    procs = []
    for i, day in enumerate(("2025-03-01", "2025-03-02")):
        cmd = [str(WRAPPER), "run", "liangwei:fullcheck", "--json",
               *_args(params(city, tmp_path / f"r{i}", t, day))]
        procs.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ)))
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-2000:] for o in outs]
    after = rows(pg_server, t)
    assert sorted(after) == ids
    assert after[ids[0]]["check_result"] == "属实" and after[ids[0]]["remarks"] == INJECTION
    assert {str(r["last_run"]) for r in after.values()} <= {"2025-03-01", "2025-03-02"}
    assert all(after[c]["first_seen"] == before[c]["first_seen"] for c in ids)
    assert not any(PASSWORD in o[0].decode("utf-8", "replace") + o[1].decode("utf-8", "replace") for o in outs)
