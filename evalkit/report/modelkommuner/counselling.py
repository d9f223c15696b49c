"""Chapter 8 of the publication: students' concern for a friend, counselling offers, who counsels, and
what a teacher does first."""

from __future__ import annotations

import numpy as np

from evalkit.compare.survey import (
    filter_base,
    frequency,
    multi_response,
    ordinal_summary,
    share,
)
from evalkit.report._build.survey import frequency_table, ordinal_table, share_table
from evalkit.report.model import T, Table
from evalkit.report.spec import Context

from . import text

INST = "mk_institutioner"


def _yes(values) -> np.ndarray:
    return values.astype("boolean").fillna(False).to_numpy(dtype=bool)


def friend_concern(ctx: Context) -> Table:
    """8.2: how often students come forward worried about a friend's use (ordinal)."""
    r = ctx.data["respondents"]
    col = "friend_concern_freq"
    levels = list(text.level_labels(INST, col))
    item = ordinal_summary(r[col].astype("object"), levels)
    return ordinal_table("friend_concern", "003-8.2", T("Elever, der henvender sig med bekymring for en ven",
                                                        "Students who come forward worried about a friend"),
                         [(col, text.label(INST, col), item)], levels, text.level_labels(INST, col),
                         [text.cite("afsnit 8.2", "section 8.2"), text.BASE_44,
                          T("Publikationen trykker 'ind i mellem' (36) og 'ofte' (1); de øvrige svar nævnes ikke.",
                            "The publication prints 'now and then' (36) and 'often' (1); the other answers are not "
                            "mentioned.")], ("top", "top_two"))


def counselling_offer(ctx: Context) -> Table:
    """8.4: specific counselling offer, counselling in the general offer, their overlap and neither."""
    r = ctx.data["respondents"]
    spec_, gen = r["counselling_specific"].astype("boolean"), r["counselling_in_general_offer"].astype("boolean")
    answered = (spec_.notna() | gen.notna()).to_numpy()
    n = int(answered.sum())
    s, g = _yes(spec_), _yes(gen)
    rows = [("counselling_specific", text.label(INST, "counselling_specific"), share(int(s.sum()), int(spec_.notna().sum()))),
            ("counselling_in_general_offer", text.label(INST, "counselling_in_general_offer"),
             share(int(g.sum()), int(gen.notna().sum()))),
            ("both", T("Begge", "Both"), share(int((s & g).sum()), n)),
            ("any", T("Et af dem", "Either"), share(int((s | g).sum()), n)),
            ("neither", T("Ingen af dem", "Neither"), share(int((answered & ~s & ~g).sum()), n))]
    return share_table("counselling_offer", "003-8.4", T("Rådgivningstilbud til elever med rusmiddelproblemer",
                                                         "Counselling offers for students with substance problems"),
                       rows, [text.cite("afsnit 8.4", "section 8.4"), text.BASE_44,
                              T("Publikationen siger ikke, om de 10 med rådgivning i det generelle tilbud er blandt de "
                                "29 med et specifikt tilbud; rækken 'Begge' viser overlappet i disse data.",
                                "The publication does not say whether the 10 with counselling in the general offer are "
                                "among the 29 with a specific offer; the row 'Both' shows the overlap in these data.")])


def counselling_location(ctx: Context) -> Table:
    """8.4: where counselling takes place, on the filtered base of institutions with a specific offer."""
    r = ctx.data["respondents"]
    col = "counselling_location"
    base = filter_base(_yes(r["counselling_specific"]), "institutions with a specific counselling offer")
    item = frequency(r[col].astype("object"), list(text.level_labels(INST, col)), where=base)
    return frequency_table(col, "003-F8.4", T("Hvor rådgivningen foregår (skoler med et specifikt rådgivningstilbud)",
                                              "Where counselling takes place (schools with a specific offer)"),
                           item, text.level_labels(INST, col),
                           [text.cite("afsnit 8.4, figuren om rådgivningens placering", "section 8.4, the figure on "
                                      "where counselling takes place"),
                            T("Filter: skoler med et specifikt rådgivningstilbud; basen er rækken I alt. Kolonnen "
                              "'Pct. af alle' viser de samme antal over alle besvarelser.",
                              "Filter: schools with a specific counselling offer; the base is the row Total. The column "
                              "'% of all' shows the same counts over every respondent."),
                            T("Publikationen angiver ikke basen for 59 % og 21 %; med 44 kan 21 % ikke forekomme "
                              "(9/44 = 20,5 %, 10/44 = 22,7 %), mens 17/29 og 6/29 giver 59 % og 21 %.",
                              "The publication does not state the base of 59% and 21%; with 44, 21% cannot occur "
                              "(9/44 = 20.5%, 10/44 = 22.7%), while 17/29 and 6/29 give 59% and 21%.")],
                           wider_base=base.n_total)


def counsellor_roles(ctx: Context) -> Table:
    """8.5: who counsels (multi-response, schools with a counselling offer)."""
    r = ctx.data["respondents"]
    cols = ["counsellor_misbrugskonsulent", "counsellor_studievejleder", "counsellor_kontaktlaerer",
            "counsellor_skolepsykolog", "counsellor_uu_vejleder", "counsellor_andre"]
    item = multi_response(r, cols)
    rows = [(c, text.label(INST, c), share(int(k), item.base)) for c, k in zip(cols, item.rows["count"])]
    return share_table("counsellor_roles", "003-F8.5", T("Hvem varetager rådgivningen", "Who counsels"), rows,
                       [text.cite("afsnit 8.5 med fodnote 5", "section 8.5 with footnote 5"), text.MULTI,
                        T("Basen (kolonnen Base) er de institutioner med et rådgivningstilbud, der har svaret på "
                          "spørgsmålet. Figurens tal er ikke gengivet i publikationens tekst.",
                          "The base (column Base) is the institutions with a counselling offer that answered the "
                          "question. The figure's values are not in the publication's text.")])


def teacher_procedure(ctx: Context) -> Table:
    """8.5: what a teacher does first on a concern (multi-response)."""
    r = ctx.data["respondents"]
    cols = ["teacher_contacts_counselling", "teacher_encourages_student", "teacher_talks_student"]
    item = multi_response(r, cols)
    rows = [(c, text.label(INST, c), share(int(k), item.base)) for c, k in zip(cols, item.rows["count"])]
    return share_table("teacher_procedure", "003-8.5", T("Lærerens første skridt ved bekymring",
                                                         "The teacher's first step on a concern"), rows,
                       [text.cite("afsnit 8.5", "section 8.5"), text.BASE_44, text.MULTI])


__all__ = ["counselling_location", "counselling_offer", "counsellor_roles", "friend_concern", "teacher_procedure"]
