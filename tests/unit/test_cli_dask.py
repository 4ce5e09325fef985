"""--scheduler local: the tiles on a Dask LocalCluster (2 workers) give the single-process results exactly."""
from __future__ import annotations

import numpy as np
import pytest
import shapely

pytest.importorskip("dask.distributed")

from lincang_liangwei import cli, cli_io  # noqa: E402


@pytest.fixture(scope="module")
def city_gpkg(tmp_path_factory):
    from devtools.fileio import write_city
    from devtools.samplecity import generate_city

    path = tmp_path_factory.mktemp("daskcity") / "city.gpkg"
    write_city(generate_city(1500, seed=9), path)
    return str(path)


def _table(path):
    d = cli_io.read_output(str(path))
    df = d.attrs.copy()
    df["__wkb"] = [None if g is None else shapely.to_wkb(g) for g in d.geoms]
    df["__fid"] = d.fids
    return df


def _alg_args(alg, c):
    return {
        "controllines": ["--footprints", f"{c}:buildings_2023", "--red-lines", f"{c}:red_lines",
                         "--blue-lines", f"{c}:blue_lines", "--water-source", f"{c}:water_source"],
        "pipeclearance": ["--footprints", f"{c}:buildings_2023", "--pipelines", f"{c}:pipelines"],
        "compareepochs": ["--earlier", f"{c}:buildings_2019", "--later", f"{c}:buildings_2023",
                          "--later-floors-field", "floors", "--earlier-floors-field", "floors"],
    }[alg]


@pytest.mark.parametrize("alg", ["controllines", "pipeclearance", "compareepochs"])
def test_dask_local_equals_single_process(city_gpkg, tmp_path, alg):
    c = city_gpkg
    args = _alg_args(alg, c)
    single, dask = tmp_path / "single.gpkg", tmp_path / "dask.gpkg"
    assert cli.main([alg, *args, "--output", str(single), "--partition", "whole", "--quiet"]) == 0
    assert cli.main([alg, *args, "--output", str(dask), "--scheduler", "local", "--workers", "2", "--tile-m", "300",
                     "--quiet"]) == 0
    _assert_same_rows(_table(single), _table(dask), 0)


def _assert_same_rows(a, b, more_than):
    assert list(a.columns) == list(b.columns) and len(a) == len(b) > more_than
    for col in a.columns:   # same rows in the same order, feature by feature
        x, y = a[col].to_numpy(), b[col].to_numpy()
        if x.dtype.kind == "f":
            assert np.array_equal(x, y, equal_nan=True), col
        else:
            assert [None if v != v else v for v in x] == [None if v != v else v for v in y], col


@pytest.fixture(scope="module")
def city_1e5(tmp_path_factory):
    from devtools.fileio import write_city
    from devtools.samplecity import generate_city

    path = tmp_path_factory.mktemp("daskcity5") / "city.gpkg"
    write_city(generate_city(100_000, seed=42), path)
    return str(path)


@pytest.mark.slow
@pytest.mark.parametrize("alg", ["controllines", "pipeclearance", "compareepochs"])
def test_dask_streamed_equals_single_process_at_1e5(city_1e5, tmp_path, alg):
    """10^5 buildings, the footprints read tile by tile by the Dask workers themselves (chunks of 20,000) against
    the whole layer in one process: the same outputs, feature by feature."""
    c = city_1e5
    args = _alg_args(alg, c)
    single, dask = tmp_path / "single.gpkg", tmp_path / "dask.gpkg"
    assert cli.main([alg, *args, "--output", str(single), "--partition", "whole", "--quiet"]) == 0
    assert cli.main([alg, *args, "--output", str(dask), "--partition", "tiled", "--chunk-rows", "20000",
                     "--scheduler", "local", "--workers", "2", "--quiet"]) == 0
    _assert_same_rows(_table(single), _table(dask), 1000)
