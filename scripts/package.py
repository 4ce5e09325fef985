"""Build the installable plugin zip and run the plugin repository's checks on it.

QGIS's "Install from ZIP" and the plugin repository both expect exactly one top-level folder named like the
plugin.  Name and version come from ``lincang_liangwei/metadata.txt``; the maintainer's e-mail and the
project's addresses (repository, tracker, homepage) from ONE setting, ``scripts/release.toml`` ``[maintainer]``;
``changelog=`` from ``lincang_liangwei/CHANGELOG.md``.  All are stamped into the zip's metadata.txt.
``docs/rules.md`` (the rules-file guide the help and the messages point to) ships as
``lincang_liangwei/docs/rules.md``.

Checks on the finished zip (what plugins.qgis.org's validator rejects, and more):

* one top folder; ``LICENSE``; no ``__pycache__`` / ``.pyc``;
* metadata complete (name, qgisMinimumVersion, description, about, version, author, email, repository, tracker,
  homepage, changelog, tags, icon) with no placeholder value (empty, example.invalid/.com, *.local, noreply...);
  the icon exists; the version has a CHANGELOG entry;
* ``resources.qrc`` parses the way pyrcc5/rcc read it (no comment inside ``<RCC>``: pyrcc5 then reports "No
  resources"), lists every icon, and every file it lists is in the zip; checked with ``pyrcc5`` too when installed.
  (It is for Qt Designer forms only: the plugin loads icons from the files at run time; PyQt6 has no pyrcc.)
* the help page of the Help button and ``docs/rules.md`` are inside.

Exit status 1 with the list of problems; placeholders in ``release.toml`` are named so the maintainer knows what
to fill in.  ``--allow-placeholders`` (``make package-dev``) builds a zip for local testing anyway.
"""
from __future__ import annotations

import argparse
import configparser
import io
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = ROOT / "lincang_liangwei"
RELEASE = ROOT / "scripts" / "release.toml"
NAME = "lincang_liangwei"
SKIP_DIRS = {"__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis"}
SKIP_SUFFIXES = {".pyc", ".pyo", ".ts"}
REQUIRED = ("name", "qgisMinimumVersion", "description", "about", "version", "author", "email", "repository",
            "tracker", "homepage", "changelog", "tags", "icon")
MAINTAINER_KEYS = ("author", "email", "repository", "tracker", "homepage")
URL_KEYS = ("repository", "tracker", "homepage")
EXTRA_FILES = {ROOT / "docs" / "rules.md": f"{NAME}/docs/rules.md"}
NEEDED_IN_ZIP = ("metadata.txt", "LICENSE", "__init__.py", "help/en/index.html", "help/zh-Hans/index.html", "docs/rules.md", "CHANGELOG.md")
_PLACEHOLDER = re.compile(r"example\.(invalid|com|org|net)|\.invalid\b|\.local\b|\.localhost\b|localhost|noreply|"
                          r"no-reply|todo|fixme|changeme|change_me|placeholder|your[-_ ]?(name|email|repo)|<[^>]*>|"
                          r"^x+@|@x+\.", re.IGNORECASE)


# --------------------------------------------------------------------------- inputs
def plugin_files():
    """Tracked files and new files not yet committed (not ignored) of the plugin folder, minus caches."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", NAME], cwd=ROOT,
                            capture_output=True)
    names = [n for n in listed.stdout.decode().split("\0") if n] if listed.returncode == 0 else []
    paths = [ROOT / n for n in names] if names else [p for p in PLUGIN.rglob("*") if p.is_file()]
    for path in sorted(set(paths)):
        rel = path.relative_to(ROOT)
        if any(part in SKIP_DIRS for part in rel.parts) or path.suffix in SKIP_SUFFIXES or not path.is_file():
            continue
        yield path, rel
    # compiled translations are built files, not tracked
    for qm in sorted((PLUGIN / "i18n").glob("*.qm")):
        yield qm, qm.relative_to(ROOT)


def read_release(path: Path = RELEASE) -> dict:
    """The ``[maintainer]`` block; tracker / homepage default to the repository's issues / the repository."""
    try:
        import tomllib
    except ImportError:  # pragma: no cover - Python < 3.11
        import tomli as tomllib
    data = tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    m = {k: str(v).strip() for k, v in (data.get("maintainer") or {}).items()}
    repo = m.get("repository", "").rstrip("/")
    if not m.get("tracker") and repo:
        m["tracker"] = repo + "/issues"
    if not m.get("homepage") and repo:
        m["homepage"] = repo
    return {k: m.get(k, "") for k in MAINTAINER_KEYS}


