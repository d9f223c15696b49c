"""Chapter 8 of the publication: students' concern for a friend, counselling offers, who counsels, and
what a teacher does first."""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.compare.survey import filter_base, frequency, share
from evalkit.report._build.survey import frequency_table, share_table
from evalkit.report.model import Table
from evalkit.report.spec import Context

from .competence import ordinal_items
from .policies import multi_table
from .prepare import survey
from .text import TXT, label, level_labels

__all__ = ["counselling_location", "counselling_offer", "counsellor_roles", "friend_concern", "teacher_procedure"]

INST = "mk_institutioner"


def _yes(values: pd.Series) -> np.ndarray:
    return values.astype("boolean").fillna(False).to_numpy(dtype=bool)


def friend_concern(ctx: Context) -> Table:
    """8.2: how often students come forward worried about a friend's use (ordinal)."""
    return ordinal_items(ctx, "friend_concern", "003-8.2", ["friend_concern_freq"],
                         [TXT("notes.friend_concern")], ("top", "top_two"))


def counselling_offer(ctx: Context) -> Table:
    """8.4: specific counselling offer, counselling in the general offer, their overlap and neither."""
    r = survey(ctx).respondents
    specific, general = r["counselling_specific"].astype("boolean"), r["counselling_in_general_offer"].astype("boolean")
    answered = (specific.notna() | general.notna()).to_numpy()
    n = int(answered.sum())
    s, g = _yes(specific), _yes(general)
    rows = [("counselling_specific", label(INST, "counselling_specific"),
             share(int(s.sum()), int(specific.notna().sum()))),
            ("counselling_in_general_offer", label(INST, "counselling_in_general_offer"),
             share(int(g.sum()), int(general.notna().sum()))),
            ("both", TXT("labels.offer.both"), share(int((s & g).sum()), n)),
            ("any", TXT("labels.offer.any"), share(int((s | g).sum()), n)),
            ("neither", TXT("labels.offer.neither"), share(int((answered & ~s & ~g).sum()), n))]
    return share_table("counselling_offer", "003-8.4", TXT("titles.counselling_offer"), rows,
                       [TXT("notes.counselling_offer")])


def counselling_location(ctx: Context) -> Table:
    """8.4: where counselling takes place, on the filtered base of institutions with a specific offer."""
    r = survey(ctx).respondents
    col = "counselling_location"
    base = filter_base(_yes(r["counselling_specific"]), "institutions with a specific counselling offer")
    item = frequency(r[col].astype("object"), list(level_labels(INST, col)), where=base)
    return frequency_table(col, "003-F8.4", TXT("titles.counselling_location"), item, level_labels(INST, col),
                           [TXT("notes.location_filter"), TXT("notes.location_base")],
                           wider_base=base.n_total)


def counsellor_roles(ctx: Context) -> Table:
    """8.5: who counsels (multi-response, institutions with a counselling offer)."""
    return multi_table(ctx, "counsellor_roles", "003-F8.5",
                       ["counsellor_misbrugskonsulent", "counsellor_studievejleder", "counsellor_kontaktlaerer",
                        "counsellor_skolepsykolog", "counsellor_uu_vejleder", "counsellor_andre"],
                       [TXT("notes.counsellor_roles")])


def teacher_procedure(ctx: Context) -> Table:
    """8.5: what a teacher does first on a concern (multi-response)."""
    return multi_table(ctx, "teacher_procedure", "003-8.5",
                       ["teacher_contacts_counselling", "teacher_encourages_student", "teacher_talks_student"],
                       [])
