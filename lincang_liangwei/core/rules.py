"""The planning rules table: clearances, setbacks, legal basis, verdicts.

One table holds every number and every citation the checks use, so that a
bureau can adapt the tool to its local regulations without touching code.

Files
-----
* ``rules_default.toml`` (next to this module) — the shipped defaults.
* an optional **user rules file** (``.toml``, or ``.json`` with the same
  structure) that overrides rows: a row it names is changed field by field, every
  row it does not name stays as shipped.  New rows may be added.

Format (TOML, UTF-8; full description with examples in ``docs/rules.md``)::

    [meta]            schema = 1, name, version, description, note
    [kind.<id>]       pipe kind: label, label_en, default_class, note
    [pipe.<id>]       building-to-pipe clearance row: kind, class,
                      min_diameter_mm (exclusive), max_diameter_mm (inclusive),
                      value, unit ("m"), source, verified, label, basis, note, enabled
    [line.<type>]     control line (type in LINE_TYPES): label, value (setback),
                      unit, basis, source, verified, note
    [verdict.<id>]    verdict rule: order, finding, pipe_kinds, where, change, confidence, label,
                      min_enc_area_m2, min_deficit_m, verdict, basis, source,
                      verified, note, enabled
    [level.<id>]      verdict level: verdict, rank (1 = most severe), priority, label_en, note
    [register]        register settings: built_changes, existing_changes, case_changes,
                      no_permit_changes, permit_min_share, compound_min_share,
                      priority_area_cap_m2, priority_area_weight, basis_separator
    [kind_map]        "<layer value>" = "<kind id>"   ("" removes a mapping)
    [class_map]       "<layer value>" = "<class id>"  ("" removes a mapping)

Every pipe and line row carries ``value``, ``unit``, ``source`` and ``verified``.
When a user file changes a row's ``value`` without giving ``source`` /
``verified``, the row's source becomes "user file <name> (was: <old source>)"
and ``verified`` becomes false — a changed number never keeps a citation it no
longer matches.

Any problem in a file raises :class:`RulesError`, whose message (Chinese and
English) names the file, the row (e.g. ``[pipe.sewer]``, with its line number
when it can be found) and the field.

Value mapping
-------------
Pipe layers carry their own kind / pressure values (燃气, 上水, RQ, "MB", ...).
``kind_map`` / ``class_map`` translate them; keys are compared after NFKC
normalisation, lower-casing and removal of spaces, ``_``, ``-`` and ``·``.  The
table's own kind and class ids always map to themselves.  A run can add
mappings with a parameter string ``"燃气=gas;上水=water"`` (:func:`parse_mapping`).
"""
from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

try:  # Python >= 3.11 (QGIS on Windows ships 3.12, Debian 12 has 3.11)
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - older Pythons
    tomllib = None

LINE_TYPES = ("red", "blue", "green", "yellow", "purple", "water_source")
PIPE_FINDING = "pipe"
#: the shipped verdict levels (``[level.*]`` rows), most severe first; a rules
#: file may add levels
VERDICTS = ("拆除候选", "限期整改", "超期临时建筑", "待核查", "历史存量")
DEFAULT_VERDICT = "待核查"
WHERE_VALUES = ("inside", "setback", "any")
#: register findings besides the line types and "pipe" (codes used in ``[verdict.*] finding``)
CHANGE_FINDINGS = ("new", "expanded", "expanded+floors_added", "floors_added", "rebuilt", "split", "merged")
OTHER_FINDINGS = ("compound", "temp_expired", "no_permit")
#: values of a building's change as seen by verdict rows (``change`` condition):
#: compare_epochs' classes plus "unknown" (no epoch comparison given)
CHANGE_VALUES = ("unchanged", "new", "expanded", "floors_added", "expanded+floors_added", "rebuilt", "split",
                 "merged", "skipped", "duplicate", "unknown")
CONFIDENCE_VALUES = ("high", "medium", "low", "unknown")
#: change-group tokens a verdict row's ``change`` may use: "built" = [register]
#: built_changes, "existing" = [register] existing_changes
CHANGE_GROUPS = ("built", "existing")
SCHEMA = 1

DEFAULT_RULES_PATH = Path(__file__).with_name("rules_default.toml")

# register settings used when the table's [register] section omits them
_REGISTER_DEFAULTS = {
    "built_changes": ["new", "expanded", "expanded+floors_added", "floors_added", "rebuilt", "merged"],
    "existing_changes": ["unchanged", "split"],
    "case_changes": ["new", "expanded", "expanded+floors_added", "floors_added", "rebuilt", "merged"],
    "no_permit_changes": ["new", "rebuilt"],
    "permit_min_share": 0.5,
    "compound_min_share": 0.5,
    "priority_area_cap_m2": 1000.0,
    "priority_area_weight": 99.0,
    "basis_separator": "；",
    "note": "",
}

# pipe match status codes (``PipeMatch.status``)
MATCH_OK = "ok"
MATCH_CLASS_DEFAULTED = "class_defaulted"
MATCH_UNKNOWN_KIND = "unknown_kind"
MATCH_UNKNOWN_CLASS = "unknown_class"
MATCH_NO_DIAMETER = "no_diameter"
MATCH_NO_RULE = "no_rule"


def N_(text: str) -> str:  # noqa: N802 - marks a message template for scripts/i18n.py (no Qt in the core)
    return text


