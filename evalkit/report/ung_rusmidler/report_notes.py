"""The notes that hold for many tables of the report, said once at its top: the UngMap cohort, the
cohort of each TEM grouping, the LOCF rule and the rules of the derived TEM measures.

The chapter builders no longer repeat them under each table; every note here names the tables it
applies to (by their grouping or measure), so a reader can tell which cohort a table uses.
"""

from __future__ import annotations

from evalkit.report._build.bilingual import fill, number
from evalkit.report.model import Text
from evalkit.report.ung_rusmidler.prepared import Prepared
from evalkit.report.ung_rusmidler.text import TXT

#: TEM groupings in the order of the report, and the title words that name their tables.
_GROUPINGS = ("behandling", "ungeprofil", "risikoprofil", "udskrivning", "raadgivning", "gruppe", "opioid")


def ungmap_cohort(prep: Prepared) -> Text:
    """The cohort of every UngMap table (treatment episodes with an UngMap, age filter)."""
    n = prep.ungmap["episode"].size
    age = prep.c["cohort"]["ungmap_min_age"]
    return fill(TXT("report_notes.ungmap_tables"),
                note=fill(TXT("templates.ungmap_cohort"), n=number(n), age=age))


def report_notes(prep: Prepared) -> list[Text]:
    """The report-level notes, computed from the prepared data (cohort sizes, forms counted)."""
    notes = [ungmap_cohort(prep)]
    cohorts: dict[tuple[Text, int], list[Text]] = {}   # groupings over the same cohort share one note
    for key in _GROUPINGS:
        g = prep.groupings.get(key)
        if g is not None:
            cohorts.setdefault((g.cohort, int((g.codes >= 0).sum())), []).append(g.label)
    for (cohort, n), labels in cohorts.items():
        grouping = Text(" og ".join(x.da for x in labels), " and ".join(x.en for x in labels))
        notes.append(fill(TXT("report_notes.tem_cohort"), grouping=grouping, cohort=cohort, n=number(n)))
    for k in sorted({prep.grids[g.grid].upto for g in prep.groupings.values()}):
        notes.append(fill(TXT("templates.locf_rule"), k=k))
    c = prep.c["tem"]
    ref = float(prep.c["references"]["danske_unge"]["trivsel"])
    notes.append(fill(TXT("templates.samlet_rule"), method=TXT(f"rules.samlet_method.{c['samlet_method']}"),
                      missing=TXT(f"rules.samlet_missing.{c['samlet_missing']}"), reference=number(ref, 2)))
    notes.append(fill(TXT("templates.tem30_rule"), n30=prep.tem_notes.get("tem30_forms", 0),
                      policy=TXT(f"rules.tem30.{c['tem30']}")))
    notes.append(fill(TXT("templates.drug_free_rule"), method=TXT(f"rules.drug_free_method.{c['drug_free_method']}")))
    return notes
