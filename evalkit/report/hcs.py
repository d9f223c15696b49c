"""Report ``hcs``: the HCS group-treatment model for hash and central stimulants (seed 002).

Seed 002 is a model description: it states rules (eligibility, 16 weekly sessions, attendance
registration, follow-up) and, in chapter 4, five results *without a single number*. This report
therefore reproduces no printed figure; it computes, from a person-level export, the tables the
model implies (spec ``seed002_003_figures.md`` part 1) and the tests part 4.1 proposes for each
claim. Tables (id, source, content):

- ``eligibility`` (002-1.2-eligibility): INC-1..5, EXC-1..5, pass / fail / not recorded per rule;
- ``attendance_sessions`` (002-1.6-attendance): mødt op / meldt afbud / ikke meldt afbud by session 1-16;
- ``attendance_participants`` (002-1.6-attendance): persons by sessions attended / cancelled, in bands;
- ``attendance_summary`` (002-1.6-attendance): mean and median sessions per person, by status;
- ``no_show_rule`` (002-1.6-exc5): EXC-5 with the configured K;
- ``completion`` (002-1.7-completion): udskrivningsstatus;
- ``follow_up`` (002-1.7-follow-up): FU-1, follow-ups due and registered at 1 and 6 months;
- ``asi_means`` (002-1.10-asi): ASI stof / psykisk by time point for everybody measured, everybody
  enrolled (LOCF) and complete cases, with paired t and Wilcoxon tests;
- ``asi_n`` (002-1.10-asi): the n behind every mean of ``asi_means``;
- ``asi_by_aftercare`` (002-1.10-aftercare): the same by efterbehandling, with the groups' change compared;
- ``dose_response`` (002-1.10-dose-response): sessions attended vs change: Spearman rho, OLS slope;
- ``dose_response_bands`` (002-1.10-dose-response): mean change by attendance band.

Every constant a data owner may change (K of the no-show rule, the contrasts tested, the attendance
bands, the follow-up rule) is in ``evalkit/report/constants/hcs.yaml``. Seed 002 prints no numbers,
so there is no figure catalogue for it (``evalkit verify`` has nothing to compare).
"""

from __future__ import annotations

import math
import warnings
from functools import cache
from importlib import resources
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from evalkit.io.schema import dataset, normalise_name
from evalkit.measures import asi_drug, asi_item_columns, asi_psychiatric
from evalkit.measures._common import as_bool, as_float
from evalkit.profiles import RULE_STATUSES, hcs_eligibility
from evalkit.report.model import Cell, Column, T, Table, TestRow, Text
from evalkit.report.spec import Context, ReportSpec, TableSpec
from evalkit.rules import load_rule, rule_id, validate_header

__all__ = ["SPEC", "STATUSES", "asi_scores", "attendance_counts", "load_constants", "prepare", "spearman_ci"]

#: Attendance statuses (dictionary codes of ``hcs_fremmoede.status``), in the seed's order (L532-535).
STATUSES = ("moedt", "meldt_afbud", "ikke_meldt_afbud")
STATUS_LABELS = {"moedt": T("Mødt op", "Attended"), "meldt_afbud": T("Meldt afbud", "Cancelled with notice"),
                 "ikke_meldt_afbud": T("Ikke meldt afbud", "No-show without notice")}
COMPOSITES = {"asi_stof": (T("ASI stof", "ASI drug"), asi_drug, "drug"),
              "asi_psykisk": (T("ASI psykisk", "ASI psychiatric"), asi_psychiatric, "psychiatric")}
TOTAL = T("I alt", "Total")
N_LABEL = T("Antal", "Number")
PCT_LABEL = T("Pct.", "%")
SOURCE_NOTE = T("Seed 002 (Socialstyrelsen: HCS-modellen) trykker ingen tal; tabellen er beregnet ud fra "
                "modellens regler og kan ikke sammenlignes med et publiceret tal.",
                "Seed 002 (Socialstyrelsen: the HCS model) prints no numbers; the table follows the model's "
                "rules and has no published figure to compare with.")


# ----------------------------------------------------------------------------- constants


@cache
def load_constants() -> Mapping[str, Any]:
    """The report's versioned constants (``evalkit/report/constants/hcs.yaml``), read once.

    Returns
    -------
    Mapping
        Read-only mapping with the common rule header (``rule``, ``version``, ``source``,
        ``valid_from``) and the sections ``course``, ``no_show``, ``asi``, ``dose_response`` and
        ``follow_up``. Sources: seed 002 CRS-1/CRS-2 (16 sessions), EXC-5 (no-show rule; K is not
        given in the seed, the file's K is the data owner's choice), FU-1 (follow-up).

    Examples
    --------
    >>> c = load_constants()
    >>> c["course"]["sessions_planned"], c["no_show"]["k"], list(c["asi"]["contrasts"][0])
    (16, 3, ['indskrivning', 'midtvejs'])
    """
    text = (resources.files("evalkit.report") / "constants" / "hcs.yaml").read_text(encoding="utf-8")
    return validate_header(yaml.safe_load(text), "evalkit/report/constants/hcs.yaml")


# ----------------------------------------------------------------------------- input helpers


def _lookup_uniques(uniques: Any, table: str, column: str) -> list[str]:
    """Dictionary code of each distinct value (codes, labels or aliases); unknown values raise ValueError."""
    spec = dataset("hcs").table(table).column(column)
    lookup = spec.value_lookup()
    mapped = [lookup.get(normalise_name(u)) for u in uniques]
    bad = [str(u) for u, m in zip(uniques, mapped) if m is None]
    if bad:
        raise ValueError(f"{table}.{column}: unknown value(s) {', '.join(map(repr, bad))}; "
                         f"expected {', '.join(spec.codes)}")
    return mapped  # type: ignore[return-value]


def _code_index(values: Any, table: str, column: str, order: Sequence[str]) -> np.ndarray:
    """Position of each value's dictionary code in ``order`` (-1 = missing or a code not in ``order``).

    A categorical column is read through its integer codes; anything else is factorized once, so only
    the distinct values are looked up.
    """
    series = pd.Series(values, copy=False)
    if isinstance(series.dtype, pd.CategoricalDtype):
        idx, uniques = series.cat.codes.to_numpy(dtype="int64"), list(series.cat.categories)
    else:
        idx, uniques = pd.factorize(series, use_na_sentinel=True)
    where = {code: i for i, code in enumerate(order)}
    mapped = np.array([where.get(code, -1) for code in _lookup_uniques(uniques, table, column)] + [-1], dtype="int64")
    return mapped[np.where(idx < 0, len(uniques), idx)]


def _codes(values: Any, table: str, column: str) -> np.ndarray:
    """Dictionary codes of a category column as an object array (None = missing)."""
    codes = dataset("hcs").table(table).column(column).codes
    idx = _code_index(values, table, column, codes)
    return np.array(list(codes) + [None], dtype=object)[idx]


