#!/usr/bin/env python3
"""The plugin's translations: extract, check, build.

    scripts/i18n.py update [--merge pairs.json]   collect every tr()/N_() literal into the .ts (keeps translations)
    scripts/i18n.py check                         fail on untranslated, stale or malformed strings (make lint)
    scripts/i18n.py build                         .ts -> .qm with lrelease (make i18n / test / package)
    scripts/i18n.py doubled                       list "中文 / English" literals still outside tr() (informative)

One translation context (``lincang_liangwei``, see lincang_liangwei/i18n.py) for the whole plugin, so an AST
walk finds every string, whatever class it is written in: the first argument of calls to ``tr``, ``self.tr``,
``<anything>.tr``, ``N_`` and ``QCoreApplication.translate("lincang_liangwei", ...)``.  A non-literal argument
(``self.tr(label)``) is fine when the value was marked with ``N_`` where it is defined.  f-strings, ``%`` and
``+`` inside ``tr()`` are errors: values go in with ``.format()`` after translation, and the check verifies
that a translation keeps the source's ``{placeholders}``.

The .ts is valid Qt TS 2.1 (lrelease compiles it, Qt Linguist opens it); ``--merge`` takes a JSON object
``{"English source": "中文译文"}`` and fills those translations in.
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import string
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = ROOT / "lincang_liangwei"
I18N = PLUGIN / "i18n"
CONTEXT = "lincang_liangwei"
LANGUAGES = {"zh-Hans": "zh_CN"}        # file suffix -> TS language attribute
CJK = re.compile(r"[\u4e00-\u9fff]")
DOUBLED_CJK = re.compile(r"[\u4e00-\u9fff]{3,}|[（）：，。；]")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
TR_NAMES = {"tr", "_tr", "N_"}   # _tr: lincang_liangwei.i18n.tr imported under another name
# Files still written in the old doubled "中文 / English" style (issue 9, conversion in progress): their tr()
# strings are left out of the .ts and of `check`; `doubled` lists them.  Remove a file here once converted.
PENDING = {
    "lincang_liangwei/exports.py",
}


def ts_path(language: str) -> Path:
    return I18N / f"{CONTEXT}_{language}.ts"


# -- extraction ---------------------------------------------------------------------------------------------------
class Found:
    def __init__(self):
        self.messages: dict[str, list[str]] = {}     # source -> ["path:line", ...]
        self.errors: list[str] = []


def _call_name(func) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _literal(node) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def extract(files) -> Found:
    found = Found()
    for path in files:
        rel = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _call_name(node.func)
            args = node.args
            if name == "translate" and len(args) >= 2 and _literal(args[0]) == CONTEXT:
                args = args[1:]
            elif name not in TR_NAMES or not args:
                continue
            where = f"{rel}:{node.lineno}"
            first = args[0]
            text = _literal(first)
            if text is not None:
                found.messages.setdefault(text, []).append(where)
            elif isinstance(first, ast.JoinedStr):
                found.errors.append(f"{where}: f-string inside {name}() — use {name}(\"… {{n}} …\").format(n=…)")
            elif isinstance(first, ast.BinOp):
                found.errors.append(f"{where}: expression inside {name}() — translate one literal, then .format()")
            elif name == "N_":
                found.errors.append(f"{where}: N_() needs a string literal")
            elif (isinstance(first, ast.Call) and isinstance(first.func, ast.Attribute)
                  and first.func.attr == "format"):
                found.errors.append(f"{where}: .format() inside {name}() — call it on the translation")
    return found


def plugin_files(include_pending: bool = False):
    return sorted(p for p in PLUGIN.rglob("*.py") if "__pycache__" not in p.parts
                  and (include_pending or p.relative_to(ROOT).as_posix() not in PENDING))


# -- .ts read / write -----------------------------------------------------------------------------------------------
def read_ts(path: Path) -> dict[str, tuple[str, bool]]:
    """{source: (translation, finished)} of the plugin's context."""
    out = {}
    if not path.is_file():
        return out
    for ctx in ET.parse(path).getroot().iter("context"):
        if (ctx.findtext("name") or "") != CONTEXT:
            continue
        for msg in ctx.iter("message"):
            source = msg.findtext("source") or ""
            tnode = msg.find("translation")
            text = "" if tnode is None else (tnode.text or "")
            kind = "" if tnode is None else tnode.get("type", "")
            out[source] = (text, bool(text) and kind not in ("unfinished", "obsolete", "vanished"))
    return out


