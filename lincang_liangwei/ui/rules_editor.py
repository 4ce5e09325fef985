"""Rules editor: the rules table (clearances, setbacks, verdict rules ...) in a dialog with tabs.

The editor shows the *merged* table (shipped defaults + the user's rules file)
and saves only what differs from the shipped defaults, so the user file stays
small and later default updates still flow through.  Saving writes the TOML,
loads it back with :func:`core.rules.load_rules` and shows the loader's own
:class:`RulesError` text when it is refused (file, line, row, field), so the
editor never accepts a file that a run would refuse.

A changed ``value`` of a clearance or setback row whose ``source`` / ``verified``
were left as shipped is written without them: the loader then marks the row as
coming from the user file and unverified (a changed number never keeps a
citation it no longer matches).
"""
from __future__ import annotations

import copy
import re
import tempfile
from functools import partial
from pathlib import Path

from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtGui import QBrush, QColor, QFont
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
)

from .. import atomicfile
from ..core import rules as rules_mod
from ..i18n import tr
from ..qgis_io.messages import rules_error_text
from . import tomlwriter

# the loader's schema: field -> (type, required); the editor is a view of it
_SCHEMA = rules_mod._SCHEMA  # noqa: SLF001 - one schema for loader and editor
_STR, _NUM, _BOOL, _INT, _STRLIST = "str", "num", "bool", "int", "strlist"
# value a row has when an optional field is absent
_IMPLIED = {"enabled": True, "verified": False, "where": "any", "min_enc_area_m2": 0.0, "min_deficit_m": 0.0}
# column order per section (fields the schema has and this list lacks are appended)
_ORDER = {
    "pipe": ("kind", "class", "min_diameter_mm", "max_diameter_mm", "value", "unit", "verified", "source", "label",
             "basis", "enabled", "note"),
    "line": ("label", "value", "unit", "verified", "source", "basis", "note"),
    "verdict": ("order", "finding", "change", "confidence", "pipe_kinds", "where", "min_enc_area_m2", "min_deficit_m",
                "verdict", "verified", "source", "label", "basis", "enabled", "note"),
    "level": ("verdict", "rank", "priority", "label_en", "note"),
    "kind": ("label", "label_en", "default_class", "note"),
}
ROW_SECTIONS = ("pipe", "line", "verdict", "level", "kind")
MAP_SECTIONS = ("kind_map", "class_map")
FLAT_SECTIONS = ("register",)
ID_COLUMN = "id"
_CHANGED = QColor("#fff4c2")


def section_titles() -> dict:
    return {
        "pipe": tr("Pipe clearances"),
        "line": tr("Control-line setbacks"),
        "verdict": tr("Verdict rules"),
        "level": tr("Verdict levels"),
        "kind": tr("Pipe kinds"),
        "kind_map": tr("Kind values"),
        "class_map": tr("Class values"),
        "register": tr("Register settings"),
    }


def columns(section: str) -> list:
    fields = [f for f in _ORDER.get(section, ()) if f in _SCHEMA[section]]
    fields += [f for f in _SCHEMA[section] if f not in fields]
    return fields


def _norm(v):
    """Comparable form of a value (lists as tuples, ints as floats)."""
    if isinstance(v, (list, tuple)):
        return tuple(v)
    if isinstance(v, int) and not isinstance(v, bool):
        return float(v)
    return v


def format_value(v, typ: str) -> str:
    if v is None:
        return ""
    if typ == _STRLIST and isinstance(v, (list, tuple)):
        return ", ".join(str(x) for x in v)
    if isinstance(v, float):
        text = repr(v)
        return text[:-2] if text.endswith(".0") else text
    return str(v)


