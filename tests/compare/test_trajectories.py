"""LOCF exactly as seed 004 fn 4/8/23 defines it, the counts-of-forms tables, and LOCF's invariants."""

from __future__ import annotations

import datetime as dt
import math
import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.compare import (
    DataQualityWarning,
    first_last,
    form_counts,
    locf,
    mcnemar,
    paired_t,
    trajectory_summary,
)

A = pd.ArrowDtype
START = dt.date(2018, 1, 1)


def _tem(rows: list[tuple[str, int, float | None]]) -> pd.DataFrame:
    """tem_registrations-like frame with reader dtypes: (episode_id, day offset, personlig_trivsel)."""
    return pd.DataFrame({
        "tem_id": pd.Series([f"T{i:05d}" for i in range(len(rows))], dtype=A(pa.string())),
        "episode_id": pd.Series([r[0] for r in rows], dtype=A(pa.string())),
        "tem_date": pd.Series([START + dt.timedelta(days=r[1]) for r in rows], dtype=A(pa.date32())),
        "personlig_trivsel": pd.Series([r[2] for r in rows], dtype=A(pa.int64())),
    })


def _reference_locf(df: pd.DataFrame, upto: int) -> pd.DataFrame:
    """A slow, obviously-correct reference: per-id loop over forms sorted by (date, value)."""
    out = {}
    for eid, g in df.groupby("episode_id"):
        g = g.assign(_v=g["personlig_trivsel"].astype("float64")).sort_values(["tem_date", "_v"], na_position="last")
        vals = g["_v"].tolist()[:upto]
        filled, last = [], math.nan
        for k in range(upto):
            if k < len(vals) and not math.isnan(vals[k]):
                last = vals[k]
            filled.append(last)
        out[eid] = filled
    return pd.DataFrame(out).T


def test_seed004_fn4_single_form_is_carried_to_registration_12() -> None:
    # fn 4/8: "En ung, som for eksempel svarer 6 i personlig trivsel ved foerste samtale, men aldrig
    # kommer igen, vil have vaerdien 6 i de foelgende TEM-registreringer."
    rng = np.random.default_rng(4)
    rows = [("U01", 0, 6)]
    # fn 25: one youth filled in 39 forms; fn 23: all figures are made at the 12th registration.
    days = rng.permutation(np.arange(39) * 7)
    values = rng.integers(0, 11, 39)
    rows += [("U39", int(d), int(v)) for d, v in zip(days, values, strict=False)]
    out = locf(_tem(rows), id="episode_id", order=["tem_date", "tem_id"], values="personlig_trivsel")
    assert out.attrs["locf"]["upto"] == 12
    one = out.loc["U01"]
    assert one["personlig_trivsel"].tolist() == [6.0] * 12
    assert one["observed"].tolist() == [True] + [False] * 11
    assert one["personlig_trivsel_imputed"].tolist() == [False] + [True] * 11
    many = out.loc["U39"]
    by_date = values[np.argsort(days)].astype(float)
    assert many["personlig_trivsel"].tolist() == by_date[:12].tolist()  # forms 13..39 ignored
    assert many["observed"].all() and (many["n_forms"] == 39).all()
    assert out.attrs["locf"]["n_rows_beyond_upto"] == 27
    fl = first_last(out, "personlig_trivsel")
    assert fl.loc["U01"].tolist() == [6.0, 6.0, 1] and fl.loc["U39"].tolist() == [by_date[0], by_date[11], 39]
    counts = form_counts(out)
    assert counts["n_with_form"].tolist() == [2] + [1] * 11
    assert counts["n_exactly"].tolist() == [1] + [0] * 10 + [1]


