"""Means per time point with their n, and the paired tests of every configured change.

The pre/post tables of seed 000 (T7.2 and figures 7.2a-d) print a mean per time point; here each
mean is over the persons with a value at that time point (available case, no LOCF) and has its n
beside it, and every change Indskrivning -> Afslutning / Opfølgning gets a paired test on the
complete pairs (Wilcoxon signed-rank or paired t, per measure, from ``constants.yaml``).

>>> from evalkit.report.udgaaende.prepare import sample_context
>>> p = prep(sample_context())
>>> cells = means_row(p, "who5", p.completer)
>>> round(cells["indskrivning"].value, 1), cells["n_opfoelgning"].value
(52.5, 290)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from evalkit.report._build import (
    cells_of,
    count_column,
    mean_cell,
    mean_column,
    quiet,
    test_row,
)
from evalkit.report.model import Cell, Column, TestRow, Text
from evalkit.report.udgaaende.common import persons, prep
from evalkit.report.udgaaende.prepare import Prepared
from evalkit.report.udgaaende.vocabulary import (
    MEASURES,
    TP,
    TXT,
    constants,
    tp_label,
    txt,
)

__all__ = ["change_test", "mean_columns", "means_row", "paired_tests", "prep"]


def mean_columns(time_points: Sequence[str] = TP) -> list[Column]:
    """A mean column per time point (each naming its n column ``n_<time point>``), then the n columns."""
    return ([mean_column(tp, tp_label(tp), count_of=f"n_{tp}") for tp in time_points]
            + [count_column(f"n_{tp}", TXT(f"n_at.{tp}")) for tp in time_points])


def means_row(p: Prepared, measure: str, cohort: np.ndarray, family: str = "completers",
              time_points: Sequence[str] = TP) -> dict[str, Cell]:
    """Available-case means of ``measure`` per time point over ``cohort``, with their n (persons of ``family``)."""
    v = p.values[measure]
    cells: dict[str, Cell] = {}
    for tp in time_points:
        cell = mean_cell(v[cohort, TP.index(tp)])
        cells[f"n_{tp}"] = persons(cell.n or 0, family)
        cells[tp] = cell
    return cells


def paired_tests(p: Prepared, row: str, measure: str, cohort: np.ndarray, prefix: Text | None = None,
                 changes: Sequence[Sequence[str]] | None = None) -> list[TestRow]:
    """Paired tests of every configured change (T0 -> T1, T0 -> T2) on the complete pairs of ``cohort``.

    The test of each measure is ``constants.yaml`` ``tests.paired``: :func:`evalkit.compare.wilcoxon`
    (day counts) or :func:`evalkit.compare.paired_t` (WHO-5).
    """
    from evalkit.compare import paired_t, wilcoxon

    compare = paired_t if constants()["tests"]["paired"][measure] == "paired_t" else wilcoxon
    out = []
    v = p.values[measure][cohort]
    for a, b in changes or constants()["tests"]["changes"]:
        i, j = TP.index(a), TP.index(b)
        both = ~np.isnan(v[:, i]) & ~np.isnan(v[:, j])
        fill = {"measure": MEASURES[measure].short, "a": tp_label(a), "b": tp_label(b)}
        outcome = txt("change_in", group=prefix, **fill) if prefix else txt("change", **fill)
        out.append(test_row(row, outcome, quiet(compare, v[both, i], v[both, j]),
                            over=cells_of([row], (f"n_{a}", f"n_{b}"))))
    return out


def change_test(row: str, outcome: Text, first: np.ndarray, second: np.ndarray, over: Sequence[str]) -> TestRow:
    """Mann-Whitney test of the change scores of two groups (NaN = no change score, left out)."""
    from evalkit.compare import mann_whitney

    return test_row(row, outcome, quiet(mann_whitney, first[~np.isnan(first)], second[~np.isnan(second)]), over=over)