class RulesError(ValueError):
    """A rules file (or mapping string) is malformed.

    Facts, no sentences in another language: ``path``, ``line``, ``row`` and ``field`` say where; ``template``
    (English, with ``{placeholders}``) and ``values`` say what.  ``str(err)`` is the English message (command
    line, logs); ``qgis_io.messages.rules_error_text`` gives it in the user's language.
    """

    def __init__(self, template: str, path: str | None = None, row: str | None = None,
                 field: str | None = None, line: int | None = None, located: bool = False, **values):
        self.template, self.values = template, values
        self.path, self.row, self.field, self.line = path, row, field, line
        self.located = located   # the message starts with "rules file …, line …, row …, field …:"
        super().__init__(self.english())

    def detail(self, translate=None) -> str:
        """The message without its location; ``translate`` (e.g. ``tr``) maps the English template."""
        text = translate(self.template) if translate else self.template
        return text.format(**self.values)

    def english(self) -> str:
        if not self.located:
            return self.detail()
        where = f"rules file {self.path}" + (f", line {self.line}" if self.line else "") + f", row {self.row}"
        where += f", field '{self.field}'" if self.field else ""
        return f"{where}: {self.detail()}"


# --------------------------------------------------------------------------- rows

@dataclass(frozen=True)
class KindInfo:
    id: str
    label: str
    label_en: str = ""
    default_class: str = ""
    note: str = ""


@dataclass(frozen=True)
class PipeRule:
    id: str
    kind: str
    value: float
    unit: str
    source: str
    verified: bool
    cls: str = ""  # "class" in the file
    min_diameter_mm: float | None = None  # exclusive
    max_diameter_mm: float | None = None  # inclusive
    label: str = ""
    basis: str = ""
    note: str = ""
    enabled: bool = True

    @property
    def pipe_class(self) -> str:
        """Class label written to outputs (class id, or the diameter range)."""
        if self.cls:
            return self.cls
        lo, hi = self.min_diameter_mm, self.max_diameter_mm
        if lo is not None and hi is not None:
            return f"{lo:g}<d<={hi:g}mm"
        if hi is not None:
            return f"d<={hi:g}mm"
        if lo is not None:
            return f"d>{lo:g}mm"
        return ""

    @property
    def specificity(self) -> int:
        return int(bool(self.cls)) + int(self.min_diameter_mm is not None or self.max_diameter_mm is not None)


@dataclass(frozen=True)
class LineRule:
    id: str
    label: str
    value: float
    unit: str
    basis: str
    source: str
    verified: bool
    note: str = ""


@dataclass(frozen=True)
class VerdictRule:
    id: str
    order: int
    finding: tuple
    verdict: str
    basis: str
    source: str = ""
    verified: bool = False
    pipe_kinds: tuple = ()
    where: str = "any"
    min_enc_area_m2: float = 0.0
    min_deficit_m: float = 0.0
    note: str = ""
    enabled: bool = True
    change: tuple = ()  # building change classes the row applies to (empty = any)
    confidence: tuple = ()  # building change confidence the row applies to (empty = any)
    label: str = ""  # what the finding is, for the case's basis text (e.g. 住宅小区内的违法建筑)


@dataclass(frozen=True)
class VerdictLevel:
    """One verdict (初判) value: its severity rank (1 = most severe) and priority base."""

    id: str
    verdict: str
    rank: int
    priority: float
    label_en: str = ""
    note: str = ""


# --------------------------------------------------------------------------- schema

_STR, _NUM, _BOOL, _INT, _STRLIST = "str", "num", "bool", "int", "strlist"

# field -> (type, required for a new row)
_SCHEMA = {
    "meta": {"schema": (_INT, False), "name": (_STR, False), "version": (_STR, False),
             "description": (_STR, False), "note": (_STR, False)},
    "kind": {"label": (_STR, True), "label_en": (_STR, False), "default_class": (_STR, False),
             "note": (_STR, False)},
    "pipe": {"kind": (_STR, True), "class": (_STR, False), "min_diameter_mm": (_NUM, False),
             "max_diameter_mm": (_NUM, False), "value": (_NUM, True), "unit": (_STR, True),
             "source": (_STR, True), "verified": (_BOOL, True), "label": (_STR, False),
             "basis": (_STR, False), "note": (_STR, False), "enabled": (_BOOL, False)},
    "line": {"label": (_STR, True), "value": (_NUM, True), "unit": (_STR, True),
             "basis": (_STR, True), "source": (_STR, True), "verified": (_BOOL, True),
             "note": (_STR, False)},
    "verdict": {"order": (_INT, True), "finding": (_STRLIST, True), "pipe_kinds": (_STRLIST, False),
                "where": (_STR, False), "min_enc_area_m2": (_NUM, False), "min_deficit_m": (_NUM, False),
                "verdict": (_STR, True), "basis": (_STR, True), "source": (_STR, False),
                "verified": (_BOOL, False), "note": (_STR, False), "enabled": (_BOOL, False),
                "change": (_STRLIST, False), "confidence": (_STRLIST, False), "label": (_STR, False)},
    "level": {"verdict": (_STR, True), "rank": (_INT, True), "priority": (_NUM, True),
              "label_en": (_STR, False), "note": (_STR, False)},
    # register settings (one flat table, like [meta]); see docs/rules.md
    "register": {"built_changes": (_STRLIST, False), "existing_changes": (_STRLIST, False),
                 "case_changes": (_STRLIST, False),
                 "no_permit_changes": (_STRLIST, False), "permit_min_share": (_NUM, False),
                 "compound_min_share": (_NUM, False), "priority_area_cap_m2": (_NUM, False),
                 "priority_area_weight": (_NUM, False), "basis_separator": (_STR, False),
                 "note": (_STR, False)},
}
_ROW_SECTIONS = ("kind", "pipe", "line", "verdict", "level")
_MAP_SECTIONS = ("kind_map", "class_map")
_FLAT_SECTIONS = ("meta", "register")
_SECTIONS = _FLAT_SECTIONS + _ROW_SECTIONS + _MAP_SECTIONS
_TYPE_WORDS = {_STR: N_("expected a string, got {v}"), _NUM: N_("expected a number, got {v}"),
               _BOOL: N_("expected true or false, got {v}"), _INT: N_("expected an integer, got {v}"),
               _STRLIST: N_("expected a list of strings, got {v}")}
