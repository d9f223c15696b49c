"""The synthetic ``udgaaende`` export: deals attributes, assembles persons, registrations and costs.

:func:`generate` deals gender, completion, follow-up, cessation category, poly-drug use and improved
trivsel to the persons of each school type, draws their outcomes and ages, and assembles the three
canonical tables: ``deltagere`` (enrolment order), ``registreringer`` (Indskrivning for everybody,
Afslutning for completers, Opfølgning for the followed-up) and ``omkostninger`` (budget per kommune
and project year; counselled students, "959" in chapter 8). Together they reproduce every
count and mean of Socialstyrelsen (2017), *Evaluering af forsøg med udgående indsatser til unge med
rusmiddelproblemer*, and its summary card.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.synth._common import apportion, canonical_frame, make_ids, split_total, streams
from evalkit.synth.udgaaende.courses import _deal, _Structure, _structure
from evalkit.synth.udgaaende.outcomes import _ages, _dropouts, _fravaer, _hash, _poly, _who5
from evalkit.synth.udgaaende.published import (
    _KOEN,
    _SKOLETYPE,
    _STATUS,
    _TIDSPUNKT,
    BUDGET_EQUAL_PART,
    BUDGET_YEAR_WEIGHTS,
    FOLLOW_UP_DAYS,
    PUBLISHED,
    Design,
)
from evalkit.synth.udgaaende.scaling import design


def _costs(d: Design, s: _Structure, person_cell: np.ndarray) -> pd.DataFrame:
    kommuner = sorted({c.kommune for c in d.cells}, key=[c.kommune for c in d.cells].index)
    pub_share = np.array([sum(c.deltagere for c in PUBLISHED.cells if c.kommune == k) for k in kommuner], float)
    w_k = BUDGET_EQUAL_PART / len(kommuner) + (1 - BUDGET_EQUAL_PART) * pub_share / pub_share.sum()
    w = np.outer(w_k, BUDGET_YEAR_WEIGHTS).ravel()
    amounts = apportion(d.budget_kr // 100, w) * 100
    kom_of_cell = np.array([kommuner.index(c.kommune) for c in d.cells])
    year_of_person = s.course_year[s.course]
    enrolled = np.bincount(kom_of_cell[person_cell] * 4 + (year_of_person - 1), minlength=len(w))
    extra = apportion(max(d.raadgivne_elever - int(enrolled.sum()), 0), w)
    return canonical_frame("udgaaende", "omkostninger", {
        "kommune": np.repeat(np.array(kommuner, dtype=object), 4),
        "projektaar": np.tile(np.arange(1, 5), len(kommuner)),
        "beloeb_kr": amounts.astype(float),
        "raadgivne_elever": enrolled + extra,
    })


def generate(persons: int | None = None, seed: int = 2017) -> dict[str, pd.DataFrame]:
    """Synthetic ``udgaaende`` export: ``deltagere``, ``registreringer``, ``omkostninger``.

    With ``persons=None`` the 405-person dataset of spec seed000_figures.md section 4, which
    reproduces every published count and mean of seeds 000/001 (000-T3-organisering,
    000-S4.1-alder, 000-F4.1b-koensfordeling, 000-T7.1-indskrevne, 000-F7.1-gennemfoerelse,
    000-T7.2-progression, 000-F7.2a-hash-skoletype, 000-T7.2b-cannabis-ophoer,
    000-F7.2c-fravaer-polystof, 000-F7.2d-trivsel-skoletype, 000-T7.2e-forbedret-trivsel,
    000-T8-omkostninger, 001-omkostninger, 001-resultater) except the printed misprints of
    spec 4.3. With ``persons=N`` (N >= 10) the same design scaled to N persons.

    Parameters
    ----------
    persons : int, optional
        Number of enrolled students; ``None`` (default) for the published 405.
    seed : int, default 2017
        Seed of all random choices; the same ``(persons, seed)`` always gives identical frames.

    Returns
    -------
    dict of str to pandas.DataFrame
        Canonical tables with the data dictionary's columns and dtypes
        (``evalkit/io/dictionary/udgaaende.yaml``). ``registreringer`` has a row per person
        and time point actually registered: Indskrivning for everybody, Afslutning for
        completers, Opfølgning for those followed up. WHO-5 comes as the five 0-5 items
        (score = 4 x item sum, anchors.md 1.2).

    Notes
    -----
    The published design's sums and every free choice of spec section 4.4 are the module
    constants :data:`PUBLISHED`, :data:`AGE_PMF`, :data:`DROPOUT_MEANS` and the date/budget
    constants. The outcome tables contain no missing values among completers (000-T7.2 prints
    n = 333 for every row); dropouts have no Afslutning row (000-F7.1 footnote 13).

    Examples
    --------
    >>> t = generate()
    >>> sorted(t), len(t["deltagere"]), len(t["omkostninger"])
    (['deltagere', 'omkostninger', 'registreringer'], 405, 24)
    >>> int((t["deltagere"]["status"] == "gennemfoert").sum())
    333
    >>> reg = t["registreringer"]
    >>> t0 = reg[(reg["tidspunkt"] == "indskrivning") & reg["person_id"].isin(
    ...     t["deltagere"].loc[t["deltagere"]["status"] == "gennemfoert", "person_id"])]
    >>> round(float(t0["hash_dage_30"].mean()), 1)
    14.9
    >>> len(generate(persons=1000)["deltagere"])
    1000
    """
    d = design(persons)
    rng = streams(seed, ["structure", "deal", "age", "hash", "poly", "fravaer", "who5", "dropout", "items"])
    s = _structure(d, rng["structure"])
    n = s.cell.size
    st_code = np.array([_SKOLETYPE.index(c.skoletype) for c in d.cells])[s.cell]
    female = np.zeros(n, bool)
    completer = np.zeros(n, bool)
    fu = np.zeros(n, bool)
    val = {k: np.zeros((3, n), dtype=np.int64) for k in ("hash", "poly", "fravaer", "who5")}
    for st_name, st in d.strata.items():
        members = np.flatnonzero(st_code == _SKOLETYPE.index(st_name))
        if members.size == 0:
            continue
        deal = rng["deal"]
        female[members] = _deal(members.size, [st.kvinder, st.maend], deal) == 0
        done = _deal(members.size, [st.gennemfoert, st.n - st.gennemfoert], deal) == 0
        completer[members] = done
        comp, drop = members[done], members[~done]
        g = comp.size
        rest = g - st.hash_nul - st.hash_stoppet - st.hash_halveret
        cat = _deal(g, [st.hash_nul, st.hash_stoppet, st.hash_halveret, rest], deal)
        # poly-drug users among completers who used hash at intake; follow-up dealt so that
        # exactly poly_brugere_opf of them (and opf_gennemfoert in all) are followed up
        elig = np.flatnonzero(cat != 0)
        users = np.zeros(g, bool)
        users[deal.choice(elig, size=min(st.poly_brugere, elig.size), replace=False)] = True
        cfu = np.zeros(g, bool)
        u_idx, o_idx = np.flatnonzero(users), np.flatnonzero(~users)
        cfu[deal.choice(u_idx, size=st.poly_brugere_opf, replace=False)] = True
        cfu[deal.choice(o_idx, size=min(st.opf_gennemfoert - st.poly_brugere_opf, o_idx.size), replace=False)] = True
        fu[comp] = cfu
        dfu = _deal(drop.size, [st.opf_frafaldet, drop.size - st.opf_frafaldet], deal) == 0
        fu[drop] = dfu
        improved = _deal(g, [st.who5_forbedret, g - st.who5_forbedret], deal) == 0
        for key, vals in (("hash", _hash(st, cat, cfu, rng["hash"], d.strict)),
                          ("poly", _poly(st, users, cfu, rng["poly"], d.strict)),
                          ("fravaer", _fravaer(st, cfu, rng["fravaer"], d.strict)),
                          ("who5", _who5(st, improved, cfu, rng["who5"], d.strict))):
            for t in range(3):
                val[key][t, comp] = vals[t]
        if drop.size:
            dvals = _dropouts(drop.size, dfu, rng["dropout"], d.strict)
            for key, (v0, v2) in dvals.items():
                val[key][0, drop], val[key][2, drop] = v0, v2
    age = _ages(d, st_code, female, rng["age"])

    # persons in enrolment order (course start, then course), ids U0001...
    order = np.lexsort((s.course, s.course_start[s.course]))
    inv = np.empty(n, np.int64)
    inv[order] = np.arange(n)
    ids = make_ids("U", n)
    start = s.course_start[s.course]
    end = s.course_end[s.course]
    sess = s.course_sessions[s.course]
    left_after = 7 * rng["structure"].integers(1, np.maximum(sess - 1, 2))
    slut = np.where(completer, end, start + left_after)
    o = order
    deltagere = canonical_frame("udgaaende", "deltagere", {
        "person_id": ids,
        "kommune": np.array([c.kommune for c in d.cells], dtype=object)[s.cell[o]],
        "skoletype": st_code[o],
        "skole": np.array(s.school_names, dtype=object)[s.course_school[s.course[o]]],
        "forloeb": np.array(s.course_names, dtype=object)[s.course[o]],
        "koen": np.where(female[o], _KOEN.index("kvinde"), _KOEN.index("mand")),
        "alder": age[o],
        "status": np.where(completer[o], _STATUS.index("gennemfoert"), _STATUS.index("frafaldet")),
        "indskrivningsdato": start[o],
        "afslutningsdato": slut[o],
    })

    # registrations: T0 for all, T1 for completers, T2 for the followed-up
    fu_day = end + FOLLOW_UP_DAYS + rng["structure"].integers(0, 15, n)
    rows = [np.arange(n), np.flatnonzero(completer), np.flatnonzero(fu)]
    person = np.concatenate(rows)
    tp = np.concatenate([np.full(r.size, t) for t, r in enumerate(rows)])
    dates = np.stack([start, end, fu_day])[tp, person]
    by_person_time = np.lexsort((tp, inv[person]))
    person, tp, dates = person[by_person_time], tp[by_person_time], dates[by_person_time]
    who5_raw = val["who5"][tp, person]
    items = split_total(who5_raw, 5, 5, rng["items"])
    cols = {
        "person_id": ids.take(inv[person]),
        "tidspunkt": np.array([_TIDSPUNKT.index(c) for c in ("indskrivning", "afslutning", "opfoelgning")])[tp],
        "dato": dates,
        "hash_dage_30": val["hash"][tp, person],
        "flere_stoffer_dage_30": val["poly"][tp, person],
        "ulovligt_fravaer_dage_14": val["fravaer"][tp, person],
    }
    for i in range(5):
        cols[f"who5_{i + 1}"] = items[:, i]
    registreringer = canonical_frame("udgaaende", "registreringer", cols)
    return {"deltagere": deltagere, "registreringer": registreringer,
            "omkostninger": _costs(d, s, s.cell)}
