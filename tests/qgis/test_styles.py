"""Styled outputs (issue 9): shipped .qml styles, applied by layer post-processors in a project, stored as the
default style inside every GeoPackage output, layer order; footprints preselection."""
import sqlite3

import pytest
from qgis.core import (
    QgsApplication,
    QgsLayerTreeGroup,
    QgsProcessingContext,
    QgsProcessingFeatureSourceDefinition,
    QgsProcessingOutputLayerDefinition,
    QgsProcessingOutputVectorLayer,
    QgsProcessingParameterFeatureSink,
    QgsProject,
    QgsVectorLayer,
)

from devtools import fileio
from devtools.samplecity import generate_city
from lincang_liangwei.qgis_io import styles
from tests.qgis.layers import box_wkt, memory_layer

ZONES = {"RED_LINES": "red_lines", "BLUE_LINES": "blue_lines", "GREEN_LINES": "green_lines",
         "WATER_SOURCE": "water_source"}


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    path = tmp_path_factory.mktemp("city") / "city.gpkg"
    fileio.write_city(generate_city(400, seed=11), path)
    return path


def lyr(city, name):
    return f"{city}|layername={name}"


def controllines_params(city):
    return {"FOOTPRINTS": lyr(city, "buildings_2023"), **{k: lyr(city, v) for k, v in ZONES.items()}}


def epochs_params(city):
    return {"EARLIER": lyr(city, "buildings_2019"), "LATER": lyr(city, "buildings_2023")}


def run(alg_id, params, feedback):
    from qgis import processing

    return processing.run(alg_id, params, feedback=feedback)


def categories(layer):
    r = layer.renderer()
    return {c.value(): c.label() for c in r.categories()}


# --------------------------------------------------------------------------- the shipped styles
def test_every_output_of_every_algorithm_has_a_style(liangwei):
    provider = QgsApplication.processingRegistry().providerById("liangwei")
    missing = []
    for alg in provider.algorithms():
        vector = [p.name() for p in alg.parameterDefinitions() if isinstance(p, QgsProcessingParameterFeatureSink)]
        vector += [o.name() for o in alg.outputDefinitions() if isinstance(o, QgsProcessingOutputVectorLayer)]
        missing += [f"{alg.id()}:{name}" for name in vector if styles.style_for(alg.name(), name) is None]
    assert missing == []


@pytest.mark.parametrize("style", sorted({s for s in styles.STYLES.values()}, key=lambda s: s.name),
                         ids=lambda s: s.name)
def test_style_files_load_with_chinese_legend_and_aliases(qgis_app, style):
    geom = "MultiLineString" if style.name == "cadimport_lines" else "MultiPolygon"
    layer = QgsVectorLayer(f"{geom}?crs=EPSG:4542&field=area_m2:double&field=case_id:string", "x", "memory")
    assert style.path.is_file()
    assert styles.apply_style(layer, style)
    r = layer.renderer()
    assert r.type() in ("categorizedSymbol", "singleSymbol"), r.type()
    if r.type() == "categorizedSymbol":
        labels = [c.label() for c in r.categories()]
        assert labels and all(any("\u4e00" <= ch <= "\u9fff" for ch in lab) for lab in labels), labels
    assert layer.customProperty(styles.RANK_PROPERTY) == style.rank
    text = style.qml()
    assert "<aliases>" in text and "(m" in text


