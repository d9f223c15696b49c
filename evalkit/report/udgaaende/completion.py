"""Chapter 7.1 of seed 000: enrolment, completion, follow-up and the dropouts' development.

>>> from evalkit.report.udgaaende.prepare import sample_context
>>> ctx = sample_context()
>>> completion(ctx).cell("total", "gennemfoert").value, follow_up(ctx).cell("frafaldet", "opfoelgning").value
(333, 38)
"""

from __future__ import annotations

from evalkit.report._build import cells_of, count_column, share, share_column
from evalkit.report.model import Table
from evalkit.report.spec import Context
from evalkit.report.udgaaende.common import (
    Declared,
    chi_square_row,
    joined,
    missing_note,
    persons,
    prep,
    school_rows,
    two_by_two,
)
from evalkit.report.udgaaende.prepost import (
    change_test,
    mean_columns,
    means_row,
    paired_tests,
)
from evalkit.report.udgaaende.vocabulary import (
    GENDERS,
    MEASURES,
    SCHOOLS,
    STATUSES,
    TXT,
    txt,
)

__all__ = ["COMPLETION", "DROPOUTS", "ENROLMENT", "FOLLOW_UP", "completion", "dropouts", "enrolment", "follow_up"]

ENROLMENT = Declared("enrolment", "000-T7.1-indskrevne", "school type x gender, column % (T7.1) and row % (F4.1b)",
                     family="enrolled")
COMPLETION = Declared("completion", "000-F7.1-gennemfoerelse", "completed / dropped out by school type",
                      family="enrolled")
FOLLOW_UP = Declared("follow_up", "000-F7.1-gennemfoerelse", "follow-up among completers and dropouts (fn 13)")
DROPOUTS = Declared("dropouts", "000-F7.1-gennemfoerelse", "dropouts' means and tests against completers (fn 12)",
                    family="dropouts")


def enrolment(ctx: Context) -> Table:
    """000-T7.1-indskrevne / 000-F4.1b: enrolled students by school type and gender.

    Counts :math:`n(s, g)`; the table's column percentage :math:`n(s, g) / n(\\cdot, g)` (as printed
    in T7.1) and the text's row percentage :math:`n(s, g) / n(s, \\cdot)` (000-F4.1b: "70 pct. mænd").

    Parameters
    ----------
    ctx
        A prepared context.

    Returns
    -------
    Table
        Rows ``erhvervsskole``, ``produktionsskole``, ``total``; columns ``kvinde``, ``mand``,
        ``total`` (counts), ``kvinde_pct``, ``mand_pct``, ``total_pct`` (column %),
        ``kvinde_rowpct``, ``mand_rowpct`` (row %). A chi-square test of gender by school type
        (estimate: share of men, production schools minus vocational colleges).

    Examples
    --------
    >>> from evalkit.report.udgaaende.prepare import sample_context
    >>> t = enrolment(sample_context())
    >>> t.cell("erhvervsskole", "mand").value, round(t.cell("erhvervsskole", "mand_rowpct").value, 2)
    (87, 70.16)
    """
    p = prep(ctx)
    valid = (p.school >= 0) & (p.gender >= 0)
    counts = two_by_two(p.gender == GENDERS.index("mand"), p.school, valid)
    columns = [count_column(g, TXT(f"gender.{g}")) for g in GENDERS]
    columns.append(count_column("total", TXT("total"), is_total=True))
    columns += [share_column(f"{g}_pct", TXT(f"enrolment.{g}_pct"), count_of=g) for g in (*GENDERS, "total")]
    columns += [share_column(f"{g}_rowpct", TXT(f"enrolment.{g}_rowpct")) for g in GENDERS]
    table = ENROLMENT.table(columns, additive=True, plot="grouped", plot_columns=("kvinde_rowpct", "mand_rowpct"))
    col_tot = counts.sum(axis=0)
    grand = int(counts.sum())
    for s, key in enumerate(SCHOOLS):
        row = counts[s]
        n = int(row.sum())
        cells = {g: persons(row[i], "enrolled") for i, g in enumerate(GENDERS)}
        cells["total"] = persons(n, "enrolled")
        for i, g in enumerate(GENDERS):
            cells[f"{g}_pct"] = share(row[i], col_tot[i], count_of=joined(key, g, total_row="total"))
            cells[f"{g}_rowpct"] = share(row[i], n, count_of=joined(key, g, "total"))
        cells["total_pct"] = share(n, grand, count_of=joined(key, "total", total_row="total"))
        table.add_row(key, TXT(f"school.{key}"), cells)
    cells = {g: persons(col_tot[i], "enrolled") for i, g in enumerate(GENDERS)}
    cells["total"] = persons(grand, "enrolled")
    for i, g in enumerate(GENDERS):
        cells[f"{g}_pct"] = share(col_tot[i], col_tot[i])
        cells[f"{g}_rowpct"] = share(col_tot[i], grand, count_of=joined("total", g, "total"))
    cells["total_pct"] = share(grand, grand)
    table.add_row("total", TXT("enrolment.total_row"), cells, is_total=True)
    table.notes.append(TXT("enrolment.note"))
    missing_note(table, int((~valid).sum()), "school_or_gender")
    table.tests.append(chi_square_row("enrolment", counts, GENDERS))
    return table


