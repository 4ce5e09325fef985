"""The plugin repository's checks that `make package` runs on the zip (issue 9)."""
import configparser
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import package  # noqa: E402

GOOD = """[maintainer]
author = "Lincang Planning Bureau GIS team"
email = "gis@lincang-plan.cn"
repository = "https://github.com/lincang-gis/lincang_liangwei"
"""


def build(tmp_path, release_text, *extra):
    release = tmp_path / "release.toml"
    release.write_text(release_text, encoding="utf-8")
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "package.py"), "--out", str(tmp_path / "dist"),
                           "--release", str(release), *extra], capture_output=True, text=True)


def test_shipped_release_settings_are_placeholders_and_the_build_says_which(tmp_path):
    proc = build(tmp_path, (ROOT / "scripts" / "release.toml").read_text(encoding="utf-8"))
    if proc.returncode == 0:   # the maintainer has filled release.toml in: then it must be a clean release
        return
    assert "still placeholders" in proc.stderr and "email" in proc.stderr and "repository" in proc.stderr
    assert not list((tmp_path / "dist").glob("*.zip"))      # no release zip while placeholders remain


def test_a_filled_in_release_builds_a_zip_that_passes_every_check(tmp_path):
    proc = build(tmp_path, GOOD)
    assert proc.returncode == 0, proc.stderr
    [zip_path] = (tmp_path / "dist").glob("lincang_liangwei-*.zip")
    problems, placeholders = package.check_zip(zip_path)
    assert problems == [] and placeholders == []
    with zipfile.ZipFile(zip_path) as zf:
        meta = configparser.ConfigParser(interpolation=None)
        meta.read_string(zf.read("lincang_liangwei/metadata.txt").decode("utf-8"))
        names = zf.namelist()
    g = meta["general"]
    assert g["email"] == "gis@lincang-plan.cn"
    assert g["tracker"] == "https://github.com/lincang-gis/lincang_liangwei/issues"
    assert g["homepage"] == "https://github.com/lincang-gis/lincang_liangwei"
    assert g["version"] in g["changelog"]
    assert "example.invalid" not in zf_text(zip_path, "lincang_liangwei/metadata.txt")
    for needed in ("docs/rules.md", "help/en/index.html",
                   "help/zh-Hans/index.html", "styles/register.qml", "styles/controllines_pieces.qml"):
        assert f"lincang_liangwei/{needed}" in names


def zf_text(zip_path, name):
    with zipfile.ZipFile(zip_path) as zf:
        return zf.read(name).decode("utf-8")


@pytest.mark.parametrize("value, bad", [("dev@lincang-liangwei.local", True), ("", True), ("me@example.com", True),
                                        ("someone@users.noreply.github.com", True), ("gis@lincang.gov.cn", False)])
def test_placeholder_emails(value, bad):
    general = {k: "x" for k in package.REQUIRED}
    general.update(email=value, repository="https://github.com/a/b", tracker="https://github.com/a/b/issues",
                   homepage="https://github.com/a/b")
    assert ("email" in package.placeholder_keys(general)) == bad


def test_example_invalid_urls_are_placeholders():
    general = {k: "x" for k in package.REQUIRED}
    general.update(email="a@b.cn", repository="https://example.invalid/x", tracker="not a url", homepage="")
    assert package.placeholder_keys(general) == ["repository", "tracker", "homepage"]


def test_qrc_with_a_comment_inside_rcc_is_rejected_and_the_shipped_one_is_clean():
    names = {"lincang_liangwei/icons/a.svg"}
    bad = '<!DOCTYPE RCC><RCC version="1.0"><!-- note --><qresource><file>icons/a.svg</file></qresource></RCC>'
    assert any("comment" in p for p in package.check_qrc(bad, names))
    shipped = (ROOT / "lincang_liangwei" / "resources.qrc").read_text(encoding="utf-8")
    icons = {f"lincang_liangwei/{p.relative_to(ROOT / 'lincang_liangwei').as_posix()}"
             for p in (ROOT / "lincang_liangwei" / "icons").glob("*.svg")}
    assert package.check_qrc(shipped, icons) == []
    assert package.check_qrc(shipped, icons - {"lincang_liangwei/icons/liangwei.svg"})   # a listed icon missing
