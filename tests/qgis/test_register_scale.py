"""liangwei:register on a big GeoPackage changes layer (issue 11): the buildings that can be cases are read filtered
straight from SQLite (from LIANGWEI_STREAM_MIN features, as the checks stream), and the register, its XLSX and its
CSV are the whole read's, value for value, through processing.run."""
import contextlib
import io

import pytest

from tests.registerfiles import COUNTS, gpkg_rows, xlsx_parts

ZONES = {"--red-lines": "red_lines", "--blue-lines": "blue_lines", "--green-lines": "green_lines",
         "--water-source": "water_source"}


@pytest.fixture(scope="module")
def checks(tmp_path_factory):
    """A sample city and its three checks' outputs (the command line, whole layers)."""
    from devtools.fileio import write_city
    from devtools.samplecity import generate_city
    from lincang_liangwei import cli

    base = tmp_path_factory.mktemp("regscale_q")
    c = str(base / "city.gpkg")
    write_city(generate_city(2500, seed=3), c)
    folder = base / "checks"
    argv = ["fullcheck", "--earlier", f"{c}:buildings_2019", "--later", f"{c}:buildings_2023",
            *[x for flag, lyr in ZONES.items() for x in (flag, f"{c}:{lyr}")], "--pipelines", f"{c}:pipelines",
            "--earlier-floors-field", "floors", "--later-floors-field", "floors", "--run-date", "2024-03-01",
            "--output-folder", str(folder), "--partition", "whole", "--quiet", "--json"]
    with contextlib.redirect_stdout(io.StringIO()):
        assert cli.main(argv) == 0
    return c, folder


def run_both(monkeypatch, tmp_path, feedback, params):
    from qgis import processing

    res = {}
    for mode, threshold in (("whole", "100000000"), ("filtered", "1")):
        monkeypatch.setenv("LIANGWEI_STREAM_MIN", threshold)
        monkeypatch.setenv("LIANGWEI_STREAM_CHUNK", "97")   # the filtered register: its cases 97 buildings at a time
        out = tmp_path / mode
        out.mkdir()
        before = len(feedback.text)
        p = dict(params, OUTPUT=str(out / "register.gpkg"), XLSX=str(out / "register.xlsx"),
                 CSV=str(out / "register.csv"))
        res[mode] = (out, processing.run("liangwei:register", p, feedback=feedback), feedback.text[before:])
    return res


def assert_same(res):
    (a, ra, _la), (b, rb, _lb) = res["whole"], res["filtered"]
    ca, rowa = gpkg_rows(a / "register.gpkg")
    cb, rowb = gpkg_rows(b / "register.gpkg")
    assert ca == cb and len(rowa) == len(rowb) > 100
    assert rowa == rowb
    assert (a / "register.csv").read_bytes() == (b / "register.csv").read_bytes()
    assert xlsx_parts(a / "register.xlsx") == xlsx_parts(b / "register.xlsx")
    for k in COUNTS:
        assert ra[k] == rb[k], k


def params_of(c, folder, changes=None):
    return {"CHANGES": changes or f"{folder}/epochs_later.gpkg|layername=epochs_later",
            "ENCROACHMENTS": f"{folder}/controllines_pieces.gpkg|layername=controllines_pieces",
            "BREACHES": f"{folder}/pipeclearance.gpkg|layername=pipeclearance",
            "COMPOUNDS": f"{c}|layername=compounds", "DISTRICTS": f"{c}|layername=districts",
            "PERMITS": f"{c}|layername=permits", "RUN_DATE": "2024-03-01"}


def test_register_filtered_equals_whole(liangwei, english, checks, monkeypatch, tmp_path, feedback):
    c, folder = checks
    res = run_both(monkeypatch, tmp_path, feedback, params_of(c, folder))
    assert_same(res)
    marker = "buildings with a finding or a change read from the GeoPackage"
    assert marker in res["filtered"][2] and marker not in res["whole"][2]
    # the whole layer's cleaning counts are logged on both paths, the same
    line = [x for x in res["whole"][2].splitlines() if x.startswith("epochs_later: ") and "features in" in x]
    assert line and line[0] in res["filtered"][2]
    assert res["whole"][1]["N_BUILDINGS"] == 2500 and res["whole"][1]["N_TEMP_EXPIRED"] > 0


def test_register_filtered_with_copies_and_null_changes(liangwei, english, checks, monkeypatch, tmp_path, feedback):
    """Copies of buildings added to the changes layer (skipped as duplicates whichever path reads them) and NULL
    changes."""
    import shutil

    from osgeo import ogr

    c, folder = checks
    path = tmp_path / "changes.gpkg"
    shutil.copy(folder / "epochs_later.gpkg", path)
    ogr.UseExceptions()
    ds = ogr.Open(str(path), 1)
    lyr = ds.GetLayerByName("epochs_later")
    news, unchanged, top = [], [], 0
    for f in lyr:
        top = max(top, f.GetField("bld_fid") or 0)
        (news if f.GetField("change") == "new" else unchanged if f.GetField("change") == "unchanged" else []).append(
            f.GetFID())
    for k, (fid, as_change) in enumerate([(f, "new") for f in unchanged[:3]] + [(f, "unchanged") for f in news[:3]]):
        copy = lyr.GetFeature(fid).Clone()
        copy.SetFID(-1)
        copy.SetField("change", as_change)
        copy.SetField("bld_fid", top + 1 + k)
        lyr.CreateFeature(copy)
    for fid in news[3:6]:
        f = lyr.GetFeature(fid)
        f.SetFieldNull("change")
        lyr.SetFeature(f)
    ds = None
    res = run_both(monkeypatch, tmp_path, feedback, params_of(c, folder, f"{path}|layername=epochs_later"))
    assert_same(res)
    assert "duplicate of another feature's outline" in res["filtered"][2]
    assert res["whole"][1]["N_SKIPPED"] == res["filtered"][1]["N_SKIPPED"] >= 6
