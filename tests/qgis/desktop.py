"""Helpers for the desktop (dock / case list / rules editor) tests.

* :class:`FakeIface` - the part of QgisInterface the plugin's desktop code uses,
  with a real main window and map canvas, recording menus, toolbar and docks.
* :class:`StubFullCheck` - a stand-in ``fullcheck`` with the real parameter names
  that writes a small register GeoPackage (one case per later building), so the
  dock's run, cancel and output loading are tested whether or not
  ``liangwei:fullcheck`` is registered yet.
* :func:`wait_for` - spin the event loop until a condition holds (tasks run in threads).
"""
from __future__ import annotations

import time
from pathlib import Path

from qgis.core import (
    QgsApplication,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingOutputFile,
    QgsProcessingOutputVectorLayer,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsProcessingProvider,
)
from qgis.PyQt.QtCore import QCoreApplication, QEvent
from qgis.PyQt.QtWidgets import QMainWindow

SCREENSHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"


class FakeIface:
    """Records what the plugin adds; docks really go into a QMainWindow."""

    def __init__(self, canvas=None):
        self.window = QMainWindow()
        self.canvas = canvas
        self.menu, self.toolbar, self.docks = [], [], []
        self.active = None

    def mainWindow(self):  # noqa: N802
        return self.window

    def mapCanvas(self):  # noqa: N802
        return self.canvas

    def activeLayer(self):  # noqa: N802
        return self.active

    def addPluginToMenu(self, name, action):  # noqa: N802
        self.menu.append((name, action))

    def removePluginMenu(self, name, action):  # noqa: N802
        self.menu.remove((name, action))

    def addToolBarIcon(self, action):  # noqa: N802
        self.toolbar.append(action)

    def removeToolBarIcon(self, action):  # noqa: N802
        self.toolbar.remove(action)

    def addDockWidget(self, area, dock):  # noqa: N802
        self.window.addDockWidget(area, dock)
        self.docks.append(dock)

    def removeDockWidget(self, dock):  # noqa: N802
        self.window.removeDockWidget(dock)
        self.docks.remove(dock)


