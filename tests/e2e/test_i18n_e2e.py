"""qgis_process follows the locale: LANG, or the QGIS setting locale/userLocale with locale/overrideFlag."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
WRAPPER = ROOT / "scripts" / "qgis_process.sh"


def qp_help(env):
    out = subprocess.run([str(WRAPPER), "help", "liangwei:controllines"], capture_output=True, text=True,
                         env={**os.environ, **env}, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout


def profile(tmp_path, locale_lines):
    """A private QGIS profile with the plugin enabled and the given [locale] settings."""
    ini = tmp_path / "cfg" / "profiles" / "default" / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text("[PythonPlugins]\nlincang_liangwei=true\n\n[locale]\n" + "".join(f"{x}\n" for x in locale_lines),
                   encoding="utf-8")
    return {"QGIS_CUSTOM_CONFIG_PATH": str(tmp_path / "cfg")}


@pytest.mark.parametrize("lang, title, param, not_there", [
    ("zh_CN.UTF-8", "控制线压占检查 (liangwei:controllines)", "建筑轮廓", "Building footprints"),
    ("C.UTF-8", "Control-line encroachment (liangwei:controllines)", "Building footprints", "建筑轮廓"),
])
def test_qgis_process_follows_lang(lang, title, param, not_there):
    text = qp_help({"LANG": lang})
    assert title in text and param in text and not_there not in text


def test_qgis_locale_setting_overrides_lang(tmp_path):
    text = qp_help({"LANG": "C.UTF-8", **profile(tmp_path, ["overrideFlag=true", "userLocale=zh_CN"])})
    assert "控制线压占检查" in text and "建筑轮廓" in text


def test_override_flag_without_a_locale_does_not_crash(tmp_path):
    text = qp_help({"LANG": "C.UTF-8", **profile(tmp_path, ["overrideFlag=true"])})
    assert "Control-line encroachment" in text


def test_log_line_in_chinese_and_english(tmp_path):
    import numpy as np
    import shapely
    from qprun import run_alg

    from devtools import fileio

    city = tmp_path / "c.gpkg"
    square = shapely.box(500000, 2650000, 500010, 2650010)
    fileio.write_layer(city, "b", np.array([square, square], dtype=object), {"name": ["a", "b"]})
    fileio.write_layer(city, "red", np.array([shapely.box(500005, 2649995, 500020, 2650020)], dtype=object),
                       {"name": ["r"]})
    params = {"FOOTPRINTS": f"{city}|layername=b", "RED_LINES": f"{city}|layername=red",
              "OUTPUT": tmp_path / "o.gpkg", "OUTPUT_BUILDINGS": tmp_path / "ob.gpkg"}
    zh = run_alg("liangwei:controllines", params, env={"LANG": "zh_CN.UTF-8"})
    assert "跳过 1 个：与另一要素轮廓重复" in zh.log and "压占建筑 1 栋" in zh.log
    en = run_alg("liangwei:controllines", params, env={"LANG": "C.UTF-8"})
    assert "skipped 1: duplicate of another feature's outline" in en.log and "1 encroaching" in en.log
