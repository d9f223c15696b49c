"""The prepare step of report ``udgaaende``: the export as person-level arrays, computed once.

The three registrations (Indskrivning, Afslutning, Opfølgning) become ``(persons, 3)`` arrays per
measure; cohorts (completers, dropouts, poly-drug users, the cannabis-reduction denominator, WHO-5
improvement) become boolean arrays. Every chapter then only selects and counts. Measures come from
:mod:`evalkit.measures`; the rules from ``constants.yaml``.

>>> from evalkit.report._build import prepared
>>> ctx = sample_context()
>>> p = prepared(ctx, Prepared)
>>> p.n, int(p.completer.sum()), int((p.completer & p.poly_user).sum())
(405, 333, 146)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, cast

import numpy as np
import pandas as pd

from evalkit.report._build import codes, floats, store_prepared
from evalkit.report.model import T, Text
from evalkit.report.spec import Context, ReportOptions
from evalkit.report.udgaaende.vocabulary import (
    GENDERS,
    MEASURES,
    SCHOOLS,
    STATUSES,
    TP,
    TXT,
    constants,
    tp_label,
    txt,
)

__all__ = ["Improvement", "Prepared", "Reduction", "context_from_tables", "prepare", "sample_context"]


@dataclass(frozen=True)
class Reduction:
    """Cannabis reduction (seed 000 fn 11) over the completers, as person-level flags."""

    eligible: np.ndarray   #: in the denominator (constants ``cannabis_reduction.eligibility``)
    stopped: np.ndarray
    halved: np.ndarray
    observed: np.ndarray   #: completers with cannabis days at both compared time points


@dataclass(frozen=True)
class Improvement:
    """WHO-5 improvement by one rule: ``improved`` among ``valid`` (completers with both scores)."""

    improved: np.ndarray
    valid: np.ndarray


@dataclass
class Prepared:
    """The export as person-level arrays (position ``i`` = ``i``-th row of ``deltagere``).

    ``values[m]`` is a ``(persons, 3)`` float array of measure ``m`` at Indskrivning, Afslutning and
    Opfølgning (NaN = not registered or missing); ``registered`` says which registrations exist.
    School, gender and status are codes into ``SCHOOLS``, ``GENDERS``, ``STATUSES`` (-1 = missing or
    unknown).
    """

    n: int
    school: np.ndarray
    gender: np.ndarray
    status: np.ndarray
    age: np.ndarray
    kommune: np.ndarray          #: codes into ``kommune_names``
    kommune_names: list[str]
    skole: np.ndarray            #: codes (-1 missing)
    forloeb: np.ndarray          #: codes (-1 missing)
    registered: np.ndarray
    values: dict[str, np.ndarray]
    poly_user: np.ndarray        #: more than 0 poly-drug days at one or more registrations
    who5_band: np.ndarray        #: (persons, 3) band codes into ``band_codes`` (-1 none)
    band_codes: list[str]
    band_labels: dict[str, Text]
    costs: pd.DataFrame | None
    reduction: Reduction
    improved: dict[str, Improvement] = field(default_factory=dict)  #: by WHO-5 change rule

    @property
    def completer(self) -> np.ndarray:
        return self.status == 0

    @property
    def dropout(self) -> np.ndarray:
        return self.status == 1

    def cohort(self, measure: str, cohort: np.ndarray) -> np.ndarray:
        """The persons a measure's row is computed over: the poly-drug row uses the users only."""
        return cohort & self.poly_user if measure == "flere_stoffer" else cohort


def context_from_tables(tables: Mapping[str, pd.DataFrame], options: ReportOptions | None = None) -> Context:
    """A report context around in-memory canonical tables (pyarrow-backed or plain numpy dtypes).

    Parameters
    ----------
    tables
        ``deltagere``, ``registreringer`` and optionally ``omkostninger``, with the dictionary's
        canonical column names.
    options
        Report options (language, disclosure threshold); defaults as the CLI's.

    Returns
    -------
    Context
        Ready for :func:`prepare` and the table builders; its ledger counts every row as kept.

    Examples
    --------
    >>> from evalkit.synth.udgaaende import generate
    >>> ctx = context_from_tables(generate())
    >>> len(ctx.export["deltagere"])
    405
    """
    from evalkit.io.export import Export
    from evalkit.io.ledger import Ledger
    from evalkit.io.problems import ProblemList

    ledger = Ledger()
    for name, frame in tables.items():
        ledger.start(name, None, len(frame))
    export = Export(dataset="udgaaende", tables=dict(tables), ledger=ledger, problems=ProblemList())
    return Context(export=export, options=options or ReportOptions())


