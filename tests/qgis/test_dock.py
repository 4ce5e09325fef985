"""The 两违巡查 dock: filled programmatically, remembers choices, runs in the background, adds a styled group."""
from __future__ import annotations

import pytest
from qgis.core import QgsApplication, QgsLayerTreeGroup, QgsProject, QgsVectorLayer

from .desktop import SCREENSHOTS, FakeIface, StubFullCheck, add_stub_provider, close_iface, flush_deletes, wait_for

pytestmark = pytest.mark.qgis


@pytest.fixture(autouse=True)
def _english(english):
    """These tests assert the English source text of the UI (zh-Hans is checked by the translation tests)."""
    yield


@pytest.fixture(scope="module")
def city_gpkg(tmp_path_factory, qgis_app):
    from devtools import fileio
    from devtools.samplecity import generate_city

    path = tmp_path_factory.mktemp("city") / "city.gpkg"
    fileio.write_city(generate_city(300, seed=3), path)
    return path


CITY_LAYERS = ("buildings_2019", "buildings_2023", "red_lines", "red_lines_cad", "blue_lines", "green_lines",
               "yellow_lines", "purple_lines", "water_source", "pipelines", "compounds", "districts", "permits")


@pytest.fixture
def city(city_gpkg, qgis_app):
    project = QgsProject.instance()
    project.clear()
    layers = {}
    for name in CITY_LAYERS:
        layer = QgsVectorLayer(f"{city_gpkg}|layername={name}", name, "ogr")
        assert layer.isValid(), name
        layers[name] = layer
    project.addMapLayers(list(layers.values()))
    yield layers
    project.clear()


@pytest.fixture
def desktop(liangwei, qgis_canvas):
    """The plugin's desktop part on a recording iface (provider already registered by the session)."""
    import lincang_liangwei

    iface = FakeIface(qgis_canvas)
    plugin = lincang_liangwei.classFactory(iface)
    plugin.initGui()
    yield iface, plugin.workbench
    plugin.unload()
    close_iface(iface)


def fill(dock, city, folder):
    dock.set_layer("EARLIER", city["buildings_2019"])
    dock.set_layer("LATER", city["buildings_2023"])
    dock.set_layer("RED_LINES", city["red_lines"])
    dock.set_layer("WATER_SOURCE", city["water_source"])
    dock.set_layer("PIPELINES", city["pipelines"])
    dock.set_layer("DISTRICTS", city["districts"])
    dock.output_folder.setFilePath(str(folder))


def test_dock_suggests_layers_from_their_names(desktop, city):
    iface, bench = desktop
    dock = bench.dock
    dock.apply_suggestions(only_empty=False)
    chosen = {name: (combo.currentLayer().name() if combo.currentLayer() else None)
              for name, combo in dock.layer_combos.items()}
    assert chosen["EARLIER"] == "buildings_2019" and chosen["LATER"] == "buildings_2023"
    assert chosen["RED_LINES"] == "red_lines"  # the zone layer, not the CAD lines
    assert chosen["BLUE_LINES"] == "blue_lines" and chosen["GREEN_LINES"] == "green_lines"
    assert chosen["YELLOW_LINES"] == "yellow_lines" and chosen["PURPLE_LINES"] == "purple_lines"
    assert chosen["WATER_SOURCE"] == "water_source" and chosen["PIPELINES"] == "pipelines"
    assert chosen["COMPOUNDS"] == "compounds" and chosen["DISTRICTS"] == "districts"
    assert chosen["PERMITS"] == "permits" and chosen["PREVIOUS"] is None
    # fields follow their layer, picked by name
    assert dock.field_combos["KIND_FIELD"].currentField() == "kind"
    assert dock.field_combos["DIAMETER_FIELD"].currentField() == "diameter_mm"
    # the dock is in the main window, with its toolbar button and menu entry
    assert dock in iface.docks and bench.dock_action in iface.toolbar
    dock.setFloating(True)
    dock.resize(460, 1180)
    dock.show()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert dock.grab().save(str(SCREENSHOTS / "dock.png"))


def test_dock_remembers_choices_per_project(desktop, city, tmp_path):
    from lincang_liangwei.ui.dock import LiangweiDock

    _iface, bench = desktop
    dock = bench.dock
    fill(dock, city, tmp_path / "out")
    dock.set_field("DISTRICT_CODE_FIELD", "code")
    dock.texts["KIND_MAP"].setText("燃气=gas")
    dock.set_rules_path(str(tmp_path / "my_rules.toml"))
    again = LiangweiDock(None)
    try:
        assert again.layer_combos["LATER"].currentLayer() is city["buildings_2023"]
        assert again.layer_combos["PIPELINES"].currentLayer() is city["pipelines"]
        assert again.layer_combos["BLUE_LINES"].currentLayer() is None  # saved as empty, not re-suggested
        assert again.field_combos["DISTRICT_CODE_FIELD"].currentField() == "code"
        assert again.texts["KIND_MAP"].text() == "燃气=gas"
        assert again.rules_path() == str(tmp_path / "my_rules.toml")
        assert again.output_folder.filePath() == str(tmp_path / "out")
    finally:
        again.shutdown()
        again.deleteLater()
        flush_deletes()
    # and through a project file
    qgs = tmp_path / "p.qgs"
    assert QgsProject.instance().write(str(qgs))
    QgsProject.instance().clear()
    assert dock.layer_combos["LATER"].currentLayer() is None
    assert QgsProject.instance().read(str(qgs))
    assert dock.layer_combos["LATER"].currentLayer().name() == "buildings_2023"
    assert dock.output_folder.filePath() == str(tmp_path / "out")


