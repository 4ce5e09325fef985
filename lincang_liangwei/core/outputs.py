"""Output field specifications shared by the QGIS algorithms and the command line.

These names are a public interface (batch scripts, models and the register read them):
the algorithms ``liangwei:controllines`` / ``pipeclearance`` / ``compareepochs`` and
``liangwei controllines|pipeclearance|compareepochs`` write exactly these fields, in this order.
Each spec is a tuple of ``(name, kind)`` with kind ``int`` / ``int64`` / ``double`` / ``string``.
"""
from __future__ import annotations

HIT_FIELDS = (("bld_fid", "int64"), ("line_type", "string"), ("line_label", "string"), ("zone_fid", "int64"),
              ("zone_name", "string"), ("enc_area", "double"), ("enc_ratio", "double"), ("hit_kind", "string"),
              ("setback_m", "double"), ("basis", "string"), ("hit_where", "string"))
BREACH_FIELDS = (("bld_fid", "int64"), ("pipe_fid", "int64"), ("kind", "string"), ("kind_value", "string"),
                 ("pipe_class", "string"), ("required_m", "double"), ("distance_m", "double"),
                 ("deficit_m", "double"), ("enc_area_m2", "double"), ("rule_id", "string"), ("verified", "int"),
                 ("basis", "string"))
LATER_FIELDS = (("change", "string"), ("prev_fids", "string"), ("match_iou", "double"), ("area_prev", "double"),
                ("area_now", "double"), ("growth_m2", "double"), ("floors_prev", "double"), ("floors_now", "double"),
                ("shift_m", "double"), ("dup_of", "string"), ("confidence", "string"), ("conf_reason", "string"),
                ("bld_fid", "int64"), ("epoch", "string"), ("prev_epoch", "string"))
DEMOLISHED_FIELDS = (("fate", "string"), ("area_prev", "double"), ("floors_prev", "double"), ("epoch", "string"),
                     ("gone_by", "string"))
GROWTH_FIELDS = (("fid_later", "int64"), ("change", "string"), ("growth_m2", "double"), ("epoch", "string"))
#: per-building summary columns of OUTPUT_BUILDINGS (controllines), before the enc_<type> columns
BUILDING_SUMMARY_FIELDS = (("n_zones", "int"), ("enc_area_total", "double"), ("line_types", "string"),
                           ("max_ratio", "double"), ("area_m2", "double"), ("geom_status", "string"))