@lru_cache(maxsize=1)
def _sample_tables() -> dict[str, pd.DataFrame]:
    from evalkit.synth.udgaaende import generate

    return generate()


def sample_context(options: ReportOptions | None = None) -> Context:
    """A prepared context of the synthetic sample (405 persons, as seed 000), for examples and tests.

    >>> sample_context().data["Prepared"].n
    405
    """
    ctx = context_from_tables(_sample_tables(), options)
    prepare(ctx)
    return ctx


def prepare(ctx: Context) -> None:
    """Compute the person-level structure once (vectorised) and record the report's cohort stages.

    Parameters
    ----------
    ctx
        The report context; receives a :class:`Prepared` (``prepared(ctx, Prepared)``), and
        ``ctx.ledger_stages`` the completers, follow-up, poly-drug, cannabis-eligibility and WHO-5
        stages (read / kept / excluded by reason).

    Notes
    -----
    Registrations are matched to persons by ``person_id`` and to a time point by ``tidspunkt``.
    Day counts are validated by :func:`evalkit.measures.progression_days`; WHO-5 is
    :func:`evalkit.measures.who5_percent` (raw x 4, missing-item policy from the constants) and its
    bands :func:`evalkit.measures.who5_band` (seed 000 fn 14); poly-drug users are
    :func:`evalkit.measures.poly_drug_users`, cannabis reduction
    :func:`evalkit.measures.cannabis_reduction`, WHO-5 improvement :func:`evalkit.measures.who5_change`.
    Sources: 000-T7.2-progression, 000-WHO5-scoring; spec seed000_figures.md 3.3.

    Examples
    --------
    >>> from evalkit.synth.udgaaende import generate
    >>> ctx = context_from_tables(generate())
    >>> prepare(ctx)
    >>> ctx.ledger_stages["polydrug_users"]["kept"]
    146
    """
    from evalkit.measures import (
        poly_drug_users,
        progression_days,
        who5_band,
        who5_percent,
    )
    from evalkit.rules import load_rule

    const = constants()
    d = ctx.export["deltagere"]
    reg = ctx.export["registreringer"]
    n = len(d)
    ids = pd.Index(d["person_id"])
    if not ids.is_unique:
        raise ValueError("deltagere: person_id is not unique")
    pos = ids.get_indexer(reg["person_id"])
    tp = codes(reg["tidspunkt"], TP)
    ok = (pos >= 0) & (tp >= 0)
    pos, tp = pos[ok], tp[ok]
    registered = np.zeros((n, 3), dtype=bool)
    registered[pos, tp] = True

    values: dict[str, np.ndarray] = {}
    for key, m in MEASURES.items():
        if m.rule is None:
            items = reg[[f"who5_{i}" for i in range(1, 6)]]
            v = floats(who5_percent(items, missing=const["who5"]["missing"]))
        else:
            v = floats(progression_days(reg[m.column], m.rule))
        grid = np.full((n, 3), np.nan)
        grid[pos, tp] = v[ok]
        values[key] = grid
    poly = poly_drug_users(*(pd.Series(values["flere_stoffer"][:, i]) for i in range(3)))

    scheme = const["who5"]["band_scheme"]
    bands_rule = load_rule("who5")["band_schemes"][scheme]["bands"]
    band_codes = [b["code"] for b in bands_rule]
    band = codes(who5_band(pd.Series(values["who5"].ravel()), scheme=scheme), band_codes).reshape(n, 3)

    kom_codes, kom_names = pd.factorize(d["kommune"].astype(object), sort=False)
    status = codes(d["status"], STATUSES)
    prep = Prepared(
        n=n, school=codes(d["skoletype"], SCHOOLS), gender=codes(d["koen"], GENDERS),
        status=status, age=floats(pd.to_numeric(d["alder"], errors="raise")),
        kommune=np.asarray(kom_codes, dtype=np.int64), kommune_names=[str(k) for k in kom_names],
        skole=np.asarray(pd.factorize(d["skole"].astype(object))[0], dtype=np.int64),
        forloeb=np.asarray(pd.factorize(d["forloeb"].astype(object))[0], dtype=np.int64),
        registered=registered, values=values, poly_user=poly.fillna(False).to_numpy(dtype=bool),
        who5_band=band, band_codes=band_codes,
        band_labels={b["code"]: T(b["label_da"], b["label_en"]) for b in bands_rule},
        costs=ctx.export["omkostninger"] if "omkostninger" in ctx.export else None,  # noqa: SIM401 (Export has no get)
        reduction=_reduction(values["hash"], status == 0),
    )
    for rule in (const["who5"]["improved_rule"], const["who5"]["sensitivity_rule"]):
        prep.improved[rule] = _improvement(prep, rule)
    store_prepared(ctx, prep)
    _ledger_stages(ctx, prep)
    _report_notes(ctx)


