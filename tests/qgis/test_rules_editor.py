"""Rules editor: tabs per section, source / verified per row, save validated by the loader, import/export, reset."""
from __future__ import annotations

import pytest
import tomllib
from qgis.PyQt.QtCore import Qt

from lincang_liangwei.core.rules import load_rules
from lincang_liangwei.ui import tomlwriter

from .desktop import SCREENSHOTS, flush_deletes

pytestmark = pytest.mark.qgis


@pytest.fixture(autouse=True)
def _english(english):
    """These tests assert the English source text of the UI (zh-Hans is checked by the translation tests)."""
    yield


@pytest.fixture
def editor(qgis_app):
    from lincang_liangwei.ui.rules_editor import RulesEditorDialog

    dialog = RulesEditorDialog()
    yield dialog
    dialog.deleteLater()
    flush_deletes()


def find_row(table, row_id):
    for r in range(table.rowCount()):
        if table.item(r, 0).text() == row_id:
            return r
    raise KeyError(row_id)


def cell(editor, section, row_id, field):
    from lincang_liangwei.ui.rules_editor import columns

    table = editor._tables[section]
    return table.item(find_row(table, row_id), columns(section).index(field) + 1)


def test_toml_writer_round_trips():
    data = {"meta": {"schema": 1, "name": "引号\"和\\反斜杠\n换行"},
            "pipe": {"sewer": {"value": 2.0, "verified": True, "class": "x"}, "a_b": {"value": 1e-7}},
            "kind_map": {"燃气 管": "gas", "中压-b": "medium_b", "": ""},
            "register": {"built_changes": ["new", "expanded"], "permit_min_share": 0.5, "n": 3}}
    assert tomllib.loads(tomlwriter.dumps(data, header="test\nfile")) == data


def test_tabs_show_every_row_with_source_and_verified(editor):
    from lincang_liangwei.ui.rules_editor import columns

    rules = load_rules()
    titles = [editor.tabs.tabText(i) for i in range(editor.tabs.count())]
    assert titles[:3] == ["Pipe clearances", "Control-line setbacks", "Verdict rules"]
    assert editor._tables["pipe"].rowCount() == len(rules.pipe_rules)
    assert editor._tables["line"].rowCount() == 6
    assert editor._tables["verdict"].rowCount() == len(rules.verdict_rules)
    for section in ("pipe", "line", "verdict"):
        assert {"source", "verified"} <= set(columns(section))
    assert cell(editor, "pipe", "sewer", "value").text() == "2.5"
    assert cell(editor, "pipe", "sewer", "verified").checkState() == Qt.CheckState.Checked
    assert cell(editor, "pipe", "gas_low", "verified").checkState() == Qt.CheckState.Unchecked
    assert "GB 50289-2016" in cell(editor, "pipe", "sewer", "source").text()
    assert cell(editor, "verdict", "line_inside", "finding").text().startswith("red, blue")
    # nothing changed: the file says only the schema
    assert tomllib.loads(editor.toml_text()) == {"meta": {"schema": 1}}
    editor.resize(1200, 560)
    editor.show()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert editor.grab().save(str(SCREENSHOTS / "rules_editor.png"))


def test_save_writes_only_changes_and_the_loader_reads_them(editor, tmp_path):
    path = tmp_path / "lincang.toml"
    seen = []
    editor.rulesFileChanged.connect(seen.append)
    cell(editor, "pipe", "gas_medium_a", "value").setText("2")
    # a changed value is unverified until the user says otherwise
    assert cell(editor, "pipe", "gas_medium_a", "verified").checkState() == Qt.CheckState.Unchecked
    cell(editor, "line", "red", "value").setText("5")
    cell(editor, "line", "red", "source").setText("《临沧市城市规划管理技术规定》第 3.2 条")
    cell(editor, "line", "red", "verified").setCheckState(Qt.CheckState.Checked)
    cell(editor, "verdict", "no_permit", "verdict").setText("限期整改")
    assert cell(editor, "line", "red", "value").font().bold()  # highlighted as changed
    assert editor.save(str(path)) is True, editor.message.text()
    assert seen == [str(path)] and editor.path == str(path)
    written = tomllib.loads(path.read_text(encoding="utf-8"))
    assert written["pipe"] == {"gas_medium_a": {"value": 2.0}}  # source/verified as shipped: the loader's rule applies
    assert written["line"]["red"] == {"value": 5.0, "source": "《临沧市城市规划管理技术规定》第 3.2 条", "verified": True}
    assert written["verdict"] == {"no_permit": {"verdict": "限期整改"}}
    rules = load_rules(path)
    assert rules.pipe_rules["gas_medium_a"].value == 2.0 and not rules.pipe_rules["gas_medium_a"].verified
    assert "lincang.toml" in rules.pipe_rules["gas_medium_a"].source
    assert rules.setback_m("red") == 5.0 and rules.line_rules["red"].verified
    # reopening the file shows the same table
    from lincang_liangwei.ui.rules_editor import RulesEditorDialog

    again = RulesEditorDialog(str(path))
    assert cell(again, "line", "red", "value").text() == "5"
    assert cell(again, "verdict", "no_permit", "verdict").text() == "限期整改"
    again.deleteLater()


