"""Write test DXF drawings the way CAD exports them (not shipped).

GDAL's DXF writer puts each feature on the CAD layer named by its ``Layer``
field and writes line strings as LWPOLYLINE.  It writes UTF-8 text under a
header that says code page ANSI_1252; ``codepage="ANSI_936"`` rewrites the file
as AutoCAD does for a Chinese drawing (GBK bytes, header ANSI_936).
"""
from __future__ import annotations

from pathlib import Path

import shapely


def write_dxf(path, geoms, layers, *, codepage: str = "") -> Path:
    """``geoms``: shapely lines / polygons; ``layers``: CAD layer name per geometry."""
    from osgeo import ogr

    path = Path(path)
    if path.exists():
        path.unlink()
    ds = ogr.GetDriverByName("DXF").CreateDataSource(str(path))
    lyr = ds.CreateLayer("entities")
    defn = lyr.GetLayerDefn()
    for g, name in zip(geoms, layers):
        f = ogr.Feature(defn)
        f.SetField("Layer", str(name))
        f.SetGeometry(ogr.CreateGeometryFromWkb(shapely.to_wkb(g)))
        if lyr.CreateFeature(f) != 0:
            raise RuntimeError(f"could not write {g.geom_type} on layer {name} to {path}")
    ds = None
    if codepage:
        text = path.read_bytes().decode("utf-8")
        text = text.replace("ANSI_1252", codepage)
        path.write_bytes(text.encode({"ANSI_936": "gbk"}.get(codepage, "utf-8")))
    return path
