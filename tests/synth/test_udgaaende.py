"""Synthetic udgaaende export (seeds 000/001): every published figure, recomputed independently.

The figures are recomputed here with plain pandas from the seed's own definitions
(spec seed000_figures.md section 3.3), not with evalkit.measures. A printed value matches when
the exact computed value lies in the half-up rounding interval of the printed precision: "14,9"
matches [14.85, 14.95), "82" (pct.) matches [81.5, 82.5), "484.300" (nearest 100 kr.) matches
[484250, 484350). Values are exact fractions, so no float error decides a boundary.
Misprints of spec section 4.3 are catalogued as expected mismatches with their reason.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalkit.io.schema import dataset
from evalkit.synth import udgaaende
from evalkit.synth.udgaaende import PUBLISHED, design, generate
from tests.synth.schema_check import check_schema

ES, PS = "erhvervsskole", "produktionsskole"
TP = ["indskrivning", "afslutning", "opfoelgning"]

SPEC = dataset("udgaaende")


# ------------------------------------------------------------------------------ helpers


def parse_printed(printed: str) -> Fraction:
    """'14,9' -> 14.9; '484.300' -> 484300; '26 pct.' -> 26."""
    text = printed.replace("pct.", "").replace("kr.", "").strip().replace(".", "").replace(",", ".")
    return Fraction(text)


def matches(printed: str, step: Fraction, computed: Fraction) -> bool:
    """Half-up rounding of ``computed`` to ``step`` gives the printed value."""
    value = parse_printed(printed)
    return value - step / 2 <= computed < value + step / 2


def test_rounding_helper_edges():
    # the interval is closed below and open above (half-up)
    assert matches("14,9", Fraction(1, 10), Fraction(1485, 100))
    assert not matches("14,9", Fraction(1, 10), Fraction(1495, 100))
    assert matches("52,5", Fraction(1, 10), Fraction(5245, 100))
    assert matches("484.300", Fraction(100), Fraction(484_349))
    assert not matches("484.300", Fraction(100), Fraction(484_350))
    assert matches("82 pct.", Fraction(1), Fraction(333 * 100, 405))


def _wide(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per person: attributes plus <measure>_<t> columns (t = 0, 1, 2), NaN if not registered."""
    reg = tables["registreringer"].copy()
    items = reg[[f"who5_{i}" for i in range(1, 6)]].astype("float64")
    reg["who5"] = items.sum(axis=1, min_count=5) * 4          # anchors.md 1.2: raw x 4
    reg["t"] = reg["tidspunkt"].astype(str).map({k: i for i, k in enumerate(TP)})
    values = ["hash_dage_30", "flere_stoffer_dage_30", "ulovligt_fravaer_dage_14", "who5"]
    reg[values] = reg[values].astype("float64")
    w = reg.pivot(index="person_id", columns="t", values=values)
    w.columns = [f"{m}_{t}" for m, t in w.columns]
    d = tables["deltagere"].set_index("person_id")
    out = d.join(w)
    out["skoletype"] = out["skoletype"].astype(str)
    out["koen"] = out["koen"].astype(str)
    out["status"] = out["status"].astype(str)
    return out


def _mean(s: pd.Series) -> Fraction:
    s = s.dropna()
    return Fraction(int(s.sum()), len(s))


def _pct(num: int, den: int) -> Fraction:
    return Fraction(100 * num, den)


ONE, TENTH, HUNDRED = Fraction(1), Fraction(1, 10), Fraction(100)


