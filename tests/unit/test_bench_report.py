"""benchmarks/run.py and benchmarks/plot.py: the pure parts of ``make bench`` (growth, ratios, the native cap,
tables, the results file, the plot) on made-up rows; no benchmark runs here."""
from __future__ import annotations

import importlib.util
import json
import struct
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


run = _load("bench_run", ROOT / "benchmarks" / "run.py")
plot = _load("bench_plot", ROOT / "benchmarks" / "plot.py")

MACHINE = {"cores": 2, "ram_gb": 23.5, "qgis": "3.22.16", "gdal": "3.6.2", "python": "3.11.2",
           "date": "2024-03-01T10:00:00+08:00"}


def fake_rows():
    r = run.new_row
    return [
        r("controllines", "cli", 10_000, "cli", seconds=1.0, peak_mb=150,
          split={"read": 0.3, "compute": 0.2, "write": 0.1}, counts={"hit_buildings": 793}),
        r("controllines", "cli", 100_000, "cli", seconds=5.0, peak_mb=400),
        r("controllines", "cli", 1_000_000, "cli", seconds=80.0, peak_mb=3000),
        r("controllines", "qgis_process", 100_000, "qp", seconds=8.0, peak_mb=700),
        r("controllines", "native", 10_000, "nat", seconds=8.0, peak_mb=250),
        r("controllines", "native", 100_000, "nat", seconds=100.0, peak_mb=900),
        r("controllines", "native", 1_000_000, "nat", status="capped", seconds=600.2, peak_mb=2500, bound_s=600),
        r("controllines", "native", 10_000_000, "nat", status="skipped", bound_s=6000),
        r("pipeclearance", "cli", 10_000, "cli", seconds=2.0, peak_mb=120),
        r("pipeclearance", "cli", 1_000_000, "cli", seconds=300.0, peak_mb=1200),
        r("pipeclearance", "native", 10_000, "nat", status="failed", seconds=3.0, peak_mb=100, found="failed: boom"),
    ]


def by(rows, check, way, size):
    return next(r for r in rows if (r["check"], r["way"], r["size"]) == (check, way, size))


# --------------------------------------------------------------------------- growth and ratios
def test_per_1e5_growth_and_native_ratio():
    d = run.derive(fake_rows())
    cli_6 = by(d, "controllines", "cli", 1_000_000)
    assert cli_6["s_per_1e5"] == pytest.approx(8.0)
    assert cli_6["ref_size"] == 100_000
    assert cli_6["growth"] == pytest.approx((80 / 1e6) / (5 / 1e5))          # 1.6: slower per footprint
    assert by(d, "controllines", "cli", 10_000)["growth"] == pytest.approx(2.0)
    assert by(d, "controllines", "cli", 100_000)["growth"] == pytest.approx(1.0)
    # native / ours at the same size, and a lower bound where the native chain was capped
    assert by(d, "controllines", "cli", 100_000)["native_ratio"] == pytest.approx(20.0)
    assert by(d, "controllines", "qgis_process", 100_000)["native_ratio"] == pytest.approx(12.5)
    assert by(d, "controllines", "cli", 10_000)["native_ratio"] == pytest.approx(8.0)
    assert cli_6["native_ratio"] == pytest.approx(600 / 80) and cli_6["native_ratio_bound"] is True
    assert by(d, "controllines", "native", 100_000)["native_ratio"] is None
    # the capped / skipped native rows: time per footprint and growth are lower bounds
    skipped = by(d, "controllines", "native", 10_000_000)
    assert skipped["s_per_1e5"] == pytest.approx(60.0) and skipped["s_per_1e5_bound"] is True
    assert skipped["growth"] == pytest.approx((6000 / 1e7) / (100 / 1e5)) and skipped["growth_bound"] is True
    # a failed native chain gives no ratio
    assert by(d, "pipeclearance", "cli", 10_000)["native_ratio"] is None
    assert by(d, "pipeclearance", "native", 10_000)["s_per_1e5"] is None


