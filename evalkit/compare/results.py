"""Result records of :mod:`evalkit.compare`: frozen dataclasses that become one tidy row.

Every test returns a :class:`ComparisonResult` (or a subclass adding fields of its own). The common
fields always exist, whatever the method; a field that does not apply is NaN, never missing:

``method``            the method as it should be printed ("Paired t-test", "McNemar (exact binomial)")
``n``                 pairs / observations used
``n_dropped``         pairs / observations dropped because a value was missing
``statistic``         the test statistic, named by ``statistic_name`` ("t", "V", "z", "chi2", ...)
``p_value``           the p-value for ``alternative``; ``None`` when it could not be computed
                      (then ``status`` says why and ``reason`` explains it)
``estimate``          the raw-scale estimate (mean difference, Hodges-Lehmann shift, difference in
                      proportions), named by ``estimate_name``, with ``estimate_ci``
``estimate_ci_level`` the level the estimate's interval actually has in the rank tests (R lowers
                      it when the requested level is not achievable); NaN in the other tests,
                      whose intervals have ``confidence_level``
``effect_size``       the scale-free effect size (d_z, r_rb, paired odds ratio, Cramer's V, ...), named
                      by ``effect_size_name``, with ``effect_size_ci``
``df``                degrees of freedom (NaN where none)
``status``            ``"ok"`` or why the statistics are NaN (``"too_small"``, ``"no_discordant_pairs"``, ...)
``reason``            a sentence explaining a ``status`` other than ``"ok"`` (``""`` when ok)

What was computed is also named by *codes*, each with a Danish and an English label
(:func:`evalkit.compare.label`): ``test_code``, ``p_method_code`` (the distribution the p-value
came from), ``estimate_code`` / ``estimate_ci_code``, ``effect_size_code`` / ``effect_size_ci_code``
(the method of each interval), ``zero_handling_code`` and ``tie_handling_code`` (rank tests), and
``status``. Both intervals of one result follow its ``alternative``: two-sided for
``"two-sided"``, a lower bound only for ``"greater"`` and an upper bound only for ``"less"``
(``interval_sides``). :meth:`ComparisonResult.describe` prints all of it in one language.

A comparison function never raises on degenerate data (empty or constant input, too few
observations, no discordant pairs, singular designs): it returns a result with ``p_value=None``,
a ``status`` code and a ``reason``. Bad arguments (wrong types, unknown method names) still raise.

Signs follow *second minus first*: post - pre, after - before, group 2 - group 1. Numbers are never
rounded here; formatting belongs to :mod:`evalkit.report`.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pandas as pd

__all__ = [
    "CompareWarning",
    "ComparisonResult",
    "ConfidenceInterval",
    "DataQualityWarning",
    "DegenerateDataWarning",
    "GroupResult",
    "MarginalHomogeneityResult",
    "McNemarResult",
    "PairedResult",
    "SmallSampleWarning",
    "TrendResult",
]


class CompareWarning(UserWarning):
    """Base class of the warnings :mod:`evalkit.compare` emits."""


class SmallSampleWarning(CompareWarning):
    """Too few observations for the requested statistic; the result's statistics are NaN."""


class DegenerateDataWarning(CompareWarning):
    """The data cannot support the statistic (constant input, no discordant pairs, ...)."""


class DataQualityWarning(CompareWarning):
    """Rows were dropped or an ambiguity was resolved by rule (missing keys, tied form dates, ...)."""


class ConfidenceInterval(NamedTuple):
    """A two-sided interval ``(low, high)``; ``(nan, nan)`` when it cannot be computed.

    >>> ConfidenceInterval(0.1, 0.5).high
    0.5
    """

    low: float
    high: float


NAN = math.nan
NAN_CI = ConfidenceInterval(NAN, NAN)


def _status_codes() -> set[str]:
    from evalkit.compare.labels import code_kinds

    return {c for c, k in code_kinds().items() if k == "status"}


def _not_tidy() -> Any:
    """Field metadata: keep the value on the result but out of :meth:`ComparisonResult.to_frame`."""
    return {"tidy": False}


