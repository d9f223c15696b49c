"""Chapter 4 of the model description (results), dose-response: sessions attended vs change in ASI.

Tables 002-1.10: Spearman's rho with CI and the OLS slope adjusted for the intake score (both from
:mod:`evalkit.compare`), and the mean change by attendance band. The model description states the
association without a direction, so both tests are two-sided.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from evalkit.compare import regression_slope, spearman
from evalkit.report._build import (
    count,
    count_column,
    finite,
    mean_cell,
    mean_column,
    number,
    prepared,
    quiet,
    test_row,
)
from evalkit.report.hcs._text import TXT, fill, span
from evalkit.report.hcs.prepare import HcsPrepared
from evalkit.report.hcs.results import COMPOSITES
from evalkit.report.model import Table
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
    table = Table(id="dose_response", source="002-1.10-dose-response", title=TXT("titles.dose_response"),
                  columns=[count_column("n", TXT("labels.number")), mean_column("rho", TXT("dose.rho"), count_of="n"),
                           mean_column("slope", TXT("dose.slope"), count_of="n")])
    between = span(c["from"], c["to"])
    for key, (x, y, base) in dose_data(p).items():
        outcome = fill(TXT("dose.outcome"), composite=TXT(f"composites.{key}"), span=between)
        rho = quiet(spearman, x, y)                       # R cor.test(x, y, method = "spearman")
        slope = quiet(regression_slope, x, y, base)       # R lm(y ~ x + base)
        table.tests += [test_row(key, outcome, rho, over=[f"{key}|n"]),
                        test_row(key, outcome, slope, over=[f"{key}|n"], decimals=4)]
        table.add_row(key, TXT(f"composites.{key}"), {
            "n": count(len(x), link=f"hcs_dose_n_{key}"),
            "rho": number(finite(rho.effect_size), decimals=2, n=len(x)),
            "slope": number(finite(slope.estimate), decimals=4, n=len(x))})
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
        cols += [count_column(f"{key}_n", fill(TXT("dose.band_n"), composite=composite)),
                 mean_column(f"{key}_change", fill(TXT("dose.band_change"), composite=composite), count_of=f"{key}_n")]
    table = Table(id="dose_response_bands", source="002-1.10-dose-response", title=TXT("titles.dose_response_bands"),
                  columns=cols, additive=True, row_lines=())
    for band in c["bands"]:
        cells: dict[str, Any] = {}
        for key, (x, y, _) in data.items():
            m = (x >= band["min"]) & (x <= band["max"])
            cells[f"{key}_n"] = count(m.sum())
            cells[f"{key}_change"] = mean_cell(y[m], decimals=decimals)
        table.add_row(band["key"], fill(TXT("labels.sessions_band"), lo=band["min"], hi=band["max"]), cells)
    totals: dict[str, Any] = {}
    for key, (x, y, _) in data.items():
        totals[f"{key}_n"] = count(len(x), link=f"hcs_dose_n_{key}")
        totals[f"{key}_change"] = mean_cell(y, decimals=decimals)
    table.add_row("total", TXT("labels.total"), totals, is_total=True)
    table.notes = [fill(TXT("dose.notes.bands"), span=span(c["from"], c["to"]))]
    return table
