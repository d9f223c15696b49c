"""The vocabulary of report ``udgaaende``: codes of school types, genders, statuses, time points and measures.

Every chapter selects and counts with these codes; their printed labels are in ``text.yaml``
(``TXT``), the rules a data owner may change in ``constants.yaml`` (:func:`constants`).

>>> TP.index("opfoelgning"), MEASURES["hash"].column, TXT("tp.opfoelgning").en
(2, 'hash_dage_30', 'Follow-up')
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import yaml

from evalkit.report._build import report_text
from evalkit.report.model import Text
from evalkit.rules import validate_header

__all__ = ["GENDERS", "MEASURES", "PAIRED_TESTS", "SCHOOLS", "STATUSES", "TP", "TXT", "Measure", "constants",
           "tp_label", "txt"]

TXT = report_text(__package__)
"""Every title, note and label of the report, in Danish and English (``text.yaml``)."""

SCHOOLS = ("erhvervsskole", "produktionsskole")
GENDERS = ("kvinde", "mand")
STATUSES = ("gennemfoert", "frafaldet")
TP = ("indskrivning", "afslutning", "opfoelgning")
PAIRED_TESTS = ("wilcoxon", "paired_t")


@dataclass(frozen=True)
class Measure:
    """A pre/post measure of table 7.2: its ``registreringer`` column and the progression rule that validates it."""

    key: str
    column: str          #: registreringer column (``who5`` is scored from the five items)
    #: the measure of :func:`evalkit.measures.progression_days` (None: WHO-5, scored from its items)
    rule: Literal["cannabis_days_30", "multidrug_days_30", "absence_days_14"] | None

    @property
    def label(self) -> Text:
        return TXT(f"measure.{self.key}.label")

    @property
    def short(self) -> Text:
        return TXT(f"measure.{self.key}.short")


MEASURES: dict[str, Measure] = {m.key: m for m in (
    Measure("hash", "hash_dage_30", "cannabis_days_30"),
    Measure("flere_stoffer", "flere_stoffer_dage_30", "multidrug_days_30"),
    Measure("fravaer", "ulovligt_fravaer_dage_14", "absence_days_14"),
    Measure("who5", "who5", None),
)}


def txt(key: str, **fill: Any) -> Text:
    """``TXT(key)`` with its ``{placeholders}`` filled, a :class:`Text` value in its own language.

    >>> txt("change", measure=TXT("measure.hash.short"), a=tp_label("indskrivning"), b=tp_label("afslutning")).en
    'Cannabis, days (30): Enrolment → End of course'
    """
    base = TXT(key)
    return Text(base.da.format(**{k: v.da if isinstance(v, Text) else v for k, v in fill.items()}),
                base.en.format(**{k: v.en if isinstance(v, Text) else v for k, v in fill.items()}))


def tp_label(tp: str) -> Text:
    """The printed name of a time point (``"afslutning"`` -> Afslutning / End of course)."""
    return TXT(f"tp.{tp}")


@lru_cache(maxsize=1)
def constants() -> dict[str, Any]:
    """The report's versioned constants (``constants.yaml`` of this package), read once.

    Returns
    -------
    dict
        The parsed YAML: cannabis-reduction eligibility, WHO-5 rules, the paired test of each row and
        the changes tested, the goals with their targets (000-G7-maal) and the cost rounding (000-T8).

    Examples
    --------
    >>> c = constants()
    >>> c["cannabis_reduction"]["eligibility"], [g["target"] for g in c["goals"]]
    ('used_at_intake', [70, 75, 70, 75, 70, 60, 20])
    """
    text = (resources.files(__package__) / "constants.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    validate_header(data, "udgaaende constants.yaml")   # rule, version, source, valid_from
    for kind in data["tests"]["paired"].values():
        if kind not in PAIRED_TESTS:
            raise ValueError(f"udgaaende constants.yaml: unknown paired test {kind!r} ({' | '.join(PAIRED_TESTS)})")
    return data
