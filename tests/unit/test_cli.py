"""The command line (lincang_liangwei.cli) without QGIS: formats, exit codes, tiled = whole."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely

from lincang_liangwei import cli, cli_io

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def city_gpkg(tmp_path_factory):
    from devtools.fileio import write_city
    from devtools.samplecity import generate_city

    path = tmp_path_factory.mktemp("clicity") / "city.gpkg"
    write_city(generate_city(1500, seed=5), path)
    return str(path)


def _run(argv):
    return cli.main(argv)


def _table(path, layer=None):
    d = cli_io.read_output(str(path), layer)
    df = d.attrs.copy()
    df["__wkb"] = [None if g is None else shapely.to_wkb(shapely.normalize(g)) for g in d.geoms]
    return df


def _same_rows(a, b, key):
    a = a.sort_values(key).reset_index(drop=True)
    b = b.sort_values(key).reset_index(drop=True)
    assert len(a) == len(b)
    for c in a.columns:
        x, y = a[c].to_numpy(), b[c].to_numpy()
        if x.dtype.kind == "f" and y.dtype.kind == "f":
            assert np.array_equal(x, y, equal_nan=True), c
        else:
            assert [None if v != v else v for v in x] == [None if v != v else v for v in y], c


def test_layer_spec():
    assert cli_io.parse_layer_spec("a/b.gpkg|layername=x") == ("a/b.gpkg", "x")
    assert cli_io.parse_layer_spec("a/b.gpkg:x") == ("a/b.gpkg", "x")
    assert cli_io.parse_layer_spec("b.shp") == ("b.shp", None)
    assert cli_io.parse_layer_spec("C:\\data\\b.shp") == ("C:\\data\\b.shp", None)


@pytest.mark.parametrize("ext", [".gpkg", ".shp", ".fgb", ".geojson", ".parquet"])
def test_every_format(city_gpkg, tmp_path, ext):
    out = tmp_path / f"breaches{ext}"
    argv = ["pipeclearance", "--footprints", f"{city_gpkg}:buildings_2023", "--pipelines", f"{city_gpkg}:pipelines",
            "--output", str(out), "--quiet"]
    if ext == ".parquet" and not cli_io.driver_available("Parquet"):
        assert _run(argv) == 2   # said clearly, nothing written
        assert not out.exists()
        pytest.skip("this GDAL has no Parquet driver (GeoParquet): exit code 2 checked")
    assert _run(argv) == 0
    ref = tmp_path / "ref.gpkg"
    assert _run(argv[:-2] + [str(ref), "--quiet"]) == 0
    a, b = _table(out), _table(ref)
    assert len(a) == len(b) > 20
    assert np.allclose(np.sort(a["bld_fid"].to_numpy(dtype=float)), np.sort(b["bld_fid"].to_numpy(dtype=float)))


def test_footprints_as_shapefile_input(city_gpkg, tmp_path):
    d = cli_io.read_layer(f"{city_gpkg}:buildings_2023")
    shp = cli_io.Output(str(tmp_path / "b.shp"), "b", "ESRI Shapefile")
    cli_io.write_source_rows(shp, d, d.fids[:0], [], [])
    out = tmp_path / "pieces.gpkg"
    assert _run(["controllines", "--footprints", str(tmp_path / "b.shp"), "--red-lines", f"{city_gpkg}:red_lines",
                 "--output", str(out), "--output-buildings", str(tmp_path / "blds.shp"), "--quiet"]) == 0
    assert len(_table(tmp_path / "blds.shp")) == len(d)


def test_exit_codes(city_gpkg, tmp_path):
    out = str(tmp_path / "o.gpkg")
    assert _run(["controllines", "--footprints", f"{city_gpkg}:buildings_2023", "--output", out, "--quiet"]) == 2
    assert _run(["controllines", "--footprints", city_gpkg, "--red-lines", f"{city_gpkg}:red_lines",
                 "--output", out, "--quiet"]) == 2   # several layers, no name
    assert _run(["controllines", "--footprints", "/nonexistent.gpkg", "--red-lines", f"{city_gpkg}:red_lines",
                 "--output", out]) == 2
    assert _run(["controllines", "--footprints", f"{city_gpkg}:buildings_2023", "--red-lines", f"{city_gpkg}:red_lines",
                 "--output", city_gpkg]) == 2       # would replace an input
    assert _run(["controllines", "--footprints", f"{city_gpkg}:nolayer", "--red-lines", f"{city_gpkg}:red_lines",
                 "--output", out]) == 2
    assert _run(["bogus"]) == 2
    assert _run(["compareepochs", "--earlier", f"{city_gpkg}:buildings_2019", "--later", f"{city_gpkg}:buildings_2023",
                 "--output", str(tmp_path / "x.xyz")]) == 2
    assert not os.path.exists(out)


def test_bad_input_is_one_line_without_traceback(city_gpkg, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.run([sys.executable, "-m", "lincang_liangwei.cli", "controllines", "--footprints", city_gpkg,
                        "--red-lines", f"{city_gpkg}:red_lines", "--output", str(tmp_path / "o.gpkg")],
                       capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 2
    assert "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and "layername=" in p.stderr
    assert "qgis" not in p.stderr.lower()


def test_interrupted_exit_3(monkeypatch, city_gpkg, tmp_path):
    def boom(*a, **k):
        raise KeyboardInterrupt
    monkeypatch.setattr(cli, "run_controllines", boom)
    monkeypatch.setitem(cli.RUNNERS, "controllines", boom)
    assert _run(["controllines", "--footprints", f"{city_gpkg}:buildings_2023", "--red-lines", f"{city_gpkg}:red_lines",
                 "--output", str(tmp_path / "o.gpkg")]) == 3


def test_no_qgis_imported(city_gpkg, tmp_path):
    code = ("import sys; from lincang_liangwei import cli; rc = cli.main(sys.argv[1:]); "
            "assert not [m for m in sys.modules if m.split('.')[0] == 'qgis'], 'qgis imported'; sys.exit(rc)")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.run([sys.executable, "-c", code, "pipeclearance", "--footprints", f"{city_gpkg}:buildings_2023",
                        "--pipelines", f"{city_gpkg}:pipelines", "--output", str(tmp_path / "b.gpkg"), "--json"],
                       capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode == 0, p.stderr
    summary = json.loads(p.stdout)
    assert summary["ok"] and summary["N_BREACHES"] > 0


@pytest.mark.parametrize("alg", ["controllines", "pipeclearance", "compareepochs"])
def test_tiled_equals_whole_through_cli(city_gpkg, tmp_path, alg):
    c = city_gpkg
    args = {
        "controllines": ["--footprints", f"{c}:buildings_2023", "--red-lines", f"{c}:red_lines",
                         "--water-source", f"{c}:water_source", "--yellow-lines", f"{c}:red_lines_cad"],
        "pipeclearance": ["--footprints", f"{c}:buildings_2023", "--pipelines", f"{c}:pipelines"],
        "compareepochs": ["--earlier", f"{c}:buildings_2019", "--later", f"{c}:buildings_2023",
                          "--earlier-floors-field", "floors", "--later-floors-field", "floors"],
    }[alg]
    outs = {}
    for mode in ("whole", "tiled"):
        o = tmp_path / f"{mode}.gpkg"
        assert _run([alg, *args, "--output", str(o), "--partition", mode, "--tile-m", "80", "--quiet"]) == 0
        outs[mode] = _table(o)
    key = {"controllines": ["bld_fid", "line_type", "zone_fid"], "pipeclearance": ["bld_fid", "pipe_fid"],
           "compareepochs": ["bld_fid"]}[alg]
    _same_rows(outs["whole"], outs["tiled"], key)
