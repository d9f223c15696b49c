"""UNG Rusmidler exports of any size, drawn from the published-size sample.

``generate(persons=N)`` draws N whole persons (all their episodes, UngMaps and TEM forms) with
replacement from the published-size sample, moves each person's dates by one shift that keeps them
inside the forløb's registration window (figur 6.1 of Socialstyrelsen's *Erfaringsopsamling – UNG
Rusmidler*) and before the data cut-off, and jitters birth dates within the age bands (figur 6.4,
6.6). So every distribution of chapter 6 holds in expectation rather than exactly. With
``tem_per_person`` each TEM youth gets a new number of forms (the single-form share of figur
6.23-6.25 kept); the values at the first and 12th registration stay the source's and the forms
between are regrown.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from evalkit.synth._common import make_ids, streams
from evalkit.synth.ung_rusmidler.frames import _date32, _take_rows, _tem_table
from evalkit.synth.ung_rusmidler.published import _base
from evalkit.synth.ung_rusmidler.targets import (
    _ANON,
    _PUBLISHED_STREAMS,
    _TEM_MEASURES,
    _YEAR,
    DEFAULT_SEED,
    _days,
    _design_cached,
    _exactly_k,
)
from evalkit.synth.ung_rusmidler.trajectories import _fill_forms, _form_dates, _form_positions


def _scaled(persons: int, seed: int, tem_per_person: float | None) -> dict[str, pd.DataFrame]:
    """``persons`` persons drawn from the published-size sample, moved in time and age (vectorised).

    Each drawn person keeps all their episodes, UngMaps and TEM forms; all their dates move by one
    shift that keeps every date inside its forløb's registration window and before the cut-off,
    and their birth date moves by up to ``age_jitter_days`` more without leaving any age band.
    """
    base = _base(DEFAULT_SEED)
    a = base.arrays
    d = _design_cached()
    # streams spawned after the published builder's, so they never coincide with them
    rs = streams(seed, [*_PUBLISHED_STREAMS, "persons", "shift", "age", "counts", "trajectories", "dates"])
    cutoff = _days(d["cutoff"])
    n_src = int(a["person"].max()) + 1
    ep_by_p = np.argsort(a["person"], kind="stable")                 # episodes of each source person (CSR)
    ep_cnt = np.bincount(a["person"], minlength=n_src)
    ep_ptr = np.concatenate([[0], np.cumsum(ep_cnt)])
    # how far each source person may move: starts stay in the window, every later date before the cut-off
    latest = np.maximum.reduce([a["end"], a["start"], a["completed"]])
    lo_p = np.full(n_src, -10**9, dtype=np.int64)
    hi_p = np.full(n_src, 10**9, dtype=np.int64)
    np.maximum.at(lo_p, a["person"], a["wstart"] - a["start"])
    np.minimum.at(hi_p, a["person"], cutoff - latest)
    # draw persons and expand them to their episodes
    src_p = rs["persons"].integers(0, n_src, persons)
    cnt = ep_cnt[src_p]
    new_p = np.repeat(np.arange(persons), cnt)
    src_e = ep_by_p[ep_ptr[src_p][new_p] + np.arange(new_p.size) - np.repeat(np.cumsum(cnt) - cnt, cnt)]
    shift_p = lo_p[src_p] + np.floor(rs["shift"].random(persons) * (hi_p[src_p] - lo_p[src_p] + 1)).astype(np.int64)
    shift = shift_p[new_p]
    first_ep = ep_by_p[ep_ptr[src_p]]
    b0 = a["birth"][first_ep]
    jit = d["scaled"]["age_jitter_days"]
    j_lo = np.maximum(a["birth_lo"][first_ep] - b0, -jit)
    j_hi = np.minimum(a["birth_hi"][first_ep] - b0, jit)
    birth = (b0 + shift_p + j_lo + np.floor(rs["age"].random(persons) * (j_hi - j_lo + 1)).astype(np.int64))[new_p]
    start = a["start"][src_e] + shift
    ongoing = a["discharge"][src_e] < 0
    discharge = np.where(ongoing, -1, a["discharge"][src_e] + shift)
    end = np.where(ongoing, cutoff, discharge)
    ep_ids = make_ids("E", src_e.size)
    width = max(4, len(str(persons)))
    who = pa.array(new_p)
    pk = pc.if_else(pa.array(a["etype"][src_e] == _ANON), make_ids("A", persons, width).take(who),
                    make_ids("P", persons, width).take(who))
    logbog = _take_rows(base.tables["logbog_episodes"], "logbog_episodes", a["rank"][src_e], {
        "episode_id": ep_ids, "person_key": pk, "start_date": _date32(start),
        "discharge_date": _date32(discharge, ongoing), "age_at_start": np.round((start - birth) / _YEAR, 2)})
    ue = np.flatnonzero(a["ungmap_row"][src_e] >= 0)
    completed = a["completed"][src_e][ue] + shift[ue]
    ungmap = _take_rows(
        base.tables["ungmap_intake"],
        "ungmap_intake",
        a["ungmap_row"][src_e][ue],
        {
            "ungmap_id": make_ids("U", ue.size),
            "episode_id": ep_ids.take(pa.array(ue)),
            "person_key": pk.take(pa.array(ue)),
            "completed_date": _date32(completed),
            "age_at_ungmap": np.round((completed - birth[ue]) / _YEAR, 2),
        },
    )
    tem = _scaled_tem(a, base.tables["tem_registrations"], src_e, shift, end, ep_ids, pk, persons,
                      tem_per_person, rs, d)
    return {"logbog_episodes": logbog, "ungmap_intake": ungmap, "tem_registrations": tem}


def _scaled_tem(a: dict[str, np.ndarray], src: pd.DataFrame, src_e: np.ndarray, shift: np.ndarray, end: np.ndarray,
                ep_ids: pa.Array, pk: pa.Array, persons: int, tem_per_person: float | None,
                rs: dict[str, np.random.Generator], d: dict[str, Any]) -> pd.DataFrame:
    """TEM forms of the drawn episodes: copied (``tem_per_person=None``) or regrown to a new count."""
    has = a["tem_count"][src_e] > 0
    te = np.flatnonzero(has)
    s_e = src_e[te]
    if tem_per_person is None:
        cnt = a["tem_count"][s_e]
        youth, j = _form_positions(cnt)
        rows = a["tem_rows"][a["tem_ptr"][s_e][youth] + j]
        table = src.iloc[rows].reset_index(drop=True)
        dates = pa.array(table["tem_date"].array).cast(pa.int32()).to_numpy().astype(np.int64) + shift[te][youth]
        table["tem_id"] = pd.Series(pd.arrays.ArrowExtensionArray(make_ids("T", rows.size)))
        table["episode_id"] = pd.Series(pd.arrays.ArrowExtensionArray(ep_ids.take(pa.array(te[youth]))))
        table["person_key"] = pd.Series(pd.arrays.ArrowExtensionArray(pk.take(pa.array(te[youth]))))
        table["tem_date"] = pd.Series(pd.arrays.ArrowExtensionArray(pa.array(dates.astype(np.int32)).cast(pa.date32())))
        return table
    if tem_per_person <= 0:
        raise ValueError(f"`tem_per_person` must be positive, got {tem_per_person}")
    single = d["scaled"]["single_form_share"]
    if single is None:
        ex = [_exactly_k(d["tem"]["at_least_k"][k]) for k in ("treatment", "counselling", "group")]
        single = sum(int(x[0]) for x in ex) / sum(int(x.sum()) for x in ex)
    # every TEM youth keeps at least one form, so the mean cannot fall below TEM youths per person
    mean_count = max(tem_per_person * persons / max(te.size, 1), 1.0)
    # count = 1 with probability `single`, else 2 + (Geometric(q) - 1), whose mean is 1 + 1/q; below a
    # mean of 2 - single the share of single forms grows instead
    single = max(single, 2.0 - mean_count)
    tail_mean = max((mean_count - single) / (1 - single) - 2, 0.0) if single < 1 else 0.0
    q = 1.0 / (1.0 + tail_mean)
    rc = rs["counts"]
    cnt = np.where(rc.random(te.size) < single, 1, 2 + rc.geometric(q, te.size) - 1).astype(np.int64)
    youth, j = _form_positions(cnt)
    last = np.minimum(cnt, 12) - 1
    pos = np.stack([np.zeros_like(last), last, last], axis=1)
    anchors = {}
    for k in _TEM_MEASURES:
        v = a[f"anchor_{k}"][s_e]
        anchors[k] = np.stack([v[:, 0], v[:, 2], v[:, 2]], axis=1)
    vals = _fill_forms(youth, j, pos, anchors, rs["trajectories"], d["shape"])
    first = a["tem_first"][s_e] + shift[te]
    e_end = end[te]
    first = np.minimum(first, e_end)
    dates = _form_dates(youth, j, first, e_end, cnt, rs["dates"], d["tem"]["gap_days"])
    f = {"episode": te[youth], "group": a["group"][s_e][youth], "date": dates,
         "drug_missing": j < a["drug_from"][s_e][youth], **vals}
    return _tem_table(f, None, ep_ids, pk, d["tem"]["recall_window_days"])
