"""End to end: liangwei:caseatlas through qgis_process, headless (QT_QPA_PLATFORM=offscreen, no X server):
a register built from a generated city -> a PDF with a cover and one page per case; pages per second at 100
case pages are printed (pytest -s) and saved under out/screenshots/caseatlas_speed.txt."""
import os
import sys
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from qprun import run_alg  # noqa: E402

from tests.qgis.test_caseatlas import (  # noqa: E402
    HEADERS,
    SHOTS,
    context_layers,
    make_register,
    pdf_pages,
    pdf_text,
    region_std,
    render_page,
)

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(not os.path.exists("/usr/bin/pdfinfo"), reason="poppler-utils not installed")]


@pytest.fixture(scope="module")
def city_register(tmp_path_factory):
    return make_register(tmp_path_factory.mktemp("atlas_e2e"), n_buildings=3000, seed=11)


def test_qgis_process_100_pages_headless(city_register, tmp_path):
    city_path, reg_path, cases = city_register
    live = cases[~cases.gone.astype(bool)].sort_values("case_id")
    assert len(live) >= 100
    ids = live.case_id.iloc[:100].tolist()
    expr = "\"case_id\" IN ('" + "', '".join(ids) + "')"
    out = tmp_path / "图册 atlas.pdf"  # a Chinese name and a space
    env = {"QT_QPA_PLATFORM": "offscreen"}
    env.pop("DISPLAY", None)
    res = run_alg("liangwei:caseatlas", {"REGISTER": f"{reg_path}|layername=register", "FILTER": expr,
                                         "CONTEXT_LAYERS": context_layers(city_path), "TITLE": "临沧市两违核查图册（测试）",
                                         "OUTPUT": out}, env=env)
    assert int(res.results["N_CASES"]) == 100 and int(res.results["N_PAGES"]) == 101
    assert pdf_pages(out) == 101
    text = pdf_text(out)
    for cid in ids:
        assert cid in text
    for head in HEADERS:
        assert head in text
    assert unicodedata.normalize("NFKC", "临沧市两违核查图册（测试）") in pdf_text(out, 1)
    png = render_page(out, 3, tmp_path / "p3.png", dpi=80)
    assert region_std(png, (12, 19, 190, 165)) > 20
    rate = 101 / res.seconds
    line = (f"caseatlas via qgis_process: 101 pages (cover + 100 cases) in {res.seconds:.1f} s = {rate:.2f} pages/s, "
            f"peak {res.peak_mb:.0f} MB")
    print(line)
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "caseatlas_speed.txt").write_text(line + "\n", encoding="utf-8")
    render_page(out, 2, SHOTS / "caseatlas_e2e_page2.png", dpi=110)


def test_qgis_process_refuses_without_traceback(city_register, tmp_path):
    _, reg_path, _ = city_register
    res = run_alg("liangwei:caseatlas", {"REGISTER": f"{reg_path}|layername=register",
                                         "FILTER": "\"verdict\" = 'nothing'", "OUTPUT": tmp_path / "x.pdf"},
                  check=False, env={"QT_QPA_PLATFORM": "offscreen"})
    assert not res.ok
    assert "没有符合条件的图斑" in res.stderr + res.log
    assert "Traceback" not in res.stderr
    assert not (tmp_path / "x.pdf").exists()