def completion(ctx: Context) -> Table:
    """000-F7.1-gennemfoerelse: completion rate by school type.

    :math:`|C_s| / n(s)` with :math:`C` = status ``gennemfoert`` (105/124, 228/281, 333/405 in seed 000).

    Parameters
    ----------
    ctx
        A prepared context.

    Returns
    -------
    Table
        Rows ``erhvervsskole``, ``produktionsskole``, ``total``; columns ``gennemfoert``,
        ``frafaldet``, ``total`` (counts), ``gennemfoert_pct``, ``frafaldet_pct``. A chi-square test
        of completion by school type ("ikke nævneværdig variation", p. 25; estimate: share dropped
        out, production schools minus vocational colleges).

    Examples
    --------
    >>> from evalkit.report.udgaaende.prepare import sample_context
    >>> t = completion(sample_context())
    >>> t.cell("total", "gennemfoert").value, round(t.cell("total", "gennemfoert_pct").value, 2)
    (333, 82.22)
    """
    p = prep(ctx)
    valid = (p.school >= 0) & (p.status >= 0)
    counts = two_by_two(p.status == STATUSES.index("frafaldet"), p.school, valid)
    columns = [count_column("gennemfoert", TXT("status.gennemfoert")),
               count_column("frafaldet", TXT("status.frafaldet")),
               count_column("total", TXT("completion.total"), is_total=True),
               share_column("gennemfoert_pct", TXT("completion.gennemfoert_pct")),
               share_column("frafaldet_pct", TXT("completion.frafaldet_pct"))]
    table = COMPLETION.table(columns, additive=True, plot="bars", plot_columns=("gennemfoert_pct",))
    for (key, _, label), row in zip(school_rows(p), (counts[0], counts[1], counts.sum(axis=0)), strict=True):
        n = int(row.sum())
        table.add_row(key, label, {
            "gennemfoert": persons(row[0], "completers"), "frafaldet": persons(row[1], "dropouts"),
            "total": persons(n, "enrolled"),
            "gennemfoert_pct": share(row[0], n, count_of=joined(key, "gennemfoert", "total")),
            "frafaldet_pct": share(row[1], n, count_of=joined(key, "frafaldet", "total"))}, is_total=key == "total")
    table.notes.append(TXT("completion.note"))
    missing_note(table, int((~valid).sum()), "school_or_status")
    table.tests.append(chi_square_row("completion", counts, ("gennemfoert", "frafaldet")))
    return table


