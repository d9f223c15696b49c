"""Chapter 7 of the publication: training of staff, awareness and the ability to handle and support."""

from __future__ import annotations

from evalkit.compare.survey import ordinal_summary, share
from evalkit.report._build.survey import ordinal_table, share_table
from evalkit.report.model import T, Table
from evalkit.report.spec import Context

from . import text

INST = "mk_institutioner"


def _ordinal(ctx: Context, table_id: str, source: str, title, columns: list[str], notes, boxes) -> Table:
    r = ctx.data["respondents"]
    levels = list(text.level_labels(INST, columns[0]))
    items = [(c, text.label(INST, c), ordinal_summary(r[c].astype("object"), levels)) for c in columns]
    return ordinal_table(table_id, source, title, items, levels, text.level_labels(INST, columns[0]), notes, boxes)


def training(ctx: Context) -> Table:
    """7.1: share of teachers trained in detection and in support, with the top-two box and 'ingen'."""
    return _ordinal(ctx, "training", "003-7.1", T("Lærere med efteruddannelse", "Teachers with further training"),
                    ["training_opspore", "training_stoette"],
                    [text.cite("afsnit 7.1", "section 7.1"), text.BASE_44,
                     T("De to øverste kategorier er publikationens 'over halvdelen' eller 'alle' lærere; den nederste "
                       "er 'ingen'. Samme institutioner svarer på begge spørgsmål, så en sammenligning er parret "
                       "(McNemar).",
                       "The top two boxes are the publication's 'more than half' or 'all' teachers; the bottom box is "
                       "'none'. The same institutions answer both questions, so a comparison is paired (McNemar)."),
                     T("Publikationen kalder halveringen fra 14 til 7 institutioner 'en lidt mindre andel'.",
                       "The publication calls the halving from 14 to 7 institutions 'a slightly smaller share'.")],
                    ("top_two", "bottom"))


def awareness(ctx: Context) -> Table:
    """7.3: awareness now, increased awareness and the ability to handle/support ('i høj grad')."""
    return _ordinal(ctx, "awareness", "003-7.3", T("Opmærksomhed og evne til at håndtere og støtte",
                                                   "Awareness and ability to handle and support"),
                    ["aware_now", "aware_increased", "handle_support_now"],
                    [text.cite("afsnit 7.3, s. 43-44", "section 7.3, pp. 43-44"), text.BASE_44,
                     T("Publikationen trykker kun 'i høj grad' (øverste kategori): 24 (55 %), 17 (39 %) og 17 (39 %); "
                       "forskellen på 16 procentpoint kaldes 'et lidt lavere antal'.",
                       "The publication prints only 'to a high degree' (top box): 24 (55%), 17 (39%) and 17 (39%); "
                       "the 16-point difference is called 'a slightly lower number'.")],
                    ("top", "top_two"))


def handling_improved(ctx: Context) -> Table:
    """7.3: institutions that have become better at handling and supporting in the past three years."""
    r = ctx.data["respondents"]
    col = "handle_support_improved_3y"
    values = r[col].astype("boolean")
    base = int(values.notna().sum())
    return share_table("handling_improved", "003-7.3", T("Blevet bedre til at håndtere og støtte",
                                                         "Better at handling and support"),
                       [(col, text.label(INST, col), share(int(values.fillna(False).sum()), base))],
                       [text.cite("afsnit 7.3, s. 44", "section 7.3, p. 44"), text.BASE_44,
                        T("Publikationen angiver ikke, hvilke svarkategorier 'blevet bedre' dækker.",
                          "The publication does not say which answers 'became better' covers.")])


__all__ = ["awareness", "handling_improved", "training"]
