"""The report's text (``text.yaml``) and the dictionary labels it prints."""

from __future__ import annotations

from evalkit.report._build import report_text
from evalkit.report._build.bilingual import dictionary_label, fill, joined
from evalkit.report.model import Text

__all__ = ["TXT", "code_label", "fill", "joined", "span", "time_point"]

TXT = report_text("evalkit.report.hcs")


def code_label(table: str, column: str, code: str) -> Text:
    """The data dictionary's label of a category code of the hcs dataset (both languages)."""
    return dictionary_label("hcs", table, column, code)


def time_point(code: str) -> Text:
    """Label of an ASI time point (``hcs_asi.tidspunkt``).

    >>> time_point("afslutning").da
    'Afslutning'
    """
    return code_label("hcs_asi", "tidspunkt", code)


def span(a: str, b: str) -> Text:
    """"Indskrivning → Afslutning": the label of a contrast between two time points."""
    return fill(TXT("labels.span"), a=time_point(a), b=time_point(b))
