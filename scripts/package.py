"""Build the installable plugin zip: one folder lincang_liangwei/, LICENSE, no caches.

QGIS's "Install from ZIP" and the plugin repository both expect exactly one
top-level folder named like the plugin.  Version comes from metadata.txt (the
single source of name and version).
"""
from __future__ import annotations

import argparse
import configparser
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = ROOT / "lincang_liangwei"
SKIP_DIRS = {"__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis"}
SKIP_SUFFIXES = {".pyc", ".pyo", ".ts"}


def plugin_files():
    tracked = subprocess.run(["git", "ls-files", "-z", "lincang_liangwei"], cwd=ROOT, capture_output=True)
    names = [n for n in tracked.stdout.decode().split("\0") if n] if tracked.returncode == 0 else []
    paths = [ROOT / n for n in names] if names else [p for p in PLUGIN.rglob("*") if p.is_file()]
    for path in sorted(paths):
        rel = path.relative_to(ROOT)
        if any(part in SKIP_DIRS for part in rel.parts) or path.suffix in SKIP_SUFFIXES or not path.is_file():
            continue
        yield path, rel
    # compiled translations are built files, not tracked
    for qm in sorted((PLUGIN / "i18n").glob("*.qm")):
        yield qm, qm.relative_to(ROOT)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default="dist")
    args = ap.parse_args(argv)
    meta = configparser.ConfigParser()
    meta.read(PLUGIN / "metadata.txt", encoding="utf-8")
    version = meta["general"]["version"]
    out_dir = Path(args.out) if Path(args.out).is_absolute() else ROOT / args.out
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"lincang_liangwei-{version}.zip"
    partial = target.with_suffix(".zip.partial")
    seen = set()
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, rel in plugin_files():
            if rel in seen:
                continue
            seen.add(rel)
            zf.write(path, rel.as_posix())
        if Path("lincang_liangwei/LICENSE") not in seen:
            zf.write(ROOT / "LICENSE", "lincang_liangwei/LICENSE")
    partial.replace(target)
    with zipfile.ZipFile(target) as zf:
        names = zf.namelist()
    tops = {n.split("/")[0] for n in names}
    assert tops == {"lincang_liangwei"}, tops
    print(f"{target}: {len(names)} files, {target.stat().st_size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
