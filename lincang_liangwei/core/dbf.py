"""Which text encoding a shapefile's ``.dbf`` really uses (no QGIS, no GDAL).

A shapefile declares its encoding in a ``.cpg`` file or in the language-driver
byte (LDID) of the ``.dbf`` header.  Bureau data often comes without either,
written in GBK by Chinese desktop GIS; read as UTF-8 its text is lost (商业 and
工业 both become the same replacement characters).  :func:`dbf_text` looks at
the bytes of the character fields and says what they are.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ASCII, UTF8, GB18030, UNKNOWN = "ascii", "utf-8", "gb18030", "unknown"


@dataclass(frozen=True)
class DbfText:
    declared: str  # what .cpg / the LDID byte declare ('' = nothing declared)
    detected: str  # ascii | utf-8 | gb18030 | unknown ('' = not looked at: declared, no dbf, no text fields)
    n_values: int = 0  # distinct non-ASCII values looked at
    n_not_utf8: int = 0  # of those, not valid UTF-8
    cpg_path: str = ""  # where a .cpg file would go


def _sibling(path: Path, suffix: str) -> Path | None:
    for s in (suffix.lower(), suffix.upper()):
        p = path.with_suffix(s)
        if p.exists():
            return p
    return None


def _decodes(value: bytes, codec: str) -> bool:
    try:
        value.decode(codec)
        return True
    except UnicodeDecodeError as exc:
        # a multi-byte character cut by the field width: the text is still that encoding
        return exc.end >= len(value) and exc.start >= len(value) - 3 and "end of data" in exc.reason


def dbf_text(path: str) -> DbfText:
    """The declared and the detected encoding of the ``.dbf`` belonging to ``path`` (.shp or .dbf)."""
    p = Path(path)
    cpg_path = str(p.with_suffix(".cpg"))
    cpg = _sibling(p, ".cpg")
    if cpg is not None:
        declared = cpg.read_bytes()[:64].decode("ascii", "replace").strip()
        if declared:
            return DbfText(declared, "", cpg_path=cpg_path)
    dbf = _sibling(p, ".dbf")
    if dbf is None:
        return DbfText("", "", cpg_path=cpg_path)
    with open(dbf, "rb") as fh:
        head = fh.read(32)
        if len(head) < 32:
            return DbfText("", "", cpg_path=cpg_path)
        n_records, header_len, record_len = struct.unpack("<IHH", head[4:12])
        if head[29]:
            return DbfText(f"LDID/{head[29]}", "", cpg_path=cpg_path)
        descriptors = fh.read(max(header_len - 32, 0))
    fields, offset = [], 1  # byte 0 of a record is the deletion flag
    for k in range(0, len(descriptors) - 31, 32):
        d = descriptors[k:k + 32]
        if d[0] == 0x0D:
            break
        width = d[16]
        if d[11:12] == b"C" and width:
            fields.append((offset, width))
        offset += width
    if not fields or record_len == 0 or n_records == 0:
        return DbfText("", "", cpg_path=cpg_path)
    size = dbf.stat().st_size
    n = min(n_records, max((size - header_len) // record_len, 0))
    if n == 0:
        return DbfText("", "", cpg_path=cpg_path)
    records = np.memmap(dbf, dtype=np.uint8, mode="r", offset=header_len, shape=(n, record_len))
    values = set()
    for off, width in fields:
        block = records[:, off:off + width]
        rows = (block >= 0x80).any(axis=1)
        if rows.any():
            uniq = np.unique(np.ascontiguousarray(block[rows]).view(f"S{width}").ravel())
            values.update(v.rstrip(b" \x00") for v in uniq.tolist())
    del records
    if not values:
        return DbfText("", ASCII, cpg_path=cpg_path)
    not_utf8 = [v for v in values if not _decodes(v, "utf-8")]
    if not not_utf8:
        detected = UTF8
    elif all(_decodes(v, "gb18030") for v in values):
        detected = GB18030
    else:
        detected = UNKNOWN
    return DbfText("", detected, len(values), len(not_utf8), cpg_path)
