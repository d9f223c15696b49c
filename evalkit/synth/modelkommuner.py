"""Synthetic export for the Modelkommune evaluation (seed 003): ``modelkommuner`` dataset.

NIRAS's evaluation of "Modelkommuneprojekt Unge, alkohol og stoffer" (2011-2014) prints institution
counts and survey results of 44 institutions (November 2014) without the microdata. This generator
builds the institution rows and the 6 project rows so that every printed figure a respondent-level file
determines is reproduced exactly (spec seed002_003_figures.md part 2 and 2.9):

- flow (5.3): 50 institutions at the start, 7 withdrew, 2 joined, 45 at the end, 44 answered;
- per project at the end (chapter 04): København 4, HOK 11, Odense 12, Svendborg 7, Skive 6, and
  Horsens 5 (the profile prints no count; 5 is what reconciles the others with 45);
- survey counts on base 44: action plan separate 13 / integrated 19; involvement of management 38
  (86 %), teachers 30 (68 %), students 15 (34 %); trained in detection "over halvdelen"/"alle" 14, none 6;
  in support 7 / 7; awareness "i høj grad" 24 (55 %), increased 17 (39 %), handling 17 (39 %); better at
  handling 16; a friend's use "ind i mellem" 36, "ofte" 1; a specific counselling offer 29 (66 %), in the
  general offer 10 (not among the 29); the teacher contacts the school's counselling 28;
- counselling location on the 29 with a specific offer: local 17 (59 %), municipality 6 (21 %), other 6;
- project counts (chapters 5-8): policy common 3 / individual (not possible) 2 / individual (chosen) 1;
  anchored in an operating unit 3; cooperation with all institutions 3 / selected 3; key persons at all
  schools 3 / some 2 / none 1; detection by teachers 4 / municipal workers too 2; parents 3; bridging to
  primary school 3 and not yet 1 (2 not stated); steering group of school leaders 4; courses for key
  persons 3, of which every teacher 1; training continues 2; short films 3.

Free choices (the document does not give them, so the sample is one plausible reading): which
project is which where the document does not name it; the school types within each project (from the
profile lists); the levels the document does not print (e.g. "under halvdelen", "i nogen grad"); the
non-printed multi-response items (substances, counsellor roles); and the links behind the crosstabs
(students involved more often under individual policies, as the document claims at 6.4; key persons
more often at gymnasiale uddannelser and production schools, 5.5; training in detection more often
where there is an action plan, 6.7). With ``persons=N`` the 52 institution rows are repeated (new ids)
up to N rows, so every share stays the same for multiples of 52.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from evalkit.io.schema import dataset
from evalkit.synth._common import canonical_frame, make_ids, streams

__all__ = ["DEFAULT_INSTITUTIONS", "PROJECTS", "generate"]

_DS = dataset("modelkommuner")
_INST = _DS.table("mk_institutioner")
_PROJ = _DS.table("mk_projekter")

#: Institutions that ever took part: 50 at the start + 2 that joined (seed 003, 5.3 L1268-1272).
DEFAULT_INSTITUTIONS = 52

#: Per project: (municipality, school type, status) of every institution. Status: "" = in from the
#: start to the end, "out" = withdrew, "joined" = joined later, "no_answer" = at the end, no survey answer.
_I = [
    ("kobenhavn", [("kobenhavn", t, "") for t in ("almen_gymnasium", "teknisk_skole", "ungdomsskole", "hhx")]
     + [("kobenhavn", "hf", "out")]),
    ("hok", [("holbaek", "almen_gymnasium", ""), ("holbaek", "teknisk_skole", ""), ("holbaek", "hhx", ""),
             ("holbaek", "voksenuddannelse", ""), ("holbaek", "produktionsskole", "joined"),
             ("odsherred", "ungdomsskole", ""), ("odsherred", "produktionsskole", ""),
             ("odsherred", "social_sundhed", ""), ("kalundborg", "almen_gymnasium", ""),
             ("kalundborg", "teknisk_skole", ""), ("kalundborg", "ungdomsskole", ""),
             ("holbaek", "tiende_klasse", "out"), ("kalundborg", "teknisk_skole", "out")]),
    ("odense", [("odense", t, "") for t in ("almen_gymnasium", "almen_gymnasium", "almen_gymnasium", "teknisk_skole",
                                            "hhx", "voksenuddannelse", "social_sundhed", "ungdomsskole", "ungdomsskole",
                                            "produktionsskole", "produktionsskole")]
     + [("odense", "teknisk_skole", "no_answer"), ("odense", "hf", "out"), ("odense", "hotel_restaurant", "out")]),
    ("svendborg", [("svendborg", t, "") for t in ("teknisk_skole", "hhx", "voksenuddannelse", "almen_gymnasium",
                                                  "social_sundhed", "produktionsskole")]
     + [("svendborg", "soefartsskole", "joined"), ("svendborg", "ungdomsskole", "out")]),
    ("horsens", [("horsens", t, "") for t in ("teknisk_skole", "almen_gymnasium", "voksenuddannelse", "social_sundhed",
                                              "landbrugsskole")] + [("horsens", "produktionsskole", "out")]),
    ("skive", [("skive", t, "") for t in ("almen_gymnasium", "hhx", "teknisk_skole", "teknisk_skole",
                                          "produktionsskole", "ungdomsskole")]),
]

#: The 6 project rows (chapter 04 profiles; counts of chapters 5-8 assigned where the document names no project).
PROJECTS: dict[str, list[Any]] = {
    "project": ["kobenhavn", "hok", "odense", "svendborg", "horsens", "skive"],
    "titel": ["Unge, Alkohol og Stoffer på Ungdomsuddannelserne", "Ung og Rus", "KulturRus", "Rusk",
              "Unge og Rusmidler – Fælles indsats, fælles ansvar",
              "På eller Påvirket? Rusmiddelnetværket – på tværs i Skive"],
    "kommuner": ["København", "Holbæk, Odsherred, Kalundborg", "Odense", "Svendborg", "Horsens", "Skive"],
    "projektleder": ["Johanne Møller", "Helle Oldrup Jensen", "Torben Vangsted",
                     "Louise Elisabeth Madsen og Jørn Olsen", "Jan Asmussen", "Søren Holm"],
    "forvaltning": ["social", "sundhed", "social", "sundhed", None, None],
    "udfoerende_enhed": [True, False, False, False, True, True],
    "antal_institutioner": [4, 11, 12, 7, None, 6],
    "skoletyper": ["gymnasium, erhvervsskole, ungdomsskole, handelsskole",
                   "teknisk skole, handelsskole, VUC, gymnasium, social- og sundhedsskole, ungdomsskole, "
                   "produktionsskole",
                   "teknisk skole, handelsskole, VUC, gymnasium, social- og sundhedsskole, ungdomsskole, "
                   "produktionsskole",
                   "teknisk skole, handelsskole, VUC, gymnasium, social- og sundhedsskole, produktionsskole, "
                   "søfartsskole",
                   "teknisk skole, HF, VUC, gymnasium, social- og sundhedsskole, landbrugsskole, produktionsskole",
                   "gymnasium, handelsskole, erhvervsskole, produktionsskole, kommunal ungdomsskole"],
    "politik": ["individuel_tvunget", "faelles", "individuel_valgt", "individuel_tvunget", "faelles", "faelles"],
    "samarbejde": ["udvalgte", "udvalgte", "samtlige", "udvalgte", "samtlige", "samtlige"],
    "noeglepersoner": ["alle", "nogle", "ingen", "nogle", "alle", "alle"],
    "opsporing": ["skolen", "skolen", "skolen", "ogsaa_kommunen", "ogsaa_kommunen", "skolen"],
    "brobygning_folkeskole": ["ja", None, "ikke_endnu", "ja", None, "ja"],
    "foraeldre": [False, True, False, True, False, True],
    "styregruppe_ledere": [True, False, True, True, False, True],
    "kurser_noeglepersoner": [False, True, False, True, False, True],
    "kurser_alle_undervisere": [False, False, False, False, False, True],
    "fortsaetter_opkvalificering": [False, False, False, True, True, False],
    "kortfilm": [True, False, False, False, True, True],
    "raadgivningsmodel": ["skolens vejledere eller elevcoaches", "ungebehandlere kommer ud på skolerne",
                          "Fokuseret Indsats: afklarende samtaler", "rusmiddelkonsulenter og behandlere på skolerne",
                          "Ungekontakten: træffetider på 10 adresser", "fleksibelt rådgivningsforløb, gruppesamtaler"],
}

INDIVIDUAL_POLICY = ("kobenhavn", "odense", "svendborg")
ENGAGED_TYPES = ("almen_gymnasium", "hf", "htx", "hhx", "produktionsskole")


def _code(table, column: str, values) -> np.ndarray:
    codes = table.column(column).codes
    return np.array([-1 if v is None else codes.index(v) for v in values], dtype=np.int64)


def _pick(pool: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """``k`` positions drawn without replacement from ``pool`` (sorted)."""
    if k > len(pool):
        raise ValueError(f"cannot pick {k} of {len(pool)}")
    return np.sort(rng.choice(pool, size=k, replace=False)) if k else np.array([], dtype=np.int64)


def _flags(n: int, on: np.ndarray) -> np.ndarray:
    out = np.zeros(n, dtype=bool)
    out[on] = True
    return out


def _levels(pool: np.ndarray, counts: dict[str, int], n: int, rng: np.random.Generator) -> np.ndarray:
    """Deal the levels (exact counts, in a shuffled order) to the positions of ``pool``."""
    out = np.full(n, None, dtype=object)
    deck = np.repeat(np.array(list(counts), dtype=object), list(counts.values()))
    if len(deck) != len(pool):
        raise ValueError(f"{sum(counts.values())} levels for {len(pool)} positions")
    out[pool] = rng.permutation(deck)
    return out


def _survey(project: np.ndarray, school: np.ndarray, status: np.ndarray,
            rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Survey answers of the respondents (everything else missing), with the printed margins."""
    n = len(project)
    r = np.flatnonzero(np.isin(status, ("", "joined")))            # the 44 respondents
    individual = r[np.isin(project[r], INDIVIDUAL_POLICY)]
    common = r[~np.isin(project[r], INDIVIDUAL_POLICY)]
    joiners = r[status[r] == "joined"]
    out: dict[str, np.ndarray] = {}

    # 6.2 policy status: joiners are still drafting; "enkelte" had a policy before the project
    drafting = np.r_[joiners, _pick(np.setdiff1d(common, joiners), 1, rng)]
    before = _pick(np.setdiff1d(individual, drafting), 3, rng)
    status_policy = np.full(n, None, dtype=object)
    status_policy[common] = "del_af_faelles"
    status_policy[individual] = "selvstaendig"
    status_policy[before] = "foer_projektstart"
    status_policy[drafting] = "under_udarbejdelse"
    out["policy_status"] = status_policy

    # 6.2 action plans 13 / 19 / 12 (those still drafting have none); 6.7 followed "altid/ofte" by most
    no_plan = np.r_[drafting, _pick(np.setdiff1d(r, drafting), 12 - len(drafting), rng)]
    with_plan = np.setdiff1d(r, no_plan)
    separate = _pick(with_plan, 13, rng)
    plan = np.full(n, None, dtype=object)
    plan[no_plan], plan[with_plan], plan[separate] = "ingen", "integreret", "saerskilt"
    out["action_plan"] = plan
    out["action_plan_followed"] = _levels(with_plan, {"altid": 9, "ofte": 14, "sjaeldent": 7, "aldrig": 2}, n, rng)

    # 6.3 substances (figure values not printed) and 6.4 involvement: students mostly under individual policies
    for col, k in (("policy_alkohol", 42), ("policy_hash", 40), ("policy_andre_stoffer", 31),
                   ("involved_ledelse", 38), ("involved_laerere", 30), ("policy_made_known", 33),
                   ("handle_support_improved_3y", 16), ("teacher_contacts_counselling", 28),
                   ("teacher_encourages_student", 17), ("teacher_talks_student", 20)):
        out[col] = _answers(n, r, _pick(r, k, rng))
    out["involved_elever"] = _answers(n, r, np.r_[_pick(individual, 11, rng), _pick(common, 4, rng)])

    # 5.5 key persons follow the project's coverage (alle / nogle / ingen), at engaged school types first
    coverage = dict(zip(PROJECTS["project"], PROJECTS["noeglepersoner"], strict=True))
    key = []
    for p, cov in coverage.items():
        members = r[project[r] == p]
        if cov == "alle":
            key.append(members)
        elif cov == "nogle":
            engaged = members[np.isin(school[members], ENGAGED_TYPES)]
            key.append(engaged)
    out["noegleperson"] = _answers(n, r, np.concatenate(key))

    # 7.1 training: detection 14 top-two (12 of them with an action plan), 6 none; support 7 / 7
    top_det = np.r_[_pick(with_plan, 12, rng), _pick(no_plan, 2, rng)]
    rest = np.setdiff1d(r, top_det)
    none_det = _pick(rest, 6, rng)
    det = np.full(n, None, dtype=object)
    det[rest] = "under_halvdelen"
    det[none_det] = "ingen"
    det[top_det] = rng.permutation(np.array(["alle"] * 5 + ["over_halvdelen"] * 9, dtype=object))
    out["training_opspore"] = det
    out["training_stoette"] = _levels(r, {"alle": 2, "over_halvdelen": 5, "under_halvdelen": 30, "ingen": 7}, n, rng)

    # 7.3 awareness and handling (only "i høj grad" printed)
    out["aware_now"] = _levels(r, {"i_hoej_grad": 24, "i_nogen_grad": 17, "i_mindre_grad": 3}, n, rng)
    out["aware_increased"] = _levels(r, {"i_hoej_grad": 17, "i_nogen_grad": 20, "i_mindre_grad": 5, "slet_ikke": 2},
                                     n, rng)
    out["handle_support_now"] = _levels(r, {"i_hoej_grad": 17, "i_nogen_grad": 21, "i_mindre_grad": 6}, n, rng)
    # 8.2 a friend's use: "ind i mellem" 36, "ofte" 1
    out["friend_concern_freq"] = _levels(r, {"ofte": 1, "ind_i_mellem": 36, "sjaeldent": 6, "aldrig": 1}, n, rng)

    # 8.4 counselling: 29 specific offers, 10 others in the general offer; location asked of the 29
    specific = _pick(r, 29, rng)
    general = _pick(np.setdiff1d(r, specific), 10, rng)
    out["counselling_specific"] = _answers(n, r, specific)
    out["counselling_in_general_offer"] = _answers(n, r, general)
    out["counselling_location"] = _levels(specific, {"lokalt": 17, "kommunen": 6, "anden": 6}, n, rng)
    # 8.5 who counsels (figure values not printed), asked of the 39 with an offer
    offer = np.sort(np.r_[specific, general])
    for col, k in (("counsellor_misbrugskonsulent", 30), ("counsellor_studievejleder", 28),
                   ("counsellor_kontaktlaerer", 12), ("counsellor_skolepsykolog", 9),
                   ("counsellor_uu_vejleder", 7), ("counsellor_andre", 8)):
        out[col] = _answers(n, offer, _pick(offer, k, rng))
    return out


