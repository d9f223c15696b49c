"""Report ``hcs`` (seed 002) against plain-pandas, scipy and statsmodels references.

Seed 002 prints no numbers (spec seed002_003_figures.md 1.10-1.11), so nothing is compared with a
published figure; every cell is recomputed here from the generated person-level tables with the
seed's rules written out in the test (age >= 18, ASI <= 0,35, 16 sessions, FU-1 statuses, ...) and
every test statistic is recomputed with scipy / numpy on the same pairs.
"""

from __future__ import annotations

import base64
import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from evalkit.io import Export, Ledger, ProblemList, read_export
from evalkit.io.writers import write_export
from evalkit.profiles.attendance import attendance_counts
from evalkit.report import hcs
from evalkit.report.render import render
from evalkit.report.render.neutral import md_text
from evalkit.report.render.xlsx import sheet_names
from evalkit.report.spec import ReportOptions, build_report
from evalkit.synth import generate

TPS = ["indskrivning", "midtvejs", "afslutning", "opfoelgning_1", "opfoelgning_6"]
FU1 = ["faerdigbehandlet", "udskrevet_andet_tilbud", "udskrevet_hospital", "udskrevet_anden_aarsag"]
TABLE_IDS = ["eligibility", "attendance_sessions", "attendance_participants", "attendance_summary", "no_show_rule",
             "completion", "follow_up", "asi_means", "asi_n", "asi_by_aftercare", "dose_response",
             "dose_response_bands"]


# ----------------------------------------------------------------------------- fixtures and references


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The synthetic HCS sample written as Parquet (the bundled format) and read back."""
    tables = generate("hcs")
    path = tmp_path_factory.mktemp("hcs") / "export"
    write_export(tables, path, "parquet")
    return tables, read_export(path)


@pytest.fixture(scope="module")
def plain(sample):
    """Report without disclosure control: every value visible for comparison."""
    return build_report(sample[1], "hcs", ReportOptions(disclosure=False))


@pytest.fixture(scope="module")
def protected(sample):
    return build_report(sample[1], "hcs")


def value(report, table, row, col):
    return report.table(table).cell(row, col).value


def ref_attendance(t: dict) -> pd.DataFrame:
    """Attendance rows with each participant's session number (1, 2, ... by date), first 16 kept."""
    ses = t["hcs_sessioner"].reset_index(drop=True).assign(spos=lambda d: np.arange(len(d)))
    att = t["hcs_fremmoede"].astype({"status": str, "deltager_id": str, "session_id": str})
    ses = ses.astype({"session_id": str}).assign(dato=lambda d: pd.to_datetime(d["dato"].astype(object)))
    m = att.merge(ses[["session_id", "dato", "spos"]], on="session_id", how="inner")
    m = m.sort_values(["deltager_id", "dato", "spos"])
    m["k"] = m.groupby("deltager_id").cumcount() + 1
    return m[m["k"] <= 16]


def ref_composites(asi: pd.DataFrame) -> pd.DataFrame:
    """McGahan (1986) composites written out from the published weights (anchors.md 2.2), NaN if any item is missing.

    Drug: sum of 11 day counts / 390 + (D29 + D31) / 52 = (2 * days + 15 * (D29 + D31)) / 780.
    Psychiatric: yes-count / 11 + P11 / 330 + (P12 + P13) / 44 = (60 * yes + 2 * P11 + 15 * (P12 + P13)) / 660.
    Integer numerators divided once, so equal scores are equal floats (ties stay ties for the rank tests).
    """
    days = ["asi_d_heroin_dage", "asi_d_metadon_dage", "asi_d_andre_opiater_dage", "asi_d_barbiturater_dage",
            "asi_d_sedativa_dage", "asi_d_kokain_dage", "asi_d_amfetamin_dage", "asi_d_cannabis_dage",
            "asi_d_hallucinogener_dage", "asi_d_flere_stoffer_dage", "asi_d_problemdage"]
    yes = ["asi_p_depression", "asi_p_angst", "asi_p_hallucinationer", "asi_p_koncentration", "asi_p_voldelig",
           "asi_p_selvmordstanker", "asi_p_selvmordsforsoeg", "asi_p_medicin"]
    num = {c: asi[c].astype("float64").to_numpy(na_value=np.nan) for c in
           days + yes + ["asi_d_bekymret", "asi_d_behandling_vigtig", "asi_p_problemdage", "asi_p_bekymret",
                         "asi_p_behandling_vigtig"]}
    drug = (2 * sum(num[c] for c in days) + 15 * (num["asi_d_bekymret"] + num["asi_d_behandling_vigtig"])) / 780
    psych = (60 * sum(num[c] for c in yes) + 2 * num["asi_p_problemdage"]
             + 15 * (num["asi_p_bekymret"] + num["asi_p_behandling_vigtig"])) / 660
    return pd.DataFrame({"deltager_id": asi["deltager_id"].astype(str).to_numpy(),
                         "tidspunkt": asi["tidspunkt"].astype(str).to_numpy(), "asi_stof": drug, "asi_psykisk": psych})


