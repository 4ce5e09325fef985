"""Outputs as the dialog and scripts give them: temporary outputs with a destination project, files, spellings
of an input's file, two outputs on one file, folders that cannot take the file (issue 7, outputs and faults)."""
import os
import sqlite3

import pytest
from qgis.core import (
    QgsApplication,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingOutputLayerDefinition,
    QgsProcessingUtils,
    QgsProject,
    QgsVectorLayer,
)

from devtools import fileio
from devtools.samplecity import generate_city

from .conftest import in_english

ZONES = {"RED_LINES": "red_lines", "BLUE_LINES": "blue_lines", "GREEN_LINES": "green_lines",
         "WATER_SOURCE": "water_source"}
SINKS = {"liangwei:controllines": ("OUTPUT", "OUTPUT_BUILDINGS"),
         "liangwei:pipeclearance": ("OUTPUT",),
         "liangwei:compareepochs": ("OUTPUT", "OUTPUT_DEMOLISHED", "OUTPUT_GROWTH")}
# output -> result count its feature count must equal (None: the input layer's size)
COUNTS = {("liangwei:controllines", "OUTPUT"): "N_HITS", ("liangwei:controllines", "OUTPUT_BUILDINGS"): "N_BUILDINGS",
          ("liangwei:pipeclearance", "OUTPUT"): "N_BREACHES", ("liangwei:compareepochs", "OUTPUT"): "N_LATER",
          ("liangwei:compareepochs", "OUTPUT_DEMOLISHED"): "N_DEMOLISHED"}


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    path = tmp_path_factory.mktemp("city") / "city.gpkg"
    fileio.write_city(generate_city(400, seed=11), path)
    return path


def lyr(city, name):
    return f"{city}|layername={name}"


def inputs(alg, city):
    if alg == "liangwei:controllines":
        return {"FOOTPRINTS": lyr(city, "buildings_2023"), **{k: lyr(city, v) for k, v in ZONES.items()}}
    if alg == "liangwei:pipeclearance":
        return {"FOOTPRINTS": lyr(city, "buildings_2023"), "PIPELINES": lyr(city, "pipelines")}
    return {"EARLIER": lyr(city, "buildings_2019"), "LATER": lyr(city, "buildings_2023")}


def run_like_dialog(alg_id, params, feedback):
    """What AlgorithmDialog does: alg.run with a context whose project is set, then load every layer the
    context lists (processing/gui/Postprocessing.handleAlgorithmResults)."""
    project = QgsProject.instance()
    context = QgsProcessingContext()
    context.setProject(project)
    alg = QgsApplication.processingRegistry().createAlgorithmById(alg_id)
    results, ok = alg.run(params, context, feedback)
    assert ok, feedback.text
    loaded, wrong = {}, []
    for key, details in context.layersToLoadOnCompletion().items():
        layer = QgsProcessingUtils.mapLayerFromString(key, context)
        if layer is None or not layer.isValid():
            wrong.append(key)  # the dialog's "The following layers were not correctly generated"
        else:
            loaded[details.outputName] = layer
    return results, loaded, wrong, context


@pytest.mark.parametrize("alg_id", list(SINKS))
def test_temporary_outputs_as_the_dialog_gives_them_all_load(liangwei, city, feedback, alg_id):
    project = QgsProject.instance()
    params = {**inputs(alg_id, city), **{s: QgsProcessingOutputLayerDefinition("TEMPORARY_OUTPUT", project)
                                         for s in SINKS[alg_id]}}
    results, loaded, wrong, context = run_like_dialog(alg_id, params, feedback)
    assert wrong == []  # no bogus memory:<description> layer
    assert not any(k.startswith("memory:") for k in context.layersToLoadOnCompletion())
    assert sorted(loaded) == sorted(SINKS[alg_id])
    for sink in SINKS[alg_id]:
        count = COUNTS.get((alg_id, sink))
        if count:
            assert loaded[sink].featureCount() == int(results[count]), sink
    if alg_id == "liangwei:compareepochs":
        assert loaded["OUTPUT_GROWTH"].featureCount() > 0