def _answers(n: int, asked: np.ndarray, yes: np.ndarray) -> np.ma.MaskedArray:
    """Yes/no for the units ``asked`` (yes at ``yes``), missing for everyone else."""
    return np.ma.MaskedArray(_flags(n, yes), mask=~_flags(n, asked))


def _institutions(rng: np.random.Generator) -> dict[str, np.ndarray]:
    rows = [(p, m, t, s) for p, members in _I for (m, t, s) in members]
    project, municipality, school, status = (np.array(c, dtype=object) for c in zip(*rows, strict=True))
    order = np.lexsort((rng.random(len(rows)), _code(_INST, "project", project)))
    project, municipality, school, status = project[order], municipality[order], school[order], status[order]
    cols: dict[str, np.ndarray] = {"project": project, "municipality": municipality, "school_type": school,
                                   "in_project_start": status != "joined", "withdrew": status == "out",
                                   "joined_late": status == "joined", "in_project_end": status != "out",
                                   "responded": np.isin(status, ("", "joined"))}
    cols.update(_survey(project, school, status, rng))
    return cols


def generate(persons: int | None = None, seed: int = 2014) -> dict[str, pd.DataFrame]:
    """Synthetic Modelkommune export: ``mk_institutioner`` (52 rows) and ``mk_projekter`` (6 rows).

    Parameters
    ----------
    persons : int, optional
        Institution rows; ``None`` gives :data:`DEFAULT_INSTITUTIONS` (52, the published sample).
        Other values repeat (or cut) the 52 rows, with new ids; the printed figures hold for 52 only.
    seed : int, default 2014
        Seed of the free choices; every printed figure holds for any seed.

    Examples
    --------
    >>> t = generate()
    >>> len(t["mk_institutioner"]), int(t["mk_institutioner"]["responded"].sum()), len(t["mk_projekter"])
    (52, 44, 6)
    >>> int(t["mk_institutioner"]["involved_laerere"].sum())
    30
    """
    if persons is None:
        persons = DEFAULT_INSTITUTIONS
    if isinstance(persons, bool) or not isinstance(persons, (int, np.integer)) or persons < 1:
        raise ValueError(f"`persons` must be None or a positive integer, got {persons!r}")
    rng = streams(seed, ["institutions"])["institutions"]
    cols = _institutions(rng)
    reps = -(-int(persons) // DEFAULT_INSTITUTIONS)
    take = np.resize(np.arange(DEFAULT_INSTITUTIONS), reps * DEFAULT_INSTITUTIONS)[: int(persons)]
    values: dict[str, object] = {"institution_id": make_ids("I", int(persons), width=3 if persons < 1000 else None)}
    for name, arr in cols.items():
        col = _INST.column(name)
        if col.dtype == "category":
            values[name] = _code(_INST, name, arr[take])
        elif isinstance(arr, np.ma.MaskedArray):
            values[name] = arr[take]
        else:
            values[name] = np.asarray(arr)[take]
    institutions = canonical_frame("modelkommuner", "mk_institutioner", values)
    proj = {k: (_code(_PROJ, k, v) if _PROJ.column(k).dtype == "category" else _project_column(k, v))
            for k, v in PROJECTS.items()}
    return {"mk_institutioner": institutions, "mk_projekter": canonical_frame("modelkommuner", "mk_projekter", proj)}


def _project_column(name: str, values: list[Any]) -> object:
    dtype = _PROJ.column(name).dtype
    if dtype in ("bool", "int"):
        return np.ma.MaskedArray([0 if v is None else v for v in values], mask=[v is None for v in values])
    return np.array(values, dtype=object)
