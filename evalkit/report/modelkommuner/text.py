"""Every printed text of report ``modelkommuner`` in Danish and English: titles, labels, notes.

Sources are cited as the publication: NIRAS, "Evaluering af modelkommuneprojekt Unge, alkohol og
stoffer 2011-2014", with chapter/section and, where the page is known, the page.
"""

from __future__ import annotations

from evalkit.io.schema import dataset
from evalkit.report.model import T, Text

__all__ = ["PUBLICATION", "TITLE", "T", "cite", "closing", "label", "level_labels"]

PUBLICATION = T("NIRAS: Evaluering af modelkommuneprojekt Unge, alkohol og stoffer 2011-2014",
                "NIRAS: Evaluation of the model municipality project Youth, alcohol and drugs 2011-2014")
TITLE = T("Modelkommuneprojekt Unge, alkohol og stoffer: institutioner, politikker, kompetencer og rådgivning",
          "Model municipality project Youth, alcohol and drugs: institutions, policies, skills and counselling")
YES, NO = T("Ja", "Yes"), T("Nej", "No")
PROJECTS_COL = T("Projekter", "Projects")
OF_COL = T("Af", "Of")
NAMES_COL = T("Projekter (navn)", "Projects (name)")


def cite(where_da: str, where_en: str | None = None) -> Text:
    """'Kilde: NIRAS ..., afsnit 6.4' in both languages."""
    return T(f"Kilde: {PUBLICATION.da}, {where_da}.", f"Source: {PUBLICATION.en}, {where_en or where_da}.")


def label(table: str, column: str) -> Text:
    """A column's label from the data dictionary."""
    col = dataset("modelkommuner").table(table).column(column)
    return T(col.label_da, col.label_en)


def level_labels(table: str, column: str) -> dict[str, Text]:
    """The level labels of a category column, by code."""
    col = dataset("modelkommuner").table(table).column(column)
    return {v.code: T(v.label_da, v.label_en) for v in col.values}


BASE_44 = T("Basen er de institutioner, der har besvaret spørgeskemaet (november 2014); procenter er af dem, der "
            "har svaret på spørgsmålet, med 95 %-konfidensinterval (Wilson).",
            "The base is the institutions that answered the survey (November 2014); percentages are of those "
            "answering the question, with a 95% confidence interval (Wilson).")
MULTI = T("Flere svar mulige: procent af institutionerne (ikke af svarene), så summen kan overstige 100 %.",
          "Several answers possible: per cent of the institutions (not of the answers), so the sum can exceed 100%.")
CLUSTER = T("Institutionerne hører til 6 modelprojekter i 8 kommuner. Et udsagn om projekterne har n = 6 og kan "
            "kun testes eksakt over projekterne (3 mod 3 projekter: mindste mulige p = 2/20 = 0,10) eller beskrives; "
            "testene på institutionsniveau ser bort fra klyngerne og er kun vejledende.",
            "The institutions belong to 6 model projects in 8 municipalities. A claim about the projects has n = 6 "
            "and can only be tested exactly over the projects (3 against 3 projects: smallest possible p = "
            "2/20 = 0.10) or described; tests at institution level ignore the clustering and are indicative only.")
DESIGN = T("Undersøgelsen er én tværsnitsmåling efter projektet (november 2014) uden sammenligningsgruppe og med "
           "tilbageskuende selvrapportering; publikationen siger selv, at det er for tidligt at spore en effekt "
           "(afsnit 8.2). Tabellerne er derfor beskrivende.",
           "The survey is one cross-section after the project (November 2014) without a comparison group and with "
           "retrospective self-report; the publication itself says it is too early to detect an effect "
           "(section 8.2). The tables are therefore descriptive.")
DISCLOSURE = T("Diskretionering: tærsklen gælder antal institutioner på samme måde som antal personer (små antal "
               "og de antal, de kan udledes af, vises som x). Antal projekter diskretioneres ikke: de seks projekter "
               "er navngivet i publikationen.",
               "Disclosure control: the threshold applies to counts of institutions as it does to counts of persons "
               "(small counts, and counts they could be derived from, are shown as x). Counts of projects are not "
               "suppressed: the six projects are named in the publication.")
PROJECT_ASSIGNMENT = T("Hvor publikationen ikke nævner, hvilke projekter et antal gælder, er fordelingen på projekter "
                       "dataleverandørens (i eksempeldata: et syntetisk valg).",
                       "Where the publication does not say which projects a count refers to, the assignment to "
                       "projects is the data provider's (in the sample data: a synthetic choice).")


def closing(n_figures: int) -> Text:
    """The closing note: how many printed figures the catalogue holds."""
    return T(f"Figurkataloget til publikationen rummer {n_figures} trykte tal, som rapporten gengiver eller "
             "forklarer afvigelsen fra.",
             f"The figure catalogue of the publication holds {n_figures} printed figures that the report reproduces "
             "or explains the deviation from.")
