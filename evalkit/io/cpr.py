"""CPR numbers: one detector, masking (:func:`scrub_text`) and keyed pseudonyms.

A CPR number is ten digits ``ddmmyy`` + ``ssss`` whose first six form a valid date (anchors.md section
6.2). Between the two parts may stand up to three separator characters: any Unicode space (the
no-break space U+00A0, thin spaces, line breaks), any dash (hyphen-minus, U+2010-U+2015, the minus
sign U+2212, fullwidth forms) or an invisible format character (soft hyphen, zero-width space).
A spreadsheet that stored the number as a number dropped its leading zero: ``102039999`` is
``010203-9999``, so nine digits whose zero-padded form is a CPR number count too. The modulus-11
check is deliberately *not* used: numbers issued since 1 October 2007 need not satisfy it.

Everything here derives from one definition, :data:`CPR_PATTERN` with :func:`_valid_digits`; the
vectorised column functions are fast equivalents (checked against it by a property test):

* :func:`scrub_text` replaces every CPR number in a string by ``XXXXXX-XXXX`` (the date of birth is
  personal data too). Every string that leaves the program goes through it: messages, labels, file
  and sheet names, ledger keys, mapping files. :func:`mask_cpr` is the same function.
* :func:`contains_cpr_mask` / :func:`is_cpr_like` mark which values of a column hold one / are one.
* :func:`pseudonymise` replaces identifiers holding a CPR number by ``P`` + 16 hex digits of
  HMAC-SHA256(key, the number's ten digits), so that linkage inside one run works while the output
  can never be joined back to the register.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import unicodedata
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from evalkit.io.textbuf import first_byte_in, has_byte_in, is_string_type, max_byte_length

KEY_ENV = "EVALKIT_PSEUDONYM_KEY"
MASK = "XXXXXX-XXXX"
# The shortest CPR number as a value: nine digits (the leading zero dropped).
_MIN_BYTES = 9


def _separator_chars() -> str:
    """Every character that may stand between ``ddmmyy`` and ``ssss``: spaces, dashes, invisible formats."""
    extra = "\u2212\ufe63\uff0d\u00ad"  # minus sign, small and fullwidth hyphen-minus, soft hyphen
    chars = [chr(c) for c in range(0x10000)
             if chr(c).isspace() or unicodedata.category(chr(c)) in ("Zs", "Zl", "Zp", "Pd", "Cf")]
    return "".join(sorted(set(chars) | set(extra)))


SEPARATORS = _separator_chars()
_ASCII_SEPARATORS = "".join(c for c in SEPARATORS if ord(c) < 128)


def _class(chars: str, escape: str) -> str:
    """A regex character class of ``chars`` with each character written as ``escape % code``."""
    return "[" + "".join(escape % ord(c) for c in chars) + "]"


_SEP = _class(SEPARATORS, r"\u%04x")
#: The one definition: ten digits with up to three separators after the sixth, or nine digits.
CPR_PATTERN = re.compile(rf"(?<!\d)(?:(\d{{6}}){_SEP}{{0,3}}(\d{{4}})|(\d{{9}}))(?!\d)")
# The same detector for ASCII text in RE2 (pyarrow), with the date check written into the pattern:
# day 01-28 of any month, 29 and 30 of every month but February, 31 of the long months, and 29
# February of a year divisible by four (yy 00 = 2000). Non-ASCII values holding six decimal digits
# in a row (every form of the number does) are decided by CPR_PATTERN in Python.
_ASCII_SEP = _class(_ASCII_SEPARATORS, r"\x{%02x}")
_DDMMYY = (r"(?:(?:0[1-9]|1[0-9]|2[0-8])(?:0[1-9]|1[0-2])[0-9]{2}|(?:29|30)(?:0[13-9]|1[0-2])[0-9]{2}"
           r"|31(?:0[13578]|1[02])[0-9]{2}|2902(?:[02468][048]|[13579][26]))")
_ASCII_CORE = rf"(?:{_DDMMYY}{_ASCII_SEP}{{0,3}}[0-9]{{4}}|[1-9](?:0[1-9]|1[0-2])[0-9]{{6}})"
_ASCII_CONTAINS = rf"(?:^|[^0-9]){_ASCII_CORE}(?:[^0-9]|$)"
_ASCII_WHOLE = rf"^{_ASCII_SEP}*{_ASCII_CORE}{_ASCII_SEP}*$"
_SIX_DIGITS = r"\p{Nd}{6}"
# First bytes a whole-value CPR number can start with: ASCII digits and separators, any non-ASCII byte.
_MAY_START = np.zeros(256, dtype=bool)
_MAY_START[[ord(c) for c in _ASCII_SEPARATORS] + list(range(48, 58)) + list(range(128, 256))] = True
# Bytes without which no value holds a digit: ASCII digits, and UTF-8 lead bytes beyond U+00FF (the
# Latin-1 block, lead bytes C2 and C3, has no decimal digit).
_MAY_HOLD = np.zeros(256, dtype=bool)
_MAY_HOLD[list(range(48, 58)) + list(range(0xC4, 0x100))] = True
_DAYS = np.array([0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _ascii_digits(text: str) -> str:
    """The decimal digits of ``text`` as ASCII (fullwidth and other Unicode digits included)."""
    return "".join(str(unicodedata.digit(c)) for c in text if c.isdecimal())


def _valid_digits(digits: str) -> bool:
    """Whether ten ASCII digits start with a valid ``ddmmyy`` date (29 February only in leap years)."""
    day, month, yy = int(digits[:2]), int(digits[2:4]), int(digits[4:6])
    if not (1 <= month <= 12 and 1 <= day <= _DAYS[month]):
        return False
    return not (month == 2 and day == 29) or yy % 4 == 0  # yy=00 -> 2000, a leap year


def _match_digits(m: re.Match[str]) -> str | None:
    """The ten digits of a pattern match if they form a CPR number, else ``None``."""
    digits = _ascii_digits(m.group(0))
    if len(digits) == 9:
        if digits[0] == "0":
            return None
        digits = "0" + digits
    return digits if _valid_digits(digits) else None


def scrub_text(text: str) -> str:
    """Replace every CPR number in ``text`` by ``XXXXXX-XXXX``: call it on every data-derived string.

    >>> scrub_text("Lolland 030405\\u00a01234")
    'Lolland XXXXXX-XXXX'
    >>> scrub_text("id 102039999 (a spreadsheet dropped the zero), 010203\\u20131234")
    'id XXXXXX-XXXX (a spreadsheet dropped the zero), XXXXXX-XXXX'
    >>> scrub_text("row 12: 3102031234")  # 31 February is not a date: not a CPR number
    'row 12: 3102031234'
    """
    text = str(text)
    if len(text) < _MIN_BYTES:
        return text
    return CPR_PATTERN.sub(lambda m: m.group(0) if _match_digits(m) is None else MASK, text)


mask_cpr = scrub_text  # the name messages have used since issue 9


def has_cpr(text: str) -> bool:
    """Whether ``text`` holds a CPR number anywhere.

    >>> has_cpr("se sag 0102031234"), has_cpr("tlf 12345678")
    (True, False)
    """
    return any(_match_digits(m) is not None for m in CPR_PATTERN.finditer(str(text)))


def _whole_digits(text: str) -> str | None:
    """The ten digits when the whole value (separators around it allowed) is one CPR number."""
    m = CPR_PATTERN.fullmatch(text.strip(SEPARATORS))
    return None if m is None else _match_digits(m)


def _normalised(text: str) -> str:
    """The value with every CPR number written as its ten digits (a whole-value CPR becomes just them)."""
    whole = _whole_digits(text)
    if whole is not None:
        return whole
    return CPR_PATTERN.sub(lambda m: _match_digits(m) or m.group(0), text)


def _np_bool(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


def _as_text(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    return values if is_string_type(values) else pc.cast(values, pa.string())


def _python_values(text: pa.Array | pa.ChunkedArray, idx: np.ndarray) -> list[str]:
    return pc.take(text, pa.array(idx, pa.int64())).to_pylist()


def _classify(values: pa.Array | pa.ChunkedArray, anywhere: bool) -> np.ndarray:
    """Which values hold a CPR number anywhere (``anywhere``) or are one as a whole.

    ASCII values are decided by RE2 alone (the date check is part of the pattern); other values
    holding six digits in a row are decided per distinct value by :data:`CPR_PATTERN` itself. The
    whole-value test is anchored, so it costs one short scan per id (the hot path at national scale).
    """
    n = len(values)
    text = _as_text(values)
    if n == 0 or max_byte_length(text) < _MIN_BYTES:
        return np.zeros(n, dtype=bool)  # every value is shorter than a CPR number
    if not anywhere and not first_byte_in(text, _MAY_START).any():
        return np.zeros(n, dtype=bool)  # no value starts with a digit, a separator or a non-ASCII byte
    if anywhere and not has_byte_in(text, _MAY_HOLD):
        return np.zeros(n, dtype=bool)  # no digit anywhere (Latin-1 letters such as æøå hold none)
    ascii_ = _np_bool(pc.string_is_ascii(text))
    found = _np_bool(pc.match_substring_regex(text, _ASCII_CONTAINS if anywhere else _ASCII_WHOLE)) & ascii_
    if ascii_.all():
        return found
    slow = ~ascii_ & _np_bool(pc.is_valid(text))
    slow &= _np_bool(pc.match_substring_regex(text, _SIX_DIGITS))
    idx = np.flatnonzero(slow)
    if len(idx):
        texts = _python_values(text, idx)
        decide = has_cpr if anywhere else (lambda t: _whole_digits(t) is not None)
        decided = {t: decide(t) for t in set(texts)}
        found[idx] = [decided[t] for t in texts]
    return found


def contains_cpr_mask(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Boolean mask: which values hold a CPR number anywhere (nulls are ``False``).

    >>> contains_cpr_mask(pa.array(["Odense", "Lolland 030405\\u00a01234", None, "102039999"])).tolist()
    [False, True, False, True]
    """
    return _classify(values, anywhere=True)


