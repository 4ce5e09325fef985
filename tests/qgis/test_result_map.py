"""The styled result map an analyst sees after a full check, rendered headless and saved as a screenshot.

The full check's GeoPackages carry their default style (layer_styles), so opening them as plain layers must
give the shipped renderers: the register by verdict (拆除候选 red), the encroached pieces by control-line
colour.  The map is rendered with QGIS's own renderer and saved under out/screenshots/result_map.png.
"""
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "out" / "screenshots"
ZONES = {"RED_LINES": "red_lines", "BLUE_LINES": "blue_lines", "GREEN_LINES": "green_lines",
         "WATER_SOURCE": "water_source"}


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    from devtools import fileio
    from devtools.samplecity import generate_city

    path = tmp_path_factory.mktemp("map") / "city.gpkg"
    fileio.write_city(generate_city(1500, seed=4), path)
    return path


def test_styled_result_map(liangwei, feedback, city, tmp_path):
    from qgis import processing
    from qgis.core import QgsMapRendererParallelJob, QgsMapSettings, QgsVectorLayer
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor

    def lyr(name):
        return f"{city}|layername={name}"

    out = tmp_path / "run"
    out.mkdir()
    processing.run("liangwei:fullcheck", {
        "EARLIER": lyr("buildings_2019"), "LATER": lyr("buildings_2023"), **{k: lyr(v) for k, v in ZONES.items()},
        "PIPELINES": lyr("pipelines"), "DISTRICTS": lyr("districts"), "PERMITS": lyr("permits"),
        "COMPOUNDS": lyr("compounds"), "RUN_DATE": "2024-03-01", "OUTPUT_FOLDER": str(out)}, feedback=feedback)
    register = QgsVectorLayer(f"{out / 'register.gpkg'}|layername=register", "register", "ogr")
    pieces = QgsVectorLayer(str(out / "controllines_pieces.gpkg"), "pieces", "ogr")
    zones = [QgsVectorLayer(lyr(v), v, "ogr") for v in ("red_lines", "green_lines", "water_source")]
    assert register.isValid() and pieces.isValid() and all(z.isValid() for z in zones)
    # the input control lines as an analyst's project shows them (conventional colours, light fill)
    from qgis.core import QgsFillSymbol, QgsSingleSymbolRenderer

    for zone, colour in zip(zones, ("230,60,60", "60,160,60", "40,150,160")):
        zone.setRenderer(QgsSingleSymbolRenderer(QgsFillSymbol.createSimple(
            {"color": colour + ",50", "outline_color": colour + ",255", "outline_width": "0.4"})))
    # the default styles stored in the GeoPackages were loaded with the layers
    assert register.renderer().type() == "categorizedSymbol"
    assert register.renderer().classAttribute() == "verdict"
    assert pieces.renderer().type() == "categorizedSymbol"
    verdict_colors = {c.value(): c.symbol().color().name() for c in register.renderer().categories()}
    red = QColor(verdict_colors["拆除候选"])
    assert red.red() > 180 and red.green() < 90 and red.blue() < 90

    settings = QgsMapSettings()
    settings.setLayers([register, pieces, *zones])  # first = on top
    settings.setDestinationCrs(register.crs())
    extent = register.extent()
    extent.scale(0.35)  # a district-sized view: footprints are visible
    settings.setExtent(extent)
    settings.setOutputSize(QSize(1400, 1000))
    settings.setBackgroundColor(QColor("white"))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert image.save(str(SHOTS / "result_map.png"))

    # not blank, and the demolition candidates' red is on the map
    ptr = image.constBits()
    ptr.setsize(image.sizeInBytes() if hasattr(image, "sizeInBytes") else image.byteCount())
    px = np.frombuffer(ptr, dtype=np.uint8).reshape(image.height(), image.width(), 4)  # BGRA
    assert px[..., :3].std() > 10
    b, g, r = px[..., 0].astype(int), px[..., 1].astype(int), px[..., 2].astype(int)
    near_red = (abs(r - red.red()) < 40) & (abs(g - red.green()) < 40) & (abs(b - red.blue()) < 40)
    assert near_red.sum() > 50
