"""Comparisons with effect sizes and intervals: paired, binary, group, trend, multiplicity, LOCF.

Every test returns a frozen result (:class:`ComparisonResult` and subclasses) with ``n``,
``n_dropped``, ``statistic``, ``p_value``, ``estimate`` / ``estimate_ci``, ``effect_size`` /
``effect_size_ci`` and the printable ``method``; ``.to_frame()`` gives one tidy row. What was
computed is also named by codes (``test_code``, ``p_method_code``, ``estimate_code``,
``estimate_ci_code``, ``effect_size_code``, ``effect_size_ci_code``, ``zero_handling_code``,
``tie_handling_code``, ``status``) with Danish and English labels (:func:`label`). Degenerate data
never raise: the result has ``p_value=None``, a ``status`` and a ``reason``. Defaults and
thresholds come from ``evalkit/compare/data/compare.yaml``.

>>> from evalkit.compare import label, paired_t
>>> r = paired_t([5, 6, 4, 7], [6, 8, 4, 9])
>>> r.method, r.test_code, label(r.test_code, "da"), label(r.effect_size_code, "da")
('Paired t-test', 'paired_t', 'Parret t-test', 'Cohens d_z')
"""

from __future__ import annotations

from evalkit.compare._rules import compare_rules, rules_id
from evalkit.compare.binary import mcnemar, stuart_maxwell
from evalkit.compare.correlation import CorrelationResult, bonett_wright_ci, spearman
from evalkit.compare.describe import describe, frequencies
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
from evalkit.compare.labels import label, label_table
from evalkit.compare.multiplicity import AdjustedPValues, adjust_pvalues
from evalkit.compare.paired import paired_t, sign_test, wilcoxon
from evalkit.compare.proportions import ProportionResult, binomial_test, goal_test
from evalkit.compare.regression import RegressionResult, regression_slope
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
    "CorrelationResult",
    "DataQualityWarning",
    "DegenerateDataWarning",
    "GroupResult",
    "MarginalHomogeneityResult",
    "McNemarResult",
    "ModelMeansResult",
    "PairedResult",
    "ProportionResult",
    "RegressionResult",
    "SmallSampleWarning",
    "TrendResult",
    "adjust_pvalues",
    "binomial_test",
    "bonett_wright_ci",
    "chi_square",
    "clopper_pearson_ci",
    "cochran_armitage",
    "cohens_d_av",
    "cohens_d_z",
    "compare_rules",
    "cramers_v",
    "describe",
    "frequencies",
    "first_last",
    "form_counts",
    "goal_test",
    "kruskal_wallis",
    "label",
    "label_table",
    "locf",
    "mann_whitney",
    "mcnemar",
    "model_means",
    "newcombe_paired_ci",
    "newcombe_unpaired_ci",
    "noncentral_t_ci",
    "paired_t",
    "regression_slope",
    "rules_id",
    "sign_test",
    "spearman",
    "stuart_maxwell",
    "trajectory_summary",
    "welch_t",
    "wilcoxon",
    "wilson_ci",
]
