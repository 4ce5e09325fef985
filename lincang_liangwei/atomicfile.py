"""Atomic file outputs: write under a temporary name beside the destination, move into place when complete.

No QGIS import (used by :mod:`gpkgbulk` and by ``qgis_io.writer``'s QGIS-sink path).

* :func:`temp_sibling` - a temporary name in the destination's folder with the
  destination's extension (so GDAL picks the same driver), e.g.
  ``out/.pieces.host-1234-x7q2.lwtmp.shp``; sidecar files the driver writes
  (``.dbf``, ``.shx``, ``.prj``, ``.cpg``, ``.xsd`` ...) share its base name.
* :func:`publish` - fsync and move the temporary file (and its sidecars) over
  the destination.  One file: ``os.replace``, atomic.  Several files (a
  shapefile): a commit record listing the moves is written first (atomically),
  then the moves are done, then the record is removed; a run killed in between
  is completed by the next :func:`clean_leftovers`, so readers never see a mix
  of old ``.shp`` and new ``.dbf`` for longer than the moves take.
* :func:`clean_leftovers` - removes the temporary files of killed runs for a
  destination (runs on this host whose process is gone, or older than a day),
  finishing their interrupted commits first.

Stale sidecars of the previous output that the new one does not have (an old
``.qix`` index, ``.cpg``) are removed; a user's ``.qml`` / ``.qmd`` style is kept.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import socket
import time
from pathlib import Path

TAG = ".lwtmp"
COMMIT = ".commit"
STALE_AFTER_S = 24 * 3600
# sidecars of the previous output that describe its data and would be wrong with the new one
STALE_SIDECARS = {".shp": (".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".fix", ".shp.xml"),
                  ".tab": (".dat", ".map", ".id", ".ind"), ".mif": (".mid",), ".gml": (".xsd", ".gfs")}
_NAME = re.compile(r"^\.(?P<stem>.+)\.(?P<host>[A-Za-z0-9_]*)-(?P<pid>\d+)-(?P<rand>[0-9a-z]+)"
                   + re.escape(TAG) + r"(?P<rest>(\..*)?)$")


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", socket.gethostname())[:40]


def split_name(path: Path) -> tuple[str, str]:
    """(stem, extension) of a destination: ``pieces.v2.shp`` -> (``pieces.v2``, ``.shp``)."""
    name = path.name
    low = name.lower()
    if low.endswith(".shp.xml"):
        return name[:-8], name[-8:]
    dot = name.rfind(".")
    if dot <= 0:
        return name, ""
    return name[:dot], name[dot:]


def temp_sibling(dst) -> Path:
    """A fresh temporary path beside ``dst`` with the same extension (nothing is created)."""
    dst = Path(dst)
    stem, ext = split_name(dst)
    tag = f"{_host()}-{os.getpid()}-{secrets.token_hex(4)}"
    return dst.with_name(f".{stem}.{tag}{TAG}{ext}")


def _family(tmp: Path) -> list[Path]:
    """``tmp`` and its sidecars (same base name, any extension), journals of SQLite excluded."""
    stem, _ = split_name(tmp)
    prefix = stem + "."
    out = []
    try:
        names = os.listdir(tmp.parent)
    except OSError:
        return [tmp] if tmp.exists() else []
    for nm in names:
        if (nm == tmp.name or nm.startswith(prefix)) and not nm.endswith((COMMIT, COMMIT + ".part", "-journal", "-wal", "-shm")):
            out.append(tmp.parent / nm)
    return out


def _fsync(path: Path, directory=False):
    try:
        fd = os.open(str(path), os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - e.g. file systems without fsync on directories
        pass
    finally:
        os.close(fd)


def remove_quietly(path):
    """Remove ``path`` and its SQLite journals; missing files are fine."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        try:
            os.unlink(str(path) + suffix)
        except FileNotFoundError:
            pass
        except IsADirectoryError:
            import shutil

            shutil.rmtree(str(path) + suffix, ignore_errors=True)


