"""The defaults of :mod:`evalkit.compare`, read once from ``evalkit/compare/data/compare.yaml``.

The file carries the common rule header (``rule``, ``version``, ``source``, ``valid_from``; see
:mod:`evalkit.rules`) and the thresholds a data owner may change: the confidence level, the exact
Wilcoxon limit, the Fisher fallback rule, the LOCF registration limit (UNG Rusmidler, footnote 23) and the
subsampling limit of the mixed-model sensitivity analysis.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

import yaml

from evalkit.rules import RuleFileError, rule_id, validate_header

#: Keys the file must have, with the type each leaf must have (checked on load).
_SCHEMA: dict[tuple[str, ...], type | tuple[type, ...]] = {
    ("confidence_level",): float,
    ("wilcoxon", "exact_max_n", "max"): int,
    ("wilcoxon", "zero_method"): str,
    ("wilcoxon", "continuity_correction"): bool,
    ("wilcoxon", "enumerate_max_n"): int,
    ("wilcoxon", "estimator"): str,
    ("mann_whitney", "exact_max_n", "max"): int,
    ("mann_whitney", "continuity_correction"): bool,
    ("mann_whitney", "estimator"): str,
    ("mcnemar", "default_method"): str,
    ("chi_square", "fisher_fallback_expected", "min"): (int, float),
    ("chi_square", "continuity_correction"): bool,
    ("chi_square", "rxc_monte_carlo", "n_resamples"): int,
    ("chi_square", "rxc_monte_carlo", "seed"): int,
    ("kruskal_wallis", "bootstrap", "n_resamples"): int,
    ("kruskal_wallis", "bootstrap", "seed"): int,
    ("multiplicity", "default_method"): str,
    ("multiplicity", "alpha"): float,
    ("locf", "upto"): int,
    ("mixed_model", "max_persons"): int,
    ("mixed_model", "seed"): int,
}


def _leaf(rule: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = rule
    for key in path:
        if not isinstance(node, Mapping) or key not in node:
            raise RuleFileError(f"evalkit/compare/data/compare.yaml: missing `{'.'.join(path)}`")
        node = node[key]
    return node


def check_rules(rule: Mapping[str, Any]) -> None:
    """Raise :class:`evalkit.rules.RuleFileError` if ``rule`` lacks a key or has a wrongly typed value.

    >>> check_rules(compare_rules())
    """
    for path, typ in _SCHEMA.items():
        value = _leaf(rule, path)
        if isinstance(value, bool) and typ is not bool:
            raise RuleFileError(f"compare.yaml: `{'.'.join(path)}` must be {typ}, got a bool")
        if not isinstance(value, typ):
            raise RuleFileError(f"compare.yaml: `{'.'.join(path)}` must be {typ}, got {value!r}")
    if not 0.0 < rule["confidence_level"] < 1.0:
        raise RuleFileError("compare.yaml: `confidence_level` must lie in (0, 1)")
    if rule["wilcoxon"]["zero_method"] not in {"wilcox", "pratt", "zsplit"}:
        raise RuleFileError("compare.yaml: `wilcoxon.zero_method` must be one of wilcox, pratt, zsplit")
    for test in ("wilcoxon", "mann_whitney"):
        if rule[test]["estimator"] not in {"r", "all_differences"}:
            raise RuleFileError(f"compare.yaml: `{test}.estimator` must be r or all_differences")
    if rule["locf"]["upto"] < 1:
        raise RuleFileError("compare.yaml: `locf.upto` must be a positive integer")


@cache
def compare_rules() -> Mapping[str, Any]:
    """The shipped defaults of :mod:`evalkit.compare` (cached, read-only).

    >>> compare_rules()["locf"]["upto"]
    12
    >>> compare_rules()["wilcoxon"]["exact_max_n"]["max"]
    50
    """
    entry = resources.files("evalkit.compare") / "data" / "compare.yaml"
    rule = validate_header(yaml.safe_load(entry.read_text(encoding="utf-8")), "evalkit/compare/data/compare.yaml")
    check_rules(rule)
    return rule


def rules_id() -> str:
    """Provenance string of the defaults in use, e.g. ``'compare@1'``.

    >>> rules_id()
    'compare@2'
    """
    return rule_id(compare_rules())


def default_confidence_level() -> float:
    """The default confidence level (``confidence_level`` in compare.yaml).

    >>> default_confidence_level()
    0.95
    """
    return float(compare_rules()["confidence_level"])
