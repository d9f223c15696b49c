"""The buffer shortcuts and key fast paths must never say "nothing to do" when the full pass would find something."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.io.convert import to_text
from evalkit.io.cpr import is_cpr_like
from evalkit.io.textbuf import has_empty_string, max_byte_length, may_need_trim

TEXTS = st.lists(st.one_of(st.none(), st.text(max_size=12)), max_size=30)


def _as(values: list[str | None], kind: str) -> pa.Array | pa.ChunkedArray:
    if kind == "large":
        return pa.array(values, pa.large_string())
    if kind == "sliced":
        return pa.array(["x  ", *values, "  y"], pa.string()).slice(1, len(values))
    if kind == "chunked":
        half = len(values) // 2
        return pa.chunked_array([pa.array(values[:half], pa.string()), pa.array(values[half:], pa.string())])
    return pa.array(values, pa.string())


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.sampled_from(["plain", "large", "sliced", "chunked"]))
def test_shortcuts_agree_with_pyarrow(values: list[str | None], kind: str) -> None:
    arr = _as(values, kind)
    trimmed = pc.utf8_trim_whitespace(arr)
    if not may_need_trim(arr):
        assert trimmed.to_pylist() == arr.to_pylist()
    assert has_empty_string(arr) == ("" in values)
    lengths = [len(v.encode("utf-8")) for v in values if v is not None]
    assert max_byte_length(arr) == max(lengths, default=0)


def test_edge_cases_by_hand() -> None:
    assert not may_need_trim(pa.array(["E1", "E22", None, ""]))
    for spaced in [" E1", "E1 ", "\tE1", "E1\n", "E1\r", "\x1fE1", "E1\u00a0", "\u2003E1", "E1\u3000"]:
        assert may_need_trim(pa.array(["ok", spaced])), repr(spaced)
    assert has_empty_string(pa.array(["a", None, ""])) and not has_empty_string(pa.array(["a", None]))
    assert max_byte_length(pa.array([], pa.string())) == 0


def test_to_text_still_trims_and_nulls_empties() -> None:
    out = to_text(pa.array(["  E1", "E2\u00a0", "", "   ", None, "E3"])).values
    assert out.to_pylist() == ["E1", "E2", None, None, None, "E3"]
    assert to_text(pa.array(["E1", "E2"])).values.to_pylist() == ["E1", "E2"]


def test_cpr_length_shortcut_keeps_detection() -> None:
    assert is_cpr_like(pa.array(["E1", "0101901234", None])).tolist() == [False, True, False]
    assert not is_cpr_like(pa.array(["010190123"])).any()  # nine digits: too short to be one


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="AB1", max_size=3), max_size=25), st.booleans(), st.booleans())
def test_primary_key_check_agrees_with_a_set(keys: list[str], presort: bool, chunked: bool) -> None:
    from evalkit.io.keys import _has_duplicates

    keys = sorted(keys) if presort else keys   # sorted input takes the one-pass route when strictly increasing
    arr = _as(keys, "chunked" if chunked else "plain")
    assert _has_duplicates(arr) == (len(set(keys)) != len(keys))
