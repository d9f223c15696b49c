"""Comparisons with effect sizes and intervals: paired, binary, group, trend, multiplicity, LOCF.

Every test returns a frozen result (:class:`ComparisonResult` and subclasses) with ``n``,
``n_dropped``, ``statistic``, ``p_value``, ``estimate`` / ``estimate_ci``, ``effect_size`` /
``effect_size_ci`` and the printable ``method``; ``.to_frame()`` gives one tidy row. Defaults and
thresholds come from ``evalkit/compare/data/compare.yaml``.

>>> from evalkit.compare import paired_t
>>> paired_t([5, 6, 4, 7], [6, 8, 4, 9]).method
'Paired t-test'
"""

from __future__ import annotations

from evalkit.compare._rules import compare_rules, rules_id
from evalkit.compare.binary import mcnemar, stuart_maxwell
from evalkit.compare.effect_sizes import (
    clopper_pearson_ci,
    cohens_d_av,
    cohens_d_z,
    cramers_v,
    newcombe_paired_ci,
    newcombe_unpaired_ci,
    noncentral_t_ci,
    wilson_ci,
)
from evalkit.compare.groups import chi_square, kruskal_wallis, mann_whitney, welch_t
from evalkit.compare.multiplicity import AdjustedPValues, adjust_pvalues
from evalkit.compare.paired import paired_t, sign_test, wilcoxon
from evalkit.compare.results import (
    CompareWarning,
    ComparisonResult,
    ConfidenceInterval,
    DataQualityWarning,
    DegenerateDataWarning,
    GroupResult,
    MarginalHomogeneityResult,
    McNemarResult,
    PairedResult,
    SmallSampleWarning,
    TrendResult,
)
from evalkit.compare.sensitivity import ModelMeansResult, model_means
from evalkit.compare.trajectories import first_last, form_counts, locf, trajectory_summary
from evalkit.compare.trend import cochran_armitage

__all__ = [
    "AdjustedPValues",
    "CompareWarning",
    "ComparisonResult",
    "ConfidenceInterval",
    "DataQualityWarning",
    "DegenerateDataWarning",
    "GroupResult",
    "MarginalHomogeneityResult",
    "McNemarResult",
    "ModelMeansResult",
    "PairedResult",
    "SmallSampleWarning",
    "TrendResult",
    "adjust_pvalues",
    "chi_square",
    "clopper_pearson_ci",
    "cochran_armitage",
    "cohens_d_av",
    "cohens_d_z",
    "compare_rules",
    "cramers_v",
    "first_last",
    "form_counts",
    "kruskal_wallis",
    "locf",
    "mann_whitney",
    "mcnemar",
    "model_means",
    "newcombe_paired_ci",
    "newcombe_unpaired_ci",
    "noncentral_t_ci",
    "paired_t",
    "rules_id",
    "sign_test",
    "stuart_maxwell",
    "trajectory_summary",
    "welch_t",
    "wilcoxon",
    "wilson_ci",
]
