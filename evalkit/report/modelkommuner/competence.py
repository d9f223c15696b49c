"""Chapter 7 of the publication: training of staff, awareness and the ability to handle and support."""

from __future__ import annotations

from collections.abc import Sequence

from evalkit.compare.survey import ordinal_summary, share
from evalkit.report._build.survey import ordinal_table, share_table
from evalkit.report.model import Table, Text
from evalkit.report.spec import Context

from .prepare import survey
from .text import TXT, cite, label, level_labels

__all__ = ["awareness", "handling_improved", "ordinal_items", "training"]

INST = "mk_institutioner"


def ordinal_items(ctx: Context, table_id: str, source: str, columns: list[str], notes: list[Text],
                  boxes: Sequence[str]) -> Table:
    """Ordinal items with the same levels side by side, over the respondents."""
    r = survey(ctx).respondents
    levels = list(level_labels(INST, columns[0]))
    items = [(c, label(INST, c), ordinal_summary(r[c].astype("object"), levels)) for c in columns]
    return ordinal_table(table_id, source, TXT(f"titles.{table_id}"), items, levels, level_labels(INST, columns[0]),
                         [cite(table_id), *notes], boxes)


def training(ctx: Context) -> Table:
    """7.1: share of teachers trained in detection and in support, with the top-two box and 'ingen'."""
    return ordinal_items(ctx, "training", "003-7.1", ["training_opspore", "training_stoette"],
                         [TXT("notes.base_44"), TXT("notes.training"), TXT("notes.training_words")], ("top_two", "bottom"))


def awareness(ctx: Context) -> Table:
    """7.3: awareness now, increased awareness and the ability to handle/support ('i høj grad')."""
    return ordinal_items(ctx, "awareness", "003-7.3", ["aware_now", "aware_increased", "handle_support_now"],
                         [TXT("notes.base_44"), TXT("notes.awareness")], ("top", "top_two"))


def handling_improved(ctx: Context) -> Table:
    """7.3: institutions that have become better at handling and supporting in the past three years."""
    col = "handle_support_improved_3y"
    values = survey(ctx).respondents[col].astype("boolean")
    row = (col, label(INST, col), share(int(values.fillna(False).sum()), int(values.notna().sum())))
    return share_table("handling_improved", "003-7.3", TXT("titles.handling_improved"), [row],
                       [cite("handling_improved"), TXT("notes.base_44"), TXT("notes.handling_improved")])
