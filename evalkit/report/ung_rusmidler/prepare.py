"""Everything person-level, computed once: episodes, the UngMap cohort, and the TEM trajectories."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from evalkit.report._build import positions, slug, store_prepared
from evalkit.report.spec import Context
from evalkit.report.ung_rusmidler.common import (
    PROFILES,
    RISKS,
    SEXES,
    STATUSES,
    TYPES,
    _by_key,
    _codes,
    _col,
    _day_numbers,
    _days_of,
    _floats,
    _stage,
)
from evalkit.report.ung_rusmidler.prepare_tem import _prepare_tem
from evalkit.report.ung_rusmidler.prepared import Prepared
from evalkit.report.ung_rusmidler.report_notes import report_notes
from evalkit.report.ung_rusmidler.settings import _ctx_constants


def prepare(ctx: Context) -> None:
    """Compute every person-level quantity of the report once and store it for the table builders.

    The builders read it with ``prepared(ctx, Prepared)``.

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
    >>> from evalkit.report._build import prepared
    >>> ung = prepared(ctx, Prepared)
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
    young = int(um.pop("n_under_min_age")[0])
    prep = Prepared(c=c, episodes=ep, kommuner=kommuner, ungmap=um, ungmap_under_min_age=young)
    _prepare_tem(ctx, prep, e["episode_id"])
    store_prepared(ctx, prep)
    ctx.notes.extend(report_notes(prep))   # cohorts and TEM rules: said once, not under every table


def _episodes(e: pd.DataFrame, c: Mapping[str, Any],
              ctx: Context) -> tuple[dict[str, np.ndarray], list[tuple[str, str]]]:
    n = len(e)
    out: dict[str, np.ndarray] = {"type": _codes(_col(e, "enrolment_type"), TYPES, n)}
    forloeb = _floats(_col(e, "forloeb"), n)
    kommuner = [(slug(name), name) for f in c["cohort"]["forloeb"] for name in f["kommuner"]]
    nr_of = {slug(name): int(f["nr"]) for f in c["cohort"]["forloeb"] for name in f["kommuner"]}
    row_of = {k: i for i, (k, _) in enumerate(kommuner)}
    if "kommune" in e.columns:
        codes, uniques = pd.factorize(e["kommune"], use_na_sentinel=True)
        slugs = [slug(str(v)) for v in uniques]
        row = np.array([row_of.get(sl, len(kommuner)) for sl in slugs] + [len(kommuner)], dtype=np.int64)
        nr = np.array([nr_of.get(sl, np.nan) for sl in slugs] + [np.nan], dtype="float64")
        codes = np.asarray(codes)
        out["kommune"], derived = row[codes], nr[codes]
    else:
        out["kommune"], derived = np.full(n, len(kommuner), dtype=np.int64), np.full(n, np.nan)
    forloeb = np.where(np.isnan(forloeb), derived, forloeb)
    out["forloeb"] = np.where(np.isnan(forloeb), -1, forloeb).astype(np.int64)
    out["age"] = _floats(_col(e, "age_at_start"), n)
    person = _col(e, "person_key")   # a pseudonym, kept only as a code per episode
    out["person"] = (np.asarray(pd.factorize(person, use_na_sentinel=True)[0], dtype=np.int64) if person is not None
                     else np.full(n, -1, dtype=np.int64))
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
    out["start"] = start
    out.update(discharged=discharged, los=los, status=np.where(discharged, status, -1))
    for svc in ("svc_raadgivning", "svc_individuel_behandling", "svc_gruppeforloeb", "svc_inddragelse_paaroerende",
                "svc_andet"):
        out[svc] = _floats(_col(e, svc), n)
    _stage(ctx, "udskrivninger", int(has_date.sum()), int(discharged.sum()) - int(negative.sum()),
           {"discharged_after_cutoff": int((has_date & ~discharged).sum()),
            "discharge_before_start": int(negative.sum())}, date=c["cohort"].get("data_cutoff"))
    return out, kommuner


def _ungmap(u: pd.DataFrame, ep: dict[str, np.ndarray], ep_ids: pd.Series, c: Mapping[str, Any],
            ctx: Context) -> dict[str, np.ndarray]:
    from evalkit.measures import stofscore, stofscore_12plus
    from evalkit.profiles import resolve_ungeprofil, risikoprofil
    from evalkit.profiles.ungeprofil import ungeprofil_resolvable

    n = len(u)
    pos = positions(u["episode_id"], ep_ids)
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
    _stage(ctx, "ungmap", n, int(keep.sum()),
           {"episode_not_in_logbog": int((~found).sum()), "not_treatment": int((found & ~is_beh).sum()),
            "under_min_age": int(young.sum()), "second_ungmap": int(dup.size)}, age=min_age)

    rows = o[first]                 # kept rows in episode order (canonical, whatever the file order)
    k = u.iloc[rows]
    m = rows.size
    out: dict[str, np.ndarray] = {"episode": pos[rows], "age": age[rows], "n_under_min_age": np.array([young.sum()])}
    out["stofscore"] = stofscore(k).to_numpy(dtype="float64", na_value=np.nan)
    s12 = stofscore_12plus(k)
    out["stofscore_12plus"] = s12.to_numpy(dtype="float64", na_value=np.nan)
    diag = _col(k, "psych_diagnosis_by_psychiatrist")
    udd = _col(k, "uddannelseshjaelp")
    if diag is not None and udd is not None:
        out["risk"] = _codes(risikoprofil(s12, diag, udd), RISKS, m)
    else:
        out["risk"] = np.full(m, -1, dtype=np.int64)
    if ungeprofil_resolvable(k):
        out["profile"] = _codes(resolve_ungeprofil(k), PROFILES, m)
    else:
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