def cohort_ids(t: dict) -> pd.Index:
    return pd.Index(sorted(set(t["hcs_fremmoede"]["deltager_id"].astype(str))))


def wide(t: dict, key: str, ids: pd.Index | None = None) -> pd.DataFrame:
    comp = ref_composites(t["hcs_asi"])
    w = comp.pivot(index="deltager_id", columns="tidspunkt", values=key).reindex(columns=TPS)
    return w.reindex(cohort_ids(t) if ids is None else ids)


# ----------------------------------------------------------------------------- structure


def test_spec_lists_every_table_with_a_002_source(plain):
    assert [t.id for t in hcs.SPEC.tables] == TABLE_IDS
    assert [t.id for t in plain.tables] == TABLE_IDS
    assert all(t.source.startswith("002-") for t in plain.tables)
    text = " ".join(n("en") for n in plain.notes)
    assert "prints no numbers" in text and "Holm" in text and "Cohort of every table" in text
    # a note that holds for the whole report is said once, as a report note, never under a table
    table_notes = [n("en") for t in plain.tables for n in t.notes]
    assert not any(n in table_notes for n in [x("en") for x in plain.notes])
    everything = text + " ".join(table_notes) + " ".join(n("da") for t in plain.tables for n in t.notes)
    for banned in ("Seed 002", "seed 002", "spec ", ".yaml", "L739", "L1002"):   # cite the publication only
        assert banned not in everything, banned
    links: dict[str, set] = {}
    for t in plain.tables:
        for r in t.rows:
            for c in r.cells.values():
                if c.link:
                    links.setdefault(c.link, set()).add(c.value)
    assert {"hcs_n_cohort", "hcs_n_referred", "hcs_exc5_fail", "hcs_dose_n_asi_stof"} <= set(links)
    assert all(len(v) == 1 for v in links.values()), links   # a link joins cells holding the same count


# ----------------------------------------------------------------------------- eligibility (spec 1.2)


def test_eligibility_counts_follow_the_seed_rules(sample, plain):
    t, _ = sample
    d = t["hcs_deltagere"]
    n = len(d)
    intake = t["hcs_asi"][t["hcs_asi"]["tidspunkt"].astype(str) == "indskrivning"]
    samlet = intake.set_index(intake["deltager_id"].astype(str))["asi_samlet"].astype("float64")
    samlet = samlet.reindex(d["deltager_id"].astype(str)).to_numpy()
    expect = {
        "inc_1_age": (d["alder"].astype("float64") >= 18, d["alder"].isna()),           # "fra 18 år og op" (L265)
        "inc_1_substance": (d["hovedstof"].astype(str).isin(["hash", "centralstimulerende"]), d["hovedstof"].isna()),
        "inc_2_asi": (pd.Series(samlet <= 0.35), pd.Series(np.isnan(samlet))),        # "maks. 0,35" (L697-699)
        "inc_3_attachment": (d["tilknytning"].astype(str).isin(
            ["arbejde", "sygedagpenge", "dagpenge", "under_uddannelse", "optaget_ikke_startet"]),
            d["tilknytning"].isna()),
        "inc_5_reflective": (d["reflekterende"] == True, d["reflekterende"].isna()),  # noqa: E712
        "exc_1_psychiatric": (d["eksk_psykisk"] == False, d["eksk_psykisk"].isna()),  # noqa: E712
        "exc_4_intoxicated": (d["eksk_paavirket"] == False, d["eksk_paavirket"].isna()),  # noqa: E712
    }
    for row, (ok, missing) in expect.items():
        ok = np.asarray(ok.fillna(False), dtype=bool)
        missing = np.asarray(missing, dtype=bool)
        assert value(plain, "eligibility", row, "pass") == int((ok & ~missing).sum()), row
        assert value(plain, "eligibility", row, "fail") == int((~ok & ~missing).sum()), row
        assert value(plain, "eligibility", row, "unknown") == int(missing.sum()), row
        assert value(plain, "eligibility", row, "total") == n
        assert value(plain, "eligibility", row, "fail_pct") == pytest.approx(100 * (~ok & ~missing).sum() / n)
    anonymous = (d["lovgrundlag"].astype(str) == "sel101a").to_numpy() & np.isnan(samlet)
    assert value(plain, "eligibility", "inc_2_asi_unknown_anonymous", "unknown") == int(anonymous.sum()) > 0
    # the sample holds failures of several rules, so the table is not trivially all-pass
    assert sum(value(plain, "eligibility", r, "fail") for r in expect) > 0


# ----------------------------------------------------------------------------- attendance (spec 1.6)


