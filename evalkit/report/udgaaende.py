"""Report ``udgaaende``: outreach group courses at erhvervsskoler and produktionsskoler (seeds 000/001).

Tables follow the published report's order; each :class:`~evalkit.report.spec.TableSpec` names the
figure it reproduces (ids as in ``../shared/spec/seed000_figures.md``).
"""

from __future__ import annotations

import pandas as pd

from evalkit.report.model import Cell, Column, T, Table
from evalkit.report.spec import Context, ReportSpec, TableSpec

SKOLETYPE = {"erhvervsskole": T("Erhvervsskoler", "Vocational colleges"),
             "produktionsskole": T("Produktionsskoler", "Production schools")}
KOEN = {"kvinde": T("Kvinder", "Women"), "mand": T("Mænd", "Men")}
TOTAL = T("I alt", "Total")


def prepare(ctx: Context) -> None:
    """Person-level frame used by every table (computed once)."""
    ctx.data["deltagere"] = ctx.export["deltagere"]


def enrolment(ctx: Context) -> Table:
    """000-T7.1: enrolled students by school type and gender, counts and column percentages."""
    d: pd.DataFrame = ctx.data["deltagere"]
    counts = pd.crosstab(d["skoletype"], d["koen"], dropna=False)
    table = Table(id="enrolment", source="000-T7.1", title=T("Deltagere fordelt på skoletype og køn",
                                                             "Participants by school type and gender"),
                  columns=[Column("kvinde", KOEN["kvinde"]), Column("mand", KOEN["mand"]),
                           Column("total", TOTAL, is_total=True)], additive=True)
    for code, label in SKOLETYPE.items():
        row = counts.loc[code]
        table.add_row(code, label, {"kvinde": Cell(int(row["kvinde"]), "count"), "mand": Cell(int(row["mand"]), "count"),
                                    "total": Cell(int(row.sum()), "count", link=f"n_{code}")})
    table.add_row("total", TOTAL, {"kvinde": Cell(int(counts["kvinde"].sum()), "count"),
                                   "mand": Cell(int(counts["mand"].sum()), "count"),
                                   "total": Cell(int(counts.to_numpy().sum()), "count", link="n_all")}, is_total=True)
    return table


SPEC = ReportSpec(
    name="udgaaende",
    dataset="udgaaende",
    title=T("Udgående indsatser på ungdomsuddannelser: evalueringstabeller",
            "Outreach group courses at vocational schools: evaluation tables"),
    prepare=prepare,
    tables=(
        TableSpec("enrolment", "000-T7.1", T("Deltagere fordelt på skoletype og køn",
                                              "Participants by school type and gender"), enrolment),
    ),
)
