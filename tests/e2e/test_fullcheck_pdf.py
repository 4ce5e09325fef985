"""liangwei:fullcheck with its optional PDF output through qgis_process: the case atlas of the cases the filter
selects (default: the demolition candidates) is made after the register; a filter that selects no case is a
warning, not a failed run."""
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from qprun import run_alg  # noqa: E402

from devtools import fileio  # noqa: E402
from devtools.samplecity import generate_city  # noqa: E402
from tests.e2e.test_fullcheck import params, register  # noqa: E402
from tests.qgis.test_caseatlas import pdf_pages, pdf_text  # noqa: E402

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(not os.path.exists("/usr/bin/pdfinfo"), reason="poppler-utils not installed")]
ENV = {"QT_QPA_PLATFORM": "offscreen"}


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    path = tmp_path_factory.mktemp("fullcheck_pdf") / "city.gpkg"
    fileio.write_city(generate_city(1500, seed=3), path)
    return path


def live(reg):
    return reg[reg["gone"].fillna(0).astype(int) == 0] if "gone" in reg else reg


def test_fullcheck_writes_the_case_atlas_of_the_filtered_cases(city, tmp_path):
    folder, pdf = tmp_path / "out", tmp_path / "核查 atlas.pdf"
    res = run_alg("liangwei:fullcheck", params(city, folder, PDF=pdf), env=ENV)
    assert res.ok, res.stderr[-3000:]
    assert Path(res.results["PDF"]) == pdf and pdf.exists()
    reg = live(register(folder / "register.gpkg"))
    chosen = reg[reg.verdict == "拆除候选"]  # the default PDF_FILTER
    assert len(chosen) >= 1
    assert pdf_pages(pdf) == len(chosen) + 1
    text = pdf_text(pdf)
    assert chosen.case_id.iloc[0] in text and chosen.case_id.iloc[-1] in text
    others = reg[reg.verdict != "拆除候选"]
    assert len(others) == 0 or others.case_id.iloc[0] not in text


def test_fullcheck_pdf_filter_that_selects_nothing_is_a_warning(city, tmp_path):
    folder, pdf = tmp_path / "out", tmp_path / "none.pdf"
    res = run_alg("liangwei:fullcheck", params(city, folder, PDF=pdf, PDF_FILTER="\"verdict\" = 'nothing'"), env=ENV)
    assert res.ok, res.stderr[-3000:]
    assert (folder / "register.gpkg").exists()
    assert not pdf.exists() and not res.results.get("PDF")
    assert "Traceback" not in res.stderr


def test_fullcheck_without_pdf_writes_none(city, tmp_path):
    folder = tmp_path / "out"
    res = run_alg("liangwei:fullcheck", params(city, folder), env=ENV)
    assert res.ok, res.stderr[-3000:]
    assert not res.results.get("PDF")
    assert not list(tmp_path.rglob("*.pdf"))