def published_figures(tables: dict[str, pd.DataFrame]) -> dict[str, tuple[str, Fraction, Fraction]]:
    """Figure id -> (printed, precision step, exact computed value) for seeds 000/001."""
    w = _wide(tables)
    C = w[w["status"] == "gennemfoert"]
    D = w[w["status"] == "frafaldet"]
    out: dict[str, tuple[str, Fraction, Fraction]] = {}

    def put(fid, printed, step, value):
        assert fid not in out, fid
        out[fid] = (printed, step, Fraction(value))

    # 000-T3-organisering: participants and courses per kommune x skoletype
    t3 = {("Brøndby", ES): (38, 5), ("Brøndby", PS): (21, 3), ("Lolland", ES): (34, 4), ("Lolland", PS): (117, 14),
          ("Odense", ES): (11, 2), ("Odense", PS): (59, 8), ("Silkeborg", ES): (5, 1), ("Silkeborg", PS): (17, 3),
          ("Tårnby", PS): (28, 4), ("Vesthimmerland", ES): (36, 7), ("Vesthimmerland", PS): (39, 8)}
    grp = w.groupby(["kommune", "skoletype"])
    n_cell, f_cell = grp.size(), grp["forloeb"].nunique()
    for (k, s), (dlt, frl) in t3.items():
        tag = "ES" if s == ES else "PS"
        put(f"000-T3-organisering/{k}/{tag}/deltagere", str(dlt), ONE, int(n_cell.get((k, s), 0)))
        put(f"000-T3-organisering/{k}/{tag}/forloeb", str(frl), ONE, int(f_cell.get((k, s), 0)))

    # 000-S4.1-alder (all 405 enrolled)
    put("000-S4.1-alder/min", "16", ONE, int(w["alder"].min()))
    put("000-S4.1-alder/max", "31", ONE, int(w["alder"].max()))
    put("000-S4.1-alder/gennemsnit", "19,8", TENTH, _mean(w["alder"]))

    # 000-F4.1b: share of men within school type (row %)
    for s, printed in ((ES, "70"), (PS, "68")):
        sub = w[w["skoletype"] == s]
        put(f"000-F4.1b-koensfordeling/{s}/andel_maend", printed, ONE, _pct((sub["koen"] == "mand").sum(), len(sub)))

    # 000-T7.1: counts and column % (share of each gender column in the school type)
    ct = pd.crosstab(w["skoletype"], w["koen"])
    ct["i_alt"] = ct.sum(axis=1)
    col_tot = ct.sum(axis=0)
    printed_t71 = {ES: {"kvinde": ("37", "29"), "mand": ("87", "32"), "i_alt": ("124", "31")},
                   PS: {"kvinde": ("91", "71"), "mand": ("190", "68"), "i_alt": ("281", "69")}}
    for s, cols in printed_t71.items():
        for col, (cnt, pct) in cols.items():
            put(f"000-T7.1-indskrevne/{s}/{col}/antal", cnt, ONE, int(ct.loc[s, col]))
            put(f"000-T7.1-indskrevne/{s}/{col}/pct", pct, ONE, _pct(int(ct.loc[s, col]), int(col_tot[col])))
    for col, cnt in (("kvinde", "128"), ("mand", "277"), ("i_alt", "405")):
        put(f"000-T7.1-indskrevne/alle/{col}/antal", cnt, ONE, int(col_tot[col]))
        put(f"000-T7.1-indskrevne/alle/{col}/pct", "100", ONE, _pct(int(col_tot[col]), int(col_tot[col])))

    # 000-F7.1: completion by school type; dropouts and their follow-up (fn 13)
    for s, printed in ((PS, "81"), (ES, "85")):
        sub = w[w["skoletype"] == s]
        put(f"000-F7.1-gennemfoerelse/{s}/pct", printed, ONE, _pct((sub["status"] == "gennemfoert").sum(), len(sub)))
    put("000-F7.1-gennemfoerelse/samlet/pct", "82", ONE, _pct(len(C), len(w)))
    put("000-F7.1-gennemfoerelse/frafaldet/antal", "72", ONE, len(D))
    put("000-F7.1-gennemfoerelse/frafaldet_opfoelgning/antal", "38", ONE, int(D["hash_dage_30_2"].notna().sum()))

    # 000-T7.2-progression: completers' means, T2 over those followed up (available case)
    rows = {"hash_dage_30": ("14,9", "7,2", "6,1"), "ulovligt_fravaer_dage_14": ("1,9", "0,9", "0,8"),
            "who5": ("52,5", "71", "72")}
    for m, printed in rows.items():
        for t, p in enumerate(printed):
            step = ONE if "," not in p else TENTH
            put(f"000-T7.2-progression/{m}/{TP[t]}", p, step, _mean(C[f"{m}_{t}"]))
    poly = C[["flere_stoffer_dage_30_0", "flere_stoffer_dage_30_1", "flere_stoffer_dage_30_2"]]
    P = C[(poly.fillna(0) > 0).any(axis=1)]       # footnote *: >0 at one or more time points
    for t, p in enumerate(("3,8", "1,1", "1,2")):
        put(f"000-T7.2-progression/flere_stoffer_dage_30/{TP[t]}", p, TENTH, _mean(P[f"flere_stoffer_dage_30_{t}"]))
    for t, p in enumerate(("333", "333", "290")):
        put(f"000-T7.2-progression/antal_gennemfoerte/{TP[t]}", p, ONE, int(C[f"hash_dage_30_{t}"].notna().sum()))
    put("000-T7.2-progression/fodnote/polystof_brugere", "146", ONE, len(P))
    put("000-T7.2-progression/fodnote/ikke_polystof_brugere", "229", ONE, len(C) - len(P))

    # 000-F7.2a: hash by school type (ES/PS T0 integers; PS "6,1" read as Opfølgning, A2)
    for s, printed in ((ES, "18"), (PS, "14")):
        put(
            f"000-F7.2a-hash-skoletype/{s}/indskrivning",
            printed,
            ONE,
            _mean(C.loc[C["skoletype"] == s, "hash_dage_30_0"]),
        )
    put(
        f"000-F7.2a-hash-skoletype/{PS}/opfoelgning", "6,1", TENTH, _mean(C.loc[C["skoletype"] == PS, "hash_dage_30_2"])
    )

    # 000-T7.2b: eligible = completers with hash > 0 at T0 (A1); stopped T1 == 0; halved 0 < 2*T1 <= T0
    E = C[C["hash_dage_30_0"] > 0]
    stop = E["hash_dage_30_1"] == 0
    half = (E["hash_dage_30_1"] > 0) & (2 * E["hash_dage_30_1"] <= E["hash_dage_30_0"])
    printed_b = {PS: (("57", "28"), ("67", "32"), ("124", "60")), ES: (("27", "26"), ("42", "40"), ("69", "66")),
                 "begge": (("84", "27"), ("109", "35"), ("193", "62"))}
    for s, cells in printed_b.items():
        sel = np.ones(len(E), bool) if s == "begge" else (E["skoletype"] == s).to_numpy()
        counts = (int(stop[sel].sum()), int(half[sel].sum()), int((stop | half)[sel].sum()))
        for col, (cnt, pct), c in zip(("stoppet", "halveret", "total"), cells, counts, strict=True):
            put(f"000-T7.2b-cannabis-ophoer/{s}/{col}/antal", cnt, ONE, c)
            put(f"000-T7.2b-cannabis-ophoer/{s}/{col}/pct", pct, ONE, _pct(c, int(sel.sum())))

    # 000-F7.2c: absence and poly-drug by school type (poly over the 146 subset)
    for s, (a0, a1, p0, p1) in ((PS, ("2", "1,1", "4,2", "1,2")), (ES, ("1,7", "0,6", "2,9", "0,9"))):
        cs, ps_ = C[C["skoletype"] == s], P[P["skoletype"] == s]
        for key, p, series in (("fravaer/indskrivning", a0, cs["ulovligt_fravaer_dage_14_0"]),
                               ("fravaer/afslutning", a1, cs["ulovligt_fravaer_dage_14_1"]),
                               ("flere_stoffer/indskrivning", p0, ps_["flere_stoffer_dage_30_0"]),
                               ("flere_stoffer/afslutning", p1, ps_["flere_stoffer_dage_30_1"])):
            put(f"000-F7.2c-fravaer-polystof/{s}/{key}", p, ONE if "," not in p else TENTH, _mean(series))

    # 000-F7.2d: "omkring 52" at Indskrivning in each school type, read as 52 at 0 dp
    for s in (ES, PS):
        put(f"000-F7.2d-trivsel-skoletype/{s}/indskrivning", "52", ONE, _mean(C.loc[C["skoletype"] == s, "who5_0"]))

    # 000-T7.2e: improved = WHO-5 T1 > T0 among completers (A3); row %
    imp = C["who5_1"] > C["who5_0"]
    printed_e = {ES: (("28", "27"), ("77", "73"), ("105", "100")), PS: (("54", "24"), ("174", "75"), ("228", "100")),
                 "begge": (("82", "25"), ("251", "75"), ("333", "100"))}
    for s, cells in printed_e.items():
        sel = np.ones(len(C), bool) if s == "begge" else (C["skoletype"] == s).to_numpy()
        n = int(sel.sum())
        counts = (int((~imp)[sel].sum()), int(imp[sel].sum()), n)
        for col, (cnt, pct), c in zip(("ikke_forbedret", "forbedret", "total"), cells, counts, strict=True):
            put(f"000-T7.2e-forbedret-trivsel/{s}/{col}/antal", cnt, ONE, c)
            put(f"000-T7.2e-forbedret-trivsel/{s}/{col}/pct", pct, ONE, _pct(c, n))

    # 000-T8 / 001-omkostninger: total budget over each denominator, nearest 100 kr.
    cost = tables["omkostninger"]
    total = Fraction(str(float(cost["beloeb_kr"].sum())))
    denominators = {
        "pr_kommune_pr_aar": ("24", cost[["kommune", "projektaar"]].drop_duplicates().shape[0], "484.300"),
        "pr_skole": ("13", w["skole"].nunique(), "894.100"),
        "pr_forloeb": ("59", w["forloeb"].nunique(), "197.000"),
        "pr_elev": ("406", len(w), "28.700"),
        "pr_raadgivet_elev": ("959", int(cost["raadgivne_elever"].sum()), "12.200"),
    }
    for key, (n_printed, n, amount) in denominators.items():
        for doc in ("000-T8-omkostninger", "001-omkostninger"):
            put(f"{doc}/{key}/beloeb", amount, HUNDRED, total / n)
            put(f"{doc}/{key}/antal", n_printed, ONE, n)

    # summary bullets: 000-S7 (p.24), 000-S2.1 (p.6), 001-resultater (card)
    stop_all, succ_all = int(stop.sum()), int((stop | half).sum())
    put("000-S7-resultatoversigt/gennemfoert", "82", ONE, _pct(len(C), len(w)))
    put("000-S7-resultatoversigt/reduceret_hash", "62", ONE, _pct(succ_all, len(E)))
    put("000-S7-resultatoversigt/stoppet_hash", "26", ONE, _pct(stop_all, len(E)))
    put("000-S7-resultatoversigt/forbedret_trivsel", "75", ONE, _pct(int(imp.sum()), len(C)))
    for doc in ("000-S2.1-effekter", "001-resultater"):
        put(f"{doc}/gennemfoert", "82", ONE, _pct(len(C), len(w)))
        # the text's denominator is "de unge, som gennemfører forløbet" = all completers
        put(f"{doc}/stoppet_eller_halveret_af_gennemfoerte", "62", ONE, _pct(succ_all, len(C)))
        put(f"{doc}/forbedret_trivsel", "75", ONE, _pct(int(imp.sum()), len(C)))
    return out


