"""One table as a reader delivers it, and the steps every reader shares (blank rows, short messages)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from evalkit.io.problems import Problem


@dataclass
class RawTable:
    """One table as it stands in a file: headers, column data and spreadsheet row numbers."""

    name: str
    file: str
    headers: list[str]
    columns: list[pa.Array]
    row_numbers: np.ndarray
    row_word: str = "row"
    decimal: str = ","
    thousands: str | None = "."
    encoding: str | None = None
    delimiter: str | None = None
    excluded: dict[str, list[int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def n_read(self) -> int:
        return len(self.row_numbers) + sum(len(v) for v in self.excluded.values())


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


def _drop_blank_rows(raw: RawTable) -> None:
    """Rows whose every cell is empty: trailing ones are not rows at all, interior ones are excluded."""
    if not raw.columns or len(raw.row_numbers) == 0:
        return
    # Fast path: one column without a single empty cell proves there is no blank row.
    for col in raw.columns:
        if col.null_count == 0 and not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
            return
    blank = np.ones(len(raw.row_numbers), dtype=bool)
    for col in raw.columns:
        valid = np.asarray(col.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            stripped = pc.utf8_trim_whitespace(col)
            nonempty = pc.fill_null(pc.not_equal(stripped, ""), False)
            valid &= np.asarray(nonempty.to_numpy(zero_copy_only=False), dtype=bool)
        blank &= ~valid
        if not blank.any():
            return
    last = np.flatnonzero(~blank)
    end = int(last[-1]) + 1 if len(last) else 0
    # A blank row before an excluded (e.g. ragged) record is interior, not trailing.
    later_excluded = max((max(v) for v in raw.excluded.values() if v), default=0)
    if later_excluded:
        end = max(end, int(np.searchsorted(raw.row_numbers, later_excluded)))
    interior = np.flatnonzero(blank[:end])
    if len(interior):
        raw.excluded.setdefault("blank row", []).extend(int(r) for r in raw.row_numbers[interior])
    keep = ~blank
    keep[end:] = False
    mask = pa.array(keep)
    raw.columns = [c.filter(mask) for c in raw.columns]
    raw.row_numbers = raw.row_numbers[keep]
