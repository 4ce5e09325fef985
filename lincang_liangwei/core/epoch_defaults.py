"""Default tolerances of :func:`lincang_liangwei.core.epochs.compare_epochs`.

Kept in a module without imports so the QGIS dialog can show them even where
shapely 2 is missing (the algorithm then refuses to run with one clear
message instead of the whole provider failing to load).  The reasons for each
value are in ``compare_epochs``' docstring.
"""

EPOCH_DEFAULTS = {
    "min_iou": 0.6,
    "min_growth_m2": 5.0,
    "min_growth_ratio": 0.03,
    "tolerance_m": 1.0,
    "jitter_m": 0.45,
    "min_overlap_share": 0.1,
    "attach_share": 0.5,
    "rebuilt_share": 0.1,
    "min_floor_increase": 1.0,
}
