"""HCS group treatment: the inclusion and exclusion criteria that can be checked from data.

The criteria are those of the HCS model (Socialstyrelsen), chapter 3, "Inklusionskriterier" and
"Eksklusionskriterier". Each rule of ``evalkit/rules/hcs_eligibility.yaml`` gives every participant
``pass``, ``fail`` or ``unknown`` (not recorded, or not checkable), and every ``fail``/``unknown``
carries a reason code ``RULE-ID:reason`` in the ``reasons`` column (the rule ids are column names,
e.g. ``INC-1-age``). Criteria that are a clinician's judgement (reflective behaviour; psychiatric
burden, attention disorder, aggression, intoxication) are checked only as the booleans the export
records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from evalkit.io.schema import dataset, normalise_name
from evalkit.measures._common import as_bool, as_float, bool_series, resolve_columns
from evalkit.measures._keys import id_strings, positions_in
from evalkit.measures._ledger import MeasureLedger, record
from evalkit.measures.asi import asi_samlet_eligible
from evalkit.rules import interval_mask, load_rule, rule_id

__all__ = ["RULE_STATUSES", "hcs_eligibility", "no_show_counts"]

RULE_STATUSES = ("pass", "fail", "unknown")
_PASS, _FAIL, _UNKNOWN = 0, 1, 2


def _codes_of(values: pd.Series, table: str, column: str) -> tuple[np.ndarray, list[str]]:
    """Dictionary codes of a category column (aliases accepted): object array with None, and the
    distinct values that match no code (they come back as None too). Only distinct values are
    looked up, so the cost is one factorize of the column."""
    lookup = dataset("hcs").table(table).column(column).value_lookup()
    idx, uniques = pd.factorize(pd.Series(values, copy=False), use_na_sentinel=True)
    mapped = [lookup.get(normalise_name(u)) for u in uniques]
    unknown = [str(u) for u, m in zip(uniques, mapped, strict=True) if m is None]
    table_arr = np.array(mapped + [None], dtype=object)
    return table_arr[np.where(idx < 0, len(uniques), idx)], unknown


def no_show_counts(
    fremmoede: pd.DataFrame,
    *,
    count_statuses: Sequence[str] | None = None,
    consecutive: bool = False,
    sessioner: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per participant: registered sessions and the number (or longest run) of counted absences.

    Parameters
    ----------
    fremmoede
        ``hcs_fremmoede`` rows: ``deltager_id``, ``session_id``, ``status`` (moedt / meldt_afbud /
        ikke_meldt_afbud, or their dictionary aliases).
    count_statuses
        Statuses that count; default from the rule file: ``["ikke_meldt_afbud"]``, the exclusion
        criterion "gentagne gange udebliver ... uden at melde afbud" (HCS model, chapter 3,
        "Eksklusionskriterier"). Chapter 2, "Varighed og fremmøde", counts any absence:
        ``["ikke_meldt_afbud", "meldt_afbud"]``.
    consecutive
        If True, the longest run of counted absences over the participant's registered sessions in
        date order (needs ``sessioner`` with ``session_id`` and ``dato``). Unregistered sessions are
        skipped, not counted.
    sessioner
        ``hcs_sessioner`` rows, for the date order.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``deltager_id``: ``n_registered`` and ``no_show`` (int64).

    Examples
    --------
    >>> import pandas as pd
    >>> att = pd.DataFrame({"deltager_id": ["a", "a", "a", "b"], "session_id": ["s1", "s2", "s3", "s1"],
    ...                     "status": ["ikke_meldt_afbud", "moedt", "ikke_meldt_afbud", "meldt_afbud"]})
    >>> no_show_counts(att)["no_show"].to_dict()
    {'a': 2, 'b': 0}
    """
    spec = load_rule("hcs_eligibility")["no_show"]
    statuses = list(spec["count_statuses"] if count_statuses is None else count_statuses)
    known = dataset("hcs").table("hcs_fremmoede").column("status").codes
    bad = [s for s in statuses if s not in known]
    if bad:
        raise ValueError(f"`count_statuses` must be codes among {', '.join(known)}; got {', '.join(bad)}")
    cols = resolve_columns(fremmoede, ["deltager_id", "session_id", "status"], what="attendance")
    att = pd.DataFrame({"deltager_id": fremmoede[cols[0]].array, "session_id": fremmoede[cols[1]].array})
    codes, unknown = _codes_of(fremmoede[cols[2]], "hcs_fremmoede", "status")
    if unknown:
        raise ValueError(f"unknown attendance status value(s) {', '.join(map(repr, unknown))}; "
                         f"expected {', '.join(known)}")
    att["status"] = codes
    att["hit"] = att["status"].isin(statuses).to_numpy()
    if not consecutive:
        grouped = att.groupby("deltager_id", sort=True)
        return pd.DataFrame({"n_registered": grouped.size(), "no_show": grouped["hit"].sum()}).astype("int64")
    if sessioner is None:
        raise ValueError("`consecutive=True` needs `sessioner` (session_id and dato) to order the sessions")
    scols = resolve_columns(sessioner, ["session_id", "dato"], what="sessions")
    dates = pd.Series(pd.to_datetime(sessioner[scols[1]]).to_numpy(), index=pd.Index(sessioner[scols[0]]))
    att["dato"] = att["session_id"].map(dates)
    if att["dato"].isna().any():
        raise ValueError("attendance names session_id(s) without a date in `sessioner`")
    att = att.sort_values(["deltager_id", "dato"], kind="stable")
    hit = att["hit"].to_numpy()
    pid = att["deltager_id"].to_numpy()
    new_run = np.ones(len(att), dtype=bool)
    new_run[1:] = (hit[1:] != hit[:-1]) | (pid[1:] != pid[:-1])
    run_id = np.cumsum(new_run)
    run_len = pd.Series(hit.astype("int64")).groupby(run_id).transform("sum").to_numpy()
    att["run"] = np.where(hit, run_len, 0)
    grouped = att.groupby("deltager_id", sort=True)
    return pd.DataFrame({"n_registered": grouped.size(), "no_show": grouped["run"].max()}).astype("int64")


