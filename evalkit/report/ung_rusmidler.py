"""Report ``ung-rusmidler``: UNG Rusmidler in 15 municipalities (seed 004, chapter 6).

Logbog episodes, UngMap at intake and TEM registrations become the tables and charts of chapter 6 of
*Erfaringsopsamling - UNG Rusmidler* (figure ids as in ``../shared/spec/seed004_figures.md``), with
what the report lacked: the n behind every cell, the test behind every "signifikant" and "markant",
the cohort of every figure (spec section 5.4) in the row ledger, and for every TEM trajectory the
observed cases (completers) beside the LOCF line.

:func:`prepare` computes everything person-level once, vectorised: episode facts, the UngMap cohort
with stofscore, Risikoprofil and Ungeprofil, and for each TEM measure the 1..12 grid of every
episode from one sorted pass over the forms (:mod:`evalkit.compare.trajectories`). The table builders only aggregate.
Constants a data owner may change (cut-off date, age filter, reference values, test choice) are in
``constants/ung_rusmidler.yaml`` (:func:`constants`).
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from evalkit.compare.trajectories import FormPositions, Summary, Trajectories
from evalkit.report.labels import format_number
from evalkit.report.model import Cell, Column, Row, T, Table, TestRow, Text
from evalkit.report.spec import Context, ReportSpec, TableSpec

__all__ = ["SPEC", "constants", "prepare"]

TYPES = ("anonym_raadgivning", "raadgivning", "behandling")
STATUSES = ("faerdigbehandlet", "udeblevet", "andet")
PROFILES = ("LAV", "SIP", "SEP", "SEIP")
RISKS = ("R0", "R1", "R2", "R3")
SEXES = ("K", "M")

TYPE_LABEL = {
    "anonym_raadgivning": T("Forløb med Anonym rådgivning", "Anonymous counselling episodes"),
    "raadgivning": T("Indskrivningsforløb i Rådgivning", "Counselling episodes"),
    "behandling": T("Indskrivningsforløb i Behandling", "Treatment episodes"),
}
TYPE_SHORT = {
    "anonym_raadgivning": T("Anonyme rådgivningsforløb", "Anonymous counselling"),
    "raadgivning": T("Rådgivningsforløb", "Counselling"),
    "behandling": T("Behandlingsforløb", "Treatment"),
}
STATUS_LABEL = {
    "faerdigbehandlet": T("Færdigbehandlede", "Completed treatment"),
    "udeblevet": T("Udeblevne", "Dropped out (no-show)"),
    "andet": T("Andet", "Other"),
}
PROFILE_LABEL = {p: T(p) for p in PROFILES}
RISK_LABEL = {r: T(f"Risikoprofil {r[1]} ({r})", f"Risk profile {r[1]} ({r})") for r in RISKS}
TOTAL = T("I alt", "Total")
UNKNOWN = T("Ukendt", "Unknown")


# ----------------------------------------------------------------------------------------- constants


@cache
def _load_constants(path: str | None) -> Mapping[str, Any]:
    from evalkit.rules import load_rule_file, validate_header

    if path is None:
        text = (resources.files("evalkit.report") / "constants" / "ung_rusmidler.yaml").read_text(encoding="utf-8")
        return validate_header(yaml.safe_load(text), "evalkit/report/constants/ung_rusmidler.yaml")
    return load_rule_file(path, expect_rule="ung_rusmidler_report")


def constants(path: str | None = None) -> Mapping[str, Any]:
    """The report's constants: the shipped ``constants/ung_rusmidler.yaml``, or an owner's file.

    Parameters
    ----------
    path
        A YAML file with the same layout and header (``rule: ung_rusmidler_report``); ``None`` (default)
        loads the shipped file. A report picks an owner's file up from ``ReportOptions.extra["constants"]``.

    Returns
    -------
    Mapping
        Read-only nested mapping: ``cohort`` (cut-off date, UngMap age filter, age bands, forløb),
        ``tem`` (12 registrations, group-form and TEM 30 policies), ``drug_use``, ``tests`` and
        ``references`` (published comparators, spec seed004_figures.md 5.5).

    Examples
    --------
    >>> c = constants()
    >>> c["tem"]["registrations"], c["cohort"]["ungmap_min_age"], c["references"]["danske_unge"]["trivsel"]
    (12, 15, 7.45)
    """
    return _load_constants(None if path is None else str(path))


def _ctx_constants(ctx: Context) -> Mapping[str, Any]:
    return constants(ctx.options.extra.get("constants"))


# ----------------------------------------------------------------------------------------- column helpers


def _floats(s: pd.Series | None, n: int) -> np.ndarray:
    """float64 with NaN for missing (booleans 0/1); an absent column is all NaN."""
    if s is None:
        return np.full(n, np.nan)
    if isinstance(s.dtype, pd.CategoricalDtype):
        raise TypeError(f"column {s.name!r} is categorical; a number is needed")
    return s.to_numpy(dtype="float64", na_value=np.nan)


def _col(frame: pd.DataFrame, name: str) -> pd.Series | None:
    return frame[name] if name in frame.columns else None


def _codes(s: pd.Series | None, categories: Sequence[str], n: int) -> np.ndarray:
    """Integer codes into ``categories`` (-1 = missing or unknown value)."""
    if s is None:
        return np.full(n, -1, dtype=np.int64)
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = [str(c) for c in s.cat.categories]
        lookup = np.array([categories.index(c) if c in categories else -1 for c in cats] + [-1], dtype=np.int64)
        return lookup[s.cat.codes.to_numpy()]
    return pd.Categorical(s.astype("object"), categories=list(categories)).codes.astype(np.int64)


def _day_numbers(s: pd.Series | None, n: int) -> np.ndarray:
    """Days since 1970-01-01 as float64 (NaN = missing) from date32[pyarrow], datetime64 or date objects."""
    if s is None:
        return np.full(n, np.nan)
    if isinstance(s.dtype, pd.ArrowDtype) and pa.types.is_date32(s.dtype.pyarrow_dtype):
        arr = pc.cast(pa.chunked_array(s.array._pa_array), pa.int32())
        return arr.to_numpy().astype("float64") if arr.null_count == 0 else \
            pc.fill_null(pc.cast(arr, pa.float64()), float("nan")).to_numpy()
    values = pd.to_datetime(s).to_numpy("datetime64[D]")
    out = values.astype("int64").astype("float64")
    out[np.isnat(values)] = np.nan
    return out


def _positions(keys: pd.Series, lookup: pd.Series) -> np.ndarray:
    """Row position of each key in ``lookup`` (-1 where absent), by an Arrow hash lookup."""
    idx = pc.index_in(_arrow_strings(keys), value_set=_arrow_strings(lookup))
    return pc.fill_null(idx, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def _arrow_strings(s: pd.Series) -> pa.Array:
    if isinstance(s.dtype, pd.ArrowDtype):
        arr = s.array._pa_array
    else:
        arr = pa.array(s.astype("string[pyarrow]").array)
    arr = pc.cast(arr, pa.string())
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _by_key(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """``frame`` sorted by its key column (already sorted: unchanged), so that every array, sum and
    test of the report is in one canonical order whatever the row order of the export."""
    arr = _arrow_strings(frame[key])
    if len(arr) < 2 or pc.all(pc.less_equal(arr.slice(0, len(arr) - 1), arr.slice(1))).as_py():
        return frame
    return frame.take(pc.sort_indices(arr).to_numpy()).reset_index(drop=True)


def _slug(name: str) -> str:
    """``"Ringkøbing-Skjern"`` -> ``"ringkoebing_skjern"`` (stable row keys)."""
    s = name.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_")


def _days_of(date: str | None) -> float | None:
    if date is None:
        return None
    return float((np.datetime64(str(date), "D") - np.datetime64("1970-01-01", "D")).astype(int))


# ----------------------------------------------------------------------------------------- measures


@dataclass(frozen=True)
class Measure:
    """A TEM measure of the report: its table key, the measure it is (``evalkit.measures.tem_measure``
    name), labels, how it is printed and which paired test it gets."""

    key: str
    measure: str
    label: Text
    unit: Text
    kind: str            # "mean" or "percent"
    test: str            # "score" | "days" | "units" | "binary"
    source: str          # seed figure of the overall trajectory


MEASURES: tuple[Measure, ...] = (
    Measure("samlet_trivsel", "samlet_trivsel", T("Samlet trivsel", "Overall well-being"),
            T("skala 0-10", "scale 0-10"), "mean", "score", "004-F6.26"),
    Measure("personlig_trivsel", "personlig_trivsel", T("Personlig trivsel", "Personal well-being"),
            T("skala 0-10", "scale 0-10"), "mean", "score", "004-F6.26"),
    Measure("naere_relationer", "naere_relationer", T("Nære relationer", "Close relations"),
            T("skala 0-10", "scale 0-10"), "mean", "score", "004-F6.26"),
    Measure("social_trivsel", "social_trivsel", T("Social trivsel", "Social well-being"),
            T("skala 0-10", "scale 0-10"), "mean", "score", "004-F6.26"),
    Measure("koncentration", "koncentration", T("Koncentration", "Concentration"), T("skala 0-10", "scale 0-10"),
            "mean", "score", "004-F6.27"),
    Measure("planlaegning", "planlaegning", T("Planlægning", "Planning"), T("skala 0-10", "scale 0-10"),
            "mean", "score", "004-F6.27"),
    Measure("cannabis_dage", "cannabis_days_week", T("Brug af cannabis de sidste 7 dage", "Cannabis use, last 7 days"),
            T("dage", "days"), "mean", "days", "004-P6.5c"),
    Measure("andre_stoffer_dage", "other_drug_days_week",
            T("Brug af andre stoffer de sidste 7 dage", "Other drug use, last 7 days"),
            T("dage", "days"), "mean", "days", "004-P6.5c"),
    Measure("alkohol_genstande", "alcohol_units_week", T("Alkohol, genstande pr. uge", "Alcohol, units per week"),
            T("genstande", "units"), "mean", "units", "004-P6.5c"),
    Measure("stoffri", "drug_free_last_week", T("Stoffri den seneste uge", "Drug-free in the last week"),
            T("%", "%"), "percent", "binary", "004-F6.28"),
)
MEASURE = {m.key: m for m in MEASURES}


def _tem_scale(c: Mapping[str, Any]) -> int:
    """3 when samlet trivsel is the mean of all three items (then stored x3: exact integer sums), else 1."""
    opts = c["tem"]
    return 3 if opts["samlet_method"] == "mean_of_three" and opts["samlet_missing"] == "complete" else 1


def _tem_value(tem: pd.DataFrame, c: Mapping[str, Any], m: Measure, times: int) -> np.ndarray:
    """One TEM measure per form (float64, NaN = missing), by :func:`evalkit.measures.tem_measure`."""
    from evalkit.measures.tem import tem_measure

    opts = c["tem"]
    return tem_measure(tem, m.measure, samlet_method=opts["samlet_method"], samlet_missing=opts["samlet_missing"],
                       tem30=opts["tem30"], drug_free_method=opts["drug_free_method"], times=times)


# ----------------------------------------------------------------------------------------- prepared data


@dataclass
class Grouping:
    """A TEM cohort split into groups: which units, which group each is in, and the group labels."""

    key: str
    label: Text
    cohort: Text
    groups: tuple[str, ...]
    group_labels: dict[str, Text]
    codes: np.ndarray            # group index per unit, -1 = not in this grouping
    grid: str = "main"           # "main" (episode forms) or "gruppe" (group-course forms)


@dataclass
class Prepared:
    """Everything the table builders read (``ctx.data["ung"]``)."""

    c: Mapping[str, Any]
    episodes: dict[str, np.ndarray]
    kommuner: list[tuple[str, str]]          # (row key, name) of the printed municipalities
    ungmap: dict[str, np.ndarray]
    grids: dict[str, FormPositions] = field(default_factory=dict)
    groupings: dict[str, Grouping] = field(default_factory=dict)
    trajectories: dict[tuple[str, str], Summary] = field(default_factory=dict)
    units: dict[tuple[str, str], Trajectories] = field(default_factory=dict)
    scale: dict[str, int] = field(default_factory=dict)
    tem_notes: dict[str, int] = field(default_factory=dict)
    form_values: dict[str, np.ndarray] = field(default_factory=dict)


def _episodes(e: pd.DataFrame, c: Mapping[str, Any], ctx: Context) -> tuple[dict[str, np.ndarray], list[tuple[str, str]]]:
    n = len(e)
    out: dict[str, np.ndarray] = {"type": _codes(_col(e, "enrolment_type"), TYPES, n)}
    forloeb = _floats(_col(e, "forloeb"), n)
    kommuner = [(_slug(name), name) for f in c["cohort"]["forloeb"] for name in f["kommuner"]]
    nr_of = {_slug(name): int(f["nr"]) for f in c["cohort"]["forloeb"] for name in f["kommuner"]}
    row_of = {k: i for i, (k, _) in enumerate(kommuner)}
    if "kommune" in e.columns:
        codes, uniques = pd.factorize(e["kommune"], use_na_sentinel=True)
        slugs = [_slug(str(v)) for v in uniques]
        row = np.array([row_of.get(sl, len(kommuner)) for sl in slugs] + [len(kommuner)], dtype=np.int64)
        nr = np.array([nr_of.get(sl, np.nan) for sl in slugs] + [np.nan], dtype="float64")
        codes = np.asarray(codes)
        out["kommune"], derived = row[codes], nr[codes]
    else:
        out["kommune"], derived = np.full(n, len(kommuner), dtype=np.int64), np.full(n, np.nan)
    forloeb = np.where(np.isnan(forloeb), derived, forloeb)
    out["forloeb"] = np.where(np.isnan(forloeb), -1, forloeb).astype(np.int64)
    out["age"] = _floats(_col(e, "age_at_start"), n)
    out["sex"] = _codes(_col(e, "sex"), SEXES, n)
    start = _day_numbers(_col(e, "start_date"), n)
    dis = _day_numbers(_col(e, "discharge_date"), n)
    cutoff = _days_of(c["cohort"].get("data_cutoff"))
    has_date = ~np.isnan(dis)
    discharged = has_date & (dis <= cutoff) if cutoff is not None else has_date
    los = dis - start + (1.0 if c["cohort"]["los_convention"] == "inclusive" else 0.0)
    negative = discharged & (los < 0)
    los = np.where(discharged & ~negative, los, np.nan)
    status = _codes(_col(e, "discharge_status"), STATUSES, n)
    out.update(discharged=discharged, los=los, status=np.where(discharged, status, -1))
    for svc in ("svc_raadgivning", "svc_individuel_behandling", "svc_gruppeforloeb", "svc_inddragelse_paaroerende",
                "svc_andet"):
        out[svc] = _floats(_col(e, svc), n)
    excluded = {}
    after = int((has_date & ~discharged).sum())
    if after:
        excluded[f"udskrevet efter {c['cohort']['data_cutoff']}: regnes som igangværende"] = after
    if int(negative.sum()):
        excluded["udskrivningsdato før startdato: ingen indskrivningslængde"] = int(negative.sum())
    ctx.ledger_stages["udskrivninger"] = {"read": int(has_date.sum()), "kept": int(discharged.sum()) - int(negative.sum()),
                                          "excluded": excluded}
    return out, kommuner


def _ungmap(u: pd.DataFrame, ep: dict[str, np.ndarray], ep_ids: pd.Series, c: Mapping[str, Any],
            ctx: Context) -> dict[str, np.ndarray]:
    from evalkit.measures import stofscore, stofscore_12plus
    from evalkit.profiles import resolve_ungeprofil, risikoprofil

    n = len(u)
    pos = _positions(u["episode_id"], ep_ids)
    is_beh = np.zeros(n, dtype=bool)
    found = pos >= 0
    is_beh[found] = ep["type"][pos[found]] == TYPES.index("behandling")
    age = _floats(_col(u, "age_at_ungmap"), n)
    min_age = c["cohort"].get("ungmap_min_age")
    young = is_beh & (age < min_age) if min_age is not None else np.zeros(n, dtype=bool)
    keep = is_beh & ~young
    # One UngMap per episode: the first by completed date (then by ungmap id).
    done = _day_numbers(_col(u, "completed_date"), n)
    cand = np.flatnonzero(keep)
    sort_done = np.where(np.isnan(done[cand]), np.inf, done[cand])
    if cand.size and np.bincount(pos[cand]).max() > 1:
        ids = np.asarray(u["ungmap_id"].iloc[cand].astype("object").map(str).to_numpy(), dtype=str)
        o = cand[np.lexsort((ids, sort_done, pos[cand]))]
    else:
        o = cand[np.argsort(pos[cand], kind="stable")]
    first = np.ones(o.size, dtype=bool)
    first[1:] = pos[o][1:] != pos[o][:-1]
    dup = o[~first]
    keep[dup] = False
    excluded = {}
    if int((~found).sum()):
        excluded["forløbet findes ikke i Logbog"] = int((~found).sum())
    if int((found & ~is_beh).sum()):
        excluded["forløbet er ikke et behandlingsforløb"] = int((found & ~is_beh).sum())
    if int(young.sum()):
        excluded[f"under {min_age} år ved UngMap (seed 004 L2389-2391, A19)"] = int(young.sum())
    if dup.size:
        excluded["mere end ét UngMap i forløbet (det første er beholdt)"] = int(dup.size)
    ctx.ledger_stages["ungmap"] = {"read": n, "kept": int(keep.sum()), "excluded": excluded}

    rows = o[first]                 # kept rows in episode order (canonical, whatever the file order)
    k = u.iloc[rows]
    m = rows.size
    out: dict[str, np.ndarray] = {"episode": pos[rows], "age": age[rows]}
    out["stofscore"] = stofscore(k).to_numpy(dtype="float64", na_value=np.nan)
    s12 = stofscore_12plus(k)
    out["stofscore_12plus"] = s12.to_numpy(dtype="float64", na_value=np.nan)
    diag = _col(k, "psych_diagnosis_by_psychiatrist")
    udd = _col(k, "uddannelseshjaelp")
    if diag is not None and udd is not None:
        out["risk"] = _codes(risikoprofil(s12, diag, udd), RISKS, m)
    else:
        out["risk"] = np.full(m, -1, dtype=np.int64)
    try:
        out["profile"] = _codes(resolve_ungeprofil(k), PROFILES, m)
    except KeyError:
        out["profile"] = np.full(m, -1, dtype=np.int64)
    from evalkit.measures.stofscore import any_use_30, drug_free_30

    def flag(series: pd.Series) -> np.ndarray:
        return series.to_numpy(dtype="float64", na_value=np.nan)

    use = c["drug_use"]
    out["cannabis"] = flag(any_use_30(k, ["days_hash_30"]))
    out["centralstimulerende"] = flag(any_use_30(k, use["centralstimulerende_columns"],
                                                 recorded="used_centralstimulerende_30"))
    out["opioider"] = flag(any_use_30(k, ["days_opioider_30"]))
    out["andre_stoffer"] = flag(any_use_30(k, ["days_andre_30"]))
    out["stoffri"] = flag(drug_free_30(k, use["stoffri_columns"], recorded="drug_free_30"))
    for col, key in (("in_education", "i_uddannelse"), ("uddannelseshjaelp", "uddannelseshjaelp"),
                     ("psych_diagnosis_by_psychiatrist", "psykiatrisk_diagnose"),
                     ("illegal_activities", "illegale_aktiviteter")):
        out[key] = _floats(_col(k, col), m)
    return out


def prepare(ctx: Context) -> None:
    """Compute every person-level quantity of the report once and store it in ``ctx.data["ung"]``.

    Episodes: type, forløb, municipality, age, sex, discharge (by the cut-off date), length of stay,
    services. UngMap cohort (treatment episodes, age filter, one per episode): stofscore and 12+,
    Risikoprofil, Ungeprofil, drug use, other difficulties. TEM: the 1..12 grid of every episode
    (evalkit.compare's trajectory engine, one sort of all forms), then for each measure and each grouping the LOCF and
    observed sums and counts per registration (one matrix product per measure), and the first/12th
    values of every unit for the tests. The cohort rules are recorded in ``ctx.ledger_stages``.

    Parameters
    ----------
    ctx
        The runner's context; its export must be an ``ung-rusmidler`` export.

    Notes
    -----
    Cohorts as spec seed004_figures.md 5.4; LOCF as 3.4; constants in ``constants/ung_rusmidler.yaml``.

    Examples
    --------
    >>> import datetime as dt, pandas as pd
    >>> from evalkit.io.export import Export
    >>> from evalkit.io.ledger import Ledger
    >>> from evalkit.io.problems import ProblemList
    >>> from evalkit.report.spec import Context, ReportOptions
    >>> ep = pd.DataFrame({"episode_id": ["e1", "e2"], "person_key": ["p1", "p2"], "kommune": ["Skive", "Faxe"],
    ...     "enrolment_type": ["behandling", "raadgivning"], "start_date": [dt.date(2019, 1, 1)] * 2,
    ...     "age_at_start": [19.0, 17.0], "sex": ["K", "M"], "discharge_date": [dt.date(2019, 5, 1), None],
    ...     "discharge_status": ["faerdigbehandlet", None]})
    >>> um = pd.DataFrame({"ungmap_id": ["u1"], "episode_id": ["e1"], "age_at_ungmap": [19.0],
    ...     "days_hash_30": [20], "days_kokain_30": [0], "days_amfetamin_30": [0], "days_ecstasy_30": [0],
    ...     "days_andre_30": [0], "in_education": [True], "uddannelseshjaelp": [False],
    ...     "psych_diagnosis_by_psychiatrist": [True], "ungeprofil": ["SIP"]})
    >>> tem = pd.DataFrame({"tem_id": ["t1", "t2"], "episode_id": ["e1", "e1"],
    ...     "tem_date": [dt.date(2019, 2, 1), dt.date(2019, 1, 15)], "personlig_trivsel": [6, 4],
    ...     "naere_relationer": [6, 5], "social_trivsel": [6, 6], "koncentration": [5, 4], "planlaegning": [5, 5],
    ...     "cannabis_days": [1, 3], "other_drug_days": [0, 0], "alcohol_units_week": [2.0, 4.0]})
    >>> export = Export("ung-rusmidler", {"logbog_episodes": ep, "ungmap_intake": um, "tem_registrations": tem},
    ...                 Ledger(), ProblemList())
    >>> ctx = Context(export, ReportOptions())
    >>> prepare(ctx)
    >>> ung = ctx.data["ung"]
    >>> ung.ungmap["risk"].tolist(), ung.ungmap["stofscore"].round(2).tolist()
    ([2], [13.33])
    >>> tr = ung.trajectories[("samlet_trivsel", "behandling")]   # samlet trivsel is stored x3 (exact sums)
    >>> (tr.sum[0, :3] / (3 * tr.n[0, :3])).tolist(), tr.n_observed[0, :3].tolist()   # t2 is first by date
    ([5.0, 6.0, 6.0], [1, 1, 0])
    """
    c = _ctx_constants(ctx)
    e = _by_key(ctx.export["logbog_episodes"], "episode_id")
    ep, kommuner = _episodes(e, c, ctx)
    um = _ungmap(ctx.export["ungmap_intake"], ep, e["episode_id"], c, ctx)
    ne = len(e)
    ep["ungmap"] = np.full(ne, -1, dtype=np.int64)
    ep["ungmap"][um["episode"]] = np.arange(um["episode"].size)
    prep = Prepared(c=c, episodes=ep, kommuner=kommuner, ungmap=um)
    _prepare_tem(ctx, prep, e["episode_id"])
    ctx.data["ung"] = prep


def _prepare_tem(ctx: Context, prep: Prepared, ep_ids: pd.Series) -> None:
    from evalkit.compare.trajectories import (
        Strata,
        sort_registrations,
        trajectory_stats,
    )

    c = prep.c
    tem = ctx.export["tem_registrations"]
    K = int(c["tem"]["registrations"])
    n = len(tem)
    pos = _positions(tem["episode_id"], ep_ids)
    scale = _tem_scale(c)
    prep.scale = {m.key: (scale if m.key == "samlet_trivsel" else 1) for m in MEASURES}
    known = pos >= 0
    forms = sort_registrations(tem, pos, ["tem_date", "tem_id"], n_units=len(ep_ids))
    group = _floats(_col(tem, "group_course"), n) == 1.0
    separate = c["tem"]["group_forms"] == "separate"
    prep.grids["main"] = forms.place(K, where=~group if separate else None)
    prep.grids["gruppe"] = forms.place(K, where=group)
    past = prep.grids["main"].n_rows_beyond_upto + prep.grids["gruppe"].n_rows_beyond_upto
    excluded = {}
    if int((~known).sum()):
        excluded["forløbet findes ikke i Logbog"] = int((~known).sum())
    if forms.n_rows_unplaced - int((~known).sum()):
        excluded["TEM-dato mangler"] = forms.n_rows_unplaced - int((~known).sum())
    if past:
        excluded[f"skema nr. {K + 1} eller senere i forløbet (opgjort ved {K}. registrering, fn 23)"] = past
    ctx.ledger_stages["tem"] = {"read": n, "kept": n - sum(excluded.values()), "excluded": excluded}
    recall = _floats(_col(tem, "recall_window_days"), n)
    prep.tem_notes = {"group_forms": int(group.sum()), "tem30_forms": int((recall == 30).sum())}
    del pos, known, group, recall, forms
    _groupings(prep)
    sensitivity = _sensitivity(ctx)
    refit = set(sensitivity["measures"]) if sensitivity is not None else set()
    strata = {}
    for gkey, grid in prep.grids.items():
        groupings = [g for g in prep.groupings.values() if g.grid == gkey]
        strata[gkey] = Strata(grid, {g.key: g.codes for g in groupings}, {g.key: len(g.groups) for g in groupings})
    for m in MEASURES:   # one measure at a time (one per-form array alive)
        values = _tem_value(tem, c, m, prep.scale[m.key])
        if m.key in refit:   # the optional model tables refit from the observed forms
            prep.form_values[m.key] = values
        for gkey, st in strata.items():
            res = trajectory_stats(st, values, sd=False)
            prep.units[(m.key, gkey)] = res
            for gk, summary in res.by.items():
                prep.trajectories[(m.key, gk)] = summary
        del values


def _groupings(prep: Prepared) -> None:
    ep, um = prep.episodes, prep.ungmap
    main, grp = prep.grids["main"], prep.grids["gruppe"]
    t = np.where(main.n_forms > 0, ep["type"], -1)     # units: episodes with at least one TEM form
    beh = t == TYPES.index("behandling")
    counsel = (t == TYPES.index("raadgivning")) | (t == TYPES.index("anonym_raadgivning"))
    um_pos = ep["ungmap"]
    in_um = beh & (um_pos >= 0)
    safe = np.where(um_pos >= 0, um_pos, 0)
    profile = np.where(in_um, um["profile"][safe], -1) if um["profile"].size else np.full(t.size, -1)
    risk = np.where(in_um, um["risk"][safe], -1) if um["risk"].size else np.full(t.size, -1)
    opioid = in_um & (np.nan_to_num(um["opioider"][safe] if um["opioider"].size else np.zeros(t.size)) == 1.0)
    status = np.where(beh, ep["status"], -1)
    zero = np.zeros(t.size, dtype=np.int64)
    alle = {"alle": T("Alle", "All")}
    beh_t = T("behandlingsforløb med mindst ét TEM-skema", "treatment episodes with at least one TEM form")
    um_t = T("behandlingsforløb med UngMap og mindst ét TEM-skema",
             "treatment episodes with UngMap and at least one TEM form")
    prep.groupings = {
        "behandling": Grouping("behandling", T("behandlingsforløb", "treatment episodes"), beh_t, ("alle",), alle,
                               np.where(beh, zero, -1)),
        "ungeprofil": Grouping("ungeprofil", T("set ift. Ungeprofiler", "by Ungeprofil"), um_t,
                               tuple(p.lower() for p in PROFILES), {p.lower(): PROFILE_LABEL[p] for p in PROFILES},
                               profile),
        "risikoprofil": Grouping("risikoprofil", T("set ift. Risikoprofiler", "by Risikoprofil"), um_t,
                                 tuple(r.lower() for r in RISKS), {r.lower(): RISK_LABEL[r] for r in RISKS}, risk),
        "udskrivning": Grouping("udskrivning", T("set ift. udskrivningsårsag", "by discharge reason"),
                                T("udskrevne behandlingsforløb med mindst ét TEM-skema",
                                  "discharged treatment episodes with at least one TEM form"),
                                STATUSES, STATUS_LABEL, status),
        "raadgivning": Grouping("raadgivning", T("rådgivningsforløb", "counselling episodes"),
                                T("rådgivningsforløb (anonyme og ikke anonyme) med mindst ét TEM-skema",
                                  "counselling episodes (anonymous or not) with at least one TEM form"),
                                ("alle",), alle, np.where(counsel, zero, -1)),
        "opioid": Grouping("opioid", T("unge med opioidbrug ved UngMap", "youths using opioids at UngMap"),
                           T("behandlingsforløb med opioidbrug de seneste 30 dage ved UngMap og mindst ét TEM-skema",
                             "treatment episodes with opioid use in the 30 days before UngMap and at least one TEM form"),
                           ("alle",), alle, np.where(opioid, zero, -1)),
        "gruppe": Grouping("gruppe", T("gruppeforløb", "group courses"),
                           T("unge i gruppeforløb med mindst ét TEM-skema fra gruppeforløbet",
                             "youths in group courses with at least one TEM form from the group course"),
                           ("alle",), alle, np.where(grp.n_forms > 0, 0, -1), grid="gruppe"),
    }
    # Masks used by the counts tables (004-F6.23, 6.25, 6.29, 6.32) and the discharge flag per unit.
    prep.tem_notes["units_main"] = int(t.size)


# ----------------------------------------------------------------------------------------- cells and tests


def _pct(k: float, n: float) -> float | None:
    return 100.0 * float(k) / float(n) if n else None


def _count(v: int, link: str | None = None) -> Cell:
    return Cell(int(v), "count", link=link)


def _percent(k: float, n: int, count_of: str | None = None, decimals: int = 1, link: str | None = None) -> Cell:
    return Cell(_pct(k, n), "percent", decimals=decimals, n=int(n), count_of=count_of, link=link)


def _mean(values: np.ndarray, decimals: int = 1) -> Cell:
    v = values[~np.isnan(values)]
    return Cell(float(v.mean()) if v.size else None, "mean", decimals=decimals, n=int(v.size))


def _f(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def _test_row(row: str, outcome: Text, res: Any, hide: bool = False, note: str | None = None) -> TestRow:
    """A :class:`TestRow` from an :mod:`evalkit.compare` result (NaN fields become ``None``)."""
    es_ci = getattr(res, "effect_size_ci", (None, None))
    est_ci = getattr(res, "estimate_ci", (None, None))
    return TestRow(row=row, outcome=outcome, method=str(res.method), n=int(res.n), statistic=_f(res.statistic),
                   p_value=_f(res.p_value), effect_size=_f(res.effect_size),
                   effect_size_name=getattr(res, "effect_size_name", None) or None,
                   effect_size_ci=(_f(es_ci[0]), _f(es_ci[1])), estimate=_f(getattr(res, "estimate", None)),
                   estimate_name=getattr(res, "estimate_name", None) or None,
                   estimate_ci=(_f(est_ci[0]), _f(est_ci[1])), suppressed=hide,
                   note=note or getattr(res, "note", None) or None)


def _small(ctx: Context, *counts: float) -> bool:
    """Whether any count is 1..min_cell-1 while disclosure control is on (the test would reveal it)."""
    if not ctx.options.disclosure:
        return False
    return any(0 < float(k) < ctx.options.min_cell for k in counts)


def _quiet(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    from evalkit.compare.results import CompareWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompareWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(*args, **kwargs)


def _paired(ctx: Context, m: Measure, first: np.ndarray, last: np.ndarray, row: str, outcome: Text) -> TestRow:
    """First vs 12th registration: paired t / Wilcoxon / exact McNemar as ``constants.tests.paired``."""
    from evalkit import compare

    kind = _ctx_constants(ctx)["tests"]["paired"][m.test]
    if kind == "mcnemar":
        res = _quiet(compare.mcnemar, first, last)
        hide = _small(ctx, res.n_both, res.n_before_only, res.n_after_only, res.n_neither)
        return _test_row(row, outcome, res, hide)
    fn = {"paired_t": compare.paired_t, "wilcoxon": compare.wilcoxon, "sign_test": compare.sign_test}[kind]
    return _test_row(row, outcome, _quiet(fn, first, last))


def _kruskal(ctx: Context, values: np.ndarray, groups: np.ndarray) -> Any:
    from evalkit.compare import kruskal_wallis

    boot = _ctx_constants(ctx)["tests"]["kruskal_bootstrap"]
    ok = ~np.isnan(values) & (groups >= 0)
    n_res = int(boot["n_resamples"]) if int(ok.sum()) <= int(boot["max_n"]) else 0
    return _quiet(kruskal_wallis, values[ok], groups[ok], n_resamples=n_res)


@dataclass(frozen=True)
class _NotComputed:
    """A test evalkit.compare could not compute for this table (shown without statistics, with the reason)."""

    method: str
    n: int
    note: str = ""
    statistic: float = math.nan
    p_value: float = math.nan
    effect_size: float = math.nan


def _chi_square(ctx: Context, table: np.ndarray) -> tuple[Any, bool]:
    """Chi-square test of independence (Fisher's exact test when expected counts are small), via compare."""
    from evalkit.compare import chi_square

    table = np.asarray(table, dtype=np.int64)
    try:
        res = _quiet(chi_square, table)
    except (TypeError, ValueError) as exc:   # e.g. an r x c Fisher test on a tiny table
        res = _NotComputed(method="Chi-square/Fisher (not computed)", n=int(table.sum()),
                           note=f"evalkit.compare.chi_square failed on this table: {exc}")
    return res, _small(ctx, *table.ravel())


# ----------------------------------------------------------------------------------------- table builders


def _prep(ctx: Context) -> Prepared:
    return ctx.data["ung"]


def _forloeb_type(ctx: Context) -> Table:
    """004-F6.3: episodes by type and cohort of municipalities."""
    prep = _prep(ctx)
    ep = prep.episodes
    fl = prep.c["cohort"]["forloeb"]
    cols = [Column(f["key"], T(f["da"], f["en"])) for f in fl]
    unknown_fl = bool((ep["forloeb"] < 0).any())
    if unknown_fl:
        cols.append(Column("forloeb_ukendt", T("Forløb ukendt", "Cohort unknown")))
    cols.append(Column("total", TOTAL, is_total=True))
    table = Table(id="forloeb_type", source="004-F6.3",
                  title=T("Antal forløb i hhv. anonym rådgivning, rådgivning eller behandling, iflg. Logbog",
                          "Episodes of anonymous counselling, counselling or treatment, by Logbog"),
                  columns=cols, additive=True)
    nrs = [int(f["nr"]) for f in fl] + ([-1] if unknown_fl else [])
    keys = [f["key"] for f in fl] + (["forloeb_ukendt"] if unknown_fl else [])
    for code, typ in enumerate(TYPES):
        sel = ep["type"] == code
        cells = {k: _count((sel & (ep["forloeb"] == nr)).sum()) for k, nr in zip(keys, nrs)}
        cells["total"] = _count(sel.sum(), link=f"episoder_{typ}")
        table.add_row(typ, TYPE_LABEL[typ], cells)
    known_type = ep["type"] >= 0
    if not known_type.all():
        sel = ~known_type
        cells = {k: _count((sel & (ep["forloeb"] == nr)).sum()) for k, nr in zip(keys, nrs)}
        cells["total"] = _count(sel.sum())
        table.add_row("type_ukendt", T("Forløbstype ukendt", "Episode type unknown"), cells)
    cells = {k: _count((ep["forloeb"] == nr).sum()) for k, nr in zip(keys, nrs)}
    cells["total"] = _count(ep["type"].size, link="episoder_alle")
    table.add_row("total", TOTAL, cells, is_total=True)
    table.notes.append(T("Enhed: forløb (episoder) i Logbog; en ung med flere forløb tælles én gang pr. forløb "
                         "(seed 004 L2273: 19 gengangere).",
                         "Unit: Logbog episodes; a youth with several episodes counts once per episode "
                         "(seed 004 L2273: 19 repeat entrants)."))
    return table


def _forloeb_kommune(ctx: Context) -> Table:
    """004-F6.3 by municipality: episodes by type and municipality."""
    prep = _prep(ctx)
    ep = prep.episodes
    cols = [Column(t, TYPE_SHORT[t]) for t in TYPES] + [Column("total", TOTAL, is_total=True)]
    table = Table(id="forloeb_kommune", source="004-F6.3",
                  title=T("Antal forløb fordelt på kommune og forløbstype, iflg. Logbog",
                          "Episodes by municipality and type, by Logbog"), columns=cols, additive=True)
    rows = list(prep.kommuner)
    other = len(rows)
    if (ep["kommune"] == other).any():
        rows.append(("anden_kommune", None))
    for i, (key, name) in enumerate(rows):
        sel = ep["kommune"] == i
        cells = {t: _count((sel & (ep["type"] == code)).sum()) for code, t in enumerate(TYPES)}
        cells["total"] = _count(sel.sum())
        table.add_row(key, T(name) if name else T("Anden kommune", "Other municipality"), cells)
    cells = {t: _count((ep["type"] == code).sum(), link=f"episoder_{t}") for code, t in enumerate(TYPES)}
    cells["total"] = _count(ep["type"].size, link="episoder_alle")
    table.add_row("total", TOTAL, cells, is_total=True)
    table.notes.append(T("Kommunerne står i forløbsorden (Figur 6.1); en kommune uden forløb vises med 0.",
                         "Municipalities in cohort order (Figure 6.1); a municipality without episodes shows 0."))
    return table


def _alder_koen(ctx: Context) -> Table:
    """004-F6.4: mean age and share of women by episode type; tests for age and sex across types."""

    prep = _prep(ctx)
    ep = prep.episodes
    under = prep.c["cohort"]["under_age"]
    table = Table(id="alder_koen", source="004-F6.4",
                  title=T("Aldersgennemsnit og kønsfordeling, iflg. Logbog", "Mean age and sex, by Logbog"),
                  columns=[Column(t, TYPE_SHORT[t]) for t in TYPES], additive=True, row_lines=())
    rows: dict[str, dict[str, Cell]] = {k: {} for k in ("antal", "gns_alder", "kvinder", "kvinder_pct", "maend",
                                                       "koen_ukendt", "under_18_pct")}
    for code, t in enumerate(TYPES):
        sel = ep["type"] == code
        sex = ep["sex"][sel]
        age = ep["age"][sel]
        known_sex = int((sex >= 0).sum())
        known_age = age[~np.isnan(age)]
        rows["antal"][t] = _count(sel.sum(), link=f"episoder_{t}")
        rows["gns_alder"][t] = _mean(age)
        rows["kvinder"][t] = _count((sex == 0).sum())
        rows["kvinder_pct"][t] = _percent((sex == 0).sum(), known_sex, count_of=f"kvinder|{t}")
        rows["maend"][t] = _count((sex == 1).sum())
        rows["koen_ukendt"][t] = _count((sex < 0).sum())
        rows["under_18_pct"][t] = _percent((known_age < under).sum(), known_age.size)
    labels = {"antal": T("Antal forløb", "Episodes"), "gns_alder": T("Gennemsnitlig alder (år)", "Mean age (years)"),
              "kvinder": T("Kvinder", "Women"), "kvinder_pct": T("Andel kvinder (%)", "Share of women (%)"),
              "maend": T("Mænd", "Men"), "koen_ukendt": T("Køn ukendt", "Sex unknown"),
              "under_18_pct": T(f"Andel under {under} år (%)", f"Share under {under} (%)")}
    for key, cells in rows.items():
        table.add_row(key, labels[key], cells)
    known = (ep["type"] >= 0) & (ep["sex"] >= 0)
    res, hide = _chi_square(ctx, pd.crosstab(ep["type"][known], ep["sex"][known]).to_numpy())
    table.tests.append(_test_row("kvinder_pct", T("Køn efter forløbstype", "Sex by episode type"), res, hide))
    okt = ep["type"] >= 0
    table.tests.append(_test_row("gns_alder", T("Alder efter forløbstype", "Age by episode type"),
                                 _kruskal(ctx, ep["age"][okt], ep["type"][okt])))
    table.notes.append(T("Alder ved forløbets start som registreret i Logbog; andel kvinder af forløb med kendt køn.",
                         "Age at the start of the episode as recorded in Logbog; share of women among episodes "
                         "with a known sex."))
    return table


def _um_cohort_note(prep: Prepared) -> Text:
    n = prep.ungmap["episode"].size
    age = prep.c["cohort"]["ungmap_min_age"]
    return T(f"Kohorte: behandlingsforløb med UngMap (n = {format_number(n, 'da')}); UngMap for unge under {age} år "
             "er ikke medtaget (seed 004 L2389-2391); ét UngMap pr. forløb.",
             f"Cohort: treatment episodes with an UngMap (n = {format_number(n, 'en')}); UngMaps of youths under {age} "
             "are left out (seed 004 L2389-2391); one UngMap per episode.")


def _distribution(table: Table, keys: Sequence[str], labels: Mapping[str, Text], codes: np.ndarray,
                  extra: Mapping[str, Mapping[str, Cell]] | None = None, link: str | None = None) -> None:
    """Rows ``keys`` (code 0..), ``ukendt`` (code -1, only if any) and ``total``: count + share of known."""
    known = int((codes >= 0).sum())
    for code, key in enumerate(keys):
        cells = {"antal": _count((codes == code).sum(), link=f"{link}_{key}" if link else None),
                 "pct": _percent((codes == code).sum(), known, count_of=f"{key}|antal")}
        cells.update((extra or {}).get(key, {}))
        table.add_row(key, labels[key], cells)
    if (codes < 0).any():
        table.add_row("ukendt", UNKNOWN, {"antal": _count((codes < 0).sum())})
    table.add_row("total", TOTAL, {"antal": _count(codes.size, link="ungmap_alle")}, is_total=True)


def _ref(value: Any) -> Cell:
    whole = value is None or float(value).is_integer()
    return Cell(None if value is None else float(value), "percent", decimals=0 if whole else 1)


def _aldersfordeling(ctx: Context) -> Table:
    """004-F6.6 (with 6.7, 6.8 as printed constants): age bands at UngMap."""
    prep = _prep(ctx)
    c = prep.c
    refs = c["references"]
    bands = c["cohort"]["age_bands"]
    age = prep.ungmap["age"]
    codes = np.full(age.size, -1, dtype=np.int64)
    for i, b in enumerate(bands):
        codes[(age >= b["min"]) & (age < b["max"] + 1)] = i
    table = Table(id="aldersfordeling", source="004-F6.6",
                  title=T("Aldersfordeling for unge i behandling, UNG Rusmidler",
                          "Age of youths in treatment, UNG Rusmidler"),
                  columns=[Column("antal", T("Antal", "Number")), Column("pct", T("Andel (%)", "Share (%)")),
                           Column("udbredelse_pct", T("Udbredelsesprogrammet (%)", "Dissemination programme (%)")),
                           Column("metode_pct", T("Metodeprogrammet (%)", "Method programme (%)"))], additive=True)
    keys = [b["key"] for b in bands]
    extra = {b["key"]: {"udbredelse_pct": _ref(refs["udbredelse"].get(b["key"])),
                        "metode_pct": _ref(refs["metode"].get(b["key"]))} for b in bands}
    _distribution(table, keys, {b["key"]: T(b["da"], b["en"]) for b in bands}, codes, extra)
    table.notes.append(_um_cohort_note(prep))
    nu, nm = refs["udbredelse"]["n"], refs["metode"]["n"]
    table.notes.append(T("Ukendt: alder mangler eller ligger uden for aldersbåndene. Udbredelses- og Metodeprogrammet: "
                         f"trykte tal (Figur 6.7, 6.8; n = {nu} og {nm}), ikke beregnet.",
                         "Unknown: age missing or outside the bands. Dissemination and Method programmes: printed "
                         f"figures (Figures 6.7, 6.8; n = {nu} and {nm}), not computed."))
    return table


def _ungeprofil(ctx: Context) -> Table:
    """004-F6.11 (with 6.10, 6.12, 6.13 as printed constants): Ungeprofil distribution."""
    prep = _prep(ctx)
    refs = prep.c["references"]
    table = Table(id="ungeprofil", source="004-F6.11",
                  title=T("Ungeprofiler - UNG Rusmidler", "Ungeprofil - UNG Rusmidler"),
                  columns=[Column("antal", T("Antal", "Number")), Column("pct", T("Andel (%)", "Share (%)")),
                           Column("danske_unge_pct", T("Danske unge generelt (%)", "Danish youth in general (%)")),
                           Column("udbredelse_pct", T("Udbredelsesprogrammet (%)", "Dissemination programme (%)")),
                           Column("metode_pct", T("Metodeprogrammet (%)", "Method programme (%)"))], additive=True)
    keys = [p.lower() for p in PROFILES]
    extra = {p.lower(): {"danske_unge_pct": _ref(refs["danske_unge"]["ungeprofil"].get(p)),
                         "udbredelse_pct": _ref(refs["udbredelse"]["ungeprofil"].get(p)),
                         "metode_pct": _ref(refs["metode"]["ungeprofil"].get(p))} for p in PROFILES}
    _distribution(table, keys, {p.lower(): PROFILE_LABEL[p] for p in PROFILES}, prep.ungmap["profile"], extra,
                  link="ungmap_profil")
    d, u, m = (refs[k]["ungeprofil_sip_sep_unassigned"] for k in ("danske_unge", "udbredelse", "metode"))
    table.notes.append(_um_cohort_note(prep))
    table.notes.append(T(
        "Ungeprofilen er taget fra eksportens kolonne ungeprofil (ellers fra de to alvorlighedsflag); seed 004 giver "
        "ingen algoritme (spec 3.1). Andele af unge med kendt profil. Referencekolonnerne er trykte tal (Figur 6.10, "
        f"6.12, 6.13; Metodeprogrammet n = {refs['metode']['n_ungeprofil']}). SIP og SEP trykkes uden entydig "
        f"placering: {d[0]} og {d[1]} %, {u[0]} og {u[1]} %, {m[0]} og {m[1]} % (A40); de er derfor tomme.",
        "The Ungeprofil comes from the export's ungeprofil column (else from the two severity flags); seed 004 gives "
        "no algorithm (spec 3.1). Shares of youths with a known profile. The reference columns are printed figures "
        f"(Figures 6.10, 6.12, 6.13; Method programme n = {refs['metode']['n_ungeprofil']}). SIP and SEP are printed "
        f"without a clear assignment: {d[0]} and {d[1]} %, {u[0]} and {u[1]} %, {m[0]} and {m[1]} % (A40); they "
        "are left empty."))
    return table


def _binary_rows(table: Table, rows: Sequence[tuple[str, Text, np.ndarray]], col: str = "pct", ncol: str = "n",
                 decimals: int = 1, extra: Mapping[str, Mapping[str, Cell]] | None = None,
                 links: Mapping[str, str] | None = None) -> None:
    """One row per yes/no variable: the share of yes among the known answers, and that n."""
    for key, label, v in rows:
        known = ~np.isnan(v)
        cells = {col: _percent(float((v[known] == 1.0).sum()), int(known.sum()), decimals=decimals,
                               link=(links or {}).get(key)),
                 ncol: _count(known.sum())}
        cells.update((extra or {}).get(key, {}))
        table.add_row(key, label, cells)


def _stofbrug(ctx: Context) -> Table:
    """004-F6.14: drug use in the 30 days before intake (multi-response)."""
    prep = _prep(ctx)
    um = prep.ungmap
    table = Table(id="stofbrug", source="004-F6.14",
                  title=T("Stofbrug de seneste 30 dage før indskrivning i UNG Rusmidler, i %",
                          "Drug use in the 30 days before enrolment, UNG Rusmidler, %"),
                  columns=[Column("pct", T("Andel (%)", "Share (%)")), Column("n", T("Antal besvarelser", "Answers"))])
    _binary_rows(table, [("cannabis", T("Cannabis"), um["cannabis"]),
                         ("centralstimulerende", T("Centralstimulerende stoffer", "Stimulants"), um["centralstimulerende"]),
                         ("opioider", T("Opioider", "Opioids"), um["opioider"]),
                         ("andre_stoffer", T("Andre stoffer", "Other drugs"), um["andre_stoffer"]),
                         ("stoffri", T("Stoffri", "Drug-free"), um["stoffri"])])
    cs = ", ".join(prep.c["drug_use"]["centralstimulerende_columns"])
    table.notes.append(_um_cohort_note(prep))
    table.notes.append(T(
        f"Flere svar mulige. Centralstimulerende: kolonnen used_centralstimulerende_30, ellers mindst én dag med {cs} "
        "(seed 004 definerer ikke gruppen). Stoffri: drug_free_30, ellers 0 dage med alle stoffer inkl. opioider.",
        f"Several answers possible. Stimulants: the used_centralstimulerende_30 column, else at least one day of {cs} "
        "(seed 004 does not define the group). Drug-free: drug_free_30, else 0 days of every drug incl. opioids."))
    return table


def _stofbelastning(ctx: Context) -> Table:
    """004-F6.15: stofscore under 12 / 12+ (the 12+ class decided in integer arithmetic, A21)."""
    prep = _prep(ctx)
    s12 = prep.ungmap["stofscore_12plus"]
    codes = np.where(np.isnan(s12), -1, s12).astype(np.int64)
    table = Table(id="stofbelastning", source="004-F6.15",
                  title=T("Stofbelastning - UNG Rusmidler", "Drug load - UNG Rusmidler"),
                  columns=[Column("antal", T("Antal", "Number")), Column("pct", T("Andel (%)", "Share (%)"))],
                  additive=True)
    _distribution(table, ["stofscore_under_12", "stofscore_12plus"],
                  {"stofscore_under_12": T("Stofscore mindre end 12", "Drug score below 12"),
                   "stofscore_12plus": T("Stofscore 12 eller mere (12+)", "Drug score 12 or more (12+)")}, codes,
                  link="ungmap_stofscore")
    table.notes.append(_um_cohort_note(prep))
    table.notes.append(T("Stofscore = ((hash/30 + kokain/30 + amfetamin/30 + ecstasy/30 + andre/30)/5) x 100 (fn 13); "
                         "12+ betyder 12 eller mere, afgjort på hele dage (18 dage i alt), ikke på afrundede tal (A21).",
                         "Drug score = ((hash/30 + cocaine/30 + amphetamine/30 + ecstasy/30 + other/30)/5) x 100 (fn 13); "
                         "12+ means 12 or more, decided on whole days (18 days in all), not on rounded numbers (A21)."))
    return table


def _stofbelastning_sammenligning(ctx: Context) -> Table:
    """004-F6.16a (and the mean of 004-F6.15): stofscore 12+ and drug-free vs the other programmes."""
    prep = _prep(ctx)
    um, refs = prep.ungmap, prep.c["references"]
    table = Table(id="stofbelastning_sammenligning", source="004-F6.16a",
                  title=T("Stofbelastning i hhv. UNG Rusmidler, Udbredelsesprogrammet og Metodeprogrammet",
                          "Drug load in UNG Rusmidler, the Dissemination and the Method programme"),
                  columns=[Column("ung_rusmidler", T("UNG Rusmidler")), Column("n", T("Antal besvarelser", "Answers")),
                           Column("udbredelse", T("Udbredelsesprogrammet", "Dissemination programme")),
                           Column("metode", T("Metodeprogrammet", "Method programme"))])
    score = um["stofscore"]
    table.add_row("gns_stofscore", T("Gennemsnitlig stofbelastning (stofscore 0-100)", "Mean drug score (0-100)"),
                  {"ung_rusmidler": _mean(score), "n": _count((~np.isnan(score)).sum())})
    _binary_rows(table, [("stofscore_12plus_pct", T("Andel af unge, der har en stofscore på 12+ (%)",
                                                    "Share with a drug score of 12+ (%)"), um["stofscore_12plus"]),
                         ("stoffri_pct", T("Andel af unge, der var stoffrie den seneste måned ved indskrivning (%)",
                                           "Share drug-free in the month before enrolment (%)"), um["stoffri"])],
                 col="ung_rusmidler",
                 extra={"stofscore_12plus_pct": {"udbredelse": _ref(refs["udbredelse"]["stofscore_12plus"]),
                                                 "metode": _ref(refs["metode"]["stofscore_12plus"])},
                        "stoffri_pct": {"udbredelse": _ref(refs["udbredelse"]["stoffri"]),
                                        "metode": _ref(refs["metode"]["stoffri"])}},
                 links={"stofscore_12plus_pct": "ungmap_stofscore_stofscore_12plus"})
    table.notes.append(_um_cohort_note(prep))
    nu, nm = refs["udbredelse"]["n"], refs["metode"]["n"]
    table.notes.append(T(f"Udbredelses- og Metodeprogrammet: trykte tal (n = {nu} og {nm}); Metodeprogrammets stofscore "
                         "er ikke oplyst (fn 14, 15).",
                         f"Dissemination and Method programmes: printed figures (n = {nu} and {nm}); the Method "
                         "programme's drug score is not published (fn 14, 15)."))
    return table


def _andre_vanskeligheder(ctx: Context) -> Table:
    """004-F6.17: education, education benefit, psychiatric diagnosis, illegal activities at intake."""
    prep = _prep(ctx)
    um, refs = prep.ungmap, prep.c["references"]
    table = Table(id="andre_vanskeligheder", source="004-F6.17",
                  title=T("Andel af unge med andre vanskeligheder i UNG Rusmidler, Udbredelsesprogrammet og Metodeprogrammet",
                          "Youths with other difficulties in UNG Rusmidler, the Dissemination and the Method programme"),
                  columns=[Column("ung_rusmidler", T("UNG Rusmidler (%)")), Column("n", T("Antal besvarelser", "Answers")),
                           Column("udbredelse", T("Udbredelsesprogrammet (%)", "Dissemination programme (%)")),
                           Column("metode", T("Metodeprogrammet (%)", "Method programme (%)"))])
    rows = [("i_uddannelse", T("Andel af unge i uddannelse", "In education")),
            ("uddannelseshjaelp", T("Andel af unge på uddannelseshjælp", "On education benefit")),
            ("psykiatrisk_diagnose", T("Andel af unge med psykiatrisk diagnose, givet af psykiater",
                                       "Psychiatric diagnosis given by a psychiatrist")),
            ("illegale_aktiviteter", T("Andel af unge, der begår illegale aktiviteter", "Illegal activities"))]
    _binary_rows(table, [(k, lab, um[k]) for k, lab in rows], col="ung_rusmidler",
                 extra={k: {"udbredelse": _ref(refs["udbredelse"][k]), "metode": _ref(refs["metode"][k])} for k, _ in rows})
    table.notes.append(_um_cohort_note(prep))
    table.notes.append(T("I uddannelse: fn 17. Referencekolonnerne er trykte tal; Metodeprogrammets 'i uddannelse' er "
                         "53,7 % i tabellen og 53,5 % i teksten (A08); illegale aktiviteter er ikke sammenlignelige (fn 18).",
                         "In education: fn 17. The reference columns are printed figures; the Method programme's 'in "
                         "education' is 53.7 % in the table and 53.5 % in the text (A08); illegal activities are not "
                         "comparable (fn 18)."))
    return table


def _risikoprofil(ctx: Context) -> Table:
    """004-F6.18: Risikoprofil R0-R3 (count of stofscore 12+, psychiatric diagnosis, uddannelseshjælp)."""
    prep = _prep(ctx)
    risk = prep.ungmap["risk"]
    table = Table(id="risikoprofil", source="004-F6.18",
                  title=T("Risikoprofiler - UNG Rusmidler", "Risk profiles - UNG Rusmidler"),
                  columns=[Column("antal", T("Antal", "Number")), Column("pct", T("Andel (%)", "Share (%)"))],
                  additive=True)
    keys = [r.lower() for r in RISKS]
    _distribution(table, keys, {r.lower(): RISK_LABEL[r] for r in RISKS}, risk, link="ungmap_risiko")
    known = int((risk >= 0).sum())
    # The printed "63 %" is R1 and R2 together (L2741-2743); a share of a sum of two counts of this table.
    total_row = table.rows.pop()
    at = len(keys)
    r12 = int(((risk == 1) | (risk == 2)).sum())
    table.rows.insert(at, Row(key="r1_r2", label=T("Risikoprofil 1 eller 2", "Risk profile 1 or 2"),
                               cells={"pct": _percent(r12, known, count_of="r1|antal+r2|antal")}))
    table.rows.append(total_row)
    table.notes.append(_um_cohort_note(prep))
    table.notes.append(T("Risikoprofil = antal af tre risikofaktorer ved indskrivning: stofscore 12+, selvrapporteret "
                         "psykisk diagnose givet af psykiater, uddannelseshjælp (L2725-2743). Mangler en faktor, er "
                         "profilen ukendt. Andele af unge med kendt profil.",
                         "Risk profile = number of three risk factors at intake: drug score 12+, self-reported "
                         "psychiatric diagnosis by a psychiatrist, education benefit (L2725-2743). A missing factor "
                         "gives an unknown profile. Shares of youths with a known profile."))
    return table


def _discharge_rows(ep: dict[str, np.ndarray], masks: Mapping[str, np.ndarray], links: Mapping[str, str] | None = None,
                    median: bool = True) -> dict[str, dict[str, Cell]]:
    rows: dict[str, dict[str, Cell]] = {k: {} for k in ("antal", "gns_laengde", "median_laengde", "faerdigbehandlet",
                                                       "faerdigbehandlet_pct", "udeblevet", "udeblevet_pct", "andet",
                                                       "andet_pct", "aarsag_ukendt")}
    if not median:
        rows.pop("median_laengde")
    for col, sel in masks.items():
        los = ep["los"][sel]
        los = los[~np.isnan(los)]
        st = ep["status"][sel]
        known = int((st >= 0).sum())
        rows["antal"][col] = _count(sel.sum(), link=(links or {}).get(col))
        rows["gns_laengde"][col] = Cell(float(los.mean()) if los.size else None, "mean", decimals=1, n=int(los.size))
        if median:
            rows["median_laengde"][col] = Cell(float(np.median(los)) if los.size else None, "median", decimals=0,
                                               n=int(los.size))
        for code, s in enumerate(STATUSES):
            rows[s][col] = _count((st == code).sum())
            rows[f"{s}_pct"][col] = _percent((st == code).sum(), known, count_of=f"{s}|{col}")
        rows["aarsag_ukendt"][col] = _count((st < 0).sum())
    return rows


DISCHARGE_LABELS = {
    "antal": T("Antal udskrivninger", "Discharges"),
    "gns_laengde": T("Gennemsnitlig indskrivningslængde (dage)", "Mean length of stay (days)"),
    "median_laengde": T("Median for antal dage i indskrivning", "Median length of stay (days)"),
    "faerdigbehandlet": T("Færdigbehandlede", "Completed treatment"),
    "faerdigbehandlet_pct": T("Andel færdigbehandlede (%)", "Share completed (%)"),
    "udeblevet": T("Udeblevne", "Dropped out"),
    "udeblevet_pct": T("Andel udeblevne (%)", "Share dropped out (%)"),
    "andet": T("Andet", "Other"),
    "andet_pct": T("Andel andet (%)", "Share other (%)"),
    "aarsag_ukendt": T("Udskrivningsårsag ukendt", "Discharge reason unknown"),
}


def _udskrivning(ctx: Context) -> Table:
    """004-F6.19 (with 6.20 SMDB as printed constants): discharges, length of stay and reasons."""
    prep = _prep(ctx)
    ep, smdb = prep.episodes, prep.c["references"]["smdb"]
    table = Table(id="udskrivning", source="004-F6.19",
                  title=T("Antal udskrivninger, udskrivningslængde samt udskrivningsårsag, iflg. Logbog",
                          "Discharges, length of stay and discharge reason, by Logbog"),
                  columns=[Column("raadgivning", TYPE_SHORT["raadgivning"]), Column("behandling", TYPE_SHORT["behandling"]),
                           Column("smdb", T("SMDB 2016-2017 (alle aldre)", "SMDB 2016-2017 (all ages)"))], additive=True,
                  row_lines=())
    masks = {t: ep["discharged"] & (ep["type"] == TYPES.index(t)) for t in ("raadgivning", "behandling")}
    rows = _discharge_rows(ep, masks, links={"behandling": "udskrevne_behandling"})
    ref = {"gns_laengde": Cell(smdb["gns_laengde"], "mean", decimals=1),
           "median_laengde": Cell(smdb["median_laengde"], "median", decimals=0),
           "faerdigbehandlet_pct": Cell(smdb["faerdigbehandlet"], "percent", decimals=1),
           "udeblevet_pct": Cell(smdb["udeblevet"], "percent", decimals=1)}
    for key, cells in rows.items():
        if key == "aarsag_ukendt" and all(c.value == 0 for c in cells.values()):
            continue
        if key in ref:
            cells["smdb"] = ref[key]
        table.add_row(key, DISCHARGE_LABELS[key], cells)
    share = {t: _percent(int(masks[t].sum()), int((ep["type"] == TYPES.index(t)).sum()))
             for t in ("raadgivning", "behandling")}
    table.add_row("udskrevet_pct", T("Udskrevne i pct. af alle indskrivninger", "Discharged, % of all enrolments"), share)
    cutoff = prep.c["cohort"]["data_cutoff"]
    n_da, n_en = format_number(smdb["n"], "da"), format_number(smdb["n"], "en")
    table.notes.append(T(f"Kohorte: forløb udskrevet senest {cutoff}; indskrivningslængde = udskrivningsdato minus "
                         f"startdato ({prep.c['cohort']['los_convention']}). Andele af udskrevne med kendt årsag. "
                         f"Anonym rådgivning har ingen udskrivning. SMDB: trykte landstal (Figur 6.20, n = {n_da}).",
                         f"Cohort: episodes discharged by {cutoff}; length of stay = discharge date minus start date "
                         f"({prep.c['cohort']['los_convention']}). Shares of discharges with a known reason. Anonymous "
                         f"counselling has no discharge. SMDB: printed national figures (Figure 6.20, n = {n_en})."))
    return table


def _udskrivning_risikoprofil(ctx: Context) -> Table:
    """004-F6.21: discharges of treatment episodes by Risikoprofil, with trend and independence tests."""
    from evalkit import compare

    prep = _prep(ctx)
    ep, um = prep.episodes, prep.ungmap
    dis = ep["discharged"] & (ep["type"] == TYPES.index("behandling"))
    risk = np.full(ep["type"].size, -1, dtype=np.int64)
    has = ep["ungmap"] >= 0
    risk[has] = um["risk"][ep["ungmap"][has]]
    cols = [r.lower() for r in RISKS] + ["uden_profil"]
    table = Table(id="udskrivning_risikoprofil", source="004-F6.21",
                  title=T("Udskrivning set ift. risikoprofil", "Discharge by risk profile"),
                  columns=[Column(r.lower(), RISK_LABEL[r]) for r in RISKS]
                  + [Column("uden_profil", T("Uden risikoprofil", "No risk profile"))], additive=True)
    masks = {col: dis & (risk == i) for i, col in enumerate(cols[:-1])}
    masks["uden_profil"] = dis & (risk < 0)
    rows = _discharge_rows(ep, masks, median=False)
    for key, cells in rows.items():
        if key == "aarsag_ukendt" and all(c.value == 0 for c in cells.values()):
            continue
        table.add_row(key, DISCHARGE_LABELS[key], cells)
    prof = dis & (risk >= 0) & (ep["status"] >= 0)
    done = np.array([int(((risk == i) & prof & (ep["status"] == 0)).sum()) for i in range(4)])
    tot = np.array([int(((risk == i) & prof).sum()) for i in range(4)])
    trend = _quiet(compare.cochran_armitage, done, tot)
    table.tests.append(_test_row("faerdigbehandlet_pct", T("Færdigbehandlet over R0 < R1 < R2 < R3 (trend)",
                                                          "Completed treatment over R0 < R1 < R2 < R3 (trend)"),
                                 trend, _small(ctx, *done, *(tot - done))))
    cross = np.array([[int(((risk == i) & prof & (ep["status"] == s)).sum()) for s in range(3)] for i in range(4)])
    res, hide = _chi_square(ctx, cross)
    table.tests.append(_test_row("faerdigbehandlet_pct", T("Udskrivningsårsag efter risikoprofil",
                                                          "Discharge reason by risk profile"), res, hide))
    los_sel = dis & (risk >= 0)
    table.tests.append(_test_row("gns_laengde", T("Indskrivningslængde efter risikoprofil",
                                                  "Length of stay by risk profile"),
                                 _kruskal(ctx, ep["los"][los_sel], risk[los_sel])))
    table.notes.append(T("Kohorte: udskrevne behandlingsforløb; risikoprofil fra forløbets UngMap. Forløb uden UngMap "
                         "eller med ukendt risikoprofil står i kolonnen 'Uden risikoprofil' (A18: 216 udskrevne mod 188 "
                         "med profil).",
                         "Cohort: discharged treatment episodes; risk profile from the episode's UngMap. Episodes without "
                         "UngMap or with an unknown profile are in the 'No risk profile' column (A18: 216 discharges vs "
                         "188 with a profile)."))
    return table


def _ydelser(ctx: Context) -> Table:
    """004-F6.22: services during the episode, ticked at discharge (multi-response)."""
    prep = _prep(ctx)
    ep = prep.episodes
    table = Table(id="ydelser", source="004-F6.22", title=T("Ydelser, iflg. Logbog", "Services, by Logbog"),
                  columns=[Column("raadgivning", T("Rådgivningsforløb (%)", "Counselling (%)")),
                           Column("raadgivning_n", T("Rådgivningsforløb, antal udskrevne", "Counselling, discharges")),
                           Column("behandling", T("Behandlingsforløb (%)", "Treatment (%)")),
                           Column("behandling_n", T("Behandlingsforløb, antal udskrevne", "Treatment, discharges"))])
    labels = {"svc_raadgivning": ("raadgivning", T("Rådgivning", "Counselling")),
              "svc_individuel_behandling": ("individuel_behandling", T("Individuel behandling", "Individual treatment")),
              "svc_gruppeforloeb": ("gruppeforloeb", T("Gruppeforløb", "Group course")),
              "svc_inddragelse_paaroerende": ("inddragelse_paaroerende",
                                              T("Inddragelse af pårørende", "Involving relatives")),
              "svc_andet": ("andet", T("Andet", "Other"))}
    for svc, (key, label) in labels.items():
        cells = {}
        for t in ("raadgivning", "behandling"):
            v = ep[svc][ep["discharged"] & (ep["type"] == TYPES.index(t))]
            known = ~np.isnan(v)
            cells[t] = _percent(float((v[known] == 1.0).sum()), int(known.sum()))
            cells[f"{t}_n"] = _count(known.sum())
        table.add_row(key, label, cells)
    table.notes.append(T("Kohorte: udskrevne forløb; ydelser afkrydset ved udskrivning, flere svar mulige. Seed 004 "
                         "formoder underrapportering af inddragelse af pårørende (L2906-2911).",
                         "Cohort: discharged episodes; services ticked at discharge, several answers possible. Seed 004 "
                         "suspects under-reporting of involving relatives (L2906-2911)."))
    return table


def _reg_columns(K: int) -> list[Column]:
    return [Column(f"tem_{k}", T(f"TEM {k}")) for k in range(1, K + 1)]


def _counts_table(tid: str, source: str, title: Text, grid_key: str, mask: Callable[[Prepared], np.ndarray],
                  note: Text) -> TableSpec:
    def build(ctx: Context) -> Table:
        prep = _prep(ctx)
        grid = prep.grids[grid_key]
        K = grid.upto
        sel = mask(prep)
        at_least = grid.n_with_form(sel)   # units with >= k forms, k = 1..K
        table = Table(id=tid, source=source, title=title, columns=_reg_columns(K))
        table.add_row("antal_unge", T("Antal unge", "Number of youths"),
                      {f"tem_{k}": _count(at_least[k - 1]) for k in range(1, K + 1)})
        more = int((grid.n_forms[sel] > K).sum())
        table.notes.append(note)
        table.notes.append(T(f"Antal forløb med mindst k udfyldte TEM-skemaer (observerede, ikke LOCF). Skemaer efter det "
                             f"{K}. indgår ikke; {more} forløb har flere end {K} skemaer "
                             f"(højst {int(grid.n_forms[sel].max()) if sel.any() else 0}).",
                             f"Episodes with at least k completed TEM forms (observed, not LOCF). Forms after the {K}th "
                             f"are not used; {more} episodes have more than {K} forms (at most "
                             f"{int(grid.n_forms[sel].max()) if sel.any() else 0})."))
        return table

    return TableSpec(tid, source, title, build)


def _unit_type(prep: Prepared, *types: str) -> np.ndarray:
    t = np.where(prep.grids["main"].n_forms > 0, prep.episodes["type"], -1)
    return np.isin(t, [TYPES.index(x) for x in types])


def _trajectory_note(prep: Prepared, m: Measure, g: Grouping) -> list[Text]:
    K = prep.grids[g.grid].upto
    n = int((g.codes >= 0).sum())
    notes = [T(f"Kohorte: {g.cohort.da} (n = {format_number(n, 'da')}).",
               f"Cohort: {g.cohort.en} (n = {format_number(n, 'en')})."),
             T(f"Skemaerne ordnes efter dato i hvert forløb; de første {K} indgår (fn 23). LOCF: mangler et skema eller et "
               "svar, føres forløbets sidste besvarelse af spørgsmålet frem (fn 4/8/23); et forløb uden svar ved 1. "
               "registrering indgår fra sit første svar. Ved siden af står de observerede besvarelser (completers): "
               "kun forløb, der har besvaret spørgsmålet ved registreringen. n for hver celle står i JSON-udgaven.",
               f"Forms are ordered by date within each episode; the first {K} are used (fn 23). LOCF: when a form or an "
               "answer is missing, the episode's last answer to the item is carried forward (fn 4/8/23); an episode "
               "without an answer at registration 1 enters from its first answer. Beside it are the observed answers "
               "(completers): only episodes that answered the item at that registration. The n of every cell is in "
               "the JSON output.")]
    c = prep.c["tem"]
    if m.key == "samlet_trivsel":
        ref = float(prep.c["references"]["danske_unge"]["trivsel"])
        notes.append(T(f"Samlet trivsel = gennemsnit af personlig trivsel, nære relationer og social trivsel "
                       f"({c['samlet_method']}, {c['samlet_missing']}; A22). Danske unge generelt: "
                       f"{format_number(ref, 'da', 2)} (trykt konstant).",
                       f"Overall well-being = mean of personal well-being, close relations and social well-being "
                       f"({c['samlet_method']}, {c['samlet_missing']}; A22). Danish youth in general: "
                       f"{format_number(ref, 'en', 2)} (printed constant)."))
    if m.test == "days":
        n30 = prep.tem_notes.get("tem30_forms", 0)
        notes.append(T(f"Dage seneste uge; {n30} TEM 30-skemaer (30 dages genkaldelse, fn 9): {c['tem30']} (A38).",
                       f"Days in the last week; {n30} TEM 30 forms (30-day recall, fn 9): {c['tem30']} (A38)."))
    if m.key == "stoffri":
        notes.append(T(f"Stoffri den seneste uge: {c['drug_free_method']} (spørgsmålet, ellers 0 dage med cannabis "
                       "og andre stoffer).",
                       f"Drug-free in the last week: {c['drug_free_method']} (the item, else 0 days of cannabis and "
                       "other drugs)."))
    return notes


def _trajectory_table(ctx: Context, m: Measure, g: Grouping, tid: str, source: str, title: Text,
                      tests: bool = True) -> Table:
    prep = _prep(ctx)
    tr = prep.trajectories[(m.key, g.key)]
    uv = prep.units[(m.key, g.grid)]
    K = prep.grids[g.grid].upto
    scale = prep.scale[m.key]
    plotted = g.key not in ("ungeprofil", "risikoprofil", "udskrivning") or m.key in ("samlet_trivsel", "stoffri")
    table = Table(id=tid, source=source, title=title, columns=_reg_columns(K), plot="lines" if plotted else None)
    single = len(g.groups) == 1
    for i, gk in enumerate(g.groups):
        for kind, sums, ns in (("locf", tr.sum, tr.n), ("observeret", tr.sum_observed, tr.n_observed)):
            key = kind if single else f"{gk}_{kind}"
            lab = T("LOCF", "LOCF") if kind == "locf" else T("Observerede (completers)", "Observed (completers)")
            label = lab if single else T(f"{g.group_labels[gk].da}: {lab.da}", f"{g.group_labels[gk].en}: {lab.en}")
            cells = {}
            for k in range(K):
                n = int(ns[i, k])
                if m.kind == "percent":
                    cells[f"tem_{k + 1}"] = _percent(float(sums[i, k]), n)
                else:
                    cells[f"tem_{k + 1}"] = Cell(float(sums[i, k]) / (n * scale) if n else None, "mean", decimals=1, n=n)
            table.add_row(key, label, cells)
    if m.key == "samlet_trivsel" and g.key in ("behandling", "ungeprofil", "risikoprofil", "udskrivning"):
        ref = float(prep.c["references"]["danske_unge"]["trivsel"])
        table.add_row("danske_unge", T("Danske unge generelt", "Danish youth in general"),
                      {f"tem_{k + 1}": Cell(ref, "mean", decimals=2) for k in range(K)})
    table.notes.extend(_trajectory_note(prep, m, g))
    if not tests:
        return table
    # Tests: first vs K-th (LOCF) per group; completers sensitivity for single cohorts; groups at K.
    div = float(scale)
    for i, gk in enumerate(g.groups):
        sel = g.codes == i
        key = "locf" if single else f"{gk}_locf"
        name = m.label if single else T(f"{m.label.da}, {g.group_labels[gk].da}", f"{m.label.en}, {g.group_labels[gk].en}")
        outcome = T(f"{name.da}: TEM 1 mod TEM {K} (LOCF)", f"{name.en}: TEM 1 vs TEM {K} (LOCF)")
        table.tests.append(_paired(ctx, m, uv.first[sel] / div, uv.last[sel] / div, key, outcome))
        if single:
            both = sel & ~np.isnan(uv.first) & uv.last_observed
            outcome = T(f"{name.da}: TEM 1 mod TEM {K}, forløb med begge besvaret (completers)",
                        f"{name.en}: TEM 1 vs TEM {K}, episodes answering both (completers)")
            table.tests.append(_paired(ctx, m, uv.first[both] / div, uv.last[both] / div, "observeret", outcome))
    if not single:
        table.tests.extend(_group_tests(ctx, m, g, uv.last / div, K))
    return table


def _group_tests(ctx: Context, m: Measure, g: Grouping, last: np.ndarray, K: int) -> list[TestRow]:
    from evalkit import compare

    sel = (g.codes >= 0) & ~np.isnan(last)
    outcome = T(f"{m.label.da} ved TEM {K} (LOCF) {g.label.da}", f"{m.label.en} at TEM {K} (LOCF) {g.label.en}")
    if m.kind != "percent":
        return [_test_row(f"tem_{K}", outcome, _kruskal(ctx, last[sel], g.codes[sel]))]
    yes = np.array([int(((g.codes == i) & sel & (last == 1.0)).sum()) for i in range(len(g.groups))])
    tot = np.array([int(((g.codes == i) & sel).sum()) for i in range(len(g.groups))])
    res, hide = _chi_square(ctx, np.column_stack([tot - yes, yes]))
    out = [_test_row(f"tem_{K}", outcome, res, hide)]
    if g.key == "risikoprofil":
        trend = _quiet(compare.cochran_armitage, yes, tot)
        out.append(_test_row(f"tem_{K}", T(f"{m.label.da} ved TEM {K} (LOCF) over R0 < R1 < R2 < R3 (trend)",
                                           f"{m.label.en} at TEM {K} (LOCF) over R0 < R1 < R2 < R3 (trend)"),
                             trend, _small(ctx, *yes, *(tot - yes))))
    return out


def _sensitivity(ctx: Context) -> dict[str, Any] | None:
    """The model-based sensitivity analysis asked for in ``ReportOptions.extra["sensitivity"]``, or None.

    ``extra["sensitivity"]``: ``"mixedlm"`` / ``True`` (random-intercept mixed model) or ``"gee"``;
    ``extra["sensitivity_measures"]`` (a list or a comma-separated string) overrides the measures listed
    in the constants file. From the command line: ``--set sensitivity=gee --set sensitivity_measures=stoffri``.
    """
    want = ctx.options.extra.get("sensitivity")
    if not want:
        return None
    conf = _ctx_constants(ctx)["sensitivity"]
    method = conf["method"] if want is True else str(want)
    if method not in ("mixedlm", "gee"):
        raise ValueError(f"sensitivity must be 'mixedlm' or 'gee', got {want!r}")
    measures = ctx.options.extra.get("sensitivity_measures", conf["measures"])
    measures = [x.strip() for x in measures.split(",") if x.strip()] if isinstance(measures, str) else list(measures)
    unknown = [m for m in measures if m not in MEASURE]
    if unknown:
        raise ValueError(f"unknown TEM measure(s) {unknown}; one of {', '.join(MEASURE)}")
    return {"method": method, "measures": measures, "cov_struct": conf["cov_struct"]}


def _model_spec(m: Measure) -> TableSpec:
    tid = f"tem_{m.key}_model"
    title = T(f"{m.label.da} ved TEM-registrering 1-12, behandlingsforløb: LOCF, observerede og model (følsomhedsanalyse)",
              f"{m.label.en} at TEM registrations 1-12, treatment episodes: LOCF, observed and model (sensitivity analysis)")

    def build(ctx: Context) -> Table | None:
        sens = _sensitivity(ctx)
        if sens is None or m.key not in sens["measures"]:
            return None
        return _model_table(ctx, m, sens, tid, title)

    return TableSpec(tid, m.source, title, build, description=f"{m.key}: optional model-based sensitivity analysis")


def _model_table(ctx: Context, m: Measure, sens: Mapping[str, Any], tid: str, title: Text) -> Table:
    """LOCF and observed means beside means per registration from a mixed model / GEE on observed forms."""
    from evalkit.compare import locf, model_means

    prep = _prep(ctx)
    g = prep.groupings["behandling"]
    grid = prep.grids["main"]
    K = grid.upto
    scale = float(prep.scale[m.key])
    value = grid.sorted_values(prep.form_values[m.key])    # the kept forms, in (episode, k) order
    units = np.flatnonzero(g.codes >= 0)
    sel = (g.codes[grid.unit] >= 0) & ~np.isnan(value)
    long = pd.DataFrame({"unit": grid.unit[sel], "k": grid.k[sel].astype(np.int64) + 1, "value": value[sel] / scale})
    frame = locf(long, id="unit", order="k", values="value", upto=K, cohort=units)
    res = _quiet(model_means, frame, "value", method=sens["method"], cov_struct=sens["cov_struct"])
    table = _trajectory_table(ctx, m, g, tid, m.source, title, tests=False)
    factor = 100.0 if m.kind == "percent" else 1.0
    est = res.table.reindex(range(1, K + 1))
    for key, col, label in (("model", "mean", T("Model", "Model")),
                            ("model_ki_nedre", "ci_low", T("Model, 95 %-KI nedre", "Model, 95 % CI lower")),
                            ("model_ki_oevre", "ci_high", T("Model, 95 %-KI øvre", "Model, 95 % CI upper"))):
        cells = {}
        for k in range(1, K + 1):
            v, n = est.loc[k, col], est.loc[k, "n_observed"]
            n = 0 if pd.isna(n) else int(n)
            cells[f"tem_{k}"] = Cell(None if pd.isna(v) else float(v) * factor, "mean", decimals=1, n=n)
        table.add_row(key, label, cells)
    what = {"mixedlm": ("lineær mixed model med tilfældigt intercept pr. forløb (REML)",
                        "linear mixed model with a random intercept per episode (REML)"),
            "gee": (f"GEE med {sens['cov_struct']} arbejdskorrelation og robuste standardfejl",
                    f"GEE with {sens['cov_struct']} working correlation and robust standard errors")}[sens["method"]]
    used_da, used_en = format_number(res.n_persons_used, "da"), format_number(res.n_persons_used, "en")
    sub_da = (f"; tilpasset på en tilfældig delmængde af {used_da} forløb (seed {res.seed})"
              if res.subsampled else "")
    sub_en = (f"; fitted on a random subset of {used_en} episodes (seed {res.seed})"
              if res.subsampled else "")
    table.notes.insert(0, T(
        f"Følsomhedsanalyse (evalkit.compare.model_means): middelværdi pr. registrering fra en {what[0]}, kun på "
        f"observerede besvarelser, uden LOCF (anchors.md afsnit 4){sub_da}. Konvergeret: {'ja' if res.converged else 'nej'}.",
        f"Sensitivity analysis (evalkit.compare.model_means): mean per registration from a {what[1]}, on observed "
        f"answers only, without LOCF (anchors.md section 4){sub_en}. Converged: {'yes' if res.converged else 'no'}."))
    return table


# The seed figure each trajectory reproduces; measures without a published chart cite the cohort's counts figure.
_TRAJECTORY_SOURCE = {
    ("samlet_trivsel", "ungeprofil"): "004-F6.16b", ("stoffri", "ungeprofil"): "004-F6.34",
    ("samlet_trivsel", "risikoprofil"): "004-F6.36", ("stoffri", "risikoprofil"): "004-F6.37",
    ("samlet_trivsel", "udskrivning"): "004-F6.30", ("stoffri", "udskrivning"): "004-F6.31",
    ("samlet_trivsel", "raadgivning"): "004-P6.5a", ("stoffri", "raadgivning"): "004-P6.5a",
    ("samlet_trivsel", "gruppe"): "004-P6.5b", ("stoffri", "gruppe"): "004-P6.5b",
    ("stoffri", "opioid"): "004-F6.35",
}
_GROUPING_COUNTS = {"ungeprofil": "004-F6.32", "risikoprofil": "004-F6.32", "udskrivning": "004-F6.29",
                    "raadgivning": "004-F6.23", "gruppe": "004-F6.24", "opioid": "004-F6.35"}
_GROUPING_LABEL = {
    "behandling": T("behandlingsforløb", "treatment episodes"),
    "ungeprofil": T("set ift. Ungeprofiler", "by Ungeprofil"),
    "risikoprofil": T("set ift. Risikoprofiler", "by risk profile"),
    "udskrivning": T("set ift. udskrivningsårsag", "by discharge reason"),
    "raadgivning": T("rådgivningsforløb", "counselling episodes"),
    "gruppe": T("gruppeforløb", "group courses"),
    "opioid": T("unge med opioidbrug", "youths using opioids"),
}


def _trajectory_spec(m: Measure, grouping: str) -> TableSpec:
    tid = f"tem_{m.key}" if grouping == "behandling" else f"tem_{m.key}_{grouping}"
    source = m.source if grouping == "behandling" else _TRAJECTORY_SOURCE.get((m.key, grouping), _GROUPING_COUNTS[grouping])
    gl = _GROUPING_LABEL[grouping]
    title = T(f"{m.label.da} ved TEM-registrering 1-12, {gl.da} (LOCF og observerede)",
              f"{m.label.en} at TEM registrations 1-12, {gl.en} (LOCF and observed)")

    def build(ctx: Context) -> Table:
        return _trajectory_table(ctx, m, _prep(ctx).groupings[grouping], tid, source, title)

    return TableSpec(tid, source, title, build, description=f"{m.key} x {grouping}")


def _counts_specs() -> list[TableSpec]:
    beh = lambda p: _unit_type(p, "behandling")
    return [
        _counts_table("tem_antal_raadgivning", "004-F6.23",
                      T("Antal unge i rådgivningsforløb (både anonyme og ikke anonyme forløb), der indgår i hver "
                        "TEM-registrering", "Youths in counselling (anonymous or not) included at each TEM registration"),
                      "main", lambda p: _unit_type(p, "raadgivning", "anonym_raadgivning"),
                      T("Kohorte: rådgivningsforløb med mindst ét TEM-skema.",
                        "Cohort: counselling episodes with at least one TEM form.")),
        _counts_table("tem_antal_gruppe", "004-F6.24",
                      T("Antal unge, der har deltaget i gruppeforløb og indgår i hver TEM-registrering",
                        "Youths in group courses included at each TEM registration"),
                      "gruppe", lambda p: p.grids["gruppe"].n_forms > 0,
                      T("Kohorte: forløb med mindst ét TEM-skema udfyldt i gruppeforløb (group_course).",
                        "Cohort: episodes with at least one TEM form completed in a group course (group_course).")),
        _counts_table("tem_antal_behandling", "004-F6.25",
                      T("Antal unge i behandling, der indgår i hver TEM-registrering",
                        "Youths in treatment included at each TEM registration"), "main", beh,
                      T("Kohorte: behandlingsforløb med mindst ét TEM-skema.",
                        "Cohort: treatment episodes with at least one TEM form.")),
        _counts_table("tem_antal_udskrevne", "004-F6.29",
                      T("Antal unge, udskrevet af behandling, der indgår i hver TEM-registrering",
                        "Youths discharged from treatment included at each TEM registration"), "main",
                      lambda p: beh(p) & p.episodes["discharged"],
                      T("Kohorte: udskrevne behandlingsforløb med mindst ét TEM-skema.",
                        "Cohort: discharged treatment episodes with at least one TEM form.")),
        _counts_table("tem_antal_ungmap", "004-F6.32",
                      T("Antal unge, der har udfyldt UngMap og indgår i hver TEM-registrering",
                        "Youths with an UngMap included at each TEM registration"), "main",
                      lambda p: beh(p) & (p.episodes["ungmap"] >= 0),
                      T("Kohorte: behandlingsforløb med UngMap og mindst ét TEM-skema.",
                        "Cohort: treatment episodes with UngMap and at least one TEM form.")),
    ]


def _trajectory_specs() -> list[TableSpec]:
    specs = []
    for m in MEASURES:
        for grouping in ("behandling", "ungeprofil", "risikoprofil", "udskrivning"):
            specs.append(_trajectory_spec(m, grouping))
    for key in ("samlet_trivsel", "stoffri"):
        specs.append(_trajectory_spec(MEASURE[key], "raadgivning"))
        specs.append(_trajectory_spec(MEASURE[key], "gruppe"))
    specs.append(_trajectory_spec(MEASURE["stoffri"], "opioid"))
    specs.extend(_model_spec(m) for m in MEASURES)   # optional (ReportOptions.extra["sensitivity"])
    return specs


SPEC = ReportSpec(
    name="ung-rusmidler",
    dataset="ung-rusmidler",
    title=T("UNG Rusmidler: evalueringstabeller (Logbog, UngMap og TEM)",
            "UNG Rusmidler: evaluation tables (Logbog, UngMap and TEM)"),
    prepare=prepare,
    tables=(
        TableSpec("forloeb_type", "004-F6.3", T("Antal forløb efter type og forløb", "Episodes by type and cohort"),
                  _forloeb_type),
        TableSpec("forloeb_kommune", "004-F6.3",
                  T("Antal forløb efter kommune og type", "Episodes by municipality and type"),
                  _forloeb_kommune),
        TableSpec("alder_koen", "004-F6.4", T("Aldersgennemsnit og kønsfordeling", "Mean age and sex"), _alder_koen),
        TableSpec("aldersfordeling", "004-F6.6", T("Aldersfordeling ved UngMap", "Age at UngMap"), _aldersfordeling),
        TableSpec("ungeprofil", "004-F6.11", T("Ungeprofiler", "Ungeprofil"), _ungeprofil),
        TableSpec("stofbrug", "004-F6.14", T("Stofbrug de seneste 30 dage", "Drug use in the last 30 days"), _stofbrug),
        TableSpec("stofbelastning", "004-F6.15", T("Stofbelastning", "Drug load"), _stofbelastning),
        TableSpec("stofbelastning_sammenligning", "004-F6.16a", T("Stofbelastning sammenlignet", "Drug load compared"),
                  _stofbelastning_sammenligning),
        TableSpec("andre_vanskeligheder", "004-F6.17", T("Andre vanskeligheder", "Other difficulties"),
                  _andre_vanskeligheder),
        TableSpec("risikoprofil", "004-F6.18", T("Risikoprofiler", "Risk profiles"), _risikoprofil),
        TableSpec("udskrivning", "004-F6.19", T("Udskrivninger", "Discharges"), _udskrivning),
        TableSpec("udskrivning_risikoprofil", "004-F6.21",
                  T("Udskrivning set ift. risikoprofil", "Discharge by risk profile"),
                  _udskrivning_risikoprofil),
        TableSpec("ydelser", "004-F6.22", T("Ydelser", "Services"), _ydelser),
        *_counts_specs(),
        *_trajectory_specs(),
    ),
    description="Seed 004 chapter 6: Logbog episodes, UngMap intake and TEM trajectories (LOCF with completers).",
)
