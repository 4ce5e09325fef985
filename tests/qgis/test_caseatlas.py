"""liangwei:caseatlas — the PDF case atlas, checked with poppler (pdfinfo / pdftotext / pdftoppm).

The register is built from a generated city with the pure core (the same calls
``liangwei:register`` makes) and written with ``gpkgbulk.write_new_layer``.
Sample pages are saved under ``out/screenshots/`` as artefacts.
"""
from __future__ import annotations

import shutil
import subprocess
import time
import unicodedata
from pathlib import Path

import numpy as np
import pytest
import shapely

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "out" / "screenshots"
RUN_DATE = "2024-05-01"
# CJK Radicals Supplement characters (no NFKC mapping) that pdftotext gives for shared glyphs
RADICALS = str.maketrans("⻚⺠⻩⻓⻔⻢⻜⻅⻆⻋⻉⻛⻥⻦⻮⻧⻳", "页民黄长门马飞见角车贝风鱼鸟齿卤龟")
HEADERS = ("图斑编号", "初判", "依据", "面积", "压占类型", "管线净距", "核查结果", "核查人签字", "日期")

pytestmark = pytest.mark.skipif(shutil.which("pdfinfo") is None or shutil.which("pdftoppm") is None,
                                reason="poppler-utils (pdfinfo, pdftotext, pdftoppm) not installed")


# ----------------------------------------------------------------------------- data
def _clean(g):
    g = np.asarray(g, dtype=object).copy()
    ok = ~shapely.is_missing(g)
    ok[ok] = ~shapely.is_empty(g[ok])
    g[ok] = shapely.make_valid(shapely.force_2d(g[ok]))
    g[~ok] = None
    return g


def make_register(folder: Path, n_buildings: int = 3000, seed: int = 7):
    """(city.gpkg, register.gpkg, cases DataFrame): a generated city and its register (layer ``register``)."""
    from devtools.fileio import write_city
    from devtools.samplecity import ZONE_LAYERS, generate_city
    from lincang_liangwei.core.controllines import ZoneSet, encroachments
    from lincang_liangwei.core.epochs import compare_epochs
    from lincang_liangwei.core.pipes import check_pipe_clearance
    from lincang_liangwei.core.register import REGISTER_COLUMNS, build_register, merge_previous
    from lincang_liangwei.core.rules import load_rules
    from lincang_liangwei.gpkgbulk import write_new_layer

    folder.mkdir(parents=True, exist_ok=True)
    city = generate_city(n_buildings, seed=seed)
    city_path = write_city(city, folder / "city.gpkg")
    rules = load_rules()
    (eg, ea), (lg, la) = city.layers["buildings_2019"], city.layers["buildings_2023"]
    eg, lg = _clean(eg), _clean(lg)
    efid, lfid = np.arange(1, len(eg) + 1), np.arange(1, len(lg) + 1)
    ep = compare_epochs(eg, efid, lg, lfid, ea["floors"], la["floors"])
    zones = []
    for name in ZONE_LAYERS:
        g, a = city.layers[name]
        lt = "water_source" if name == "water_source" else name.split("_")[0]
        zones.append(ZoneSet(lt, _clean(g), np.arange(1, len(g) + 1), np.asarray(a["name"], dtype=object), False,
                             name))
    enc = encroachments(lg, lfid, zones, {z.line_type: rules.setback_m(z.line_type) for z in zones})
    pg, pa = city.layers["pipelines"]
    pipes = check_pipe_clearance(lg, pg, bld_ids=lfid, kinds=pa["kind"], pressures=pa["pressure"],
                                 diameters=pa["diameter_mm"], rules=rules)
    (dg, da), (cg, _), (permit_g, permit_a) = (city.layers["districts"], city.layers["compounds"],
                                                city.layers["permits"])
    kinds = np.asarray(permit_a["kind"], dtype=object)
    r = build_register(
        lfid, lg, changes=ep.later, hits=enc.hits, breaches=pipes.breaches, compounds=cg, districts=dg,
        district_codes=da["code"], district_names=da["name"], permits=permit_g, permit_nos=permit_a["permit_no"],
        permit_kinds=np.where(np.isin(kinds, ["永久", "permanent"]), "permanent", "temporary"),
        permit_expiry=permit_a["expiry"], epoch="2023", prev_epoch="2019", run_date=RUN_DATE, rules=rules)
    m = merge_previous(None, None, r.cases, r.geoms, RUN_DATE)
    cases = m.cases.reset_index(drop=True)
    kinds_of = {"x": "double", "y": "double", "lon": "double", "lat": "double", "area_m2": "double",
                "growth_m2": "double", "floors": "double", "enc_area_m2": "double", "min_clearance_m": "double",
                "required_m": "double", "priority": "double", "in_compound": "int", "gone": "int", "bld_fid": "int"}
    cols = []
    for c in REGISTER_COLUMNS:
        kind = kinds_of.get(c, "string")
        vals = cases[c].to_numpy()
        if kind == "int":
            vals = vals.astype(np.int64)
        elif kind == "string":
            vals = np.array(["" if v is None else str(v) for v in vals], dtype=object)
        cols.append((c, kind, vals))
    reg_path = folder / "register.gpkg"
    write_new_layer(reg_path, "register", m.geoms, cols, "EPSG:4542", "MultiPolygon")
    return city_path, reg_path, cases