def changelog_text(version: str) -> str:
    """CHANGELOG.md as metadata's multi-line ``changelog=``: "version" lines then "- item" lines."""
    path = PLUGIN / "CHANGELOG.md"
    if not path.is_file():
        return ""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            out.append(line[3:].strip())
        elif line.strip().startswith("- "):
            out.append(line.strip())
        elif line.startswith("  ") and out and out[-1].startswith("- "):
            out[-1] += " " + line.strip()
    return "\n".join(out)


def stamped_metadata(maintainer: dict) -> str:
    """metadata.txt with the maintainer's keys and the changelog set (keys kept in the file's order)."""
    meta = configparser.ConfigParser(interpolation=None)
    meta.optionxform = str
    meta.read(PLUGIN / "metadata.txt", encoding="utf-8")
    general = meta["general"]
    for key, value in maintainer.items():
        general[key] = value
    general["changelog"] = changelog_text(general.get("version", ""))
    buf = io.StringIO()
    meta.write(buf)
    return buf.getvalue()


# --------------------------------------------------------------------------- checks
def placeholder_keys(general) -> list:
    """Metadata keys whose value is missing or a placeholder."""
    bad = []
    for key in REQUIRED:
        value = (general.get(key) or "").strip()
        if not value or (key in MAINTAINER_KEYS and _PLACEHOLDER.search(value)):
            bad.append(key)
        elif key in URL_KEYS and not re.match(r"^https?://[^/\s]+\.[^/\s]+", value):
            bad.append(key)
        elif key == "email" and not re.match(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$", value):
            bad.append(key)
    return bad


def check_qrc(text: str, names: set, prefix: str = f"{NAME}/") -> list:
    """Problems of resources.qrc (text) against the zip's file names."""
    problems = []
    try:
        root = ET.fromstring(text, parser=ET.XMLParser(target=ET.TreeBuilder(insert_comments=True)))
    except ET.ParseError as exc:
        return [f"resources.qrc does not parse: {exc}"]
    if root.tag != "RCC":
        return ["resources.qrc: the root element is not <RCC>"]
    if any(child.tag is ET.Comment for child in root.iter()):
        problems.append("resources.qrc: a comment inside <RCC> (pyrcc5 then reports 'No resources')")
    listed = [f.text.strip() for f in root.iter("file") if f.text]
    if not listed:
        problems.append("resources.qrc lists no files")
    for f in listed:
        if prefix + f not in names:
            problems.append(f"resources.qrc lists {f}, which is not in the zip")
    icons = sorted(n[len(prefix):] for n in names if n.startswith(prefix + "icons/") and n.endswith(".svg"))
    missing = [i for i in icons if i not in listed]
    if missing:
        problems.append(f"resources.qrc does not list the icons {', '.join(missing)}")
    return problems


def _resource_compiler():
    """pyrcc5 or rcc, only if it really runs (Debian 13's qtchooser shim answers 'could not exec …/rcc' when
    no Qt 5 rcc is installed behind it)."""
    for name in ("pyrcc5", "rcc"):
        exe = shutil.which(name)
        if exe is None:
            continue
        with tempfile.TemporaryDirectory() as tmp:  # pyrcc5 -version exits 1: compile a tiny .qrc instead
            qrc = Path(tmp) / "probe.qrc"
            (Path(tmp) / "probe.txt").write_text("probe", encoding="utf-8")
            qrc.write_text("<RCC><qresource prefix='/'><file>probe.txt</file></qresource></RCC>", encoding="utf-8")
            try:
                probe = subprocess.run([exe, str(qrc), "-o", str(Path(tmp) / "probe.out")], capture_output=True,
                                       text=True, timeout=60)
            except (OSError, subprocess.TimeoutExpired):
                continue
        if probe.returncode == 0 and "could not exec" not in probe.stdout + probe.stderr:
            return exe
    return None


def run_pyrcc(zip_path: Path) -> list:
    exe = _resource_compiler()
    if exe is None:
        return []
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(zip_path) as zf:
        zf.extractall(tmp)
        qrc = Path(tmp) / NAME / "resources.qrc"
        if not qrc.is_file():
            return []
        proc = subprocess.run([exe, str(qrc), "-o", str(Path(tmp) / "out.py")], capture_output=True, text=True,
                              cwd=qrc.parent)
        text = (proc.stdout + proc.stderr).strip()
        if proc.returncode != 0 or "No resources" in text:
            return [f"{Path(exe).name} rejects resources.qrc: {text or proc.returncode}"]
    return []


def check_zip(zip_path: Path, pyrcc: bool = True):
    """(problems, placeholder keys) of a built zip."""
    problems = []
    with zipfile.ZipFile(zip_path) as zf:
        names = set(zf.namelist())
        meta_text = zf.read(f"{NAME}/metadata.txt").decode("utf-8") if f"{NAME}/metadata.txt" in names else ""
        qrc = zf.read(f"{NAME}/resources.qrc").decode("utf-8") if f"{NAME}/resources.qrc" in names else None
        changelog = zf.read(f"{NAME}/CHANGELOG.md").decode("utf-8") if f"{NAME}/CHANGELOG.md" in names else ""
    tops = {n.split("/")[0] for n in names}
    if tops != {NAME}:
        problems.append(f"the zip must hold one folder {NAME}/, not {sorted(tops)}")
    for needed in NEEDED_IN_ZIP:
        if f"{NAME}/{needed}" not in names:
            problems.append(f"{needed} is missing from the zip")
    caches = sorted(n for n in names if "__pycache__" in n or n.endswith((".pyc", ".pyo")))
    if caches:
        problems.append(f"caches in the zip: {', '.join(caches[:5])}")
    meta = configparser.ConfigParser(interpolation=None)
    meta.optionxform = str
    placeholders = []
    try:
        meta.read_string(meta_text)
        general = meta["general"]
    except (configparser.Error, KeyError) as exc:
        problems.append(f"metadata.txt does not parse: {exc}")
        general = {}
    if general:
        placeholders = placeholder_keys(general)
        icon = general.get("icon", "")
        if icon and f"{NAME}/{icon}" not in names:
            problems.append(f"metadata icon {icon} is not in the zip")
        version = general.get("version", "")
        if version and not re.search(rf"^##\s+{re.escape(version)}\b", changelog, re.MULTILINE):
            problems.append(f"CHANGELOG.md has no entry '## {version}'")
    if qrc is not None:
        problems += check_qrc(qrc, names)
        if pyrcc and not problems:
            problems += run_pyrcc(zip_path)
    return problems, placeholders


# --------------------------------------------------------------------------- build
def build(out_dir: Path, maintainer: dict) -> Path:
    meta = configparser.ConfigParser(interpolation=None)
    meta.read(PLUGIN / "metadata.txt", encoding="utf-8")
    version = meta["general"]["version"]
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{NAME}-{version}.zip"
    partial = target.with_suffix(".zip.partial")
    seen = set()
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, rel in plugin_files():
            arc = rel.as_posix()
            if arc in seen:
                continue
            seen.add(arc)
            if arc == f"{NAME}/metadata.txt":
                zf.writestr(arc, stamped_metadata(maintainer))
            else:
                zf.write(path, arc)
        if f"{NAME}/LICENSE" not in seen:
            zf.write(ROOT / "LICENSE", f"{NAME}/LICENSE")
        for src, arc in EXTRA_FILES.items():
            if arc not in seen and src.is_file():
                zf.write(src, arc)
    return partial, target


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="dist")
    ap.add_argument("--release", default=str(RELEASE), help="the maintainer settings (default scripts/release.toml)")
    ap.add_argument("--allow-placeholders", action="store_true",
                    help="build even while release.toml still has placeholders (local testing only)")
    args = ap.parse_args(argv)
    out_dir = Path(args.out) if Path(args.out).is_absolute() else ROOT / args.out
    maintainer = read_release(Path(args.release))
    partial, target = build(out_dir, maintainer)
    problems, placeholders = check_zip(partial)
    if problems:
        partial.unlink()
        print(f"{target.name}: not built, the plugin repository would reject it:", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        return 1
    if placeholders:
        where = [k for k in placeholders if k in MAINTAINER_KEYS]
        other = [k for k in placeholders if k not in MAINTAINER_KEYS]
        lines = []
        if where:
            lines.append(f"still placeholders in {Path(args.release).name} [maintainer]: {', '.join(where)}")
        if other:
            lines.append(f"missing in metadata.txt / CHANGELOG.md: {', '.join(other)}")
        if not args.allow_placeholders:
            partial.unlink()
            print(f"{target.name}: not built for release:", file=sys.stderr)
            for line in lines:
                print(f"  - {line}", file=sys.stderr)
            print(f"  Fill them in {args.release} (or run `make package-dev` for a local test zip).", file=sys.stderr)
            return 1
        for line in lines:
            print(f"warning: {line} (test zip only, not for the plugin repository)", file=sys.stderr)
    partial.replace(target)
    with zipfile.ZipFile(target) as zf:
        n = len(zf.namelist())
    print(f"{target}: {n} files, {target.stat().st_size / 1024:.0f} KiB; plugin repository checks "
          + ("passed" if not placeholders else "passed except placeholders"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