def follow_up(ctx: Context) -> Table:
    """000-F7.1 footnote 13: Opfølgning among completers and dropouts (290 of 333; 38 of 72).

    A person is followed up when an Opfølgning registration exists.

    Parameters
    ----------
    ctx
        A prepared context.

    Returns
    -------
    Table
        Rows ``gennemfoert``, ``frafaldet``, ``total``; columns ``opfoelgning``,
        ``ingen_opfoelgning``, ``total`` (counts), ``opfoelgning_pct``.

    Examples
    --------
    >>> from evalkit.report.udgaaende.prepare import sample_context
    >>> t = follow_up(sample_context())
    >>> t.cell("gennemfoert", "opfoelgning").value, t.cell("frafaldet", "opfoelgning").value
    (290, 38)
    """
    p = prep(ctx)
    f = p.registered[:, 2]
    columns = [count_column("opfoelgning", TXT("follow_up.opfoelgning")),
               count_column("ingen_opfoelgning", TXT("follow_up.ingen_opfoelgning")),
               count_column("total", TXT("total"), is_total=True),
               share_column("opfoelgning_pct", TXT("follow_up.opfoelgning_pct"))]
    table = FOLLOW_UP.table(columns, additive=True)
    rows = (("gennemfoert", p.completer, TXT("status.gennemfoert"), "completers"),
            ("frafaldet", p.dropout, TXT("status.frafaldet"), "dropouts"),
            ("total", p.status >= 0, TXT("total"), "enrolled"))
    for key, sel, label, family in rows:
        k, n = int((sel & f).sum()), int(sel.sum())
        table.add_row(key, label, {"opfoelgning": persons(k, family), "ingen_opfoelgning": persons(n - k, family),
                                   "total": persons(n, family),
                                   "opfoelgning_pct": share(k, n, count_of=joined(key, "opfoelgning", "total"))},
                      is_total=key == "total")
    table.notes.append(TXT("follow_up.note"))
    return table


def dropouts(ctx: Context) -> Table:
    """000-F7.1 footnotes 12-13: dropouts' development, and whether completers developed more.

    The report says "der kan spores bedre resultater for den gruppe, som gennemfører, end for dem som
    frafalder" without showing them (fn 12). Means at Indskrivning and Opfølgning over the dropouts
    (available case, like the progression table; the poly-drug row over dropouts with poly-drug use),
    a paired test Indskrivning -> Opfølgning, and a Mann-Whitney test of that change, completers
    against dropouts.

    Parameters
    ----------
    ctx
        A prepared context.

    Returns
    -------
    Table
        Rows ``hash``, ``flere_stoffer``, ``fravaer``, ``who5``; columns ``indskrivning``,
        ``opfoelgning``, ``n_indskrivning``, ``n_opfoelgning``.

    Examples
    --------
    >>> from evalkit.report.udgaaende.prepare import sample_context
    >>> t = dropouts(sample_context())
    >>> t.cell("hash", "n_indskrivning").value, t.cell("hash", "n_opfoelgning").value, len(t.tests)
    (72, 38, 8)
    """
    p = prep(ctx)
    tps = ("indskrivning", "opfoelgning")
    table = DROPOUTS.table(mean_columns(tps))
    D, C = p.dropout, p.completer
    for m, measure in MEASURES.items():
        cohort = p.cohort(m, D)
        table.add_row(m, measure.label, means_row(p, m, cohort, "dropouts", time_points=tps))
        table.tests += paired_tests(p, m, m, cohort, prefix=TXT("dropouts.group"), changes=[tps])
        delta = p.values[m][:, 2] - p.values[m][:, 0]
        table.tests.append(change_test(m, txt("dropouts.test", measure=measure.short), delta[p.cohort(m, C)],
                                       delta[cohort], cells_of([m], ("n_indskrivning", "n_opfoelgning"))))
    table.notes.append(TXT("dropouts.note"))
    return table