@pytest.fixture(scope="module")
def city_register(tmp_path_factory):
    return make_register(tmp_path_factory.mktemp("atlas"))


def context_layers(city_path: Path) -> list:
    names = ("districts", "red_lines", "blue_lines", "green_lines", "yellow_lines", "purple_lines", "water_source",
             "pipelines", "buildings_2019", "buildings_2023")
    return [f"{city_path}|layername={n}" for n in names]


# ----------------------------------------------------------------------------- poppler helpers
def pdf_pages(path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def pdf_text(path, first=None, last=None) -> str:
    """The PDF's text, NFKC-normalised: Qt's PDF writer maps some glyphs of Noto Sans CJK that the font shares
    between an ideograph and its Kangxi radical to the radical (面 -> U+2F8C), NFKC maps them back."""
    cmd = ["pdftotext", "-enc", "UTF-8"]
    if first:
        cmd += ["-f", str(first), "-l", str(last or first)]
    out = subprocess.run(cmd + [str(path), "-"], capture_output=True, text=True, check=True).stdout
    return unicodedata.normalize("NFKC", out).translate(RADICALS)


def render_page(path, page: int, dest: Path, dpi: int = 60) -> Path:
    """Page ``page`` as PNG ``dest`` (pdftoppm)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    stem = dest.with_suffix("")
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
                    str(path), str(stem)], check=True)
    return stem.with_suffix(".png")


def region_std(png: Path, box_mm) -> float:
    """Pixel standard deviation (grey) of a region of a rendered A4-landscape page; box in mm (x0, y0, x1, y1)."""
    from qgis.PyQt.QtGui import QImage

    img = QImage(str(png))
    sx, sy = img.width() / 297.0, img.height() / 210.0
    x0, y0, x1, y1 = (int(box_mm[0] * sx), int(box_mm[1] * sy), int(box_mm[2] * sx), int(box_mm[3] * sy))
    vals = []
    for y in range(y0, y1, 2):
        for x in range(x0, x1, 2):
            c = img.pixel(x, y)
            vals.append(((c >> 16) & 255) * 0.3 + ((c >> 8) & 255) * 0.59 + (c & 255) * 0.11)
    return float(np.std(vals))


def orange_red_pixels(png: Path, box_mm) -> int:
    """Pixels of the case markers (red / orange) in a region of a rendered page; box in mm."""
    from qgis.PyQt.QtGui import QImage

    img = QImage(str(png))
    sx, sy = img.width() / 297.0, img.height() / 210.0
    n = 0
    for y in range(int(box_mm[1] * sy), int(box_mm[3] * sy)):
        for x in range(int(box_mm[0] * sx), int(box_mm[2] * sx)):
            c = img.pixel(x, y)
            r, g, b = (c >> 16) & 255, (c >> 8) & 255, c & 255
            n += r > 200 and g < 170 and b < 90
    return n


def run_atlas(processing, params, feedback=None):
    from qgis.core import QgsProcessingContext, QgsProject

    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    return processing.run("liangwei:caseatlas", params, context=context, feedback=feedback)


# ----------------------------------------------------------------------------- tests
def test_atlas_pages_text_and_maps(liangwei, city_register, tmp_path, feedback):
    from qgis import processing

    city_path, reg_path, cases = city_register
    expected = cases[(cases.verdict == "拆除候选") & ~cases.gone.astype(bool)].sort_values("case_id")
    assert 10 <= len(expected) <= 200
    out = tmp_path / "atlas.pdf"
    t0 = time.time()
    res = run_atlas(processing, {"REGISTER": f"{reg_path}|layername=register", "FILTER": "\"verdict\" = '拆除候选'",
                                 "CONTEXT_LAYERS": context_layers(city_path), "OUTPUT": str(out)}, feedback)
    dt = time.time() - t0
    n = len(expected)
    assert res["N_CASES"] == n and res["N_PAGES"] == n + 1
    assert pdf_pages(out) == n + 1
    text = pdf_text(out)
    for cid in expected.case_id:
        assert cid in text
    for head in HEADERS:
        assert head in text, head
    cover = pdf_text(out, 1)
    assert "拆除候选" in cover and str(n) in cover and "合计" in cover
    for district in expected.district.unique():
        assert district in cover
    # page 2 is the first case (sorted by case id), its page number says so
    p2 = pdf_text(out, 2)
    assert expected.case_id.iloc[0] in p2 and f"第 2 / {n + 1} 页" in p2
    assert "中文字体：" in feedback.text and "页/秒" in feedback.text   # the ring runs in zh-Hans
    assert not any(f.name.endswith(".pdf") and f.name.startswith(".") for f in tmp_path.iterdir())  # no temp left
    # the maps are drawn: the main map and overview regions are not blank
    SHOTS.mkdir(parents=True, exist_ok=True)
    page2 = render_page(out, 2, SHOTS / "caseatlas_page2.png", dpi=110)
    cover_png = render_page(out, 1, SHOTS / "caseatlas_cover.png", dpi=110)
    page5 = render_page(out, min(n + 1, 5), SHOTS / "caseatlas_page5.png", dpi=110)
    for png in (page2, page5):
        assert region_std(png, (12, 19, 190, 165)) > 20, "main map blank"
        assert region_std(png, (198, 24, 286, 70)) > 8, "overview map blank"
        assert orange_red_pixels(png, (198, 24, 286, 70)) > 5, "no case marker on the overview"
    assert region_std(cover_png, (160, 50, 285, 185)) > 5, "cover map blank"
    print(f"caseatlas: {n + 1} pages in {dt:.1f} s = {(n + 1) / dt:.2f} pages/s")


def test_empty_filter_bad_filter_and_output_is_input(liangwei, city_register, tmp_path):
    from qgis import processing
    from qgis.core import QgsProcessingException

    city_path, reg_path, _ = city_register
    reg = f"{reg_path}|layername=register"
    with pytest.raises(QgsProcessingException, match="没有符合条件的图斑"):
        run_atlas(processing, {"REGISTER": reg, "FILTER": "\"verdict\" = 'no such verdict'",
                               "OUTPUT": str(tmp_path / "a.pdf")})
    with pytest.raises(QgsProcessingException, match="筛选表达式"):
        run_atlas(processing, {"REGISTER": reg, "FILTER": "\"verdict\" = = '拆除候选'",
                               "OUTPUT": str(tmp_path / "b.pdf")})
    with pytest.raises(QgsProcessingException, match="不能覆盖"):
        run_atlas(processing, {"REGISTER": reg, "OUTPUT": str(reg_path)})
    with pytest.raises(QgsProcessingException, match="比例尺"):
        run_atlas(processing, {"REGISTER": reg, "SCALES": "1000,abc", "OUTPUT": str(tmp_path / "c.pdf")})
    assert not list(tmp_path.glob("*.pdf"))


def test_cancel_leaves_no_file(liangwei, city_register, tmp_path):
    from qgis import processing
    from qgis.core import QgsProcessingException, QgsProcessingFeedback

    class CancelAfter(QgsProcessingFeedback):
        def setProgress(self, p):  # noqa: N802 - QGIS API
            super().setProgress(p)
            if p > 10:
                self.cancel()

    city_path, reg_path, _ = city_register
    out = tmp_path / "cancel.pdf"
    out.write_bytes(b"%PDF earlier")
    with pytest.raises(QgsProcessingException, match="取消"):
        run_atlas(processing, {"REGISTER": f"{reg_path}|layername=register", "OUTPUT": str(out)}, CancelAfter())
    assert out.read_bytes() == b"%PDF earlier"  # the earlier file is untouched
    assert [p.name for p in tmp_path.iterdir()] == ["cancel.pdf"]


def test_font_pick_and_roles(qgis_app):
    from qgis.core import QgsVectorLayer

    from lincang_liangwei.qgis_io.atlas import CJK_FONTS, context_role, pick_cjk_font, wrap_text

    fam, found = pick_cjk_font()
    assert found and fam in CJK_FONTS or found
    assert pick_cjk_font("No Such Font 123")[0] == fam
    lines = wrap_text("《中华人民共和国城乡规划法》第六十四条" * 6, fam, 8, 40, 3).split("\n")
    assert len(lines) == 3 and lines[-1].endswith("…")

    def role(name):
        return context_role(QgsVectorLayer("LineString?crs=EPSG:4542", name, "memory"), "2023", "2019")

    assert [role(n) for n in ("red_lines", "河道蓝线", "water_source", "pipelines", "buildings_2019",
                              "buildings_2023", "districts", "epochs_growth", "controllines_pieces", "pipeclearance",
                              "roads")] == ["red", "blue", "water_source", "pipelines", "earlier", "later",
                                            "districts", "growth", "pieces", "breach", "other"]


@pytest.mark.slow
def test_speed_100_pages(liangwei, tmp_path):
    """Pages per second at 100 case pages (printed; asserted only loosely)."""
    from qgis import processing

    city_path, reg_path, cases = make_register(tmp_path / "big", n_buildings=3000, seed=11)
    live = cases[~cases.gone.astype(bool)].sort_values("case_id")
    ids = "', '".join(live.case_id.iloc[:100])
    out = tmp_path / "speed.pdf"
    t0 = time.time()
    run_atlas(processing, {"REGISTER": f"{reg_path}|layername=register", "FILTER": f"\"case_id\" IN ('{ids}')",
                           "CONTEXT_LAYERS": context_layers(city_path), "OUTPUT": str(out)})
    dt = time.time() - t0
    assert pdf_pages(out) == 101
    print(f"caseatlas speed: 101 pages in {dt:.1f} s = {101 / dt:.2f} pages/s")
    assert 101 / dt > 0.5
