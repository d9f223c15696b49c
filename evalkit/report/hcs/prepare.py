"""``prepare``: everything the tables of report ``hcs`` need, computed once and typed (:class:`HcsPrepared`).

Measures and profiles come from :mod:`evalkit.measures` (ASI composites) and :mod:`evalkit.profiles`
(attendance, eligibility); the report only joins them and records the cohort in the row ledger.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import yaml

from evalkit.compare import locf
from evalkit.io.schema import dataset
from evalkit.measures._common import as_bool
from evalkit.measures._keys import code_positions
from evalkit.measures.asi import AsiScores, asi_scores
from evalkit.profiles import hcs_eligibility
from evalkit.profiles.attendance import (
    ATTENDANCE_STATUSES,
    AttendanceCounts,
    attendance_counts,
)
from evalkit.report._build import store_prepared
from evalkit.report.hcs._text import TXT, fill
from evalkit.report.spec import Context
from evalkit.rules import validate_header

__all__ = ["HcsPrepared", "load_constants", "prepare"]


@cache
def load_constants() -> Mapping[str, Any]:
    """The report's versioned constants (``constants.yaml`` next to this module), read once.

    Examples
    --------
    >>> c = load_constants()
    >>> c["course"]["sessions_planned"], c["no_show"]["k"], list(c["asi"]["contrasts"][0])
    (16, 3, ['indskrivning', 'midtvejs'])
    """
    text = (resources.files("evalkit.report.hcs") / "constants.yaml").read_text(encoding="utf-8")
    return validate_header(yaml.safe_load(text), "evalkit/report/hcs/constants.yaml")


@dataclass(frozen=True)
class HcsPrepared:
    """The prepared data of report ``hcs`` (one row per participant of ``hcs_deltagere`` in every array).

    ``status`` and ``legal_basis`` are positions in the dictionary's codes of
    ``hcs_deltagere.udskrivningsstatus`` / ``lovgrundlag`` (-1 = not recorded); ``aftercare`` is
    1 = ja, 0 = nej, -1 = not recorded; ``cohort`` = at least one registered session (everybody when
    the export registers no attendance: registration is optional in the model);
    ``asi_in_course_locf``: per composite the scores at the in-course time points (``asi.in_course``)
    with each person's last score carried forward (:func:`carried_forward`).
    """

    constants: Mapping[str, Any]
    ids: pd.Index
    eligibility: pd.DataFrame
    attendance: AttendanceCounts
    asi: AsiScores
    cohort: np.ndarray
    status: np.ndarray
    legal_basis: np.ndarray
    aftercare: np.ndarray
    attendance_registered: bool
    k: int
    consecutive: bool
    asi_in_course_locf: dict[str, np.ndarray]

    def codes_in(self, column: str, values: Any) -> np.ndarray:
        """Mask of participants whose ``status`` / ``legal_basis`` is one of the codes ``values``."""
        codes = dataset("hcs").table("hcs_deltagere").column(column).codes
        arr = self.status if column == "udskrivningsstatus" else self.legal_basis
        return np.isin(arr, [codes.index(v) for v in values])


def carried_forward(grids: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each row's last observed value carried forward along the columns (time points), per grid, by one
    :func:`evalkit.compare.locf` call (registration k = column k; missing before the first value).

    Only the rows with a gap after an observed value change, so only those go through the engine.

    Examples
    --------
    >>> out = carried_forward({"a": np.array([[1.0, np.nan, 3.0], [np.nan, 2.0, np.nan], [4.0, 5.0, 6.0]])})
    >>> out["a"].tolist()
    [[1.0, 1.0, 3.0], [nan, 2.0, 2.0], [4.0, 5.0, 6.0]]
    """
    out = {key: grid.copy() for key, grid in grids.items()}
    first = next(iter(grids.values()), None)
    if first is None or first.size == 0:
        return out
    n, m = first.shape
    gap = np.zeros(n, dtype=bool)
    for grid in grids.values():
        seen = np.logical_or.accumulate(~np.isnan(grid), axis=1)
        gap |= (seen[:, :-1] & np.isnan(grid[:, 1:])).any(axis=1)
    rows = np.flatnonzero(gap)
    if rows.size == 0:
        return out
    forms = pd.DataFrame({"person": np.repeat(rows, m), "k": np.tile(np.arange(m), rows.size),
                          **{key: grid[rows].ravel() for key, grid in grids.items()}})
    filled = locf(forms, id="person", order="k", values=list(grids), upto=m)   # sorted by person = rows order
    for key in grids:
        out[key][rows] = filled[key].to_numpy().reshape(rows.size, m)
    return out


def _category(d: pd.DataFrame, name: str) -> np.ndarray:
    codes = dataset("hcs").table("hcs_deltagere").column(name).codes
    if name not in d.columns:
        return np.full(len(d), -1, dtype="int64")
    return code_positions(d[name], "hcs", "hcs_deltagere", name, codes)


