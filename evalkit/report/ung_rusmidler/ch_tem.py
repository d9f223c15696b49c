"""Section 6.4: the TEM trajectories, LOCF beside observed, with their tests (004-F6.26-6.37, P6.5)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from evalkit.report._build import quiet, share
from evalkit.report._build.bilingual import fill
from evalkit.report.model import Cell, Table, TestRow, Text
from evalkit.report.spec import Context, TableSpec
from evalkit.report.ung_rusmidler.cells import (
    _chi_square,
    _kruskal,
    _paired,
    _row,
    _small,
)
from evalkit.report.ung_rusmidler.ch_tem_counts import _reg_columns
from evalkit.report.ung_rusmidler.prepared import Grouping, _prep
from evalkit.report.ung_rusmidler.tem_measures import MEASURE, MEASURES, Measure
from evalkit.report.ung_rusmidler.text import TXT


def _trajectory_table(ctx: Context, m: Measure, g: Grouping, tid: str, source: str, title: Text,
                      tests: bool = True, lead_notes: Sequence[Text] = ()) -> Table:
    prep = _prep(ctx)
    tr = prep.trajectories[(m.key, g.key)]
    uv = prep.units[(m.key, g.grid)]
    K = prep.grids[g.grid].upto
    scale = prep.scale[m.key]
    plotted = g.key not in ("ungeprofil", "risikoprofil", "udskrivning") or m.key in ("samlet_trivsel", "stoffri")
    table = Table(id=tid, source=source, title=title, columns=_reg_columns(K), plot="lines" if plotted else None)
    single = len(g.groups) == 1
    for i, gk in enumerate(g.groups):
        for kind, sums, ns in (("locf", tr.sum, tr.n), ("observeret", tr.sum_observed, tr.n_observed)):
            key = kind if single else f"{gk}_{kind}"
            lab = TXT("tem.locf") if kind == "locf" else TXT("tem.observed_completers")
            label = lab if single else fill(TXT("templates.group_row"), group=g.group_labels[gk], kind=lab)
            cells = {}
            for k in range(K):
                n = int(ns[i, k])
                if m.kind == "percent":
                    cells[f"tem_{k + 1}"] = share(float(sums[i, k]), n)
                else:
                    mean = float(sums[i, k]) / (n * scale) if n else None
                    cells[f"tem_{k + 1}"] = Cell(mean, "mean", decimals=1, n=n)
            table.add_row(key, label, cells)
    if m.key == "samlet_trivsel" and g.key in ("behandling", "ungeprofil", "risikoprofil", "udskrivning"):
        ref = float(prep.c["references"]["danske_unge"]["trivsel"])
        table.add_row("danske_unge", TXT("tem.danish_youth_in_general"),
                      {f"tem_{k + 1}": Cell(ref, "mean", decimals=2) for k in range(K)})
    # The cohort of the grouping, the LOCF rule and the measure's rules hold for many tables: they are
    # report notes (report_notes.py), said once at the top.
    table.notes.extend(lead_notes)
    if not tests:
        return table
    # Tests: first vs K-th (LOCF) per group; completers sensitivity for single cohorts; groups at K.
    div = float(scale)
    for i, gk in enumerate(g.groups):
        sel = g.members[i]   # the group's units, ascending
        key = "locf" if single else f"{gk}_locf"
        name = m.label if single else fill(TXT("templates.measure_in_group"), measure=m.label,
                                           group=g.group_labels[gk])
        outcome = fill(TXT("templates.first_vs_last"), name=name, k=K)
        table.tests.append(_paired(ctx, m, uv.first[sel] / div, uv.last[sel] / div, key, outcome))
        if single:
            both = sel[~np.isnan(uv.first[sel]) & uv.last_observed[sel]]
            outcome = fill(TXT("templates.first_vs_last_completers"), name=name, k=K)
            table.tests.append(_paired(ctx, m, uv.first[both] / div, uv.last[both] / div, "observeret", outcome))
    if not single:
        table.tests.extend(_group_tests(ctx, m, g, uv.last / div, K))
    return table


def _group_tests(ctx: Context, m: Measure, g: Grouping, last: np.ndarray, K: int) -> list[TestRow]:
    from evalkit import compare

    sel = (g.codes >= 0) & ~np.isnan(last)
    outcome = fill(TXT("templates.at_last_by_group"), measure=m.label, k=K, grouping=g.label)
    if m.kind != "percent":
        return [_row(f"tem_{K}", outcome, _kruskal(ctx, last[sel], g.codes[sel]))]
    n_groups = len(g.groups)
    yes = np.bincount(g.codes[sel & (last == 1.0)], minlength=n_groups).astype(np.int64)
    tot = np.bincount(g.codes[sel], minlength=n_groups).astype(np.int64)
    res, hide = _chi_square(ctx, np.column_stack([tot - yes, yes]))
    out = [_row(f"tem_{K}", outcome, res, hide)]
    if g.key == "risikoprofil":
        trend = quiet(compare.cochran_armitage, yes, tot)
        out.append(_row(f"tem_{K}", fill(TXT("templates.at_last_trend"), measure=m.label, k=K),
                        trend, _small(ctx, *yes, *(tot - yes))))
    return out


_TRAJECTORY_SOURCE = {
    ("samlet_trivsel", "ungeprofil"): "004-F6.16b", ("stoffri", "ungeprofil"): "004-F6.34",
    ("samlet_trivsel", "risikoprofil"): "004-F6.36", ("stoffri", "risikoprofil"): "004-F6.37",
    ("samlet_trivsel", "udskrivning"): "004-F6.30", ("stoffri", "udskrivning"): "004-F6.31",
    ("samlet_trivsel", "raadgivning"): "004-P6.5a", ("stoffri", "raadgivning"): "004-P6.5a",
    ("samlet_trivsel", "gruppe"): "004-P6.5b", ("stoffri", "gruppe"): "004-P6.5b",
    ("stoffri", "opioid"): "004-F6.35",
}


_GROUPING_COUNTS = {"ungeprofil": "004-F6.32", "risikoprofil": "004-F6.32", "udskrivning": "004-F6.29",
                    "raadgivning": "004-F6.23", "gruppe": "004-F6.24", "opioid": "004-F6.35"}


_GROUPING_LABEL = {
    "behandling": TXT("tem.treatment_episodes"),
    "ungeprofil": TXT("tem.by_ungeprofil"),
    "risikoprofil": TXT("tem.by_risk_profile"),
    "udskrivning": TXT("tem.by_discharge_reason"),
    "raadgivning": TXT("tem.counselling_episodes"),
    "gruppe": TXT("tem.group_courses"),
    "opioid": TXT("tem.youths_using_opioids"),
}


def _trajectory_spec(m: Measure, grouping: str) -> TableSpec:
    tid = f"tem_{m.key}" if grouping == "behandling" else f"tem_{m.key}_{grouping}"
    source = (m.source if grouping == "behandling"
              else _TRAJECTORY_SOURCE.get((m.key, grouping), _GROUPING_COUNTS[grouping]))
    gl = _GROUPING_LABEL[grouping]
    title = fill(TXT("templates.trajectory_title"), measure=m.label, grouping=gl)

    def build(ctx: Context) -> Table:
        return _trajectory_table(ctx, m, _prep(ctx).groupings[grouping], tid, source, title)

    return TableSpec(tid, source, title, build, description=f"{m.key} x {grouping}")


def _trajectory_specs() -> list[TableSpec]:
    specs = []
    for m in MEASURES:
        for grouping in ("behandling", "ungeprofil", "risikoprofil", "udskrivning"):
            specs.append(_trajectory_spec(m, grouping))
    for key in ("samlet_trivsel", "stoffri"):
        specs.append(_trajectory_spec(MEASURE[key], "raadgivning"))
        specs.append(_trajectory_spec(MEASURE[key], "gruppe"))
    specs.append(_trajectory_spec(MEASURE["stoffri"], "opioid"))
    return specs