def _status_from_bool(values: pd.Series | None, pass_when: bool, n: int, name: str) -> np.ndarray:
    if values is None:
        return np.full(n, _UNKNOWN, dtype="int8")
    val, nan = as_bool(values, name)
    return np.where(nan, _UNKNOWN, np.where(val == pass_when, _PASS, _FAIL)).astype("int8")


def _code_index(values: Any, table: str, column: str) -> np.ndarray:
    """Position of each value's dictionary code among the column's codes: -1 = missing, -2 = a value
    that matches no code. Only the distinct values are looked up (one factorize of the column)."""
    spec = dataset("hcs").table(table).column(column)
    lookup = spec.value_lookup()
    where = {code: i for i, code in enumerate(spec.codes)}
    series = pd.Series(values, copy=False)
    if isinstance(series.dtype, pd.CategoricalDtype):
        idx, uniques = series.cat.codes.to_numpy(), list(series.cat.categories)
    else:
        idx, uniques = pd.factorize(series, use_na_sentinel=True)
    mapped = [where.get(lookup.get(normalise_name(u)), -2) for u in uniques]   # type: ignore[arg-type]
    return np.array(mapped + [-1], dtype="int64")[np.asarray(idx)]   # missing (-1) takes the trailing -1


def _positions_of(codes: Sequence[str], table: str, column: str) -> np.ndarray:
    all_codes = dataset("hcs").table(table).column(column).codes
    return np.array([all_codes.index(c) for c in codes if c in all_codes], dtype="int64")


class _Reasons:
    """Per rule a small integer reason index (0 = passes) and its names; the joined ``reasons`` text is
    built once per distinct combination of the rules' reasons, never per row."""

    def __init__(self) -> None:
        self.names: dict[str, list[str]] = {}
        self.index: dict[str, np.ndarray] = {}

    def add(self, rid: str, status: np.ndarray, choices: list[tuple[np.ndarray, str]]) -> None:
        """``choices``: (mask, reason) pairs for the rows that do not pass, first match wins."""
        names = [""]
        idx = np.zeros(len(status), dtype="int64")
        open_ = status != _PASS
        for mask, reason in choices:
            hit = open_ & mask
            if hit.any():
                if reason not in names:
                    names.append(reason)
                idx[hit] = names.index(reason)
            open_ &= ~mask
        self.names[rid], self.index[rid] = names, idx

    def joined(self) -> np.ndarray:
        n = len(next(iter(self.index.values()))) if self.index else 0
        key = np.zeros(n, dtype="int64")
        for rid, idx in self.index.items():
            key = key * len(self.names[rid]) + idx
        inverse, distinct = pd.factorize(key)
        texts = []
        for k in np.asarray(distinct, dtype="int64"):
            parts = []
            for rid in reversed(list(self.index)):
                size = len(self.names[rid])
                k, j = divmod(int(k), size)
                if j:
                    parts.append(f"{rid}:{self.names[rid][j]}")
            texts.append("; ".join(reversed(parts)))
        return np.array(texts + [""], dtype=object)[inverse]


