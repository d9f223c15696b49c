"""Ungeprofil (UngMap youth profile): LAV, SIP, SEP, SEIP.

UNG Rusmidler (Socialstyrelsen), section 6.3 and figure 6.9, after Pedersen m.fl. 2015, describes
four profiles on two dimensions, internalising and externalising problems; logically a 2x2 of two
flags: LAV = neither severe, SIP = severe internalising only, SEP = severe externalising only,
SEIP = both. The UngMap items and cut-offs behind the flags are not public (Center for
Rusmiddelforskning, which developed UngMap, holds them), so evalkit ships no classifier: the
profile is taken from the export's own column, from the two flags, or from item scores through a
rule file that the data owner supplies.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from evalkit.io.schema import dataset, normalise_name
from evalkit.measures._common import aligned_index, as_bool, as_float, category_series, resolve_columns
from evalkit.measures._ledger import MeasureLedger, record
from evalkit.rules import RuleFileError, interval_mask, load_rule, load_rule_file, rule_id

__all__ = ["UNGEPROFILER", "resolve_ungeprofil", "ungeprofil", "ungeprofil_from_codes", "ungeprofil_from_items",
           "ungeprofil_resolvable"]


def _profiles() -> list[Mapping[str, Any]]:
    return list(load_rule("ungeprofil")["profiles"])


UNGEPROFILER: tuple[str, ...] = tuple(p["code"] for p in _profiles())


def _codes_from_flags(internal: np.ndarray, external: np.ndarray) -> np.ndarray:
    lookup = np.full((2, 2), -1, dtype="int64")
    for i, p in enumerate(_profiles()):
        lookup[int(p["severe_internalising"]), int(p["severe_externalising"])] = i
    return lookup[internal.astype("int64"), external.astype("int64")]


def ungeprofil(
    severe_internalising: pd.Series, severe_externalising: pd.Series, *, ledger: MeasureLedger | None = None
) -> pd.Series:
    """Ungeprofil from the two severity flags.

    Parameters
    ----------
    severe_internalising, severe_externalising
        Boolean flags on the same index (bool, ``boolean``, ``bool[pyarrow]`` or object with None).
    ledger
        Optional ledger; receives a count per profile and ``missing_flag``.

    Returns
    -------
    pandas.Series
        Categorical with categories LAV, SIP, SEP, SEIP (unordered, as in the data dictionary);
        NaN where either flag is missing.

    Notes
    -----
    ============  ==================  ==================
    profile       severe internal.    severe external.
    ============  ==================  ==================
    LAV           no                  no
    SIP           yes                 no
    SEP           no                  yes
    SEIP          yes                 yes
    ============  ==================  ==================

    Source: the definitions of UNG Rusmidler, section 6.3, figure 6.9; reading them as a 2x2 of two
    flags is evalkit's. Rule file ``ungeprofil.yaml``.

    Examples
    --------
    >>> import pandas as pd
    >>> ungeprofil(pd.Series([False, True, False, True, None]),
    ...            pd.Series([False, False, True, True, True])).tolist()
    ['LAV', 'SIP', 'SEP', 'SEIP', nan]
    """
    index = aligned_index(severe_internalising, severe_externalising)
    i_val, i_nan = as_bool(severe_internalising, "severe_internalising")
    e_val, e_nan = as_bool(severe_externalising, "severe_externalising")
    missing = i_nan | e_nan
    codes = np.where(missing, -1, _codes_from_flags(i_val, e_val))
    return _profile_series(codes, index, "missing_flag", "source=flags", ledger)


def ungeprofil_from_codes(values: pd.Series, *, ledger: MeasureLedger | None = None) -> pd.Series:
    """Ungeprofil taken from an export column, with its spellings normalised through the dictionary.

    Parameters
    ----------
    values
        Profile codes as text or categorical ("LAV", "sip", ...); aliases from the data dictionary
        (``ungmap_intake.ungeprofil``) are accepted. An unknown value raises :class:`ValueError`.
    ledger
        Optional ledger; receives a count per profile and ``missing``.

    Returns
    -------
    pandas.Series
        Categorical LAV, SIP, SEP, SEIP.

    Examples
    --------
    >>> import pandas as pd
    >>> ungeprofil_from_codes(pd.Series(["LAV", "seip", None])).tolist()
    ['LAV', 'SEIP', nan]
    """
    index = aligned_index(values)
    lookup = dataset("ung-rusmidler").table("ungmap_intake").column("ungeprofil").value_lookup()
    codes_in, uniques = pd.factorize(pd.Series(values, copy=False), use_na_sentinel=True)
    mapped = []
    unknown = []
    for u in uniques:
        code = lookup.get(normalise_name(u))
        if code is None:
            unknown.append(str(u))
        mapped.append(UNGEPROFILER.index(code) if code is not None else -1)
    if unknown:
        raise ValueError(
            f"unknown Ungeprofil value(s) {', '.join(map(repr, unknown))}; expected {', '.join(UNGEPROFILER)}"
        )
    table = np.asarray(mapped + [-1], dtype="int64")
    codes = table[np.where(codes_in < 0, len(mapped), codes_in)]
    return _profile_series(codes, index, "missing", "source=column", ledger)


def _profile_series(
    codes: np.ndarray, index: pd.Index, missing_key: str, policy: str, ledger: MeasureLedger | None
) -> pd.Series:
    """Profile codes (-1 = missing) as the categorical result, with a count per profile in the ledger."""
    counts = {c: int((codes == k).sum()) for k, c in enumerate(UNGEPROFILER)}
    counts[missing_key] = int((codes == -1).sum())
    record(ledger, "ungeprofil", counts, policy=policy, rule=rule_id(load_rule("ungeprofil")))
    return category_series(codes, UNGEPROFILER, index, "ungeprofil", ordered=False)


def ungeprofil_resolvable(ungmap: pd.DataFrame) -> bool:
    """Whether :func:`resolve_ungeprofil` has what it needs: the ``ungeprofil`` column or both flags.

    >>> import pandas as pd
    >>> ungeprofil_resolvable(pd.DataFrame({"severe_internalising": [True]}))
    False
    """
    return "ungeprofil" in ungmap.columns or {"severe_internalising", "severe_externalising"} <= set(ungmap.columns)


def resolve_ungeprofil(ungmap: pd.DataFrame, *, ledger: MeasureLedger | None = None) -> pd.Series:
    """Ungeprofil for an UngMap table: the export's ``ungeprofil`` column where given, else the flags.

    Parameters
    ----------
    ungmap
        ``ungmap_intake`` rows with ``ungeprofil`` and/or ``severe_internalising`` and
        ``severe_externalising``.
    ledger
        Optional ledger; receives ``from_column``, ``from_flags``, ``missing`` and
        ``column_flags_disagree`` (rows where both are given and differ; the column wins).

    Returns
    -------
    pandas.Series
        Categorical LAV, SIP, SEP, SEIP.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"ungeprofil": ["SEIP", None, "LAV"], "severe_internalising": [True, True, True],
    ...                    "severe_externalising": [True, False, False]})
    >>> resolve_ungeprofil(df).tolist()
    ['SEIP', 'SIP', 'LAV']
    """
    has_col = "ungeprofil" in ungmap.columns
    has_flags = {"severe_internalising", "severe_externalising"} <= set(ungmap.columns)
    if not ungeprofil_resolvable(ungmap):
        raise KeyError("need column `ungeprofil` or both `severe_internalising` and `severe_externalising`")
    n = len(ungmap)
    col_codes = np.full(n, -1, dtype="int64")
    flag_codes = np.full(n, -1, dtype="int64")
    if has_col:
        col_codes = ungeprofil_from_codes(ungmap["ungeprofil"]).cat.codes.to_numpy()
    if has_flags:
        flag_codes = ungeprofil(ungmap["severe_internalising"], ungmap["severe_externalising"]).cat.codes.to_numpy()
    codes = np.where(col_codes >= 0, col_codes, flag_codes)
    counts = {
        "from_column": int((col_codes >= 0).sum()),
        "from_flags": int(((col_codes < 0) & (flag_codes >= 0)).sum()),
        "missing": int((codes < 0).sum()),
        "column_flags_disagree": int(((col_codes >= 0) & (flag_codes >= 0) & (col_codes != flag_codes)).sum()),
    }
    record(
        ledger, "resolve_ungeprofil", counts, policy="column first, then flags", rule=rule_id(load_rule("ungeprofil"))
    )
    return category_series(codes, UNGEPROFILER, ungmap.index, "ungeprofil", ordered=False)


def _check_classifier(rule: Mapping[str, Any], origin: str) -> None:
    spec = load_rule("ungeprofil")["classifier"]
    dims = rule.get("dimensions")
    if not isinstance(dims, Mapping) or set(dims) != set(spec["dimensions"]):
        raise RuleFileError(f"{origin}: `dimensions` must define exactly {', '.join(spec['dimensions'])}")
    for name, d in dims.items():
        items = d.get("items")
        if not items or not all(isinstance(i, str) for i in items):
            raise RuleFileError(f"{origin}: dimension `{name}` needs a non-empty list `items` of column names")
        if d.get("score") not in spec["scores"]:
            raise RuleFileError(f"{origin}: dimension `{name}`: `score` must be one of {', '.join(spec['scores'])}")
        mm = d.get("max_missing", 0)
        if not isinstance(mm, int) or mm < 0 or mm >= len(items):
            raise RuleFileError(
                f"{origin}: dimension `{name}`: `max_missing` must be an integer in [0, {len(items) - 1}]"
            )
        thr = d.get("severe_when")
        if not isinstance(thr, Mapping) or ("min" not in thr and "max" not in thr):
            raise RuleFileError(
                f"{origin}: dimension `{name}`: `severe_when` must give `min` and/or `max` "
                "(with include_min/include_max)"
            )


def ungeprofil_from_items(
    items: pd.DataFrame,
    rules: str | os.PathLike[str] | Mapping[str, Any],
    *,
    allow_placeholder: bool = False,
    ledger: MeasureLedger | None = None,
) -> pd.Series:
    """Ungeprofil from UngMap item scores, using a classifier rule file supplied by the data owner.

    evalkit ships no thresholds for this (none are public; Center for Rusmiddelforskning, which
    developed UngMap, must be asked).

    Parameters
    ----------
    items
        One row per UngMap, with every item column the rule file names.
    rules
        Path to the owner's YAML rule file, or the already loaded mapping. Required header:
        ``rule: ungeprofil_classifier``, ``version``, ``source``, ``valid_from``. Content::

            dimensions:
              severe_internalising:
                items: [ip1, ip2, ip3, ip4, ip5, ip6]
                score: sum            # or mean
                max_missing: 0        # items allowed missing; a sum is then prorated (mean x k)
                severe_when: {min: 4, include_min: true}
              severe_externalising: {...}

        A file with ``placeholder: true`` is refused unless ``allow_placeholder=True``.
    allow_placeholder
        Opt-in for test or demonstration rule files marked as placeholders.
    ledger
        Optional ledger; as :func:`ungeprofil`, with the policy naming the rule file and version.

    Returns
    -------
    pandas.Series
        Categorical LAV, SIP, SEP, SEIP; NaN where a dimension has too many missing items.

    Notes
    -----
    Per dimension with items :math:`x_1..x_k`, answered set :math:`A`:
    ``mean`` = :math:`\\bar{x}_A`; ``sum`` = :math:`k \\cdot \\bar{x}_A` (the plain sum when nothing is
    missing). The flag is the score inside ``severe_when``; the profile follows :func:`ungeprofil`.

    Examples
    --------
    >>> import pandas as pd
    >>> rules = {"rule": "ungeprofil_classifier", "version": "demo", "source": "doctest only",
    ...          "valid_from": "2026-01-01", "placeholder": True,
    ...          "dimensions": {
    ...              "severe_internalising": {"items": ["i1", "i2"], "score": "sum", "severe_when": {"min": 4}},
    ...              "severe_externalising": {"items": ["e1", "e2"], "score": "sum", "severe_when": {"min": 4}}}}
    >>> items = pd.DataFrame({"i1": [0, 3, 1], "i2": [1, 2, 0], "e1": [0, 0, 4], "e2": [0, 1, 1]})
    >>> ungeprofil_from_items(items, rules, allow_placeholder=True).tolist()
    ['LAV', 'SIP', 'SEP']
    """
    if isinstance(rules, Mapping):
        from evalkit.rules import validate_header

        origin = "rules mapping"
        rule = validate_header(rules, origin)
    else:
        origin = os.fspath(rules)
        rule = load_rule_file(rules)
    expected = load_rule("ungeprofil")["classifier"]["rule_name"]
    if rule["rule"] != expected:
        raise RuleFileError(f"{origin}: header `rule` is {rule['rule']!r}, expected {expected!r}")
    if rule.get("placeholder") and not allow_placeholder:
        raise RuleFileError(
            f"{origin}: this rule file is marked `placeholder: true`; its thresholds are not the data owner's. "
            "Pass allow_placeholder=True only for tests or demonstrations."
        )
    _check_classifier(rule, origin)
    flags: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, d in rule["dimensions"].items():
        cols = resolve_columns(items, list(d["items"]), what=f"Ungeprofil {name}")
        total = np.zeros(len(items))
        answered = np.zeros(len(items), dtype="int64")
        for col in cols:
            v = as_float(items[col], str(col))
            ok = ~np.isnan(v)
            answered += ok
            total += np.where(ok, v, 0.0)
        k = len(cols)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = total / answered
        score = mean * k if d["score"] == "sum" else mean
        score = np.where(answered >= k - int(d.get("max_missing", 0)), score, np.nan)
        flags[name] = (interval_mask(score, d["severe_when"]), np.isnan(score))
    (i_val, i_nan), (e_val, e_nan) = flags["severe_internalising"], flags["severe_externalising"]
    missing = i_nan | e_nan
    codes = np.where(missing, -1, _codes_from_flags(i_val, e_val))
    counts = {c: int((codes == k).sum()) for k, c in enumerate(UNGEPROFILER)}
    counts["missing_items"] = int(missing.sum())
    record(ledger, "ungeprofil_from_items", counts, policy=f"classifier={rule_id(rule)}", rule=rule_id(rule))
    return category_series(codes, UNGEPROFILER, items.index, "ungeprofil", ordered=False)
