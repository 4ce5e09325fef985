"""The command line (no QGIS) and the plugin (qgis_process) give the same outputs, feature by feature."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import shapely

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from qprun import run_alg  # noqa: E402

from lincang_liangwei import cli, cli_io  # noqa: E402

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    from devtools.fileio import write_city
    from devtools.samplecity import generate_city

    path = tmp_path_factory.mktemp("cli_vs_plugin") / "city.gpkg"
    write_city(generate_city(1500, seed=8), path)
    return str(path)


def _features(path):
    d = cli_io.read_output(str(path), Path(path).stem)
    df = d.attrs.copy()
    df["__wkb"] = [None if g is None else shapely.to_wkb(shapely.normalize(g)) for g in d.geoms]
    df["__fid"] = d.fids
    return df


def _same(a, b, key):
    a = a.sort_values(key).reset_index(drop=True)
    b = b.sort_values(key).reset_index(drop=True)
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b)
    for c in a.columns:
        x, y = a[c].to_numpy(), b[c].to_numpy()
        if x.dtype.kind == "f" and y.dtype.kind == "f":
            assert np.array_equal(x, y, equal_nan=True), c
        else:
            assert [None if v != v else v for v in x] == [None if v != v else v for v in y], c


CASES = {
    "controllines": (
        lambda c: {"FOOTPRINTS": f"{c}|layername=buildings_2023", "RED_LINES": f"{c}|layername=red_lines",
                   "WATER_SOURCE": f"{c}|layername=water_source", "YELLOW_LINES": f"{c}|layername=red_lines_cad"},
        {"OUTPUT": ["bld_fid", "line_type", "zone_fid"], "OUTPUT_BUILDINGS": ["__fid"]}),
    "pipeclearance": (
        lambda c: {"FOOTPRINTS": f"{c}|layername=buildings_2023", "PIPELINES": f"{c}|layername=pipelines"},
        {"OUTPUT": ["bld_fid", "pipe_fid"]}),
    "compareepochs": (
        lambda c: {"EARLIER": f"{c}|layername=buildings_2019", "LATER": f"{c}|layername=buildings_2023",
                   "EARLIER_FLOORS_FIELD": "floors", "LATER_FLOORS_FIELD": "floors",
                   "EARLIER_DATE": "2019", "LATER_DATE": "2023"},
        {"OUTPUT": ["__fid"], "OUTPUT_DEMOLISHED": ["__fid"], "OUTPUT_GROWTH": ["fid_later"]}),
}


@pytest.mark.parametrize("alg", sorted(CASES))
@pytest.mark.parametrize("partition", ["whole", "tiled"])
def test_cli_equals_plugin(city, tmp_path, alg, partition):
    params_of, outputs = CASES[alg]
    params = params_of(city)
    plugin_out = {o: str(tmp_path / f"plugin_{o.lower()}.gpkg") for o in outputs}
    cli_out = {o: str(tmp_path / f"cli_{o.lower()}.gpkg") for o in outputs}
    res = run_alg(f"liangwei:{alg}", {**params, **plugin_out})
    assert res.ok, res.stderr
    argv = [alg]
    for k, v in {**params, **cli_out}.items():
        flag = "--" + k.lower().replace("_", "-")
        if "|layername=" in v:
            v = v.replace("|layername=", ":")
        argv += [flag, v]
    assert cli.main(argv + ["--partition", partition, "--tile-m", "80", "--quiet"]) == 0
    for o, key in outputs.items():
        _same(_features(plugin_out[o]), _features(cli_out[o]), key)