_ID_RE = re.compile(r"^[A-Za-z0-9_]+$")


def norm_key(value) -> str:
    """Normalise a layer value for mapping look-ups (NFKC, lower, no spaces/_/-/·)."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    s = unicodedata.normalize("NFKC", str(value)).strip().lower()
    return re.sub(r"[\s_\-·]+", "", s)


class _Where:
    """Locates rows in a file's text for error messages."""

    def __init__(self, path: str, text: str | None):
        self.path = path
        self.text = text or ""

    def line_of(self, section: str, row: str | None, fld: str | None = None) -> int | None:
        """1-based line of the row's header, or of the field inside it when found."""
        if not self.text:
            return None
        if row is None:
            pat = rf'^[ \t]*\[[ \t]*{re.escape(section)}[ \t]*\]'
        else:
            pat = rf'^[ \t]*\[[ \t]*{re.escape(section)}[ \t]*\.[ \t]*["\']?{re.escape(row)}["\']?[ \t]*\]'
        m = re.search(pat, self.text, flags=re.M)
        if m is None:
            return None
        pos = m.start()
        if fld:
            nxt = re.search(r'^[ \t]*\[', self.text[m.end():], flags=re.M)
            body_end = m.end() + nxt.start() if nxt else len(self.text)
            fm = re.search(rf'^[ \t]*["\']?{re.escape(fld)}["\']?[ \t]*=', self.text[m.end():body_end], flags=re.M)
            if fm is not None:
                pos = m.end() + fm.start()
        return self.text.count("\n", 0, pos) + 1

    def row_name(self, section: str, row: str | None) -> str:
        return f"[{section}]" if row is None else f"[{section}.{row}]"

    def error(self, section: str, row: str | None, fld: str | None, template: str, **values) -> RulesError:
        """``template``: English, ``N_``-marked, with ``{placeholders}`` filled from ``values``."""
        return RulesError(template, path=self.path, row=self.row_name(section, row), field=fld,
                          line=self.line_of(section, row, fld), located=True, **values)


def _read_file(path: Path) -> tuple[dict, str]:
    spath = str(path)
    if not path.is_file():
        raise RulesError(N_("rules file not found: {file}"), path=spath, file=spath)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RulesError(N_("rules file {file} is not UTF-8 ({error})"), path=spath, file=spath, error=exc) from None
    suffix = path.suffix.lower()
    try:
        if suffix == ".json":
            data = json.loads(text)
        else:
            if tomllib is None:  # pragma: no cover
                raise RulesError(N_("reading TOML needs Python >= 3.11"), path=spath)
            data = tomllib.loads(text)
    except (json.JSONDecodeError, ValueError) as exc:
        if isinstance(exc, RulesError):
            raise
        raise RulesError(N_("rules file {file}: syntax error: {error}"), path=spath, file=spath, error=exc) from None
    if not isinstance(data, dict):
        raise RulesError(N_("rules file {file}: top level must be a table"), path=spath, file=spath)
    return data, text


def _check_value(w: _Where, section: str, row: str | None, fld: str, typ: str, v):
    bad = False
    if typ == _STR:
        bad = not isinstance(v, str)
    elif typ == _BOOL:
        bad = not isinstance(v, bool)
    elif typ == _INT:
        bad = isinstance(v, bool) or not isinstance(v, int)
    elif typ == _NUM:
        bad = isinstance(v, bool) or not isinstance(v, (int, float))
        if not bad and not math.isfinite(float(v)):
            raise w.error(section, row, fld, N_("value is not finite ({v})"), v=repr(v))
        if not bad and float(v) < 0:
            raise w.error(section, row, fld, N_("must not be negative ({v})"), v=repr(v))
    elif typ == _STRLIST:
        bad = not isinstance(v, list) or not all(isinstance(x, str) for x in v)
    if bad:
        raise w.error(section, row, fld, _TYPE_WORDS[typ], v=repr(v))
    return float(v) if typ == _NUM else (tuple(v) if typ == _STRLIST else v)


def _validate_file(data: dict, w: _Where) -> dict:
    """Type-check one file's content; returns {section: {row: {field: value}}}."""
    out: dict = {s: {} for s in _SECTIONS}
    for section, content in data.items():
        if section not in _SECTIONS:
            raise w.error(section, None, None, N_("unknown section '{name}' (allowed: {allowed})"),
                name=section, allowed=', '.join(_SECTIONS))
        if not isinstance(content, dict):
            raise w.error(section, None, None, N_("must be a table"))
        if section in _FLAT_SECTIONS:
            for fld, v in content.items():
                if fld not in _SCHEMA[section]:
                    raise w.error(section, None, fld, N_("unknown field"))
                out[section][fld] = _check_value(w, section, None, fld, _SCHEMA[section][fld][0], v)
            if "schema" in out["meta"] and out["meta"]["schema"] != SCHEMA:
                raise w.error("meta", None, "schema", N_("unsupported schema {out_meta_schema} (expected {schema})"),
                    out_meta_schema=out['meta']['schema'], schema=SCHEMA)
            continue
        if section in _MAP_SECTIONS:
            for key, v in content.items():
                if not isinstance(v, str):
                    raise w.error(section, None, key, N_("expected a string, got {v}"), v=repr(v))
                if not norm_key(key):
                    raise w.error(section, None, key, N_("empty key"))
                out[section][key] = v
            continue
        schema = _SCHEMA[section]
        for row, fields in content.items():
            if not _ID_RE.match(row):
                raise w.error(section, row, None, N_("row names may contain only letters, digits and '_'"))
            if section == "line" and row not in LINE_TYPES:
                raise w.error(section, row, None, N_("unknown control-line type (allowed: {join_line_types})"),
                    join_line_types=', '.join(LINE_TYPES))
            if not isinstance(fields, dict):
                raise w.error(section, row, None, N_("must be a table"))
            checked = {}
            for fld, v in fields.items():
                if fld not in schema:
                    raise w.error(section, row, fld, N_("unknown field (allowed: {join_schema})"),
                        join_schema=', '.join(schema))
                checked[fld] = _check_value(w, section, row, fld, schema[fld][0], v)
            out[section][row] = checked
    return out