def _arrow_strings(values: Any) -> pa.Array:
    """A key column (ids) as one Arrow string array, whatever its pandas dtype."""
    series = pd.Series(values, copy=False)
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    if isinstance(series.dtype, (pd.ArrowDtype, pd.StringDtype)):
        arr = pa.array(series)
    else:
        arr = pa.array(series.to_numpy(dtype=object), from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr if pa.types.is_string(arr.type) else arr.cast(pa.string())


def _positions(id_set: pa.Array, values: Any) -> np.ndarray:
    """Position of each value in ``id_set`` (-1 if absent or missing): one hash lookup in Arrow."""
    idx = pc.index_in(_arrow_strings(values), value_set=id_set)
    return pc.fill_null(idx, -1).to_numpy(zero_copy_only=False).astype("int64")


def _days(values: Any) -> np.ndarray:
    """Dates (date32[pyarrow], datetime64, date objects or ISO text) as float days since 1970, NaN = missing."""
    series = pd.Series(values, copy=False)
    if isinstance(series.dtype, pd.ArrowDtype) and pa.types.is_date(series.dtype.pyarrow_dtype):
        return pa.array(series).cast(pa.int32()).to_numpy(zero_copy_only=False).astype("float64")
    dt = pd.to_datetime(series, errors="raise").to_numpy(dtype="datetime64[D]")
    return np.where(np.isnat(dt), np.nan, dt.astype("int64").astype("float64"))


def attendance_counts(
    fremmoede: pd.DataFrame,
    sessioner: pd.DataFrame,
    ids: Sequence[Any] | pd.Index,
    *,
    sessions_planned: int | None = None,
) -> dict[str, Any]:
    """Each participant's registered sessions numbered 1, 2, ... in date order, counted by status.

    Parameters
    ----------
    fremmoede
        ``hcs_fremmoede``: ``deltager_id``, ``session_id``, ``status`` (codes or their aliases).
    sessioner
        ``hcs_sessioner``: ``session_id`` and ``dato`` (orders a participant's sessions).
    ids
        The participants (``hcs_deltagere.deltager_id``), giving the row order of ``per_person``.
    sessions_planned
        Sessions per course (seed 002 CRS-1: 16, the default from the constants file). Registrations
        after a participant's 16th session are left out and counted (CRS-4: no extra sessions).

    Returns
    -------
    dict
        ``per_person``: int64 array (participants x 3) of mødt op / meldt afbud / ikke meldt afbud;
        ``per_session``: int64 array (sessions_planned x 3), session k = the participant's k-th
        registered session; ``kept``: boolean mask of the attendance rows used;
        ``excluded``: rows left out by reason (``beyond_planned_sessions``, ``unknown_participant``,
        ``unknown_session``).

    Notes
    -----
    Session number = rank of the session date among the participant's registered sessions (ties
    broken by the session's row order in ``sessioner``). Source: seed 002 L525-543 (registration
    with three statuses), CRS-1/CRS-4 (16 sessions, none added); spec seed002_003_figures.md 1.6.

    Examples
    --------
    >>> import pandas as pd
    >>> ses = pd.DataFrame({"session_id": ["s1", "s2", "s3"], "dato": ["2015-01-05", "2015-01-12", "2015-01-19"]})
    >>> att = pd.DataFrame({"deltager_id": ["a", "a", "a", "b"], "session_id": ["s3", "s1", "s2", "s2"],
    ...                     "status": ["ikke_meldt_afbud", "moedt", "afbud", "mødt op"]})
    >>> out = attendance_counts(att, ses, ["a", "b", "c"], sessions_planned=2)
    >>> out["per_person"].tolist()
    [[1, 1, 0], [1, 0, 0], [0, 0, 0]]
    >>> out["per_session"].tolist(), out["excluded"]
    ([[2, 0, 0], [0, 1, 0]], {'beyond_planned_sessions': 1, 'unknown_participant': 0, 'unknown_session': 0})
    """
    planned = int(load_constants()["course"]["sessions_planned"] if sessions_planned is None else sessions_planned)
    id_set = _arrow_strings(ids)
    n_ids = len(id_set)
    pid = _positions(id_set, fremmoede["deltager_id"])
    spos = _positions(_arrow_strings(sessioner["session_id"]), fremmoede["session_id"])
    status = _code_index(fremmoede["status"], "hcs_fremmoede", "status", STATUSES)
    if (status < 0).any():
        raise ValueError("hcs_fremmoede.status: every registration needs a status")
    # Rank every session by (date, row order) once; a registration's sort key is (participant, that rank).
    n_ses = len(sessioner)
    session_rank = np.empty(n_ses, dtype="int64")
    session_rank[np.lexsort((np.arange(n_ses), _days(sessioner["dato"])))] = np.arange(n_ses)
    known = (pid >= 0) & (spos >= 0)
    rows = np.flatnonzero(known)
    key = pid[rows] * max(n_ses, 1) + session_rank[spos[rows]]
    if len(key) > 1 and not (key[1:] > key[:-1]).all():   # exports usually come sorted: skip the sort then
        sort = np.argsort(key, kind="stable")
        rows, key = rows[sort], key[sort]
    p = pid[rows]
    seq = np.zeros(len(fremmoede), dtype="int64")
    if len(rows):
        start = np.r_[True, p[1:] != p[:-1]]
        first = np.maximum.accumulate(np.where(start, np.arange(len(rows)), 0))
        seq[rows] = np.arange(len(rows)) - first + 1
    kept = known & (seq <= planned)
    per_person = np.bincount(pid[kept] * 3 + status[kept], minlength=n_ids * 3).reshape(n_ids, 3)
    per_session = np.bincount((seq[kept] - 1) * 3 + status[kept], minlength=planned * 3).reshape(planned, 3)
    excluded = {"beyond_planned_sessions": int((known & (seq > planned)).sum()),
                "unknown_participant": int((pid < 0).sum()),
                "unknown_session": int(((pid >= 0) & (spos < 0)).sum())}
    return {"per_person": per_person.astype("int64"), "per_session": per_session.astype("int64"),
            "kept": kept, "excluded": excluded}


def asi_scores(
    asi: pd.DataFrame,
    ids: Sequence[Any] | pd.Index,
    *,
    time_points: Sequence[str] | None = None,
    tolerance: float | None = None,
) -> dict[str, Any]:
    """ASI stof and ASI psykisk per participant (rows) and time point (columns).

    Parameters
    ----------
    asi
        ``hcs_asi``: ``deltager_id``, ``tidspunkt`` and either the ASI items (composites computed by
        :func:`evalkit.measures.asi_drug` / :func:`~evalkit.measures.asi_psychiatric`, McGahan 1986)
        or the precomputed ``asi_stof`` / ``asi_psykisk`` columns, or both.
    ids
        The participants; row order of the result.
    time_points
        Column order (``hcs_asi.tidspunkt`` codes); default from the constants file.
    tolerance
        Items-vs-export disagreement tolerance; default ``asi.agreement_tolerance`` (0.0005).

    Returns
    -------
    dict
        ``scores``: ``{"asi_stof": array, "asi_psykisk": array}`` (participants x time points, NaN =
        no score); ``present``: boolean array (participants x time points), an ASI row exists;
        ``sources``: per composite the number of scores ``from_items``, ``from_export`` (items
        incomplete or absent, the export's composite used), ``missing`` and ``disagree`` (both
        present and further apart than the tolerance; the item-based value is used).

    Notes
    -----
    Per row: the composite computed from the items when every item is present (all-or-nothing,
    anchors.md 2.3); otherwise the export's composite column; otherwise missing. Source: seed 002
    L996-1004 ("ASI stof", "ASI psykisk"); spec seed002_003_figures.md 1.3.

    Examples
    --------
    >>> import pandas as pd
    >>> asi = pd.DataFrame({"deltager_id": ["a", "a", "b"], "tidspunkt": ["indskrivning", "afslutning", "intake"],
    ...                     "asi_stof": [0.25, 0.125, None], "asi_psykisk": [0.5, None, 0.2]})
    >>> out = asi_scores(asi, ["a", "b"], time_points=["indskrivning", "afslutning"])
    >>> out["scores"]["asi_stof"].tolist()
    [[0.25, 0.125], [nan, nan]]
    >>> out["sources"]["asi_psykisk"]
    {'from_items': 0, 'from_export': 2, 'missing': 1, 'disagree': 0}
    """
    c = load_constants()["asi"]
    tps = list(c["time_points"] if time_points is None else time_points)
    tol = float(c["agreement_tolerance"] if tolerance is None else tolerance)
    id_set = _arrow_strings(ids)
    n_ids = len(id_set)
    pid = _positions(id_set, asi["deltager_id"])
    tpi = _code_index(asi["tidspunkt"], "hcs_asi", "tidspunkt", tps)
    use = (pid >= 0) & (tpi >= 0)
    cell = pid[use] * len(tps) + tpi[use]
    if len(cell) and np.bincount(cell, minlength=n_ids * len(tps)).max() > 1:
        raise ValueError("hcs_asi: more than one row for a participant and time point")
    present = np.zeros(n_ids * len(tps), dtype=bool)
    present[cell] = True
    scores: dict[str, np.ndarray] = {}
    sources: dict[str, dict[str, int]] = {}
    for key, (_, fn, domain) in COMPOSITES.items():
        items = list(asi_item_columns(domain).values())
        has_items = all(col in asi.columns for col in items)
        from_items = fn(asi).to_numpy(dtype="float64") if has_items else np.full(len(asi), np.nan)
        export = as_float(asi[key], key) if key in asi.columns else np.full(len(asi), np.nan)
        both = ~np.isnan(from_items) & ~np.isnan(export)
        value = np.where(np.isnan(from_items), export, from_items)
        grid = np.full(n_ids * len(tps), np.nan)
        grid[cell] = value[use]
        scores[key] = grid.reshape(n_ids, len(tps))
        sel_items, sel_export = ~np.isnan(from_items[use]), np.isnan(from_items[use]) & ~np.isnan(export[use])
        sources[key] = {"from_items": int(sel_items.sum()), "from_export": int(sel_export.sum()),
                        "missing": int((~sel_items & ~sel_export).sum()),
                        "disagree": int((both[use] & (np.abs(from_items[use] - export[use]) > tol)).sum())}
    return {"scores": scores, "present": present.reshape(n_ids, len(tps)), "time_points": tps, "sources": sources}


def spearman_ci(x: Any, y: Any, *, confidence_level: float = 0.95) -> dict[str, float]:
    r"""Spearman's rank correlation with its p-value and a Fisher-z confidence interval.

    Parameters
    ----------
    x, y
        Paired observations (pairs with a missing member are dropped).
    confidence_level
        Two-sided level of the interval.

    Returns
    -------
    dict
        ``n``, ``rho``, ``p_value`` (``scipy.stats.spearmanr``: t approximation with n - 2 df),
        ``ci_low``, ``ci_high``; NaN when n < 4 or either variable is constant.

    Notes
    -----
    .. math:: \tanh\big(\operatorname{atanh}\rho \pm z_{1-\alpha/2}\sqrt{(1 + \rho^2/2)/(n-3)}\big)

    (Bonett & Wright 2000, Psychometrika 65:23-28), the interval spec seed002_003_figures.md 4.1
    asks for with the dose-response claim of seed 002 L1002-1004.

    Examples
    --------
    >>> r = spearman_ci([1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5])
    >>> r["n"], round(r["rho"], 4), round(r["p_value"], 4)
    (6, 0.8286, 0.0416)
    >>> round(r["ci_low"], 4), round(r["ci_high"], 4)
    (-0.1272, 0.9865)
    """
    from scipy import stats

    a = as_float(pd.Series(x, copy=False) if not isinstance(x, np.ndarray) else x, "x")
    b = as_float(pd.Series(y, copy=False) if not isinstance(y, np.ndarray) else y, "y")
    ok = ~np.isnan(a) & ~np.isnan(b)
    a, b = a[ok], b[ok]
    n = int(a.size)
    nan = {"n": n, "rho": math.nan, "p_value": math.nan, "ci_low": math.nan, "ci_high": math.nan}
    if n < 4 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return nan
    res = stats.spearmanr(a, b)
    rho = float(res.statistic)
    se = math.sqrt((1.0 + rho * rho / 2.0) / (n - 3))
    z = float(stats.norm.isf((1.0 - confidence_level) / 2.0))
    centre = math.atanh(rho) if abs(rho) < 1 else math.copysign(math.inf, rho)
    return {"n": n, "rho": rho, "p_value": float(res.pvalue),
            "ci_low": math.tanh(centre - z * se), "ci_high": math.tanh(centre + z * se)}


# ----------------------------------------------------------------------------- prepare


def prepare(ctx: Context) -> None:
    """Compute everything the tables need, once, vectorised, and record the cohort in the ledger.

    Stores in ``ctx.data``: ``ids`` (participants), ``eligibility`` (the frame of
    :func:`evalkit.profiles.hcs_eligibility`), ``attendance`` (:func:`attendance_counts`), ``asi``
    (:func:`asi_scores`), ``cohort`` (boolean: at least one registered session, or everybody when
    the export registers no attendance, seed 002 L532 "kan ... registrere"), ``status`` (discharge
    codes), ``legal_basis``, ``aftercare`` (1 = ja, 0 = nej, -1 = not recorded) and ``constants``.
    ``ctx.options.extra`` may override K (``no_show_k``) and whether absences must be consecutive
    (``no_show_consecutive``); both default to ``no_show`` in the constants file.

    Examples
    --------
    >>> from evalkit.report.hcs import SPEC
    >>> SPEC.name, SPEC.dataset, SPEC.prepare is prepare
    ('hcs', 'hcs', True)
    """
    c = load_constants()
    ex = ctx.export
    d = ex["hcs_deltagere"]
    att = ex["hcs_fremmoede"]
    ses = ex["hcs_sessioner"]
    asi = ex["hcs_asi"]
    ids = pd.Index(d["deltager_id"], name="deltager_id")
    planned = int(c["course"]["sessions_planned"])
    ns = c["no_show"]
    k = int(ctx.options.extra.get("no_show_k", ns["k"]))
    consecutive = bool(ctx.options.extra.get("no_show_consecutive", ns["consecutive"]))
    attendance = attendance_counts(att, ses, ids, sessions_planned=planned)
    registered = attendance["per_person"].sum(axis=1)
    if consecutive:  # runs need the session order: the profile function counts them
        counted = att if attendance["kept"].all() else att.loc[attendance["kept"]]
        eligibility = hcs_eligibility(d, asi, counted, ses, no_show_k=k, consecutive=True,
                                      count_statuses=list(ns["count_statuses"]))
    else:  # EXC-5 as a count: the same rule from the counts already made (one pass less over attendance)
        eligibility = hcs_eligibility(d, asi)
        cols = [STATUSES.index(x) for x in ns["count_statuses"]]
        no_show = attendance["per_person"][:, cols].sum(axis=1)
        exc5 = np.where(registered > 0, np.where(no_show >= k, 1, 0), 2)
        eligibility["EXC-5-no-show"] = pd.Categorical.from_codes(exc5, categories=list(RULE_STATUSES))
        eligibility["excluded_no_show"] = pd.array(np.where(exc5 == 2, None, exc5 == 1), dtype="boolean")
        eligibility["no_show"] = pd.array(np.where(registered > 0, no_show, None), dtype="Int64")
        eligibility = eligibility.drop(columns="reasons")  # its EXC-5 reason would say "attendance not given"
    cohort = registered > 0 if len(att) else np.ones(len(ids), dtype=bool)
    aftercare = np.full(len(ids), -1, dtype="int64")
    if "efterbehandling" in d.columns:
        val, missing = as_bool(d["efterbehandling"], "efterbehandling")
        aftercare = np.where(missing, -1, val.astype("int64"))
    col = lambda name, table="hcs_deltagere": (_codes(d[name], table, name) if name in d.columns  # noqa: E731
                                               else np.full(len(ids), None, dtype=object))
    ctx.data.update(ids=ids, eligibility=eligibility, attendance=attendance, cohort=cohort, constants=c, k=k,
                    consecutive=consecutive,
                    asi=asi_scores(asi, ids), status=col("udskrivningsstatus"), legal_basis=col("lovgrundlag"),
                    aftercare=aftercare, attendance_registered=len(att) > 0)
    ctx.ledger_stages["hcs: attendance registrations"] = {
        "read": len(att), "kept": int(attendance["kept"].sum()),
        "excluded": {k_: v for k_, v in attendance["excluded"].items() if v}}
    ctx.ledger_stages["hcs: cohort (started a group course)"] = {
        "read": len(ids), "kept": int(cohort.sum()),
        "excluded": {"no_session_registered": int((~cohort).sum())} if (~cohort).any() else {}}
    in_cohort = aftercare[cohort]
    ctx.ledger_stages["hcs: efterbehandling groups"] = {
        "read": int(cohort.sum()), "kept": int((in_cohort >= 0).sum()),
        "excluded": {"efterbehandling_not_recorded": int((in_cohort < 0).sum())} if (in_cohort < 0).any() else {}}
    for key, (label, _, _) in COMPOSITES.items():
        src = ctx.data["asi"]["sources"][key]
        ctx.ledger_stages[f"hcs: {key} scores"] = {
            "read": src["from_items"] + src["from_export"] + src["missing"],
            "kept": src["from_items"] + src["from_export"],
            "excluded": {"no_composite (items incomplete, no export value)": src["missing"]} if src["missing"] else {}}
    ctx.notes.extend([
        T("Seed 002 trykker ingen tal (kapitel 4 giver kun retninger), så der er intet figurkatalog for denne "
          "rapport; tabellerne følger modellens regler (spec seed002_003_figures.md del 1 og 4).",
          "Seed 002 prints no numbers (chapter 4 gives directions only), so this report has no figure "
          "catalogue; the tables follow the model's rules (spec seed002_003_figures.md parts 1 and 4)."),
        T("Design: ukontrolleret før/efter-måling. Indskrivning er udvalgt på ASI <= 0,35 og hjælpsøgning "
          "(regression mod middelværdien); fremmøde er selvvalgt (dosis-respons er konfunderet af motivation); "
          "frafald og eksklusion efter udeblivelser giver informativt manglende data, derfor vises både "
          "alle med en måling og komplette forløb. Mange udfald og tidspunkter: alle p-værdier er "
          "Holm-justeret samlet.",
          "Design: uncontrolled pre/post. Intake is selected on ASI <= 0.35 and help-seeking (regression to "
          "the mean); attendance is self-selected (dose-response is confounded by motivation); dropout and "
          "exclusion after no-shows make missingness informative, so both everybody measured and complete "
          "cases are shown. Many outcomes and time points: all p-values are Holm-adjusted as one family."),
        T(f"Konstanter: {rule_id(c)} (evalkit/report/constants/hcs.yaml); K for gentagne udeblivelser = {k}.",
          f"Constants: {rule_id(c)} (evalkit/report/constants/hcs.yaml); K for repeated no-shows = {k}."),
    ])


# ----------------------------------------------------------------------------- cell helpers


def _count(value: int, link: str | None = None) -> Cell:
    return Cell(int(value), "count", link=link)


def _pct(k: int, n: int, count_of: str) -> Cell:
    return Cell(100.0 * k / n if n else None, "percent", n=int(n), count_of=count_of)


def _mean(values: np.ndarray, decimals: int, count_of: str | None = None, kind: str = "mean") -> Cell:
    v = values[~np.isnan(values)]
    stat = (float(np.mean(v)) if kind == "mean" else float(np.median(v))) if v.size else None
    return Cell(stat, kind, decimals=decimals, n=int(v.size), count_of=count_of)  # type: ignore[arg-type]


def _num(x: Any) -> float | None:
    return None if x is None or not math.isfinite(float(x)) else float(x)


def _test_row(res: Any, row: str, outcome: Text, decimals: int | None = None) -> TestRow:
    """A :class:`TestRow` from an :mod:`evalkit.compare` result (NaN becomes None; status in the note)."""
    return TestRow(row=row, outcome=outcome, method=res.method, n=int(res.n), statistic=_num(res.statistic),
                   p_value=_num(res.p_value), effect_size=_num(res.effect_size), effect_size_name=res.effect_size_name,
                   effect_size_ci=(_num(res.effect_size_ci[0]), _num(res.effect_size_ci[1])),
                   estimate=_num(res.estimate), estimate_name=res.estimate_name or None,
                   estimate_ci=(_num(res.estimate_ci[0]), _num(res.estimate_ci[1])),
                   note=None if res.status == "ok" else res.status, decimals=decimals)


def _run_test(fn: Any, a: np.ndarray, b: np.ndarray, row: str, outcome: Text, method: str,
              decimals: int | None) -> TestRow:
    """Run one :mod:`evalkit.compare` test; a numerical failure becomes a row with the reason in its note."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return _test_row(fn(a, b), row, outcome, decimals)
        except (ValueError, ArithmeticError, RuntimeError) as exc:
            n = int((~np.isnan(a) & ~np.isnan(b)).sum()) if a.shape == b.shape else int(a.size + b.size)
            return TestRow(row=row, outcome=outcome, method=method, n=n, statistic=None, p_value=None,
                           note=f"failed: {exc}", decimals=decimals)


def _paired_tests(pre: np.ndarray, post: np.ndarray, row: str, outcome: Text, decimals: int) -> list[TestRow]:
    """Paired t-test and Wilcoxon signed-rank test of post - pre (spec 4.1: either, Holm over the report)."""
    from evalkit.compare import paired_t, wilcoxon

    return [_run_test(paired_t, pre, post, row, outcome, "Paired t-test", decimals),
            _run_test(wilcoxon, pre, post, row, outcome, "Wilcoxon signed-rank", decimals)]


def _tp_label(code: str) -> Text:
    v = {x.code: x for x in dataset("hcs").table("hcs_asi").column("tidspunkt").values}[code]
    return T(v.label_da, v.label_en)


def _status_label(table: str, column: str, code: str) -> Text:
    v = {x.code: x for x in dataset("hcs").table(table).column(column).values}[code]
    return T(v.label_da, v.label_en)


def _arrow(a: str, b: str) -> Text:
    return T(f"{_tp_label(a).da} → {_tp_label(b).da}", f"{_tp_label(a).en} → {_tp_label(b).en}")


# ----------------------------------------------------------------------------- eligibility (1.2)

RULE_LABELS = {
    "INC-1-age": T("INC-1: 18 år eller derover", "INC-1: aged 18 or over"),
    "INC-1-legal-basis": T("INC-1: servicelovens § 101 eller § 101a", "INC-1: Social Services Act s. 101 or 101a"),
    "INC-1-substance": T("INC-1: hash og/eller centralstimulerende stoffer som hovedstof",
                         "INC-1: cannabis and/or central stimulants as main substance"),
    "INC-2-asi": T("INC-2: samlet ASI-score på maks. 0,35", "INC-2: overall ASI score at most 0.35"),
    "INC-3-attachment": T("INC-3: tæt tilknytning til arbejdsmarkedet",
                          "INC-3: close attachment to the labour market"),
    "INC-4-goal": T("INC-4: ønske om at reducere eller ophøre", "INC-4: wish to reduce or stop"),
    "INC-5-reflective": T("INC-5: reflekterende adfærd (vurdering)", "INC-5: reflective behaviour (judgement)"),
    "EXC-1-psychiatric": T("EXC-1: psykisk belastet / psykiatrisk diagnose", "EXC-1: psychiatric burden or diagnosis"),
    "EXC-2-attention": T("EXC-2: opmærksomhedsforstyrrelse", "EXC-2: attention disorder"),
    "EXC-3-aggression": T("EXC-3: aggressiv adfærd", "EXC-3: aggressive behaviour"),
    "EXC-4-intoxicated": T("EXC-4: påvirket af rusmidler", "EXC-4: intoxicated"),
    "EXC-5-no-show": T("EXC-5: gentagne udeblivelser uden afbud", "EXC-5: repeated no-shows without notice"),
}


def _row_key(rule: str) -> str:
    return rule.lower().replace("-", "_", 1).replace("-", "_")


def _eligibility(ctx: Context) -> Table:
    """002-1.2: each inclusion/exclusion rule, pass / fail / unknown, over every referred participant."""
    e: pd.DataFrame = ctx.data["eligibility"]
    n = len(e)
    table = Table(id="eligibility", source="002-1.2-eligibility",
                  title=_TITLES["eligibility"],
                  columns=[Column("pass", T("Opfyldt", "Met")), Column("fail", T("Ikke opfyldt", "Not met")),
                           Column("unknown", T("Ikke registreret", "Not recorded")),
                           Column("total", TOTAL, is_total=True),
                           Column("fail_pct", T("Ikke opfyldt, pct.", "Not met, %"))],
                  additive=True, row_lines=(("pass", "fail", "unknown", "total"),))
    for rule, label in RULE_LABELS.items():
        k = dict(zip(RULE_STATUSES, np.bincount(e[rule].cat.codes.to_numpy(), minlength=3).tolist()))
        key = _row_key(rule)
        table.add_row(key, label, {"pass": _count(k["pass"]),
                                   "fail": _count(k["fail"], link="hcs_exc5_fail" if rule == "EXC-5-no-show" else None),
                                   "unknown": _count(k["unknown"]), "total": _count(n, link="hcs_n_referred"),
                                   "fail_pct": _pct(k["fail"], n, f"{key}|fail")})
    # INC-2 unknown for a s. 101a client: the profile's reason "asi_missing_anonymous" (L669-671)
    allowed = list(load_rule("hcs_eligibility")["rules"]["INC-2-asi"]["missing_allowed_for_legal_basis"])
    unknown_asi = e["INC-2-asi"].cat.codes.to_numpy() == 2
    anonymous = int((unknown_asi & np.isin(ctx.data["legal_basis"].astype(str), allowed)).sum())
    table.add_row("inc_2_asi_unknown_anonymous", T("heraf INC-2 uden ASI ved § 101a (anonym behandling)",
                                                  "of which INC-2 without ASI under s. 101a (anonymous treatment)"),
                  {"unknown": _count(anonymous)})
    elig = e["eligible_at_intake"]
    yes, no = int(elig.eq(True).sum()), int(elig.eq(False).sum())
    table.add_row("eligible_at_intake", T("Opfylder alle kriterier ved visitation (INC-1..5, EXC-1..4)",
                                          "Meets every criterion at referral (INC-1..5, EXC-1..4)"),
                  {"pass": _count(yes), "fail": _count(no), "unknown": _count(n - yes - no),
                   "total": _count(n, link="hcs_n_referred"), "fail_pct": _pct(no, n, "eligible_at_intake|fail")})
    k = ctx.data["k"]
    table.notes = [
        T("Kohorte: alle henviste i hcs_deltagere. Regler: spec seed002_003_figures.md 1.2 "
          "(rules/hcs_eligibility.yaml).",
          "Cohort: everybody referred in hcs_deltagere. Rules: spec seed002_003_figures.md 1.2 "
          "(rules/hcs_eligibility.yaml)."),
        T("Alder: 'fra 18 år og op' (>= 18, L265) er brugt; L693 siger 'over 18 år'. INC-2: 0,35 består ('maks.'). "
          "Mangler ASI ved § 101a, tælles det som 'ikke registreret', ikke som 'ikke opfyldt' (L669-671).",
          "Age: 'fra 18 år og op' (>= 18, L265) is used; L693 says 'over 18 år'. INC-2: 0.35 passes ('maks.'). "
          "A missing ASI under s. 101a counts as 'not recorded', not 'not met' (L669-671)."),
        T("INC-5 og EXC-1..4 er klinisk vurdering; kun den registrerede ja/nej bruges. "
          f"EXC-5 gælder under forløbet: ekskluderet ved mindst K = {k} udeblivelser uden afbud (se no_show_rule).",
          "INC-5 and EXC-1..4 are clinical judgement; only the recorded yes/no is used. "
          f"EXC-5 applies during the course: excluded at K = {k} or more no-shows without notice (see no_show_rule)."),
        SOURCE_NOTE,
    ]
    return table


# ----------------------------------------------------------------------------- attendance (1.6)


def _attendance_note(ctx: Context) -> list[Text]:
    c = ctx.data["constants"]["course"]
    ex = ctx.data["attendance"]["excluded"]
    base = [T(f"Kohorte: deltagere med mindst én registreret gruppesession. Session k = deltagerens k'te registrerede "
              f"session efter dato; registreringer efter den {c['sessions_planned']}. session er udeladt "
              f"({ex['beyond_planned_sessions']}; CRS-4: ingen ekstra sessioner).",
              f"Cohort: participants with at least one registered group session. Session k = the participant's k-th "
              f"registered session by date; registrations after session {c['sessions_planned']} are left out "
              f"({ex['beyond_planned_sessions']}; CRS-4: no extra sessions).")]
    if not ctx.data["attendance_registered"]:
        base.append(T("Eksporten har ingen fremmøderegistrering (registreringen er valgfri, L532).",
                      "The export registers no attendance (registration is optional, L532)."))
    return base + [SOURCE_NOTE]


def _attendance_sessions(ctx: Context) -> Table:
    """002-1.6: registrations by session number 1-16 and status, with the share attended."""
    per = ctx.data["attendance"]["per_session"]
    table = Table(id="attendance_sessions", source="002-1.6-attendance",
                  title=_TITLES["attendance_sessions"],
                  columns=[*(Column(s, STATUS_LABELS[s]) for s in STATUSES), Column("total", TOTAL, is_total=True),
                           Column("moedt_pct", T("Mødt op, pct.", "Attended, %"))], additive=True,
                  row_lines=((*STATUSES, "total"),))
    for i in range(per.shape[0]):
        key = f"session_{i + 1:02d}"
        row = per[i]
        cells = {s: _count(row[j]) for j, s in enumerate(STATUSES)}
        cells.update(total=_count(row.sum()), moedt_pct=_pct(row[0], row.sum(), f"{key}|moedt"))
        table.add_row(key, T(f"{i + 1}. session", f"Session {i + 1}"), cells)
    tot = per.sum(axis=0)
    cells = {s: _count(tot[j]) for j, s in enumerate(STATUSES)}
    cells.update(total=_count(tot.sum()), moedt_pct=_pct(tot[0], tot.sum(), "total|moedt"))
    table.add_row("total", TOTAL, cells, is_total=True)
    table.notes = _attendance_note(ctx)
    return table


def _bands(bands: Sequence[Mapping[str, Any]], lo: int, hi: int) -> list[tuple[str, int, int]]:
    """``(key, min, max)`` of each band; the bands must cover lo..hi exactly once, in order."""
    out = [(str(b["key"]), int(b["min"]), int(b["max"])) for b in bands]
    edges = [lo] + [b[2] + 1 for b in out[:-1]]
    if [b[1] for b in out] != edges or out[-1][2] != hi or any(b[1] > b[2] for b in out):
        raise ValueError(f"constants/hcs.yaml: bands {[b[1:] for b in out]} must cover {lo}..{hi} "
                         "without gaps or overlaps")
    return out


def _attendance_participants(ctx: Context) -> Table:
    """002-1.6: persons by the number of sessions they attended and cancelled, in bands of 0-16."""
    per = ctx.data["attendance"]["per_person"][ctx.data["cohort"]]
    planned = ctx.data["attendance"]["per_session"].shape[0]
    shown = ("moedt", "meldt_afbud")
    table = Table(id="attendance_participants", source="002-1.6-attendance", title=_TITLES["attendance_participants"],
                  columns=[Column(s, STATUS_LABELS[s]) for s in shown], additive=True, row_lines=())
    for key, lo, hi in _bands(ctx.data["constants"]["course"]["distribution_bands"], 0, planned):
        label = T(f"{lo} sessioner", f"{lo} sessions") if lo == hi else T(f"{lo}-{hi} sessioner", f"{lo}-{hi} sessions")
        within = (per >= lo) & (per <= hi)
        table.add_row(key, label, {s: _count(within[:, STATUSES.index(s)].sum()) for s in shown})
    table.add_row("total", TOTAL, {s: _count(len(per), link="hcs_n_cohort") for s in shown}, is_total=True)
    table.notes = [T("Intervaller (constants/hcs.yaml) i stedet for hvert antal: ellers kunne to skjulte celler i en "
                     "kolonne regnes ud fra totalerne pr. session. Udeblivelser uden afbud: se no_show_rule (EXC-5).",
                     "Bands (constants/hcs.yaml) instead of every number: otherwise two hidden cells of a column could "
                     "be solved from the per-session totals. No-shows without notice: see no_show_rule (EXC-5)."),
                   *_attendance_note(ctx)]
    return table


def _attendance_summary(ctx: Context) -> Table:
    """002-1.6: mean and median number of sessions per participant, by status."""
    per = ctx.data["attendance"]["per_person"][ctx.data["cohort"]].astype("float64")
    table = Table(id="attendance_summary", source="002-1.6-attendance",
                  title=_TITLES["attendance_summary"],
                  columns=[Column("n", N_LABEL), Column("mean", T("Gennemsnit", "Mean")),
                           Column("median", T("Median", "Median"))])
    rows = {"registered": (T("Registrerede sessioner", "Registered sessions"), per.sum(axis=1))}
    rows.update({s: (STATUS_LABELS[s], per[:, j]) for j, s in enumerate(STATUSES)})
    for key, (label, values) in rows.items():
        table.add_row(key, label, {"n": _count(len(values), link="hcs_n_cohort"),
                                   "mean": _mean(values, 1, f"{key}|n"),
                                   "median": _mean(values, 1, f"{key}|n", "median")})
    table.notes = _attendance_note(ctx)
    return table


def _no_show_rule(ctx: Context) -> Table:
    """002-1.6 / EXC-5: participants below and at or above K counted absences."""
    c = ctx.data["constants"]["no_show"]
    k = ctx.data["k"]
    e = ctx.data["eligibility"]
    cohort = ctx.data["cohort"]
    excluded = e["excluded_no_show"].to_numpy(dtype=object, na_value=None)[cohort]
    fail, passed = int((excluded == True).sum()), int((excluded == False).sum())  # noqa: E712
    n = fail + passed
    counted = " / ".join(STATUS_LABELS[s].da.lower() for s in c["count_statuses"])
    counted_en = " / ".join(STATUS_LABELS[s].en.lower() for s in c["count_statuses"])
    table = Table(id="no_show_rule", source="002-1.6-exc5",
                  title=_TITLES["no_show_rule"],
                  columns=[Column("n", N_LABEL), Column("pct", PCT_LABEL)], additive=True)
    table.add_row("below_k", T(f"Færre end {k} udeblivelser", f"Fewer than {k} no-shows"),
                  {"n": _count(passed), "pct": _pct(passed, n, "below_k|n")})
    table.add_row("at_or_above_k", T(f"{k} eller flere udeblivelser: ekskluderes", f"{k} or more no-shows: excluded"),
                  {"n": _count(fail, link="hcs_exc5_fail"), "pct": _pct(fail, n, "at_or_above_k|n")})
    table.add_row("total", TOTAL, {"n": _count(n, link="hcs_n_cohort" if ctx.data["attendance_registered"] else None),
                                   "pct": _pct(n, n, "total|n")}, is_total=True)
    run = "i træk" if ctx.data["consecutive"] else "i alt"
    run_en = "in a row" if ctx.data["consecutive"] else "in total"
    table.notes = [
        T(f"Regel: ekskluderet ved mindst K = {k} registreringer '{counted}' {run} inden for de første "
          f"{ctx.data['attendance']['per_session'].shape[0]} sessioner. Seed 002 giver intet tal for 'gentagne gange' "
          f"(L739-743); K er sat i constants/hcs.yaml. Kapitel 2 (L525-527) tæller ethvert fravær.",
          f"Rule: excluded at K = {k} or more registrations '{counted_en}' {run_en} within the first "
          f"{ctx.data['attendance']['per_session'].shape[0]} sessions. Seed 002 gives no number for 'gentagne gange' "
          f"(L739-743); K is set in constants/hcs.yaml. Chapter 2 (L525-527) counts any absence."),
        *_attendance_note(ctx),
    ]
    return table


# ----------------------------------------------------------------------------- completion and follow-up (1.7)


def _completion(ctx: Context) -> Table:
    """002-1.7: discharge status (udskrivningsstatus) of everybody who started a course."""
    status = ctx.data["status"][ctx.data["cohort"]]
    n = len(status)
    table = Table(id="completion", source="002-1.7-completion", title=_TITLES["completion"],
                  columns=[Column("n", N_LABEL), Column("pct", PCT_LABEL)], additive=True)
    codes = dataset("hcs").table("hcs_deltagere").column("udskrivningsstatus").codes
    for code in codes:
        k = int((status == code).sum())
        table.add_row(code, _status_label("hcs_deltagere", "udskrivningsstatus", code),
                      {"n": _count(k), "pct": _pct(k, n, f"{code}|n")})
    missing = int(pd.isna(status).sum())
    table.add_row("not_recorded", T("Ikke registreret (fx stadig i forløb)",
                                    "Not recorded (e.g. still in the course)"),
                  {"n": _count(missing), "pct": _pct(missing, n, "not_recorded|n")})
    table.add_row("total", TOTAL, {"n": _count(n, link="hcs_n_cohort"), "pct": _pct(n, n, "total|n")}, is_total=True)
    table.notes = [T("Kohorte: deltagere med mindst én registreret gruppesession. Statuskoder som i "
                     "kvalitetsstandarden (L913-923) plus 'ekskluderet' (EXC-5).",
                     "Cohort: participants with at least one registered group session. Status codes as in the "
                     "quality standard (L913-923) plus 'excluded' (EXC-5)."), SOURCE_NOTE]
    return table


def _follow_up(ctx: Context) -> Table:
    """002-1.7 FU-1: follow-ups due at 1 and 6 months and how many have an ASI registration."""
    c = ctx.data["constants"]["follow_up"]
    cohort = ctx.data["cohort"]
    due = cohort & np.isin(ctx.data["legal_basis"].astype(str), list(c["legal_basis"])) \
        & np.isin(ctx.data["status"].astype(str), list(c["discharge_statuses"]))
    tps = ctx.data["asi"]["time_points"]
    present = ctx.data["asi"]["present"]
    table = Table(id="follow_up", source="002-1.7-follow-up",
                  title=_TITLES["follow_up"],
                  columns=[Column("due", T("Skal tilbydes", "Due")),
                           Column("registered", T("Heraf med ASI", "Of which with ASI")),
                           Column("registered_pct", T("Pct.", "%"))])
    for tp in c["time_points"]:
        j = tps.index(tp)
        n_due = int(due.sum())
        reg = int((due & present[:, j]).sum())
        table.add_row(tp, _tp_label(tp), {"due": _count(n_due), "registered": _count(reg),
                                          "registered_pct": _pct(reg, n_due, f"{tp}|registered")})
    table.notes = [T("Skal tilbydes: § 101 og udskrevet som færdigbehandlet, til andet tilbud, til hospital eller "
                     "med anden årsag (FU-1, L913-923); § 101a har intet krav om opfølgning (FU-2). Opfølgninger "
                     "uden krav vises ikke særskilt: de kunne regnes ud fra asi_n ved subtraktion.",
                     "Due: s. 101 and discharged as completed, to another service, to hospital or for another "
                     "reason (FU-1, L913-923); s. 101a has no follow-up requirement (FU-2). Follow-ups that were not "
                     "due are not shown separately: they would follow from asi_n by subtraction."), SOURCE_NOTE]
    return table


# ----------------------------------------------------------------------------- ASI (1.10)


ASI_VARIANTS = {"observed": T("alle målte", "everybody measured"),
                "itt_locf": T("alle indskrevne, LOCF", "everybody enrolled, LOCF"),
                "complete": T("komplette forløb", "complete cases")}


def _locf(grid: np.ndarray) -> np.ndarray:
    """Carry each row's last observed value forward along the columns (NaN before the first one)."""
    cols = np.arange(grid.shape[1])
    last = np.maximum.accumulate(np.where(np.isnan(grid), -1, cols), axis=1)
    out = grid[np.arange(grid.shape[0])[:, None], np.maximum(last, 0)]
    return np.where(last >= 0, out, np.nan)


def _asi_rows(ctx: Context, mask: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
    """Per composite, the scores (persons x time points) of the persons in ``mask`` as

    ``observed`` (as measured), ``itt_locf`` (everybody with an intake score; the last in-course score
    carried forward to the later in-course time points, follow-ups not imputed) and ``complete`` (persons
    with a score at every in-course time point).
    """
    c = ctx.data["constants"]["asi"]
    tps = ctx.data["asi"]["time_points"]
    course = [tps.index(t) for t in c["in_course"]]
    out = {}
    for key in COMPOSITES:
        s = ctx.data["asi"]["scores"][key][mask]
        itt = np.full_like(s, np.nan)
        itt[:, course] = _locf(s[:, course])
        itt = itt[~np.isnan(s[:, course[0]])]
        out[key] = {"observed": s, "itt_locf": itt, "complete": s[~np.isnan(s[:, course]).any(axis=1)]}
    return out


def _asi_notes(ctx: Context, extra: list[Text] | None = None) -> list[Text]:
    src = ctx.data["asi"]["sources"]
    c = ctx.data["constants"]["asi"]
    detail = "; ".join(f"{k}: {v['from_items']} fra items, {v['from_export']} fra eksporten, {v['disagree']} uenige"
                       for k, v in src.items())
    detail_en = "; ".join(f"{k}: {v['from_items']} from items, {v['from_export']} from the export, "
                          f"{v['disagree']} disagreeing" for k, v in src.items())
    in_course = ", ".join(c["in_course"])
    return [
        T("Kohorte: deltagere med mindst én registreret gruppesession. 'Alle målte' = alle med en score på "
          "tidspunktet (ingen imputering); 'alle indskrevne, LOCF' = alle med en score ved indskrivning, hvor den "
          f"seneste score i forløbet føres frem (LOCF, ITT; opfølgning imputeres ikke); 'komplette forløb' = score "
          f"ved alle af {in_course} (completers).",
          "Cohort: participants with at least one registered group session. 'Everybody measured' = everybody "
          "with a score at the time point (no imputation); 'everybody enrolled, LOCF' = everybody with an intake "
          "score, the latest in-course score carried forward (LOCF, ITT; follow-ups not imputed); 'complete "
          f"cases' = a score at each of {in_course} (completers)."),
        T("ASI-composites (McGahan 1986) beregnes af items, alt-eller-intet ved manglende items; ellers bruges "
          f"eksportens værdi ({detail}).",
          "ASI composites (McGahan 1986) are computed from the items, all-or-nothing on missing items; otherwise "
          f"the export's value is used ({detail_en})."),
        T("Test: parret t-test og Wilcoxon signed-rank på par med begge målinger (listevis udeladelse); estimat = "
          "senere minus indskrivning (negativ = fald).",
          "Tests: paired t-test and Wilcoxon signed-rank on pairs with both measurements (listwise deletion); "
          "estimate = later minus intake (negative = decrease)."),
        *(extra or []), SOURCE_NOTE,
    ]


def _asi_means(ctx: Context) -> Table:
    """002-1.10: ASI stof and ASI psykisk at every time point; paired tests for the stated contrasts."""
    c = ctx.data["constants"]["asi"]
    tps = ctx.data["asi"]["time_points"]
    table = Table(id="asi_means", source="002-1.10-asi",
                  title=_TITLES["asi_means"],
                  columns=[Column(tp, _tp_label(tp)) for tp in tps], plot="lines")
    for key, variants in _asi_rows(ctx, ctx.data["cohort"]).items():
        label = COMPOSITES[key][0]
        for variant, vlabel in ASI_VARIANTS.items():
            grid = variants[variant]
            table.add_row(f"{key}_{variant}", T(f"{label.da}, {vlabel.da}", f"{label.en}, {vlabel.en}"),
                          {tp: _mean(grid[:, j], c["decimals"]) for j, tp in enumerate(tps)})
        obs = variants["observed"]
        for a, b in c["contrasts"]:
            table.tests += _paired_tests(obs[:, tps.index(a)], obs[:, tps.index(b)], f"{key}_observed",
                                         T(f"{label.da}: {_arrow(a, b).da}", f"{label.en}: {_arrow(a, b).en}"),
                                         c["decimals"])
    table.notes = _asi_notes(ctx)
    return table


def _asi_n(ctx: Context) -> Table:
    """002-1.10: the number of persons behind every mean of ``asi_means``."""
    tps = ctx.data["asi"]["time_points"]
    table = Table(id="asi_n", source="002-1.10-asi", title=_TITLES["asi_n"],
                  columns=[Column(tp, _tp_label(tp)) for tp in tps])
    for key, variants in _asi_rows(ctx, ctx.data["cohort"]).items():
        label = COMPOSITES[key][0]
        for variant, vlabel in ASI_VARIANTS.items():
            grid = variants[variant]
            table.add_row(f"{key}_{variant}", T(f"{label.da}, {vlabel.da}", f"{label.en}, {vlabel.en}"),
                          {tp: _count((~np.isnan(grid[:, j])).sum()) for j, tp in enumerate(tps)})
    table.notes = _asi_notes(ctx)[:1] + [SOURCE_NOTE]
    return table


AFTERCARE = {1: ("efterbehandling", T("med efterbehandling", "with aftercare")),
             0: ("uden_efterbehandling", T("uden efterbehandling", "without aftercare"))}


def _asi_by_aftercare(ctx: Context) -> Table:
    """002-1.10: ASI by efterbehandling, paired tests within each group, change compared between groups."""
    c = ctx.data["constants"]
    tps = ctx.data["asi"]["time_points"]
    cohort = ctx.data["cohort"]
    aftercare = ctx.data["aftercare"]
    decimals = c["asi"]["decimals"]
    table = Table(id="asi_by_aftercare", source="002-1.10-aftercare", title=_TITLES["asi_by_aftercare"],
                  columns=[Column(tp, _tp_label(tp)) for tp in tps], plot="lines")
    by_group = {group: _asi_rows(ctx, cohort & (aftercare == group)) for group in AFTERCARE}
    pairs: list[list[TestRow]] = []   # the two groups' tests of one outcome and contrast
    for key in COMPOSITES:
        label = COMPOSITES[key][0]
        tests: dict[tuple[str, str], list[TestRow]] = {}
        for group, (suffix, glabel) in AFTERCARE.items():
            obs = by_group[group][key]["observed"]
            row = f"{key}_{suffix}"
            table.add_row(row, T(f"{label.da}, {glabel.da}", f"{label.en}, {glabel.en}"),
                          {tp: _mean(obs[:, j], decimals) for j, tp in enumerate(tps)})
            for a, b in c["asi"]["contrasts"]:
                tests.setdefault((a, b), []).extend(_paired_tests(
                    obs[:, tps.index(a)], obs[:, tps.index(b)], row,
                    T(f"{label.da}, {glabel.da}: {_arrow(a, b).da}", f"{label.en}, {glabel.en}: {_arrow(a, b).en}"),
                    decimals))
        for group_tests in tests.values():
            table.tests += group_tests
            pairs.append(group_tests)
        for a, b in c["aftercare"]["between_contrasts"]:
            change = {g: by_group[g][key]["observed"][:, tps.index(b)] - by_group[g][key]["observed"][:, tps.index(a)]
                      for g in AFTERCARE}
            table.tests.append(_group_change_test(
                ctx, change[0], change[1], f"{key}_efterbehandling",
                T(f"{label.da}: ændring {_arrow(a, b).da}, med vs. uden efterbehandling",
                  f"{label.en}: change {_arrow(a, b).en}, with vs without aftercare"), decimals))
    _suppress_group_pairs(ctx, table, pairs)
    table.notes = _asi_notes(ctx, [T(
        "Efterbehandling ('tre individuelle samtaler', L996-1000) er ikke defineret i seed 002 og ikke tilfældigt "
        "tildelt; gruppeforskellen er beskrivende. Ændringen sammenlignes med Mann-Whitney U (med minus uden "
        "efterbehandling). Deltagere uden registreret efterbehandling indgår ikke.",
        "Aftercare ('three individual talks', L996-1000) is not defined in seed 002 and not randomised; the group "
        "difference is descriptive. Change is compared with Mann-Whitney U (with minus without aftercare). "
        "Participants without a recorded aftercare status are left out.")])
    return table


def _suppress_group_pairs(ctx: Context, table: Table, pairs: list[list[TestRow]]) -> None:
    """Complementary suppression across the two aftercare groups.

    The groups' n add up to the n of ``asi_n`` / ``asi_means`` (everybody measured), so when one group's
    mean or test rests on fewer than ``--min-cell`` persons, the other group's is hidden too; otherwise
    the small n would follow by subtraction.
    """
    if not ctx.options.disclosure:
        return
    small = lambda n: n is not None and 0 < n < ctx.options.min_cell  # noqa: E731
    for key in COMPOSITES:
        rows = [table.row(f"{key}_{suffix}") for suffix, _ in AFTERCARE.values()]
        for col in table.columns:
            cells = [r.cells[col.key] for r in rows]
            if any(small(cell.n) for cell in cells):
                for cell in cells:
                    cell.suppress("complementary")
    for group_tests in pairs:
        if any(small(x.n) for x in group_tests):
            for x in group_tests:
                x.suppressed = True


def _group_change_test(ctx: Context, without: np.ndarray, with_: np.ndarray, row: str, outcome: Text,
                       decimals: int) -> TestRow:
    """Mann-Whitney U on change scores, group 2 (with aftercare) minus group 1 (without).

    Disclosure: the test describes each group, so it is suppressed when either group is smaller than
    ``--min-cell`` (the runner only sees the total n).
    """
    from evalkit.compare import mann_whitney

    a, b = without[~np.isnan(without)], with_[~np.isnan(with_)]
    test = _run_test(mann_whitney, a, b, row, outcome, "Mann-Whitney U", decimals)
    if ctx.options.disclosure and 0 < min(a.size, b.size) < ctx.options.min_cell:
        test.suppressed = True
    return test


# ----------------------------------------------------------------------------- dose-response (1.10)


def _dose_data(ctx: Context) -> dict[str, Any]:
    c = ctx.data["constants"]["dose_response"]
    tps = ctx.data["asi"]["time_points"]
    cohort = ctx.data["cohort"]
    attended = ctx.data["attendance"]["per_person"][:, 0].astype("float64")
    out = {}
    for key in COMPOSITES:
        s = ctx.data["asi"]["scores"][key]
        base, last = s[:, tps.index(c["from"])], s[:, tps.index(c["to"])]
        ok = cohort & ~np.isnan(base) & ~np.isnan(last)
        out[key] = (attended[ok], last[ok] - base[ok], base[ok])
    return out


def _dose_response(ctx: Context) -> Table:
    """002-1.10: sessions attended vs change in ASI: Spearman rho with CI and the OLS slope adjusted for baseline."""
    from statsmodels.regression.linear_model import OLS

    from evalkit.compare._rules import default_confidence_level

    c = ctx.data["constants"]["dose_response"]
    level = default_confidence_level()
    table = Table(id="dose_response", source="002-1.10-dose-response",
                  title=_TITLES["dose_response"],
                  columns=[Column("n", N_LABEL), Column("rho", T("Spearmans rho", "Spearman's rho")),
                           Column("slope", T("Ændring pr. session", "Change per session"))])
    span = _arrow(c["from"], c["to"])
    for key, (x, y, base) in _dose_data(ctx).items():
        label = COMPOSITES[key][0]
        sp = spearman_ci(x, y, confidence_level=level)
        slope, tests = None, []
        outcome = T(f"{label.da}: ændring {span.da} vs. antal fremmøder",
                    f"{label.en}: change {span.en} vs sessions attended")
        tests.append(TestRow(row=key, outcome=outcome, method="Spearman rank correlation", n=sp["n"],
                             statistic=_num(sp["rho"]), p_value=_num(sp["p_value"]), effect_size=_num(sp["rho"]),
                             effect_size_name="rho", effect_size_ci=(_num(sp["ci_low"]), _num(sp["ci_high"]))))
        if len(x) >= 4 and np.ptp(x) > 0:
            fit = OLS(y, np.column_stack([np.ones_like(x), x, base])).fit()
            lo, hi = fit.conf_int(alpha=1.0 - level)[1]
            slope = float(fit.params[1])
            tests.append(TestRow(row=key, outcome=outcome, method="Linear regression (OLS), adjusted for intake score",
                                 n=len(x), statistic=_num(fit.tvalues[1]), p_value=_num(fit.pvalues[1]),
                                 estimate=slope, estimate_name="change per session attended",
                                 estimate_ci=(_num(lo), _num(hi)), decimals=4))
        else:
            tests.append(TestRow(row=key, outcome=outcome, method="Linear regression (OLS), adjusted for intake score",
                                 n=len(x), statistic=None, p_value=None, note="too_small_or_constant"))
        table.add_row(key, label, {"n": _count(len(x), link=f"hcs_dose_n_{key}"),
                                   "rho": Cell(_num(sp["rho"]), "number", decimals=2, n=len(x), count_of=f"{key}|n"),
                                   "slope": Cell(slope, "number", decimals=4, n=len(x), count_of=f"{key}|n")})
        table.tests += tests
    table.notes = [
        T(f"Kohorte: deltagere med mindst én registreret session og ASI ved {span.da}. Fremmøder = sessioner "
          "'mødt op' blandt de første 16. Regressionen: ændring = a + b * fremmøder + c * ASI ved indskrivning.",
          f"Cohort: participants with at least one registered session and ASI at {span.en}. Sessions attended = "
          "'attended' among the first 16. Regression: change = a + b * sessions + c * intake ASI."),
        T("Seed 002 angiver ingen retning for sammenhængen (L1002-1004); testene er tosidede. Fremmøde er selvvalgt, "
          "så sammenhængen er ikke en effekt af dosis (spec 4.3). KI for rho: Fisher z, Bonett & Wright (2000).",
          "Seed 002 states no direction (L1002-1004); tests are two-sided. Attendance is self-selected, so the "
          "association is not a dose effect (spec 4.3). CI for rho: Fisher z, Bonett & Wright (2000)."),
        SOURCE_NOTE,
    ]
    return table


def _dose_response_bands(ctx: Context) -> Table:
    """002-1.10: mean change in ASI by attendance band (bands from the constants file)."""
    c = ctx.data["constants"]["dose_response"]
    decimals = ctx.data["constants"]["asi"]["decimals"]
    data = _dose_data(ctx)
    cols = []
    for key in COMPOSITES:
        label = COMPOSITES[key][0]
        cols += [Column(f"{key}_n", T(f"{label.da}: antal", f"{label.en}: number")),
                 Column(f"{key}_change", T(f"{label.da}: gns. ændring", f"{label.en}: mean change"))]
    table = Table(id="dose_response_bands", source="002-1.10-dose-response",
                  title=_TITLES["dose_response_bands"], columns=cols,
                  additive=True, row_lines=())
    totals: dict[str, Any] = {}
    for band in c["bands"]:
        cells = {}
        for key, (x, y, _) in data.items():
            m = (x >= band["min"]) & (x <= band["max"])
            cells[f"{key}_n"] = _count(m.sum())
            cells[f"{key}_change"] = _mean(y[m], decimals, f"{band['key']}|{key}_n")
        table.add_row(band["key"], T(f"{band['min']}-{band['max']} sessioner",
                                     f"{band['min']}-{band['max']} sessions"), cells)
    for key, (x, y, _) in data.items():
        totals[f"{key}_n"] = _count(len(x), link=f"hcs_dose_n_{key}")
        totals[f"{key}_change"] = _mean(y, decimals, f"total|{key}_n")
    table.add_row("total", TOTAL, totals, is_total=True)
    span = _arrow(c["from"], c["to"])
    table.notes = [T(f"Ændring = ASI ved {span.da}, senere minus tidligere. Intervallerne er sat i constants/hcs.yaml "
                     "(seed 002 giver ingen).",
                     f"Change = ASI at {span.en}, later minus earlier. Bands are set in constants/hcs.yaml "
                     "(seed 002 gives none)."), SOURCE_NOTE]
    return table


# ----------------------------------------------------------------------------- the report

_TABLES = (
    ("eligibility", "002-1.2-eligibility", _eligibility),
    ("attendance_sessions", "002-1.6-attendance", _attendance_sessions),
    ("attendance_participants", "002-1.6-attendance", _attendance_participants),
    ("attendance_summary", "002-1.6-attendance", _attendance_summary),
    ("no_show_rule", "002-1.6-exc5", _no_show_rule),
    ("completion", "002-1.7-completion", _completion),
    ("follow_up", "002-1.7-follow-up", _follow_up),
    ("asi_means", "002-1.10-asi", _asi_means),
    ("asi_n", "002-1.10-asi", _asi_n),
    ("asi_by_aftercare", "002-1.10-aftercare", _asi_by_aftercare),
    ("dose_response", "002-1.10-dose-response", _dose_response),
    ("dose_response_bands", "002-1.10-dose-response", _dose_response_bands),
)
_TITLES = {
    "eligibility": T("Inklusions- og eksklusionskriterier ved visitation",
                     "Inclusion and exclusion criteria at referral"),
    "attendance_sessions": T("Fremmøde pr. gruppesession", "Attendance by group session"),
    "attendance_participants": T("Deltagere fordelt på antal sessioner", "Participants by number of sessions"),
    "attendance_summary": T("Sessioner pr. deltager", "Sessions per participant"),
    "no_show_rule": T("Eksklusion efter gentagne udeblivelser (EXC-5)", "Exclusion after repeated no-shows (EXC-5)"),
    "completion": T("Udskrivningsstatus", "Discharge status"),
    "follow_up": T("Opfølgning 1 og 6 måneder efter udskrivning (FU-1)",
                   "Follow-up 1 and 6 months after discharge (FU-1)"),
    "asi_means": T("ASI stof og ASI psykisk, gennemsnit pr. tidspunkt", "ASI drug and psychiatric, mean by time point"),
    "asi_n": T("ASI: antal målte pr. tidspunkt", "ASI: number measured by time point"),
    "asi_by_aftercare": T("ASI stof og ASI psykisk efter efterbehandling", "ASI drug and psychiatric by aftercare"),
    "dose_response": T("Sammenhæng mellem antal fremmøder og ændring i ASI", "Sessions attended and change in ASI"),
    "dose_response_bands": T("Ændring i ASI efter antal fremmøder", "Change in ASI by sessions attended"),
}

SPEC = ReportSpec(
    name="hcs",
    dataset="hcs",
    title=T("HCS-gruppebehandling for hash og centralstimulerende stoffer: evalueringstabeller",
            "HCS group treatment for cannabis and central stimulants: evaluation tables"),
    prepare=prepare,
    tables=tuple(TableSpec(tid, src, _TITLES[tid], fn, (fn.__doc__ or "").strip().splitlines()[0])
                 for tid, src, fn in _TABLES),
    description="Seed 002 (HCS model): eligibility, attendance, completion, follow-up, ASI stof/psykisk with "
                "paired tests, aftercare groups and dose-response. No printed figures, so no catalogue.",
)
