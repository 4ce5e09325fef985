"""Field package (外业包) rules: what a team may edit, what comes back, how it merges.

Pure Python (no qgis, no sqlite): the package writer (``qgis_io/fieldproject``), the package reader and
master updater (:mod:`lincang_liangwei.fieldstore`) and the tests share these rules.

Editable fields
---------------
A field package lets a team change only :data:`EDIT_FIELDS`; every other field is read-only in its form.

================  =========================================================  ==============================
field             widget on the tablet                                       accepted when merged back
================  =========================================================  ==============================
``status``        value map :data:`STATUS_VALUES` (待核查/已派遣/已处置/已结案)   one of those, or empty
``check_result``  value map :data:`CHECK_RESULT_VALUES`                       one of those, or empty
``remarks``       multi-line text                                            text <= :data:`MAX_TEXT` chars
``photo``         attachment (camera), relative path under ``DCIM/``         a safe relative path (below)
``visit_date``    date picker, ``yyyy-MM-dd``                                a date 2000-01-01 .. today + 1
================  =========================================================  ==============================

核查结果 (check_result) values: 属实 (the finding is confirmed on site), 不属实 (not confirmed: no building,
permitted, survey error), 已拆除 (demolished), 已整改 (rectified), 无法进入 (no access: locked gate, dog ...).

Conflicts
---------
The package records the master's values of the editable fields when it was made (the *baseline*).  When it
comes back, per case and field (``base`` = the baseline, or the value the master last took from this same
package when it is merged again; ``master`` = the master now; ``team`` = the package's value):

* ``team == base``: the team did not touch it -> nothing (the master keeps whatever it has);
* ``team == master``: already equal -> nothing;
* ``master == base``: only the team changed it -> the team's value is written;
* otherwise both changed it: a **conflict**.  The master's value stays in the register, the team's is kept in
  the conflicts table (both values, the baseline, the package id) and listed in the log; for ``remarks`` the
  team's text is also appended to the master's remark after :data:`CONFLICT_MARK`, so a reader of the
  register sees both.  Nothing is silently overwritten.

Untrusted input limits (a returned package came from a tablet that left the office)
-----------------------------------------------------------------------------------
:data:`MAX_ROWS` cases per package, :data:`MAX_TEXT` characters per text value, :data:`MAX_PHOTO_BYTES` per
photo, :data:`MAX_PHOTOS` photos per package, :data:`MAX_PACKAGE_BYTES` for the package GeoPackage and for the
unpacked zip, :data:`MAX_ZIP_MEMBERS` files in a zip.  Photo paths: relative, ``/`` or ``\\`` separated, no
``..``, no drive letter or UNC/URL, no control characters, at most :data:`MAX_PATH_CHARS`, photo suffix in
:data:`PHOTO_SUFFIXES`; no component may be a symbolic link and the file must be a regular file inside the
package folder (checked by :func:`resolve_photo`).
"""
from __future__ import annotations

import datetime as _dt
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .register import STATUS_VALUES

FORMAT_VERSION = "1"
CHECK_RESULT_VALUES = ("属实", "不属实", "已拆除", "已整改", "无法进入")
TEAM_FIELDS = ("status", "check_result", "remarks")
EDIT_FIELDS = ("status", "check_result", "remarks", "photo", "visit_date")
#: fields a package adds to the register when the master has none
ADDED_FIELDS = (("photo", "string"), ("visit_date", "date"))
META_TABLE = "liangwei_package"
BASELINE_TABLE = "liangwei_baseline"
PACKAGE_LAYER = "register"
PHOTO_DIR = "DCIM"
CONFLICT_MARK = "【外业冲突 field conflict】"

MAX_ROWS = 100_000
MAX_TEXT = 4000
MAX_PATH_CHARS = 255
MAX_PHOTO_BYTES = 25 * 1024 * 1024
MAX_PHOTOS = 20_000
MAX_PACKAGE_BYTES = 2 * 1024 ** 3
MAX_ZIP_MEMBERS = 50_000
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".heic", ".webp", ".gif", ".bmp", ".tif", ".tiff", ".mp4", ".pdf")
MIN_DATE = _dt.date(2000, 1, 1)