# 004-F6.23/6.24/6.25/6.29/6.32: published "Antal unge" per TEM-skema and the derived numbers with
# exactly k forms (seed004_figures.md section 2.5); the last class is "12 or more".
FIGURES = {
    "004-F6.23": ([65, 44, 29, 22, 13, 11, 8, 7, 6, 3, 3, 3], [21, 15, 7, 9, 2, 3, 1, 1, 3, 0, 0, 3]),
    "004-F6.24": ([35, 26, 19, 15, 10, 9, 6, 5, 4, 4, 3, 3], [9, 7, 4, 5, 1, 3, 1, 1, 0, 1, 0, 3]),
    "004-F6.25": ([327, 246, 205, 164, 130, 109, 90, 75, 61, 49, 43, 33],
                  [81, 41, 41, 34, 21, 19, 15, 14, 12, 6, 10, 33]),
    "004-F6.29": ([155, 108, 87, 63, 48, 39, 29, 24, 19, 15, 12, 9], [47, 21, 24, 15, 9, 10, 5, 5, 4, 3, 3, 9]),
    "004-F6.32": ([303, 231, 196, 158, 124, 105, 88, 73, 59, 47, 41, 31],
                  [72, 35, 38, 34, 19, 17, 15, 14, 12, 6, 10, 31]),
}


@pytest.mark.parametrize("figure", sorted(FIGURES))
def test_counts_of_forms_table_reproduces_seed004(figure: str) -> None:
    published, exactly = FIGURES[figure]
    rng = np.random.default_rng(len(published) + published[0])
    rows = []
    for k, how_many in enumerate(exactly, start=1):
        for j in range(how_many):
            forms = k if k < 12 else int(rng.integers(12, 40))  # "12 or more", e.g. the youth with 39
            eid = f"{figure}-{k:02d}-{j:03d}"
            rows += [(eid, int(d), int(rng.integers(0, 11))) for d in rng.permutation(forms * 3)[:forms]]
    shuffled = _tem(rows).sample(frac=1.0, random_state=1)
    out = locf(shuffled, id="episode_id", order=["tem_date", "tem_id"], values="personlig_trivsel")
    counts = form_counts(out)
    assert counts["n_with_form"].tolist() == published == out.attrs["locf"]["n_with_form"]
    assert counts["n_exactly"].tolist() == exactly
    assert (counts["n_cohort"] == published[0]).all()
    # under LOCF every registration has the whole cohort as denominator ("(n=327)" on every chart)
    assert (trajectory_summary(out, "personlig_trivsel")["n"] == published[0]).all()


def test_matches_a_per_id_reference_loop() -> None:
    rng = np.random.default_rng(0)
    rows = [(f"E{rng.integers(0, 60):02d}", int(d), None if rng.random() < 0.15 else int(rng.integers(0, 11)))
            for d in rng.permutation(5000)[:900]]
    df = _tem(rows)
    ref = _reference_locf(df, 12)
    out = locf(df, id="episode_id", order="tem_date", values="personlig_trivsel")
    got = out["personlig_trivsel"].to_numpy().reshape(-1, 12)
    assert list(out.index.levels[0]) == sorted(ref.index)
    np.testing.assert_array_equal(got, ref.sort_index().to_numpy(dtype=float))


rows_strategy = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c", "d"]), st.integers(0, 20), st.one_of(st.none(), st.integers(0, 10))),
    min_size=0, max_size=45,
)


@settings(max_examples=120, deadline=None)
@given(rows_strategy, st.integers(1, 6), st.randoms(use_true_random=False))
def test_locf_invariants(rows, upto, rnd) -> None:
    df = _tem(rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)  # tied dates are allowed here
        out = locf(df, id="episode_id", order="tem_date", values="personlig_trivsel", upto=upto)
        perm = list(range(len(df)))
        rnd.shuffle(perm)
        shuffled = locf(df.iloc[perm], id="episode_id", order="tem_date", values="personlig_trivsel", upto=upto)
    # 1. the same result whatever the input row order
    pd.testing.assert_frame_equal(out, shuffled)
    ref = _reference_locf(df, upto) if len(df) else pd.DataFrame()
    vals = out["personlig_trivsel"].to_numpy().reshape(-1, upto) if len(df) else np.empty((0, upto))
    for i, eid in enumerate(out.index.levels[0]):
        g = df[df["episode_id"] == eid].assign(_v=lambda f: f["personlig_trivsel"].astype("float64"))
        g = g.sort_values(["tem_date", "_v"], na_position="last")
        raw = g["_v"].tolist()[:upto]
        first_seen = next((k for k, v in enumerate(raw) if not math.isnan(v)), upto)
        # 2. nothing before the first observation
        assert np.isnan(vals[i, :first_seen]).all()
        # 3. an observed value is never changed
        for k, v in enumerate(raw):
            if not math.isnan(v):
                assert vals[i, k] == v
        np.testing.assert_array_equal(vals[i], ref.loc[eid].to_numpy(dtype=float))
    # 4. one row per (id, registration), cohort denominators
    assert len(out) == df["episode_id"].nunique() * upto


