"""TEM: forms placed by the trajectory engine of evalkit.compare, cohorts (groupings) and per-measure summaries."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from evalkit.report._build import positions
from evalkit.report.spec import Context
from evalkit.report.ung_rusmidler.common import (
    PROFILE_LABEL,
    PROFILES,
    RISK_LABEL,
    RISKS,
    STATUS_LABEL,
    STATUSES,
    TYPES,
    _col,
    _floats,
    _stage,
)
from evalkit.report.ung_rusmidler.prepared import Grouping, Prepared
from evalkit.report.ung_rusmidler.settings import _sensitivity
from evalkit.report.ung_rusmidler.tem_measures import MEASURES, _tem_scale, _tem_value
from evalkit.report.ung_rusmidler.text import TXT


def _group_course(tem: pd.DataFrame) -> np.ndarray:
    """Which forms were completed in a group course (missing: not), without a float copy of the column."""
    if "group_course" not in tem.columns:
        return np.zeros(len(tem), dtype=bool)
    col = tem["group_course"]
    if isinstance(col.dtype, pd.ArrowDtype):
        arr = pa.chunked_array(col.array._pa_array)  # noqa: SLF001 (the Arrow data, no copy)
        return pc.fill_null(pc.equal(arr.cast(pa.int8()), 1), False).to_numpy()
    return _floats(col, len(tem)) == 1.0


def _prepare_tem(ctx: Context, prep: Prepared, ep_ids: pd.Series) -> None:
    from evalkit.compare.trajectories import (
        Strata,
        sort_registrations,
        trajectory_stats,
    )

    c = prep.c
    tem = ctx.export["tem_registrations"]
    K = int(c["tem"]["registrations"])
    n = len(tem)
    pos = positions(tem["episode_id"], ep_ids).astype(np.int32)   # 12M forms: half the memory of int64
    scale = _tem_scale(c)
    prep.scale = {m.key: (scale if m.key == "samlet_trivsel" else 1) for m in MEASURES}
    n_unknown = int(np.count_nonzero(pos < 0))
    forms = sort_registrations(tem, pos, ["tem_date", "tem_id"], n_units=len(ep_ids))
    del pos
    group = _group_course(tem)
    separate = c["tem"]["group_forms"] == "separate"
    prep.grids["main"] = forms.place(K, where=~group if separate else None)
    prep.grids["gruppe"] = forms.place(K, where=group)
    past = prep.grids["main"].n_rows_beyond_upto + prep.grids["gruppe"].n_rows_beyond_upto
    excluded = {"episode_not_in_logbog": n_unknown,
                "tem_date_missing": forms.n_rows_unplaced - n_unknown, "form_beyond_upto": past}
    _stage(ctx, "tem", n, n - sum(excluded.values()), excluded, next=K + 1, k=K)
    recall = _floats(_col(tem, "recall_window_days"), n)
    prep.tem_notes = {"group_forms": int(group.sum()), "tem30_forms": int((recall == 30).sum())}
    del group, recall, forms
    _groupings(prep)
    sensitivity = _sensitivity(ctx)
    refit = set(sensitivity["measures"]) if sensitivity is not None else set()
    strata = {}
    for gkey, grid in prep.grids.items():
        groupings = [g for g in prep.groupings.values() if g.grid == gkey]
        strata[gkey] = Strata(grid, {g.key: g.codes for g in groupings}, {g.key: len(g.groups) for g in groupings})
    for m in MEASURES:   # one measure at a time (one per-form array alive)
        values = _tem_value(tem, c, m, prep.scale[m.key])
        if m.key in refit:   # the optional model tables refit from the observed forms
            prep.form_values[m.key] = values
        for gkey, st in strata.items():
            res = trajectory_stats(st, values, sd=False)
            prep.units[(m.key, gkey)] = res
            for gk, summary in res.by.items():
                prep.trajectories[(m.key, gk)] = summary
        del values


def _groupings(prep: Prepared) -> None:
    ep, um = prep.episodes, prep.ungmap
    main, grp = prep.grids["main"], prep.grids["gruppe"]
    t = np.where(main.n_forms > 0, ep["type"], -1)     # units: episodes with at least one TEM form
    beh = t == TYPES.index("behandling")
    counsel = (t == TYPES.index("raadgivning")) | (t == TYPES.index("anonym_raadgivning"))
    um_pos = ep["ungmap"]
    in_um = beh & (um_pos >= 0)
    safe = np.where(um_pos >= 0, um_pos, 0)
    profile = np.where(in_um, um["profile"][safe], -1) if um["profile"].size else np.full(t.size, -1)
    risk = np.where(in_um, um["risk"][safe], -1) if um["risk"].size else np.full(t.size, -1)
    opioid = in_um & (np.nan_to_num(um["opioider"][safe] if um["opioider"].size else np.zeros(t.size)) == 1.0)
    status = np.where(beh, ep["status"], -1)
    zero = np.zeros(t.size, dtype=np.int64)
    alle = {"alle": TXT("cohorts.all")}
    beh_t = TXT("cohorts.treatment_episodes_with_at_least")
    um_t = TXT("cohorts.treatment_episodes_with_ungmap_and")
    prep.groupings = {
        "behandling": Grouping("behandling", TXT("cohorts.treatment_episodes"), beh_t, ("alle",), alle,
                               np.where(beh, zero, -1)),
        "ungeprofil": Grouping("ungeprofil", TXT("cohorts.by_ungeprofil"), um_t,
                               tuple(p.lower() for p in PROFILES), {p.lower(): PROFILE_LABEL[p] for p in PROFILES},
                               profile),
        "risikoprofil": Grouping("risikoprofil", TXT("cohorts.by_risikoprofil"), um_t,
                                 tuple(r.lower() for r in RISKS), {r.lower(): RISK_LABEL[r] for r in RISKS}, risk),
        "udskrivning": Grouping("udskrivning", TXT("cohorts.by_discharge_reason"),
                                TXT("cohorts.discharged_treatment_episodes_with_at"),
                                STATUSES, STATUS_LABEL, status),
        "raadgivning": Grouping("raadgivning", TXT("cohorts.counselling_episodes"),
                                TXT("cohorts.counselling_episodes_anonymous_or_not"),
                                ("alle",), alle, np.where(counsel, zero, -1)),
        "opioid": Grouping("opioid", TXT("cohorts.youths_using_opioids_at_ungmap"),
                           TXT("cohorts.treatment_episodes_with_opioid_use"),
                           ("alle",), alle, np.where(opioid, zero, -1)),
        "gruppe": Grouping("gruppe", TXT("cohorts.group_courses"),
                           TXT("cohorts.youths_in_group_courses_with"),
                           ("alle",), alle, np.where(grp.n_forms > 0, 0, -1), grid="gruppe"),
    }
    # Masks used by the counts tables (004-F6.23, 6.25, 6.29, 6.32) and the discharge flag per unit.
    prep.tem_notes["units_main"] = int(t.size)