#: Printed values no consistent dataset can reproduce (spec seed000_figures.md 2.3 and 4.3).
KNOWN_DEVIATIONS = {
    "000-T7.1-indskrevne/erhvervsskole/mand/pct":
        "I-1: 87/277 = 31.41 % rounds to 31; the printed 32 equals the PS row share 91/281 (transposed)",
    "000-T7.1-indskrevne/produktionsskole/mand/pct":
        "I-1: 190/277 = 68.59 % rounds to 69; the printed 68 equals the PS row share 190/281",
    "000-T7.2e-forbedret-trivsel/produktionsskole/forbedret/pct":
        "I-2: 174/228 = 76.32 % rounds to 76; the printed row sums to 99",
    "000-T7.2-progression/fodnote/ikke_polystof_brugere":
        "I-10: 333 completers - 146 users = 187; 146 + 229 = 375 is not the completer count",
    "000-S7-resultatoversigt/stoppet_hash":
        "I-7: 84/312 = 26.92 % rounds to 27 (table and p.28); 26 only by truncation",
    "000-S2.1-effekter/stoppet_eller_halveret_af_gennemfoerte":
        "I-8: with the stated denominator (all 333 completers) 193/333 = 57.96 %; 62 needs N about 312",
    "001-resultater/stoppet_eller_halveret_af_gennemfoerte":
        "I-8: as 000-S2.1 (193/333 = 57.96 %)",
    "000-T8-omkostninger/pr_elev/antal":
        "I-11: 405 students were enrolled (000-T7.1); the amount 28.700 is T/405, T/406 gives 28.600",
    "001-omkostninger/pr_elev/antal": "I-11: as 000-T8 (405 enrolled, not 406)",
    "000-T8-omkostninger/pr_raadgivet_elev/beloeb":
        "I-12: T/959 = 12,120 kr. rounds to 12.100; 12.200 needs N in 949..956",
    "001-omkostninger/pr_raadgivet_elev/beloeb": "I-12: as 000-T8 (T/959 rounds to 12.100)",
}