_DRIVE = re.compile(r"^[A-Za-z]:")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab, LF, CR are fine in a remark


class FieldSyncError(Exception):
    """A package refused (or a master that cannot take it): ``code`` for tests, ``detail`` for the user."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


# --------------------------------------------------------------------------- paths
def check_relative_path(text, suffixes=PHOTO_SUFFIXES) -> str | None:
    """None when ``text`` is an acceptable relative path (an attachment, a zip member), else the reason code:
    ``not_text``, ``empty``, ``too_long``, ``control_char``, ``absolute``, ``drive``, ``url``, ``parent``,
    ``bad_suffix`` (not one of ``suffixes``; None = any)."""
    if not isinstance(text, str):
        return "not_text"
    if not text.strip():
        return "empty"
    if len(text) > MAX_PATH_CHARS:
        return "too_long"
    if _CONTROL.search(text):
        return "control_char"
    norm = text.replace("\\", "/")
    if norm.startswith("/"):
        return "absolute"  # also //server/share (UNC)
    if _DRIVE.match(norm):
        return "drive"
    if _SCHEME.match(norm):
        return "url"
    parts = [p for p in norm.split("/") if p not in ("", ".")]
    if not parts:
        return "empty"
    if any(p == ".." for p in parts):
        return "parent"
    if suffixes is not None and PurePosixPath(parts[-1]).suffix.lower() not in suffixes:
        return "bad_suffix"
    return None


def split_photo_value(value) -> list:
    """The paths of a photo value (QField writes one; several joined by ``;`` are accepted)."""
    if value is None:
        return []
    if not isinstance(value, str):
        return [value]  # refused by check_relative_path as not_text
    return [p.strip() for p in value.split(";") if p.strip()]


def resolve_photo(root, text: str, max_bytes: int = MAX_PHOTO_BYTES) -> Path:
    """The photo file ``text`` inside package folder ``root``; FieldSyncError when the path is unsafe, a
    component is a symbolic link, the file is missing, not a regular file, or larger than ``max_bytes``."""
    reason = check_relative_path(text)
    if reason:
        raise FieldSyncError(f"photo_{reason}", repr(text))
    root = Path(root)
    parts = [p for p in text.replace("\\", "/").split("/") if p not in ("", ".")]
    cur = root
    for p in parts:
        cur = cur / p
        try:
            st = os.lstat(cur)
        except FileNotFoundError as exc:
            raise FieldSyncError("photo_missing", repr(text)) from exc
        except OSError as exc:
            raise FieldSyncError("photo_unreadable", f"{text!r}: {exc}") from exc
        if stat.S_ISLNK(st.st_mode):
            raise FieldSyncError("photo_symlink", repr(text))
    if not stat.S_ISREG(st.st_mode):
        raise FieldSyncError("photo_not_file", repr(text))
    if st.st_size > max_bytes:
        raise FieldSyncError("photo_too_large", f"{text!r}: {st.st_size} bytes > {max_bytes}")
    real_root = os.path.realpath(root)
    if os.path.commonpath([real_root, os.path.realpath(cur)]) != real_root:  # belt and braces
        raise FieldSyncError("photo_outside", repr(text))
    return cur


def safe_file_name(name: str, fallback: str = "photo") -> str:
    """A file name safe on Windows and Linux (for copies next to the master)."""
    name = re.sub(r'[\x00-\x1f\x7f<>:"/\\|?*]', "_", name).strip(" .")
    return name[:120] or fallback


# --------------------------------------------------------------------------- values
def parse_visit_date(value, today: _dt.date | None = None) -> str | None:
    """``YYYY-MM-DD`` from a date / datetime / ISO text (QField may write ``2024-05-01T00:00:00``);
    None for empty; ValueError when unreadable or outside 2000-01-01 .. today + 1 day."""
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        d = value.date()
    elif isinstance(value, _dt.date):
        d = value
    elif isinstance(value, str):
        s = value.strip()
        if not s:
            return None
        m = re.match(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$", s)
        if not m:
            raise ValueError(f"not a date: {value!r}")
        d = _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    else:
        raise ValueError(f"not a date: {value!r}")
    today = today or _dt.date.today()
    if d < MIN_DATE or d > today + _dt.timedelta(days=1):
        raise ValueError(f"date out of range: {d.isoformat()}")
    return d.isoformat()


def normalise_value(name: str, value, today: _dt.date | None = None):
    """A returned value of editable field ``name`` as stored in the master (``None`` for empty), or
    ValueError with the reason.  ``photo`` is only type-checked here (paths: :func:`resolve_photo`)."""
    if value is None:
        return None
    if name == "visit_date":
        return parse_visit_date(value, today)
    if not isinstance(value, str):
        raise ValueError(f"not text: {type(value).__name__}")
    if name in ("status", "check_result"):
        v = value.strip()
        if not v:
            return None
        allowed = STATUS_VALUES if name == "status" else CHECK_RESULT_VALUES
        if v not in allowed:
            raise ValueError(f"not one of {'/'.join(allowed)}: {value[:40]!r}")
        return v
    if len(value) > MAX_TEXT:
        raise ValueError(f"longer than {MAX_TEXT} characters ({len(value)})")
    if _TEXT_CONTROL.search(value):
        raise ValueError("control characters")
    return value if value != "" else None


def same(a, b) -> bool:
    """Equal as register values (None and "" are both empty)."""
    a = None if a == "" else a
    b = None if b == "" else b
    return a == b


# --------------------------------------------------------------------------- merge plan
@dataclass
class Conflict:
    case_id: str
    field: str
    base: object
    master: object
    team: object


@dataclass
class MergePlan:
    updates: list = field(default_factory=list)  # (case_id, field, new value)
    conflicts: list = field(default_factory=list)  # Conflict
    taken: list = field(default_factory=list)  # (case_id, field, team value) now merged from this package
    unchanged: int = 0  # (case, field) pairs the team did not change
    cases: set = field(default_factory=set)  # case ids with at least one update

    @property
    def n_updates(self) -> int:
        return len(self.updates)


def plan_merge(team: dict, baseline: dict, master: dict, taken: dict | None = None,
               fields=EDIT_FIELDS) -> MergePlan:
    """What merging one package changes.  ``team`` / ``baseline`` / ``master``: ``{case_id: {field: value}}``
    (``team`` already normalised; ``baseline`` from the package; ``master`` the master now); ``taken``:
    ``{(case_id, field): value}`` the master took from this package at an earlier merge (that value is then
    the baseline).  See the module doc for the rules.  Raises FieldSyncError ``unknown_cases`` when a team
    case is missing from the master or from the baseline."""
    taken = taken or {}
    missing_master = sorted(c for c in team if c not in master)
    missing_base = sorted(c for c in team if c not in baseline)
    if missing_master or missing_base:
        ids = missing_master or missing_base
        where = "master register" if missing_master else "package baseline"
        raise FieldSyncError("unknown_cases", f"{len(ids)} case(s) not in the {where}, e.g. {', '.join(ids[:5])}")
    plan = MergePlan()
    for cid in sorted(team):
        row, brow, mrow = team[cid], baseline[cid], master[cid]
        for f in fields:
            if f not in row:
                continue
            t = row[f]
            b = taken[(cid, f)] if (cid, f) in taken else brow.get(f)
            m = mrow.get(f)
            if same(t, b) or same(t, m):
                plan.unchanged += 1
                if same(t, m) and not same(t, b):
                    plan.taken.append((cid, f, t))
                continue
            if same(m, b):
                plan.updates.append((cid, f, t))
                plan.taken.append((cid, f, t))
                plan.cases.add(cid)
            else:
                plan.conflicts.append(Conflict(cid, f, b, m, t))
    return plan


def remark_with_conflict(master_text, team_text, package_id: str) -> str:
    """The master's remark with the team's conflicting remark appended after a marker (both kept)."""
    head = master_text or ""
    return f"{head}\n{CONFLICT_MARK}[{package_id[:8]}] {team_text or ''}".lstrip("\n")
