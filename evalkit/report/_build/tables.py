"""Generic table builders for the table kinds that recur in every report.

Each adds complete rows (counts, shares with their base, totals) to a :class:`Table` whose columns
the report declares, or builds the whole table. Shares name their count column through the column
declaration (:func:`~evalkit.report._build.cells.share_column`), so disclosure links are derived.

>>> import numpy as np
>>> from evalkit.report.model import T
>>> t = distribution_table("koen", "", T("Køn", "Sex"), ["k", "m"], {"k": T("Kvinde", "Woman"), "m": T("Mand", "Man")},
...                        np.array([0, 1, 1, -1]))
>>> [(r.key, r.cells["antal"].value) for r in t.rows]
[('k', 1), ('m', 2), ('ukendt', 1), ('total', 4)]
>>> round(t.cell("m", "pct").value, 1), t.cell("m", "pct").count_of
(66.7, 'm|antal')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from evalkit.report._build.cells import count, count_column, share, share_column
from evalkit.report.model import Cell, Column, T, Table, Text

__all__ = ["TOTAL", "UNKNOWN", "binary_rows", "crosstab_rows", "distribution_rows", "distribution_table"]

TOTAL = T("I alt", "Total")
UNKNOWN = T("Ukendt", "Unknown")


def distribution_rows(table: Table, keys: Sequence[str], labels: Mapping[str, Text], codes: np.ndarray, *,
                      count_col: str = "antal", share_col: str | None = "pct", decimals: int = 1,
                      extra: Mapping[str, Mapping[str, Cell]] | None = None, link: str | None = None,
                      total_link: str | None = None, unknown_label: Text = UNKNOWN,
                      total_label: Text = TOTAL) -> None:
    """One row per category (code 0, 1, ...), an ``ukendt`` row for code -1 (only if any), and the total.

    Shares are of the known values. ``link`` prefixes a link per category (``f"{link}_{key}"``);
    ``total_link`` links the total count to the same population elsewhere.
    """
    codes = np.asarray(codes)
    counts = np.bincount(codes[codes >= 0], minlength=len(keys)) if codes.size else np.zeros(len(keys), int)
    known = int(counts.sum())
    for code, key in enumerate(keys):
        cells: dict[str, Cell] = {count_col: count(int(counts[code]), link=f"{link}_{key}" if link else None)}
        if share_col is not None:
            cells[share_col] = share(int(counts[code]), known, decimals=decimals)
        cells.update((extra or {}).get(key, {}))
        table.add_row(key, labels[key], cells)
    if (codes < 0).any():
        table.add_row("ukendt", unknown_label, {count_col: count(int((codes < 0).sum()))})
    table.add_row("total", total_label, {count_col: count(int(codes.size), link=total_link)}, is_total=True)


def distribution_table(table_id: str, source: str, title: Text, keys: Sequence[str], labels: Mapping[str, Text],
                       codes: np.ndarray, *, count_label: Text = T("Antal", "Number"),
                       share_label: Text = T("Andel (%)", "Share (%)"), decimals: int = 1,
                       notes: Sequence[Text] = ()) -> Table:
    """A whole one-variable distribution table (columns ``antal`` and ``pct``), additive."""
    table = Table(id=table_id, source=source, title=title, additive=True, notes=list(notes),
                  columns=[count_column("antal", count_label), share_column("pct", share_label, count_of="antal")])
    distribution_rows(table, keys, labels, codes, decimals=decimals)
    return table


def binary_rows(table: Table, rows: Sequence[tuple[str, Text, np.ndarray]], *, share_col: str = "pct",
                n_col: str = "n", decimals: int = 1, extra: Mapping[str, Mapping[str, Cell]] | None = None,
                links: Mapping[str, str] | None = None) -> None:
    """One row per yes/no variable (1.0 yes, 0.0 no, NaN unknown): the share of yes among the known
    answers and that number."""
    for key, label, values in rows:
        v = np.asarray(values, dtype="float64")
        known = ~np.isnan(v)
        cells: dict[str, Cell] = {share_col: share(float((v[known] == 1.0).sum()), int(known.sum()),
                                                   decimals=decimals, link=(links or {}).get(key)),
                                  n_col: count(int(known.sum()))}
        cells.update((extra or {}).get(key, {}))
        table.add_row(key, label, cells)


def crosstab_rows(table: Table, row_keys: Sequence[str], row_labels: Mapping[str, Text], counts: np.ndarray,
                  col_keys: Sequence[str], *, total_col: str | None = "total", total_row: bool = True,
                  share_cols: Mapping[str, str] | None = None, decimals: int = 1,
                  links: Mapping[str, str] | None = None, total_label: Text = TOTAL) -> None:
    """Rows of an r x c table of counts, with row totals (``total_col``) and a total row.

    ``share_cols`` maps a share column to the count column it is the row share of (e.g.
    ``{"pct_ja": "ja"}``): each gets ``100 * count / row total``. ``links`` maps a row key to a link
    for its row total.
    """
    counts = np.asarray(counts, dtype=np.int64)
    if counts.shape != (len(row_keys), len(col_keys)):
        raise ValueError(f"counts have shape {counts.shape}, expected {(len(row_keys), len(col_keys))}")

    def cells_for(values: np.ndarray, link: str | None) -> dict[str, Cell]:
        total = int(values.sum())
        cells: dict[str, Cell] = {c: count(int(v)) for c, v in zip(col_keys, values)}
        if total_col is not None:
            cells[total_col] = count(total, link=link)
        for share_key, of in (share_cols or {}).items():
            cells[share_key] = share(int(values[list(col_keys).index(of)]), total, decimals=decimals)
        return cells

    for i, key in enumerate(row_keys):
        table.add_row(key, row_labels[key], cells_for(counts[i], (links or {}).get(key)))
    if total_row:
        table.add_row("total", total_label, cells_for(counts.sum(axis=0), (links or {}).get("total")), is_total=True)


def columns_for(keys: Sequence[str], labels: Mapping[str, Text]) -> list[Column]:
    """Count columns in order."""
    return [count_column(k, labels[k]) for k in keys]
