"""Synthetic registry export for HCS group treatment (seed 002): ``hcs`` dataset.

Seed 002 prints no outcome numbers (spec seed002_003_figures.md 1.10), so the export only has to
be plausible and follow the model's rules (spec part 1):

- two municipalities, Esbjerg and Frederiksberg, 2014-2016 (1.1 #5);
- open groups (GRP-1): each group has ``GROUP_SLOTS`` places (8-10, GRP-2), and a place freed
  by a leaver is taken by the next referral, so membership never exceeds the capacity;
- 16 weekly sessions per participant, counted from the first session after the forsamtale
  (CRS-1..CRS-4, TALK-1), two group leaders per session (CRS-5);
- attendance per session: mødt op / meldt afbud / ikke meldt afbud (1.6). Participants
  excluded for repeated no-shows (EXC-5) end with ``NO_SHOW_RUN`` consecutive unannounced
  absences; everybody else has at most one, so any threshold K in 2..NO_SHOW_RUN separates
  them (the seed gives no K);
- ASI items at indskrivning (at first contact or the forsamtale, 1.2 #6), midtvejs, afslutning
  and, for § 101 clients discharged in one of FU-1's statuses, follow-ups at 1 and 6 months;
  none for § 101a (anonymous) clients, whose intake ASI is missing (1.2 #5, FU-2);
- the composites ``asi_stof``, ``asi_psykisk`` and ``asi_alkohol`` are computed from the items
  with the divisors of ``evalkit/rules/asi.yaml`` (McGahan 1986, anchors.md 2.2), any missing
  item giving no composite; ``asi_samlet`` (undefined in the seed) is generated as
  :data:`ASI_SAMLET_RULE`; it is <= 0.35 for most participants and above for a few (INC-2);
- a few ineligible referrals (age 17, main substance "andet", no labour-market attachment, an
  exclusion criterion met), dealt by exact shares;
- drug and psychiatric composites fall over time (most by midtvejs), more for those who
  attend more sessions (dose-response, chapter 4 bullet 5) and, at follow-up, for those with
  efterbehandling (bullet 4).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.io.schema import dataset
from evalkit.rules import load_rule
from evalkit.synth._common import apportion, canonical_frame, make_ids, streams

__all__ = ["DEFAULT_PERSONS", "generate"]

_DS = dataset("hcs")
_DEL = _DS.table("hcs_deltagere")
_ASI = _DS.table("hcs_asi")

#: About 60 participants: two open groups running for about a year (free choice).
DEFAULT_PERSONS = 60
#: Municipalities (seed 002 L94-98) and their share of participants (free).
KOMMUNER = ("Esbjerg", "Frederiksberg")
KOMMUNE_SHARES = (0.5, 0.5)
#: First group session per municipality; groups meet weekly on that weekday (project 2014-2016).
FIRST_SESSION = {"Esbjerg": "2014-09-02", "Frederiksberg": "2014-09-03"}
#: Places per group, cycling over a municipality's groups (GRP-1/GRP-2: 8-10 members).
GROUP_SLOTS = (10, 9)
#: Referrals passing through one open group before the next group is started (free).
PER_GROUP = 30
#: A municipality's next group starts this many weeks after the previous one.
GROUP_STAGGER_WEEKS = 10
#: At large N groups run in parallel: the stagger restarts after this many groups (about ten years),
#: so dates stay plausible at any size (the 60-person sample has one group per municipality).
GROUPS_IN_SEQUENCE = 50
WEEKS = 16  # CRS-1/CRS-2
#: Share of sessions held with one leader instead of two (CRS-5 asks for two; free).
ONE_LEADER_SHARE = 0.03
NO_SHOW_RUN = 3
#: How a participant's course ends (exact shares of all referrals; free).
OUTCOME_SHARES = {"completed": 0.74, "dropout": 0.16, "excluded": 0.10}
#: Discharge status of completers and of dropouts (dictionary codes; free).
COMPLETED_STATUS = {"faerdigbehandlet": 0.85, "udskrevet_andet_tilbud": 0.15}
DROPOUT_STATUS = {"udskrevet_anden_aarsag": 0.9, "udskrevet_hospital": 0.1}
#: Exact shares of the background attributes (dictionary codes). The first share of each
#: "ineligible" entry is the share of referrals failing that INC/EXC rule.
SHARES = {
    "koen": {"mand": 0.78, "kvinde": 0.22},
    "lovgrundlag": {"sel101": 0.85, "sel101a": 0.15},
    "hovedstof": {"hash": 0.68, "centralstimulerende": 0.29, "andet": 0.03},
    "tilknytning": {"arbejde": 0.42, "under_uddannelse": 0.24, "sygedagpenge": 0.08, "dagpenge": 0.11,
                    "optaget_ikke_startet": 0.10, "andet": 0.05},
    "maal": {"ophoere": 0.6, "reducere": 0.4},
}
UNDER_18_SHARE = 0.03      # INC-1: age 17
NOT_REFLECTIVE_SHARE = 0.02   # INC-5
EXCLUSION_SHARE = 0.015    # each of EXC-1..EXC-4
#: Probability that a due ASI interview is registered.
ASI_RESPONSE = {"midtvejs": 0.85, "afslutning": 0.9, "opfoelgning_1": 0.75, "opfoelgning_6": 0.55}
ASI_RESPONSE_DROPOUT_FOLLOWUP = 0.4
#: Share of later ASI rows with one item missing (so the composite is missing, anchors.md 2.3).
ITEM_MISSING_SHARE = 0.03
#: Fall of drug/psychiatric item levels by time point at full attendance; efterbehandling adds
#: AFTERCARE_EFFECT at the follow-ups (seed 002 ch. 4). Attendance scales the fall by
#: DOSE_FLOOR + (1 - DOSE_FLOOR) x share of sessions attended.
FALL = {"midtvejs": 0.35, "afslutning": 0.5, "opfoelgning_1": 0.5, "opfoelgning_6": 0.45}
AFTERCARE_EFFECT = {"opfoelgning_1": 0.15, "opfoelgning_6": 0.2}
DOSE_FLOOR = 0.15
PSYCH_FALL_FACTOR = 0.7
ALCOHOL_FALL_FACTOR = 0.3
#: 'samlet ASI score' is not defined in seed 002; the generator's stand-in is the largest of the
#: drug, psychiatric and alcohol composites (the most burdened domain). evalkit never computes it.
ASI_SAMLET_RULE = "max(asi_stof, asi_psykisk, asi_alkohol)"
#: Decimals of the exported composites: VistA prints them with $J(x,6,4) (anchors.md 2.3).
ASI_DECIMALS = 4
#: Discharge statuses that trigger follow-up at 1 and 6 months for § 101 clients (FU-1).
FU1_STATUSES = ("faerdigbehandlet", "udskrevet_andet_tilbud", "udskrevet_hospital", "udskrevet_anden_aarsag")


def _code(table, column: str, code: str) -> int:
    return table.column(column).codes.index(code)


def _deal(n: int, shares: dict[str, float], rng: np.random.Generator) -> np.ndarray:
    """Keys of ``shares`` dealt to n persons in exact largest-remainder counts, random order."""
    counts = apportion(n, list(shares.values()))
    return rng.permutation(np.repeat(np.array(list(shares), dtype=object), counts))


def _flag(n: int, share: float, rng: np.random.Generator) -> np.ndarray:
    return rng.permutation(np.arange(n) < int(apportion(n, [share, 1 - share])[0]))


# -------------------------------------------------------------------------- structure


def _groups(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Assign persons to groups and places; returns per-person and per-group arrays."""
    per_k = apportion(n, KOMMUNE_SHARES)
    g_kommune, g_slots, g_first, g_size = [], [], [], []
    for k, nk in zip(KOMMUNER, per_k, strict=True):
        if nk == 0:
            continue
        ng = -(-int(nk) // PER_GROUP)
        g_size.append(apportion(int(nk), np.ones(ng)))
        g_kommune.append(np.full(ng, KOMMUNER.index(k)))
        g_slots.append(np.resize(np.array(GROUP_SLOTS), ng))
        g_first.append(np.datetime64(FIRST_SESSION[k]) + 7 * GROUP_STAGGER_WEEKS * (np.arange(ng) % GROUPS_IN_SEQUENCE))
    size = np.concatenate(g_size)
    group = np.repeat(np.arange(size.size), size)
    pos = np.arange(n) - np.repeat(np.cumsum(size) - size, size)
    slots = np.concatenate(g_slots)
    return {"group": group, "slot": pos % slots[group], "round": pos // slots[group],
            "g_kommune": np.concatenate(g_kommune), "g_slots": slots, "g_first": np.concatenate(g_first)}


def _chain_starts(key: np.ndarray, rnd: np.ndarray, weeks_taken: np.ndarray, gap: np.ndarray) -> np.ndarray:
    """Start week of each person in its (group, place) chain: previous leavers' weeks plus gaps."""
    order = np.lexsort((rnd, key))
    step = (gap + weeks_taken)[order]
    csum = np.cumsum(step)
    k = key[order]
    first = np.r_[True, k[1:] != k[:-1]]
    chain_base = np.maximum.accumulate(np.where(first, csum - step, 0))
    start = np.empty_like(csum)
    start[order] = csum - step - chain_base + gap[order]
    return start


# -------------------------------------------------------------------------- ASI items


def _items_intake(n: int, substance: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """ASI items at intake from a drug severity z and a psychiatric severity y (both 0-1)."""
    z = rng.beta(2.5, 4.0, n)
    y = rng.beta(2.0, 6.0, n)
    hash_, stim = substance == "hash", substance == "centralstimulerende"
    days = lambda mean, sd: np.clip(np.rint(mean + rng.normal(0, sd, n)), 0, 30)  # noqa: E731
    occasional = lambda p, hi: (rng.random(n) < p) * rng.integers(1, hi + 1, n)  # noqa: E731
    it = {
        "asi_d_heroin_dage": np.zeros(n),
        "asi_d_metadon_dage": np.zeros(n),
        "asi_d_andre_opiater_dage": occasional(0.05, 4),
        "asi_d_barbiturater_dage": np.zeros(n),
        "asi_d_sedativa_dage": np.where(substance == "andet", days(10 + 10 * z, 4), occasional(0.08, 5)),
        "asi_d_kokain_dage": np.where(stim, days(3 + 9 * z, 3), occasional(0.1, 3)),
        "asi_d_amfetamin_dage": np.where(stim, days(2 + 7 * z, 3), occasional(0.08, 3)),
        "asi_d_cannabis_dage": np.where(hash_, np.maximum(days(12 + 16 * z, 4), 1), days(4 + 8 * z, 4)),
        "asi_d_hallucinogener_dage": occasional(0.06, 3),
    }
    drug_days = np.vstack(list(it.values()))
    it["asi_d_flere_stoffer_dage"] = np.minimum(np.rint(z * 8 * rng.random(n)), np.sort(drug_days, axis=0)[-2])
    it["asi_d_problemdage"] = np.rint(drug_days.max(axis=0) * (0.3 + 0.5 * z))
    it["asi_d_bekymret"] = np.clip(np.rint(4 * z + rng.normal(0, 0.7, n)), 0, 4)
    it["asi_d_behandling_vigtig"] = np.clip(np.rint(1.5 + 2.5 * z + rng.normal(0, 0.7, n)), 0, 4)
    p_sym = {
        "asi_p_depression": 0.15 + 0.55 * y,
        "asi_p_angst": 0.2 + 0.55 * y,
        "asi_p_hallucinationer": 0.01 + 0.08 * y,
        "asi_p_koncentration": 0.1 + 0.45 * y,
        "asi_p_voldelig": 0.02 + 0.12 * y,
        "asi_p_selvmordstanker": 0.01 + 0.12 * y,
        "asi_p_selvmordsforsoeg": 0.002 + 0 * y,
        "asi_p_medicin": 0.04 + 0.25 * y,
    }
    for col, p in p_sym.items():
        it[col] = (rng.random(n) < p).astype(float)
    it["asi_p_problemdage"] = np.clip(np.rint(30 * y * rng.uniform(0.2, 1.0, n)), 0, 30)
    it["asi_p_bekymret"] = np.clip(np.rint(4 * y + rng.normal(0, 0.6, n)), 0, 4)
    it["asi_p_behandling_vigtig"] = np.clip(np.rint(3.5 * y + rng.normal(0, 0.6, n)), 0, 4)
    alc = np.rint(30 * rng.beta(0.8, 7.0, n))
    it["asi_a_alkohol_dage"] = alc
    it["asi_a_beruset_dage"] = rng.binomial(alc.astype(np.int64), 0.3).astype(float)
    it["asi_a_problemdage"] = rng.binomial(alc.astype(np.int64), 0.15).astype(float)
    it["asi_a_bekymret"] = np.clip(np.rint(alc / 10 + rng.normal(0, 0.5, n)), 0, 4)
    it["asi_a_behandling_vigtig"] = np.clip(np.rint(alc / 15 + rng.normal(0, 0.5, n)), 0, 4)
    it["asi_a_penge_kr"] = np.rint(alc * rng.uniform(30, 120, n) / 10) * 10
    return it


def _items_later(base: dict[str, np.ndarray], fall: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Items at a later time point: intake levels times (1 - fall) with noise, per domain."""
    n = fall.size
    out = {}
    for col, v in base.items():
        spec = _ASI.column(col)
        f = fall * (PSYCH_FALL_FACTOR if col.startswith("asi_p_") else
                    ALCOHOL_FALL_FACTOR if col.startswith("asi_a_") else 1.0)
        m = np.clip(1 - f + rng.normal(0, 0.08, n), 0, 1.3)
        if spec.dtype == "bool":
            out[col] = ((v > 0) & (rng.random(n) < m)) | (rng.random(n) < 0.02)
            out[col] = out[col].astype(float)
        elif col == "asi_a_penge_kr":
            out[col] = np.rint(v * m / 10) * 10
        else:
            noise = rng.normal(0, 0.5 if spec.max == 4 else 1.0, n) * (v > 0)
            out[col] = np.clip(np.rint(v * m + noise), 0, spec.max)
    return out


def _composites(items: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Composites from the rule file ``asi``: sum of item/divisor, ln(money) when positive."""
    rule = load_rule("asi")
    by_item = {c.asi_item: c.name for c in _ASI.columns if c.asi_item}
    out = {}
    for comp in rule["composites"].values():
        total: np.ndarray | float = 0.0
        for entry in comp["items"]:
            v = items[by_item[entry["item"]]]
            if entry.get("transform") == "ln_if_positive":
                v = np.where(v > 0, np.log(np.where(v > 0, v, 1.0)), np.where(np.isnan(v), np.nan, 0.0))
            total = total + v / float(entry["divisor"])
        # NaN propagates: any missing item, no composite. Exported at VistA's 4 decimals, which also
        # keeps the written samples byte-identical across CPUs whose log() differs in the last bit.
        out[comp["column"]] = np.round(total, ASI_DECIMALS)
    out["asi_samlet"] = np.maximum(np.maximum(out["asi_stof"], out["asi_psykisk"]), out["asi_alkohol"])
    return out


# -------------------------------------------------------------------------- generate


def generate(persons: int | None = None, seed: int = 2016) -> dict[str, pd.DataFrame]:
    """Synthetic HCS export: ``hcs_deltagere``, ``hcs_asi``, ``hcs_sessioner``, ``hcs_fremmoede``.

    Parameters
    ----------
    persons : int, optional
        Referrals; ``None`` gives :data:`DEFAULT_PERSONS` (60). Any integer >= 10.
    seed : int, default 2016
        Seed of all random choices; the same ``(persons, seed)`` always gives identical frames.

    Returns
    -------
    dict of str to pandas.DataFrame
        Canonical tables with the columns and dtypes of ``evalkit/io/dictionary/hcs.yaml``.

    Notes
    -----
    Rules followed and free choices made are listed in the module docstring and constants.
    ASI composites follow McGahan et al. (1986) as in ``evalkit/rules/asi.yaml``:
    :math:`\\text{drug} = \\sum_{D3..D11,D13,D27} x/390 + (D29 + D31)/52` etc.; ``asi_samlet`` is
    :data:`ASI_SAMLET_RULE`. Seed 002 prints no outcome figures, so nothing is calibrated to
    published numbers.

    Examples
    --------
    >>> t = generate()
    >>> sorted(t)
    ['hcs_asi', 'hcs_deltagere', 'hcs_fremmoede', 'hcs_sessioner']
    >>> len(t["hcs_deltagere"]), sorted(t["hcs_deltagere"]["kommune"].unique())
    (60, ['Esbjerg', 'Frederiksberg'])
    >>> int(t["hcs_fremmoede"].groupby("deltager_id").size().max())
    16
    """
    if persons is None:
        persons = DEFAULT_PERSONS
    if isinstance(persons, bool) or not isinstance(persons, (int, np.integer)) or persons < 10:
        raise ValueError(f"`persons` must be None or an integer >= 10, got {persons!r}")
    n = int(persons)
    rng = streams(seed, ["structure", "attributes", "attendance", "asi", "dates"])
    r_s, r_a, r_t, r_q, r_d = (rng[k] for k in ("structure", "attributes", "attendance", "asi", "dates"))

    # how each course ends, and weeks in the group
    outcome = _deal(n, OUTCOME_SHARES, r_a)
    completed, dropout, excluded = (outcome == k for k in OUTCOME_SHARES)
    leave_week = r_s.integers(2, 13, n)                  # dropouts: sessions in the group
    run_start = r_s.integers(3, 11, n)                   # excluded: first of the no-show run
    weeks_taken = np.select([completed, dropout], [WEEKS, leave_week], run_start + NO_SHOW_RUN)

    g = _groups(n, r_s)
    gap = np.where(g["round"] == 0, r_s.integers(0, 2, n), np.minimum(r_s.geometric(0.6, n) - 1, 4))
    chain = g["group"] * 100 + g["slot"]
    start_week = _chain_starts(chain, g["round"], weeks_taken, gap)
    group = g["group"]
    n_groups = g["g_slots"].size
    g_weeks = np.zeros(n_groups, np.int64)
    np.maximum.at(g_weeks, group, start_week + weeks_taken)
    g_offset = np.cumsum(g_weeks) - g_weeks
    first_session = g["g_first"][group] + 7 * start_week

    # sessions
    s_group = np.repeat(np.arange(n_groups), g_weeks)
    s_week = np.arange(s_group.size) - g_offset[s_group]
    s_date = g["g_first"][s_group] + 7 * s_week
    leaders = np.where(_flag(s_group.size, ONE_LEADER_SHARE, r_s), 1, 2)
    tema = np.char.add("Fast tema ", (s_week % 8 + 1).astype(str))
    g_names = np.empty(n_groups, dtype=object)
    for k in range(len(KOMMUNER)):  # number groups within each municipality
        sel = np.flatnonzero(g["g_kommune"] == k)
        g_names[sel] = [f"{KOMMUNER[k][:3].upper()}-G{i + 1}" for i in range(sel.size)]
    session_ids = make_ids("S", s_group.size, width=max(5, len(str(s_group.size))))

    # persons get ids in order of their first session
    order = np.lexsort((np.arange(n), first_session))
    inv = np.empty(n, np.int64)
    inv[order] = np.arange(n)
    ids = make_ids("H", n)

    # attendance rows, already in output order: persons by id, then weeks start..start+weeks_taken-1
    w_o = weeks_taken[order]
    rows = np.repeat(order, w_o)
    first_row = np.cumsum(w_o) - w_o
    k_in = np.arange(rows.size) - np.repeat(first_row, w_o)
    p_show = np.where(completed, r_t.beta(8, 2, n), r_t.beta(5, 3, n))
    u = r_t.random(rows.size)
    status = np.where(u < p_show[rows], 0, np.where(r_t.random(rows.size) < 0.7, 1, 2))  # moedt/afbud/ikke
    status[k_in == 0] = 0                                  # everybody meets at the first session
    run = excluded[rows] & (k_in >= weeks_taken[rows] - NO_SHOW_RUN)
    noshow = status == 2
    csum = np.cumsum(noshow)
    seen = csum - np.repeat(csum[first_row] - noshow[first_row], w_o)  # no-shows so far, per person
    status[noshow & ((seen > 1) | excluded[rows]) & ~run] = 1   # at most one, and none before a run
    status[run] = 2
    att_session = g_offset[group[rows]] + start_week[rows] + k_in
    moedt = np.bincount(rows, weights=status == 0, minlength=n)
    moedt_half = np.bincount(rows, weights=(status == 0) & (k_in < WEEKS // 2), minlength=n)

    # background attributes
    attr = {key: _deal(n, shares, r_a) for key, shares in SHARES.items()}
    alder = np.clip(18 + np.rint(r_a.gamma(2.0, 4.5, n)), 18, 64).astype(np.int64)
    alder[_flag(n, UNDER_18_SHARE, r_a)] = 17
    reflective = ~_flag(n, NOT_REFLECTIVE_SHARE, r_a)
    eksk = {c: _flag(n, EXCLUSION_SHARE, r_a) for c in ("eksk_psykisk", "eksk_opmaerksomhed", "eksk_aggression",
                                                         "eksk_paavirket")}
    anonymous = attr["lovgrundlag"] == "sel101a"
    forsamtale = first_session - r_d.integers(3, 15, n)
    last_session = first_session + 7 * (weeks_taken - 1)
    udskrivning = last_session + r_d.integers(0, 7, n)
    disch = np.empty(n, dtype=object)
    disch[completed] = _deal(int(completed.sum()), COMPLETED_STATUS, r_a)
    disch[dropout] = _deal(int(dropout.sum()), DROPOUT_STATUS, r_a)
    disch[excluded] = "ekskluderet"
    share = moedt / WEEKS
    aftercare = completed & (r_a.random(n) < np.clip(0.1 + 0.6 * (share - 0.5), 0.05, 0.5))

    # ASI rows
    base = _items_intake(n, attr["hovedstof"], r_q)
    fu_due = (~anonymous) & np.isin(disch, FU1_STATUSES)
    due = {
        "indskrivning": np.ones(n, bool),
        "midtvejs": (~anonymous) & (weeks_taken > WEEKS // 2) & (r_q.random(n) < ASI_RESPONSE["midtvejs"]),
        "afslutning": (~anonymous) & completed & (r_q.random(n) < ASI_RESPONSE["afslutning"]),
    }
    for tp in ("opfoelgning_1", "opfoelgning_6"):
        p = np.where(completed, ASI_RESPONSE[tp], ASI_RESPONSE_DROPOUT_FOLLOWUP)
        due[tp] = fu_due & (r_q.random(n) < p)
    dates = {
        "indskrivning": forsamtale - r_d.integers(0, 11, n),
        "midtvejs": first_session + 7 * (WEEKS // 2) + r_d.integers(0, 7, n),
        "afslutning": udskrivning,
        "opfoelgning_1": udskrivning + 30 + r_d.integers(0, 11, n),
        "opfoelgning_6": udskrivning + 182 + r_d.integers(0, 15, n),
    }
    tps = _ASI.column("tidspunkt").codes
    parts = []
    for t, tp in enumerate(tps):
        who = np.flatnonzero(due[tp])
        if tp == "indskrivning":
            items = {c: v[who].astype(float) for c, v in base.items()}
            for c in items:
                items[c][anonymous[who]] = np.nan          # anonymous: no ASI via the database
        else:
            dose = DOSE_FLOOR + (1 - DOSE_FLOOR) * (moedt_half[who] / (WEEKS // 2) if tp == "midtvejs"
                                                    else share[who])
            fall = FALL[tp] * dose + AFTERCARE_EFFECT.get(tp, 0.0) * aftercare[who]
            items = _items_later({c: v[who] for c, v in base.items()}, fall, r_q)
            lose = r_q.random(who.size) < ITEM_MISSING_SHARE
            cols = list(items)
            pick = r_q.integers(0, len(cols), who.size)
            for j, c in enumerate(cols):
                items[c][lose & (pick == j)] = np.nan
        parts.append((who, np.full(who.size, t), items))
    a_person = np.concatenate([p[0] for p in parts])
    a_tp = np.concatenate([p[1] for p in parts])
    a_items = {c: np.concatenate([p[2][c] for p in parts]) for c in base}
    a_dates = np.stack([dates[tp] for tp in tps])[a_tp, a_person]

    def codes(table, column, values):
        return pd.Categorical(values, categories=table.column(column).codes).codes.astype(np.int64)

    o = order
    deltagere = canonical_frame("hcs", "hcs_deltagere", {
        "deltager_id": ids,
        "kommune": np.array(KOMMUNER, dtype=object)[g["g_kommune"][group[o]]],
        "gruppe_id": g_names[group[o]],
        "alder": alder[o],
        "koen": codes(_DEL, "koen", attr["koen"][o]),
        "lovgrundlag": codes(_DEL, "lovgrundlag", attr["lovgrundlag"][o]),
        "hovedstof": codes(_DEL, "hovedstof", attr["hovedstof"][o]),
        "tilknytning": codes(_DEL, "tilknytning", attr["tilknytning"][o]),
        "maal": codes(_DEL, "maal", attr["maal"][o]),
        "reflekterende": reflective[o],
        **{c: v[o] for c, v in eksk.items()},
        "forsamtale_dato": forsamtale[o],
        "udskrivningsdato": udskrivning[o],
        "udskrivningsstatus": codes(_DEL, "udskrivningsstatus", disch[o]),
        "efterbehandling": aftercare[o],
    })
    key = np.lexsort((a_tp, inv[a_person]))
    asi_cols = {"deltager_id": ids.take(inv[a_person][key]), "tidspunkt": a_tp[key], "dato": a_dates[key]}
    for c, v in a_items.items():
        v = v[key]
        kind = _ASI.column(c).dtype
        asi_cols[c] = (v if kind == "float" else
                       np.ma.MaskedArray(v > 0 if kind == "bool" else np.nan_to_num(v).astype(np.int64),
                                         mask=np.isnan(v)))
    asi_cols.update({c: v[key] for c, v in _composites(a_items).items()})
    asi = canonical_frame("hcs", "hcs_asi", asi_cols)
    sessioner = canonical_frame("hcs", "hcs_sessioner", {
        "session_id": session_ids, "gruppe_id": g_names[s_group], "dato": s_date,
        "ledere_til_stede": leaders, "tema": tema.astype(object)})
    fremmoede = canonical_frame("hcs", "hcs_fremmoede", {
        "deltager_id": ids.take(inv[rows]),
        "session_id": session_ids.take(att_session),
        "status": status,
    })
    return {"hcs_deltagere": deltagere, "hcs_asi": asi, "hcs_sessioner": sessioner, "hcs_fremmoede": fremmoede}