def discard(tmp):
    """Remove a temporary output and all its sidecars (a failed or cancelled write)."""
    for p in _family(Path(tmp)):
        remove_quietly(p)
    remove_quietly(tmp)


def publish(tmp, dst):
    """Move the complete temporary output ``tmp`` (and its sidecars) over ``dst``."""
    tmp, dst = Path(tmp), Path(dst)
    t_stem, _ = split_name(tmp)
    d_stem, d_ext = split_name(dst)
    moves = []
    for p in _family(tmp):
        suffix = p.name[len(t_stem):]
        moves.append((str(p), str(dst.with_name(d_stem + suffix))))
        if p.is_file():
            _fsync(p)
    new_suffixes = {Path(b).name[len(d_stem):].lower() for _, b in moves}
    stale = [str(dst.with_name(d_stem + s)) for s in STALE_SIDECARS.get(d_ext.lower(), ()) if s not in new_suffixes]
    # a stale journal / WAL of an older SQLite file at dst would be applied to the new one
    stale += [str(dst) + s for s in ("-journal", "-wal", "-shm")]
    if len(moves) == 1 and not any(os.path.lexists(s) for s in stale[:-3]):
        for s in stale:
            remove_quietly_file(s)
        _replace(*moves[0])
    else:
        record = tmp.with_name(tmp.name + COMMIT)
        part = tmp.with_name(tmp.name + COMMIT + ".part")
        part.write_text(json.dumps({"moves": moves, "remove": stale}), encoding="utf-8")
        _fsync(part)
        os.replace(str(part), str(record))
        _fsync(dst.parent, directory=True)
        _apply_commit(record)
    _fsync(dst.parent, directory=True)


def remove_quietly_file(path: str):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _replace(src: str, dst: str):
    if os.path.isdir(src) and os.path.isdir(dst) and not os.path.islink(dst):
        # a directory dataset (e.g. .gdb): move the old one aside, the new one in, then drop the old
        import shutil

        old = Path(temp_sibling(Path(dst)))
        os.replace(dst, str(old))
        os.replace(src, dst)
        shutil.rmtree(str(old), ignore_errors=True)
        return
    os.replace(src, dst)


def _apply_commit(record: Path):
    """Do (or finish) the moves a commit record lists; idempotent."""
    data = json.loads(record.read_text(encoding="utf-8"))
    for s in data.get("remove", ()):
        remove_quietly_file(s)
    for a, b in data.get("moves", ()):
        if os.path.lexists(a):
            _replace(a, b)
    _fsync(record.parent, directory=True)
    os.unlink(str(record))


def _owner_gone(host: str, pid: int, mtime: float) -> bool:
    if time.time() - mtime > STALE_AFTER_S:
        return True
    if host != _host():
        return False  # another machine's run on a shared folder: only age tells
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def clean_leftovers(dst) -> int:
    """Finish interrupted commits and remove temporary files of killed runs for ``dst``.

    Returns the number of files removed.  Files of runs still alive (this host)
    or recent ones of other hosts are left alone.
    """
    dst = Path(dst)
    stem, _ = split_name(dst)
    try:
        names = sorted(os.listdir(dst.parent))
    except OSError:
        return 0
    mine = []
    for nm in names:
        m = _NAME.match(nm)
        if m is None or m.group("stem") != stem:
            continue
        p = dst.parent / nm
        try:
            mtime = p.lstat().st_mtime
        except FileNotFoundError:
            continue
        if _owner_gone(m.group("host"), int(m.group("pid")), mtime):
            mine.append(p)
    # commits first: their files are complete and listed
    for p in mine:
        if p.name.endswith(COMMIT):
            try:
                _apply_commit(p)
            except (OSError, ValueError):
                remove_quietly_file(str(p))
    removed = 0
    for p in mine:
        if not os.path.lexists(p):
            continue
        if p.is_dir() and not p.is_symlink():
            import shutil

            shutil.rmtree(str(p), ignore_errors=True)
        else:
            remove_quietly_file(str(p))
        removed += 1
    return removed