def test_growth_reference_falls_back_to_the_smallest_size():
    d = run.derive(fake_rows())
    pipe = by(d, "pipeclearance", "cli", 1_000_000)
    assert pipe["ref_size"] == 10_000
    assert pipe["growth"] == pytest.approx((300 / 1e6) / (2 / 1e4))  # 1.5
    assert run.reference_size(fake_rows(), "fullcheck", "cli") is None


def test_growth_of_the_extra_contenders_is_per_label():
    r = run.new_row
    rows = [r("controllines", "extra", 10_000, "pieces only", seconds=1.0),
            r("controllines", "extra", 100_000, "pieces only", seconds=4.0),
            r("controllines", "extra", 10_000, "overlaps", seconds=10.0),
            r("controllines", "extra", 100_000, "overlaps", seconds=300.0),
            r("controllines", "native", 100_000, "nat", seconds=120.0)]
    d = run.derive(rows)
    assert [x["growth"] for x in d[:4]] == pytest.approx([2.5, 1.0, 1 / 3, 1.0])
    assert d[1]["native_ratio"] == pytest.approx(30.0)
    assert run.format_table("controllines", d).splitlines()[2].split()[0] == "native"


def test_time_of_and_per_1e5():
    rows = fake_rows()
    assert run.time_of(by(rows, "controllines", "native", 1_000_000)) == (600.0, True)
    assert run.time_of(by(rows, "controllines", "cli", 10_000)) == (1.0, False)
    assert run.time_of(by(rows, "pipeclearance", "native", 10_000)) == (None, False)
    assert run.per_1e5(12.0, 300_000) == pytest.approx(4.0)
    assert run.per_1e5(None, 10) is None


# --------------------------------------------------------------------------- the native cap
def test_native_cap_extrapolates_past_the_first_size_that_exceeded():
    cap = run.NativeCap(600)
    assert cap.timeout == 600
    assert cap.bound("controllines", 10_000) is None
    cap.record("controllines", 10_000, capped=False)
    assert cap.bound("controllines", 100_000) is None
    cap.record("controllines", 100_000, capped=True)
    assert cap.bound("controllines", 100_000) is None           # the size that hit the cap itself ran
    assert cap.bound("controllines", 1_000_000) == pytest.approx(6000)
    assert cap.bound("controllines", 10_000_000) == pytest.approx(60_000)
    assert cap.bound("pipeclearance", 1_000_000) is None        # per chain
    cap.record("controllines", 50_000, capped=True)             # a smaller size that exceeded wins
    assert cap.bound("controllines", 1_000_000) == pytest.approx(12_000)
    cap.record("controllines", 5_000_000, capped=True)
    assert cap.exceeded["controllines"] == 50_000


def test_no_cap():
    cap = run.NativeCap(0)
    assert cap.timeout is None
    cap.record("x", 10, capped=True)
    assert cap.bound("x", 1000) is None


def test_chain_gives_each_step_what_is_left_of_the_cap(monkeypatch):
    calls = []

    def fake_qgis(alg, params, timeout=None):
        calls.append((alg, timeout))
        secs = {"a": 100.0, "b": 300.0, "c": 250.0}[alg]
        timed_out = timeout is not None and secs > timeout
        return run.Run(alg, min(secs, timeout or secs), 50.0, -9 if timed_out else 0, timed_out=timed_out)

    monkeypatch.setattr(run, "qgis", fake_qgis)
    runs, status = run.chain([("a", {}), ("b", {}), ("c", {})], 600)
    assert status == "capped"
    assert calls == [("a", 600), ("b", 500), ("c", 200)]
    assert sum(r.seconds for r in runs) == pytest.approx(600)
    calls.clear()
    runs, status = run.chain([("a", {}), ("b", {})], None)
    assert status == "ok" and calls == [("a", None), ("b", None)]

    def failing(alg, params, timeout=None):
        return run.Run(alg, 1.0, 10.0, 1, stderr="Error: invalid geometry\n")

    monkeypatch.setattr(run, "qgis", failing)
    runs, status = run.chain([("a", {}), ("b", {})], 600)
    assert status == "failed" and len(runs) == 1
    row = run.row_of("controllines", "native", 1000, "nat", runs, status, 600)
    assert row["status"] == "failed" and row["found"] == "failed: Error: invalid geometry"
    assert row["peak_mb"] == 10.0 and row["steps"][0]["returncode"] == 1