@pytest.fixture(scope="module")
def sample() -> dict[str, pd.DataFrame]:
    return generate()


@pytest.fixture(scope="module")
def figures(sample) -> dict[str, tuple[str, Fraction, Fraction]]:
    return published_figures(sample)


FIGURE_IDS = sorted(published_figures(generate()))


def test_catalogue_size_and_known_deviations_exist(figures):
    # T3 22, S4.1 3, F4.1b 2, T7.1 18, F7.1 5, T7.2 17, F7.2a 3, T7.2b 18, F7.2c 8, F7.2d 2,
    # T7.2e 18, T8 + 001-omkostninger 20, S7 4, S2.1 + 001-resultater 6
    assert len(figures) == len(FIGURE_IDS) == 146
    assert set(KNOWN_DEVIATIONS) <= set(figures)


@pytest.mark.parametrize("fid", FIGURE_IDS)
def test_published_figure(figures, fid):
    printed, step, computed = figures[fid]
    ok = matches(printed, step, computed)
    if fid in KNOWN_DEVIATIONS:
        assert not ok, f"{fid}: known misprint now matches ({printed} vs {float(computed):.4f})"
    else:
        assert ok, f"{fid}: printed {printed}, computed {float(computed):.4f}"


@pytest.mark.parametrize("fid,corrected", [
    ("000-T7.1-indskrevne/erhvervsskole/mand/pct", "31"),
    ("000-T7.1-indskrevne/produktionsskole/mand/pct", "69"),
    ("000-T7.2e-forbedret-trivsel/produktionsskole/forbedret/pct", "76"),
    ("000-T7.2-progression/fodnote/ikke_polystof_brugere", "187"),
    ("000-S7-resultatoversigt/stoppet_hash", "27"),
    ("000-S2.1-effekter/stoppet_eller_halveret_af_gennemfoerte", "58"),
    ("000-T8-omkostninger/pr_elev/antal", "405"),
    ("000-T8-omkostninger/pr_raadgivet_elev/beloeb", "12.100"),
])
def test_known_deviation_has_the_value_the_audit_predicts(figures, fid, corrected):
    _, step, computed = figures[fid]
    assert matches(corrected, step, computed)