def is_cpr_like(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Boolean mask: which values are one CPR number as a whole (separators around it allowed).

    >>> is_cpr_like(pa.array(["0102031234", "010203 1234", "102031234", "A12", "3102031234", None])).tolist()
    [True, True, True, False, False, False]
    """
    return _classify(values, anywhere=False)


def contains_cpr(values: pa.Array | pa.ChunkedArray) -> bool:
    """Whether any value of the column holds a CPR number anywhere."""
    return bool(contains_cpr_mask(values).any())


def scrub_column(values: pa.Array | pa.ChunkedArray, mask: np.ndarray | None = None) -> pa.Array:
    """The column as text with every CPR number replaced by ``XXXXXX-XXXX`` (per distinct value)."""
    text = _as_text(values)
    mask = contains_cpr_mask(text) if mask is None else mask
    if not mask.any():
        return text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text
    idx = np.flatnonzero(mask)
    originals = _python_values(text, idx)
    scrubbed = {t: scrub_text(t) for t in set(originals)}
    replaced = pa.array([scrubbed[t] for t in originals], pa.string())
    out = pc.replace_with_mask(text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text,
                               pa.array(mask), replaced)
    return out


def load_key(key_file: str | Path | None = None) -> tuple[bytes, str]:
    """The pseudonymisation key and where it came from.

    Order: ``key_file`` (its bytes, stripped), the environment variable ``EVALKIT_PSEUDONYM_KEY``,
    else a random key for this run only (pseudonyms then link rows within the run but cannot be
    reproduced or joined back afterwards). A key file that is missing, a folder, unreadable or
    empty raises :class:`KeyFileError` (a usage error).
    """
    if key_file is not None:
        path = Path(key_file)
        if not path.exists():
            raise KeyFileError(f"the pseudonym key file {scrub_text(str(path))} does not exist")
        if path.is_dir():
            raise KeyFileError(f"the pseudonym key file {scrub_text(str(path))} is a folder; give the file")
        try:
            data = path.read_bytes().strip()
        except OSError as exc:
            raise KeyFileError(f"the pseudonym key file {scrub_text(str(path))} cannot be read: "
                               f"{exc.strerror or exc}") from exc
        if not data:
            raise KeyFileError(f"the pseudonym key file {scrub_text(str(path))} is empty; write the key "
                               "(any secret text, e.g. 32 random bytes) into it")
        return data, "file"
    env = os.environ.get(KEY_ENV)
    if env:
        return env.encode("utf-8"), "environment"
    return os.urandom(32), "random-per-run"


class KeyFileError(ValueError):
    """The pseudonym key file is missing, a folder, unreadable or empty (a usage error)."""


def pseudonymise(values: pa.Array | pa.ChunkedArray, key: bytes, mask: np.ndarray) -> pa.Array:
    """Replace the values selected by ``mask`` by ``"P" + 16 hex digits`` of HMAC-SHA256(key, value).

    The value is normalised first: a whole-value CPR number becomes its ten digits (zero-padded
    when the leading zero was dropped), so ``010203-1234``, ``010203\\u00a01234``, ``0102031234``
    and ``102031234`` get the same pseudonym; an identifier holding a CPR number among other text
    is hashed with the number written as its ten digits. HMAC is computed once per distinct value.

    >>> v = pa.array(["010203-1234", "102031234", "A5"])
    >>> p = pseudonymise(v, b"k", contains_cpr_mask(v)).to_pylist()
    >>> p[0] == p[1], p[0][0], p[2]
    (True, 'P', 'A5')
    """
    text = _as_text(values)
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    if not mask.any():
        return text
    selected = pc.take(text, pa.array(np.flatnonzero(mask), pa.int64()))
    # Whole ASCII values are normalised vectorised (digits only, zero-padded); the rest per distinct value.
    fast = _np_bool(pc.and_(pc.string_is_ascii(selected), pc.match_substring_regex(selected, _ASCII_WHOLE)))
    normal = pc.if_else(pa.array(fast), pc.utf8_lpad(pc.replace_substring_regex(selected, "[^0-9]", ""), 10, "0"),
                        selected)
    if not fast.all():
        slow = np.flatnonzero(~fast)
        rest = pc.take(selected, pa.array(slow, pa.int64())).to_pylist()
        done = {t: _normalised(t) for t in set(rest)}
        normal = pc.replace_with_mask(normal, pa.array(~fast), pa.array([done[t] for t in rest], pa.string()))
    uniques = pc.unique(normal).to_pylist()
    table = {u: "P" + hmac.new(key, u.encode("utf-8"), hashlib.sha256).hexdigest()[:16] for u in uniques}
    keys = pa.array(list(table.keys()), pa.string())
    pseud = pa.array(list(table.values()), pa.string())
    replaced = pc.take(pseud, pc.index_in(normal, value_set=keys))
    return pc.replace_with_mask(text, pa.array(mask), replaced)