@pytest.mark.parametrize("alg_id", list(SINKS))
@pytest.mark.parametrize("ext", ["gpkg", "shp"])
def test_file_outputs_with_a_destination_project_load(liangwei, city, feedback, tmp_path, alg_id, ext):
    project = QgsProject.instance()
    params = {**inputs(alg_id, city), **{s: QgsProcessingOutputLayerDefinition(str(tmp_path / f"{s.lower()}.{ext}"),
                                                                                  project) for s in SINKS[alg_id]}}
    results, loaded, wrong, context = run_like_dialog(alg_id, params, feedback)
    assert wrong == []
    assert sorted(loaded) == sorted(SINKS[alg_id])
    for sink in SINKS[alg_id]:
        path = tmp_path / f"{sink.lower()}.{ext}"
        assert results[sink].split("|")[0] == str(path)
        count = COUNTS.get((alg_id, sink))
        if count:
            assert loaded[sink].featureCount() == int(results[count]), sink
            assert QgsVectorLayer(str(path)).featureCount() == int(results[count])
        if ext == "gpkg":   # one layer, named after the file, nothing left beside it
            assert [n for n in fileio.list_layers(path) if n != "layer_styles"] == [sink.lower()]
    assert not [p for p in os.listdir(tmp_path) if ".lwtmp" in p]


def run(alg_id, params, feedback):
    from qgis import processing

    return processing.run(alg_id, params, feedback=feedback)


def count(path, table):
    with sqlite3.connect(str(path)) as con:
        return con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]


@pytest.fixture
def own_city(city, tmp_path):
    """A private copy of the city (the tests below try to write into it)."""
    import shutil

    path = tmp_path / "in" / "city.gpkg"
    path.parent.mkdir()
    shutil.copy(city, path)
    return path


def spellings(city):
    rel = os.path.relpath(city)
    link = city.parent / "link.gpkg"
    if not link.exists():
        link.symlink_to(city)
    return [f"ogr:dbname='{city}' table=\"buildings_2023\"",
            f"{city}|layername=buildings_2023",
            str(city),
            rel,
            str(link),
            f"ogr:dbname='{link}' table=\"BUILDINGS_2023\"",
            str(city.parent / ".." / city.parent.name / "city.gpkg")]


@pytest.mark.parametrize("k", range(7))
def test_refuses_every_spelling_of_an_input_layer_or_file(liangwei, own_city, feedback, k):
    before = count(own_city, "buildings_2023")
    data = own_city.read_bytes()
    dest = spellings(own_city)[k]
    params = {**inputs("liangwei:controllines", own_city), "OUTPUT": "memory:", "OUTPUT_BUILDINGS": dest}
    with pytest.raises(QgsProcessingException, match="会覆盖输入 FOOTPRINTS"):
        run("liangwei:controllines", params, feedback)
    with in_english(), pytest.raises(QgsProcessingException, match="would replace .*input FOOTPRINTS"):
        run("liangwei:controllines", params, feedback)
    assert count(own_city, "buildings_2023") == before
    assert own_city.read_bytes() == data


def test_refuses_replacing_another_input_layer_of_the_same_file(liangwei, own_city, feedback):
    params = {**inputs("liangwei:controllines", own_city), "OUTPUT_BUILDINGS": "memory:",
              "OUTPUT": f"ogr:dbname='{own_city}' table=\"red_lines\""}
    with pytest.raises(QgsProcessingException, match="RED_LINES.*red_lines"):
        run("liangwei:controllines", params, feedback)
    assert count(own_city, "red_lines") > 0


@pytest.mark.parametrize("spelling", ["ogr", "layername"])
def test_a_new_layer_in_an_input_geopackage_is_written_beside_the_inputs(liangwei, own_city, feedback, spelling):
    layers = fileio.list_layers(own_city)
    sizes = {name: count(own_city, name) for name in layers}
    dest = (f"ogr:dbname='{own_city}' table=\"summary\"" if spelling == "ogr" else f"{own_city}|layername=summary")
    params = {**inputs("liangwei:controllines", own_city), "OUTPUT": "memory:", "OUTPUT_BUILDINGS": dest}
    res = run("liangwei:controllines", params, feedback)
    assert sorted(fileio.list_layers(own_city)) == sorted(layers + ["summary", "layer_styles"])   # + its style
    assert {name: count(own_city, name) for name in layers} == sizes   # inputs untouched
    assert count(own_city, "summary") == res["N_BUILDINGS"] == sizes["buildings_2023"]


@pytest.mark.parametrize("second", ["same", "relative", "symlink", "layername"])
def test_two_outputs_on_one_file_are_refused(liangwei, city, feedback, tmp_path, monkeypatch, second):
    monkeypatch.chdir(tmp_path)
    first = tmp_path / "out.gpkg"
    (tmp_path / "link.gpkg").symlink_to(first)
    other = {"same": str(first), "relative": "out.gpkg", "symlink": str(tmp_path / "link.gpkg"),
             "layername": f"{first}|layername=b"}[second]
    params = {**inputs("liangwei:controllines", city), "OUTPUT": str(first), "OUTPUT_BUILDINGS": other}
    with pytest.raises(QgsProcessingException, match="OUTPUT 与 OUTPUT_BUILDINGS 指向同一目标"):
        run("liangwei:controllines", params, feedback)
    with in_english(), pytest.raises(QgsProcessingException, match="OUTPUT and OUTPUT_BUILDINGS both point at"):
        run("liangwei:controllines", params, feedback)
    assert not first.exists()