@pytest.mark.parametrize("seed", [0, 1, 99])
def test_other_seeds_reproduce_the_same_figures(seed):
    """The figures are a property of the design, not of one lucky seed."""
    got = published_figures(generate(seed=seed))
    for fid, (printed, step, computed) in got.items():
        assert matches(printed, step, computed) == (fid not in KNOWN_DEVIATIONS), fid


# ------------------------------------------------------------------- qualitative claims


def test_prose_orderings(sample):
    w = _wide(sample)
    C = w[w["status"] == "gennemfoert"]
    # 000-S4.1: women younger than men, production-school students younger; most are 18-20
    by_g = w.groupby("koen")["alder"].mean()
    by_s = w.groupby("skoletype")["alder"].mean()
    assert by_g["kvinde"] < by_g["mand"] and by_s[PS] < by_s[ES]
    assert w["alder"].between(18, 20).mean() > 0.7
    for s in (ES, PS):
        cs = C[C["skoletype"] == s]
        # 000-F7.2a: use falls further at follow-up in both school types
        assert cs["hash_dage_30_2"].mean() < cs["hash_dage_30_1"].mean()
        # 000-F7.2d: WHO-5 above 70 at Afslutning in both school types
        assert cs["who5_1"].mean() > 70
    ces = C[C["skoletype"] == ES]
    # 000-F7.2a: ES use "mere end halveret" at Afslutning
    assert ces["hash_dage_30_1"].mean() < ces["hash_dage_30_0"].mean() / 2
    # 000-T7.2: hash and absence overall more than halved (prose p.26)
    for m in ("hash_dage_30", "ulovligt_fravaer_dage_14"):
        assert C[f"{m}_1"].mean() < C[f"{m}_0"].mean() / 2


