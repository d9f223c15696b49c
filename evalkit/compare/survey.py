"""Survey building blocks: frequencies, multi-response, ordinal/Likert boxes, filtered bases, flows, partitions.

Institution and respondent surveys print counts and percentages whose base is rarely stated (Modelkommuner,
NIRAS's evaluation of "Modelkommuneprojekt Unge, alkohol og stoffer": 44 institutions nested in 6
projects). Every function here returns the count, the base and the percentage together, with a 95 %
interval for every share (Wilson score by default, Clopper-Pearson on request, via
:func:`evalkit.compare.wilson_ci` / :func:`evalkit.compare.clopper_pearson_ci`), so that no share is
printed without its base. Any report and any custom table may use them.

- :func:`share` one count over one base;
- :func:`frequency` a single-choice item: one row per level, item non-response as its own row;
- :func:`multi_response` yes/no columns of one multi-response item as "% of cases" (each option over
  the respondents; the shares may sum past 100 % and are never normalised);
- :func:`ordinal_summary` an ordinal/Likert item: full distribution with missing, top box, top-two box
  and bottom box (levels ordered from the lowest to the highest, as in the data dictionary);
- :func:`filter_base` the base of a filtered table, carrying the filter's description;
- :func:`flow` a CONSORT-style flow (start, out, in, end, responded) with its arithmetic checked;
- :func:`partition` counts that must add up to a total, saying so when they do not;
- :func:`crosstab` a cross-table with the chi-square test, Fisher's exact test when cells are small;
- :func:`cluster_permutation_test` an exact permutation test over clusters (projects) for a claim whose
  unit is the cluster: with 6 projects only exact methods or description make sense.

Percentages are on the 0-100 scale; ``ci_low``/``ci_high`` too.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from evalkit.compare.effect_sizes import clopper_pearson_ci, wilson_ci
from evalkit.compare.groups import chi_square
from evalkit.compare.results import GroupResult

__all__ = ["CI_METHODS", "CLUSTER_NOTE", "Base", "Flow", "Partition", "PermutationResult", "Share", "SurveyTable",
           "cluster_permutation_test", "crosstab", "filter_base", "flow", "frequency", "multi_response",
           "ordinal_summary", "partition", "round_half_up", "share"]

#: Printable names of the interval methods.
CI_METHODS = {"wilson": "Wilson score", "clopper-pearson": "Clopper-Pearson exact"}
PERMUTATION_METHOD = "Exact permutation test over clusters (difference in mean cluster share)"
#: The design caveat every clustered survey table carries (units nested in clusters).
CLUSTER_NOTE = ("Units are nested in {k} clusters; a claim about the clusters has n = {k} and is tested "
                "exactly over the clusters or described only.")


def round_half_up(value: float, decimals: int = 0) -> float:
    """Round half away from zero, as printed reports do (Python's ``round`` rounds half to even).

    >>> round_half_up(34.5), round(34.5), round_half_up(20.45, 1)
    (35.0, 34, 20.5)
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan
    step = 10.0 ** decimals
    # the small epsilon absorbs binary representation (20.45 is stored as 20.4499...)
    return math.copysign(math.floor(abs(value) * step + 0.5 + 1e-9) / step, value)


@dataclass(frozen=True)
class Share:
    """``count`` of ``base`` as a percentage with its interval (percent scale)."""

    count: int
    base: int
    percent: float
    ci_low: float
    ci_high: float
    method: str


def share(count: int, base: int, *, method: str = "wilson", confidence_level: float = 0.95) -> Share:
    """A share with its 95 % interval.

    Wilson (1927) score interval by default (R ``prop.test(x, n, correct = FALSE)$conf.int``);
    ``method="clopper-pearson"`` gives the exact interval (R ``binom.test(x, n)$conf.int``).

    >>> s = share(24, 44)      # Modelkommuner, section 7.3: "24 uddannelsesinstitutioner (55 %)"
    >>> round(s.percent, 2), round(s.ci_low, 1), round(s.ci_high, 1), s.method
    (54.55, 40.1, 68.3, 'Wilson score')
    """
    if method not in CI_METHODS:
        raise ValueError(f"method must be one of {', '.join(CI_METHODS)}, not {method!r}")
    if count < 0 or base < 0 or count > base:
        raise ValueError(f"a share needs 0 <= count <= base, got {count} of {base}")
    if base == 0:
        return Share(int(count), 0, math.nan, math.nan, math.nan, CI_METHODS[method])
    interval = wilson_ci if method == "wilson" else clopper_pearson_ci
    ci = interval(count, base, confidence_level)
    return Share(int(count), int(base), 100.0 * count / base, 100.0 * ci.low, 100.0 * ci.high, CI_METHODS[method])


@dataclass(frozen=True)
class Base:
    """The units a table is computed over: how many, and which filter chose them (``None`` = all)."""

    n: int
    mask: np.ndarray
    filter: str | None = None
    n_total: int = 0

    @property
    def n_excluded(self) -> int:
        return self.n_total - self.n


def filter_base(mask: Any, description: str | None = None) -> Base:
    """The base of a filtered table: the units where ``mask`` holds (missing counts as not chosen).

    >>> b = filter_base([True, None, False, True], "schools offering counselling")
    >>> b.n, b.n_excluded, b.filter
    (2, 2, 'schools offering counselling')
    """
    m = _bool_array(mask)
    chosen = np.where(np.isnan(m), False, m == 1.0)
    return Base(n=int(chosen.sum()), mask=chosen, filter=description, n_total=len(chosen))


@dataclass(frozen=True)
class SurveyTable:
    """One summarised item: ``rows`` has ``key, count, base, percent, ci_low, ci_high`` per level/option.

    ``base`` is the number of units answering (the denominator); ``n_missing`` those chosen by the
    filter who did not answer; ``filter`` describes the filter (``None`` = every unit); ``kind`` is
    ``single``, ``multi`` or ``ordinal``; ``boxes`` holds the named boxes of an ordinal item.
    """

    kind: str
    rows: pd.DataFrame
    base: int
    n_missing: int
    filter: str | None = None
    method: str = CI_METHODS["wilson"]
    boxes: dict[str, Share] = field(default_factory=dict)
    percent_sum: float = math.nan


def _bool_array(values: Any) -> np.ndarray:
    """Yes/no values as float64 (1, 0, NaN = missing), whatever the pandas/Arrow dtype."""
    s = pd.Series(values, copy=False)
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    out = pd.to_numeric(s.astype("object").where(s.notna(), np.nan), errors="raise").astype("float64")
    return out.to_numpy()


def _codes(values: Any, levels: Sequence[str]) -> np.ndarray:
    """Position of each value in ``levels`` (-1 = missing); a value outside ``levels`` is an error."""
    s = pd.Series(values, copy=False).astype("object")
    unknown = s.notna().to_numpy() & ~s.isin(list(levels)).to_numpy()
    if unknown.any():
        bad = sorted({str(v) for v in s[unknown]})
        raise ValueError(f"values not among the levels {list(levels)}: {', '.join(bad)}")
    return pd.Categorical(s, categories=list(levels)).codes.astype(np.int64)


def _where(where: Base | Any | None, n: int) -> tuple[np.ndarray, str | None]:
    if where is None:
        return np.ones(n, dtype=bool), None
    base = where if isinstance(where, Base) else filter_base(where)
    if len(base.mask) != n:
        raise ValueError(f"the filter has {len(base.mask)} values, the item {n}")
    return base.mask, base.filter


def _rows(keys: Sequence[str], counts: np.ndarray, base: int, method: str) -> pd.DataFrame:
    shares = [share(int(c), base, method=method) for c in counts]
    return pd.DataFrame({"key": list(keys), "count": [s.count for s in shares], "base": base,
                         "percent": [s.percent for s in shares], "ci_low": [s.ci_low for s in shares],
                         "ci_high": [s.ci_high for s in shares]})


def frequency(values: Any, levels: Sequence[str], *, where: Base | Any | None = None,
              method: str = "wilson") -> SurveyTable:
    """A single-choice item: count and share of each level over those who answered, missing shown.

    >>> t = frequency(["a", "b", "a", None], ["a", "b", "c"])
    >>> t.rows[["key", "count"]].values.tolist(), t.base, t.n_missing, round(float(t.rows["percent"][0]), 2)
    ([['a', 2], ['b', 1], ['c', 0]], 3, 1, 66.67)
    """
    codes = _codes(values, levels)
    chosen, filt = _where(where, len(codes))
    codes = codes[chosen]
    answered = codes >= 0
    counts = np.bincount(codes[answered], minlength=len(levels))
    base = int(answered.sum())
    rows = _rows(levels, counts, base, method)
    return SurveyTable("single", rows, base, int((~answered).sum()), filt, CI_METHODS[method],
                       percent_sum=float(rows["percent"].sum()) if base else math.nan)


def multi_response(frame: pd.DataFrame | Mapping[str, Any], options: Sequence[str], *,
                   where: Base | Any | None = None, method: str = "wilson") -> SurveyTable:
    """A multi-response item as "% of cases": each option's yes-count over the respondents.

    A respondent is a unit with at least one option answered (yes or no); the shares are not
    normalised and may sum past 100 % (``percent_sum``). "% of responses" (over all ticks) is not
    offered: it hides the base.

    >>> f = pd.DataFrame({"ledelse": [1, 1, 1, 0], "laerere": [1, 1, 0, 0], "elever": [1, 0, None, None]})
    >>> t = multi_response(f, ["ledelse", "laerere", "elever"])
    >>> t.rows["percent"].tolist(), t.base, t.percent_sum
    ([75.0, 50.0, 25.0], 4, 150.0)
    """
    arrays = np.column_stack([_bool_array(frame[o]) for o in options]) if len(options) else np.empty((0, 0))
    chosen, filt = _where(where, arrays.shape[0])
    arrays = arrays[chosen]
    respondent = ~np.all(np.isnan(arrays), axis=1)
    counts = np.nansum(arrays[respondent] == 1.0, axis=0).astype(np.int64)
    base = int(respondent.sum())
    rows = _rows(options, counts, base, method)
    return SurveyTable("multi", rows, base, int((~respondent).sum()), filt, CI_METHODS[method],
                       percent_sum=float(rows["percent"].sum()) if base else math.nan)


def ordinal_summary(values: Any, levels: Sequence[str], *, where: Base | Any | None = None,
                    method: str = "wilson", bottom_box: int = 1) -> SurveyTable:
    """An ordinal/Likert item: the distribution (missing as its own row) and its named boxes.

    ``levels`` run from the lowest to the highest. Boxes (shares of those who answered):
    ``top`` = the highest level, ``top_two`` = the two highest, ``bottom`` = the ``bottom_box``
    lowest. The row ``missing`` has the units chosen who did not answer (its percent is of all chosen).

    >>> t = ordinal_summary(["alle", "over", "ingen", "under", "over", None], ["ingen", "under", "over", "alle"])
    >>> {k: (b.count, b.base) for k, b in t.boxes.items()}
    {'top': (1, 5), 'top_two': (3, 5), 'bottom': (1, 5)}
    >>> t.rows["key"].tolist()[-1], int(t.rows["count"].iloc[-1])
    ('missing', 1)
    """
    if len(levels) < 2:
        raise ValueError("an ordinal item needs at least two levels")
    table = frequency(values, levels, where=where, method=method)
    counts = table.rows["count"].to_numpy()
    boxes = {"top": share(int(counts[-1]), table.base, method=method),
             "top_two": share(int(counts[-2:].sum()), table.base, method=method),
             "bottom": share(int(counts[:bottom_box].sum()), table.base, method=method)}
    chosen = table.base + table.n_missing
    missing = share(table.n_missing, chosen, method=method) if chosen else share(0, 0)
    rows = pd.concat([table.rows, pd.DataFrame([{"key": "missing", "count": table.n_missing, "base": chosen,
                                                  "percent": missing.percent, "ci_low": missing.ci_low,
                                                  "ci_high": missing.ci_high}])], ignore_index=True)
    return SurveyTable("ordinal", rows, table.base, table.n_missing, table.filter, table.method, boxes,
                       table.percent_sum)


@dataclass(frozen=True)
class Check:
    """One arithmetic check of a flow or partition."""

    name: str
    ok: bool
    message: str


@dataclass(frozen=True)
class Flow:
    """A CONSORT-style flow: ``counts`` by step, and the checks of its arithmetic."""

    counts: dict[str, int]
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


def flow(in_start: Any, withdrew: Any, joined: Any, in_end: Any, responded: Any) -> Flow:
    """Units at the start, withdrawn, joined, at the end and responding, from one flag per unit.

    Checks: start - withdrawn + joined = end (the totals), every unit's end flag follows from its
    other flags, and only units taking part at the end responded. Response rate = responded / end.

    >>> f = flow([1, 1, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1], [1, 0, 1, 1], [1, 0, 0, 1])
    >>> f.counts, f.ok
    ({'start': 3, 'withdrew': 1, 'joined': 1, 'end': 3, 'responded': 2, 'not_responded': 1}, True)
    """
    start, out, inn, end, resp = (np.nan_to_num(_bool_array(v)) == 1.0
                                  for v in (in_start, withdrew, joined, in_end, responded))
    counts = {"start": int(start.sum()), "withdrew": int(out.sum()), "joined": int(inn.sum()), "end": int(end.sum()),
              "responded": int(resp.sum()), "not_responded": int((end & ~resp).sum())}
    expected = counts["start"] - counts["withdrew"] + counts["joined"]
    per_unit = ((start | inn) & ~out) != end
    checks = (
        Check("totals", expected == counts["end"],
              f"{counts['start']} - {counts['withdrew']} + {counts['joined']} = {expected}; end = {counts['end']}"),
        Check("units", not per_unit.any(),
              f"{int(per_unit.sum())} unit(s) whose end flag does not follow from the others"),
        Check("withdrew_from", not (out & ~(start | inn)).any(), "every unit that withdrew had taken part"),
        Check("responded_at_end", not (resp & ~end).any(),
              f"{int((resp & ~end).sum())} respondent(s) not taking part at the end"),
    )
    return Flow(counts, checks)


@dataclass(frozen=True)
class Partition:
    """Counts that should add up to ``total``; ``complete`` says whether they do."""

    counts: dict[str, int]
    total: int
    sum: int
    complete: bool
    message: str


def partition(counts: Mapping[str, int], total: int, label: str = "the categories") -> Partition:
    """Check that ``counts`` add up to ``total`` (e.g. 3 + 2 + 1 projects of 6).

    >>> partition({"bridging": 3, "not yet": 1}, 6, "projects").message
    'projects: 3 + 1 = 4 of 6; 2 not accounted for'
    >>> partition({"alle": 3, "nogle": 2, "ingen": 1}, 6).complete
    True
    """
    total_sum = int(sum(counts.values()))
    terms = " + ".join(str(int(v)) for v in counts.values())
    if total_sum == total:
        msg = f"{label}: {terms} = {total}"
    elif total_sum < total:
        msg = f"{label}: {terms} = {total_sum} of {total}; {total - total_sum} not accounted for"
    else:
        msg = f"{label}: {terms} = {total_sum}, more than the {total}"
    return Partition(dict(counts), int(total), total_sum, total_sum == total, msg)


def crosstab(x: Any, y: Any, x_levels: Sequence[str], y_levels: Sequence[str]) -> tuple[pd.DataFrame, GroupResult]:
    """Counts of ``x`` (rows) by ``y`` (columns) and the test of independence.

    The test is :func:`evalkit.compare.chi_square`: Pearson chi-square, or Fisher's exact test when an
    expected count is below 5 (2x2 exact; r x c Fisher-Freeman-Halton by Monte Carlo, seeded).
    Units with either value missing are left out (``result.n_dropped``).

    >>> table, r = crosstab(["a", "a", "b", "b", "b"], ["y", "n", "n", "n", "y"], ["a", "b"], ["y", "n"])
    >>> table.values.tolist(), r.method
    ([[1, 1], [1, 2]], "Fisher's exact test")
    """
    xi, yi = _codes(x, x_levels), _codes(y, y_levels)
    keep = (xi >= 0) & (yi >= 0)
    counts = np.bincount(xi[keep] * len(y_levels) + yi[keep], minlength=len(x_levels) * len(y_levels))
    table = pd.DataFrame(counts.reshape(len(x_levels), len(y_levels)), index=list(x_levels), columns=list(y_levels))
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = chi_square(table.to_numpy())
    return table, _with_dropped(result, int((~keep).sum()))


def _with_dropped(result: GroupResult, n_dropped: int) -> GroupResult:
    import dataclasses

    return dataclasses.replace(result, n_dropped=n_dropped)


@dataclass(frozen=True)
class PermutationResult:
    """Exact permutation test over clusters: observed difference, p-value, arrangements enumerated."""

    method: str
    n_clusters: int
    statistic: float
    p_value: float
    n_arrangements: int
    cluster_shares: dict[str, float]
    status: str = "ok"
    estimate_name: str = "difference in mean cluster share (group - others)"
    test_code: str = "cluster_permutation"          #: printed through :func:`evalkit.compare.label`
    p_method_code: str = "p_cluster_assignments"
    estimate_code: str = "cluster_share_diff"

    @property
    def n(self) -> int:
        """The number of clusters: the n of a cluster-level claim."""
        return self.n_clusters

    @property
    def estimate(self) -> float:
        """The observed difference (the statistic)."""
        return self.statistic


def cluster_permutation_test(outcome: Any, cluster: Any, cluster_group: Mapping[str, bool]) -> PermutationResult:
    """Exact permutation test of a cluster-level attribute against a unit-level yes/no outcome.

    Each cluster's share of ``outcome`` (units with the outcome missing left out) is one observation;
    the statistic is the mean share in the clusters where ``cluster_group`` is True minus the mean
    share in the others; the p-value (two-sided) is the fraction of all C(k, m) assignments of the
    attribute to clusters whose absolute difference is at least the observed one. With 3 + 3
    projects there are 20 assignments, so the smallest possible p-value is 2/20 = 0.10. When one group
    has no cluster with data the result has ``status="too_small"`` and no p-value.

    >>> r = cluster_permutation_test([1, 1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0],
    ...                              list("aabbccddeeff"), {"a": True, "b": False, "c": True, "d": False,
    ...                                                     "e": True, "f": False})
    >>> round(r.statistic, 3), r.p_value, r.n_arrangements
    (0.833, 0.1, 20)
    """
    y = _bool_array(outcome)
    groups = pd.Series(cluster, copy=False).astype("object").to_numpy()
    names = [c for c in cluster_group if np.any((groups == c) & ~np.isnan(y))]
    shares = np.array([np.nanmean(y[groups == c]) for c in names])
    flags = np.array([bool(cluster_group[c]) for c in names])
    k, m = len(names), int(flags.sum())
    if m == 0 or m == k:   # nothing to permute: say so instead of a p-value
        return PermutationResult(PERMUTATION_METHOD, k, math.nan, math.nan, 0,
                                 dict(zip(names, shares.tolist(), strict=True)), status="too_small")
    observed = shares[flags].mean() - shares[~flags].mean()
    total = shares.sum()
    diffs = []
    for chosen in itertools.combinations(range(k), m):
        s = shares[list(chosen)].sum()
        diffs.append(s / m - (total - s) / (k - m))
    diffs_arr = np.abs(np.array(diffs))
    p = float(np.mean(diffs_arr >= abs(observed) - 1e-12))
    return PermutationResult(PERMUTATION_METHOD, k,
                             float(observed), p, len(diffs), dict(zip(names, shares.tolist(), strict=True)))
