"""Codes, labels and column helpers of the report (episode types, statuses, profiles)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from evalkit.report._build import arrow_strings, codes, day_numbers, floats
from evalkit.report._build.bilingual import fill
from evalkit.report.model import T
from evalkit.report.spec import Context
from evalkit.report.ung_rusmidler.text import TXT

TYPES = ("anonym_raadgivning", "raadgivning", "behandling")


STATUSES = ("faerdigbehandlet", "udeblevet", "andet")


PROFILES = ("LAV", "SIP", "SEP", "SEIP")


RISKS = ("R0", "R1", "R2", "R3")


SEXES = ("K", "M")


TYPE_LABEL = {
    "anonym_raadgivning": TXT("labels.anonymous_counselling_episodes"),
    "raadgivning": TXT("labels.counselling_episodes"),
    "behandling": TXT("labels.treatment_episodes"),
}


TYPE_SHORT = {
    "anonym_raadgivning": TXT("labels.anonymous_counselling"),
    "raadgivning": TXT("labels.counselling"),
    "behandling": TXT("labels.treatment"),
}


STATUS_LABEL = {
    "faerdigbehandlet": TXT("labels.completed_treatment"),
    "udeblevet": TXT("labels.dropped_out_no_show"),
    "andet": TXT("labels.other"),
}


PROFILE_LABEL = {p: T(p) for p in PROFILES}


RISK_LABEL = {r: fill(TXT("templates.risk_profile"), i=r[1], code=r) for r in RISKS}


TOTAL = TXT("labels.total")


UNKNOWN = TXT("labels.unknown")


def _floats(s: pd.Series | None, n: int) -> np.ndarray:
    """The toolkit's ``floats``; an absent column (``None``) is all missing."""
    return np.full(n, np.nan) if s is None else floats(s)


def _col(frame: pd.DataFrame, name: str) -> pd.Series | None:
    return frame[name] if name in frame.columns else None


def _codes(s: pd.Series | None, categories: Sequence[str], n: int) -> np.ndarray:
    """The toolkit's ``codes``; an absent column is all -1."""
    return np.full(n, -1, dtype=np.int64) if s is None else codes(s, categories)


def _day_numbers(s: pd.Series | None, n: int) -> np.ndarray:
    """The toolkit's ``day_numbers``; an absent column is all missing."""
    return np.full(n, np.nan) if s is None else day_numbers(s)


def _by_key(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """``frame`` sorted by its key column (already sorted: unchanged), so that every array, sum and
    test of the report is in one canonical order whatever the row order of the export."""
    arr = arrow_strings(frame[key])
    if len(arr) < 2 or pc.all(pc.less_equal(arr.slice(0, len(arr) - 1), arr.slice(1))).as_py():
        return frame
    return frame.take(pc.sort_indices(arr).to_numpy()).reset_index(drop=True)


def _days_of(date: str | None) -> float | None:
    if date is None:
        return None
    return float((np.datetime64(str(date), "D") - np.datetime64("1970-01-01", "D")).astype(int))


def _stage(ctx: Context, name: str, read: int, kept: int, excluded: dict[str, int], **fill: Any) -> None:
    """One stage of the row ledger; each exclusion reason is a code (``ledger.<code>`` in ``text.yaml``),
    printed in the report's language (``fill``: the placeholders of the reasons)."""
    lang = ctx.options.lang
    ctx.ledger_stages[name] = {"label": TXT(f"ledger_stage.{name}")(lang), "read": read, "kept": kept, "excluded": {
        TXT(f"ledger.{code}", **fill)(lang): k for code, k in excluded.items() if k}}
