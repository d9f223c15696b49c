"""Bilingual text helpers of the toolkit, shared by the report packages (hcs, ung-rusmidler).

:func:`fill` fills placeholders whose values are themselves bilingual (a time point's Danish label into the
Danish sentence, the English into the English), :func:`joined` joins texts per language and
:func:`dictionary_label` is the data dictionary's label of a category code in both languages and
:func:`number` a number as each language prints it.
"""

from __future__ import annotations

from typing import Any

from evalkit.io.schema import dataset
from evalkit.report.model import Text

__all__ = ["dictionary_label", "fill", "joined", "number"]


def fill(text: Text, **values: Any) -> Text:
    """``text`` with its ``{placeholders}`` filled in both languages; a :class:`Text` value is filled
    per language.

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


def number(value: float, decimals: int | None = None) -> Text:
    """``value`` as each language prints it (thousands separator, decimal comma or point).

    >>> number(1936), number(7.45, 2)
    (Text(da='1.936', en='1,936'), Text(da='7,45', en='7.45'))
    """
    from evalkit.report.labels import format_number

    if decimals is None:
        return Text(format_number(value, "da"), format_number(value, "en"))
    return Text(format_number(value, "da", decimals), format_number(value, "en", decimals))


def dictionary_label(dataset_name: str, table: str, column: str, code: str) -> Text:
    """The data dictionary's label of a category code, in both languages.

    >>> dictionary_label("hcs", "hcs_asi", "tidspunkt", "indskrivning").en
    'Intake'
    """
    v = {x.code: x for x in dataset(dataset_name).table(table).column(column).values}[code]
    return Text(v.label_da, v.label_en)
