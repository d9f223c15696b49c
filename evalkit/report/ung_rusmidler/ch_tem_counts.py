"""Section 6.4: the counts-of-forms tables (004-F6.23, 6.24, 6.25, 6.29, 6.32)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from evalkit.report._build import count
from evalkit.report._build.bilingual import fill
from evalkit.report.model import Column, T, Table, Text
from evalkit.report.spec import Context, TableSpec
from evalkit.report.ung_rusmidler.common import TYPES
from evalkit.report.ung_rusmidler.prepared import Prepared, _prep
from evalkit.report.ung_rusmidler.text import TXT


def _reg_columns(K: int) -> list[Column]:
    return [Column(f"tem_{k}", T(f"TEM {k}")) for k in range(1, K + 1)]


def _counts_table(tid: str, source: str, title: Text, grid_key: str, mask: Callable[[Prepared], np.ndarray],
                  note: Text, *, most_cell: bool = False) -> TableSpec:
    def build(ctx: Context) -> Table:
        prep = _prep(ctx)
        grid = prep.grids[grid_key]
        K = grid.upto
        sel = mask(prep)
        at_least = grid.n_with_form(sel)   # units with >= k forms, k = 1..K
        columns = _reg_columns(K) + ([Column("max", TXT("cells.most"))] if most_cell else [])
        table = Table(id=tid, source=source, title=title, columns=columns)
        table.add_row("antal_unge", TXT("tem_counts.number_of_youths"),
                      {f"tem_{k}": count(at_least[k - 1]) for k in range(1, K + 1)})
        more = int((grid.n_forms[sel] > K).sum())
        table.notes.append(note)
        most = int(grid.n_forms[sel].max()) if sel.any() else 0
        if most_cell:   # seed 004 p. 6.4: "op til 39 skemaer" for one youth (forms before the cut at K)
            table.add_row("skemaer_pr_forloeb", TXT("cells.forms_per_episode"), {"max": count(most)})
        table.notes.append(fill(TXT("templates.forms_counted"), k=K, more=more, most=most))
        return table

    return TableSpec(tid, source, title, build)


def _unit_type(prep: Prepared, *types: str) -> np.ndarray:
    t = np.where(prep.grids["main"].n_forms > 0, prep.episodes["type"], -1)
    return np.isin(t, [TYPES.index(x) for x in types])


def _counts_specs() -> list[TableSpec]:
    def beh(p: Prepared) -> np.ndarray:
        return _unit_type(p, "behandling")

    return [
        _counts_table("tem_antal_raadgivning", "004-F6.23",
                      TXT("tem_counts.youths_in_counselling_anonymous_or"),
                      "main", lambda p: _unit_type(p, "raadgivning", "anonym_raadgivning"),
                      TXT("tem_counts.cohort_counselling_episodes_with_at")),
        _counts_table("tem_antal_gruppe", "004-F6.24",
                      TXT("tem_counts.youths_in_group_courses_included"),
                      "gruppe", lambda p: p.grids["gruppe"].n_forms > 0,
                      TXT("tem_counts.cohort_episodes_with_at_least")),
        _counts_table("tem_antal_behandling", "004-F6.25",
                      TXT("tem_counts.youths_in_treatment_included_at"), "main", beh,
                      TXT("tem_counts.cohort_treatment_episodes_with_at"), most_cell=True),
        _counts_table("tem_antal_udskrevne", "004-F6.29",
                      TXT("tem_counts.youths_discharged_from_treatment_included"), "main",
                      lambda p: beh(p) & p.episodes["discharged"],
                      TXT("tem_counts.cohort_discharged_treatment_episodes_with")),
        _counts_table("tem_antal_ungmap", "004-F6.32",
                      TXT("tem_counts.youths_with_an_ungmap_included"), "main",
                      lambda p: beh(p) & (p.episodes["ungmap"] >= 0),
                      TXT("tem_counts.cohort_treatment_episodes_with_ungmap")),
        _counts_table("tem_antal_opioid", "004-F6.35", TXT("tables.tem_antal_opioid.title"), "main",
                      lambda p: beh(p) & _opioid_users(p), TXT("cells.opioid_counts_note")),
    ]


def _opioid_users(prep: Prepared) -> np.ndarray:
    """Episodes whose UngMap reports opioid use in the last 30 days."""
    um = prep.episodes["ungmap"]
    out = np.zeros(um.size, dtype=bool)
    has = um >= 0
    out[has] = prep.ungmap["opioider"][um[has]] == 1.0
    return out
