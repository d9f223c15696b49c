"""Figures printed in the running text of chapter 6 (issue 17): repeat youths, UngMap coverage, opioid use by
municipality and group courses, each a small table of counts from the prepared episode arrays."""

from __future__ import annotations

import numpy as np

from evalkit.report._build import count, share
from evalkit.report._build.bilingual import fill
from evalkit.report.model import Column, T, Table
from evalkit.report.spec import Context
from evalkit.report.ung_rusmidler.common import TYPES
from evalkit.report.ung_rusmidler.prepared import _prep
from evalkit.report.ung_rusmidler.text import TXT


def _gengangere(ctx: Context) -> Table:
    """Seed 004 section 6.2 text: youths with more than one Logbog episode.

    A youth is the episode's ``person_key``; episodes are ordered by start date (then file order).
    """
    ep = _prep(ctx).episodes
    known = ep["person"] >= 0
    person, start, typ = ep["person"][known], ep["start"][known], ep["type"][known]
    order = np.lexsort((np.where(np.isnan(start), np.inf, start), person))
    person, typ = person[order], typ[order]
    n_people = int(person.max()) + 1 if person.size else 0
    episodes = np.bincount(person, minlength=n_people)
    treat = TYPES.index("behandling")
    treatments = np.bincount(person, weights=(typ == treat), minlength=n_people)
    first = np.ones(person.size, dtype=bool)
    first[1:] = person[1:] != person[:-1]
    first_type = np.full(n_people, -1, dtype=np.int64)
    first_type[person[first]] = typ[first]
    repeat = episodes >= 2
    counselling_first = (first_type >= 0) & (first_type != treat)
    table = Table(id="gengangere", source="004-Q", title=TXT("tables.gengangere.title"),
                  columns=[Column("antal", TXT("cells.youths"))])
    table.add_row("i_alt", TXT("cells.repeat_youths"), {"antal": count(repeat.sum())})
    table.add_row("raadgivning_til_behandling", TXT("cells.counselling_then_treatment"),
                  {"antal": count((repeat & counselling_first & (treatments >= 1)).sum())})
    table.add_row("genindskrevet_i_behandling", TXT("cells.treatment_again"),
                  {"antal": count((treatments >= 2).sum())})
    table.notes.append(TXT("cells.repeat_note"))
    return table


def _ungmap_daekning(ctx: Context) -> Table:
    """Seed 004 section 6.3 text: UngMaps of treatment episodes and the youths left out for age."""
    prep = _prep(ctx)
    ep = prep.episodes
    treat = int((ep["type"] == TYPES.index("behandling")).sum())
    table = Table(id="ungmap_daekning", source="004-Q", title=TXT("tables.ungmap_daekning.title"),
                  columns=[Column("behandling", TXT("udskrivning.treatment"))])
    table.add_row("forloeb", TXT("cells.treatment_episodes"), {"behandling": count(treat)})
    table.add_row("ungmap", TXT("cells.ungmaps_in_analyses"), {"behandling": count(prep.ungmap["episode"].size)})
    table.add_row("svarprocent", TXT("cells.response_rate"),
                  {"behandling": share(prep.ungmap["episode"].size, treat, count_of="ungmap|behandling")})
    table.add_row("under_15", fill(TXT("cells.under_min_age"), age=prep.c["cohort"].get("ungmap_min_age")),
                  {"behandling": count(prep.ungmap_under_min_age)})
    table.notes.append(TXT("cells.ungmap_note"))
    return table


def _opioider_kommune(ctx: Context) -> Table:
    """Seed 004 section 6.3 text: share of UngMaps with opioid use in the last 30 days, by municipality."""
    prep = _prep(ctx)
    um = prep.ungmap
    kommune = prep.episodes["kommune"][um["episode"]]
    user = um["opioider"] == 1.0
    known = ~np.isnan(um["opioider"])
    table = Table(id="opioider_kommune", source="004-Q", title=TXT("tables.opioider_kommune.title"),
                  columns=[Column("antal", TXT("cells.opioid_users")), Column("n", TXT("cells.ungmaps")),
                           Column("pct", TXT("ungmap.share"))])
    names = [(k, T(name)) for k, name in prep.kommuner] + [("anden_kommune", TXT("forloeb.other_municipality"))]
    best = None
    for i, (key, label) in enumerate(names):
        sel = (kommune == i) & known
        n = int(sel.sum())
        if n == 0:
            continue
        k = int((sel & user).sum())
        table.add_row(key, label, {"antal": count(k), "n": count(n), "pct": share(k, n, count_of=f"{key}|antal")})
        if best is None or k / n > best[0] / best[1]:
            best = (k, n)
    if best is not None:
        table.add_row("hoejeste", TXT("cells.highest_municipality"), {"pct": share(best[0], best[1])})
    table.notes.append(TXT("cells.opioid_note"))
    return table


def _gruppeforloeb(ctx: Context) -> Table:
    """Seed 004 section 6.5 text: municipalities with at least one group-course TEM form."""
    prep = _prep(ctx)
    has = prep.grids["gruppe"].n_forms > 0
    table = Table(id="gruppeforloeb", source="004-Q", title=TXT("tables.gruppeforloeb.title"),
                  columns=[Column("antal", TXT("ungmap.number"))])
    table.add_row("kommuner", TXT("cells.municipalities"),
                  {"antal": count(np.unique(prep.episodes["kommune"][has]).size)})
    table.add_row("forloeb", TXT("cells.episodes_with_group_forms"), {"antal": count(has.sum())})
    table.notes.append(TXT("cells.group_note"))
    return table
