"""Synthetic HCS export (seed 002): the model's rules hold and the data are plausible.

Seed 002 prints no outcome numbers, so these tests check the rules of spec
seed002_003_figures.md part 1 (rule ids GRP-*, CRS-*, TALK-*, INC-*, EXC-*, FU-*) and the
qualitative results of its chapter 4, recomputed with plain pandas/scipy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from evalkit.io.schema import dataset
from evalkit.synth import hcs
from evalkit.synth.hcs import generate
from tests.synth.schema_check import check_schema

SPEC = dataset("hcs")


@pytest.fixture(scope="module")
def sample() -> dict[str, pd.DataFrame]:
    return generate()


@pytest.fixture(scope="module")
def big() -> dict[str, pd.DataFrame]:
    return generate(persons=4000, seed=11)


def _check_rules(t: dict[str, pd.DataFrame]) -> None:
    d, s, f, a = t["hcs_deltagere"], t["hcs_sessioner"], t["hcs_fremmoede"], t["hcs_asi"]
    assert set(d["kommune"]) <= {"Esbjerg", "Frederiksberg"}
    m = f.merge(s, on="session_id").merge(d[["deltager_id", "gruppe_id", "forsamtale_dato", "udskrivningsdato"]],
                                          on="deltager_id", suffixes=("", "_person"))
    # a participant only attends sessions of his own group (open groups, GRP-1)
    assert (m["gruppe_id"] == m["gruppe_id_person"]).all()
    # GRP-1/GRP-2: never more than 10 in a session
    assert m.groupby("session_id").size().max() <= 10
    # CRS-1/CRS-4: at most 16 sessions per participant, consecutive weekly sessions of the group
    per = m.sort_values(["deltager_id", "dato"]).groupby("deltager_id")["dato"]
    assert per.size().max() <= 16
    gaps = per.diff().dropna()
    assert (gaps == pd.Timedelta(days=7)).all()
    # sessions in a group are weekly; two leaders (CRS-5) in nearly all
    sg = s.sort_values(["gruppe_id", "dato"]).groupby("gruppe_id")["dato"].diff().dropna()
    assert (sg == pd.Timedelta(days=7)).all()
    assert s["ledere_til_stede"].isin([1, 2]).all() and (s["ledere_til_stede"] == 2).mean() > 0.9
    # TALK-1: forsamtale before the first session; discharge after the last
    first = per.min()
    last = per.max()
    dd = d.set_index("deltager_id")
    assert (dd.loc[first.index, "forsamtale_dato"] < first).all()
    assert (dd.loc[last.index, "udskrivningsdato"] >= last).all()
    # 1.2 #6: the intake ASI at first contact or the forsamtale, never after it
    intake = a[a["tidspunkt"] == "indskrivning"].set_index("deltager_id")
    assert len(intake) == len(d)
    assert (intake["dato"] <= dd.loc[intake.index, "forsamtale_dato"]).all()
    # FU-1/FU-2: follow-ups only for § 101 clients discharged in one of FU-1's statuses
    fu = a[a["tidspunkt"].isin(["opfoelgning_1", "opfoelgning_6"])]
    who = dd.loc[fu["deltager_id"]]
    assert (who["lovgrundlag"] == "sel101").all()
    assert who["udskrivningsstatus"].isin(list(hcs.FU1_STATUSES)).all()
    # 1.2 #5: anonymous (§ 101a) clients have no ASI via the database
    anon = dd.index[dd["lovgrundlag"] == "sel101a"]
    assert a.loc[a["deltager_id"].isin(anon), "asi_samlet"].isna().all()
    # EXC-5: excluded participants end with a run of no-shows; everybody else has at most one
    ns = f.assign(no=f["status"] == "ikke_meldt_afbud").groupby("deltager_id")["no"]
    excluded = dd.index[dd["udskrivningsstatus"] == "ekskluderet"]
    counts = ns.sum()
    assert (counts.drop(excluded, errors="ignore") <= 1).all()
    tail = f.groupby("deltager_id").tail(hcs.NO_SHOW_RUN)
    run = tail.groupby("deltager_id")["status"].apply(lambda x: (x == "ikke_meldt_afbud").all())
    assert run.loc[excluded].all() and (counts.loc[excluded] == hcs.NO_SHOW_RUN).all()
    # afslutning ASI only for those who finished the 16 weeks
    fin = a.loc[a["tidspunkt"] == "afslutning", "deltager_id"]
    assert dd.loc[fin, "udskrivningsstatus"].isin(["faerdigbehandlet", "udskrevet_andet_tilbud"]).all()
    assert not dd.loc[dd["efterbehandling"], "udskrivningsstatus"].isin(["ekskluderet"]).any()


def test_schema_matches_dictionary(sample):
    check_schema(sample, SPEC)


def test_model_rules(sample):
    _check_rules(sample)


def test_default_size_and_groups(sample):
    d = sample["hcs_deltagere"]
    assert len(d) == hcs.DEFAULT_PERSONS == 60
    assert set(d["kommune"]) == {"Esbjerg", "Frederiksberg"}
    # steady-state group size 8-10: the median session has at least 8 members
    f = sample["hcs_fremmoede"]
    assert f.groupby("session_id").size().median() >= 8


def _asi_independent(a: pd.DataFrame) -> pd.DataFrame:
    """McGahan et al. (1986) composites as in the VistA code quoted in anchors.md 2.2."""
    x = a.astype({c: "float64" for c in a.columns if c.startswith("asi_") and a[c].dtype != "category"})
    drug_days = ["asi_d_heroin_dage", "asi_d_metadon_dage", "asi_d_andre_opiater_dage", "asi_d_barbiturater_dage",
                 "asi_d_sedativa_dage", "asi_d_kokain_dage", "asi_d_amfetamin_dage", "asi_d_cannabis_dage",
                 "asi_d_hallucinogener_dage", "asi_d_flere_stoffer_dage", "asi_d_problemdage"]
    drug = x[drug_days].sum(axis=1, min_count=11) / 390 + (x["asi_d_bekymret"] + x["asi_d_behandling_vigtig"]) / 52
    sym = ["asi_p_depression", "asi_p_angst", "asi_p_hallucinationer", "asi_p_koncentration", "asi_p_voldelig",
           "asi_p_selvmordstanker", "asi_p_selvmordsforsoeg", "asi_p_medicin"]
    psych = (x[sym].sum(axis=1, min_count=8) / 11 + x["asi_p_problemdage"] / 330
             + (x["asi_p_bekymret"] + x["asi_p_behandling_vigtig"]) / 44)
    money = x["asi_a_penge_kr"]
    alc = ((x["asi_a_alkohol_dage"] + x["asi_a_beruset_dage"] + x["asi_a_problemdage"]) / 180
           + (x["asi_a_bekymret"] + x["asi_a_behandling_vigtig"]) / 24
           + np.log(money.where(money > 0, 1.0)).where(money.notna()) / 44)
    return pd.DataFrame({"asi_stof": drug, "asi_psykisk": psych, "asi_alkohol": alc})


def test_asi_composites_follow_mcgahan(big):
    a = big["hcs_asi"]
    ref = _asi_independent(a)
    for col in ("asi_stof", "asi_psykisk", "asi_alkohol"):
        got = a[col].astype("float64")
        assert (got.isna() == ref[col].isna()).all(), col
        # exported at 4 decimals (VistA $J(x,6,4)): within half a unit of the 4th decimal
        np.testing.assert_allclose(got.dropna(), ref[col].dropna(), rtol=0, atol=0.5e-4 + 1e-12)
        assert (got.dropna() * 1e4 - np.round(got.dropna() * 1e4)).abs().max() < 1e-6
    # all-or-nothing: a row with a missing item has no composite; some such rows exist
    items = [c.name for c in SPEC.table("hcs_asi").columns if c.asi_item]
    partial = a[items].isna().any(axis=1) & a[items].notna().any(axis=1)
    assert partial.sum() > 0 and a.loc[partial, ["asi_stof", "asi_psykisk", "asi_alkohol"]].isna().any(axis=1).all()
    samlet = a[["asi_stof", "asi_psykisk", "asi_alkohol"]].astype("float64").max(axis=1, skipna=False)
    np.testing.assert_allclose(a["asi_samlet"].astype("float64").dropna(), samlet.dropna(), atol=1e-12)


def test_eligibility_mix(sample, big):
    for t in (sample, big):
        d = t["hcs_deltagere"].set_index("deltager_id")
        a = t["hcs_asi"]
        intake = a[a["tidspunkt"] == "indskrivning"].set_index("deltager_id")["asi_samlet"].astype("float64")
        known = intake.dropna()
        above = (known > 0.35).mean()
        assert 0 < above <= 0.15             # INC-2: mostly <= 0,35, a few above
        assert (d["alder"] < 18).sum() >= 1 and (d["alder"] >= 18).mean() > 0.95
        assert (d["hovedstof"] == "andet").sum() >= 1 and d["hovedstof"].isin(
            ["hash", "centralstimulerende"]
        ).mean() > 0.9
        assert (d["tilknytning"] == "andet").sum() >= 1
        assert (d["lovgrundlag"] == "sel101a").sum() >= 1


def _changes(t: dict[str, pd.DataFrame], to: str) -> pd.DataFrame:
    a = t["hcs_asi"].astype({"asi_stof": "float64", "asi_psykisk": "float64"})
    wide = a.pivot(index="deltager_id", columns="tidspunkt", values=["asi_stof", "asi_psykisk"])
    out = pd.DataFrame({f"d_{c}": wide[(c, to)] - wide[(c, "indskrivning")] for c in ("asi_stof", "asi_psykisk")})
    moedt = t["hcs_fremmoede"].assign(m=lambda f: f["status"] == "moedt").groupby("deltager_id")["m"].sum()
    d = t["hcs_deltagere"].set_index("deltager_id")
    return out.join(moedt.rename("moedt")).join(d[["efterbehandling", "udskrivningsstatus"]]).dropna(
        subset=["d_asi_stof", "d_asi_psykisk"])


def test_composites_fall_most_by_midtvejs(big):
    """Ch. 4: ASI stof and ASI psykisk fall; the largest part of the fall comes by the midway talk."""
    mid, end = _changes(big, "midtvejs"), _changes(big, "afslutning")
    for c in ("d_asi_stof", "d_asi_psykisk"):
        assert stats.ttest_1samp(end[c], 0, alternative="less").pvalue < 1e-6
        assert end[c].mean() < mid[c].mean() < 0
        assert mid[c].mean() / end[c].mean() > 0.5


def test_dose_response(big):
    """Ch. 4 bullet 5: more sessions attended, larger fall (spearman between sessions and change < 0)."""
    ch = _changes(big, "afslutning")
    for c in ("d_asi_stof", "d_asi_psykisk"):
        rho, p = stats.spearmanr(ch["moedt"], ch[c])
        assert rho < 0 and p < 0.01, (c, rho, p)


def test_aftercare_larger_fall(big):
    """Ch. 4 bullet 4: the largest fall for those with efterbehandling (at 6-month follow-up)."""
    ch = _changes(big, "opfoelgning_6")
    ch = ch[ch["udskrivningsstatus"].isin(["faerdigbehandlet", "udskrevet_andet_tilbud"])]
    yes, no = ch[ch["efterbehandling"]], ch[~ch["efterbehandling"].astype(bool)]
    for c in ("d_asi_stof", "d_asi_psykisk"):
        assert yes[c].mean() < no[c].mean()
        assert stats.mannwhitneyu(yes[c], no[c], alternative="less").pvalue < 0.01


def test_deterministic(sample):
    again = generate()
    for name, frame in sample.items():
        pd.testing.assert_frame_equal(frame, again[name])
    assert not generate(seed=1)["hcs_asi"].equals(sample["hcs_asi"])
    with pytest.raises(ValueError, match="persons"):
        generate(persons=5)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(10, 1500), seed=st.integers(0, 2**32 - 1))
def test_any_size_follows_the_rules(n, seed):
    t = generate(persons=n, seed=seed)
    assert len(t["hcs_deltagere"]) == n
    check_schema(t, SPEC)
    _check_rules(t)


def test_scaled_shares_are_the_design_shares(big):
    d = big["hcs_deltagere"]
    n = len(d)
    for column, shares in hcs.SHARES.items():
        got = d[column].astype(str).value_counts(normalize=True)
        for code, share in shares.items():
            assert abs(got.get(code, 0.0) - share) <= 1 / n, (column, code)
    outcome = d["udskrivningsstatus"].astype(str)
    assert abs((outcome == "ekskluderet").mean() - hcs.OUTCOME_SHARES["excluded"]) <= 1 / n


def test_export_round_trip(sample, tmp_path):
    """Written as ;/decimal-comma CSV with evalkit.io's writer and read back, the sample is unchanged."""
    from evalkit.io import read_export
    from evalkit.io.export import with_read_dtypes
    from evalkit.io.writers import write_export

    write_export(sample, tmp_path, "csv")
    back = read_export(tmp_path, dataset_name="hcs").tables
    for name, frame in sample.items():
        pd.testing.assert_frame_equal(back[name].reset_index(drop=True), with_read_dtypes(frame, SPEC.table(name)))
