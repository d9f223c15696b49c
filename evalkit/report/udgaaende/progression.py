"""Chapter 7.2 of seed 000, the means: table 7.2 and figures 7.2a, 7.2c and 7.2d by school type.

>>> from evalkit.report.udgaaende.prepare import sample_context
>>> ctx = sample_context()
>>> round(progression(ctx).cell("hash", "indskrivning").value, 1)
14.9
>>> who5_by_school(ctx).cell("befolkning", "afslutning").value
68.0
"""

from __future__ import annotations

from evalkit.report._build import cells_of
from evalkit.report.model import Cell, Table
from evalkit.report.spec import Context
from evalkit.report.udgaaende.common import Declared, persons, prep, school_rows
from evalkit.report.udgaaende.prepost import (
    change_test,
    mean_columns,
    means_row,
    paired_tests,
)
from evalkit.report.udgaaende.vocabulary import (
    MEASURES,
    SCHOOLS,
    TP,
    TXT,
    constants,
    tp_label,
    txt,
)

__all__ = ["ABSENCE_BY_SCHOOL", "HASH_BY_SCHOOL", "POLYDRUG_BY_SCHOOL", "PROGRESSION", "WHO5_BY_SCHOOL",
           "absence_by_school", "hash_by_school", "polydrug_by_school", "progression", "who5_by_school"]

PROGRESSION = Declared("progression", "000-T7.2-progression",
                       "means at Indskrivning / Afslutning / Opfølgning with n and paired tests")
HASH_BY_SCHOOL = Declared("hash_by_school", "000-F7.2a-hash-skoletype", "cannabis days by school type")
ABSENCE_BY_SCHOOL = Declared("absence_by_school", "000-F7.2c-fravaer-polystof", "illegal absence by school type")
POLYDRUG_BY_SCHOOL = Declared("polydrug_by_school", "000-F7.2c-fravaer-polystof",
                              "poly-drug days by school type (users)")
WHO5_BY_SCHOOL = Declared("who5_by_school", "000-F7.2d-trivsel-skoletype", "WHO-5 by school type, population reference")


def progression(ctx: Context) -> Table:
    """000-T7.2-progression: mean cannabis days, poly-drug days, illegal absence and WHO-5 per time point.

    Completers only (status ``gennemfoert``). Each mean is over the completers with a value at that
    time point (available case: :math:`\\bar x_{T0}` and :math:`\\bar x_{T1}` over :math:`C`,
    :math:`\\bar x_{T2}` over those followed up), with its n beside it. The poly-drug row is over the
    completers with more than 0 poly-drug days at one or more registrations (the table's footnote:
    146 in seed 000). Every change T0 -> T1 and T0 -> T2 gets a paired test on the complete pairs
    (test per row from the constants: Wilcoxon signed-rank for day counts, paired t for WHO-5).

    Parameters
    ----------
    ctx
        A prepared context.

    Returns
    -------
    Table
        Rows ``hash``, ``flere_stoffer``, ``fravaer``, ``who5`` (means) and ``antal`` (completers
        registered at each time point); columns ``indskrivning``, ``afslutning``, ``opfoelgning``
        and ``n_indskrivning``, ``n_afslutning``, ``n_opfoelgning``.

    Examples
    --------
    >>> from evalkit.report.udgaaende.prepare import sample_context
    >>> t = progression(sample_context())
    >>> [round(t.cell("who5", tp).value, 1) for tp in ("indskrivning", "afslutning", "opfoelgning")]
    [52.5, 71.0, 72.0]
    >>> t.cell("antal", "opfoelgning").value, len(t.tests)
    (290, 8)
    """
    p = prep(ctx)
    C = p.completer
    table = PROGRESSION.table(mean_columns())
    for m, measure in MEASURES.items():
        cohort = p.cohort(m, C)
        table.add_row(m, measure.label, means_row(p, m, cohort))
        table.tests += paired_tests(p, m, m, cohort)
    table.add_row("antal", TXT("progression.antal"),
                  {tp: persons(int((C & p.registered[:, i]).sum()), "completers") for i, tp in enumerate(TP)},
                  is_total=True)
    table.notes += [TXT("progression.note"), TXT("progression.footnote")]
    return table