def test_dock_says_so_when_the_algorithm_is_missing(desktop, city):
    _iface, bench = desktop
    dock = bench.dock
    dock.algorithm_id = "liangwei:does_not_exist"
    assert dock.update_availability() is False
    assert not dock.run_button.isEnabled()
    assert "liangwei:does_not_exist" in dock.status.text() and "not available" in dock.status.text()
    assert dock.run() is False


def test_dock_refuses_missing_required_input(desktop, city, tmp_path):
    _iface, bench = desktop
    dock = bench.dock
    dock.algorithm_id = add_stub_provider()
    for combo in dock.layer_combos.values():
        combo.setLayer(None)
    dock.output_folder.setFilePath(str(tmp_path))
    assert dock.run() is False and not dock.is_running()
    assert dock.status.text()


def test_dock_runs_in_background_and_adds_styled_group(desktop, city, tmp_path):
    from qgis.core import QgsCategorizedSymbolRenderer

    iface, bench = desktop
    dock = bench.dock
    dock.algorithm_id = add_stub_provider()
    fill(dock, city, tmp_path / "run")
    params = dock.parameters()
    assert params["LATER"] == city["buildings_2023"].id() and "PERMITS" not in params
    assert "DIAMETER_FIELD" not in params  # the stub does not define it: only known parameters are passed
    finished = []
    dock.runFinished.connect(lambda ok, res: finished.append(ok))
    assert dock.run() is True
    assert dock.is_running() and not dock.run_button.isEnabled() and dock.cancel_button.isEnabled()
    wait_for(lambda: finished)
    assert finished == [True], dock.log.toPlainText() + dock.status.text()
    root = QgsProject.instance().layerTreeRoot()
    group = root.children()[0]
    assert isinstance(group, QgsLayerTreeGroup) and "Liangwei" in group.name()
    names = [child.layer().name() for child in group.findLayers()]
    assert names[0] == "register" or names[0].startswith("REGISTER") or "register" in names[0].lower(), names
    register = group.findLayers()[0].layer()
    assert register.featureCount() == city["buildings_2023"].featureCount()
    renderer = register.renderer()  # the shipped register style (found by the register's fields)
    assert isinstance(renderer, QgsCategorizedSymbolRenderer) and renderer.classAttribute() == "verdict"
    assert {c.value() for c in renderer.categories()} >= {"拆除候选", "待核查", "历史存量"}
    assert len(group.findLayers()) == 2  # register + pieces; xlsx / csv are not layers
    # the case list opened on the register
    assert bench.cases.isVisible() or not bench.cases.isHidden()
    assert bench.cases.layer() is register
    assert bench.cases.model.rowCount() == register.featureCount()
    assert "stub:" in dock.log.toPlainText()
    assert dock.progress.value() == 100
    dock.setFloating(True)
    dock.resize(460, 700)
    dock.show()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert dock.grab().save(str(SCREENSHOTS / "dock_after_run.png"))


def test_cancel_stops_the_task(desktop, city, tmp_path):
    iface, bench = desktop
    dock = bench.dock
    dock.algorithm_id = add_stub_provider()
    fill(dock, city, tmp_path / "cancel")
    finished = []
    dock.runFinished.connect(lambda ok, res: finished.append(ok))
    n_groups = len(QgsProject.instance().layerTreeRoot().children())
    StubFullCheck.DELAY_S = 0.05  # ~15 s for 299 buildings
    try:
        assert dock.run()
        wait_for(lambda: dock.progress.value() > 0, timeout=30)
        dock.cancel()
        wait_for(lambda: finished, timeout=10)  # far less than the 15 s the run would take
    finally:
        StubFullCheck.DELAY_S = 0.0
    assert finished == [False]
    assert not dock.is_running() and dock.run_button.isEnabled() and not dock.cancel_button.isEnabled()
    assert "Cancel" in dock.status.text()
    assert len(QgsProject.instance().layerTreeRoot().children()) == n_groups
    assert QgsApplication.taskManager().countActiveTasks() == 0


@pytest.mark.skipif("QgsApplication.processingRegistry().algorithmById('liangwei:fullcheck') is None",
                    reason="liangwei:fullcheck is not registered yet (issue 8)")
def test_dock_runs_the_real_fullcheck(desktop, city, tmp_path):
    _iface, bench = desktop
    dock = bench.dock
    dock.apply_suggestions(only_empty=False)
    dock.output_folder.setFilePath(str(tmp_path / "full"))
    finished = []
    dock.runFinished.connect(lambda ok, res: finished.append((ok, res)))
    assert dock.run(), dock.status.text()
    wait_for(lambda: finished, timeout=600)
    ok, results = finished[0]
    assert ok, dock.log.toPlainText()
    group = QgsProject.instance().layerTreeRoot().children()[0]
    layers = [child.layer() for child in group.findLayers()]
    assert layers[0].fields().indexOf("case_id") >= 0
    assert bench.cases.model.rowCount() == layers[0].featureCount() > 0
    assert sum(bench.cases.verdict_counts().values()) == layers[0].featureCount()
    assert layers[0].renderer().type() == "categorizedSymbol"  # the shipped register style
    cases = bench.cases
    cases.setFloating(True)
    cases.resize(1100, 420)
    cases.show()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert cases.grab().save(str(SCREENSHOTS / "caselist_fullcheck.png"))