def test_rows_are_reported_as_soon_as_measured(tmp_path):
    got = []
    ctx = run.Ctx(tmp_path / "d.gpkg", tmp_path, 10_000, run.NativeCap(600), run.WAYS, on_row=got.append)
    out = ctx.rows()
    row = run.new_row("controllines", "cli", 10_000, "cli", seconds=1.0)
    out.append(row)
    assert got == [row] and out == [row]


def test_row_of_a_capped_chain():
    runs = [run.Run("native:fixgeometries", 120.0, 300.0, 0), run.Run("native:intersection", 480.5, 2100.0, -9,
                                                                      timed_out=True)]
    row = run.row_of("controllines", "native", 10**6, "nat", runs, "capped", 600, "killed at the 600 s cap")
    assert row["seconds"] == pytest.approx(600.5) and row["bound_s"] == 600 and row["peak_mb"] == 2100.0
    assert [s["timed_out"] for s in row["steps"]] == [False, True]
    assert run.fmt_wall(row) == "> 600"


def test_measure_kills_at_the_timeout_and_reads_peak_memory():
    slow = run.measure("sleep", [sys.executable, "-c", "import time; time.sleep(30)"], timeout=0.5)
    assert slow.timed_out and not slow.ok and slow.seconds < 10
    big = run.measure("alloc", [sys.executable, "-c", "b = bytearray(150 * 2**20); b[::4096] = b'x' * len(b[::4096])"])
    assert big.ok
    assert 150 <= big.peak_mb < 600


# --------------------------------------------------------------------------- table
def test_format_table_shows_bounds_growth_ratio_and_shares():
    d = run.derive(fake_rows())
    text = run.format_table("controllines", d)
    lines = text.splitlines()
    assert lines[0].startswith("== 控制线压占") and "10^5" in lines[0]
    assert lines[1] == run.TABLE_HEAD
    body = lines[2:]
    assert [ln.split()[0] for ln in body] == ["cli"] * 3 + ["qgis_process"] + ["native"] * 4
    cli_6 = body[2].split()
    assert cli_6[:6] == ["cli", "10^6", "80.0", "3000", "8.00", "1.60"]
    assert "> 7.5" in body[2]                                   # native capped: a lower bound
    assert "read 30% compute 20% write 10% other 40%" in body[0]
    native_6, native_7 = body[6], body[7]
    assert "> 600" in native_6 and "est." not in native_6
    assert "> 6000 est." in native_7 and "> 60.00" in native_7
    wall = lines[1].index("wall s") + len("wall s")             # right-aligned under the header
    assert all(ln[wall - 1] != " " for ln in body)
    assert run.format_table("fullcheck", d) == ""


def test_fmt_helpers():
    assert run.fmt_split({"read": 2, "compute": 5, "write": 1}, 10) == "read 20% compute 50% write 10% other 20%"
    assert run.fmt_split({"read": 2, "compute": 8}, 10) == "read 20% compute 80%"
    assert run.fmt_split(None, 10) == ""
    assert [run.fmt_size(n) for n in (10_000, 100_000, 10**7, 250_000)] == ["10^4", "10^5", "10^7", "250,000"]
    lines = run.summary_lines(run.derive(fake_rows()))
    assert "-> controllines 10^6: liangwei (cli) 80.0 s, peak 3000 MB; native chain > 600 s: > 7.5×" in lines
    assert "-> controllines 10^5: liangwei (qgis_process) 8.0 s, peak 700 MB; native chain 100.0 s: 12.5×" in lines
    assert plot.human(20_000) == "20k" and plot.human(1e6) == "1M" and plot.human(2.5, "s") == "2.5s"


