"""Read a GeoPackage layer piece by piece, straight from SQLite (no QGIS, no GDAL needed).

The streamed (province-scale) runs (:mod:`lincang_liangwei.streaming`) never hold a whole
footprint layer: they read the layer's spatial index once (every feature's bounding box, from
the R-tree's own node pages, about 1 s per 10^7 features), plan the tiles from it, then read
each tile's features through an R-tree range query.  GeoPackage geometry blobs are a small
header plus standard WKB, so shapely decodes them directly.

Works in QGIS's Python as well as outside it (only ``sqlite3``, numpy and shapely; GDAL's
``ogr`` is used, when present, for the rare curve geometries shapely cannot read, which are
linearised exactly like the plugin's reader does).
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import shapely

from .gpkgbulk import rtree_name

__all__ = ["GpkgLayer", "NotIndexedError", "gpkg_wkb"]

_ENVELOPE_BYTES = (0, 32, 48, 48, 64, 0, 0, 0)
_CELL = np.dtype([("id", ">i8"), ("c", ">f4", (4,))])   # SQLite R*Tree leaf cell: id, minx maxx miny maxy
_BATCH = 200_000


class NotIndexedError(Exception):
    """The layer has no spatial index (R-tree): it cannot be read tile by tile."""


def _q(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def gpkg_wkb(blobs) -> tuple[list, np.ndarray]:
    """WKB of GeoPackage geometry blobs (None stays None) and a mask of blobs that are not GeoPackage
    binary at all."""
    out, bad = [], np.zeros(len(blobs), dtype=bool)
    for i, b in enumerate(blobs):
        if b is None:
            out.append(None)
            continue
        if len(b) < 8 or b[0] != 0x47 or b[1] != 0x50:
            out.append(None)
            bad[i] = True
            continue
        out.append(b[8 + _ENVELOPE_BYTES[(b[3] >> 1) & 7]:])
    return out, bad


def _linear_from_wkb(wkb: bytes):
    """A curve geometry (CAD arcs) as its linear approximation through GDAL, the way QGIS's reader does;
    None without GDAL or when GDAL cannot read it either."""
    try:
        from osgeo import ogr
    except ImportError:
        return None
    try:
        g = ogr.CreateGeometryFromWkb(wkb)
    except Exception:  # noqa: BLE001 - unreadable: counted as unrepairable by the cleaner
        return None
    if g is None:
        return None
    if g.HasCurveGeometry():
        g = g.GetLinearGeometry()
    return shapely.from_wkb(bytes(g.ExportToIsoWkb()), on_invalid="ignore")


def decode(blobs) -> tuple[np.ndarray, np.ndarray]:
    """(shapely geometries, unparsable mask) of GeoPackage blobs; empty geometries stay empty."""
    wkb, bad = gpkg_wkb(blobs)
    arr = np.empty(len(wkb), dtype=object)
    arr[:] = wkb
    geoms = shapely.from_wkb(arr, on_invalid="ignore") if len(arr) else np.empty(0, dtype=object)
    failed = np.flatnonzero(shapely.is_missing(geoms) & np.array([w is not None for w in wkb], dtype=bool))
    for i in failed:
        g = _linear_from_wkb(wkb[i])
        if g is None:
            bad[i] = True
        else:
            geoms[i] = g
    return geoms, bad


class GpkgLayer:
    """One GeoPackage layer opened read-only (``immutable`` is not used: the file may be open in QGIS)."""

    def __init__(self, path, layer: str):
        self.path = str(path)
        self.layer = layer
        uri = Path(self.path).resolve().as_uri() + "?mode=ro"
        self.con = sqlite3.connect(uri, uri=True, check_same_thread=False)
        r = self.con.execute("SELECT table_name, column_name, srs_id FROM gpkg_geometry_columns "
                             "WHERE lower(table_name) = lower(?)", (layer,)).fetchone()
        if r is None:
            raise ValueError(f"{self.path} has no geometry layer '{layer}'")
        self.table, self.geom_col, self.srs_id = r[0], r[1], int(r[2])
        info = self.con.execute(f"PRAGMA table_info({_q(self.table)})").fetchall()
        pk = [c[1] for c in info if c[5]]
        self.fid_col = pk[0] if pk else "rowid"
        self.columns = [c[1] for c in info if c[1] not in (self.fid_col, self.geom_col)]
        self.decl_types = {c[1]: (c[2] or "").upper() for c in info}
        self.rtree = rtree_name(self.table, self.geom_col)
        self.indexed = self.con.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (self.rtree,)).fetchone() \
            is not None
        row = self.con.execute("SELECT definition, organization, organization_coordsys_id FROM gpkg_spatial_ref_sys "
                               "WHERE srs_id = ?", (self.srs_id,)).fetchone()
        self.crs_wkt = "" if row is None or self.srs_id in (0, -1) else (row[0] or "")
        self.crs_authid = f"{row[1]}:{row[2]}" if row and row[1] and row[2] and str(row[1]).upper() == "EPSG" else ""

    def close(self):
        self.con.close()

    # -------------------------------------------------------------- whole-layer facts
    def count(self) -> int:
        return int(self.con.execute(f"SELECT count(*) FROM {_q(self.table)}").fetchone()[0])

    def all_fids(self) -> np.ndarray:
        out = []
        cur = self.con.execute(f"SELECT {_q(self.fid_col)} FROM {_q(self.table)} ORDER BY 1")
        while True:
            rows = cur.fetchmany(_BATCH * 5)
            if not rows:
                break
            out.append(np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)))
        return np.concatenate(out) if out else np.empty(0, dtype=np.int64)

    def index_boxes(self) -> tuple[np.ndarray, np.ndarray]:
        """(fids, (n, 4) boxes minx, miny, maxx, maxy) of every feature in the spatial index (features
        with a NULL or empty geometry are not in it), sorted by fid.  The boxes are the index's float32
        boxes (rounded outwards), which is all the tile planning needs."""
        if not self.indexed:
            raise NotIndexedError(self.layer)
        try:
            ids, c = self._leaf_cells()
        except (ValueError, KeyError):   # unexpected page layout: ask SQLite (slower, same answer)
            ids, c = self._scan_index()
        order = np.argsort(ids, kind="stable")
        c = c[order]
        return ids[order], np.column_stack([c[:, 0], c[:, 2], c[:, 1], c[:, 3]]).astype(np.float64)

    def _leaf_cells(self):
        nodes = dict(self.con.execute(f"SELECT nodeno, data FROM {_q(self.rtree + '_node')}").fetchall())
        root = nodes[1]
        depth = int.from_bytes(root[:2], "big")
        level = [1]
        for _ in range(depth):
            nxt = []
            for no in level:
                blob = nodes[no]
                n = int.from_bytes(blob[2:4], "big")
                nxt.append(np.frombuffer(blob, dtype=_CELL, count=n, offset=4)["id"])
            level = np.concatenate(nxt).tolist() if nxt else []
        ids, boxes = [], []
        for no in level:
            blob = nodes[no]
            n = int.from_bytes(blob[2:4], "big")
            cells = np.frombuffer(blob, dtype=_CELL, count=n, offset=4)
            ids.append(cells["id"].astype(np.int64))
            boxes.append(cells["c"].astype(np.float64))
        if not ids:
            return np.empty(0, dtype=np.int64), np.empty((0, 4))
        return np.concatenate(ids), np.concatenate(boxes)

    def _scan_index(self):
        rows = self.con.execute(f"SELECT id, minx, maxx, miny, maxy FROM {_q(self.rtree)}").fetchall()
        a = np.array(rows, dtype=np.float64).reshape(-1, 5)
        return a[:, 0].astype(np.int64), a[:, 1:]

    def extent(self):
        """(xmin, ymin, xmax, ymax) of the layer from the index (None when empty)."""
        if not self.indexed:
            raise NotIndexedError(self.layer)
        r = self.con.execute(f"SELECT min(minx), min(miny), max(maxx), max(maxy) FROM {_q(self.rtree)}").fetchone()
        return None if r[0] is None else tuple(float(v) for v in r)

    # -------------------------------------------------------------- reading features
    def _select(self, columns) -> str:
        cols = ", ".join(f"t.{_q(c)}" for c in columns)
        return f"SELECT t.{_q(self.fid_col)}, t.{_q(self.geom_col)}" + (f", {cols}" if cols else "")

    def read_box(self, box, columns=()):
        """Features whose index box meets ``box`` (xmin, ymin, xmax, ymax), by fid:
        (fids, geometries, unparsable mask, {column: object array})."""
        x0, y0, x1, y1 = (float(v) for v in box)
        sql = (self._select(columns) + f" FROM {_q(self.table)} t JOIN {_q(self.rtree)} r ON t.{_q(self.fid_col)} = r.id"
               " WHERE r.minx <= ? AND r.maxx >= ? AND r.miny <= ? AND r.maxy >= ?"
               f" ORDER BY t.{_q(self.fid_col)}")
        return self._rows(self.con.execute(sql, (x1, x0, y1, y0)).fetchall(), columns)

    def read_boxes(self, boxes, columns=()):
        """Features whose index box meets any of ``boxes`` (rows xmin, ymin, xmax, ymax), by fid: the union of
        :meth:`read_box` over the boxes, each feature once."""
        q = f"SELECT id FROM {_q(self.rtree)} WHERE minx <= ? AND maxx >= ? AND miny <= ? AND maxy >= ?"
        ids = []
        for x0, y0, x1, y1 in np.asarray(boxes, dtype=float).reshape(-1, 4):
            rows = self.con.execute(q, (x1, x0, y1, y0)).fetchall()
            ids.append(np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)))
        return self.read_fids(np.concatenate(ids) if ids else np.empty(0, dtype=np.int64), columns)

    def read_fids(self, fids, columns=()):
        """The features ``fids`` (any order; returned sorted by fid)."""
        fids = np.unique(np.asarray(fids, dtype=np.int64))
        rows = []
        sql = (self._select(columns) + f" FROM {_q(self.table)} t WHERE t.{_q(self.fid_col)} "
               f"IN (SELECT value FROM json_each(?)) ORDER BY t.{_q(self.fid_col)}")
        for k in range(0, len(fids), 1_000_000):
            rows += self.con.execute(sql, ("[" + ",".join(map(str, fids[k:k + 1_000_000].tolist())) + "]",)).fetchall()
        return self._rows(rows, columns)

    @staticmethod
    def _rows(rows, columns):
        n = len(rows)
        fids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
        geoms, bad = decode([r[1] for r in rows])
        attrs = {}
        for j, c in enumerate(columns):
            col = np.empty(n, dtype=object)
            col[:] = [r[2 + j] for r in rows]
            attrs[c] = col
        return fids, geoms, bad, attrs

    # -------------------------------------------------------------- the register's filtered reads
    def scan(self, columns=(), batch: int = _BATCH):
        """Every feature in fid order, ``batch`` rows at a time: yields (fids, geometries, unparsable mask,
        {column: object array}) like :meth:`read_fids`, holding one batch at a time."""
        cur = self.con.execute(self._select(columns) + f" FROM {_q(self.table)} t ORDER BY t.{_q(self.fid_col)}")
        while True:
            rows = cur.fetchmany(batch)
            if not rows:
                break
            yield self._rows(rows, columns)

    def read_attributes(self, fids=None, columns=()):
        """(fids, {column: object array}) without geometry, sorted by fid: every feature (``fids`` None) or the
        features ``fids`` (any order)."""
        cols = ", ".join(f"t.{_q(c)}" for c in columns)
        head = f"SELECT t.{_q(self.fid_col)}" + (f", {cols}" if cols else "") + f" FROM {_q(self.table)} t"
        order = f" ORDER BY t.{_q(self.fid_col)}"
        if fids is None:
            rows = self.con.execute(head + order).fetchall()
        else:
            fids = np.unique(np.asarray(fids, dtype=np.int64))
            rows = []
            sql = head + f" WHERE t.{_q(self.fid_col)} IN (SELECT value FROM json_each(?))" + order
            for k in range(0, len(fids), 1_000_000):
                rows += self.con.execute(sql, ("[" + ",".join(map(str, fids[k:k + 1_000_000].tolist())) + "]",)
                                         ).fetchall()
        n = len(rows)
        out = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
        attrs = {}
        for j, c in enumerate(columns):
            col = np.empty(n, dtype=object)
            col[:] = [r[1 + j] for r in rows]
            attrs[c] = col
        return out, attrs

    def first_value(self, column: str, skip_empty: bool = True):
        """The first value of ``column`` in fid order that is neither NULL nor '' (``skip_empty`` False: the first
        row's value); None when there is none."""
        where = f" WHERE {_q(column)} IS NOT NULL AND {_q(column)} <> ''" if skip_empty else ""
        r = self.con.execute(f"SELECT {_q(column)} FROM {_q(self.table)}{where} ORDER BY {_q(self.fid_col)} "
                             "LIMIT 1").fetchone()
        return None if r is None else r[0]
