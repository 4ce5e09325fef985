"""Words for the user, made from the core's facts (counts, codes, numbers) through ``tr()``.

The core (``lincang_liangwei/core``) makes no sentences: it returns reports with counts; this module turns them
into log lines in the active language (English source text, zh-Hans from ``i18n/``).  qgis.core only, so importing
it never needs shapely.
"""
from __future__ import annotations

from qgis.core import QgsProcessingException

from ..i18n import N_, tr

POLYGON, LINE = "polygon", "line"      # the core's geometry kinds (core.geometry.POLYGON / LINE)


def canceled() -> QgsProcessingException:
    """The one message every entry point gives when the user pressed Cancel."""
    return QgsProcessingException(tr("Canceled"))


def kind_word(kind: str) -> str:
    return tr("polygon") if kind == POLYGON else tr("line")


# -- core.geometry.CleanReport ----------------------------------------------------------------------------------------
def clean_lines(report) -> list[str]:
    """Log lines of one layer's geometry intake: in = used + skipped, each skip reason counted."""
    out = [tr("{name}: {n_in} features in, {n_used} used ({n_repaired} invalid geometries repaired), "
              "{n_skipped} skipped").format(name=report.layer, n_in=report.n_in, n_used=report.n_used,
                                            n_repaired=report.n_repaired, n_skipped=report.n_skipped)]
    if report.kind == POLYGON:
        unrepairable, wrong = (tr("invalid geometry with no polygon left after repair"),
                               tr("not a polygon geometry"))
    else:
        unrepairable, wrong = tr("invalid geometry with no line left after repair"), tr("not a line geometry")
    reasons = (
        (report.n_null, tr("null geometry")),
        (report.n_empty, tr("empty geometry")),
        (report.n_unrepairable, unrepairable),
        (report.n_wrong_type, wrong),
        (report.n_duplicate, tr("duplicate of another feature's outline (the same building entered twice; "
                                "counted once)")),
    )
    for n, why in reasons:
        if n:
            out.append("  " + tr("skipped {n}: {reason}").format(n=n, reason=why))
    if report.n_merged_parts:
        out.append("  " + tr("{n} multipart features with overlapping parts repaired as the union of their "
                             "parts").format(n=report.n_merged_parts))
    if report.n_zm:
        out.append("  " + tr("{n} features had Z/M values, computed in 2D").format(n=report.n_zm))
    if report.n_multipart:
        out.append("  " + tr("{n} multipart features kept whole").format(n=report.n_multipart))
    return out


# -- core.epochs.EpochReport ------------------------------------------------------------------------------------------
CHANGE_WORDS = {
    "unchanged": N_("unchanged"), "new": N_("new"), "expanded": N_("expanded"), "floors_added": N_("floors added"),
    "expanded_floors": N_("expanded and floors added"), "rebuilt": N_("rebuilt"), "split": N_("split"),
    "merged": N_("merged"), "skipped": N_("skipped (empty geometry)"),
    "duplicate": N_("duplicate (same outline as another feature, compared once)"),
}


def change_word(change: str) -> str:
    """The change class ``change`` (a code of core.epochs.CHANGES) in words."""
    return tr(CHANGE_WORDS[change]) if change in CHANGE_WORDS else change


def epoch_lines(report) -> list[str]:
    out = [tr("earlier {n_earlier} features ({n_earlier_skipped} skipped), later {n_later} "
              "({n_later_skipped} skipped)").format(
        n_earlier=report.n_earlier, n_earlier_skipped=report.n_earlier_skipped, n_later=report.n_later,
        n_later_skipped=report.n_later_skipped)]
    for code in CHANGE_WORDS:
        n = report.changes.get(code, 0)
        if n:
            out.append(f"  {change_word(code)} ({code}): {n}")
    out.append("  " + tr("demolished: {n}").format(n=report.fates.get("demolished", 0)))
    if report.n_earlier_duplicate:
        out.append("  " + tr("earlier duplicates (copies of another outline, not compared): {n}").format(
            n=report.n_earlier_duplicate))
    out.append("  " + tr("growth polygons: {n}").format(n=report.n_growth))
    if report.noise:
        c = report.noise.get("confidence", {})
        out.append("  " + tr("outline noise (area ratio P{q}): {ratio} ({pairs} pairs); confidence high/medium/low: "
                             "{high}/{medium}/{low}").format(
            q=f"{100 * report.noise.get('noise_quantile', 0.9):.0f}",
            ratio=f"{report.noise.get('noise_ratio', float('nan')):.3f}", pairs=report.noise.get("noise_pairs", 0),
            high=c.get("high", 0), medium=c.get("medium", 0), low=c.get("low", 0)))
    return out