def test_dropouts_improve_less_than_completers(sample):
    """000-F7.1: dropouts followed up develop positively, 'ikke på samme niveau' as completers (Q1)."""
    w = _wide(sample)
    for status in ("gennemfoert", "frafaldet"):
        assert (w.loc[w["status"] == status, "hash_dage_30_2"].notna()).sum() == {"gennemfoert": 290,
                                                                                  "frafaldet": 38}[status]
    fu = w[w["hash_dage_30_2"].notna()]
    change = fu.assign(dh=fu["hash_dage_30_2"] - fu["hash_dage_30_0"], dw=fu["who5_2"] - fu["who5_0"])
    d = change[change["status"] == "frafaldet"]
    c = change[change["status"] == "gennemfoert"]
    assert d["dh"].mean() < 0 and d["dw"].mean() > 0
    assert c["dh"].mean() < d["dh"].mean() and c["dw"].mean() > d["dw"].mean()
    # dropouts have no Afslutning registration (fn 13)
    assert w.loc[w["status"] == "frafaldet", "hash_dage_30_1"].isna().all()


def test_boundary_rules_do_not_change_the_counts(sample):
    """Spec 2.4: neither the halving boundary nor the WHO-5 'improved' rule moves a published count."""
    w = _wide(sample)
    C = w[w["status"] == "gennemfoert"]
    E = C[C["hash_dage_30_0"] > 0]
    assert not (2 * E["hash_dage_30_1"] == E["hash_dage_30_0"]).any()
    strict_half = (E["hash_dage_30_1"] > 0) & (2 * E["hash_dage_30_1"] < E["hash_dage_30_0"])
    assert strict_half.groupby(E["skoletype"]).sum().to_dict() == {ES: 42, PS: 67}
    # a change of >= 10 points (anchors.md 1.4) selects the same students as a strict increase
    ten = (C["who5_1"] - C["who5_0"]) >= 10
    assert ten.groupby(C["skoletype"]).sum().to_dict() == {ES: 77, PS: 174}


# ------------------------------------------------------------------- schema and structure


def _check_structure(tables: dict[str, pd.DataFrame]) -> None:
    d, r = tables["deltagere"], tables["registreringer"]
    per = r.groupby("person_id")["tidspunkt"].apply(lambda s: tuple(sorted(s.astype(str), key=TP.index)))
    status = d.set_index("person_id")["status"].astype(str)
    assert (per.index.sort_values() == d["person_id"].sort_values().to_numpy()).all()
    has_t1 = per.map(lambda t: "afslutning" in t)
    assert (has_t1 == (status.reindex(per.index) == "gennemfoert")).all()
    assert per.map(lambda t: t[0] == "indskrivning").all()
    # each course sits in one kommune, school type and school; dates run forward
    assert (d.groupby("forloeb")[["kommune", "skole"]].nunique() == 1).all().all()
    assert (d.groupby("forloeb")["skoletype"].nunique() == 1).all()
    assert (d["indskrivningsdato"] <= d["afslutningsdato"]).all()
    dates = r.pivot(index="person_id", columns="tidspunkt", values="dato")
    ok01 = dates["afslutning"].isna() | (dates["indskrivning"] < dates["afslutning"])
    ok12 = dates["opfoelgning"].isna() | (dates["indskrivning"] < dates["opfoelgning"])
    assert ok01.all() and ok12.all()
    # the WHO-5 items are complete wherever a registration exists
    assert r[[f"who5_{i}" for i in range(1, 6)]].notna().all().all()


def test_schema_matches_dictionary(sample):
    check_schema(sample, SPEC)
    _check_structure(sample)


def test_costs_table(sample):
    cost = sample["omkostninger"]
    assert len(cost) == 24 and cost["kommune"].nunique() == 6 and set(cost["projektaar"]) == {1, 2, 3, 4}
    assert float(cost["beloeb_kr"].sum()) == 11_623_300
    # 000-T8 lead-in: "lidt over 11,5 mio. kr."; the budget rows are whole hundreds of kroner
    assert 11_500_000 < float(cost["beloeb_kr"].sum()) < 11_700_000
    assert (cost["beloeb_kr"].astype("float64") % 100 == 0).all()
    assert int(cost["raadgivne_elever"].sum()) == 959
    # counselled students include the group participants, per municipality
    enrolled = sample["deltagere"].groupby("kommune").size()
    counselled = cost.groupby("kommune")["raadgivne_elever"].sum()
    assert (counselled.reindex(enrolled.index) >= enrolled).all()


def test_deterministic(sample):
    again = generate()
    for name, frame in sample.items():
        pd.testing.assert_frame_equal(frame, again[name])
    other = generate(seed=2018)
    assert not other["registreringer"].equals(sample["registreringer"])


