"""HCS inclusion/exclusion rules of seed 002 (spec seed002_003_figures.md 1.2, 1.6), issue 4."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.measures import MeasureLedger
from evalkit.profiles import hcs_eligibility, no_show_counts


def participants(**overrides):
    base = {"deltager_id": ["p"], "alder": [30], "lovgrundlag": ["sel101"], "hovedstof": ["hash"],
            "tilknytning": ["arbejde"], "maal": ["reducere"], "reflekterende": [True],
            "eksk_psykisk": [False], "eksk_opmaerksomhed": [False], "eksk_aggression": [False],
            "eksk_paavirket": [False]}
    base.update({k: [v] for k, v in overrides.items()})
    return pd.DataFrame(base)


def asi_intake(score, pid="p"):
    return pd.DataFrame({"deltager_id": [pid], "tidspunkt": ["indskrivning"], "asi_samlet": [score]})


def status(df, rule):
    return str(df[rule].iloc[0])


def test_a_fully_eligible_participant():
    out = hcs_eligibility(participants(), asi_intake(0.2))
    intake_rules = [c for c in out.columns if c.startswith(("INC", "EXC-1", "EXC-2", "EXC-3", "EXC-4"))]
    assert all(status(out, r) == "pass" for r in intake_rules)
    assert out["eligible_at_intake"].iloc[0] == True  # noqa: E712
    # EXC-5 needs attendance data and a K
    assert status(out, "EXC-5-no-show") == "unknown"
    assert out["reasons"].iloc[0] == "EXC-5-no-show:attendance_not_given"


@pytest.mark.parametrize("age, include_min, expected",
                         [(18, None, "pass"), (17, None, "fail"), (18, False, "fail"), (19, False, "pass")])
def test_age_boundary(age, include_min, expected):
    out = hcs_eligibility(participants(alder=age), asi_intake(0.2), age_include_min=include_min)
    assert status(out, "INC-1-age") == expected


@pytest.mark.parametrize(
    "column, value, rule, expected",
    [("lovgrundlag", "§ 101A", "INC-1-legal-basis", "pass"), ("lovgrundlag", "§101", "INC-1-legal-basis", "pass"),
     ("hovedstof", "Centralstimulerende stoffer", "INC-1-substance", "pass"),
     ("hovedstof", "andet", "INC-1-substance", "fail"),
     ("tilknytning", "dagpenge", "INC-3-attachment", "pass"), ("tilknytning", "andet", "INC-3-attachment", "fail"),
     ("maal", "ophøre", "INC-4-goal", "pass"), ("maal", None, "INC-4-goal", "unknown"),
     ("reflekterende", False, "INC-5-reflective", "fail"), ("eksk_aggression", True, "EXC-3-aggression", "fail"),
     ("eksk_paavirket", None, "EXC-4-intoxicated", "unknown"), ("hovedstof", "tobak", "INC-1-substance", "unknown")],
)
def test_category_and_boolean_rules(column, value, rule, expected):
    out = hcs_eligibility(participants(**{column: value}), asi_intake(0.2))
    assert status(out, rule) == expected
    if expected == "fail":
        assert out["eligible_at_intake"].iloc[0] == False  # noqa: E712
        assert rule in out["reasons"].iloc[0]
    if expected == "unknown":
        assert out["eligible_at_intake"].isna().iloc[0]
    if value == "tobak":
        assert "INC-1-substance:unrecognised_value" in out["reasons"].iloc[0]


def test_asi_threshold_and_anonymous_treatment():
    assert status(hcs_eligibility(participants(), asi_intake(0.35)), "INC-2-asi") == "pass"
    assert status(hcs_eligibility(participants(), asi_intake(0.36)), "INC-2-asi") == "fail"
    assert status(hcs_eligibility(participants(), asi_intake(0.36), asi_max="0.4"), "INC-2-asi") == "pass"
    # a later time point does not count; only the intake row
    later = pd.DataFrame({"deltager_id": ["p", "p"], "tidspunkt": ["Afslutning", "Indskrivning"],
                          "asi_samlet": [0.9, 0.3]})
    assert status(hcs_eligibility(participants(), later), "INC-2-asi") == "pass"
    anon = hcs_eligibility(participants(lovgrundlag="sel101a"))
    assert status(anon, "INC-2-asi") == "unknown"
    assert "INC-2-asi:asi_missing_anonymous" in anon["reasons"].iloc[0]
    named = hcs_eligibility(participants())
    assert "INC-2-asi:asi_missing" in named["reasons"].iloc[0]


def attendance(pid, statuses):
    return pd.DataFrame({"deltager_id": [pid] * len(statuses),
                         "session_id": [f"s{i:02d}" for i in range(len(statuses))],
                         "status": statuses})


def sessions(n):
    # session ids in a different order from their dates, to prove the run uses dates
    ids = [f"s{i:02d}" for i in range(n)]
    return pd.DataFrame({"session_id": ids[::-1], "dato": pd.date_range("2024-01-01", periods=n, freq="7D")[::-1]})


def test_no_show_rule_needs_k_and_counts_unannounced_only():
    att = attendance("p", ["ikke_meldt_afbud", "Mødt op", "ikke meldt afbud", "meldt afbud", "udeblevet"])
    out = hcs_eligibility(participants(), asi_intake(0.2), att)
    assert status(out, "EXC-5-no-show") == "unknown"
    assert "EXC-5-no-show:k_not_configured" in out["reasons"].iloc[0]
    assert out["no_show"].iloc[0] == 3
    assert status(hcs_eligibility(participants(), asi_intake(0.2), att, no_show_k=3), "EXC-5-no-show") == "fail"
    assert status(hcs_eligibility(participants(), asi_intake(0.2), att, no_show_k=4), "EXC-5-no-show") == "pass"
    # chapter 2 reading: any absence counts
    any_abs = hcs_eligibility(participants(), asi_intake(0.2), att, no_show_k=4,
                              count_statuses=["ikke_meldt_afbud", "meldt_afbud"])
    assert any_abs["no_show"].iloc[0] == 4 and bool(any_abs["excluded_no_show"].iloc[0])
    # EXC-5 is an in-course rule: it does not change intake eligibility
    assert any_abs["eligible_at_intake"].iloc[0] == True  # noqa: E712
    with pytest.raises(ValueError):
        hcs_eligibility(participants(), asi_intake(0.2), att, no_show_k=0)


def test_consecutive_runs_follow_session_dates():
    att = attendance("p", ["ikke_meldt_afbud", "ikke_meldt_afbud", "moedt", "ikke_meldt_afbud"])
    # dates run s00 < s01 < s02 < s03 although `sessions` lists them backwards
    runs = no_show_counts(att, consecutive=True, sessioner=sessions(4))
    assert runs.loc["p", "no_show"] == 2
    with pytest.raises(ValueError, match="sessioner"):
        no_show_counts(att, consecutive=True)


def test_several_participants_and_ledger():
    d = pd.DataFrame({"deltager_id": ["a", "b", "c"], "alder": [25, 16, None],
                      "lovgrundlag": ["sel101", "sel101", "sel101a"],
                      "hovedstof": ["hash", "andet", "hash"], "tilknytning": ["arbejde"] * 3, "maal": ["reducere"] * 3})
    asi = pd.DataFrame({"deltager_id": ["a", "b"], "tidspunkt": ["indskrivning"] * 2, "asi_samlet": [0.1, 0.2]})
    ledger = MeasureLedger()
    out = hcs_eligibility(d, asi, ledger=ledger)
    assert list(out.index) == ["a", "b", "c"]
    assert out.loc["b", "reasons"].startswith("INC-1-age:age_below_min; INC-1-substance:main_substance_not_allowed")
    summary = ledger.to_frame().query("measure == 'hcs_eligibility'").set_index("status")["n"].to_dict()
    # a: INC-5/EXC-1..4 not recorded -> undetermined; b fails; c: age missing -> undetermined
    assert summary == {"eligible": 0, "not_eligible": 1, "undetermined": 2}
    with pytest.raises(ValueError, match="one row per"):
        hcs_eligibility(pd.concat([d, d]))


@settings(max_examples=80, deadline=None)
@given(seq=st.lists(st.sampled_from(["moedt", "meldt_afbud", "ikke_meldt_afbud"]), min_size=1, max_size=16),
       seed=st.integers(0, 2**16))
def test_runs_equal_a_plain_reference(seq, seed):
    # reference: longest run of "ikke_meldt_afbud" in date order, and the plain count
    best = cur = 0
    for s in seq:
        cur = cur + 1 if s == "ikke_meldt_afbud" else 0
        best = max(best, cur)
    att = attendance("p", seq)
    shuffled = att.iloc[np.random.default_rng(seed).permutation(len(att))]
    assert no_show_counts(shuffled, consecutive=True, sessioner=sessions(len(seq))).loc["p", "no_show"] == best
    assert no_show_counts(shuffled).loc["p", "no_show"] == seq.count("ikke_meldt_afbud")


def test_reader_dtypes_categorical_codes_and_arrow_strings():
    # readers deliver category columns as pandas Categorical with the dictionary codes, ids as Arrow strings
    import pyarrow as pa

    from evalkit.io.schema import dataset

    table = dataset("hcs").table("hcs_deltagere")
    d = participants(lovgrundlag="sel101a", hovedstof="centralstimulerende")
    for c in ("lovgrundlag", "hovedstof", "tilknytning", "maal"):
        d[c] = pd.Categorical(d[c], categories=table.column(c).codes)
    d["deltager_id"] = d["deltager_id"].astype(pd.ArrowDtype(pa.string()))
    d["alder"] = d["alder"].astype("int64[pyarrow]")
    for c in ("reflekterende", "eksk_psykisk", "eksk_opmaerksomhed", "eksk_aggression", "eksk_paavirket"):
        d[c] = d[c].astype("bool[pyarrow]")
    tp = dataset("hcs").table("hcs_asi").column("tidspunkt").codes
    asi = asi_intake(0.3)
    asi["tidspunkt"] = pd.Categorical(asi["tidspunkt"], categories=tp, ordered=True)
    asi["asi_samlet"] = asi["asi_samlet"].astype("double[pyarrow]")
    out = hcs_eligibility(d, asi)
    assert out["eligible_at_intake"].iloc[0] == True  # noqa: E712
    assert out.index[0] == "p"


def _reference_reasons(out: pd.DataFrame) -> list[str]:
    """Rebuild `reasons` row by row from the rule columns (the reason texts are read from the frame itself)."""
    rules = [c for c in out.columns if c.startswith(("INC", "EXC"))]
    texts = []
    for _, row in out.iterrows():
        parts = [p for p in row["reasons"].split("; ") if p]
        assert [p.split(":")[0] for p in parts] == [r for r in rules if row[r] != "pass"]
        texts.append("; ".join(parts))
    return texts


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 40), k=st.integers(1, 4))
def test_precounted_no_show_equals_counting_the_registrations(seed, n, k):
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"deltager_id": [f"p{i}" for i in range(n)], "alder": rng.choice([16, 18, 30, np.nan], n),
                      "lovgrundlag": rng.choice(["sel101", "sel101a", None], n),
                      "hovedstof": rng.choice(["hash", "andet"], n),
                      "tilknytning": ["arbejde"] * n, "maal": rng.choice(["reducere", None], n),
                      "reflekterende": rng.choice([True, False, None], n)})
    asi = pd.DataFrame({"deltager_id": d["deltager_id"], "tidspunkt": "indskrivning",
                        "asi_samlet": rng.uniform(0, 0.5, n)})
    rows = [(pid, f"s{j}", rng.choice(["moedt", "ikke_meldt_afbud"])) for pid in d["deltager_id"]
            for j in range(int(rng.integers(0, 6)))]
    att = pd.DataFrame(rows, columns=["deltager_id", "session_id", "status"])
    counted = hcs_eligibility(d, asi, att, no_show_k=k)
    per_person = att.assign(hit=att["status"] == "ikke_meldt_afbud").groupby("deltager_id")["hit"].sum()
    pre = per_person.reindex(d["deltager_id"]).to_numpy(dtype="float64")        # NaN = nothing registered
    given_counts = hcs_eligibility(d, asi, no_show=pre, no_show_k=k)
    pd.testing.assert_frame_equal(counted, given_counts)
    assert given_counts["reasons"].tolist() == _reference_reasons(given_counts)
    with pytest.raises(ValueError, match="one value per participant"):
        hcs_eligibility(d, asi, no_show=pre[:-1] if n > 1 else np.r_[pre, pre], no_show_k=k)
