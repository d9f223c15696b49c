"""The report's text (``text.yaml``) and the dictionary labels it prints."""

from __future__ import annotations

from typing import Any

from evalkit.io.schema import dataset
from evalkit.report._build import report_text
from evalkit.report.model import Text

TXT = report_text("evalkit.report.hcs")


def fill(text: Text, **values: Any) -> Text:
    """``text`` with its ``{placeholders}`` filled in both languages; a :class:`Text` value is filled
    per language (e.g. a time point's Danish label into the Danish text).

    Examples
    --------
    >>> fill(Text("{k} sessioner: {tp}", "{k} sessions: {tp}"), k=3, tp=Text("Indskrivning", "Intake"))
    Text(da='3 sessioner: Indskrivning', en='3 sessions: Intake')
    """
    def one(lang: str) -> str:
        return getattr(text, lang).format(**{k: (v(lang) if isinstance(v, Text) else v) for k, v in values.items()})
    return Text(one("da"), one("en"))


def joined(texts: list[Text], sep: str = "; ") -> Text:
    """The texts joined in each language.

    >>> joined([Text("a", "A"), Text("b", "B")], " / ")
    Text(da='a / b', en='A / B')
    """
    return Text(sep.join(t.da for t in texts), sep.join(t.en for t in texts))


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