@dataclass(frozen=True, kw_only=True)
class ComparisonResult:
    """The fields every comparison reports (see the module docstring).

    >>> r = ComparisonResult(method="Example", n=10, n_dropped=1, statistic=2.0, statistic_name="t",
    ...                      p_value=0.07, effect_size=0.6, effect_size_name="d_z",
    ...                      effect_size_ci=ConfidenceInterval(-0.1, 1.3))
    >>> r.to_frame()[["method", "n", "n_dropped", "p_value", "effect_size_ci_low"]]
        method   n  n_dropped  p_value  effect_size_ci_low
    0  Example  10          1     0.07                -0.1
    """

    method: str
    n: int
    n_dropped: int
    statistic: float
    statistic_name: str
    p_value: float | None
    effect_size: float
    effect_size_name: str
    effect_size_ci: ConfidenceInterval
    estimate: float = NAN
    estimate_name: str = ""
    estimate_ci: ConfidenceInterval = NAN_CI
    estimate_ci_level: float = NAN
    df: float = NAN
    alternative: str = "two-sided"
    confidence_level: float = 0.95
    status: str = "ok"
    reason: str = ""
    test_code: str = ""
    p_method_code: str = ""
    estimate_code: str = ""
    estimate_ci_code: str = ""
    effect_size_code: str = ""
    effect_size_ci_code: str = ""
    zero_handling_code: str = ""
    tie_handling_code: str = ""

    @property
    def interval_sides(self) -> str:
        """``"two-sided"``, ``"lower bound"`` (``alternative="greater"``) or ``"upper bound"`` (``"less"``).

        >>> ComparisonResult(method="x", n=1, n_dropped=0, statistic=1.0, statistic_name="t", p_value=0.5,
        ...                  effect_size=0.1, effect_size_name="", effect_size_ci=NAN_CI, alternative="greater").interval_sides
        'lower bound'
        """
        return {"greater": "lower bound", "less": "upper bound"}.get(self.alternative, "two-sided")

    def describe(self, lang: str = "en") -> str:
        """What was computed, in ``lang`` (``"da"`` / ``"en"``): test, p-value method, each interval's
        method, zero and tie handling, sides, and the status when nothing could be computed.

        >>> from evalkit.compare import paired_t
        >>> paired_t([5, 6, 4, 7], [6, 8, 4, 9]).describe("da")
        'Parret t-test; p: t-fordeling; middelforskel (efter - før): KI t-fordeling; Cohens d_z: KI ikke-central t-fordeling; tosidet'
        """
        from evalkit.compare.labels import label

        ci = "KI" if lang == "da" else "CI"
        parts = [label(self.test_code, lang) or self.method]
        if self.p_method_code:
            parts.append(f"p: {label(self.p_method_code, lang)}")
        for code, ci_code in ((self.estimate_code, self.estimate_ci_code), (self.effect_size_code, self.effect_size_ci_code)):
            if code:
                parts.append(label(code, lang) + (f": {ci} {label(ci_code, lang)}" if ci_code else ""))
        parts += [label(c, lang) for c in (self.zero_handling_code, self.tie_handling_code) if c]
        parts.append(label(self.alternative, lang))
        if self.status != "ok":
            parts.append(label(self.status, lang) if self.status in _status_codes() else self.status)
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """The tidy fields as a flat dict; intervals become ``<name>_low`` / ``<name>_high``."""
        row: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            if not f.metadata.get("tidy", True):
                continue
            value = getattr(self, f.name)
            if isinstance(value, ConfidenceInterval):
                row[f"{f.name}_low"] = value.low
                row[f"{f.name}_high"] = value.high
            else:
                row[f.name] = value
        row["interval_sides"] = self.interval_sides
        return row

    def to_frame(self) -> pd.DataFrame:
        """One-row DataFrame of :meth:`to_dict` (stack several with ``pd.concat``)."""
        return pd.DataFrame([self.to_dict()])


@dataclass(frozen=True, kw_only=True)
class PairedResult(ComparisonResult):
    """A paired continuous/ordinal comparison (paired t, Wilcoxon signed-rank, sign test).

    ``n_zero`` counts pairs with a zero difference; ``z`` is the normal-approximation statistic
    (NaN for exact methods).
    """

    n_zero: int = 0
    z: float = NAN


@dataclass(frozen=True, kw_only=True)
class McNemarResult(ComparisonResult):
    """McNemar's test on paired binary data.

    The 2x2 counts are ``n_both`` (yes before and after), ``n_before_only`` (yes before, no after),
    ``n_after_only`` (no before, yes after) and ``n_neither``; the discordant pairs are
    ``n_before_only + n_after_only``. ``p_before`` and ``p_after`` are the two marginal proportions.
    """

    n_both: int = 0
    n_before_only: int = 0
    n_after_only: int = 0
    n_neither: int = 0
    p_before: float = NAN
    p_after: float = NAN


@dataclass(frozen=True, kw_only=True)
class MarginalHomogeneityResult(ComparisonResult):
    """Stuart-Maxwell / Bhapkar test on a k x k table of paired categories.

    ``n_up`` / ``n_down`` count pairs whose category is later / earlier in the category order after
    than before; ``categories`` and ``table`` (rows = before, columns = after) are kept on the result
    but not in the tidy row.
    """

    k: int = 0
    n_up: int = 0
    n_down: int = 0
    categories: tuple[Any, ...] = field(default=(), metadata=_not_tidy())
    table: tuple[tuple[int, ...], ...] = field(default=(), metadata=_not_tidy())


@dataclass(frozen=True, kw_only=True)
class GroupResult(ComparisonResult):
    """A comparison of independent groups (chi-square/Fisher, Mann-Whitney, Kruskal-Wallis, Welch t).

    A 2x2 Fisher test also reports R ``fisher.test``'s odds ratio: ``odds_ratio`` is the
    conditional maximum-likelihood estimate (``odds_ratio_code`` ``or_conditional_mle``) with its
    exact conditional interval, and ``sample_odds_ratio`` the plain ad/bc.
    """

    n_groups: int = 0
    group_sizes: tuple[int, ...] = field(default=(), metadata=_not_tidy())
    odds_ratio: float = NAN
    odds_ratio_ci: ConfidenceInterval = NAN_CI
    odds_ratio_code: str = ""
    odds_ratio_ci_code: str = ""
    sample_odds_ratio: float = NAN


@dataclass(frozen=True, kw_only=True)
class TrendResult(ComparisonResult):
    """Cochran-Armitage test for a linear trend in proportions across ordered groups."""

    n_groups: int = 0
    scores: tuple[float, ...] = field(default=(), metadata=_not_tidy())
    proportions: tuple[float, ...] = field(default=(), metadata=_not_tidy())