def test_reader_dtypes_booleans_and_categories_round_trip() -> None:
    df = pd.DataFrame({
        "episode_id": pd.Series(["E2", "E1", "E1", "E2", "E1"], dtype=A(pa.string())),
        "tem_date": pd.Series([dt.date(2019, 1, d) for d in (5, 3, 1, 2, 9)], dtype=A(pa.date32())),
        "drug_free_last_week": pd.Series([True, None, False, None, True], dtype=A(pa.bool_())),
        "band": pd.Categorical(["hoej", "lav", None, "lav", "hoej"], categories=["lav", "hoej"], ordered=True),
        "alcohol_units_week": pd.Series([1.5, None, 3.0, 2.0, None], dtype=A(pa.float64())),
    })
    out = locf(df, id="episode_id", order="tem_date", values=["drug_free_last_week", "band", "alcohol_units_week"],
               upto=4)
    assert out.index.names == ["episode_id", "registration"]
    assert list(out.index.levels[0]) == ["E1", "E2"]
    assert str(out["drug_free_last_week"].dtype) == "boolean"
    assert out["drug_free_last_week"].tolist() == [False, False, True, True, pd.NA, True, True, True]
    assert out["band"].dtype == df["band"].dtype
    assert out["band"].tolist()[:4] == [np.nan, "lav", "hoej", "hoej"]
    assert out["alcohol_units_week"].tolist()[:4] == [3.0, 3.0, 3.0, 3.0]
    assert out["alcohol_units_week_imputed"].tolist()[:4] == [False, True, True, True]


def test_numpy_dtypes_and_datetime_order() -> None:
    df = pd.DataFrame({"pid": [3, 3, 1], "when": pd.to_datetime(["2020-02-01", "2020-01-01", "2020-03-01"]),
                       "score": [np.nan, 4.0, 7.0]})
    out = locf(df, id="pid", order="when", values="score", upto=3)
    assert out["score"].tolist() == [7.0, 7.0, 7.0, 4.0, 4.0, 4.0]
    assert out["observed"].tolist() == [True, False, False, True, True, False]


