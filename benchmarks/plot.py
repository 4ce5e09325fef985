"""Plot the scaling of ``make bench`` from its results file alone.

    python benchmarks/plot.py out/bench/results.json [--out out/bench/scaling.png]

Two log-log panels against the number of footprints: wall time and peak memory, one line per check
(colour) and way (line style: cli solid, qgis_process dashed, native dotted).  A native chain killed at
the cap or skipped past it is drawn with hollow markers at its lower bound, with an arrow up, and the
cap as a grey line.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

COLOURS = {"controllines": "#d62728", "pipeclearance": "#1f77b4", "compareepochs": "#2ca02c",
           "fullcheck": "#9467bd"}
STYLES = {"cli": ("-", "o"), "qgis_process": ("--", "s"), "native": (":", "^")}
WAY_ORDER = ("cli", "qgis_process", "native")


def series(rows: list[dict], metric: str) -> dict:
    """(check, way) -> sorted [(size, value, is_bound)] of ``metric`` ("time" or "peak_mb"); rows of other ways
    (extra) and failed runs left out.  Time of a capped / skipped run: its bound (is_bound True)."""
    out: dict = {}
    for r in rows:
        if r.get("way") not in STYLES or r.get("status") == "failed":
            continue
        bound = r["status"] in ("capped", "skipped")
        if metric == "time":
            value = r.get("bound_s") if bound else r.get("seconds")
        else:
            value = r.get("peak_mb")
        if value is None or value <= 0:
            continue
        out.setdefault((r["check"], r["way"]), []).append((int(r["size"]), float(value), bound))
    checks = list(COLOURS)

    def order(key):
        check, way = key
        return (checks.index(check) if check in checks else len(checks), check, WAY_ORDER.index(way))

    return {k: sorted(out[k]) for k in sorted(out, key=order)}


def _cap_in_view(rows: list[dict], cap: float) -> bool:
    """Draw the cap line only when a native chain came near it (else it squashes the curves)."""
    return any(r.get("way") == "native" and (r.get("status") in ("capped", "skipped")
                                            or (r.get("seconds") or 0) >= cap / 4) for r in rows)


def plot(doc: dict, png: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = doc.get("rows", [])
    png = Path(png)
    png.parent.mkdir(parents=True, exist_ok=True)
    fig, axes = plt.subplots(1, 2, figsize=(14.5, 5.6), constrained_layout=True)
    cap = (doc.get("params") or {}).get("native_cap_s")
    for ax, metric, ylabel in ((axes[0], "time", "wall time (s)"), (axes[1], "peak_mb", "peak memory (MB)")):
        for (check, way), pts in series(rows, metric).items():
            ls, marker = STYLES[way]
            colour = COLOURS.get(check, "#555555")
            xs, ys = [p[0] for p in pts], [p[1] for p in pts]
            ax.plot(xs, ys, ls=ls, color=colour, lw=1.6, alpha=0.9, label=f"{check} · {way}")
            solid = [p for p in pts if not p[2]]
            hollow = [p for p in pts if p[2]]
            ax.scatter([p[0] for p in solid], [p[1] for p in solid], marker=marker, color=colour, s=34, zorder=3)
            if hollow:
                ax.scatter([p[0] for p in hollow], [p[1] for p in hollow], marker=marker, facecolors="white",
                           edgecolors=colour, s=40, zorder=3)
                if metric == "time":
                    for x, y, _ in hollow:
                        ax.annotate("", xy=(x, y * 1.6), xytext=(x, y * 1.08),
                                    arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 1.2,
                                                "mutation_scale": 11})
                        ax.plot([x], [y * 1.7], alpha=0)  # room for the arrow
        if metric == "time" and cap and _cap_in_view(rows, cap):
            ax.axhline(cap, color="grey", lw=0.8, ls="-.")
            ax.text(0.99, cap * 1.08, f"native cap {cap:.0f} s", color="grey", fontsize=8, ha="right",
                    transform=ax.get_yaxis_transform())
        ax.set_xscale("log")
        ax.set_yscale("log")
        _ticks(ax, sorted({int(r["size"]) for r in rows}), "s" if metric == "time" else "")
        ax.set_xlabel("footprints per epoch")
        ax.set_ylabel(ylabel)
        ax.grid(True, which="major", alpha=0.35)
        ax.grid(True, which="minor", alpha=0.12)
    handles, labels = axes[0].get_legend_handles_labels()
    if handles:  # outside, right of the memory panel: the lines of a real run climb into every corner
        axes[1].legend(handles, labels, fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0,
                       title="check · way", title_fontsize=8)
    m = doc.get("machine") or {}
    title = (f"lincang_liangwei scaling — {m.get('cores', '?')} cores, {m.get('ram_gb', '?')} GB, "
             f"QGIS {m.get('qgis', '?')}, GDAL {m.get('gdal', '?')}, {str(m.get('date', ''))[:10]}")
    if cap:
        title += f"; native cap {cap:.0f} s (hollow ↑: killed at / skipped past the cap, a lower bound)"
    fig.suptitle(title, fontsize=10)
    fig.savefig(png, dpi=110)
    plt.close(fig)
    return png


def human(value: float, unit: str = "") -> str:
    """1.5 -> "1.5", 20000 -> "20k", 1e6 -> "1M" (tick labels)."""
    for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= div:
            return f"{value / div:g}{suffix}{unit}"
    return f"{value:.3g}{unit}"


def _ticks(ax, sizes: list[int], unit: str):
    """Sizes as the x ticks; y ticks in plain numbers, the 2 and 5 between the decades labelled when the axis
    spans less than two decades."""
    import math

    from matplotlib import ticker

    if sizes:
        ax.xaxis.set_major_locator(ticker.FixedLocator(sizes))
        ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _p: human(v)))
        ax.xaxis.set_minor_formatter(ticker.NullFormatter())
        lo, hi = min(sizes), max(sizes)
        if lo == hi:
            ax.set_xlim(lo / 2, hi * 2)
        else:
            ax.set_xlim(lo / 1.4, hi * 1.4)
    lo, hi = ax.get_ylim()
    narrow = lo > 0 and math.log10(hi / lo) < 2
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _p: human(v, unit)))
    if narrow:
        ax.yaxis.set_minor_locator(ticker.LogLocator(subs=(2.0, 5.0)))
        ax.yaxis.set_minor_formatter(ticker.FuncFormatter(lambda v, _p: human(v, unit)))
    else:
        ax.yaxis.set_minor_formatter(ticker.NullFormatter())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results", type=Path, help="results.json written by benchmarks/run.py")
    ap.add_argument("--out", type=Path, help="PNG (default: scaling.png next to the results file)")
    a = ap.parse_args(argv)
    doc = json.loads(a.results.read_text(encoding="utf-8"))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    try:
        from run import validate_doc
    except ImportError:  # plotting needs only the file
        validate_doc = None
    problems = validate_doc(doc) if validate_doc else []
    if problems:
        print(f"{a.results}: not a results file of benchmarks/run.py: " + "; ".join(problems[:5]), file=sys.stderr)
        return 2
    png = plot(doc, a.out or a.results.with_name("scaling.png"))
    print(png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