# -- core.pipes.PipeReport --------------------------------------------------------------------------------------------
def pipe_lines(report) -> list[str]:
    out = []
    if report.pipe_clean is not None:
        out += clean_lines(report.pipe_clean)
    kinds = ", ".join(f"{k} {v}" for k, v in report.pipes_by_kind.items()) or tr("none")
    out.append(tr("pipes by kind: {kinds}").format(kinds=kinds))
    if report.n_unmapped:
        values = "; ".join(f"{k} ×{v}" for k, v in list(report.unmapped_values.items())[:30])
        if len(report.unmapped_values) > 30:
            values += " …"
        if report.fallback_m is not None:
            what = tr("{n} checked with the fallback clearance {m} m").format(n=report.n_fallback,
                                                                               m=f"{report.fallback_m:g}")
        else:
            what = tr("{n} skipped").format(n=report.n_pipes_skipped_unmapped)
        out.append("  " + tr("{n} pipes with a kind/class the rules do not map ({what}): {values}").format(
            n=report.n_unmapped, what=what, values=values))
    if report.n_override or report.n_override_ignored:
        out.append("  " + tr("{n} pipes use the clearance field, {ignored} field values ignored (<= 0 or not a "
                             "number)").format(n=report.n_override, ignored=report.n_override_ignored))
    if report.n_class_defaulted:
        out.append("  " + tr("{n} pipes without a class took their kind's default class").format(
            n=report.n_class_defaulted))
    if report.n_unverified:
        out.append("  " + tr("{n} pipes use a clearance not verified against the standard text "
                             "(verified = false)").format(n=report.n_unverified))
    out.append(tr("{checked} of {n} pipes checked").format(checked=report.n_pipes_checked, n=report.n_pipes_in))
    if report.bld_clean is not None:
        out += clean_lines(report.bld_clean)
    out.append(tr("{n} buildings checked, {breaches} clearance breaches in {hit} buildings").format(
        n=report.n_buildings_checked, breaches=report.n_breaches, hit=report.n_buildings_in_breach))
    return out


# -- core.rules.Rules -------------------------------------------------------------------------------------------------
def rules_summary(rules) -> str:
    """One log line: which rules files, how many rows, how many overridden and unverified."""
    facts = rules.summary()
    if facts["user_file"]:
        return tr("rules: defaults {defaults}, user file {user} ({overridden} rows overridden or added); {rows} rows, "
                  "{pipes} pipe clearances ({unverified} not verified against the standard)").format(
            defaults=facts["defaults"], user=facts["user_file"], overridden=facts["n_overridden"],
            rows=facts["n_rows"], pipes=facts["n_pipe_rules"], unverified=facts["n_unverified"])
    return tr("rules: defaults {defaults}; {rows} rows, {pipes} pipe clearances ({unverified} not verified against "
              "the standard)").format(defaults=facts["defaults"], rows=facts["n_rows"], pipes=facts["n_pipe_rules"],
                                      unverified=facts["n_unverified"])


# -- core.crs ---------------------------------------------------------------------------------------------------------
def working_crs_note(code: int, facts: dict) -> str:
    """Why geographic input is computed in EPSG:``code`` (facts of core.crs.working_epsg)."""
    authid = facts.get("authid") or tr("(unknown)")
    if facts.get("kind") == "gk3":
        return tr("geographic input {crs}: areas and distances computed in EPSG:{code} (CGCS2000 3-degree GK zone, "
                  "central meridian {cm}°E)").format(crs=authid, code=code, cm=facts.get("cm"))
    return tr("geographic input {crs}: areas and distances computed in UTM zone EPSG:{code}").format(crs=authid,
                                                                                                      code=code)


def rescaled_crs_note(code: int, facts: dict) -> str:
    """Why a badly scaled projected CRS is replaced by EPSG:``code`` (facts of core.crs.rescaled_working_epsg)."""
    kind = tr("CGCS2000 3-degree GK zone") if facts.get("kind") == "gk3" else tr("UTM zone")
    return tr("input CRS {crs} distorts lengths by about {length}% (areas {area}%) at the data, more than the "
              "{limit}% limit: areas and distances computed in EPSG:{code} ({kind}) instead").format(
        crs=facts["crs"], length=f"{facts['length_pct']:.1f}", area=f"{facts['area_pct']:.1f}",
        limit=f"{facts['limit_pct']:g}", code=code, kind=kind)


def timing_line(read_s: float, compute_s: float, write_s: float) -> str:
    return tr("time: read {read} s, compute {compute} s, write {write} s").format(
        read=f"{read_s:.1f}", compute=f"{compute_s:.1f}", write=f"{write_s:.1f}")


# -- core.rules.RulesError --------------------------------------------------------------------------------------------
def rules_error_text(exc) -> str:
    """A bad rules file / mapping (core.rules.RulesError: location + English template + values) in words."""
    if not hasattr(exc, "template"):
        return str(exc)
    detail = exc.detail(tr)
    if not exc.located:
        return detail
    if exc.line and exc.field:
        where = tr("rules file {path}, line {line}, row {row}, field '{field}'")
    elif exc.line:
        where = tr("rules file {path}, line {line}, row {row}")
    elif exc.field:
        where = tr("rules file {path}, row {row}, field '{field}'")
    else:
        where = tr("rules file {path}, row {row}")
    return tr("{where}: {detail}").format(
        where=where.format(path=exc.path, line=exc.line, row=exc.row, field=exc.field), detail=detail)
