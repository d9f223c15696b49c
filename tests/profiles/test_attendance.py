"""HCS attendance counted per participant and per session number (seed 002 chapter 2), against pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.profiles.attendance import ATTENDANCE_STATUSES, attendance_counts


def reference(att: pd.DataFrame, ses: pd.DataFrame, ids: list[str], planned: int) -> tuple[np.ndarray, np.ndarray]:
    """Plain pandas: merge the session dates, number each participant's sessions by (date, session row),
    keep the first `planned`."""
    ses = ses.reset_index(drop=True).assign(row=lambda d: np.arange(len(d)), dato=lambda d: pd.to_datetime(d["dato"]))
    m = att.merge(ses, on="session_id").sort_values(["deltager_id", "dato", "row"])
    m["k"] = m.groupby("deltager_id").cumcount() + 1
    m = m[(m["k"] <= planned) & m["deltager_id"].isin(ids)]
    per_person = pd.crosstab(m["deltager_id"], m["status"]).reindex(index=ids, columns=list(ATTENDANCE_STATUSES),
                                                                    fill_value=0)
    per_session = pd.crosstab(m["k"], m["status"]).reindex(index=range(1, planned + 1),
                                                           columns=list(ATTENDANCE_STATUSES), fill_value=0)
    return per_person.to_numpy(), per_session.to_numpy()


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), people=st.integers(1, 12), sessions=st.integers(1, 25), planned=st.integers(1, 16))
def test_counts_equal_a_plain_pandas_reference(seed, people, sessions, planned):
    rng = np.random.default_rng(seed)
    ses = pd.DataFrame({"session_id": [f"s{i}" for i in range(sessions)],
                        "dato": pd.Timestamp("2015-01-05") + pd.to_timedelta(rng.integers(0, 30, sessions), "D")})
    pairs = [(f"p{p}", f"s{s}") for p in range(people) for s in range(sessions) if rng.random() < 0.6]
    att = pd.DataFrame(pairs, columns=["deltager_id", "session_id"])
    att["status"] = rng.choice(ATTENDANCE_STATUSES, len(att))
    att = att.sample(frac=1, random_state=seed)                      # row order must not matter
    if seed % 2:   # grouped by participant, as exports usually are (ids looked up once per run)
        att = att.sort_values("deltager_id", kind="stable")
    ids = [f"p{p}" for p in range(people)] + ["nobody"]
    out = attendance_counts(att, ses, ids, sessions_planned=planned)
    per_person, per_session = reference(att, ses, ids, planned)
    assert out.per_person.tolist() == per_person.tolist()
    assert out.per_session.tolist() == per_session.tolist()
    assert out.registered.tolist() == per_person.sum(axis=1).tolist()
    assert out.excluded["beyond_planned_sessions"] == len(att) - int(out.kept.sum())
    assert out.per_session.sum() == out.kept.sum() == out.per_person.sum()


def test_unknown_ids_sessions_and_aliases():
    ses = pd.DataFrame({"session_id": ["s1", "s2"], "dato": pd.to_datetime(["2015-01-05", "2015-01-12"])})
    att = pd.DataFrame({"deltager_id": ["a", "a", "x", "a"], "session_id": ["s2", "s1", "s1", "zz"],
                        "status": ["Mødt op", "afbud", "moedt", "moedt"]})
    out = attendance_counts(att, ses, pd.Index(["a"]))
    assert out.per_person.tolist() == [[1, 1, 0]]
    assert out.per_session[:2].tolist() == [[0, 1, 0], [1, 0, 0]]     # s1 (cancelled) is a's first session
    assert out.excluded == {"beyond_planned_sessions": 0, "unknown_participant": 1, "unknown_session": 1}
    assert out.kept.tolist() == [True, True, False, False]


def test_missing_or_unknown_status_raises():
    ses = pd.DataFrame({"session_id": ["s1"], "dato": ["2015-01-05"]})
    with pytest.raises(ValueError, match="needs a status"):
        attendance_counts(pd.DataFrame({"deltager_id": ["a"], "session_id": ["s1"], "status": [None]}), ses, ["a"])
    with pytest.raises(ValueError, match="unknown value"):
        attendance_counts(pd.DataFrame({"deltager_id": ["a"], "session_id": ["s1"], "status": ["maybe"]}), ses, ["a"])
    with pytest.raises(ValueError, match="positive"):
        attendance_counts(pd.DataFrame({"deltager_id": [], "session_id": [], "status": []}), ses, ["a"],
                          sessions_planned=0)


def test_arrow_backed_columns_give_the_same_counts():
    ses = pd.DataFrame({"session_id": ["s1", "s2"], "dato": ["2015-01-12", "2015-01-05"]})
    att = pd.DataFrame({"deltager_id": ["a", "a", "b"], "session_id": ["s1", "s2", "s1"],
                        "status": ["moedt", "ikke_meldt_afbud", "meldt_afbud"]})
    plain = attendance_counts(att, ses, ["a", "b"])
    arrow = attendance_counts(att.convert_dtypes(dtype_backend="pyarrow"),
                              ses.assign(dato=pd.to_datetime(ses["dato"]).dt.date).astype({"dato": "date32[pyarrow]"}),
                              pd.Index(["a", "b"], dtype="string[pyarrow]"))
    assert plain.per_person.tolist() == arrow.per_person.tolist() == [[1, 0, 1], [0, 1, 0]]
    assert plain.per_session.tolist() == arrow.per_session.tolist()
    # s2 is earlier: session 1 = a's no-show and b's cancellation, session 2 = a's attendance
    assert plain.per_session[:2].tolist() == [[0, 1, 1], [1, 0, 0]]
