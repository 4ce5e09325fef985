"""Rules table: defaults, overrides, validation, value mapping, verdicts."""
import json

import numpy as np
import pytest

from lincang_liangwei.core.rules import (
    DEFAULT_RULES_PATH,
    LINE_TYPES,
    Rules,
    RulesError,
    load_rules,
    norm_key,
    parse_diameters,
    parse_mapping,
)


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def write(tmp_path, text, name="local.toml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


# ---------------------------------------------------------------- defaults

def test_line_types_exact():
    assert LINE_TYPES == ("red", "blue", "green", "yellow", "purple", "water_source")


def test_defaults_load(rules):
    assert isinstance(rules, Rules)
    assert rules.source_paths == (str(DEFAULT_RULES_PATH),)
    assert rules.source_path == str(DEFAULT_RULES_PATH)
    assert rules.overridden == []
    assert rules.summary()["defaults"].endswith("rules_default.toml") and rules.summary()["user_file"] == ""
    for lt in LINE_TYPES:
        assert rules.setback_m(lt) == 0.0
        assert rules.line_label(lt)
        assert rules.basis(lt)


@pytest.mark.parametrize("lt,label,basis_part", [
    ("red", "道路红线", "城乡规划法"),
    ("blue", "河道蓝线", "建设部令第145号"),
    ("green", "城市绿线", "建设部令第112号）第十一条"),
    ("yellow", "城市黄线", "建设部令第144号"),
    ("purple", "城市紫线", "建设部令第119号"),
    ("water_source", "饮用水水源保护区", "第六十五条、第六十六条"),
])
def test_line_labels_and_basis(rules, lt, label, basis_part):
    assert rules.line_label(lt) == label
    assert basis_part in rules.basis(lt)


def test_unknown_line_type(rules):
    with pytest.raises(RulesError, match="orange"):
        rules.setback_m("orange")


@pytest.mark.parametrize("rid,value,verified", [
    ("sewer", 2.5, True), ("storm", 2.5, True),
    ("water_d_le_200", 1.0, False), ("water_d_gt_200", 3.0, False),
    ("reclaimed", 1.0, False),
    ("gas_low", 0.7, False), ("gas_medium_b", 1.0, False), ("gas_medium_a", 1.5, False),
    ("gas_subhigh_b", 5.0, False), ("gas_subhigh_a", 13.5, False), ("gas_high", 30.0, False),
    ("heat", 3.0, False), ("power", 0.6, False),
    ("telecom_buried", 1.0, False), ("telecom_duct", 1.5, False),
    ("transmission", 5.0, False),
])
def test_default_pipe_values(rules, rid, value, verified):
    r = rules.pipe_rules[rid]
    assert r.value == value
    assert r.unit == "m"
    assert r.verified is verified
    assert r.source


def test_every_row_has_value_unit_source_verified(rules):
    tab = rules.table()
    assert len(tab) == len(rules.pipe_rules) + len(LINE_TYPES)
    assert tab["unit"].eq("m").all()
    assert tab["source"].str.len().gt(0).all()
    assert tab["verified"].map(type).eq(bool).all()
    assert "石油天然气管道保护法" in rules.pipe_rules["transmission"].source
    assert "GB 50289-2016" in rules.pipe_rules["sewer"].source
    assert "GB 50028" in rules.pipe_rules["gas_subhigh_a"].source


# ---------------------------------------------------------------- overrides

def test_override_changes_one_value_and_nothing_else(tmp_path, rules):
    p = write(tmp_path, "[pipe.sewer]\nvalue = 2.6\n")
    r2 = load_rules(p)
    assert r2.pipe_rules["sewer"].value == 2.6
    # provenance follows the changed number
    assert r2.pipe_rules["sewer"].verified is False
    assert "local.toml" in r2.pipe_rules["sewer"].source
    assert r2.pipe_rules["sewer"].kind == "sewer"
    for rid, row in rules.pipe_rules.items():
        if rid != "sewer":
            assert r2.pipe_rules[rid] == row
    assert r2.line_rules == rules.line_rules
    assert r2.verdict_rules == rules.verdict_rules
    assert r2.kinds == rules.kinds
    assert r2.kind_map == rules.kind_map and r2.class_map == rules.class_map
    assert r2.overridden == ["pipe.sewer"]
    assert r2.source_paths == (str(DEFAULT_RULES_PATH), str(p))
    assert r2.source_path == str(p)
    assert r2.summary()["n_overridden"] == 1 and r2.summary()["user_file"] == str(p)
    assert r2.table().set_index("id").loc["sewer", "overridden"]


def test_override_with_own_source_keeps_it(tmp_path):
    p = write(tmp_path, '[pipe.gas_low]\nvalue = 1.0\nsource = "临沧市燃气管理办法 第十条"\nverified = true\n')
    r = load_rules(p).pipe_rules["gas_low"]
    assert (r.value, r.source, r.verified) == (1.0, "临沧市燃气管理办法 第十条", True)


def test_override_setback_only_that_line(tmp_path, rules):
    p = write(tmp_path, '[line.red]\nvalue = 5\n')
    r2 = load_rules(p)
    assert r2.setback_m("red") == 5.0
    assert all(r2.setback_m(lt) == 0.0 for lt in LINE_TYPES if lt != "red")
    assert r2.basis("red") == rules.basis("red")


def test_override_json(tmp_path):
    p = write(tmp_path, json.dumps({"pipe": {"heat": {"value": 2.0}}}), name="local.json")
    assert load_rules(p).pipe_rules["heat"].value == 2.0


def test_new_row_and_mapping_added(tmp_path):
    p = write(tmp_path, """
[kind.oil]
label = "输油管"
[pipe.oil]
kind = "oil"
value = 4.0
unit = "m"
source = "地方规定"
verified = false
[kind_map]
"成品油" = "oil"
"上水" = ""
""")
    r = load_rules(p)
    m = r.pipe_clearances(["成品油", "上水", "给水"], None, [None, 100, 100])
    assert list(m.required_m[:1]) == [4.0]
    assert m.kind[1] == ""  # mapping removed
    assert m.required_m[2] == 1.0


def test_disable_row(tmp_path):
    p = write(tmp_path, "[pipe.power]\nenabled = false\n")
    m = load_rules(p).pipe_clearances(["电力"])
    assert np.isnan(m.required_m[0]) and m.status[0] == "no_rule"


# ---------------------------------------------------------------- malformed files

def _err(tmp_path, text, name="bad.toml"):
    p = write(tmp_path, text, name)
    with pytest.raises(RulesError) as ei:
        load_rules(p)
    e = ei.value
    assert str(p) in str(e)
    return e


def test_bad_number_names_row_and_field(tmp_path):
    e = _err(tmp_path, '# local rules\n\n[pipe.sewer]\nvalue = "2.5m"\n')
    assert e.row == "[pipe.sewer]" and e.field == "value"
    msg = str(e)
    assert "[pipe.sewer]" in msg and "'value'" in msg and "2.5m" in msg
    assert "line 4" in msg and e.line == 4  # the line of the bad field ("第 4 行" in Chinese: tests/qgis/test_i18n.py)
    assert "expected a number" in msg


def test_unknown_field(tmp_path):
    e = _err(tmp_path, "[pipe.sewer]\nvalu = 2.6\n")
    assert (e.row, e.field) == ("[pipe.sewer]", "valu")
    assert "unknown field" in str(e)   # "未知字段" in Chinese: tests/qgis/test_i18n.py::test_rules_errors_in_both_languages


def test_missing_value_in_new_row(tmp_path):
    e = _err(tmp_path, '[pipe.gas_extra]\nkind = "gas"\nclass = "low"\nunit = "m"\nsource = "x"\nverified = false\n')
    assert (e.row, e.field) == ("[pipe.gas_extra]", "value")
    assert "required field" in str(e)   # "缺少必填字段" in Chinese: tests/qgis/test_i18n.py::test_rules_errors_in_both_languages


def test_negative_value(tmp_path):
    e = _err(tmp_path, "[line.blue]\nvalue = -1\n")
    assert (e.row, e.field) == ("[line.blue]", "value")


def test_verified_must_be_bool(tmp_path):
    e = _err(tmp_path, '[pipe.sewer]\nverified = "yes"\n')
    assert e.field == "verified"


def test_bad_unit(tmp_path):
    e = _err(tmp_path, '[pipe.sewer]\nunit = "cm"\n')
    assert (e.row, e.field) == ("[pipe.sewer]", "unit")


def test_unknown_section_and_line_type(tmp_path):
    e = _err(tmp_path, "[pipes.sewer]\nvalue = 1\n")
    assert "pipes" in str(e)
    e = _err(tmp_path, "[line.orange]\nvalue = 1\n")
    assert e.row == "[line.orange]"


def test_undeclared_kind_and_bad_map_target(tmp_path):
    e = _err(tmp_path, '[pipe.x]\nkind = "oil"\nvalue = 1\nunit = "m"\nsource = "s"\nverified = false\n')
    assert (e.row, e.field) == ("[pipe.x]", "kind")
    e = _err(tmp_path, '[kind_map]\n"燃气" = "gaz"\n')
    assert e.row == "[kind_map]" and e.field == "燃气"


def test_bad_verdict(tmp_path):
    e = _err(tmp_path, '[verdict.pipe_major]\nverdict = "罚款"\n')
    assert (e.row, e.field) == ("[verdict.pipe_major]", "verdict")
    e = _err(tmp_path, '[verdict.pipe_major]\nfinding = ["pipes"]\n')
    assert e.field == "finding"


def test_toml_syntax_error(tmp_path):
    e = _err(tmp_path, "[pipe.sewer\nvalue = 2\n")
    assert "syntax" in str(e)


def test_missing_file(tmp_path):
    with pytest.raises(RulesError, match="not found"):
        load_rules(tmp_path / "nope.toml")


# ---------------------------------------------------------------- mapping

def test_norm_key():
    assert norm_key(" Medium-B ") == norm_key("medium_b") == "mediumb"
    assert norm_key("中压Ｂ") == norm_key("中压 b") == "中压b"  # full-width letter
    assert norm_key(None) == "" and norm_key(float("nan")) == ""


def test_parse_mapping():
    assert parse_mapping("燃气=gas;上水=water") == {"燃气": "gas", "上水": "water"}
    assert parse_mapping("燃气＝gas；上水：water") == {"燃气": "gas", "上水": "water"}
    assert parse_mapping(" ; ") == {}
    with pytest.raises(RulesError):
        parse_mapping("燃气gas")


@pytest.mark.parametrize("value,kind", [
    ("燃气", "gas"), ("天然气", "gas"), ("GAS", "gas"), ("RQ", "gas"),
    ("给水", "water"), ("上水", "water"), ("water", "water"), ("JS", "water"),
    ("污水", "sewer"), ("sewer", "sewer"), ("雨水", "storm"), ("storm", "storm"),
    ("中水", "reclaimed"), ("再生水", "reclaimed"), ("热力", "heat"), ("电力", "power"),
    ("通信", "telecom"), ("电信", "telecom"), ("输气", "transmission"), ("长输", "transmission"),
    ("排水", "drainage"), ("不知道", ""), (None, ""),
])
def test_kind_mapping(rules, value, kind):
    assert rules.map_kinds([value])[0] == kind


def test_runtime_mapping_param(rules):
    assert rules.map_kinds(["GQ"], kind_map="GQ=gas")[0] == "gas"
    assert rules.map_classes(["中压"], class_map="中压=medium_a")[0] == "medium_a"
    with pytest.raises(RulesError, match="gaz"):
        rules.map_kinds(["x"], kind_map="x=gaz")


# ---------------------------------------------------------------- pipe clearances

def test_water_diameter_200_vs_201(rules):
    m = rules.pipe_clearances(["给水", "给水", "给水", "给水"], None, [200, 201, "DN300", None])
    assert list(m.required_m[:3]) == [1.0, 3.0, 3.0]
    assert list(m.pipe_class[:3]) == ["d<=200mm", "d>200mm", "d>200mm"]
    assert np.isnan(m.required_m[3]) and m.status[3] == "no_diameter"


@pytest.mark.parametrize("pressure,cls,req", [
    ("低压", "low", 0.7), ("L", "low", 0.7),
    ("中压B", "medium_b", 1.0), ("中压 b", "medium_b", 1.0), ("MB", "medium_b", 1.0), ("medium_b", "medium_b", 1.0),
    ("中压A", "medium_a", 1.5), ("MA", "medium_a", 1.5),
    ("次高压B", "subhigh_b", 5.0), ("次高压A", "subhigh_a", 13.5), ("SHA", "subhigh_a", 13.5),
    ("高压", "high", 30.0),
])
def test_gas_pressure_classes(rules, pressure, cls, req):
    m = rules.pipe_clearances(["燃气"], [pressure])
    assert (m.kind[0], m.pipe_class[0], m.required_m[0]) == ("gas", cls, req)
    assert m.status[0] == "ok"
    assert "GB 50028" in m.basis[0]


def test_gas_without_class_is_unmapped(rules):
    m = rules.pipe_clearances(["燃气", "燃气"], [None, "中压"])
    assert np.isnan(m.required_m).all()
    assert list(m.status) == ["unknown_class", "unknown_class"]
    assert m.unmapped_values() == {"燃气 / (空 / empty)": 1, "燃气 / 中压": 1}


def test_telecom_default_class(rules):
    m = rules.pipe_clearances(["通信", "通信", "通信"], ["直埋", "管道", None])
    assert list(m.required_m) == [1.0, 1.5, 1.5]
    assert list(m.status) == ["ok", "ok", "class_defaulted"]


def test_unknown_kinds_reported(rules):
    m = rules.pipe_clearances(["foo", "foo", "bar", "污水"], None, None)
    assert list(np.isnan(m.required_m)) == [True, True, True, False]
    assert m.unmapped_values() == {"foo": 2, "bar": 1}


def test_unpacks_as_three_arrays(rules):
    req, cls, basis = rules.pipe_clearances(["污水", "燃气"], [None, "低压"])
    assert list(req) == [2.5, 0.7]
    assert list(cls) == ["", "low"]
    assert "GB 50289-2016" in basis[0]


def test_parse_diameters():
    d = parse_diameters(["DN300", "Φ150", "200mm", 0, None, "x", 250.5])
    assert np.allclose(d, [300, 150, 200, np.nan, np.nan, np.nan, 250.5], equal_nan=True)


# ---------------------------------------------------------------- verdicts

def test_verdicts(rules):
    v, b, rid = rules.verdicts(
        ["blue", "red", "green", "pipe", "pipe", "pipe", "pipe"],
        where=["inside", "setback", "inside", None, None, None, None],
        pipe_kind=["", "", "", "gas", "telecom", "gas", ""],
        enc_area_m2=[20, 20, 0.5, 5, 5, 5, 5],
        deficit_m=[0, 0, 0, 1.0, 1.0, 0.1, 1.0])
    assert list(v) == ["拆除候选", "限期整改", "待核查", "拆除候选", "限期整改", "待核查", "待核查"]
    assert "第六十四条" in b[0] and "第六十四条" in b[3]
    assert list(rid[:5]) == ["line_inside", "line_setback", "", "pipe_major", "pipe_cable"]
    assert rules.verdict("purple", where="inside", enc_area_m2=3.0)[0] == "拆除候选"


def test_verdict_rules_are_data(tmp_path):
    p = write(tmp_path, "[verdict.line_inside]\nmin_enc_area_m2 = 50.0\n")
    assert load_rules(p).verdict("blue", where="inside", enc_area_m2=20.0)[0] == "待核查"