def _by_school(ctx: Context, declared: Declared, measure: str, population_mean: bool = False) -> Table:
    """Means per time point by school type, paired tests per school, and a test of the change between them."""
    p = prep(ctx)
    C = p.completer
    table = declared.table(mean_columns(), additive=True, row_lines=(), plot="lines", plot_columns=TP)
    for key, sel, label in school_rows(p):
        cohort = p.cohort(measure, C & sel)
        table.add_row(key, label, means_row(p, measure, cohort), is_total=key == "total")
        if key != "total":
            table.tests += paired_tests(p, key, measure, cohort, prefix=label)
    if population_mean:
        ref = float(constants()["who5"]["population_mean"])
        table.add_row("befolkning", TXT("who5_by_school.befolkning"),
                      {tp: Cell(ref, "number", decimals=0) for tp in TP})
    a, b = constants()["tests"]["changes"][0]
    v = p.values[measure]
    delta = v[:, TP.index(b)] - v[:, TP.index(a)]
    es, ps = (delta[p.cohort(measure, C & (p.school == s))] for s in (0, 1))
    table.tests.append(change_test("total", txt("by_school.test", a=tp_label(a), b=tp_label(b)), es, ps,
                                   cells_of(SCHOOLS, (f"n_{a}", f"n_{b}"))))
    population = TXT("by_school.users") if measure == "flere_stoffer" else TXT("by_school.completers")
    table.notes.append(txt("by_school.note", population=population))
    return table


def hash_by_school(ctx: Context) -> Table:
    """000-F7.2a-hash-skoletype: cannabis days (last 30) per time point by school type (completers).

    Parameters
    ----------
    ctx
        A prepared context.

    Returns
    -------
    Table
        Rows ``erhvervsskole``, ``produktionsskole``, ``total``; the columns of :func:`progression`.

    Examples
    --------
    >>> from evalkit.report.udgaaende.prepare import sample_context
    >>> t = hash_by_school(sample_context())
    >>> round(t.cell("erhvervsskole", "indskrivning").value), round(t.cell("produktionsskole", "opfoelgning").value, 1)
    (18, 6.1)
    """
    return _by_school(ctx, HASH_BY_SCHOOL, "hash")


def absence_by_school(ctx: Context) -> Table:
    """000-F7.2c-fravaer-polystof (absence): days of illegal absence (last 14) by school type (completers).

    Parameters
    ----------
    ctx
        A prepared context.

    Returns
    -------
    Table
        Rows ``erhvervsskole``, ``produktionsskole``, ``total``; the columns of :func:`progression`.

    Examples
    --------
    >>> from evalkit.report.udgaaende.prepare import sample_context
    >>> t = absence_by_school(sample_context())
    >>> round(t.cell("erhvervsskole", "indskrivning").value, 1), round(t.cell("erhvervsskole", "afslutning").value, 1)
    (1.7, 0.6)
    """
    return _by_school(ctx, ABSENCE_BY_SCHOOL, "fravaer")


def polydrug_by_school(ctx: Context) -> Table:
    """000-F7.2c-fravaer-polystof (poly-drug): days with more than one illegal drug by school type.

    Over the poly-drug users among the completers (the 146 of table 7.2's footnote), split by school.

    Parameters
    ----------
    ctx
        A prepared context.

    Returns
    -------
    Table
        Rows ``erhvervsskole``, ``produktionsskole``, ``total``; the columns of :func:`progression`.

    Examples
    --------
    >>> from evalkit.report.udgaaende.prepare import sample_context
    >>> t = polydrug_by_school(sample_context())
    >>> round(t.cell("produktionsskole", "indskrivning").value, 1), t.cell("total", "n_indskrivning").value
    (4.2, 146)
    """
    return _by_school(ctx, POLYDRUG_BY_SCHOOL, "flere_stoffer")


def who5_by_school(ctx: Context) -> Table:
    """000-F7.2d-trivsel-skoletype: mean WHO-5 (0-100) per time point by school type (completers).

    The printed population mean (68, footnote 14; ``constants.who5.population_mean``) is shown as a
    reference row; it is a constant, not data.

    Parameters
    ----------
    ctx
        A prepared context.

    Returns
    -------
    Table
        Rows ``erhvervsskole``, ``produktionsskole``, ``total``, ``befolkning``; the columns of
        :func:`progression`.

    Examples
    --------
    >>> from evalkit.report.udgaaende.prepare import sample_context
    >>> t = who5_by_school(sample_context())
    >>> [round(t.cell(s, "indskrivning").value) for s in ("erhvervsskole", "produktionsskole")]
    [52, 52]
    """
    return _by_school(ctx, WHO5_BY_SCHOOL, "who5", population_mean=True)
