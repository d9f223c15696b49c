"""HCS group treatment: attendance per participant and per session number.

Each participant's registered group sessions are numbered 1, 2, ... in date order and counted by
the three statuses of the model's attendance registration (mødt op / meldt afbud / ikke meldt afbud;
HCS model (Socialstyrelsen), chapter 2, "Varighed og fremmøde"). A course has 16 weekly sessions
and none are added to make up for absence (chapter 2: "16 gruppegange à 2-3 timer" among the
model's elements, and "Der bør ikke kompenseres med ekstra sessioner ved fravær"), so registrations
after a participant's 16th session are left out and counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from evalkit.measures._keys import code_positions, day_numbers, id_strings, positions_in

__all__ = ["ATTENDANCE_STATUSES", "AttendanceCounts", "attendance_counts"]

#: Attendance statuses (dictionary codes of ``hcs_fremmoede.status``), in the model's order (HCS model, chapter 2).
ATTENDANCE_STATUSES = ("moedt", "meldt_afbud", "ikke_meldt_afbud")


@dataclass(frozen=True)
class AttendanceCounts:
    """Attendance counted per participant and per session number; see :func:`attendance_counts`."""

    per_person: np.ndarray
    per_session: np.ndarray
    kept: np.ndarray
    excluded: dict[str, int]

    @property
    def registered(self) -> np.ndarray:
        """Registered sessions (any status) per participant, within the planned sessions."""
        return self.per_person.sum(axis=1)


def attendance_counts(
    fremmoede: pd.DataFrame,
    sessioner: pd.DataFrame,
    ids: Sequence[Any] | pd.Index,
    *,
    sessions_planned: int = 16,
) -> AttendanceCounts:
    """Each participant's registered sessions numbered 1, 2, ... in date order, counted by status.

    Parameters
    ----------
    fremmoede
        ``hcs_fremmoede``: ``deltager_id``, ``session_id``, ``status`` (codes, labels or aliases).
    sessioner
        ``hcs_sessioner``: ``session_id`` and ``dato`` (orders a participant's sessions).
    ids
        The participants (``hcs_deltagere.deltager_id``), giving the row order of ``per_person``.
    sessions_planned
        Sessions per course (HCS model, chapter 2: "16 gruppegange"). Registrations after a
        participant's ``sessions_planned``-th session are left out and counted (chapter 2: no extra
        sessions make up for absence).

    Returns
    -------
    AttendanceCounts
        ``per_person``: int64 (participants x 3) of mødt op / meldt afbud / ikke meldt afbud
        (:data:`ATTENDANCE_STATUSES`); ``per_session``: int64 (sessions_planned x 3), session k = the
        participant's k-th registered session; ``kept``: boolean mask of the attendance rows used;
        ``excluded``: rows left out by reason (``beyond_planned_sessions``, ``unknown_participant``,
        ``unknown_session``).

    Notes
    -----
    Session number = rank of the session date among the participant's registered sessions, ties
    broken by the session's row order in ``sessioner``. One pass: every session is ranked by (date,
    row) once, a registration's key is (participant, that rank), and the sort is skipped when the
    export already comes in that order. A registration without a status raises :class:`ValueError`.

    Examples
    --------
    >>> ses = pd.DataFrame({"session_id": ["s1", "s2", "s3"], "dato": ["2015-01-05", "2015-01-12", "2015-01-19"]})
    >>> att = pd.DataFrame({"deltager_id": ["a", "a", "a", "b"], "session_id": ["s3", "s1", "s2", "s2"],
    ...                     "status": ["ikke_meldt_afbud", "moedt", "afbud", "mødt op"]})
    >>> out = attendance_counts(att, ses, ["a", "b", "c"], sessions_planned=2)
    >>> out.per_person.tolist()
    [[1, 1, 0], [1, 0, 0], [0, 0, 0]]
    >>> out.per_session.tolist(), out.excluded
    ([[2, 0, 0], [0, 1, 0]], {'beyond_planned_sessions': 1, 'unknown_participant': 0, 'unknown_session': 0})
    """
    planned = int(sessions_planned)
    if planned < 1:
        raise ValueError(f"`sessions_planned` must be a positive integer, got {sessions_planned!r}")
    id_set = id_strings(ids)
    n_ids = len(id_set)
    pid = positions_in(id_set, fremmoede["deltager_id"])
    spos = positions_in(id_strings(sessioner["session_id"]), fremmoede["session_id"])
    status = code_positions(fremmoede["status"], "hcs", "hcs_fremmoede", "status", ATTENDANCE_STATUSES)
    if (status < 0).any():
        raise ValueError("hcs_fremmoede.status: every registration needs a status")
    n_ses = len(sessioner)
    session_rank = np.empty(n_ses, dtype="int64")
    session_rank[np.lexsort((np.arange(n_ses), day_numbers(sessioner["dato"])))] = np.arange(n_ses)
    known = (pid >= 0) & (spos >= 0)
    every = bool(known.all())
    rows = np.arange(len(known)) if every else np.flatnonzero(known)
    key = (pid if every else pid[rows]) * max(n_ses, 1) + session_rank[spos if every else spos[rows]]
    if len(key) > 1 and not (key[1:] > key[:-1]).all():   # exports usually come sorted: skip the sort then
        sort = np.argsort(key, kind="stable")
        rows = rows[sort]
    del key
    p = pid[rows]
    seq = np.zeros(len(fremmoede), dtype="int64")
    if len(rows):
        start = np.r_[True, p[1:] != p[:-1]]
        first = np.maximum.accumulate(np.where(start, np.arange(len(rows)), 0))
        seq[rows] = np.arange(len(rows)) - first + 1
    kept = known & (seq <= planned)
    per_person = np.bincount(pid[kept] * 3 + status[kept], minlength=n_ids * 3).reshape(n_ids, 3)
    per_session = np.bincount((seq[kept] - 1) * 3 + status[kept], minlength=planned * 3).reshape(planned, 3)
    excluded = {"beyond_planned_sessions": int((known & (seq > planned)).sum()),
                "unknown_participant": int((pid < 0).sum()),
                "unknown_session": int(((pid >= 0) & (spos < 0)).sum())}
    return AttendanceCounts(per_person=per_person.astype("int64"), per_session=per_session.astype("int64"),
                            kept=kept, excluded=excluded)
