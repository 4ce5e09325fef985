# lincang_liangwei — every target installs what it needs (scripts/bootstrap.sh).
# Debian 12 (QGIS 3.22) and Debian 13 (QGIS 3.40).
SHELL := /bin/bash
PY := .venv/bin/python
QP := scripts/qgis_process.sh
DEMO_BUILDINGS ?= 20000
# make bench: 10^4, 10^5, 10^6 footprints (BENCH_BIG=1 adds 10^7); BENCH_SIZES="100000" for one size
BENCH_SIZES ?=
export QT_QPA_PLATFORM := offscreen

.PHONY: all runtime dev demo test test-unit test-qgis test-e2e bench bench-plot lint package package-dev clean sample i18n

all: test

runtime:
	@scripts/bootstrap.sh runtime

dev:
	@scripts/bootstrap.sh dev

## make demo: generate the sample city and run every check through qgis_process
demo: runtime
	@$(PY) scripts/demo.py --buildings $(DEMO_BUILDINGS) --out out/demo

sample: runtime
	@$(PY) scripts/make_sample_city.py --buildings $(DEMO_BUILDINGS) --out out/sample/city.gpkg

## make test: unit (no QGIS), QGIS (pytest-qgis) and end-to-end (qgis_process) tests
test: dev i18n
	$(PY) -m pytest -p no:qgis tests/unit -q
	$(PY) -m pytest tests/qgis tests/e2e -q

test-unit: dev
	$(PY) -m pytest -p no:qgis tests/unit -q

test-qgis: dev i18n
	$(PY) -m pytest tests/qgis -q

test-e2e: dev i18n
	$(PY) -m pytest tests/e2e -q

## make bench: this project vs the QGIS native tools on the same data, ratios printed
bench: dev
	$(PY) benchmarks/run.py $(if $(BENCH_SIZES),--sizes $(BENCH_SIZES))

## make bench-plot: redraw out/bench/scaling.png from out/bench/results.json
bench-plot: dev
	$(PY) benchmarks/plot.py out/bench/results.json

lint: dev
	.venv/bin/ruff check .
	.venv/bin/flake8 .
	$(PY) scripts/i18n.py check
	@$(PY) scripts/i18n.py doubled >/dev/null

## make package: installable plugin zip + the plugin repository's checks on it (metadata complete, changelog,
## no placeholder e-mail/URLs: fill them in scripts/release.toml, resources.qrc, LICENSE, no caches)
package: runtime i18n
	$(PY) scripts/package.py --out dist

## make package-dev: the same zip while scripts/release.toml is unfilled (local testing, not for the repository)
package-dev: runtime i18n
	$(PY) scripts/package.py --out dist --allow-placeholders

## make i18n: compile the zh-Hans translation (.ts -> .qm, lrelease from qttools5-dev-tools);
## `scripts/i18n.py update` collects new tr() strings into the .ts, `make lint` fails on untranslated ones
i18n: dev
	$(PY) scripts/i18n.py build

clean:
	rm -rf out dist .qgis-profile .pytest_cache
