"""Section 6.1: episodes by type, cohort and municipality; age and sex (004-F6.3, 6.4)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.report._build import count, mean_cell, share
from evalkit.report._build.bilingual import fill
from evalkit.report.model import Cell, Column, T, Table
from evalkit.report.spec import Context
from evalkit.report.ung_rusmidler.cells import (
    _chi_square,
    _kruskal,
    _row,
)
from evalkit.report.ung_rusmidler.common import TOTAL, TYPE_LABEL, TYPE_SHORT, TYPES
from evalkit.report.ung_rusmidler.prepared import _prep
from evalkit.report.ung_rusmidler.text import TXT


def _forloeb_type(ctx: Context) -> Table:
    """004-F6.3: episodes by type and cohort of municipalities."""
    prep = _prep(ctx)
    ep = prep.episodes
    fl = prep.c["cohort"]["forloeb"]
    cols = [Column(f["key"], T(f["da"], f["en"])) for f in fl]
    unknown_fl = bool((ep["forloeb"] < 0).any())
    if unknown_fl:
        cols.append(Column("forloeb_ukendt", TXT("forloeb.cohort_unknown")))
    cols.append(Column("total", TOTAL, is_total=True))
    table = Table(id="forloeb_type", source="004-F6.3",
                  title=TXT("tables.forloeb_type.title"),
                  columns=cols, additive=True)
    nrs = [int(f["nr"]) for f in fl] + ([-1] if unknown_fl else [])
    keys = [f["key"] for f in fl] + (["forloeb_ukendt"] if unknown_fl else [])
    for code, typ in enumerate(TYPES):
        sel = ep["type"] == code
        cells = {k: count((sel & (ep["forloeb"] == nr)).sum()) for k, nr in zip(keys, nrs, strict=True)}
        cells["total"] = count(sel.sum(), link=f"episoder_{typ}")
        table.add_row(typ, TYPE_LABEL[typ], cells)
    known_type = ep["type"] >= 0
    if not known_type.all():
        sel = ~known_type
        cells = {k: count((sel & (ep["forloeb"] == nr)).sum()) for k, nr in zip(keys, nrs, strict=True)}
        cells["total"] = count(sel.sum())
        table.add_row("type_ukendt", TXT("forloeb.episode_type_unknown"), cells)
    cells = {k: count((ep["forloeb"] == nr).sum()) for k, nr in zip(keys, nrs, strict=True)}
    cells["total"] = count(ep["type"].size, link="episoder_alle")
    table.add_row("total", TOTAL, cells, is_total=True)
    # Seed 004 p. 6.1 text: "120 rådgivningsforløb" = anonymous and named counselling together.
    sel = np.isin(ep["type"], [TYPES.index("anonym_raadgivning"), TYPES.index("raadgivning")])
    cells = {k: count((sel & (ep["forloeb"] == nr)).sum()) for k, nr in zip(keys, nrs, strict=True)}
    cells["total"] = count(sel.sum())
    table.add_row("raadgivning_i_alt", TXT("cells.counselling_total"), cells,
                  sum_of=("anonym_raadgivning", "raadgivning"))
    table.notes.append(TXT("forloeb.unit_logbog_episodes_a_youth"))
    return table


def _forloeb_kommune(ctx: Context) -> Table:
    """004-F6.3 by municipality: episodes by type and municipality."""
    prep = _prep(ctx)
    ep = prep.episodes
    cols = [Column(t, TYPE_SHORT[t]) for t in TYPES] + [Column("total", TOTAL, is_total=True)]
    table = Table(id="forloeb_kommune", source="004-F6.3",
                  title=TXT("tables.forloeb_kommune.title"), columns=cols, additive=True)
    rows: list[tuple[str, str | None]] = list(prep.kommuner)
    other = len(rows)
    if (ep["kommune"] == other).any():
        rows.append(("anden_kommune", None))
    for i, (key, name) in enumerate(rows):
        sel = ep["kommune"] == i
        cells = {t: count((sel & (ep["type"] == code)).sum()) for code, t in enumerate(TYPES)}
        cells["total"] = count(sel.sum())
        table.add_row(key, T(name) if name else TXT("forloeb.other_municipality"), cells)
    cells = {t: count((ep["type"] == code).sum(), link=f"episoder_{t}") for code, t in enumerate(TYPES)}
    cells["total"] = count(ep["type"].size, link="episoder_alle")
    table.add_row("total", TOTAL, cells, is_total=True)
    table.notes.append(TXT("forloeb.municipalities_in_cohort_order_figure"))
    return table


def _alder_koen(ctx: Context) -> Table:
    """004-F6.4: mean age and share of women by episode type; tests for age and sex across types."""

    prep = _prep(ctx)
    ep = prep.episodes
    under = prep.c["cohort"]["under_age"]
    table = Table(id="alder_koen", source="004-F6.4",
                  title=TXT("tables.alder_koen.title"),
                  columns=[Column(t, TYPE_SHORT[t]) for t in TYPES] + [Column("alle", TXT("cells.all_episodes"))],
                  additive=True, row_lines=())
    rows: dict[str, dict[str, Cell]] = {k: {} for k in ("antal", "gns_alder", "kvinder", "kvinder_pct", "maend",
                                                       "koen_ukendt", "under_18", "under_18_pct", "over_18_pct")}
    for code, t in enumerate(TYPES):
        sel = ep["type"] == code
        sex = ep["sex"][sel]
        age = ep["age"][sel]
        known_sex = int((sex >= 0).sum())
        known_age = age[~np.isnan(age)]
        rows["antal"][t] = count(sel.sum(), link=f"episoder_{t}")
        rows["gns_alder"][t] = mean_cell(age)
        rows["kvinder"][t] = count((sex == 0).sum())
        rows["kvinder_pct"][t] = share((sex == 0).sum(), known_sex, count_of=f"kvinder|{t}")
        rows["maend"][t] = count((sex == 1).sum())
        rows["koen_ukendt"][t] = count((sex < 0).sum())
        rows["under_18"][t] = count((known_age < under).sum())
        rows["under_18_pct"][t] = share((known_age < under).sum(), known_age.size)
        rows["over_18_pct"][t] = share((known_age >= under).sum(), known_age.size)
    all_age = ep["age"][~np.isnan(ep["age"])]
    rows["under_18_pct"]["alle"] = share((all_age < under).sum(), all_age.size)
    labels = {"antal": TXT("forloeb.episodes"), "gns_alder": TXT("forloeb.mean_age_years"),
              "kvinder": TXT("forloeb.women"), "kvinder_pct": TXT("forloeb.share_of_women"),
              "maend": TXT("forloeb.men"), "koen_ukendt": TXT("forloeb.sex_unknown"),
              "under_18": fill(TXT("cells.under_age"), age=under),
              "under_18_pct": fill(TXT("templates.share_under_age"), age=under),
              "over_18_pct": fill(TXT("cells.share_at_least_age"), age=under)}
    for key, cells in rows.items():   # under 18 is a subset of the episodes, outside the column's sum
        table.add_row(key, labels[key], cells, in_sums=key != "under_18")
    known = (ep["type"] >= 0) & (ep["sex"] >= 0)
    res, hide = _chi_square(ctx, pd.crosstab(ep["type"][known], ep["sex"][known]).to_numpy())
    table.tests.append(_row("kvinder_pct", TXT("forloeb.sex_by_episode_type"), res, hide))
    okt = ep["type"] >= 0
    table.tests.append(_row("gns_alder", TXT("forloeb.age_by_episode_type"),
                                 _kruskal(ctx, ep["age"][okt], ep["type"][okt])))
    table.notes.append(TXT("forloeb.age_at_the_start_of"))
    return table
