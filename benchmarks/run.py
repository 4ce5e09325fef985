"""make bench: this project vs the QGIS native tools, same data, 10^4 to 10^6 (10^7) footprints.

For every check and size three ways run, each as its own process, timed wall-clock with its own peak RSS
(``os.wait4`` rusage of the child, as scripts/qprun.py does):

* ``cli``          ours without QGIS: ``python -m lincang_liangwei.cli <check> ... --json``
* ``qgis_process`` ours as a batch user of QGIS runs it: ``qgis_process run liangwei:<check>``
* ``native``       the chain of QGIS native algorithms a user has today (fixgeometries + intersection ...),
                   capped at ``--native-cap`` seconds (env BENCH_NATIVE_CAP, default 600): a chain that takes
                   longer is killed and shown as "> cap"; at larger sizes it is skipped and the bound
                   extrapolated linearly from the size that hit the cap (a lower bound: native chains grow at
                   least linearly).

Printed per check: wall s, peak MB, seconds per 10^5 footprints, growth of the time per footprint against
10^5, native / this way, and the share of read / compute / write (the CLI's ``--json`` seconds; the timing
line the QGIS algorithms log).  Written: ``out/bench/results.json`` (every row + the machine) after every
row, and ``out/bench/scaling.png`` (benchmarks/plot.py; ``python benchmarks/plot.py out/bench/results.json``
re-plots from the file alone).

    python benchmarks/run.py                       # 10^4, 10^5, 10^6 (+ 10^7 with BENCH_BIG=1)
    python benchmarks/run.py --sizes 10000 --checks controllines,pipeclearance --ways cli,native

Data: scripts/make_province.py --buildings N --seed 42 (benchmarks/data/province_N.gpkg) when that script
exists, else the sample city of scripts/make_sample_city.py (benchmarks/data/city_N.gpkg).
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import math
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
for _p in (HERE, ROOT / "scripts", ROOT):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from qprun import WRAPPER, _args, _MeasuredPopen  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
OUT = ROOT / "out" / "bench"
SCHEMA = "lincang-bench/1"
REF_SIZE = 100_000
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
BIG_SIZE = 10_000_000
DEFAULT_CAP_S = 600.0
SCORE_MAX = 1_000_000     # score compareepochs against the generator's truth up to this size (Python dicts)
WAYS = ("cli", "qgis_process", "native")
CHECKS = ("controllines", "pipeclearance", "compareepochs", "fullcheck")
CHECK_ALIASES = {"pipes": "pipeclearance", "epochs": "compareepochs", "lines": "controllines"}
TITLES = {"controllines": "控制线压占 control lines", "pipeclearance": "管线净距 pipe clearance",
          "compareepochs": "时相比对 survey epochs", "fullcheck": "一键巡查 full check"}
ZONE_LAYERS = {"RED_LINES": "red_lines", "BLUE_LINES": "blue_lines", "GREEN_LINES": "green_lines",
               "YELLOW_LINES": "yellow_lines", "PURPLE_LINES": "purple_lines", "WATER_SOURCE": "water_source"}
STATUSES = ("ok", "capped", "skipped", "failed")


# =========================================================================== pure parts (unit tested)
def default_sizes(env=None) -> list[int]:
    env = os.environ if env is None else env
    return [*DEFAULT_SIZES, BIG_SIZE] if env.get("BENCH_BIG", "") not in ("", "0") else list(DEFAULT_SIZES)


def default_cap(env=None) -> float:
    env = os.environ if env is None else env
    try:
        return float(env.get("BENCH_NATIVE_CAP", "") or DEFAULT_CAP_S)
    except ValueError:
        return DEFAULT_CAP_S


def parse_checks(text: str) -> list[str]:
    out = []
    for name in (t.strip() for t in text.split(",")):
        if not name:
            continue
        name = CHECK_ALIASES.get(name, name)
        if name not in CHECKS:
            raise ValueError(f"unknown check '{name}' (choose from {', '.join(CHECKS)})")
        out.append(name)
    return out


class NativeCap:
    """The time bound of the native chains.

    ``bound(key, size)`` is None when the chain is to run (with ``timeout`` seconds), else the extrapolated lower
    bound of its time: a smaller size already exceeded the cap, so this one takes at least cap × size / that
    size (native chains grow at least linearly).  ``record`` remembers the smallest size that exceeded.
    """

    def __init__(self, cap_s: float | None):
        self.cap_s = cap_s if cap_s and cap_s > 0 else None
        self.exceeded: dict = {}

    @property
    def timeout(self) -> float | None:
        return self.cap_s

    def bound(self, key, size: int) -> float | None:
        n0 = self.exceeded.get(key)
        if self.cap_s is None or n0 is None or size <= n0:
            return None
        return self.cap_s * size / n0

    def record(self, key, size: int, capped: bool):
        if capped and (key not in self.exceeded or size < self.exceeded[key]):
            self.exceeded[key] = size


def new_row(check: str, way: str, size: int, label: str, *, status: str = "ok", seconds: float | None = None,
            peak_mb: float | None = None, bound_s: float | None = None, split: dict | None = None,
            found: str = "", steps: list | None = None, counts: dict | None = None) -> dict:
    """One result: ``seconds`` measured (for "capped": until the kill), ``bound_s`` the lower bound of the time
    of a capped or skipped run, ``split`` named parts of the time (read / compute / write, or fullcheck steps)."""
    if status not in STATUSES:
        raise ValueError(f"status {status!r}")
    return {"check": check, "way": way, "size": int(size), "label": label, "status": status,
            "seconds": None if seconds is None else float(seconds),
            "peak_mb": None if peak_mb is None or math.isnan(peak_mb) else float(peak_mb),
            "bound_s": None if bound_s is None else float(bound_s),
            "split": {k: float(v) for k, v in split.items()} if split else None,
            "found": found, "steps": list(steps or []), "counts": dict(counts or {})}


def time_of(row: dict) -> tuple[float | None, bool]:
    """(time, is_lower_bound): the measured seconds, or the bound of a capped / skipped run, None if failed."""
    if row["status"] == "ok":
        return row["seconds"], False
    if row["status"] in ("capped", "skipped") and row.get("bound_s"):
        return row["bound_s"], True
    return None, False


def per_1e5(seconds: float | None, size: int) -> float | None:
    return None if seconds is None or not size else seconds * 1e5 / size


def reference_size(rows: list[dict], check: str, way: str, ref: int = REF_SIZE, label: str | None = None) -> int | None:
    """``ref`` when that size ran for (check, way[, label]), else the smallest size measured."""
    sizes = sorted(r["size"] for r in rows if r["check"] == check and r["way"] == way and r["status"] == "ok"
                   and (label is None or r["label"] == label))
    if not sizes:
        return None
    return ref if ref in sizes else sizes[0]


def derive(rows: list[dict], ref: int = REF_SIZE) -> list[dict]:
    """Copies of ``rows`` with s_per_1e5, growth (time per footprint / that at the reference size, same check
    and way), ref_size, native_ratio (native time / this row's time, same check and size) and the *_bound flags
    (True: a lower bound, the native chain was capped or skipped)."""
    out = []
    by_key = {(r["check"], r["way"], r["size"]): r for r in rows if r["way"] in WAYS}
    by_label = {(r["check"], r["way"], r["label"], r["size"]): r for r in rows}
    for r in rows:
        d = dict(r)
        t, lower = time_of(r)
        d["s_per_1e5"] = per_1e5(t, r["size"])
        d["s_per_1e5_bound"] = lower
        rs = reference_size(rows, r["check"], r["way"], ref, r["label"])
        base = by_label.get((r["check"], r["way"], r["label"], rs)) if rs else None
        d["ref_size"] = rs
        d["growth"], d["growth_bound"] = None, False
        if t is not None and base is not None and base["seconds"]:
            d["growth"] = (t / r["size"]) / (base["seconds"] / rs)
            d["growth_bound"] = lower
        d["native_ratio"], d["native_ratio_bound"] = None, False
        nat = by_key.get((r["check"], "native", r["size"]))
        if r["way"] != "native" and nat is not None and r["status"] == "ok" and r["seconds"]:
            tn, nlower = time_of(nat)
            if tn is not None:
                d["native_ratio"], d["native_ratio_bound"] = tn / r["seconds"], nlower
        out.append(d)
    return out


def _num(value: float | None, fmt: str, bound: bool = False) -> str:
    if value is None:
        return "—"
    return ("> " if bound else "") + format(value, fmt)


def fmt_wall(row: dict, unit: str = "") -> str:
    """``12.3``, ``> 600`` (killed at the cap), ``> 6000 est.`` (skipped, extrapolated) or ``failed``."""
    if row["status"] == "ok":
        return f"{row['seconds']:.1f}{unit}"
    if row["status"] == "capped":
        return f"> {row['bound_s']:.0f}{unit}"
    if row["status"] == "skipped":
        return f"> {row['bound_s']:.0f}{unit} est."
    return "failed"


def fmt_split(split: dict | None, seconds: float | None) -> str:
    """Shares of the wall time: ``read 20% compute 65% write 10%`` (+ ``other`` = start-up, imports)."""
    if not split or not seconds:
        return ""
    parts = [f"{k} {100 * v / seconds:.0f}%" for k, v in split.items()]
    other = seconds - sum(split.values())
    if other > 0.005 * seconds:
        parts.append(f"other {100 * other / seconds:.0f}%")
    return " ".join(parts)


def fmt_size(n: int) -> str:
    exp = math.log10(n) if n > 0 else 0
    return f"10^{exp:.0f}" if n > 0 and abs(exp - round(exp)) < 1e-9 else f"{n:,}"


TABLE_HEAD = (f"{'way':13s} {'size':>8s} {'wall s':>12s} {'peak MB':>8s} {'s/10^5':>9s} {'growth':>8s} "
              f"{'native ×':>9s}  {'share of wall: read compute write':40s} result")


def format_table(check: str, rows: list[dict]) -> str:
    """The table of one check (rows already through :func:`derive`), ways in WAYS order, sizes ascending."""
    mine = [r for r in rows if r["check"] == check]
    if not mine:
        return ""
    ref = {r["way"]: r["ref_size"] for r in mine if r.get("ref_size")}
    refs = sorted(set(ref.values()))
    growth_note = f"growth = time per footprint / that at {', '.join(fmt_size(s) for s in refs) or fmt_size(REF_SIZE)}"
    lines = [f"== {TITLES.get(check, check)}   ({growth_note})", TABLE_HEAD]
    order = {w: i for i, w in enumerate(WAYS)}
    for r in sorted(mine, key=lambda r: (order.get(r["way"], len(order)), r["label"], r["size"])):
        lines.append(f"{r['way']:13s} {fmt_size(r['size']):>8s} {fmt_wall(r):>12s} {_num(r['peak_mb'], '.0f'):>8s} "
                     f"{_num(r['s_per_1e5'], '.2f', r['s_per_1e5_bound']):>9s} "
                     f"{_num(r['growth'], '.2f', r['growth_bound']):>8s} "
                     f"{_num(r['native_ratio'], '.1f', r['native_ratio_bound']):>9s}  "
                     f"{fmt_split(r['split'], r['seconds'] if r['status'] == 'ok' else None):40s} "
                     f"{_result(r)}")
    return "\n".join(lines)


def _result(r: dict) -> str:
    if r["way"] in WAYS:
        return r["found"] or r["label"]
    return f"{r['label']}: {r['found']}" if r["found"] else r["label"]


def summary_lines(rows: list[dict]) -> list[str]:
    """One line per (check, size) with a native row: how many times slower the native chain is."""
    out = []
    for r in rows:
        if r["way"] == "native" or r.get("native_ratio") is None:
            continue
        nat = next(n for n in rows if (n["check"], n["way"], n["size"]) == (r["check"], "native", r["size"]))
        sign = "> " if r["native_ratio_bound"] else ""
        out.append(f"-> {r['check']} {fmt_size(r['size'])}: liangwei ({r['way']}) {r['seconds']:.1f} s, "
                   f"peak {_num(r['peak_mb'], '.0f')} MB; native chain {fmt_wall(nat, ' s')}: "
                   f"{sign}{r['native_ratio']:.1f}×")
    return out


def results_doc(rows: list[dict], machine: dict, params: dict) -> dict:
    return {"schema": SCHEMA, "created": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "machine": machine, "params": params, "rows": derive(rows)}


ROW_TYPES = {"check": str, "way": str, "size": int, "label": str, "status": str, "seconds": (float, int, type(None)),
             "peak_mb": (float, int, type(None)), "bound_s": (float, int, type(None)), "split": (dict, type(None)),
             "found": str, "steps": list, "counts": dict}
MACHINE_KEYS = ("cores", "ram_gb", "qgis", "gdal", "python", "date")


def validate_doc(doc: dict) -> list[str]:
    """Problems of a results document (empty when it follows the schema)."""
    errors = []
    if not isinstance(doc, dict):
        return ["not a JSON object"]
    if doc.get("schema") != SCHEMA:
        errors.append(f"schema is {doc.get('schema')!r}, expected {SCHEMA!r}")
    machine = doc.get("machine")
    if not isinstance(machine, dict):
        errors.append("no machine object")
    else:
        errors += [f"machine.{k} missing" for k in MACHINE_KEYS if k not in machine]
    rows = doc.get("rows")
    if not isinstance(rows, list):
        return errors + ["no rows list"]
    for i, r in enumerate(rows):
        if not isinstance(r, dict):
            errors.append(f"rows[{i}] is not an object")
            continue
        for k, t in ROW_TYPES.items():
            if k not in r:
                errors.append(f"rows[{i}].{k} missing")
            elif not isinstance(r[k], t) or (t is int and isinstance(r[k], bool)):
                errors.append(f"rows[{i}].{k} has type {type(r[k]).__name__}")
        if r.get("status") not in STATUSES:
            errors.append(f"rows[{i}].status {r.get('status')!r}")
        elif r["status"] == "ok" and r.get("seconds") is None:
            errors.append(f"rows[{i}] ok without seconds")
        elif r["status"] in ("capped", "skipped") and not r.get("bound_s"):
            errors.append(f"rows[{i}] {r['status']} without bound_s")
    return errors


_TIMING = re.compile(r"(?:time|用时)\s*[:：]\s*(?:read|读取)\s*([\d.]+)\s*s\s*[,，]\s*"
                     r"(?:compute|计算)\s*([\d.]+)\s*s\s*[,，]\s*(?:write|写出)\s*([\d.]+)\s*s")
_STEPS = re.compile(r"(?:time|用时)\s*[:：]\s*([\d.]+)\s*s\s*[（(](.*?)[)）]")


def parse_timing(log: str) -> dict | None:
    """read / compute / write seconds from the line a liangwei algorithm logs (qgis_io/messages.py timing_line,
    English or zh-Hans; summed over the steps of liangwei:fullcheck, which logs one per step), else the steps of
    the fullcheck summary line (``time: 12.3 s (epochs 4.0 s, lines 2.1 s)``)."""
    found = _TIMING.findall(log or "")
    if found:  # liangwei:fullcheck logs one line per step: the sums, like the CLI's totals
        return {k: sum(float(f[i]) for f in found) for i, k in enumerate(("read", "compute", "write"))}
    m = _STEPS.search(log or "")
    if m:
        parts = {}
        for part in re.split(r"[,，]\s*", m.group(2)):
            pm = re.match(r"\s*(\S+)\s+([\d.]+)\s*s\s*$", part)
            if pm:
                parts[pm.group(1)] = float(pm.group(2))
        return parts or None
    return None


def cli_split(summary: dict) -> dict | None:
    sec = summary.get("seconds") if isinstance(summary, dict) else None
    if not isinstance(sec, dict):
        return None
    out = {k: float(v) for k, v in sec.items()
           if k != "total" and isinstance(v, (int, float)) and not isinstance(v, bool)}
    return out or None


def options_in_help(text: str) -> set[str]:
    """The long options a ``--help`` text lists."""
    return set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", text or ""))


def parse_qp_output(text: str) -> tuple[dict, str]:
    """(results, log) of ``qgis_process run ... --json`` (the log flattened, QGIS 3.22 gives a dict)."""
    start = text.find("{")
    if start < 0:
        return {}, ""
    try:
        data = json.loads(text[start:])
    except json.JSONDecodeError:
        return {}, text
    log = data.get("log", "")
    if isinstance(log, dict):
        log = "\n".join(str(line) for lines in log.values() for line in (lines or []))
    elif not isinstance(log, str):
        log = ""
    return data.get("results", {}) or {}, log


# =========================================================================== measuring
@dataclass
class Run:
    """One process: wall seconds, its own peak RSS, exit status; ``timed_out`` when killed at the cap."""
    name: str
    seconds: float
    peak_mb: float
    returncode: int
    stdout: str = ""
    stderr: str = ""
    timed_out: bool = False
    results: dict = field(default_factory=dict)
    log: str = ""

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    def last_error(self) -> str:
        lines = [x for x in (self.stderr + "\n" + self.stdout).splitlines() if x.strip()]
        return (lines[-1] if lines else f"exit {self.returncode}")[:90]


def measure(name: str, cmd: list[str], timeout: float | None = None, cwd: Path | None = None) -> Run:
    """Run ``cmd`` in its own session; at ``timeout`` kill the whole group. Peak RSS from ``wait4``."""
    t0 = time.perf_counter()
    proc = _MeasuredPopen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, start_new_session=True,
                          env={**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")})
    timed_out = False
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
    except BaseException:  # Ctrl-C: do not leave a qgis_process behind
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
        raise
    seconds = time.perf_counter() - t0
    return Run(name, seconds, proc.peak_mb, proc.returncode, out.decode("utf-8", "replace"),
               err.decode("utf-8", "replace"), timed_out)


def qgis(alg: str, params: dict, timeout: float | None = None) -> Run:
    run = measure(alg, [str(WRAPPER), "run", alg, "--json", *_args(params)], timeout)
    run.results, run.log = parse_qp_output(run.stdout)
    return run


def venv_python() -> str:
    py = ROOT / ".venv" / "bin" / "python"
    return str(py) if py.exists() else sys.executable


def cli(command: str, argv: list[str], timeout: float | None = None) -> Run:
    run = measure(f"cli {command}", [venv_python(), "-m", "lincang_liangwei.cli", command, *argv, "--json", "--quiet"],
                  timeout, cwd=ROOT)
    line = next((x for x in reversed(run.stdout.splitlines()) if x.startswith("{")), "")
    try:
        run.results = json.loads(line) if line else {}
    except json.JSONDecodeError:
        run.results = {}
    run.log = "\n".join(run.results.get("log", []) or [])
    return run


def cli_has(command: str) -> str | None:
    """The ``--help`` text of ``liangwei <command>`` when the CLI has it (exit 0), else None."""
    try:
        p = subprocess.run([venv_python(), "-m", "lincang_liangwei.cli", command, "--help"], cwd=ROOT,
                           capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return None
    return p.stdout if p.returncode == 0 else None


def chain(steps, cap: float | None) -> tuple[list[Run], str]:
    """Run ``steps`` ((alg, params) pairs) one after the other, each with what is left of ``cap``.
    Returns the runs and "ok", "capped" or "failed"."""
    runs: list[Run] = []
    for alg, params in steps:
        left = None if cap is None else cap - sum(r.seconds for r in runs)
        if left is not None and left <= 0:
            return runs, "capped"
        run = qgis(alg, params, left)
        runs.append(run)
        if run.timed_out:
            return runs, "capped"
        if not run.ok:
            return runs, "failed"
    return runs, "ok"


def row_of(check: str, way: str, size: int, label: str, runs: list[Run], status: str, cap: float | None = None,
           found: str = "", split: dict | None = None, counts: dict | None = None) -> dict:
    seconds = sum(r.seconds for r in runs)
    peaks = [r.peak_mb for r in runs if not math.isnan(r.peak_mb)]
    steps = [{"name": r.name, "seconds": round(r.seconds, 3),
              "peak_mb": None if math.isnan(r.peak_mb) else round(r.peak_mb, 1),
              "returncode": r.returncode, "timed_out": r.timed_out} for r in runs]
    if status == "failed" and not found:
        found = "failed: " + runs[-1].last_error() if runs else "failed"
    return new_row(check, way, size, label, status=status, seconds=seconds, peak_mb=max(peaks) if peaks else None,
                   bound_s=cap if status == "capped" else None, split=split, found=found, steps=steps, counts=counts)


# =========================================================================== data
def generator() -> tuple[Path, str]:
    prov = ROOT / "scripts" / "make_province.py"
    if prov.exists():
        return prov, "province"
    return ROOT / "scripts" / "make_sample_city.py", "city"


def ensure_data(n: int, seed: int = 42) -> Path:
    script, prefix = generator()
    path = DATA / f"{prefix}_{n}.gpkg"
    DATA.mkdir(parents=True, exist_ok=True)
    # both generators skip the work when the file was made with the same parameters
    cmd = [venv_python(), str(script), "--buildings", str(n), "--seed", str(seed), "--out", str(path)]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    dt = time.perf_counter() - t0
    if dt > 2:
        print(f"  {prefix} {n:,} buildings: {dt:.0f} s ({path.relative_to(ROOT)})", flush=True)
    return path


def layers_of(path: Path) -> set[str]:
    from osgeo import ogr

    ds = ogr.Open(str(path))
    return {ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())}


def lyr(path: Path, name: str) -> str:
    return f"{path}|layername={name}"


def spec(path: Path, name: str) -> str:
    return f"{path}:{name}"


def sql_count(path: Path, sql: str) -> int:
    from osgeo import ogr

    ds = ogr.Open(str(path))
    res = ds.ExecuteSQL(sql)
    try:
        return int(res.GetNextFeature().GetField(0))
    finally:
        ds.ReleaseResultSet(res)


def fresh(path: Path) -> str:
    if path.exists():
        path.unlink()
    return str(path)


def _int(d: dict, key: str) -> int:
    try:
        return int(float(d.get(key, 0) or 0))
    except (TypeError, ValueError):
        return 0


# =========================================================================== the checks
@dataclass
class Ctx:
    data: Path
    tmp: Path
    size: int
    cap: NativeCap
    ways: tuple
    extras: bool = False
    fullcheck_help: str | None = None
    notes: list = field(default_factory=list)   # lines printed after the rows of a check
    on_row: object = None                       # called with every row as soon as it is measured

    def rows(self) -> list:
        """The list a bench function collects its rows in: appending reports the row at once."""
        return _Reported(self.on_row)


class _Reported(list):
    def __init__(self, on_row):
        super().__init__()
        self._on_row = on_row

    def append(self, row):
        super().append(row)
        if self._on_row is not None:
            self._on_row(row)


def _native_row(ctx: Ctx, check: str, label: str, steps_fn, found_fn, key=None, way="native") -> dict | None:
    """Run (or skip, past the cap) a native chain; ``steps_fn()`` gives its steps (after untimed preparation),
    ``found_fn()`` what it found (when it ran through)."""
    key = key or check
    bound = ctx.cap.bound(key, ctx.size)
    if bound is not None:
        n0 = ctx.cap.exceeded[key]
        return new_row(check, way, ctx.size, label, status="skipped", bound_s=bound,
                       found=f"skipped: > {ctx.cap.cap_s:.0f} s at {fmt_size(n0)}, extrapolated linearly")
    runs, status = chain(steps_fn(), ctx.cap.timeout)
    ctx.cap.record(key, ctx.size, status == "capped")
    found = f"killed at the {ctx.cap.cap_s:.0f} s cap" if status == "capped" else ""
    counts = {}
    if status == "ok":
        found, counts = found_fn()
    return row_of(check, way, ctx.size, label, runs, status, ctx.cap.cap_s, found, counts=counts)


def _ours(ctx: Ctx, check: str, label: str, run: Run, found_fn, way: str) -> dict:
    if not run.ok:
        return row_of(check, way, ctx.size, label, [run], "failed")
    found, counts = found_fn(run.results)
    split = cli_split(run.results) if way == "cli" else parse_timing(run.log)
    return row_of(check, way, ctx.size, label, [run], "ok", found=found, split=split, counts=counts)


def bench_controllines(ctx: Ctx) -> list[dict]:
    d, tmp = ctx.data, ctx.tmp
    bld = lyr(d, "buildings_2023")
    zones = {k: lyr(d, v) for k, v in ZONE_LAYERS.items()}

    def found(r):
        c = {"hit_buildings": _int(r, "N_HIT_BUILDINGS"), "pieces": _int(r, "N_HITS")}
        return f"{c['hit_buildings']:,} buildings hit, {c['pieces']:,} pieces", c

    out = ctx.rows()
    if "cli" in ctx.ways:
        argv = ["--footprints", spec(d, "buildings_2023"), "--min-area", "0",
                "--output", fresh(tmp / "cli_cl_pieces.gpkg"), "--output-buildings", fresh(tmp / "cli_cl_bld.gpkg")]
        for param, name in ZONE_LAYERS.items():
            argv += ["--" + param.lower().replace("_", "-"), spec(d, name)]
        out.append(_ours(ctx, "controllines", "liangwei controllines (pieces + every building)",
                         cli("controllines", argv), found, "cli"))
    if "qgis_process" in ctx.ways:
        run = qgis("liangwei:controllines", {"FOOTPRINTS": bld, **zones, "MIN_AREA": 0,
                                             "OUTPUT": fresh(tmp / "cl_pieces.gpkg"),
                                             "OUTPUT_BUILDINGS": fresh(tmp / "cl_buildings.gpkg")})
        out.append(_ours(ctx, "controllines", "liangwei:controllines (pieces + every building)", run, found,
                         "qgis_process"))
    if "native" in ctx.ways:
        def steps():
            return [("native:fixgeometries", {"INPUT": bld, "OUTPUT": fresh(tmp / "nat_fixed.gpkg")}),
                    ("native:mergevectorlayers", {"LAYERS": list(zones.values()), "CRS": "EPSG:4542",
                                                  "OUTPUT": fresh(tmp / "nat_zones.gpkg")}),
                    ("native:intersection", {"INPUT": str(tmp / "nat_fixed.gpkg"),
                                             "OVERLAY": str(tmp / "nat_zones.gpkg"),
                                             "OUTPUT": fresh(tmp / "nat_inter.gpkg")})]

        def nat_found():
            c = {"hit_buildings": sql_count(tmp / "nat_inter.gpkg", "SELECT COUNT(DISTINCT survey_id) FROM nat_inter"),
                 "pieces": sql_count(tmp / "nat_inter.gpkg", "SELECT COUNT(*) FROM nat_inter")}
            return f"{c['hit_buildings']:,} buildings hit, {c['pieces']:,} pieces", c

        out.append(_native_row(ctx, "controllines", "native: fixgeometries + merge + intersection", steps, nat_found))
    if ctx.extras:
        out += _controllines_extras(ctx, bld, zones, found)
    return out


def _controllines_extras(ctx: Ctx, bld: str, zones: dict, found) -> list[dict]:
    """The other contenders of the first bench (table only, not plotted)."""
    tmp, out = ctx.tmp, ctx.rows()
    run = qgis("liangwei:controllines", {"FOOTPRINTS": bld, **zones, "MIN_AREA": 0,
                                         "OUTPUT": fresh(tmp / "cl_pieces2.gpkg")})
    out.append(_ours(ctx, "controllines", "liangwei:controllines (pieces only)", run, found, "extra"))
    raw = qgis("native:intersection", {"INPUT": bld, "OVERLAY": zones["RED_LINES"],
                                       "OUTPUT": fresh(tmp / "nat_raw.gpkg")}, ctx.cap.timeout)
    status = "capped" if raw.timed_out else "ok" if raw.ok else "failed"
    out.append(row_of("controllines", "extra", ctx.size, "native:intersection on the footprints as they are", [raw],
                      status, ctx.cap.cap_s, ("fails: " + raw.last_error()) if not raw.ok else "ran through"))

    def steps():
        return [("native:calculatevectoroverlaps", {"INPUT": bld, "LAYERS": list(zones.values()),
                                                    "OUTPUT": fresh(tmp / "nat_overlaps.gpkg")})]

    def ov_found():
        from osgeo import ogr

        ds = ogr.Open(str(tmp / "nat_overlaps.gpkg"))
        defn = ds.GetLayer(0).GetLayerDefn()
        cols = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())
                if defn.GetFieldDefn(i).GetName().endswith("_area")]
        n = sql_count(tmp / "nat_overlaps.gpkg", "SELECT COUNT(*) FROM nat_overlaps WHERE "
                      + " OR ".join(f'"{c}" > 0' for c in cols)) if cols else 0
        return f"{n:,} buildings hit", {"hit_buildings": n}

    out.append(_native_row(ctx, "controllines", "native:calculatevectoroverlaps", steps, ov_found,
                           key="overlaps", way="extra"))
    return out


def bench_pipeclearance(ctx: Ctx) -> list[dict]:
    d, tmp = ctx.data, ctx.tmp
    bld = lyr(d, "buildings_2023")

    def found(r):
        c = {"breaches": _int(r, "N_BREACHES"), "breach_buildings": _int(r, "N_BREACH_BUILDINGS")}
        return f"{c['breaches']:,} breaches, {c['breach_buildings']:,} buildings", c

    out = ctx.rows()
    if "cli" in ctx.ways:
        argv = ["--footprints", spec(d, "buildings_2023"), "--pipelines", spec(d, "pipelines"),
                "--output", fresh(tmp / "cli_pc.gpkg")]
        out.append(_ours(ctx, "pipeclearance", "liangwei pipeclearance", cli("pipeclearance", argv), found, "cli"))
    if "qgis_process" in ctx.ways:
        run = qgis("liangwei:pipeclearance", {"FOOTPRINTS": bld, "PIPELINES": lyr(d, "pipelines"),
                                              "OUTPUT": fresh(tmp / "pc.gpkg")})
        out.append(_ours(ctx, "pipeclearance", "liangwei:pipeclearance", run, found, "qgis_process"))
    if "native" in ctx.ways:
        def steps():
            _pipes_with_clearance(d, tmp / "pipes_req.gpkg")  # what a native user prepares first (not timed)
            return [("native:geometrybyexpression", {"INPUT": str(tmp / "pipes_req.gpkg"), "OUTPUT_GEOMETRY": 0,
                                                     "EXPRESSION": 'buffer($geometry, "req_m")',
                                                     "OUTPUT": fresh(tmp / "nat_corridors.gpkg")}),
                    ("native:fixgeometries", {"INPUT": bld, "OUTPUT": fresh(tmp / "nat_fixed.gpkg")}),
                    ("native:intersection", {"INPUT": str(tmp / "nat_fixed.gpkg"),
                                             "OVERLAY": str(tmp / "nat_corridors.gpkg"),
                                             "OUTPUT": fresh(tmp / "nat_pc.gpkg")})]

        def nat_found():
            c = {"breaches": sql_count(tmp / "nat_pc.gpkg", "SELECT COUNT(*) FROM nat_pc"),
                 "breach_buildings": sql_count(tmp / "nat_pc.gpkg", "SELECT COUNT(DISTINCT survey_id) FROM nat_pc")}
            return f"{c['breaches']:,} pieces, {c['breach_buildings']:,} buildings", c

        out.append(_native_row(ctx, "pipeclearance", "native: buffer by clearance + fixgeometries + intersection",
                               steps, nat_found))
    return out


def _pipes_with_clearance(data: Path, path: Path):
    """The pipes with their required clearance (same rules table) in a field ``req_m``."""
    import numpy as np

    from devtools import fileio
    from lincang_liangwei.core.rules import load_rules

    fids, geoms, attrs, _ = fileio.read_layer(data, "pipelines")
    req = load_rules().pipe_clearances(attrs["kind"], attrs["pressure"], attrs["diameter_mm"]).required_m
    keep = np.isfinite(req)
    fileio.write_layer(path, "pipes_req", geoms[keep], {"req_m": req[keep]}, crs="EPSG:4542", fids=fids[keep])


def _epoch_found(r: dict) -> tuple[str, dict]:
    keys = ("N_NEW", "N_EXPANDED", "N_REBUILT", "N_SPLIT", "N_MERGED", "N_FLOORS_ADDED", "N_UNCHANGED", "N_DEMOLISHED")
    c = {k[2:].lower(): _int(r, k) for k in keys}
    return (f"new {c['new']:,}, expanded {c['expanded']:,}, rebuilt {c['rebuilt']:,}, unchanged {c['unchanged']:,}, "
            f"demolished {c['demolished']:,}"), c


def bench_compareepochs(ctx: Ctx) -> list[dict]:
    d, tmp = ctx.data, ctx.tmp
    out = ctx.rows()
    if "cli" in ctx.ways:
        argv = ["--earlier", spec(d, "buildings_2019"), "--later", spec(d, "buildings_2023"),
                "--earlier-floors-field", "floors", "--later-floors-field", "floors",
                "--output", fresh(tmp / "cli_ep.gpkg"), "--output-demolished", fresh(tmp / "cli_ep_dem.gpkg"),
                "--output-growth", fresh(tmp / "cli_ep_growth.gpkg")]
        out.append(_ours(ctx, "compareepochs", "liangwei compareepochs", cli("compareepochs", argv), _epoch_found,
                         "cli"))
    scorer = _Scorer.make(d, ctx.size)
    if "qgis_process" in ctx.ways:
        run = qgis("liangwei:compareepochs", {
            "EARLIER": lyr(d, "buildings_2019"), "LATER": lyr(d, "buildings_2023"),
            "EARLIER_FLOORS_FIELD": "floors", "LATER_FLOORS_FIELD": "floors",
            "OUTPUT": fresh(tmp / "ep.gpkg"), "OUTPUT_DEMOLISHED": fresh(tmp / "ep_dem.gpkg"),
            "OUTPUT_GROWTH": fresh(tmp / "ep_growth.gpkg")})
        row = _ours(ctx, "compareepochs", "liangwei:compareepochs", run, _epoch_found, "qgis_process")
        if scorer is not None and row["status"] == "ok":
            correct = scorer.score_ours(tmp / "ep.gpkg", tmp / "ep_dem.gpkg", ctx.notes)
            row["found"] += f"; {correct:,} of {scorer.n_truth:,} correct"
            row["counts"]["correct"] = correct
        out.append(row)
    if "native" in ctx.ways:
        def steps():
            return [("native:detectvectorchanges", {
                "ORIGINAL": lyr(d, "buildings_2019"), "REVISED": lyr(d, "buildings_2023"), "MATCH_TYPE": 1,
                "UNCHANGED": fresh(tmp / "nat_unchanged.gpkg"), "ADDED": fresh(tmp / "nat_added.gpkg"),
                "DELETED": fresh(tmp / "nat_deleted.gpkg")})]

        def nat_found():
            c = {k: sql_count(tmp / f"nat_{k}.gpkg", f"SELECT COUNT(*) FROM nat_{k}")
                 for k in ("unchanged", "added", "deleted")}
            text = f"unchanged {c['unchanged']:,}, added {c['added']:,}, deleted {c['deleted']:,}"
            if scorer is not None:
                c["correct"] = scorer.score_native(tmp)
                text += f"; {c['correct']:,} of {scorer.n_truth:,} correct"
            return text, c

        out.append(_native_row(ctx, "compareepochs", "native:detectvectorchanges", steps, nat_found))
    return out


EPOCH_CLASSES = ["unchanged", "new", ("expanded", "expanded+floors_added"), "expanded", "floors_added",
                 "expanded+floors_added", "rebuilt", "split", "merged"]


def precision_recall(got: dict, truth: dict, classes) -> list[str]:
    """Per-class precision / recall lines; ``got`` / ``truth``: key -> class."""
    lines = [f"  {'class':24s} {'precision':>9s} {'recall':>7s} {'truth':>8s}"]
    for c in classes:
        members = (c,) if isinstance(c, str) else c
        name = c if isinstance(c, str) else f"{members[0]} (any)"
        t = {k for k, v in truth.items() if v in members}
        g = {k for k, v in got.items() if v in members}
        both = len(t & g)
        p = both / len(g) if g else float("nan")
        r = both / len(t) if t else float("nan")
        lines.append(f"  {name:24s} {p:9.4f} {r:7.4f} {len(t):8,}")
    return lines


class _Scorer:
    """The generator's truth (sample city: truth_later / truth_earlier), keyed by survey_id."""

    @classmethod
    def make(cls, data: Path, size: int):
        if size > SCORE_MAX or not {"truth_later", "truth_earlier"} <= layers_of(data):
            return None
        return cls(data)

    def __init__(self, data: Path):
        from devtools import fileio

        t_later = fileio.read_table(data, "truth_later")
        t_early = fileio.read_table(data, "truth_earlier")
        later_sid = fileio.read_layer(data, "buildings_2023")[2]["survey_id"].to_numpy()
        self.early_sid = fileio.read_layer(data, "buildings_2019")[2]["survey_id"].to_numpy()
        usable = t_later["geom_status"].isin(["ok", "invalid", "z"]).to_numpy()
        self.truth = {later_sid[f - 1]: c for f, c, u in zip(t_later["fid"], t_later["change"], usable) if u}
        # a building whose successor has a null/empty geometry cannot be told from a demolished one
        self.lost = {int(p) for f, ps, u in zip(t_later["fid"], t_later["prev_fids"], usable) if not u
                     for p in str(ps).split(";") if p}
        self.dem_truth = {self.early_sid[f - 1] for f, dm in zip(t_early["fid"], t_early["demolished"])
                          if dm and f not in self.lost}
        self.n_truth = len(self.truth) + len(self.dem_truth)

    def score_ours(self, later: Path, demolished: Path, notes: list) -> int:
        """Correctly classified buildings of our output; precision / recall per class into ``notes``."""
        from devtools import fileio

        got_later = fileio.read_layer(later, later.stem)[2]
        got = {sid: c for sid, c in zip(got_later["survey_id"], got_later["change"]) if sid in self.truth}
        dem = set(fileio.read_layer(demolished, demolished.stem)[2]["survey_id"])
        dem -= {self.early_sid[p - 1] for p in self.lost}
        notes.append("  liangwei:compareepochs against the generator's truth (qgis_process output):")
        notes += precision_recall(got, self.truth, EPOCH_CLASSES)
        both = len(dem & self.dem_truth)
        p = both / len(dem) if dem else float("nan")
        r = both / len(self.dem_truth) if self.dem_truth else float("nan")
        notes.append(f"  {'demolished':24s} {p:9.4f} {r:7.4f} {len(self.dem_truth):8,}")
        flagged = sum(1 for k, v in self.truth.items() if v == "unchanged" and got.get(k) != "unchanged")
        n_unch = sum(1 for v in self.truth.values() if v == "unchanged")
        notes.append(f"  unchanged flagged as changed: {flagged:,} of {n_unch:,} "
                     f"({100 * flagged / max(n_unch, 1):.3f} %)")
        return sum(got.get(k) == v for k, v in self.truth.items()) + both

    def score_native(self, tmp: Path) -> int:
        from devtools import fileio

        ids = {k: fileio.read_layer(tmp / f"nat_{k}.gpkg", f"nat_{k}")[2]["survey_id"]
               for k in ("unchanged", "added", "deleted")}
        return (sum(self.truth.get(s) == "unchanged" for s in ids["unchanged"])
                + sum(self.truth.get(s) == "new" for s in ids["added"]) + len(set(ids["deleted"]) & self.dem_truth))


FULLCHECK_CLI = (("--earlier", "buildings_2019"), ("--later", "buildings_2023"), ("--red-lines", "red_lines"),
                 ("--blue-lines", "blue_lines"), ("--green-lines", "green_lines"), ("--yellow-lines", "yellow_lines"),
                 ("--purple-lines", "purple_lines"), ("--water-source", "water_source"), ("--pipelines", "pipelines"),
                 ("--compounds", "compounds"), ("--districts", "districts"), ("--permits", "permits"))


def fullcheck_argv(help_text: str, data: Path, folder: Path) -> list[str] | None:
    """``liangwei fullcheck`` arguments for the options its ``--help`` lists; None without an output option."""
    have = options_in_help(help_text)
    out_opt = next((o for o in ("--output-folder", "--output-dir", "--out", "--output") if o in have), None)
    if out_opt is None:
        return None
    argv = []
    for opt, layer in FULLCHECK_CLI:
        if opt in have:
            argv += [opt, spec(data, layer)]
    for opt, value in (("--earlier-floors-field", "floors"), ("--later-floors-field", "floors"),
                       ("--run-date", "2024-03-01")):
        if opt in have:
            argv += [opt, value]
    return argv + [out_opt, str(folder)]


def _fullcheck_found(r: dict) -> tuple[str, dict]:
    keys = ("N_CASES", "N_DEMOLISH", "N_RECTIFY", "N_TEMP_EXPIRED", "N_VERIFY", "N_LEGACY")
    c = {k[2:].lower(): _int(r, k) for k in keys}
    return (f"{c['cases']:,} cases: 拆除候选 {c['demolish']:,}, 限期整改 {c['rectify']:,}, "
            f"超期临时 {c['temp_expired']:,}, 待核查 {c['verify']:,}, 历史存量 {c['legacy']:,}"), c


def bench_fullcheck(ctx: Ctx) -> list[dict]:
    """Every check and the register in one run (no native equivalent)."""
    d, tmp = ctx.data, ctx.tmp
    out = ctx.rows()
    if "cli" in ctx.ways and ctx.fullcheck_help:
        folder = tmp / "cli_fullcheck"
        shutil.rmtree(folder, ignore_errors=True)  # a register left there would be merged into
        argv = fullcheck_argv(ctx.fullcheck_help, d, folder)
        if argv is not None:
            out.append(_ours(ctx, "fullcheck", "liangwei fullcheck", cli("fullcheck", argv), _fullcheck_found, "cli"))
    if "qgis_process" in ctx.ways:
        folder = tmp / "fullcheck"
        shutil.rmtree(folder, ignore_errors=True)
        run = qgis("liangwei:fullcheck", {
            "EARLIER": lyr(d, "buildings_2019"), "LATER": lyr(d, "buildings_2023"),
            **{k: lyr(d, v) for k, v in ZONE_LAYERS.items()},
            "PIPELINES": lyr(d, "pipelines"), "COMPOUNDS": lyr(d, "compounds"), "DISTRICTS": lyr(d, "districts"),
            "PERMITS": lyr(d, "permits"), "EARLIER_FLOORS_FIELD": "floors", "LATER_FLOORS_FIELD": "floors",
            "RUN_DATE": "2024-03-01", "OUTPUT_FOLDER": str(folder)})
        out.append(_ours(ctx, "fullcheck", "liangwei:fullcheck (3 checks + register + XLSX/CSV)", run,
                         _fullcheck_found, "qgis_process"))
    return out


BENCHES = {"controllines": bench_controllines, "pipeclearance": bench_pipeclearance,
           "compareepochs": bench_compareepochs, "fullcheck": bench_fullcheck}


# =========================================================================== machine, output
def _first_line(cmd: list[str]) -> str:
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=ROOT)
        return (p.stdout.strip().splitlines() or [""])[0]
    except (OSError, subprocess.TimeoutExpired):
        return ""


