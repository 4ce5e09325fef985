#!/usr/bin/env bash
# Install everything the project needs on a fresh Debian 12 (QGIS 3.22) or
# Debian 13 (QGIS 3.40) machine, idempotently:
#   * Debian packages (QGIS, GEOS headers, fonts, xvfb, ...) when run as root;
#   * .venv made from the *system* python with --system-site-packages, so it
#     sees QGIS's bindings and keeps the system numpy;
#   * shapely >= 2 linked against the system GEOS (the one QGIS uses);
#   * test / lint tools.
# Usage: scripts/bootstrap.sh [runtime|dev]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
MODE="${1:-dev}"
VENV="$ROOT/.venv"
STAMP="$VENV/.bootstrap-$MODE-$(cat "$ROOT/scripts/bootstrap.sh" "$ROOT/requirements-dev.txt" | sha1sum | cut -c1-12)"
[ -f "$STAMP" ] && exit 0

APT_RUNTIME="qgis python3-qgis qgis-providers libgeos-dev python3-venv python3-pip python3-dev
  build-essential python3-numpy python3-pandas python3-gdal python3-pyproj gdal-bin
  xvfb xauth fonts-noto-cjk poppler-utils pkg-config python3-openpyxl"
# qttools5-dev-tools: lrelease for the .qm translation (same package name on Debian 12 and 13)
# postgresql + postgresql-postgis: the tests' own PostGIS server (tests/pg.py; no service is started);
# both are meta packages that follow the release's default version (15 on Debian 12, 17 on Debian 13)
APT_DEV="libreoffice-calc-nogui qttools5-dev-tools pyqt5-dev-tools postgresql postgresql-postgis python3-psycopg2"

# shapely >= 2 must use the system GEOS (the one QGIS links): Debian 13 packages
# it (python3-shapely 2.1); Debian 12's is 1.8, so there it is built from source
# below (which needs pkg-config and libgeos-dev).
. /etc/os-release 2>/dev/null || true
if [ "${VERSION_ID%%.*}" != "" ] && [ "${VERSION_ID%%.*}" -ge 13 ] 2>/dev/null; then
  APT_RUNTIME="$APT_RUNTIME python3-shapely"
fi

need=()
for p in $APT_RUNTIME $( [ "$MODE" = dev ] && echo "$APT_DEV" ); do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing Debian packages: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "缺少系统软件包 / missing Debian packages: ${need[*]}" >&2
    echo "请以 root 运行 / run as root: sudo apt-get install ${need[*]}" >&2
    exit 1
  fi
fi

SYSPY=/usr/bin/python3
if [ ! -x "$VENV/bin/python" ]; then
  echo "== creating $VENV (system python, --system-site-packages)"
  "$SYSPY" -m venv --system-site-packages "$VENV"
fi
PY="$VENV/bin/python"
# keep the system numpy: QGIS and Debian's compiled modules are built against it
CONSTRAINTS="$VENV/constraints.txt"
"$SYSPY" -c "import numpy; print('numpy==' + numpy.__version__)" > "$CONSTRAINTS"
PIP=("$PY" -m pip install -q --disable-pip-version-check -c "$CONSTRAINTS")

if ! "$PY" -c "import shapely, sys; sys.exit(0 if int(shapely.__version__.split('.')[0]) >= 2 else 1)" 2>/dev/null; then
  # 2.1 is the last release built with setuptools; 2.2's meson build does not
  # compile against Debian 13's numpy/Cython (Debian 13 uses its package instead)
  echo "== building shapely 2.1 against the system GEOS (about 30 s)"
  "${PIP[@]}" --no-binary shapely "shapely>=2.0,<2.2"
fi
if [ "$MODE" = dev ]; then
  QV=$("$PY" -c "from qgis.core import Qgis; print(Qgis.QGIS_VERSION_INT)" 2>/dev/null || echo 0)
  if [ "$QV" -ge 33400 ]; then PQ="pytest-qgis>=4"; else PQ="pytest-qgis==2.1.0"; fi
  echo "== installing test and lint tools ($PQ)"
  "${PIP[@]}" -r "$ROOT/requirements-dev.txt" "$PQ"
fi
rm -f "$VENV"/.bootstrap-"$MODE"-*
touch "$STAMP"