def test_attendance_by_session_and_participant(sample, plain):
    t, _ = sample
    m = ref_attendance(t)
    per_session = pd.crosstab(m["k"], m["status"]).reindex(columns=list(hcs.STATUSES), fill_value=0)
    for k, row in per_session.iterrows():
        key = f"session_{k:02d}"
        for s in hcs.STATUSES:
            assert value(plain, "attendance_sessions", key, s) == row[s]
        assert value(plain, "attendance_sessions", key, "moedt_pct") == pytest.approx(100 * row["moedt"] / row.sum())
    assert value(plain, "attendance_sessions", "total", "total") == len(m)
    per_person = pd.crosstab(m["deltager_id"], m["status"]).reindex(columns=list(hcs.STATUSES), fill_value=0)
    bands = {"sessions_00": (0, 0), "sessions_01_04": (1, 4), "sessions_05_08": (5, 8), "sessions_09_12": (9, 12),
             "sessions_13_15": (13, 15), "sessions_16": (16, 16)}
    for s in hcs.STATUSES:
        if s != "ikke_meldt_afbud":   # no-shows are summarised by no_show_rule only
            for key, (lo, hi) in bands.items():
                assert value(plain, "attendance_participants", key, s) == per_person[s].between(lo, hi).sum(), (s, key)
        assert value(plain, "attendance_summary", s, "mean") == pytest.approx(per_person[s].mean())
        assert value(plain, "attendance_summary", s, "median") == pytest.approx(per_person[s].median())
    assert value(plain, "attendance_participants", "total", "moedt") == len(per_person)


def _longest_run(flags: pd.Series) -> int:
    best = run = 0
    for f in flags:
        run = run + 1 if f else 0
        best = max(best, run)
    return best


@pytest.mark.parametrize("k, consecutive", [(None, None), (2, None), (2, True)])
def test_no_show_rule_counts_unannounced_absences_against_k(sample, k, consecutive):
    t, export = sample
    extra = {**({} if k is None else {"no_show_k": k}),
             **({} if consecutive is None else {"no_show_consecutive": True})}
    report = build_report(export, "hcs", ReportOptions(disclosure=False, extra=extra),
                          tables=["eligibility", "no_show_rule"])
    k = hcs.load_constants()["no_show"]["k"] if k is None else k
    m = ref_attendance(t)
    hit = m["status"] == "ikke_meldt_afbud"                     # EXC-5 counts unannounced absences (L739-743)
    if consecutive:  # longest run over the participant's sessions in date order (m is sorted by date)
        no_show = hit.groupby(m["deltager_id"]).agg(_longest_run)
    else:
        no_show = hit.groupby(m["deltager_id"]).sum()
    assert value(report, "no_show_rule", "at_or_above_k", "n") == int((no_show >= k).sum())
    assert value(report, "no_show_rule", "below_k", "n") == int((no_show < k).sum())
    assert value(report, "eligibility", "exc_5_no_show", "fail") == int((no_show >= k).sum())
    assert value(report, "eligibility", "exc_5_no_show", "unknown") == len(t["hcs_deltagere"]) - len(no_show)
    note = report.table("no_show_rule").notes[0]("da")
    assert f"K = {k}" in note and ("i træk" if consecutive else "i alt") in note


def test_sessions_after_the_sixteenth_are_left_out_and_counted():
    ses = pd.DataFrame({"session_id": [f"s{i}" for i in range(18)],
                        "dato": pd.date_range("2015-01-05", periods=18, freq="7D")})
    att = pd.DataFrame({"deltager_id": ["a"] * 18 + ["b"], "session_id": [f"s{i}" for i in range(18)] + ["s3"],
                        "status": ["ikke_meldt_afbud"] * 2 + ["moedt"] * 16 + ["meldt_afbud"]})
    out = attendance_counts(att.iloc[::-1], ses, ["a", "b"])   # row order must not matter
    assert out.per_person.tolist() == [[14, 0, 2], [0, 1, 0]]   # a: sessions 17-18 ("moedt") dropped
    assert out.excluded["beyond_planned_sessions"] == 2
    assert out.per_session[0].tolist() == [0, 1, 1] and out.per_session[15].tolist() == [1, 0, 0]


# ----------------------------------------------------------------------------- completion and follow-up (spec 1.7)


def test_completion_and_follow_up(sample, plain):
    t, _ = sample
    d = t["hcs_deltagere"].assign(deltager_id=lambda x: x["deltager_id"].astype(str)).set_index("deltager_id")
    d = d.loc[cohort_ids(t)]
    counts = d["udskrivningsstatus"].astype(object).value_counts(dropna=False)
    for code in [*FU1, "ekskluderet"]:
        assert value(plain, "completion", code, "n") == counts.get(code, 0)
        assert value(plain, "completion", code, "pct") == pytest.approx(100 * counts.get(code, 0) / len(d))
    assert value(plain, "completion", "not_recorded", "n") == int(d["udskrivningsstatus"].isna().sum())
    due = (d["lovgrundlag"].astype(str) == "sel101") & d["udskrivningsstatus"].astype(str).isin(FU1)
    asi = t["hcs_asi"].astype({"deltager_id": str, "tidspunkt": str})
    for tp in ["opfoelgning_1", "opfoelgning_6"]:
        has = d.index.isin(asi.loc[asi["tidspunkt"] == tp, "deltager_id"])
        assert value(plain, "follow_up", tp, "due") == int(due.sum())
        assert value(plain, "follow_up", tp, "registered") == int((due & has).sum())
        assert value(plain, "follow_up", tp, "registered_pct") == pytest.approx(100 * (due & has).sum() / due.sum())