def _merge(base: dict, over: dict, w: _Where, origin: dict, user_name: str | None) -> list[str]:
    """Merge ``over`` into ``base`` in place; returns the names of changed/added rows."""
    changed = []
    base["meta"].update({k: v for k, v in over["meta"].items() if k != "schema"})
    for k, v in over["register"].items():
        base["register"][k] = v
        origin[("register", k)] = w
        changed.append(f"register.{k}")
    for section in _ROW_SECTIONS:
        schema = _SCHEMA[section]
        for row, fields in over[section].items():
            if row in base[section]:
                old = base[section][row]
                new = dict(old)
                new.update(fields)
                if user_name is not None and section in ("pipe", "line") and "value" in fields \
                        and fields["value"] != old.get("value"):
                    if "source" not in fields:
                        new["source"] = f"用户规则文件 {user_name}（原：{old.get('source', '')}） / user file {user_name}"
                    if "verified" not in fields:
                        new["verified"] = False
                base[section][row] = new
            else:
                missing = [f for f, (_, req) in schema.items() if req and f not in fields]
                if missing:
                    raise w.error(section, row, missing[0], N_("new row lacks required field (required: {join_missing})"),
                        join_missing=', '.join(missing))
                base[section][row] = dict(fields)
            origin[(section, row)] = w
            changed.append(f"{section}.{row}")
    for section in _MAP_SECTIONS:
        for key, v in over[section].items():
            base[section][key] = v
            origin[(section, key)] = w
            changed.append(f"{section}.{key}")
    return changed


def parse_mapping(text: str | Mapping | None, what: str = "mapping") -> dict:
    """Parse ``"燃气=gas;上水=water"`` (also ``，；：`` / newlines) into a dict.

    A dict is returned as a copy.  Raises :class:`RulesError` on a malformed item.
    """
    if text is None:
        return {}
    if isinstance(text, Mapping):
        return {str(k): str(v) for k, v in text.items()}
    s = unicodedata.normalize("NFKC", str(text))
    out = {}
    for item in re.split(r"[;,\n]+", s):
        item = item.strip()
        if not item:
            continue
        m = re.match(r"^(.+?)\s*[=:]\s*(.*)$", item)
        if m is None or not m.group(1).strip():
            raise RulesError(N_("malformed {what} item '{item}' (expected value=kind;value=kind)"), row=item,
                             what=what, item=item)
        out[m.group(1).strip()] = m.group(2).strip()
    return out


# --------------------------------------------------------------------------- results

@dataclass
class PipeMatch:
    """Rule match for each pipe (arrays aligned with the input)."""

    kind: np.ndarray  # table kind id, "" when unmapped
    pipe_class: np.ndarray  # class label of the matched row, "" when none
    rule_id: np.ndarray  # matched pipe row id, "" when unmapped
    required_m: np.ndarray  # float, nan when unmapped
    basis: np.ndarray  # citation text, "" when unmapped
    verified: np.ndarray  # bool
    status: np.ndarray  # MATCH_* codes
    problem_value: np.ndarray  # the raw value that could not be mapped ("" when mapped)

    def __iter__(self):  # ``required, cls, basis = rules.pipe_clearances(...)``
        return iter((self.required_m, self.pipe_class, self.basis))

    @property
    def mapped(self) -> np.ndarray:
        return np.isfinite(self.required_m)

    def unmapped_values(self) -> dict:
        """Distinct unmappable values -> count (most frequent first)."""
        bad = ~self.mapped
        if not bad.any():
            return {}
        vc = pd.Series(self.problem_value[bad]).value_counts(sort=True)
        return {str(k): int(v) for k, v in vc.items()}


def _as_object_array(values, n: int | None = None) -> np.ndarray:
    if values is None:
        return np.full(n or 0, None, dtype=object)
    arr = np.asarray(values, dtype=object)
    if arr.ndim == 0:
        arr = np.full(n or 1, arr.item(), dtype=object)
    return arr


def _map_values(values: np.ndarray, mapping: dict) -> tuple[np.ndarray, np.ndarray]:
    """Map raw values through a normalised-key dict. Returns (mapped str array, raw str array)."""
    n = len(values)
    if n == 0:
        return np.array([], dtype=object), np.array([], dtype=object)
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True) \
        if _FACTORIZE_SENTINEL else pd.factorize(pd.Series(values, dtype=object))
    mapped_u = np.array([mapping.get(norm_key(u), "") for u in uniques] + [""], dtype=object)
    raw_u = np.array([str(u).strip() for u in uniques] + [""], dtype=object)
    return mapped_u[codes], raw_u[codes]


try:  # pandas >= 1.5 has use_na_sentinel; older ones use na_sentinel=-1 by default
    pd.factorize(pd.Series([1]), use_na_sentinel=True)
    _FACTORIZE_SENTINEL = True
except TypeError:  # pragma: no cover
    _FACTORIZE_SENTINEL = False


def _isin(values, options) -> np.ndarray:
    """Hash-based isin for object arrays (np.isin sorts them: slow at 10^6)."""
    return pd.Series(values, dtype=object).isin(list(options)).to_numpy()