# --------------------------------------------------------------------------- parsing
def test_parse_timing_english_chinese_and_fullcheck_steps():
    en = "buildings 100 = 99 used\ntime: read 1.2 s, compute 3.4 s, write 0.5 s\n"
    assert run.parse_timing(en) == {"read": 1.2, "compute": 3.4, "write": 0.5}
    zh = "用时：读取 2.0 s，计算 10.5 s，写出 1.0 s"
    assert run.parse_timing(zh) == {"read": 2.0, "compute": 10.5, "write": 1.0}
    full = "  files: /x\ntime: 41.3 s (epochs 12.0 s, lines 8.5 s, pipes 6.1 s, register 14.2 s)"
    assert run.parse_timing(full) == {"epochs": 12.0, "lines": 8.5, "pipes": 6.1, "register": 14.2}
    # liangwei:fullcheck: one timing line per step, summed (the CLI's totals)
    steps = ("== 1/2 liangwei:compareepochs\ntime: read 0.5 s, compute 0.9 s, write 0.4 s\n== 2/2 liangwei:register\n"
             "time: read 0.3 s, compute 0.3 s, write 1.1 s\n" + full)
    assert run.parse_timing(steps) == pytest.approx({"read": 0.8, "compute": 1.2, "write": 1.5})
    steps = run.parse_timing("用时：41.3 s（epochs 12.0 s，register 14.2 s）")
    assert steps == {"epochs": 12.0, "register": 14.2}
    assert run.parse_timing("no timing here") is None
    assert run.cli_split({"seconds": {"read": 1, "compute": 2.5, "write": 0.5}}) == {"read": 1.0, "compute": 2.5,
                                                                                    "write": 0.5}
    assert run.cli_split({"ok": True}) is None
    # liangwei fullcheck: totals, the wall of the run and the steps; the shares are of read / compute / write
    fc = {"seconds": {"read": 12.5, "compute": 1.8, "write": 1.7, "total": 16.5, "steps": {"epochs": 4.0}}}
    assert run.cli_split(fc) == {"read": 12.5, "compute": 1.8, "write": 1.7}


def test_parse_qp_output_with_the_322_log_dict():
    text = 'noise\n{"results": {"N_HITS": 12.0}, "log": {"info": ["time: read 1.0 s, compute 2.0 s, write 3.0 s"]}}'
    results, log = run.parse_qp_output(text)
    assert results == {"N_HITS": 12.0}
    assert run.parse_timing(log) == {"read": 1.0, "compute": 2.0, "write": 3.0}
    assert run.parse_qp_output("Error: no json") == ({}, "")


def test_fullcheck_argv_from_the_help_text(tmp_path):
    help_text = ("usage: liangwei fullcheck [-h] --earlier EARLIER --later LATER [--red-lines RED_LINES]\n"
                 "  --pipelines PIPELINES  pipes\n  --output-folder OUTPUT_FOLDER\n  --run-date RUN_DATE\n  --json")
    data = tmp_path / "p.gpkg"
    argv = run.fullcheck_argv(help_text, data, tmp_path / "f")
    assert argv == ["--earlier", f"{data}:buildings_2019", "--later", f"{data}:buildings_2023",
                    "--red-lines", f"{data}:red_lines", "--pipelines", f"{data}:pipelines",
                    "--run-date", "2024-03-01", "--output-folder", str(tmp_path / "f")]
    assert run.fullcheck_argv("usage: liangwei fullcheck --earlier E", data, tmp_path) is None


def test_sizes_cap_and_checks_from_the_environment():
    assert run.default_sizes({}) == [10_000, 100_000, 1_000_000]
    assert run.default_sizes({"BENCH_BIG": "1"}) == [10_000, 100_000, 1_000_000, 10_000_000]
    assert run.default_sizes({"BENCH_BIG": "0"}) == [10_000, 100_000, 1_000_000]
    assert run.default_cap({}) == 600 and run.default_cap({"BENCH_NATIVE_CAP": "90"}) == 90
    assert run.parse_checks("controllines,pipes,epochs") == ["controllines", "pipeclearance", "compareepochs"]
    with pytest.raises(ValueError):
        run.parse_checks("controllines,nope")


