"""Chapter 4 of the model description (results), dose-response: sessions attended vs change in ASI.

Tables 002-1.10: Spearman's rho with CI and the OLS slope adjusted for the intake score, and the
mean change by attendance band. The model description states the association without a direction.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from evalkit.compare._rules import default_confidence_level
from evalkit.report.hcs._pending_compare import ols_slope, spearman_ci
from evalkit.report.hcs._shim import count, finite, mean_cell, number, prepared
from evalkit.report.hcs._text import TXT, fill, span
from evalkit.report.hcs.prepare import HcsPrepared
from evalkit.report.hcs.results import COMPOSITES
from evalkit.report.model import Column, Table, TestRow
from evalkit.report.spec import Context


def dose_data(p: HcsPrepared) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per composite: (sessions attended, change from ``from`` to ``to``, score at ``from``) of the
    cohort members with both scores."""
    c = p.constants["dose_response"]
    tps = p.asi.time_points
    attended = p.attendance.per_person[:, 0].astype("float64")
    out = {}
    for key in COMPOSITES:
        s = p.asi.scores[key]
        base, last = s[:, tps.index(c["from"])], s[:, tps.index(c["to"])]
        ok = p.cohort & ~np.isnan(base) & ~np.isnan(last)
        out[key] = (attended[ok], last[ok] - base[ok], base[ok])
    return out


def dose_response(ctx: Context) -> Table:
    """002-1.10: sessions attended vs change in ASI: Spearman rho with CI and the OLS slope adjusted for baseline."""
    p = prepared(ctx, HcsPrepared)
    c = p.constants["dose_response"]
    level = default_confidence_level()
    table = Table(id="dose_response", source="002-1.10-dose-response", title=TXT("titles.dose_response"),
                  columns=[Column("n", TXT("labels.number")), Column("rho", TXT("dose.rho")),
                           Column("slope", TXT("dose.slope"))])
    between = span(c["from"], c["to"])
    for key, (x, y, base) in dose_data(p).items():
        outcome = fill(TXT("dose.outcome"), composite=TXT(f"composites.{key}"), span=between)
        sp = spearman_ci(x, y, confidence_level=level)
        fit = ols_slope(y, x, base, confidence_level=level)
        table.tests.append(TestRow(row=key, outcome=outcome, method="Spearman rank correlation", n=int(sp["n"]),
                                   statistic=finite(sp["rho"]), p_value=finite(sp["p_value"]),
                                   effect_size=finite(sp["rho"]), effect_size_name="rho",
                                   effect_size_ci=(finite(sp["ci_low"]), finite(sp["ci_high"]))))
        ols = "Linear regression (OLS), adjusted for intake score"
        table.tests.append(TestRow(row=key, outcome=outcome, method=ols, n=len(x), statistic=None, p_value=None,
                                   note="too_small_or_constant") if fit is None else
                           TestRow(row=key, outcome=outcome, method=ols, n=fit["n"], statistic=fit["t"],
                                   p_value=fit["p_value"], estimate=fit["slope"],
                                   estimate_name="change per session attended",
                                   estimate_ci=(fit["ci_low"], fit["ci_high"]), decimals=4))
        table.add_row(key, TXT(f"composites.{key}"), {
            "n": count(len(x), link=f"hcs_dose_n_{key}"),
            "rho": number(sp["rho"], decimals=2, n=len(x), count_of=f"{key}|n"),
            "slope": number(None if fit is None else fit["slope"], decimals=4, n=len(x), count_of=f"{key}|n")})
    table.notes = [fill(TXT("dose.notes.cohort"), span=between, planned=p.constants["course"]["sessions_planned"]),
                   TXT("dose.notes.direction")]
    return table


def dose_response_bands(ctx: Context) -> Table:
    """002-1.10: mean change in ASI by attendance band (bands from the report's constants)."""
    p = prepared(ctx, HcsPrepared)
    c = p.constants["dose_response"]
    decimals = p.constants["asi"]["decimals"]
    data = dose_data(p)
    cols = []
    for key in COMPOSITES:
        composite = TXT(f"composites.{key}")
        cols += [Column(f"{key}_n", fill(TXT("dose.band_n"), composite=composite)),
                 Column(f"{key}_change", fill(TXT("dose.band_change"), composite=composite))]
    table = Table(id="dose_response_bands", source="002-1.10-dose-response", title=TXT("titles.dose_response_bands"),
                  columns=cols, additive=True, row_lines=())
    for band in c["bands"]:
        cells: dict[str, Any] = {}
        for key, (x, y, _) in data.items():
            m = (x >= band["min"]) & (x <= band["max"])
            cells[f"{key}_n"] = count(m.sum())
            cells[f"{key}_change"] = mean_cell(y[m], decimals=decimals, count_of=f"{band['key']}|{key}_n")
        table.add_row(band["key"], fill(TXT("labels.sessions_band"), lo=band["min"], hi=band["max"]), cells)
    totals: dict[str, Any] = {}
    for key, (x, y, _) in data.items():
        totals[f"{key}_n"] = count(len(x), link=f"hcs_dose_n_{key}")
        totals[f"{key}_change"] = mean_cell(y, decimals=decimals, count_of=f"total|{key}_n")
    table.add_row("total", TXT("labels.total"), totals, is_total=True)
    table.notes = [fill(TXT("dose.notes.bands"), span=span(c["from"], c["to"]))]
    return table
