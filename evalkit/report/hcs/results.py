"""Chapter 4 of the model description (results), ASI: means by time point, their n, aftercare groups.

Tables 002-1.10: ASI stof / psykisk for everybody measured, everybody enrolled (LOCF) and complete
cases, with paired t and Wilcoxon tests of the stated contrasts; the same by efterbehandling, with the
groups' change compared (Mann-Whitney U).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from evalkit.compare import mann_whitney, paired_t, wilcoxon
from evalkit.report._build import (
    count,
    count_column,
    mean_cell,
    mean_column,
    prepared,
    quiet,
    test_row,
)
from evalkit.report.hcs._text import TXT, fill, joined, span, time_point
from evalkit.report.hcs.prepare import HcsPrepared
from evalkit.report.model import Column, Table, TestRow, Text
from evalkit.report.spec import Context

COMPOSITES = ("asi_stof", "asi_psykisk")
VARIANTS = ("observed", "itt_locf", "complete")
AFTERCARE = {1: ("efterbehandling", "asi.with_aftercare"), 0: ("uden_efterbehandling", "asi.without_aftercare")}


def asi_variants(p: HcsPrepared, mask: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
    """Per composite, the scores (persons x time points) of the persons in ``mask`` as ``observed``
    (as measured), ``itt_locf`` (everybody with an intake score; the last in-course score carried to
    the later in-course time points, follow-ups not imputed) and ``complete`` (a score at every
    in-course time point)."""
    course = [p.asi.time_points.index(t) for t in p.constants["asi"]["in_course"]]
    out = {}
    for key in COMPOSITES:
        s = p.asi.scores[key][mask]
        itt = np.full_like(s, np.nan)
        itt[:, course] = p.asi_in_course_locf[key][mask]
        itt = itt[~np.isnan(s[:, course[0]])]
        out[key] = {"observed": s, "itt_locf": itt, "complete": s[~np.isnan(s[:, course]).any(axis=1)]}
    return out


def paired_tests(pre: np.ndarray, post: np.ndarray, row: str, outcome: Text, decimals: int,
                 suppressed: bool = False) -> list[TestRow]:
    """Paired t-test and Wilcoxon signed-rank test of post - pre (either, Holm over the report)."""
    return [test_row(row, outcome, quiet(paired_t, pre, post), decimals=decimals, suppressed=suppressed),
            test_row(row, outcome, quiet(wilcoxon, pre, post), decimals=decimals, suppressed=suppressed)]


def _notes(p: HcsPrepared) -> list[Text]:
    detail = joined([fill(TXT("asi.notes.source_detail"), key=TXT(f"composites.{k}"), **v)
                     for k, v in p.asi.sources.items()])
    in_course = joined([time_point(tp) for tp in p.constants["asi"]["in_course"]], ", ")
    return [fill(TXT("asi.notes.variants"), in_course=in_course),
            fill(TXT("asi.notes.composites"), detail=detail), TXT("asi.notes.tests")]


def _time_point_columns(p: HcsPrepared, kind: Callable[..., Column] = mean_column) -> list[Column]:
    """One column per ASI time point (means; ``kind=count_column`` for the n table)."""
    return [kind(tp, time_point(tp)) for tp in p.asi.time_points]


def _row_label(key: str, variant: Text) -> Text:
    return fill(TXT("asi.row"), composite=TXT(f"composites.{key}"), variant=variant)


def asi_means(ctx: Context) -> Table:
    """002-1.10: ASI stof and ASI psykisk at every time point; paired tests for the stated contrasts."""
    p = prepared(ctx, HcsPrepared)
    c, tps = p.constants["asi"], p.asi.time_points
    table = Table(id="asi_means", source="002-1.10-asi", title=TXT("titles.asi_means"),
                  columns=_time_point_columns(p), plot="lines")
    for key, variants in asi_variants(p, p.cohort).items():
        for variant in VARIANTS:
            grid = variants[variant]
            table.add_row(f"{key}_{variant}", _row_label(key, TXT(f"asi.variants.{variant}")),
                          {tp: mean_cell(grid[:, j], decimals=c["decimals"]) for j, tp in enumerate(tps)})
        obs = variants["observed"]
        for a, b in c["contrasts"]:
            outcome = fill(TXT("asi.contrast"), composite=TXT(f"composites.{key}"), span=span(a, b))
            table.tests += paired_tests(obs[:, tps.index(a)], obs[:, tps.index(b)], f"{key}_observed", outcome,
                                        c["decimals"])
    table.notes = _notes(p)
    return table


def asi_n(ctx: Context) -> Table:
    """002-1.10: the number of persons behind every mean of ``asi_means``."""
    p = prepared(ctx, HcsPrepared)
    table = Table(id="asi_n", source="002-1.10-asi", title=TXT("titles.asi_n"),
                  columns=_time_point_columns(p, count_column))
    for key, variants in asi_variants(p, p.cohort).items():
        for variant in VARIANTS:
            grid = variants[variant]
            table.add_row(f"{key}_{variant}", _row_label(key, TXT(f"asi.variants.{variant}")),
                          {tp: count((~np.isnan(grid[:, j])).sum()) for j, tp in enumerate(p.asi.time_points)})
    table.notes = _notes(p)[:1]
    return table


def asi_by_aftercare(ctx: Context) -> Table:
    """002-1.10: ASI by efterbehandling, paired tests within each group, change compared between groups."""
    p = prepared(ctx, HcsPrepared)
    c, tps = p.constants, p.asi.time_points
    decimals = c["asi"]["decimals"]
    table = Table(id="asi_by_aftercare", source="002-1.10-aftercare", title=TXT("titles.asi_by_aftercare"),
                  columns=_time_point_columns(p), plot="lines")
    by_group = {g: asi_variants(p, p.cohort & (p.aftercare == g)) for g in AFTERCARE}
    for key in COMPOSITES:
        composite = TXT(f"composites.{key}")
        observed = {g: by_group[g][key]["observed"] for g in AFTERCARE}
        # complementary suppression across the two groups: their n add up to the n of asi_n (everybody
        # measured), so a small group hides the other group's mean too (else it follows by subtraction)
        hidden = np.zeros(len(tps), dtype=bool)
        for obs in observed.values():
            hidden |= _small(ctx, (~np.isnan(obs)).sum(axis=0))
        tests: dict[tuple[str, str], list[tuple[str, Text, np.ndarray, np.ndarray]]] = {}
        for group, (suffix, glabel) in AFTERCARE.items():
            obs = observed[group]
            row = f"{key}_{suffix}"
            cells = {tp: mean_cell(obs[:, j], decimals=decimals) for j, tp in enumerate(tps)}
            for j in np.flatnonzero(hidden):
                cells[tps[j]].suppress("complementary")
            table.add_row(row, _row_label(key, TXT(glabel)), cells)
            for a, b in c["asi"]["contrasts"]:
                outcome = fill(TXT("asi.group_contrast"), composite=composite, group=TXT(glabel), span=span(a, b))
                tests.setdefault((a, b), []).append((row, outcome, obs[:, tps.index(a)], obs[:, tps.index(b)]))
        for group_pairs in tests.values():   # both groups' tests of one contrast are hidden together
            hide = bool(_small(ctx, np.array([(~np.isnan(pre) & ~np.isnan(post)).sum()
                                               for _, _, pre, post in group_pairs])).any())
            for row, outcome, pre, post in group_pairs:
                table.tests += paired_tests(pre, post, row, outcome, decimals, suppressed=hide)
        for a, b in c["aftercare"]["between_contrasts"]:
            change = {g: observed[g][:, tps.index(b)] - observed[g][:, tps.index(a)] for g in AFTERCARE}
            outcome = fill(TXT("asi.change_between"), composite=composite, span=span(a, b))
            table.tests.append(_group_change_test(ctx, change[0], change[1], f"{key}_efterbehandling", outcome,
                                                  decimals))
    table.notes = [*_notes(p), TXT("asi.notes.aftercare")]
    return table


def _small(ctx: Context, n: np.ndarray) -> np.ndarray:
    """Which counts are below the disclosure threshold (0 is not small: nothing to disclose)."""
    return ctx.options.disclosure & (n > 0) & (n < ctx.options.min_cell)


def _group_change_test(ctx: Context, without: np.ndarray, with_: np.ndarray, row: str, outcome: Text,
                       decimals: int) -> TestRow:
    """Mann-Whitney U on change scores, with aftercare minus without; suppressed when either group is
    smaller than ``min_cell`` (the test describes each group; the disclosure step sees only the total n)."""
    a, b = without[~np.isnan(without)], with_[~np.isnan(with_)]
    small = bool(_small(ctx, np.array([min(a.size, b.size)])).any())
    return test_row(row, outcome, quiet(mann_whitney, a, b), decimals=decimals, suppressed=small)
