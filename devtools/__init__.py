"""Development-only code: the sample-city generator and file I/O used by tests,
benchmarks and ``make demo``.  Not part of the shipped plugin (scripts/package.py
zips only ``lincang_liangwei/``)."""
