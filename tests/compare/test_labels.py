"""Every code a compare function can emit has a Danish and an English label; degenerate data never raise."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit import compare
from evalkit.compare import label, label_table
from evalkit.compare.labels import LANGUAGES, code_kinds
from evalkit.compare.results import ComparisonResult

CODE_FIELDS = ("test_code", "p_method_code", "estimate_code", "estimate_ci_code", "effect_size_code",
               "effect_size_ci_code", "zero_handling_code", "tie_handling_code", "status", "alternative",
               "odds_ratio_code", "odds_ratio_ci_code")
ALTERNATIVES = ("two-sided", "greater", "less")

PRE = [5.0, 6.0, 4.0, 7.0, 5.0, 3.0, 8.0, 6.0]
POST = [6.0, 8.0, 4.0, 9.0, 7.0, 3.5, 8.0, 5.0]
UNTIED_PRE = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
UNTIED_POST = [2.5, 1.2, 6.3, 8.9, 4.1, 11.7]
DEGENERATE_PAIRS = [([], []), ([1.0], [2.0]), ([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]), ([1.0, 2.0], [2.0, 3.0])]


def _results() -> Iterator[Any]:
    """Every function with every method name and degenerate input it accepts."""
    for alt in ALTERNATIVES:
        yield compare.paired_t(PRE, POST, alternative=alt)
        yield compare.paired_t(PRE, POST, effect_size="d_av", alternative=alt)
        for zm in ("wilcox", "pratt", "zsplit"):
            for method in ("auto", "asymptotic", "permutation"):
                yield compare.wilcoxon(PRE, POST, method=method, zero_method=zm, alternative=alt)
                yield compare.wilcoxon(PRE, POST, method=method, zero_method=zm, correction=False, alternative=alt)
        yield compare.wilcoxon(UNTIED_PRE, UNTIED_POST, method="exact", alternative=alt)
        yield from _optional(compare.wilcoxon, UNTIED_PRE, UNTIED_POST, estimator="all_differences", alternative=alt)
        yield compare.sign_test(PRE, POST, alternative=alt)
        for method in ("exact", "mid-p"):
            for ci in ("newcombe", "wald"):
                yield compare.mcnemar([[10, 3], [8, 20]], method=method, ci_method=ci, alternative=alt)
        for method in ("auto", "exact", "asymptotic"):
            yield compare.mann_whitney(UNTIED_PRE, UNTIED_POST, method=method, alternative=alt)
            yield compare.mann_whitney(PRE, POST, method=method, alternative=alt)
            yield compare.spearman(UNTIED_PRE, UNTIED_POST, method=method, alternative=alt)
            yield compare.spearman(PRE, POST, method=method, alternative=alt)
        yield compare.spearman(np.arange(20.0), np.arange(20.0) ** 1.5 % 7, alternative=alt)
        yield compare.welch_t(PRE, POST, alternative=alt)
        yield compare.cochran_armitage([2, 5, 9], [20, 20, 20], alternative=alt)
        yield compare.binomial_test(7, 20, 0.3, alternative=alt)
        yield compare.regression_slope(PRE, POST, alternative=alt)
    for method in ("asymptotic", "asymptotic_cc"):
        yield compare.mcnemar([[10, 3], [8, 20]], method=method)
        yield compare.mcnemar([[10, 4], [4, 20]], method=method)
    yield compare.goal_test(49, 60, 0.7)
    yield compare.regression_slope(PRE, POST, [UNTIED_PRE + [7.0, 8.5]])
    for method in ("stuart_maxwell", "bhapkar"):
        yield compare.stuart_maxwell([[12, 7, 3], [30, 70, 20], [13, 34, 32]], method=method)
        yield compare.stuart_maxwell(["a", "b", "a"], ["b", "b", "a"], method=method)
    yield compare.chi_square([[21, 47], [24, 11], [31, 21]])
    yield compare.chi_square([[21, 47], [24, 11]], correction=True)
    yield compare.chi_square([[21, 47], [24, 11]])
    yield compare.chi_square([[3, 1], [1, 3]])
    yield compare.chi_square([[3, 1, 2], [1, 3, 0]])
    yield compare.kruskal_wallis([[2.9, 3.0, 2.5], [3.8, 2.7, 4.0]], n_resamples=20)
    yield compare.kruskal_wallis([[2.9, 3.0, 2.5], [3.8, 2.7, 4.0]], n_resamples=0)
    # degenerate data
    for pre, post in DEGENERATE_PAIRS:
        for fn in (compare.paired_t, compare.wilcoxon, compare.sign_test, compare.mann_whitney, compare.welch_t,
                   compare.spearman, compare.regression_slope):
            yield fn(pre, post)
        yield compare.mcnemar(np.array(pre) > 1.5, np.array(post) > 1.5)
        yield compare.stuart_maxwell(pre, post)
    yield compare.mcnemar([[0, 0], [0, 0]])
    yield compare.chi_square([[1, 2]])
    yield compare.kruskal_wallis([[1.0], [1.0, 1.0]])
    yield compare.kruskal_wallis([[], [1.0]])
    yield compare.cochran_armitage([0, 0], [5, 5])
    yield compare.binomial_test(0, 0)
    yield compare.regression_slope([1, 2, 3, 4], [2, 4, 6, 8])
    yield compare.regression_slope([1, 2, 3, 4, 5], [1, 3, 2, 5, 4], [2, 4, 6, 8, 10])


def _optional(fn: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
    try:
        yield fn(*args, **kwargs)
    except TypeError:  # an option this version does not have
        return


def _all_results() -> list[Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return list(_results())


def test_every_emitted_code_has_both_labels() -> None:
    table = label_table()
    seen: set[str] = set()
    for r in _all_results():
        assert isinstance(r, ComparisonResult)
        for name in CODE_FIELDS:
            code = getattr(r, name, "")
            if code:
                seen.add(code)
                assert code in table, f"{type(r).__name__}.{name} = {code!r} has no label"
                for lang in LANGUAGES:
                    assert label(code, lang).strip()
        assert r.test_code, r.method
        assert (r.p_value is None) == (r.status != "ok"), (r.method, r.status, r.p_value)
        if r.status != "ok":
            assert r.reason
        else:
            assert r.p_method_code
        for lang in LANGUAGES:
            assert r.describe(lang)
    assert {"paired_t", "wilcoxon_signed_rank", "mcnemar", "fisher_exact", "spearman", "binomial_goal"} <= seen


def test_model_means_codes_have_labels() -> None:
    tem = pd.DataFrame({"id": list("AABBCC"), "d": [1, 2] * 3, "v": [4.0, 6.0, 5.0, 6.0, 3.0, 3.0]})
    frame = compare.locf(tem, id="id", order="d", values="v", upto=2)
    for method in ("mixedlm", "gee"):
        r = compare.model_means(frame, "v", method=method)
        for code in (r.test_code, r.ci_code, r.status):
            assert all(label(code, lang) for lang in LANGUAGES)


def test_danish_labels_use_statistical_usage() -> None:
    assert label("paired_t", "da") == "Parret t-test"
    assert label("wilcoxon_signed_rank", "da") == "Wilcoxons test for parrede observationer"
    assert label("d_z", "da") == "Cohens d_z"
    assert label("mcnemar", "da") == "McNemars test"
    assert label("pearson_chi2", "da") == "Pearsons chi²-test"
    assert label("fisher_exact", "da") == "Fishers eksakte test"
    assert label("hl_shift_post_pre", "da").startswith("Hodges-Lehmann-forskydning (efter - før)")


def test_every_labelled_code_has_a_kind_and_unknown_codes_raise() -> None:
    assert set(code_kinds()) == set(label_table())
    with pytest.raises(KeyError):
        label("no_such_code", "da")
    with pytest.raises(ValueError):
        label("paired_t", "de")


def test_result_fields_carry_the_codes_into_the_tidy_row() -> None:
    row = compare.paired_t(PRE, POST).to_dict()
    assert row["test_code"] == "paired_t" and row["p_method_code"] == "p_t" and row["interval_sides"] == "two-sided"
    names = {f.name for f in dataclasses.fields(compare.GroupResult)}
    assert set(CODE_FIELDS) <= names


small_tables = st.lists(st.lists(st.integers(0, 3), min_size=2, max_size=4), min_size=1, max_size=4).filter(
    lambda rows: len({len(r) for r in rows}) == 1)
values = st.lists(st.one_of(st.none(), st.integers(0, 3).map(float)), min_size=0, max_size=8)


@settings(max_examples=80, deadline=None)
@given(small_tables)
def test_tables_never_raise(table) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = [compare.chi_square(table), compare.stuart_maxwell(np.array(table)[:, : len(table)])
                   if len(table) <= len(table[0]) and len(table) >= 2 else None]
        if len(table) == 2 and len(table[0]) == 2:
            results.append(compare.mcnemar(table))
    for r in results:
        if r is not None:
            assert (r.p_value is None) == (r.status != "ok")


@settings(max_examples=80, deadline=None)
@given(values, values)
def test_samples_never_raise(x, y) -> None:
    n = min(len(x), len(y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = [compare.mann_whitney(x, y), compare.welch_t(x, y), compare.kruskal_wallis([x, y], n_resamples=0),
                   compare.paired_t(x[:n], y[:n]), compare.wilcoxon(x[:n], y[:n]), compare.sign_test(x[:n], y[:n]),
                   compare.spearman(x[:n], y[:n]), compare.regression_slope(x[:n], y[:n])]
    for r in results:
        assert (r.p_value is None) == (r.status != "ok"), (r.method, r.status)