# ----------------------------------------------------------------------------- ASI (spec 1.3, 1.10)


def test_asi_means_and_n_from_the_published_composite_formula(sample, plain):
    t, _ = sample
    for key in ["asi_stof", "asi_psykisk"]:
        w = wide(t, key)
        complete = w[["indskrivning", "midtvejs", "afslutning"]].notna().all(axis=1)
        for tp in TPS:
            assert value(plain, "asi_means", f"{key}_observed", tp) == pytest.approx(w[tp].mean(), abs=1e-12)
            assert value(plain, "asi_n", f"{key}_observed", tp) == w[tp].notna().sum()
            assert value(plain, "asi_means", f"{key}_complete", tp) == pytest.approx(w.loc[complete, tp].mean(),
                                                                                     abs=1e-12)
            assert value(plain, "asi_n", f"{key}_complete", tp) == w.loc[complete, tp].notna().sum()
        # ITT: everybody with an intake score, the last in-course score carried forward (pandas ffill)
        itt = w.loc[w["indskrivning"].notna(), ["indskrivning", "midtvejs", "afslutning"]].ffill(axis=1)
        for tp in ["indskrivning", "midtvejs", "afslutning"]:
            assert value(plain, "asi_means", f"{key}_itt_locf", tp) == pytest.approx(itt[tp].mean(), abs=1e-12)
            assert value(plain, "asi_n", f"{key}_itt_locf", tp) == len(itt)
        assert value(plain, "asi_means", f"{key}_itt_locf", "opfoelgning_6") is None   # follow-ups not imputed
        # the synthetic export's own composites (rounded to VistA's 4 decimals) agree
        exported = t["hcs_asi"][key].astype("float64").to_numpy(na_value=np.nan)
        ours = ref_composites(t["hcs_asi"])[key].to_numpy()
        both = ~np.isnan(exported) & ~np.isnan(ours)
        assert both.sum() > 100 and np.max(np.abs(exported[both] - ours[both])) <= 0.5e-4 + 1e-12


def _check_paired(test, pre, post):
    ok = ~np.isnan(pre) & ~np.isnan(post)
    a, b = pre[ok], post[ok]
    assert test.n == ok.sum()
    if test.method == "Paired t-test":
        ref = stats.ttest_rel(b, a)
        assert test.statistic == pytest.approx(ref.statistic, rel=1e-9)
        assert test.p_value == pytest.approx(ref.pvalue, rel=1e-9)
        ci = ref.confidence_interval(0.95)
        assert test.estimate == pytest.approx(np.mean(b - a), abs=1e-14)
        assert test.estimate_ci == pytest.approx((ci.low, ci.high), rel=1e-9)
        assert test.effect_size == pytest.approx(np.mean(b - a) / np.std(b - a, ddof=1), rel=1e-9)
    else:
        assert test.method.startswith("Wilcoxon signed-rank")
        exact = "(exact)" in test.method
        ref = stats.wilcoxon(b - a, zero_method="wilcox", correction=not exact, method="exact" if exact else "approx")
        assert test.p_value == pytest.approx(ref.pvalue, rel=1e-9)
        d = (b - a)[(b - a) != 0]
        ranks = stats.rankdata(np.abs(d))
        assert test.statistic == pytest.approx(ranks[d > 0].sum())                     # V = W+
        assert test.effect_size == pytest.approx((ranks[d > 0].sum() - ranks[d < 0].sum()) / ranks.sum())


def test_every_paired_test_matches_scipy_on_the_same_pairs(sample, plain):
    t, _ = sample
    tests = plain.table("asi_means").tests
    assert len(tests) == 2 * 2 * 2   # 2 composites x 2 contrasts x (t, Wilcoxon)
    for test in tests:
        key = test.row.rsplit("_", 1)[0]
        w = wide(t, key)
        frm, to = ("indskrivning", "midtvejs") if "Midtvejs" in test.outcome("da") else ("indskrivning", "afslutning")
        _check_paired(test, w[frm].to_numpy(), w[to].to_numpy())
        assert test.family.startswith("alle ") and test.p_adjusted >= test.p_value
    d = t["hcs_deltagere"].assign(deltager_id=lambda x: x["deltager_id"].astype(str)).set_index("deltager_id")
    aftercare = d["efterbehandling"].reindex(cohort_ids(t))
    group_tests = [x for x in plain.table("asi_by_aftercare").tests if x.method.startswith(("Paired", "Wilcoxon"))]
    assert len(group_tests) == 2 * 2 * 2 * 2
    for test in group_tests:
        grp = not test.row.endswith("_uden_efterbehandling")       # rows: <key>_efterbehandling / <key>_uden_...
        key = test.row.replace("_uden_efterbehandling", "").replace("_efterbehandling", "")
        ids = aftercare.index[(aftercare == grp).fillna(False).to_numpy(bool)]
        w = wide(t, key, ids)
        to = "midtvejs" if "Midtvejs" in test.outcome("da") else "afslutning"
        _check_paired(test, w["indskrivning"].to_numpy(), w[to].to_numpy())