def test_save_refuses_with_the_loaders_message(editor, tmp_path):
    path = tmp_path / "bad.toml"
    cell(editor, "pipe", "sewer", "value").setText("-1")
    assert editor.save(str(path)) is False and not path.exists()
    text = editor.message.text()
    assert str(path) in text and "[pipe.sewer]" in text and "'value'" in text and "must not be negative" in text
    assert editor.tabs.currentWidget() is editor._tables["pipe"]
    cell(editor, "pipe", "sewer", "value").setText("abc")
    assert editor.save(str(path)) is False
    assert "expected a number" in editor.message.text()
    cell(editor, "pipe", "sewer", "value").setText("2.5")
    cell(editor, "pipe", "sewer", "unit").setText("km")
    assert editor.save(str(path)) is False and "unit must be" in editor.message.text()


def test_reset_import_export(editor, tmp_path):
    user = tmp_path / "user.toml"
    user.write_text('[pipe.heat]\nvalue = 4.0\n[kind_map]\n"暖" = "heat"\n', encoding="utf-8")
    assert editor.import_file(str(user))
    assert cell(editor, "pipe", "heat", "value").text() == "4"
    out = tmp_path / "exported.toml"
    assert editor.export_file(str(out))
    assert editor.path == str(user)  # export does not change the current file
    exported = tomllib.loads(out.read_text(encoding="utf-8"))
    assert exported["pipe"]["heat"]["value"] == 4.0 and exported["kind_map"] == {"暖": "heat"}
    assert load_rules(out).map_kinds(["暖"])[0] == "heat"
    editor.reset_to_defaults()
    assert cell(editor, "pipe", "heat", "value").text() == "3"
    assert tomllib.loads(editor.toml_text()) == {"meta": {"schema": 1}}
    # a broken file is refused on import with the loader's message
    broken = tmp_path / "broken.toml"
    broken.write_text("[pipe.sewer]\nvalue = \"x\"\n", encoding="utf-8")
    assert not editor.import_file(str(broken))
    assert "broken.toml" in editor.message.text() and "line 2" in editor.message.text()


def test_new_row_and_removing_it(editor, tmp_path):
    editor.tabs.setCurrentWidget(editor._tables["kind_map"])
    n = editor._tables["kind_map"].rowCount()
    editor.add_row()
    table = editor._tables["kind_map"]
    table.item(n, 0).setText("JS管")
    table.item(n, 1).setText("water")
    assert editor.save(str(tmp_path / "r.toml"))
    assert load_rules(tmp_path / "r.toml").map_kinds(["JS管"])[0] == "water"
    # shipped rows cannot be removed
    editor.tabs.setCurrentWidget(editor._tables["pipe"])
    editor._tables["pipe"].setCurrentCell(0, 0)
    before = editor._tables["pipe"].rowCount()
    editor.remove_row()
    assert editor._tables["pipe"].rowCount() == before and "cannot be removed" in editor.message.text()


def test_the_dock_passes_the_saved_rules_file(liangwei, qgis_canvas, tmp_path):
    import lincang_liangwei

    from .desktop import FakeIface, close_iface

    iface = FakeIface(qgis_canvas)
    plugin = lincang_liangwei.classFactory(iface)
    plugin.initGui()
    try:
        bench = plugin.workbench
        bench.dock.rules_button.click()  # "Edit…" next to the rules file
        dialog = bench.editor
        assert dialog is not None and dialog.isVisible()
        cell(dialog, "pipe", "power", "value").setText("0.8")
        assert dialog.save(str(tmp_path / "bureau.toml"))
        assert bench.dock.rules_path() == str(tmp_path / "bureau.toml")
        bench.dock.algorithm_id = "liangwei:fullcheck"
        assert bench.dock.parameters()["RULES"] == str(tmp_path / "bureau.toml")
    finally:
        plugin.unload()
        close_iface(iface)