def machine_info() -> dict:
    info = {"cores": os.cpu_count(), "ram_gb": None, "cpu": platform.processor() or "", "qgis": "", "gdal": "",
            "python": platform.python_version(), "platform": platform.platform(),
            "date": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "load_avg_start": [round(x, 2) for x in os.getloadavg()]}
    try:
        mem = Path("/proc/meminfo").read_text()
        info["ram_gb"] = round(int(re.search(r"MemTotal:\s+(\d+)", mem).group(1)) / 1024 ** 2, 1)
        cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        info["cpu"] = cpu.group(1).strip() if cpu else info["cpu"]
    except (OSError, AttributeError):
        pass
    py = venv_python()
    info["qgis"] = _first_line([py, "-c", "from qgis.core import Qgis; print(Qgis.QGIS_VERSION)"])
    info["gdal"] = _first_line([py, "-c", "from osgeo import gdal; print(gdal.__version__)"])
    info["shapely_geos"] = _first_line([py, "-c", "import shapely; print(shapely.__version__, "
                                        "shapely.geos_version_string)"])
    info["numpy"] = _first_line([py, "-c", "import numpy; print(numpy.__version__)"])
    return info


def write_results(path: Path, rows: list[dict], machine: dict, params: dict) -> dict:
    doc = results_doc(rows, machine, params)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.part")
    tmp.write_text(json.dumps(doc, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)
    return doc


def progress_line(r: dict) -> str:
    return (f"  {r['check']:14s} {r['way']:13s} {fmt_wall(r, ' s'):>14s} {_num(r['peak_mb'], '.0f'):>7s} MB  "
            f"{_result(r)}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", nargs="+", type=int, default=None,
                    help="footprints per epoch (default 10000 100000 1000000, + 10000000 with BENCH_BIG=1)")
    ap.add_argument("--checks", default=",".join(CHECKS), help=f"comma-separated, of {', '.join(CHECKS)}")
    ap.add_argument("--ways", default=",".join(WAYS), help=f"comma-separated, of {', '.join(WAYS)}")
    ap.add_argument("--native-cap", type=float, default=default_cap(),
                    help="seconds before a native chain is killed (env BENCH_NATIVE_CAP, default 600; 0: no cap)")
    ap.add_argument("--extras", action="store_true", help="also the other contenders of the first bench "
                    "(pieces only, native:intersection on raw footprints, native:calculatevectoroverlaps)")
    ap.add_argument("--out", type=Path, default=OUT, help="folder of results.json and scaling.png (default out/bench)")
    ap.add_argument("--json", type=Path, help="results file (default <out>/results.json)")
    ap.add_argument("--keep", action="store_true", help="keep the outputs of every run (<out>/work/<size>)")
    ap.add_argument("--merge", nargs="+", type=Path, default=[],
                    help="start from the rows of these results files (a row of this run replaces the same check, "
                         "way, size and contender); without --sizes nothing is run: the merged table, results file "
                         "and plot are written (e.g. the 10^7 rows of a separate BENCH_BIG run)")
    args = ap.parse_args(argv)
    try:
        checks = parse_checks(args.checks)
    except ValueError as exc:
        ap.error(str(exc))
    ways = tuple(w.strip() for w in args.ways.split(",") if w.strip())
    if set(ways) - set(WAYS):
        ap.error(f"--ways: choose from {', '.join(WAYS)}")
    sizes = sorted(set(args.sizes or ([] if args.merge else default_sizes())))
    results = args.json or args.out / "results.json"
    cap = NativeCap(args.native_cap)
    fullcheck_help = cli_has("fullcheck") if "fullcheck" in checks and "cli" in ways else None
    if "fullcheck" in checks and "cli" in ways and fullcheck_help is None:
        print("liangwei fullcheck: not in the command line yet (python -m lincang_liangwei.cli fullcheck --help "
              "fails): only qgis_process")
    machine = machine_info()
    script, kind = generator()
    params = {"sizes": sizes, "checks": checks, "ways": list(ways), "native_cap_s": cap.cap_s,
              "data": f"{script.relative_to(ROOT)} --seed 42", "ref_size": REF_SIZE}
    print(f"machine: {machine['cores']} cores, {machine['ram_gb']} GB, QGIS {machine['qgis']}, GDAL {machine['gdal']}; "
          f"load {machine['load_avg_start']}; native cap {cap.cap_s or 'none'} s; data: {kind}")
    rows: list[dict] = merged_rows(args.merge)
    for n in sizes:
        print(f"\n#### {n:,} footprints per epoch", flush=True)
        data = ensure_data(n)
        tmp = args.out / "work" / str(n)
        tmp.mkdir(parents=True, exist_ok=True)
        def report(r):
            rows[:] = [x for x in rows if _key(x) != _key(r)]
            rows.append(r)
            print(progress_line(r), flush=True)
            write_results(results, rows, machine, params)

        ctx = Ctx(data, tmp, n, cap, ways, args.extras, fullcheck_help, on_row=report)
        for check in checks:
            BENCHES[check](ctx)
            for line in ctx.notes:
                print(line)
            ctx.notes.clear()
            _compare_ways(rows, check, n)
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    if not args.keep and (args.out / "work").is_dir() and not any((args.out / "work").iterdir()):
        (args.out / "work").rmdir()
    doc = write_results(results, rows, machine, params)
    print()
    for check in checks:
        table = format_table(check, [r for r in doc["rows"] if r["way"] in WAYS or args.extras])
        if table:
            print(table + "\n")
    for line in summary_lines(doc["rows"]):
        print(line)
    from plot import plot

    png = plot(doc, args.out / "scaling.png")
    print(f"\n{results.relative_to(ROOT) if results.is_relative_to(ROOT) else results}, "
          f"{png.relative_to(ROOT) if png.is_relative_to(ROOT) else png}")
    return 0


def _key(row: dict) -> tuple:
    return row["check"], row["way"], row["size"], row.get("label")


def merged_rows(paths) -> list[dict]:
    """The rows of earlier results files, later files winning for the same check, way, size and contender."""
    out: dict = {}
    for p in paths:
        doc = json.loads(Path(p).read_text(encoding="utf-8"))
        for r in doc.get("rows", []):
            out[_key(r)] = r
    return list(out.values())


def _compare_ways(rows: list[dict], check: str, size: int):
    """Warn when the CLI and qgis_process found different counts (they should agree)."""
    got = {r["way"]: r["counts"] for r in rows if r["check"] == check and r["size"] == size
           and r["way"] in ("cli", "qgis_process") and r["status"] == "ok"}
    if len(got) == 2:
        a, b = got["cli"], got["qgis_process"]
        diff = {k: (a[k], b[k]) for k in set(a) & set(b) if a[k] != b[k]}
        if diff:
            print(f"  NOTE {check}: cli and qgis_process differ: {diff}")


if __name__ == "__main__":
    sys.exit(main())
