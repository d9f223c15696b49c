"""Section 6.3: discharges, length of stay and services (004-F6.19-6.22)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from evalkit.report._build import count, quiet, share
from evalkit.report._build.bilingual import fill, number
from evalkit.report.model import Cell, Column, Table
from evalkit.report.spec import Context
from evalkit.report.ung_rusmidler.cells import (
    _chi_square,
    _kruskal,
    _row,
    _small,
)
from evalkit.report.ung_rusmidler.common import (
    RISK_LABEL,
    RISKS,
    STATUSES,
    TYPE_SHORT,
    TYPES,
)
from evalkit.report.ung_rusmidler.prepared import _prep
from evalkit.report.ung_rusmidler.text import TXT


def _discharge_rows(ep: dict[str, np.ndarray], masks: Mapping[str, np.ndarray], links: Mapping[str, str] | None = None,
                    median: bool = True) -> dict[str, dict[str, Cell]]:
    rows: dict[str, dict[str, Cell]] = {k: {} for k in ("antal", "gns_laengde", "median_laengde", "faerdigbehandlet",
                                                       "faerdigbehandlet_pct", "udeblevet", "udeblevet_pct", "andet",
                                                       "andet_pct", "aarsag_ukendt")}
    if not median:
        rows.pop("median_laengde")
    for col, sel in masks.items():
        los = ep["los"][sel]
        los = los[~np.isnan(los)]
        st = ep["status"][sel]
        known = int((st >= 0).sum())
        rows["antal"][col] = count(sel.sum(), link=(links or {}).get(col))
        rows["gns_laengde"][col] = Cell(float(los.mean()) if los.size else None, "mean", decimals=1, n=int(los.size))
        if median:
            rows["median_laengde"][col] = Cell(float(np.median(los)) if los.size else None, "median", decimals=0,
                                               n=int(los.size))
        for code, s in enumerate(STATUSES):
            rows[s][col] = count((st == code).sum())
            rows[f"{s}_pct"][col] = share((st == code).sum(), known, count_of=f"{s}|{col}")
        rows["aarsag_ukendt"][col] = count((st < 0).sum())
    return rows


DISCHARGE_LABELS = {
    "antal": TXT("udskrivning.discharges"),
    "gns_laengde": TXT("udskrivning.mean_length_of_stay_days"),
    "median_laengde": TXT("udskrivning.median_length_of_stay_days"),
    "faerdigbehandlet": TXT("udskrivning.completed_treatment"),
    "faerdigbehandlet_pct": TXT("udskrivning.share_completed"),
    "udeblevet": TXT("udskrivning.dropped_out"),
    "udeblevet_pct": TXT("udskrivning.share_dropped_out"),
    "andet": TXT("udskrivning.other"),
    "andet_pct": TXT("udskrivning.share_other"),
    "aarsag_ukendt": TXT("udskrivning.discharge_reason_unknown"),
}


def _udskrivning(ctx: Context) -> Table:
    """004-F6.19 (with 6.20 SMDB as printed constants): discharges, length of stay and reasons."""
    prep = _prep(ctx)
    ep, smdb = prep.episodes, prep.c["references"]["smdb"]
    table = Table(id="udskrivning", source="004-F6.19",
                  title=TXT("tables.udskrivning.title"),
                  columns=[Column("raadgivning", TYPE_SHORT["raadgivning"]),
                           Column("behandling", TYPE_SHORT["behandling"]),
                           Column("smdb", TXT("udskrivning.smdb_2016_2017_all_ages"))],
                  additive=True,
                  row_lines=())
    masks = {t: ep["discharged"] & (ep["type"] == TYPES.index(t)) for t in ("raadgivning", "behandling")}
    rows = _discharge_rows(ep, masks, links={"behandling": "udskrevne_behandling"})
    ref = {"gns_laengde": Cell(smdb["gns_laengde"], "mean", decimals=1),
           "median_laengde": Cell(smdb["median_laengde"], "median", decimals=0),
           "faerdigbehandlet_pct": Cell(smdb["faerdigbehandlet"], "percent", decimals=1),
           "udeblevet_pct": Cell(smdb["udeblevet"], "percent", decimals=1)}
    for key, cells in rows.items():
        if key == "aarsag_ukendt" and all(c.value == 0 for c in cells.values()):
            continue
        if key in ref:
            cells["smdb"] = ref[key]
        table.add_row(key, DISCHARGE_LABELS[key], cells)
    shares = {t: share(int(masks[t].sum()), int((ep["type"] == TYPES.index(t)).sum()))
             for t in ("raadgivning", "behandling")}
    table.add_row("udskrevet_pct", TXT("udskrivning.discharged_of_all_enrolments"),
                  shares)
    table.add_row("uafsluttet", TXT("cells.not_discharged"),
                  {t: count((~ep["discharged"] & (ep["type"] == TYPES.index(t))).sum())
                   for t in ("raadgivning", "behandling")}, in_sums=False)   # not discharged: outside the sums
    cutoff = prep.c["cohort"]["data_cutoff"]
    n = number(smdb["n"])
    table.notes.append(fill(TXT("templates.discharge_cohort"), cutoff=cutoff,
                            convention=TXT(f"rules.los_convention.{prep.c['cohort']['los_convention']}"), n=n))
    return table


def _udskrivning_risikoprofil(ctx: Context) -> Table:
    """004-F6.21: discharges of treatment episodes by Risikoprofil, with trend and independence tests."""
    from evalkit import compare

    prep = _prep(ctx)
    ep, um = prep.episodes, prep.ungmap
    dis = ep["discharged"] & (ep["type"] == TYPES.index("behandling"))
    risk = np.full(ep["type"].size, -1, dtype=np.int64)
    has = ep["ungmap"] >= 0
    risk[has] = um["risk"][ep["ungmap"][has]]
    cols = [r.lower() for r in RISKS] + ["uden_profil"]
    table = Table(id="udskrivning_risikoprofil", source="004-F6.21",
                  title=TXT("tables.udskrivning_risikoprofil.title"),
                  columns=[Column(r.lower(), RISK_LABEL[r]) for r in RISKS]
                  + [Column("uden_profil", TXT("udskrivning.no_risk_profile"))], additive=True)
    masks = {col: dis & (risk == i) for i, col in enumerate(cols[:-1])}
    masks["uden_profil"] = dis & (risk < 0)
    rows = _discharge_rows(ep, masks, median=False)
    for key, cells in rows.items():
        if key == "aarsag_ukendt" and all(c.value == 0 for c in cells.values()):
            continue
        table.add_row(key, DISCHARGE_LABELS[key], cells)
    prof = dis & (risk >= 0) & (ep["status"] >= 0)
    done = np.array([int(((risk == i) & prof & (ep["status"] == 0)).sum()) for i in range(4)])
    tot = np.array([int(((risk == i) & prof).sum()) for i in range(4)])
    trend = quiet(compare.cochran_armitage, done, tot)
    table.tests.append(_row("faerdigbehandlet_pct", TXT("udskrivning.completed_treatment_over_r0_r1"),
                                 trend, _small(ctx, *done, *(tot - done))))
    cross = np.array([[int(((risk == i) & prof & (ep["status"] == s)).sum()) for s in range(3)] for i in range(4)])
    res, hide = _chi_square(ctx, cross)
    table.tests.append(_row("faerdigbehandlet_pct", TXT("udskrivning.discharge_reason_by_risk_profile"), res, hide))
    los_sel = dis & (risk >= 0)
    table.tests.append(_row("gns_laengde", TXT("udskrivning.length_of_stay_by_risk"),
                                 _kruskal(ctx, ep["los"][los_sel], risk[los_sel])))
    table.notes.append(TXT("udskrivning.cohort_discharged_treatment_episodes_risk"))
    return table


def _ydelser(ctx: Context) -> Table:
    """004-F6.22: services during the episode, ticked at discharge (multi-response)."""
    prep = _prep(ctx)
    ep = prep.episodes
    table = Table(id="ydelser", source="004-F6.22", title=TXT("tables.ydelser.title"),
                  columns=[Column("raadgivning", TXT("udskrivning.counselling")),
                           Column("raadgivning_n", TXT("udskrivning.counselling_discharges")),
                           Column("behandling", TXT("udskrivning.treatment")),
                           Column("behandling_n", TXT("udskrivning.treatment_discharges")),
                           Column("behandling_antal", TXT("cells.treatment_count"))])
    labels = {"svc_raadgivning": ("raadgivning", TXT("udskrivning.counselling_2")),
              "svc_individuel_behandling": ("individuel_behandling",
                                            TXT("udskrivning.individual_treatment")),
              "svc_gruppeforloeb": ("gruppeforloeb", TXT("udskrivning.group_course")),
              "svc_inddragelse_paaroerende": ("inddragelse_paaroerende",
                                              TXT("udskrivning.involving_relatives")),
              "svc_andet": ("andet", TXT("udskrivning.other"))}
    for svc, (key, label) in labels.items():
        cells = {}
        for t in ("raadgivning", "behandling"):
            v = ep[svc][ep["discharged"] & (ep["type"] == TYPES.index(t))]
            known = ~np.isnan(v)
            cells[t] = share(float((v[known] == 1.0).sum()), int(known.sum()))
            cells[f"{t}_n"] = count(known.sum())
            if t == "behandling":
                cells["behandling_antal"] = count((v[known] == 1.0).sum())
        table.add_row(key, label, cells)
    table.notes.append(TXT("udskrivning.cohort_discharged_episodes_services_ticked"))
    return table
