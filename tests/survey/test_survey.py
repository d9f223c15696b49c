"""Survey building blocks (evalkit.compare.survey) against hand-computed values.

The counts are those of seed 003 (NIRAS: Modelkommuneprojekt Unge, alkohol og stoffer, survey of 44
institutions, November 2014) where it prints them; spec seed002_003_figures.md 2.9 and 4.2.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from evalkit.compare.survey import (
    cluster_permutation_test,
    crosstab,
    filter_base,
    flow,
    frequency,
    multi_response,
    ordinal_summary,
    partition,
    round_half_up,
    share,
)


def _yes(k: int, n: int) -> list[bool]:
    return [True] * k + [False] * (n - k)


def test_multi_response_shares_sum_past_100_and_are_not_normalised():
    # 6.4: ledelse 38 (86 %), lærere 30 (68 %), elever 15 (34 %) of 44
    f = pd.DataFrame({"ledelse": _yes(38, 44), "laerere": _yes(30, 44), "elever": _yes(15, 44)})
    t = multi_response(f, ["ledelse", "laerere", "elever"])
    assert t.base == 44 and t.n_missing == 0
    assert t.rows["count"].tolist() == [38, 30, 15]
    assert [round_half_up(p) for p in t.rows["percent"]] == [86, 68, 34]
    assert t.percent_sum == pytest.approx(100 * (38 + 30 + 15) / 44)   # 188.64, not 100
    assert t.percent_sum > 100


def test_multi_response_base_is_the_units_answering_any_option():
    f = pd.DataFrame({"a": [1, 0, None, 1], "b": [0, 0, None, 1]})
    t = multi_response(f, ["a", "b"])
    assert t.base == 3 and t.n_missing == 1 and t.rows["count"].tolist() == [2, 1]


def test_top_two_box_bottom_box_and_missing():
    # 7.1: 14 of 44 "over halvdelen" or "alle" trained in detection, 6 none; 2 more did not answer
    values = ["alle"] * 5 + ["over_halvdelen"] * 9 + ["under_halvdelen"] * 24 + ["ingen"] * 6 + [None] * 2
    t = ordinal_summary(values, ["ingen", "under_halvdelen", "over_halvdelen", "alle"])
    assert t.base == 44 and t.n_missing == 2
    assert (t.boxes["top_two"].count, t.boxes["top_two"].base) == (14, 44)
    assert t.boxes["top_two"].percent == pytest.approx(31.818, abs=1e-3)
    assert (t.boxes["top"].count, t.boxes["bottom"].count) == (5, 6)
    missing = t.rows.set_index("key").loc["missing"]
    assert missing["count"] == 2 and missing["base"] == 46
    assert t.rows["count"].iloc[:4].tolist() == [6, 24, 9, 5]


def test_filtered_base_carries_filter_and_base():
    # 8.4: of the 29 schools with a specific counselling offer, 17 local (59 %), 6 municipality (21 %)
    offer = _yes(29, 44)
    location = ["lokalt"] * 17 + ["kommunen"] * 6 + ["anden"] * 6 + [None] * 15
    base = filter_base(offer, "schools with a specific counselling offer")
    t = frequency(location, ["lokalt", "kommunen", "anden"], where=base)
    assert t.base == 29 and t.filter == "schools with a specific counselling offer" and base.n_excluded == 15
    assert [round_half_up(p) for p in t.rows["percent"]] == [59, 21, 21]
    # on all 44 the same counts cannot print as 21 %: 9 of 44 = 20.45 %
    assert round_half_up(100 * 9 / 44) == 20 and round_half_up(100 * 10 / 44) == 23


def test_flow_arithmetic_and_a_broken_flow():
    # 5.3: 50 at the start, 7 withdrew, 2 joined, 45 at the end; 44 answered
    n = 52
    start = np.r_[np.ones(50, bool), np.zeros(2, bool)]
    out = np.zeros(n, bool)
    out[:7] = True
    joined = ~start
    end = (start | joined) & ~out
    resp = end.copy()
    resp[np.flatnonzero(end)[0]] = False
    f = flow(start, out, joined, end, resp)
    assert f.counts == {"start": 50, "withdrew": 7, "joined": 2, "end": 45, "responded": 44, "not_responded": 1}
    assert f.ok
    bad_end = end.copy()
    bad_end[0] = True   # a withdrawn institution also counted at the end
    broken = flow(start, out, joined, bad_end, resp)
    assert not broken.ok
    assert {c.name for c in broken.checks if not c.ok} == {"totals", "units"}
    assert "50 - 7 + 2 = 45; end = 46" in broken.checks[0].message


def test_partition_sums():
    assert partition({"faelles": 3, "tvunget": 2, "valgt": 1}, 6).complete
    p = partition({"ja": 3, "ikke_endnu": 1}, 6, "projects")
    assert not p.complete and p.sum == 4 and "2 not accounted for" in p.message
    assert "more than" in partition({"a": 4, "b": 3}, 6).message


def test_wilson_interval_textbook_values():
    # Newcombe (1998), Statistics in Medicine 17:857-872, Table I, method 3 (Wilson score)
    for k, n, low, high in [(81, 263, 25.53, 36.62), (15, 148, 6.24, 16.05), (0, 20, 0.0, 16.11), (1, 29, 0.61, 17.18)]:
        s = share(k, n)
        assert (round(s.ci_low, 2), round(s.ci_high, 2)) == (low, high)
    # spec 4.2 (derived): 24/44 -> [40.1 %, 68.3 %]
    s = share(24, 44)
    assert (round(s.ci_low, 1), round(s.ci_high, 1)) == (40.1, 68.3)
    cp = share(3, 10, method="clopper-pearson")          # R binom.test(3, 10): 0.0667 0.6525
    assert (round(cp.ci_low, 2), round(cp.ci_high, 2)) == (6.67, 65.25)
    with pytest.raises(ValueError):
        share(5, 4)


def test_fisher_exact_against_a_hand_computed_2x2():
    # [[3, 1], [1, 3]], margins 4/4: P(a=k) = C(4,k) C(4,4-k) / C(8,4) = 1, 16, 36, 16, 1 (/70);
    # two-sided p = P(a in {0, 1, 3, 4}) = 34/70
    x = ["a"] * 4 + ["b"] * 4
    y = ["y", "y", "y", "n", "y", "n", "n", "n"]
    table, r = crosstab(x, y, ["a", "b"], ["y", "n"])
    assert table.values.tolist() == [[3, 1], [1, 3]]
    assert r.method == "Fisher's exact test"
    assert r.p_value == pytest.approx(34 / 70, abs=1e-12)
    # the conditional maximum-likelihood odds ratio, as R fisher.test(matrix(c(3, 1, 1, 3), 2))$estimate
    assert r.statistic == pytest.approx(6.408309, abs=1e-6)


def test_crosstab_drops_missing_and_rejects_unknown_levels():
    table, r = crosstab(["a", None, "b"], ["y", "y", None], ["a", "b"], ["y", "n"])
    assert int(table.values.sum()) == 1 and r.n_dropped == 2
    with pytest.raises(ValueError, match="not among the levels"):
        crosstab(["a", "c"], ["y", "n"], ["a", "b"], ["y", "n"])


def test_cluster_permutation_test_three_versus_three():
    # shares 1/2, 1/3, 0 (group) vs 1, 2/3, 1/2: all C(6,3) = 20 assignments enumerated by hand below
    outcome = [1, 0] + [1, 0, 0] + [0, 0] + [1, 1] + [1, 1, 0] + [1, 0]
    cluster = list("aa") + list("bbb") + list("cc") + list("dd") + list("eee") + list("ff")
    groups = {"a": True, "b": True, "c": True, "d": False, "e": False, "f": False}
    r = cluster_permutation_test(outcome, cluster, groups)
    shares = [0.5, 1 / 3, 0.0, 1.0, 2 / 3, 0.5]
    import itertools
    diffs = [abs(sum(shares[i] for i in c) / 3 - sum(shares[i] for i in range(6) if i not in c) / 3)
             for c in itertools.combinations(range(6), 3)]
    observed = abs((0.5 + 1 / 3 + 0) / 3 - (1 + 2 / 3 + 0.5) / 3)
    assert r.n_arrangements == 20 and r.statistic == pytest.approx(-observed)
    assert r.p_value == pytest.approx(sum(d >= observed - 1e-12 for d in diffs) / 20)
    assert r.p_value >= 0.1   # 3 vs 3 clusters cannot go below 2/20


def test_round_half_up_differs_from_python_round():
    assert round_half_up(2.5) == 3 and round(2.5) == 2 and math.isnan(round_half_up(math.nan))


def test_cluster_permutation_test_with_one_group_only():
    r = cluster_permutation_test([1, 0, 1], ["a", "a", "b"], {"a": True, "b": True})
    assert r.status == "too_small" and math.isnan(r.p_value) and r.n == 2
