"""Measures: WHO-5, ASI composites, stofscore, TEM and the progression measures of Udgående indsatser.

Pure, vectorised functions on pandas objects. They accept pyarrow-backed columns (``int64[pyarrow]``,
``bool[pyarrow]``, <NA>) and plain numpy columns (float64 with NaN, object, bool) alike, and return
scores as float64 (NaN = no score), flags as nullable ``boolean`` and classes as ``category``, on the
input's index. Every threshold, band and rule comes from a versioned file in ``evalkit/rules``; pass a
:class:`MeasureLedger` to record how many rows were scored, prorated or left out, and under which policy.
"""

from __future__ import annotations

from evalkit.measures._ledger import LedgerEntry, MeasureLedger
from evalkit.measures.asi import (
    asi_alcohol,
    asi_composite,
    asi_drug,
    asi_item_columns,
    asi_psychiatric,
    asi_samlet_eligible,
)
from evalkit.measures.progression import REDUCTION_CATEGORIES, cannabis_reduction, poly_drug_users, progression_days
from evalkit.measures.stofscore import stofscore, stofscore_12plus, stofscore_total_days
from evalkit.measures.tem import (
    alcohol_units_week,
    drug_free_last_week,
    samlet_trivsel,
    tem_drug_days_week,
    tem_measures,
    tem_scale_item,
)
from evalkit.measures.who5 import who5_band, who5_below_cutoff, who5_change, who5_percent, who5_raw

__all__ = [
    "LedgerEntry",
    "MeasureLedger",
    "REDUCTION_CATEGORIES",
    "alcohol_units_week",
    "asi_alcohol",
    "asi_composite",
    "asi_drug",
    "asi_item_columns",
    "asi_psychiatric",
    "asi_samlet_eligible",
    "cannabis_reduction",
    "drug_free_last_week",
    "poly_drug_users",
    "progression_days",
    "samlet_trivsel",
    "stofscore",
    "stofscore_12plus",
    "stofscore_total_days",
    "tem_drug_days_week",
    "tem_measures",
    "tem_scale_item",
    "who5_band",
    "who5_below_cutoff",
    "who5_change",
    "who5_percent",
    "who5_raw",
]