def parse_value(text: str, typ: str):
    """Cell text -> typed value; text that does not parse is kept so the loader names the problem."""
    text = text.strip()
    if typ == _NUM:
        try:
            return float(text)
        except ValueError:
            return text
    if typ == _INT:
        try:
            return int(text)
        except ValueError:
            try:
                f = float(text)
                return int(f) if f.is_integer() else text
            except ValueError:
                return text
    if typ == _STRLIST:
        return [x for x in re.split(r"[,，;；\s]+", text) if x]
    return text


def diff_from_defaults(edited: dict, defaults: dict) -> dict:
    """What a user rules file must say so that defaults + file == ``edited``."""
    out: dict = {"meta": {"schema": rules_mod.SCHEMA}}
    name = edited.get("meta", {}).get("name")
    if name and name != defaults.get("meta", {}).get("name"):
        out["meta"]["name"] = name
    for section in FLAT_SECTIONS:
        ch = {k: v for k, v in edited.get(section, {}).items() if _norm(defaults[section].get(k)) != _norm(v)}
        if ch:
            out[section] = ch
    for section in ROW_SECTIONS:
        rows = {}
        for row, fields in edited.get(section, {}).items():
            d = defaults[section].get(row)
            if d is None:
                rows[row] = dict(fields)
                continue
            ch = {k: v for k, v in fields.items() if _norm(d.get(k, _IMPLIED.get(k))) != _norm(v)}
            if section in ("pipe", "line") and "value" in ch:
                # as shipped -> let the loader mark the row as the user's, unverified
                if _norm(fields.get("source")) == _norm(d.get("source")):
                    ch.pop("source", None)
                if _norm(fields.get("verified")) == _norm(d.get("verified")):
                    ch.pop("verified", None)
            if ch:
                rows[row] = ch
        if rows:
            out[section] = rows
    for section in MAP_SECTIONS:
        new, old = edited.get(section, {}), defaults[section]
        ch = {k: v for k, v in new.items() if old.get(k) != v}
        ch.update({k: "" for k in old if k not in new})  # "" removes a shipped mapping
        if ch:
            out[section] = ch
    return {k: v for k, v in out.items() if v}


def _plain(data: dict) -> dict:
    """The loader's merged data as plain dicts/lists (tuples -> lists)."""
    return {s: ({r: ({k: list(v) if isinstance(v, tuple) else v for k, v in f.items()} if isinstance(f, dict)
                     else (list(f) if isinstance(f, tuple) else f))
                 for r, f in c.items()} if isinstance(c, dict) else c)
            for s, c in data.items()}


def merged_data(path=None) -> dict:
    """Defaults + ``path`` as the loader merges them (raises RulesError)."""
    return _plain(copy.deepcopy(rules_mod.load_rules(path)._data))  # noqa: SLF001


