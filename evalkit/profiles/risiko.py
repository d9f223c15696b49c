"""Risikoprofil R0-R3 of UNG Rusmidler: the number of three risk factors present at intake.

"Unge, der har alle tre risikofaktorer på indskrivningstidspunktet, har Risikoprofil 3 (R3). Unge,
der har to ..., har Risikoprofil 2 (R2). Unge, der har én af disse, har Risikoprofil 1 (R1). Og unge,
der ikke har nogen ..., har Risikoprofil 0 (R0)" (UNG Rusmidler (Socialstyrelsen), section 6.3). The three factors:
stofscore 12+, a self-reported psychiatric diagnosis given by a psychiatrist, and uddannelseshjælp.
How a missing factor is handled is not stated, so it is an explicit policy.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from evalkit.measures._common import aligned_index, as_bool, category_series, resolve_columns
from evalkit.measures._ledger import MeasureLedger, record
from evalkit.measures.stofscore import stofscore_12plus
from evalkit.rules import load_rule, rule_id

__all__ = ["RISIKOPROFILER", "risikoprofil", "risikoprofil_from_ungmap"]

RISIKOPROFILER: tuple[str, ...] = tuple(level["code"] for level in load_rule("risikoprofil")["levels"])


def risikoprofil(
    stofscore_12plus: pd.Series,
    psychiatric_diagnosis: pd.Series,
    uddannelseshjaelp: pd.Series,
    *,
    missing: Literal["propagate", "as_absent"] = "propagate",
    ledger: MeasureLedger | None = None,
) -> pd.Series:
    """Risikoprofil R0-R3 as the count of the three risk factors of UNG Rusmidler.

    Parameters
    ----------
    stofscore_12plus
        Boolean: stofscore 12+ at intake (e.g. :func:`evalkit.measures.stofscore_12plus`).
    psychiatric_diagnosis
        Boolean: self-reported psychiatric diagnosis given by a psychiatrist
        (``psych_diagnosis_by_psychiatrist``).
    uddannelseshjaelp
        Boolean: receives uddannelseshjælp (``uddannelseshjaelp``).
    missing
        ``"propagate"`` (default): any missing factor gives a missing profile.
        ``"as_absent"``: a missing factor counts as absent, giving a lower bound of the profile.
    ledger
        Optional ledger; receives a count per level, ``missing_factor`` (profile missing) and, with
        ``"as_absent"``, ``imputed_absent`` (profiles computed with at least one missing factor).

    Returns
    -------
    pandas.Series
        Ordered categorical R0 < R1 < R2 < R3 on the common index; NaN where missing.

    Notes
    -----
    .. math:: R = \\mathbb{1}[\\text{stofscore} \\ge 12] + \\mathbb{1}[\\text{diagnose}]
              + \\mathbb{1}[\\text{uddannelseshjælp}] \\in \\{0, 1, 2, 3\\}

    Source: UNG Rusmidler, section 6.3 (the definition and figure 6.18) and section 6.5 (p. 74);
    rule file ``risikoprofil.yaml``. Validated against all 8 factor combinations and the printed
    distribution 31 % / 63 % / 6 % of 390.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([False, True, True, True, None])
    >>> d = pd.Series([False, False, True, True, True])
    >>> u = pd.Series([False, False, False, True, True])
    >>> risikoprofil(s, d, u).tolist()
    ['R0', 'R1', 'R2', 'R3', nan]
    >>> risikoprofil(s, d, u, missing="as_absent").tolist()
    ['R0', 'R1', 'R2', 'R3', 'R2']
    """
    rule = load_rule("risikoprofil")
    if missing not in rule["missing_policies"]:
        raise ValueError(f"`missing` must be one of {', '.join(map(repr, rule['missing_policies']))}, got {missing!r}")
    index = aligned_index(stofscore_12plus, psychiatric_diagnosis, uddannelseshjaelp)
    count = np.zeros(len(index), dtype="int64")
    any_nan = np.zeros(len(index), dtype=bool)
    for name, factor in (
        ("stofscore_12plus", stofscore_12plus),
        ("psychiatric_diagnosis", psychiatric_diagnosis),
        ("uddannelseshjaelp", uddannelseshjaelp),
    ):
        val, nan = as_bool(factor, name)
        count += val
        any_nan |= nan
    codes = count.copy()
    if missing == "propagate":
        codes[any_nan] = -1
    counts = {c: int((codes == k).sum()) for k, c in enumerate(RISIKOPROFILER)}
    counts["missing_factor"] = int((codes == -1).sum())
    if missing == "as_absent":
        counts["imputed_absent"] = int(any_nan.sum())
    record(ledger, "risikoprofil", counts, policy=f"missing={missing}", rule=rule_id(rule))
    return category_series(codes, RISIKOPROFILER, index, "risikoprofil", ordered=True)


def risikoprofil_from_ungmap(
    ungmap: pd.DataFrame,
    *,
    threshold: float | str | None = None,
    comparison: Literal[">=", ">"] | None = None,
    missing: Literal["propagate", "as_absent"] = "propagate",
    ledger: MeasureLedger | None = None,
) -> pd.Series:
    """Risikoprofil for an ``ungmap_intake`` table: stofscore 12+ from the day columns, then the count.

    Parameters
    ----------
    ungmap
        ``ungmap_intake`` rows with the five stofscore day columns, ``psych_diagnosis_by_psychiatrist``
        and ``uddannelseshjaelp``.
    threshold, comparison
        Passed to :func:`evalkit.measures.stofscore_12plus` (default: >= 12, total days >= 18).
    missing, ledger
        As for :func:`risikoprofil`; the stofscore step records into the same ledger.

    Returns
    -------
    pandas.Series
        Ordered categorical R0 < R1 < R2 < R3.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"days_hash_30": [6, 0], "days_kokain_30": [6, 0], "days_amfetamin_30": [6, 0],
    ...                    "days_ecstasy_30": [0, 0], "days_andre_30": [0, 0],
    ...                    "psych_diagnosis_by_psychiatrist": [True, False], "uddannelseshjaelp": [False, False]})
    >>> risikoprofil_from_ungmap(df).tolist()
    ['R2', 'R0']
    """
    rule = load_rule("risikoprofil")
    cols = {f["key"]: f["column"] for f in rule["factors"] if "column" in f}
    found = resolve_columns(ungmap, list(cols.values()), what="risikoprofil")
    s12 = stofscore_12plus(ungmap, threshold=threshold, comparison=comparison, ledger=ledger)
    return risikoprofil(s12, ungmap[found[0]], ungmap[found[1]], missing=missing, ledger=ledger)