def flush_deletes():
    """Run pending deleteLater() calls now (tests have no running event loop to do it)."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()


def close_iface(iface):
    """Delete the fake main window and everything in it, deterministically (not whenever the GC runs)."""
    flush_deletes()
    iface.window.deleteLater()
    flush_deletes()


def wait_for(condition, timeout=20.0):
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("condition not met in time")
        QCoreApplication.processEvents()
        time.sleep(0.01)
    QCoreApplication.processEvents()


REGISTER_FIELDS = (("case_id", "str"), ("district_code", "str"), ("district", "str"), ("area_m2", "real"),
                   ("change", "str"), ("line_types", "str"), ("pipe_kinds", "str"), ("verdict", "str"),
                   ("priority", "real"), ("status", "str"), ("check_result", "str"), ("remarks", "str"),
                   ("first_seen", "str"), ("last_run", "str"), ("gone", "int"), ("basis", "str"),
                   ("bld_fid", "int"))
STUB_VERDICTS = ("拆除候选", "限期整改", "待核查", "历史存量", "超期临时建筑", "待核查")
STUB_DISTRICTS = (("530902", "临翔区"), ("530926", "凤庆县"))


def write_stub_outputs(folder: Path, later, feedback, delay_s=0.0) -> tuple:
    """register.gpkg (layer register) and pieces.gpkg from the later footprints."""
    from osgeo import ogr, osr

    folder.mkdir(parents=True, exist_ok=True)
    srs = osr.SpatialReference()
    srs.SetFromUserInput(later.sourceCrs().authid() or "EPSG:4547")
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    paths = []
    for name in ("register", "pieces"):
        path = folder / f"{name}.gpkg"
        if path.exists():
            path.unlink()
        ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
        lyr = ds.CreateLayer(name, srs, ogr.wkbMultiPolygon)
        fields = REGISTER_FIELDS if name == "register" else (("bld_fid", "int"), ("line_type", "str"))
        for fname, typ in fields:
            lyr.CreateField(ogr.FieldDefn(fname, {"str": ogr.OFTString, "real": ogr.OFTReal,
                                                  "int": ogr.OFTInteger}[typ]))
        lyr.StartTransaction()
        n = later.featureCount()
        for i, feat in enumerate(later.getFeatures()):
            if feedback.isCanceled():
                lyr, ds = None, None
                path.unlink()
                raise QgsProcessingException("canceled")
            if delay_s:
                time.sleep(delay_s)
            feedback.setProgress(100.0 * i / max(n, 1))
            out = ogr.Feature(lyr.GetLayerDefn())
            geom = feat.geometry()
            if not geom.isNull() and not geom.isEmpty():  # null / empty footprints stay without geometry
                geom.convertToMultiType()
                try:
                    out.SetGeometry(ogr.CreateGeometryFromWkt(geom.asWkt()))
                except RuntimeError:  # the sample's deliberately broken outlines: no geometry in the stub
                    pass
            if name == "register":
                code, district = STUB_DISTRICTS[i % 2]
                verdict = STUB_VERDICTS[i % len(STUB_VERDICTS)]
                values = {"case_id": f"{code}-2023-{i + 1:04d}", "district_code": code, "district": district,
                          "area_m2": geom.area(), "change": "new", "line_types": "red" if i % 3 == 0 else "",
                          "pipe_kinds": "", "verdict": verdict, "priority": 500.0 - 10 * (i % 7),
                          "status": "待核查", "check_result": "", "remarks": "", "first_seen": "2023-06-01",
                          "last_run": "2023-06-01", "gone": 0, "basis": "《中华人民共和国城乡规划法》第六十四条",
                          "bld_fid": feat.id()}
            else:
                values = {"bld_fid": feat.id(), "line_type": "red"}
            for k, v in values.items():
                out.SetField(k, v)
            lyr.CreateFeature(out)
        lyr.CommitTransaction()
        ds = None
        paths.append(str(path))
    return tuple(paths)


class StubFullCheck(QgsProcessingAlgorithm):
    """Stand-in with fullcheck's parameter names; ``DELAY_S`` slows it down for the cancel test."""

    DELAY_S = 0.0
    LAYERS = ("EARLIER", "LATER", "RED_LINES", "BLUE_LINES", "GREEN_LINES", "YELLOW_LINES", "PURPLE_LINES",
              "WATER_SOURCE", "PIPELINES", "COMPOUNDS", "DISTRICTS", "PERMITS", "PREVIOUS")

    def createInstance(self):  # noqa: N802
        return type(self)()

    def name(self):
        return "fullcheck"

    def displayName(self):  # noqa: N802
        return "Stub full check"

    def initAlgorithm(self, config=None):  # noqa: N802
        for name in self.LAYERS:
            self.addParameter(QgsProcessingParameterFeatureSource(
                name, name, [QgsProcessing.TypeVectorAnyGeometry], optional=name != "LATER"))
        for name, parent in (("KIND_FIELD", "PIPELINES"), ("DISTRICT_CODE_FIELD", "DISTRICTS"),
                             ("DISTRICT_NAME_FIELD", "DISTRICTS"), ("EARLIER_FLOORS_FIELD", "EARLIER")):
            self.addParameter(QgsProcessingParameterField(name, name, parentLayerParameterName=parent,
                                                          optional=True))
        self.addParameter(QgsProcessingParameterString("KIND_MAP", "KIND_MAP", optional=True))
        self.addParameter(QgsProcessingParameterNumber("FALLBACK_M", "FALLBACK_M",
                                                       QgsProcessingParameterNumber.Double, optional=True))
        self.addParameter(QgsProcessingParameterFile("RULES", "RULES", optional=True))
        self.addParameter(QgsProcessingParameterFile("OUTPUT_FOLDER", "OUTPUT_FOLDER",
                                                     behavior=QgsProcessingParameterFile.Folder))
        self.addOutput(QgsProcessingOutputVectorLayer("REGISTER", "register"))
        self.addOutput(QgsProcessingOutputVectorLayer("PIECES", "pieces"))
        self.addOutput(QgsProcessingOutputFile("XLSX", "xlsx"))
        self.addOutput(QgsProcessingOutputFile("CSV", "csv"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        later = self.parameterAsSource(parameters, "LATER", context)
        folder = Path(self.parameterAsFile(parameters, "OUTPUT_FOLDER", context))
        feedback.pushInfo(f"stub: {later.featureCount()} later buildings")
        register, pieces = write_stub_outputs(folder, later, feedback, self.DELAY_S)
        if feedback.isCanceled():
            raise QgsProcessingException("canceled")
        return {"REGISTER": register + "|layername=register", "PIECES": pieces,
                "XLSX": str(folder / "register.xlsx"), "CSV": str(folder / "register.csv")}


class StubProvider(QgsProcessingProvider):
    def id(self):
        return "lwstub"

    def name(self):
        return "stub"

    def loadAlgorithms(self):  # noqa: N802
        self.addAlgorithm(StubFullCheck())


_KEEP = []  # a Python provider must outlive its registration


def add_stub_provider():
    registry = QgsApplication.processingRegistry()
    if registry.providerById("lwstub") is None:
        provider = StubProvider()
        _KEEP.append(provider)
        registry.addProvider(provider)
    return "lwstub:fullcheck"
