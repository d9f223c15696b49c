"""Section 6.2: the UngMap intake (004-F6.6-6.18)."""

from __future__ import annotations

from typing import Any

import numpy as np

from evalkit.report._build import TOTAL, UNKNOWN, binary_rows, count, distribution_rows, mean_cell, share, share_column
from evalkit.report._build.bilingual import fill, joined
from evalkit.report.model import Cell, Column, T, Table
from evalkit.report.spec import Context
from evalkit.report.ung_rusmidler.common import (
    PROFILE_LABEL,
    PROFILES,
    RISK_LABEL,
    RISKS,
)
from evalkit.report.ung_rusmidler.prepared import _prep
from evalkit.report.ung_rusmidler.text import TXT


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
                  title=TXT("tables.aldersfordeling.title"),
                  columns=[Column("antal", TXT("ungmap.number")),
                           share_column("pct", TXT("ungmap.share"), count_of="antal"),
                           Column("udbredelse_pct", TXT("ungmap.dissemination_programme")),
                           Column("metode_pct", TXT("ungmap.method_programme"))], additive=True)
    keys = [b["key"] for b in bands]
    extra = {b["key"]: {"udbredelse_pct": _ref(refs["udbredelse"].get(b["key"])),
                        "metode_pct": _ref(refs["metode"].get(b["key"]))} for b in bands}
    distribution_rows(table, keys, {b["key"]: T(b["da"], b["en"]) for b in bands}, codes, extra=extra,
                      total_link="ungmap_alle")
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
                  title=TXT("tables.ungeprofil.title"),
                  columns=[Column("antal", TXT("ungmap.number")),
                           share_column("pct", TXT("ungmap.share"), count_of="antal"),
                           Column("danske_unge_pct", TXT("ungmap.danish_youth_in_general")),
                           Column("udbredelse_pct", TXT("ungmap.dissemination_programme")),
                           Column("metode_pct", TXT("ungmap.method_programme"))], additive=True)
    keys = [p.lower() for p in PROFILES]
    extra = {p.lower(): {"danske_unge_pct": _ref(refs["danske_unge"]["ungeprofil"].get(p)),
                         "udbredelse_pct": _ref(refs["udbredelse"]["ungeprofil"].get(p)),
                         "metode_pct": _ref(refs["metode"]["ungeprofil"].get(p))} for p in PROFILES}
    distribution_rows(table, keys, {p.lower(): PROFILE_LABEL[p] for p in PROFILES}, prep.ungmap["profile"],
                      extra=extra, link="ungmap_profil", total_link="ungmap_alle")
    profile = prep.ungmap["profile"]
    known = profile >= 0
    table.add_row("ikke_lav", TXT("cells.not_lav"),
                  {"pct": share((known & (profile != PROFILES.index("LAV"))).sum(), known.sum())})
    d, u, m = (refs[k]["ungeprofil_sip_sep_unassigned"] for k in ("danske_unge", "udbredelse", "metode"))
    table.notes.append(fill(TXT("templates.ungeprofil_source"), n_metode=refs["metode"]["n_ungeprofil"],
                            d0=d[0], d1=d[1], u0=u[0], u1=u[1], m0=m[0], m1=m[1]))
    return table


def _stofbrug(ctx: Context) -> Table:
    """004-F6.14: drug use in the 30 days before intake (multi-response)."""
    prep = _prep(ctx)
    um = prep.ungmap
    table = Table(id="stofbrug", source="004-F6.14",
                  title=TXT("tables.stofbrug.title"),
                  columns=[Column("pct", TXT("ungmap.share")), Column("n", TXT("ungmap.answers"))])
    binary_rows(table, [("cannabis", TXT("ungmap.cannabis"), um["cannabis"]),
                         ("centralstimulerende", TXT("ungmap.stimulants"),
                          um["centralstimulerende"]),
                         ("opioider", TXT("ungmap.opioids"), um["opioider"]),
                         ("andre_stoffer", TXT("ungmap.other_drugs"), um["andre_stoffer"]),
                         ("stoffri", TXT("ungmap.drug_free"), um["stoffri"])])
    drugs = [TXT(f"rules.drugs.{col.split('_')[1]}") for col in prep.c["drug_use"]["centralstimulerende_columns"]]
    cs = fill(TXT("templates.listing"), first=joined(drugs[:-1], ", "), last=drugs[-1]) if len(drugs) > 1 else drugs[0]
    table.notes.append(fill(TXT("templates.drug_use_groups"), columns=cs))
    return table


def _stofbelastning(ctx: Context) -> Table:
    """004-F6.15: stofscore under 12 / 12+ (the 12+ class decided in integer arithmetic, A21)."""
    prep = _prep(ctx)
    s12 = prep.ungmap["stofscore_12plus"]
    codes = np.where(np.isnan(s12), -1, s12).astype(np.int64)
    table = Table(id="stofbelastning", source="004-F6.15",
                  title=TXT("tables.stofbelastning.title"),
                  columns=[Column("antal", TXT("ungmap.number")),
                           share_column("pct", TXT("ungmap.share"), count_of="antal")],
                  additive=True)
    distribution_rows(table, ["stofscore_under_12", "stofscore_12plus"],
                  {"stofscore_under_12": TXT("ungmap.drug_score_below_12"),
                   "stofscore_12plus": TXT("ungmap.drug_score_12_or_more")}, codes,
                  link="ungmap_stofscore", total_link="ungmap_alle")
    table.notes.append(TXT("ungmap.drug_score_hash_30_cocaine"))
    return table


