"""Test registers for the field-package tests: a generated city, its later buildings through the pure register
core (build_register + merge_previous), written as GeoPackage layer ``register`` (gpkgbulk.write_new_layer).

Until ``liangwei:register`` lands this stands in for its output: the same columns (REGISTER_COLUMNS), polygons
in the city's projected CRS (EPSG:4542)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from devtools import fileio
from devtools.samplecity import generate_city
from lincang_liangwei.core.register import build_register, merge_previous
from lincang_liangwei.gpkgbulk import write_new_layer

RUN = "2024-05-01"


def _kind(s: pd.Series) -> str:
    if s.dtype == bool or pd.api.types.is_integer_dtype(s):
        return "int"
    if pd.api.types.is_float_dtype(s):
        return "double"
    return "string"


def register_frame(n_buildings: int = 300, seed: int = 11, n_cases: int = 40):
    """(cases DataFrame, geometries, city) - ``n_cases`` later buildings made cases (new / expanded)."""
    city = generate_city(n_buildings, seed=seed)
    geoms = city.geoms("buildings_2023")
    ok = np.flatnonzero(~shapely.is_missing(geoms) & shapely.is_valid(geoms))[:n_cases]
    g = geoms[ok]
    change = np.where(np.arange(len(g)) % 3 == 0, "expanded", "new")
    ch = pd.DataFrame({"change": change, "growth_m2": 40.0, "floors_now": 2.0, "confidence": "high"})
    districts = city.geoms("districts")
    dattr = city.attrs("districts")
    code_col = next(c for c in dattr.columns if "code" in c)
    name_col = next((c for c in dattr.columns if "name" in c), code_col)
    res = build_register(ok + 1, g, changes=ch, districts=districts, district_codes=dattr[code_col].to_numpy(),
                         district_names=dattr[name_col].to_numpy(), run_date=RUN)
    merged = merge_previous(None, None, res.cases, res.geoms, RUN)
    return merged.cases, merged.geoms, city


def write_register(path, cases: pd.DataFrame, geoms, crs="EPSG:4542") -> Path:
    cols = [(c, _kind(cases[c]), cases[c].astype(int).to_numpy() if cases[c].dtype == bool else cases[c].to_numpy())
            for c in cases.columns]
    write_new_layer(path, "register", geoms, cols, crs, "MultiPolygon")
    return Path(path)


def make_register(folder, n_buildings: int = 300, seed: int = 11, n_cases: int = 40):
    """(register.gpkg, city.gpkg, cases) in ``folder``."""
    folder = Path(folder)
    cases, geoms, city = register_frame(n_buildings, seed, n_cases)
    multi = np.array([shapely.MultiPolygon([g]) if g.geom_type == "Polygon" else g for g in geoms], dtype=object)
    reg = write_register(folder / "register.gpkg", cases, multi)
    city_path = folder / "city.gpkg"
    fileio.write_city(city, city_path)
    return reg, city_path, cases
