"""Derived student-level variables offered to custom tables by name (``evalkit table ... --rows who5_afslutning``).

Each takes the export and returns one value per row of ``deltagere`` (missing where the student has
no registration at that time point or the measure cannot be scored):

- ``who5_<time point>``: the WHO-5 score 0-100 (:func:`evalkit.measures.who5_percent`) at
  indskrivning, afslutning or opfoelgning;
- ``hash_dage_<time point>``: days with cannabis use in the last 30 days
  (:func:`evalkit.measures.progression_days`).

>>> from evalkit.report.udgaaende.prepare import sample_context
>>> ex = sample_context().export
>>> round(float(VARIABLES["who5_indskrivning"](ex).mean()), 1)   # all 405 enrolled, not only completers
51.7
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
import pandas as pd

from evalkit.io.export import Export
from evalkit.report._build.values import positions

__all__ = ["VARIABLES"]

TIME_POINTS = ("indskrivning", "afslutning", "opfoelgning")


def _at(export: Export, time_point: str, values: pd.Series) -> pd.Series:
    """``values`` (one per registration) placed on the students' rows at one time point."""
    reg = export["registreringer"]
    students = export["deltagere"]
    here = (reg["tidspunkt"].astype(str) == time_point).to_numpy()
    out = np.full(len(students), np.nan)
    pos = positions(reg["person_id"][here], students["person_id"])
    ok = pos >= 0
    out[pos[ok]] = values.to_numpy(dtype="float64", na_value=np.nan)[here][ok]
    return pd.Series(out, index=students.index, dtype="float64")


def who5_at(export: Export, time_point: str) -> pd.Series:
    """WHO-5 score (0-100) of each student at ``time_point``."""
    from evalkit.measures import who5_percent

    reg = export["registreringer"]
    return _at(export, time_point, who5_percent(reg[[f"who5_{i}" for i in range(1, 6)]]))


def cannabis_days_at(export: Export, time_point: str) -> pd.Series:
    """Days of cannabis use in the last 30 days of each student at ``time_point``."""
    from evalkit.measures import progression_days

    reg = export["registreringer"]
    return _at(export, time_point, progression_days(reg["hash_dage_30"], "cannabis_days_30"))


VARIABLES: dict[str, Callable[[Export], pd.Series]] = {
    **{f"who5_{tp}": partial(who5_at, time_point=tp) for tp in TIME_POINTS},
    **{f"hash_dage_{tp}": partial(cannabis_days_at, time_point=tp) for tp in TIME_POINTS},
}