class RulesEditorDialog(QDialog):
    """View and edit the rules table; save validates with the loader."""

    #: emitted with the path of a rules file that was saved (or imported) and validated
    rulesFileChanged = pyqtSignal(str)  # noqa: N815 - Qt signal name

    def __init__(self, path: str | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("LiangweiRulesEditor")
        self.setWindowTitle(self.tr("Liangwei rules table"))
        self.resize(1100, 640)
        self.path = str(path) if path else ""
        self._defaults = merged_data(None)
        self._tables: dict[str, QTableWidget] = {}
        self._filling = False

        layout = QVBoxLayout(self)
        self.file_label = QLabel()
        self.file_label.setWordWrap(True)
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.file_label)
        hint = QLabel(self.tr("Cells that differ from the shipped defaults are highlighted; only they are written "
                              "to the rules file. Changing a value without a new source marks the row unverified."))
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.tabs = QTabWidget()
        titles = section_titles()
        for section in ROW_SECTIONS + MAP_SECTIONS + FLAT_SECTIONS:
            table = QTableWidget()
            table.setObjectName(f"rules_{section}")
            table.setAlternatingRowColors(True)
            table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            table.setWordWrap(False)
            table.itemChanged.connect(partial(self._item_changed, section))
            self._tables[section] = table
            self.tabs.addTab(table, titles[section])
        layout.addWidget(self.tabs, 1)

        self.message = QLabel()
        self.message.setObjectName("rules_message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)

        buttons = QHBoxLayout()
        self.add_button = QPushButton(self.tr("Add row"))
        self.remove_button = QPushButton(self.tr("Remove row"))
        self.reset_button = QPushButton(self.tr("Reset to defaults"))
        self.import_button = QPushButton(self.tr("Import…"))
        self.export_button = QPushButton(self.tr("Export…"))
        self.save_button = QPushButton(self.tr("Save"))
        self.close_button = QPushButton(self.tr("Close"))
        self.save_button.setDefault(True)
        for b in (self.add_button, self.remove_button, self.reset_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        for b in (self.import_button, self.export_button, self.save_button, self.close_button):
            buttons.addWidget(b)
        layout.addLayout(buttons)
        self.add_button.clicked.connect(self.add_row)
        self.remove_button.clicked.connect(self.remove_row)
        self.reset_button.clicked.connect(self.reset_to_defaults)
        self.import_button.clicked.connect(self._import_clicked)
        self.export_button.clicked.connect(self._export_clicked)
        self.save_button.clicked.connect(self._save_clicked)
        self.close_button.clicked.connect(self.reject)

        data = self._defaults
        if self.path:
            try:
                data = merged_data(self.path)
            except rules_mod.RulesError as exc:
                self._show_error(rules_error_text(exc))
        self.set_data(data)
        self._update_file_label()

    def tr(self, text: str) -> str:  # noqa: D102 - the plugin's one translation context
        return tr(text)

    # ------------------------------------------------------------------ data <-> tables
    def set_data(self, data: dict):
        self._filling = True
        try:
            for section in ROW_SECTIONS:
                self._fill_rows(section, data.get(section, {}))
            for section in MAP_SECTIONS + FLAT_SECTIONS:
                self._fill_pairs(section, data.get(section, {}))
        finally:
            self._filling = False
        for section in self._tables:
            self._mark_all(section)

    def _fill_rows(self, section: str, rows: dict):
        table = self._tables[section]
        cols = columns(section)
        table.clear()
        table.setColumnCount(len(cols) + 1)
        table.setHorizontalHeaderLabels([ID_COLUMN] + cols)
        for i, c in enumerate(cols, start=1):
            table.horizontalHeaderItem(i).setToolTip(self._type_hint(section, c))
        table.setRowCount(len(rows))
        for r, (row_id, fields) in enumerate(rows.items()):
            self._set_row(table, section, r, row_id, fields)
        self._size_columns(table)

    def _set_row(self, table, section, r, row_id, fields):
        id_item = QTableWidgetItem(row_id)
        if row_id in self._defaults[section]:
            id_item.setFlags(id_item.flags() & ~Qt.ItemFlag.ItemIsEditable)
        table.setItem(r, 0, id_item)
        for c, name in enumerate(columns(section), start=1):
            typ = _SCHEMA[section][name][0]
            item = QTableWidgetItem()
            if typ == _BOOL:
                item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled
                              | Qt.ItemFlag.ItemIsSelectable)
                on = fields.get(name, _IMPLIED.get(name, False))
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            else:
                item.setText(format_value(fields.get(name), typ))
                if typ in (_NUM, _INT):
                    item.setTextAlignment(int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter))
            table.setItem(r, c, item)

    def _fill_pairs(self, section: str, pairs: dict):
        table = self._tables[section]
        table.clear()
        table.setColumnCount(2)
        if section in MAP_SECTIONS:
            table.setHorizontalHeaderLabels([self.tr("Value in the layer"), self.tr("Rules id")])
        else:
            table.setHorizontalHeaderLabels([self.tr("Setting"), self.tr("Value")])
        table.setRowCount(len(pairs))
        typ_of = _SCHEMA.get(section, {})
        for r, (k, v) in enumerate(pairs.items()):
            key_item = QTableWidgetItem(str(k))
            if section in FLAT_SECTIONS:
                key_item.setFlags(key_item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                key_item.setToolTip(self._type_hint(section, k))
            table.setItem(r, 0, key_item)
            table.setItem(r, 1, QTableWidgetItem(format_value(v, typ_of.get(k, (_STR,))[0])))
        self._size_columns(table)

    @staticmethod
    def _size_columns(table):
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        table.resizeColumnsToContents()
        for c in range(table.columnCount()):
            table.setColumnWidth(c, min(max(table.columnWidth(c), 56), 300))
        header.setStretchLastSection(True)

    def _type_hint(self, section, name) -> str:
        typ, required = _SCHEMA.get(section, {}).get(name, (_STR, False))
        words = {_STR: self.tr("text"), _NUM: self.tr("number"), _BOOL: self.tr("true/false"),
                 _INT: self.tr("integer"), _STRLIST: self.tr("list, separated by commas")}
        return f"{name}: {words[typ]}" + (f" ({self.tr('required')})" if required else "")

    def data(self) -> dict:
        """The tables as a rules dict (merged view: defaults + edits)."""
        out: dict = {"meta": dict(self._defaults.get("meta", {}))}
        for section in ROW_SECTIONS:
            out[section] = {}
            table = self._tables[section]
            cols = columns(section)
            for r in range(table.rowCount()):
                id_item = table.item(r, 0)
                row_id = id_item.text().strip() if id_item else ""
                if not row_id:
                    continue
                out[section][row_id] = self._row_fields(section, table, r, cols)
        for section in MAP_SECTIONS + FLAT_SECTIONS:
            table = self._tables[section]
            pairs = {}
            for r in range(table.rowCount()):
                k, v = table.item(r, 0), table.item(r, 1)
                if k is None or not k.text().strip():
                    continue
                text = v.text() if v is not None else ""
                if section in FLAT_SECTIONS:
                    typ = _SCHEMA[section].get(k.text().strip(), (_STR,))[0]
                    if not text.strip() and typ != _STR:
                        continue
                    pairs[k.text().strip()] = parse_value(text, typ) if typ != _STR else text
                else:
                    pairs[k.text().strip()] = text.strip()
            out[section] = pairs
        return out

    def _row_fields(self, section, table, r, cols) -> dict:
        d = self._defaults[section].get(table.item(r, 0).text().strip(), {})
        fields = {}
        for c, name in enumerate(cols, start=1):
            typ = _SCHEMA[section][name][0]
            item = table.item(r, c)
            if item is None:
                continue
            if typ == _BOOL:
                fields[name] = item.checkState() == Qt.CheckState.Checked
                continue
            text = item.text()
            if not text.strip():
                if typ == _STR and d.get(name):
                    fields[name] = ""  # clears a shipped text
                elif typ == _STRLIST and d.get(name):
                    fields[name] = []
                continue
            fields[name] = text if typ == _STR else parse_value(text, typ)
        return fields

    # ------------------------------------------------------------------ highlighting
    def _default_of(self, section, r, c):
        table = self._tables[section]
        if section in ROW_SECTIONS:
            id_item = table.item(r, 0)
            d = self._defaults[section].get(id_item.text().strip() if id_item else "")
            if d is None:
                return None, True  # a new row: every cell is the user's
            if c == 0:
                return None, False
            name = columns(section)[c - 1]
            return d.get(name, _IMPLIED.get(name)), False
        key_item = table.item(r, 0)
        k = key_item.text().strip() if key_item else ""
        if k not in self._defaults[section]:
            return None, True
        return (self._defaults[section][k] if c == 1 else k), False

    def _cell_changed(self, section, r, c) -> bool:
        table = self._tables[section]
        item = table.item(r, c)
        if item is None:
            return False
        default, new = self._default_of(section, r, c)
        if new:
            return True
        if section in ROW_SECTIONS and c > 0:
            name = columns(section)[c - 1]
            typ = _SCHEMA[section][name][0]
            if typ == _BOOL:
                return (item.checkState() == Qt.CheckState.Checked) != bool(default)
            cur = parse_value(item.text(), typ) if typ != _STR else item.text()
            if cur in ("", []) and default in (None, "", [], ()):
                return False
            return _norm(cur) != _norm(default)
        if section in FLAT_SECTIONS and c == 1:
            typ = _SCHEMA[section].get(table.item(r, 0).text().strip(), (_STR,))[0]
            cur = parse_value(item.text(), typ) if typ != _STR else item.text()
            return _norm(cur) != _norm(default)
        return c == 1 and item.text().strip() != str(default)

    def _mark(self, section, item):
        changed = self._cell_changed(section, item.row(), item.column())
        was = self._filling
        self._filling = True
        try:
            item.setBackground(QBrush(_CHANGED) if changed else QBrush())
            font = QFont(item.font())
            font.setBold(changed)
            item.setFont(font)
        finally:
            self._filling = was

    def _mark_all(self, section):
        table = self._tables[section]
        for r in range(table.rowCount()):
            for c in range(table.columnCount()):
                item = table.item(r, c)
                if item is not None:
                    self._mark(section, item)

    def _item_changed(self, section, item):
        if self._filling:
            return
        if section in ("pipe", "line") and item.column() > 0 and columns(section)[item.column() - 1] == "value":
            # a new number no longer matches the shipped citation: unverified until the user says otherwise
            vcol = columns(section).index("verified") + 1
            verified = self._tables[section].item(item.row(), vcol)
            if verified is not None and self._cell_changed(section, item.row(), item.column()):
                self._filling = True
                try:
                    verified.setCheckState(Qt.CheckState.Unchecked)
                finally:
                    self._filling = False
                self._mark(section, verified)
        self._mark(section, item)
        self.message.clear()

    # ------------------------------------------------------------------ actions
    def current_section(self) -> str:
        return (ROW_SECTIONS + MAP_SECTIONS + FLAT_SECTIONS)[self.tabs.currentIndex()]

    def add_row(self):
        section = self.current_section()
        if section in FLAT_SECTIONS:
            return
        table = self._tables[section]
        r = table.rowCount()
        self._filling = True
        try:
            table.insertRow(r)
            if section in ROW_SECTIONS:
                self._set_row(table, section, r, "", {})
                table.item(r, 0).setFlags(table.item(r, 0).flags() | Qt.ItemFlag.ItemIsEditable)
            else:
                table.setItem(r, 0, QTableWidgetItem(""))
                table.setItem(r, 1, QTableWidgetItem(""))
        finally:
            self._filling = False
        table.scrollToBottom()
        table.setCurrentCell(r, 0)
        table.editItem(table.item(r, 0))

    def remove_row(self):
        section = self.current_section()
        table = self._tables[section]
        r = table.currentRow()
        if r < 0 or section in FLAT_SECTIONS:
            return
        key_item = table.item(r, 0)
        key = key_item.text().strip() if key_item else ""
        if section in ROW_SECTIONS and key in self._defaults[section]:
            self.message.setText(self.tr("Shipped rows cannot be removed; untick 'enabled' (where the row has it) "
                                         "or change its values instead."))
            return
        table.removeRow(r)

    def reset_to_defaults(self):
        self.set_data(self._defaults)
        self.message.setText(self.tr("Shipped defaults restored (not saved yet)."))

    def validate(self, target: str | None = None) -> str | None:
        """Write the table to a scratch file and load it back; the loader's error text, or None."""
        target = str(target or self.path or "rules.toml")
        text = self.toml_text()
        with tempfile.TemporaryDirectory(prefix="liangwei-rules-") as tmp:
            scratch = Path(tmp) / Path(target).name
            if scratch.suffix.lower() == ".json":
                scratch = scratch.with_suffix(".toml")
            scratch.write_text(text, encoding="utf-8")
            try:
                rules_mod.load_rules(scratch)
            except rules_mod.RulesError as exc:
                return rules_error_text(exc).replace(str(scratch), target)
        return None

    def toml_text(self) -> str:
        header = ("Liangwei rules file, written by the rules editor: only the rows and fields that differ from\n"
                  "the shipped defaults (lincang_liangwei/core/rules_default.toml). See docs/rules.md.")
        return tomlwriter.dumps(diff_from_defaults(self.data(), self._defaults), header=header)

    def write_to(self, path: str) -> bool:
        """Validate, then write atomically to ``path``; errors are shown in the dialog."""
        path = str(path)
        if Path(path).suffix.lower() == ".json":
            path = str(Path(path).with_suffix(".toml"))
        error = self.validate(path)
        if error:
            self._show_error(error)
            return False
        tmp = atomicfile.temp_sibling(path)
        try:
            Path(tmp).write_text(self.toml_text(), encoding="utf-8")
            atomicfile.publish(tmp, path)
        except OSError as exc:
            atomicfile.discard(tmp)
            self._show_error(self.tr("Could not write {path}: {error}").format(path=path, error=exc))
            return False
        self._show_ok(self.tr("Saved and checked: {path}").format(path=path))
        return True

    def save(self, path: str | None = None) -> bool:
        """Save to ``path`` (or the current file); the file becomes the current rules file."""
        path = path or self.path
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Save rules file"), "rules.toml",
                                                  self.tr("Rules table (*.toml)"))
            if not path:
                return False
        if not self.write_to(path):
            return False
        if Path(path).suffix.lower() == ".json":
            path = str(Path(path).with_suffix(".toml"))
        self.path = str(path)
        self._update_file_label()
        self.rulesFileChanged.emit(self.path)
        return True

    def export_file(self, path: str) -> bool:
        """Write the table to ``path`` without changing the current rules file."""
        return self.write_to(path)

    def import_file(self, path: str) -> bool:
        """Load ``path`` (validated by the loader) into the editor and make it the current rules file."""
        try:
            data = merged_data(path)
        except rules_mod.RulesError as exc:
            self._show_error(rules_error_text(exc))
            return False
        self.set_data(data)
        self.path = str(path)
        self._update_file_label()
        self._show_ok(self.tr("Imported: {path}").format(path=path))
        self.rulesFileChanged.emit(self.path)
        return True

    def _import_clicked(self):
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Import rules file"), self.path,
                                              self.tr("Rules table (*.toml *.json)"))
        if path:
            self.import_file(path)

    def _export_clicked(self):
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export rules file"), "rules.toml",
                                              self.tr("Rules table (*.toml)"))
        if path:
            self.export_file(path)

    def _save_clicked(self):
        self.save()

    # ------------------------------------------------------------------ messages
    def _update_file_label(self):
        if self.path:
            self.file_label.setText(self.tr("Rules file: {path} (on top of the shipped defaults)").format(
                path=self.path))
        else:
            self.file_label.setText(self.tr("No rules file chosen: the shipped defaults are used. Save to create one."))

    def _show_error(self, text: str):
        self.message.setStyleSheet("color: #b00020;")
        self.message.setText(text)
        self._select_error_row(text)

    def _show_ok(self, text: str):
        self.message.setStyleSheet("color: #1b5e20;")
        self.message.setText(text)

    def _select_error_row(self, text: str):
        m = re.search(r"\[(\w+)(?:\.([^\]]+))?\]", text)
        if m is None or m.group(1) not in self._tables:
            return
        section = m.group(1)
        self.tabs.setCurrentWidget(self._tables[section])
        if m.group(2):
            table = self._tables[section]
            for r in range(table.rowCount()):
                item = table.item(r, 0)
                if item is not None and item.text().strip() == m.group(2).strip("\"'"):
                    table.selectRow(r)
                    break
