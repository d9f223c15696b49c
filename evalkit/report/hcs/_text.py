"""The report's text (``text.yaml``) and the dictionary labels it prints."""

from __future__ import annotations

from typing import Any

from evalkit.io.schema import dataset
from evalkit.report.hcs._shim import report_text
from evalkit.report.model import Text

TXT = report_text("evalkit.report.hcs")


def fill(text: Text, **values: Any) -> Text:
    """``text`` with its ``{placeholders}`` filled in both languages (a Text value is taken per language).

    Examples
    --------
    >>> fill(Text("{k} sessioner", "{k} sessions"), k=3)
    Text(da='3 sessioner', en='3 sessions')
    """
    def one(lang: str) -> str:
        return getattr(text, lang).format(**{k: (v(lang) if isinstance(v, Text) else v) for k, v in values.items()})
    return Text(one("da"), one("en"))


def code_label(table: str, column: str, code: str) -> Text:
    """The data dictionary's label of a category code (both languages)."""
    v = {x.code: x for x in dataset("hcs").table(table).column(column).values}[code]
    return Text(v.label_da, v.label_en)


def time_point(code: str) -> Text:
    """Label of an ASI time point (``hcs_asi.tidspunkt``)."""
    return code_label("hcs_asi", "tidspunkt", code)


def span(a: str, b: str) -> Text:
    """"Indskrivning → Afslutning": the label of a contrast between two time points."""
    return fill(TXT("labels.span"), a=time_point(a), b=time_point(b))
