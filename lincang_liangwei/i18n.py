"""Translations the Qt way: English source text, one translation context for the whole plugin.

Every user-visible string goes through :func:`tr` (algorithms' ``self.tr``, qgis_io, ui all call this one),
so a string written in a base class and shown by a subclass is found under the same context.  Strings kept in
tables and constants are marked with :func:`N_` where they are defined and passed through ``tr()`` where they
are shown.  Values go in with ``str.format`` *after* translation::

    tr("{n} buildings in, {used} used").format(n=n, used=used)

``scripts/i18n.py update`` collects every literal passed to ``tr``/``N_`` into
``i18n/lincang_liangwei_zh-Hans.ts``; ``scripts/i18n.py build`` (``make i18n``) compiles the ``.qm`` with
lrelease; ``scripts/i18n.py check`` (``make lint``) fails on untranslated or stale strings.

The language follows QGIS: the UI language QGIS was started with (desktop), else the QGIS setting
``locale/userLocale`` when ``locale/overrideFlag`` is set, else the system locale (``LC_ALL`` / ``LC_MESSAGES``
/ ``LANG`` / ``LANGUAGE``) — which is what ``qgis_process`` on a server uses.  Any Chinese locale gets the
zh-Hans translation (the only one shipped); anything else shows the English source text.

Domain *data* (verdict values such as 拆除候选, legal text of the rules table, Chinese field values) is data,
not UI text, and is never translated.
"""
from __future__ import annotations

from pathlib import Path

CONTEXT = "lincang_liangwei"
I18N_DIR = Path(__file__).resolve().parent / "i18n"
TS_BASENAME = "lincang_liangwei"
# locale prefix -> shipped translation (file suffix, also the help folder name)
LANGUAGES = {"zh": "zh-Hans"}
SOURCE_LANGUAGE = "en"

_translator = None      # the QTranslator this module installed, if any
_language = SOURCE_LANGUAGE


def tr(text: str, disambiguation: str | None = None) -> str:
    """``text`` (English) in the active language; the text itself where Qt is not there (command line)."""
    try:
        from qgis.PyQt.QtCore import QCoreApplication
    except ImportError:
        return text
    return QCoreApplication.translate(CONTEXT, text, disambiguation)


def N_(text: str) -> str:  # noqa: N802 - the gettext name every translator knows
    """Mark a literal for extraction without translating it now (tables, constants); translate it at use."""
    return text


def _setting(key: str, default=None):
    try:
        from qgis.core import QgsSettings

        return QgsSettings().value(key, default)
    except Exception:  # noqa: BLE001 - no QGIS settings (no application yet): use the default
        return default


def _truthy(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def locale_name() -> str:
    """The UI locale QGIS uses (``zh_CN``, ``en_US``, ``zh-Hans`` …); never raises, ``"en"`` when unknown."""
    try:
        from qgis.core import QgsApplication

        name = QgsApplication.translation() or ""      # desktop QGIS: the language it started with
    except Exception:  # noqa: BLE001 - older bindings or no application
        name = ""
    if not name and _truthy(_setting("locale/overrideFlag", False)):
        name = str(_setting("locale/userLocale", "") or "")
    if not name:
        try:
            from qgis.PyQt.QtCore import QLocale

            system = QLocale.system()
            languages = system.uiLanguages()
            name = (languages[0] if languages else "") or system.name()
        except Exception:  # noqa: BLE001
            name = ""
    return name.strip() or SOURCE_LANGUAGE


def language_for(locale: str | None) -> str:
    """The shipped translation for ``locale`` (``"zh-Hans"``), or ``"en"`` (the source text)."""
    prefix = (locale or "").replace("-", "_").split("_")[0].split(".")[0].lower()
    return LANGUAGES.get(prefix, SOURCE_LANGUAGE)


def qm_path(language: str) -> Path:
    return I18N_DIR / f"{TS_BASENAME}_{language}.qm"


def active_language() -> str:
    """The language of the installed translation: ``"zh-Hans"`` or ``"en"``."""
    return _language


def install_translator(locale: str | None = None) -> str:
    """Install the plugin's translation for ``locale`` (default: :func:`locale_name`), replacing one this
    module installed before; returns the active language (``"en"`` when none applies or the ``.qm`` is
    missing — then the English source text shows)."""
    global _translator, _language
    from qgis.PyQt.QtCore import QCoreApplication, QTranslator

    remove_translator()
    language = language_for(locale if locale is not None else locale_name())
    if language == SOURCE_LANGUAGE or QCoreApplication.instance() is None:
        return _language
    path = qm_path(language)
    translator = QTranslator()
    if not path.is_file() or not translator.load(str(path)):
        return _language
    QCoreApplication.installTranslator(translator)
    _translator, _language = translator, language
    return _language


def remove_translator() -> None:
    """Remove the translation this module installed (plugin unload); English source text shows again."""
    global _translator, _language
    if _translator is not None:
        from qgis.PyQt.QtCore import QCoreApplication

        if QCoreApplication.instance() is not None:
            QCoreApplication.removeTranslator(_translator)
        _translator = None
    _language = SOURCE_LANGUAGE


def localized(folder: Path, name: str) -> Path:
    """``folder/<language>/name`` for the active language, falling back to ``folder/en/name``, then to
    ``folder/name`` (a page not split by language yet)."""
    for path in (Path(folder) / _language / name, Path(folder) / SOURCE_LANGUAGE / name):
        if path.is_file():
            return path
    return Path(folder) / name