def _reduction(hash_days: np.ndarray, completer: np.ndarray) -> Reduction:
    """Cannabis reduction (fn 11) over the completers, by :func:`evalkit.measures.cannabis_reduction`."""
    from evalkit.measures import cannabis_reduction

    const = constants()["cannabis_reduction"]
    a, b = TP.index(const["from"]), TP.index(const["to"])
    idx = np.flatnonzero(completer)
    out = cannabis_reduction(pd.Series(hash_days[idx, a]), pd.Series(hash_days[idx, b]),
                             eligibility=const["eligibility"])
    flags = {}
    for name in ("eligible", "stopped", "halved"):
        flag = np.zeros(len(completer), dtype=bool)
        flag[idx] = out[name].fillna(False).to_numpy(dtype=bool)
        flags[name] = flag
    observed = completer & ~np.isnan(hash_days[:, a]) & ~np.isnan(hash_days[:, b])
    return Reduction(observed=observed, **flags)


def _improvement(p: Prepared, rule: str) -> Improvement:
    """WHO-5 Indskrivning -> Afslutning improved by ``rule`` (:func:`evalkit.measures.who5_change`), completers."""
    from evalkit.measures import who5_change

    v = p.values["who5"]
    out = who5_change(pd.Series(v[:, 0]), pd.Series(v[:, 1]), rule=cast(Any, rule))  # checked by who5_change
    valid = p.completer & out.notna().to_numpy()
    return Improvement(out.fillna(False).to_numpy(dtype=bool) & valid, valid)


def _stage(ctx: Context, name: str, read: int, kept: int, excluded: dict[str, int]) -> None:
    """One report stage of the row ledger; each exclusion reason is a code (``ledger.<code>`` in
    ``text.yaml``), printed in the report's language."""
    from_, to = (tp_label(constants()["cannabis_reduction"][k]) for k in ("from", "to"))
    lang = ctx.options.lang
    ctx.ledger_stages[name] = {"label": TXT(f"ledger_stage.{name}")(lang), "read": read, "kept": kept, "excluded": {
        txt(f"ledger.{code}", a=from_, b=to)(lang): k for code, k in excluded.items() if k}}


def _ledger_stages(ctx: Context, p: Prepared) -> None:
    C = p.completer
    nC = int(C.sum())
    _stage(ctx, "completers", p.n, nC,
           {"dropped_out": int(p.dropout.sum()), "status_unknown": int((p.status < 0).sum())})
    followed = int((C & p.registered[:, 2]).sum())
    _stage(ctx, "completers_followed_up", nC, followed, {"no_follow_up": nC - followed})
    users = int((C & p.poly_user).sum())
    no_reg = int((C & ~p.registered.any(axis=1)).sum())
    _stage(ctx, "polydrug_users", nC, users, {"no_poly_drug_days": nC - users - no_reg, "no_registration": no_reg})
    red = p.reduction
    _stage(ctx, "cannabis_reduction_eligible", nC, int(red.eligible.sum()),
           {"no_cannabis_at_intake": int((red.observed & ~red.eligible).sum()),
            "cannabis_days_missing": int((C & ~red.observed).sum())})
    pairs = int((C & ~np.isnan(p.values["who5"][:, 0]) & ~np.isnan(p.values["who5"][:, 1])).sum())
    _stage(ctx, "who5_pairs", nC, pairs, {"who5_missing": nC - pairs})


def _report_notes(ctx: Context) -> None:
    c = constants()
    red, who = c["cannabis_reduction"], c["who5"]
    ctx.notes.append(txt("notes.rules", version=c["version"], eligibility=TXT(f"rule.eligibility.{red['eligibility']}"),
                         a=tp_label(red["from"]), b=tp_label(red["to"]),
                         missing=TXT(f"rule.who5_missing.{who['missing']}"),
                         improved=TXT(f"rule.who5_change.{who['improved_rule']}"),
                         sensitivity=TXT(f"rule.who5_change.{who['sensitivity_rule']}"),
                         bands=TXT(f"rule.who5_bands.{who['band_scheme']}")))
    ctx.notes.append(TXT("notes.design"))