# --------------------------------------------------------------------------- results file
def test_results_file_round_trips_and_follows_the_schema(tmp_path):
    path = tmp_path / "bench" / "results.json"
    doc = run.write_results(path, fake_rows(), MACHINE, {"sizes": [10_000], "native_cap_s": 600})
    assert not list(path.parent.glob("*.part"))
    back = json.loads(path.read_text(encoding="utf-8"))
    assert back == json.loads(json.dumps(doc))
    assert run.validate_doc(back) == []
    assert back["schema"] == run.SCHEMA and back["machine"]["cores"] == 2
    assert len(back["rows"]) == 11
    assert by(back["rows"], "controllines", "cli", 1_000_000)["growth"] == pytest.approx(1.6)
    assert by(back["rows"], "controllines", "cli", 10_000)["counts"] == {"hit_buildings": 793}


def test_validate_doc_names_the_problems():
    doc = run.results_doc(fake_rows(), {k: v for k, v in MACHINE.items() if k != "gdal"}, {})
    doc["rows"][0]["status"] = "done"
    doc["rows"][1]["seconds"] = None
    doc["rows"][2]["size"] = "big"
    doc["rows"][6]["bound_s"] = None
    problems = run.validate_doc(doc)
    assert "machine.gdal missing" in problems
    assert "rows[0].status 'done'" in problems
    assert "rows[1] ok without seconds" in problems
    assert "rows[2].size has type str" in problems
    assert "rows[6] capped without bound_s" in problems
    assert run.validate_doc({"schema": "x"})[:1] == ["schema is 'x', expected 'lincang-bench/1'"]
    with pytest.raises(ValueError):
        run.new_row("controllines", "cli", 10, "x", status="maybe")


# --------------------------------------------------------------------------- plot
def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_series_for_the_plot():
    s = plot.series(fake_rows(), "time")
    assert s[("controllines", "native")] == [(10_000, 8.0, False), (100_000, 100.0, False), (1_000_000, 600.0, True),
                                             (10_000_000, 6000.0, True)]
    assert ("pipeclearance", "native") not in s              # failed: not drawn
    m = plot.series(fake_rows(), "peak_mb")
    assert m[("controllines", "native")][-1] == (1_000_000, 2500.0, True)  # skipped: no memory
    assert list(s)[:3] == [("controllines", "cli"), ("controllines", "qgis_process"), ("controllines", "native")]


def test_plot_writes_a_png_from_the_results_file_alone(tmp_path):
    path = tmp_path / "results.json"
    run.write_results(path, fake_rows(), MACHINE, {"native_cap_s": 600})
    assert plot.main([str(path)]) == 0
    png = tmp_path / "scaling.png"
    w, h = _png_size(png)
    assert w >= 1200 and h >= 500
    assert png.stat().st_size > 30_000
    # the pixels are not blank: several colours drawn
    import matplotlib.image as mpimg
    import numpy as np

    img = mpimg.imread(str(png))
    assert len(np.unique((img[..., :3] * 255).astype(np.uint8).reshape(-1, 3), axis=0)) > 50


def test_plot_refuses_a_file_that_is_not_a_results_file(tmp_path, capsys):
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"rows": []}), encoding="utf-8")
    assert plot.main([str(path)]) == 2
    assert "schema" in capsys.readouterr().err
    assert not (tmp_path / "scaling.png").exists()


def test_merge_keeps_later_rows_and_rederives(tmp_path):
    """A separate 10^7 run merged into the 10^4-10^6 results: growth is measured against 10^5 across both files."""
    def row(size, seconds, way="cli"):
        return run.new_row("controllines", way, size, "liangwei controllines", seconds=seconds, peak_mb=100.0)

    a = tmp_path / "a.json"
    b = tmp_path / "b.json"
    a.write_text(json.dumps({"rows": [row(100_000, 10.0), row(10_000_000, 5000.0)]}), encoding="utf-8")
    b.write_text(json.dumps({"rows": [row(10_000_000, 1100.0)]}), encoding="utf-8")
    rows = run.merged_rows([a, b])
    assert sorted((r["size"], r["seconds"]) for r in rows) == [(100_000, 10.0), (10_000_000, 1100.0)]
    big = [r for r in run.derive(rows) if r["size"] == 10_000_000][0]
    assert big["s_per_1e5"] == pytest.approx(11.0)
    assert big["growth"] == pytest.approx(1.1)