def parse_diameters(values, n: int | None = None) -> np.ndarray:
    """Diameters in mm as float (nan when missing or <= 0); accepts 'DN300', '300mm', 'Φ300'."""
    if values is None:
        return np.full(n or 0, np.nan)
    arr = np.asarray(values)
    if arr.dtype.kind in "iuf":
        d = arr.astype(float)
    else:
        s = pd.Series(arr.astype(object), dtype=object)
        d = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
        todo = np.isnan(d) & s.notna().to_numpy()
        if todo.any():
            ex = s[todo].astype(str).map(lambda x: unicodedata.normalize("NFKC", x)) \
                .str.extract(r"(\d+(?:\.\d+)?)", expand=False)
            d[todo] = pd.to_numeric(ex, errors="coerce").to_numpy(dtype=float)
    d = d.copy()
    d[~(d > 0)] = np.nan
    return d


# --------------------------------------------------------------------------- Rules

class Rules:
    """The loaded, validated rules table (defaults + optional user overrides)."""

    def __init__(self, data: dict, source_paths: tuple, overridden: list, origin: dict):
        self._data = data
        self._source_paths = tuple(source_paths)
        self.overridden = list(overridden)
        self._origin = origin
        self.meta = dict(data["meta"])
        self.kinds: dict[str, KindInfo] = {}
        for kid, f in data["kind"].items():
            self.kinds[kid] = KindInfo(id=kid, label=f["label"], label_en=f.get("label_en", ""),
                                       default_class=f.get("default_class", ""), note=f.get("note", ""))
        self.pipe_rules: dict[str, PipeRule] = {}
        for rid, f in data["pipe"].items():
            self.pipe_rules[rid] = PipeRule(
                id=rid, kind=f["kind"], value=f["value"], unit=f["unit"], source=f["source"],
                verified=f["verified"], cls=f.get("class", ""), min_diameter_mm=f.get("min_diameter_mm"),
                max_diameter_mm=f.get("max_diameter_mm"), label=f.get("label", ""), basis=f.get("basis", ""),
                note=f.get("note", ""), enabled=f.get("enabled", True))
        self.line_rules: dict[str, LineRule] = {}
        for lid, f in data["line"].items():
            self.line_rules[lid] = LineRule(id=lid, label=f["label"], value=f["value"], unit=f["unit"],
                                            basis=f["basis"], source=f["source"], verified=f["verified"],
                                            note=f.get("note", ""))
        self.verdict_rules: list[VerdictRule] = []
        for vid, f in data["verdict"].items():
            self.verdict_rules.append(VerdictRule(
                id=vid, order=f["order"], finding=tuple(f["finding"]), verdict=f["verdict"],
                basis=f["basis"], source=f.get("source", ""), verified=f.get("verified", False),
                pipe_kinds=tuple(f.get("pipe_kinds", ())), where=f.get("where", "any"),
                min_enc_area_m2=f.get("min_enc_area_m2", 0.0), min_deficit_m=f.get("min_deficit_m", 0.0),
                note=f.get("note", ""), enabled=f.get("enabled", True),
                change=tuple(f.get("change", ())), confidence=tuple(f.get("confidence", ())),
                label=f.get("label", "")))
        self.verdict_rules.sort(key=lambda r: (r.order, r.id))
        self.levels: dict[str, VerdictLevel] = {}
        for lid, f in data["level"].items():
            lv = VerdictLevel(id=lid, verdict=f["verdict"], rank=f["rank"], priority=f["priority"],
                              label_en=f.get("label_en", ""), note=f.get("note", ""))
            self.levels[lv.verdict] = lv
        self.register = {**_REGISTER_DEFAULTS, **data["register"]}
        self._check()
        self.kind_map = self._build_map(data["kind_map"], self.kinds)
        self.class_map = self._build_map(data["class_map"], self.classes)

    # -- validation across rows (after merging) --
    def _err(self, section: str, row: str, fld: str | None, template: str, **values) -> RulesError:
        w = self._origin.get((section, row)) or _Where(self.source_path, None)
        return w.error(section, row, fld, template, **values)

    def _check(self):
        for lt in LINE_TYPES:
            if lt not in self.line_rules:
                raise RulesError(N_("rules table lacks row [line.{type}]"), path=self.source_path, row=f"[line.{lt}]",
                                 type=lt)
        for r in self.line_rules.values():
            if r.unit != "m":
                raise self._err("line", r.id, "unit", N_("unit must be \"m\", got {r_unit}"), r_unit=repr(r.unit))
        for r in self.pipe_rules.values():
            if r.unit != "m":
                raise self._err("pipe", r.id, "unit", N_("unit must be \"m\", got {r_unit}"), r_unit=repr(r.unit))
            if r.kind not in self.kinds:
                raise self._err("pipe", r.id, "kind", N_("undeclared pipe kind {r_kind} (declare it as [kind.{r_kind2}])"),
                    r_kind=repr(r.kind), r_kind2=r.kind)
            lo, hi = r.min_diameter_mm, r.max_diameter_mm
            if lo is not None and hi is not None and lo >= hi:
                raise self._err("pipe", r.id, "max_diameter_mm", N_("max_diameter_mm must exceed min_diameter_mm"))
        classes = self.classes
        for k in self.kinds.values():
            if k.default_class and k.default_class not in {r.cls for r in self.pipe_rules.values()
                                                           if r.kind == k.id}:
                raise self._err("kind", k.id, "default_class", N_("{k_default_class} is not a class of any [pipe] row of this kind"),
                    k_default_class=repr(k.default_class))
        allowed_findings = set(LINE_TYPES) | {PIPE_FINDING} | set(CHANGE_FINDINGS) | set(OTHER_FINDINGS)
        verdict_names = set(self.levels)
        if DEFAULT_VERDICT not in verdict_names:
            raise RulesError(N_("rules table lacks a [level.*] row for {verdict}"),
                path=self.source_path, row="[level]",
                             verdict=DEFAULT_VERDICT)
        ranks = {}
        for lv in self.levels.values():
            if lv.rank in ranks:
                raise self._err("level", lv.id, "rank", N_("same rank as [level.{ranks_lv_rank}]"),
                    ranks_lv_rank=ranks[lv.rank])
            ranks[lv.rank] = lv.id
        for key in ("built_changes", "existing_changes", "case_changes", "no_permit_changes"):
            for c in self.register[key]:
                if c not in CHANGE_VALUES:
                    w = self._origin.get(("register", key)) or _Where(self.source_path, None)
                    raise w.error("register", None, key, N_("unknown change class {c} (allowed: {join_change_values})"),
                        c=repr(c), join_change_values=', '.join(CHANGE_VALUES))
        for key in ("permit_min_share", "compound_min_share"):
            if not 0 < self.register[key] <= 1:
                w = self._origin.get(("register", key)) or _Where(self.source_path, None)
                raise w.error("register", None, key, N_("must lie in (0, 1]"))
        for v in self.verdict_rules:
            for c in v.change:
                if c not in CHANGE_VALUES and c not in CHANGE_GROUPS:
                    raise self._err("verdict", v.id, "change", N_("unknown change class {c} (allowed: {join_change_values})"),
                        c=repr(c), join_change_values=', '.join(CHANGE_VALUES))
            for c in v.confidence:
                if c not in CONFIDENCE_VALUES:
                    raise self._err("verdict", v.id, "confidence", N_("unknown confidence {c} (allowed: {join_confidence_valu})"),
                        c=repr(c), join_confidence_valu=', '.join(CONFIDENCE_VALUES))
            for f in v.finding:
                if f not in allowed_findings:
                    raise self._err("verdict", v.id, "finding", N_("unknown finding {f} (allowed: {join_sorted_allowed_})"),
                        f=repr(f), join_sorted_allowed_=', '.join(sorted(allowed_findings)))
            for k in v.pipe_kinds:
                if k not in self.kinds:
                    raise self._err("verdict", v.id, "pipe_kinds", N_("undeclared pipe kind {k}"), k=repr(k))
            if v.where not in WHERE_VALUES:
                raise self._err("verdict", v.id, "where", N_("must be one of {values}, got {where}"),
                                values=", ".join(WHERE_VALUES), where=repr(v.where))
            if v.verdict not in verdict_names:
                names = "/".join(sorted(verdict_names, key=lambda x: self.levels[x].rank))
                raise self._err("verdict", v.id, "verdict", N_("must be one of {names} (the [level.*] rows), got {v_verdict}"),
                    names=names, v_verdict=repr(v.verdict))
        for section, targets in (("kind_map", set(self.kinds)), ("class_map", classes)):
            for key, target in self._data[section].items():
                if target and target not in targets:
                    w = self._origin.get((section, key)) or _Where(self.source_path, None)
                    raise w.error(section, None, key, N_("target {target} is not defined (known: {join_sorted_targets})"),
                        target=repr(target), join_sorted_targets=', '.join(sorted(targets)))

    @property
    def classes(self) -> set:
        return {r.cls for r in self.pipe_rules.values() if r.cls}

    @staticmethod
    def _build_map(raw: dict, ids: Iterable[str]) -> dict:
        m = {norm_key(i): i for i in ids}
        for k, v in raw.items():
            if v:
                m[norm_key(k)] = v
            else:
                m.pop(norm_key(k), None)
        return m

    # -- provenance --
    @property
    def source_paths(self) -> tuple:
        """Files loaded, defaults first."""
        return self._source_paths

    @property
    def source_path(self) -> str:
        """The file that had the last word (the user file if one was given)."""
        return self._source_paths[-1]

    def summary(self) -> dict:
        """Facts for the log (words: qgis_io.messages.rules_summary): files, rows, overridden, unverified."""
        return {"defaults": self._source_paths[0],
                "user_file": self._source_paths[1] if len(self._source_paths) > 1 else "",
                "n_overridden": len(self.overridden),
                "n_rows": len(self.pipe_rules) + len(self.line_rules) + len(self.verdict_rules) + len(self.kinds),
                "n_pipe_rules": len(self.pipe_rules),
                "n_unverified": sum(not r.verified for r in self.pipe_rules.values())}

    # -- control lines --
    def _line(self, line_type: str) -> LineRule:
        try:
            return self.line_rules[line_type]
        except KeyError:
            raise RulesError(N_("unknown control-line type {type} (allowed: {allowed})"), row=f"[line.{line_type}]",
                             type=repr(line_type), allowed=", ".join(LINE_TYPES)) from None

    def setback_m(self, line_type: str) -> float:
        return float(self._line(line_type).value)

    def basis(self, line_type: str) -> str:
        return self._line(line_type).basis

    def line_label(self, line_type: str) -> str:
        return self._line(line_type).label

    def line_rule(self, line_type: str) -> LineRule:
        return self._line(line_type)

    # -- pipes --
    def kind_label(self, kind: str) -> str:
        k = self.kinds.get(kind)
        return k.label if k else kind

    def mapping(self, kind_map=None, class_map=None) -> tuple[dict, dict]:
        """The table's kind/class maps with run-time extras (dict or "a=b;c=d") on top."""
        km, cm = dict(self.kind_map), dict(self.class_map)
        for extra, target, known, what in ((kind_map, km, set(self.kinds), "kind"),
                                           (class_map, cm, self.classes, "class")):
            for k, v in parse_mapping(extra, what).items():
                v = v.strip()
                if v and v not in known:
                    template = (N_("kind mapping '{item}': {value} is not a pipe kind of the rules table (known: {known})")
                                if what == "kind" else
                                N_("class mapping '{item}': {value} is not a class of the rules table (known: {known})"))
                    raise RulesError(template, row=f"{k}={v}", field=what, item=f"{k}={v}", value=repr(v),
                                     known=", ".join(sorted(known)))
                if v:
                    target[norm_key(k)] = v
                else:
                    target.pop(norm_key(k), None)
        return km, cm

    def map_kinds(self, values, kind_map=None) -> np.ndarray:
        km, _ = self.mapping(kind_map, None)
        return _map_values(_as_object_array(values), km)[0]

    def map_classes(self, values, class_map=None) -> np.ndarray:
        _, cm = self.mapping(None, class_map)
        return _map_values(_as_object_array(values), cm)[0]

    def pipe_clearances(self, kinds, pressures=None, diameters=None, *, kind_map=None,
                        class_map=None) -> PipeMatch:
        """Vectorised rule match for pipes.

        ``kinds`` / ``pressures`` are the layer's raw values (any type, None ok),
        ``diameters`` in mm (numbers or strings like 'DN300'; None / <= 0 = unknown).
        ``pressures`` is the class field: gas pressure class, or telecom buried/duct.
        Returns a :class:`PipeMatch`; it also unpacks as
        ``(required_m, pipe_class, basis)``.
        """
        kinds = _as_object_array(kinds)
        n = len(kinds)
        pressures = _as_object_array(pressures, n)
        if len(pressures) != n:
            raise ValueError(f"pressures has {len(pressures)} values, kinds has {n}")
        dia = parse_diameters(diameters, n)
        if len(dia) != n:
            raise ValueError(f"diameters has {len(dia)} values, kinds has {n}")
        km, cm = self.mapping(kind_map, class_map)
        kind, kind_raw = _map_values(kinds, km)
        cls, cls_raw = _map_values(pressures, cm)

        out_cls = np.full(n, "", dtype=object)
        rule_id = np.full(n, "", dtype=object)
        required = np.full(n, np.nan)
        basis = np.full(n, "", dtype=object)
        verified = np.zeros(n, dtype=bool)
        status = np.full(n, MATCH_OK, dtype=object)
        problem = np.full(n, "", dtype=object)

        unknown_kind = kind == ""
        status[unknown_kind] = MATCH_UNKNOWN_KIND
        problem[unknown_kind] = np.where(kind_raw[unknown_kind] == "", "(空 / empty)", kind_raw[unknown_kind])

        rules = sorted((r for r in self.pipe_rules.values() if r.enabled), key=lambda r: -r.specificity)
        class_kinds = {r.kind for r in rules if r.cls}
        # a pipe of a kind that has class rows but whose class is unknown -> kind's default_class
        cls_eff = cls.copy()
        defaulted = np.zeros(n, dtype=bool)
        for k in class_kinds:
            in_k = kind == k
            known_k = {r.cls for r in rules if r.kind == k and r.cls}
            no_cls = in_k & ~np.isin(cls, list(known_k))
            dc = self.kinds[k].default_class
            if dc and no_cls.any():
                cls_eff[no_cls] = dc
                defaulted |= no_cls
        done = unknown_kind.copy()
        for r in rules:
            m = ~done & (kind == r.kind)
            if r.cls:
                m &= cls_eff == r.cls
            if r.min_diameter_mm is not None:
                m &= dia > r.min_diameter_mm
            if r.max_diameter_mm is not None:
                m &= dia <= r.max_diameter_mm
            if not m.any():
                continue
            done |= m
            out_cls[m] = r.pipe_class
            rule_id[m] = r.id
            required[m] = r.value
            basis[m] = r.basis or f"{r.source}：{self.kind_label(r.kind)}{r.label or ''}与建（构）筑物最小水平净距 {r.value:g} m"
            verified[m] = r.verified
        status[done & ~unknown_kind & defaulted] = MATCH_CLASS_DEFAULTED
        left = ~done
        if left.any():
            # why nothing matched: class problem, diameter problem, or no row at all
            for k in np.unique(kind[left]):
                in_k = left & (kind == k)
                krules = [r for r in rules if r.kind == k]
                needs_cls = any(r.cls for r in krules)
                needs_dia = any(r.min_diameter_mm is not None or r.max_diameter_mm is not None for r in krules)
                if needs_cls:
                    status[in_k] = MATCH_UNKNOWN_CLASS
                    raw = np.where(cls_raw[in_k] == "", "(空 / empty)", cls_raw[in_k])
                    problem[in_k] = np.array([f"{kr} / {c}" for kr, c in zip(kind_raw[in_k], raw)], dtype=object)
                elif needs_dia and np.isnan(dia[in_k]).any():
                    nod = in_k & np.isnan(dia)
                    status[nod] = MATCH_NO_DIAMETER
                    problem[nod] = np.array([f"{kr} / 无管径 no diameter" for kr in kind_raw[nod]], dtype=object)
                    rest = in_k & ~nod
                    status[rest] = MATCH_NO_RULE
                    problem[rest] = np.array([f"{kr} / d={d:g}" for kr, d in zip(kind_raw[rest], dia[rest])],
                                             dtype=object)
                else:
                    status[in_k] = MATCH_NO_RULE
                    problem[in_k] = kind_raw[in_k]
        return PipeMatch(kind=kind, pipe_class=out_cls, rule_id=rule_id, required_m=required, basis=basis,
                         verified=verified, status=status, problem_value=problem)

    # -- verdicts --
    def verdicts(self, finding, *, where=None, pipe_kind=None, enc_area_m2=None, deficit_m=None,
                 change=None, confidence=None):
        """Vectorised 初判 for findings.

        ``finding``: line type, "pipe", a change finding (:data:`CHANGE_FINDINGS`)
        or one of :data:`OTHER_FINDINGS` per finding; ``where``: "inside" /
        "setback" per finding (control lines; None = "inside"); ``pipe_kind``:
        table kind per finding (pipes); ``enc_area_m2`` / ``deficit_m``: numbers
        (nan / None = 0); ``change``: the building's change class
        (:data:`CHANGE_VALUES`, None / "" = "unknown"); ``confidence``: the
        confidence of that change (high / medium / low, None / "" = "unknown").
        Returns ``(verdict, basis, rule_id)`` object arrays; unmatched findings
        get 待核查 with an explanatory basis and rule_id "".
        """
        finding = _as_object_array(finding)
        n = len(finding)

        def arr(v, default, dtype):
            if v is None:
                return np.full(n, default, dtype=dtype)
            a = np.asarray(v, dtype=dtype)
            return np.full(n, a.item(), dtype=dtype) if a.ndim == 0 else a

        where_a = arr(where, "inside", object)
        kind_a = arr(pipe_kind, "", object)
        change_a = arr(change, "unknown", object)
        change_a = np.where(pd.isna(change_a) | (change_a == ""), "unknown", change_a)
        conf_a = arr(confidence, "unknown", object)
        conf_a = np.where(pd.isna(conf_a) | (conf_a == ""), "unknown", conf_a)
        area = np.nan_to_num(arr(enc_area_m2, 0.0, float), nan=0.0)
        deficit = np.nan_to_num(arr(deficit_m, 0.0, float), nan=0.0)
        verdict = np.full(n, DEFAULT_VERDICT, dtype=object)
        basis = np.full(n, "未达到拆除或整改判定条件（面积或侵入距离较小，或无对应规则），需现场核查 / "
                           "below the demolition/rectification thresholds or no rule applies: field check",
                        dtype=object)
        rid = np.full(n, "", dtype=object)
        done = np.zeros(n, dtype=bool)
        for r in self.verdict_rules:
            if not r.enabled:
                continue
            m = ~done & _isin(finding, r.finding)
            if r.pipe_kinds:
                m &= (finding != PIPE_FINDING) | _isin(kind_a, r.pipe_kinds)
            if r.where != "any":
                m &= (finding == PIPE_FINDING) | (where_a == r.where)
            m &= area >= r.min_enc_area_m2
            m &= deficit >= r.min_deficit_m
            if r.change:
                m &= _isin(change_a, self.expand_changes(r.change))
            if r.confidence:
                m &= _isin(conf_a, r.confidence)
            verdict[m] = r.verdict
            basis[m] = r.basis
            rid[m] = r.id
            done |= m
        return verdict, basis, rid

    def verdict(self, finding, **kw) -> tuple[str, str, str]:
        """Scalar form of :meth:`verdicts`."""
        kw = {k: (None if v is None else [v]) for k, v in kw.items()}
        v, b, r = self.verdicts([finding], **kw)
        return v[0], b[0], r[0]

    def expand_changes(self, changes) -> list[str]:
        """Change classes of a ``change`` condition, the groups "built" / "existing" expanded."""
        out = []
        for c in changes:
            if c == "built":
                out += list(self.register["built_changes"])
            elif c == "existing":
                out += list(self.register["existing_changes"])
            else:
                out.append(c)
        return out

    def verdict_rank(self, verdicts) -> np.ndarray:
        """Severity rank per verdict value (1 = most severe; unknown values rank last)."""
        v = _as_object_array(verdicts)
        ranks = {k: lv.rank for k, lv in self.levels.items()}
        worst = max(ranks.values(), default=0) + 1
        return pd.Series(v, dtype=object).map(ranks).fillna(worst).to_numpy(dtype=np.int64)

    def verdict_order(self) -> list[str]:
        """Verdict values, most severe first (the documented order of ``[level.*] rank``)."""
        return [lv.verdict for lv in sorted(self.levels.values(), key=lambda x: x.rank)]

    def verdict_rule(self, rule_id: str) -> VerdictRule | None:
        for r in self.verdict_rules:
            if r.id == rule_id:
                return r
        return None

    # -- table view (rules editor, docs, log) --
    def table(self) -> pd.DataFrame:
        """All pipe and line rows as a DataFrame (section, id, kind, class, value, unit, source, verified, overridden)."""
        ov = set(self.overridden)
        rows = []
        for r in self.pipe_rules.values():
            rows.append(dict(section="pipe", id=r.id, kind=r.kind, pipe_class=r.pipe_class,
                             label=self.kind_label(r.kind) + (r.label or ""), value=r.value, unit=r.unit,
                             source=r.source, verified=r.verified, enabled=r.enabled,
                             overridden=f"pipe.{r.id}" in ov))
        for r in self.line_rules.values():
            rows.append(dict(section="line", id=r.id, kind="", pipe_class="", label=r.label, value=r.value,
                             unit=r.unit, source=r.source, verified=r.verified, enabled=True,
                             overridden=f"line.{r.id}" in ov))
        return pd.DataFrame(rows)