def test_aftercare_groups_compared_with_mann_whitney(sample, plain):
    t, _ = sample
    d = t["hcs_deltagere"].assign(deltager_id=lambda x: x["deltager_id"].astype(str)).set_index("deltager_id")
    aftercare = d["efterbehandling"].reindex(cohort_ids(t))
    tests = [x for x in plain.table("asi_by_aftercare").tests if x.method.startswith("Mann-Whitney")]
    assert len(tests) == 4
    for test in tests:
        key = test.row.replace("_efterbehandling", "")
        to = "opfoelgning_1" if "1 md." in test.outcome("da") else "opfoelgning_6"
        w = wide(t, key)
        change = w[to] - w["indskrivning"]
        with_ = change[(aftercare == True).fillna(False).to_numpy(bool)].dropna().to_numpy()  # noqa: E712
        without = change[(aftercare == False).fillna(False).to_numpy(bool)].dropna().to_numpy()  # noqa: E712
        method = "exact" if "(exact)" in test.method else "asymptotic"
        ref = stats.mannwhitneyu(with_, without, method=method, use_continuity=True)
        assert test.n == len(with_) + len(without)
        assert test.statistic == pytest.approx(ref.statistic)
        assert test.p_value == pytest.approx(ref.pvalue, rel=1e-9)
        if test.result.estimate_code.startswith("hl_root"):
            # R wilcox.test(conf.int = TRUE) without an exact distribution: the shift d where the
            # corrected normal statistic of (with_ - d) vs without crosses 0 (a step function in d):
            # U falls through its mean n1 n2 / 2 (within the 1/2 continuity correction) around d
            mean = len(with_) * len(without) / 2
            u = [stats.mannwhitneyu(with_ - (test.estimate + e), without).statistic for e in (-1e-3, 1e-3)]
            assert u[0] >= mean - 0.5 and u[1] <= mean + 0.5, (u, mean)
        else:   # exact: the median of all pairwise differences (Hodges-Lehmann)
            assert test.estimate == pytest.approx(np.median(np.subtract.outer(with_, without)), abs=1e-12)


# ----------------------------------------------------------------------------- dose-response (spec 4.1)


def test_dose_response_spearman_and_slope(sample, plain):
    t, _ = sample
    m = ref_attendance(t)
    attended = (m["status"] == "moedt").groupby(m["deltager_id"]).sum()
    table = plain.table("dose_response")
    for key in ["asi_stof", "asi_psykisk"]:
        w = wide(t, key)
        ok = w["indskrivning"].notna() & w["afslutning"].notna()
        x = attended.reindex(w.index[ok]).to_numpy("float64")
        base = w.loc[ok, "indskrivning"].to_numpy()
        y = w.loc[ok, "afslutning"].to_numpy() - base
        n = len(x)
        assert value(plain, "dose_response", key, "n") == n
        rho, p = stats.spearmanr(x, y)
        spear, ols = [x_ for x_ in table.tests if x_.row == key]
        assert spear.effect_size == pytest.approx(rho, rel=1e-12) and spear.p_value == pytest.approx(p, rel=1e-9)
        se = math.sqrt((1 + rho**2 / 2) / (n - 3))      # Bonett & Wright (2000)
        assert spear.effect_size_ci == pytest.approx((math.tanh(math.atanh(rho) - 1.959963984540054 * se),
                                                      math.tanh(math.atanh(rho) + 1.959963984540054 * se)), rel=1e-9)
        X = np.column_stack([np.ones(n), x, base])
        beta, rss, *_ = np.linalg.lstsq(X, y, rcond=None)
        cov = rss[0] / (n - 3) * np.linalg.inv(X.T @ X)
        se_b = math.sqrt(cov[1, 1])
        q = stats.t.ppf(0.975, n - 3)
        assert ols.estimate == pytest.approx(beta[1], rel=1e-9)
        assert ols.estimate_ci == pytest.approx((beta[1] - q * se_b, beta[1] + q * se_b), rel=1e-8)
        assert ols.p_value == pytest.approx(2 * stats.t.sf(abs(beta[1] / se_b), n - 3), rel=1e-8)
        assert value(plain, "dose_response", key, "slope") == pytest.approx(beta[1], rel=1e-9)
        for band, lo, hi in [("sessions_00_05", 0, 5), ("sessions_06_10", 6, 10), ("sessions_11_16", 11, 16)]:
            sel = (x >= lo) & (x <= hi)
            assert value(plain, "dose_response_bands", band, f"{key}_n") == sel.sum()
            got = value(plain, "dose_response_bands", band, f"{key}_change")
            assert (got is None and sel.sum() == 0) or got == pytest.approx(y[sel].mean(), abs=1e-12)


