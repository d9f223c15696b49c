"""The text of report ``modelkommuner`` (``text.yaml``) and the labels it takes from the data dictionary.

>>> TXT("titles.flow").en
'Education institutions in the project: start, changes and end'
"""

from __future__ import annotations

from evalkit.io.schema import dataset
from evalkit.report._build import report_text
from evalkit.report.model import T, Text

__all__ = ["TXT", "label", "level_labels"]

TXT = report_text("evalkit.report.modelkommuner")


def label(table: str, column: str) -> Text:
    """A column's label from the data dictionary."""
    col = dataset("modelkommuner").table(table).column(column)
    return T(col.label_da, col.label_en)


def level_labels(table: str, column: str) -> dict[str, Text]:
    """The level labels of a category column, by code (in the dictionary's order)."""
    col = dataset("modelkommuner").table(table).column(column)
    return {v.code: T(v.label_da, v.label_en) for v in col.values}