def load_rules(user_path=None, *, defaults_path=None) -> Rules:
    """Load the shipped defaults, then apply ``user_path`` (TOML or JSON) on top.

    Raises :class:`RulesError` naming file, row and field for any problem.
    """
    dpath = Path(defaults_path) if defaults_path else DEFAULT_RULES_PATH
    data_d, text_d = _read_file(dpath)
    wd = _Where(str(dpath), text_d)
    base = _validate_file(data_d, wd)
    origin: dict = {}
    _merge({s: {} for s in _SECTIONS}, base, wd, origin, None)  # record origins
    # defaults must be complete rows
    for section in _ROW_SECTIONS:
        for row, fields in base[section].items():
            missing = [f for f, (_, req) in _SCHEMA[section].items() if req and f not in fields]
            if missing:
                raise wd.error(section, row, missing[0], N_("missing required field(s): {join_missing}"),
                    join_missing=', '.join(missing))
    paths = [str(dpath)]
    overridden: list = []
    if user_path:
        upath = Path(user_path)
        data_u, text_u = _read_file(upath)
        wu = _Where(str(upath), text_u)
        over = _validate_file(data_u, wu)
        overridden = _merge(base, over, wu, origin, upath.name)
        paths.append(str(upath))
    return Rules(base, tuple(paths), overridden, origin)