def test_a_degenerate_test_prints_its_status_not_a_crash():
    # 14 persons, seed 9429: an aftercare group holds 2 pairs (the paired t interval cannot be
    # computed); compare returns a status and the row prints its reason instead of a p-value.
    export = Export("hcs", generate("hcs", 14, seed=9429), Ledger(), ProblemList())
    report = build_report(export, "hcs", ReportOptions(disclosure=False))
    degenerate = [x for x in report.all_tests() if x.p_value is None]
    assert degenerate
    for x in report.all_tests():
        assert (x.p_value is None) == (x.status != "ok"), (x.outcome("en"), x.method, x.status)
        assert x.p_value is not None or (x.reason is not None and x.reason("da") and x.reason("en"))
        assert x.p_value is None or 0 <= x.p_value <= 1


# ----------------------------------------------------------------------------- multiplicity


def test_holm_family_over_every_test_of_the_report(plain):
    from statsmodels.stats.multitest import multipletests

    tests = [x for x in plain.all_tests() if x.p_value is not None]
    assert len(tests) == 8 + 16 + 4 + 4
    adjusted = multipletests([x.p_value for x in tests], method="holm")[1]
    assert [x.p_adjusted for x in tests] == pytest.approx(list(adjusted), rel=1e-12)
    assert {x.family for x in tests} == {f"alle {len(tests)} test i rapporten, Holm"}


# ----------------------------------------------------------------------------- input variants