def test_design_scaling_identity():
    assert design() is PUBLISHED
    assert design(405) == PUBLISHED
    a, b = generate(405), generate()
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])
    with pytest.raises(ValueError, match="persons"):
        generate(persons=9)
    with pytest.raises(ValueError, match="persons"):
        generate(persons=True)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(10, 3000), seed=st.integers(0, 2**32 - 1))
def test_any_size_is_a_valid_export(n, seed):
    t = generate(persons=n, seed=seed)
    assert len(t["deltagere"]) == n and t["deltagere"]["person_id"].is_unique
    check_schema(t, SPEC)
    _check_structure(t)


def _summary(tables: dict[str, pd.DataFrame]) -> dict[str, float]:
    w = _wide(tables)
    C = w[w["status"] == "gennemfoert"]
    out = {"completion": (w["status"] == "gennemfoert").mean(), "es_share": (w["skoletype"] == ES).mean(),
           "men": (w["koen"] == "mand").mean(), "age": w["alder"].mean(),
           "followup": C["hash_dage_30_2"].notna().mean()}
    for m in ("hash_dage_30", "ulovligt_fravaer_dage_14", "who5"):
        for t in range(3):
            out[f"{m}_{t}"] = C[f"{m}_{t}"].mean()
    E = C[C["hash_dage_30_0"] > 0]
    out["stopped"] = (E["hash_dage_30_1"] == 0).mean()
    out["improved"] = (C["who5_1"] > C["who5_0"]).mean()
    out["poly_users"] = (C[[f"flere_stoffer_dage_30_{t}" for t in range(3)]].fillna(0) > 0).any(axis=1).mean()
    return out


def test_scaled_distributions_match_the_sample(sample):
    big = generate(persons=100_000, seed=5)
    small, large = _summary(sample), _summary(big)
    for key, value in small.items():
        tol = 0.003 if value <= 1 else 0.01 * max(1.0, abs(value)) / 10
        assert abs(large[key] - value) <= max(tol, 0.002), (key, value, large[key])
    # structure scales too: about the published course size and 59/13 courses per school
    d = big["deltagere"]
    assert 6.0 < len(d) / d["forloeb"].nunique() < 7.5
    assert float(big["omkostninger"]["beloeb_kr"].sum()) == pytest.approx(11_623_300 * 100_000 / 405, rel=1e-4)


def test_module_constants_are_documented():
    # every free parameter of spec 4.4 is a named module-level constant
    for name in ("PUBLISHED", "CELLS", "AGE_PMF", "DROPOUT_MEANS", "FIRST_PROJECT_YEAR",
                 "COURSE_YEAR_WEIGHTS", "BUDGET_YEAR_WEIGHTS", "SESSIONS", "FOLLOW_UP_DAYS"):
        assert hasattr(udgaaende, name)
    assert sum(c.skoler for c in PUBLISHED.cells) == 13
    assert sum(c.forloeb for c in PUBLISHED.cells) == 59


def test_one_changed_value_moves_the_figure(sample):
    """The harness can fail: +30 hash days for one completer at Indskrivning moves 14,9 to 14,99."""
    tables = {k: v.copy() for k, v in sample.items()}
    reg = tables["registreringer"]
    d = tables["deltagere"]
    completers = d.loc[d["status"] == "gennemfoert", "person_id"]
    t0 = reg[(reg["tidspunkt"] == "indskrivning") & reg["person_id"].isin(completers)]
    row = t0.index[t0["hash_dage_30"] == 0][0]
    reg.loc[row, "hash_dage_30"] = 30
    before, after = published_figures(sample), published_figures(tables)
    moved = {fid for fid in before if matches(*before[fid]) != matches(*after[fid])}
    assert "000-T7.2-progression/hash_dage_30/indskrivning" in moved


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_round_trip_keeps_every_figure(sample, tmp_path, fmt):
    """Written with evalkit.io's writer and read back, the sample is unchanged (dtypes included)."""
    from evalkit.io import read_export
    from evalkit.io.export import with_read_dtypes
    from evalkit.io.writers import write_export

    write_export(sample, tmp_path, fmt)
    back = read_export(tmp_path, dataset_name="udgaaende").tables
    for name, frame in sample.items():
        pd.testing.assert_frame_equal(back[name].reset_index(drop=True), with_read_dtypes(frame, SPEC.table(name)))
