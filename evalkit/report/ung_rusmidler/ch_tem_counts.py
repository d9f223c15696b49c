"""Section 6.4: the counts-of-forms tables (004-F6.23, 6.24, 6.25, 6.29, 6.32)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from evalkit.report._build import count
from evalkit.report.model import Column, T, Table, Text
from evalkit.report.spec import Context, TableSpec
from evalkit.report.ung_rusmidler.common import TYPES
from evalkit.report.ung_rusmidler.prepared import Prepared, _prep


def _reg_columns(K: int) -> list[Column]:
    return [Column(f"tem_{k}", T(f"TEM {k}")) for k in range(1, K + 1)]


def _counts_table(tid: str, source: str, title: Text, grid_key: str, mask: Callable[[Prepared], np.ndarray],
                  note: Text) -> TableSpec:
    def build(ctx: Context) -> Table:
        prep = _prep(ctx)
        grid = prep.grids[grid_key]
        K = grid.upto
        sel = mask(prep)
        at_least = grid.n_with_form(sel)   # units with >= k forms, k = 1..K
        table = Table(id=tid, source=source, title=title, columns=_reg_columns(K))
        table.add_row("antal_unge", T("Antal unge", "Number of youths"),
                      {f"tem_{k}": count(at_least[k - 1]) for k in range(1, K + 1)})
        more = int((grid.n_forms[sel] > K).sum())
        table.notes.append(note)
        table.notes.append(T("Antal forløb med mindst k udfyldte TEM-skemaer (observerede, ikke LOCF). Skemaer "
                             "efter det "
                             f"{K}. indgår ikke; {more} forløb har flere end {K} skemaer "
                             f"(højst {int(grid.n_forms[sel].max()) if sel.any() else 0}).",
                             "Episodes with at least k completed TEM forms (observed, not LOCF). Forms after the "
                             f"{K}th "
                             f"are not used; {more} episodes have more than {K} forms (at most "
                             f"{int(grid.n_forms[sel].max()) if sel.any() else 0})."))
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
                      T("Antal unge i rådgivningsforløb (både anonyme og ikke anonyme forløb), der indgår i hver "
                        "TEM-registrering", "Youths in counselling (anonymous or not) included at each TEM "
                                            "registration"),
                      "main", lambda p: _unit_type(p, "raadgivning", "anonym_raadgivning"),
                      T("Kohorte: rådgivningsforløb med mindst ét TEM-skema.",
                        "Cohort: counselling episodes with at least one TEM form.")),
        _counts_table("tem_antal_gruppe", "004-F6.24",
                      T("Antal unge, der har deltaget i gruppeforløb og indgår i hver TEM-registrering",
                        "Youths in group courses included at each TEM registration"),
                      "gruppe", lambda p: p.grids["gruppe"].n_forms > 0,
                      T("Kohorte: forløb med mindst ét TEM-skema udfyldt i gruppeforløb (group_course).",
                        "Cohort: episodes with at least one TEM form completed in a group course (group_course).")),
        _counts_table("tem_antal_behandling", "004-F6.25",
                      T("Antal unge i behandling, der indgår i hver TEM-registrering",
                        "Youths in treatment included at each TEM registration"), "main", beh,
                      T("Kohorte: behandlingsforløb med mindst ét TEM-skema.",
                        "Cohort: treatment episodes with at least one TEM form.")),
        _counts_table("tem_antal_udskrevne", "004-F6.29",
                      T("Antal unge, udskrevet af behandling, der indgår i hver TEM-registrering",
                        "Youths discharged from treatment included at each TEM registration"), "main",
                      lambda p: beh(p) & p.episodes["discharged"],
                      T("Kohorte: udskrevne behandlingsforløb med mindst ét TEM-skema.",
                        "Cohort: discharged treatment episodes with at least one TEM form.")),
        _counts_table("tem_antal_ungmap", "004-F6.32",
                      T("Antal unge, der har udfyldt UngMap og indgår i hver TEM-registrering",
                        "Youths with an UngMap included at each TEM registration"), "main",
                      lambda p: beh(p) & (p.episodes["ungmap"] >= 0),
                      T("Kohorte: behandlingsforløb med UngMap og mindst ét TEM-skema.",
                        "Cohort: treatment episodes with UngMap and at least one TEM form.")),
    ]