def _esc(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&apos;"))


def write_ts(path: Path, language: str, messages: dict[str, list[str]], translations: dict[str, tuple[str, bool]]):
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<!DOCTYPE TS>",
             f'<TS version="2.1" language="{LANGUAGES[language]}" sourcelanguage="en">', "<context>",
             f"    <name>{CONTEXT}</name>"]
    for source in sorted(messages, key=lambda s: (messages[s][0].rsplit(":", 1)[0], s)):
        files = sorted({w.rsplit(":", 1)[0] for w in messages[source]})
        lines.append("    <message>")
        for f in files:
            lines.append(f'        <location filename="{_esc(os.path.relpath(ROOT / f, path.parent))}"/>')
        lines.append(f"        <source>{_esc(source)}</source>")
        text, done = translations.get(source, ("", False))
        if done:
            lines.append(f"        <translation>{_esc(text)}</translation>")
        else:
            lines.append(f'        <translation type="unfinished">{_esc(text)}</translation>')
        lines.append("    </message>")
    lines += ["</context>", "</TS>", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


# -- checks ----------------------------------------------------------------------------------------------------------
def placeholders(text: str) -> set[str]:
    try:
        return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return {"<malformed>"}


def problems(language: str) -> list[str]:
    found = extract(plugin_files())
    out = list(found.errors)
    path = ts_path(language)
    translations = read_ts(path)
    rel = path.relative_to(ROOT)
    for source, wheres in sorted(found.messages.items(), key=lambda kv: kv[1][0]):
        text, done = translations.get(source, ("", False))
        if source not in translations:
            out.append(f"{wheres[0]}: not in {rel} (run scripts/i18n.py update): {source!r}")
        elif not done:
            out.append(f"{wheres[0]}: untranslated in {rel}: {source!r}")
        elif placeholders(text) != placeholders(source):
            out.append(f"{wheres[0]}: placeholders differ {sorted(placeholders(source))} vs "
                       f"{sorted(placeholders(text))} in {rel}: {source!r}")
        bare = re.sub(r"\([^)]*\)|'[^']*'|\"[^\"]*\"", "", source)   # Chinese examples / terms in () or quotes are fine
        if DOUBLED_CJK.search(bare):
            out.append(f"{wheres[0]}: source text must be English (Chinese goes in the .ts): {source!r}")
    for source in sorted(set(translations) - set(found.messages)):
        out.append(f"{rel}: stale (no longer in the code; run scripts/i18n.py update): {source!r}")
    return out


def doubled() -> list[str]:
    """String literals outside tr()/N_() that hold both Chinese and an English word (the old doubled style)."""
    out = []
    for path in plugin_files(include_pending=True):
        rel = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        inside = set()
        if rel in PENDING:   # not converted yet: its doubled literals inside tr() count too
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and CJK.search(node.value) \
                        and LATIN_WORD.search(node.value):
                    out.append(f"{rel}:{node.lineno}: [pending] {node.value[:90]!r}")
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _call_name(node.func) in TR_NAMES | {"translate"}:
                for sub in ast.walk(node):
                    inside.add(id(sub))
            if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Module, ast.AsyncFunctionDef)):
                doc = ast.get_docstring(node, clean=False)
                if doc is not None and node.body:
                    for sub in ast.walk(node.body[0]):
                        inside.add(id(sub))
        for node in ast.walk(tree):
            if id(node) in inside:
                continue
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
                if CJK.search(text) and LATIN_WORD.search(text) and (" / " in text or "/" in text
                                                                      or re.search(r"[\u4e00-\u9fff] [A-Z]", text)):
                    out.append(f"{rel}:{node.lineno}: {text[:90]!r}")
    return out


# -- lrelease --------------------------------------------------------------------------------------------------------
def lrelease() -> str | None:
    for cand in ("lrelease", "lrelease-qt5", "/usr/lib/qt5/bin/lrelease", "/usr/lib/x86_64-linux-gnu/qt5/bin/lrelease",
                 "lrelease-qt6", "/usr/lib/qt6/bin/lrelease", "/usr/lib/qt6/libexec/lrelease"):
        found = shutil.which(cand) or (cand if os.path.isfile(cand) and os.access(cand, os.X_OK) else None)
        if found:
            return found
    return None


def build() -> int:
    tool = lrelease()
    if tool is None:
        print("lrelease not found: apt-get install qttools5-dev-tools (Debian 12 and 13)", file=sys.stderr)
        return 1
    for ts in sorted(I18N.glob(f"{CONTEXT}_*.ts")):
        qm = ts.with_suffix(".qm")
        if qm.is_file() and qm.stat().st_mtime >= ts.stat().st_mtime:
            continue
        env = {**os.environ, "QT_SELECT": os.environ.get("QT_SELECT", "qt5")}
        res = subprocess.run([tool, "-silent", "-removeidentical", str(ts), "-qm", str(qm)], env=env,
                             capture_output=True, text=True)
        if res.returncode != 0 or not qm.is_file():
            print(res.stdout + res.stderr, file=sys.stderr)
            return 1
        print(f"built {qm.relative_to(ROOT)}")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    up = sub.add_parser("update")
    up.add_argument("--merge", type=Path, help='JSON {"source": "translation"} to fill in')
    sub.add_parser("check")
    sub.add_parser("build")
    sub.add_parser("doubled")
    args = ap.parse_args(argv)
    if args.cmd == "update":
        found = extract(plugin_files())
        for err in found.errors:
            print(err, file=sys.stderr)
        for language in LANGUAGES:
            path = ts_path(language)
            translations = read_ts(path)
            if args.merge:
                for source, text in json.loads(args.merge.read_text(encoding="utf-8")).items():
                    translations[source] = (text, bool(text))
            write_ts(path, language, found.messages, translations)
            missing = sum(1 for s in found.messages if not translations.get(s, ("", False))[1])
            print(f"{path.relative_to(ROOT)}: {len(found.messages)} strings, {missing} untranslated")
        return 1 if found.errors else 0
    if args.cmd == "check":
        bad = [p for language in LANGUAGES for p in problems(language)]
        for line in bad:
            print(line)
        if bad:
            print(f"{len(bad)} translation problem(s)", file=sys.stderr)
        return 1 if bad else 0
    if args.cmd == "build":
        return build()
    if args.cmd == "doubled":
        listing = doubled()
        for line in listing:
            print(line)
        print(f"{len(listing)} doubled 中文/English literal(s) outside tr() (not failing)", file=sys.stderr)
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
