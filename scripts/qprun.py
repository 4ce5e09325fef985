"""Run ``qgis_process`` (through scripts/qgis_process.sh) and measure it.

Used by the demo and the benchmark: one place that knows how to pass
parameters, parse the JSON answer, time the run and read the child's peak
memory (``os.wait4`` rusage, so the number is that process's own maximum RSS).
"""
from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WRAPPER = ROOT / "scripts" / "qgis_process.sh"


@dataclass
class QpResult:
    alg: str
    seconds: float
    peak_mb: float
    returncode: int
    results: dict = field(default_factory=dict)
    log: str = ""
    stderr: str = ""

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def _args(params: dict) -> list[str]:
    out = []
    for key, value in params.items():
        if value is None:
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        for v in values:
            if isinstance(v, bool):
                v = "true" if v else "false"
            out.append(f"--{key}={v}")
    return out


class _MeasuredPopen(subprocess.Popen):
    """Popen that reaps the child with ``wait4`` to keep its own peak RSS.

    scripts/qgis_process.sh ends in ``exec``, so the child *is* qgis_process.
    """

    peak_mb = float("nan")

    def _try_wait(self, wait_flags):
        try:
            pid, sts, usage = os.wait4(self.pid, wait_flags)
        except ChildProcessError:
            return self.pid, 0
        if pid == self.pid:
            self.peak_mb = usage.ru_maxrss / 1024.0  # ru_maxrss is in KiB on Linux
        return pid, sts


def run_alg(alg: str, params: dict, *, check: bool = True, env: dict | None = None) -> QpResult:
    """``qgis_process run alg --json`` with ``params``: results, seconds, peak memory."""
    cmd = [str(WRAPPER), "run", alg, "--json", *_args(params)]
    t0 = time.perf_counter()
    proc = _MeasuredPopen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env={**os.environ, **(env or {})})
    out, err = proc.communicate()
    seconds = time.perf_counter() - t0
    text = out.decode("utf-8", "replace")
    results, log = {}, ""
    start = text.find("{")
    if start >= 0:
        try:
            data = json.loads(text[start:])
            results = data.get("results", {}) or {}
            log = data.get("log", "")
            if isinstance(log, dict):  # QGIS 3.22: {"info": [...], "warning": [...], ...}
                log = "\n".join(str(line) for lines in log.values() for line in (lines or []))
            elif not isinstance(log, str):
                log = ""
        except json.JSONDecodeError:
            log = text
    res = QpResult(alg, seconds, proc.peak_mb, proc.returncode, results, log, err.decode("utf-8", "replace"))
    if check and not res.ok:
        raise RuntimeError(f"{alg} failed (exit {proc.returncode}):\n{res.stderr[-3000:]}\n{text[-3000:]}")
    return res