def _numpy_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The same table as a notebook would hold it: float64 with NaN, object strings/booleans, datetime64."""
    out = {}
    for c in df.columns:
        s = df[c]
        kind = str(s.dtype)
        if isinstance(s.dtype, pd.CategoricalDtype) or kind.startswith("string"):
            out[c] = s.astype(object).where(s.notna(), None).to_numpy()
        elif kind.startswith(("int64", "double")):
            out[c] = s.to_numpy("float64", na_value=np.nan)
        elif kind.startswith("bool"):
            out[c] = s.astype(object).where(s.notna(), None).to_numpy()
        elif kind.startswith("date"):
            out[c] = pd.to_datetime(s.astype(object)).to_numpy()
        else:
            out[c] = s.to_numpy(object)
    return pd.DataFrame(out)


def _values(report) -> dict:
    return {(t.id, r.key, k): c.value for t in report.tables for r in t.rows for k, c in r.cells.items()}


def test_numpy_dtypes_give_the_same_report(sample, plain):
    t, _ = sample
    export = Export("hcs", {k: _numpy_frame(v) for k, v in t.items()}, Ledger(), ProblemList())
    other = build_report(export, "hcs", ReportOptions(disclosure=False))
    a, b = _values(plain), _values(other)
    assert a.keys() == b.keys()
    for key in a:
        assert a[key] == pytest.approx(b[key], rel=1e-12, abs=1e-15) if a[key] is not None else b[key] is None, key
    assert [x.p_value for x in plain.all_tests()] == pytest.approx([x.p_value for x in other.all_tests()], rel=1e-12)


def test_precomputed_composites_are_used_when_items_are_absent(sample):
    t, _ = sample
    asi = t["hcs_asi"][["deltager_id", "tidspunkt", "dato", "asi_stof", "asi_psykisk", "asi_samlet"]]
    export = Export("hcs", {**t, "hcs_asi": asi}, Ledger(), ProblemList())
    report = build_report(export, "hcs", ReportOptions(disclosure=False), tables=["asi_means"])
    for key in ["asi_stof", "asi_psykisk"]:
        w = asi.assign(deltager_id=asi["deltager_id"].astype(str), tidspunkt=asi["tidspunkt"].astype(str)) \
            .pivot(index="deltager_id", columns="tidspunkt", values=key).reindex(cohort_ids(t)).astype("float64")
        for tp in TPS:
            assert value(report, "asi_means", f"{key}_observed", tp) == pytest.approx(w[tp].mean(), abs=1e-12)
    assert report.ledger["report"]["hcs: asi_stof scores"]["kept"] == asi["asi_stof"].notna().sum()
    assert any("0 from items" in n("en") for n in report.table("asi_means").notes)


def test_export_without_attendance_or_asi_registrations(sample):
    t, _ = sample
    no_att = {**t, "hcs_fremmoede": t["hcs_fremmoede"].iloc[:0], "hcs_sessioner": t["hcs_sessioner"].iloc[:0]}
    report = build_report(Export("hcs", no_att, Ledger(), ProblemList()), "hcs", ReportOptions(disclosure=False))
    n = len(t["hcs_deltagere"])
    assert value(report, "completion", "total", "n") == n          # registration is optional (L532): everybody
    assert value(report, "no_show_rule", "total", "n") == 0
    assert value(report, "eligibility", "exc_5_no_show", "unknown") == n
    assert any("no attendance" in note("en") for note in report.notes)
    no_asi = {**t, "hcs_asi": t["hcs_asi"].iloc[:0]}
    report = build_report(Export("hcs", no_asi, Ledger(), ProblemList()), "hcs", ReportOptions(disclosure=False))
    assert value(report, "eligibility", "inc_2_asi", "unknown") == n
    assert all(x.p_value is None for x in report.all_tests())
    assert value(report, "asi_n", "asi_stof_observed", "indskrivning") == 0


# ----------------------------------------------------------------------------- rendering


def test_every_format_renders_every_table(sample, protected, tmp_path):
    import openpyxl

    doc = json.loads(render(protected, "json"))
    assert doc["report"] == "hcs" and [x["id"] for x in doc["tables"]] == TABLE_IDS
    for tab in doc["tables"]:
        assert tab["source"].startswith("002-") and tab["columns"] and tab["rows"]
        for row in tab["rows"]:
            for cell in row["cells"].values():
                assert set(cell) == {"value", "text", "n", "suppressed"}
                assert not cell["suppressed"] or (cell["value"] is None and cell["text"] == "x")
    md = render(protected, "markdown")
    term = render(protected, "terminal")
    for t in protected.tables:
        assert f"## {md_text(t.title('da'))}\n" in md and t.title("da") in term
    render(protected, "csv", tmp_path / "csv")
    assert set(TABLE_IDS) <= {p.stem for p in (tmp_path / "csv").glob("*.csv")}
    render(protected, "xlsx", tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    names = sheet_names(protected)   # numbered table titles in the report's language
    assert set(TABLE_IDS) <= set(names) and set(names.values()) <= set(wb.sheetnames)
    html = render(protected, "html")
    images = html.count('<img class="plot"')
    assert images == 2                                      # asi_means and asi_by_aftercare trajectories
    for chunk in html.split('src="data:image/png;base64,')[1:]:
        assert base64.b64decode(chunk.split('"', 1)[0])[:8] == b"\x89PNG\r\n\x1a\n"
    assert render(build_report(sample[1], "hcs"), "json") == render(protected, "json")   # byte-identical rerun


def test_html_in_headless_chromium(protected):
    from tests.report.chromium import chromium, probe

    if chromium() is None:
        pytest.skip("chromium not installed here; .ci/run installs it")
    got = probe(render(protected, "html"))
    assert (got["tables"], got["images"], got["loaded"]) == (len(TABLE_IDS), 2, 2)
    assert got["resolved"] == got["links"] and got["linked_tables"] == got["tables"]   # contents reach every table


def test_danish_and_english_number_formats(sample):
    da = build_report(sample[1], "hcs", ReportOptions(lang="da"), tables=["attendance_summary"])
    en = build_report(sample[1], "hcs", ReportOptions(lang="en"), tables=["attendance_summary"])
    mean = da.table("attendance_summary").cell("moedt", "mean").value
    whole, frac = f"{mean:.1f}".split(".")
    assert f"| {whole},{frac} |" in render(da, "markdown") and f"| {whole}.{frac} |" in render(en, "markdown")
    assert "Mødt op" in render(da, "markdown") and "Attended" in render(en, "markdown")


# ----------------------------------------------------------------------------- disclosure control


def _check_disclosure(report, min_cell: int = 5) -> int:
    """No visible count in 1..min_cell-1; no additive line with exactly one hidden count; derived cells hidden."""
    hidden_total = 0
    for t in report.tables:
        for r in t.rows:
            for key, c in r.cells.items():
                if c.kind == "count" and c.value is not None and 0 < c.value < min_cell:
                    assert c.suppressed, (t.id, r.key, key)
                if c.kind in ("mean", "median", "percent", "number") and c.n is not None and 0 < c.n < min_cell:
                    assert c.suppressed, (t.id, r.key, key)
                if c.count_of and any(t.cell(*s.split("|")).suppressed for s in c.count_of.split("+")):
                    assert c.suppressed, (t.id, r.key, key)
                hidden_total += c.suppressed
        for x in t.tests:
            if x.n is not None and x.n < min_cell:
                assert x.suppressed
        if not t.additive:
            continue
        count_cols = [c.key for c in t.columns if any(r.cells.get(c.key) is not None and r.cells[c.key].kind == "count"
                                                      for r in t.rows)]
        lines = [[r.cells[k] for r in t.rows if k in r.cells] for k in count_cols]
        groups = [tuple(count_cols)] if t.row_lines is None else t.row_lines
        lines += [[r.cells[k] for k in g if k in r.cells] for r in t.rows for g in groups]
        for line in lines:
            if len(line) > 1:
                assert sum(c.suppressed for c in line) != 1, t.id
    # the two aftercare groups add up to everybody measured: hidden together (complementary across groups)
    t = report.table("asi_by_aftercare")
    for key in ["asi_stof", "asi_psykisk"]:
        for col in t.columns:
            pair = [t.cell(f"{key}_efterbehandling", col.key), t.cell(f"{key}_uden_efterbehandling", col.key)]
            if any(c.n is not None and 0 < c.n < min_cell for c in pair):
                assert all(c.suppressed for c in pair), (key, col.key)
    # linked counts are hidden everywhere or nowhere
    links: dict[str, set] = {}
    for t in report.tables:
        for r in t.rows:
            for c in r.cells.values():
                if c.link:
                    links.setdefault(c.link, set()).add(c.suppressed)
    assert all(len(v) == 1 for v in links.values())
    return hidden_total


def test_small_export_is_suppressed_in_every_output(tmp_path):
    tables = generate("hcs", 12, seed=7)
    export = Export("hcs", tables, Ledger(), ProblemList())
    report = build_report(export, "hcs")
    hidden = _check_disclosure(report)
    assert hidden > 0 and report.disclosure["suppressed_cells"] == hidden
    assert any(x.suppressed for x in report.all_tests())
    doc = json.loads(render(report, "json"))
    for tab in doc["tables"]:
        for row in tab["rows"]:
            for cell in row["cells"].values():
                if cell["suppressed"]:
                    assert cell["value"] is None and cell["n"] is None and cell["text"] == "x"
        for x in tab["tests"]:
            if x["suppressed"]:
                assert x["p_value"] is None and x["statistic"] is None and x["n"] is None
    render(report, "csv", tmp_path / "csv")
    for path in (tmp_path / "csv").glob("*.csv"):
        assert path.read_text(encoding="utf-8")   # written; the cell texts are those checked in JSON


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(persons=st.integers(10, 40), seed=st.integers(0, 10_000), min_cell=st.integers(3, 6))
def test_disclosure_property_over_random_small_exports(persons, seed, min_cell):
    export = Export("hcs", generate("hcs", persons, seed=seed), Ledger(), ProblemList())
    report = build_report(export, "hcs", ReportOptions(min_cell=min_cell))
    _check_disclosure(report, min_cell)
    # no suppressed count can be recovered by subtraction along a column of an additive table
    for t in report.tables:
        if not t.additive:
            continue
        total = next((r for r in t.rows if r.is_total), None)
        if total is None:
            continue
        for col in t.columns:
            cells = [r.cells.get(col.key) for r in t.rows if not r.is_total and r.key != "inc_2_asi_unknown_anonymous"]
            cells = [c for c in cells if c is not None and c.kind == "count"]
            hidden = [c for c in cells if c.suppressed]
            if len(hidden) == 1 and total.cells.get(col.key) is not None:
                assert total.cells[col.key].suppressed, (t.id, col.key)


def test_settings_are_declared_with_defaults_from_the_constants(sample):
    from evalkit.report._build import OptionError

    opts = {o.key: o for o in hcs.SPEC.options}
    assert set(opts) == {"no_show_k", "no_show_consecutive"}
    assert opts["no_show_k"].default == hcs.load_constants()["no_show"]["k"]
    with pytest.raises(OptionError, match="no_show_k"):
        build_report(sample[1], "hcs", ReportOptions(extra={"no_show_K": 2}), tables=["no_show_rule"])
    with pytest.raises(OptionError, match="below"):
        build_report(sample[1], "hcs", ReportOptions(extra={"no_show_k": 0}), tables=["no_show_rule"])


def test_every_ledger_reason_is_a_code_with_a_label_in_both_languages(sample):
    from evalkit.report.hcs._text import TXT

    # an export with every kind of excluded row: unknown participant and session, a 17th session, no composite
    t, _ = sample
    att = t["hcs_fremmoede"]
    extra = pd.DataFrame({"deltager_id": ["nobody", att["deltager_id"].iloc[0]],
                          "session_id": [att["session_id"].iloc[0], "no-such"],
                          "status": ["moedt", "moedt"]}).astype(att.dtypes.to_dict())
    export = Export("hcs", {**t, "hcs_fremmoede": pd.concat([att, extra], ignore_index=True)}, Ledger(), ProblemList())
    for lang in ("da", "en"):
        report = build_report(export, "hcs", ReportOptions(disclosure=False, lang=lang), tables=["attendance_sessions"])
        printed = {r for stage in report.ledger["report"].values() for r in stage["excluded"]}
        codes = ("unknown_participant", "unknown_session", "no_composite")
        labels = {TXT(f"ledger.{code}")(lang): code for code in codes}
        assert set(labels) <= printed                      # each reason printed as its label in the language
        assert not any("_" in r for r in printed)           # no raw code printed
