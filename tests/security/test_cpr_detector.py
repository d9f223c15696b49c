"""One CPR detector (issue 16): every written form is found, the vectorised column path agrees with the
pattern, masking leaves no digit of the number, and pseudonyms link every form of one number."""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.io.cpr import (
    MASK,
    SEPARATORS,
    contains_cpr_mask,
    has_cpr,
    is_cpr_like,
    pseudonymise,
    scrub_column,
    scrub_text,
)

FORMS = {
    "plain": "0102031234",
    "dash": "010203-1234",
    "space": "010203 1234",
    "no-break space": "010203\u00a01234",
    "narrow no-break space": "010203\u202f1234",
    "en dash": "010203\u20131234",
    "minus sign": "010203\u22121234",
    "non-breaking hyphen": "010203\u20111234",
    "fullwidth hyphen": "010203\uff0d1234",
    "soft hyphen": "010203\u00ad1234",
    "zero-width space": "010203\u200b1234",
    "space dash space": "010203 - 1234",
    "fullwidth digits": "\uff10\uff11\uff10\uff12\uff10\uff13\uff11\uff12\uff13\uff14",
    "dropped leading zero": "102031234",
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_form_is_found_and_masked_whole(form):
    text = FORMS[form]
    embedded = f"Lolland {text} (se sag)"
    assert has_cpr(text) and has_cpr(embedded)
    assert scrub_text(embedded) == f"Lolland {MASK} (se sag)"
    assert is_cpr_like(pa.array([text])).tolist() == [True]
    assert contains_cpr_mask(pa.array([embedded, "Odense"])).tolist() == [True, False]
    assert scrub_column(pa.array([embedded, None])).to_pylist() == [f"Lolland {MASK} (se sag)", None]


@pytest.mark.parametrize("text", ["3102031234", "0113031234", "2902011234", "010190123", "12345678901",
                                  "01-02-2003", "tlf 12345678", "0102031234567", "x010203123"])
def test_not_cpr(text):
    assert not has_cpr(text) and scrub_text(text) == text
    assert contains_cpr_mask(pa.array([text])).tolist() == [False]


def test_pseudonyms_link_every_form_and_hide_the_number():
    values = pa.array(list(FORMS.values()) + ["A5", "sag 0102031234"])
    mask = contains_cpr_mask(values)
    assert mask.tolist() == [True] * len(FORMS) + [False, True]
    out = pseudonymise(values, b"key", mask).to_pylist()
    assert len(set(out[: len(FORMS)])) == 1 and out[0].startswith("P")
    assert out[-2] == "A5" and out[-1].startswith("P") and out[-1] != out[0]
    assert not any("1234" in v for v in out if v != "A5")


def test_numeric_id_with_dropped_zero_from_a_typed_column():
    from evalkit.io.convert import to_text

    text = to_text(pa.array([102031234, 55], pa.int64())).values
    assert is_cpr_like(text).tolist() == [True, False]


_piece = st.one_of(
    st.text(alphabet="0123456789", min_size=1, max_size=11),
    st.sampled_from(list(FORMS.values())),
    st.sampled_from(list(SEPARATORS[:40]) + list("-.,/ abcæ") + ["\u00a0", "\u2013", "\uff11"]),
    st.text(max_size=3),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(_piece, max_size=5).map("".join), min_size=1, max_size=12))
def test_vectorised_column_path_agrees_with_the_pattern(texts):
    """The RE2 pre-filter and vectorised date check decide exactly as the one pattern does, per value."""
    values = pa.array(texts, pa.string())
    assert contains_cpr_mask(values).tolist() == [has_cpr(t) for t in texts]
    whole = is_cpr_like(values).tolist()
    for t, w in zip(texts, whole, strict=True):
        assert w == (has_cpr(t) and scrub_text(t).strip(SEPARATORS) == MASK)
    for t in texts:
        masked = scrub_text(t)
        assert not has_cpr(masked)


def test_scrubbed_text_keeps_no_digit_of_the_number():
    text = "a 0304051234 b 030405\u00a01234 c 304051234"
    masked = scrub_text(text)
    assert re.findall(r"\d", masked) == []
    assert np.all(is_cpr_like(pa.array(["0101001234"])))