def test_cohort_sets_the_denominator() -> None:
    df = _tem([("E1", 0, 5), ("E1", 1, 6), ("X9", 0, 1)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # leaving out forms of non-cohort ids is selection, not a data problem
        out = locf(df, id="episode_id", order="tem_date", values="personlig_trivsel", upto=3, cohort=["E1", "E2"])
    assert list(out.index.levels[0]) == ["E1", "E2"]
    assert out.loc["E2", "personlig_trivsel"].isna().all() and not out.loc["E2", "observed"].any()
    assert out.attrs["locf"]["n_rows_outside_cohort"] == 1
    summary = trajectory_summary(out, "personlig_trivsel")
    assert summary["n"].tolist() == [1, 1, 1]


def test_missing_keys_are_dropped_and_reported() -> None:
    df = _tem([("E1", 0, 5), ("E1", 1, 6), ("E2", 0, 1)])
    df.loc[1, "tem_date"] = None
    df.loc[2, "episode_id"] = None
    with pytest.warns(DataQualityWarning, match="2 rows"):
        out = locf(df, id="episode_id", order="tem_date", values="personlig_trivsel", upto=2)
    assert out.attrs["locf"]["n_rows_missing_key"] == 2
    assert list(out.index.levels[0]) == ["E1"]


def test_tied_dates_warn_and_tie_breaker_columns_are_used() -> None:
    df = _tem([("E1", 0, 9), ("E1", 0, 2)])
    with pytest.warns(DataQualityWarning, match="share id and all `order` keys"):
        tied = locf(df, id="episode_id", order="tem_date", values="personlig_trivsel", upto=2)
    assert tied["personlig_trivsel"].tolist() == [2.0, 9.0]  # broken by value
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        by_id = locf(df, id="episode_id", order=["tem_date", "tem_id"], values="personlig_trivsel", upto=2)
    assert by_id["personlig_trivsel"].tolist() == [9.0, 2.0]  # T00000 before T00001


@settings(max_examples=60, deadline=None)
@given(rows_strategy, st.randoms(use_true_random=False))
def test_tie_breaker_column_orders_forms_on_the_same_date(rows, rnd) -> None:
    df = _tem(rows)
    if len(df):
        df.loc[df.index[::3], "tem_id"] = None  # a missing tie-breaker sorts last
    perm = list(range(len(df)))
    rnd.shuffle(perm)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        out = locf(df.iloc[perm], id="episode_id", order=["tem_date", "tem_id"], values="personlig_trivsel", upto=4)
    for eid in out.index.levels[0]:
        g = df[df["episode_id"] == eid].assign(_v=lambda f: f["personlig_trivsel"].astype("float64"))
        g = g.sort_values(["tem_date", "tem_id", "_v"], na_position="last")
        raw = g["_v"].tolist()[:4]
        got = out.loc[eid, "personlig_trivsel"].tolist()
        for k, v in enumerate(raw):
            if not math.isnan(v):
                assert got[k] == v


def test_summaries_for_locf_observed_and_completers() -> None:
    # E1: 5, 7 (two forms); E2: 4 (one form); E3: 3, None, 9 (three forms, second item missing)
    df = _tem([("E1", 0, 5), ("E1", 1, 7), ("E2", 0, 4), ("E3", 0, 3), ("E3", 1, None), ("E3", 2, 9)])
    out = locf(df, id="episode_id", order="tem_date", values="personlig_trivsel", upto=3)
    s = trajectory_summary(out, "personlig_trivsel")
    assert s["mean"].tolist() == pytest.approx([4.0, (7 + 4 + 3) / 3, (7 + 4 + 9) / 3])
    assert s["n_imputed"].tolist() == [0, 2, 2]
    assert s["sd"].iloc[0] == pytest.approx(np.std([5, 4, 3], ddof=1))
    o = trajectory_summary(out, "personlig_trivsel", population="observed")
    assert o["n"].tolist() == [3, 1, 1] and o["mean"].tolist() == pytest.approx([4.0, 7.0, 9.0])
    c = trajectory_summary(out, "personlig_trivsel", population="completers")
    assert c["n"].tolist() == [1, 1, 1] and c["mean"].tolist() == pytest.approx([3.0, 3.0, 9.0])
    assert c["n_imputed"].tolist() == [0, 1, 0]


def test_first_last_feeds_the_paired_tests() -> None:
    rng = np.random.default_rng(3)
    rows = []
    for i in range(80):
        n_forms = int(rng.integers(1, 15))
        base = rng.integers(2, 8)
        rows += [(f"E{i:03d}", d, int(min(10, base + (d > 0) * rng.integers(0, 3)))) for d in range(n_forms)]
    out = locf(_tem(rows), id="episode_id", order="tem_date", values="personlig_trivsel")
    fl = first_last(out, "personlig_trivsel")
    r = paired_t(fl["first"], fl["last"])
    assert r.n == 80 and r.n_dropped == 0
    assert r.estimate == pytest.approx((fl["last"] - fl["first"]).mean())
    single = fl["n_forms"] == 1
    assert (fl.loc[single, "first"] == fl.loc[single, "last"]).all()  # 1 form: first = last (A: 81/327)
    drug_free = locf(_tem(rows).assign(stoffri=lambda f: (f["personlig_trivsel"] > 5)),
                     id="episode_id", order="tem_date", values="stoffri")
    fl2 = first_last(drug_free, "stoffri")
    assert mcnemar(fl2["first"], fl2["last"]).n == 80


# ------------------------------------------------------------------------- the one engine = locf's view

def _engine_vs_locf(df: pd.DataFrame, groups: dict[str, int], upto: int) -> None:
    """trajectory_stats (difference arrays, no grid) equals trajectory_summary/first_last of locf."""
    from evalkit.compare.trajectories import (
        Strata,
        _id_codes,
        _order_codes,
        sort_forms,
        trajectory_stats,
    )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        frame = locf(df, id="episode_id", order=["tem_date", "tem_id"], values="personlig_trivsel", upto=upto)
    code, uniques = _id_codes(df["episode_id"], None)
    values = df["personlig_trivsel"].to_numpy(dtype=float, na_value=np.nan)
    forms = sort_forms(code, _order_codes(df["tem_date"]), n_units=len(uniques), tie_breakers=[df["tem_id"]],
                       tie_values=[values])
    unit_group = np.array([groups[str(u)] for u in uniques], dtype=np.int64)
    strata = Strata(forms.place(upto), {"g": unit_group, "all": np.zeros(len(uniques), dtype=np.int64)})
    got = trajectory_stats(strata, values)
    chunked = trajectory_stats(strata, values, chunk=13)   # whole units, a few forms at a time
    np.testing.assert_array_equal(chunked.last, got.last)
    for name in got.by:
        np.testing.assert_array_equal(chunked.by[name].n, got.by[name].n)
        np.testing.assert_allclose(chunked.by[name].mean, got.by[name].mean, rtol=1e-12)
    fl = first_last(frame, "personlig_trivsel")
    np.testing.assert_array_equal(got.first, fl["first"].to_numpy(dtype=float, na_value=np.nan))
    np.testing.assert_array_equal(got.last, fl["last"].to_numpy(dtype=float, na_value=np.nan))
    observed_last = frame["observed"].to_numpy().reshape(-1, upto)[:, -1] & ~frame[
        "personlig_trivsel_imputed"].to_numpy().reshape(-1, upto)[:, -1]
    np.testing.assert_array_equal(got.last_observed, observed_last & ~np.isnan(got.last))
    for name, codes in (("g", unit_group), ("all", np.zeros(len(uniques), dtype=np.int64))):
        for gi in range(int(codes.max()) + 1 if codes.size else 0):
            ids = uniques[codes == gi]
            sub = frame.loc[frame.index.get_level_values(0).isin(ids)]
            for population, n, mean, sd in (("locf", "n", "mean", "sd"),
                                            ("observed", "n_observed", "mean_observed", "sd_observed")):
                ref = trajectory_summary(sub, "personlig_trivsel", population=population)
                s = got.by[name]
                np.testing.assert_array_equal(getattr(s, n)[gi], ref["n"].to_numpy())
                np.testing.assert_allclose(getattr(s, mean)[gi], ref["mean"].to_numpy(), rtol=1e-12, atol=1e-12)
                np.testing.assert_allclose(getattr(s, sd)[gi], ref["sd"].to_numpy(), rtol=1e-9, atol=1e-9)
            np.testing.assert_array_equal(got.by[name].n_imputed[gi],
                                          trajectory_summary(sub, "personlig_trivsel")["n_imputed"].to_numpy())
            assert strata.positions.n_with_form(codes == gi).tolist() == form_counts(sub)["n_with_form"].tolist()


@settings(max_examples=150, deadline=None)
@given(rows_strategy, st.integers(1, 6), st.lists(st.integers(0, 2), min_size=4, max_size=4))
def test_engine_equals_locf(rows, upto, group_of) -> None:
    df = _tem(rows)
    if not len(df):
        return
    _engine_vs_locf(df, dict(zip("abcd", group_of, strict=False)), upto)


def test_engine_equals_locf_on_seed004_shapes() -> None:
    rng = np.random.default_rng(11)
    rows = []
    for i in range(300):
        n_forms = int(rng.integers(1, 40))
        rows += [(f"E{i:03d}", int(d), None if rng.random() < 0.1 else int(rng.integers(0, 11)))
                 for d in rng.permutation(120)[:n_forms]]
    df = _tem(rows).sample(frac=1.0, random_state=2).reset_index(drop=True)
    _engine_vs_locf(df, {f"E{i:03d}": i % 4 for i in range(300)}, 12)


def test_engine_place_subset_numbers_the_selected_forms() -> None:
    from evalkit.compare.trajectories import sort_forms

    # unit 0: forms on days 1, 2, 3; only days 1 and 3 are group-course forms
    forms = sort_forms(np.array([0, 0, 0]), np.array([3, 1, 2]), n_units=1)
    group = np.array([True, True, False])
    pos = forms.place(12, where=group)
    assert pos.rows.tolist() == [1, 0] and pos.k.tolist() == [0, 1] and pos.n_forms.tolist() == [2]
