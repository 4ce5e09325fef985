"""Small layers for QGIS tests, built from WKT."""
from qgis.core import QgsFeature, QgsGeometry, QgsVectorLayer


def memory_layer(geom_type: str, crs: str | None, name: str, rows, fields=("name:string",)):
    """``rows``: list of (wkt or None, [attribute values])."""
    uri = geom_type + ("?crs=" + crs if crs else "?") + "".join(f"&field={f}" for f in fields)
    layer = QgsVectorLayer(uri, name, "memory")
    assert layer.isValid()
    if crs is None:  # the memory provider falls back to EPSG:4326; a shapefile without .prj has none
        from qgis.core import QgsCoordinateReferenceSystem

        layer.setCrs(QgsCoordinateReferenceSystem())
    feats = []
    for wkt, attrs in rows:
        f = QgsFeature(layer.fields())
        f.setAttributes(list(attrs))
        if wkt:
            f.setGeometry(QgsGeometry.fromWkt(wkt))
        feats.append(f)
    ok, _ = layer.dataProvider().addFeatures(feats)
    assert ok
    return layer


def box_wkt(x0, y0, x1, y1):
    return f"POLYGON(({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y1},{x0} {y0}))"
