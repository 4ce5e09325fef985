"""Detecting the text encoding of a shapefile .dbf without .cpg (core.dbf, no QGIS/GDAL)."""
import struct

from lincang_liangwei.core.dbf import ASCII, GB18030, UNKNOWN, UTF8, dbf_text


def write_dbf(path, values, width=20, ldid=0):
    """A dBase III file with one character field ``name`` holding ``values`` (bytes)."""
    header_len = 32 + 32 + 1
    record_len = 1 + width
    head = struct.pack("<BBBBIHH", 3, 124, 1, 1, len(values), header_len, record_len) + bytes(20)
    head = head[:29] + bytes([ldid]) + head[30:]
    desc = b"name".ljust(11, b"\0") + b"C" + bytes(4) + bytes([width, 0]) + bytes(14)
    body = b"".join(b" " + v[:width].ljust(width, b" ") for v in values)
    path.write_bytes(head + desc + b"\r" + body + b"\x1a")
    return path


def test_gbk_without_cpg_is_detected(tmp_path):
    p = write_dbf(tmp_path / "zones.dbf", ["商业".encode("gbk"), "工业".encode("gbk"), b"park", "燃气".encode("gbk")])
    t = dbf_text(str(tmp_path / "zones.shp"))
    assert (t.declared, t.detected, t.n_values, t.n_not_utf8) == ("", GB18030, 3, 3)
    assert t.cpg_path == str(tmp_path / "zones.cpg")
    assert p.exists()


def test_utf8_and_ascii_without_cpg(tmp_path):
    write_dbf(tmp_path / "u.dbf", ["商业".encode(), "给水".encode()])
    assert dbf_text(str(tmp_path / "u.shp")).detected == UTF8
    write_dbf(tmp_path / "a.dbf", [b"gas", b"water"])
    assert dbf_text(str(tmp_path / "a.shp")).detected == ASCII


def test_utf8_cut_by_the_field_width_is_still_utf8(tmp_path):
    write_dbf(tmp_path / "cut.dbf", ["滨江路滨江路滨江路".encode()], width=8)  # 8 bytes: 2 chars + 2 of the 3rd
    assert dbf_text(str(tmp_path / "cut.shp")).detected == UTF8


def test_declared_encodings_are_trusted(tmp_path):
    write_dbf(tmp_path / "c.dbf", ["商业".encode("gbk")])
    (tmp_path / "c.cpg").write_text("GBK\n")
    assert (dbf_text(str(tmp_path / "c.shp")).declared, dbf_text(str(tmp_path / "c.shp")).detected) == ("GBK", "")
    write_dbf(tmp_path / "l.dbf", ["商业".encode("gbk")], ldid=0x4D)
    assert dbf_text(str(tmp_path / "l.shp")).declared == "LDID/77"


def test_neither_utf8_nor_gb18030(tmp_path):
    write_dbf(tmp_path / "x.dbf", [b"\xff\xfe\xff"])
    assert dbf_text(str(tmp_path / "x.shp")).detected == UNKNOWN


def test_missing_dbf(tmp_path):
    t = dbf_text(str(tmp_path / "nothing.shp"))
    assert (t.declared, t.detected) == ("", "")
