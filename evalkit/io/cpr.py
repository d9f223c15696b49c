"""CPR numbers: detection, masking and keyed pseudonyms.

A CPR number is ``ddmmyy-ssss`` (or ``ddmmyyssss``) whose first six digits form a valid date
(anchors.md section 6.2). The modulus-11 check is deliberately *not* used: numbers issued since
1 October 2007 need not satisfy it, so rejecting on it would let real CPR numbers through.

Identifiers that look like CPR numbers are replaced on read by a keyed pseudonym (HMAC-SHA256), so
that linkage inside one run works while the output can never be joined back to the register.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from evalkit.io.textbuf import max_byte_length

KEY_ENV = "EVALKIT_PSEUDONYM_KEY"

# Six digits that can form a date (day 01-31, month 01-12), optional dash or space, four digits,
# not glued to other digits. Day-of-month validity is checked separately (31-02 is not a date).
_CPR_TEXT = re.compile(r"(?<!\d)((?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d{2})[-\s]?(\d{4})(?!\d)")
_CPR_FULL = r"^\s*(0[1-9]|[12]\d|3[01])(0[1-9]|1[0-2])(\d{2})[-\s]?\d{4}\s*$"
_DAYS = np.array([0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _valid_ddmmyy(day: int, month: int, yy: int) -> bool:
    if day > _DAYS[month]:
        return False
    if month == 2 and day == 29:
        # Leap day exists if the year is a leap year in either century (yy=00 -> 2000 is leap).
        return yy % 4 == 0
    return True


def mask_cpr(text: str) -> str:
    """Replace every CPR-like number in ``text`` by its masked form ``ddmmyy-XXXX``.

    >>> mask_cpr("person 0102031234 not found")
    'person 010203-XXXX not found'
    >>> mask_cpr("row 12: 3102031234")  # 31 February is not a date: not a CPR number
    'row 12: 3102031234'
    """

    def repl(m: re.Match[str]) -> str:
        ddmmyy = m.group(1)
        if _valid_ddmmyy(int(ddmmyy[:2]), int(ddmmyy[2:4]), int(ddmmyy[4:])):
            return f"{ddmmyy}-XXXX"
        return m.group(0)

    return _CPR_TEXT.sub(repl, text)


def is_cpr_like(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Boolean mask: which string values are CPR-like (valid ``ddmmyy`` date + four digits).

    Vectorised with pyarrow compute; nulls are ``False``.
    """
    values = pc.cast(values, pa.string())
    n = len(values)
    if max_byte_length(values) < 10:
        return np.zeros(n, dtype=bool)  # every value is shorter than a CPR number
    match = pc.fill_null(pc.match_substring_regex(values, _CPR_FULL), False)
    mask = np.asarray(match.to_numpy(zero_copy_only=False), dtype=bool)
    if not mask.any():
        return mask
    digits = pc.replace_substring_regex(pc.utf8_trim_whitespace(values), r"[-\s]", "")
    idx = np.flatnonzero(mask)
    sub = pc.take(digits, pa.array(idx))
    day = pc.cast(pc.utf8_slice_codeunits(sub, 0, 2), pa.int64()).to_numpy()
    month = pc.cast(pc.utf8_slice_codeunits(sub, 2, 4), pa.int64()).to_numpy()
    yy = pc.cast(pc.utf8_slice_codeunits(sub, 4, 6), pa.int64()).to_numpy()
    ok = day <= _DAYS[month]
    leap_day = (month == 2) & (day == 29)
    ok &= ~leap_day | (yy % 4 == 0)
    mask[idx] = ok
    return mask


def load_key(key_file: str | Path | None = None) -> tuple[bytes, str]:
    """The pseudonymisation key and where it came from.

    Order: ``key_file`` (its bytes, stripped), the environment variable ``EVALKIT_PSEUDONYM_KEY``,
    else a random key for this run only (pseudonyms then link rows within the run but cannot be
    reproduced or joined back afterwards).
    """
    if key_file is not None:
        data = Path(key_file).read_bytes().strip()
        if not data:
            raise ValueError(f"pseudonym key file {key_file} is empty")
        return data, "file"
    env = os.environ.get(KEY_ENV)
    if env:
        return env.encode("utf-8"), "environment"
    return os.urandom(32), "random-per-run"


def pseudonymise(values: pa.Array | pa.ChunkedArray, key: bytes, mask: np.ndarray) -> pa.Array:
    """Replace the values selected by ``mask`` by ``"P" + 16 hex digits`` of HMAC-SHA256(key, digits).

    The CPR number is normalised to its ten digits first, so ``010203-1234`` and ``0102031234``
    get the same pseudonym. HMAC is computed once per distinct value.
    """
    values = pc.cast(values, pa.string())
    if not mask.any():
        return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    digits = pc.replace_substring_regex(pc.utf8_trim_whitespace(values), r"[-\s]", "")
    selected = pc.filter(digits, pa.array(mask))
    uniques = pc.unique(selected).to_pylist()
    table = {u: "P" + hmac.new(key, u.encode("ascii"), hashlib.sha256).hexdigest()[:16] for u in uniques}
    keys = pa.array(list(table.keys()), pa.string())
    pseud = pa.array(list(table.values()), pa.string())
    pos = pc.index_in(digits, value_set=keys)
    replaced = pc.take(pseud, pos)
    out = pc.if_else(pa.array(mask), replaced, values)
    return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out


def contains_cpr(values: pa.Array | pa.ChunkedArray, sample: int = 100_000) -> bool:
    """Whether any of (the first ``sample`` distinct) text values holds a CPR-like number anywhere in it."""
    text = pc.cast(values, pa.string())
    candidates = pc.match_substring_regex(text, r"(^|\D)\d{6}[-\s]?\d{4}(\D|$)")
    hits = pc.unique(pc.filter(text, pc.fill_null(candidates, False))).to_pylist()[:sample]
    return any(mask_cpr(v) != v for v in hits if v is not None)