def prepare(ctx: Context) -> None:
    """Compute attendance, eligibility and ASI scores once; record the cohort in the ledger.

    ``ctx.options.extra`` holds the declared settings ``no_show_k`` (K of the no-show exclusion) and
    ``no_show_consecutive`` (absences must be in a row); both default to the constants file.

    Examples
    --------
    >>> from evalkit.report.hcs import SPEC
    >>> SPEC.prepare is prepare
    True
    """
    c = load_constants()
    ex = ctx.export
    d, att, ses, asi = ex["hcs_deltagere"], ex["hcs_fremmoede"], ex["hcs_sessioner"], ex["hcs_asi"]
    ids = pd.Index(d["deltager_id"], name="deltager_id")
    ns = c["no_show"]
    k = int(ctx.options.extra["no_show_k"])                     # declared in spec.OPTIONS (default: constants)
    consecutive = bool(ctx.options.extra["no_show_consecutive"])
    attendance = attendance_counts(att, ses, ids, sessions_planned=int(c["course"]["sessions_planned"]))
    registered = attendance.registered
    if consecutive:  # runs need the session order: the profile counts them from the kept registrations
        counted = att if attendance.kept.all() else att.loc[attendance.kept]
        eligibility = hcs_eligibility(d, asi, counted, ses, no_show_k=k, consecutive=True,
                                      count_statuses=list(ns["count_statuses"]))
    else:  # a count: from the attendance already counted (one pass less over the registrations)
        cols = [ATTENDANCE_STATUSES.index(x) for x in ns["count_statuses"]]
        no_show = np.where(registered > 0, attendance.per_person[:, cols].sum(axis=1), -1)
        eligibility = hcs_eligibility(d, asi, no_show=no_show, no_show_k=k)
    cohort = registered > 0 if len(att) else np.ones(len(ids), dtype=bool)
    aftercare = np.full(len(ids), -1, dtype="int64")
    if "efterbehandling" in d.columns:
        val, missing = as_bool(d["efterbehandling"], "efterbehandling")
        aftercare = np.where(missing, -1, val.astype("int64"))
    scores = asi_scores(asi, ids, time_points=list(c["asi"]["time_points"]),
                        tolerance=float(c["asi"]["agreement_tolerance"]))
    course = [scores.time_points.index(t) for t in c["asi"]["in_course"]]
    store_prepared(ctx, HcsPrepared(
        constants=c, ids=ids, eligibility=eligibility, attendance=attendance, asi=scores, cohort=cohort,
        status=_category(d, "udskrivningsstatus"), legal_basis=_category(d, "lovgrundlag"), aftercare=aftercare,
        attendance_registered=len(att) > 0, k=k, consecutive=consecutive,
        asi_in_course_locf=carried_forward({key: grid[:, course] for key, grid in scores.scores.items()})))
    _ledger(ctx, len(att), attendance, cohort, aftercare, scores)
    ctx.notes.extend([
        TXT("notes.source"),
        TXT("notes.cohort") if len(att) else TXT("notes.cohort_no_attendance"),
        fill(TXT("notes.sessions"), planned=c["course"]["sessions_planned"],
             beyond=attendance.excluded["beyond_planned_sessions"]),
        TXT("notes.design"),
        fill(TXT("notes.constants"), version=c["version"], valid_from=c["valid_from"], k=k),
    ])


def _ledger(ctx: Context, n_att: int, attendance: AttendanceCounts, cohort: np.ndarray, aftercare: np.ndarray,
            scores: AsiScores) -> None:
    """Every row read is kept or excluded with a reason: a code, printed through its label in the
    report's language (``text.yaml``, section ``ledger``)."""
    lang = ctx.options.lang

    def stage(label: Any, read: int, kept: int, **excluded: int) -> dict[str, Any]:
        return {"label": label(lang), "read": int(read), "kept": int(kept),
                "excluded": {TXT(f"ledger.{code}")(lang): int(v) for code, v in excluded.items() if v}}

    ctx.ledger_stages["hcs: attendance registrations"] = stage(
        TXT("ledger_stage.attendance"), n_att, attendance.kept.sum(), **attendance.excluded)
    ctx.ledger_stages["hcs: cohort (started a group course)"] = stage(
        TXT("ledger_stage.cohort"), len(cohort), cohort.sum(), no_session_registered=(~cohort).sum())
    in_cohort = aftercare[cohort]
    ctx.ledger_stages["hcs: efterbehandling groups"] = stage(
        TXT("ledger_stage.aftercare"), cohort.sum(), (in_cohort >= 0).sum(),
        efterbehandling_not_recorded=(in_cohort < 0).sum())
    for key, src in scores.sources.items():
        ctx.ledger_stages[f"hcs: {key} scores"] = stage(
            fill(TXT("ledger_stage.scores"), composite=TXT(f"composites.{key}")),
            src["from_items"] + src["from_export"] + src["missing"], src["from_items"] + src["from_export"],
            no_composite=src["missing"])
