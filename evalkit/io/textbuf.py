"""Cheap questions about Arrow string columns, answered from their offset and data buffers.

Trimming or measuring 12 million strings with ``pyarrow.compute`` allocates a new string array per
call (about 0.1 s each at national scale). Most registry columns need neither: ids and codes carry
no surrounding blanks and are far shorter than a CPR number. These helpers look only at the offsets
(one int32 per value) and at the first and last byte of each value, so the expensive pass runs only
when it can change something.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np
import pyarrow as pa

__all__ = ["is_string_type", "max_byte_length", "may_need_trim", "has_empty_string", "has_control_bytes",
           "first_byte_in", "has_byte_in"]

# Bytes that may start or end a whitespace character: ASCII tab..carriage return, the ASCII
# information separators and space, and every non-ASCII byte (a multi-byte character such as
# U+00A0 NO-BREAK SPACE is decided by the full trim, never here).
_EDGE_SPACE = np.zeros(256, dtype=bool)
_EDGE_SPACE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True
_EDGE_SPACE[128:] = True


def _chunks(values: pa.Array | pa.ChunkedArray) -> Iterator[pa.Array]:
    yield from (values.chunks if isinstance(values, pa.ChunkedArray) else [values])


def _buffers(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """``(offsets, data)`` of a string / large_string array as numpy views (slice offset applied)."""
    dtype = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    bufs = chunk.buffers()
    offsets = np.frombuffer(bufs[1], dtype=dtype, count=chunk.offset + len(chunk) + 1)[chunk.offset:]
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, dtype=np.uint8)
    return offsets, data


def _string_chunks(values: pa.Array | pa.ChunkedArray) -> Iterator[tuple[pa.Array, np.ndarray, np.ndarray]]:
    """``(chunk, offsets, data)`` of every non-empty chunk of a text column (``TypeError`` for other types)."""
    if not is_string_type(values):
        raise TypeError(f"expected a string array, got {values.type}")
    for chunk in _chunks(values):
        if len(chunk):
            yield (chunk, *_buffers(chunk))


def is_string_type(values: pa.Array | pa.ChunkedArray) -> bool:
    """Whether the column is Arrow text (``string`` or ``large_string``), the layout these helpers read."""
    return pa.types.is_string(values.type) or pa.types.is_large_string(values.type)


def max_byte_length(values: pa.Array | pa.ChunkedArray) -> int:
    """The longest value in UTF-8 bytes (an upper bound on its length in characters); 0 if none.

    >>> max_byte_length(pa.array(["ab", None, "æble"]))
    5
    """
    if not is_string_type(values):
        raise TypeError(f"expected a string array, got {values.type}")
    longest = 0
    for chunk in _chunks(values):
        if len(chunk):
            offsets, _ = _buffers(chunk)
            longest = max(longest, int(np.diff(offsets).max()))
    return longest


def may_need_trim(values: pa.Array | pa.ChunkedArray) -> bool:
    """Whether some value might start or end with whitespace (``False`` is certain; ``True`` may not be).

    >>> may_need_trim(pa.array(["E1", "E2", None])), may_need_trim(pa.array(["E1 ", "E2"]))
    (False, True)
    >>> may_need_trim(pa.array(["\\u00a0E1"]))   # any non-ASCII edge byte defers to the full trim
    True
    """
    if not is_string_type(values):
        return True
    for chunk in _chunks(values):
        if not len(chunk):
            continue
        offsets, data = _buffers(chunk)
        starts, ends = offsets[:-1], offsets[1:]
        filled = ends > starts  # nulls and empty strings have no bytes to look at
        if not filled.all():
            starts, ends = starts[filled], ends[filled]
        if starts.size and (_EDGE_SPACE[data[starts]].any() or _EDGE_SPACE[data[ends - 1]].any()):
            return True
    return False


def has_empty_string(values: pa.Array | pa.ChunkedArray) -> bool:
    """Whether some non-null value is the empty string.

    >>> has_empty_string(pa.array(["a", None])), has_empty_string(pa.array(["a", ""]))
    (False, True)
    """
    for chunk, offsets, _ in _string_chunks(values):
        empty = offsets[1:] == offsets[:-1]
        if not empty.any():
            continue
        if chunk.null_count == 0:
            return True
        valid = chunk.is_valid().to_numpy(zero_copy_only=False)
        if (empty & valid).any():
            return True
    return False


# C0 controls other than tab, line feed and carriage return, and DEL: never part of a name or a code.
_CONTROL_BYTE = np.zeros(256, dtype=bool)
_CONTROL_BYTE[[*range(0, 9), 11, 12, *range(14, 32), 127]] = True


def has_byte_in(values: pa.Array | pa.ChunkedArray, table: np.ndarray) -> bool:
    """Whether some value holds a byte marked in the 256-entry ``table``, from the data buffer alone.

    >>> digit = np.zeros(256, dtype=bool); digit[48:58] = True
    >>> has_byte_in(pa.array(["Odense", None]), digit), has_byte_in(pa.array(["Odense 5000"]), digit)
    (False, True)
    """
    for _, offsets, data in _string_chunks(values):
        if table[data[offsets[0]:offsets[-1]]].any():
            return True
    return False


def has_control_bytes(values: pa.Array | pa.ChunkedArray) -> bool:
    """Whether some value holds a control character (NUL, vertical tab, escape, ...).

    >>> has_control_bytes(pa.array(["Odense", None])), has_control_bytes(pa.array(["Ode\\x0bnse"]))
    (False, True)
    """
    return has_byte_in(values, _CONTROL_BYTE)


def first_byte_in(values: pa.Array | pa.ChunkedArray, allowed: np.ndarray) -> np.ndarray:
    """Per value: whether its first byte is marked in the 256-entry table ``allowed`` (nulls and "" are not).

    One gather from the data buffer, so a column whose values cannot start a pattern is ruled out
    without running a regex over it.

    >>> digit = np.zeros(256, dtype=bool); digit[48:58] = True
    >>> first_byte_in(pa.array(["0102", "T01", None, ""]), digit).tolist()
    [True, False, False, False]
    """
    out = []
    for chunk in _chunks(values):
        if not len(chunk):
            continue
        offsets, data = _buffers(chunk)
        starts, filled = offsets[:-1], offsets[1:] > offsets[:-1]
        hit = np.zeros(len(chunk), dtype=bool)
        hit[filled] = allowed[data[starts[filled]]]
        if chunk.null_count:
            hit &= chunk.is_valid().to_numpy(zero_copy_only=False)
        out.append(hit)
    return np.concatenate(out) if out else np.zeros(0, dtype=bool)
