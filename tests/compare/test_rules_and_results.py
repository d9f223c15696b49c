"""The defaults file's schema, and the common result contract of every public test."""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
import pandas as pd
import pytest

import evalkit.compare as cmp
from evalkit.compare._rules import check_rules, compare_rules, rules_id
from evalkit.rules import RuleFileError, thaw

COMMON = ["method", "n", "n_dropped", "statistic", "statistic_name", "p_value", "effect_size", "effect_size_name",
          "effect_size_ci_low", "effect_size_ci_high", "estimate", "estimate_ci_low", "estimate_ci_high",
          "df", "alternative", "confidence_level", "status"]


def test_shipped_defaults_pass_the_schema() -> None:
    rules = compare_rules()
    check_rules(rules)
    assert rules_id() == f"compare@{rules['version']}"
    assert rules["locf"]["upto"] == 12  # seed 004 fn 23
    for key in ("rule", "version", "source", "valid_from"):
        assert rules[key]


@pytest.mark.parametrize(
    "path,value,message",
    [
        (("locf", "upto"), 0, "upto"),
        (("wilcoxon", "zero_method"), "drop", "zero_method"),
        (("confidence_level",), 1.5, "confidence_level"),
        (("mixed_model", "seed"), "abc", "seed"),
        (("chi_square", "continuity_correction"), 1, "continuity_correction"),
    ],
)
def test_schema_rejects_broken_files(path, value, message) -> None:
    broken = thaw(compare_rules())
    node = broken
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(RuleFileError, match=message):
        check_rules(broken)


def test_schema_rejects_missing_keys() -> None:
    broken = thaw(compare_rules())
    del broken["wilcoxon"]["exact_max_n"]
    with pytest.raises(RuleFileError, match="exact_max_n"):
        check_rules(broken)


def _all_results() -> dict[str, cmp.ComparisonResult]:
    rng = np.random.default_rng(0)
    pre = rng.integers(0, 11, 40).astype(float)
    post = np.clip(pre + rng.integers(-2, 4, 40), 0, 10)
    pre[3] = np.nan
    b1, b2 = rng.random(40) < 0.4, rng.random(40) < 0.6
    return {
        "paired_t": cmp.paired_t(pre, post),
        "wilcoxon": cmp.wilcoxon(pre, post),
        "sign_test": cmp.sign_test(pre, post),
        "mcnemar": cmp.mcnemar(b1, b2),
        "stuart_maxwell": cmp.stuart_maxwell(np.minimum(pre // 4, 2), np.minimum(post // 4, 2)),
        "chi_square": cmp.chi_square(np.repeat(["a", "b"], 20), b1),
        "mann_whitney": cmp.mann_whitney(pre[:20], post[20:]),
        "kruskal_wallis": cmp.kruskal_wallis(pre, np.repeat(["x", "y", "z", "w"], 10), n_resamples=50),
        "welch_t": cmp.welch_t(pre[:20], post[20:]),
        "cochran_armitage": cmp.cochran_armitage([34, 32, 11, 2], [67, 80, 33, 8]),
    }


def test_every_result_carries_the_common_fields_and_one_tidy_row() -> None:
    results = _all_results()
    rows = pd.concat([r.to_frame() for r in results.values()], ignore_index=True)
    assert len(rows) == len(results)
    assert set(COMMON) <= set(rows.columns)
    for name, r in results.items():
        assert isinstance(r, cmp.ComparisonResult)
        assert r.status == "ok", name
        assert isinstance(r.method, str) and r.method, name
        assert 0.0 <= r.p_value <= 1.0, name
        assert math.isfinite(r.effect_size) and r.effect_size_name, name
        low, high = r.effect_size_ci
        assert low <= r.effect_size <= high, name
        assert isinstance(r.effect_size_ci, cmp.ConfidenceInterval)
    assert results["paired_t"].n_dropped == 1 and results["paired_t"].n == 39


def test_results_are_frozen() -> None:
    r = cmp.paired_t([1.0, 2.0, 3.0], [2.0, 2.5, 5.0])
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.p_value = 0.0  # type: ignore[misc]


def test_public_names() -> None:
    for name in ["paired_t", "wilcoxon", "sign_test", "mcnemar", "stuart_maxwell", "cochran_armitage",
                 "adjust_pvalues", "locf", "chi_square", "mann_whitney", "kruskal_wallis", "welch_t",
                 "model_means", "trajectory_summary", "first_last", "form_counts"]:
        assert name in cmp.__all__ and callable(getattr(cmp, name))


def test_bad_arguments_name_the_argument() -> None:
    with pytest.raises(ValueError, match="alternative"):
        cmp.paired_t([1, 2], [2, 3], alternative="bigger")
    with pytest.raises(ValueError, match="confidence_level"):
        cmp.wilcoxon([1, 2], [2, 3], confidence_level=95)
    with pytest.raises(ValueError, match="lengths"):
        cmp.sign_test([1, 2, 3], [2, 3])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cmp.paired_t([1.0, 2.0, 4.0], [2.0, 3.5, 4.0])  # ordinary data: no warnings
