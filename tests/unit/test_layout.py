"""Structure rules that keep the plugin fast, testable and installable."""
import ast
import configparser
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "lincang_liangwei"


def imported_modules(path: Path) -> set:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_core_never_imports_qgis_or_qt():
    offenders = {}
    for path in list((PLUGIN / "core").rglob("*.py")) + [PLUGIN / "gpkgbulk.py",
                                                        PLUGIN / "deps.py"]:
        bad = {m for m in imported_modules(path) if m.split(".")[0] in ("qgis", "PyQt5", "PyQt6", "processing")}
        if bad:
            offenders[str(path.relative_to(ROOT))] = bad
    assert offenders == {}


def test_qgis_gui_only_in_ui():
    offenders = [str(p.relative_to(ROOT)) for p in PLUGIN.rglob("*.py")
                 if "qgis.gui" in imported_modules(p) and "ui" not in p.relative_to(PLUGIN).parts]
    assert offenders == []


def test_metadata_declares_processing_provider():
    meta = configparser.ConfigParser()
    meta.read(PLUGIN / "metadata.txt", encoding="utf-8")
    general = meta["general"]
    assert general["hasProcessingProvider"] == "yes"
    assert general["qgisMinimumVersion"] == "3.22"
    assert (PLUGIN / general["icon"]).is_file()


def test_package_is_one_clean_folder_with_license(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "scripts" / "package.py"), "--out", str(tmp_path),
                    "--allow-placeholders"], check=True, capture_output=True)   # release.toml may be unfilled
    [zip_path] = tmp_path.glob("lincang_liangwei-*.zip")
    with zipfile.ZipFile(zip_path) as zf:
        names = zf.namelist()
    assert {n.split("/")[0] for n in names} == {"lincang_liangwei"}
    for needed in ("metadata.txt", "LICENSE", "__init__.py", "core/rules_default.toml", "icons/liangwei.svg",
                   "processing/help/en/controllines.html", "processing/help/zh-Hans/controllines.html",
                   "help/en/index.html", "help/zh-Hans/index.html", "i18n/lincang_liangwei_zh-Hans.qm", "docs/rules.md", "CHANGELOG.md",
                   "styles/register.qml", "resources.qrc"):
        assert f"lincang_liangwei/{needed}" in names, needed
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_development_code_stays_out_of_the_plugin():
    """The sample-city generator and the test/benchmark file I/O live in devtools/, which is not shipped."""
    assert not (PLUGIN / "core" / "samplecity.py").exists()
    assert not (PLUGIN / "fileio.py").exists()
    offenders = [str(p.relative_to(ROOT)) for p in PLUGIN.rglob("*.py")
                 if any(m.split(".")[0] == "devtools" for m in imported_modules(p))]
    assert offenders == []
