#!/usr/bin/env bash
# Run qgis_process with this plugin loaded, headless, on Debian 12 or 13.
#  * Debian 12's /usr/bin/qgis_process wrapper passes --noversioncheck, which
#    qgis_process rejects: call qgis_process.bin directly when it exists.
#  * QGIS_PLUGINPATH points at the repository, whose lincang_liangwei/ folder is
#    the plugin; a private profile keeps the user's own QGIS settings untouched.
#  * .venv's site-packages go first on PYTHONPATH so QGIS's Python finds
#    shapely 2 (built against the system GEOS).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN=qgis_process
command -v qgis_process.bin >/dev/null && BIN=qgis_process.bin
SITE=$(ls -d "$ROOT"/.venv/lib/python3*/site-packages 2>/dev/null | head -n1 || true)
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp/runtime-$(id -u)}"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
export QGIS_PLUGINPATH="$ROOT${QGIS_PLUGINPATH:+:$QGIS_PLUGINPATH}"
export QGIS_CUSTOM_CONFIG_PATH="${QGIS_CUSTOM_CONFIG_PATH:-$ROOT/.qgis-profile}"
export PYTHONPATH="${SITE:+$SITE:}$ROOT${PYTHONPATH:+:$PYTHONPATH}"
PROFILE_INI="$QGIS_CUSTOM_CONFIG_PATH/profiles/default/QGIS/QGIS3.ini"
if ! grep -q "^lincang_liangwei=true" "$PROFILE_INI" 2>/dev/null; then
  "$BIN" plugins enable lincang_liangwei >/dev/null 2>&1 || true
fi
exec "$BIN" "$@"
