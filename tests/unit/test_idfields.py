"""core/idfields.py: which fields look like a building id, their output names, kinds and values."""
import numpy as np

from lincang_liangwei.core.idfields import auto_id_fields, id_columns, id_output_spec, values_kind


def test_auto_pick_first_id_like_field_any_case():
    assert auto_id_fields(["name", "floors", "Survey_ID", "id"]) == ["Survey_ID"]
    assert auto_id_fields(["mc", "标识码"]) == ["标识码"]
    assert auto_id_fields(["building_i"]) == ["building_i"]        # shapefile cut of building_id
    assert auto_id_fields(["name", "identity", "idx", "floors"]) == []


def test_clashes_are_prefixed_until_free():
    spec = id_output_spec(["kind", "fid", "BSM"], ["string", "int", "string"], ["bld_fid", "kind", "bld_kind"])
    assert spec == [("bld_bld_kind", "string"), ("bld_bld_fid", "int"), ("BSM", "string")]


def test_values_kind_and_columns_follow_the_hits():
    assert values_kind(np.array([1, 2])) == "int64"
    assert values_kind(np.array([1.5, np.nan])) == "double"
    assert values_kind(np.array([3, None], dtype=object)) == "int64"
    assert values_kind(np.array(["a", None], dtype=object)) == "string"
    assert values_kind(np.array([True, None], dtype=object)) == "string"
    fids = np.array([10, 4, 7])
    values = {"code": np.array(["x10", "x4", "x7"], dtype=object), "n": np.array([1, 2, 3])}
    code, n = id_columns(fids, values, ["code", "n"], ["string", "int64"], [7, 7, 10, 99])
    assert code.tolist() == ["x7", "x7", "x10", None]
    assert n.tolist() == [3, 3, 1, None]
    assert [c.tolist() for c in id_columns(fids, values, ["n"], ["int64"], [])] == [[]]
