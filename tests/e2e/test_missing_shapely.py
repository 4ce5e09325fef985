"""A QGIS without shapely 2 (Debian 12's python3-shapely is 1.8) must still load the
plugin and answer every algorithm with one clear sentence, not a traceback."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r'''
import sys
sys.modules["shapely"] = None  # as on a QGIS without shapely
sys.path.insert(0, sys.argv[1])
from qgis.core import QgsApplication, QgsProcessingException, QgsVectorLayer
app = QgsApplication([], False)
app.initQgis()
sys.path.append("/usr/share/qgis/python/plugins")
from processing.core.Processing import Processing
Processing.initialize()
import processing
import lincang_liangwei
plugin = lincang_liangwei.classFactory(None)
plugin.initProcessing()
layer = QgsVectorLayer("Polygon?crs=EPSG:4542", "b", "memory")
for alg, params in (("liangwei:controllines", {"FOOTPRINTS": layer, "RED_LINES": layer}),
                    ("liangwei:pipeclearance", {"FOOTPRINTS": layer, "PIPELINES": layer}),
                    ("liangwei:compareepochs", {"EARLIER": layer, "LATER": layer})):
    try:
        processing.run(alg, {**params, "OUTPUT": "memory:"})
        print(alg, "RAN")
    except QgsProcessingException as exc:
        print(alg, "REFUSED", str(exc).splitlines()[0])
'''


def test_plugin_loads_and_explains_without_shapely(tmp_path):
    script = tmp_path / "no_shapely.py"
    script.write_text(SCRIPT, encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PYTHONPATH", None)
    out = subprocess.run([sys.executable, str(script), str(ROOT)], capture_output=True, text=True, env=env,
                         timeout=120)
    lines = [line for line in out.stdout.splitlines() if line.startswith("liangwei:")]
    assert len(lines) == 3, out.stdout + out.stderr
    for line in lines:
        assert "REFUSED" in line and "shapely" in line and "缺少" in line, line