def test_conventional_colours_and_order_of_drawing():
    from qgis.PyQt.QtGui import QColor

    pieces = QgsVectorLayer("MultiPolygon?crs=EPSG:4542&field=line_type:string", "p", "memory")
    styles.apply_style(pieces, styles.PIECES)
    cats = pieces.renderer().categories()   # keep the categories alive: symbol() belongs to them
    colours = {c.value(): QColor(c.symbol().color()) for c in cats}
    assert set(colours) == {"red", "blue", "green", "yellow", "purple", "water_source"}
    hue = {k: QColor(v).hsvHue() for k, v in colours.items()}
    assert (hue["red"] < 15 or hue["red"] > 345) and 190 < hue["blue"] < 230 and 90 < hue["green"] < 150 and 40 < hue["yellow"] < 60
    assert 260 < hue["purple"] < 300 and 170 < hue["water_source"] < 190
    assert categories(pieces)["red"] == "道路红线"
    # the every-building summary is outline only (never hides the pieces) and ranks below them
    bld = QgsVectorLayer("MultiPolygon?crs=EPSG:4542&field=n_zones:integer", "b", "memory")
    styles.apply_style(bld, styles.BUILDINGS)
    bcats = bld.renderer().categories()
    for cat in bcats:
        assert cat.symbol().symbolLayer(0).brushStyle() == 0   # Qt.NoBrush
    assert styles.BUILDINGS.rank < styles.PIECES.rank < styles.REGISTER.rank


def test_register_style_verdicts_gone_hatched_labels_at_large_scales():
    layer = memory_layer("MultiPolygon", "EPSG:4542", "register", [(box_wkt(0, 0, 10, 10), ["2023-1", "拆除候选", 1])],
                         fields=("case_id:string", "verdict:string", "gone:integer"))
    styles.apply_style(layer, styles.REGISTER)
    cats = categories(layer)
    assert {"拆除候选", "限期整改", "超期临时建筑", "待核查", "历史存量"} <= set(cats)
    cats_kept = layer.renderer().categories()
    red = next(c for c in cats_kept if c.value() == "拆除候选").symbol()
    assert red.color().red() > 200 and red.color().green() < 60
    fill_style = red.symbolLayer(0).dataDefinedProperties().property(red.symbolLayer(0).PropertyFillStyle)
    assert fill_style.isActive() and "gone" in fill_style.expressionString()
    settings = layer.labeling().settings()
    assert settings.fieldName == "case_id" and settings.scaleVisibility
    assert settings.minimumScale == 5000
    assert layer.attributeDisplayName(layer.fields().indexOf("case_id")) == "图斑编号"


# --------------------------------------------------------------------------- GeoPackages carry their style
@pytest.mark.parametrize("fast", [True, False], ids=["bulk", "qgis-writer"])
def test_geopackage_outputs_carry_their_default_style(liangwei, city, feedback, tmp_path, monkeypatch, fast):
    if not fast:
        monkeypatch.setenv("LIANGWEI_NO_FAST_WRITE", "1")
    pieces, bld = tmp_path / "pieces.gpkg", tmp_path / "buildings.gpkg"
    run("liangwei:controllines", {**controllines_params(city), "OUTPUT": str(pieces), "OUTPUT_BUILDINGS": str(bld)},
        feedback)
    with sqlite3.connect(str(pieces)) as con:
        rows = con.execute("SELECT f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName, "
                           "useAsDefault, length(styleQML) FROM layer_styles").fetchall()
        kind = con.execute("SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'").fetchone()
    # the style's name is written in the active language (zh-Hans in this ring)
    assert rows == [("", "", "pieces", "geom", "两违巡查 压占图斑", 1, len(styles.PIECES.qml()))]
    assert kind == ("attributes",)
    layer = QgsVectorLayer(str(pieces), "pieces", "ogr")   # QGIS loads the default style from layer_styles
    assert layer.isValid()
    assert layer.renderer().type() == "categorizedSymbol"
    assert layer.renderer().classAttribute() == "line_type"
    assert categories(layer)["water_source"] == "水源保护区"
    idx = layer.fields().indexOf("enc_area")
    assert layer.attributeDisplayName(idx) == "压占面积(m²)"
    setup = layer.editorWidgetSetup(idx)
    assert setup.type() == "Range" and setup.config()["Precision"] == 1
    summary = QgsVectorLayer(str(bld), "b", "ogr")
    assert summary.renderer().type() == "categorizedSymbol"
    assert "n_zones" in summary.renderer().classAttribute()
    assert summary.attributeDisplayName(summary.fields().indexOf("area_m2")) == "面积(m²)"
    assert not [p for p in tmp_path.iterdir() if ".lwtmp" in p.name]


