"""The ten TEM measures of the report (004-F6.26-6.28, P6.5c) and how each is printed and tested."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from evalkit.report.model import Text
from evalkit.report.ung_rusmidler.text import TXT


@dataclass(frozen=True)
class Measure:
    """A TEM measure of the report: its table key, the measure it is (``evalkit.measures.tem_measure``
    name), labels, how it is printed and which paired test it gets."""

    key: str
    measure: str
    label: Text
    unit: Text
    kind: str            # "mean" or "percent"
    test: str            # "score" | "days" | "units" | "binary"
    source: str          # seed figure of the overall trajectory


MEASURES: tuple[Measure, ...] = (
    Measure("samlet_trivsel", "samlet_trivsel", TXT("measures.overall_well_being"),
            TXT("measures.scale_0_10"), "mean", "score", "004-F6.26"),
    Measure("personlig_trivsel", "personlig_trivsel", TXT("measures.personal_well_being"),
            TXT("measures.scale_0_10"), "mean", "score", "004-F6.26"),
    Measure("naere_relationer", "naere_relationer", TXT("measures.close_relations"),
            TXT("measures.scale_0_10"), "mean", "score", "004-F6.26"),
    Measure("social_trivsel", "social_trivsel", TXT("measures.social_well_being"),
            TXT("measures.scale_0_10"), "mean", "score", "004-F6.26"),
    Measure("koncentration", "koncentration", TXT("measures.concentration"), TXT("measures.scale_0_10"),
            "mean", "score", "004-F6.27"),
    Measure("planlaegning", "planlaegning", TXT("measures.planning"), TXT("measures.scale_0_10"),
            "mean", "score", "004-F6.27"),
    Measure("cannabis_dage", "cannabis_days_week", TXT("measures.cannabis_use_last_7_days"),
            TXT("measures.days"), "mean", "days", "004-P6.5c"),
    Measure("andre_stoffer_dage", "other_drug_days_week",
            TXT("measures.other_drug_use_last_7"),
            TXT("measures.days"), "mean", "days", "004-P6.5c"),
    Measure("alkohol_genstande", "alcohol_units_week", TXT("measures.alcohol_units_per_week"),
            TXT("measures.units"), "mean", "units", "004-P6.5c"),
    Measure("stoffri", "drug_free_last_week", TXT("measures.drug_free_in_the_last"),
            TXT("measures.text"), "percent", "binary", "004-F6.28"),
)


MEASURE = {m.key: m for m in MEASURES}


def _tem_scale(c: Mapping[str, Any]) -> int:
    """3 when samlet trivsel is the mean of all three items (then stored x3: exact integer sums), else 1."""
    opts = c["tem"]
    return 3 if opts["samlet_method"] == "mean_of_three" and opts["samlet_missing"] == "complete" else 1


def _tem_value(tem: pd.DataFrame, c: Mapping[str, Any], m: Measure, times: int) -> np.ndarray:
    """One TEM measure per form (float64, NaN = missing), by :func:`evalkit.measures.tem_measure`."""
    from evalkit.measures.tem import tem_measure

    opts = c["tem"]
    return tem_measure(tem, m.measure, samlet_method=opts["samlet_method"], samlet_missing=opts["samlet_missing"],
                       tem30=opts["tem30"], drug_free_method=opts["drug_free_method"], times=times)
