"""Canonical frames of the synthetic UNG Rusmidler export, built from per-episode and per-form arrays.

Turns the arrays of the published-size builder and of the scaled generator into the dictionary's
``logbog_episodes`` / ``ungmap_intake`` / ``tem_registrations`` columns and dtypes: dates as
``date32``, and the drug questions of the TEM form (drug-free last week, cannabis days, other-drug
days) missing on the forms where a youth leaves them unanswered (the reading under which figur 6.28,
6.35 and 6.37 of Socialstyrelsen's *Erfaringsopsamling – UNG Rusmidler* are consistent). It
constrains no figure itself.

>>> _date32(np.array([0, 18000]), np.array([False, True])).to_pylist()
[datetime.date(1970, 1, 1), None]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from evalkit.synth._common import canonical_frame, make_ids
from evalkit.synth.ung_rusmidler.targets import _DATASET, _DS


def _tem_table(f: dict[str, np.ndarray], order: np.ndarray | None, ep_id: pa.Array, person_key: pa.Array,
               recall: int) -> pd.DataFrame:
    """The ``tem_registrations`` frame from per-form arrays (``order``: row order, None = as is)."""
    take = (lambda a: a) if order is None else (lambda a: a[order])
    ep = take(f["episode"])
    idx = pa.array(ep)
    n = ep.size
    # the drug questions (drug-free item, cannabis and other-drug days) left unanswered on some forms
    missing = take(f["drug_missing"]) if "drug_missing" in f else np.zeros(n, dtype=bool)

    def drug_item(values: np.ndarray, type_: pa.DataType) -> pa.Array:
        return pa.array(values, type=type_, mask=missing)

    cols = {
        "tem_id": make_ids("T", n),
        "episode_id": ep_id.take(idx),
        "person_key": person_key.take(idx),
        "group_course": pa.array(take(f["group"]).astype(bool)),
        "tem_date": pa.array(take(f["date"]).astype(np.int32)).cast(pa.date32()),
        "recall_window_days": np.full(n, recall, dtype=np.int64),
        "personlig_trivsel": take(f["personlig_trivsel"]).astype(np.int64),
        "naere_relationer": take(f["naere_relationer"]).astype(np.int64),
        "social_trivsel": take(f["social_trivsel"]).astype(np.int64),
        "koncentration": take(f["koncentration"]).astype(np.int64),
        "planlaegning": take(f["planlaegning"]).astype(np.int64),
        "cannabis_days": drug_item(take(f["cannabis_days"]).astype(np.int64), pa.int64()),
        "other_drug_days": drug_item(take(f["other_drug_days"]).astype(np.int64), pa.int64()),
        "alcohol_units_week": take(f["alcohol_units_week"]).astype(float),
        "drug_free_last_week": drug_item(take(f["drug_free"]).astype(bool), pa.bool_()),
    }
    return canonical_frame(_DATASET, "tem_registrations", cols)


def _take_rows(frame: pd.DataFrame, table: str, rows: np.ndarray, replace: dict[str, Any]) -> pd.DataFrame:
    """Rows ``rows`` of a canonical frame (vectorised ``take``), with the columns in ``replace`` swapped."""
    idx = pa.array(rows)
    cols: dict[str, Any] = {}
    for col in _DS.table(table).column_names:
        if col in replace:
            cols[col] = replace[col]
        elif isinstance(frame[col].dtype, pd.CategoricalDtype):
            cols[col] = frame[col].cat.codes.to_numpy()[rows].astype(np.int64)
        else:
            cols[col] = pa.array(frame[col].array).take(idx)
    return canonical_frame(_DATASET, table, cols)


def _date32(days: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.where(missing, 0, days).astype(np.int32) if missing is not None else days.astype(np.int32),
                    mask=missing).cast(pa.date32())