@pytest.mark.parametrize("where", ["missing", "under_a_file", "existing_folder"])
def test_unusable_output_folder_is_one_clear_message(liangwei, city, feedback, tmp_path, where):
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "dir.gpkg").mkdir()
    dest = {"missing": tmp_path / "nope" / "out.gpkg", "under_a_file": tmp_path / "notes.txt" / "out.gpkg",
            "existing_folder": tmp_path / "dir.gpkg"}[where]
    params = {**inputs("liangwei:pipeclearance", city), "OUTPUT": str(dest)}
    with pytest.raises(QgsProcessingException, match=r"无法写入输出 OUTPUT："):
        run("liangwei:pipeclearance", params, feedback)
    with in_english(), pytest.raises(QgsProcessingException, match=r"cannot write output OUTPUT: "):
        run("liangwei:pipeclearance", params, feedback)


def test_unwritable_folder(liangwei, city, feedback, tmp_path, monkeypatch):
    """Tests run as root, who may write anywhere: a folder the OS refuses is simulated at os.access and,
    past that check, at the file creation itself (the PermissionError becomes the same one-line message)."""
    from lincang_liangwei import atomicfile

    params = {**inputs("liangwei:pipeclearance", city), "OUTPUT": str(tmp_path / "out.gpkg")}
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, m, **kw: False if str(p) == str(tmp_path) else real_access(p, m))
    with pytest.raises(QgsProcessingException, match="没有写入文件夹"):
        run("liangwei:pipeclearance", params, feedback)
    with in_english(), pytest.raises(QgsProcessingException, match="no permission to write in folder"):
        run("liangwei:pipeclearance", params, feedback)
    monkeypatch.setattr(os, "access", real_access)

    def refuse(dst):
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(atomicfile, "temp_sibling", refuse)
    for ext in ("gpkg", "shp"):
        params["OUTPUT"] = str(tmp_path / f"out.{ext}")
        with pytest.raises(QgsProcessingException, match="无法写入输出 OUTPUT.*Permission denied"):
            run("liangwei:pipeclearance", params, feedback)


@pytest.mark.parametrize("fast", [True, False])
def test_leftovers_of_killed_runs_are_removed_live_ones_kept(liangwei, city, feedback, tmp_path, monkeypatch, fast):
    import socket

    from lincang_liangwei.atomicfile import _host

    if not fast:
        monkeypatch.setenv("LIANGWEI_NO_FAST_WRITE", "1")
    dead = [tmp_path / f".out.{_host()}-999999999-abcd.lwtmp.gpkg", tmp_path / f".out.{_host()}-999999999-ef01.lwtmp.dbf"]
    alive = tmp_path / f".out.{_host()}-1-beef.lwtmp.gpkg"          # pid 1 is alive
    foreign = tmp_path / ".out.otherhost-999999999-cafe.lwtmp.gpkg"  # another machine's run, recent
    other = tmp_path / f".other.{_host()}-999999999-abcd.lwtmp.gpkg"  # another output's
    for p in dead + [alive, foreign, other]:
        p.write_bytes(b"half")
    assert socket.gethostname()
    params = {**inputs("liangwei:pipeclearance", city), "OUTPUT": str(tmp_path / "out.gpkg")}
    res = run("liangwei:pipeclearance", params, feedback)
    assert not any(p.exists() for p in dead)
    assert alive.exists() and foreign.exists() and other.exists()
    assert "清理了上次中断运行留下的 2 个临时文件" in feedback.text   # "removed 2 temporary file(s)" in English
    assert count(tmp_path / "out.gpkg", "out") == res["N_BREACHES"]


def test_cancel_during_a_sink_write_keeps_the_previous_file(liangwei, city, feedback, tmp_path, monkeypatch):
    from lincang_liangwei.qgis_io import writer

    params = {**inputs("liangwei:controllines", city), "OUTPUT": "memory:", "OUTPUT_BUILDINGS": str(tmp_path / "b.shp")}
    run("liangwei:controllines", params, feedback)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    monkeypatch.setattr(writer, "BATCH", 50)

    def cancel_soon(*a, **kw):
        raise QgsProcessingException("已取消 / canceled")

    monkeypatch.setattr(writer, "_check_cancel", cancel_soon)
    with pytest.raises(QgsProcessingException, match="canceled"):
        run("liangwei:controllines", params, feedback)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