def hcs_eligibility(
    deltagere: pd.DataFrame,
    asi: pd.DataFrame | None = None,
    fremmoede: pd.DataFrame | None = None,
    sessioner: pd.DataFrame | None = None,
    *,
    no_show_k: int | None = None,
    consecutive: bool | None = None,
    count_statuses: Sequence[str] | None = None,
    no_show: Any = None,
    age_include_min: bool | None = None,
    asi_max: float | str | None = None,
    ledger: MeasureLedger | None = None,
) -> pd.DataFrame:
    """Per-participant HCS inclusion/exclusion flags with reasons (HCS model, chapter 3).

    Parameters
    ----------
    deltagere
        ``hcs_deltagere`` rows (one per participant, ``deltager_id`` unique). Category columns may hold
        dictionary codes or their aliases ("§ 101A", "Hash", ...).
    asi
        ``hcs_asi`` rows; the ``indskrivning`` row's ``asi_samlet`` is checked against the criterion "en
        samlet ASI score på maks. 0,35". Without it (or without a score) that rule is ``unknown``:
        ``asi_missing_anonymous`` for § 101a participants (HCS model, chapter 3, "Visitering": the ASI
        via Stofmisbrugsdatabasen cannot be used for anonymous treatment), else ``asi_missing``.
    fremmoede, sessioner
        ``hcs_fremmoede`` (and ``hcs_sessioner`` for ``consecutive``) for the no-show rule; see
        :func:`no_show_counts`.
    no_show_k
        K for the no-show rule: excluded when the count (or run) of counted absences is >= K. The HCS
        model gives no number ("gentagne gange", repeatedly), so there is no default; without K, the
        rule is ``unknown`` with reason ``k_not_configured``.
    consecutive, count_statuses
        No-show rule options (defaults from the rule file: not consecutive; ``ikke_meldt_afbud`` only).
    no_show
        The no-show count (or run) already counted, one value per row of ``deltagere`` (missing, NaN or
        negative = no attendance registered), e.g. from
        :func:`evalkit.profiles.attendance.attendance_counts`; used instead of ``fremmoede``.
    age_include_min
        Age criterion: True (default, "fra 18 år og op", >= 18; chapter 2, "Målgruppe") or False
        ("over 18 år", > 18; chapter 3, "Inklusionskriterier").
    asi_max
        ASI bound (default "0.35", inclusive); see :func:`evalkit.measures.asi_samlet_eligible`.
    ledger
        Optional ledger; receives pass/fail/unknown counts per rule and the eligible totals.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``deltager_id``:

        one categorical column per rule, pass / fail / unknown (the column names are rule ids: the
        inclusion criteria ``INC-1-age``, ``INC-1-legal-basis``, ``INC-1-substance``, ``INC-2-asi``,
        ``INC-3-attachment``, ``INC-4-goal``, ``INC-5-reflective``; the exclusion criteria
        ``EXC-1-psychiatric``, ``EXC-2-attention``, ``EXC-3-aggression``, ``EXC-4-intoxicated`` and
        ``EXC-5-no-show``);
        ``no_show`` (Int64): the no-show count or run, <NA> without attendance data;
        ``eligible_at_intake`` (boolean): every inclusion criterion and the four exclusion criteria
        judged at intake pass (False if any fails, <NA> if none fails but one is unknown);
        ``excluded_no_show`` (boolean): the no-show rule fails (<NA> if unknown);
        ``reasons`` (str): ``RULE-ID:reason`` for each failed or unknown rule, joined by "; ".

    Notes
    -----
    Rules and sources: HCS model (Socialstyrelsen), chapter 3, "Inklusionskriterier" (five criteria)
    and "Eksklusionskriterier" (five criteria), and chapter 2, "Målgruppe" and "Varighed og fremmøde";
    rule file ``hcs_eligibility.yaml``. Not checkable from data and therefore not here: the
    clinician's judgement behind reflective behaviour and the first four exclusion criteria (only its
    recorded boolean is used). Vectorised on integer
    codes: category columns are looked up once per distinct value, and the ``reasons`` text is
    built once per distinct combination of reasons (1M participants in well under a second).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"deltager_id": ["a", "b"], "alder": [18, 17], "lovgrundlag": ["sel101", "§ 101A"],
    ...                   "hovedstof": ["hash", "hash"], "tilknytning": ["arbejde", "arbejde"],
    ...                   "maal": ["reducere", "ophoere"]})
    >>> asi = pd.DataFrame({"deltager_id": ["a"], "tidspunkt": ["indskrivning"], "asi_samlet": [0.35]})
    >>> out = hcs_eligibility(d, asi)
    >>> out[["INC-1-age", "INC-2-asi"]].astype(str).values.tolist()
    [['pass', 'pass'], ['fail', 'unknown']]
    >>> out["eligible_at_intake"].tolist()
    [<NA>, False]
    >>> out.loc["b", "reasons"].split("; ")[:2]
    ['INC-1-age:age_below_min', 'INC-2-asi:asi_missing_anonymous']
    >>> hcs_eligibility(d, asi, no_show=[3, None], no_show_k=3)["EXC-5-no-show"].astype(str).tolist()
    ['fail', 'unknown']
    """
    rule = load_rule("hcs_eligibility")
    rules: Mapping[str, Any] = rule["rules"]
    id_col = resolve_columns(deltagere, ["deltager_id"], what="participants")[0]
    index = pd.Index(deltagere[id_col], name="deltager_id")
    if index.has_duplicates:
        raise ValueError("`deltagere` must have one row per deltager_id")
    n = len(index)
    status: dict[str, np.ndarray] = {}
    reasons = _Reasons()
    everywhere = np.ones(n, dtype=bool)

    def col(name: str) -> pd.Series | None:
        return deltagere[name] if name in deltagere.columns else None

    # INC-1 age
    r = rules["INC-1-age"]
    age = col(r["column"])
    if age is None:
        st = np.full(n, _UNKNOWN, dtype="int8")
    else:
        a = as_float(age, r["column"])
        inc = r["include_min"] if age_include_min is None else bool(age_include_min)
        ok = interval_mask(a, {"min": r["min"], "include_min": inc})
        st = np.where(np.isnan(a), _UNKNOWN, np.where(ok, _PASS, _FAIL)).astype("int8")
    status["INC-1-age"] = st
    reasons.add("INC-1-age", st, [(st == _FAIL, r["reason_fail"]), (everywhere, "not_recorded")])

    # category rules
    for rid in ("INC-1-legal-basis", "INC-1-substance", "INC-3-attachment", "INC-4-goal"):
        r = rules[rid]
        values = col(r["column"])
        if values is None:
            st = np.full(n, _UNKNOWN, dtype="int8")
            unrecognised = np.zeros(n, dtype=bool)
        else:
            pos = _code_index(values, "hcs_deltagere", r["column"])
            ok = np.isin(pos, _positions_of(list(r["allowed"]), "hcs_deltagere", r["column"]))
            st = np.where(pos < 0, _UNKNOWN, np.where(ok, _PASS, _FAIL)).astype("int8")
            unrecognised = pos == -2
        status[rid] = st
        reasons.add(rid, st, [(st == _FAIL, r["reason_fail"]), (unrecognised, "unrecognised_value"),
                              (everywhere, "not_recorded")])

    # INC-2 ASI samlet at intake
    r = rules["INC-2-asi"]
    score = np.full(n, np.nan)
    if asi is not None:
        acols = resolve_columns(asi, ["deltager_id", "tidspunkt", r["column"]], what="ASI")
        tcodes = dataset("hcs").table("hcs_asi").column("tidspunkt").codes
        intake = _code_index(asi[acols[1]], "hcs_asi", "tidspunkt") == tcodes.index(r["time_point"])
        rows = np.flatnonzero(intake)
        pid = positions_in(id_strings(index), pd.Series(asi[acols[0]], copy=False).iloc[rows])
        if len(rows) and np.bincount(pid[pid >= 0], minlength=1).max() > 1:
            raise ValueError("`asi` has more than one intake (indskrivning) row for a participant")
        vals = as_float(pd.Series(asi[acols[2]], copy=False).iloc[rows], r["column"])
        score[pid[pid >= 0]] = vals[pid >= 0]
    within = asi_samlet_eligible(pd.Series(score), max_score=asi_max)
    w_val = within.to_numpy(dtype=bool, na_value=False)
    w_nan = within.isna().to_numpy()
    basis = col("lovgrundlag")
    anonymous = np.zeros(n, dtype=bool) if basis is None else np.isin(
        _code_index(basis, "hcs_deltagere", "lovgrundlag"),
        _positions_of(list(r["missing_allowed_for_legal_basis"]), "hcs_deltagere", "lovgrundlag"))
    st = np.where(w_nan, _UNKNOWN, np.where(w_val, _PASS, _FAIL)).astype("int8")
    status["INC-2-asi"] = st
    reasons.add("INC-2-asi", st, [(st == _FAIL, r["reason_fail"]), (anonymous, r["reason_unknown_anonymous"]),
                                  (everywhere, "asi_missing")])

    # boolean judgement rules
    for rid in ("INC-5-reflective", "EXC-1-psychiatric", "EXC-2-attention", "EXC-3-aggression", "EXC-4-intoxicated"):
        r = rules[rid]
        st = _status_from_bool(col(r["column"]), bool(r["pass_when"]), n, r["column"])
        status[rid] = st
        reasons.add(rid, st, [(st == _FAIL, r["reason_fail"]), (everywhere, "not_recorded")])

    # EXC-5 repeated no-show
    ns = rule["no_show"]
    k = ns["k"] if no_show_k is None else no_show_k
    if k is not None and (not isinstance(k, int | np.integer) or k < 1):
        raise ValueError(f"`no_show_k` must be a positive integer, got {k!r}")
    consec = bool(ns["consecutive"] if consecutive is None else consecutive)
    cnt: np.ndarray | None = None
    if no_show is not None:
        cnt = as_float(pd.Series(no_show, copy=False) if not isinstance(no_show, np.ndarray) else no_show, "no_show")
        if cnt.shape != (n,):
            raise ValueError(f"`no_show` needs one value per participant ({n}), got {cnt.shape[0]}")
        cnt = np.where(cnt < 0, np.nan, cnt)
    elif fremmoede is not None:
        counts = no_show_counts(fremmoede, count_statuses=count_statuses, consecutive=consec, sessioner=sessioner)
        cnt = counts["no_show"].reindex(index).to_numpy(dtype="float64", na_value=np.nan)
    if cnt is None:
        st = np.full(n, _UNKNOWN, dtype="int8")
        rc = [(everywhere, "attendance_not_given")]
        no_show_col = pd.array(np.full(n, None), dtype="Int64")
    else:
        has = ~np.isnan(cnt)
        no_show_col = pd.array(np.where(has, cnt, 0).astype("int64"), dtype="Int64")
        no_show_col[~has] = pd.NA
        if k is None:
            st = np.full(n, _UNKNOWN, dtype="int8")
            rc = [(has, "k_not_configured"), (everywhere, "no_attendance_registered")]
        else:
            st = np.where(~has, _UNKNOWN, np.where(cnt >= k, _FAIL, _PASS)).astype("int8")
            rc = [(st == _FAIL, ns["reason_fail"]), (everywhere, "no_attendance_registered")]
    status[ns["rule_id"]] = st
    reasons.add(ns["rule_id"], st, rc)

    columns: dict[str, Any] = {rid: pd.Categorical.from_codes(st.astype("int64"), categories=list(RULE_STATUSES))
                               for rid, st in status.items()}
    intake_rules = [rid for rid in status if rid != ns["rule_id"]]
    any_fail = np.any([status[rid] == _FAIL for rid in intake_rules], axis=0)
    any_unknown = np.any([status[rid] == _UNKNOWN for rid in intake_rules], axis=0)
    exc5 = status[ns["rule_id"]]
    out = pd.DataFrame(columns, index=index)
    out["no_show"] = pd.Series(no_show_col, index=index)
    out["eligible_at_intake"] = bool_series(~any_fail & ~any_unknown, ~any_fail & any_unknown, index,
                                            "eligible_at_intake")
    out["excluded_no_show"] = bool_series(exc5 == _FAIL, exc5 == _UNKNOWN, index, "excluded_no_show")
    out["reasons"] = reasons.joined()
    if ledger is not None:
        for rid, st in status.items():
            record(ledger, f"hcs_eligibility[{rid}]", {s: int((st == i).sum()) for i, s in enumerate(RULE_STATUSES)},
                   policy=f"K={k}, consecutive={consec}" if rid == ns["rule_id"] else "", rule=rule_id(rule))
        record(ledger, "hcs_eligibility", {"eligible": int((~any_fail & ~any_unknown).sum()),
                                           "not_eligible": int(any_fail.sum()),
                                           "undetermined": int((~any_fail & any_unknown).sum())},
               policy="intake rules INC-1..5, EXC-1..4", rule=rule_id(rule))
    return out