def _stofbelastning_sammenligning(ctx: Context) -> Table:
    """004-F6.16a (and the mean of 004-F6.15): stofscore 12+ and drug-free vs the other programmes."""
    prep = _prep(ctx)
    um, refs = prep.ungmap, prep.c["references"]
    table = Table(id="stofbelastning_sammenligning", source="004-F6.16a",
                  title=TXT("tables.stofbelastning_sammenligning.title"),
                  columns=[Column("ung_rusmidler", TXT("ungmap.ung_rusmidler")), Column("n", TXT("ungmap.answers")),
                           Column("udbredelse", TXT("ungmap.dissemination_programme_2")),
                           Column("metode", TXT("ungmap.method_programme_2"))])
    score = um["stofscore"]
    table.add_row("gns_stofscore", TXT("ungmap.mean_drug_score_0_100"),
                  {"ung_rusmidler": mean_cell(score), "n": count((~np.isnan(score)).sum())})
    binary_rows(table, [("stofscore_12plus_pct", TXT("ungmap.share_with_a_drug_score"), um["stofscore_12plus"]),
                         ("stoffri_pct", TXT("ungmap.share_drug_free_in_the"), um["stoffri"])],
                 share_col="ung_rusmidler",
                 extra={"stofscore_12plus_pct": {"udbredelse": _ref(refs["udbredelse"]["stofscore_12plus"]),
                                                 "metode": _ref(refs["metode"]["stofscore_12plus"])},
                        "stoffri_pct": {"udbredelse": _ref(refs["udbredelse"]["stoffri"]),
                                        "metode": _ref(refs["metode"]["stoffri"])}},
                 links={"stofscore_12plus_pct": "ungmap_stofscore_stofscore_12plus"})
    nu, nm = refs["udbredelse"]["n"], refs["metode"]["n"]
    table.notes.append(fill(TXT("templates.programmes_printed"), nu=nu, nm=nm))
    return table


def _andre_vanskeligheder(ctx: Context) -> Table:
    """004-F6.17: education, education benefit, psychiatric diagnosis, illegal activities at intake."""
    prep = _prep(ctx)
    um, refs = prep.ungmap, prep.c["references"]
    table = Table(id="andre_vanskeligheder", source="004-F6.17",
                  title=TXT("tables.andre_vanskeligheder.title"),
                  columns=[Column("ung_rusmidler", TXT("ungmap.ung_rusmidler_2")),
                           Column("n", TXT("ungmap.answers")),
                           Column("udbredelse", TXT("ungmap.dissemination_programme")),
                           Column("metode", TXT("ungmap.method_programme"))])
    rows = [("i_uddannelse", TXT("ungmap.in_education")),
            ("uddannelseshjaelp", TXT("ungmap.on_education_benefit")),
            ("psykiatrisk_diagnose", TXT("ungmap.psychiatric_diagnosis_given_by_a")),
            ("illegale_aktiviteter", TXT("ungmap.illegal_activities"))]
    binary_rows(table, [(k, lab, um[k]) for k, lab in rows], share_col="ung_rusmidler",
                 extra={k: {"udbredelse": _ref(refs["udbredelse"][k]), "metode": _ref(refs["metode"][k])}
                        for k, _ in rows})
    table.notes.append(TXT("ungmap.in_education_fn_17_the"))
    return table


def _risikoprofil(ctx: Context) -> Table:
    """004-F6.18: Risikoprofil R0-R3 (count of stofscore 12+, psychiatric diagnosis, uddannelseshjælp)."""
    prep = _prep(ctx)
    risk = prep.ungmap["risk"]
    table = Table(id="risikoprofil", source="004-F6.18",
                  title=TXT("tables.risikoprofil.title"),
                  columns=[Column("antal", TXT("ungmap.number")),
                           share_column("pct", TXT("ungmap.share"), count_of="antal")],
                  additive=True)
    counts = np.bincount(risk[risk >= 0], minlength=len(RISKS))
    known = int(counts.sum())
    for code, r in enumerate(RISKS):
        key = r.lower()
        table.add_row(key, RISK_LABEL[r], {"antal": count(int(counts[code]), link=f"ungmap_risiko_{key}"),
                                           "pct": share(int(counts[code]), known)})
    # The printed "63 %" is R1 and R2 together: a share of a sum of two counts of this table.
    table.add_row("r1_r2", TXT("ungmap.risk_profile_1_or_2"),
                  {"pct": share(int(counts[1] + counts[2]), known, count_of="r1|antal+r2|antal")})
    if (risk < 0).any():
        table.add_row("ukendt", UNKNOWN, {"antal": count(int((risk < 0).sum()))})
    table.add_row("total", TOTAL, {"antal": count(int(risk.size), link="ungmap_alle")}, is_total=True)
    table.notes.append(TXT("ungmap.risk_profile_number_of_three"))
    return table
