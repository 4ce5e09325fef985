"""liangwei:fullcheck's optional PDF case atlas inside QGIS: on the main thread it is made (context layers named
after what fullcheck knows they are); in a background task (the dock, the toolbox dialog) fullcheck still runs and
the PDF step is skipped with a warning, because print layouts need the main thread (liangwei:caseatlas is
FlagNoThreading)."""
from __future__ import annotations

import time

import pytest
from qgis.core import QgsApplication, QgsProcessingAlgRunnerTask, QgsProcessingContext, QgsProject, QgsVectorLayer

from .conftest import RecordingFeedback


@pytest.fixture(scope="module")
def city_gpkg(tmp_path_factory, qgis_app):
    from devtools import fileio
    from devtools.samplecity import generate_city

    path = tmp_path_factory.mktemp("fullcheck_pdf_thread") / "city.gpkg"
    fileio.write_city(generate_city(300, seed=3), path)
    return path


@pytest.fixture(autouse=True)
def _project_layers():
    before = set(QgsProject.instance().mapLayers())
    yield
    QgsProject.instance().removeMapLayers([i for i in QgsProject.instance().mapLayers() if i not in before])


def params(city, folder, pdf, **kw):
    """Layers of the project, passed by id as the dock does."""
    def lyr(name, shown=None):
        layer = QgsVectorLayer(f"{city}|layername={name}", shown or name, "ogr")
        assert layer.isValid()
        QgsProject.instance().addMapLayer(layer, False)
        return layer.id()

    p = {"EARLIER": lyr("buildings_2019", "survey A"), "LATER": lyr("buildings_2023"),
         "RED_LINES": lyr("red_lines", "zones"), "PIPELINES": lyr("pipelines"), "DISTRICTS": lyr("districts"),
         "EARLIER_DATE": "2019", "LATER_DATE": "2023", "RUN_DATE": "2024-03-01", "OUTPUT_FOLDER": str(folder),
         "PDF": str(pdf), "PDF_FILTER": ""}
    p.update(kw)
    return p


def test_pdf_on_the_main_thread_uses_the_roles_fullcheck_knows(liangwei, city_gpkg, tmp_path):
    from qgis import processing

    feedback = RecordingFeedback()
    pdf = tmp_path / "atlas.pdf"
    res = processing.run("liangwei:fullcheck", params(city_gpkg, tmp_path / "out", pdf), feedback=feedback)
    assert pdf.exists() and res["PDF"] == str(pdf)
    text = feedback.text
    assert "道路红线" in text and "前期建筑轮廓" in text  # "zones" drawn as a red line, "survey A" as the earlier epoch


def test_in_a_background_task_the_pdf_is_skipped_with_a_warning(liangwei, city_gpkg, tmp_path):
    alg = QgsApplication.processingRegistry().createAlgorithmById("liangwei:fullcheck")
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    feedback = RecordingFeedback()
    pdf = tmp_path / "atlas.pdf"
    task = QgsProcessingAlgRunnerTask(alg, params(city_gpkg, tmp_path / "out", pdf), context, feedback)
    done = []
    task.executed.connect(lambda ok, results: done.append((ok, results)))
    QgsApplication.taskManager().addTask(task)
    deadline = time.time() + 300
    while not done and time.time() < deadline:
        QgsApplication.processEvents()
        time.sleep(0.02)
    assert done and done[0][0], feedback.text[-3000:]
    assert (tmp_path / "out" / "register.gpkg").exists()
    assert not pdf.exists() and not done[0][1].get("PDF")
    # the QGIS ring runs in zh-Hans (tests/qgis/conftest.py): the warning says why, in the user's language
    assert any("主线程" in w and "liangwei:caseatlas" in w for w in feedback.warnings), feedback.warnings