def test_epoch_outputs_carry_change_class_styles(liangwei, city, feedback, tmp_path):
    out = {k: tmp_path / f"{k.lower()}.gpkg" for k in ("OUTPUT", "OUTPUT_DEMOLISHED", "OUTPUT_GROWTH")}
    run("liangwei:compareepochs", {**epochs_params(city), **{k: str(v) for k, v in out.items()}}, feedback)
    later = QgsVectorLayer(str(out["OUTPUT"]), "l", "ogr")
    assert later.renderer().classAttribute() == "change"
    assert {"new", "expanded", "floors_added", "rebuilt", "split", "merged", "unchanged", "duplicate",
            "skipped"} <= set(categories(later))
    dem = QgsVectorLayer(str(out["OUTPUT_DEMOLISHED"]), "d", "ogr")
    assert dem.renderer().type() == "singleSymbol"
    assert dem.renderer().symbol().symbolLayer(0).strokeStyle() != 1   # not a solid outline (dashed)
    growth = QgsVectorLayer(str(out["OUTPUT_GROWTH"]), "g", "ogr")
    gcats = growth.renderer().categories()
    assert all(c.symbol().symbolLayer(0).brushStyle() not in (0, 1) for c in gcats)


def test_an_output_gpkg_is_still_a_single_layer_input(liangwei, city, feedback, tmp_path):
    """layer_styles is not data: the output read back without |layername= is not refused as multi-layer."""
    later = tmp_path / "later.gpkg"
    run("liangwei:compareepochs", {**epochs_params(city), "OUTPUT": str(later)}, feedback)
    res = run("liangwei:controllines", {"FOOTPRINTS": str(later), "RED_LINES": lyr(city, "red_lines"),
                                        "OUTPUT": "memory:"}, feedback)
    assert res["N_BUILDINGS"] > 0


# --------------------------------------------------------------------------- in a project, as the dialog runs it
def _dialog_run(alg_id, params, feedback):
    from processing.gui.Postprocessing import handleAlgorithmResults

    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    alg = QgsApplication.processingRegistry().createAlgorithmById(alg_id)
    results, ok = alg.run(params, context, feedback)
    assert ok, feedback.text
    assert handleAlgorithmResults(alg, context, feedback, parameters=params), feedback.text
    return results, context


@pytest.mark.parametrize("target", ["TEMPORARY_OUTPUT", "memory:"])
def test_dialog_outputs_are_styled_and_pieces_drawn_above_the_summary(liangwei, city, feedback, target):
    project = QgsProject.instance()
    before = set(project.mapLayers())
    params = {**controllines_params(city),
              "OUTPUT": QgsProcessingOutputLayerDefinition(target, project),
              "OUTPUT_BUILDINGS": QgsProcessingOutputLayerDefinition(target, project)}
    try:
        _dialog_run("liangwei:controllines", params, feedback)
        new = [project.mapLayer(i) for i in set(project.mapLayers()) - before]
        by_rank = {lay.customProperty(styles.RANK_PROPERTY): lay for lay in new}
        pieces, bld = by_rank[styles.PIECES.rank], by_rank[styles.BUILDINGS.rank]
        assert pieces.renderer().classAttribute() == "line_type"
        assert "n_zones" in bld.renderer().classAttribute()
        order = [lay.id() for lay in project.layerTreeRoot().layerOrder()]
        assert order.index(pieces.id()) < order.index(bld.id())   # pieces above (drawn on top)
    finally:
        project.removeMapLayers([i for i in project.mapLayers() if i not in before])


