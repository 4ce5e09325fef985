"""kill -9 of a qgis_process run while it writes: the previous output stays byte-identical and readable, and the
next run removes what the killed one left (issue 7).  Every writer: the QGIS file writer (shapefile, GeoJSON,
GeoPackage with the fast path off) and the bulk GeoPackage writer."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from qprun import WRAPPER, _args, run_alg  # noqa: E402

from devtools import fileio  # noqa: E402
from devtools.samplecity import generate_city  # noqa: E402

pytestmark = pytest.mark.e2e
N = 40000


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    path = tmp_path_factory.mktemp("faultcity") / "city.gpkg"
    fileio.write_city(generate_city(N, seed=5), path)
    return path


def params(city, out: dict, zones=("red_lines",)):
    p = {"FOOTPRINTS": f"{city}|layername=buildings_2023", "MIN_AREA": 0}
    for z in zones:
        p[z.upper()] = f"{city}|layername={z}"
    return {**p, **out}


def snapshot(folder: Path, stem=None) -> dict:
    return {p.name: p.read_bytes() for p in folder.iterdir()
            if ".lwtmp" not in p.name and (stem is None or p.name.startswith(stem + "."))}


def leftovers(folder: Path) -> list:
    return sorted(p.name for p in folder.iterdir() if ".lwtmp" in p.name)


def features(path: Path) -> int:
    from osgeo import ogr

    ds = ogr.Open(str(path))
    assert ds is not None, path
    return ds.GetLayer(0).GetFeatureCount()


def start(alg, p, env=None):
    return subprocess.Popen([str(WRAPPER), "run", alg, "--json", *_args(p)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env={**os.environ, **(env or {})})


def kill_when_writing(proc, folder: Path, stem: str, delay: float, timeout=120.0):
    """SIGKILL ``proc`` ``delay`` s after the temporary file of output ``stem`` appears."""
    t0 = time.time()
    while time.time() - t0 < timeout:
        if any(n.startswith(f".{stem}.") and ".lwtmp" in n for n in os.listdir(folder)):
            break
        if proc.poll() is not None:
            pytest.fail(f"run ended (exit {proc.returncode}) before its temporary output appeared")
        time.sleep(0.005)
    else:
        proc.kill()
        pytest.fail("no temporary output appeared")
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the run finished before it was killed"


@pytest.mark.parametrize("ext,env,delay", [("shp", {}, 0.0), ("shp", {}, 0.4), ("geojson", {}, 0.3),
                                           ("gpkg", {"LIANGWEI_NO_FAST_WRITE": "1"}, 0.3), ("gpkg", {}, 0.0)],
                         ids=["shp-start", "shp-mid", "geojson", "gpkg-qgis-writer", "gpkg-bulk"])
def test_kill_during_write_keeps_previous_output(city, tmp_path, ext, env, delay):
    out = tmp_path / "out"
    out.mkdir()
    dests = {"OUTPUT": out / "pieces.gpkg", "OUTPUT_BUILDINGS": out / f"b.{ext}"}
    # the previous output: red lines only (the run that is killed adds blue lines, so its columns differ)
    first = run_alg("liangwei:controllines", params(city, dests), env=env)
    assert int(first.results["N_BUILDINGS"]) > N
    before = snapshot(out, "b")
    assert len(before) == {"shp": 5, "geojson": 1, "gpkg": 1}[ext]   # .shp .shx .dbf .prj .cpg
    n_before = features(out / f"b.{ext}")
    assert n_before == int(first.results["N_BUILDINGS"])

    proc = start("liangwei:controllines", params(city, dests, ("red_lines", "blue_lines")), env)
    kill_when_writing(proc, out, "b", delay)
    assert snapshot(out, "b") == before                 # byte-identical, every sidecar
    assert features(out / f"b.{ext}") == n_before       # and readable
    assert leftovers(out)                               # killed mid-write: its temporary file is there

    again = run_alg("liangwei:controllines", params(city, dests, ("red_lines", "blue_lines")), env=env)
    assert leftovers(out) == []
    assert features(out / f"b.{ext}") == int(again.results["N_BUILDINGS"])
    assert snapshot(out, "b") != before   # the new output (blue-line column) replaced it


def test_timed_kills_never_leave_a_half_output(city, tmp_path):
    """Kills at fixed fractions of a measured run: whatever the moment, each output is the previous one, byte for
    byte (same inputs, so a complete new shapefile / GeoJSON is the same bytes) — never half a file or a mixed
    shapefile family."""
    out = tmp_path / "out"
    out.mkdir()
    dests = {"OUTPUT": out / "p.geojson", "OUTPUT_BUILDINGS": out / "b.shp"}
    t0 = time.time()
    run_alg("liangwei:controllines", params(city, dests))
    total = time.time() - t0
    before = snapshot(out)
    for frac in (0.55, 0.75, 0.9, 0.97):
        proc = start("liangwei:controllines", params(city, dests))
        time.sleep(total * frac)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert snapshot(out) == before, frac
        assert features(out / "b.shp") > N
    run_alg("liangwei:controllines", params(city, dests))
    assert leftovers(out) == [] and snapshot(out) == before
