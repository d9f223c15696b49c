"""Chapter 7 of the publication: training of staff, awareness and the ability to handle and support."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from evalkit.compare import mcnemar
from evalkit.compare.survey import ordinal_summary, share
from evalkit.report._build import cells_of, quiet, test_row
from evalkit.report._build.survey import ordinal_table, share_table
from evalkit.report.model import Table, Text
from evalkit.report.spec import Context

from .prepare import survey
from .text import TXT, label, level_labels

__all__ = ["awareness", "handling_improved", "ordinal_items", "training"]

INST = "mk_institutioner"


def ordinal_items(ctx: Context, table_id: str, source: str, columns: list[str], notes: list[Text],
                  boxes: Sequence[str]) -> Table:
    """Ordinal items with the same levels side by side, over the respondents."""
    r = survey(ctx).respondents
    levels = list(level_labels(INST, columns[0]))
    items = [(c, label(INST, c), ordinal_summary(r[c].astype("object"), levels)) for c in columns]
    return ordinal_table(table_id, source, TXT(f"titles.{table_id}"), items, levels, level_labels(INST, columns[0]),
                         [*notes], boxes)


def _in_box(values: pd.Series, box: tuple[str, ...]) -> np.ndarray:
    """1.0 where the answer is one of ``box``, 0.0 for another answer, NaN when not answered."""
    v = values.astype("object")
    return np.where(v.isna().to_numpy(), np.nan, v.isin(box).to_numpy().astype("float64"))


def _paired_box_test(ctx: Context, table: Table, first: str, second: str, box: tuple[str, ...], box_col: str,
                     outcome: Text) -> None:
    """McNemar's exact test of one box between two items the same institutions answered (second - first)."""
    r = survey(ctx).respondents
    result = quiet(mcnemar, _in_box(r[first], box), _in_box(r[second], box))
    table.tests.append(test_row(second, outcome, result, over=cells_of([first, second], [box_col, "base"])))


def training(ctx: Context) -> Table:
    """7.1: share of teachers trained in detection and in support, with the top-two box and 'ingen'."""
    table = ordinal_items(ctx, "training", "003-7.1", ["training_opspore", "training_stoette"],
                          [TXT("notes.training"), TXT("notes.training_words")],
                          ("top_two", "bottom"))
    _paired_box_test(ctx, table, "training_opspore", "training_stoette", ("over_halvdelen", "alle"), "top_two_n",
                     TXT("labels.paired.training"))
    return table


def awareness(ctx: Context) -> Table:
    """7.3: awareness now, increased awareness and the ability to handle/support ('i høj grad')."""
    table = ordinal_items(ctx, "awareness", "003-7.3", ["aware_now", "aware_increased", "handle_support_now"],
                          [TXT("notes.awareness")], ("top", "top_two"))
    _paired_box_test(ctx, table, "aware_now", "handle_support_now", ("i_hoej_grad",), "top_n",
                     TXT("labels.paired.awareness"))
    return table


def handling_improved(ctx: Context) -> Table:
    """7.3: institutions that have become better at handling and supporting in the past three years."""
    col = "handle_support_improved_3y"
    values = survey(ctx).respondents[col].astype("boolean")
    row = (col, label(INST, col), share(int(values.fillna(False).sum()), int(values.notna().sum())))
    return share_table("handling_improved", "003-7.3", TXT("titles.handling_improved"), [row],
                       [TXT("notes.handling_improved")])