def test_order_in_tree_keeps_rank_order_and_leaves_others_alone(qgis_app):
    project = QgsProject()
    group = project.layerTreeRoot().addGroup("results")
    made = {}
    for name, style in (("summary", styles.BUILDINGS), ("other", None), ("register", styles.REGISTER),
                        ("pieces", styles.PIECES)):
        layer = QgsVectorLayer("MultiPolygon?crs=EPSG:4542", name, "memory")
        project.addMapLayer(layer, False)
        group.insertLayer(0, layer)          # each new one on top, like Processing does
        if style is not None:
            layer.setCustomProperty(styles.RANK_PROPERTY, style.rank)
            styles.order_in_tree(layer, project)
        made[name] = layer
    names = [n.layer().name() for n in group.children()]
    assert [n for n in names if n != "other"] == ["register", "pieces", "summary"]
    assert isinstance(group, QgsLayerTreeGroup)


# --------------------------------------------------------------------------- footprints preselection
def test_footprints_preselect_the_building_layer_not_the_top_polygon(liangwei):
    project = QgsProject.instance()
    layers = [memory_layer("Polygon", "EPSG:4542", name, []) for name in
              ("buildings_2019", "建筑_2023", "roads", "water_source")]
    project.addMapLayers(layers)     # water_source ends on top of the tree
    try:
        registry = QgsApplication.processingRegistry()
        by_name = {lay.name(): lay.id() for lay in layers}
        for alg_id, param, expected in (("liangwei:controllines", "FOOTPRINTS", "建筑_2023"),
                                        ("liangwei:pipeclearance", "FOOTPRINTS", "建筑_2023"),
                                        ("liangwei:compareepochs", "LATER", "建筑_2023"),
                                        ("liangwei:compareepochs", "EARLIER", "buildings_2019")):
            alg = registry.createAlgorithmById(alg_id)
            assert alg.parameterDefinition(param).defaultValue() == by_name[expected], (alg_id, param)
            context = QgsProcessingContext()
            context.setProject(project)
            src = alg.parameterAsSource({}, param, context)   # the default resolves to that layer
            assert src is not None and src.sourceName() == expected
    finally:
        project.removeMapLayers([lay.id() for lay in layers])
    alg = QgsApplication.processingRegistry().createAlgorithmById("liangwei:controllines")
    assert alg.parameterDefinition("FOOTPRINTS").defaultValue() is None   # no project layers: nothing, no error
    assert QgsProcessingFeatureSourceDefinition   # imported for completeness of the API used by the dialog


def test_building_name_rules():
    from lincang_liangwei.qgis_io.preselect import looks_like_buildings, pick

    yes = ["buildings_2023", "建筑", "房屋面", "BLD", "footprints", "Building Footprints 2019", "bldg_2020"]
    no = ["water_source", "red_lines", "roads", "pipelines", "建筑压占汇总 Buildings with encroachment summary",
          "districts", "bldgroup_pieces"]
    assert [n for n in yes if not looks_like_buildings(n)] == []
    assert [n for n in no if looks_like_buildings(n)] == []
    names = ["water_source", "buildings_2023", "buildings_2019"]
    assert pick(names, "later") == 1 and pick(names, "earlier") == 2
    assert pick(["water_source"], "later") is None


def test_help_button_opens_the_help_shipped_inside_the_plugin(liangwei):
    from qgis.PyQt.QtCore import QUrl

    for alg_id in ("liangwei:controllines", "liangwei:pipeclearance", "liangwei:compareepochs"):
        url = QUrl(QgsApplication.processingRegistry().algorithmById(alg_id).helpUrl())
        assert url.isLocalFile() and url.fragment() == alg_id.split(":")[1]
        page = url.toLocalFile()
        assert page.endswith("lincang_liangwei/help/zh-Hans/index.html")   # the ring runs in zh-Hans
        assert f'id="{url.fragment()}"' in open(page, encoding="utf-8").read()
